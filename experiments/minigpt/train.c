/* train.c — the minigpt experiment's phases: the corpus summary (common)
 * and, per backend, training, generations, the logit comparison and the
 * checkpoint. */
#include "config.h"

#include "minigpt.h"

#include <math.h>
#include <string.h>

/* Unigram entropy in nats: the loss of the best model that ignores the
 * context, the baseline a trained model must beat. */
static double unigram_entropy(const guint32 *t, gsize n, gsize V)
{
    g_autofree double *count = g_new0(double, V);
    for (gsize i = 0; i < n; i++)
        count[t[i]]++;
    double h = 0;
    for (gsize v = 0; v < V; v++)
        if (count[v] > 0)
            h -= count[v] / (double)n * log(count[v] / (double)n);
    return h;
}

typedef struct {
    MgConfig c;
    NlGptVocab *vocab;
    guint32 *data; /* the corpus as tokens, <EOS> after each sentence */
    gsize n_data;
    double unigram;
} Setup;

static void setup_clear(Setup *s)
{
    mg_config_clear(&s->c);
    nl_gpt_vocab_free(s->vocab);
    g_free(s->data);
    memset(s, 0, sizeof *s);
}

static gboolean setup_load(NlRun *run, Setup *s, GError **error)
{
    memset(s, 0, sizeof *s);
    if (!mg_config_load(nl_run_params(run), nl_run_seed(run), &s->c, &s->vocab,
                        error))
        return FALSE;
    g_autofree char *text = nl_gpt_lecture_text();
    if (!nl_gpt_vocab_encode(s->vocab, text, TRUE, &s->data, &s->n_data,
                             error)) {
        setup_clear(s);
        return FALSE;
    }
    s->unigram = unigram_entropy(s->data, s->n_data, s->c.model.vocab_size);
    return TRUE;
}

gboolean mg_run_common(NlRun *run, GError **error)
{
    Setup s;
    if (!setup_load(run, &s, error))
        return FALSE;
    gsize n_params = 0, n_sentences;
    nl_gpt_lecture_sentences(&n_sentences);
    gboolean ok = nl_gpt_config_check(&s.c.model, &n_params, error);
    if (ok) {
        NlTable *t = nl_run_table(run, "corpus",
                                  "sentences:int tokens:int vocab:int "
                                  "unigram_nats:f64 log_vocab:f64 params:int");
        nl_table_set_title(t, "The training corpus and the model's size");
        nl_table_add_note(t, "unigram_nats",
                          "entropy of the word frequencies "
                          "(<EOS> included): the loss of the best model that "
                          "ignores the context");
        nl_table_add_note(t, "log_vocab", "the loss of a uniform guess");
        nl_table_add_int(t, (gint64)n_sentences);
        nl_table_add_int(t, (gint64)s.n_data);
        nl_table_add_int(t, s.c.model.vocab_size);
        nl_table_add_f64(t, s.unigram);
        nl_table_add_f64(t, log((double)s.c.model.vocab_size));
        nl_table_add_int(t, (gint64)n_params);
    }
    setup_clear(&s);
    return ok;
}

/* Continues a prompt word by word: greedy (temperature 0) or sampled, on
 * the model's weights resident on the job's backend; stops at <EOS>. */
static gboolean generate(NlGpt *m, NlGptResident *on, const char *prompt,
                         const MgConfig *c, double temperature, NlRng *rng,
                         GString *out, GError **error)
{
    g_autofree guint32 *p = NULL, *words = NULL;
    gsize n, n_words;
    if (!nl_gpt_vocab_encode(m->vocab, prompt, FALSE, &p, &n, error) ||
        !nl_gpt_generate(m, on, p, n, (guint)c->gen_words, temperature, rng,
                         NULL, NULL, NULL, &words, &n_words, error))
        return FALSE;
    g_string_assign(out, prompt);
    for (gsize w = 0; w < n_words; w++)
        g_string_append_printf(out, " %s",
                               nl_gpt_vocab_word(m->vocab, words[w]));
    return TRUE;
}

