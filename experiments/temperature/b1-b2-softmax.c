/* b1-b2-softmax.c — figures B1 and B2: what the temperature does to the
 * softmax of one set of logits.
 *
 * B1 is the softmax at one temperature, computed in double on the host
 * (the reference) and by every backend in float32, with each backend's
 * distance from the reference in ulps. B2 shows the same logits at a few
 * temperatures as bars, a table of the largest probability and the
 * entropy, and both as curves over a sweep of temperatures; T = 0 is
 * greedy decoding, a one-hot vector at the argmax, never a division by
 * zero. */
#include "config.h"

#include "temperature.h"

#include <math.h>

gboolean temp_b1(NlRun *run, const TempConfig *c, GError **error)
{
    double t = nl_params_get_double(nl_run_params(run), "b1_temperature");
    g_autofree double *p = g_new(double, c->n);
    if (!temp_softmax(c, c->logits, t, p, error))
        return FALSE;
    NlTable *tab = nl_run_table(run, "b1-softmax",
                                "index:int token:str logit:f64 scaled:f64 "
                                "p:f64");
    nl_table_set_title(tab, "softmax probabilities of the logits (double)");
    double sum = 0;
    for (gsize i = 0; i < c->n; i++) {
        nl_table_add_int(tab, (gint64)i);
        nl_table_add_str(tab, c->tokens[i]);
        nl_table_add_f64(tab, c->logits[i]);
        nl_table_add_f64(tab, t > 0 ? c->logits[i] / t : NAN);
        nl_table_add_f64(tab, p[i]);
        sum += p[i];
    }
    g_autofree char *ts = g_strdup_printf("%g", t);
    g_autofree char *ss = g_strdup_printf("%.17g", sum);
    nl_table_add_note(tab, "temperature", ts);
    nl_table_add_note(tab, "sum of p", ss);
    nl_table_add_note(tab, "logits from", c->source);
    nl_table_add_note(tab, "scaled", "logit / T; p = exp(scaled - max) / sum");
    return TRUE;
}

/* One backend's float32 softmax of the float32 logits at float32 T, or
 * the greedy one-hot when T = 0 (a backend's softmax needs T > 0). */
static gboolean backend_softmax(NlBackend *b, const float *x, gsize n, float t,
                                float *p, GError **error)
{
    if (t == 0.0f) {
        double *xd = g_new(double, n), *pd = g_new(double, n);
        for (gsize i = 0; i < n; i++)
            xd[i] = x[i];
        gboolean ok = nl_sample_softmax(xd, n, 0.0, pd, error);
        for (gsize i = 0; ok && i < n; i++)
            p[i] = (float)pd[i];
        g_free(xd);
        g_free(pd);
        return ok;
    }
    NlBuffer *bx = nl_backend_new_from(b, x, n, error);
    NlBuffer *by = bx ? nl_backend_alloc(b, n, error) : NULL;
    gboolean ok = by && nl_backend_softmax(b, bx, by, n, t, error) &&
                  nl_backend_download(b, by, p, n, error);
    nl_backend_free(b, bx);
    nl_backend_free(b, by);
    return ok;
}

/* The double reference of exactly the float inputs the backend gets. */
static gboolean reference(const float *x, gsize n, float t, double *p,
                          GError **error)
{
    g_autofree double *xd = g_new(double, n);
    for (gsize i = 0; i < n; i++)
        xd[i] = x[i];
    return nl_sample_softmax(xd, n, t, p, error);
}

