/* a2-blocked.c — figure A2: one array, summed in different tree shapes.
 *
 * The reference is the plain left-to-right loop, computed here on the
 * host so that it is the same row for every backend; the blocked trees
 * are the backend's tiled_sum, and "backend sum" its own sum kernel. Each
 * result is set against the sequential one and against the exact sum, so
 * the figure shows that blocking changes the value — and usually brings it
 * closer to the exact sum, since each partial sum stays small. */
#include "config.h"

#include "associativity.h"

static void add_row(NlTable *t, gint64 block, const char *label, float sum,
                    float sequential, float exact)
{
    nl_table_add_int(t, block);
    nl_table_add_str(t, label);
    nl_table_add_f32(t, sum);
    nl_table_add_hex(t, nl_f32_bits(sum));
    nl_table_add_f64(t, (double)sum - (double)sequential); /* exact in double */
    nl_table_add_int(t, nl_ulp_diff_f32(sequential, sum));
    nl_table_add_int(t, nl_ulp_diff_f32(exact, sum));
}

gboolean assoc_blocked(NlRun *run, GError **error)
{
    NlBackend *b = nl_run_backend(run);
    const NlParams *p = nl_run_params(run);
    gsize n = (gsize)nl_params_get_int(p, "n");
    gsize n_blocks;
    const gint64 *blocks = nl_params_get_int_list(p, "blocks", &n_blocks);

    float *x = nl_normal_values_f32(nl_run_seed(run), n, error);
    if (!x)
        return FALSE;
    float exact = nl_exact_sum_f32(x, n);
    NlBuffer *buf = nl_backend_new_from(b, x, n, error);
    if (!buf) {
        nl_free(x);
        return FALSE;
    }

    NlTable *t = nl_run_table(run, "a2-blocked",
                              "block:int label:str sum:f32 bits:hex "
                              "diff_seq:f64 ulps_seq:int ulps_exact:int");
    nl_table_set_title(t, "sequential against blocked tree sums");
    nl_table_add_note(t, "ulps", "signed distance in float32 ulps: positive "
                                 "means the sum is larger");

    float sequential = 0.0f, value;
    for (gsize i = 0; i < n; i++)
        sequential += x[i];
    nl_free(x);
    add_row(t, (gint64)n, "sequential", sequential, sequential, exact);
    gboolean ok = TRUE;
    for (gsize i = 0; ok && i < n_blocks; i++) {
        ok = nl_backend_tiled_sum(b, buf, n, (gsize)blocks[i], &value, error);
        if (ok) {
            g_autofree char *label = g_strdup_printf("block %" G_GINT64_FORMAT,
                                                     blocks[i]);
            add_row(t, blocks[i], label, value, sequential, exact);
        }
    }
    if (ok)
        ok = nl_backend_sum(b, buf, n, &value, error);
    if (ok) {
        add_row(t, 0, "backend sum", value, sequential, exact);
        add_row(t, -1, "exact (MPFR)", exact, sequential, exact);
    }
    nl_backend_free(b, buf);
    return ok;
}
