/* b4-b5-decoding.c — figures B4 and B5: what decoding does with the
 * probabilities.
 *
 * B4, "true vs probable": logits where a wrong token (Frankreich) is the
 * most probable and the true one (Paris) second; at each temperature the
 * argmax, the probabilities, `b4_draws` seeded draws shown one by one,
 * and `b4_tally` draws counted. Every temperature draws with the same
 * uniforms (a generator seeded with the run's seed), so the figure shows
 * the temperature, not the luck, changing the tokens; a few draws change
 * only where a uniform lies near a cdf boundary the temperature moves,
 * which is why the tally beside them counts many.
 *
 * B5, the determinism recipe made measurable: `runs` runs of `b5_tokens`
 * tokens each, in seven settings — greedy; sampling at b5_temperature
 * with fresh seeds and with one fixed seed; the same with top-k and with
 * top-p. "Fresh" seeds stand for a clock or /dev/urandom but are drawn
 * from a generator seeded with (seed XOR 0x9e3779b97f4a7c15), so that the
 * figure itself is reproducible; the fixed seed is the run's seed. */
#include "config.h"

#include "temperature.h"

#include <string.h>

static gsize argmax_of(const double *p, gsize n)
{
    gsize top = 0;
    for (gsize i = 1; i < n; i++)
        if (p[i] > p[top]) /* the first maximum: lowest index */
            top = i;
    return top;
}

gboolean temp_b4(NlRun *run, const TempConfig *c, GError **error)
{
    gint64 draws = nl_params_get_int(nl_run_params(run), "b4_draws");
    gint64 tally = nl_params_get_int(nl_run_params(run), "b4_tally");
    g_autofree guint64 *counts = g_new(guint64, c->n);
    g_autofree double *p = g_new(double, c->n);
    g_autofree guint32 *tok = g_new(guint32, MAX(draws, 1));
    g_autofree gint64 *drawn = g_new(gint64, c->n);
    NlTable *probs = nl_run_table(run, "b4-probs",
                                  "index:int token:str temperature:f64 p:f64 "
                                  "argmax:int true:int drawn:int");
    nl_table_set_title(probs, "true vs probable: probabilities at each "
                              "temperature; one dataset per temperature");
    NlTable *seq =
        nl_run_table(run, "b4-draws", "draw:int index:int token:str");
    nl_table_set_title(seq, "the seeded draws; one dataset per temperature");
    NlTable *sum = nl_run_table(run, "b4-summary",
                                "temperature:f64 argmax:str p_argmax:f64 "
                                "true:str p_true:f64 drawn_argmax:int "
                                "drawn_true:int draws:int tally:int "
                                "tally_argmax:int tally_true:int");
    nl_table_set_title(sum, "argmax against the true token at each "
                            "temperature");
    nl_table_add_note(sum, "tally",
                      "draws counted (b4_tally), from the same seed at "
                      "every temperature; tally_argmax and tally_true: how "
                      "often the argmax and the true token came");
    for (gsize k = 0; k < c->b4_temps.n; k++) {
        double t = c->b4_temps.t[k];
        if (!temp_softmax(c, c->b4_logits, t, p, error))
            return FALSE;
        g_autoptr(NlSampler) s = nl_sampler_new(p, c->n, error);
        if (!s)
            return FALSE;
        NlRng rng;
        nl_rng_init(&rng, nl_run_seed(run)); /* the same uniforms at every T */
        nl_sampler_draw_n(s, &rng, tok, (gsize)draws);
        memset(drawn, 0, c->n * sizeof *drawn);
        g_autofree char *label = g_strdup_printf("T=%g", t);
        nl_table_new_dataset(seq, label);
        for (gint64 d = 0; d < draws; d++) {
            drawn[tok[d]]++;
            nl_table_add_int(seq, d + 1);
            nl_table_add_int(seq, tok[d]);
            nl_table_add_str(seq, c->tokens[tok[d]]);
        }
        gsize top = argmax_of(p, c->n);
        nl_table_new_dataset(probs, label);
        for (gsize i = 0; i < c->n; i++) {
            nl_table_add_int(probs, (gint64)i);
            nl_table_add_str(probs, c->tokens[i]);
            nl_table_add_f64(probs, t);
            nl_table_add_f64(probs, p[i]);
            nl_table_add_int(probs, i == top);
            nl_table_add_int(probs, (gssize)i == c->b4_true);
            nl_table_add_int(probs, drawn[i]);
        }
        nl_table_add_f64(sum, t);
        nl_table_add_str(sum, c->tokens[top]);
        nl_table_add_f64(sum, p[top]);
        nl_table_add_str(sum, c->b4_true >= 0 ? c->tokens[c->b4_true] : "");
        nl_table_add_f64(sum, c->b4_true >= 0 ? p[c->b4_true] : 0.0);
        nl_table_add_int(sum, drawn[top]);
        nl_table_add_int(sum, c->b4_true >= 0 ? drawn[c->b4_true] : 0);
        nl_table_add_int(sum, draws);
        nl_rng_init(&rng, nl_run_seed(run));
        memset(counts, 0, c->n * sizeof *counts);
        nl_sampler_count(s, &rng, counts, (guint64)tally);
        nl_table_add_int(sum, tally);
        nl_table_add_int(sum, (gint64)counts[top]);
        nl_table_add_int(sum, c->b4_true >= 0 ? (gint64)counts[c->b4_true] : 0);
    }
    return TRUE;
}