gboolean temp_b1_backend(NlRun *run, const TempConfig *c, GError **error)
{
    NlBackend *b = nl_run_backend(run);
    gsize n = c->n;
    float t = (float)nl_params_get_double(nl_run_params(run), "b1_temperature");
    g_autofree float *x = g_new(float, n);
    g_autofree float *p = g_new(float, n);
    g_autofree double *ref = g_new(double, n);
    for (gsize i = 0; i < n; i++)
        x[i] = (float)c->logits[i];
    if (!backend_softmax(b, x, n, t, p, error) ||
        !reference(x, n, t, ref, error))
        return FALSE;
    NlTable *tab = nl_run_table(run, "b1-backends",
                                "index:int token:str p:f32 bits:hex "
                                "p_ref:f64 ulps:int");
    nl_table_set_title(tab, "each backend's float32 softmax against the "
                            "double reference of the same float32 inputs");
    nl_table_add_note(tab, "ulps",
                      "signed float32 ulps from p_ref rounded "
                      "to float32");
    for (gsize i = 0; i < n; i++) {
        nl_table_add_int(tab, (gint64)i);
        nl_table_add_str(tab, c->tokens[i]);
        nl_table_add_f32(tab, p[i]);
        nl_table_add_hex(tab, nl_f32_bits(p[i]));
        nl_table_add_f64(tab, ref[i]);
        nl_table_add_int(tab, nl_ulp_diff_f32((float)ref[i], p[i]));
    }

    /* the same over the sweep: the largest distance at each T */
    NlTable *sw = nl_run_table(run, "b2-backends",
                               "temperature:f64 max_ulps:int sum_p:f64");
    nl_table_set_title(sw, "each backend's largest distance from the double "
                           "softmax, over the temperature sweep");
    for (gsize k = 0; k < c->sweep.n; k++) {
        float tk = (float)c->sweep.t[k];
        if (!backend_softmax(b, x, n, tk, p, error) ||
            !reference(x, n, tk, ref, error))
            return FALSE;
        gint64 worst = 0;
        double sum = 0;
        for (gsize i = 0; i < n; i++) {
            worst = MAX(worst, nl_ulp_distance_f32((float)ref[i], p[i]));
            sum += p[i];
        }
        nl_table_add_f64(sw, tk);
        nl_table_add_int(sw, worst);
        nl_table_add_f64(sw, sum);
    }
    return TRUE;
}

/* p_max, its token, the entropy in bits, 2^entropy, and the entropy in
 * nats, the notebook's unit (np.log). */
static void add_summary(NlTable *tab, const TempConfig *c, double t,
                        const double *p, gboolean token_name)
{
    gsize top = 0;
    for (gsize i = 1; i < c->n; i++)
        if (p[i] > p[top])
            top = i;
    double h = nl_sample_entropy_bits(p, c->n);
    nl_table_add_f64(tab, t);
    nl_table_add_f64(tab, p[top]);
    if (token_name)
        nl_table_add_str(tab, c->tokens[top]);
    else
        nl_table_add_int(tab, (gint64)top);
    nl_table_add_f64(tab, h);
    nl_table_add_f64(tab, exp2(h));
    nl_table_add_f64(tab, h * G_LN2);
}

/* Each token's probability over the sweep, one dataset per token: all
 * tokens of a small vocabulary, the SWEEP_TOKENS of largest logit (ties:
 * lower index) of a large one. `p` is scratch of c->n doubles. */
#define SWEEP_TOKENS 32

/* Descending logit, then ascending index. */
static gint by_logit(gconstpointer a, gconstpointer b, gpointer logits)
{
    gsize i = *(const gsize *)a, j = *(const gsize *)b;
    const double *z = logits;
    return z[i] > z[j] ? -1 : z[i] < z[j] ? 1 : (i > j) - (i < j);
}

static gint by_index(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    gsize i = *(const gsize *)a, j = *(const gsize *)b;
    return (i > j) - (i < j);
}

