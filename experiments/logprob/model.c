/* model.c — the logprob experiment's common phase: the model (a
 * checkpoint, or the lecture model trained on the host), the parameters
 * checked against it, the evaluation set and the host reference; and the
 * forward-pass helpers every phase uses. */
#include "config.h"

#include "logprob.h"

#include <math.h>
#include <string.h>

const char *lp_gap_class(const LpConfig *c, double gap)
{
    return gap > c->stable_gap     ? "stable"
           : gap < c->unstable_gap ? "unstable"
                                   : "borderline";
}

double lp_log_sum_exp(const float *z, guint V)
{
    float max = z[0];
    for (guint v = 1; v < V; v++)
        max = MAX(max, z[v]);
    double sum = 0;
    for (guint v = 0; v < V; v++)
        sum += exp((double)z[v] - max);
    return max + log(sum);
}

gboolean lp_logits_finite(const LpShared *s, const float *z, gsize n,
                          const guint32 *tokens, gsize n_tokens, GError **error)
{
    for (gsize k = 0; k < n; k++)
        if (!isfinite(z[k])) {
            g_autoptr(GString) words = g_string_new(NULL);
            for (gsize t = 0; t < n_tokens; t++)
                g_string_append_printf(
                    words, "%s%s", t ? " " : "",
                    nl_gpt_vocab_word(s->model->vocab, tokens[t]));
            return lp_fail(error,
                           "the model's logits after '%s' are not "
                           "finite (%s): the checkpoint's weights are "
                           "damaged",
                           words->str, isnan(z[k]) ? "NaN" : "Inf");
        }
    return TRUE;
}

void lp_shared_free(LpShared *s)
{
    if (!s)
        return;
    for (guint i = 0; s->host_greedy && i < s->c.n_prompts; i++)
        g_free(s->host_greedy[i]);
    g_free(s->host_greedy);
    g_free(s->host_greedy_len);
    nl_free(s->host);
    g_free(s->seqs);
    g_free(s->tokens);
    nl_gpt_free(s->model);
    lp_config_clear(&s->c);
    g_free(s);
}

/* The logits after tokens[0..n) (its last T words), placed as `pl`, on
 * the resident weights (NULL: host); a logit that is not finite is an
 * error. */
static gboolean next_logits(const LpShared *s, NlGptResident *on,
                            LpPlacement pl, const guint32 *tokens, gsize n,
                            float *out, GError **error)
{
    gsize T = s->T, V = s->V;
    if (n > T) { /* the window: the last T words */
        tokens += n - T;
        n = T;
    }
    gsize len = MIN(n + pl.pad, T), B = pl.batch;
    g_autofree guint32 *rows = g_new(guint32, B * len);
    /* companions: the corpus sentences after the prompts, in order */
    gsize n_corpus = s->n_seqs - s->c.n_prompts;
    for (gsize b = 0; b + 1 < B; b++) {
        const LpSeq *q =
            &s->seqs[n_corpus ? s->c.n_prompts + b % n_corpus : b % s->n_seqs];
        for (gsize t = 0; t < len; t++)
            rows[b * len + t] = t < q->len ? s->tokens[q->off + t] : NL_GPT_EOS;
    }
    guint32 *row = rows + (B - 1) * len;
    memcpy(row, tokens, n * sizeof *row);
    for (gsize t = n; t < len; t++)
        row[t] = NL_GPT_EOS;
    float *logits = nl_alloc_f32(B * len * V, error);
    gboolean ok = logits && nl_gpt_logits_batch(s->model, on, rows, B, len,
                                                logits, error);
    if (ok)
        memcpy(out, logits + ((B - 1) * len + n - 1) * V, V * sizeof *out);
    nl_free(logits);
    return ok && lp_logits_finite(s, out, V, tokens, n, error);
}

/* lp_generate's placement and record, for nl_gpt_generate's callbacks. */
typedef struct {
    const LpShared *s;
    NlGptResident *on;
    LpPlacement pl;
    GArray *steps;
} LpGeneration;

static gboolean placed_logits(const guint32 *ctx, gsize n, float *out,
                              gpointer data, GError **error)
{
    const LpGeneration *g = data;
    return next_logits(g->s, g->on, g->pl, ctx, n, out, error);
}

/* Records a step: the word, its logprob at T = 1 and at the temperature,
 * the top words and the gap between the first two. */
