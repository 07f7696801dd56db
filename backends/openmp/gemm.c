/* gemm.c — the OpenMP backend's matrix products: packed, cache-blocked,
 * in the layered scheme of BLIS and GotoBLAS, with a micro-kernel per
 * accumulation: 6 x 16 AVX2/FMA in float32 (here; 12 x 32 on AVX-512F in
 * gemm-avx512.c, the same chains), 6 x 8 AVX2/FMA in
 * float64 (here), 12 x 32 vdpbf16ps for bfloat16 (bf16.c), and 6 x 16
 * rounding every operation to bfloat16 or float16 (here; bfloat16 by a
 * fast kernel where its rounding is provably the same).
 *
 *   for each NC-wide column block of B       (fits L3)
 *     for each KC-deep slice of k            (a KC x NR panel of B fits L1)
 *       pack B's KC x NC block into NR-wide panels   (threads share it)
 *       for each MC-tall row block of A      (fits L2)
 *         pack A's MC x KC block into MR-tall panels
 *         every MR x NR tile of C: micro-kernel over the KC slice
 *
 * Packing is where operands of another precision are widened, exactly,
 * to the kernel's: bfloat16 and float16 to float32 for the float32
 * kernel, anything to double for the float64 one.
 *
 * Order of operations: each c[i][j] is one chain of fused multiply-adds
 * over p = 0, 1, ..., k-1 (bf16.c: over pairs of p; in bfloat16 and
 * float16 accumulation a multiplication and an addition each) — the KC slices
 * continue the chain from the value left in C — so its bits depend on k
 * alone: not on m (the batch), not on n, not on the thread count, not on
 * the tile it falls in. Fringe tiles run the same kernel on a zero-padded
 * copy. Threads split the MR x NR tiles of each block; no two threads
 * write one element. */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#include "config.h"

#include "kernels.h"
#include "typed.h"

#include <omp.h>
#include <stdlib.h>

/* The largest micro-tile of C any kind has, in bytes (bf16.c's 12 x 32
 * floats). */
#define TILE_BYTES (12 * 32 * 4)

/* A tile at the edge of C: the same kernel on a full MR x NR copy. */
static void kernel_fringe(const ParGemmKind *kind, gsize kc, const void *ap,
                          const void *bp, char *c, gsize ldc, gsize mr,
                          gsize nr, gboolean first)
{
    char tile[TILE_BYTES] __attribute__((aligned(64))) = {0};
    gsize row = kind->nr * kind->acc, len = nr * kind->acc;
    if (!first)
        for (gsize i = 0; i < mr; i++)
            memcpy(tile + i * row, c + i * ldc * kind->acc, len);
    kind->kernel(kc, ap, bp, tile, kind->nr, first);
    for (gsize i = 0; i < mr; i++)
        memcpy(c + i * ldc * kind->acc, tile + i * row, len);
}

/* What every thread of par_gemm_run needs. */
typedef struct {
    const ParGemmKind *kind;
    gsize m, n, k;
    NlArray a;
    gsize lda;
    NlArray b;
    gsize ldb;
    void *c;
    gsize ldc;
    char *bpack, *apack;
    gsize kc_max, mc_max; /* the packing buffers' extents */
} GemmBlocks;

/* The blocked loops, run by each thread of the team (or by one thread
 * alone): B packed together, each thread's A panels, the tiles shared. */
