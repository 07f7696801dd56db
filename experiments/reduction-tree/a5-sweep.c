/* a5-sweep.c — figure A5: the same tile tree over a growing context.
 *
 * For every num_ctx of the sweep and every tile size, the sum of the first
 * num_ctx values as a tile tree, against the sequential sum (what one
 * thread would compute) and the exact sum. run_common writes the
 * backend-independent references and the tree model; run_backend the
 * job's tiled_sum at every point, the table_ctx table, what one more value
 * does to the sum, and a summary per tile.
 *
 * "One more value": S(n) − S(n−1) would be x[n−1] in exact arithmetic.
 * The excess (S(n) − S(n−1)) − x[n−1], in ULPs of S(n), is the part of
 * the change that comes from re-rounding the other n − 1 values: at most
 * half an ULP for the sequential sum, whose only new rounding is its last
 * addition; for a tree, every level above the rest tile rounds anew —
 * with the defaults the model's excess passes half an ULP at about one
 * num_ctx in four (up to 1.5 ULPs), a backend's own order inside the
 * tiles up to about 5.
 *
 * Every tiled_sum of the job is checked against the exact prefix sum: one
 * beyond the error bound of every order of additions (numlab/bound.h) is
 * a backend fault, reported and marked in its rows (fault = 1). Each call
 * is also repeated on the exact probe (numlab/probe.h) with the same
 * num_ctx and tile, and a wrong probe marks the same rows: the bound
 * grows like num_ctx^2, a lost lane's error only like its root. All
 * of them, not a sample: a kernel may be wrong at one num_ctx only (a
 * tail of a few values), and a probe costs what the call it repeats
 * costs, so the backend's sweep takes twice its kernel time: with the
 * defaults milliseconds; at num_ctx=1:65536 0.6 to 1.8 s more per job on
 * the 2-core build machine (naive, blas and openmp: 8.4 s -> 11.7 s for
 * the whole run). The probes stay out of a5-timing. */
#include "config.h"

#include "reduction-tree.h"

#include <math.h>

/* The spacing of floats at v. */
static double ulp_of(float v)
{
    float a = fabsf(v);
    return (double)nextafterf(a, INFINITY) - (double)a;
}

/* ((now − before) − added) in ULPs of now; exact in double for the
 * magnitudes of a sum of normals. */
static double excess_ulps(float now, float before, float added)
{
    return ((double)now - (double)before - (double)added) / ulp_of(now);
}

/* Left-to-right prefix sums: seq[i] = x[0] + ... + x[i]. */
static float *prefix_sequential(const float *x, gsize n, GError **error)
{
    float *seq = nl_alloc_f32(n, error);
    if (seq) {
        float s = 0.0f;
        for (gsize i = 0; i < n; i++)
            seq[i] = s += x[i];
    }
    return seq;
}

static float *prefix_exact(const float *x, gsize n, GError **error)
{
    float *exact = nl_alloc_f32(n, error);
    if (exact)
        nl_exact_prefix_sums_f32(x, n, exact);
    return exact;
}

/* magnitude[i] = |x[0]| + ... + |x[i]|, in double as in numlab/bound.h. */
static double *prefix_magnitudes(const float *x, gsize n, GError **error)
{
    double *m = nl_alloc(n, sizeof(double), error);
    if (m) {
        double s = 0.0;
        for (gsize i = 0; i < n; i++)
            m[i] = s += fabs((double)x[i]);
    }
    return m;
}

/* What a job's tiled_sums are checked against: the exact prefix sums,
 * what a correct tiled_sum may miss them by, and the exact probe. */
typedef struct {
    const float *exact;      /* exact[i]: the sum of x[0..i], as float32 */
    const double *magnitude; /* prefix_magnitudes */
    const NlProbe *probe;    /* as long as x, in the job's backend */
} Checks;

