/* logprob.c — the logprob experiment's descriptor and parameters (the
 * checks that need no model; model.c checks the rest against the model). */
#include "config.h"

#include "logprob.h"

#include <string.h>

void lp_config_clear(LpConfig *c)
{
    g_free(c->model_path);
    g_strfreev(c->prompts);
    g_free(c->temperatures);
    g_free(c->seeds);
    g_free(c->batches);
    g_free(c->paddings);
    g_strfreev(c->precisions);
    memset(c, 0, sizeof *c);
}

static guint *uint_list(const NlParams *p, const char *name, gsize *n)
{
    const gint64 *v = nl_params_get_int_list(p, name, n);
    guint *out = g_new(guint, *n);
    for (gsize i = 0; i < *n; i++)
        out[i] = (guint)v[i]; /* the spec's range keeps them small */
    return out;
}

gboolean lp_config_load(const NlParams *p, LpConfig *c, GError **error)
{
    memset(c, 0, sizeof *c);
    if (nl_params_is_set(p, "model")) {
        const char *path = nl_params_get_string(p, "model");
        if (!*path)
            return lp_fail(error,
                           "parameter 'model': the path is empty "
                           "(leave the parameter out to train the lecture "
                           "model)");
        c->model_path = g_strdup(path);
    }
    c->stable_gap = nl_params_get_double(p, "stable_gap");
    c->unstable_gap = nl_params_get_double(p, "unstable_gap");
    if (!(c->stable_gap > c->unstable_gap))
        return lp_fail(error,
                       "parameters 'stable_gap' %g and 'unstable_gap' "
                       "%g: need stable_gap > unstable_gap",
                       c->stable_gap, c->unstable_gap);
    c->top = (guint)nl_params_get_int(p, "top");
    c->gen_words = (guint)nl_params_get_int(p, "gen_words");

    gsize n_prompts;
    c->prompts =
        g_strdupv((char **)nl_params_get_string_list(p, "prompts", &n_prompts));
    c->n_prompts = (guint)n_prompts;

    const double *t =
        nl_params_get_double_list(p, "temperatures", &c->n_temperatures);
    c->temperatures = g_memdup2(t, c->n_temperatures * sizeof(double));

    const gint64 *seeds = nl_params_get_int_list(p, "seeds", &c->n_seeds);
    c->seeds = g_new(guint64, c->n_seeds);
    for (gsize i = 0; i < c->n_seeds; i++)
        c->seeds[i] = (guint64)seeds[i];
    c->batches = uint_list(p, "batches", &c->n_batches);
    c->paddings = uint_list(p, "paddings", &c->n_paddings);
    c->precisions = g_strdupv(
        (char **)nl_params_get_string_list(p, "precisions", &c->n_precisions));
    return TRUE;
}

/* Measured on the naive backend (AMD EPYC, Zen 4; peak RSS from the
 * manifest's peak_bytes): the lecture model's jobs hold 5 MB and 150 kB a
 * sequence of the largest batch; its training takes 6-8 s, a job 0.6 s
 * and 3 ms a sequence of the largest batch. A checkpoint of another size
 * is checked when it is read. */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    (void)error;
    gsize n;
    const gint64 *batches = nl_params_get_int_list(p, "batches", &n);
    double largest = 1.0;
    for (gsize i = 0; i < n; i++)
        largest = MAX(largest, (double)batches[i]);
    cost->bytes = 5e6 + 150e3 * largest;
    cost->common_seconds = nl_params_is_set(p, "model") ? 0.5 : 8.0;
    gsize n_prec;
    nl_params_get_string_list(p, "precisions", &n_prec);
    /* C5: C4's cases again per precision; a 16-bit one runs emulated on
     * backends that decline it, about 10 times slower */
    cost->job_seconds = (0.6 + 3e-3 * largest) * (1.0 + 3.0 * (double)n_prec);
    return TRUE;
}