static void gemm_blocks(const GemmBlocks *g)
{
    const ParGemmKind *kind = g->kind;
    const gsize MR = kind->mr, NR = kind->nr, KC = kind->kc, MC = kind->mc,
                NC = kind->nc, step = kind->kstep;
    const gsize m = g->m, n = g->n, k = g->k, lda = g->lda, ldb = g->ldb,
                ldc = g->ldc, kc_max = g->kc_max, mc_max = g->mc_max;
    const NlArray a = g->a, b = g->b;
    char *c = g->c, *bpack = g->bpack, *apack = g->apack;
    for (gsize jc = 0; jc < n; jc += NC) {
        gsize nc = MIN(NC, n - jc);
        gsize panels = (nc + NR - 1) / NR;
        for (gsize pc = 0; pc < k; pc += KC) {
            gsize kc = MIN(KC, k - pc);
            gsize kcp = (kc + step - 1) / step * step; /* as packed */
            gboolean first = pc == 0;
            /* Every tile of the block before is done: B's panels may be
             * overwritten, and C holds the chains this slice continues.
             * This and the barrier after the packing are the only ones
             * in a block; the row blocks' tile loops end without one. */
            if (jc > 0 || pc > 0) {
#pragma omp barrier
            }
#pragma omp for schedule(static)
            for (gsize jr = 0; jr < panels; jr++)
                kind->pack_b(kc, MIN(NR, nc - jr * NR), b,
                             pc * ldb + jc + jr * NR, ldb,
                             bpack + jr * NR * kcp * kind->elem);
            /* implicit barrier: B is packed */
            for (gsize ic = 0; ic < m; ic += MC) {
                gsize mc = MIN(MC, m - ic);
                gsize rows = (mc + MR - 1) / MR;
                /* Each thread packs the A panels it needs; threads that
                 * share a row panel pack identical copies, so any thread
                 * can take any tile. The tiles are handed out guided:
                 * large runs of neighbouring tiles first (B's panels stay
                 * in a core's cache), smaller ones at the end, so a
                 * thread whose core is shared with another process takes
                 * fewer instead of holding the team up (statically, the
                 * 2-thread gemm fell to 0.71-0.79 of OpenBLAS under
                 * contention; doc/performance-history.md). Which thread
                 * computes a tile changes no bit: each element is one chain. */
                char *ap = apack + (gsize)omp_get_thread_num() * mc_max *
                                       kc_max * kind->elem;
                for (gsize ir = 0; ir < rows; ir++)
                    kind->pack_a(kc, MIN(MR, mc - ir * MR), a,
                                 (ic + ir * MR) * lda + pc, lda,
                                 ap + ir * MR * kcp * kind->elem);
#pragma omp for schedule(guided) collapse(2) nowait
                for (gsize jr = 0; jr < panels; jr++)
                    for (gsize ir = 0; ir < rows; ir++) {
                        gsize mr = MIN(MR, mc - ir * MR);
                        gsize nr = MIN(NR, nc - jr * NR);
                        char *ct = c + ((ic + ir * MR) * ldc + jc + jr * NR) *
                                           kind->acc;
                        const char *at = ap + ir * MR * kcp * kind->elem;
                        const char *bt = bpack + jr * NR * kcp * kind->elem;
                        if (mr == MR && nr == NR)
                            kind->kernel(kc, at, bt, ct, ldc, first);
                        else
                            kernel_fringe(kind, kc, at, bt, ct, ldc, mr, nr,
                                          first);
                    }
                /* no barrier: a thread that is done packs its next A
                 * block into its own buffer while the others finish
                 * their tiles of this one */
            }
        }
    }
}

gboolean par_gemm_run(const ParGemmKind *kind, gsize m, gsize n, gsize k,
                      NlArray a, gsize lda, NlArray b, gsize ldb, void *c,
                      gsize ldc, int threads)
{
    const gsize MR = kind->mr, NR = kind->nr, KC = kind->kc, MC = kind->mc,
                NC = kind->nc, step = kind->kstep;
    g_assert(MR * NR * kind->acc <= TILE_BYTES);
    if (m == 0 || n == 0)
        return TRUE;
    if (k == 0) {
        for (gsize i = 0; i < m; i++)
            memset((char *)c + i * ldc * kind->acc, 0, n * kind->acc);
        return TRUE;
    }
    /* Small products do not pay for a thread team. */
    int team = (double)m * n * k < 4e6 ? 1 : threads;
    /* Packing buffers as large as this product needs; every element the
     * kernels read is written by the packing first, so no zeroing. */
    gsize nc_max = (MIN(n, NC) + NR - 1) / NR * NR;
    gsize kc_max = (MIN(k, KC) + step - 1) / step * step;
    gsize mc_max = (MIN(m, MC) + MR - 1) / MR * MR;
    char *bpack = NULL, *apack = NULL;
    if (posix_memalign((void **)&bpack, 64, kc_max * nc_max * kind->elem) ||
        posix_memalign((void **)&apack, 64,
                       mc_max * kc_max * (gsize)team * kind->elem)) {
        free(bpack);
        return FALSE;
    }

    /* One thread runs the blocks directly: the worksharing loops inside
     * are then orphaned and run every iteration in this thread, the same
     * code in the same order as in a team, without entering libgomp (a
     * tenth of a small product's time). */
    GemmBlocks g = {.kind = kind,
                    .m = m,
                    .n = n,
                    .k = k,
                    .a = a,
                    .lda = lda,
                    .b = b,
                    .ldb = ldb,
                    .c = c,
                    .ldc = ldc,
                    .bpack = bpack,
                    .apack = apack,
                    .kc_max = kc_max,
                    .mc_max = mc_max};
    if (team == 1) {
        gemm_blocks(&g);
    } else {
#pragma omp parallel num_threads(team)
        gemm_blocks(&g);
    }
    free(bpack);
    free(apack);
    return TRUE;
}

