/* bf16.c — the OpenMP backend's bfloat16 kernels on AVX512-BF16: dot,
 * gemv and gemm with bfloat16 operands and float32 accumulation, all on
 * vdpbf16ps. Compiled for AVX512F/BW/BF16 (the pragma below); openmp.c
 * calls none of it unless the CPU has them.
 *
 * vdpbf16ps multiplies the bfloat16 pairs in each 32-bit lane of two
 * vectors and adds both products into that lane's float: as the Intel SDM
 * specifies it (and as measured on an AMD EPYC with AVX512-BF16), first the
 * product of the pair's second (odd) elements, then that of its first (even),
 * each added as by an FMA. A product of two bfloat16 values is exact in float32
 * (8 + 8 significant bits), so each step is one rounding of the addition,
 * to nearest even. Unlike float32 arithmetic it treats subnormal inputs
 * (bfloat16 values below 2^-126, and a subnormal accumulator) as zero and
 * flushes subnormal results to zero, whatever MXCSR says.
 *
 * Orders:
 *  - dot: pair j (values 2j, 2j+1) goes to lane j mod 64 of four 16-lane
 *    accumulators, x and y zero-padded to a multiple of 128 values; the
 *    four vectors are added pairwise ((v0+v1)+(v2+v3)), their 16 lanes
 *    pairwise (8+8, 4+4, 2+2, 1+1). Chunks and threads as in kernels.c.
 *  - gemm: each c[i][j] is one chain over the pairs of k in order, odd
 *    value first: k = 1, 0, 3, 2, 5, 4, ... (an odd k ends on its last
 *    value alone), continued across KC slices through C as in gemm.c.
 *  - gemv: normal mode a dot per row; batch-invariant mode gemm's chain
 *    per row, sixteen rows in the lanes of a vector (a 16 x 16 block of
 *    pairs transposed in registers), four such groups in flight. */
#include "config.h"

#include "kernels.h"
#include "typed.h"

#if defined(__clang__) /* clang ignores GCC's target pragma */
#pragma clang attribute push(                                                  \
    __attribute__((target("avx512f,avx512bw,avx512bf16"))),                    \
    apply_to = function)
#else
#pragma GCC target("avx512f,avx512bw,avx512bf16")
#endif

/* A bfloat16 pair in a 32-bit word: p[0] low, p[1] high; `odd` FALSE when
 * p[1] is beyond the data (then 0). */
static inline guint32 pair_at(const nl_bf16 *p, gboolean odd)
{
    return p[0] | (odd ? (guint32)p[1] << 16 : 0);
}

/* The first `len` (at most 32) values at p, the rest zero. */
static inline __m512bh load32(const nl_bf16 *p, gsize len)
{
    __mmask32 mask = len >= 32 ? ~(__mmask32)0 : ((__mmask32)1 << len) - 1;
    return (__m512bh)_mm512_maskz_loadu_epi16(mask, p);
}

/* The 16 lanes folded pairwise: 8+8, then 4+4, 2+2, 1+1. */
static inline float fold16(__m512 v)
{
    __m256 lo = _mm512_castps512_ps256(v);
    __m256 hi =
        _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    return fold8(_mm256_add_ps(lo, hi));
}

/* ---- dot ---- */

