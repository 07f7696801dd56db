import numpy as np, hashlib
np.random.seed(42); v = np.random.randn(4096).astype(np.float32)
print('first 4 values', [hex(int(x)) for x in v[:4].view(np.uint32)], v[:4])
print('sha256 of 4096 float32 (little-endian bytes):', hashlib.sha256(v.astype('<f4').tobytes()).hexdigest())
np.random.seed(42); w = np.random.randn(1024).astype(np.float32); print('randn(1024) == randn(4096)[:1024]:', bool((w == v[:1024]).all()))
def seq(a):
    s=np.float32(0)
    for x in a: s=np.float32(s+x)
    return s
def tree(a,bs,np2):
    sums=[]
    for i in range(0,len(a),bs):
        b=a[i:i+bs]
        if np2: sums.append(seq(b))
        else: sums.append(np.float32(sum(b.astype(np.float32))))
    while len(sums)>1:
        sums=[np.float32(sums[i]+sums[i+1]) if i+1<len(sums) else sums[i] for i in range(0,len(sums),2)]
    return sums[0]
h=lambda f: '%#010x'%int(np.float32(f).view(np.uint32))
print('cell-4 sequential (1024):', h(seq(v[:1024])))
for bs in (32,64,128,256,512):
    print(f' block {bs}: np1 {h(tree(v[:1024],bs,False))} np2 {h(tree(v[:1024],bs,True))}')
for ctx in (512,1023,1024,2048,4096):
    print(f' ctx {ctx} tile128: np1 {h(tree(v[:ctx],128,False))} np2 {h(tree(v[:ctx],128,True))} seq {h(seq(v[:ctx]))}')
