/* gemv.c — the OpenMP backend's matrix-vector product y = A x, in float32
 * (A of float32, bfloat16 or float16, widened exactly as it is loaded; x
 * widened beforehand) and in float64 (A of any type).
 *
 * Normal mode: each row is one dot-product chunk (32 lanes in float32, 16
 * in float64, folded pairwise; kernels.c) — fast, but not the order gemm
 * uses, so a row computed here differs in its last bits from the same row
 * inside a gemm batch, exactly as in the BLAS libraries inference engines
 * call. In float32 the rows run eight at a time: each row's lanes alone,
 * then the eight folds and the eight tails (the last n mod 32 columns,
 * a chain of FMAs each) side by side in the lanes of one vector.
 *
 * Batch-invariant mode: y[i] is one chain of fused multiply-adds over
 * p = 0, 1, ..., n-1 starting at zero — gemm.c's order — so a single row
 * computed by gemv has the bits it has in any gemm batch. The chains run
 * eight rows at a time in the eight lanes of a vector (four in float64):
 * an 8 x 8 block of A (4 x 4) is transposed in registers, so that lane i
 * steps through row i in order. The loads do half of it: each vector
 * holds four columns of row r and the same four of row r + 4, and two
 * in-lane 4 x 4 transposes (8 shuffles) finish it, where a full 8 x 8
 * transpose takes 24. Two groups, sixteen rows, are kept in flight: four
 * hide the chain's latency better, but their 32 rows are 32 streams
 * through memory at a stride of lda, and from DRAM they ran 40-50 %
 * slower than the normal gemv, two at about its speed (numlab bench -b
 * openmp:batch_invariant=1 -p kernels=gemv; doc/performance.md). A
 * range's last rows, fewer than eight, run as the group of eight that
 * ends with them: its other rows are computed again, with the same bits,
 * rather than as single chains, which are four times slower. On float32
 * A, where the CPU has AVX-512F and the avx512 option allows, the chains
 * run sixteen rows a vector instead (gemv-avx512.c), and the rows left
 * over, fewer than sixteen, here.
 *
 * Rows are shared among threads in both modes; a row's bits never depend
 * on the thread count. */
#include "config.h"

#include "kernels.h"
#include "typed.h"

#include <math.h>

/* In each 128-bit half, r0..r3 := the transpose of the 4 x 4 block they
 * hold there. */
#define TRANSPOSE4_HALVES(r0, r1, r2, r3)                                      \
    do {                                                                       \
        __m256 t0 = _mm256_unpacklo_ps(r0, r1),                                \
               t1 = _mm256_unpackhi_ps(r0, r1);                                \
        __m256 t2 = _mm256_unpacklo_ps(r2, r3),                                \
               t3 = _mm256_unpackhi_ps(r2, r3);                                \
        r0 = _mm256_shuffle_ps(t0, t2, 0x44);                                  \
        r1 = _mm256_shuffle_ps(t0, t2, 0xee);                                  \
        r2 = _mm256_shuffle_ps(t1, t3, 0x44);                                  \
        r3 = _mm256_shuffle_ps(t1, t3, 0xee);                                  \
    } while (0)

/* r0..r7 := the transpose of the 8 x 8 block they hold: the halves'
 * 4 x 4 blocks, then the two off-diagonal ones swapped. */
#define TRANSPOSE8(r0, r1, r2, r3, r4, r5, r6, r7)                             \
    do {                                                                       \
        TRANSPOSE4_HALVES(r0, r1, r2, r3);                                     \
        TRANSPOSE4_HALVES(r4, r5, r6, r7);                                     \
        __m256 u0 = _mm256_permute2f128_ps(r0, r4, 0x20),                      \
               u4 = _mm256_permute2f128_ps(r0, r4, 0x31);                      \
        __m256 u1 = _mm256_permute2f128_ps(r1, r5, 0x20),                      \
               u5 = _mm256_permute2f128_ps(r1, r5, 0x31);                      \
        __m256 u2 = _mm256_permute2f128_ps(r2, r6, 0x20),                      \
               u6 = _mm256_permute2f128_ps(r2, r6, 0x31);                      \
        __m256 u3 = _mm256_permute2f128_ps(r3, r7, 0x20),                      \
               u7 = _mm256_permute2f128_ps(r3, r7, 0x31);                      \
        r0 = u0, r1 = u1, r2 = u2, r3 = u3, r4 = u4, r5 = u5, r6 = u6,         \
        r7 = u7;                                                               \
    } while (0)