float par_dot_chunk_bf16(const nl_bf16 *x, const nl_bf16 *y, gsize n)
{
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    gsize i = 0;
    for (; i + 128 <= n; i += 128) {
        a0 = _mm512_dpbf16_ps(a0, load32(x + i, 32), load32(y + i, 32));
        a1 = _mm512_dpbf16_ps(a1, load32(x + i + 32, 32),
                              load32(y + i + 32, 32));
        a2 = _mm512_dpbf16_ps(a2, load32(x + i + 64, 32),
                              load32(y + i + 64, 32));
        a3 = _mm512_dpbf16_ps(a3, load32(x + i + 96, 32),
                              load32(y + i + 96, 32));
    }
    /* The tail, zero-padded to 128 values: adding +0 to an accumulator
     * (never -0, never subnormal) changes nothing, so the padded groups
     * beyond n are skipped. */
    if (i < n)
        a0 = _mm512_dpbf16_ps(a0, load32(x + i, n - i), load32(y + i, n - i));
    if (i + 32 < n)
        a1 = _mm512_dpbf16_ps(a1, load32(x + i + 32, n - i - 32),
                              load32(y + i + 32, n - i - 32));
    if (i + 64 < n)
        a2 = _mm512_dpbf16_ps(a2, load32(x + i + 64, n - i - 64),
                              load32(y + i + 64, n - i - 64));
    if (i + 96 < n)
        a3 = _mm512_dpbf16_ps(a3, load32(x + i + 96, n - i - 96),
                              load32(y + i + 96, n - i - 96));
    return fold16(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

/* ---- gemv ---- */

static void dot_rows(gsize i0, gsize i1, gsize n, NlArray a, gsize lda,
                     const void *x, void *y)
{
    const nl_bf16 *am = a.data;
    for (gsize i = i0; i < i1; i++)
        ((float *)y)[i] = par_dot_chunk_bf16(am + i * lda, x, n);
}

/* r[0..16), a 16 x 16 block of 32-bit words, transposed: in four rounds
 * of sixteen shuffles (32-bit words, 64-bit pairs of them, then 128-bit
 * lanes twice). */
TYPED void transpose16(__m512i r[16])
{
    __m512i t[16], u[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    /* u[4b + c]: lane L holds column 4L + c of rows 4b .. 4b+3 */
#pragma GCC unroll 4
    for (int b = 0; b < 4; b++) {
        u[4 * b + 0] = _mm512_unpacklo_epi64(t[4 * b], t[4 * b + 2]);
        u[4 * b + 1] = _mm512_unpackhi_epi64(t[4 * b], t[4 * b + 2]);
        u[4 * b + 2] = _mm512_unpacklo_epi64(t[4 * b + 1], t[4 * b + 3]);
        u[4 * b + 3] = _mm512_unpackhi_epi64(t[4 * b + 1], t[4 * b + 3]);
    }
#pragma GCC unroll 4
    for (int c = 0; c < 4; c++) {
        /* lanes 0, 2 (v) and 1, 3 (w) of rows 0-7, then of rows 8-15 */
        __m512i v0 = _mm512_shuffle_i32x4(u[c], u[4 + c], 0x88);
        __m512i w0 = _mm512_shuffle_i32x4(u[c], u[4 + c], 0xdd);
        __m512i v1 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0x88);
        __m512i w1 = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0xdd);
        r[c] = _mm512_shuffle_i32x4(v0, v1, 0x88);
        r[8 + c] = _mm512_shuffle_i32x4(v0, v1, 0xdd);
        r[4 + c] = _mm512_shuffle_i32x4(w0, w1, 0x88);
        r[12 + c] = _mm512_shuffle_i32x4(w0, w1, 0xdd);
    }
}

/* acc (lane r = row r of the `rows` <= 16 rows at a) continued by the
 * first `pairs` pairs of values [p, p + len) of each row and of x, whose
 * pairs xs holds. */
TYPED __m512 chain16(const nl_bf16 *a, gsize lda, gsize rows, gsize p,
                     gsize len, const guint32 *xs, int pairs, __m512 acc)
{
    __m512i r[16];
    __mmask32 mask = len >= 32 ? ~(__mmask32)0 : ((__mmask32)1 << len) - 1;
#pragma GCC unroll 16
    for (gsize i = 0; i < 16; i++)
        r[i] = i < rows ? _mm512_maskz_loadu_epi16(mask, a + i * lda + p)
                        : _mm512_setzero_si512();
    transpose16(r);
#pragma GCC unroll 16
    for (int q = 0; q < pairs; q++)
        acc = _mm512_dpbf16_ps(acc, (__m512bh)r[q],
                               (__m512bh)_mm512_set1_epi32((int)xs[q]));
    return acc;
}

/* The pairs of x[p, p + len), zero beyond len, into xs[0..16). */
static inline void x_pairs(const nl_bf16 *x, gsize p, gsize len, guint32 *xs)
{
    _mm512_storeu_si512(xs, (__m512i)load32(x + p, len));
}

/* `groups` (1 or 4) groups of 16 rows at a, `rows` of them real, into y. */
TYPED void chain_groups(int groups, gsize n, const nl_bf16 *a, gsize lda,
                        gsize rows, const nl_bf16 *x, float *y)
{
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(),
                     _mm512_setzero_ps(), _mm512_setzero_ps()};
    guint32 xs[16] __attribute__((aligned(64)));
    gsize p = 0;
    for (; p + 32 <= n; p += 32) {
        x_pairs(x, p, 32, xs);
#pragma GCC unroll 4
        for (int g = 0; g < groups; g++)
            acc[g] = chain16(a + 16 * g * lda, lda, MIN(16, rows - 16 * g), p,
                             32, xs, 16, acc[g]);
    }
    if (p < n) {
        x_pairs(x, p, n - p, xs);
        for (int g = 0; g < groups; g++)
            acc[g] = chain16(a + 16 * g * lda, lda, MIN(16, rows - 16 * g), p,
                             n - p, xs, (int)(n - p + 1) / 2, acc[g]);
    }
    for (int g = 0; g < groups; g++) {
        gsize live = MIN(16, rows - 16 * g);
        _mm512_mask_storeu_ps(y + 16 * g, (__mmask16)((1u << live) - 1),
                              acc[g]);
    }
}

