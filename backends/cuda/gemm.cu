/* gemm.cu — the CUDA backend's batch-invariant gemm and gemv (option
 * batch_invariant=1): numlab's own float32 kernels in place of cuBLAS.
 *
 * Order contract, the reason this file exists. Every element of
 * C = A B (row-major; A m x k, B k x n, leading dimensions in elements) is
 * ONE chain of fused multiply-adds
 *
 *     acc = +0.0f;  acc = fmaf(a[i][p], b[p][j], acc)  for p = 0, 1, ..., k-1
 *
 * and then stored: no split-K, no partial sums, no atomics, nothing that
 * depends on m, n, the grid, the SM count or timing. That is the order of
 * the openmp backend's gemm (backends/openmp/gemm.c), so the bits of a row
 * are the same for every batch size m and the same as openmp's. gemv
 * (y = A x, A m x n) is the same chain per row, fmaf(a[i][p], x[p], acc),
 * so a single row computed by gemv has the bits it has inside any gemm.
 * The chains are written with __fmaf_rn, which nvcc neither contracts nor
 * reassociates; the last k slice of a tile runs only over the columns that
 * exist (a zero-padded step would turn a -0.0f into +0.0f).
 *
 * Which kernel runs depends on the shape — the register-tiled kernel for
 * m > SKINNY_MAX_M, a column-per-thread kernel for small m — but both
 * compute the same chain per element, so the choice never changes a bit.
 *
 * Speed, honestly: the tiled kernel is a classic 128 x 128 x 8 SGEMM
 * (8 x 8 micro-tile per thread, float4 shared-memory reads, double-buffered
 * shared memory) on the float32 FMA pipes, no tensor cores. Kernels of this
 * shape typically reach 60-85 % of cuBLAS's float32 SGEMM on large square
 * products; shapes that give few 128 x 128 tiles (m or n of a few hundred)
 * fall further behind, because a fixed order forbids the split-K cuBLAS
 * uses there. gemv and the small-m kernel are bound by memory bandwidth and
 * by the latency of one n-long (k-long) FMA chain per output element.
 * Measure on the target GPU before quoting numbers. */
#include "kernels.h"

#include <cuda_runtime.h>
#include <stdint.h>

/* ---- Tiled gemm: 128 x 128 block tile, k in slices of 8 ---- */

#define BM 128             /* rows of C per block */
#define BN 128             /* columns of C per block */
#define BK 8               /* k-slice held in shared memory */
#define TILE_THREADS 256   /* 16 x 16 threads, each an 8 x 8 micro-tile */
#define AS_LD (BM + 4)     /* A slice is stored transposed, padded: the
                            * transposing stores hit 32 distinct banks and
                            * rows stay 16-byte aligned (132 * 4 = 528) */
#define MAX_GRID_Y 65535u  /* row tiles per launch */

/* v[0..4) = row[col .. col+4), zero where col + q >= limit or !row_ok.
 * VEC: row + col is 16-byte aligned whenever col is a multiple of 4. */
template <bool VEC>
__device__ __forceinline__ void load4(float v[4], const float *base,
                                      size_t ld, size_t row, bool row_ok,
                                      size_t col, size_t limit)
{
    if (VEC && row_ok && col + 4 <= limit) {
        float4 q = *reinterpret_cast<const float4 *>(base + row * ld + col);
        v[0] = q.x;
        v[1] = q.y;
        v[2] = q.z;
        v[3] = q.w;
        return;
    }
#pragma unroll
    for (int q = 0; q < 4; q++)
        v[q] = row_ok && col + q < limit ? base[row * ld + col + q] : 0.0f;
}

/* One step p of the 8 x 8 micro-tile: thread (ty, tx) holds rows
 * ty*4 + {0..3} and 64 + ty*4 + {0..3}, columns tx*4 + {0..3} and
 * 64 + tx*4 + {0..3} of the block tile. as_p / bs_p: row p of the A slice
 * (transposed: as_p[r] = a[i0 + r][p]) and of the B slice. */