/* r0..r3 := the transpose of the 4 x 4 block of doubles they hold. */
#define TRANSPOSE4(r0, r1, r2, r3)                                             \
    do {                                                                       \
        __m256d t0 = _mm256_unpacklo_pd(r0, r1),                               \
                t1 = _mm256_unpackhi_pd(r0, r1);                               \
        __m256d t2 = _mm256_unpacklo_pd(r2, r3),                               \
                t3 = _mm256_unpackhi_pd(r2, r3);                               \
        r0 = _mm256_permute2f128_pd(t0, t2, 0x20);                             \
        r1 = _mm256_permute2f128_pd(t1, t3, 0x20);                             \
        r2 = _mm256_permute2f128_pd(t0, t2, 0x31);                             \
        r3 = _mm256_permute2f128_pd(t1, t3, 0x31);                             \
    } while (0)

void par_run_rows(ParRows rows, gsize group, gsize m, gsize n, NlArray a,
                  gsize lda, const void *x, void *y, ParMode mode)
{
    int threads = m * n < PAR_PARALLEL_MIN ? 1 : mode.threads;
    /* the last group takes the rows left over: a range has `group` rows
     * or more, so a kernel can finish it with a full vector group */
    gsize groups = m / group;
    if (threads == 1 || groups <= 1) { /* no team to wake */
        rows(0, m, n, a, lda, x, y);
        return;
    }
#pragma omp parallel for num_threads(threads) schedule(static)
    for (gsize g = 0; g < groups; g++)
        rows(g * group, g + 1 == groups ? m : g * group + group, n, a, lda, x,
             y);
}

/* ---- float32 ---- */

/* acc (lane i = row i) continued over columns [p, p + 4): r holds four
 * columns of row i in half 0 and of row i + 4 in half 1. */
TYPED __m256 chain4(NlPrecision t, const void *a, gsize lda, const float *x,
                    gsize p, __m256 acc)
{
    __m256 r0 = load4x2_f32(t, a, 0 * lda + p, a, 4 * lda + p);
    __m256 r1 = load4x2_f32(t, a, 1 * lda + p, a, 5 * lda + p);
    __m256 r2 = load4x2_f32(t, a, 2 * lda + p, a, 6 * lda + p);
    __m256 r3 = load4x2_f32(t, a, 3 * lda + p, a, 7 * lda + p);
    TRANSPOSE4_HALVES(r0, r1, r2, r3);
    acc = _mm256_fmadd_ps(r0, _mm256_broadcast_ss(x + p + 0), acc);
    acc = _mm256_fmadd_ps(r1, _mm256_broadcast_ss(x + p + 1), acc);
    acc = _mm256_fmadd_ps(r2, _mm256_broadcast_ss(x + p + 2), acc);
    acc = _mm256_fmadd_ps(r3, _mm256_broadcast_ss(x + p + 3), acc);
    return acc;
}

/* acc continued over columns [p, p + 8). Always inlined (TYPED): as a
 * call, at the default -O2, its transposed rows and the accumulator go
 * through memory, and the kernel runs at half speed. */
TYPED __m256 chain8(NlPrecision t, const void *a, gsize lda, const float *x,
                    gsize p, __m256 acc)
{
    return chain4(t, a, lda, x, p + 4, chain4(t, a, lda, x, p, acc));
}

