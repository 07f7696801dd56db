/* gemm.c — the OpenMP backend's matrix product: packed, cache-blocked,
 * with a 6 x 16 AVX2/FMA micro-kernel, in the layered scheme of BLIS and
 * GotoBLAS.
 *
 *   for each NC-wide column block of B       (fits L3)
 *     for each KC-deep slice of k            (a KC x NR panel of B fits L1)
 *       pack B's KC x NC block into NR-wide panels   (threads share it)
 *       for each MC-tall row block of A      (fits L2)
 *         pack A's MC x KC block into MR-tall panels
 *         every MR x NR tile of C: micro-kernel over the KC slice
 *
 * Order of operations: each c[i][j] is one chain of fused multiply-adds
 * over p = 0, 1, ..., k-1 — the KC slices continue the chain from the
 * value left in C — so its bits depend on k alone: not on m (the batch),
 * not on n, not on the thread count, not on the tile it falls in. Fringe
 * tiles run the same kernel on a zero-padded copy. Threads split the MR x
 * NR tiles of each block; no two threads write one element. */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#include "config.h"

#include "kernels.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define MR 6
#define NR 16
#define KC 256
#define MC 144  /* a multiple of MR: 144 x 256 floats = 144 KiB of A */
#define NC 4096 /* a multiple of NR: 256 x 4096 floats = 4 MiB of B */

typedef float v8sf __attribute__((vector_size(32)));
typedef float v8sf_u __attribute__((vector_size(32), aligned(4)));

#define BCAST(x)     ((v8sf){(x), (x), (x), (x), (x), (x), (x), (x)})
#define FMA(a, b, c) __builtin_ia32_vfmaddps256((a), (b), (c))

/* c[0..MR) x [0..NR) (+)= A panel x B panel over kc. `first`: start the
 * chains at zero instead of at the values in c. */
static void kernel_6x16(gsize kc, const float *restrict ap,
                        const float *restrict bp, float *restrict c, gsize ldc,
                        gboolean first)
{
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
        ap += MR;
        bp += NR;
    }
#define STORE_ROW(r)                                                           \
    *(v8sf_u *)(c + r * ldc) = c##r##0;                                        \
    *(v8sf_u *)(c + r * ldc + 8) = c##r##1;
    STORE_ROW(0) STORE_ROW(1) STORE_ROW(2) STORE_ROW(3) STORE_ROW(4) STORE_ROW(5)
    /* clang-format on */
#undef STORE_ROW
}

/* A tile at the edge of C: the same kernel on a full MR x NR copy. */
static void kernel_fringe(gsize kc, const float *ap, const float *bp, float *c,
                          gsize ldc, gsize mr, gsize nr, gboolean first)
{
    float tile[MR * NR] __attribute__((aligned(32))) = {0};
    if (!first)
        for (gsize i = 0; i < mr; i++)
            memcpy(tile + i * NR, c + i * ldc, nr * sizeof(float));
    kernel_6x16(kc, ap, bp, tile, NR, first);
    for (gsize i = 0; i < mr; i++)
        memcpy(c + i * ldc, tile + i * NR, nr * sizeof(float));
}

/* B[p0 .. p0+kc) x [j0 .. j0+nc) into NR-wide panels, p-major within a
 * panel, zero beyond n. */
static void pack_b_panel(gsize kc, gsize nr, const float *b, gsize ldb,
                         float *dst)
{
    for (gsize p = 0; p < kc; p++) {
        memcpy(dst + p * NR, b + p * ldb, nr * sizeof(float));
        if (nr < NR)
            memset(dst + p * NR + nr, 0, (NR - nr) * sizeof(float));
    }
}

/* A[i0 .. i0+mr) x [p0 .. p0+kc) into an MR-tall panel, p-major. */
static void pack_a_panel(gsize kc, gsize mr, const float *a, gsize lda,
                         float *dst)
{
    for (gsize p = 0; p < kc; p++)
        for (gsize i = 0; i < MR; i++)
            dst[p * MR + i] = i < mr ? a[i * lda + p] : 0.0f;
}

gboolean par_gemm_f32(gsize m, gsize n, gsize k, const float *a, gsize lda,
                      const float *b, gsize ldb, float *c, gsize ldc,
                      int threads)
{
    if (m == 0 || n == 0)
        return TRUE;
    if (k == 0) {
        for (gsize i = 0; i < m; i++)
            memset(c + i * ldc, 0, n * sizeof(float));
        return TRUE;
    }
    /* Small products do not pay for a thread team. */
    int team = (double)m * n * k < 2e6 ? 1 : threads;
    /* Packing buffers as large as this product needs; every element the
     * kernels read is written by the packing first, so no zeroing. */
    gsize nc_max = (MIN(n, (gsize)NC) + NR - 1) / NR * NR;
    gsize kc_max = MIN(k, (gsize)KC);
    gsize mc_max = (MIN(m, (gsize)MC) + MR - 1) / MR * MR;
    float *bpack = NULL, *apack = NULL;
    if (posix_memalign((void **)&bpack, 64, kc_max * nc_max * sizeof(float)) ||
        posix_memalign((void **)&apack, 64,
                       mc_max * kc_max * (gsize)team * sizeof(float))) {
        free(bpack);
        return FALSE;
    }

#pragma omp parallel num_threads(team)
    for (gsize jc = 0; jc < n; jc += NC) {
        gsize nc = MIN(NC, n - jc);
        gsize panels = (nc + NR - 1) / NR;
        for (gsize pc = 0; pc < k; pc += KC) {
            gsize kc = MIN(KC, k - pc);
            gboolean first = pc == 0;
#pragma omp for schedule(static)
            for (gsize jr = 0; jr < panels; jr++)
                pack_b_panel(kc, MIN(NR, nc - jr * NR),
                             b + pc * ldb + jc + jr * NR, ldb,
                             bpack + jr * NR * kc);
            /* implicit barrier: B is packed */
            for (gsize ic = 0; ic < m; ic += MC) {
                gsize mc = MIN(MC, m - ic);
                gsize rows = (mc + MR - 1) / MR;
                /* Each thread packs the A panels it needs; threads that
                 * share a row panel pack identical copies. */
                float *ap =
                    apack + (gsize)omp_get_thread_num() * mc_max * kc_max;
                for (gsize ir = 0; ir < rows; ir++)
                    pack_a_panel(kc, MIN(MR, mc - ir * MR),
                                 a + (ic + ir * MR) * lda + pc, lda,
                                 ap + ir * MR * kc);
#pragma omp for schedule(static) collapse(2)
                for (gsize jr = 0; jr < panels; jr++)
                    for (gsize ir = 0; ir < rows; ir++) {
                        gsize mr = MIN(MR, mc - ir * MR);
                        gsize nr = MIN(NR, nc - jr * NR);
                        float *ct = c + (ic + ir * MR) * ldc + jc + jr * NR;
                        const float *at = ap + ir * MR * kc;
                        const float *bt = bpack + jr * NR * kc;
                        if (mr == MR && nr == NR)
                            kernel_6x16(kc, at, bt, ct, ldc, first);
                        else
                            kernel_fringe(kc, at, bt, ct, ldc, mr, nr, first);
                    }
                /* implicit barrier before the next A block is packed */
            }
        }
    }
    free(bpack);
    free(apack);
    return TRUE;
}