static gboolean record_step(const NlGptStep *step, gpointer data,
                            GError **error)
{
    (void)error;
    const LpGeneration *g = data;
    guint V = (guint)g->s->V, k = MAX(g->s->c.top, 2u);
    const float *z = step->logits;
    LpStep st = {0};
    nl_gpt_top_k(z, V, k, st.top);
    st.token = step->next;
    st.prob_t = step->probs ? step->probs[step->next] : 1.0;
    /* log-softmax at T = 1 in double: the model's own logprobs */
    double lse = lp_log_sum_exp(z, V);
    st.logprob = z[step->next] - lse;
    st.gap = (double)z[st.top[0]] - z[st.top[1]];
    for (guint r = 0; r < k; r++)
        st.top_logprob[r] = z[st.top[r]] - lse;
    g_array_append_val(g->steps, st);
    return TRUE;
}

gboolean lp_generate(const LpShared *s, NlGptResident *on, LpPlacement pl,
                     guint prompt, double temperature, guint64 seed,
                     GArray *steps, guint32 **words, gsize *n_words,
                     GError **error)
{
    const LpSeq *q = &s->seqs[prompt];
    LpGeneration g = {.s = s, .on = on, .pl = pl, .steps = steps};
    NlRng rng;
    nl_rng_init(&rng, seed);
    return nl_gpt_generate(s->model, on, s->tokens + q->off, q->len,
                           s->c.gen_words, temperature, &rng, placed_logits,
                           steps ? record_step : NULL, &g, words, n_words,
                           error);
}

gboolean lp_greedy(const LpShared *s, NlGptResident *on, LpPlacement pl,
                   guint prompt, guint32 **words, gsize *n_words,
                   GError **error)
{
    return lp_generate(s, on, pl, prompt, 0, 0, NULL, words, n_words, error);
}

gssize lp_first_difference(const guint32 *a, gsize na, const guint32 *b,
                           gsize nb)
{
    for (gsize i = 0; i < MAX(na, nb); i++) {
        guint32 x = i < na ? a[i] : NL_GPT_EOS, y = i < nb ? b[i] : NL_GPT_EOS;
        if (x != y)
            return (gssize)i;
        if (x == NL_GPT_EOS)
            break;
    }
    return -1;
}

typedef struct {
    NlRun *run;
    guint32 steps;
} Training;

static void training_progress(guint32 step, double loss, gpointer data)
{
    const Training *t = data;
    (void)loss;
    if (step % 10 == 0)
        nl_run_progress(t->run, (double)step / t->steps,
                        "training the lecture model");
}

/* The lecture model: minigpt's defaults, trained on the host. */
static NlGpt *train_lecture_model(NlRun *run, guint64 seed,
                                  NlGptLectureSummary *summary, GError **error)
{
    NlGptConfig mc;
    NlGptTrainConfig tc;
    nl_gpt_lecture_config(0, seed, &mc, &tc);
    Training progress = {run, tc.steps};
    return nl_gpt_lecture_model(seed, training_progress, &progress, summary,
                                error);
}

/* The prompts (each checked), then every corpus sentence the vocabulary
 * covers, cut to the context. */
static gboolean build_eval_set(LpShared *s, GError **error)
{
    const NlGptVocab *vocab = s->model->vocab;
    GArray *tokens = g_array_new(FALSE, FALSE, sizeof(guint32));
    GArray *seqs = g_array_new(FALSE, FALSE, sizeof(LpSeq));
    gsize pos = 0, n_corpus;
    const char *const *corpus = nl_gpt_lecture_sentences(&n_corpus);
    gboolean ok = TRUE;
    for (gsize i = 0; ok && i < s->c.n_prompts + n_corpus; i++) {
        gboolean is_prompt = i < s->c.n_prompts;
        const char *text =
            is_prompt ? s->c.prompts[i] : corpus[i - s->c.n_prompts];
        g_autofree guint32 *t = NULL;
        gsize n = 0;
        g_autoptr(GError) local = NULL;
        if (!nl_gpt_vocab_encode(vocab, text, FALSE, &t, &n, &local)) {
            if (is_prompt)
                ok = lp_fail(error,
                             "parameter 'prompts': prompt '%s': %s "
                             "(the model knows %u words)",
                             text, local->message, s->V);
            else
                s->n_skipped++;
            continue;
        }
        if (is_prompt && n > s->T)
            ok = lp_fail(error,
                         "parameter 'prompts': prompt '%s' has %" G_GSIZE_FORMAT
                         " words; the model's context is %u",
                         text, n, s->T);
        n = MIN(n, s->T);
        if (n == 0)
            continue;
        LpSeq q = {.off = tokens->len, .len = n, .pos = pos};
        g_array_append_vals(tokens, t, (guint)n);
        g_array_append_val(seqs, q);
        pos += n;
        s->max_len = MAX(s->max_len, n);
    }
    s->n_seqs = seqs->len;
    s->n_positions = pos;
    s->tokens = (guint32 *)g_array_free(tokens, FALSE);
    s->seqs = (LpSeq *)g_array_free(seqs, FALSE);
    return ok;
}