/* ---- float32: 6 x 16 ---- */

#define MR32 6
#define NR32 16

typedef float v8sf __attribute__((vector_size(32)));
typedef float v8sf_u __attribute__((vector_size(32), aligned(4)));

#define BCAST(x)     ((v8sf){(x), (x), (x), (x), (x), (x), (x), (x)})
#define FMA(a, b, c) __builtin_ia32_vfmaddps256((a), (b), (c))

/* c[0..6) x [0..16) (+)= A panel x B panel over kc. `first`: start the
 * chains at zero instead of at the values in c. */
static void kernel_6x16(gsize kc, const void *ap_, const void *bp_, void *c_,
                        gsize ldc, gboolean first)
{
    const float *restrict ap = ap_, *restrict bp = bp_;
    float *restrict c = c_;
    v8sf c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (first) {
        c00 = c01 = c10 = c11 = c20 = c21 = (v8sf){0};
        c30 = c31 = c40 = c41 = c50 = c51 = (v8sf){0};
    } else {
#define LOAD_ROW(r)                                                            \
    c##r##0 = *(const v8sf_u *)(c + r * ldc);                                  \
    c##r##1 = *(const v8sf_u *)(c + r * ldc + 8);
        LOAD_ROW(0) LOAD_ROW(1) LOAD_ROW(2) LOAD_ROW(3) LOAD_ROW(4) LOAD_ROW(5)
#undef LOAD_ROW
    }
    for (gsize p = 0; p < kc; p++) {
        v8sf b0 = *(const v8sf *)bp, b1 = *(const v8sf *)(bp + 8);
        v8sf a;
        /* one row of the micro-tile per line */
        /* clang-format off */
        a = BCAST(ap[0]); c00 = FMA(a, b0, c00); c01 = FMA(a, b1, c01);
        a = BCAST(ap[1]); c10 = FMA(a, b0, c10); c11 = FMA(a, b1, c11);
        a = BCAST(ap[2]); c20 = FMA(a, b0, c20); c21 = FMA(a, b1, c21);
        a = BCAST(ap[3]); c30 = FMA(a, b0, c30); c31 = FMA(a, b1, c31);
        a = BCAST(ap[4]); c40 = FMA(a, b0, c40); c41 = FMA(a, b1, c41);
        a = BCAST(ap[5]); c50 = FMA(a, b0, c50); c51 = FMA(a, b1, c51);
        ap += MR32;
        bp += NR32;
    }
#define STORE_ROW(r)                                                           \
    *(v8sf_u *)(c + r * ldc) = c##r##0;                                        \
    *(v8sf_u *)(c + r * ldc + 8) = c##r##1;
    STORE_ROW(0) STORE_ROW(1) STORE_ROW(2) STORE_ROW(3) STORE_ROW(4) STORE_ROW(5)
    /* clang-format on */
#undef STORE_ROW
}

/* B[at .. at + kc rows) x [0 .. nr) into a `width`-wide panel (16 or 32),
 * p-major, zero beyond nr, widened to float. */
TYPED void pack_b_f32_as(NlPrecision t, gsize kc, gsize nr, const void *b,
                         gsize ldb, float *dst, gsize width)
{
    for (gsize p = 0; p < kc; p++) {
        gsize j = 0;
        for (; j + 8 <= nr; j += 8)
            _mm256_storeu_ps(dst + p * width + j, load8_f32(t, b, p * ldb + j));
        for (; j < nr; j++)
            dst[p * width + j] = get_f32(t, b, p * ldb + j);
        for (; j < width; j++)
            dst[p * width + j] = 0.0f;
    }
}

/* A[at .. at + mr rows) x [0 .. kc) into a `height`-tall panel (6 or 12),
 * p-major, zero beyond mr: eight columns at a time, each row's eight read
 * as one vector and written out transposed, the rest one by one. */
