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
 * row. The exact row costs one k-long exact dot per output, once per job;
 * each batch's row is then checked against it in O(n). The sum and the
 * dot product also run on an exact probe of reduce_n values
 * (numlab/probe.h): at reduce_n = 2^20 their bounds are far too loose to
 * see a lost lane, the probe sees any error. gemm and gemv have no probe:
 * at the default k = 2048 their bounds still tell a lost lane (an error
 * near sqrt(k)) from rounding, and a probe of them would need its own
 * exact matrices. */
#include "config.h"

#include "reduction-tree.h"

#include <string.h>

/* A7's inputs come from their own stream, so changing the A4/A5 sizes does
 * not change them. */
#define A7_SEED_OFFSET G_GUINT64_CONSTANT(0xa7a7a7a7)

typedef struct {
    gsize k, n, m_max;
    float *pool;   /* m_max x k: row 0 is the observed row x */
    float *b;      /* k x n */
    float *bt;     /* n x k: B transposed, for gemv (y = B^T x) */
    float *batch;  /* m_max x k: the batch being multiplied */
    float *c;      /* m_max x n */
    float *ref;    /* n: x B by gemm in a batch of one */
    float *gemv;   /* n: x B by gemv */
    double *exact; /* n: x B exactly (MPFR), rounded to double */
    double *bound; /* n: the dot product's error bound of each output */
    NlBuffer *d_batch, *d_b, *d_bt, *d_x, *d_c, *d_y;
} Batch;

static void batch_clear(NlBackend *backend, Batch *s)
{
    NlBuffer **bufs[] = {&s->d_batch, &s->d_b, &s->d_bt,
                         &s->d_x,     &s->d_c, &s->d_y};
    for (guint i = 0; i < G_N_ELEMENTS(bufs); i++)
        if (*bufs[i])
            nl_backend_free(backend, *bufs[i]);
    float **host[] = {&s->pool, &s->b,   &s->bt,  &s->batch,
                      &s->c,    &s->ref, &s->gemv};
    for (guint i = 0; i < G_N_ELEMENTS(host); i++)
        nl_free(*host[i]);
    nl_free(s->exact);
    nl_free(s->bound);
}

static gboolean batch_setup(NlBackend *backend, const RtConfig *cfg,
                            guint64 seed, Batch *s, GError **error)
{
    memset(s, 0, sizeof *s);
    s->k = (gsize)cfg->a7_k;
    s->n = (gsize)cfg->a7_n;
    s->m_max = (gsize)cfg->batch.to;
    if (!(s->pool = nl_alloc_f32(s->m_max * s->k, error)) ||
        !(s->b = nl_alloc_f32(s->k * s->n, error)) ||
        !(s->bt = nl_alloc_f32(s->n * s->k, error)) ||
        !(s->batch = nl_alloc_f32(s->m_max * s->k, error)) ||
        !(s->c = nl_alloc_f32(s->m_max * s->n, error)) ||
        !(s->ref = nl_alloc_f32(s->n, error)) ||
        !(s->gemv = nl_alloc_f32(s->n, error)) ||
        !(s->exact = nl_alloc(s->n, sizeof(double), error)) ||
        !(s->bound = nl_alloc(s->n, sizeof(double), error)))
        return FALSE;
    NlRng rng;
    nl_rng_init(&rng, seed + A7_SEED_OFFSET);
    nl_rng_fill_normal_f32(&rng, s->b, s->k * s->n);
    nl_rng_fill_normal_f32(&rng, s->pool, s->m_max * s->k);
    for (gsize j = 0; j < s->n; j++) {
        s->exact[j] =
            nl_exact_dot_strided_f32_as_f64(s->pool, s->b + j, s->n, s->k);
        s->bound[j] = nl_dot_bound_f32(s->pool, s->b + j, s->n, s->k);
    }
    for (gsize p = 0; p < s->k; p++)
        for (gsize j = 0; j < s->n; j++)
            s->bt[j * s->k + p] = s->b[p * s->n + j];
    return (s->d_b = nl_backend_new_from(backend, s->b, s->k * s->n, error)) &&
           (s->d_bt =
                nl_backend_new_from(backend, s->bt, s->n * s->k, error)) &&
           (s->d_x = nl_backend_new_from(backend, s->pool, s->k, error)) &&
           (s->d_batch = nl_backend_alloc(backend, s->m_max * s->k, error)) &&
           (s->d_c = nl_backend_alloc(backend, s->m_max * s->n, error)) &&
           (s->d_y = nl_backend_alloc(backend, s->n, error));
}

