/* kernels.h — the OpenMP backend's kernels (kernels.c, gemm.c).
 *
 * Built for x86-64-v3 (AVX2 + FMA); openmp.c checks the CPU before any of
 * these run. Every kernel's order of operations depends only on the sizes
 * and on the thread count, never on scheduling, so a run repeats bit for
 * bit. */
#ifndef NL_OPENMP_KERNELS_H
#define NL_OPENMP_KERNELS_H

#include <glib.h>

/* Below this many elements (1 MiB of floats, about an L2 cache) a
 * reduction runs on one thread: one core reads cache-resident data faster
 * than two threads can be woken and joined. */
#define PAR_PARALLEL_MIN 262144

float par_sum_f32(const float *x, gsize n, int threads);
float par_dot_f32(const float *x, const float *y, gsize n, int threads);
void par_gemv_f32(gsize m, gsize n, const float *a, gsize lda, const float *x,
                  float *y, int threads);
float par_tiled_sum_f32(const float *x, gsize n, gsize tile, float *partials,
                        int threads);
void par_softmax_f32(const float *x, float *y, gsize n, float temperature,
                     int threads);
/* C = A B, row-major; FALSE if the packing buffers cannot be allocated. */
gboolean par_gemm_f32(gsize m, gsize n, gsize k, const float *a, gsize lda,
                      const float *b, gsize ldb, float *c, gsize ldc,
                      int threads);

#endif /* NL_OPENMP_KERNELS_H */
