/* kernels.cu — the CUDA backend's own kernels: block-tree reductions (sum,
 * dot, tiled sum) and softmax. gemm and gemv are cuBLAS (cuda.c), or with
 * batch_invariant=1 numlab's fixed-order kernels (gemm.cu).
 *
 * Reduction order, fixed by the launch shape and never by timing:
 *  - sum/dot: a grid of G = min(ceil(n / 256), 1024) blocks of 256
 *    threads; thread t of block b adds elements i = b*256 + t, then
 *    i + G*256, ... (grid stride); each block folds its 256 values in a
 *    shared-memory tree (s = 128, 64, ..., 1: v[t] += v[t + s]); a second
 *    launch of one block folds the G block partials the same way.
 *  - tiled_sum: one block per tile (the tile is the block's share); its 256
 *    threads stride through the tile and fold as above; the tile partials
 *    are then combined in numlab's cross-tile tree (numlab/backend.h),
 *    level by level, by one block.
 * No atomics: a run repeats bit for bit on the same GPU and launch shape. */
#include "kernels.h"

#include <cuda_runtime.h>
#include <math.h>

#define MAX_GRID 1024

/* Folds v[0..CUDA_BLOCK) in shared memory; thread 0 gets the total. */
__device__ static float block_fold(float *v)
{
    unsigned t = threadIdx.x;
    __syncthreads();
    for (unsigned s = CUDA_BLOCK / 2; s > 0; s /= 2) {
        if (t < s)
            v[t] += v[t + s];
        __syncthreads();
    }
    return v[0];
}

/* mode 0: sum x; mode 1: dot x.y; mode 2: sum exp(x/T - max[0]). */
__global__ static void reduce_pass(const float *x, const float *y, size_t n,
                                   int mode, float temperature,
                                   const float *max, float *partials)
{
    __shared__ float v[CUDA_BLOCK];
    float acc = 0.0f;
    size_t stride = (size_t)gridDim.x * CUDA_BLOCK;
    for (size_t i = (size_t)blockIdx.x * CUDA_BLOCK + threadIdx.x; i < n;
         i += stride) {
        if (mode == 0)
            acc += x[i];
        else if (mode == 1)
            acc = fmaf(x[i], y[i], acc);
        else
            acc += expf(x[i] / temperature - max[0]);
    }
    v[threadIdx.x] = acc;
    float total = block_fold(v);
    if (threadIdx.x == 0)
        partials[blockIdx.x] = total;
}

/* One block sums partials[0..count) (count <= MAX_GRID) the same way. */
__global__ static void reduce_final(const float *partials, size_t count,
                                    float *out)
{
    __shared__ float v[CUDA_BLOCK];
    float acc = 0.0f;
    for (size_t i = threadIdx.x; i < count; i += CUDA_BLOCK)
        acc += partials[i];
    v[threadIdx.x] = acc;
    float total = block_fold(v);
    if (threadIdx.x == 0)
        *out = total;
}

__global__ static void max_pass(const float *x, size_t n, float temperature,
                                float *partials)
{
    __shared__ float v[CUDA_BLOCK];
    float m = -INFINITY;
    size_t stride = (size_t)gridDim.x * CUDA_BLOCK;
    for (size_t i = (size_t)blockIdx.x * CUDA_BLOCK + threadIdx.x; i < n;
         i += stride)
        m = fmaxf(m, x[i] / temperature);
    v[threadIdx.x] = m;
    __syncthreads();
    for (unsigned s = CUDA_BLOCK / 2; s > 0; s /= 2) {
        if (threadIdx.x < s)
            v[threadIdx.x] = fmaxf(v[threadIdx.x], v[threadIdx.x + s]);
        __syncthreads();
    }
    if (threadIdx.x == 0)
        partials[blockIdx.x] = v[0];
}

__global__ static void max_final(float *partials, size_t count)
{
    if (threadIdx.x == 0 && blockIdx.x == 0) {
        float m = -INFINITY;
        for (size_t i = 0; i < count; i++)
            m = fmaxf(m, partials[i]);
        partials[0] = m;
    }
}

__global__ static void softmax_normalize(const float *x, float *y, size_t n,
                                         float temperature, const float *max,
                                         const float *total)
{
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        y[i] = expf(x[i] / temperature - max[0]) / total[0];
}

/* One block per tile. */
__global__ static void tile_pass(const float *x, size_t n, size_t tile,
                                 float *partials)
{
    __shared__ float v[CUDA_BLOCK];
    size_t start = (size_t)blockIdx.x * tile;
    size_t end = start + tile < n ? start + tile : n;
    float acc = 0.0f;
    for (size_t i = start + threadIdx.x; i < end; i += CUDA_BLOCK)
        acc += x[i];
    v[threadIdx.x] = acc;
    float total = block_fold(v);
    if (threadIdx.x == 0)
        partials[blockIdx.x] = total;
}

