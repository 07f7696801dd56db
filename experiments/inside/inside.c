/* inside.c — the inside experiment's parameters and descriptor (figures
 * F1–F4: the lecture MiniGPT from the inside, and the determinism recipe
 * tested on it). */
#include "config.h"

#include "inside.h"

#include <math.h>
#include <string.h>

void in_config_clear(InConfig *c)
{
    g_free(c->model_path);
    g_free(c->pipeline_prompt);
    g_free(c->attention_prompt);
    g_strfreev(c->skip_prompts);
    g_strfreev(c->demo_prompts);
    memset(c, 0, sizeof *c);
}

gboolean in_config_load(const NlParams *p, InConfig *c, GError **error)
{
    memset(c, 0, sizeof *c);
    if (nl_params_is_set(p, "model")) {
        const char *path = nl_params_get_string(p, "model");
        if (!*path)
            return in_fail(error, "parameter 'model': the path is empty "
                                  "(leave it out to train the lecture model)");
        c->model_path = g_strdup(path);
    }
    c->pipeline_prompt =
        g_strstrip(g_strdup(nl_params_get_string(p, "pipeline_prompt")));
    c->attention_prompt =
        g_strstrip(g_strdup(nl_params_get_string(p, "attention_prompt")));
    c->skip_prompts =
        g_strdupv((char **)nl_params_get_string_list(p, "skip_prompts", NULL));
    c->demo_prompts =
        g_strdupv((char **)nl_params_get_string_list(p, "demo_prompts", NULL));
    for (guint i = 0; c->skip_prompts[i]; i++)
        g_strstrip(c->skip_prompts[i]);
    for (guint i = 0; c->demo_prompts[i]; i++)
        g_strstrip(c->demo_prompts[i]);
    c->top = (guint)nl_params_get_int(p, "top");
    c->skip_top = (guint)nl_params_get_int(p, "skip_top");
    c->runs = (guint)nl_params_get_int(p, "runs");
    c->temperature = nl_params_get_double(p, "temperature");
    c->gen_words = (guint)nl_params_get_int(p, "gen_words");
    c->layout_batch = (guint)nl_params_get_int(p, "layout_batch");
    if (!c->skip_prompts[0] || !c->demo_prompts[0]) {
        in_config_clear(c);
        return in_fail(error, "parameter '%s': no prompt",
                       c->skip_prompts && c->skip_prompts[0] ? "demo_prompts"
                                                             : "skip_prompts");
    }
    return TRUE;
}

/* Measured on the naive backend (AMD EPYC, Zen 4): training the lecture
 * model on the host takes 6-8 s; a job's forward passes take well under
 * a second and a few MB. */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    (void)error;
    double runs = (double)nl_params_get_int(p, "runs");
    double words = (double)nl_params_get_int(p, "gen_words");
    double batch = (double)nl_params_get_int(p, "layout_batch");
    cost->bytes = 5e6 + 150e3 * batch;
    cost->common_seconds = nl_params_is_set(p, "model") ? 0.5 : 8.0;
    cost->job_seconds = 0.2 + 3e-3 * (3.0 * runs * words + batch);
    return TRUE;
}

static const NlParamSpec params[] = {
    {"model", NL_PARAM_STRING, NULL, 0, 0,
     "a MiniGPT checkpoint (e.g. results/minigpt/naive-minigpt.ckpt); "
     "left out: the lecture model is trained on the host first, with the "
     "run's seed (the default 42 gives minigpt's default model)",
     NULL, NULL},
    {"pipeline_prompt", NL_PARAM_STRING, "die katze", 0, 0,
     "F1: the prompt followed through the pipeline", NULL, NULL},
    {"attention_prompt", NL_PARAM_STRING, "die katze sitzt auf", 0, 0,
     "F2: the prompt whose self-attention is drawn per block", NULL, NULL},
    {"skip_prompts", NL_PARAM_STRING_LIST, "die katze|das kind spielt", 0, 0,
     "F3: prompts predicted with and without the transformer blocks", NULL,
     NL_PARAM_EXT(.separator = "|")},
    {"demo_prompts", NL_PARAM_STRING_LIST, "die katze|der hund", 0, 0,
     "F4: prompts continued greedily and sampled, several runs each", NULL,
     NL_PARAM_EXT(.separator = "|")},
    {"top", NL_PARAM_INT, "10", 2, 64, "F1: the most likely next words drawn",
     NULL, NULL},
    {"skip_top", NL_PARAM_INT, "8", 2, 64,
     "F3: the most likely next words drawn", NULL, NULL},
    {"runs", NL_PARAM_INT, "8", 2, 64, "F4: runs per prompt and mode", NULL,
     NULL},
    {"temperature", NL_PARAM_DOUBLE, "0.8", 0, 100,
     "F4: the temperature of the sampled runs", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
    {"gen_words", NL_PARAM_INT, "6", 1, 64,
     "F4: most words per run (ends early at <EOS>)", NULL},
    {"layout_batch", NL_PARAM_INT, "8", 2, 256,
     "F4: the batch the prompt shares with corpus sentences, against the "
     "prompt alone (the fixed-layout link of the recipe)",
     NULL, NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "Inside MiniGPT: the pipeline, attention, the blocks' work and "
             "the determinism recipe",
    .description =
        "Loads a MiniGPT checkpoint (parameter model) or trains the "
        "lecture model on the host with the run's seed (saved as "
        "model.ckpt), then follows prompts through it, after the lecture "
        "notebook 'Transformer Blocks & Wiederholbarkeit'. Common phase, "
        "on the host (the naive order): F1 the token embeddings' norms, the "
        "last token's norm after each block and the top words' logits and "
        "probabilities (f1-embedding, f1-blocks, f1-top); F2 the "
        "self-attention weights of each block, heads averaged (f2-attention); "
        "F3 the top words and the entropy with and without the transformer "
        "blocks (f3-top, f3-entropy). Per backend job: the same look on the "
        "backend against the host (trace-delta); F4 the determinism recipe "
        "tested: runs greedy (temperature 0), sampled with a new seed each "
        "run and sampled with one seed (f4-runs, f4-distinct), and the "
        "prompt's logits in a batch with corpus sentences against alone "
        "(f4-layout).",
    .params = params,
    .run_common = in_run_common,
    .run_backend = in_run_backend,
    .estimate = estimate,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT, .name = "inside",
                 .version = PACKAGE_VERSION,
                 .summary =
                     "F1-F4: inside the lecture MiniGPT (pipeline, attention, "
                     "with and without blocks) and the determinism recipe",
                 .experiment = &ops, )
