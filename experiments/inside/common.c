/* common.c — the inside experiment's common phase: the model (a
 * checkpoint, or the lecture model trained on the host), and the host's
 * look inside it (the naive order): F1 the pipeline, F2 self-attention per
 * block, F3 the prediction with and without the blocks. Also the helpers
 * both phases use. */
#include "config.h"

#include "inside.h"

#include <math.h>
#include <string.h>

gboolean in_encode(const NlGpt *m, const char *param, const char *prompt,
                   guint32 **tokens, gsize *n, GError **error)
{
    g_autoptr(GError) local = NULL;
    if (!nl_gpt_vocab_encode(m->vocab, prompt, FALSE, tokens, n, &local))
        return in_fail(error, "parameter '%s': prompt '%s': %s", param, prompt,
                       local->message);
    if (*n == 0 || *n > m->config.context) {
        g_clear_pointer(tokens, g_free);
        return in_fail(error,
                       "parameter '%s': prompt '%s' has %" G_GSIZE_FORMAT
                       " words; the model takes 1 to %u",
                       param, prompt, *n, m->config.context);
    }
    return TRUE;
}

double in_probs(const float *z, gsize V, double *probs)
{
    double max = z[0], sum = 0, h = 0;
    for (gsize v = 1; v < V; v++)
        max = MAX(max, (double)z[v]);
    for (gsize v = 0; v < V; v++)
        sum += probs[v] = exp((double)z[v] - max);
    for (gsize v = 0; v < V; v++) {
        probs[v] /= sum;
        if (probs[v] > 0)
            h -= probs[v] * log(probs[v]);
    }
    return h;
}

