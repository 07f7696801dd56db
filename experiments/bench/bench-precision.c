/* bench-precision.c — the benchmark in every precision (kernel
 * "precision" of `numlab bench`).
 *
 * Per backend, each timed interleaved with the backend's own float32
 * kernel on the same sizes (bench_time_pair), so that the ratio says what
 * the precision costs or gains on this backend under the same load:
 *   gemm n x n x n (`precision_gemm_sizes`): bfloat16 data with float32
 *     accumulation, float16 likewise, LayerCast (float32 activations times
 *     bfloat16 weights, float32 arithmetic), pure bfloat16 (bfloat16
 *     accumulation and output), float64; GFLOP/s against float32 gemm's;
 *   sum of `precision_sum_size` values: bfloat16 and float16 data in
 *     float32, float32 data in float64; GB/s of the data read against
 *     float32 sum's (a 16-bit sum reads half the bytes: ratio 2 is the
 *     bandwidth bound).
 * A combination the backend declines runs as numlab's exact emulation,
 * and its row says so (note "reference"): then the ratio measures the
 * emulation. The inputs are small integers whose products and partial
 * sums are exact in every accumulation here except bfloat16, so every
 * result but the pure bfloat16 one is checked exactly after its warm-up
 * call; a wrong one is a backend fault. Each row has the spread of its
 * rounds (the interquartile range of the pairs' ratios over their median,
 * as in bench-results), and says so in its note beyond 5 %. */
#include "config.h"

#include "bench-precision.h"
#include "bench-sweep.h"

#include <math.h>
#include <string.h>

typedef struct {
    const char *name;
    NlPrecision a, b, acc, out;
} Mode;

static const Mode gemm_modes[] = {
    {"bfloat16", NL_PRECISION_BF16, NL_PRECISION_BF16, NL_PRECISION_F32,
     NL_PRECISION_F32},
    {"float16", NL_PRECISION_F16, NL_PRECISION_F16, NL_PRECISION_F32,
     NL_PRECISION_F32},
    {"layercast", NL_PRECISION_F32, NL_PRECISION_BF16, NL_PRECISION_F32,
     NL_PRECISION_F32},
    {"bfloat16-pure", NL_PRECISION_BF16, NL_PRECISION_BF16, NL_PRECISION_BF16,
     NL_PRECISION_BF16},
    {"float64", NL_PRECISION_F64, NL_PRECISION_F64, NL_PRECISION_F64,
     NL_PRECISION_F64},
};

static const Mode sum_modes[] = {
    {"bfloat16", NL_PRECISION_BF16, 0, NL_PRECISION_F32, 0},
    {"float16", NL_PRECISION_F16, 0, NL_PRECISION_F32, 0},
    {"float64-accumulation", NL_PRECISION_F32, 0, NL_PRECISION_F64, 0},
};

/* One kernel call, in a precision or in float32. */
typedef struct {
    NlBackend *b;
    gboolean gemm;
    gsize n;
    NlPrecision acc;
    NlBuffer *x, *y, *out;
    double result;
} Call;

static gboolean call_run(gpointer data, GError **error)
{
    Call *c = data;
    if (c->gemm)
        return nl_backend_gemm_in(c->b, c->n, c->n, c->n, c->x, c->n, c->y,
                                  c->n, c->out, c->n, c->acc, error);
    return nl_backend_sum_in(c->b, c->x, c->n, c->acc, &c->result, error);
}

static void call_clear(Call *c)
{
    nl_backend_free(c->b, c->x);
    nl_backend_free(c->b, c->y);
    nl_backend_free(c->b, c->out);
}

/* Small integers: a[i][p] = (i + p) % 5 - 2, b[p][j] = (3p + j) % 5 - 2
 * (products at most 4, sums of n <= 4096 of them below 2^24), and a
 * vector (i % 3) - 1, that is -1, 0, 1 repeated (every partial sum -1 or
 * 0, the total -1 or 0). */
static double a_value(gsize i, gsize p)
{
    return (double)((i + p) % 5) - 2;
}

static double b_value(gsize p, gsize j)
{
    return (double)((3 * p + j) % 5) - 2;
}

static NlBuffer *matrix(NlBackend *b, NlPrecision type, gsize n, gboolean a,
                        GError **error)
{
    g_autofree double *v = g_new(double, n *n);
    for (gsize i = 0; i < n; i++)
        for (gsize j = 0; j < n; j++)
            v[i * n + j] = a ? a_value(i, j) : b_value(i, j);
    return nl_backend_new_as(b, type, v, n * n, error);
}