/* Checks a tiled_sum of the first n >= 1 values: against its exact sum,
 * then the same kernel on the probe's first n values with the same tile.
 * *fault: it lies beyond the bound or the probe is wrong (each reported).
 * FALSE with an error only when the probe could not run. The exact sums
 * are known here rounded to float32, half an ulp from the real ones: the
 * bound gamma(n-1) * sum |x_i| (numlab/bound.h) is widened by that half
 * ulp. */
static gboolean check_tree(NlRun *run, const Checks *ck, float tree, gsize n,
                           gsize tile, gboolean *fault, GError **error)
{
    float exact = ck->exact[n - 1];
    double bound =
        nl_gamma_f32(n - 1) * ck->magnitude[n - 1] + 0.5 * ulp_of(exact);
    gboolean within =
        nl_run_check_bound(run, tree, exact, bound,
                           "A5: tiled_sum of the first %" G_GSIZE_FORMAT
                           " values, tile %" G_GSIZE_FORMAT,
                           n, tile);
    gboolean probe_exact;
    if (!nl_probe_check_sum(run, ck->probe, n, tile, "A5", &probe_exact, error))
        return FALSE;
    *fault = !within || !probe_exact;
    return TRUE;
}

/* The sum of the first n values from a prefix array; 0 for n = 0. */
static inline float prefix(const float *sums, gsize n)
{
    return n ? sums[n - 1] : 0.0f;
}

static gsize points_of(const RtRange *r)
{
    return (gsize)((r->to - r->from) / r->step + 1);
}

/* The summed elements of a whole sweep: every num_ctx once per tile. */
static double sweep_elements(const RtConfig *c)
{
    double per_tile = 0;
    for (gint64 n = c->ctx.from; n <= c->ctx.to; n += c->ctx.step)
        per_tile += (double)n;
    return per_tile * (double)c->n_tiles;
}

/* A timing row: the wall time of a whole sweep, and per summed element
 * (what the lecture notebook's Python loop is measured against by
 * peers/reduction-tree.py). */
static void add_timing(NlRun *run, const char *name, const char *title,
                       const RtConfig *c, double seconds)
{
    NlTable *t = nl_run_table(run, name,
                              "tiles:int points:int elements:f64 seconds:f64 "
                              "ns_per_element:f64");
    nl_table_set_title(t, title);
    nl_table_add_int(t, (gint64)c->n_tiles);
    nl_table_add_int(t, (gint64)points_of(&c->ctx));
    nl_table_add_f64(t, sweep_elements(c));
    nl_table_add_f64(t, seconds);
    nl_table_add_f64(t, seconds / sweep_elements(c) * 1e9);
}

