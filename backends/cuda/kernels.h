/* kernels.h — the CUDA backend's device code (kernels.cu), callable from
 * C. Every pointer is device memory; every call is synchronous and returns
 * a cudaError_t as int (0 = success), so the C side can word the error. */
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

#ifdef __cplusplus
}
#endif

#endif /* NL_CUDA_KERNELS_H */