static gboolean sweep_tokens(NlRun *run, const TempConfig *c, double *p,
                             GError **error)
{
    NlTable *tab =
        nl_run_table(run, "b2-sweep-tokens", "temperature:f64 p:f64");
    nl_table_set_title(tab, "each token's probability over the sweep; one "
                            "dataset per token, in vocabulary order");
    g_autofree gsize *keep = g_new(gsize, MIN(c->n, SWEEP_TOKENS));
    gsize n_keep = 0;
    if (c->n <= SWEEP_TOKENS) {
        for (gsize i = 0; i < c->n; i++)
            keep[n_keep++] = i;
    } else {
        /* ranked by the logits themselves: probabilities can underflow
         * to 0 or round to equal values where the logits still differ */
        g_autofree gsize *order = g_new(gsize, c->n);
        for (gsize i = 0; i < c->n; i++)
            order[i] = i;
        g_qsort_with_data(order, (gint)c->n, sizeof *order, by_logit,
                          c->logits);
        for (n_keep = 0; n_keep < SWEEP_TOKENS; n_keep++)
            keep[n_keep] = order[n_keep];
        g_qsort_with_data(keep, (gint)n_keep, sizeof *keep, by_index, NULL);
        nl_table_add_note(tab, "tokens", "the 32 of largest logit");
    }
    gsize cells;
    if (!nl_size_mul(n_keep, c->sweep.n, &cells))
        cells = G_MAXSIZE;
    double *all = nl_alloc_f64(cells, error);
    if (!all)
        return FALSE;
    for (gsize k = 0; k < c->sweep.n; k++) {
        if (!temp_softmax(c, c->logits, c->sweep.t[k], p, error)) {
            nl_free(all);
            return FALSE;
        }
        for (gsize j = 0; j < n_keep; j++)
            all[j * c->sweep.n + k] = p[keep[j]];
    }
    for (gsize j = 0; j < n_keep; j++) {
        nl_table_new_dataset(tab, c->tokens[keep[j]]);
        for (gsize k = 0; k < c->sweep.n; k++) {
            nl_table_add_f64(tab, c->sweep.t[k]);
            nl_table_add_f64(tab, all[j * c->sweep.n + k]);
        }
    }
    nl_free(all);
    return TRUE;
}

gboolean temp_b2(NlRun *run, const TempConfig *c, GError **error)
{
    g_autofree double *p = g_new(double, c->n);
    NlTable *bars = nl_run_table(run, "b2-bars",
                                 "index:int token:str temperature:f64 p:f64");
    nl_table_set_title(bars, "softmax at a few temperatures; one dataset per "
                             "temperature");
    for (gsize k = 0; k < c->b2_bars.n; k++) {
        double t = c->b2_bars.t[k];
        if (!temp_softmax(c, c->logits, t, p, error))
            return FALSE;
        g_autofree char *label = g_strdup_printf("T=%g", t);
        nl_table_new_dataset(bars, label);
        for (gsize i = 0; i < c->n; i++) {
            nl_table_add_int(bars, (gint64)i);
            nl_table_add_str(bars, c->tokens[i]);
            nl_table_add_f64(bars, t);
            nl_table_add_f64(bars, p[i]);
        }
    }

    const char *cols = "temperature:f64 p_max:f64 argmax:str entropy_bits:f64 "
                       "perplexity:f64 entropy_nats:f64";
    NlTable *tab = nl_run_table(run, "b2-table", cols);
    nl_table_set_title(tab, "largest probability and entropy by temperature");
    g_autofree char *hmax =
        g_strdup_printf("%.17g bits (log2 of %" G_GSIZE_FORMAT " tokens)",
                        log2((double)c->n), c->n);
    nl_table_add_note(tab, "entropy_max", hmax);
    nl_table_add_note(tab, "perplexity",
                      "2^entropy: the number of equally "
                      "likely tokens with that entropy");
    nl_table_add_note(tab, "entropy_nats",
                      "the entropy in nats (natural log), the "
                      "notebook's unit: entropy_bits * ln 2");
    for (gsize k = 0; k < c->b2_table.n; k++) {
        if (!temp_softmax(c, c->logits, c->b2_table.t[k], p, error))
            return FALSE;
        add_summary(tab, c, c->b2_table.t[k], p, TRUE);
    }

    NlTable *sweep = nl_run_table(run, "b2-sweep",
                                  "temperature:f64 p_max:f64 argmax:int "
                                  "entropy_bits:f64 perplexity:f64 "
                                  "entropy_nats:f64");
    nl_table_set_title(sweep, "largest probability and entropy over the "
                              "temperature sweep");
    nl_table_add_note(sweep, "entropy_max", hmax);
    for (gsize k = 0; k < c->sweep.n; k++) {
        if (!temp_softmax(c, c->logits, c->sweep.t[k], p, error))
            return FALSE;
        add_summary(sweep, c, c->sweep.t[k], p, FALSE);
    }
    return sweep_tokens(run, c, p, error);
}
