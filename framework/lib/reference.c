/* reference.c — the reference kernels (numlab/reference.h): the sequential
 * float32 order, once for all of numlab.
 *
 * Each result's order is the plain loop its header comment states. What
 * this file adds is speed that leaves every order alone: gemv walks eight
 * rows side by side, gemm keeps a 4 x 8 block of C in registers while it
 * runs down k (256 terms at a time, so the part of B it reads stays in
 * the cache), tiled_sum sums four tiles side by side, and the tile tree
 * is combined as the tiles arrive, in constant memory, instead of in an
 * array of all partials. Each chain of additions still adds its own terms
 * in its own order, one rounding per operation, so the results are the
 * plain loops' bits. Like all of libnumlab this file is compiled with
 * -ffp-contract=off and without fast-math. It has no threads and no
 * CPU-specific code: the 4-float vectors of gemm are GCC's generic vector
 * extension (also clang's), which every target supports, each lane the
 * scalar operation; other compilers take the plain loops. */
#include "config.h"

#include "nl-private.h"

#include <numlab/reference.h>

#include <float.h>
#include <math.h>
#include <string.h>

/* "One rounding per operation" needs float expressions evaluated in float
 * (x87 without SSE keeps them in 80 bits): say so rather than compute
 * another order under the reference's name. */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error                                                                         \
    "the reference kernels need FLT_EVAL_METHOD 0 (on i386: -msse2 -mfpmath=sse)"
#endif

/* ---- sum, dot ---- */

float nl_ref_sum_f32(const float *x, gsize n)
{
    float s = 0.0f;
    for (gsize i = 0; i < n; i++)
        s += x[i];
    return s;
}

