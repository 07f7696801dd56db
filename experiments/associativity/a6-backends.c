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
 * compared as they are, faulty or not. */
#include "config.h"

#include "associativity.h"

#include <math.h>

gboolean assoc_backend_sum(NlRun *run, GError **error)
{
    NlBackend *b = nl_run_backend(run);
    gsize n = (gsize)nl_params_get_int(nl_run_params(run), "a6_n");
    float *x = nl_normal_values_f32(nl_run_seed(run), n, error);
    if (!x)
        return FALSE;
    double exact = nl_exact_sum_f32_as_f64(x, n);
    float exact_f32 = nl_exact_sum_f32(x, n);
    double bound = nl_sum_bound_f32(x, n);
    NlBuffer *buf = nl_backend_new_from(b, x, n, error);
    nl_free(x);
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
