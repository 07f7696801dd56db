/* jobs.c — the inside experiment, per backend job: the common phase's
 * look inside the model repeated on the backend and measured against the
 * host (trace-delta), and F4, the determinism recipe tested on the model:
 * runs greedy, sampled with a new seed each and sampled with one seed,
 * and the prompt's logits in a batch against alone. */
#include "config.h"

#include "inside.h"

#include <math.h>
#include <string.h>

static double max_abs_delta(const float *a, const float *b, gsize n,
                            double *max_abs)
{
    double d = 0;
    for (gsize i = 0; i < n; i++) {
        if (isnan(a[i]) != isnan(b[i]))
            return INFINITY;
        if (!isnan(a[i]))
            d = MAX(d, fabs((double)a[i] - b[i]));
        if (max_abs)
            *max_abs = MAX(*max_abs, fabs((double)b[i]));
    }
    return d;
}

static guint argmax(const float *z, gsize V)
{
    guint a = 0;
    for (guint v = 1; v < V; v++)
        a = z[v] > z[a] ? v : a;
    return a;
}

/* The pipeline prompt traced on the backend against the host. */
static gboolean trace_delta(NlRun *run, const NlGpt *m, NlGptResident *on,
                            const InConfig *c, GError **error)
{
    g_autofree guint32 *tok = NULL;
    gsize n;
    if (!in_encode(m, "pipeline_prompt", c->pipeline_prompt, &tok, &n, error))
        return FALSE;
    g_autoptr(NlGptTrace) b = nl_gpt_trace(m, on, tok, n, error);
    g_autoptr(NlGptTrace) h = b ? nl_gpt_trace(m, NULL, tok, n, error) : NULL;
    if (!h)
        return FALSE;
    const NlGptConfig *mc = &m->config;
    gsize C = mc->d_model, V = mc->vocab_size, L = mc->n_layer;
    gsize H = mc->n_head;
    const struct {
        const char *name;
        const float *b, *h;
        gsize n;
    } q[] = {
        {"blocks", b->blocks, h->blocks, L * n * C},
        {"attention", b->attention, h->attention, L * H * n * n},
        {"logits", b->logits, h->logits, n * V},
        {"logits_skip", b->logits_skip, h->logits_skip, n * V},
    };
    NlTable *t = nl_run_table(run, "trace-delta",
                              "quantity:str max_abs_delta:f64 max_abs:f64 "
                              "argmax_same:int");
    nl_table_set_title(t, "F1-F3 on the backend against the host (the naive "
                          "order), the pipeline prompt");
    nl_table_add_note(t, "max_abs",
                      "the largest |value| on the host: the scale of the "
                      "difference");
    nl_table_add_note(t, "argmax_same",
                      "for logits: 1 when every position's most likely "
                      "word is the host's (-1: not a distribution)");
    for (gsize i = 0; i < G_N_ELEMENTS(q); i++) {
        double scale = 0;
        double d = max_abs_delta(q[i].b, q[i].h, q[i].n, &scale);
        gint64 same = -1;
        if (q[i].n == n * V) {
            same = 1;
            for (gsize t0 = 0; t0 < n; t0++)
                same &=
                    argmax(q[i].b + t0 * V, V) == argmax(q[i].h + t0 * V, V);
        }
        nl_table_add_str(t, q[i].name);
        nl_table_add_f64(t, d);
        nl_table_add_f64(t, scale);
        nl_table_add_int(t, same);
    }
    return TRUE;
}

/* Continues tokens[0..n) word by word on the backend: greedy at
 * temperature 0, else drawn with rng; the words after the prompt, joined
 * by spaces and ended by <EOS> where the model chose it, in *text. */
static gboolean continue_prompt(const NlGpt *m, NlGptResident *on,
                                const guint32 *prompt, gsize n, guint words,
                                double temperature, NlRng *rng, GString *text,
                                GError **error)
{
    g_autofree guint32 *out = NULL;
    gsize n_out;
    if (!nl_gpt_generate(m, on, prompt, n, words, temperature, rng, NULL, NULL,
                         NULL, &out, &n_out, error))
        return FALSE;
    g_string_truncate(text, 0);
    for (gsize w = 0; w < n_out; w++)
        g_string_append_printf(text, "%s%s", w ? " " : "",
                               nl_gpt_vocab_word(m->vocab, out[w]));
    if (n_out < words) /* only <EOS> ends a run early */
        g_string_append_printf(text, "%s%s", n_out ? " " : "", NL_GPT_EOS_WORD);
    return TRUE;
}

/* The three modes of F4: what each run changes. */
static const struct {
    const char *name;
    gboolean sampled;
    gboolean new_seed;
} modes[] = {
    {"greedy", FALSE, FALSE},
    {"sampled-new-seed", TRUE, TRUE},
    {"sampled-same-seed", TRUE, FALSE},
};