/* The observed row's outputs in a batch of m, into row_out[0..n). */
static gboolean row_in_batch(NlBackend *backend, const RtConfig *cfg, Batch *s,
                             gsize m, float *row_out, GError **error)
{
    gsize at = cfg->row_last ? m - 1 : 0;
    /* the other requests: pool rows 1, 2, ... around the observed row */
    for (gsize i = 0, other = 1; i < m; i++) {
        const float *src = i == at ? s->pool : s->pool + other++ * s->k;
        memcpy(s->batch + i * s->k, src, s->k * sizeof(float));
    }
    if (!nl_backend_upload(backend, s->d_batch, s->batch, m * s->k, error) ||
        !nl_backend_gemm(backend, m, s->n, s->k, s->d_batch, s->k, s->d_b, s->n,
                         s->d_c, s->n, error) ||
        !nl_backend_download(backend, s->d_c, s->c, m * s->n, error))
        return FALSE;
    memcpy(row_out, s->c + at * s->n, s->n * sizeof(float));
    return TRUE;
}

/* Checks the row's outputs out[0..n) of `kernel` against the exact row;
 * FALSE when any lies beyond its bound (each such output is a fault). */
static gboolean check_row(NlRun *run, const Batch *s, const float *out,
                          const char *kernel, gboolean *faults)
{
    gboolean all_ok = TRUE;
    for (gsize j = 0; j < s->n; j++) {
        gboolean ok = nl_run_check_bound(run, out[j], s->exact[j], s->bound[j],
                                         "A7: %s, output %" G_GSIZE_FORMAT
                                         " (k = %" G_GSIZE_FORMAT ")",
                                         kernel, j, s->k);
        if (faults)
            faults[j] = !ok;
        all_ok &= ok;
    }
    return all_ok;
}

/* How many of a[0..n) differ bitwise from b, and the largest distance. */
static gsize differences(const float *a, const float *b, gsize n,
                         gint64 *max_ulps)
{
    gsize count = 0;
    *max_ulps = 0;
    for (gsize j = 0; j < n; j++)
        if (nl_f32_bits(a[j]) != nl_f32_bits(b[j])) {
            count++;
            *max_ulps = MAX(*max_ulps, nl_ulp_distance_f32(a[j], b[j]));
        }
    return count;
}

static gboolean batches(NlRun *run, const RtConfig *cfg, Batch *s,
                        GError **error)
{
    NlBackend *backend = nl_run_backend(run);
    NlTable *t = nl_run_table(run, "a7-batch",
                              "m:int differ:int max_ulps:int "
                              "differ_gemv:int max_ulps_gemv:int fault:int");
    nl_table_set_title(t, "one row inside batches of m rows: outputs whose "
                          "bits differ from the batch-1 gemm and from gemv");
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
    nl_table_add_note(t, "max_ulps",
                      "largest distance among the differing "
                      "outputs; outputs near zero after "
                      "cancellation over k show large ULP "
                      "counts for tiny absolute changes");
    nl_table_add_note(t, "fault",
                      "1: an output of the row in this batch "
                      "lies beyond the error bound of every "
                      "correct dot product, gamma(k) * "
                      "sum |x_i b_i|: a backend fault, not "
                      "rounding");
    g_autofree float *row = g_new(float, s->n);
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
        gsize differ = differences(row, s->ref, s->n, &max_ulps);
        gsize differ_gemv = differences(row, s->gemv, s->n, &max_gemv);
        nl_table_add_int(t, m);
        nl_table_add_int(t, (gint64)differ);
        nl_table_add_int(t, max_ulps);
        nl_table_add_int(t, (gint64)differ_gemv);
        nl_table_add_int(t, max_gemv);
        nl_table_add_int(t, fault);
        nl_run_progress(run, (double)++done / (double)total, "batch sizes");
    }
    return TRUE;
}