static gboolean host_reference(NlRun *run, LpShared *s, GError **error)
{
    s->host = nl_alloc_f32(s->n_positions * s->V, error);
    if (!s->host)
        return FALSE;
    for (gsize i = 0; i < s->n_seqs; i++) {
        const LpSeq *q = &s->seqs[i];
        float *z = s->host + q->pos * s->V;
        if (!nl_gpt_logits(s->model, NULL, s->tokens + q->off, q->len, z,
                           error) ||
            !lp_logits_finite(s, z, q->len * s->V, s->tokens + q->off, q->len,
                              error))
            return FALSE;
        if (i % 16 == 0)
            nl_run_progress(run, (double)i / s->n_seqs, "host reference");
    }
    guint P = s->c.n_prompts;
    s->host_greedy = g_new0(guint32 *, P);
    s->host_greedy_len = g_new0(gsize, P);
    LpPlacement alone = {.batch = 1, .pad = 0};
    for (guint i = 0; i < P; i++)
        if (!lp_greedy(s, NULL, alone, i, &s->host_greedy[i],
                       &s->host_greedy_len[i], error))
            return FALSE;
    return TRUE;
}

static void model_table(NlRun *run, const LpShared *s, gboolean trained,
                        const NlGptLectureSummary *ts)
{
    const NlGptConfig *mc = &s->model->config;
    NlTable *t = nl_run_table(run, "model",
                              "source:str params:int vocab:int context:int "
                              "d_model:int n_layer:int n_head:int "
                              "seed:int final_loss:f64 seconds:f64 "
                              "sequences:int positions:int skipped:int");
    nl_table_set_title(t, "The model and the evaluation set");
    nl_table_add_note(t, "source",
                      "the checkpoint read, or 'trained': the "
                      "lecture model, trained on the host (saved as "
                      "model.ckpt)");
    nl_table_add_note(t, "seed",
                      "the training's seed, the run's (-1 for a "
                      "checkpoint)");
    nl_table_add_note(t, "final_loss",
                      "mean batch loss of the last 50 "
                      "training steps (nan for a checkpoint)");
    nl_table_add_note(t, "sequences",
                      "the evaluation set of C4: the "
                      "prompts, then every corpus sentence the vocabulary "
                      "covers (skipped: those it does not), cut to the "
                      "context");
    nl_table_add_note(t, "positions", "rows of logits compared in C4");
    nl_table_add_str(t, trained ? "trained" : s->c.model_path);
    nl_table_add_int(t, (gint64)s->model->n_params);
    nl_table_add_int(t, mc->vocab_size);
    nl_table_add_int(t, mc->context);
    nl_table_add_int(t, mc->d_model);
    nl_table_add_int(t, mc->n_layer);
    nl_table_add_int(t, mc->n_head);
    nl_table_add_int(t, trained ? (gint64)nl_run_seed(run) : -1);
    nl_table_add_f64(t, trained ? ts->final_loss : NAN);
    nl_table_add_f64(t, trained ? ts->seconds : NAN);
    nl_table_add_int(t, (gint64)s->n_seqs);
    nl_table_add_int(t, (gint64)s->n_positions);
    nl_table_add_int(t, (gint64)s->n_skipped);
}

/* What the common phase keeps for the later phases, each job in its own
 * process: the model's checkpoint, the host logits and the host's greedy
 * words per prompt. The evaluation set is rebuilt from the parameters. */
#define LP_KEPT "(ayayaau)"

GVariant *lp_words_to_variant(guint32 *const *words, const gsize *lens, guint n)
{
    GVariantBuilder b;
    g_variant_builder_init(&b, G_VARIANT_TYPE("aau"));
    for (guint i = 0; i < n; i++)
        g_variant_builder_add_value(
            &b, g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, words[i],
                                          lens[i], sizeof(guint32)));
    return g_variant_builder_end(&b);
}

void lp_words_from_variant(GVariant *v, guint n, guint32 ***words, gsize **lens)
{
    *words = g_new0(guint32 *, n);
    *lens = g_new0(gsize, n);
    for (guint i = 0; i < n; i++) {
        g_autoptr(GVariant) one = g_variant_get_child_value(v, i);
        gsize len;
        const guint32 *w = g_variant_get_fixed_array(one, &len, 4);
        (*words)[i] = g_memdup2(w, len * sizeof *w);
        (*lens)[i] = len;
    }
}

