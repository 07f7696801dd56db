/* bench-check.h — numlab bench's inputs, chosen so that every kernel's
 * exact result is known, and the check of each result the bench times
 * (bench-check.c), called from bench.c. */
#ifndef NL_BENCH_CHECK_H
#define NL_BENCH_CHECK_H

#include <numlab/numlab.h>

/* Fills x[0..n) with small integers, -4 to 4, from a generator seeded
 * with `seed`; their magnitudes add up to at most 2^22, so that every
 * result of the benchmark is exact in float32 whatever the order of its
 * additions (bench-check.c says why). */
void bench_fill_exact(float *x, gsize n, guint64 seed);

/* Each checks a result against its exact value, computed here in integer
 * arithmetic; on these inputs the error bound of every correct kernel is
 * 0. A result that differs is reported as a backend fault (one per
 * output); TRUE when all are exact. gemv: y = A x, A m x n row-major;
 * gemm: C = A B, all n x n, checked on the diagonal, the last row and the
 * last column (every row and column, the tails of both; O(n^2) instead
 * of O(n^3)); copy: dst bit for bit src. */
gboolean bench_check_sum(NlRun *run, const float *x, gsize n, float got);
gboolean bench_check_dot(NlRun *run, const float *x, const float *y, gsize n,
                         float got);
gboolean bench_check_gemv(NlRun *run, const float *a, const float *x,
                          const float *y, gsize m, gsize n);
gboolean bench_check_gemm(NlRun *run, const float *a, const float *b,
                          const float *c, gsize n);
gboolean bench_check_copy(NlRun *run, const float *src, const float *dst,
                          gsize n);

#endif /* NL_BENCH_CHECK_H */
