/* reduction-tree.c — the reduction-tree experiment's descriptor and
 * parameters: how the shape of a parallel sum — tile size, context length,
 * batch size, thread count — changes its bits (lecture figures A4, A5, A7).
 *
 *   run_common   checks every parameter, then the backend-independent
 *                model: A4's tree diagrams and A5's sequential, exact and
 *                tree-model sums over the whole num_ctx sweep;
 *   run_backend  the same sums by the job's tiled_sum (A4, A5) and one row
 *                of a matrix product inside batches of every size (A7);
 *   run_compare  A7 across jobs: which thread counts and modes agree. */
#include "config.h"

#include "reduction-tree.h"

#include <string.h>

/* One line, FALSE (numlab/error.h): "parameter 'NAME': ...", where NAME
 * is a string literal. */
#define param_error(error, name, ...)                                          \
    nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,                \
            "parameter '" name "': " __VA_ARGS__)

static gint64 list_max(const gint64 *v, gsize n)
{
    gint64 m = v[0];
    for (gsize i = 1; i < n; i++)
        m = MAX(m, v[i]);
    return m;
}

static gint64 range_points(const RtRange *r)
{
    return (r->to - r->from) / r->step + 1;
}

/* FALSE with an error when `bytes` exceed the memory available. */
static gboolean fits_memory(double bytes, const char *name, const char *what,
                            GError **error)
{
    g_autofree char *whose = g_strdup_printf("parameter '%s': %s", name, what);
    return nl_memory_check(bytes, whose, error);
}