TYPED void pack_a_f32_as(NlPrecision t, gsize kc, gsize mr, const void *a,
                         gsize lda, float *dst, gsize height)
{
    gsize p = 0;
    for (; p + 8 <= kc; p += 8) {
        float rows[12][8] __attribute__((aligned(32)));
        for (gsize i = 0; i < height; i++)
            _mm256_store_ps(rows[i], i < mr ? load8_f32(t, a, i * lda + p)
                                            : _mm256_setzero_ps());
        for (gsize q = 0; q < 8; q++)
            for (gsize i = 0; i < height; i++)
                dst[(p + q) * height + i] = rows[i][q];
    }
    for (; p < kc; p++)
        for (gsize i = 0; i < height; i++)
            dst[p * height + i] = i < mr ? get_f32(t, a, i * lda + p) : 0.0f;
}

/* Both inlined into each caller, whose width or height is a constant. */
TYPED void pack_b_f32_wide(gsize kc, gsize nr, NlArray b, gsize at, gsize ldb,
                           void *dst, gsize width)
{
    const void *p = typed_at(b, at);
    switch (b.type) {
    case NL_PRECISION_BF16:
        pack_b_f32_as(NL_PRECISION_BF16, kc, nr, p, ldb, dst, width);
        break;
    case NL_PRECISION_F16:
        pack_b_f32_as(NL_PRECISION_F16, kc, nr, p, ldb, dst, width);
        break;
    default:
        pack_b_f32_as(NL_PRECISION_F32, kc, nr, p, ldb, dst, width);
    }
}

TYPED void pack_a_f32_tall(gsize kc, gsize mr, NlArray a, gsize at, gsize lda,
                           void *dst, gsize height)
{
    const void *p = typed_at(a, at);
    switch (a.type) {
    case NL_PRECISION_BF16:
        pack_a_f32_as(NL_PRECISION_BF16, kc, mr, p, lda, dst, height);
        break;
    case NL_PRECISION_F16:
        pack_a_f32_as(NL_PRECISION_F16, kc, mr, p, lda, dst, height);
        break;
    default:
        pack_a_f32_as(NL_PRECISION_F32, kc, mr, p, lda, dst, height);
    }
}

static void pack_b_f32(gsize kc, gsize nr, NlArray b, gsize at, gsize ldb,
                       void *dst)
{
    pack_b_f32_wide(kc, nr, b, at, ldb, dst, NR32);
}

static void pack_a_f32(gsize kc, gsize mr, NlArray a, gsize at, gsize lda,
                       void *dst)
{
    pack_a_f32_tall(kc, mr, a, at, lda, dst, MR32);
}

/* The blocking of every 6 x 16 kind, on float panels and a float C; only
 * the micro-kernel differs (here and in the rounded kinds below). MC is a
 * multiple of MR: 144 x 256 floats = 144 KiB of A; NC a multiple of NR:
 * 256 x 4096 floats = 4 MiB of B. */
/* clang-format off */
#define KIND_6X16(micro_kernel)                                                \
    {.mr = MR32, .nr = NR32, .kc = 256, .mc = 144, .nc = 4096, .kstep = 1,     \
     .elem = sizeof(float), .acc = sizeof(float),                              \
     .pack_a = pack_a_f32, .pack_b = pack_b_f32, .kernel = (micro_kernel)}
/* clang-format on */

const ParGemmKind par_gemm_f32_kind = KIND_6X16(kernel_6x16);

/* ---- float32 on AVX-512F: 12 x 32 (gemm-avx512.c), the same chains ---- */

static void pack_b_f32_32(gsize kc, gsize nr, NlArray b, gsize at, gsize ldb,
                          void *dst)
{
    pack_b_f32_wide(kc, nr, b, at, ldb, dst, 32);
}

static void pack_a_f32_12(gsize kc, gsize mr, NlArray a, gsize at, gsize lda,
                          void *dst)
{
    pack_a_f32_tall(kc, mr, a, at, lda, dst, 12);
}

/* KC 256: a 256 x 32 panel of B is 32 KiB, in L1; MC 144: 144 KiB of A,
 * in L2; NC 4096: 4 MiB of B. */
const ParGemmKind par_gemm_f32_avx512_kind = {
    .mr = 12,
    .nr = 32,
    .kc = 256,
    .mc = 144,
    .nc = 4096,
    .kstep = 1,
    .elem = sizeof(float),
    .acc = sizeof(float),
    .pack_a = pack_a_f32_12,
    .pack_b = pack_b_f32_32,
    .kernel = par_kernel_f32_12x32,
};