static gboolean setup(Call *c, NlBackend *b, gboolean gemm, gsize n,
                      NlPrecision ta, NlPrecision tb, NlPrecision acc,
                      NlPrecision out, GError **error)
{
    *c = (Call){.b = b, .gemm = gemm, .n = n, .acc = acc};
    if (gemm) {
        c->x = matrix(b, ta, n, TRUE, error);
        c->y = c->x ? matrix(b, tb, n, FALSE, error) : NULL;
        c->out = c->y ? nl_backend_alloc_as(b, out, n * n, error) : NULL;
        return c->out != NULL;
    }
    g_autofree double *v = g_new(double, n);
    for (gsize i = 0; i < n; i++)
        v[i] = (double)(i % 3) - 1;
    c->x = nl_backend_new_as(b, ta, v, n, error);
    return c->x != NULL;
}

/* After the warm-up call: corners of C against their exact integer
 * dots, or the sum against its exact value. */
static gboolean check(NlRun *run, Call *c, const char *what, gboolean *fault,
                      GError **error)
{
    *fault = FALSE;
    if (!call_run(c, error))
        return FALSE;
    gsize n = c->n;
    if (!c->gemm) {
        double want = n % 3 ? -1 : 0; /* -1, 0, 1 repeated */
        if (c->result != want) {
            nl_run_fault(run,
                         "bench %s: sum of %zu values gives %.17g, exact "
                         "%.17g",
                         what, n, c->result, want);
            *fault = TRUE;
        }
        return TRUE;
    }
    g_autofree double *got = g_new(double, n *n);
    if (!nl_backend_download_values(c->b, c->out, got, n * n, error))
        return FALSE;
    const gsize corners[][2] = {{0, 0}, {0, n - 1}, {n - 1, 0}, {n - 1, n - 1}};
    for (guint k = 0; k < G_N_ELEMENTS(corners) && !*fault; k++) {
        gsize i = corners[k][0], j = corners[k][1];
        double want = 0;
        for (gsize p = 0; p < n; p++)
            want += a_value(i, p) * b_value(p, j);
        double g = got[i * n + j];
        gboolean ok = c->acc == NL_PRECISION_BF16 ? isfinite(g) : g == want;
        if (!ok) {
            nl_run_fault(run,
                         "bench %s: gemm n=%zu c[%zu][%zu] gives %.17g, "
                         "exact %.17g",
                         what, n, i, j, g, want);
            *fault = TRUE;
        }
    }
    return TRUE;
}

static gboolean measure(NlRun *run, NlTable *t, const Mode *m, gboolean gemm,
                        gsize n, double min_time, double max_call,
                        GError **error)
{
    NlBackend *b = nl_run_backend(run);
    Call own, f32;
    gboolean ok = setup(&own, b, gemm, n, m->a, gemm ? m->b : m->a, m->acc,
                        gemm ? m->out : NL_PRECISION_F32, error) &&
                  setup(&f32, b, gemm, n, NL_PRECISION_F32, NL_PRECISION_F32,
                        NL_PRECISION_F32, NL_PRECISION_F32, error);
    double flops = gemm ? 2.0 * n * n * n : 0;
    double bytes = gemm ? 0 : (double)n * nl_precision_size(m->a);
    double f32_bytes = (double)n * 4;
    g_autofree char *note = NULL;
    double s_own = NAN, s_f32 = NAN, spread = NAN;
    gboolean fault = FALSE;
    if (ok) {
        double t0 = nl_time_now();
        ok = check(run, &own, m->name, &fault, error);
        double one = nl_time_now() - t0;
        gboolean fell = nl_backend_last_was_reference(b);
        if (ok && one > max_call)
            note = g_strdup_printf("skipped: one call takes %.1f s", one);
        else if (ok)
            ok = bench_time_pair(call_run, &own, call_run, &f32, min_time,
                                 &s_own, &s_f32, &spread, error);
        if (ok && !note && fell)
            note = g_strdup("reference: the backend declines it, numlab's "
                            "exact emulation runs");
        else if (ok && !note && spread > BENCH_SPREAD_NOTE)
            note = g_strdup_printf("spread %.0f %%: the rounds disagree (the "
                                   "machine is busy)",
                                   100 * spread);
    }
    call_clear(&own);
    call_clear(&f32);
    if (!ok)
        return FALSE;
    double rate = gemm ? flops / s_own / 1e9 : bytes / s_own / 1e9;
    double f32_rate = gemm ? flops / s_f32 / 1e9 : f32_bytes / s_f32 / 1e9;
    nl_table_add_str(t, gemm ? "gemm" : "sum");
    nl_table_add_str(t, m->name);
    nl_table_add_int(t, (gint64)n);
    nl_table_add_f64(t, s_own);
    nl_table_add_f64(t, rate);
    nl_table_add_str(t, gemm ? "GFLOP/s" : "GB/s");
    nl_table_add_f64(t, f32_rate);
    nl_table_add_f64(t, rate / f32_rate);
    nl_table_add_str(t, note ? note : "");
    nl_table_add_int(t, fault);
    nl_table_add_f64(t, spread);
    return TRUE;
}

