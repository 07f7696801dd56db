/* inside.h — the inside experiment (figures F1–F4): what the lecture's
 * MiniGPT computes on its way from a prompt to the next word, after the
 * notebook "Transformer Blocks & Wiederholbarkeit". Shared by inside.c
 * (parameters, descriptor), common.c (the model and the host's look
 * inside it: F1–F3) and jobs.c (per backend: the same look against the
 * host, and F4's repeated runs). */
#ifndef NL_INSIDE_H
#define NL_INSIDE_H

#include <numlab-minigpt/lecture.h>
#include <numlab/numlab.h>

typedef struct {
    char *model_path;       /* NULL: train the lecture model */
    char *pipeline_prompt;  /* F1 */
    char *attention_prompt; /* F2 */
    char **skip_prompts;    /* F3, NULL-terminated */
    char **demo_prompts;    /* F4, NULL-terminated */
    guint top;              /* F1: the most likely words drawn */
    guint skip_top;         /* F3 */
    guint runs;             /* F4: runs per mode */
    double temperature;     /* F4: the sampled runs */
    guint gen_words;        /* F4: most words per run */
    guint layout_batch;     /* F4: the batch of the layout link */
} InConfig;

gboolean in_config_load(const NlParams *p, InConfig *c, GError **error);
void in_config_clear(InConfig *c);

/* Sets *error to a one-line message; returns FALSE (numlab/error.h). */
#define in_fail(error, ...)                                                    \
    nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG, __VA_ARGS__)

/* The model the common phase kept (a checkpoint's bytes), loaded again in
 * a job's process. */
NlGpt *in_model_from_run(NlRun *run, GError **error);
/* A prompt's tokens; an unknown word or a prompt longer than the context
 * is one line naming the parameter. */
gboolean in_encode(const NlGpt *m, const char *param, const char *prompt,
                   guint32 **tokens, gsize *n, GError **error);
/* softmax(z) at T = 1 in double, and its entropy in nats. */
double in_probs(const float *z, gsize V, double *probs);

gboolean in_run_common(NlRun *run, GError **error);
gboolean in_run_backend(NlRun *run, GError **error);

#endif /* NL_INSIDE_H */
