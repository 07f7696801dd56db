/* minigpt.h — the minigpt experiment: train the lecture's MiniGPT
 * (libnumlab-minigpt) on its German corpus with a backend, and show what
 * it learned. */
#ifndef NL_MINIGPT_H
#define NL_MINIGPT_H

#include <numlab/numlab.h>
#include <numlab-minigpt/lecture.h>

typedef struct {
    NlGptConfig model; /* vocab_size from the corpus */
    NlGptTrainConfig train;
    NlGptPrecision precision; /* of training and of the generations */
    char **prompts; /* NULL-terminated, each words of the vocabulary */
    gint64 gen_words;
    double temperature;
} MgConfig;

/* Reads and checks every parameter against the corpus' vocabulary; one
 * line naming the parameter. *vocab receives the vocabulary. */
gboolean mg_config_load(const NlParams *p, guint64 seed, MgConfig *c,
                        NlGptVocab **vocab, GError **error);
void mg_config_clear(MgConfig *c);

/* run_common: checks the parameters, summarises the corpus. */
gboolean mg_run_common(NlRun *run, GError **error);
/* run_backend: train, loss curve, generations, logits vs the host, the
 * checkpoint. */
gboolean mg_run_backend(NlRun *run, GError **error);

#endif /* NL_MINIGPT_H */