static GBytes *shared_to_bytes(const LpShared *s)
{
    gsize ckpt_len;
    g_autofree guint8 *ckpt = nl_gpt_save_bytes(s->model, &ckpt_len);
    GVariant *parts[] = {
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, ckpt, ckpt_len, 1),
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, s->host,
                                  s->n_positions * s->V * sizeof(float), 1),
        lp_words_to_variant(s->host_greedy, s->host_greedy_len, s->c.n_prompts),
    };
    g_autoptr(GVariant) kept =
        g_variant_ref_sink(g_variant_new_tuple(parts, G_N_ELEMENTS(parts)));
    return g_variant_get_data_as_bytes(kept);
}

LpShared *lp_shared_from_run(NlRun *run, GError **error)
{
    GBytes *bytes = nl_run_common_bytes(run);
    if (!bytes) {
        lp_fail(error, "the common phase left no model");
        return NULL;
    }
    g_autoptr(GVariant) v = g_variant_ref_sink(
        g_variant_new_from_bytes(G_VARIANT_TYPE(LP_KEPT), bytes, FALSE));
    g_autoptr(GVariant) ckpt = g_variant_get_child_value(v, 0);
    g_autoptr(GVariant) host = g_variant_get_child_value(v, 1);
    g_autoptr(GVariant) greedy = g_variant_get_child_value(v, 2);
    LpShared *s = g_new0(LpShared, 1);
    gsize len;
    const guint8 *data = g_variant_get_fixed_array(ckpt, &len, 1);
    if (!lp_config_load(nl_run_params(run), &s->c, error) ||
        !(s->model = nl_gpt_load_bytes(data, len, error))) {
        lp_shared_free(s);
        return NULL;
    }
    s->V = s->model->config.vocab_size;
    s->T = s->model->config.context;
    gboolean ok = build_eval_set(s, error);
    data = g_variant_get_fixed_array(host, &len, 1);
    if (ok && (len != s->n_positions * s->V * sizeof(float) ||
               g_variant_n_children(greedy) != s->c.n_prompts))
        ok = lp_fail(error, "the common phase kept results of another shape");
    if (ok && (s->host = nl_alloc_f32(s->n_positions * s->V, error)))
        memcpy(s->host, data, len);
    ok = ok && s->host;
    if (ok)
        lp_words_from_variant(greedy, s->c.n_prompts, &s->host_greedy,
                              &s->host_greedy_len);
    if (!ok) {
        lp_shared_free(s);
        return NULL;
    }
    return s;
}

gboolean lp_run_common(NlRun *run, GError **error)
{
    g_autoptr(LpShared) s = g_new0(LpShared, 1);
    if (!lp_config_load(nl_run_params(run), &s->c, error))
        return FALSE;
    gboolean trained = s->c.model_path == NULL;
    NlGptLectureSummary ts = {NAN, NAN, NAN};
    if (trained) {
        s->model = train_lecture_model(run, nl_run_seed(run), &ts, error);
    } else {
        g_autoptr(GError) local = NULL;
        s->model = nl_gpt_load_file(s->c.model_path, &local);
        if (!s->model)
            return lp_fail(error, "parameter 'model': %s", local->message);
    }
    if (!s->model)
        return FALSE;
    s->V = s->model->config.vocab_size;
    s->T = s->model->config.context;
    if (s->c.top > s->V)
        return lp_fail(error,
                       "parameter 'top': %u, but the model knows "
                       "only %u words",
                       s->c.top, s->V);
    if (!build_eval_set(s, error) || !host_reference(run, s, error))
        return FALSE;
    model_table(run, s, trained, &ts);
    NlTable *t =
        nl_run_table(run, "thresholds", "stable_gap:f64 unstable_gap:f64");
    nl_table_set_title(t, "The gap classes: stable above stable_gap, "
                          "unstable below unstable_gap, borderline between");
    nl_table_add_f64(t, s->c.stable_gap);
    nl_table_add_f64(t, s->c.unstable_gap);
    g_autoptr(GBytes) kept = shared_to_bytes(s);
    nl_run_keep_bytes(run, kept);
    if (trained) {
        gsize len;
        g_autofree guint8 *bytes = nl_gpt_save_bytes(s->model, &len);
        if (!nl_run_artifact(run, "model.ckpt", bytes, len, error))
            return FALSE;
    }
    return TRUE;
}
