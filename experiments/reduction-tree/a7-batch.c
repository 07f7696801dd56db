/* a7-batch.c — figure A7: is a row's result independent of its batch?
 *
 * One row x of A is multiplied by the same B inside batches of M = 1, 2,
 * ... rows (the other rows are other requests). Inference engines do
 * exactly this: a user's tokens share a matrix product with whoever else
 * is being served. If the library picks its blocking, its kernel or its
 * split of k by the shape, the row's outputs change their last bits with
 * M. A single row is also often computed by gemv instead of gemm: a second
 * order. Reductions (sum, dot) may depend on the thread count.
 *
 * run_backend measures what the job's backend does — nothing is assumed:
 *   a7-batch       per M: outputs of the row whose bits differ from the
 *                  batch-1 gemm result, and from gemv; the largest ULPs;
 *   a7-row         the row by batch-1 gemm, by gemv, and exactly (MPFR);
 *   a7-reductions  a sum and a dot product of reduce_n values, for
 *                  comparison across thread counts;
 * run_compare lays the jobs side by side (a7-jobs): with the same inputs,
 * which jobs give identical bits for each kernel.
 *
 * Every output is also checked against its exact value (MPFR): a gemm or
 * gemv output beyond the dot product's error bound, a sum or dot beyond
 * theirs (numlab/bound.h), is a backend fault, reported and marked in its
 * row. The exact values and bounds are the same for every job: run_common
 * computes them once (rt_batch_common: one k-long exact dot per output,
 * and the reductions' exact sum and dot, in every precision) and each job
 * reads them back; each batch's row is then checked against them in O(n).
 * A job generates its float32 inputs once and rounds them to each
 * precision. The sum and the
 * dot product also run on an exact probe of reduce_n values
 * (numlab/probe.h): at reduce_n = 2^20 their bounds are far too loose to
 * see a lost lane, the probe sees any error. gemm and gemv have no probe:
 * at the default k = 2048 their bounds still tell a lost lane (an error
 * near sqrt(k)) from rounding, and a probe of them would need its own
 * exact matrices. */
#include "config.h"

#include "reduction-tree.h"

#include <math.h>
#include <string.h>

/* A7's inputs come from their own stream, so changing the A4/A5 sizes does
 * not change them. */
#define A7_SEED_OFFSET G_GUINT64_CONSTANT(0xa7a7a7a7)

/* ---- values of one precision, held exactly as doubles ---- */

/* The accumulation of a precision's A7: float32 for the 16-bit types, as
 * AVX512-BF16 and tensor cores do; float64 for float64. */
static NlPrecision acc_of(NlPrecision p)
{
    return p == NL_PRECISION_F64 ? NL_PRECISION_F64 : NL_PRECISION_F32;
}

/* |a - b| in ULPs of p, for two values of p. */
static gint64 ulp_distance(NlPrecision p, double a, double b)
{
    switch (p) {
    case NL_PRECISION_F64:
        return nl_ulp_distance_f64(a, b);
    case NL_PRECISION_BF16:
        return nl_ulp_distance_bf16(nl_bf16_from_f64(a), nl_bf16_from_f64(b));
    case NL_PRECISION_F16:
        return nl_ulp_distance_f16(nl_f16_from_f64(a), nl_f16_from_f64(b));
    default:
        return nl_ulp_distance_f32((float)a, (float)b);
    }
}

/* Signed ULPs of p from the value of p nearest the exact one to got:
 * positive when got is larger. */
static gint64 ulps_from_exact(NlPrecision p, double exact, double got)
{
    double e = nl_precision_round(p, exact);
    gint64 d = ulp_distance(p, e, got);
    return got < e && d != NL_ULP_NAN ? -d : d;
}

/* A value of p's bit pattern. */
static guint64 bits_in(NlPrecision p, double v)
{
    switch (p) {
    case NL_PRECISION_F64:
        return nl_f64_bits(v);
    case NL_PRECISION_BF16:
        return nl_bf16_from_f64(v);
    case NL_PRECISION_F16:
        return nl_f16_from_f64(v);
    default:
        return nl_f32_bits((float)v);
    }
}

/* A cell of a value of p: float32 as it always was, the others as doubles
 * (which hold every one of their values exactly). */
static void add_value(NlTable *t, NlPrecision p, double v)
{
    if (p == NL_PRECISION_F32)
        nl_table_add_f32(t, (float)v);
    else
        nl_table_add_f64(t, v);
}

/* gamma_k = k u / (1 - k u) of the accumulation p; +Inf once k u >= 1. */
static double gamma_in(NlPrecision p, gsize k)
{
    double ku = (double)k * nl_precision_unit_roundoff(p);
    return ku < 1 ? ku / (1 - ku) : INFINITY;
}

/* A table's name for precision p: float32 keeps A7's own names. */
static char *table_name(const char *base, NlPrecision p)
{
    return p == NL_PRECISION_F32
               ? g_strdup(base)
               : g_strdup_printf("%s-%s", base, nl_precision_name(p));
}

/* ---- one row inside batches ---- */