/* Rows [i0, i1) in gemm's order. */
static void chain_rows(gsize i0, gsize i1, gsize n, NlArray a, gsize lda,
                       const void *x, void *y)
{
    const nl_bf16 *am = a.data;
    gsize i = i0;
    for (; i + 64 <= i1; i += 64)
        chain_groups(4, n, am + i * lda, lda, 64, x, (float *)y + i);
    for (; i < i1; i += 16)
        chain_groups(1, n, am + i * lda, lda, MIN(16, i1 - i), x,
                     (float *)y + i);
}

void par_gemv_bf16(gsize m, gsize n, const nl_bf16 *a, gsize lda,
                   const nl_bf16 *x, float *y, ParMode mode)
{
    /* Blocks of 64 rows per thread, so the vector groups line up. */
    par_run_rows(mode.batch_invariant ? chain_rows : dot_rows, 64, m, n,
                 (NlArray){NL_PRECISION_BF16, a}, lda, x, y, mode);
}

/* ---- gemm: 12 x 32 ---- */

#define MRB 12
#define NRB 32

/* c[0..12) x [0..32) (+)= A panel x B panel over kc values of k, in
 * pairs. A's panel holds, pair by pair, the 12 rows' pairs as words; B's
 * the 32 columns' pairs, two vectors a pair. */
