/* gemv-avx512.c — the batch-invariant float32 gemv's chains on AVX-512F:
 * sixteen rows in the sixteen lanes of a vector.
 *
 * The same chains as gemv.c's AVX2 code and gemm.c's kernels: y[i] is one
 * fused multiply-add after another over p = 0, 1, ..., n-1, starting at
 * zero, so a row has the same bits here, in gemv.c and inside any gemm
 * batch. Lane i steps through row i, so a 16 x 4 block of A is transposed
 * in registers: each vector is loaded as four columns of rows r, r + 4,
 * r + 8 and r + 12, one 128-bit quarter each, and one in-lane 4 x 4
 * transpose (8 shuffles for the 16 x 4 block) finishes it. Per element
 * that is half the shuffles and half the fused multiply-adds of the AVX2
 * code's 8 x 4 blocks (with three 128-bit inserts per vector where those
 * have one). That work, not the chains' latency, limits the AVX2 code in
 * cache: 32 rows in flight instead of 16 ran no faster there. Compiled
 * for AVX-512F (the pragma below); gemv.c runs it only where the CPU has
 * it and the backend's avx512 option allows. */
#include "config.h"

#include "kernels.h"

#include <immintrin.h>

#if defined(__clang__) /* clang ignores GCC's target pragma */
#pragma clang attribute push(__attribute__((target("avx512f"))),               \
                             apply_to = function)
#else
#pragma GCC target("avx512f")
#endif

#define INLINE static inline __attribute__((always_inline))

/* Columns [p, p + 4) of rows j, j + 4, j + 8, j + 12 of a, one quarter
 * each. */
INLINE __m512 load_quarters(const float *a, gsize lda, gsize j, gsize p)
{
    __m512 v = _mm512_castps128_ps512(_mm_loadu_ps(a + j * lda + p));
    v = _mm512_insertf32x4(v, _mm_loadu_ps(a + (j + 4) * lda + p), 1);
    v = _mm512_insertf32x4(v, _mm_loadu_ps(a + (j + 8) * lda + p), 2);
    return _mm512_insertf32x4(v, _mm_loadu_ps(a + (j + 12) * lda + p), 3);
}

/* acc (lane i = row i of a) continued over columns [p, p + 4). */
INLINE __m512 chain4(const float *a, gsize lda, const float *x, gsize p,
                     __m512 acc)
{
    __m512 r0 = load_quarters(a, lda, 0, p), r1 = load_quarters(a, lda, 1, p);
    __m512 r2 = load_quarters(a, lda, 2, p), r3 = load_quarters(a, lda, 3, p);
    /* in each quarter q, element j of r_j' := column p + j' of row 4q + j */
    __m512 t0 = _mm512_unpacklo_ps(r0, r1), t1 = _mm512_unpackhi_ps(r0, r1);
    __m512 t2 = _mm512_unpacklo_ps(r2, r3), t3 = _mm512_unpackhi_ps(r2, r3);
    r0 = _mm512_shuffle_ps(t0, t2, 0x44);
    r1 = _mm512_shuffle_ps(t0, t2, 0xee);
    r2 = _mm512_shuffle_ps(t1, t3, 0x44);
    r3 = _mm512_shuffle_ps(t1, t3, 0xee);
    acc = _mm512_fmadd_ps(r0, _mm512_set1_ps(x[p + 0]), acc);
    acc = _mm512_fmadd_ps(r1, _mm512_set1_ps(x[p + 1]), acc);
    acc = _mm512_fmadd_ps(r2, _mm512_set1_ps(x[p + 2]), acc);
    return _mm512_fmadd_ps(r3, _mm512_set1_ps(x[p + 3]), acc);
}

/* acc continued over columns [p, p + 16): a row's whole 64-byte line per
 * step where A is aligned. */
INLINE __m512 chain16(const float *a, gsize lda, const float *x, gsize p,
                      __m512 acc)
{
    acc = chain4(a, lda, x, p, acc);
    acc = chain4(a, lda, x, p + 4, acc);
    acc = chain4(a, lda, x, p + 8, acc);
    return chain4(a, lda, x, p + 12, acc);
}

/* acc continued by column p alone (the last n % 4 columns). */
INLINE __m512 chain1(const float *a, gsize lda, const float *x, gsize p,
                     __m512 acc)
{
    float col[16];
    for (int i = 0; i < 16; i++)
        col[i] = a[i * lda + p];
    return _mm512_fmadd_ps(_mm512_loadu_ps(col), _mm512_set1_ps(x[p]), acc);
}

/* y[0..32) for rows a[0..32): two chains of sixteen rows in flight. */
static void chains32(gsize n, const float *a, gsize lda, const float *x,
                     float *y)
{
    const float *a1 = a + 16 * lda;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    gsize p = 0;
    for (; p + 16 <= n; p += 16) {
        acc0 = chain16(a, lda, x, p, acc0);
        acc1 = chain16(a1, lda, x, p, acc1);
    }
    for (; p + 4 <= n; p += 4) {
        acc0 = chain4(a, lda, x, p, acc0);
        acc1 = chain4(a1, lda, x, p, acc1);
    }
    for (; p < n; p++) {
        acc0 = chain1(a, lda, x, p, acc0);
        acc1 = chain1(a1, lda, x, p, acc1);
    }
    _mm512_storeu_ps(y, acc0);
    _mm512_storeu_ps(y + 16, acc1);
}

/* y[0..16) for rows a[0..16). */
static void chains16(gsize n, const float *a, gsize lda, const float *x,
                     float *y)
{
    __m512 acc = _mm512_setzero_ps();
    gsize p = 0;
    for (; p + 16 <= n; p += 16)
        acc = chain16(a, lda, x, p, acc);
    for (; p + 4 <= n; p += 4)
        acc = chain4(a, lda, x, p, acc);
    for (; p < n; p++)
        acc = chain1(a, lda, x, p, acc);
    _mm512_storeu_ps(y, acc);
}

/* Two chains of sixteen rows hide the FMA latency that one leaves bare:
 * in cache they ran 12-16 % slower than the normal gemv at 100 x 100,
 * one chain about 50 %, the AVX2 code's eight-row chains 47-54 % (numlab
 * bench -b openmp:batch_invariant=1,openmp:batch_invariant=1:avx512=0 -p
 * kernels=gemv, on the Zen 5 VM of doc/performance.md). From memory
 * (10^8 elements) the 32 rows ran 9-29 % slower in most runs, the AVX2
 * chains' sixteen 0-13 %: the more rows in flight, the more streams
 * through memory at a stride of lda. So a range of A larger than this,
 * which no core's share of a cache holds, is left to the AVX2 code. */
#define IN_CACHE_MAX_BYTES (16u << 20)

gsize par_chain_rows_f32_avx512(gsize i0, gsize i1, gsize n, const float *a,
                                gsize lda, const float *x, float *y)
{
    if ((i1 - i0) * lda * sizeof(float) > IN_CACHE_MAX_BYTES)
        return i0;
    gsize i = i0;
    for (; i + 32 <= i1; i += 32)
        chains32(n, a + i * lda, lda, x, y + i);
    for (; i + 16 <= i1; i += 16)
        chains16(n, a + i * lda, lda, x, y + i);
    return i;
}

#if defined(__clang__)
#pragma clang attribute pop
#endif