/* ---- B5 ---- */

typedef enum { FILTER_NONE, FILTER_TOP_K, FILTER_TOP_P } Filter;

typedef struct {
    const char *mode;
    gboolean greedy;
    Filter filter;
    gboolean fresh; /* a new seed per run, or the fixed one */
} Setting;

static const Setting settings[] = {
    {"greedy", TRUE, FILTER_NONE, TRUE},
    {"sampling", FALSE, FILTER_NONE, TRUE},
    {"sampling", FALSE, FILTER_NONE, FALSE},
    {"top-k", FALSE, FILTER_TOP_K, TRUE},
    {"top-k", FALSE, FILTER_TOP_K, FALSE},
    {"top-p", FALSE, FILTER_TOP_P, TRUE},
    {"top-p", FALSE, FILTER_TOP_P, FALSE},
};

/* The setting's distribution into p; its filter's text into *filter. */
static gboolean setting_probs(NlRun *run, const TempConfig *c,
                              const Setting *st, double *p, char **filter,
                              double *t, GError **error)
{
    const NlParams *params = nl_run_params(run);
    *t = st->greedy ? 0.0 : nl_params_get_double(params, "b5_temperature");
    if (!temp_softmax(c, c->logits, *t, p, error))
        return FALSE;
    gint64 k = nl_params_get_int(params, "top_k");
    double top_p = nl_params_get_double(params, "top_p");
    switch (st->filter) {
    case FILTER_NONE:
        *filter = g_strdup("none");
        return TRUE;
    case FILTER_TOP_K:
        *filter = g_strdup_printf("top_k=%" G_GINT64_FORMAT, k);
        return nl_sample_top_k(p, c->n, (gsize)k, p, error);
    case FILTER_TOP_P:
        *filter = g_strdup_printf("top_p=%g", top_p);
        return nl_sample_top_p(p, c->n, top_p, p, error);
    }
    return FALSE;
}

/* One run: up to `len` tokens as "Paris Frankreich ...", ending with the
 * first <EOS> drawn (a generation stops there). */
static char *one_run(const TempConfig *c, const Setting *st, const NlSampler *s,
                     gsize top, guint64 seed, gsize len)
{
    GString *out = g_string_new(NULL);
    NlRng rng;
    nl_rng_init(&rng, seed);
    for (gsize i = 0; i < len; i++) {
        gsize tok = st->greedy ? top : nl_sampler_draw(s, &rng);
        g_string_append_printf(out, "%s%s", i ? " " : "", c->tokens[tok]);
        if (strcmp(c->tokens[tok], "<EOS>") == 0)
            break;
    }
    return g_string_free(out, FALSE);
}