static const NlParamSpec params[] = {
    {"model", NL_PARAM_STRING, NULL, 0, 0,
     "a MiniGPT checkpoint (e.g. results/minigpt/naive-minigpt.ckpt); "
     "left out: the lecture model is trained on the host first, with the "
     "run's seed (the default 42 gives minigpt's default model)",
     NULL, NULL},
    {"prompts", NL_PARAM_STRING_LIST, NL_GPT_LECTURE_PROMPTS, 0, 0,
     "prompts, words of the model's vocabulary", NULL,
     NL_PARAM_EXT(.separator = "|")},
    {"stable_gap", NL_PARAM_DOUBLE, "0.5", 0, INFINITY,
     "top-1 minus top-2 logit above which a step is stable", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
    {"unstable_gap", NL_PARAM_DOUBLE, "0.1", 0, INFINITY,
     "gap below which a step is unstable (borderline in between; below "
     "stable_gap)",
     NULL},
    {"top", NL_PARAM_INT, "5", 1, LP_MAX_TOP,
     "C1: the most likely words shown; also top_logprobs per token", NULL,
     NULL},
    {"gen_words", NL_PARAM_INT, "10", 1, 64,
     "C2-C4: most words generated per prompt (ends early at <EOS>)", NULL},
    {"temperatures", NL_PARAM_DOUBLE_LIST, "0,0.5,0.8,1", 0, 100,
     "C3: temperatures of the generations (0: greedy)", NULL},
    {"seeds", NL_PARAM_INT_LIST, "1,2,3", 0, 4294967295.0,
     "C3: seeds of the draws; seed s draws the same numbers at every "
     "temperature and on every backend",
     NULL, NULL},
    {"batches", NL_PARAM_INT_LIST, "2,4,8,16", 2, 256,
     "C4: batch sizes; each sequence shares a forward pass with the next "
     "ones of the evaluation set (a generation: with the first corpus "
     "sentences)",
     NULL, NULL},
    {"paddings", NL_PARAM_INT_LIST, "1,4,8", 1, 4096,
     "C4: <EOS> tokens appended after each sequence (up to the context)", NULL,
     NULL},
    {"precisions", NL_PARAM_STRING_LIST,
     "float32,layercast,bfloat16,bfloat16-pure,float16", 0, 0,
     "C5: the precisions the model runs in, each against float32 and "
     "against itself in C4's batches and paddings (layercast: bfloat16 "
     "weights, float32 arithmetic; bfloat16: bfloat16 weights and "
     "activations, float32 accumulation; bfloat16-pure: bfloat16 "
     "accumulation too)",
     "float32|layercast|bfloat16|bfloat16-pure|float16",
     NL_PARAM_EXT(.flags = NL_PARAM_MAY_BE_EMPTY)},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "Logprob stability: gaps, the butterfly effect and float noise",
    .description =
        "Loads a MiniGPT checkpoint (parameter model) or, without one, "
        "trains the lecture model on the host (minigpt's defaults and the "
        "run's seed; saved as model.ckpt), then per backend job: C1 the "
        "top words after each prompt with the top-1/top-2 logit gap and its "
        "class (stable > stable_gap, unstable < unstable_gap, borderline "
        "between); C2 greedy generation step by step (word, logprob, "
        "probability, runner-up, gap, class); C3 generations at several "
        "temperatures and seeds and the step where each leaves the greedy "
        "path; C4 the logits of the prompts and of every corpus sentence, "
        "at every position, on the backend against the host (the naive "
        "order), and on the backend in batches and with padding against "
        "itself alone: largest |logit difference|, argmax flips, the first "
        "greedy word that changes, and per position float noise against "
        "the gap; C5 the same in the precisions of `precisions` (bfloat16, "
        "float16, LayerCast), against float32 and against themselves in "
        "batches and with padding: argmax flips, diverging greedy "
        "generations, |logit differences| against the gap. run_compare "
        "compares every pair of jobs (other backends, "
        "thread counts, batch-invariant mode). Each job also writes "
        "BACKEND-logprobs.jsonl, one generation per line in the shape of "
        "Ollama's logprobs (token, logprob, bytes, top_logprobs).",
    .params = params,
    .run_common = lp_run_common,
    .run_backend = lp_run_backend,
    .estimate = estimate,
    .run_compare = lp_run_compare,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_EXPERIMENT, .name = "logprob",
        .version = PACKAGE_VERSION,
        .summary = "C1-C5: how sure MiniGPT is of each word, and whether float "
                   "noise across backends, batches, padding and precisions "
                   "changes it",
        .experiment = &ops, )