__device__ __forceinline__ void chain_step(float acc[8][8], const float *as_p,
                                           const float *bs_p, int ty, int tx)
{
    const float4 a0 = *reinterpret_cast<const float4 *>(as_p + ty * 4);
    const float4 a1 = *reinterpret_cast<const float4 *>(as_p + 64 + ty * 4);
    const float4 b0 = *reinterpret_cast<const float4 *>(bs_p + tx * 4);
    const float4 b1 = *reinterpret_cast<const float4 *>(bs_p + 64 + tx * 4);
    const float ar[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
    const float br[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
    for (int r = 0; r < 8; r++)
#pragma unroll
        for (int c = 0; c < 8; c++)
            acc[r][c] = __fmaf_rn(ar[r], br[c], acc[r][c]);
}

/* Grid: x = column tiles, y = row tiles from row_tile0 on (the host
 * launches at most MAX_GRID_Y row tiles at a time). VEC_A / VEC_B: the
 * matrix is 16-byte aligned and its ld a multiple of 4, so full float4
 * loads are legal; the fringes fall back to bounds-checked scalar loads
 * with zero fill. vec_c: the same for the float4 stores of C.
 *
 * Per element the chain runs p = 0 .. k-1: slice after slice (ascending),
 * p ascending within a slice, the accumulator carried in a register. */
template <bool VEC_A, bool VEC_B>
__global__ void __launch_bounds__(TILE_THREADS, 2)
    gemm_tiled(size_t m, size_t n, size_t k, const float *__restrict__ a,
               size_t lda, const float *__restrict__ b, size_t ldb,
               float *__restrict__ c, size_t ldc, bool vec_c,
               unsigned row_tile0)
{
    __shared__ __align__(16) float as[2][BK][AS_LD];
    __shared__ __align__(16) float bs[2][BK][BN];

    const int t = threadIdx.x;
    const size_t i0 = ((size_t)row_tile0 + blockIdx.y) * BM;
    const size_t j0 = (size_t)blockIdx.x * BN;
    /* Loaders: A slice 128 rows x 8 = 2 threads per row, 4 columns each;
     * B slice 8 rows x 128 = 32 threads per row, 4 columns each. */
    const int a_row = t >> 1, a_col = (t & 1) * 4;
    const int b_row = t >> 5, b_col = (t & 31) * 4;
    const bool a_ok = i0 + a_row < m;
    /* Compute coordinates: 16 x 16 threads. */
    const int ty = t >> 4, tx = t & 15;

    float acc[8][8];
#pragma unroll
    for (int r = 0; r < 8; r++)
#pragma unroll
        for (int cc = 0; cc < 8; cc++)
            acc[r][cc] = 0.0f;

    float ra[4], rb[4];
    const size_t slices = (k + BK - 1) / BK;

    /* Slice 0 into buffer 0. */
    load4<VEC_A>(ra, a, lda, i0 + a_row, a_ok, a_col, k);
    load4<VEC_B>(rb, b, ldb, b_row, b_row < k, j0 + b_col, n);
#pragma unroll
    for (int q = 0; q < 4; q++)
        as[0][a_col + q][a_row] = ra[q];
    *reinterpret_cast<float4 *>(&bs[0][b_row][b_col]) =
        make_float4(rb[0], rb[1], rb[2], rb[3]);
    __syncthreads();

    for (size_t s = 0; s < slices; s++) {
        const int cur = (int)(s & 1);
        const size_t p0 = s * BK;
        const bool next = s + 1 < slices;
        /* Issue the next slice's global loads before computing on this
         * one; they land in registers and go to the other buffer below. */
        if (next) {
            const size_t p1 = p0 + BK;
            load4<VEC_A>(ra, a, lda, i0 + a_row, a_ok, p1 + a_col, k);
            load4<VEC_B>(rb, b, ldb, p1 + b_row, p1 + b_row < k, j0 + b_col, n);
        }
        if (p0 + BK <= k) {
#pragma unroll
            for (int p = 0; p < BK; p++)
                chain_step(acc, as[cur][p], bs[cur][p], ty, tx);
        } else {
            /* The last, partial slice: only the columns that exist. */
            const int kk = (int)(k - p0);
            for (int p = 0; p < kk; p++)
                chain_step(acc, as[cur][p], bs[cur][p], ty, tx);
        }
        if (next) {
            /* Buffer cur ^ 1 was last read in slice s - 1, which every
             * thread finished before the barrier that ended it. */
#pragma unroll
            for (int q = 0; q < 4; q++)
                as[cur ^ 1][a_col + q][a_row] = ra[q];
            *reinterpret_cast<float4 *>(&bs[cur ^ 1][b_row][b_col]) =
                make_float4(rb[0], rb[1], rb[2], rb[3]);
        }
        __syncthreads();
    }

#pragma unroll
    for (int r = 0; r < 8; r++) {
        const size_t i = i0 + (r < 4 ? ty * 4 + r : 64 + ty * 4 + (r - 4));
        if (i >= m)
            continue;
        float *crow = c + i * ldc;
#pragma unroll
        for (int g = 0; g < 2; g++) {
            const size_t j = j0 + g * 64 + tx * 4;
            if (vec_c && j + 4 <= n) {
                *reinterpret_cast<float4 *>(crow + j) =
                    make_float4(acc[r][g * 4 + 0], acc[r][g * 4 + 1],
                                acc[r][g * 4 + 2], acc[r][g * 4 + 3]);
            } else {
#pragma unroll
                for (int q = 0; q < 4; q++)
                    if (j + q < n)
                        crow[j + q] = acc[r][g * 4 + q];
            }
        }
    }
}

/* ---- Small m: one thread per column of C ---- */

#define SKINNY_MAX_M 64    /* m up to this uses gemm_skinny */
#define SK_ROWS 16         /* rows of C per block (grid y) */
#define SK_COLS 64         /* threads = columns of C per block (grid x) */
#define SK_STEP 32         /* k-steps per shared-memory stage of A */

/* Thread j keeps the chains of column j for SK_ROWS rows. Per stage the
 * block puts a[i0 .. i0+16)[p0 .. p0+32) in shared memory (read as a
 * broadcast) and each thread reads b[p][j] for p ascending: coalesced
 * across the threads, and independent of the chains, so 32 loads are in
 * flight. Order per element: p = 0 .. k-1, ascending, as in gemm_tiled. */
__global__ void __launch_bounds__(SK_COLS)
    gemm_skinny(size_t m, size_t n, size_t k, const float *__restrict__ a,
                size_t lda, const float *__restrict__ b, size_t ldb,
                float *__restrict__ c, size_t ldc)
{
    __shared__ __align__(16) float as[SK_ROWS][SK_STEP];
    const size_t i0 = (size_t)blockIdx.y * SK_ROWS;
    const size_t j = (size_t)blockIdx.x * SK_COLS + threadIdx.x;
    const bool col_ok = j < n;

    float acc[SK_ROWS];
#pragma unroll
    for (int r = 0; r < SK_ROWS; r++)
        acc[r] = 0.0f;

    for (size_t p0 = 0; p0 < k; p0 += SK_STEP) {
        const size_t steps = k - p0 < SK_STEP ? k - p0 : SK_STEP;
        __syncthreads(); /* the previous stage's reads of as are done */
        for (int e = threadIdx.x; e < SK_ROWS * SK_STEP; e += SK_COLS) {
            const int r = e / SK_STEP, q = e % SK_STEP;
            as[r][q] = i0 + r < m && (size_t)q < steps
                           ? a[(i0 + r) * lda + p0 + q]
                           : 0.0f;
        }
        __syncthreads();
        if (!col_ok)
            continue;
        const float *bp = b + p0 * ldb + j;
        if (steps == SK_STEP) {
            float bv[SK_STEP];
#pragma unroll
            for (int q = 0; q < SK_STEP; q++)
                bv[q] = bp[q * ldb];
            /* a[i0 + r][p0 + q .. + 4) in one float4 read; per element
             * q still ascends: q4 outer, its four steps in order. */
#pragma unroll
            for (int q4 = 0; q4 < SK_STEP; q4 += 4)
#pragma unroll
                for (int r = 0; r < SK_ROWS; r++) {
                    const float4 av =
                        *reinterpret_cast<const float4 *>(&as[r][q4]);
                    acc[r] = __fmaf_rn(av.x, bv[q4 + 0], acc[r]);
                    acc[r] = __fmaf_rn(av.y, bv[q4 + 1], acc[r]);
                    acc[r] = __fmaf_rn(av.z, bv[q4 + 2], acc[r]);
                    acc[r] = __fmaf_rn(av.w, bv[q4 + 3], acc[r]);
                }
        } else {
            for (int q = 0; q < (int)steps; q++) {
                const float bq = bp[q * ldb];
#pragma unroll
                for (int r = 0; r < SK_ROWS; r++)
                    acc[r] = __fmaf_rn(as[r][q], bq, acc[r]);
            }
        }
    }
    if (!col_ok)
        return;
#pragma unroll
    for (int r = 0; r < SK_ROWS; r++)
        if (i0 + r < m)
            c[(i0 + r) * ldc + j] = acc[r];
}

/* ---- gemv: 32 rows per block, A staged through shared memory ---- */

#define GV_ROWS 32                 /* rows per block = lanes of warp 0 */
#define GV_WARPS 4                 /* warps that load; warp 0 also computes */
#define GV_STAGE (GV_WARPS * 32)   /* columns per stage */
#define GV_LD (GV_STAGE + 1)       /* padded: stores and reads conflict-free */

/* v[r] = a[i0 + r][p], x_p = x[p]; zero outside A. */
__device__ __forceinline__ void gemv_load(float v[GV_ROWS], float *x_p,
                                          const float *a, size_t lda,
                                          const float *x, size_t m, size_t n,
                                          size_t i0, size_t p)
{
    const bool p_ok = p < n;
#pragma unroll
    for (int r = 0; r < GV_ROWS; r++)
        v[r] = p_ok && i0 + r < m ? a[(i0 + r) * lda + p] : 0.0f;
    *x_p = p_ok ? x[p] : 0.0f;
}

/* Each thread t loads column p0 + t of the block's 32 rows (a warp reads
 * 32 consecutive floats of a row: coalesced) and stores it into the staged
 * tile; lane l of warp 0 then continues row i0 + l's chain over the
 * stage's columns in order. Order per row: p = 0 .. n-1 ascending, one
 * chain from +0.0f — a gemm row's order. Double-buffered: the next stage's
 * loads are in flight while warp 0 computes. */
__global__ void __launch_bounds__(GV_WARPS * 32)
    gemv_chain(size_t m, size_t n, const float *__restrict__ a, size_t lda,
               const float *__restrict__ x, float *__restrict__ y)
{
    __shared__ float tile[2][GV_ROWS][GV_LD];
    __shared__ float xs[2][GV_STAGE];
    const int t = threadIdx.x;
    const int lane = t & 31, warp = t >> 5;
    const size_t i0 = (size_t)blockIdx.x * GV_ROWS;
    const size_t stages = (n + GV_STAGE - 1) / GV_STAGE;

    float v[GV_ROWS], xv;
    gemv_load(v, &xv, a, lda, x, m, n, i0, t);
    float acc = 0.0f;
    for (size_t s = 0; s < stages; s++) {
        const int buf = (int)(s & 1);
        /* Buffer buf was last read in stage s - 2, finished before the
         * barrier of stage s - 1 that every thread has passed. */
#pragma unroll
        for (int r = 0; r < GV_ROWS; r++)
            tile[buf][r][t] = v[r];
        xs[buf][t] = xv;
        __syncthreads();
        if (s + 1 < stages)
            gemv_load(v, &xv, a, lda, x, m, n, i0, (s + 1) * GV_STAGE + t);
        if (warp != 0)
            continue;
        const float *row = tile[buf][lane];
        const float *xp = xs[buf];
        const size_t p0 = s * GV_STAGE;
        if (p0 + GV_STAGE <= n) {
#pragma unroll 32
            for (int q = 0; q < GV_STAGE; q++)
                acc = __fmaf_rn(row[q], xp[q], acc);
        } else {
            const int cnt = (int)(n - p0);
            for (int q = 0; q < cnt; q++)
                acc = __fmaf_rn(row[q], xp[q], acc);
        }
    }
    if (warp == 0 && i0 + lane < m)
        y[i0 + lane] = acc;
}

/* ---- Host side ---- */

static bool aligned_ld(const void *p, size_t ld)
{
    return (uintptr_t)p % 16 == 0 && ld % 4 == 0;
}

static int launch_tiled(size_t m, size_t n, size_t k, const float *a,
                        size_t lda, const float *b, size_t ldb, float *c,
                        size_t ldc)
{
    const size_t col_tiles = (n + BN - 1) / BN;
    const size_t row_tiles = (m + BM - 1) / BM;
    if (col_tiles > INT32_MAX || row_tiles > UINT32_MAX)
        return (int)cudaErrorInvalidValue;
    const bool va = aligned_ld(a, lda), vb = aligned_ld(b, ldb);
    const bool vc = aligned_ld(c, ldc);
    for (size_t r0 = 0; r0 < row_tiles; r0 += MAX_GRID_Y) {
        const size_t rows = row_tiles - r0 < MAX_GRID_Y ? row_tiles - r0
                                                        : MAX_GRID_Y;
        const dim3 grid((unsigned)col_tiles, (unsigned)rows);
        const unsigned t0 = (unsigned)r0;
        if (va && vb)
            gemm_tiled<true, true><<<grid, TILE_THREADS>>>(
                m, n, k, a, lda, b, ldb, c, ldc, vc, t0);
        else if (va)
            gemm_tiled<true, false><<<grid, TILE_THREADS>>>(
                m, n, k, a, lda, b, ldb, c, ldc, vc, t0);
        else if (vb)
            gemm_tiled<false, true><<<grid, TILE_THREADS>>>(
                m, n, k, a, lda, b, ldb, c, ldc, vc, t0);
        else
            gemm_tiled<false, false><<<grid, TILE_THREADS>>>(
                m, n, k, a, lda, b, ldb, c, ldc, vc, t0);
        const cudaError_t e = cudaGetLastError();
        if (e != cudaSuccess)
            return (int)e;
    }
    return cuda_finish();
}

static int launch_skinny(size_t m, size_t n, size_t k, const float *a,
                         size_t lda, const float *b, size_t ldb, float *c,
                         size_t ldc)
{
    const size_t col_blocks = (n + SK_COLS - 1) / SK_COLS;
    const size_t row_blocks = (m + SK_ROWS - 1) / SK_ROWS; /* m <= 64: <= 4 */
    if (col_blocks > INT32_MAX)
        return (int)cudaErrorInvalidValue;
    const dim3 grid((unsigned)col_blocks, (unsigned)row_blocks);
    gemm_skinny<<<grid, SK_COLS>>>(m, n, k, a, lda, b, ldb, c, ldc);
    return cuda_finish();
}

extern "C" int cuda_gemm_chain_f32(size_t m, size_t n, size_t k,
                                   const float *a, size_t lda, const float *b,
                                   size_t ldb, float *c, size_t ldc)
{
    if (m == 0 || n == 0)
        return 0;
    if (k == 0)
        return cuda_zero_f32(c, m, n, ldc);
    if (m <= SKINNY_MAX_M)
        return launch_skinny(m, n, k, a, lda, b, ldb, c, ldc);
    return launch_tiled(m, n, k, a, lda, b, ldb, c, ldc);
}

extern "C" int cuda_gemv_chain_f32(size_t m, size_t n, const float *a,
                                   size_t lda, const float *x, float *y)
{
    if (m == 0)
        return 0;
    if (n == 0)
        return cuda_zero_f32(y, 1, m, m);
    const size_t blocks = (m + GV_ROWS - 1) / GV_ROWS;
    if (blocks > INT32_MAX)
        return (int)cudaErrorInvalidValue;
    gemv_chain<<<(unsigned)blocks, GV_WARPS * 32>>>(m, n, a, lda, x, y);
    return cuda_finish();
}
