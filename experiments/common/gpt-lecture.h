/* gpt-lecture.h — the lecture's MiniGPT: the German corpus it learns
 * from and its default model and training settings.
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

#endif /* NL_GPT_LECTURE_H */
