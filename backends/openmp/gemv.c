/* gemv.c — the OpenMP backend's matrix-vector product y = A x.
 *
 * Normal mode: each row is one dot-product chunk (32 lanes, folded
 * pairwise; kernels.c) — fast, but not the order gemm uses, so a row
 * computed here differs in its last bits from the same row inside a gemm
 * batch, exactly as in the BLAS libraries inference engines call.
 *
 * Batch-invariant mode: y[i] is one chain of fused multiply-adds over
 * p = 0, 1, ..., n-1 starting at zero — gemm.c's order — so a single row
 * computed by gemv has the bits it has in any gemm batch. The chains run
 * eight rows at a time in the eight lanes of a vector: an 8 x 8 block of A
 * is loaded row by row and transposed in registers, so that lane i steps
 * through row i in order. Four such groups are kept in flight to hide
 * the latency of the chain.
 *
 * Rows are shared among threads in both modes; a row's bits never depend
 * on the thread count. */
#include "config.h"

#include "kernels.h"

#include <immintrin.h>
#include <math.h>

/* r0..r7 := the transpose of the 8 x 8 block they hold. */
#define TRANSPOSE8(r0, r1, r2, r3, r4, r5, r6, r7)                             \
    do {                                                                       \
        __m256 t0 = _mm256_unpacklo_ps(r0, r1),                                \
               t1 = _mm256_unpackhi_ps(r0, r1);                                \
        __m256 t2 = _mm256_unpacklo_ps(r2, r3),                                \
               t3 = _mm256_unpackhi_ps(r2, r3);                                \
        __m256 t4 = _mm256_unpacklo_ps(r4, r5),                                \
               t5 = _mm256_unpackhi_ps(r4, r5);                                \
        __m256 t6 = _mm256_unpacklo_ps(r6, r7),                                \
               t7 = _mm256_unpackhi_ps(r6, r7);                                \
        __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44);                           \
        __m256 s1 = _mm256_shuffle_ps(t0, t2, 0xee);                           \
        __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44);                           \
        __m256 s3 = _mm256_shuffle_ps(t1, t3, 0xee);                           \
        __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44);                           \
        __m256 s5 = _mm256_shuffle_ps(t4, t6, 0xee);                           \
        __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44);                           \
        __m256 s7 = _mm256_shuffle_ps(t5, t7, 0xee);                           \
        r0 = _mm256_permute2f128_ps(s0, s4, 0x20);                             \
        r1 = _mm256_permute2f128_ps(s1, s5, 0x20);                             \
        r2 = _mm256_permute2f128_ps(s2, s6, 0x20);                             \
        r3 = _mm256_permute2f128_ps(s3, s7, 0x20);                             \
        r4 = _mm256_permute2f128_ps(s0, s4, 0x31);                             \
        r5 = _mm256_permute2f128_ps(s1, s5, 0x31);                             \
        r6 = _mm256_permute2f128_ps(s2, s6, 0x31);                             \
        r7 = _mm256_permute2f128_ps(s3, s7, 0x31);                             \
    } while (0)

/* acc (lane i = row i) continued over columns [p, p + 8). Always inlined:
 * as a call, at the default -O2, its eight transposed rows and the
 * accumulator go through memory, and the kernel runs at half speed. */
static inline __attribute__((always_inline)) __m256
chain8(const float *a, gsize lda, const float *x, gsize p, __m256 acc)
{
    __m256 r0 = _mm256_loadu_ps(a + 0 * lda + p);
    __m256 r1 = _mm256_loadu_ps(a + 1 * lda + p);
    __m256 r2 = _mm256_loadu_ps(a + 2 * lda + p);
    __m256 r3 = _mm256_loadu_ps(a + 3 * lda + p);
    __m256 r4 = _mm256_loadu_ps(a + 4 * lda + p);
    __m256 r5 = _mm256_loadu_ps(a + 5 * lda + p);
    __m256 r6 = _mm256_loadu_ps(a + 6 * lda + p);
    __m256 r7 = _mm256_loadu_ps(a + 7 * lda + p);
    TRANSPOSE8(r0, r1, r2, r3, r4, r5, r6, r7);
    acc = _mm256_fmadd_ps(r0, _mm256_broadcast_ss(x + p + 0), acc);
    acc = _mm256_fmadd_ps(r1, _mm256_broadcast_ss(x + p + 1), acc);
    acc = _mm256_fmadd_ps(r2, _mm256_broadcast_ss(x + p + 2), acc);
    acc = _mm256_fmadd_ps(r3, _mm256_broadcast_ss(x + p + 3), acc);
    acc = _mm256_fmadd_ps(r4, _mm256_broadcast_ss(x + p + 4), acc);
    acc = _mm256_fmadd_ps(r5, _mm256_broadcast_ss(x + p + 5), acc);
    acc = _mm256_fmadd_ps(r6, _mm256_broadcast_ss(x + p + 6), acc);
    acc = _mm256_fmadd_ps(r7, _mm256_broadcast_ss(x + p + 7), acc);
    return acc;
}