static gboolean demo_runs(NlRun *run, const NlGpt *m, NlGptResident *on,
                          const InConfig *c, GError **error)
{
    NlTable *t = nl_run_table(run, "f4-runs",
                              "prompt:str mode:str run:int seed:int "
                              "same_as_first:int text:str");
    nl_table_set_title(t, "F4: the same prompt run again and again");
    g_autofree char *how = g_strdup_printf(
        "greedy: temperature 0, the most likely word; sampled-new-seed: "
        "temperature %g, seed = the run's seed + run; sampled-same-seed: "
        "temperature %g, the run's seed every time",
        c->temperature, c->temperature);
    nl_table_add_note(t, "mode", how);
    nl_table_add_note(t, "seed", "the sampler's seed (-1: greedy draws none)");
    nl_table_add_note(t, "text",
                      "the words after the prompt, <EOS> where it ended");
    NlTable *d = nl_run_table(run, "f4-distinct",
                              "prompt:str mode:str runs:int distinct:int");
    nl_table_set_title(d, "F4: how many different continuations the runs "
                          "gave");
    guint64 seed = nl_run_seed(run);
    g_autoptr(GString) text = g_string_new(NULL);
    for (guint i = 0; c->demo_prompts[i]; i++) {
        const char *prompt = c->demo_prompts[i];
        g_autofree guint32 *tok = NULL;
        gsize n;
        if (!in_encode(m, "demo_prompts", prompt, &tok, &n, error))
            return FALSE;
        for (gsize k = 0; k < G_N_ELEMENTS(modes); k++) {
            g_autoptr(GHashTable) seen =
                g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            g_autofree char *first = NULL;
            for (guint r = 0; r < c->runs; r++) {
                guint64 s = modes[k].new_seed ? seed + r : seed;
                NlRng rng;
                nl_rng_init(&rng, s);
                if (!continue_prompt(m, on, tok, n, c->gen_words,
                                     modes[k].sampled ? c->temperature : 0,
                                     &rng, text, error))
                    return FALSE;
                if (r == 0)
                    first = g_strdup(text->str);
                g_hash_table_add(seen, g_strdup(text->str));
                nl_table_add_str(t, prompt);
                nl_table_add_str(t, modes[k].name);
                nl_table_add_int(t, r + 1);
                nl_table_add_int(t, modes[k].sampled ? (gint64)s : -1);
                nl_table_add_int(t, strcmp(first, text->str) == 0);
                nl_table_add_str(t, text->str);
            }
            nl_table_add_str(d, prompt);
            nl_table_add_str(d, modes[k].name);
            nl_table_add_int(d, c->runs);
            nl_table_add_int(d, g_hash_table_size(seen));
        }
    }
    return TRUE;
}

/* The recipe's fixed-layout link: each demo prompt's logits as the last
 * row of a batch with corpus sentences (cut or padded with <EOS> to the
 * prompt's length), against the prompt alone. */
static gboolean layout(NlRun *run, const NlGpt *m, NlGptResident *on,
                       const InConfig *c, GError **error)
{
    gsize n_corpus, V = m->config.vocab_size, B = c->layout_batch;
    const char *const *corpus = nl_gpt_lecture_sentences(&n_corpus);
    NlTable *t = nl_run_table(run, "f4-layout",
                              "prompt:str batch:int max_abs_delta:f64 "
                              "top_alone:str top_batch:str gap:f64");
    nl_table_set_title(t, "F4: the prompt alone against in a batch with "
                          "other sentences, on the same backend");
    nl_table_add_note(t, "max_abs_delta",
                      "largest |logit difference| after the prompt's last "
                      "word: 0 where the backend's products do not depend on "
                      "the batch");
    nl_table_add_note(t, "gap", "top-1 minus top-2 logit, alone");
    for (guint i = 0; c->demo_prompts[i]; i++) {
        g_autofree guint32 *tok = NULL;
        gsize n;
        if (!in_encode(m, "demo_prompts", c->demo_prompts[i], &tok, &n, error))
            return FALSE;
        g_autofree guint32 *rows = g_new(guint32, B * n);
        for (gsize b = 0, s = 0; b + 1 < B; b++) {
            g_autofree guint32 *st = NULL;
            gsize sn = 0;
            /* the sentences the model's vocabulary covers, in turn */
            for (gsize tries = 0; tries < n_corpus; tries++, s++) {
                g_clear_pointer(&st, g_free);
                if (nl_gpt_vocab_encode(m->vocab, corpus[s % n_corpus], FALSE,
                                        &st, &sn, NULL))
                    break;
                sn = 0;
            }
            s++;
            for (gsize j = 0; j < n; j++)
                rows[b * n + j] = j < sn ? st[j] : tok[j];
        }
        memcpy(rows + (B - 1) * n, tok, n * sizeof *tok);
        g_autofree float *alone = g_new(float, n *V);
        g_autofree float *batch = g_new(float, B *n *V);
        if (!nl_gpt_logits(m, on, tok, n, alone, error) ||
            !nl_gpt_logits_batch(m, on, rows, B, n, batch, error))
            return FALSE;
        const float *za = alone + (n - 1) * V;
        const float *zb = batch + ((B - 1) * n + n - 1) * V;
        guint a = argmax(za, V), ab = argmax(zb, V), second = a ? 0 : 1;
        for (guint v = 0; v < V; v++)
            if (v != a && za[v] > za[second])
                second = v;
        nl_table_add_str(t, c->demo_prompts[i]);
        nl_table_add_int(t, (gint64)B);
        nl_table_add_f64(t, max_abs_delta(zb, za, V, NULL));
        nl_table_add_str(t, nl_gpt_vocab_word(m->vocab, a));
        nl_table_add_str(t, nl_gpt_vocab_word(m->vocab, ab));
        nl_table_add_f64(t, (double)za[a] - za[second]);
    }
    return TRUE;
}

gboolean in_run_backend(NlRun *run, GError **error)
{
    InConfig c;
    if (!in_config_load(nl_run_params(run), &c, error))
        return FALSE;
    g_autoptr(NlGpt) m = in_model_from_run(run, error);
    g_autoptr(NlGptResident) on =
        m ? nl_gpt_resident_new(m, nl_run_backend(run), error) : NULL;
    gboolean ok = on && trace_delta(run, m, on, &c, error) &&
                  demo_runs(run, m, on, &c, error) &&
                  layout(run, m, on, &c, error);
    g_clear_pointer(&on, nl_gpt_resident_free);
    in_config_clear(&c);
    return ok;
}
