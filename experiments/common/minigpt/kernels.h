/* kernels.h — the model's hot host loops (kernels.c): matrix products in
 * the reference order, vectorised and split over host threads, GELU and
 * AdamW.
 *
 * Used by the backward pass for all of its matrix products, by the
 * forward pass in host loops (no backend) for its products, by every
 * forward pass for GELU, and by the trainer for AdamW. Each result element is
 * computed by one thread, in one fixed order, so the bits depend neither on the
 * instruction set the CPU offers nor on the number of threads. Not installed.
 */
#ifndef NL_GPT_KERNELS_H
#define NL_GPT_KERNELS_H

#include <glib.h>

/* c (m, n) = a (m, k) · b (k, n), every element
 *   s = 0.0f; for t in 0..k: s = s + (a[i][t] * b[t][j])
 * which is nl_ref_gemm_f32's order, bit for bit. */
void gpt_gemm(guint threads, gsize m, gsize n, gsize k, const float *a,
              gsize lda, const float *b, gsize ldb, float *c, gsize ldc);

/* c (m, n) += aᵀ · b for a (k, m) and b (k, n), every element
 *   s = c[i][j]; for t in 0..k: s = s + (a[t][i] * b[t][j])
 * the rows of a and b (a layer's tokens) in order: a weight gradient. */
void gpt_gemm_tn_acc(guint threads, gsize m, gsize n, gsize k, const float *a,
                     gsize lda, const float *b, gsize ldb, float *c, gsize ldc);

/* c[j] += b[0][j] + b[1][j] + ... + b[k-1][j], left to right: a bias
 * gradient (the column sums of b (k, n)). */
void gpt_colsum_acc(guint threads, gsize n, gsize k, const float *b, gsize ldb,
                    float *c);

/* One AdamW update of n weights with their gradients and moments. */
typedef struct {
    float lr, b1, b2, c1, c2, eps, decay;
} GptAdamW;
void gpt_adamw(guint threads, gsize n, float *w, const float *g, float *m1,
               float *m2, const GptAdamW *o);

/* GELU, tanh form, on n values: y = 0.5·x·(1 + th) with
 *   th = tanh(0.7978845608 · (x + 0.044715·x·x·x))   (kept for backward)
 * where tanh is numlab's own float32 function, not the C library's, so
 * that it vectorises and gives the same bits with every libm and every
 * instruction set: |u| < 0.3: u + u·s·(T3 + s·(T5 + ... + s·T13)), s = u²,
 * the Taylor coefficients rounded to float; otherwise (1 − e)/(1 + e),
 * e = exp(−2|u|) (|u| clamped to 9) as 2^k · p(r): k = round(z/ln2) by
 * the 1.5·2^23 trick, r = (z − k·ln2_hi) − k·ln2_lo, p the degree-7
 * Taylor polynomial of exp in Horner form; the sign of u copied. Every
 * operation is one float32 operation, rounded, no FMA. Within 2.4 ulp of
 * tanh (checked against double on every third float in [-10, 10]; the
 * avx512f, avx2 and sse2 versions gave the same bits on all of them). */
void gpt_gelu(guint threads, gsize n, const float *x, float *y, float *th);

/* Runs fn(i, data) for i in 0..n on up to `threads` host threads
 * (OpenMP where the library was built with it, else one thread); each
 * i must write only its own outputs. */
void gpt_parallel(guint threads, gsize n, void (*fn)(gsize i, gpointer data),
                  gpointer data);

/* What the kernels were compiled for and which version this CPU runs:
 * "avx512f (runtime dispatch: avx512f, avx2, sse2), -O3
 * -ffp-contract=off, OpenMP threads". */
const char *gpt_kernels_describe(void);

#endif /* NL_GPT_KERNELS_H */
