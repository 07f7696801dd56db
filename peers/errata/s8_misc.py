import numpy as np
X = {'Paris':[2,0,1,1],'ist':[0,2,0,1],'die':[1,1,0,0],'Hauptstadt':[0,1,3,1],'von':[1,2,1,0]}
q = np.array(X['von'],float)
keys = ['Paris','ist','die','Hauptstadt','von']
Kx = np.array([X[k] for k in keys],float)*0.5
s = Kx@q/2; a = np.exp(s)/np.exp(s).sum()
print('with von attending to itself: scores', dict(zip(keys,s)), '\n weights', dict(zip(keys,a.round(4))), '\n output', (a@Kx).round(4))
print('Q_von = I x =', q, ' first component =', q[0], ' sum of components =', q.sum())
# softmax Jacobian and CE gradient by central differences
z = np.array([2.0,1.0,0.1]); y = np.array([1,0,0])
sm = lambda z: np.exp(z-z.max())/np.exp(z-z.max()).sum()
p = sm(z); h = 1e-6
J = np.array([[ (sm(z+h*np.eye(3)[j])[i]-sm(z-h*np.eye(3)[j])[i])/(2*h) for j in range(3)] for i in range(3)])
print('dp_i/dz_j numeric:\n', J.round(6), '\n analytic diag(p)-pp^T:\n', (np.diag(p)-np.outer(p,p)).round(6))
L = lambda z: -np.log(sm(z)[0])
g = np.array([(L(z+h*np.eye(3)[j])-L(z-h*np.eye(3)[j]))/(2*h) for j in range(3)])
print('dL/dz numeric', g.round(6), ' p-y', (p-y).round(6))
# GD sign: d/dw11 of 0.5(z - zt)^2 at w=I
x = np.array([1,2,1,0.]); f = lambda w11: 0.5*(0.5-(w11*1+2+1+0))**2
print('dLoss/dw11 numeric', round((f(1+h)-f(1-h))/(2*h),6), ' (z - zt)*x1 =', (0.5-4)*1, ' (zt - z)*x1 =', (4-0.5)*1)
f22 = lambda w22: 0.5*(0.5-(1+2*w22+1))**2
print('Loss at w22=1:', f22(1), ' at w22=1.01:', f22(1.01), ' -> increasing w22 raises zt and the loss')
fz = lambda zt: 0.5*(0.5-zt)**2
print('Loss at zt=4:', fz(4), ' zt=4.1:', fz(4.1), ' zt=3.9:', fz(3.9))
# learning-rate classes for the D1 problem
for lr in (0.02, 0.1, 1/6, 0.3, 1/3, 0.4):
    w = np.ones(4); errs=[]
    for t in range(20):
        e = w@x-0.5; errs.append(e); w = w-lr*e*x
    print(f'lr={lr:.4f} factor={1-6*lr:+.3f} err after 20 steps={w@x-0.5:+.3e}')