/* The backend's logits for a prompt against the host reference on the
 * same weights: largest |difference|, and the top two words. */
static gboolean compare_logits(NlRun *run, NlGpt *m, NlGptResident *on,
                               const char *prompt, GError **error)
{
    g_autofree guint32 *p = NULL;
    gsize n, V = m->config.vocab_size;
    if (!nl_gpt_vocab_encode(m->vocab, prompt, FALSE, &p, &n, error))
        return FALSE;
    g_autofree float *lb = g_new(float, n *V);
    g_autofree float *lh = g_new(float, n *V);
    if (!nl_gpt_logits(m, on, p, n, lb, error) ||
        !nl_gpt_logits(m, NULL, p, n, lh, error))
        return FALSE;
    double delta = 0;
    gsize flips = 0;
    for (gsize t = 0; t < n; t++) {
        gsize ab = 0, ah = 0;
        for (gsize v = 0; v < V; v++) {
            delta = MAX(delta, fabs((double)lb[t * V + v] - lh[t * V + v]));
            ab = lb[t * V + v] > lb[t * V + ab] ? v : ab;
            ah = lh[t * V + v] > lh[t * V + ah] ? v : ah;
        }
        flips += ab != ah;
    }
    const float *last = lb + (n - 1) * V;
    gsize a = 0, b = 1;
    if (last[b] > last[a])
        a = 1, b = 0;
    for (gsize v = 2; v < V; v++) {
        if (last[v] > last[a])
            b = a, a = v;
        else if (last[v] > last[b])
            b = v;
    }
    NlTable *t = nl_run_table(run, "logits-delta",
                              "prompt:str max_abs_delta:f64 argmax_flips:int "
                              "top1:str top2:str gap:f32");
    if (nl_table_n_rows(t) == 0) {
        nl_table_set_title(t, "The backend's logits against the host reference "
                              "(naive order) on the same weights");
        nl_table_add_note(t, "max_abs_delta",
                          "largest |logit(backend) - "
                          "logit(host)| over every position and word of the "
                          "prompt");
        const char *prec = nl_gpt_precision_name(nl_gpt_resident_precision(on));
        if (g_strcmp0(prec, "float32") != 0) {
            g_autofree char *how = g_strdup_printf(
                "the backend computes in %s, the host in float32", prec);
            nl_table_add_note(t, "precision", how);
        }
        nl_table_add_note(t, "argmax_flips",
                          "positions whose most likely next "
                          "word differs between backend and host");
        nl_table_add_note(t, "gap",
                          "top-1 minus top-2 logit after the prompt, "
                          "on the backend");
    }
    nl_table_add_str(t, prompt);
    nl_table_add_f64(t, delta);
    nl_table_add_int(t, (gint64)flips);
    nl_table_add_str(t, nl_gpt_vocab_word(m->vocab, (guint32)a));
    nl_table_add_str(t, nl_gpt_vocab_word(m->vocab, (guint32)b));
    nl_table_add_f32(t, last[a] - last[b]);
    return TRUE;
}

typedef struct {
    NlRun *run;
    NlTable *loss;
    guint32 steps;
    double unigram;
} LossCurve;

static void add_loss(guint32 step, double loss, gpointer data)
{
    LossCurve *c = data;
    nl_table_add_int(c->loss, step);
    nl_table_add_f64(c->loss, loss);
    nl_table_add_f64(c->loss, c->unigram);
    if (step % 20 == 0)
        nl_run_progress(c->run, (double)step / c->steps, "training");
}

