/* kernels.h — the OpenMP backend's kernels (kernels.c, gemv.c, gemm.c,
 * softmax.c).
 *
 * Built for x86-64-v3 (AVX2 + FMA); openmp.c checks the CPU before any of
 * these run. Every kernel's order of operations depends only on the sizes,
 * on the thread count and on the mode, never on scheduling, so a run
 * repeats bit for bit. In batch-invariant mode it depends on the sizes
 * alone: not on the thread count, and for a row of a matrix product not on
 * how many other rows are computed with it. */
#ifndef NL_OPENMP_KERNELS_H
#define NL_OPENMP_KERNELS_H

#include <glib.h>

/* Below this many elements (1 MiB of floats, about an L2 cache) a
 * reduction runs on one thread: one core reads cache-resident data faster
 * than two threads can be woken and joined. */
#define PAR_PARALLEL_MIN 262144

/* Batch-invariant reductions cut the vector into blocks of this many
 * elements whatever the thread count, and add the block partials left to
 * right. */
#define PAR_FIXED_BLOCK 65536

/* How a kernel may divide its work. */
typedef struct {
    int threads;              /* threads a kernel may use */
    gboolean batch_invariant; /* one order whatever threads and batch */
} ParMode;

/* One thread's share: 32 lanes, folded pairwise, tail left to right. */
float par_sum_chunk(const float *x, gsize n);
float par_dot_chunk(const float *x, const float *y, gsize n);

float par_sum_f32(const float *x, gsize n, ParMode mode);
float par_dot_f32(const float *x, const float *y, gsize n, ParMode mode);
/* y = A x, A is m x n with row stride lda. */
void par_gemv_f32(gsize m, gsize n, const float *a, gsize lda, const float *x,
                  float *y, ParMode mode);
float par_tiled_sum_f32(const float *x, gsize n, gsize tile, float *partials,
                        ParMode mode);
void par_softmax_f32(const float *x, float *y, gsize n, float temperature,
                     ParMode mode);
/* C = A B, row-major; FALSE if the packing buffers cannot be allocated.
 * Its order is the same in both modes (gemm.c). */
gboolean par_gemm_f32(gsize m, gsize n, gsize k, const float *a, gsize lda,
                      const float *b, gsize ldb, float *c, gsize ldc,
                      int threads);

#endif /* NL_OPENMP_KERNELS_H */
