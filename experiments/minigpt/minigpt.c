/* minigpt.c — the minigpt experiment's descriptor and parameters.
 *
 * Each backend job trains its own MiniGPT (libnumlab-minigpt) from the
 * run's seed: the forward pass on the job's backend, the backward pass and
 * AdamW in host loops (numlab-minigpt/minigpt.h). So the same seed on the
 * same backend gives the same checkpoint bit for bit, and backends that sum in
 * another order train slightly different models. Each job writes its loss
 * curve, generations for the lecture's prompts, how far its backend's logits
 * lie from the host reference (the naive order) on its own weights, and its
 * checkpoint (BACKEND-minigpt.ckpt). The common phase checks every parameter (a
 * bad one is one line, no file) and summarises the corpus. */
#include "config.h"

#include "minigpt.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* One line, FALSE: numlab/error.h. */
#define fail(error, ...)                                                       \
    nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG, __VA_ARGS__)

void mg_config_clear(MgConfig *c)
{
    g_strfreev(c->prompts);
    memset(c, 0, sizeof *c);
}

gboolean mg_config_load(const NlParams *p, guint64 seed, MgConfig *c,
                        NlGptVocab **vocab, GError **error)
{
    memset(c, 0, sizeof *c);
    g_autofree char *text = nl_gpt_lecture_text();
    g_autoptr(NlGptVocab) v = nl_gpt_vocab_new_from_text(text, error);
    if (!v)
        return FALSE;
    c->model.vocab_size = nl_gpt_vocab_size(v);
    c->model.context = (guint32)nl_params_get_int(p, "context");
    c->model.d_model = (guint32)nl_params_get_int(p, "d_model");
    c->model.n_layer = (guint32)nl_params_get_int(p, "n_layer");
    c->model.n_head = (guint32)nl_params_get_int(p, "n_head");
    if (c->model.d_model % c->model.n_head)
        return fail(error,
                    "parameter 'n_head': %u heads do not divide "
                    "d_model = %u",
                    c->model.n_head, c->model.d_model);
    nl_gpt_train_config_default(&c->train);
    c->train.steps = (guint32)nl_params_get_int(p, "steps");
    c->train.batch = (guint32)nl_params_get_int(p, "batch");
    c->train.lr = nl_params_get_double(p, "lr");
    c->train.seed = seed;
    /* choices: the named modes */
    nl_gpt_precision_from_name(nl_params_get_string(p, "precision"),
                               &c->precision);
    c->gen_words = nl_params_get_int(p, "gen_words");
    c->temperature = nl_params_get_double(p, "temperature");
    c->prompts =
        g_strdupv((char **)nl_params_get_string_list(p, "prompts", NULL));
    for (guint i = 0; c->prompts[i]; i++) {
        const char *q = c->prompts[i];
        g_autofree guint32 *t = NULL;
        gsize n = 0;
        g_autoptr(GError) local = NULL;
        if (!nl_gpt_vocab_encode(v, q, FALSE, &t, &n, &local) || n == 0 ||
            n >= c->model.context) {
            fail(error, "parameter 'prompts': prompt '%s': %s", q,
                 local    ? local->message
                 : n == 0 ? "it has no words"
                          : "longer than the context");
            mg_config_clear(c);
            return FALSE;
        }
    }
    *vocab = g_steal_pointer(&v);
    return TRUE;
}

/* Measured on the naive backend (AMD EPYC, Zen 4; peak RSS from the
 * manifest's peak_bytes, at the defaults, at d_model 128 with 4 layers,
 * batch 64, context 32, and at 256, 8, 256, 64): training holds 16 bytes
 * a parameter (weights, gradients, AdamW's two moments), 90 an
 * activation (a token's values in a layer, d_model of them, its MLP four
 * times as wide) and 16 an attention weight; it runs at about 6.5 GFLOP/s
 * (6 a parameter and token a step). */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    (void)error;
    double d = (double)nl_params_get_int(p, "d_model");
    double layers = (double)nl_params_get_int(p, "n_layer");
    double heads = (double)nl_params_get_int(p, "n_head");
    double batch = (double)nl_params_get_int(p, "batch");
    double context = (double)nl_params_get_int(p, "context");
    double steps = (double)nl_params_get_int(p, "steps");
    double vocabulary = 100.0; /* the lecture corpus has 90 words */
    double params = 12.0 * layers * d * d + (2.0 * vocabulary + context) * d;
    cost->bytes = 16.0 * params + 90.0 * batch * context * d * layers +
                  16.0 * batch * heads * context * context * layers;
    cost->job_seconds = 6.0 * steps * batch * context * params / 6.5e9;
    return TRUE;
}