/* Both kinds compute the same chains, so the choice is speed alone: a
 * product of 16 columns or fewer would leave half of each 32-wide tile
 * empty. */
const ParGemmKind *par_gemm_f32_kind_for(ParMode mode, gsize n)
{
    return mode.avx512 && n > 16 ? &par_gemm_f32_avx512_kind
                                 : &par_gemm_f32_kind;
}

gboolean par_gemm_f32(gsize m, gsize n, gsize k, const float *a, gsize lda,
                      const float *b, gsize ldb, float *c, gsize ldc,
                      ParMode mode)
{
    /* One column (MiniGPT's row sums: a product with a ones vector): the
     * batch-invariant gemv computes exactly these chains, one per row,
     * without packing a 16- or 32-wide panel for a single column. */
    if (n == 1 && ldb == 1 && ldc == 1) {
        ParMode chains = mode;
        chains.batch_invariant = TRUE;
        par_gemv_f32(m, k, a, lda, b, c, chains);
        return TRUE;
    }
    return par_gemm_run(
        par_gemm_f32_kind_for(mode, n), m, n, k, (NlArray){NL_PRECISION_F32, a},
        lda, (NlArray){NL_PRECISION_F32, b}, ldb, c, ldc, mode.threads);
}

/* ---- bfloat16 and float16 accumulation: 6 x 16, every operation rounded
 *
 * The teaching mode of numlab/reference.h in its own order: each c[i][j]
 * runs left to right over k, c = round(c + round(a * b)), no FMA — the
 * reference's bits. The values are held as floats: a product or sum of
 * two bfloat16 (float16) values computed in float32 and then rounded to
 * the type is rounded once (24 >= 2 x 8 + 2 and 2 x 11 + 2 bits; Figueroa
 * 1995), as numlab's emulation itself computes. Operands are packed as
 * for float32. */

/* How round8 rounds: to float16 (F16C), or to bfloat16 on the bit
 * pattern or by Veltkamp's split (below). */
typedef enum { ROUND_F16, ROUND_BF16, ROUND_BF16_SPLIT } Rounding;

/* v rounded as `how` says, as floats: float16 by a round trip through
 * vcvtps2ph; bfloat16 on the bit pattern (a NaN kept, quieted), or by
 * the split, c = v (2^16 + 1), then c - (c - v): v rounded to 24 - 16 =
 * 8 significant bits, to nearest even, in three float operations instead
 * of eight integer ones. The split gives the bit pattern's float for every
 * normal float and zero as long as it is finite (checked for all 2^32
 * floats: tests/test-openmp-gemm16.c). Where it differs, it is either
 * wrong without notice (a subnormal v) or not finite: v (2^16 + 1)
 * overflows for |v| >= 2^112, and an infinite or NaN v gives a NaN, which
 * every later operation keeps. */
TYPED __m256 round8(Rounding how, __m256 v)
{
    if (how == ROUND_F16)
        return _mm256_cvtph_ps(_mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    if (how == ROUND_BF16_SPLIT) {
        __m256 c = _mm256_mul_ps(v, _mm256_set1_ps(65537.0f)); /* 2^16 + 1 */
        return _mm256_sub_ps(c, _mm256_sub_ps(c, v));
    }
    __m256i u = _mm256_castps_si256(v);
    __m256i odd =
        _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    __m256i r =
        _mm256_add_epi32(u, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7fff)));
    __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    r = _mm256_blendv_epi8(r, _mm256_or_si256(u, _mm256_set1_epi32(0x400000)),
                           nan);
    return _mm256_castsi256_ps(
        _mm256_and_si256(r, _mm256_set1_epi32((int)0xffff0000u)));
}

/* c[0..6) x [0..16) (+)= A panel x B panel over kc, every product and sum
 * rounded as `how` says. FALSE, and c untouched, where the split left a
 * chain non-finite. */
