/* tree.c — the tile tree model: each tile summed left to right, the tile
 * partials combined bottom-up in adjacent pairs (p[i] += p[i + s] for
 * s = 1, 2, 4, ...; numlab/backend.h). The arithmetic is libnumlab's
 * reference (numlab/reference.h), the naive backend's tiled_sum, which is
 * also what the lecture's notebook computes in Python; every backend's
 * result is set against it. This file adds the sweep over many num_ctx
 * and the tree's nodes for the diagrams. */
#include "config.h"

#include "reduction-tree.h"

/* a + b rounded to acc: float32's own addition, or a 16-bit type's,
 * computed in float and rounded once (exact: float has more than twice
 * their digits). */
static inline float add_in(NlPrecision acc, float a, float b)
{
    return acc == NL_PRECISION_F32 ? a + b
                                   : (float)nl_precision_round(acc, a + b);
}

/* The tile tree of partials[0..n) with every addition in acc, in
 * numlab/backend.h's order (p[i] += p[i + s], s = 1, 2, 4, ...);
 * partials are overwritten. In float32 it is libnumlab's reference. */
static float tile_tree_in(NlPrecision acc, float *partials, gsize n)
{
    if (acc == NL_PRECISION_F32)
        return nl_ref_tile_tree_f32(partials, n);
    for (gsize s = 1; s < n; s *= 2)
        for (gsize i = 0; i + s < n; i += 2 * s)
            partials[i] = add_in(acc, partials[i], partials[i + s]);
    return partials[0];
}

gboolean rt_tree_sweep(NlPrecision acc, const float *x, const RtRange *ctx,
                       gsize tile, float *out, GError **error)
{
    gsize to = (gsize)ctx->to;
    /* running[i]: the left-to-right sum of x[i's tile start .. i], so a
     * full tile's partial is running[its last element] and a rest tile's
     * partial is running[n - 1]. */
    float *running = nl_alloc_f32(to, error);
    float *partials =
        running ? nl_alloc_f32(rt_tile_count(to, tile), error) : NULL;
    if (!partials) {
        nl_free(running);
        return FALSE;
    }
    for (gsize i = 0; i < to; i++)
        running[i] = add_in(acc, i % tile == 0 ? 0.0f : running[i - 1], x[i]);
    gsize k = 0;
    for (gint64 v = ctx->from; v <= ctx->to; v += ctx->step) {
        gsize n = (gsize)v, n_tiles = rt_tile_count(n, tile);
        for (gsize t = 0; t < n_tiles; t++)
            partials[t] = running[MIN(n, (t + 1) * tile) - 1];
        out[k++] = tile_tree_in(acc, partials, n_tiles);
    }
    nl_free(running);
    nl_free(partials);
    return TRUE;
}

RtNode *rt_tree_nodes(const float *x, gsize n, gsize tile, gsize *count)
{
    gsize n_tiles = rt_tile_count(n, tile);
    RtNode *nodes = g_new0(RtNode, MAX(2 * n_tiles, 1));
    gsize *slot = g_new(gsize, MAX(n_tiles, 1)); /* node holding p[i] */
    gsize used = 0;
    for (gsize t = 0; t < n_tiles; t++) {
        RtNode *leaf = &nodes[used];
        leaf->level = 0;
        leaf->x = (double)t;
        leaf->lo = t * tile;
        leaf->hi = MIN(n, (t + 1) * tile);
        leaf->value = nl_ref_sum_f32(x + leaf->lo, leaf->hi - leaf->lo);
        leaf->parent = -1;
        slot[t] = used++;
    }
    /* The additions of the tree, one node each, in the order of
     * numlab/backend.h; the root's value is nl_ref_tiled_sum_f32's. */
    int level = 1;
    for (gsize stride = 1; stride < n_tiles; stride *= 2, level++)
        for (gsize i = 0; i + stride < n_tiles; i += 2 * stride) {
            RtNode *left = &nodes[slot[i]], *right = &nodes[slot[i + stride]];
            RtNode *sum = &nodes[used];
            sum->level = level;
            sum->x = (left->x + right->x) / 2;
            sum->lo = left->lo;
            sum->hi = right->hi;
            sum->value = left->value + right->value;
            sum->parent = -1;
            left->parent = right->parent = (int)used;
            slot[i] = used++;
        }
    g_free(slot);
    *count = used;
    return nodes;
}
