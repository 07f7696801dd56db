/* minigpt-bench.c — numlab's side of peers/minigpt-torch.py: the lecture
 * MiniGPT's logits, its training time and its batched inference time,
 * through the same library calls the minigpt experiment makes.
 *
 *   minigpt-bench logits CKPT PROMPT...
 *       every logit of every position, host loops (the naive order):
 *       "prompt<TAB>t<TAB>v<TAB>logit" (%.9g: float32 exact)
 *   minigpt-bench train BACKEND HOST_THREADS STEPS SEED [CKPT]
 *       the lecture's training (nl_gpt_lecture_train's loop) with the
 *       forward pass on BACKEND ("blas:threads=2"; "host" for host loops)
 *       and HOST_THREADS for the backward pass and AdamW
 *       (nl_gpt_trainer_set_threads): "train<TAB>backend<TAB>steps<TAB>
 *       ms_per_step<TAB>final_loss", and the trained model to CKPT
 *   minigpt-bench infer BACKEND CKPT B N REPS
 *       nl_gpt_logits_batch of B sequences of N tokens (token i is
 *       (7 i + 3) mod V, as the torch side), weights resident on BACKEND:
 *       "infer<TAB>backend<TAB>median_ms<TAB>min_ms"
 *   minigpt-bench corpus
 *       the lecture corpus as numlab tokenises it: "word<TAB>WORD" per
 *       vocabulary entry in token order, then "tokens<TAB>T0 T1 ..."
 *   minigpt-bench window CKPT OUT K WINDOW
 *       K training steps of numlab's trainer (host) from CKPT on the one
 *       window WINDOW of context + 1 words (drawn B times each step):
 *       "loss<TAB>k<TAB>loss", the weights to OUT
 *
 * Backends are loaded from the build tree. Built by `make bench-minigpt`
 * only; not installed. Not a test: it prints, the script judges. */
#include "config.h"

#include "framework/host/host.h"

#include <numlab-minigpt/lecture.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int die(GError *error)
{
    fprintf(stderr, "minigpt-bench: %s\n", error->message);
    g_error_free(error);
    return 1;
}