gboolean temp_b5(NlRun *run, const TempConfig *c, GError **error)
{
    const NlParams *params = nl_run_params(run);
    gint64 runs = nl_params_get_int(params, "runs");
    gsize len = (gsize)nl_params_get_int(params, "b5_tokens");
    g_autofree guint64 *fresh = g_new(guint64, runs);
    NlRng seeder;
    nl_rng_init(&seeder, nl_run_seed(run) ^ 0x9e3779b97f4a7c15ULL);
    for (gint64 r = 0; r < runs; r++)
        fresh[r] = nl_rng_next_u64(&seeder);

    NlTable *tab = nl_run_table(run, "b5-runs",
                                "setting:int mode:str temperature:f64 "
                                "filter:str seeds:str run:int seed:hex "
                                "tokens:str same_as_first:int");
    nl_table_set_title(tab, "the determinism recipe: runs side by side; one "
                            "dataset per setting");
    NlTable *sum = nl_run_table(run, "b5-summary",
                                "setting:int mode:str temperature:f64 "
                                "filter:str seeds:str runs:int distinct:int "
                                "identical:int support:int kept:str");
    nl_table_set_title(sum, "how many different outputs each setting gave");
    g_autofree double *p = g_new(double, c->n);
    for (guint k = 0; k < G_N_ELEMENTS(settings); k++) {
        const Setting *st = &settings[k];
        g_autofree char *filter = NULL;
        double t;
        if (!setting_probs(run, c, st, p, &filter, &t, error))
            return FALSE;
        g_autoptr(NlSampler) s = nl_sampler_new(p, c->n, error);
        if (!s)
            return FALSE;
        const char *seeds = st->fresh ? "fresh" : "fixed";
        g_autofree char *label =
            g_strdup_printf("%s T=%g %s %s", st->mode, t, filter, seeds);
        nl_table_new_dataset(tab, label);
        g_autoptr(GHashTable) distinct =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autofree char *first = NULL;
        for (gint64 r = 0; r < runs; r++) {
            guint64 seed = st->fresh ? fresh[r] : nl_run_seed(run);
            char *out = one_run(c, st, s, argmax_of(p, c->n), seed, len);
            if (!first)
                first = g_strdup(out);
            nl_table_add_int(tab, k + 1);
            nl_table_add_str(tab, st->mode);
            nl_table_add_f64(tab, t);
            nl_table_add_str(tab, filter);
            nl_table_add_str(tab, seeds);
            nl_table_add_int(tab, r + 1);
            nl_table_add_hex(tab, seed);
            nl_table_add_str(tab, out);
            nl_table_add_int(tab, strcmp(out, first) == 0);
            g_hash_table_add(distinct, out);
        }
        GString *kept = g_string_new(NULL);
        gint64 support = 0;
        for (gsize i = 0; i < c->n; i++)
            if (p[i] > 0) {
                support++;
                if (support <= 8)
                    g_string_append_printf(kept, "%s%s", kept->len ? " " : "",
                                           c->tokens[i]);
            }
        if (support > 8)
            g_string_append(kept, " ...");
        guint n_distinct = g_hash_table_size(distinct);
        nl_table_add_int(sum, k + 1);
        nl_table_add_str(sum, st->mode);
        nl_table_add_f64(sum, t);
        nl_table_add_str(sum, filter);
        nl_table_add_str(sum, seeds);
        nl_table_add_int(sum, runs);
        nl_table_add_int(sum, n_distinct);
        nl_table_add_int(sum, n_distinct == 1);
        nl_table_add_int(sum, support);
        nl_table_add_str(sum, kept->str);
        g_string_free(kept, TRUE);
    }
    return TRUE;
}
