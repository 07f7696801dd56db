/* kernels-impl.h — the body of kernels.c's vectorised loops, included
 * once per instruction set with K_NAME (a name suffix), K_ATTR (the
 * function attribute naming the target) and K_VW (floats per vector).
 *
 * Every kernel computes each output element on its own, in a fixed order
 * that the vector width does not change: a vector holds K_VW different
 * elements, never K_VW partial sums of one. So the avx512f, avx2 and
 * baseline versions give the same bits, and so does a scalar loop.
 * No FMA: kernels.c compiles with fp-contract=off, and every product is
 * rounded before it is added. Not for inclusion anywhere else. */

typedef float K_NAME(vf) __attribute__((vector_size(K_VW * 4), aligned(4)));
#define VF K_NAME(vf)

/* Unaligned loads and stores through the vector type itself (aligned(4):
 * GCC's sanctioned unaligned vector access; a vector of floats may alias
 * floats). Not memcpy: GCC 12 turned each 32-byte memcpy into two 16-byte
 * stores to the stack and a 32-byte reload, a store-forwarding stall in
 * every step of the kernel's inner loop (8 GFLOP/s instead of ~90). */
static inline K_ATTR VF K_NAME(load)(const float *p)
{
    return *(const VF *)p;
}

static inline K_ATTR void K_NAME(store)(float *p, VF v)
{
    *(VF *)p = v;
}

/* One tile of RR rows and NV vectors of c: the kernel's inner loop, with
 * constant RR and NV so that the accumulators live in registers. */
static inline K_ATTR __attribute__((always_inline)) void
K_NAME(tile)(int RR, int NV, gsize k, const float *a, gsize rsa, gsize csa,
             const float *b, gsize ldb, float *c, gsize ldc, gboolean acc)
{
    VF s[6][2];
#pragma GCC unroll 6
    for (int r = 0; r < RR; r++)
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++)
            s[r][v] = acc ? K_NAME(load)(c + r * ldc + v * K_VW) : (VF){0};
    for (gsize t = 0; t < k; t++) {
        VF bv[2];
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++)
            bv[v] = K_NAME(load)(b + t * ldb + v * K_VW);
#pragma GCC unroll 6
        for (int r = 0; r < RR; r++) {
            float ar = a[r * rsa + t * csa];
#pragma GCC unroll 2
            for (int v = 0; v < NV; v++)
                s[r][v] = s[r][v] + bv[v] * ar;
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < RR; r++)
#pragma GCC unroll 2
        for (int v = 0; v < NV; v++)
            K_NAME(store)(c + r * ldc + v * K_VW, s[r][v]);
}

/* c (m, n) = [c +] A (m, k) · b (k, n), A(i, t) = a[i·rsa + t·csa]:
 * every element from +0 (or its value in c), t ascending. */
static K_ATTR void K_NAME(gemm)(gsize m, gsize n, gsize k, const float *a,
                                gsize rsa, gsize csa, const float *b, gsize ldb,
                                float *c, gsize ldc, gboolean acc)
{
    enum { R = K_VW >= 16 ? 6 : 4 };
    gsize j = 0;
    for (; j + 2 * K_VW <= n; j += 2 * K_VW) {
        gsize i = 0;
        for (; i + R <= m; i += R)
            K_NAME(tile)
        (R, 2, k, a + i * rsa, rsa, csa, b + j, ldb, c + i * ldc + j, ldc, acc);
        for (; i < m; i++)
            K_NAME(tile)
        (1, 2, k, a + i * rsa, rsa, csa, b + j, ldb, c + i * ldc + j, ldc, acc);
    }
    for (; j + K_VW <= n; j += K_VW) {
        gsize i = 0;
        for (; i + R <= m; i += R)
            K_NAME(tile)
        (R, 1, k, a + i * rsa, rsa, csa, b + j, ldb, c + i * ldc + j, ldc, acc);
        for (; i < m; i++)
            K_NAME(tile)
        (1, 1, k, a + i * rsa, rsa, csa, b + j, ldb, c + i * ldc + j, ldc, acc);
    }
    for (; j < n; j++) /* the last columns, one element at a time */
        for (gsize i = 0; i < m; i++) {
            float s = acc ? c[i * ldc + j] : 0.0f;
            for (gsize t = 0; t < k; t++)
                s = s + a[i * rsa + t * csa] * b[t * ldb + j];
            c[i * ldc + j] = s;
        }
}