TYPED gboolean kernel_6x16_rounded(Rounding how, gsize kc, const void *ap_,
                                   const void *bp_, void *c_, gsize ldc,
                                   gboolean first)
{
    const float *restrict ap = ap_, *restrict bp = bp_;
    float *restrict c = c_;
    __m256 acc[MR32][2]; /* unrolled loops: kept in registers */
#pragma GCC unroll 6
    for (gsize i = 0; i < MR32; i++)
#pragma GCC unroll 2
        for (gsize h = 0; h < 2; h++)
            acc[i][h] = first ? _mm256_setzero_ps()
                              : _mm256_loadu_ps(c + i * ldc + 8 * h);
    for (gsize p = 0; p < kc; p++) {
        __m256 b[2] = {_mm256_load_ps(bp), _mm256_load_ps(bp + 8)};
#pragma GCC unroll 6
        for (gsize i = 0; i < MR32; i++) {
            __m256 a = _mm256_broadcast_ss(ap + i);
#pragma GCC unroll 2
            for (gsize h = 0; h < 2; h++)
                acc[i][h] = round8(
                    how, _mm256_add_ps(acc[i][h],
                                       round8(how, _mm256_mul_ps(a, b[h]))));
        }
        ap += MR32;
        bp += NR32;
    }
    if (how == ROUND_BF16_SPLIT) { /* x - x: 0 if x is finite, else NaN */
        __m256 any = _mm256_setzero_ps();
#pragma GCC unroll 6
        for (gsize i = 0; i < MR32; i++)
#pragma GCC unroll 2
            for (gsize h = 0; h < 2; h++)
                any = _mm256_or_ps(any, _mm256_sub_ps(acc[i][h], acc[i][h]));
        if (_mm256_movemask_ps(_mm256_cmp_ps(any, any, _CMP_UNORD_Q)))
            return FALSE;
    }
#pragma GCC unroll 6
    for (gsize i = 0; i < MR32; i++)
#pragma GCC unroll 2
        for (gsize h = 0; h < 2; h++)
            _mm256_storeu_ps(c + i * ldc + 8 * h, acc[i][h]);
    return TRUE;
}

static void kernel_6x16_bf16(gsize kc, const void *ap, const void *bp, void *c,
                             gsize ldc, gboolean first)
{
    kernel_6x16_rounded(ROUND_BF16, kc, ap, bp, c, ldc, first);
}

/* bfloat16 by the split where that is the same rounding: par_gemm_any
 * chooses this kernel only where no chain can hold a subnormal, and a
 * tile whose chains end anywhere non-finite is computed again on the bit
 * pattern from the same C. No subnormal: with a = ma 2^(ea - 7) and
 * b = mb 2^(eb - 7), ma and mb integers, every product a b is a multiple
 * of 2^(ea + eb - 14); if ea + eb >= -112 for every pair of nonzero
 * operands (par_gemm_any checks the least exponents of A and B), every
 * product is a multiple of 2^-126. Rounding such a value to float or to
 * bfloat16 keeps it one (where the type's quantum is below 2^-126 the
 * value has at most 8 significant bits and is already exact), and so do
 * sums: every value of every chain is 0 or at least 2^-126, normal. */
static void kernel_6x16_bf16_split(gsize kc, const void *ap, const void *bp,
                                   void *c, gsize ldc, gboolean first)
{
    if (!kernel_6x16_rounded(ROUND_BF16_SPLIT, kc, ap, bp, c, ldc, first))
        kernel_6x16_bf16(kc, ap, bp, c, ldc, first);
}

static void kernel_6x16_f16(gsize kc, const void *ap, const void *bp, void *c,
                            gsize ldc, gboolean first)
{
    kernel_6x16_rounded(ROUND_F16, kc, ap, bp, c, ldc, first);
}

const ParGemmKind par_gemm_bf16_rounded_kind = KIND_6X16(kernel_6x16_bf16);

const ParGemmKind par_gemm_bf16_split_kind = KIND_6X16(kernel_6x16_bf16_split);

const ParGemmKind par_gemm_f16_rounded_kind = KIND_6X16(kernel_6x16_f16);

/* ---- float64: 6 x 8 ---- */

#define MR64 6
#define NR64 8