typedef struct {
    NlPrecision type; /* of A, B and the outputs */
    NlPrecision acc;  /* of the products' sums */
    gsize k, n, m_max;
    /* the job's float32 inputs (Inputs), borrowed: each upload rounds
     * them once to `type` */
    const float *pool; /* m_max x k: row 0 is the observed row x */
    const float *b;    /* k x n */
    const float *bt;   /* n x k: B transposed, for gemv (y = B^T x) */
    float *batch;      /* m_max x k: the batch being multiplied */
    double *c;         /* m_max x n */
    double *ref;       /* n: x B by gemm in a batch of one */
    double *alone;     /* m_max x n: every pool row by gemm in a batch of one */
    gsize *which;      /* m_max: the pool row at each place of the batch */
    double *gemv;      /* n: x B by gemv */
    /* from run_common (rt_batch_common), borrowed: */
    const double *exact;     /* n: x B exactly (MPFR), rounded to double */
    const double *bound;     /* n: the error bound of each output */
    const double *row_exact; /* n: x B exactly, rounded to `type` */
    NlBuffer *d_batch, *d_b, *d_bt, *d_x, *d_c, *d_y;
} Batch;

static void batch_clear(NlBackend *backend, Batch *s)
{
    NlBuffer **bufs[] = {&s->d_batch, &s->d_b, &s->d_bt,
                         &s->d_x,     &s->d_c, &s->d_y};
    for (guint i = 0; i < G_N_ELEMENTS(bufs); i++)
        if (*bufs[i])
            nl_backend_free(backend, *bufs[i]);
    nl_free(s->batch);
    double **values[] = {&s->c, &s->ref, &s->alone, &s->gemv};
    for (guint i = 0; i < G_N_ELEMENTS(values); i++)
        nl_free(*values[i]);
    nl_free(s->which);
}

/* x[0..n) rounded once to p, in place (float holds every 16-bit value;
 * float32 and float64 keep them as they are). */
static void round_to(NlPrecision p, float *x, gsize n)
{
    if (p == NL_PRECISION_BF16 || p == NL_PRECISION_F16)
        for (gsize i = 0; i < n; i++)
            x[i] = (float)nl_precision_round(p, x[i]);
}

/* A buffer of p holding x[0..n), each value rounded once to p (as
 * round_to rounds it: both are libnumlab's rounding). */
static NlBuffer *new_buffer(NlBackend *backend, NlPrecision p, const float *x,
                            gsize n, GError **error)
{
    NlBuffer *buf = nl_backend_alloc_as(backend, p, n, error);
    if (buf && !nl_backend_upload_rounded(backend, buf, x, n, error)) {
        nl_backend_free(backend, buf);
        return NULL;
    }
    return buf;
}

/* A7's inputs in float32, the same in every phase and precision: B, then
 * the pool of rows (row 0 is the observed row), from A7's own stream. A
 * precision's values are these rounded once to it: by the uploads in a
 * job, by round_to for the exact values in run_common. */
typedef struct {
    float *b;    /* k x n */
    float *bt;   /* n x k: B transposed (a job's gemv), or NULL */
    float *pool; /* m_max x k */
} Inputs;

static void inputs_clear(Inputs *in)
{
    nl_free(in->b);
    nl_free(in->bt);
    nl_free(in->pool);
}

static gboolean inputs_new(const RtConfig *cfg, guint64 seed,
                           gboolean transposed, Inputs *in, GError **error)
{
    gsize k = (gsize)cfg->a7_k, n = (gsize)cfg->a7_n;
    gsize m_max = (gsize)cfg->batch.to;
    memset(in, 0, sizeof *in);
    if (!(in->b = nl_alloc_f32(k * n, error)) ||
        (transposed && !(in->bt = nl_alloc_f32(n * k, error))) ||
        !(in->pool = nl_alloc_f32(m_max * k, error))) {
        inputs_clear(in);
        return FALSE;
    }
    NlRng rng;
    nl_rng_init(&rng, seed + A7_SEED_OFFSET);
    nl_rng_fill_normal_f32(&rng, in->b, k * n);
    nl_rng_fill_normal_f32(&rng, in->pool, m_max * k);
    if (transposed)
        for (gsize p = 0; p < k; p++)
            for (gsize j = 0; j < n; j++)
                in->bt[j * k + p] = in->b[p * n + j];
    return TRUE;
}

/* The reductions' two vectors, x then y, each reduce_n long. */
static float *reduction_values(const RtConfig *cfg, guint64 seed,
                               GError **error)
{
    return nl_normal_values_f32(seed + A7_SEED_OFFSET + 1,
                                2 * (gsize)cfg->reduce_n, error);
}

/* dst[0..n) = src[0..n) rounded once to p. */
static void round_copy(NlPrecision p, float *dst, const float *src, gsize n)
{
    memcpy(dst, src, n * sizeof(float));
    round_to(p, dst, n);
}

/* The layout of one precision's part of rt_batch_common's doubles. */
enum {
    RED_SUM_EXACT, /* the reductions' exact sum, rounded to double */
    RED_DOT_EXACT,
    RED_SUM_BOUND, /* their error bounds */
    RED_DOT_BOUND,
    RED_SUM_F32, /* float32: the exact sum rounded once to float32 */
    RED_DOT_F32,
    RED_VALUES
};

gsize rt_batch_common_doubles(const RtConfig *cfg)
{
    return 3 * (gsize)cfg->a7_n + RED_VALUES;
}

