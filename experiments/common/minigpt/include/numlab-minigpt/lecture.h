/* numlab-minigpt/lecture.h — the lecture's MiniGPT: the German corpus it
 * learns from, its default model and training settings, and the training
 * loop (part of libnumlab-minigpt).
 *
 * The minigpt experiment trains this model once per backend (its
 * parameters default to these values); logprob trains it once on the host
 * when no checkpoint is given; an out-of-tree experiment can do the same
 * and get the same model. The host loops sum in the naive backend's
 * order, so with the same seed logprob's model is bit for bit the
 * checkpoint `numlab run minigpt -b naive` saves. */
#ifndef NUMLAB_MINIGPT_LECTURE_H
#define NUMLAB_MINIGPT_LECTURE_H

#include <numlab-minigpt/minigpt.h>

G_BEGIN_DECLS

/* ---- the corpus (corpus.c) -------------------------------------------- */

/* The sentences, *n of them, lower case, words separated by single spaces
 * (punctuation is a word: "sofa ."). Static: do not free. */
const char *const *nl_gpt_lecture_sentences(gsize *n);
/* The corpus as one text, the sentences joined by newlines (g_free). */
char *nl_gpt_lecture_text(void);

/* ---- the defaults and the training loop (lecture.c) ------------------- */

/* The defaults, as the parameter text of the minigpt experiment. */
#define NL_GPT_LECTURE_STEPS   "400"
#define NL_GPT_LECTURE_BATCH   "16"
#define NL_GPT_LECTURE_LR      "0.003"
#define NL_GPT_LECTURE_CONTEXT "16"
#define NL_GPT_LECTURE_D_MODEL "48"
#define NL_GPT_LECTURE_N_LAYER "2"
#define NL_GPT_LECTURE_N_HEAD  "4"
#define NL_GPT_LECTURE_PROMPTS "die katze|der hund|das kind spielt"

/* The lecture model's configuration (the defaults above) for a vocabulary
 * of vocab_size words, and its training with `seed`. */
void nl_gpt_lecture_config(guint32 vocab_size, guint64 seed, NlGptConfig *model,
                           NlGptTrainConfig *train);

typedef struct {
    double first_loss; /* the first step's batch loss */
    double final_loss; /* mean batch loss of the last 50 steps (or all) */
    double seconds;    /* wall-clock time of the loop */
} NlGptLectureSummary;

/* Called after every step with its batch loss (before the update). */
typedef void (*NlGptLectureStepFn)(guint32 step, double loss, gpointer user);

/* Initialises `model` from train->seed (nl_gpt_init) and trains it on the
 * token stream data[0..n): the forward pass on `backend` (NULL: the host
 * loops, the naive order), backpropagation and AdamW on the host, with
 * one host thread per core (nl_gpt_trainer_set_threads, which changes no
 * bit). Given the seed and the backend, bit for bit repeatable. on_step
 * and summary may be NULL. */
gboolean nl_gpt_lecture_train(NlGpt *model, const NlGptTrainConfig *train,
                              const guint32 *data, gsize n, NlBackend *backend,
                              NlGptLectureStepFn on_step, gpointer user,
                              NlGptLectureSummary *summary, GError **error);

/* The same with the training in `precision` (nl_gpt_trainer_set_precision;
 * anything but float32 needs a backend). */
gboolean nl_gpt_lecture_train_as(NlGpt *model, const NlGptTrainConfig *train,
                                 NlGptPrecision precision, const guint32 *data,
                                 gsize n, NlBackend *backend,
                                 NlGptLectureStepFn on_step, gpointer user,
                                 NlGptLectureSummary *summary, GError **error);

/* The lecture model itself: the vocabulary of the corpus, the defaults
 * above, trained with `seed` on the host (the naive order). Bit for bit
 * the checkpoint `numlab run minigpt -b naive --seed SEED` saves.
 *
 * Trained once per machine and kept (lecture-cache.c): a later call with
 * the same seed reads the model from the cache, and then calls no
 * on_step and fills `summary` with the values of the training that made
 * it (its seconds included). The cache's key is everything that
 * determines the bits: seed, configuration, training settings, corpus,
 * the SHA-256 of the libraries that compute them and the CPU's vector
 * units. Concurrent calls train once; the others wait and read. */
NlGpt *nl_gpt_lecture_model(guint64 seed, NlGptLectureStepFn on_step,
                            gpointer user, NlGptLectureSummary *summary,
                            GError **error);

/* The cache's folder (g_free): NUMLAB_CACHE_DIR/minigpt, by default the
 * user's cache folder (~/.cache/numlab/minigpt); NULL when
 * NUMLAB_CACHE_DIR is "off" or empty, and nl_gpt_lecture_model then
 * trains every time. Entries are lecture-SEED-KEY.ckpt, their .ini (the
 * key in full, the training's summary) and a .lock; deleting the folder
 * is always safe. */
char *nl_gpt_lecture_cache_dir(void);

G_END_DECLS

#endif /* NUMLAB_MINIGPT_LECTURE_H */