gboolean rt_sweep_common(NlRun *run, const RtConfig *c, const float *x,
                         GError **error)
{
    gsize points = points_of(&c->ctx);
    float *seq = prefix_sequential(x, c->n_values, error);
    float *exact = seq ? prefix_exact(x, c->n_values, error) : NULL;
    float *model = exact ? nl_alloc_f32(points, error) : NULL;
    gboolean ok = model != NULL;

    NlTable *ref = nl_run_table(run, "a5-reference",
                                "num_ctx:int sequential:f32 exact:f32 "
                                "ulps_exact:int excess_ulps:f64");
    nl_table_set_title(ref, "the sequential and the exact sum of the first "
                            "num_ctx values");
    NlTable *t = nl_run_table(run, "a5-model",
                              "num_ctx:int tile:int tree:f32 ulps_seq:int "
                              "ulps_exact:int excess_ulps:f64");
    nl_table_set_title(t, "the tile tree model (tiles summed left to right), "
                          "one dataset per tile");
    nl_table_add_note(t, "excess_ulps",
                      "((S(n) - S(n-1)) - x[n-1]) / "
                      "ulp(S(n)): the change one more "
                      "value makes beyond itself");
    for (gsize k = 0; ok && k < points; k++) {
        gsize n = (gsize)(c->ctx.from + (gint64)k * c->ctx.step);
        nl_table_add_int(ref, (gint64)n);
        nl_table_add_f32(ref, seq[n - 1]);
        nl_table_add_f32(ref, exact[n - 1]);
        nl_table_add_int(ref, nl_ulp_diff_f32(exact[n - 1], seq[n - 1]));
        nl_table_add_f64(ref,
                         excess_ulps(seq[n - 1], prefix(seq, n - 1), x[n - 1]));
    }
    NlTable *values = nl_run_table(run, "a5-values", "i:int x:f32 bits:hex");
    nl_table_set_title(values, "the inputs: the first values of numlab's "
                               "seeded normal stream (A4 and A5 sum their "
                               "prefixes)");
    for (gsize i = 0; ok && i < c->n_values; i++) {
        nl_table_add_int(values, (gint64)i);
        nl_table_add_f32(values, x[i]);
        nl_table_add_hex(values, nl_f32_bits(x[i]));
    }
    double model_seconds = 0;
    for (gsize i = 0; ok && i < c->n_tiles; i++) {
        gsize tile = (gsize)c->tiles[i];
        double t0 = nl_time_now();
        ok = rt_tree_sweep(NL_PRECISION_F32, x, &c->ctx, tile, model, error);
        model_seconds += nl_time_now() - t0;
        if (!ok)
            break;
        g_autofree char *label = g_strdup_printf("tile %" G_GSIZE_FORMAT, tile);
        nl_table_new_dataset(t, label);
        for (gsize k = 0; k < points; k++) {
            gsize n = (gsize)(c->ctx.from + (gint64)k * c->ctx.step);
            float before = c->ctx.step == 1 && k > 0
                               ? model[k - 1]
                               : nl_ref_tiled_sum_f32(x, n - 1, tile);
            nl_table_add_int(t, (gint64)n);
            nl_table_add_int(t, (gint64)tile);
            nl_table_add_f32(t, model[k]);
            nl_table_add_int(t, nl_ulp_diff_f32(seq[n - 1], model[k]));
            nl_table_add_int(t, nl_ulp_diff_f32(exact[n - 1], model[k]));
            nl_table_add_f64(t, excess_ulps(model[k], before, x[n - 1]));
        }
    }
    if (ok)
        add_timing(run, "a5-timing-model",
                   "the tree model's whole sweep "
                   "(tree.c: full tiles once, the rest tile grown by one "
                   "addition per num_ctx)",
                   c, model_seconds);
    nl_free(seq);
    nl_free(exact);
    nl_free(model);
    return ok;
}

/* Running totals of one tile's sweep, for its summary row. */
typedef struct {
    gsize points, differ_seq, differ_model, faults;
    gint64 max_seq, max_exact;
    double abs_seq, abs_exact;
} Summary;

static void summarize(Summary *s, gint64 ulps_seq, gint64 ulps_exact,
                      gint64 ulps_model, gboolean fault)
{
    s->points++;
    s->faults += fault;
    s->differ_seq += ulps_seq != 0;
    s->differ_model += ulps_model != 0;
    s->max_seq = MAX(s->max_seq, ABS(ulps_seq));
    s->max_exact = MAX(s->max_exact, ABS(ulps_exact));
    s->abs_seq += (double)ABS(ulps_seq);
    s->abs_exact += (double)ABS(ulps_exact);
}

static void add_summary(NlTable *t, gint64 tile, const Summary *s)
{
    nl_table_add_int(t, tile);
    nl_table_add_int(t, (gint64)s->points);
    nl_table_add_int(t, (gint64)s->differ_seq);
    nl_table_add_int(t, s->max_seq);
    nl_table_add_f64(t, s->abs_seq / (double)s->points);
    nl_table_add_int(t, s->max_exact);
    nl_table_add_f64(t, s->abs_exact / (double)s->points);
    nl_table_add_int(t, (gint64)s->differ_model);
    nl_table_add_int(t, (gint64)s->faults);
}

