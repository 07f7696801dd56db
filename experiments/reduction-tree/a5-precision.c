/* a5-precision.c — figure A5 in bfloat16 and float16: the same tile trees
 * over a growing context, with the values stored in the 16-bit type and
 * every addition rounded to it (the `precision` parameter's 16-bit
 * types).
 *
 * In float32 a tile size changes a sum's last bits (a5-sweep). With every
 * addition rounded to 8 (11) significant bits it changes its first
 * digits: a left-to-right sum stalls once the running sum's spacing
 * outgrows the values, while a tree adds partials of similar size. The
 * same trees with float32 accumulation (as vdpbf16ps and tensor cores
 * sum 16-bit data) are shown beside them.
 *
 * This is numlab's model, computed here as the naive backend and
 * nl_ref_tiled_sum_in compute it (each sum in float, rounded once to the
 * type: exact, since float has more than twice the 16-bit types'
 * digits), not a backend's kernel: blas and openmp decline
 * 16-bit accumulation and run that same reference
 * (describe(), "Precisions"), and the self-check proves every backend's
 * tiled_sum in every precision. Tables, per 16-bit type:
 *   a5-reference-TYPE  num_ctx, the sequential sum in the type, the exact
 *                      sum of the stored values (rounded to float32);
 *   a5-model-TYPE      per tile (one dataset each): the tree in the type,
 *                      the tree in float32, the exact sum again. */
#include "config.h"

#include "reduction-tree.h"

static inline float round_to(NlPrecision p, float v)
{
    return (float)nl_precision_round(p, v);
}

/* A5 in the 16-bit type p. */
static gboolean sweep_in(NlRun *run, const RtConfig *c, const float *x,
                         NlPrecision p, GError **error)
{
    gsize n_values = (gsize)c->ctx.to;
    gsize points = (gsize)((c->ctx.to - c->ctx.from) / c->ctx.step + 1);
    float *xp = nl_alloc_f32(n_values, error);
    float *exact = xp ? nl_alloc_f32(n_values, error) : NULL;
    float *tree = exact ? nl_alloc_f32(points, error) : NULL;
    float *tree32 = tree ? nl_alloc_f32(points, error) : NULL;
    gboolean ok = tree32 != NULL;
    const char *name = nl_precision_name(p);
    if (ok) {
        for (gsize i = 0; i < n_values; i++)
            xp[i] = round_to(p, x[i]);
        nl_exact_prefix_sums_f32(xp, n_values, exact);
        g_autofree char *ref_name = g_strdup_printf("a5-reference-%s", name);
        NlTable *ref =
            nl_run_table(run, ref_name, "num_ctx:int sequential:f32 exact:f32");
        g_autofree char *title = g_strdup_printf(
            "the first num_ctx values in %s: summed left to right in %s, "
            "and exactly",
            name, name);
        nl_table_set_title(ref, title);
        nl_table_add_note(ref, "exact",
                          "the exact sum of the stored values, rounded "
                          "once to float32");
        float seq = 0.0f;
        gsize next = 0; /* index of the next sweep point */
        for (gsize i = 0; i < n_values && next < points; i++) {
            seq = round_to(p, seq + xp[i]);
            if (i + 1 != (gsize)(c->ctx.from + (gint64)next * c->ctx.step))
                continue;
            nl_table_add_int(ref, (gint64)(i + 1));
            nl_table_add_f32(ref, seq);
            nl_table_add_f32(ref, exact[i]);
            next++;
        }
    }
    g_autofree char *model_name = g_strdup_printf("a5-model-%s", name);
    NlTable *t = ok ? nl_run_table(run, model_name,
                                   "num_ctx:int tile:int tree:f32 tree_f32:f32 "
                                   "exact:f32")
                    : NULL;
    if (t) {
        g_autofree char *title = g_strdup_printf(
            "the tile tree of the %s values, every addition in %s (tree) "
            "and in float32 (tree_f32), the exact sum; one dataset per tile",
            name, name);
        nl_table_set_title(t, title);
    }
    for (gsize i = 0; ok && i < c->n_tiles; i++) {
        gsize tile = (gsize)c->tiles[i];
        ok = rt_tree_sweep(p, xp, &c->ctx, tile, tree, error) &&
             rt_tree_sweep(NL_PRECISION_F32, xp, &c->ctx, tile, tree32, error);
        if (!ok)
            break;
        if (i > 0)
            nl_table_new_dataset(t, NULL);
        for (gsize k = 0; k < points; k++) {
            nl_table_add_int(t, c->ctx.from + (gint64)k * c->ctx.step);
            nl_table_add_int(t, (gint64)tile);
            nl_table_add_f32(t, tree[k]);
            nl_table_add_f32(t, tree32[k]);
            nl_table_add_f32(t,
                             exact[c->ctx.from + (gint64)k * c->ctx.step - 1]);
        }
    }
    nl_free(xp);
    nl_free(exact);
    nl_free(tree);
    nl_free(tree32);
    return ok;
}

gboolean rt_sweep_precision(NlRun *run, const RtConfig *c, const float *x,
                            GError **error)
{
    for (gsize i = 0; i < c->n_precisions; i++) {
        NlPrecision p = c->precisions[i];
        if ((p == NL_PRECISION_BF16 || p == NL_PRECISION_F16) &&
            !sweep_in(run, c, x, p, error))
            return FALSE;
    }
    return TRUE;
}
