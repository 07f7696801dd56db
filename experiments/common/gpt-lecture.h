/* gpt-lecture.h — the lecture's MiniGPT: the German corpus it learns
 * from, its default model and training settings, and the training loop.
 *
 * The minigpt experiment trains this model once per backend (its
 * parameters default to these values); logprob trains it once on the host
 * when no checkpoint is given. The host loops sum in the naive backend's
 * order, so with the same seed logprob's model is bit for bit the
 * checkpoint `numlab run minigpt -b naive` saves. */
#ifndef NL_GPT_LECTURE_H
#define NL_GPT_LECTURE_H

#include <numlab/numlab.h>

/* gpt-corpus.c: one sentence per entry, words separated by single spaces */
extern const char *const lg_corpus[];
extern const gsize lg_corpus_lines;
/* The corpus as one text, lines joined by newlines (g_free). */
char *lg_corpus_text(void);

/* The defaults, as the parameter text of the minigpt experiment. */
#define LG_STEPS "400"
#define LG_BATCH "16"
#define LG_LR "0.003"
#define LG_CONTEXT "16"
#define LG_D_MODEL "48"
#define LG_N_LAYER "2"
#define LG_N_HEAD "4"
#define LG_PROMPTS "die katze|der hund|das kind spielt"

/* gpt-lecture.c: the training both experiments run */

/* The lecture model's configuration (the defaults above) for a vocabulary
 * of vocab_size words, and its training with `seed`. */
void lg_default_config(guint32 vocab_size, guint64 seed, NlGptConfig *model,
                       NlGptTrainConfig *train);

typedef struct {
    double first_loss;  /* the first step's batch loss */
    double final_loss;  /* mean batch loss of the last 50 steps (or all) */
    double seconds;     /* wall-clock time of the loop */
} LgTrainSummary;

/* Called after every step with its batch loss (before the update). */
typedef void (*LgStepFn)(guint32 step, double loss, gpointer user);

/* Initialises `model` from train->seed (nl_gpt_init) and trains it on the
 * token stream data[0..n): the forward pass on `backend` (NULL: the host
 * loops, the naive order), backpropagation and AdamW on the host. Given
 * the seed and the backend, bit for bit repeatable. on_step may be NULL. */
gboolean lg_train(NlGpt *model, const NlGptTrainConfig *train,
                  const guint32 *data, gsize n, NlBackend *backend,
                  LgStepFn on_step, gpointer user, LgTrainSummary *summary,
                  GError **error);

#endif /* NL_GPT_LECTURE_H */
