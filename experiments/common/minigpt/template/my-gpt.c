/* my-gpt.c — a copy-me numlab experiment on the lecture's MiniGPT: train
 * the model on the job's backend, then ask it for the next word after a
 * prompt.
 *
 * Each backend job trains the lecture model from the run's seed with the
 * lecture's settings (numlab-minigpt/lecture.h; only the number of steps
 * is a parameter here), so with the default steps it trains the model
 * `numlab run minigpt` trains, bit for bit on the same backend. The job
 * writes the loss per step (loss.dat), the `top` most likely next words
 * after `prompt` with their log-probabilities (next-word.dat), and the
 * checkpoint (BACKEND-model.ckpt), which `numlab run logprob -p model=...`
 * reads.
 *
 * It builds out of tree against the installed model library with
 * `pkg-config numlab-minigpt` (see README.md); doc/writing-plugins.md
 * explains the parts. Change the parts marked "YOUR EXPERIMENT".
 */
#include <numlab/numlab.h>          /* the plugin SDK */
#include <numlab-minigpt/lecture.h> /* the model, its corpus and defaults */

#include <math.h> /* exp, log */

/* ---- errors ----------------------------------------------------------- */

static GQuark my_gpt_error_quark(void)
{
    return g_quark_from_static_string("my-gpt-error-quark");
}
#define MY_GPT_ERROR (my_gpt_error_quark())

enum {
    MY_GPT_ERROR_PROMPT, /* a prompt the model cannot take */
};

/* ---- training ---------------------------------------------------------- */

typedef struct {
    NlRun *run;
    NlTable *loss;
    guint32 steps;
    double log_vocab;
} LossCurve;

/* Called by nl_gpt_lecture_train after every step. */
static void add_loss(guint32 step, double loss, gpointer data)
{
    LossCurve *c = data;
    nl_table_add_int(c->loss, step);
    nl_table_add_f64(c->loss, loss);
    nl_table_add_f64(c->loss, c->log_vocab);
    nl_run_progress(c->run, (double)(step + 1) / c->steps, "training");
}

/* ---- the next word ----------------------------------------------------- */

/* The k most likely words after the prompt, with log-softmax in double.
 * The model's weights go to the backend once (NlGptResident); a forward
 * pass then uploads only its activations. */
static gboolean next_words(NlRun *run, const NlGpt *model, NlBackend *backend,
                           const guint32 *prompt, gsize n, guint k,
                           GError **error)
{
    gsize V = model->config.vocab_size;
    g_autoptr(NlGptResident) on = nl_gpt_resident_new(model, backend, error);
    if (!on)
        return FALSE;
    g_autofree float *logits = g_new(float, n *V);
    if (!nl_gpt_logits(model, on, prompt, n, logits, error))
        return FALSE;
    const float *z = logits + (n - 1) * V; /* the row after the last word */
    float max = z[0];
    for (gsize v = 1; v < V; v++)
        max = MAX(max, z[v]);
    double sum = 0;
    for (gsize v = 0; v < V; v++)
        sum += exp((double)z[v] - max);
    double lse = max + log(sum);

    NlTable *t = nl_run_table(run, "next-word",
                              "rank:int word:str logit:f32 logprob:f64");
    nl_table_set_title(t, "The most likely next words after the prompt");
    nl_table_add_note(t, "logprob", "log-softmax of the logits at T = 1");
    /* YOUR EXPERIMENT: what to ask the model. Here: the top k, by
     * repeated selection (V is a few dozen words). */
    g_autofree gboolean *taken = g_new0(gboolean, V);
    for (guint r = 0; r < MIN(k, V); r++) {
        gsize best = V;
        for (gsize v = 0; v < V; v++)
            if (!taken[v] && (best == V || z[v] > z[best]))
                best = v;
        taken[best] = TRUE;
        nl_table_add_int(t, r + 1);
        nl_table_add_str(t, nl_gpt_vocab_word(model->vocab, (guint32)best));
        nl_table_add_f32(t, z[best]);
        nl_table_add_f64(t, z[best] - lse);
    }
    return TRUE;
}