static gboolean batch_setup(NlBackend *backend, const RtConfig *cfg,
                            NlPrecision type, const Inputs *in,
                            const double *common, Batch *s, GError **error)
{
    memset(s, 0, sizeof *s);
    s->type = type;
    s->acc = acc_of(type);
    s->k = (gsize)cfg->a7_k;
    s->n = (gsize)cfg->a7_n;
    s->m_max = (gsize)cfg->batch.to;
    s->exact = common;
    s->bound = common + s->n;
    s->row_exact = common + 2 * s->n;
    s->pool = in->pool;
    s->b = in->b;
    s->bt = in->bt;
    if (!(s->batch = nl_alloc_f32(s->m_max * s->k, error)) ||
        !(s->c = nl_alloc(s->m_max * s->n, sizeof(double), error)) ||
        !(s->ref = nl_alloc(s->n, sizeof(double), error)) ||
        !(s->alone = nl_alloc(s->m_max * s->n, sizeof(double), error)) ||
        !(s->which = nl_alloc(s->m_max, sizeof(gsize), error)) ||
        !(s->gemv = nl_alloc(s->n, sizeof(double), error)))
        return FALSE;
    /* the same normal values in every precision, rounded once to it */
    return (s->d_b = new_buffer(backend, type, s->b, s->k * s->n, error)) &&
           (s->d_bt = new_buffer(backend, type, s->bt, s->n * s->k, error)) &&
           (s->d_x = new_buffer(backend, type, s->pool, s->k, error)) &&
           (s->d_batch =
                nl_backend_alloc_as(backend, type, s->m_max * s->k, error)) &&
           (s->d_c =
                nl_backend_alloc_as(backend, type, s->m_max * s->n, error)) &&
           (s->d_y = nl_backend_alloc_as(backend, type, s->n, error));
}

/* The observed row's outputs in a batch of m, into row_out[0..n). */
static gboolean row_in_batch(NlBackend *backend, const RtConfig *cfg, Batch *s,
                             gsize m, double *row_out, GError **error)
{
    gsize at = cfg->row_last ? m - 1 : 0;
    /* the other requests: pool rows 1, 2, ... around the observed row */
    for (gsize i = 0, other = 1; i < m; i++) {
        s->which[i] = i == at ? 0 : other++;
        memcpy(s->batch + i * s->k, s->pool + s->which[i] * s->k,
               s->k * sizeof(float));
    }
    if (!nl_backend_upload_rounded(backend, s->d_batch, s->batch, m * s->k,
                                   error) ||
        !nl_backend_gemm_in(backend, m, s->n, s->k, s->d_batch, s->k, s->d_b,
                            s->n, s->d_c, s->n, s->acc, error) ||
        !nl_backend_download_values(backend, s->d_c, s->c, m * s->n, error))
        return FALSE;
    memcpy(row_out, s->c + at * s->n, s->n * sizeof(double));
    return TRUE;
}

/* alone[r] = pool row r by gemm in a batch of one, for every r: what
 * every row of a batch is compared with. */
static gboolean rows_alone(NlBackend *backend, Batch *s, GError **error)
{
    for (gsize r = 0; r < s->m_max; r++)
        if (!nl_backend_upload_rounded(backend, s->d_batch, s->pool + r * s->k,
                                       s->k, error) ||
            !nl_backend_gemm_in(backend, 1, s->n, s->k, s->d_batch, s->k,
                                s->d_b, s->n, s->d_c, s->n, s->acc, error) ||
            !nl_backend_download_values(backend, s->d_c, s->alone + r * s->n,
                                        s->n, error))
            return FALSE;
    return TRUE;
}

/* " in bfloat16" for a precision other than float32; "" for it. */
static const char *in_words(NlPrecision p, char buf[32])
{
    if (p == NL_PRECISION_F32)
        return "";
    g_snprintf(buf, 32, " in %s", nl_precision_name(p));
    return buf;
}

/* Checks the row's outputs out[0..n) of `kernel` against the exact row;
 * FALSE when any lies beyond its bound (each such output is a fault). */
static gboolean check_row(NlRun *run, const Batch *s, const double *out,
                          const char *kernel, gboolean *faults)
{
    gboolean all_ok = TRUE;
    char in[32];
    for (gsize j = 0; j < s->n; j++) {
        gboolean ok = nl_run_check_bound(
            run, out[j], s->exact[j], s->bound[j],
            "A7: %s%s, output %" G_GSIZE_FORMAT " (k = %" G_GSIZE_FORMAT ")",
            kernel, in_words(s->type, in), j, s->k);
        if (faults)
            faults[j] = !ok;
        all_ok &= ok;
    }
    return all_ok;
}

/* How many of a[0..n) differ bitwise from b, the largest distance in ULPs
 * of p and the largest relative change |a - b| / |b|. */
static gsize differences(NlPrecision p, const double *a, const double *b,
                         gsize n, gint64 *max_ulps, double *max_rel)
{
    gsize count = 0;
    *max_ulps = 0;
    if (max_rel)
        *max_rel = 0.0;
    for (gsize j = 0; j < n; j++)
        if (nl_f64_bits(a[j]) != nl_f64_bits(b[j])) {
            count++;
            *max_ulps = MAX(*max_ulps, ulp_distance(p, a[j], b[j]));
            if (max_rel && b[j] != 0.0)
                *max_rel = MAX(*max_rel, fabs(a[j] - b[j]) / fabs(b[j]));
        }
    return count;
}

