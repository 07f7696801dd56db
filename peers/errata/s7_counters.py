import numpy as np
from fractions import Fraction as Fr
def bf16(x):  # round float32 -> bfloat16 (RNE), returned as float32
    u = int(np.array([x], dtype=np.float32).view(np.uint32)[0])
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return np.array([u], dtype=np.uint32).view(np.float32)[0]
def stall(add, one, start):
    s = start; n = 0
    while True:
        t = add(s, one); n += 1
        if t == s: return s, n
        s = t
s, n = stall(lambda a,b: np.float16(a+b), np.float16(1), np.float16(0)); print('fp16 counter stalls at', s, '; increment number', n, 'is the first lost; 2^11 =', 2**11)
s, n = stall(lambda a,b: bf16(np.float32(a)+np.float32(b)), np.float32(1), np.float32(0)); print('bf16 counter stalls at', s, '; increment number', n, 'is the first lost; 2^8 =', 2**8)
s = np.float32(2**24 - 3)
for i in range(5): print('  f32', int(s), '+1 ->', int(np.float32(s+np.float32(1)))); s = np.float32(s+np.float32(1))
print('f32 2^24+1 == 2^24 ?', np.float32(2**24)+np.float32(1) == np.float32(2**24))
print('0.1+0.2 (double) =', repr(0.1+0.2), '== 0.3 ?', 0.1+0.2 == 0.3, ' exact 0.1+0.2 of the doubles:', float(Fr(0.1)+Fr(0.2)), ' f32:', repr(float(np.float32(0.1)+np.float32(0.2))), np.float32(0.1)+np.float32(0.2)==np.float32(0.3))
print('(0.1+1e20)-1e20 =', (0.1+1e20)-1e20, ' 0.1+(1e20-1e20) =', 0.1+(1e20-1e20))
print('float32 eps', np.finfo(np.float32).eps, ' half-ulp of 1 = 2^-24 =', 2.0**-24, ' digits 24*log10(2) =', 24*np.log10(2))
a=np.float32(1); 
for b in (1e-7, 5e-8):
    b=np.float32(b); print(f'b=c={float(b):.9g}: (a+b)+c={float(np.float32(np.float32(a+b)+b)):.9f} a+(b+c)={float(np.float32(a+np.float32(b+b))):.9f}')