/* acc continued by column p alone (the last n % 8 columns). */
static inline __attribute__((always_inline)) __m256
chain1(const float *a, gsize lda, const float *x, gsize p, __m256 acc)
{
    __m256 col = _mm256_setr_ps(a[0 * lda + p], a[1 * lda + p], a[2 * lda + p],
                                a[3 * lda + p], a[4 * lda + p], a[5 * lda + p],
                                a[6 * lda + p], a[7 * lda + p]);
    return _mm256_fmadd_ps(col, _mm256_broadcast_ss(x + p), acc);
}

/* y[0..32) for rows a[0..32): four groups of eight chains in flight, so
 * that the FMA latency of one chain is hidden behind the others. */
static void chains32(gsize n, const float *a, gsize lda, const float *x,
                     float *y)
{
    const float *a1 = a + 8 * lda, *a2 = a + 16 * lda, *a3 = a + 24 * lda;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    gsize p = 0;
    for (; p + 8 <= n; p += 8) {
        acc0 = chain8(a, lda, x, p, acc0);
        acc1 = chain8(a1, lda, x, p, acc1);
        acc2 = chain8(a2, lda, x, p, acc2);
        acc3 = chain8(a3, lda, x, p, acc3);
    }
    for (; p < n; p++) {
        acc0 = chain1(a, lda, x, p, acc0);
        acc1 = chain1(a1, lda, x, p, acc1);
        acc2 = chain1(a2, lda, x, p, acc2);
        acc3 = chain1(a3, lda, x, p, acc3);
    }
    _mm256_storeu_ps(y, acc0);
    _mm256_storeu_ps(y + 8, acc1);
    _mm256_storeu_ps(y + 16, acc2);
    _mm256_storeu_ps(y + 24, acc3);
}

static void chains8(gsize n, const float *a, gsize lda, const float *x,
                    float *y)
{
    __m256 acc = _mm256_setzero_ps();
    gsize p = 0;
    for (; p + 8 <= n; p += 8)
        acc = chain8(a, lda, x, p, acc);
    for (; p < n; p++)
        acc = chain1(a, lda, x, p, acc);
    _mm256_storeu_ps(y, acc);
}

static float chain_row(gsize n, const float *a, const float *x)
{
    float acc = 0.0f;
    for (gsize p = 0; p < n; p++)
        acc = fmaf(a[p], x[p], acc);
    return acc;
}

/* Rows [i0, i1) in batch-invariant order. */
static void chain_rows(gsize i0, gsize i1, gsize n, const float *a, gsize lda,
                       const float *x, float *y)
{
    gsize i = i0;
    for (; i + 32 <= i1; i += 32)
        chains32(n, a + i * lda, lda, x, y + i);
    for (; i + 8 <= i1; i += 8)
        chains8(n, a + i * lda, lda, x, y + i);
    for (; i < i1; i++)
        y[i] = chain_row(n, a + i * lda, x);
}

void par_gemv_f32(gsize m, gsize n, const float *a, gsize lda, const float *x,
                  float *y, ParMode mode)
{
    int threads = m * n < PAR_PARALLEL_MIN ? 1 : mode.threads;
    if (mode.batch_invariant) {
        /* Blocks of 32 rows per thread, so the vector groups line up. */
        gsize groups = (m + 31) / 32;
        if (threads == 1) { /* no team to wake */
            chain_rows(0, m, n, a, lda, x, y);
            return;
        }
#pragma omp parallel for num_threads(threads) schedule(static)
        for (gsize g = 0; g < groups; g++)
            chain_rows(g * 32, MIN(m, g * 32 + 32), n, a, lda, x, y);
        return;
    }
    if (threads == 1) {
        for (gsize i = 0; i < m; i++)
            y[i] = par_dot_chunk(a + i * lda, x, n);
        return;
    }
#pragma omp parallel for num_threads(threads) schedule(static)
    for (gsize i = 0; i < m; i++)
        y[i] = par_dot_chunk(a + i * lda, x, n);
}