static gboolean batches(NlRun *run, const RtConfig *cfg, Batch *s,
                        GError **error)
{
    NlBackend *backend = nl_run_backend(run);
    g_autofree char *name = table_name("a7-batch", s->type);
    NlTable *t =
        nl_run_table(run, name,
                     "m:int differ:int max_ulps:int "
                     "differ_gemv:int max_ulps_gemv:int fault:int max_rel:f64 "
                     "differ_all:int change_all:f64");
    char in[32];
    g_autofree char *title =
        g_strdup_printf("one row inside batches of m rows%s: outputs whose "
                        "bits differ from the batch-1 gemm and from gemv",
                        in_words(s->type, in));
    nl_table_set_title(t, title);
    nl_table_add_note(t, "row",
                      cfg->row_last ? "the observed row is the "
                                      "batch's last"
                                    : "the observed row is the "
                                      "batch's first");
    g_autofree char *shape =
        g_strdup_printf("k = %" G_GSIZE_FORMAT
                        " (a row's length), n = %" G_GSIZE_FORMAT " outputs",
                        s->k, s->n);
    nl_table_add_note(t, "shape", shape);
    if (s->type != NL_PRECISION_F32) {
        g_autofree char *how = g_strdup_printf(
            "A and B stored in %s, products summed in %s, outputs written "
            "in %s",
            nl_precision_name(s->type), nl_precision_name(s->acc),
            nl_precision_name(s->type));
        nl_table_add_note(t, "precision", how);
    }
    g_autofree char *ulps_note = g_strdup_printf(
        "largest distance among the differing outputs, in ULPs of %s; "
        "outputs near zero after cancellation over k show large ULP counts "
        "for tiny absolute changes",
        nl_precision_name(s->type));
    nl_table_add_note(t, "max_ulps", ulps_note);
    nl_table_add_note(t, "fault",
                      "1: an output of the row in this batch "
                      "lies beyond the error bound of every "
                      "correct dot product, gamma(k) * "
                      "sum |x_i b_i| (and one rounding of the output): "
                      "a backend fault, not rounding");
    nl_table_add_note(t, "max_rel",
                      "largest |change| / |batch-1 value| among the "
                      "outputs that differ from the batch-1 gemm");
    nl_table_add_note(t, "differ_all",
                      "outputs of all m rows of the batch whose bits differ "
                      "from the same row's gemm in a batch of one (of m * n)");
    nl_table_add_note(t, "change_all",
                      "the sum of |change| over those outputs (divide by "
                      "differ_all for the mean)");
    g_autofree double *row = g_new(double, s->n);
    gsize total =
        (gsize)((cfg->batch.to - cfg->batch.from) / cfg->batch.step + 1);
    gsize done = 0;
    for (gint64 m = cfg->batch.from; m <= cfg->batch.to; m += cfg->batch.step) {
        if (!row_in_batch(backend, cfg, s, (gsize)m, row, error))
            return FALSE;
        g_autofree char *what =
            g_strdup_printf("gemm, the row in a batch of %" G_GINT64_FORMAT, m);
        gboolean fault = !check_row(run, s, row, what, NULL);
        gint64 max_ulps, max_gemv;
        double max_rel;
        gsize differ =
            differences(s->type, row, s->ref, s->n, &max_ulps, &max_rel);
        gsize differ_gemv =
            differences(s->type, row, s->gemv, s->n, &max_gemv, NULL);
        gsize differ_all = 0;
        double change_all = 0.0;
        for (gsize i = 0; i < (gsize)m; i++)
            for (gsize j = 0; j < s->n; j++) {
                double now = s->c[i * s->n + j];
                double alone = s->alone[s->which[i] * s->n + j];
                if (nl_f64_bits(now) != nl_f64_bits(alone)) {
                    differ_all++;
                    change_all += fabs(now - alone);
                }
            }
        nl_table_add_int(t, m);
        nl_table_add_int(t, (gint64)differ);
        nl_table_add_int(t, max_ulps);
        nl_table_add_int(t, (gint64)differ_gemv);
        nl_table_add_int(t, max_gemv);
        nl_table_add_int(t, fault);
        nl_table_add_f64(t, max_rel);
        nl_table_add_int(t, (gint64)differ_all);
        nl_table_add_f64(t, change_all);
        nl_run_progress(run, (double)++done / (double)total, "batch sizes");
    }
    return TRUE;
}

/* The sum and the dot product of reduce_n values in float32, checked
 * against their bounds and, since those grow like n^2 while a lost lane's
 * error grows like sqrt(n), against an exact probe of the same n for each
 * kernel. In the other precisions the bounds alone check them: the probe's
 * integers are float32's. x0: the float32 values (reduction_values);
 * common: this precision's part of rt_batch_common. */
