/* logprob.h — the logprob experiment (lecture figures C1–C5): how sure
 * the lecture's MiniGPT is of each next word, and whether float noise
 * (another backend, thread count, batch size, padding) can change it.
 *
 * Phases: run_common loads the checkpoint (or trains the lecture model on
 * the host), checks every parameter against it and computes the host
 * reference; it keeps them as bytes, from which each later phase rebuilds
 * its LpShared. Each backend job writes C1–C3 from its own logits, the C4
 * cases against the host and against itself, and a JSON lines logprobs
 * file; it keeps its logits and greedy words as bytes (an LpJobData).
 * run_compare puts every pair of jobs side by side (C4). */
#ifndef NL_LOGPROB_H
#define NL_LOGPROB_H

#include <numlab/numlab.h>
#include <numlab-minigpt/lecture.h>

typedef struct {
    char *model_path; /* NULL: train the lecture model */
    char **prompts;   /* NULL-terminated, stripped */
    guint n_prompts;
    double stable_gap;   /* gap > stable_gap: stable */
    double unstable_gap; /* gap < unstable_gap: unstable */
    guint top;           /* C1 rows and top_logprobs per token */
    guint gen_words;
    double *temperatures; /* C3 */
    gsize n_temperatures;
    guint64 *seeds; /* C3 */
    gsize n_seeds;
    guint *batches; /* C4: batch sizes > 1 */
    gsize n_batches;
    guint *paddings; /* C4: <EOS> tokens appended, > 0 */
    gsize n_paddings;
    char **precisions; /* C5: NlGptPrecision mode names */
    gsize n_precisions;
} LpConfig;

/* One token sequence of the evaluation set: tokens[off .. off+len). */
typedef struct {
    gsize off, len;
    gsize pos; /* its first row in the (positions, V) logits */
} LpSeq;

/* What run_common computed once; the jobs and run_compare only read it. */
typedef struct {
    LpConfig c;
    NlGpt *model;
    guint V, T;      /* vocabulary size, context */
    guint32 *tokens; /* every sequence, back to back */
    LpSeq *seqs;     /* the prompts first, then corpus sentences */
    gsize n_seqs, n_positions;
    gsize max_len;         /* the longest sequence */
    gsize n_skipped;       /* corpus sentences the vocabulary lacks */
    float *host;           /* (n_positions, V) host logits, alone */
    guint32 **host_greedy; /* per prompt: greedy words on the host */
    gsize *host_greedy_len;
} LpShared;

/* What a job keeps for run_compare. */
typedef struct {
    guint n_prompts;
    float *logits;    /* (n_positions, V) its own, alone */
    guint32 **greedy; /* per prompt: its greedy words */
    gsize *greedy_len;
} LpJobData;

/* logprob.c: parameters */
gboolean lp_config_load(const NlParams *p, LpConfig *c, GError **error);
void lp_config_clear(LpConfig *c);
/* Sets *error to a one-line message; returns FALSE (numlab/error.h). */
#define lp_fail(error, ...)                                                    \
    nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT, __VA_ARGS__)

/* model.c: the common phase, which keeps the model, the host logits and
 * the host's greedy words as bytes (nl_run_keep_bytes) */
gboolean lp_run_common(NlRun *run, GError **error);
/* model.c: in the later phases, what the common phase computed, rebuilt
 * from the bytes it kept; NULL with an error. */
LpShared *lp_shared_from_run(NlRun *run, GError **error);
void lp_shared_free(LpShared *s);
/* model.c: greedy words per prompt as kept bytes' "aau", and back (the
 * count checked by the caller). */
GVariant *lp_words_to_variant(guint32 *const *words, const gsize *lens,
                              guint n);
void lp_words_from_variant(GVariant *v, guint n, guint32 ***words,
                           gsize **lens);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LpShared, lp_shared_free)
/* "stable", "borderline" or "unstable" for a top-1/top-2 logit gap. */
const char *lp_gap_class(const LpConfig *c, double gap);

/* How a forward pass is placed: alone, in a batch of `batch` rows, or
 * with `pad` <EOS> tokens appended. For C4's positions (noise.c) the
 * evaluation set goes through in consecutive groups of `batch`, each
 * padded to its longest; for a generation (lp_generate) the context is
 * the last row of a batch whose other rows are the first batch - 1 corpus
 * sentences, cut or padded with <EOS> to the context's length. */
typedef struct {
    guint batch; /* 1: alone */
    guint pad;   /* <EOS> tokens appended (up to the context) */
} LpPlacement;

#define LP_MAX_TOP 20