/* ---- run_backend: one call per backend job ----------------------------- */

static gboolean run_backend(NlRun *run, GError **error)
{
    NlBackend *backend = nl_run_backend(run);
    const NlParams *params = nl_run_params(run);
    const char *prompt = nl_params_get_string(params, "prompt");

    /* The lecture corpus, its word vocabulary, and the corpus as tokens
     * with an <EOS> after each sentence. */
    g_autofree char *text = nl_gpt_lecture_text();
    g_autoptr(NlGptVocab) vocab = nl_gpt_vocab_new_from_text(text, error);
    if (!vocab)
        return FALSE;
    g_autofree guint32 *data = NULL, *words = NULL;
    gsize n_data, n_words;
    if (!nl_gpt_vocab_encode(vocab, text, TRUE, &data, &n_data, error))
        return FALSE;
    if (!nl_gpt_vocab_encode(vocab, prompt, FALSE, &words, &n_words, error))
        return FALSE; /* "unknown word 'X'" */

    /* The lecture's model and training, seeded with the run's seed. */
    NlGptConfig config;
    NlGptTrainConfig train;
    nl_gpt_lecture_config(nl_gpt_vocab_size(vocab), nl_run_seed(run), &config,
                          &train);
    train.steps = (guint32)nl_params_get_int(params, "steps");
    if (n_words == 0 || n_words > config.context) {
        g_set_error(error, MY_GPT_ERROR, MY_GPT_ERROR_PROMPT,
                    "parameter 'prompt': %" G_GSIZE_FORMAT " words; the "
                    "model takes 1 to %u",
                    n_words, config.context);
        return FALSE;
    }
    g_autoptr(NlGpt) model =
        nl_gpt_new(&config, g_steal_pointer(&vocab), error);
    if (!model)
        return FALSE;

    NlTable *loss =
        nl_run_table(run, "loss", "step:int loss:f64 log_vocab:f64");
    nl_table_set_title(loss, "MiniGPT training: cross-entropy per step");
    nl_table_add_note(loss, "log_vocab",
                      "the loss of a uniform guess, "
                      "where training starts");
    LossCurve curve = {run, loss, train.steps, log((double)config.vocab_size)};
    NlGptLectureSummary summary;
    if (!nl_gpt_lecture_train(model, &train, data, n_data, backend, add_loss,
                              &curve, &summary, error))
        return FALSE;

    if (!next_words(run, model, backend, words, n_words,
                    (guint)nl_params_get_int(params, "top"), error))
        return FALSE;

    /* The checkpoint: the host stores it as BACKEND-model.ckpt. */
    gsize len;
    g_autofree guint8 *bytes = nl_gpt_save_bytes(model, &len);
    return nl_run_artifact(run, "model.ckpt", bytes, len, error);
}

/* ---- the descriptor ----------------------------------------------------- */

static const NlParamSpec params[] = {
    {"steps", NL_PARAM_INT, NL_GPT_LECTURE_STEPS, 1, 100000,
     "training steps (the lecture's default trains minigpt's model)", NULL},
    {"prompt", NL_PARAM_STRING, "die katze", 0, 0,
     "the words before the next one, words of the corpus", NULL},
    {"top", NL_PARAM_INT, "5", 1, 20, "next words listed", NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "The lecture's MiniGPT: trained here, asked for the next word",
    .description =
        "Trains the lecture's MiniGPT (libnumlab-minigpt) from the run's "
        "seed on each backend, with the lecture's corpus and settings and "
        "`steps` steps, and lists the `top` most likely words after "
        "`prompt`. loss.dat: the loss per step; next-word.dat: the words, "
        "logits and log-probabilities; BACKEND-model.ckpt: the checkpoint.",
    .params = params,
    .run_backend = run_backend,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT,
                 .name = "my-gpt", /* YOUR EXPERIMENT: [a-z0-9_-]+, unique */
                 .version = "0.1.0",
                 .summary =
                     "template: the lecture's MiniGPT trained, then asked for "
                     "the next word",
                 .experiment = &ops, )