/* acc continued by column p alone (the last n % 8 columns). */
TYPED __m256 chain1(NlPrecision t, const void *a, gsize lda, const float *x,
                    gsize p, __m256 acc)
{
    __m256 col =
        _mm256_setr_ps(get_f32(t, a, 0 * lda + p), get_f32(t, a, 1 * lda + p),
                       get_f32(t, a, 2 * lda + p), get_f32(t, a, 3 * lda + p),
                       get_f32(t, a, 4 * lda + p), get_f32(t, a, 5 * lda + p),
                       get_f32(t, a, 6 * lda + p), get_f32(t, a, 7 * lda + p));
    return _mm256_fmadd_ps(col, _mm256_broadcast_ss(x + p), acc);
}

/* y[0..16) for rows a[0..16): two groups of eight chains in flight, so
 * that the FMA latency of one chain is partly hidden behind the other. */
TYPED void chains16(NlPrecision t, gsize n, const void *a, gsize lda,
                    const float *x, float *y)
{
    const void *a1 = typed_at((NlArray){t, a}, 8 * lda);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    gsize p = 0;
    for (; p + 8 <= n; p += 8) {
        acc0 = chain8(t, a, lda, x, p, acc0);
        acc1 = chain8(t, a1, lda, x, p, acc1);
    }
    for (; p < n; p++) {
        acc0 = chain1(t, a, lda, x, p, acc0);
        acc1 = chain1(t, a1, lda, x, p, acc1);
    }
    _mm256_storeu_ps(y, acc0);
    _mm256_storeu_ps(y + 8, acc1);
}

TYPED void chains8(NlPrecision t, gsize n, const void *a, gsize lda,
                   const float *x, float *y)
{
    __m256 acc = _mm256_setzero_ps();
    gsize p = 0;
    for (; p + 8 <= n; p += 8)
        acc = chain8(t, a, lda, x, p, acc);
    for (; p < n; p++)
        acc = chain1(t, a, lda, x, p, acc);
    _mm256_storeu_ps(y, acc);
}

TYPED float chain_row(NlPrecision t, gsize n, const void *a, const float *x)
{
    float acc = 0.0f;
    for (gsize p = 0; p < n; p++)
        acc = fmaf(get_f32(t, a, p), x[p], acc);
    return acc;
}

/* Row a[0..n)'s 32 lanes over its whole multiples of 32, added
 * (v0 + v1) + (v2 + v3): kernels.c's dot chunk before its fold. */
TYPED __m256 dot_lanes(NlPrecision t, const void *a, const float *x, gsize n)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (gsize p = 0; p + 32 <= n; p += 32) {
        a0 = _mm256_fmadd_ps(load8_f32(t, a, p), _mm256_loadu_ps(x + p), a0);
        a1 = _mm256_fmadd_ps(load8_f32(t, a, p + 8), _mm256_loadu_ps(x + p + 8),
                             a1);
        a2 = _mm256_fmadd_ps(load8_f32(t, a, p + 16),
                             _mm256_loadu_ps(x + p + 16), a2);
        a3 = _mm256_fmadd_ps(load8_f32(t, a, p + 24),
                             _mm256_loadu_ps(x + p + 24), a3);
    }
    return _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
}

/* y[0..8) for rows a[0..8) in normal order, the bits of kernels.c's dot
 * chunk: each row's lanes as there; then the eight rows side by side,
 * lane i = row i, for the fold ((0+4)+(2+6))+((1+5)+(3+7)) and for the
 * tail, one FMA chain per row from the folded value. One row at a time,
 * a tail of up to 31 columns is a chain of dependent FMAs, longer than
 * the rest of the row at n in the hundreds. */