gboolean bench_precision(NlRun *run, double min_time, double max_call,
                         GError **error)
{
    const NlParams *p = nl_run_params(run);
    gsize n_gemm;
    const gint64 *sizes = bench_sweep_list(p, "precision_gemm_sizes", &n_gemm);
    gsize sum_n = (gsize)bench_sweep_int(p, "precision_sum_size");
    NlTable *t = nl_run_table(run, "bench-precision",
                              "kernel:str precision:str n:int seconds:f64 "
                              "rate:f64 unit:str f32_rate:f64 ratio:f64 "
                              "note:str fault:int spread:f64");
    nl_table_set_title(t, "each precision's kernel against the backend's own "
                          "float32 kernel, timed interleaved");
    nl_table_add_note(t, "precision",
                      "gemm: bfloat16 and float16 data with float32 "
                      "accumulation; layercast: float32 times bfloat16, "
                      "float32 arithmetic; bfloat16-pure: bfloat16 "
                      "accumulation and output; float64. sum: 16-bit data "
                      "in float32, float32 data in float64");
    nl_table_add_note(t, "ratio",
                      "rate / f32_rate: GFLOP/s for gemm, GB/s of data "
                      "read for sum (16-bit data: half the bytes)");
    nl_table_add_note(t, "spread",
                      "interquartile range of the ratios of the pairs of "
                      "rounds over their median");
    for (gsize i = 0; i < n_gemm; i++)
        for (guint k = 0; k < G_N_ELEMENTS(gemm_modes); k++)
            if (!measure(run, t, &gemm_modes[k], TRUE, (gsize)sizes[i],
                         min_time, max_call, error))
                return FALSE;
    for (guint k = 0; k < G_N_ELEMENTS(sum_modes); k++)
        if (!measure(run, t, &sum_modes[k], FALSE, sum_n, min_time, max_call,
                     error))
            return FALSE;
    return TRUE;
}

void bench_precision_results(NlRun *run)
{
    NlTable *t = nl_run_table(run, "bench-precision-results",
                              "backend:str kernel:str precision:str n:int "
                              "rate:f64 unit:str f32_rate:f64 ratio:f64 "
                              "note:str fault:int spread:f64");
    nl_table_set_title(t, "every precision's rate against float32, one "
                          "dataset per backend");
    for (guint j = 0; j < nl_run_n_jobs(run); j++) {
        const NlTable *own = nl_run_job_table(run, j, "bench-precision");
        if (!own)
            continue;
        nl_table_new_dataset(t, nl_run_job_label(run, j));
        for (guint r = 0; r < nl_table_n_rows(own); r++) {
            nl_table_add_str(t, nl_run_job_label(run, j));
            nl_table_add_str(t, nl_table_get_str(own, r, 0));
            nl_table_add_str(t, nl_table_get_str(own, r, 1));
            nl_table_add_int(t, nl_table_get_int(own, r, 2));
            nl_table_add_f64(t, nl_table_get_f64(own, r, 4));
            nl_table_add_str(t, nl_table_get_str(own, r, 5));
            nl_table_add_f64(t, nl_table_get_f64(own, r, 6));
            nl_table_add_f64(t, nl_table_get_f64(own, r, 7));
            nl_table_add_str(t, nl_table_get_str(own, r, 8));
            nl_table_add_int(t, nl_table_get_int(own, r, 9));
            nl_table_add_f64(t, nl_table_get_f64(own, r, 10));
        }
    }
}