/* The job's whole sweep: one tiled_sum per point and tile. */
static gboolean sweep(NlRun *run, const RtConfig *c, const float *x,
                      NlBuffer *buf, const float *seq, const Checks *ck,
                      GError **error)
{
    const float *exact = ck->exact;
    NlBackend *b = nl_run_backend(run);
    gsize points = points_of(&c->ctx);
    NlTable *t = nl_run_table(run, "a5-sweep",
                              "num_ctx:int tile:int tree:f32 ulps_seq:int "
                              "ulps_exact:int ulps_model:int "
                              "excess_ulps:f64 fault:int");
    nl_table_set_title(t, "the backend's tiled_sum of the first num_ctx "
                          "values, every tile (tile by tile: filter on "
                          "column 2)");
    nl_table_add_note(t, "fault",
                      "1: the tree's sum, or the sum of one "
                      "value fewer its excess is taken from, "
                      "lies beyond the error bound of every "
                      "order of additions, or the same "
                      "tiled_sum gets integers that every "
                      "order sums exactly wrong at that "
                      "num_ctx and tile (numlab/probe.h): a "
                      "backend fault, not rounding");
    NlTable *sum = nl_run_table(run, "a5-summary",
                                "tile:int points:int differ_seq:int "
                                "max_ulps_seq:int mean_ulps_seq:f64 "
                                "max_ulps_exact:int mean_ulps_exact:f64 "
                                "differ_model:int faults:int");
    nl_table_set_title(sum, "per tile over the sweep: how often and how far "
                            "the tree differs from the sequential sum");
    float *model = nl_alloc_f32(points, error);
    if (!model)
        return FALSE;
    gboolean ok = TRUE;
    double seconds = 0;
    for (gsize i = 0; ok && i < c->n_tiles; i++) {
        gsize tile = (gsize)c->tiles[i];
        ok = rt_tree_sweep(NL_PRECISION_F32, x, &c->ctx, tile, model, error);
        Summary s = {0};
        float before = 0.0f;
        gboolean before_bad = FALSE; /* `before` is a faulty sum */
        for (gsize k = 0; ok && k < points; k++) {
            gsize n = (gsize)(c->ctx.from + (gint64)k * c->ctx.step);
            float tree;
            double t0 = nl_time_now();
            ok = nl_backend_tiled_sum(b, buf, n, tile, &tree, error);
            seconds += nl_time_now() - t0;
            if (ok && !(c->ctx.step == 1 && k > 0) && n > 1)
                ok =
                    nl_backend_tiled_sum(b, buf, n - 1, tile, &before, error) &&
                    check_tree(run, ck, before, n - 1, tile, &before_bad,
                               error);
            gboolean tree_bad;
            ok = ok && check_tree(run, ck, tree, n, tile, &tree_bad, error);
            if (!ok)
                break;
            gboolean fault = tree_bad || (n > 1 && before_bad);
            gint64 u_seq = nl_ulp_diff_f32(seq[n - 1], tree);
            gint64 u_exact = nl_ulp_diff_f32(exact[n - 1], tree);
            gint64 u_model = nl_ulp_diff_f32(model[k], tree);
            nl_table_add_int(t, (gint64)n);
            nl_table_add_int(t, (gint64)tile);
            nl_table_add_f32(t, tree);
            nl_table_add_int(t, u_seq);
            nl_table_add_int(t, u_exact);
            nl_table_add_int(t, u_model);
            nl_table_add_f64(
                t, excess_ulps(tree, n > 1 ? before : 0.0f, x[n - 1]));
            nl_table_add_int(t, fault);
            summarize(&s, u_seq, u_exact, u_model, fault);
            before = tree;
            before_bad = tree_bad;
        }
        if (ok)
            add_summary(sum, (gint64)tile, &s);
        nl_run_progress(run, (double)(i + 1) / (double)c->n_tiles,
                        "num_ctx sweep");
    }
    if (ok)
        add_timing(run, "a5-timing",
                   "the backend's whole sweep: one "
                   "tiled_sum call per num_ctx and tile",
                   c, seconds);
    nl_free(model);
    return ok;
}