gboolean rt_config(const NlParams *p, RtConfig *c, GError **error)
{
    nl_params_get_int_range(p, "num_ctx", &c->ctx.from, &c->ctx.to,
                            &c->ctx.step);
    nl_params_get_int_range(p, "batch", &c->batch.from, &c->batch.to,
                            &c->batch.step);
    c->tiles = nl_params_get_int_list(p, "tiles", &c->n_tiles);
    c->table_ctx = nl_params_get_int_list(p, "table_ctx", &c->n_table_ctx);
    c->table_tile = nl_params_get_int(p, "table_tile");
    c->diagram_ctx =
        nl_params_get_int_list(p, "diagram_ctx", &c->n_diagram_ctx);
    c->diagram_tile = nl_params_get_int(p, "diagram_tile");
    c->a7_k = nl_params_get_int(p, "a7_k");
    c->a7_n = nl_params_get_int(p, "a7_n");
    c->row_last = g_strcmp0(nl_params_get_string(p, "row"), "last") == 0;
    c->reduce_n = nl_params_get_int(p, "reduce_n");
    gsize n_names;
    const char *const *names =
        nl_params_get_string_list(p, "precision", &n_names);
    c->precisions[0] = NL_PRECISION_F32; /* A7 itself */
    c->n_precisions = 1;
    for (gsize i = 0; i < n_names; i++) {
        NlPrecision q = NL_PRECISION_F32;
        /* choices: known names, each once */
        nl_precision_from_name(names[i], &q);
        c->precisions[c->n_precisions++] = q;
    }

    /* A tile is a share of one context: one larger than the context it
     * splits is a mistake, not a one-tile tree. */
    for (gsize i = 0; i < c->n_tiles; i++)
        if (c->tiles[i] > c->ctx.to)
            return param_error(
                error, "tiles",
                "tile %" G_GINT64_FORMAT
                " is larger than the largest num_ctx, %" G_GINT64_FORMAT,
                c->tiles[i], c->ctx.to);
    if (c->table_tile > list_max(c->table_ctx, c->n_table_ctx))
        return param_error(error, "table_tile",
                           "tile %" G_GINT64_FORMAT
                           " is larger than every table_ctx",
                           c->table_tile);
    for (gsize i = 0; i < c->n_diagram_ctx; i++)
        if (c->diagram_tile > c->diagram_ctx[i])
            return param_error(error, "diagram_tile",
                               "tile %" G_GINT64_FORMAT
                               " is larger than num_ctx %" G_GINT64_FORMAT,
                               c->diagram_tile, c->diagram_ctx[i]);

    c->n_values =
        (gsize)MAX(c->ctx.to, MAX(list_max(c->table_ctx, c->n_table_ctx),
                                  list_max(c->diagram_ctx, c->n_diagram_ctx)));
    /* The sweep's peak, in the backend phase: the values, the backend's
     * copy, the exact probe (numlab/probe.h), the exact and running
     * prefix sums and the magnitudes of the error bounds, and what they
     * are built from: 60 bytes a value in all (measured as peak RSS less
     * that of a run of 4096 values: 58.8 bytes a value at 10^7 and at
     * 2·10^7 values, one naive job); and 24 more: the common phase's
     * tables, which a job receives and holds (the common phase's kept
     * bytes, A7's exact values, keep the request they arrive in alive:
     * 165 MB at num_ctx=1:2000000:100000, 123 MB before A7's values
     * travelled). Every sweep point of every tile is a row of 8 cells,
     * kept per job and written as text: about 200 bytes. */
    double sweep_rows = (double)range_points(&c->ctx) * (double)c->n_tiles;
    if (!fits_memory(84.0 * (double)c->n_values + 200.0 * sweep_rows, "num_ctx",
                     "its values, probe and sweep rows", error))
        return FALSE;
    /* A7 holds its float32 inputs, B, B transposed and the pool of rows,
     * and the reductions' values throughout (8 bytes a weight, 4 a pool
     * value, 8 a reduction value). Besides: 18 bytes a weight (the
     * backend's B and B transposed, the uploads' staging) and 44 a batch
     * row and column (inputs, outputs, their rows in the tables), measured
     * at k = 2048, n = 512 and at batch 1:128 (53 MB in float32 alone, 57
     * with bfloat16 and float16 besides, 74 with float64 as well); the
     * outputs are kept as doubles, and every row's outputs alone beside
     * them: 16 bytes a batch row and output. Each precision's buffers are
     * freed before the next one's: a 16-bit type adds 2 bytes a weight,
     * float64 16. */
    gsize n16 = 0;
    gboolean f64 = FALSE;
    for (gsize i = 0; i < c->n_precisions; i++) {
        n16 += c->precisions[i] == NL_PRECISION_BF16 ||
               c->precisions[i] == NL_PRECISION_F16;
        f64 = f64 || c->precisions[i] == NL_PRECISION_F64;
    }
    double weights = (double)c->a7_k * (double)c->a7_n;
    double inputs = 8.0 * weights + 4.0 * (double)c->batch.to * (double)c->a7_k;
    double values = 8.0 * (double)c->reduce_n; /* the reductions' */
    double batch_bytes =
        inputs + (18.0 + 2.0 * (double)n16 + (f64 ? 16.0 : 0.0)) * weights +
        44.0 * (double)c->batch.to * (double)(c->a7_k + c->a7_n) +
        16.0 * (double)c->batch.to * (double)c->a7_n;
    /* A7's reductions: their values, and two vectors in the backend and
     * their upload's staging, 12 bytes a value (24 in float64), or later
     * their exact probe (537 MB at reduce_n = 16000000 with float64, 526
     * estimated). Each parameter's check counts its own part; the peak
     * both, since A7 holds both throughout. */
    double reduce_bytes =
        values + MAX((f64 ? 24.0 : 12.0) * (double)c->reduce_n,
                     nl_probe_bytes((gsize)c->reduce_n, NL_PROBE_DOT));
    c->peak_bytes = MAX(84.0 * (double)c->n_values + 200.0 * sweep_rows,
                        MAX(batch_bytes + values, reduce_bytes + inputs));
    c->sweep_rows = sweep_rows;
    return fits_memory(batch_bytes, "batch", "its matrices", error) &&
           fits_memory(reduce_bytes, "reduce_n", "its vectors and probe",
                       error);
}

/* The sum of num_ctx over the sweep's points. */
static double sweep_values(const RtRange *r)
{
    double points = (double)range_points(r);
    return points *
           ((double)r->from + (double)(r->from + (points - 1) * r->step)) / 2.0;
}