static const NlParamSpec params[] = {
    {"steps", NL_PARAM_INT, NL_GPT_LECTURE_STEPS, 1, 100000,
     "training steps (AdamW)", NULL, NULL},
    {"batch", NL_PARAM_INT, NL_GPT_LECTURE_BATCH, 1, 256,
     "windows of context + 1 tokens per step", NULL},
    {"lr", NL_PARAM_DOUBLE, NL_GPT_LECTURE_LR, 0, 1,
     "peak learning rate: 5% warm-up, cosine decay to 10%", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
    {"context", NL_PARAM_INT, NL_GPT_LECTURE_CONTEXT, 4, 64,
     "model: context length T", NULL, NULL},
    {"d_model", NL_PARAM_INT, NL_GPT_LECTURE_D_MODEL, 4, 256, "model: width C",
     NULL, NULL},
    {"n_layer", NL_PARAM_INT, NL_GPT_LECTURE_N_LAYER, 1, 8,
     "model: transformer blocks", NULL, NULL},
    {"n_head", NL_PARAM_INT, NL_GPT_LECTURE_N_HEAD, 1, 16,
     "model: attention heads (must divide d_model)", NULL, NULL},
    {"prompts", NL_PARAM_STRING_LIST, NL_GPT_LECTURE_PROMPTS, 0, 0,
     "prompts for the generations and the logit comparison; words of the "
     "corpus only",
     NULL, NL_PARAM_EXT(.separator = "|")},
    {"gen_words", NL_PARAM_INT, "10", 1, 64,
     "most words generated per prompt (ends early at <EOS>)", NULL},
    {"temperature", NL_PARAM_DOUBLE, "0.8", 0, 100,
     "temperature of the sampled generation (greedy generations are always "
     "shown)",
     NULL, NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
    {"precision", NL_PARAM_STRING, "float32", 0, 0,
     "training and generations: float32; layercast, bfloat16 or float16 "
     "with float32 master weights (mixed precision); bfloat16-pure, the "
     "weights themselves bfloat16, every update rounded to it",
     "float32|layercast|bfloat16|bfloat16-pure|float16", NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "MiniGPT: a tiny GPT trained and run on every backend",
    .description =
        "Trains the lecture's MiniGPT (libnumlab-minigpt: token + position "
        "embeddings, n_layer "
        "pre-LayerNorm blocks of causal multi-head attention and a GELU MLP, "
        "final LayerNorm, LM head) on a small German corpus of simple "
        "sentences (word vocabulary with <EOS>), once per backend: the "
        "forward pass on the backend, backpropagation and AdamW in host "
        "loops, windows drawn from the seed. Tables: the loss per step with "
        "the unigram baseline (loss), the training summary (train-summary), "
        "greedy and sampled continuations of the prompts (generations), and "
        "per prompt the largest |logit difference| between the backend's "
        "forward pass and the host reference in the naive order, on the "
        "job's own weights (logits-delta). The checkpoint is saved as "
        "BACKEND-minigpt.ckpt (doc/checkpoint-format.md). The same seed on "
        "the same backend gives the same checkpoint bit for bit.",
    .params = params,
    .run_common = mg_run_common,
    .run_backend = mg_run_backend,
    .estimate = estimate,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_EXPERIMENT, .name = "minigpt",
        .version = PACKAGE_VERSION,
        .summary =
            "MiniGPT: a tiny German GPT trained per backend; loss curve, "
            "generations, checkpoint",
        .experiment = &ops, )