typedef int K_NAME(vi) __attribute__((vector_size(K_VW * 4)));
#define VI K_NAME(vi)

/* mask ? x : y, mask all ones or all zeros per lane */
static inline K_ATTR VF K_NAME(select)(VI mask, VF x, VF y)
{
    return (VF)((mask & (VI)x) | (~mask & (VI)y));
}

/* tanh(u) per lane, numlab's own (kernels.h): float32 operations only,
 * each rounded, in this order. */
static inline K_ATTR VF K_NAME(tanh)(VF u)
{
    VF a = (VF)((VI)u & 0x7fffffff);
    /* |u| >= 0.3: (1 − e) / (1 + e), e = exp(−2|u|), |u| clamped to 9
     * (tanh 9 rounds to 1); exp(z) = 2^k · p(r), z = k ln2 + r */
    VF z = K_NAME(select)(a < 9.0f, a, (VF){0} + 9.0f) * -2.0f;
    VF kf = (z * 1.44269502f + 12582912.0f) - 12582912.0f; /* round(z/ln2) */
    VF r = (z - kf * 0.693145751953125f) - kf * 1.42860677e-6f;
    VF p = 1.0f +
           r * (1.0f + r * (0.5f + r * (1.66666672e-1f +
                                        r * (4.16666679e-2f +
                                             r * (8.33333377e-3f +
                                                  r * (1.38888892e-3f +
                                                       r * 1.98412701e-4f))))));
    VI k = __builtin_convertvector(kf, VI);
    VF e = p * (VF)((k + 127) << 23);
    VF big = (1.0f - e) / (1.0f + e);
    /* |u| < 0.3: the odd Taylor series to u^13 */
    VF s = a * a;
    VF small =
        a + a * s *
                (-3.33333343e-1f +
                 s * (1.33333340e-1f +
                      s * (-5.39682545e-2f +
                           s * (2.18694881e-2f +
                                s * (-8.86323582e-3f + s * 3.59212793e-3f)))));
    VF t = K_NAME(select)(a < 0.3f, small, big);
    return (VF)((VI)t | ((VI)u & (int)0x80000000));
}

/* GELU, tanh form, on n values, n a multiple of K_VW (see kernels.h). */
static K_ATTR void K_NAME(gelu)(gsize n, const float *x, float *y, float *th)
{
    for (gsize i = 0; i < n; i += K_VW) {
        VF v = K_NAME(load)(x + i);
        VF t = K_NAME(tanh)(0.7978845608028654f * (v + 0.044715f * v * v * v));
        K_NAME(store)(th + i, t);
        K_NAME(store)(y + i, 0.5f * v * (1.0f + t));
    }
}

/* AdamW on k = lo..hi (see kernels.h). Element-wise: no order to keep. */
static K_ATTR void K_NAME(adamw)(gsize n, float *restrict w,
                                 const float *restrict g, float *restrict m1,
                                 float *restrict m2, const GptAdamW *o)
{
    for (gsize k = 0; k < n; k++) {
        float gk = g[k];
        m1[k] = o->b1 * m1[k] + (1.0f - o->b1) * gk;
        m2[k] = o->b2 * m2[k] + (1.0f - o->b2) * gk * gk;
        float mh = m1[k] / o->c1, vh = m2[k] / o->c2;
        w[k] -= o->lr * (mh / (sqrtf(vh) + o->eps) + o->decay * w[k]);
    }
}

#undef VF
#undef VI