static gboolean reductions(NlRun *run, const RtConfig *cfg, NlPrecision type,
                           const float *x0, const double *common,
                           GError **error)
{
    NlBackend *backend = nl_run_backend(run);
    NlPrecision acc = acc_of(type);
    gsize n = (gsize)cfg->reduce_n;
    const double *red = common + 3 * (gsize)cfg->a7_n;
    /* the values rounded once to type by the upload */
    NlBuffer *dx = new_buffer(backend, type, x0, n, error);
    NlBuffer *dy = dx ? new_buffer(backend, type, x0 + n, n, error) : NULL;
    double sum = 0.0, dot = 0.0;
    gboolean ok = dy && nl_backend_sum_in(backend, dx, n, acc, &sum, error) &&
                  nl_backend_dot_in(backend, dx, dy, n, acc, &dot, error);
    if (dy)
        nl_backend_free(backend, dy);
    if (dx)
        nl_backend_free(backend, dx);
    if (!ok)
        return FALSE;
    gint64 sum_ulps, dot_ulps;
    if (type == NL_PRECISION_F32) {
        sum_ulps = nl_ulp_diff_f32((float)red[RED_SUM_F32], (float)sum);
        dot_ulps = nl_ulp_diff_f32((float)red[RED_DOT_F32], (float)dot);
    } else {
        sum_ulps = ulps_from_exact(acc, red[RED_SUM_EXACT], sum);
        dot_ulps = ulps_from_exact(acc, red[RED_DOT_EXACT], dot);
    }
    char in[32];
    gboolean sum_bad = !nl_run_check_bound(
        run, sum, red[RED_SUM_EXACT], red[RED_SUM_BOUND],
        "A7: sum of %" G_GSIZE_FORMAT " values%s", n, in_words(type, in));
    gboolean dot_bad =
        !nl_run_check_bound(run, dot, red[RED_DOT_EXACT], red[RED_DOT_BOUND],
                            "A7: dot product of %" G_GSIZE_FORMAT " values%s",
                            n, in_words(type, in));
    gboolean sum_exact = TRUE, dot_exact = TRUE;
    if (type == NL_PRECISION_F32) {
        /* made after the backend's vectors are freed: the two are never
         * held at once */
        g_autoptr(NlProbe) probe =
            nl_probe_new(backend, n, NL_PROBE_DOT, error);
        if (!probe ||
            !nl_probe_check_sum(run, probe, n, 0, "A7", &sum_exact, error) ||
            !nl_probe_check_dot(run, probe, n, "A7", &dot_exact, error))
            return FALSE;
    }

    g_autofree char *name = table_name("a7-reductions", type);
    NlTable *t = nl_run_table(run, name,
                              acc == NL_PRECISION_F32
                                  ? "kernel:str n:int value:f32 bits:hex "
                                    "ulps_exact:int fault:int"
                                  : "kernel:str n:int value:f64 bits:hex "
                                    "ulps_exact:int fault:int");
    g_autofree char *title =
        g_strdup_printf("a sum and a dot product%s, to compare across "
                        "thread counts and modes",
                        in_words(type, in));
    nl_table_set_title(t, title);
    if (type == NL_PRECISION_F32)
        nl_table_add_note(t, "fault",
                          "1: beyond the error bound of every "
                          "correct sum or dot product, or the same "
                          "kernel gets integers that every order "
                          "sums exactly wrong at this n "
                          "(numlab/probe.h): a backend fault, not "
                          "rounding");
    else {
        g_autofree char *how = g_strdup_printf(
            "the values stored in %s, summed in %s; value, bits and "
            "ulps_exact are the accumulator's",
            nl_precision_name(type), nl_precision_name(acc));
        nl_table_add_note(t, "precision", how);
        nl_table_add_note(t, "fault",
                          "1: beyond the error bound of every "
                          "correct sum or dot product in the "
                          "accumulation's precision: a backend "
                          "fault, not rounding");
    }
    const char *kernels[] = {"sum", "dot"};
    const double values[] = {sum, dot};
    const gint64 ulps[] = {sum_ulps, dot_ulps};
    const gboolean bad[] = {sum_bad || !sum_exact, dot_bad || !dot_exact};
    for (guint i = 0; i < 2; i++) {
        nl_table_add_str(t, kernels[i]);
        nl_table_add_int(t, (gint64)n);
        add_value(t, acc, values[i]);
        nl_table_add_hex(t, bits_in(acc, values[i]));
        nl_table_add_int(t, ulps[i]);
        nl_table_add_int(t, bad[i]);
    }
    return TRUE;
}

/* A7 in one precision: the row alone by gemm and by gemv (a7-row), then
 * inside every batch (a7-batch), then the reductions. */