static NlBackend *open_backend(NlRegistry **r, const char *spec, GError **error)
{
    if (strcmp(spec, "host") == 0)
        return NULL;
    *r = nl_registry_new();
    nl_registry_scan(*r, NL_BUILDDIR "/backends", TRUE);
    return nl_backend_open_spec(*r, spec, NULL, error);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int train(const char *spec, guint threads, guint steps, guint64 seed,
                 const char *out)
{
    GError *error = NULL;
    NlRegistry *r = NULL;
    NlBackend *be = open_backend(&r, spec, &error);
    if (error)
        return die(error);
    g_autofree char *text = nl_gpt_lecture_text();
    NlGptVocab *vocab = nl_gpt_vocab_new_from_text(text, &error);
    g_autofree guint32 *data = NULL;
    gsize n = 0;
    if (!vocab || !nl_gpt_vocab_encode(vocab, text, TRUE, &data, &n, &error))
        return die(error);
    NlGptConfig mc;
    NlGptTrainConfig tc;
    nl_gpt_lecture_config(nl_gpt_vocab_size(vocab), seed, &mc, &tc);
    tc.steps = steps;
    NlGpt *m = nl_gpt_new(&mc, vocab, &error);
    if (!m)
        return die(error);
    /* nl_gpt_lecture_train's loop, with the trainer's host threads set */
    nl_gpt_init(m, tc.seed);
    NlGptTrainer *tr = nl_gpt_trainer_new(m, &tc, data, n, &error);
    if (!tr)
        return die(error);
    nl_gpt_trainer_set_threads(tr, threads);
    double loss = 0, tail = 0;
    guint n_tail = MIN(steps, 50u);
    gint64 t0 = g_get_monotonic_time();
    for (guint i = 0; i < steps; i++) {
        if (!nl_gpt_trainer_step(tr, be, &loss, &error))
            return die(error);
        if (i >= steps - n_tail)
            tail += loss;
    }
    double ms = (double)(g_get_monotonic_time() - t0) / 1e3 / steps;
    nl_gpt_trainer_free(tr);
    printf("train\t%s\t%u\t%.4f\t%.6f\n", spec, steps, ms, tail / n_tail);
    if (out) {
        gsize len;
        g_autofree guint8 *bytes = nl_gpt_save_bytes(m, &len);
        if (!g_file_set_contents(out, (const char *)bytes, (gssize)len, &error))
            return die(error);
    }
    nl_gpt_free(m);
    (void)r; /* the backend and its module live until the process ends */
    return 0;
}

static int infer(const char *spec, const char *ckpt, gsize B, gsize n, int reps)
{
    GError *error = NULL;
    NlRegistry *r = NULL;
    NlBackend *be = open_backend(&r, spec, &error);
    if (error)
        return die(error);
    NlGpt *m = nl_gpt_load_file(ckpt, &error);
    if (!m)
        return die(error);
    NlGptResident *on = be ? nl_gpt_resident_new(m, be, &error) : NULL;
    if (be && !on)
        return die(error);
    gsize V = m->config.vocab_size;
    g_autofree guint32 *tokens = g_new(guint32, B * n);
    g_autofree float *logits = g_new(float, B *n *V);
    g_autofree double *ms = g_new(double, reps);
    for (gsize i = 0; i < B * n; i++)
        tokens[i] = (guint32)((7 * i + 3) % V);
    for (int k = -3; k < reps; k++) { /* three calls to warm up */
        gint64 t0 = g_get_monotonic_time();
        if (!nl_gpt_logits_batch(m, on, tokens, B, n, logits, &error))
            return die(error);
        if (k >= 0)
            ms[k] = (double)(g_get_monotonic_time() - t0) / 1e3;
    }
    qsort(ms, (size_t)reps, sizeof *ms, cmp_double);
    printf("infer\t%s\t%.4f\t%.4f\n", spec, ms[reps / 2], ms[0]);
    nl_gpt_resident_free(on);
    nl_gpt_free(m);
    (void)r; /* the backend and its module live until the process ends */
    return 0;
}

static int logits(const char *ckpt, int n_prompts, char **prompts)
{
    GError *error = NULL;
    NlGpt *m = nl_gpt_load_file(ckpt, &error);
    if (!m)
        return die(error);
    gsize V = m->config.vocab_size;
    for (int p = 0; p < n_prompts; p++) {
        g_autofree guint32 *t = NULL;
        gsize n = 0;
        if (!nl_gpt_vocab_encode(m->vocab, prompts[p], FALSE, &t, &n, &error))
            return die(error);
        g_autofree float *z = g_new(float, MAX(n, 1) * V);
        if (!nl_gpt_logits(m, NULL, t, n, z, &error))
            return die(error);
        for (gsize i = 0; i < n; i++)
            for (gsize v = 0; v < V; v++)
                printf("%s\t%zu\t%zu\t%.9g\n", prompts[p], i, v,
                       (double)z[i * V + v]);
    }
    nl_gpt_free(m);
    return 0;
}

static int window(const char *ckpt, const char *out, guint K, const char *text)
{
    GError *error = NULL;
    NlGpt *m = nl_gpt_load_file(ckpt, &error);
    if (!m)
        return die(error);
    NlGptConfig mc;
    NlGptTrainConfig tc;
    nl_gpt_lecture_config(m->config.vocab_size, 1, &mc, &tc);
    g_autofree guint32 *t = NULL;
    gsize n = 0;
    if (!nl_gpt_vocab_encode(m->vocab, text, FALSE, &t, &n, &error))
        return die(error);
    if (n != (gsize)m->config.context + 1) {
        fprintf(stderr, "minigpt-bench: the window has %zu words, not %u\n", n,
                m->config.context + 1);
        return 1;
    }
    /* a stream of exactly one window: every draw is that window */
    NlGptTrainer *tr = nl_gpt_trainer_new(m, &tc, t, n, &error);
    if (!tr)
        return die(error);
    for (guint k = 0; k < K; k++) {
        double loss;
        if (!nl_gpt_trainer_step(tr, NULL, &loss, &error))
            return die(error);
        printf("loss\t%u\t%.17g\n", k, loss);
    }
    nl_gpt_trainer_free(tr);
    gsize len;
    g_autofree guint8 *bytes = nl_gpt_save_bytes(m, &len);
    if (!g_file_set_contents(out, (const char *)bytes, (gssize)len, &error))
        return die(error);
    nl_gpt_free(m);
    return 0;
}

static int corpus(void)
{
    GError *error = NULL;
    g_autofree char *text = nl_gpt_lecture_text();
    g_autoptr(NlGptVocab) vocab = nl_gpt_vocab_new_from_text(text, &error);
    g_autofree guint32 *data = NULL;
    gsize n = 0;
    if (!vocab || !nl_gpt_vocab_encode(vocab, text, TRUE, &data, &n, &error))
        return die(error);
    for (guint v = 0; v < nl_gpt_vocab_size(vocab); v++)
        printf("word\t%s\n", nl_gpt_vocab_word(vocab, v));
    printf("tokens");
    for (gsize i = 0; i < n; i++)
        printf("%c%u", i ? ' ' : '\t', data[i]);
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "logits") == 0 && argc >= 4)
        return logits(argv[2], argc - 3, argv + 3);
    if (strcmp(cmd, "train") == 0 && (argc == 6 || argc == 7))
        return train(
            argv[2], (guint)MAX(atoi(argv[3]), 1), (guint)MAX(atoi(argv[4]), 1),
            g_ascii_strtoull(argv[5], NULL, 10), argc == 7 ? argv[6] : NULL);
    if (strcmp(cmd, "infer") == 0 && argc == 7)
        return infer(argv[2], argv[3], (gsize)atoi(argv[4]),
                     (gsize)atoi(argv[5]), MAX(atoi(argv[6]), 1));
    if (strcmp(cmd, "corpus") == 0 && argc == 2)
        return corpus();
    if (strcmp(cmd, "window") == 0 && argc == 6)
        return window(argv[2], argv[3], (guint)atoi(argv[4]), argv[5]);
    fprintf(
        stderr,
        "usage: minigpt-bench logits CKPT PROMPT...\n"
        "       minigpt-bench train BACKEND|host THREADS STEPS SEED [CKPT]\n"
        "       minigpt-bench infer BACKEND|host CKPT B N REPS\n"
        "       minigpt-bench corpus\n"
        "       minigpt-bench window CKPT OUT K WINDOW\n");
    return 2;
}