TYPED void dots8(NlPrecision t, gsize n, const void *a, gsize lda,
                 const float *x, float *y)
{
    const char *row = a;
    gsize stride = lda * typed_size(t);
    __m256 v0 = dot_lanes(t, row + 0 * stride, x, n);
    __m256 v1 = dot_lanes(t, row + 1 * stride, x, n);
    __m256 v2 = dot_lanes(t, row + 2 * stride, x, n);
    __m256 v3 = dot_lanes(t, row + 3 * stride, x, n);
    __m256 v4 = dot_lanes(t, row + 4 * stride, x, n);
    __m256 v5 = dot_lanes(t, row + 5 * stride, x, n);
    __m256 v6 = dot_lanes(t, row + 6 * stride, x, n);
    __m256 v7 = dot_lanes(t, row + 7 * stride, x, n);
    TRANSPOSE8(v0, v1, v2, v3, v4, v5, v6, v7);
    __m256 s = _mm256_add_ps(
        _mm256_add_ps(_mm256_add_ps(v0, v4), _mm256_add_ps(v2, v6)),
        _mm256_add_ps(_mm256_add_ps(v1, v5), _mm256_add_ps(v3, v7)));
    gsize p = n / 32 * 32;
    for (; p + 4 <= n; p += 4)
        s = chain4(t, a, lda, x, p, s);
    for (; p < n; p++)
        s = chain1(t, a, lda, x, p, s);
    _mm256_storeu_ps(y, s);
}

/* y[0..8) for rows a[0..8): chained (batch-invariant order) or dotted
 * (normal order). */
TYPED void rows8(gboolean chained, NlPrecision t, gsize n, const void *a,
                 gsize lda, const float *x, float *y)
{
    if (chained)
        chains8(t, n, a, lda, x, y);
    else
        dots8(t, n, a, lda, x, y);
}

/* Rows [i, i1) of the range [i0, i1) eight at a time (rows8). The last
 * rows, fewer than eight, run as the group of eight that ends the range
 * where it has eight rows: its other rows again, with the same bits,
 * rather than one at a time. Returns the first row left for one at a
 * time (i1 when none). */
TYPED gsize rows_by_eight(gboolean chained, NlPrecision t, gsize i0, gsize i,
                          gsize i1, gsize n, NlArray am, gsize lda,
                          const float *x, float *y)
{
    for (; i + 8 <= i1; i += 8)
        rows8(chained, t, n, typed_at(am, i * lda), lda, x, y + i);
    if (i == i1 || i1 - i0 < 8)
        return i;
    rows8(chained, t, n, typed_at(am, (i1 - 8) * lda), lda, x, y + i1 - 8);
    return i1;
}

/* Rows [i, i1) of the range [i0, i1) in batch-invariant order. */
TYPED void chain_rows_from(NlPrecision t, gsize i0, gsize i, gsize i1, gsize n,
                           NlArray am, gsize lda, const void *xv, void *yv)
{
    const float *x = xv;
    float *y = yv;
    for (; i + 16 <= i1; i += 16)
        chains16(t, n, typed_at(am, i * lda), lda, x, y + i);
    i = rows_by_eight(TRUE, t, i0, i, i1, n, am, lda, x, y);
    for (; i < i1; i++)
        y[i] = chain_row(t, n, typed_at(am, i * lda), x);
}

TYPED void chain_rows(NlPrecision t, gsize i0, gsize i1, gsize n, NlArray am,
                      gsize lda, const void *xv, void *yv)
{
    chain_rows_from(t, i0, i0, i1, n, am, lda, xv, yv);
}

/* Rows [i0, i1) of float32 in batch-invariant order on AVX-512F
 * (gemv-avx512.c), the last fewer than sixteen here. */
static void chain_rows_avx512(gsize i0, gsize i1, gsize n, NlArray a, gsize lda,
                              const void *x, void *y)
{
    gsize i = par_chain_rows_f32_avx512(i0, i1, n, a.data, lda, x, y);
    chain_rows_from(NL_PRECISION_F32, i0, i, i1, n, a, lda, x, y);
}

/* Rows [i0, i1) in normal order: a dot-product chunk each. */
TYPED void dot_rows(NlPrecision t, gsize i0, gsize i1, gsize n, NlArray am,
                    gsize lda, const void *xv, void *yv)
{
    const float *x = xv;
    float *y = yv;
    gsize i = rows_by_eight(FALSE, t, i0, i0, i1, n, am, lda, x, y);
    NlArray xa = {NL_PRECISION_F32, x};
    for (; i < i1; i++)
        y[i] = par_dot_chunk_in((NlArray){t, typed_at(am, i * lda)}, xa, 0, n);
}