/* numlab's cross-tile tree: p[i] += p[i + s], s = 1, 2, 4, ... */
__global__ static void tile_tree(float *p, size_t count)
{
    for (size_t s = 1; s < count; s *= 2) {
        for (size_t i = threadIdx.x * 2 * s; i + s < count;
             i += (size_t)blockDim.x * 2 * s)
            p[i] += p[i + s];
        __syncthreads();
    }
}

__global__ static void zero_rows(float *c, size_t rows, size_t cols, size_t ld)
{
    for (size_t i = blockIdx.x; i < rows; i += gridDim.x)
        for (size_t j = threadIdx.x; j < cols; j += blockDim.x)
            c[i * ld + j] = 0.0f;
}

static unsigned grid_for(size_t n)
{
    size_t g = (n + CUDA_BLOCK - 1) / CUDA_BLOCK;
    return (unsigned)(g < 1 ? 1 : (g > MAX_GRID ? MAX_GRID : g));
}

extern "C" int cuda_finish(void)
{
    cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess)
        e = cudaDeviceSynchronize();
    return (int)e;
}

extern "C" size_t cuda_scratch_floats(size_t n, size_t tile)
{
    size_t tiles = tile ? (n + tile - 1) / tile : 0;
    return (tiles > MAX_GRID ? tiles : MAX_GRID) + 2;
}

/* scratch: [0, MAX_GRID) partials, then the result. */
static int reduce(const float *x, const float *y, size_t n, int mode,
                  float *scratch, float *result)
{
    if (n == 0) {
        *result = 0.0f;
        return 0;
    }
    unsigned g = grid_for(n);
    reduce_pass<<<g, CUDA_BLOCK>>>(x, y, n, mode, 1.0f, NULL, scratch);
    reduce_final<<<1, CUDA_BLOCK>>>(scratch, g, scratch + MAX_GRID);
    int e = cuda_finish();
    if (e)
        return e;
    return (int)cudaMemcpy(result, scratch + MAX_GRID, sizeof(float),
                           cudaMemcpyDeviceToHost);
}

extern "C" int cuda_sum_f32(const float *x, size_t n, float *scratch,
                            float *result)
{
    return reduce(x, NULL, n, 0, scratch, result);
}

extern "C" int cuda_dot_f32(const float *x, const float *y, size_t n,
                            float *scratch, float *result)
{
    return reduce(x, y, n, 1, scratch, result);
}

extern "C" int cuda_tiled_sum_f32(const float *x, size_t n, size_t tile,
                                  float *scratch, float *result)
{
    size_t tiles = (n + tile - 1) / tile;
    if (tiles == 0) {
        *result = 0.0f;
        return 0;
    }
    /* gridDim.x may be up to 2^31 - 1: tiles beyond that are refused by
     * the C side before this call. */
    tile_pass<<<(unsigned)tiles, CUDA_BLOCK>>>(x, n, tile, scratch);
    tile_tree<<<1, 1024>>>(scratch, tiles);
    int e = cuda_finish();
    if (e)
        return e;
    return (int)cudaMemcpy(result, scratch, sizeof(float),
                           cudaMemcpyDeviceToHost);
}

extern "C" int cuda_softmax_f32(const float *x, float *y, size_t n,
                                float temperature, float *scratch)
{
    if (n == 0)
        return 0;
    unsigned g = grid_for(n);
    float *max = scratch + MAX_GRID, *total = scratch + MAX_GRID + 1;
    max_pass<<<g, CUDA_BLOCK>>>(x, n, temperature, scratch);
    max_final<<<1, 1>>>(scratch, g);
    cudaMemcpyAsync(max, scratch, sizeof(float), cudaMemcpyDeviceToDevice);
    reduce_pass<<<g, CUDA_BLOCK>>>(x, NULL, n, 2, temperature, max, scratch);
    reduce_final<<<1, CUDA_BLOCK>>>(scratch, g, total);
    softmax_normalize<<<g, CUDA_BLOCK>>>(x, y, n, temperature, max, total);
    return cuda_finish();
}

extern "C" int cuda_zero_f32(float *c, size_t rows, size_t cols, size_t ld)
{
    if (rows == 0 || cols == 0)
        return 0;
    zero_rows<<<(unsigned)(rows < 65535 ? rows : 65535), 256>>>(c, rows, cols, ld);
    return cuda_finish();
}
