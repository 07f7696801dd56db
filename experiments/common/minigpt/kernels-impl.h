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

static inline K_ATTR VF K_NAME(load)(const float *p)
{
    VF v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline K_ATTR void K_NAME(store)(float *p, VF v)
{
    memcpy(p, &v, sizeof v);
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