float nl_ref_dot_f32(const float *x, const float *y, gsize n)
{
    float s = 0.0f;
    for (gsize i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

/* ---- gemv ---- */

void nl_ref_gemv_f32(gsize m, gsize n, const float *a, gsize lda,
                     const float *x, float *y)
{
    g_return_if_fail(lda >= n);
    gsize i = 0;
    /* Eight rows side by side: eight independent chains that the CPU
     * overlaps, each still its own row's dot product, left to right. */
    for (; i + 8 <= m; i += 8) {
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f, s4 = 0.0f, s5 = 0.0f,
              s6 = 0.0f, s7 = 0.0f;
        for (gsize p = 0; p < n; p++) {
            const float *q = a + i * lda + p; /* row i, column p */
            float xp = x[p];
            s0 += q[0] * xp;
            s1 += q[lda] * xp;
            s2 += q[2 * lda] * xp;
            s3 += q[3 * lda] * xp;
            s4 += q[4 * lda] * xp;
            s5 += q[5 * lda] * xp;
            s6 += q[6 * lda] * xp;
            s7 += q[7 * lda] * xp;
        }
        y[i] = s0;
        y[i + 1] = s1;
        y[i + 2] = s2;
        y[i + 3] = s3;
        y[i + 4] = s4;
        y[i + 5] = s5;
        y[i + 6] = s6;
        y[i + 7] = s7;
    }
    for (; i < m; i++)
        y[i] = nl_ref_dot_f32(a + i * lda, x, n);
}

/* ---- gemm ---- */

enum {
    GEMM_MR = 4,   /* rows of C a block keeps in registers */
    GEMM_NR = 16,  /* columns of C a block keeps in registers */
    GEMM_KC = 256, /* terms added to a block before it goes back to C */
    GEMM_NC = 256, /* columns of B per pass: KC x NC floats stay in L2 */
};

/* C[0..mr)[0..nr) += A[0..mr)[0..kc) B[0..kc)[0..nr), p in order; C holds
 * each element's running sum. One register chain per element. */
static inline void block_plain(gsize mr, gsize nr, gsize kc, const float *a,
                               gsize lda, const float *b, gsize ldb, float *c,
                               gsize ldc)
{
    for (gsize r = 0; r < mr; r++)
        for (gsize j = 0; j < nr; j++) {
            float s = c[r * ldc + j];
            for (gsize p = 0; p < kc; p++)
                s += a[r * lda + p] * b[p * ldb + j];
            c[r * ldc + j] = s;
        }
}

#if defined(__GNUC__)
typedef float V8 __attribute__((vector_size(8 * sizeof(float))));

/* unaligned loads and stores, no aliasing question; macros, as a V8
 * returned by a function would change the ABI where there is no AVX */
#define LOAD8(v, p)  memcpy(&(v), (p), sizeof(V8))
#define STORE8(p, v) memcpy((p), &(v), sizeof(V8))

/* block_plain for a full 4 x 16 block: 64 chains in eight 8-float
 * registers (two SSE registers each where the CPU has no AVX). Lane j of
 * `c + a * b` is c[j] + (a * b[j]), two roundings, exactly the scalar
 * statement. */
static inline void block_4x16(gsize kc, const float *a, gsize lda,
                              const float *b, gsize ldb, float *c, gsize ldc)
{
    float *c0 = c, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
    const float *a0 = a, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
    V8 s00, s01, s10, s11, s20, s21, s30, s31;
    LOAD8(s00, c0);
    LOAD8(s01, c0 + 8);
    LOAD8(s10, c1);
    LOAD8(s11, c1 + 8);
    LOAD8(s20, c2);
    LOAD8(s21, c2 + 8);
    LOAD8(s30, c3);
    LOAD8(s31, c3 + 8);
    for (gsize p = 0; p < kc; p++) {
        const float *bp = b + p * ldb;
        V8 b0, b1;
        LOAD8(b0, bp);
        LOAD8(b1, bp + 8);
        s00 = s00 + a0[p] * b0;
        s01 = s01 + a0[p] * b1;
        s10 = s10 + a1[p] * b0;
        s11 = s11 + a1[p] * b1;
        s20 = s20 + a2[p] * b0;
        s21 = s21 + a2[p] * b1;
        s30 = s30 + a3[p] * b0;
        s31 = s31 + a3[p] * b1;
    }
    STORE8(c0, s00);
    STORE8(c0 + 8, s01);
    STORE8(c1, s10);
    STORE8(c1 + 8, s11);
    STORE8(c2, s20);
    STORE8(c2 + 8, s21);
    STORE8(c3, s30);
    STORE8(c3 + 8, s31);
}
#define HAVE_BLOCK_4X16 1
#endif

/* Every block adds the next kc terms of its elements' chains to the
 * running sums in C, in the order of p: storing a float partial sum and
 * loading it again is exact, so the passes over k change no bit. Cloned
 * (NL_VECTORISED, static: libtool exports no ifunc): the blocks inline
 * into each clone, so the AVX2 clone keeps a row's 16 chains in two
 * registers instead of four. */
NL_VECTORISED static void gemm_blocks_f32(gsize m, gsize n, gsize k,
                                          const float *a, gsize lda,
                                          const float *b, gsize ldb, float *c,
                                          gsize ldc)
{
    for (gsize p0 = 0; p0 < k; p0 += GEMM_KC) {
        gsize kc = MIN((gsize)GEMM_KC, k - p0);
        for (gsize j0 = 0; j0 < n; j0 += GEMM_NC) {
            gsize nc = MIN((gsize)GEMM_NC, n - j0);
            for (gsize i = 0; i < m; i += GEMM_MR) {
                gsize mr = MIN((gsize)GEMM_MR, m - i);
                for (gsize j = j0; j < j0 + nc; j += GEMM_NR) {
                    gsize nr = MIN((gsize)GEMM_NR, j0 + nc - j);
                    const float *ab = a + i * lda + p0;
                    const float *bb = b + p0 * ldb + j;
                    float *cb = c + i * ldc + j;
#ifdef HAVE_BLOCK_4X16
                    if (mr == GEMM_MR && nr == GEMM_NR) {
                        block_4x16(kc, ab, lda, bb, ldb, cb, ldc);
                        continue;
                    }
#endif
                    block_plain(mr, nr, kc, ab, lda, bb, ldb, cb, ldc);
                }
            }
        }
    }
}

void nl_ref_gemm_f32(gsize m, gsize n, gsize k, const float *a, gsize lda,
                     const float *b, gsize ldb, float *c, gsize ldc)
{
    g_return_if_fail(lda >= k && ldb >= n && ldc >= n);
    for (gsize i = 0; i < m; i++)
        for (gsize j = 0; j < n; j++)
            c[i * ldc + j] = 0.0f;
    gemm_blocks_f32(m, n, k, a, lda, b, ldb, c, ldc);
}

/* ---- softmax ---- */

void nl_ref_softmax_f32(const float *x, float *y, gsize n, float temperature)
{
    g_return_if_fail(temperature > 0.0f);
    if (n == 0)
        return;
    float max = x[0] / temperature;
    for (gsize i = 1; i < n; i++)
        max = fmaxf(max, x[i] / temperature);
    float total = 0.0f;
    for (gsize i = 0; i < n; i++) {
        y[i] = expf(x[i] / temperature - max); /* y may be x: x[i] read last */
        total += y[i];
    }
    for (gsize i = 0; i < n; i++)
        y[i] /= total;
}

/* ---- the tile tree ---- */

/* The bottom-up tree of adjacent pairs, built as the tile partials arrive,
 * left to right, in constant memory. Partials are gathered in runs of
 * TREE_RUN (a power of two), and a run is combined level by level as in
 * numlab/backend.h: a full run becomes one complete subtree. Complete
 * subtrees wait on a stack; one that meets its left neighbour of the same
 * size is added to it as the right operand, as p[i] + p[i + s] does.
 * Sizes on the stack strictly decrease, so 64 entries hold any gsize
 * count. At the end the unfinished run is combined alone (its start is a
 * multiple of TREE_RUN, so its tree is the big tree's), and the right
 * edge is folded right to left: the level-by-level loop adds to each
 * complete left subtree the whole, shorter, remainder on its right. */
enum { TREE_RUN = 64, TREE_RUN_LEVEL = 6 };

typedef struct {
    float value[64];
    guint8 level[64]; /* value[d] sums 2^level[d] partials */
    guint depth;
    float run[TREE_RUN];
    guint n_run;
} TileTree;

/* p[0..n) combined in place level by level; the root is p[0]. */
static void tree_combine(float *p, guint n)
{
    for (guint s = 1; s < n; s *= 2)
        for (guint i = 0; i + s < n; i += 2 * s)
            p[i] += p[i + s];
}

/* The full run in t->run: combined, and its root onto the stack. */
static void tree_flush(TileTree *t)
{
    tree_combine(t->run, TREE_RUN);
    float v = t->run[0];
    guint8 level = TREE_RUN_LEVEL;
    while (t->depth && t->level[t->depth - 1] == level) {
        v = t->value[--t->depth] + v;
        level++;
    }
    t->value[t->depth] = v;
    t->level[t->depth++] = level;
    t->n_run = 0;
}

static inline void tree_add(TileTree *t, float p)
{
    t->run[t->n_run++] = p;
    if (t->n_run == TREE_RUN)
        tree_flush(t);
}

static float tree_root(TileTree *t)
{
    float p;
    if (t->n_run) {
        tree_combine(t->run, t->n_run);
        p = t->run[0];
    } else if (t->depth) {
        p = t->value[--t->depth];
    } else {
        return 0.0f;
    }
    while (t->depth)
        p = t->value[--t->depth] + p;
    return p;
}

float nl_ref_tile_tree_f32(const float *partials, gsize n_tiles)
{
    TileTree t;
    t.depth = t.n_run = 0;
    for (gsize i = 0; i < n_tiles; i += TREE_RUN) {
        t.n_run = (guint)MIN((gsize)TREE_RUN, n_tiles - i);
        memcpy(t.run, partials + i, t.n_run * sizeof(float));
        if (t.n_run == TREE_RUN)
            tree_flush(&t);
    }
    return tree_root(&t);
}

/* out[t] = nl_ref_sum_f32 of tile t, for `count` full tiles of x. Four
 * tiles side by side: four independent chains, each its own tile left to
 * right. */
static void tile_sums(const float *x, gsize tile, gsize count, float *out)
{
    gsize t = 0;
    for (; t + 4 <= count; t += 4) {
        const float *t0 = x + t * tile, *t1 = t0 + tile, *t2 = t1 + tile,
                    *t3 = t2 + tile;
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (gsize e = 0; e < tile; e++) {
            s0 += t0[e];
            s1 += t1[e];
            s2 += t2[e];
            s3 += t3[e];
        }
        out[t] = s0;
        out[t + 1] = s1;
        out[t + 2] = s2;
        out[t + 3] = s3;
    }
    for (; t < count; t++)
        out[t] = nl_ref_sum_f32(x + t * tile, tile);
}

float nl_ref_tiled_sum_f32(const float *x, gsize n, gsize tile)
{
    g_return_val_if_fail(tile > 0, NAN);
    TileTree t;
    t.depth = t.n_run = 0;
    gsize full = n / tile;
    for (gsize i = 0; i < full; i += TREE_RUN) {
        t.n_run = (guint)MIN((gsize)TREE_RUN, full - i);
        tile_sums(x + i * tile, tile, t.n_run, t.run);
        if (t.n_run == TREE_RUN)
            tree_flush(&t);
    }
    if (n % tile)
        tree_add(&t, nl_ref_sum_f32(x + full * tile, n % tile));
    return tree_root(&t);
}

/* ---- copy ---- */

void nl_ref_copy_f32(float *dst, const float *src, gsize n)
{
    if (n)
        memmove(dst, src, n * sizeof(float));
}