/* Memory from rt_config; time measured on the naive backend (AMD EPYC,
 * Zen 4): 0.3 us a value in the common phase, 0.67 us in a job (the exact
 * probe), 1.8 ns a value summed in the sweep, 0.2 ns a multiply-add of
 * A7's batches in float32 and 0.8 ns more in each other precision
 * (conversions, outputs as doubles; 1.1 to 2 s a precision at the
 * defaults), 50 ns a value of its reductions (the inputs, the kernels,
 * the probe). A7's exact values are the common phase's, in each
 * precision: 70 ns a term of the k-long exact dot of every output (0.07
 * s at the defaults), 34 ns a value of the reductions' exact sum and 70
 * of their exact dot (0.1 s). */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    RtConfig c;
    if (!rt_config(p, &c, error))
        return FALSE;
    double batches = 0.0; /* the batch sizes of the sweep, added */
    for (gint64 b = c.batch.from; b <= c.batch.to; b += c.batch.step)
        batches += (double)b;
    cost->bytes = c.peak_bytes;
    /* A5 per 16-bit type: about 60 bytes a sweep row (two trees) */
    gsize n16 = 0;
    for (gsize i = 0; i < c.n_precisions; i++)
        n16 += c.precisions[i] == NL_PRECISION_BF16 ||
               c.precisions[i] == NL_PRECISION_F16;
    cost->result_bytes = (200.0 + 60.0 * (double)n16) * c.sweep_rows;
    cost->common_seconds =
        3e-7 * (double)c.n_values +
        (double)c.n_precisions * (7e-8 * (double)c.a7_k * (double)c.a7_n +
                                  1.04e-7 * (double)c.reduce_n);
    cost->job_seconds =
        6.7e-7 * (double)c.n_values +
        1.8e-9 * sweep_values(&c.ctx) * (double)c.n_tiles / 5.0 +
        (2e-10 + 8e-10 * (double)(c.n_precisions - 1)) * batches *
            (double)c.a7_k * (double)c.a7_n +
        5e-8 * (double)c.reduce_n;
    return TRUE;
}

/* Every phase starts alike: the parameters checked, then the values. */
static float *prepare(NlRun *run, RtConfig *c, GError **error)
{
    return rt_config(nl_run_params(run), c, error)
               ? nl_normal_values_f32(nl_run_seed(run), c->n_values, error)
               : NULL;
}

/* ---- A7's common values: computed once, read by every job ---- */

/* The kept bytes: A7's doubles, every precision's part in turn; the
 * parameters alone fix the layout. */
static gsize common_size(const RtConfig *c)
{
    return c->n_precisions * rt_batch_common_doubles(c) * sizeof(double);
}

static gboolean common_keep(NlRun *run, const RtConfig *c, GError **error)
{
    double *values = nl_alloc(common_size(c), 1, error);
    if (!values || !rt_batch_common(c, nl_run_seed(run), values, error)) {
        nl_free(values);
        return FALSE;
    }
    g_autoptr(GBytes) kept =
        g_bytes_new_with_free_func(values, common_size(c), nl_free, values);
    nl_run_keep_bytes(run, kept);
    return TRUE;
}

static void common_clear(double **common)
{
    for (gsize i = 0; i < NL_N_PRECISIONS; i++)
        nl_free(common[i]);
}

/* A job's copy of the common values, one block per precision (aligned,
 * whatever the bytes are). */
static gboolean common_read(NlRun *run, const RtConfig *c,
                            double *common[NL_N_PRECISIONS], GError **error)
{
    memset(common, 0, NL_N_PRECISIONS * sizeof *common);
    GBytes *kept = nl_run_common_bytes(run);
    gsize size = 0;
    const guint8 *bytes = kept ? g_bytes_get_data(kept, &size) : NULL;
    if (size != common_size(c))
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                       "the common phase left %" G_GSIZE_FORMAT
                       " bytes of exact values, not %" G_GSIZE_FORMAT,
                       size, common_size(c));
    gsize part = rt_batch_common_doubles(c);
    for (gsize q = 0; q < c->n_precisions; q++) {
        if (!(common[q] = nl_alloc(part, sizeof(double), error))) {
            common_clear(common);
            return FALSE;
        }
        memcpy(common[q], bytes + q * part * sizeof(double),
               part * sizeof(double));
    }
    return TRUE;
}

static gboolean run_common(NlRun *run, GError **error)
{
    RtConfig c;
    float *x = prepare(run, &c, error);
    if (!x)
        return FALSE;
    gboolean ok =
        rt_diagrams(run, &c, x, error) && rt_sweep_common(run, &c, x, error) &&
        rt_sweep_precision(run, &c, x, error) && common_keep(run, &c, error);
    nl_free(x);
    return ok;
}

static gboolean run_backend(NlRun *run, GError **error)
{
    RtConfig c;
    float *x = prepare(run, &c, error);
    if (!x)
        return FALSE;
    NlBackend *b = nl_run_backend(run);
    NlBuffer *buf = nl_backend_new_from(b, x, c.n_values, error);
    /* one probe for A4 and A5: every sum they take is of a prefix */
    NlProbe *probe =
        buf ? nl_probe_new(b, c.n_values, NL_PROBE_SUM, error) : NULL;
    gboolean ok = probe && rt_diagrams_backend(run, &c, x, buf, probe, error) &&
                  rt_sweep_backend(run, &c, x, buf, probe, error);
    nl_probe_free(probe);
    if (buf)
        nl_backend_free(b, buf);
    nl_free(x);
    double *common[NL_N_PRECISIONS];
    if (!ok || !common_read(run, &c, common, error))
        return FALSE;
    ok = rt_batch_backend(run, &c, (const double *const *)common, error);
    common_clear(common);
    return ok;
}

