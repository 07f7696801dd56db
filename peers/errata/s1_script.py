# Lecture script: attention example, next token, GD, softmax/CE -- exact/high precision
from fractions import Fraction as F
import mpmath as mp
mp.mp.dps = 30
X = {'Paris':[2,0,1,1],'ist':[0,2,0,1],'die':[1,1,0,0],'Hauptstadt':[0,1,3,1],'von':[1,2,1,0]}
q = [F(v) for v in X['von']]
keys = ['Paris','ist','die','Hauptstadt']
K = {k:[F(v,2) for v in X[k]] for k in keys}
dots = {k: sum(a*b for a,b in zip(q,K[k])) for k in keys}
scores = {k: dots[k]/2 for k in keys}
print('dots', {k:float(v) for k,v in dots.items()}, 'scores', {k:float(v) for k,v in scores.items()})
e = {k: mp.e**mp.mpf(scores[k].numerator)/scores[k].denominator if False else mp.exp(mp.mpf(scores[k].numerator)/scores[k].denominator) for k in keys}
S = sum(e.values())
print('exp', {k: mp.nstr(v,8) for k,v in e.items()}, 'sum', mp.nstr(S,10), 'sum of 2-dec rounded', round(sum(round(float(v),2) for v in e.values()),4))
al = {k: e[k]/S for k in keys}
print('alpha', {k: mp.nstr(v,8) for k,v in al.items()})
o = [sum(al[k]*mp.mpf(K[k][i].numerator)/K[k][i].denominator for k in keys) for i in range(4)]
print('output exact', [mp.nstr(v,8) for v in o])
o3 = [0.203*a+0.260*b+0.203*c+0.334*d for a,b,c,d in zip([1,0,.5,.5],[0,1,0,.5],[.5,.5,0,0],[0,.5,1.5,.5])]
print('output from rounded alphas', [round(v,4) for v in o3])
# next token
W = {'Frankreich':[1,.5,1,.5],'Deutschland':[0,1,0,1],'Spanien':[1,0,1,0]}
h_pr = [F('0.304'),F('0.529'),F('0.603'),F('0.399')]
for nm,w in W.items():
    zr = sum(F(str(a))*b for a,b in zip(w,h_pr)); ze = sum(mp.mpf(a)*b for a,b in zip(w,o))
    print(nm,'z from printed h =',float(zr),' z from exact h =',mp.nstr(ze,8), ' exp(z_printed)=',mp.nstr(mp.exp(mp.mpf(zr.numerator)/zr.denominator),6))
zs = {nm: sum(mp.mpf(a)*b for a,b in zip(w,o)) for nm,w in W.items()}
Z = sum(mp.exp(v) for v in zs.values())
print('p exact', {k: mp.nstr(mp.exp(v)/Z,6) for k,v in zs.items()})
print('e^1.372',mp.nstr(mp.exp(mp.mpf('1.372')),6),'e^1.371',mp.nstr(mp.exp(mp.mpf('1.371')),6),'e^.928',mp.nstr(mp.exp(mp.mpf('0.928')),6),'e^.907',mp.nstr(mp.exp(mp.mpf('0.907')),6))
print('3.94/8.95 etc', 3.94/8.95, 2.53/8.95, 2.48/8.95)
# illustrative table 3.2/1.7/1.2
ez = [mp.exp(mp.mpf(v)) for v in ('3.2','1.7','1.2')]
print('e^3.2,1.7,1.2', [mp.nstr(v,6) for v in ez], 'p if only 3 tokens', [mp.nstr(v/sum(ez),4) for v in ez], 'implied total sum from p=0.70', mp.nstr(ez[0]/mp.mpf('0.70'),5), 'then', [mp.nstr(v/(ez[0]/mp.mpf('0.70')),4) for v in ez[1:]])
# GD diagonal
x=[F(1),F(2),F(1),F(0)]; w=[F(1)]*4; z=F(1,2); lr=F(1,10)
for it in range(7):
    zt=sum(a*b for a,b in zip(w,x)); err=zt-z
    print('it',it,'zhat',float(zt),'err',float(err),'loss',float(err*err/2),'w',[float(v) for v in w])
    w=[wi-lr*err*xi for wi,xi in zip(w,x)]