/* The table_ctx rows, and what one more value does at each of them. */
static gboolean table(NlRun *run, const RtConfig *c, const float *x,
                      NlBuffer *buf, const float *seq, const Checks *ck,
                      GError **error)
{
    const float *exact = ck->exact;
    NlBackend *b = nl_run_backend(run);
    gsize tile = (gsize)c->table_tile;
    NlTable *t = nl_run_table(run, "a5-table",
                              "num_ctx:int tile:int tiles:int rest:int "
                              "tree:f32 bits:hex model:f32 sequential:f32 "
                              "exact:f32 ulps_seq:int ulps_exact:int "
                              "ulps_model:int fault:int");
    nl_table_set_title(t, "the tile tree at selected context lengths");
    NlTable *more = nl_run_table(run, "a5-one-more",
                                 "num_ctx:int before:f32 tree:f32 "
                                 "change:f64 added:f32 excess:f64 "
                                 "excess_ulps:f64 seq_excess_ulps:f64 "
                                 "fault:int");
    nl_table_set_title(more, "one value more: S(n) - S(n-1) against the "
                             "value x[n-1] that was added");
    gboolean ok = TRUE;
    for (gsize i = 0; ok && i < c->n_table_ctx; i++) {
        gsize n = (gsize)c->table_ctx[i];
        float tree, before = 0.0f;
        gboolean tree_bad, before_bad = FALSE;
        ok = nl_backend_tiled_sum(b, buf, n, tile, &tree, error) &&
             (n == 1 ||
              nl_backend_tiled_sum(b, buf, n - 1, tile, &before, error)) &&
             check_tree(run, ck, tree, n, tile, &tree_bad, error) &&
             (n == 1 ||
              check_tree(run, ck, before, n - 1, tile, &before_bad, error));
        if (!ok)
            break;
        float model = nl_ref_tiled_sum_f32(x, n, tile);
        nl_table_add_int(t, (gint64)n);
        nl_table_add_int(t, (gint64)tile);
        nl_table_add_int(t, (gint64)rt_tile_count(n, tile));
        nl_table_add_int(t, (gint64)(n % tile));
        nl_table_add_f32(t, tree);
        nl_table_add_hex(t, nl_f32_bits(tree));
        nl_table_add_f32(t, model);
        nl_table_add_f32(t, seq[n - 1]);
        nl_table_add_f32(t, exact[n - 1]);
        nl_table_add_int(t, nl_ulp_diff_f32(seq[n - 1], tree));
        nl_table_add_int(t, nl_ulp_diff_f32(exact[n - 1], tree));
        nl_table_add_int(t, nl_ulp_diff_f32(model, tree));
        nl_table_add_int(t, tree_bad);

        nl_table_add_int(more, (gint64)n);
        nl_table_add_f32(more, before);
        nl_table_add_f32(more, tree);
        nl_table_add_f64(more, (double)tree - (double)before);
        nl_table_add_f32(more, x[n - 1]);
        nl_table_add_f64(more,
                         (double)tree - (double)before - (double)x[n - 1]);
        nl_table_add_f64(more, excess_ulps(tree, before, x[n - 1]));
        nl_table_add_f64(more,
                         excess_ulps(seq[n - 1], prefix(seq, n - 1), x[n - 1]));
        nl_table_add_int(more, tree_bad || before_bad);
    }
    return ok;
}

gboolean rt_sweep_backend(NlRun *run, const RtConfig *c, const float *x,
                          NlBuffer *buf, const NlProbe *probe, GError **error)
{
    float *seq = prefix_sequential(x, c->n_values, error);
    float *exact = seq ? prefix_exact(x, c->n_values, error) : NULL;
    double *magnitude = exact ? prefix_magnitudes(x, c->n_values, error) : NULL;
    Checks ck = {exact, magnitude, probe};
    gboolean ok = magnitude && sweep(run, c, x, buf, seq, &ck, error) &&
                  table(run, c, x, buf, seq, &ck, error);
    nl_free(seq);
    nl_free(exact);
    nl_free(magnitude);
    return ok;
}
