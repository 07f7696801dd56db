/* reduction-tree.h — the parts of the reduction-tree experiment: the tile
 * tree model (tree.c), its diagrams (A4), the num_ctx sweep (A5) and batch
 * invariance (A7), one file per figure. */
#ifndef NL_REDUCTION_TREE_H
#define NL_REDUCTION_TREE_H

#include <numlab/numlab.h>

/* ---- parameters, parsed and checked once per phase (reduction-tree.c) ---- */

typedef struct {
    gint64 from, to, step; /* from <= to, step >= 1 */
} RtRange;

typedef struct {
    RtRange ctx;         /* A5 sweep: num_ctx values */
    const gint64 *tiles; /* A5 sweep: tile sizes */
    gsize n_tiles;
    const gint64 *table_ctx; /* A5 table: its num_ctx rows */
    gsize n_table_ctx;
    gint64 table_tile;
    const gint64 *diagram_ctx; /* A4: one diagram per num_ctx */
    gsize n_diagram_ctx;
    gint64 diagram_tile;
    gsize n_values;    /* values every part reads: the largest num_ctx */
    double peak_bytes; /* a job's largest part, estimated */
    double sweep_rows; /* rows of the sweep's tables */
    RtRange batch;     /* A7: batch sizes M */
    gint64 a7_k, a7_n; /* A7: the product's inner and output size */
    gboolean row_last; /* A7: the observed row is the batch's last */
    gint64 reduce_n;   /* A7: size of the thread-count reductions */
    NlPrecision precisions[NL_N_PRECISIONS]; /* A7: float32 and others */
    gsize n_precisions;
} RtConfig;

/* Reads and validates every parameter; one-line errors name the problem. */
gboolean rt_config(const NlParams *params, RtConfig *config, GError **error);

/* ---- the tile tree model (tree.c) ---- */

/* Tiles of x[0..n): the last holds the rest when tile does not divide n. */
static inline gsize rt_tile_count(gsize n, gsize tile)
{
    return n / tile + (n % tile != 0);
}

/* The model of one num_ctx and tile is nl_ref_tiled_sum_f32
 * (numlab/reference.h): the tree numlab/backend.h defines for tiled_sum,
 * with every tile summed left to right, the order of the naive backend and
 * of the lecture's notebook. */

/* The model for every num_ctx of a range at once: the tiles' running
 * sums are computed once (O(to)), after which each num_ctx costs only its
 * cross-tile tree, O(num_ctx / tile), instead of O(num_ctx).
 * out[i] = nl_ref_tiled_sum_in(acc, x, from + i * step, tile): every
 * addition rounded to acc (float32: nl_ref_tiled_sum_f32; a 16-bit type:
 * x holds its values). */
gboolean rt_tree_sweep(NlPrecision acc, const float *x, const RtRange *ctx,
                       gsize tile, float *out, GError **error);

/* The diagram of one tree: leaves are tiles, inner nodes additions. */
typedef struct {
    int level;    /* 0 for a tile, then the addition's level */
    double x;     /* horizontal position, in tile widths */
    gsize lo, hi; /* the elements it covers, [lo, hi) */
    float value;  /* its partial sum in the model */
    int parent;   /* index of the node it is added into, or -1 */
} RtNode;

/* The nodes of the tree over x[0..n) with tile `tile`; *count receives
 * their number (2 * tiles - 1). Free with g_free. */
RtNode *rt_tree_nodes(const float *x, gsize n, gsize tile, gsize *count);

/* ---- what every job compares with, computed once (run_common) ---- */

/* A7's exact values (MPFR) and error bounds are the same for every job:
 * run_common computes them once and keeps them (nl_run_keep_bytes), and
 * each job reads them back (reduction-tree.c). (A4's and A5's exact sums
 * stay in each job: one MPFR addition a value of x, 0.5 ms with the
 * defaults.) */

/* The doubles of one precision's part of A7's common values. */
gsize rt_batch_common_doubles(const RtConfig *config);
/* A7's common values, every precision's part in turn, into out (as
 * many doubles as n_precisions times rt_batch_common_doubles). Each
 * job's rt_batch_backend reads its part of every precision from
 * common[q], in the order of config->precisions. */
gboolean rt_batch_common(const RtConfig *config, guint64 seed, double *out,
                         GError **error);

/* ---- the figures ---- */

gboolean rt_diagrams(NlRun *run, const RtConfig *config, const float *x,
                     GError **error);
/* The backend phases get the values x in the job's buffer `buf`, and an
 * exact probe (numlab/probe.h) of the same length in the same backend:
 * every tiled_sum of x[0..n) with a tile is repeated on the probe's first
 * n values with that tile, and a wrong probe marks the result a fault. */
gboolean rt_diagrams_backend(NlRun *run, const RtConfig *config, const float *x,
                             NlBuffer *buf, const NlProbe *probe,
                             GError **error);
gboolean rt_sweep_common(NlRun *run, const RtConfig *config, const float *x,
                         GError **error);
/* A5 in each 16-bit type of the `precision` parameter: the model's trees
 * with every addition in the type (a5-precision.c). */
gboolean rt_sweep_precision(NlRun *run, const RtConfig *config, const float *x,
                            GError **error);
gboolean rt_sweep_backend(NlRun *run, const RtConfig *config, const float *x,
                          NlBuffer *buf, const NlProbe *probe, GError **error);
/* A7 in each precision of the `precision` parameter: float32's tables are
 * a7-batch, a7-row, a7-reductions and a7-jobs; another precision's carry
 * its name (a7-batch-bfloat16, ...), and a7-precision sums them up. */
gboolean rt_batch_backend(NlRun *run, const RtConfig *config,
                          const double *const *common, GError **error);
gboolean rt_batch_compare(NlRun *run, GError **error);

#endif /* NL_REDUCTION_TREE_H */