print('factor 1-lr*|x|^2 =', 1-0.1*6, ' divergence threshold lr > 2/|x|^2 =', 2/6, ' one-step lr =', 1/6)
# softmax CE
def sm(zz):
    ex=[mp.exp(mp.mpf(v)) for v in zz]; s=sum(ex); return [v/s for v in ex]
p=sm(['2.0','1.0','0.1']); print('p1',[mp.nstr(v,6) for v in p],'L',mp.nstr(-mp.log(p[0]),6))
g=[[ (pi-(1 if i==0 else 0))*mp.mpf(xv) for xv in ('1.5','0.5')] for i,pi in enumerate(p)]
print('grad1',[[mp.nstr(v,6) for v in r] for r in g])
print('0.2424*1.5 =',F('0.2424')*F('1.5'))
print('-ln 0.85 =', mp.nstr(-mp.log(mp.mpf('0.85')),6), ' -ln 0.6590 =', mp.nstr(-mp.log(mp.mpf('0.6590')),6))
p=sm(['3.52','2.37','1.185','0.07']); print('p2',[mp.nstr(v,6) for v in p],'L2',mp.nstr(-mp.log(p[0]),6))
g=[[ (pi-(1 if i==0 else 0))*mp.mpf(xv) for xv in ('1.2','0.8','0.5')] for i,pi in enumerate(p)]
print('grad2',[[mp.nstr(v,6) for v in r] for r in g])
print('printed-p based row3:', [float(F('0.066')*F(v)) for v in ('1.2','0.8','0.5')])
# finite-difference check of dL/dz = p - y and sign of update on class probabilities
import numpy as np
z=np.array([2.0,1.0,0.1]); xx=np.array([1.5,0.5]); Wm=np.zeros((3,2)); 
# choose W, x s.t. Wx=z: not needed; check effect of gradient step on p
pp=np.exp(z)/np.exp(z).sum(); G=np.outer(pp-np.array([1,0,0]),xx)
z2=z-0.1*G@xx; p2=np.exp(z2)/np.exp(z2).sum()
print('after one step W-=0.1*G: p before',pp.round(4),'after',p2.round(4),' dW row signs', np.sign(-0.1*G[:,0]))
# logprob examples
print('e^-0.234',mp.nstr(mp.exp(mp.mpf('-0.234')),6),'e^-2.891',mp.nstr(mp.exp(mp.mpf('-2.891')),6),'e^-1.3841',mp.nstr(mp.exp(mp.mpf('-1.3841')),6),'e^-1.3842',mp.nstr(mp.exp(mp.mpf('-1.3842')),6))
# word analogy
E={'Katze':[0.6,0.9,0.1,0.4,-0.7,-0.3,-0.2],'Kätzchen':[0.5,0.8,-0.1,0.2,-0.6,-0.5,-0.1],'Hund':[0.7,-0.1,0.4,0.3,-0.4,-0.1,-0.3],'Häuser':[-0.8,-0.4,-0.5,0.1,-0.9,0.3,0.8],'Mann':[0.6,-0.2,0.8,0.9,-0.1,-0.9,-0.7],'Frau':[0.7,0.3,0.9,-0.7,0.1,-0.5,-0.4],'König':[0.5,-0.4,0.7,0.8,0.9,-0.7,-0.6],'Königin':[0.8,-0.1,0.8,-0.9,0.8,-0.5,-0.9]}
E={k:np.array(v) for k,v in E.items()}
t=E['König']-E['Mann']+E['Frau']
cos=lambda a,b: a@b/np.linalg.norm(a)/np.linalg.norm(b)
print('analogy König-Mann+Frau nearest (cos):', sorted(((round(cos(t,v),4),k) for k,v in E.items()), reverse=True)[:4])
print('cos(Frau-Mann, Königin-König)=', round(cos(E['Frau']-E['Mann'],E['Königin']-E['König']),4))
print('outer vs cross: outer([1,2,3],[4,5,6]) shape', np.outer([1,2,3],[4,5,6]).shape, 'cross', np.cross([1,2,3],[4,5,6]))
print('8B params: fp16 bytes', 8e9*2/1e9,'GB =',8e9*2/2**30,'GiB; int8', 8e9/1e9, 'GB; 4-bit', 8e9*0.5/1e9)
