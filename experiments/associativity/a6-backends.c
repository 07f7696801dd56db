/* a6-backends.c — figure A6: every backend sums the same array.
 *
 * Each job reports its backend's plain sum and its distance from the exact
 * sum; run_compare then lays the jobs side by side and marks which pairs
 * agree bit for bit. With one backend the table has one row; the backends
 * of later issues join without any change here.
 *
 * A sum farther from the exact one than any correct order of additions can
 * be (numlab/bound.h) is no rounding: it is reported as a backend fault
 * and its row marked (fault = 1), so that the figure draws it as one. At
 * A6's size that bound is far too loose to catch a dropped lane on normal
 * data (with the defaults 50 517, against the 155 that OpenBLAS 0.3.21's
 * lane bug is off by), so the same sum kernel also runs on an exact probe
 * of the same n (numlab/probe.h): if it gets those integers wrong, the
 * kernel is wrong at this size and the row is a fault too. The pairs are
 * compared as they are, faulty or not.
 *
 * For each 16-bit type of the `precision` parameter the same values,
 * rounded once to the type, are summed twice more (table
 * a6-backends-TYPE): with float32 accumulation, as AVX512-BF16 and tensor
 * cores do, and with accumulation in the type itself, every addition
 * rounded to it. The first lands within float32's bound of the exact sum
 * of the stored values; the second stalls once the running sum's spacing
 * outgrows the values.
 *
 * The exact sums and bounds are the same for every job: run_common
 * computes them once (assoc_common_values), each job reads them back. */
#include "config.h"

#include "associativity.h"

#include <math.h>
#include <string.h>

void assoc_common_values(const NlParams *params, const float *x, AssocCommon *c)
{
    gsize n = (gsize)nl_params_get_int(params, "n");
    gsize a6_n = (gsize)nl_params_get_int(params, "a6_n");
    memset(c, 0, sizeof *c);
    c->a2_exact_f32 = nl_exact_sum_f32(x, n);
    c->a2_exact = nl_exact_sum_f32_as_f64(x, n);
    c->a2_bound = nl_sum_bound_f32(x, n);
    c->a2_sequential = nl_ref_sum_f32(x, n);
    c->a6_exact = nl_exact_sum_f32_as_f64(x, a6_n);
    c->a6_exact_f32 = nl_exact_sum_f32(x, a6_n);
    c->a6_bound = nl_sum_bound_f32(x, a6_n);
    gsize n_prec;
    const char *const *names =
        nl_params_get_string_list(params, "precision", &n_prec);
    float *v = g_new(float, MAX(a6_n, 1));
    for (gsize i = 0; i < n_prec; i++) {
        NlPrecision p = NL_PRECISION_F32;
        nl_precision_from_name(names[i], &p);
        if (p != NL_PRECISION_BF16 && p != NL_PRECISION_F16)
            continue;
        double abs_sum = 0;
        for (gsize k = 0; k < a6_n; k++) { /* the values as stored in p */
            v[k] = (float)nl_precision_round(p, x[k]);
            abs_sum += fabs((double)v[k]);
        }
        c->a6_16_exact[p] = nl_exact_sum_f32_as_f64(v, a6_n);
        c->a6_16_abs[p] = abs_sum;
    }
    g_free(v);
}

gboolean assoc_backend_sum(NlRun *run, const float *x, const AssocCommon *c,
                           GError **error)
{
    NlBackend *b = nl_run_backend(run);
    gsize n = (gsize)nl_params_get_int(nl_run_params(run), "a6_n");
    double exact = c->a6_exact;
    float exact_f32 = (float)c->a6_exact_f32;
    double bound = c->a6_bound;
    NlBuffer *buf = nl_backend_new_from(b, x, n, error);
    if (!buf)
        return FALSE;
    float sum;
    gboolean ok = nl_backend_sum(b, buf, n, &sum, error);
    nl_backend_free(b, buf);
    if (!ok)
        return FALSE;
    gboolean fault = !nl_run_check_bound(
        run, sum, exact, bound, "A6: sum of %" G_GSIZE_FORMAT " values", n);
    /* after the values' buffer is gone: the two are never held at once */
    g_autoptr(NlProbe) probe = nl_probe_new(b, n, NL_PROBE_SUM, error);
    gboolean probe_exact;
    if (!probe ||
        !nl_probe_check_sum(run, probe, n, 0, "A6", &probe_exact, error))
        return FALSE;
    fault = fault || !probe_exact;

    NlTable *t = nl_run_table(run, "a6-backends",
                              "backend:str sum:f32 bits:hex ulps_exact:int "
                              "abs_error:f64 exact:f64 threads:int n:int "
                              "fault:int");
    nl_table_set_title(t, "the same array summed by each backend");
    nl_table_add_note(t, "fault",
                      "1: the sum lies beyond the error bound "
                      "of every correct order of additions, "
                      "gamma(n-1) * sum |x_i|, or the same sum "
                      "kernel gets integers that every correct "
                      "order sums exactly wrong at this n "
                      "(numlab/probe.h): a backend fault, not "
                      "rounding");
    nl_table_add_str(t, nl_backend_label(b));
    nl_table_add_f32(t, sum);
    nl_table_add_hex(t, nl_f32_bits(sum));
    nl_table_add_int(t, nl_ulp_diff_f32(exact_f32, sum));
    nl_table_add_f64(t, fabs((double)sum - exact));
    nl_table_add_f64(t, exact);
    nl_table_add_int(t, nl_backend_info(b)->threads);
    nl_table_add_int(t, (gint64)n);
    nl_table_add_int(t, fault);
    return TRUE;
}