/* chain_rows for one type, behind a pointer. */
#define ROWS_OF(T)                                                             \
    static void chain_rows_##T(gsize i0, gsize i1, gsize n, NlArray a,         \
                               gsize lda, const void *x, void *y)              \
    {                                                                          \
        chain_rows(NL_PRECISION_##T, i0, i1, n, a, lda, x, y);                 \
    }                                                                          \
    static void dot_rows_##T(gsize i0, gsize i1, gsize n, NlArray a,           \
                             gsize lda, const void *x, void *y)                \
    {                                                                          \
        dot_rows(NL_PRECISION_##T, i0, i1, n, a, lda, x, y);                   \
    }
ROWS_OF(F32)
ROWS_OF(BF16)
ROWS_OF(F16)
#undef ROWS_OF

void par_gemv_in(gsize m, gsize n, NlArray a, gsize lda, const float *x,
                 float *y, ParMode mode)
{
    static const ParRows chained[NL_N_PRECISIONS] = {
        [NL_PRECISION_F32] = chain_rows_F32,
        [NL_PRECISION_BF16] = chain_rows_BF16,
        [NL_PRECISION_F16] = chain_rows_F16,
    };
    static const ParRows dotted[NL_N_PRECISIONS] = {
        [NL_PRECISION_F32] = dot_rows_F32,
        [NL_PRECISION_BF16] = dot_rows_BF16,
        [NL_PRECISION_F16] = dot_rows_F16,
    };
    ParRows rows = mode.batch_invariant ? chained[a.type] : dotted[a.type];
    if (mode.batch_invariant && mode.avx512 && a.type == NL_PRECISION_F32)
        rows = chain_rows_avx512;
    /* Blocks of 32 rows per thread, so the vector groups line up. */
    par_run_rows(rows, 32, m, n, a, lda, x, y, mode);
}

void par_gemv_f32(gsize m, gsize n, const float *a, gsize lda, const float *x,
                  float *y, ParMode mode)
{
    par_gemv_in(m, n, (NlArray){NL_PRECISION_F32, a}, lda, x, y, mode);
}

/* ---- float64 ---- */

/* acc (lane i = row i) continued over columns [p, p + 4). */
TYPED __m256d chain4d(NlPrecision t, const void *a, gsize lda, const double *x,
                      gsize p, __m256d acc)
{
    __m256d r0 = load4_f64(t, a, 0 * lda + p);
    __m256d r1 = load4_f64(t, a, 1 * lda + p);
    __m256d r2 = load4_f64(t, a, 2 * lda + p);
    __m256d r3 = load4_f64(t, a, 3 * lda + p);
    TRANSPOSE4(r0, r1, r2, r3);
    acc = _mm256_fmadd_pd(r0, _mm256_broadcast_sd(x + p + 0), acc);
    acc = _mm256_fmadd_pd(r1, _mm256_broadcast_sd(x + p + 1), acc);
    acc = _mm256_fmadd_pd(r2, _mm256_broadcast_sd(x + p + 2), acc);
    acc = _mm256_fmadd_pd(r3, _mm256_broadcast_sd(x + p + 3), acc);
    return acc;
}

TYPED __m256d chain1d(NlPrecision t, const void *a, gsize lda, const double *x,
                      gsize p, __m256d acc)
{
    __m256d col =
        _mm256_setr_pd(get_f64(t, a, 0 * lda + p), get_f64(t, a, 1 * lda + p),
                       get_f64(t, a, 2 * lda + p), get_f64(t, a, 3 * lda + p));
    return _mm256_fmadd_pd(col, _mm256_broadcast_sd(x + p), acc);
}

/* y[0..16) for rows a[0..16): four groups of four chains in flight. */
TYPED void chains16d(NlPrecision t, gsize n, const void *a, gsize lda,
                     const double *x, double *y)
{
    const void *a1 = typed_at((NlArray){t, a}, 4 * lda);
    const void *a2 = typed_at((NlArray){t, a}, 8 * lda);
    const void *a3 = typed_at((NlArray){t, a}, 12 * lda);
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    __m256d acc2 = _mm256_setzero_pd(), acc3 = _mm256_setzero_pd();
    gsize p = 0;
    for (; p + 4 <= n; p += 4) {
        acc0 = chain4d(t, a, lda, x, p, acc0);
        acc1 = chain4d(t, a1, lda, x, p, acc1);
        acc2 = chain4d(t, a2, lda, x, p, acc2);
        acc3 = chain4d(t, a3, lda, x, p, acc3);
    }
    for (; p < n; p++) {
        acc0 = chain1d(t, a, lda, x, p, acc0);
        acc1 = chain1d(t, a1, lda, x, p, acc1);
        acc2 = chain1d(t, a2, lda, x, p, acc2);
        acc3 = chain1d(t, a3, lda, x, p, acc3);
    }
    _mm256_storeu_pd(y, acc0);
    _mm256_storeu_pd(y + 4, acc1);
    _mm256_storeu_pd(y + 8, acc2);
    _mm256_storeu_pd(y + 12, acc3);
}

TYPED void chains4d(NlPrecision t, gsize n, const void *a, gsize lda,
                    const double *x, double *y)
{
    __m256d acc = _mm256_setzero_pd();
    gsize p = 0;
    for (; p + 4 <= n; p += 4)
        acc = chain4d(t, a, lda, x, p, acc);
    for (; p < n; p++)
        acc = chain1d(t, a, lda, x, p, acc);
    _mm256_storeu_pd(y, acc);
}

TYPED double chain_row_d(NlPrecision t, gsize n, const void *a, const double *x)
{
    double acc = 0.0;
    for (gsize p = 0; p < n; p++)
        acc = fma(get_f64(t, a, p), x[p], acc);
    return acc;
}

TYPED void chain_rows_d(NlPrecision t, gsize i0, gsize i1, gsize n, NlArray am,
                        gsize lda, const void *xv, void *yv)
{
    const double *x = xv;
    double *y = yv;
    gsize i = i0;
    for (; i + 16 <= i1; i += 16)
        chains16d(t, n, typed_at(am, i * lda), lda, x, y + i);
    for (; i + 4 <= i1; i += 4)
        chains4d(t, n, typed_at(am, i * lda), lda, x, y + i);
    for (; i < i1; i++)
        y[i] = chain_row_d(t, n, typed_at(am, i * lda), x);
}

static void dot_rows_d(gsize i0, gsize i1, gsize n, NlArray a, gsize lda,
                       const void *x, void *y)
{
    NlArray xv = {NL_PRECISION_F64, x};
    for (gsize i = i0; i < i1; i++) {
        NlArray row = {a.type, typed_at(a, i * lda)};
        ((double *)y)[i] = par_dot_chunk_f64(row, xv, 0, n);
    }
}

#define ROWS_OF(T)                                                             \
    static void chain_rows_d_##T(gsize i0, gsize i1, gsize n, NlArray a,       \
                                 gsize lda, const void *x, void *y)            \
    {                                                                          \
        chain_rows_d(NL_PRECISION_##T, i0, i1, n, a, lda, x, y);               \
    }
ROWS_OF(F32)
ROWS_OF(F64)
ROWS_OF(BF16)
ROWS_OF(F16)
#undef ROWS_OF

void par_gemv_f64(gsize m, gsize n, NlArray a, gsize lda, const double *x,
                  double *y, ParMode mode)
{
    static const ParRows chained[NL_N_PRECISIONS] = {
        [NL_PRECISION_F32] = chain_rows_d_F32,
        [NL_PRECISION_F64] = chain_rows_d_F64,
        [NL_PRECISION_BF16] = chain_rows_d_BF16,
        [NL_PRECISION_F16] = chain_rows_d_F16,
    };
    par_run_rows(mode.batch_invariant ? chained[a.type] : dot_rows_d, 16, m, n,
                 a, lda, x, y, mode);
}