static void kernel_12x32(gsize kc, const void *ap_, const void *bp_, void *c_,
                         gsize ldc, gboolean first)
{
    const guint32 *restrict ap = ap_;
    const __m512i *restrict bp = bp_;
    float *restrict c = c_;
    __m512 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    __m512 c60, c61, c70, c71, c80, c81, c90, c91, cA0, cA1, cB0, cB1;
    /* row i of the micro-tile is c<i in hex>; one row per line below */
    /* clang-format off */
#define LOAD_ROW(r, i)                                                         \
    c##r##0 = _mm512_loadu_ps(c + i * ldc);                                    \
    c##r##1 = _mm512_loadu_ps(c + i * ldc + 16);
#define ROW(r, i)                                                              \
    a = (__m512bh)_mm512_set1_epi32((int)ap[i]);                               \
    c##r##0 = _mm512_dpbf16_ps(c##r##0, a, b0);                                \
    c##r##1 = _mm512_dpbf16_ps(c##r##1, a, b1);
#define STORE_ROW(r, i)                                                        \
    _mm512_storeu_ps(c + i * ldc, c##r##0);                                    \
    _mm512_storeu_ps(c + i * ldc + 16, c##r##1);
    if (first) {
        c00 = c01 = c10 = c11 = c20 = c21 = _mm512_setzero_ps();
        c30 = c31 = c40 = c41 = c50 = c51 = _mm512_setzero_ps();
        c60 = c61 = c70 = c71 = c80 = c81 = _mm512_setzero_ps();
        c90 = c91 = cA0 = cA1 = cB0 = cB1 = _mm512_setzero_ps();
    } else {
        LOAD_ROW(0, 0) LOAD_ROW(1, 1) LOAD_ROW(2, 2) LOAD_ROW(3, 3)
        LOAD_ROW(4, 4) LOAD_ROW(5, 5) LOAD_ROW(6, 6) LOAD_ROW(7, 7)
        LOAD_ROW(8, 8) LOAD_ROW(9, 9) LOAD_ROW(A, 10) LOAD_ROW(B, 11)
    }
    for (gsize q = 0; q < (kc + 1) / 2; q++) {
        __m512bh b0 = (__m512bh)_mm512_load_si512(bp);
        __m512bh b1 = (__m512bh)_mm512_load_si512(bp + 1);
        __m512bh a;
        ROW(0, 0) ROW(1, 1) ROW(2, 2) ROW(3, 3) ROW(4, 4) ROW(5, 5)
        ROW(6, 6) ROW(7, 7) ROW(8, 8) ROW(9, 9) ROW(A, 10) ROW(B, 11)
        ap += MRB;
        bp += 2;
    }
    STORE_ROW(0, 0) STORE_ROW(1, 1) STORE_ROW(2, 2) STORE_ROW(3, 3)
    STORE_ROW(4, 4) STORE_ROW(5, 5) STORE_ROW(6, 6) STORE_ROW(7, 7)
    STORE_ROW(8, 8) STORE_ROW(9, 9) STORE_ROW(A, 10) STORE_ROW(B, 11)
#undef LOAD_ROW
#undef ROW
#undef STORE_ROW
    /* clang-format on */
}

/* B[at .. at + kc rows) x [0 .. nr) into a 32-wide panel: for each pair
 * of rows (2q, 2q+1) the 32 columns' pairs, zero beyond nr and kc. */
static void pack_b_bf16(gsize kc, gsize nr, NlArray b, gsize at, gsize ldb,
                        void *dst)
{
    const nl_bf16 *bm = (const nl_bf16 *)b.data + at;
    __m512i *d = dst;
    /* word 2j of a pair's first vector takes column j of row 2q, word
     * 2j + 1 column j of row 2q + 1; the second vector columns 16 + j */
    __m512i lo = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42,
                                  10, 41, 9, 40, 8, 39, 7, 38, 6, 37, 5, 36, 4,
                                  35, 3, 34, 2, 33, 1, 32, 0);
    __m512i hi = _mm512_add_epi16(lo, _mm512_set1_epi16(16));
    for (gsize q = 0; 2 * q < kc; q++) {
        __m512i r0 = (__m512i)load32(bm + 2 * q * ldb, nr);
        __m512i r1 = 2 * q + 1 < kc
                         ? (__m512i)load32(bm + (2 * q + 1) * ldb, nr)
                         : _mm512_setzero_si512();
        _mm512_store_si512(d + 2 * q, _mm512_permutex2var_epi16(r0, lo, r1));
        _mm512_store_si512(d + 2 * q + 1,
                           _mm512_permutex2var_epi16(r0, hi, r1));
    }
}

/* A[at .. at + mr rows) x [0 .. kc) into a 12-tall panel: for each pair
 * of columns the 12 rows' pairs, zero beyond mr and kc. */
static void pack_a_bf16(gsize kc, gsize mr, NlArray a, gsize at, gsize lda,
                        void *dst)
{
    const nl_bf16 *am = (const nl_bf16 *)a.data + at;
    guint32 *d = dst;
    gsize pairs = (kc + 1) / 2;
    for (gsize i = 0; i < MRB; i++)
        for (gsize q = 0; q < pairs; q++)
            d[q * MRB + i] =
                i < mr ? pair_at(am + i * lda + 2 * q, 2 * q + 1 < kc) : 0;
}

const ParGemmKind par_gemm_bf16_kind = {
    .mr = MRB,
    .nr = NRB,
    .kc = 256,  /* a 256 x 32 panel of B: 16 KiB */
    .mc = 192,  /* 192 x 256 values = 96 KiB of A */
    .nc = 4096, /* 256 x 4096 values = 2 MiB of B */
    .kstep = 2,
    .elem = sizeof(nl_bf16),
    .acc = sizeof(float),
    .pack_a = pack_a_bf16,
    .pack_b = pack_b_bf16,
    .kernel = kernel_12x32,
};

#if defined(__clang__)
#pragma clang attribute pop
#endif