/* The sum of the values x rounded to p (once, by the upload), by the
 * job's backend, in acc: one row of a6-backends-TYPE. */
static gboolean sum_16_row(NlRun *run, NlTable *t, const float *x, double exact,
                           double abs_sum, gsize n, NlPrecision p,
                           NlPrecision acc, GError **error)
{
    NlBackend *b = nl_run_backend(run);
    NlBuffer *buf = nl_backend_alloc_as(b, p, n, error);
    if (buf && !nl_backend_upload_rounded(b, buf, x, n, error)) {
        nl_backend_free(b, buf);
        return FALSE;
    }
    if (!buf)
        return FALSE;
    double sum = NAN;
    gboolean ok = nl_backend_sum_in(b, buf, n, acc, &sum, error);
    nl_backend_free(b, buf);
    if (!ok)
        return FALSE;
    double u = nl_precision_unit_roundoff(acc), nu = (double)(n - 1) * u;
    gboolean fault =
        nu < 1 &&
        !nl_run_check_bound(run, sum, exact, nu / (1 - nu) * abs_sum,
                            "A6: sum of %" G_GSIZE_FORMAT " %s values in %s", n,
                            nl_precision_name(p), nl_precision_name(acc));
    guint64 bits = acc == NL_PRECISION_F32    ? nl_f32_bits((float)sum)
                   : acc == NL_PRECISION_BF16 ? nl_bf16_from_f64(sum)
                                              : nl_f16_from_f64(sum);
    nl_table_add_str(t, nl_backend_label(b));
    nl_table_add_str(t, nl_precision_name(acc));
    nl_table_add_f64(t, sum);
    nl_table_add_hex(t, bits);
    nl_table_add_f64(t, fabs(sum - exact));
    nl_table_add_f64(t, exact);
    nl_table_add_int(t, (gint64)n);
    nl_table_add_int(t, fault);
    return TRUE;
}

/* A6 in each 16-bit type of the `precision` parameter. */
gboolean assoc_backend_sum_16(NlRun *run, const float *x, const AssocCommon *c,
                              GError **error)
{
    const NlParams *params = nl_run_params(run);
    gsize n = (gsize)nl_params_get_int(params, "a6_n"), n_prec;
    const char *const *names =
        nl_params_get_string_list(params, "precision", &n_prec);
    for (gsize i = 0; i < n_prec; i++) {
        NlPrecision p = NL_PRECISION_F32;
        nl_precision_from_name(names[i], &p);
        if (p != NL_PRECISION_BF16 && p != NL_PRECISION_F16)
            continue;
        double exact = c->a6_16_exact[p], abs_sum = c->a6_16_abs[p];
        g_autofree char *name =
            g_strdup_printf("a6-backends-%s", nl_precision_name(p));
        NlTable *t = nl_run_table(run, name,
                                  "backend:str acc:str sum:f64 bits:hex "
                                  "abs_error:f64 exact:f64 n:int fault:int");
        g_autofree char *title = g_strdup_printf(
            "the same %s array summed by each backend, in float32 and in %s",
            nl_precision_name(p), nl_precision_name(p));
        nl_table_set_title(t, title);
        nl_table_add_note(t, "exact",
                          "the real sum of the values as stored in the "
                          "16-bit type, rounded once to float64 (MPFR)");
        nl_table_add_note(t, "bits", "the sum in its accumulation precision");
        gboolean ok = sum_16_row(run, t, x, exact, abs_sum, n, p,
                                 NL_PRECISION_F32, error) &&
                      sum_16_row(run, t, x, exact, abs_sum, n, p, p, error);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

gboolean assoc_compare_backends(NlRun *run, GError **error)
{
    (void)error;
    guint jobs = nl_run_n_jobs(run);
    NlTable *t = nl_run_table(run, "a6-pairs",
                              "i:int j:int a:str b:str equal:int ulps:int");
    nl_table_set_title(t, "which backends agree bit for bit (every ordered "
                          "pair, a matrix for gnuplot's image style)");
    for (guint i = 0; i < jobs; i++) {
        const NlTable *ti = nl_run_job_table(run, i, "a6-backends");
        if (i > 0)
            nl_table_new_dataset(t, NULL); /* one matrix row per dataset */
        for (guint j = 0; j < jobs; j++) {
            const NlTable *tj = nl_run_job_table(run, j, "a6-backends");
            float a =
                (float)nl_table_get_f64(ti, 0, nl_table_column(ti, "sum"));
            float c =
                (float)nl_table_get_f64(tj, 0, nl_table_column(tj, "sum"));
            nl_table_add_int(t, i);
            nl_table_add_int(t, j);
            nl_table_add_str(t, nl_run_job_label(run, i));
            nl_table_add_str(t, nl_run_job_label(run, j));
            nl_table_add_int(t, nl_f32_bits(a) == nl_f32_bits(c));
            nl_table_add_int(t, nl_ulp_distance_f32(a, c));
        }
    }
    return TRUE;
}
