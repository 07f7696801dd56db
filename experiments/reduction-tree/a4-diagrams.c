/* a4-diagrams.c — figure A4: the tree of additions of one tiled sum.
 *
 * run_common draws each diagram_ctx's tree from the model (tree.c) as
 * nodes and edges: tiles at level 0, each addition one level above the
 * higher of its two operands, so that gnuplot can draw it with points and
 * vectors. run_backend computes the same sums with the job's tiled_sum and
 * sets them against the model, the sequential sum and the exact sum; a
 * sum beyond the error bound of every order of additions (numlab/bound.h)
 * is a backend fault, reported and marked in its row (fault = 1), and so
 * is one whose kernel gets the exact probe (numlab/probe.h) of the same
 * num_ctx and tile wrong. */
#include "config.h"

#include "reduction-tree.h"

gboolean rt_diagrams(NlRun *run, const RtConfig *c, const float *x,
                     GError **error)
{
    (void)error;
    gsize tile = (gsize)c->diagram_tile;
    NlTable *nodes = nl_run_table(run, "a4-nodes",
                                  "num_ctx:int tile:int level:int x:f64 "
                                  "lo:int hi:int count:int value:f32 "
                                  "kind:str");
    NlTable *edges = nl_run_table(run, "a4-edges",
                                  "num_ctx:int x_child:f64 level_child:int "
                                  "x_parent:f64 level_parent:int");
    nl_table_set_title(nodes, "the tile tree: tiles (level 0) and the "
                              "additions above them, one dataset per num_ctx");
    nl_table_set_title(edges, "the tile tree's edges, child to parent, one "
                              "dataset per num_ctx");
    nl_table_add_note(nodes, "kind",
                      "tile: a full tile summed left to "
                      "right; rest: the shorter last tile; "
                      "sum: an addition of two partials; "
                      "root: the result");
    for (gsize d = 0; d < c->n_diagram_ctx; d++) {
        gsize n = (gsize)c->diagram_ctx[d], count;
        g_autofree char *label = g_strdup_printf(
            "num_ctx %" G_GSIZE_FORMAT ", tile %" G_GSIZE_FORMAT, n, tile);
        /* every dataset labelled, and kept when empty: a one-tile tree
         * has no edges, and the next tree's edges must not move up */
        nl_table_new_dataset(nodes, label);
        nl_table_new_dataset(edges, label);
        g_autofree RtNode *tree = rt_tree_nodes(x, n, tile, &count);
        for (gsize i = 0; i < count; i++) {
            const RtNode *v = &tree[i];
            const char *kind = v->parent < 0          ? "root"
                               : v->level > 0         ? "sum"
                               : v->hi - v->lo < tile ? "rest"
                                                      : "tile";
            nl_table_add_int(nodes, (gint64)n);
            nl_table_add_int(nodes, (gint64)tile);
            nl_table_add_int(nodes, v->level);
            nl_table_add_f64(nodes, v->x);
            nl_table_add_int(nodes, (gint64)v->lo);
            nl_table_add_int(nodes, (gint64)v->hi);
            nl_table_add_int(nodes, (gint64)(v->hi - v->lo));
            nl_table_add_f32(nodes, v->value);
            nl_table_add_str(nodes, kind);
            if (v->parent >= 0) {
                const RtNode *up = &tree[v->parent];
                nl_table_add_int(edges, (gint64)n);
                nl_table_add_f64(edges, v->x);
                nl_table_add_int(edges, v->level);
                nl_table_add_f64(edges, up->x);
                nl_table_add_int(edges, up->level);
            }
        }
    }
    return TRUE;
}

gboolean rt_diagrams_backend(NlRun *run, const RtConfig *c, const float *x,
                             NlBuffer *buf, const NlProbe *probe,
                             GError **error)
{
    NlBackend *b = nl_run_backend(run);
    gsize tile = (gsize)c->diagram_tile;
    NlTable *t = nl_run_table(run, "a4-backends",
                              "num_ctx:int tile:int tiles:int rest:int "
                              "tree:f32 bits:hex model:f32 ulps_model:int "
                              "sequential:f32 ulps_seq:int exact:f32 "
                              "ulps_exact:int fault:int");
    nl_table_set_title(t, "each diagram's sum by the backend's tiled_sum");
    nl_table_add_note(t, "ulps",
                      "signed distance in float32 ulps from the "
                      "model, the sequential and the exact sum: "
                      "positive means the tree's sum is larger");
    nl_table_add_note(t, "fault",
                      "1: the tree's sum lies beyond the error "
                      "bound of every order of additions, "
                      "gamma(n-1) * sum |x_i|, or the same "
                      "tiled_sum gets integers that every order "
                      "sums exactly wrong at this num_ctx and "
                      "tile (numlab/probe.h): a backend fault, "
                      "not rounding");
    gboolean ok = TRUE;
    for (gsize d = 0; ok && d < c->n_diagram_ctx; d++) {
        gsize n = (gsize)c->diagram_ctx[d];
        float tree;
        ok = nl_backend_tiled_sum(b, buf, n, tile, &tree, error);
        if (!ok)
            break;
        float model = nl_ref_tiled_sum_f32(x, n, tile);
        float seq = nl_ref_sum_f32(x, n), exact = nl_exact_sum_f32(x, n);
        gboolean fault = !nl_run_check_bound(
            run, tree, nl_exact_sum_f32_as_f64(x, n), nl_sum_bound_f32(x, n),
            "A4: tiled_sum of the first %" G_GSIZE_FORMAT
            " values, tile %" G_GSIZE_FORMAT,
            n, tile);
        gboolean probe_exact;
        ok = nl_probe_check_sum(run, probe, n, tile, "A4", &probe_exact, error);
        if (!ok)
            break;
        fault = fault || !probe_exact;
        nl_table_add_int(t, (gint64)n);
        nl_table_add_int(t, (gint64)tile);
        nl_table_add_int(t, (gint64)rt_tile_count(n, tile));
        nl_table_add_int(t, (gint64)(n % tile));
        nl_table_add_f32(t, tree);
        nl_table_add_hex(t, nl_f32_bits(tree));
        nl_table_add_f32(t, model);
        nl_table_add_int(t, nl_ulp_diff_f32(model, tree));
        nl_table_add_f32(t, seq);
        nl_table_add_int(t, nl_ulp_diff_f32(seq, tree));
        nl_table_add_f32(t, exact);
        nl_table_add_int(t, nl_ulp_diff_f32(exact, tree));
        nl_table_add_int(t, fault);
    }
    return ok;
}