static double norm(const float *x, gsize n)
{
    double s = 0;
    for (gsize i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return sqrt(s);
}

NlGpt *in_model_from_run(NlRun *run, GError **error)
{
    GBytes *bytes = nl_run_common_bytes(run);
    if (!bytes) {
        in_fail(error, "the common phase left no model");
        return NULL;
    }
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    return nl_gpt_load_bytes(data, len, error);
}

/* F1: the prompt through the pipeline. */
static gboolean pipeline(NlRun *run, const NlGpt *m, const InConfig *c,
                         GError **error)
{
    g_autofree guint32 *tok = NULL;
    gsize n;
    if (!in_encode(m, "pipeline_prompt", c->pipeline_prompt, &tok, &n, error))
        return FALSE;
    g_autoptr(NlGptTrace) tr = nl_gpt_trace(m, NULL, tok, n, error);
    if (!tr)
        return FALSE;
    gsize C = m->config.d_model, V = m->config.vocab_size;
    if (c->top > V)
        return in_fail(error,
                       "parameter 'top': %u, but the model knows "
                       "only %" G_GSIZE_FORMAT " words",
                       c->top, V);
    NlTable *t = nl_run_table(run, "f1-embedding",
                              "position:int word:str token_norm:f64 "
                              "input_norm:f64");
    nl_table_set_title(t, "F1: the prompt's token embeddings");
    nl_table_add_note(t, "token_norm",
                      "Euclidean norm of the word's embedding wte[token] "
                      "(the notebook's bars: no position)");
    nl_table_add_note(t, "input_norm",
                      "norm of the first block's input, wte[token] + "
                      "wpe[position]");
    for (gsize i = 0; i < n; i++) {
        nl_table_add_int(t, (gint64)i);
        nl_table_add_str(t, nl_gpt_vocab_word(m->vocab, tok[i]));
        nl_table_add_f64(t, norm(tr->embed + i * C, C));
        nl_table_add_f64(t, norm(tr->x0 + i * C, C));
    }
    t = nl_run_table(run, "f1-blocks", "block:int norm:f64");
    nl_table_set_title(t, "F1: the last token's vector after each block");
    nl_table_add_note(t, "block",
                      "0: the first block's input (embedding + position); "
                      "b: the output of block b, the residual stream");
    nl_table_add_int(t, 0);
    nl_table_add_f64(t, norm(tr->x0 + (n - 1) * C, C));
    for (gsize l = 0; l < m->config.n_layer; l++) {
        nl_table_add_int(t, (gint64)l + 1);
        nl_table_add_f64(t, norm(tr->blocks + (l * n + n - 1) * C, C));
    }
    g_autofree double *p = g_new(double, V);
    const float *last = tr->logits + (n - 1) * V;
    double h = in_probs(last, V, p);
    g_autofree guint *top = g_new(guint, c->top);
    nl_gpt_top_k(last, (guint)V, c->top, top);
    t = nl_run_table(run, "f1-top",
                     "rank:int word:str logit:f32 prob:f64 entropy_nats:f64");
    nl_table_set_title(t, "F1: the most likely next words after the prompt");
    nl_table_add_note(t, "prob", "softmax at T = 1, in double");
    nl_table_add_note(t, "entropy_nats",
                      "entropy of the whole distribution, in nats (the same "
                      "in every row)");
    for (guint k = 0; k < c->top; k++) {
        nl_table_add_int(t, k + 1);
        nl_table_add_str(t, nl_gpt_vocab_word(m->vocab, top[k]));
        nl_table_add_f32(t, last[top[k]]);
        nl_table_add_f64(t, p[top[k]]);
        nl_table_add_f64(t, h);
    }
    return TRUE;
}

/* F2: self-attention per block, heads averaged; one dataset per block.
 * The masked cells (keys after the query) are NaN: no weight, not 0. */
static gboolean attention(NlRun *run, const NlGpt *m, const InConfig *c,
                          GError **error)
{
    g_autofree guint32 *tok = NULL;
    gsize n;
    if (!in_encode(m, "attention_prompt", c->attention_prompt, &tok, &n, error))
        return FALSE;
    g_autoptr(NlGptTrace) tr = nl_gpt_trace(m, NULL, tok, n, error);
    if (!tr)
        return FALSE;
    gsize H = m->config.n_head;
    NlTable *t = nl_run_table(run, "f2-attention",
                              "query:int key:int weight:f64 query_word:str "
                              "key_word:str");
    nl_table_set_title(t, "F2: self-attention weights per block, the mean "
                          "over the heads");
    nl_table_add_note(t, "weight",
                      "how much the query position draws from the key "
                      "position; each row of a block sums to 1; NaN: a key "
                      "after the query, masked (causal)");
    for (gsize l = 0; l < m->config.n_layer; l++) {
        g_autofree char *label =
            g_strdup_printf("block %" G_GSIZE_FORMAT, l + 1);
        nl_table_new_dataset(t, label);
        for (gsize q = 0; q < n; q++)
            for (gsize k = 0; k < n; k++) {
                double w = 0;
                for (gsize h = 0; h < H; h++)
                    w += tr->attention[((l * H + h) * n + q) * n + k];
                nl_table_add_int(t, (gint64)q);
                nl_table_add_int(t, (gint64)k);
                nl_table_add_f64(t, k > q ? NAN : w / (double)H);
                nl_table_add_str(t, nl_gpt_vocab_word(m->vocab, tok[q]));
                nl_table_add_str(t, nl_gpt_vocab_word(m->vocab, tok[k]));
            }
    }
    return TRUE;
}

/* F3: each prompt predicted with and without the transformer blocks. */
static gboolean skip_blocks(NlRun *run, const NlGpt *m, const InConfig *c,
                            GError **error)
{
    gsize V = m->config.vocab_size;
    if (c->skip_top > V)
        return in_fail(error,
                       "parameter 'skip_top': %u, but the model knows "
                       "only %" G_GSIZE_FORMAT " words",
                       c->skip_top, V);
    NlTable *t = nl_run_table(run, "f3-top",
                              "prompt:str blocks:int rank:int word:str "
                              "prob:f64");
    nl_table_set_title(t, "F3: the most likely next words with and without "
                          "the transformer blocks");
    nl_table_add_note(t, "blocks",
                      "0: the blocks skipped (final LayerNorm and LM head "
                      "on embedding + position); L: the whole model");
    NlTable *e = nl_run_table(run, "f3-entropy",
                              "prompt:str blocks:int entropy_nats:f64 "
                              "entropy_bits:f64 top_word:str top_prob:f64");
    nl_table_set_title(e, "F3: the entropy of the next-word distribution "
                          "with and without the blocks");
    nl_table_add_note(e, "entropy_nats",
                      "-sum p ln p over the whole vocabulary (the "
                      "notebook's unit); entropy_bits the same in bits");
    g_autofree double *p = g_new(double, V);
    g_autofree guint *top = g_new(guint, c->skip_top);
    for (guint i = 0; c->skip_prompts[i]; i++) {
        const char *prompt = c->skip_prompts[i];
        g_autofree guint32 *tok = NULL;
        gsize n;
        if (!in_encode(m, "skip_prompts", prompt, &tok, &n, error))
            return FALSE;
        g_autoptr(NlGptTrace) tr = nl_gpt_trace(m, NULL, tok, n, error);
        if (!tr)
            return FALSE;
        for (int with = 0; with < 2; with++) {
            const float *z =
                (with ? tr->logits : tr->logits_skip) + (n - 1) * V;
            double h = in_probs(z, V, p);
            /* softmax keeps the order: the top logits are the top words */
            nl_gpt_top_k(z, (guint)V, c->skip_top, top);
            gint64 blocks = with ? m->config.n_layer : 0;
            g_autofree char *label = g_strdup_printf(
                "%s, %s", prompt, with ? "with blocks" : "without blocks");
            nl_table_new_dataset(t, label);
            for (guint k = 0; k < c->skip_top; k++) {
                nl_table_add_str(t, prompt);
                nl_table_add_int(t, blocks);
                nl_table_add_int(t, k + 1);
                nl_table_add_str(t, nl_gpt_vocab_word(m->vocab, top[k]));
                nl_table_add_f64(t, p[top[k]]);
            }
            nl_table_add_str(e, prompt);
            nl_table_add_int(e, blocks);
            nl_table_add_f64(e, h);
            nl_table_add_f64(e, h / G_LN2);
            nl_table_add_str(e, nl_gpt_vocab_word(m->vocab, top[0]));
            nl_table_add_f64(e, p[top[0]]);
        }
    }
    return TRUE;
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

static void model_table(NlRun *run, const NlGpt *m, const InConfig *c,
                        const NlGptLectureSummary *ts)
{
    const NlGptConfig *mc = &m->config;
    NlTable *t = nl_run_table(run, "model",
                              "source:str params:int vocab:int context:int "
                              "d_model:int n_layer:int n_head:int seed:int "
                              "final_loss:f64");
    nl_table_set_title(t, "The model looked into");
    nl_table_add_note(t, "source",
                      "the checkpoint read, or 'trained': the lecture "
                      "model, trained on the host (saved as model.ckpt)");
    nl_table_add_note(t, "final_loss",
                      "mean batch loss of the last 50 training steps (nan "
                      "for a checkpoint)");
    nl_table_add_str(t, c->model_path ? c->model_path : "trained");
    nl_table_add_int(t, (gint64)m->n_params);
    nl_table_add_int(t, mc->vocab_size);
    nl_table_add_int(t, mc->context);
    nl_table_add_int(t, mc->d_model);
    nl_table_add_int(t, mc->n_layer);
    nl_table_add_int(t, mc->n_head);
    nl_table_add_int(t, c->model_path ? -1 : (gint64)nl_run_seed(run));
    nl_table_add_f64(t, ts->final_loss);
}

gboolean in_run_common(NlRun *run, GError **error)
{
    InConfig c;
    if (!in_config_load(nl_run_params(run), &c, error))
        return FALSE;
    NlGptLectureSummary ts = {NAN, NAN, NAN};
    g_autoptr(NlGpt) m = NULL;
    if (c.model_path) {
        g_autoptr(GError) local = NULL;
        m = nl_gpt_load_file(c.model_path, &local);
        if (!m) {
            in_config_clear(&c);
            return in_fail(error, "parameter 'model': %s", local->message);
        }
    } else {
        NlGptConfig mc;
        NlGptTrainConfig tc;
        nl_gpt_lecture_config(0, nl_run_seed(run), &mc, &tc);
        Training progress = {run, tc.steps};
        m = nl_gpt_lecture_model(nl_run_seed(run), training_progress, &progress,
                                 &ts, error);
    }
    /* every prompt is checked here, before a job starts */
    gboolean ok = m && pipeline(run, m, &c, error) &&
                  attention(run, m, &c, error) &&
                  skip_blocks(run, m, &c, error);
    for (guint i = 0; ok && c.demo_prompts[i]; i++) {
        g_autofree guint32 *tok = NULL;
        gsize n;
        ok = in_encode(m, "demo_prompts", c.demo_prompts[i], &tok, &n, error);
        if (ok && n >= m->config.context)
            ok = in_fail(error,
                         "parameter 'demo_prompts': prompt '%s' fills the "
                         "context of %u words; nothing can follow",
                         c.demo_prompts[i], m->config.context);
    }
    if (ok) {
        model_table(run, m, &c, &ts);
        gsize len;
        guint8 *bytes = nl_gpt_save_bytes(m, &len);
        g_autoptr(GBytes) kept = g_bytes_new_take(bytes, len);
        nl_run_keep_bytes(run, kept);
        if (!c.model_path)
            ok = nl_run_artifact(run, "model.ckpt", bytes, len, error);
    }
    in_config_clear(&c);
    return ok;
}
