import numpy as np
from fractions import Fraction as Fr
x = np.float32(0.5)
print('type(0 + np.float32) under numpy', np.__version__, '->', type(0 + x).__name__, '; type(np.float32 + 0.1) ->', type(x+0.1).__name__)
np.random.seed(42)
values = np.random.randn(1024).astype(np.float32)
def seq32(a):
    s = np.float32(0)
    for v in a: s = np.float32(s + v)
    return s
def blocksum_np1(b):  # what builtin sum() does under numpy 1.x: 0 + f32 -> f64, then f64 accumulation
    return np.float32(sum(b.astype(np.float32)))
def blocksum_np2(b):  # NEP 50 (numpy >= 2): python int 0 is weak -> float32 accumulation
    s = np.float32(0)
    for v in b: s = np.float32(s + v)
    return s
def tree(arr, bs, blk):
    sums = [blk(arr[i:i+bs]) for i in range(0, len(arr), bs)]
    while len(sums) > 1:
        sums = [np.float32(sums[i]+sums[i+1]) if i+1 < len(sums) else sums[i] for i in range(0, len(sums), 2)]
    return sums[0]
def ulp(f): return np.spacing(np.float32(abs(f)))
ex = sum(Fr(float(v)) for v in values)
exf = np.float32(float(ex))
seq = seq32(values)
print('exact sum', float(ex), ' rounded f32', repr(float(exf)), ' sequential f32', repr(float(seq)), ' seq-exact ulps', (float(seq)-float(ex))/float(ulp(exf)))
for name, blk in (('numpy1 (f64 block acc)', blocksum_np1), ('numpy2 (f32 block acc)', blocksum_np2)):
    print(name)
    for bs in (32,64,128,256,512):
        r = tree(values, bs, blk)
        print(f"  Blockgroesse {bs:>3}: {r:.10f}  (Diff: {abs(r-seq):.2e})  ulps vs seq {(float(r)-float(seq))/float(ulp(seq)):+.0f}  vs exact {(float(r)-float(ex))/float(ulp(exf)):+.2f}  bits {np.float32(r).view(np.uint32):#010x}")
print('seq bits', hex(seq.view(np.uint32)))
# how many of the 1024 block sums differ between the two semantics
for bs in (32,64,128,256,512):
    d = sum(blocksum_np1(values[i:i+bs]) != blocksum_np2(values[i:i+bs]) for i in range(0,1024,bs))
    print('bs',bs,'blocks whose float32 partial differs np1 vs np2:', d, 'of', 1024//bs)
