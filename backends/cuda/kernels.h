/* kernels.h — the CUDA backend's device code (kernels.cu: reductions and
 * softmax; gemm.cu: batch-invariant gemm and gemv), callable from C. Every
 * pointer is device memory; every call is synchronous and returns a
 * cudaError_t as int (0 = success), so the C side can word the error. */
#ifndef NL_CUDA_KERNELS_H
#define NL_CUDA_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Threads per block of the reductions: a tile of tiled_sum is one block's
 * share, summed by this many threads. */
#define CUDA_BLOCK 256

/* scratch must hold cuda_scratch_floats(n, tile) floats. */
size_t cuda_scratch_floats(size_t n, size_t tile);

int cuda_sum_f32(const float *x, size_t n, float *scratch, float *result);
int cuda_dot_f32(const float *x, const float *y, size_t n, float *scratch,
                 float *result);
int cuda_tiled_sum_f32(const float *x, size_t n, size_t tile, float *scratch,
                       float *result);
int cuda_softmax_f32(const float *x, float *y, size_t n, float temperature,
                     float *scratch);
/* Zeroes rows x cols of a row-major matrix with row stride ld. */
int cuda_zero_f32(float *c, size_t rows, size_t cols, size_t ld);

/* Batch-invariant gemm (gemm.cu): C = A B, row-major, A m x k (lda),
 * B k x n (ldb), C m x n (ldc). Each c[i][j] is one chain
 * acc = fmaf(a[i][p], b[p][j], acc), p = 0 .. k-1 from +0.0f: its bits
 * depend on k and the data alone, never on m. k = 0 gives zeros. */
int cuda_gemm_chain_f32(size_t m, size_t n, size_t k, const float *a,
                        size_t lda, const float *b, size_t ldb, float *c,
                        size_t ldc);
/* Batch-invariant gemv (gemm.cu): y[0..m) = A x, A m x n (lda); y[i] is
 * one chain fmaf(a[i][p], x[p], acc), p = 0 .. n-1 — a gemm row's bits. */
int cuda_gemv_chain_f32(size_t m, size_t n, const float *a, size_t lda,
                        const float *x, float *y);

/* Checks the launches so far, then waits for them: the first error. */
int cuda_finish(void);

#ifdef __cplusplus
}
#endif

#endif /* NL_CUDA_KERNELS_H */
