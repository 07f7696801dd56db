/* lecture.c — the lecture MiniGPT's default configuration and the
 * training loop the minigpt and logprob experiments (and out-of-tree ones)
 * share, so that all train the same model bit for bit from the same
 * seed. */
#include "config.h"

#include <numlab-minigpt/lecture.h>

void nl_gpt_lecture_config(guint32 vocab_size, guint64 seed, NlGptConfig *model,
                           NlGptTrainConfig *train)
{
    *model = (NlGptConfig){
        .vocab_size = vocab_size,
        .context = (guint32)g_ascii_strtoull(NL_GPT_LECTURE_CONTEXT, NULL, 10),
        .d_model = (guint32)g_ascii_strtoull(NL_GPT_LECTURE_D_MODEL, NULL, 10),
        .n_layer = (guint32)g_ascii_strtoull(NL_GPT_LECTURE_N_LAYER, NULL, 10),
        .n_head = (guint32)g_ascii_strtoull(NL_GPT_LECTURE_N_HEAD, NULL, 10),
    };
    nl_gpt_train_config_default(train);
    train->steps = (guint32)g_ascii_strtoull(NL_GPT_LECTURE_STEPS, NULL, 10);
    train->batch = (guint32)g_ascii_strtoull(NL_GPT_LECTURE_BATCH, NULL, 10);
    train->lr = g_ascii_strtod(NL_GPT_LECTURE_LR, NULL);
    train->seed = seed;
}

gboolean nl_gpt_lecture_train(NlGpt *model, const NlGptTrainConfig *train,
                              const guint32 *data, gsize n, NlBackend *backend,
                              NlGptLectureStepFn on_step, gpointer user,
                              NlGptLectureSummary *summary, GError **error)
{
    NlGptPrecision f32 = {NL_PRECISION_F32, NL_PRECISION_F32, NL_PRECISION_F32};
    return nl_gpt_lecture_train_as(model, train, f32, data, n, backend, on_step,
                                   user, summary, error);
}

gboolean nl_gpt_lecture_train_as(NlGpt *model, const NlGptTrainConfig *train,
                                 NlGptPrecision precision, const guint32 *data,
                                 gsize n, NlBackend *backend,
                                 NlGptLectureStepFn on_step, gpointer user,
                                 NlGptLectureSummary *summary, GError **error)
{
    nl_gpt_init(model, train->seed);
    g_autoptr(NlGptTrainer) tr =
        nl_gpt_trainer_new(model, train, data, n, error);
    if (!tr || !nl_gpt_trainer_set_precision(tr, precision, error))
        return FALSE;
    /* the backward pass on every core (the bits do not depend on it).
     * Two pools of threads, the backend's and these, only coexist because
     * numlab's threads sleep when they wait (OMP_WAIT_POLICY=passive,
     * framework/numlab.c). At the lecture's size, since the host kernels
     * run near peak, one and two host threads are within 10 % of each
     * other on two cores (make bench-minigpt, doc/performance-history.md) */
    nl_gpt_trainer_set_threads(tr, (guint)g_get_num_processors());
    gint64 t0 = g_get_monotonic_time();
    guint32 steps = train->steps, n_tail = MIN(steps, 50u);
    double loss = 0, first = 0, tail = 0;
    for (guint32 i = 0; i < steps; i++) {
        if (!nl_gpt_trainer_step(tr, backend, &loss, error))
            return FALSE;
        first = i == 0 ? loss : first;
        if (i >= steps - n_tail)
            tail += loss;
        if (on_step)
            on_step(i, loss, user);
    }
    if (summary) {
        summary->first_loss = first;
        summary->final_loss = tail / n_tail;
        summary->seconds = (double)(g_get_monotonic_time() - t0) / 1e6;
    }
    return TRUE;
}