/* The sum and the dot product of reduce_n values, checked against their
 * bounds and, since those grow like n^2 while a lost lane's error grows
 * like sqrt(n), against an exact probe of the same n for each kernel. */
static gboolean reductions(NlRun *run, const RtConfig *cfg, GError **error)
{
    NlBackend *backend = nl_run_backend(run);
    gsize n = (gsize)cfg->reduce_n;
    float *x = nl_normal_values_f32(nl_run_seed(run) + A7_SEED_OFFSET + 1,
                                    2 * n, error);
    if (!x)
        return FALSE;
    NlBuffer *dx = nl_backend_new_from(backend, x, n, error);
    NlBuffer *dy = dx ? nl_backend_new_from(backend, x + n, n, error) : NULL;
    float sum = 0.0f, dot = 0.0f;
    gboolean ok = dy && nl_backend_sum(backend, dx, n, &sum, error) &&
                  nl_backend_dot(backend, dx, dy, n, &dot, error);
    if (dy)
        nl_backend_free(backend, dy);
    if (dx)
        nl_backend_free(backend, dx);
    gboolean sum_bad = FALSE, dot_bad = FALSE;
    gint64 sum_ulps = 0, dot_ulps = 0;
    if (ok) {
        sum_bad = !nl_run_check_bound(
            run, sum, nl_exact_sum_f32_as_f64(x, n), nl_sum_bound_f32(x, n),
            "A7: sum of %" G_GSIZE_FORMAT " values", n);
        dot_bad = !nl_run_check_bound(
            run, dot, nl_exact_dot_f32_as_f64(x, x + n, n),
            nl_dot_bound_f32(x, x + n, 1, n),
            "A7: dot product of %" G_GSIZE_FORMAT " values", n);
        sum_ulps = nl_ulp_diff_f32(nl_exact_sum_f32(x, n), sum);
        dot_ulps = nl_ulp_diff_f32(nl_exact_dot_f32(x, x + n, n), dot);
    }
    nl_free(x);
    /* made after the vectors are freed: the two are never held at once */
    g_autoptr(NlProbe) probe =
        ok ? nl_probe_new(backend, n, NL_PROBE_DOT, error) : NULL;
    gboolean sum_exact, dot_exact;
    if (!probe ||
        !nl_probe_check_sum(run, probe, n, 0, "A7", &sum_exact, error) ||
        !nl_probe_check_dot(run, probe, n, "A7", &dot_exact, error))
        return FALSE;

    NlTable *t = nl_run_table(run, "a7-reductions",
                              "kernel:str n:int value:f32 bits:hex "
                              "ulps_exact:int fault:int");
    nl_table_set_title(t, "a sum and a dot product, to compare across "
                          "thread counts and modes");
    nl_table_add_note(t, "fault",
                      "1: beyond the error bound of every "
                      "correct sum or dot product, or the same "
                      "kernel gets integers that every order "
                      "sums exactly wrong at this n "
                      "(numlab/probe.h): a backend fault, not "
                      "rounding");
    nl_table_add_str(t, "sum");
    nl_table_add_int(t, (gint64)n);
    nl_table_add_f32(t, sum);
    nl_table_add_hex(t, nl_f32_bits(sum));
    nl_table_add_int(t, sum_ulps);
    nl_table_add_int(t, sum_bad || !sum_exact);
    nl_table_add_str(t, "dot");
    nl_table_add_int(t, (gint64)n);
    nl_table_add_f32(t, dot);
    nl_table_add_hex(t, nl_f32_bits(dot));
    nl_table_add_int(t, dot_ulps);
    nl_table_add_int(t, dot_bad || !dot_exact);
    return TRUE;
}