static const NlParamSpec params[] = {
    {"num_ctx", NL_PARAM_INT_RANGE, "1:4096", 1, G_GINT64_CONSTANT(1) << 40,
     "A5: the context lengths of the sweep", NULL, NULL},
    {"tiles", NL_PARAM_INT_LIST, "32,64,128,256,512", 1, 1 << 30,
     "A5: tile sizes of the sweep (a tile is one thread block's share)", NULL,
     NULL},
    {"table_ctx", NL_PARAM_INT_LIST, "512,1023,1024,2048,4096", 1,
     G_GINT64_CONSTANT(1) << 40,
     "A5: the context lengths of the table (and their n-1 neighbours)", NULL,
     NULL},
    {"table_tile", NL_PARAM_INT, "128", 1, 1 << 30, "A5: the table's tile",
     NULL, NULL},
    {"diagram_ctx", NL_PARAM_INT_LIST, "1024,1023,2048", 1, 1 << 20,
     "A4: one tree diagram per context length", NULL, NULL},
    {"diagram_tile", NL_PARAM_INT, "128", 1, 1 << 20, "A4: the diagrams' tile",
     NULL, NULL},
    {"batch", NL_PARAM_INT_RANGE, "1:64", 1, 1 << 20, "A7: batch sizes M", NULL,
     NULL},
    {"a7_k", NL_PARAM_INT, "2048", 1, 1 << 20,
     "A7: inner dimension of the product (a row's length)", NULL, NULL},
    {"a7_n", NL_PARAM_INT, "512", 1, 1 << 20,
     "A7: output dimension (outputs per row)", NULL, NULL},
    {"row", NL_PARAM_STRING, "last", 0, 0,
     "A7: where the observed row sits in its batch", "first|last", NULL},
    {"reduce_n", NL_PARAM_INT, "1048576", 1, G_GINT64_CONSTANT(1) << 32,
     "A7: length of the sum and dot product compared across thread counts",
     NULL, NULL},
    {"precision", NL_PARAM_STRING_LIST, "bfloat16,float16", 0, 0,
     "A5 and A7: precisions computed besides float32. A5: the values stored "
     "in each 16-bit type, the trees summed in it and in float32; A7: the "
     "same values stored in each, summed in float32 (float64 in float64), "
     "outputs written in it; empty: float32 only",
     "bfloat16|float16|float64", NL_PARAM_EXT(.flags = NL_PARAM_MAY_BE_EMPTY)},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "Reduction trees: tile size, context length and batch size "
             "change the sum",
    .description =
        "A4: the tree of additions a tiled parallel sum performs — each tile "
        "summed by itself, the tile partials added in pairs — drawn as nodes "
        "and edges for each diagram_ctx, and computed by every backend's "
        "tiled_sum (on CUDA one thread block per tile). A5: the same sum "
        "over the first num_ctx values for every num_ctx of the sweep and "
        "every tile size, against the sequential and the exact (MPFR) sum "
        "in ULPs; the table_ctx table; what one more value does to the sum. "
        "A7: one row of A·B computed inside batches of every size M, by gemm "
        "and by gemv: how many of its outputs change their bits, and by how "
        "many ULPs; across jobs, which thread counts and modes agree. With "
        "`precision` (bfloat16,float16 by default) A5's trees are also "
        "summed in each 16-bit type and A7 is repeated with the values "
        "stored in it. Run "
        "the backends at several thread counts and with batch_invariant=1 "
        "to see the fix, e.g. -b openmp:threads=1,openmp:threads=2,"
        "openmp:threads=2:batch_invariant=1. Inputs are numlab's seeded "
        "normal stream, identical on every backend.",
    .params = params,
    .run_common = run_common,
    .run_backend = run_backend,
    .run_compare = rt_batch_compare,
    .estimate = estimate,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT, .name = "reduction-tree",
                 .version = PACKAGE_VERSION,
                 .summary =
                     "A4, A5, A7: tile trees, num_ctx sweeps, batch invariance",
                 .experiment = &ops, )