static gboolean batch_in(NlRun *run, const RtConfig *cfg, NlPrecision type,
                         const Inputs *inputs, const float *reduce,
                         const double *common, GError **error)
{
    NlBackend *backend = nl_run_backend(run);
    Batch s;
    gboolean ok = batch_setup(backend, cfg, type, inputs, common, &s, error);
    /* the references: the row alone, by gemm and by gemv */
    ok = ok && row_in_batch(backend, cfg, &s, 1, s.ref, error) &&
         nl_backend_gemv_in(backend, s.n, s.k, s.d_bt, s.k, s.d_x, s.d_y, s.acc,
                            error) &&
         nl_backend_download_values(backend, s.d_y, s.gemv, s.n, error);
    g_autofree gboolean *gemm_bad = ok ? g_new(gboolean, s.n) : NULL;
    g_autofree gboolean *gemv_bad = ok ? g_new(gboolean, s.n) : NULL;
    if (ok) {
        check_row(run, &s, s.ref, "gemm, the row in a batch of 1", gemm_bad);
        check_row(run, &s, s.gemv, "gemv", gemv_bad);
        g_autofree char *name = table_name("a7-row", type);
        NlTable *t = nl_run_table(run, name,
                                  type == NL_PRECISION_F32
                                      ? "j:int gemm:f32 gemv:f32 exact:f32 "
                                        "ulps_gemm:int ulps_gemv:int "
                                        "fault_gemm:int fault_gemv:int"
                                      : "j:int gemm:f64 gemv:f64 exact:f64 "
                                        "ulps_gemm:int ulps_gemv:int "
                                        "fault_gemm:int fault_gemv:int");
        char in[32];
        g_autofree char *title = g_strdup_printf(
            "the observed row's outputs%s: batch-1 gemm, gemv, exact (ulps: "
            "signed, from exact)",
            in_words(type, in));
        nl_table_set_title(t, title);
        nl_table_add_note(t, "fault",
                          "fault_gemm, fault_gemv = 1: the "
                          "output lies beyond the error bound "
                          "of every correct dot product, "
                          "gamma(k) * sum |x_i b_i|: a backend "
                          "fault, not rounding");
        if (type != NL_PRECISION_F32)
            nl_table_add_note(t, "exact",
                              "the exact product of the stored values "
                              "(MPFR), rounded once to the outputs' "
                              "precision");
        for (gsize j = 0; j < s.n; j++) {
            double exact = s.row_exact[j];
            nl_table_add_int(t, (gint64)j);
            add_value(t, type, s.ref[j]);
            add_value(t, type, s.gemv[j]);
            add_value(t, type, exact);
            nl_table_add_int(
                t, type == NL_PRECISION_F32
                       ? nl_ulp_diff_f32((float)exact, (float)s.ref[j])
                       : ulps_from_exact(type, s.exact[j], s.ref[j]));
            nl_table_add_int(
                t, type == NL_PRECISION_F32
                       ? nl_ulp_diff_f32((float)exact, (float)s.gemv[j])
                       : ulps_from_exact(type, s.exact[j], s.gemv[j]));
            nl_table_add_int(t, gemm_bad[j]);
            nl_table_add_int(t, gemv_bad[j]);
        }
    }
    ok = ok && rows_alone(backend, &s, error) && batches(run, cfg, &s, error);
    batch_clear(backend, &s);
    return ok && reductions(run, cfg, type, reduce, common, error);
}

gboolean rt_batch_backend(NlRun *run, const RtConfig *cfg,
                          const double *const *common, GError **error)
{
    Inputs in;
    if (!inputs_new(cfg, nl_run_seed(run), TRUE, &in, error))
        return FALSE;
    float *reduce = reduction_values(cfg, nl_run_seed(run), error);
    gboolean ok = reduce != NULL;
    for (gsize i = 0; ok && i < cfg->n_precisions; i++)
        ok = batch_in(run, cfg, cfg->precisions[i], &in, reduce, common[i],
                      error);
    nl_free(reduce);
    inputs_clear(&in);
    return ok;
}

/* ---- run_common: what every job compares with ---- */

/* The exact value e rounded once to float32, from d, e rounded to double:
 * (float)d, unless d lies halfway between two floats, where rounding
 * twice may differ from rounding once (FALSE: ask MPFR). Every such
 * halfway point is a double, so e and d lie on the same side of each. */
static gboolean f32_of_exact(double d, float *f)
{
    float r = (float)d;
    if ((double)r != d) {
        float other = nextafterf(r, d > (double)r ? INFINITY : -INFINITY);
        if (d == ((double)r + (double)other) / 2) /* exact for floats */
            return FALSE;
    }
    *f = r;
    return TRUE;
}

/* One precision's part (rt_batch_common_doubles): out[0..n) the row's
 * exact outputs x B rounded to double, out[n..2n) their error bounds,
 * out[2n..3n) the exact outputs rounded to `type`, then the reductions'
 * RED_VALUES. b, xrow and reduce already hold values of `type`. */
static void common_in(const RtConfig *cfg, NlPrecision type, const float *b,
                      const float *xrow, const float *reduce, double *out)
{
    gsize k = (gsize)cfg->a7_k, n = (gsize)cfg->a7_n;
    NlPrecision acc = acc_of(type);
    double *exact = out, *bound = out + n, *row_exact = out + 2 * n;
    for (gsize j = 0; j < n; j++) {
        exact[j] = nl_exact_dot_strided_f32_as_f64(xrow, b + j, n, k);
        if (type == NL_PRECISION_F32) {
            bound[j] = nl_dot_bound_f32(xrow, b + j, n, k);
            float f;
            row_exact[j] = f32_of_exact(exact[j], &f)
                               ? f
                               : nl_exact_dot_strided_f32(xrow, b + j, n, k);
            continue;
        }
        /* the sums in acc, then one rounding of the output to type */
        double magnitude = 0.0;
        for (gsize p = 0; p < k; p++)
            magnitude += fabs((double)xrow[p] * (double)b[p * n + j]);
        double sums = gamma_in(acc, k) * magnitude;
        bound[j] = sums + (type == acc ? 0.0
                                       : nl_precision_unit_roundoff(type) *
                                             (fabs(exact[j]) + sums));
        row_exact[j] = nl_precision_round(type, exact[j]);
    }
    gsize r = (gsize)cfg->reduce_n;
    const float *x = reduce, *y = reduce + r;
    double *red = out + 3 * n;
    red[RED_SUM_EXACT] = nl_exact_sum_f32_as_f64(x, r);
    red[RED_DOT_EXACT] = nl_exact_dot_f32_as_f64(x, y, r);
    red[RED_SUM_F32] = red[RED_DOT_F32] = 0.0;
    if (type == NL_PRECISION_F32) {
        red[RED_SUM_BOUND] = nl_sum_bound_f32(x, r);
        red[RED_DOT_BOUND] = nl_dot_bound_f32(x, y, 1, r);
        float f;
        red[RED_SUM_F32] =
            f32_of_exact(red[RED_SUM_EXACT], &f) ? f : nl_exact_sum_f32(x, r);
        red[RED_DOT_F32] = f32_of_exact(red[RED_DOT_EXACT], &f)
                               ? f
                               : nl_exact_dot_f32(x, y, r);
        return;
    }
    double abs_sum = 0.0, abs_dot = 0.0;
    for (gsize i = 0; i < r; i++) {
        abs_sum += fabs((double)x[i]);
        abs_dot += fabs((double)x[i] * (double)y[i]);
    }
    red[RED_SUM_BOUND] = gamma_in(acc, r - 1) * abs_sum;
    red[RED_DOT_BOUND] = gamma_in(acc, r) * abs_dot;
}

