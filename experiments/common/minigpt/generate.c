/* generate.c — continuing a prompt word by word: the loop that the
 * minigpt, logprob and inside experiments each had a copy of. Each step
 * takes the logits after the context (the model's own window of the last
 * T words, or whatever a caller's logits function computes, e.g. inside a
 * batch), picks the next word greedily or draws it at a temperature, and
 * hands the step to the caller's callback before it goes on. */
#include "config.h"

#include "private.h"

#include <numlab/sample.h>

#include <string.h>

/* The default logits: the model's window, the last T words, on `on`. */
static gboolean window_logits(const NlGpt *m, NlGptResident *on,
                              const guint32 *ctx, gsize n, float *all,
                              float *out, GError **error)
{
    gsize T = m->config.context, V = m->config.vocab_size;
    gsize start = n > T ? n - T : 0, len = n - start;
    if (!nl_gpt_logits(m, on, ctx + start, len, all, error))
        return FALSE;
    memcpy(out, all + (len - 1) * V, V * sizeof *out);
    return TRUE;
}

gboolean nl_gpt_generate(const NlGpt *m, NlGptResident *on,
                         const guint32 *prompt, gsize n, guint max_words,
                         double temperature, NlRng *rng,
                         NlGptLogitsFunc logits_func, NlGptStepFunc step_func,
                         gpointer data, guint32 **words, gsize *n_words,
                         GError **error)
{
    g_return_val_if_fail(m != NULL && prompt != NULL && n > 0, FALSE);
    g_return_val_if_fail(temperature == 0 || rng != NULL, FALSE);
    gsize T = m->config.context, V = m->config.vocab_size;
    g_autofree guint32 *ctx = g_new(guint32, n + max_words);
    memcpy(ctx, prompt, n * sizeof *ctx);
    g_autofree float *all = logits_func ? NULL : g_new(float, T *V);
    g_autofree float *z = g_new(float, V);
    g_autofree double *zd = g_new(double, V);
    g_autofree double *probs = temperature > 0 ? g_new(double, V) : NULL;
    gsize len = n;
    for (guint w = 0; w < max_words; w++) {
        gboolean ok = logits_func
                          ? logits_func(ctx, len, z, data, error)
                          : window_logits(m, on, ctx, len, all, z, error);
        if (!ok)
            return FALSE;
        for (gsize v = 0; v < V; v++)
            zd[v] = z[v];
        gsize next;
        if (temperature == 0) {
            if (!nl_sample_argmax(zd, V, &next, error))
                return FALSE;
        } else {
            if (!nl_sample_softmax(zd, V, temperature, probs, error))
                return FALSE;
            g_autoptr(NlSampler) s = nl_sampler_new(probs, V, error);
            if (!s)
                return FALSE;
            next = nl_sampler_draw(s, rng);
        }
        NlGptStep step = {.step = w,
                          .context = ctx,
                          .n = len,
                          .logits = z,
                          .probs = probs,
                          .next = (guint32)next};
        if (step_func && !step_func(&step, data, error))
            return FALSE;
        if (next == NL_GPT_EOS)
            break;
        ctx[len++] = (guint32)next;
    }
    if (n_words)
        *n_words = len - n;
    if (words)
        *words = g_memdup2(ctx + n, MAX(len - n, 1) * sizeof(guint32));
    return TRUE;
}