static gboolean train_and_report(NlRun *run, Setup *s, NlGpt *m, GError **error)
{
    const MgConfig *c = &s->c;
    NlTable *lt = nl_run_table(run, "loss", "step:int loss:f64 unigram:f64");
    nl_table_set_title(lt, "MiniGPT training: cross-entropy per step");
    nl_table_add_note(lt, "loss",
                      "mean cross-entropy (nats) of the step's "
                      "batch, before its update");
    nl_table_add_note(lt, "unigram",
                      "entropy of the corpus' word "
                      "frequencies: the baseline");
    LossCurve curve = {run, lt, c->train.steps, s->unigram};
    NlGptLectureSummary sum;
    const char *prec = nl_gpt_precision_name(c->precision);
    if (g_strcmp0(prec, "float32") != 0) {
        g_autofree char *how =
            g_strdup_printf("trained in %s (numlab-minigpt/minigpt.h, "
                            "nl_gpt_trainer_set_precision)",
                            prec);
        nl_table_add_note(lt, "precision", how);
    }
    if (!nl_gpt_lecture_train_as(m, &c->train, c->precision, s->data, s->n_data,
                                 nl_run_backend(run), add_loss, &curve, &sum,
                                 error))
        return FALSE;
    NlTable *st = nl_run_table(run, "train-summary",
                               "steps:int seconds:f64 first_loss:f64 "
                               "final_loss:f64 unigram:f64 params:int");
    nl_table_set_title(st, "MiniGPT training: time and loss");
    nl_table_add_note(st, "final_loss",
                      "mean batch loss of the last 50 "
                      "steps (or all, if fewer)");
    nl_table_add_note(st, "seconds",
                      "wall-clock time of the training loop "
                      "(varies from run to run; everything else repeats)");
    if (g_strcmp0(prec, "float32") != 0) {
        g_autofree char *how = g_strdup_printf("trained in %s", prec);
        nl_table_add_note(st, "precision", how);
    }
    g_autofree char *kernels = g_strdup_printf(
        "backward pass, AdamW and host products: %s", nl_gpt_build_info());
    nl_table_add_note(st, "kernels", kernels);
    nl_table_add_int(st, c->train.steps);
    nl_table_add_f64(st, sum.seconds);
    nl_table_add_f64(st, sum.first_loss);
    nl_table_add_f64(st, sum.final_loss);
    nl_table_add_f64(st, s->unigram);
    nl_table_add_int(st, (gint64)m->n_params);
    return TRUE;
}

gboolean mg_run_backend(NlRun *run, GError **error)
{
    NlBackend *be = nl_run_backend(run);
    Setup s;
    if (!setup_load(run, &s, error))
        return FALSE;
    NlGpt *m = nl_gpt_new(&s.c.model, s.vocab, error);
    s.vocab = NULL; /* the model owns it now */
    gboolean ok = m != NULL;
    if (ok)
        ok = train_and_report(run, &s, m, error); /* seeded with the run's */
    /* the trained weights go to the backend once, for every prompt */
    NlGptResident *on =
        ok ? nl_gpt_resident_new_as(m, be, s.c.precision, error) : NULL;
    ok = ok && on;
    NlTable *gt =
        ok ? nl_run_table(run, "generations", "prompt:str mode:str text:str")
           : NULL;
    if (gt) {
        nl_table_set_title(gt, "MiniGPT continuations of the prompts");
        g_autofree char *mode = g_strdup_printf("T=%g", s.c.temperature);
        nl_table_add_note(gt, "mode",
                          "greedy: the most likely word each "
                          "step; T=...: drawn from softmax(logits / T) with "
                          "the run's seed");
        NlRng *rng = nl_run_rng(run);
        g_autoptr(GString) text = g_string_new(NULL);
        for (guint i = 0; ok && s.c.prompts[i]; i++) {
            for (int k = 0; ok && k < 2; k++) {
                ok = generate(m, on, s.c.prompts[i], &s.c,
                              k ? s.c.temperature : 0, rng, text, error);
                if (ok) {
                    nl_table_add_str(gt, s.c.prompts[i]);
                    nl_table_add_str(gt, k ? mode : "greedy");
                    nl_table_add_str(gt, text->str);
                }
            }
            ok = ok && compare_logits(run, m, on, s.c.prompts[i], error);
        }
    }
    if (ok) {
        gsize len;
        g_autofree guint8 *bytes = nl_gpt_save_bytes(m, &len);
        ok = nl_run_artifact(run, "minigpt.ckpt", bytes, len, error);
    }
    nl_gpt_resident_free(on);
    nl_gpt_free(m);
    setup_clear(&s);
    return ok;
}