gboolean rt_batch_backend(NlRun *run, const RtConfig *cfg, GError **error)
{
    NlBackend *backend = nl_run_backend(run);
    Batch s;
    gboolean ok = batch_setup(backend, cfg, nl_run_seed(run), &s, error);
    /* the references: the row alone, by gemm and by gemv */
    ok = ok && row_in_batch(backend, cfg, &s, 1, s.ref, error) &&
         nl_backend_gemv(backend, s.n, s.k, s.d_bt, s.k, s.d_x, s.d_y, error) &&
         nl_backend_download(backend, s.d_y, s.gemv, s.n, error);
    g_autofree gboolean *gemm_bad = ok ? g_new(gboolean, s.n) : NULL;
    g_autofree gboolean *gemv_bad = ok ? g_new(gboolean, s.n) : NULL;
    if (ok) {
        check_row(run, &s, s.ref, "gemm, the row in a batch of 1", gemm_bad);
        check_row(run, &s, s.gemv, "gemv", gemv_bad);
        NlTable *t = nl_run_table(run, "a7-row",
                                  "j:int gemm:f32 gemv:f32 exact:f32 "
                                  "ulps_gemm:int ulps_gemv:int "
                                  "fault_gemm:int fault_gemv:int");
        nl_table_set_title(t, "the observed row's outputs: batch-1 gemm, "
                              "gemv, exact (ulps: signed, from exact)");
        nl_table_add_note(t, "fault",
                          "fault_gemm, fault_gemv = 1: the "
                          "output lies beyond the error bound "
                          "of every correct dot product, "
                          "gamma(k) * sum |x_i b_i|: a backend "
                          "fault, not rounding");
        for (gsize j = 0; j < s.n; j++) {
            float exact = nl_exact_dot_strided_f32(s.pool, s.b + j, s.n, s.k);
            nl_table_add_int(t, (gint64)j);
            nl_table_add_f32(t, s.ref[j]);
            nl_table_add_f32(t, s.gemv[j]);
            nl_table_add_f32(t, exact);
            nl_table_add_int(t, nl_ulp_diff_f32(exact, s.ref[j]));
            nl_table_add_int(t, nl_ulp_diff_f32(exact, s.gemv[j]));
            nl_table_add_int(t, gemm_bad[j]);
            nl_table_add_int(t, gemv_bad[j]);
        }
    }
    ok = ok && batches(run, cfg, &s, error) && reductions(run, cfg, error);
    batch_clear(backend, &s);
    return ok;
}

/* ---- run_compare ---- */

static gsize column_differences(const NlTable *a, const NlTable *b,
                                const char *name)
{
    int ca = nl_table_column(a, name), cb = nl_table_column(b, name);
    gsize count = 0;
    for (guint r = 0; r < nl_table_n_rows(a); r++) {
        float va = (float)nl_table_get_f64(a, r, (guint)ca);
        float vb = (float)nl_table_get_f64(b, r, (guint)cb);
        count += nl_f32_bits(va) != nl_f32_bits(vb);
    }
    return count;
}

/* Whether row `row` of two a7-reductions tables holds the same bits. */
static gboolean same_value(const NlTable *a, const NlTable *b, guint row)
{
    int ca = nl_table_column(a, "value"), cb = nl_table_column(b, "value");
    return nl_f32_bits((float)nl_table_get_f64(a, row, (guint)ca)) ==
           nl_f32_bits((float)nl_table_get_f64(b, row, (guint)cb));
}

gboolean rt_batch_compare(NlRun *run, GError **error)
{
    (void)error;
    guint jobs = nl_run_n_jobs(run);
    NlTable *t = nl_run_table(run, "a7-jobs",
                              "i:int j:int a:str b:str gemm_differ:int "
                              "gemv_differ:int sum_equal:int dot_equal:int "
                              "agree:int");
    nl_table_set_title(t, "every ordered pair of jobs: outputs of the "
                          "batch-1 gemm row and of the gemv row whose bits "
                          "differ; whether the sum and the dot product are "
                          "identical; agree = how many of the four kernels "
                          "agree bit for bit (a matrix for gnuplot's image "
                          "style)");
    for (guint i = 0; i < jobs; i++) {
        const NlTable *ri = nl_run_job_table(run, i, "a7-row");
        const NlTable *si = nl_run_job_table(run, i, "a7-reductions");
        if (i > 0)
            nl_table_new_dataset(t, NULL);
        for (guint j = 0; j < jobs; j++) {
            const NlTable *rj = nl_run_job_table(run, j, "a7-row");
            const NlTable *sj = nl_run_job_table(run, j, "a7-reductions");
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
    return TRUE;
}
