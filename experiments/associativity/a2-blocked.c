/* a2-blocked.c — figure A2: one array, summed in different tree shapes.
 *
 * The reference is the plain left-to-right loop, computed on the host
 * once, in run_common, with the exact sum (AssocCommon), so that it is
 * the same row for every backend; the blocked trees
 * are the backend's tiled_sum, and "backend sum" its own sum kernel. Each
 * result is set against the sequential one and against the exact sum, so
 * the figure shows that blocking changes the value — and usually brings it
 * closer to the exact sum, since each partial sum stays small.
 *
 * Every tree order obeys the same error bound as any other order of the
 * additions (numlab/bound.h): a block row or backend sum beyond it is a
 * backend fault, reported and marked (fault = 1), never rounding. For
 * large n that bound is too loose to catch a lost lane, so each kernel
 * call is repeated on an exact probe of the same n and block
 * (numlab/probe.h); a wrong probe marks the row as well. */
#include "config.h"

#include "associativity.h"

static void add_row(NlTable *t, gint64 block, const char *label, float sum,
                    float sequential, float exact, gboolean fault)
{
    nl_table_add_int(t, block);
    nl_table_add_str(t, label);
    nl_table_add_f32(t, sum);
    nl_table_add_hex(t, nl_f32_bits(sum));
    nl_table_add_f64(t, (double)sum - (double)sequential); /* exact in double */
    nl_table_add_int(t, nl_ulp_diff_f32(sequential, sum));
    nl_table_add_int(t, nl_ulp_diff_f32(exact, sum));
    nl_table_add_int(t, fault);
}

gboolean assoc_blocked(NlRun *run, const float *x, const AssocCommon *common,
                       GError **error)
{
    NlBackend *b = nl_run_backend(run);
    const NlParams *p = nl_run_params(run);
    gsize n = (gsize)nl_params_get_int(p, "n");
    gsize n_blocks;
    const gint64 *blocks = nl_params_get_int_list(p, "blocks", &n_blocks);

    float exact = (float)common->a2_exact_f32;
    double exact_f64 = common->a2_exact;
    double bound = common->a2_bound;
    NlBuffer *buf = nl_backend_new_from(b, x, n, error);
    if (!buf)
        return FALSE;

    NlTable *t = nl_run_table(run, "a2-blocked",
                              "block:int label:str sum:f32 bits:hex "
                              "diff_seq:f64 ulps_seq:int ulps_exact:int "
                              "fault:int");
    nl_table_set_title(t, "sequential against blocked tree sums");
    nl_table_add_note(t, "ulps",
                      "signed distance in float32 ulps: positive "
                      "means the sum is larger");
    nl_table_add_note(t, "fault",
                      "1: the backend's sum lies beyond the "
                      "error bound of every order of additions, "
                      "gamma(n-1) * sum |x_i|, or the same "
                      "kernel with the same block gets integers "
                      "that every order sums exactly wrong at "
                      "this n (numlab/probe.h): a backend "
                      "fault, not rounding");

    float sequential = (float)common->a2_sequential, value;
    NlProbe *probe = nl_probe_new(b, n, NL_PROBE_SUM, error);
    gboolean ok = probe != NULL, probe_exact = TRUE;
    if (ok)
        add_row(t, (gint64)n, "sequential", sequential, sequential, exact,
                FALSE);
    for (gsize i = 0; ok && i < n_blocks; i++) {
        gsize block = (gsize)blocks[i];
        ok = nl_backend_tiled_sum(b, buf, n, block, &value, error);
        if (ok) {
            gboolean fault =
                !nl_run_check_bound(run, value, exact_f64, bound,
                                    "A2: tiled_sum of %" G_GSIZE_FORMAT
                                    " values, block %" G_GSIZE_FORMAT,
                                    n, block);
            ok = nl_probe_check_sum(run, probe, n, block, "A2", &probe_exact,
                                    error);
            g_autofree char *label =
                g_strdup_printf("block %" G_GSIZE_FORMAT, block);
            if (ok)
                add_row(t, blocks[i], label, value, sequential, exact,
                        fault || !probe_exact);
        }
    }
    if (ok)
        ok = nl_backend_sum(b, buf, n, &value, error);
    if (ok) {
        gboolean fault =
            !nl_run_check_bound(run, value, exact_f64, bound,
                                "A2: sum of %" G_GSIZE_FORMAT " values", n);
        ok = nl_probe_check_sum(run, probe, n, 0, "A2", &probe_exact, error);
        if (ok) {
            add_row(t, 0, "backend sum", value, sequential, exact,
                    fault || !probe_exact);
            add_row(t, -1, "exact (MPFR)", exact, sequential, exact, FALSE);
        }
    }
    nl_probe_free(probe);
    nl_backend_free(b, buf);
    return ok;
}