gboolean rt_batch_common(const RtConfig *cfg, guint64 seed, double *out,
                         GError **error)
{
    gsize k = (gsize)cfg->a7_k, n = (gsize)cfg->a7_n;
    gsize r = (gsize)cfg->reduce_n;
    Inputs in;
    if (!inputs_new(cfg, seed, FALSE, &in, error))
        return FALSE;
    float *reduce = reduction_values(cfg, seed, error);
    float *b = reduce ? nl_alloc_f32(k * n, error) : NULL;
    float *xrow = b ? nl_alloc_f32(k, error) : NULL;
    float *rounded = xrow ? nl_alloc_f32(2 * r, error) : NULL;
    gboolean ok = rounded != NULL;
    for (gsize q = 0; ok && q < cfg->n_precisions; q++) {
        NlPrecision type = cfg->precisions[q];
        round_copy(type, b, in.b, k * n);
        round_copy(type, xrow, in.pool, k); /* pool row 0: the row */
        round_copy(type, rounded, reduce, 2 * r);
        common_in(cfg, type, b, xrow, rounded,
                  out + q * rt_batch_common_doubles(cfg));
    }
    nl_free(rounded);
    nl_free(xrow);
    nl_free(b);
    nl_free(reduce);
    inputs_clear(&in);
    return ok;
}

/* ---- run_compare ---- */

/* How many rows of column `name` differ bitwise between two tables of
 * values of one precision (doubles hold them all exactly). */
static gsize column_differences(const NlTable *a, const NlTable *b,
                                const char *name)
{
    int ca = nl_table_column(a, name), cb = nl_table_column(b, name);
    gsize count = 0;
    for (guint r = 0; r < nl_table_n_rows(a); r++)
        count += nl_f64_bits(nl_table_get_f64(a, r, (guint)ca)) !=
                 nl_f64_bits(nl_table_get_f64(b, r, (guint)cb));
    return count;
}

/* Whether row `row` of two a7-reductions tables holds the same bits. */
static gboolean same_value(const NlTable *a, const NlTable *b, guint row)
{
    int ca = nl_table_column(a, "value"), cb = nl_table_column(b, "value");
    return nl_f64_bits(nl_table_get_f64(a, row, (guint)ca)) ==
           nl_f64_bits(nl_table_get_f64(b, row, (guint)cb));
}

/* a7-jobs (a7-jobs-TYPE): every ordered pair of jobs in precision p. */
static void compare_jobs(NlRun *run, NlPrecision p)
{
    guint jobs = nl_run_n_jobs(run);
    g_autofree char *row_name = table_name("a7-row", p);
    g_autofree char *red_name = table_name("a7-reductions", p);
    g_autofree char *name = table_name("a7-jobs", p);
    NlTable *t = nl_run_table(run, name,
                              "i:int j:int a:str b:str gemm_differ:int "
                              "gemv_differ:int sum_equal:int dot_equal:int "
                              "agree:int");
    char in[32];
    g_autofree char *title = g_strdup_printf(
        "every ordered pair of jobs%s: outputs of the batch-1 gemm row and "
        "of the gemv row whose bits differ; whether the sum and the dot "
        "product are identical; agree = how many of the four kernels agree "
        "bit for bit (a matrix for gnuplot's image style)",
        in_words(p, in));
    nl_table_set_title(t, title);
    for (guint i = 0; i < jobs; i++) {
        const NlTable *ri = nl_run_job_table(run, i, row_name);
        const NlTable *si = nl_run_job_table(run, i, red_name);
        if (i > 0)
            nl_table_new_dataset(t, NULL);
        for (guint j = 0; j < jobs; j++) {
            const NlTable *rj = nl_run_job_table(run, j, row_name);
            const NlTable *sj = nl_run_job_table(run, j, red_name);
            gsize gemm = column_differences(ri, rj, "gemm");
            gsize gemv = column_differences(ri, rj, "gemv");
            gboolean sum_eq = same_value(si, sj, 0); /* row 0: the sum */
            gboolean dot_eq = same_value(si, sj, 1); /* row 1: the dot */
            nl_table_add_int(t, i);
            nl_table_add_int(t, j);
            nl_table_add_str(t, nl_run_job_label(run, i));
            nl_table_add_str(t, nl_run_job_label(run, j));
            nl_table_add_int(t, (gint64)gemm);
            nl_table_add_int(t, (gint64)gemv);
            nl_table_add_int(t, sum_eq);
            nl_table_add_int(t, dot_eq);
            nl_table_add_int(t, (gemm == 0) + (gemv == 0) + sum_eq + dot_eq);
        }
    }
}

/* The mean |value| of a column. */
static double mean_abs(const NlTable *t, const char *name)
{
    int c = nl_table_column(t, name);
    guint rows = nl_table_n_rows(t);
    double sum = 0.0;
    for (guint r = 0; r < rows; r++)
        sum += fabs(nl_table_get_f64(t, r, (guint)c));
    return rows ? sum / rows : 0.0;
}