/* c[0..6) x [0..8) (+)= A panel x B panel over kc, in double. */
static void kernel_6x8(gsize kc, const void *ap_, const void *bp_, void *c_,
                       gsize ldc, gboolean first)
{
    const double *restrict ap = ap_, *restrict bp = bp_;
    double *restrict c = c_;
    __m256d c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    /* one row of the micro-tile per line */
    /* clang-format off */
#define LOAD_ROW(r)                                                            \
    c##r##0 = _mm256_loadu_pd(c + r * ldc);                                    \
    c##r##1 = _mm256_loadu_pd(c + r * ldc + 4);
#define ROW(r)                                                                 \
    a = _mm256_broadcast_sd(ap + r);                                           \
    c##r##0 = _mm256_fmadd_pd(a, b0, c##r##0);                                 \
    c##r##1 = _mm256_fmadd_pd(a, b1, c##r##1);
#define STORE_ROW(r)                                                           \
    _mm256_storeu_pd(c + r * ldc, c##r##0);                                    \
    _mm256_storeu_pd(c + r * ldc + 4, c##r##1);
    if (first) {
        c00 = c01 = c10 = c11 = c20 = c21 = _mm256_setzero_pd();
        c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_pd();
    } else {
        LOAD_ROW(0) LOAD_ROW(1) LOAD_ROW(2) LOAD_ROW(3) LOAD_ROW(4) LOAD_ROW(5)
    }
    for (gsize p = 0; p < kc; p++) {
        __m256d b0 = _mm256_load_pd(bp), b1 = _mm256_load_pd(bp + 4), a;
        ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5)
        ap += MR64;
        bp += NR64;
    }
    STORE_ROW(0) STORE_ROW(1) STORE_ROW(2)
    STORE_ROW(3) STORE_ROW(4) STORE_ROW(5)
#undef LOAD_ROW
#undef ROW
#undef STORE_ROW
    /* clang-format on */
}

/* As pack_b_f32_as and pack_a_f32_as, widened to double, 8 wide, 6 tall. */
TYPED void pack_b_f64_as(NlPrecision t, gsize kc, gsize nr, const void *b,
                         gsize ldb, double *dst)
{
    for (gsize p = 0; p < kc; p++) {
        gsize j = 0;
        for (; j + 4 <= nr; j += 4)
            _mm256_store_pd(dst + p * NR64 + j, load4_f64(t, b, p * ldb + j));
        for (; j < nr; j++)
            dst[p * NR64 + j] = get_f64(t, b, p * ldb + j);
        for (; j < NR64; j++)
            dst[p * NR64 + j] = 0.0;
    }
}

TYPED void pack_a_f64_as(NlPrecision t, gsize kc, gsize mr, const void *a,
                         gsize lda, double *dst)
{
    for (gsize p = 0; p < kc; p++)
        for (gsize i = 0; i < MR64; i++)
            dst[p * MR64 + i] = i < mr ? get_f64(t, a, i * lda + p) : 0.0;
}

static void pack_b_f64(gsize kc, gsize nr, NlArray b, gsize at, gsize ldb,
                       void *dst)
{
    const void *p = typed_at(b, at);
    switch (b.type) {
    case NL_PRECISION_F32:
        pack_b_f64_as(NL_PRECISION_F32, kc, nr, p, ldb, dst);
        break;
    case NL_PRECISION_BF16:
        pack_b_f64_as(NL_PRECISION_BF16, kc, nr, p, ldb, dst);
        break;
    case NL_PRECISION_F16:
        pack_b_f64_as(NL_PRECISION_F16, kc, nr, p, ldb, dst);
        break;
    default:
        pack_b_f64_as(NL_PRECISION_F64, kc, nr, p, ldb, dst);
    }
}

static void pack_a_f64(gsize kc, gsize mr, NlArray a, gsize at, gsize lda,
                       void *dst)
{
    const void *p = typed_at(a, at);
    switch (a.type) {
    case NL_PRECISION_F32:
        pack_a_f64_as(NL_PRECISION_F32, kc, mr, p, lda, dst);
        break;
    case NL_PRECISION_BF16:
        pack_a_f64_as(NL_PRECISION_BF16, kc, mr, p, lda, dst);
        break;
    case NL_PRECISION_F16:
        pack_a_f64_as(NL_PRECISION_F16, kc, mr, p, lda, dst);
        break;
    default:
        pack_a_f64_as(NL_PRECISION_F64, kc, mr, p, lda, dst);
    }
}

const ParGemmKind par_gemm_f64_kind = {
    .mr = MR64,
    .nr = NR64,
    .kc = 256,  /* a 256 x 8 panel of B: 16 KiB */
    .mc = 72,   /* 72 x 256 doubles = 144 KiB of A */
    .nc = 2048, /* 256 x 2048 doubles = 4 MiB of B */
    .kstep = 1,
    .elem = sizeof(double),
    .acc = sizeof(double),
    .pack_a = pack_a_f64,
    .pack_b = pack_b_f64,
    .kernel = kernel_6x8,
};