/* One generated word and what the model thought of it. */
typedef struct {
    guint32 token;         /* the word chosen (NL_GPT_EOS: the end) */
    double logprob;        /* its log-probability at T = 1 */
    double prob_t;         /* its probability at the generation's T
                              (1 for greedy) */
    double gap;            /* top-1 minus top-2 logit */
    guint top[LP_MAX_TOP]; /* the max(top, 2) most likely words */
    double top_logprob[LP_MAX_TOP];
} LpStep;

/* Continues prompt i (placed as `pl`) on `on` (the model's weights
 * resident on the job's backend; NULL: the host) for up to gen_words
 * words: greedy at temperature 0, else drawn from softmax(logits / T)
 * with a generator seeded with `seed`. *words (g_new'd) ends before <EOS>;
 * steps (LpStep, may be NULL) receives every step, the <EOS> one included. */
gboolean lp_generate(const LpShared *s, NlGptResident *on, LpPlacement pl,
                     guint prompt, double temperature, guint64 seed,
                     GArray *steps, guint32 **words, gsize *n_words,
                     GError **error);
/* lp_generate at temperature 0, without the steps. */
gboolean lp_greedy(const LpShared *s, NlGptResident *on, LpPlacement pl,
                   guint prompt, guint32 **words, gsize *n_words,
                   GError **error);

/* The first step where two generations (each ended by <EOS> or the word
 * limit) differ, or -1. */
gssize lp_first_difference(const guint32 *a, gsize na, const guint32 *b,
                           gsize nb);

/* log(sum exp(z)) over V logits, in double, the largest subtracted first. */
double lp_log_sum_exp(const float *z, guint V);
/* FALSE with a one-line error naming the words tokens[0..n_tokens) when
 * one of z[0..n) is NaN or infinite: the checkpoint's weights are
 * damaged. */
gboolean lp_logits_finite(const LpShared *s, const float *z, gsize n,
                          const guint32 *tokens, gsize n_tokens,
                          GError **error);

/* generate.c: C1–C3 and the logprobs file, per job, on the model's
 * weights resident on the job's backend; fills job->greedy */
gboolean lp_report_generations(NlRun *run, const LpShared *s, NlGptResident *on,
                               LpJobData *job, GError **error);

/* noise.c: how one set of logits differs from a reference, position by
 * position */
typedef struct {
    gsize differing;  /* positions with any bit different */
    double max_delta; /* largest |logit - reference| */
    gsize flips;      /* positions whose argmax differs */
    double flip_gap;  /* largest reference gap among the flips */
} LpDiff;
/* Top-1 minus top-2 logit of z (V values); *best: the top-1 word. */
double lp_gap_of(const float *z, guint V, guint *best);
/* Compares every row of a with ref. Where not NULL, noise[i] and self[i]
 * take the largest |a - host| and |a - ref| of row i if larger, and
 * flip[i] is set when a's argmax differs from the host's. */
LpDiff lp_diff_rows(const LpShared *s, const float *a, const float *ref,
                    double *noise, double *self, gboolean *flip);
/* Logits of every sequence of the evaluation set placed as `pl` (in
 * batches padded to their longest, or alone with <EOS> appended) into
 * out (n_positions, V). */
gboolean lp_logits_placed(const LpShared *s, NlGptResident *on, LpPlacement pl,
                          float *out, GError **error);

/* noise.c: C4's and C5's case i: the batches first, then the paddings. */
LpPlacement lp_case_placement(const LpShared *s, gsize i);

/* precision.c: one precision's C5 cases (its logits alone against the
 * host's float32, then each placement against itself alone), measured as
 * the placements come and written as rows at the end. C4's passes are
 * float32's: noise.c measures them for C5 while it runs them, rather than
 * running them again. `alone` and `own` (its greedy words alone) are
 * borrowed until the rows are written. */
typedef struct LpModeCases LpModeCases;
LpModeCases *lp_mode_cases_new(const LpShared *s, const float *alone,
                               guint32 *const *own, const gsize *own_len);
void lp_mode_cases_placed(LpModeCases *m, const LpShared *s, LpPlacement pl,
                          const float *placed, guint32 *const *words,
                          const gsize *len);
void lp_mode_cases_free(LpModeCases *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LpModeCases, lp_mode_cases_free)
/* precision.c: C5 per job; f32 (or NULL): the float32 mode as C4
 * measured it */
gboolean lp_precision_job(NlRun *run, const LpShared *s, const LpModeCases *f32,
                          GError **error);

/* noise.c: C4 per job and across jobs */
gboolean lp_run_backend(NlRun *run, GError **error);
gboolean lp_run_compare(NlRun *run, GError **error);

#endif /* NL_LOGPROB_H */