/* a7-precision: per precision (one dataset each) and job, what a batch
 * change does to the row: at how many batch sizes it changes, how many of
 * its outputs at most, by how many ULPs of the precision and by how much
 * relative to the value at most. */
static void compare_precisions(NlRun *run, const RtConfig *cfg)
{
    guint jobs = nl_run_n_jobs(run);
    NlTable *t = nl_run_table(run, "a7-precision",
                              "precision:str job:int backend:str batches:int "
                              "changed:int max_differ:int outputs:int "
                              "max_ulps:int max_rel:f64 gemv_differ:int "
                              "fault:int all_outputs:int all_changed:int "
                              "mean_change:f64 scale:f64 rel_change:f64");
    nl_table_set_title(t, "what a batch change does to the row, per "
                          "precision (one dataset each) and job");
    nl_table_add_note(t, "changed",
                      "batch sizes m > 1 at which some output of the row "
                      "differs from the batch-1 gemm");
    nl_table_add_note(t, "max_ulps",
                      "in ULPs of the outputs' precision: float32's are "
                      "2^16 times finer than bfloat16's");
    nl_table_add_note(t, "gemv_differ",
                      "outputs of the batch-1 gemm row that differ from "
                      "gemv's (a single row is often computed by gemv)");
    nl_table_add_note(t, "fault",
                      "1: some output lies beyond its error bound (a7-batch "
                      "fault): a backend fault, not rounding");
    nl_table_add_note(t, "all_changed",
                      "of all_outputs, the outputs of every row of every "
                      "batch (m * n for each m), those whose bits differ "
                      "from the same row alone; mean_change: their mean "
                      "|change|");
    nl_table_add_note(t, "scale",
                      "the mean |output| of the observed row alone (a7-row "
                      "gemm); rel_change = mean_change / scale: how large "
                      "a change is against the outputs it changes");
    for (gsize q = 0; q < cfg->n_precisions; q++) {
        NlPrecision p = cfg->precisions[q];
        g_autofree char *name = table_name("a7-batch", p);
        g_autofree char *row_name = table_name("a7-row", p);
        if (q > 0)
            nl_table_new_dataset(t, NULL);
        for (guint i = 0; i < jobs; i++) {
            const NlTable *b = nl_run_job_table(run, i, name);
            int c_m = nl_table_column(b, "m"),
                c_d = nl_table_column(b, "differ"),
                c_u = nl_table_column(b, "max_ulps"),
                c_g = nl_table_column(b, "differ_gemv"),
                c_f = nl_table_column(b, "fault"),
                c_r = nl_table_column(b, "max_rel"),
                c_a = nl_table_column(b, "differ_all"),
                c_s = nl_table_column(b, "change_all");
            gint64 changed = 0, max_differ = 0, max_ulps = 0, gemv = 0;
            gint64 all = 0, all_changed = 0;
            gboolean fault = FALSE;
            double max_rel = 0.0, change_sum = 0.0;
            guint rows = nl_table_n_rows(b);
            for (guint r = 0; r < rows; r++) {
                gint64 m = (gint64)nl_table_get_f64(b, r, (guint)c_m);
                gint64 d = (gint64)nl_table_get_f64(b, r, (guint)c_d);
                if (m == 1)
                    gemv = (gint64)nl_table_get_f64(b, r, (guint)c_g);
                changed += m > 1 && d > 0;
                max_differ = MAX(max_differ, d);
                max_ulps =
                    MAX(max_ulps, (gint64)nl_table_get_f64(b, r, (guint)c_u));
                max_rel = MAX(max_rel, nl_table_get_f64(b, r, (guint)c_r));
                fault |= nl_table_get_f64(b, r, (guint)c_f) != 0;
                all += m * cfg->a7_n;
                all_changed += (gint64)nl_table_get_f64(b, r, (guint)c_a);
                change_sum += nl_table_get_f64(b, r, (guint)c_s);
            }
            nl_table_add_str(t, nl_precision_name(p));
            nl_table_add_int(t, i);
            nl_table_add_str(t, nl_run_job_label(run, i));
            nl_table_add_int(t, rows);
            nl_table_add_int(t, changed);
            nl_table_add_int(t, max_differ);
            nl_table_add_int(t, cfg->a7_n);
            nl_table_add_int(t, max_ulps);
            nl_table_add_f64(t, max_rel);
            nl_table_add_int(t, gemv);
            nl_table_add_int(t, fault);
            nl_table_add_int(t, all);
            nl_table_add_int(t, all_changed);
            double mean_change =
                all_changed ? change_sum / (double)all_changed : 0.0;
            double scale = mean_abs(nl_run_job_table(run, i, row_name), "gemm");
            nl_table_add_f64(t, mean_change);
            nl_table_add_f64(t, scale);
            nl_table_add_f64(t, scale > 0 ? mean_change / scale : 0.0);
        }
    }
}

gboolean rt_batch_compare(NlRun *run, GError **error)
{
    RtConfig cfg;
    if (!rt_config(nl_run_params(run), &cfg, error))
        return FALSE;
    for (gsize q = 0; q < cfg.n_precisions; q++)
        compare_jobs(run, cfg.precisions[q]);
    compare_precisions(run, &cfg);
    return TRUE;
}
