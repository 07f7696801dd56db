/* test-gpt.c — MiniGPT (libnumlab-minigpt): vocabulary, forward pass,
 * resident weights, gradients, training, checkpoints.
 *
 * - The host forward pass sums in the naive backend's order, so host and
 *   naive-backend logits must agree bit for bit; blas and openmp may sum
 *   in other orders and must agree within 1e-4 (logits here are O(1);
 *   float32 sums of ~100 terms differ by a few 1e-7 per layer).
 * - Resident weights: on tests/plugins/counting (a backend that logs every
 *   upload, gemm and softmax in the naive order) each weight matrix is
 *   uploaded exactly once when the model is placed there, never by a
 *   forward pass (12 passes here would have uploaded 108 matrices, one per
 *   product), again once by nl_gpt_resident_sync, and once per training
 *   step; activations are uploaded per product. Its logits and its trained
 *   weights equal the host's bit for bit, so every pass used the current
 *   weights of the right layer.
 * - Causality: the logits at position t do not change (bitwise) when
 *   later tokens change.
 * - Gradients: backpropagation against central finite differences of the
 *   loss, h = 1e-2, on a tiny model whose weights are O(0.3) so that the
 *   gradients are large against float32 noise in the loss (~1e-7 of ~2);
 *   every entry of every tensor (1,984 of them); accepted when
 *   |g - fd| <= 0.03 |fd| + 1e-3. Measured: the worst entry sits at 0.02
 *   with h = 1e-2 and falls to 0.0015 with h = 3e-3 (so it is the O(h^2)
 *   truncation error, not backprop); smaller h raises other entries to
 *   ~0.015 (float32 noise). A wrong or missing term is off by O(1).
 * - Training: loss falls below the unigram entropy of the data; the same
 *   seed gives bit-identical weights; training on the naive backend gives
 *   the host's bits.
 * - Generation (nl_gpt_generate): greedy gives the words of a loop of
 *   the test's own (the window of the last T words, the first largest
 *   logit, <EOS> ends it), on the host and on naive; the same seed gives
 *   the same sampled words; a caller's logits function and step callback
 *   see every step, the <EOS> one included; a failing callback stops it.
 * - Checkpoints: a round trip is bit-identical; every malformed file is
 *   one line of error and no allocation from its sizes. */
#include "config.h"

#include "../framework/host/host.h"
#include "plugins/counting/counting.h"

#include <numlab-minigpt/minigpt.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static NlBackend *backends[3]; /* naive, blas, openmp (NULL if absent) */
static NlBackend *counting;    /* tests/plugins/counting */
static CountingTakeLog take_log;

static const char *const corpus = "die katze schläft .\n"
                                  "der hund bellt .\n"
                                  "das kind spielt .\n"
                                  "die katze frisst .\n"
                                  "der hund spielt .\n"
                                  "das kind schläft .\n";

static NlGpt *tiny_model(guint32 T, guint32 C, guint32 L, guint32 H,
                         guint64 seed)
{
    g_autoptr(GError) error = NULL;
    NlGptVocab *v = nl_gpt_vocab_new_from_text(corpus, &error);
    g_assert_no_error(error);
    NlGptConfig c = {nl_gpt_vocab_size(v), T, C, L, H};
    NlGpt *m = nl_gpt_new(&c, v, &error);
    g_assert_no_error(error);
    nl_gpt_init(m, seed);
    return m;
}

static void test_vocab(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlGptVocab) v = nl_gpt_vocab_new_from_text(corpus, &error);
    g_assert_no_error(error);
    /* <EOS> . bellt das der die frisst hund katze kind schläft spielt */
    g_assert_cmpuint(nl_gpt_vocab_size(v), ==, 12);
    g_assert_cmpstr(nl_gpt_vocab_word(v, 0), ==, "<EOS>");
    g_assert_cmpstr(nl_gpt_vocab_word(v, 1), ==, ".");
    g_assert_cmpstr(nl_gpt_vocab_word(v, 11), ==, "spielt");
    g_autofree guint32 *t = NULL;
    gsize n;
    g_assert_true(
        nl_gpt_vocab_encode(v, "die katze .\nder hund", TRUE, &t, &n, &error));
    g_assert_cmpuint(n, ==, 7); /* an <EOS> after each line */
    const guint32 want[] = {5, 8, 1, 0, 4, 7, 0};
    for (gsize i = 0; i < n; i++)
        g_assert_cmpuint(t[i], ==, want[i]);
    g_autofree guint32 *u = NULL;
    g_assert_false(nl_gpt_vocab_encode(v, "die maus", FALSE, &u, &n, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB);
    g_assert_nonnull(strstr(error->message, "'maus'"));
    g_clear_error(&error);
    const char *dup[] = {"<EOS>", "a", "a"};
    g_assert_null(nl_gpt_vocab_new(dup, 3, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB);
}

static void test_config_limits(void)
{
    g_autoptr(GError) error = NULL;
    NlGptConfig bad[] = {
        {1, 8, 8, 1, 1},
        {12, 0, 8, 1, 1},
        {12, 8, 8, 1, 3},
        {12, 8, 8, 65, 1},
        {G_MAXUINT32, 8, 8, 1, 1},
        {65536, 4096, 4096, 64,
         1}, /* every field allowed, far too many parameters */
    };
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(nl_gpt_config_check(&bad[i], NULL, &error));
        g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG);
        g_assert_null(strchr(error->message, '\n'));
        g_clear_error(&error);
    }
    NlGptConfig ok = {12, 8, 8, 2, 2};
    gsize n;
    g_assert_true(nl_gpt_config_check(&ok, &n, &error));
    /* by hand: wte 96, wpe 64, per layer 12 C^2 + 13 C = 872, lnf 16, lm 96 */
    g_assert_cmpuint(n, ==, 96 + 64 + 2 * 872 + 16 + 96);
}

/* A tiny model with weights larger than the init, so that layers really
 * mix, and 12 tokens drawn after them. */
static NlGpt *mixed_model(guint32 tok[12])
{
    NlGpt *m = tiny_model(16, 32, 2, 4, 7);
    NlRng rng;
    nl_rng_init(&rng, 99);
    for (gsize k = 0; k < m->n_params; k++)
        m->params[k] += (float)(0.1 * nl_rng_normal(&rng));
    for (int i = 0; i < 12; i++)
        tok[i] = (guint32)nl_rng_below(&rng, m->config.vocab_size);
    return m;
}

static void test_forward_backends(void)
{
    guint32 tok[12];
    g_autoptr(NlGpt) m = mixed_model(tok);
    gsize V = m->config.vocab_size, n = 12;
    g_autofree float *host = g_new(float, n *V);
    g_autofree float *be = g_new(float, n *V);
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_gpt_logits(m, NULL, tok, n, host, &error));
    double top = 0;
    for (gsize i = 0; i < n * V; i++) {
        g_assert_true(isfinite(host[i]));
        top = MAX(top, fabs(host[i]));
    }
    g_assert_cmpfloat(top, >, 0.1);
    g_assert_cmpfloat(top, <, 100);
    for (int b = 0; b < 3; b++) {
        if (!backends[b])
            continue;
        g_autoptr(NlGptResident) on =
            nl_gpt_resident_new(m, backends[b], &error);
        g_assert_no_error(error);
        g_assert_true(nl_gpt_logits(m, on, tok, n, be, &error));
        g_assert_no_error(error);
        double d = 0;
        for (gsize i = 0; i < n * V; i++)
            d = MAX(d, fabs((double)be[i] - host[i]));
        g_test_message("%s: max |dlogit| vs host %.3g",
                       nl_backend_label(backends[b]), d);
        if (b == 0)
            g_assert_cmpmem(be, n * V * sizeof(float), host,
                            n * V * sizeof(float));
        else
            g_assert_cmpfloat(d, <=, 1e-4);
    }
    /* causality: a prefix's logits do not depend on what follows */
    guint32 other[12];
    memcpy(other, tok, sizeof tok);
    for (int i = 6; i < 12; i++)
        other[i] = (other[i] + 1) % (guint32)V;
    g_autofree float *alt = g_new(float, n *V);
    g_assert_true(nl_gpt_logits(m, NULL, other, n, alt, &error));
    g_assert_cmpmem(alt, 6 * V * sizeof(float), host, 6 * V * sizeof(float));
    g_assert_true(memcmp(alt + 6 * V, host + 6 * V, V * sizeof(float)) != 0);
    /* and a shorter call gives the same rows */
    g_assert_true(nl_gpt_logits(m, NULL, tok, 6, alt, &error));
    g_assert_cmpmem(alt, 6 * V * sizeof(float), host, 6 * V * sizeof(float));
    /* a batch of rows: on the host (and the naive backend, same order) each
     * row is exactly that row alone; batch and length limits are errors */
    guint32 rows[3 * 12];
    memcpy(rows, other, sizeof other);
    memcpy(rows + 12, tok, sizeof tok);
    memcpy(rows + 24, other, sizeof other);
    g_autofree float *batch = g_new(float, 3 * n * V);
    for (int b = -1; b < 1; b++) {
        g_autoptr(NlGptResident) where =
            b < 0 ? NULL : nl_gpt_resident_new(m, backends[b], &error);
        g_assert_no_error(error);
        g_assert_true(nl_gpt_logits_batch(m, where, rows, 3, n, batch, &error));
        g_assert_cmpmem(batch + n * V, n * V * sizeof(float), host,
                        n * V * sizeof(float));
        g_assert_true(nl_gpt_logits(m, NULL, other, n, alt, &error));
        g_assert_cmpmem(batch, n * V * sizeof(float), alt,
                        n * V * sizeof(float));
        g_assert_cmpmem(batch + 2 * n * V, n * V * sizeof(float), alt,
                        n * V * sizeof(float));
    }
    g_assert_false(nl_gpt_logits_batch(m, NULL, rows, 0, n, batch, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG);
    g_clear_error(&error);
    /* length and token checks */
    g_assert_false(nl_gpt_logits(m, NULL, tok, 17, alt, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG);
    g_clear_error(&error);
    guint32 badtok = (guint32)V;
    g_assert_false(nl_gpt_logits(m, NULL, &badtok, 1, alt, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB);
}

/* ---- the precision of a forward pass ---- */

static void logits_on(const NlGpt *m, NlBackend *be, const char *mode,
                      const guint32 *tok, gsize n, float *out)
{
    g_autoptr(GError) error = NULL;
    NlGptPrecision p;
    g_assert_true(nl_gpt_precision_from_name(mode, &p));
    g_assert_cmpstr(nl_gpt_precision_name(p), ==, mode);
    g_autoptr(NlGptResident) on = nl_gpt_resident_new_as(m, be, p, &error);
    g_assert_no_error(error);
    g_assert_true(nl_gpt_logits(m, on, tok, n, out, &error));
    g_assert_no_error(error);
}

/* float32 is the model's own pass; LayerCast is the float32 pass of the
 * model with its weight matrices rounded to bfloat16; in bfloat16 and
 * float16 every logit is a value of the type, near float32's. */
static void test_precision(void)
{
    guint32 tok[12];
    g_autoptr(NlGpt) m = mixed_model(tok);
    gsize V = m->config.vocab_size, n = 12, C = m->config.d_model,
          L = m->config.n_layer, nz = n * V;
    NlGptPrecision p;
    g_assert_false(nl_gpt_precision_from_name("bf16", &p));
    g_autofree float *f32 = g_new(float, nz), *got = g_new(float, nz);
    g_autoptr(GError) error = NULL;
    g_autoptr(NlGptResident) plain =
        nl_gpt_resident_new(m, backends[0], &error);
    g_assert_true(nl_gpt_logits(m, plain, tok, n, f32, &error));
    logits_on(m, backends[0], "float32", tok, n, got);
    g_assert_cmpmem(got, nz * sizeof(float), f32, nz * sizeof(float));

    /* LayerCast by hand: the matrices rounded, then float32 */
    g_autofree float *saved = g_memdup2(m->params, m->n_params * sizeof(float));
    struct {
        float *w;
        gsize n;
    } mats[] = {{m->w.w_qkv, L * C * 3 * C},
                {m->w.w_proj, L * C * C},
                {m->w.w_fc, L * C * 4 * C},
                {m->w.w_fc2, L * 4 * C * C},
                {m->w.w_lm, C * V}};
    for (guint i = 0; i < G_N_ELEMENTS(mats); i++)
        for (gsize k = 0; k < mats[i].n; k++)
            mats[i].w[k] = nl_bf16_to_f32(nl_bf16_from_f32(mats[i].w[k]));
    g_autofree float *want = g_new(float, nz);
    g_assert_true(nl_gpt_logits(m, NULL, tok, n, want, &error));
    memcpy(m->params, saved, m->n_params * sizeof(float));
    for (int b = 0; b < 3; b++) {
        if (!backends[b])
            continue;
        logits_on(m, backends[b], "layercast", tok, n, got);
        if (b == 0) /* naive: the host's order */
            g_assert_cmpmem(got, nz * sizeof(float), want, nz * sizeof(float));
        for (gsize i = 0; i < nz; i++)
            g_assert_cmpfloat(fabs(got[i] - want[i]), <=, 1e-4);
    }

    const struct {
        const char *mode;
        NlPrecision type;
        double near; /* max |logit - float32| allowed */
    } typed[] = {{"bfloat16", NL_PRECISION_BF16, 0.5},
                 {"bfloat16-pure", NL_PRECISION_BF16, 1.5},
                 {"float16", NL_PRECISION_F16, 0.1}};
    g_autofree float *first = g_new(float, nz);
    for (guint t = 0; t < G_N_ELEMENTS(typed); t++)
        for (int b = 0; b < 3; b++) {
            if (!backends[b])
                continue;
            logits_on(m, backends[b], typed[t].mode, tok, n, got);
            double d = 0;
            for (gsize i = 0; i < nz; i++) {
                g_assert_cmpfloat(got[i], ==,
                                  nl_precision_round(typed[t].type, got[i]));
                d = MAX(d, fabs((double)got[i] - f32[i]));
            }
            g_test_message("%s on %s: max |dlogit| vs float32 %.3g",
                           typed[t].mode, nl_backend_label(backends[b]), d);
            g_assert_cmpfloat(d, >, 0);
            g_assert_cmpfloat(d, <=, typed[t].near);
            if (t == 0 && b == 0)
                memcpy(first, got, nz * sizeof(float));
            if (t == 1 && b == 0) /* bfloat16 accumulation: another pass */
                g_assert_true(memcmp(first, got, nz * sizeof(float)) != 0);
        }
}

/* ---- nl_gpt_generate ---- */

typedef struct {
    guint calls;
    guint fail_at; /* G_MAXUINT: never */
    gsize n_prompt;
    GArray *next; /* guint32 per step */
} StepLog;

static gboolean log_step(const NlGptStep *st, gpointer data, GError **error)
{
    StepLog *l = data;
    g_assert_cmpuint(st->step, ==, l->calls);
    if (l->calls++ == l->fail_at) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INTR, "stop at %u",
                    st->step);
        return FALSE;
    }
    if (st->probs) /* the word drawn has a chance */
        g_assert_cmpfloat(st->probs[st->next], >, 0);
    /* the context is the prompt and the words so far */
    g_assert_cmpuint(st->n, ==, l->n_prompt + st->step);
    g_array_append_val(l->next, st->next);
    return TRUE;
}

/* Greedy generation against a loop of its own: the window of the last T
 * words, the first largest logit, <EOS> ends it. */
static void greedy_by_hand(const NlGpt *m, const guint32 *prompt, gsize n,
                           guint max_words, GArray *out)
{
    gsize T = m->config.context, V = m->config.vocab_size;
    g_autofree guint32 *ctx = g_new(guint32, n + max_words);
    memcpy(ctx, prompt, n * sizeof *ctx);
    g_autofree float *logits = g_new(float, T *V);
    g_autoptr(GError) error = NULL;
    for (guint w = 0; w < max_words; w++) {
        gsize start = n > T ? n - T : 0, len = n - start;
        g_assert_true(nl_gpt_logits(m, NULL, ctx + start, len, logits, &error));
        const float *z = logits + (len - 1) * V;
        guint32 best = 0;
        for (guint32 v = 1; v < V; v++)
            if (z[v] > z[best])
                best = v;
        if (best == NL_GPT_EOS)
            break;
        g_array_append_val(out, best);
        ctx[n++] = best;
    }
}

/* A caller's logits: word 5 the largest, <EOS> from the third step on. */
typedef struct {
    gsize V, n_prompt;
    GArray *seen; /* guint32: each step's word */
} EosCase;

static gboolean eos_third(const guint32 *ctx, gsize n, float *z, gpointer data,
                          GError **error)
{
    (void)ctx;
    (void)error;
    const EosCase *c = data;
    for (gsize v = 0; v < c->V; v++)
        z[v] = 0;
    z[n >= c->n_prompt + 2 ? NL_GPT_EOS : 5] = 1;
    return TRUE;
}

static gboolean count_step(const NlGptStep *st, gpointer data, GError **error)
{
    (void)error;
    EosCase *c = data;
    g_assert_null(st->probs); /* greedy */
    g_array_append_val(c->seen, st->next);
    return TRUE;
}

static void test_generate(void)
{
    guint32 tok[12];
    g_autoptr(NlGpt) m = mixed_model(tok);
    gsize V = m->config.vocab_size, n = 3;
    const guint max_words = 20; /* 3 + 20 > T = 16: the window slides */
    g_autoptr(GError) error = NULL;

    /* greedy: the loop by hand; every step seen, <EOS> one included */
    g_autoptr(GArray) want = g_array_new(FALSE, FALSE, sizeof(guint32));
    greedy_by_hand(m, tok, n, max_words, want);
    StepLog log = {.fail_at = G_MAXUINT,
                   .n_prompt = n,
                   .next = g_array_new(FALSE, FALSE, sizeof(guint32))};
    g_autofree guint32 *words = NULL;
    gsize n_words = 0;
    g_assert_true(nl_gpt_generate(m, NULL, tok, n, max_words, 0, NULL, NULL,
                                  log_step, &log, &words, &n_words, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(n_words, ==, want->len);
    g_assert_cmpmem(words, n_words * sizeof *words, want->data,
                    want->len * sizeof(guint32));
    g_assert_cmpuint(log.calls, ==, n_words + (n_words < max_words));
    /* the callback saw each word, then <EOS> where it ended the run */
    g_assert_cmpmem(log.next->data, n_words * sizeof(guint32), words,
                    n_words * sizeof *words);
    if (n_words < max_words)
        g_assert_cmpuint(g_array_index(log.next, guint32, n_words), ==,
                         NL_GPT_EOS);
    g_array_unref(log.next);

    /* the same on a backend with the naive order: the same words */
    if (backends[0]) {
        g_autoptr(NlGptResident) on =
            nl_gpt_resident_new(m, backends[0], &error);
        g_assert_no_error(error);
        g_autofree guint32 *on_words = NULL;
        gsize on_n = 0;
        g_assert_true(nl_gpt_generate(m, on, tok, n, max_words, 0, NULL, NULL,
                                      NULL, NULL, &on_words, &on_n, &error));
        g_assert_cmpmem(on_words, on_n * sizeof *on_words, words,
                        n_words * sizeof *words);
    }

    /* sampled: the same seed, the same words; the word drawn has p > 0 */
    g_autofree guint32 *a = NULL, *b = NULL;
    gsize na = 0, nb = 0;
    NlRng r1, r2;
    nl_rng_init(&r1, 5);
    nl_rng_init(&r2, 5);
    StepLog sl = {.fail_at = G_MAXUINT,
                  .n_prompt = n,
                  .next = g_array_new(FALSE, FALSE, sizeof(guint32))};
    g_assert_true(nl_gpt_generate(m, NULL, tok, n, max_words, 1.5, &r1, NULL,
                                  log_step, &sl, &a, &na, &error));
    g_assert_true(nl_gpt_generate(m, NULL, tok, n, max_words, 1.5, &r2, NULL,
                                  NULL, NULL, &b, &nb, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(a, na * sizeof *a, b, nb * sizeof *b);
    g_assert_cmpuint(sl.calls, ==, na + (na < max_words));
    g_array_unref(sl.next);

    /* a logits function of the caller's: <EOS> at the third step ends the
     * run after two words, and its step is seen */
    g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(guint32));
    EosCase eos = {.V = V, .n_prompt = n, .seen = seen};
    g_autofree guint32 *e = NULL;
    gsize ne = 0;
    g_assert_true(nl_gpt_generate(m, NULL, tok, n, max_words, 0, NULL,
                                  eos_third, count_step, &eos, &e, &ne,
                                  &error));
    g_assert_cmpuint(ne, ==, 2);
    g_assert_cmpuint(e[0], ==, 5);
    g_assert_cmpuint(e[1], ==, 5);
    g_assert_cmpuint(seen->len, ==, 3);
    g_assert_cmpuint(g_array_index(seen, guint32, 2), ==, NL_GPT_EOS);

    /* a callback that fails stops the run with its error, no words */
    StepLog stop = {.fail_at = 1,
                    .n_prompt = n,
                    .next = g_array_new(FALSE, FALSE, sizeof(guint32))};
    guint32 *none = NULL;
    g_assert_false(nl_gpt_generate(m, NULL, tok, n, max_words, 0, NULL, NULL,
                                   log_step, &stop, &none, NULL, &error));
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INTR);
    g_assert_null(none);
    g_assert_cmpuint(stop.calls, ==, 2);
    g_array_unref(stop.next);
}

static void test_gradients(void)
{
    g_autoptr(NlGpt) m = tiny_model(4, 8, 2, 2, 3);
    NlRng rng;
    nl_rng_init(&rng, 5);
    for (gsize k = 0; k < m->n_params; k++)
        m->params[k] += (float)(0.3 * nl_rng_normal(&rng));
    const gsize B = 2, n = 4;
    guint32 in[8], tg[8];
    for (int i = 0; i < 8; i++) {
        in[i] = (guint32)nl_rng_below(&rng, m->config.vocab_size);
        tg[i] = (guint32)nl_rng_below(&rng, m->config.vocab_size);
    }
    g_autofree float *g = g_new(float, m->n_params);
    g_autoptr(GError) error = NULL;
    /* a target outside the vocabulary is refused, not read out of bounds */
    guint32 bad_tg[8];
    memcpy(bad_tg, tg, sizeof bad_tg);
    bad_tg[7] = m->config.vocab_size;
    double bad_loss;
    g_assert_false(
        nl_gpt_loss_and_grad(m, in, bad_tg, B, n, &bad_loss, g, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB);
    g_clear_error(&error);
    double loss;
    g_assert_true(nl_gpt_loss_and_grad(m, in, tg, B, n, &loss, g, &error));
    g_assert_cmpfloat(loss, >, 0);
    gsize off = 0, checked = 0;
    double worst = 0;
    for (guint i = 0; i < NL_GPT_N_TENSORS; i++) {
        gsize size = nl_gpt_tensor_size(&m->config, i);
        for (gsize k = off; k < off + size; k++) {
            float keep = m->params[k];
            const float h = 1e-2f;
            double lp, lm;
            m->params[k] = keep + h;
            g_assert_true(
                nl_gpt_loss_and_grad(m, in, tg, B, n, &lp, NULL, &error));
            m->params[k] = keep - h;
            g_assert_true(
                nl_gpt_loss_and_grad(m, in, tg, B, n, &lm, NULL, &error));
            m->params[k] = keep;
            double fd = (lp - lm) / (double)((keep + h) - (keep - h));
            double err = fabs(g[k] - fd);
            if (err > 0.03 * fabs(fd) + 1e-3)
                g_error("%s[%" G_GSIZE_FORMAT "]: backprop %.6g, finite "
                        "differences %.6g",
                        nl_gpt_tensor_name(i), k - off, (double)g[k], fd);
            worst = MAX(worst, err / (fabs(fd) + 1e-3));
            checked++;
        }
        off += size;
    }
    g_test_message("%" G_GSIZE_FORMAT " gradient entries, worst relative "
                   "error %.3g",
                   checked, worst);
    g_assert_cmpuint(checked, ==, m->n_params);
    g_assert_cmpuint(checked, ==,
                     1984); /* 96 + 32 + 2 (12·64 + 13·8) + 16 + 96 */
}

/* Unigram entropy (nats) of a token stream. */
static double unigram_entropy(const guint32 *t, gsize n, gsize V)
{
    g_autofree double *count = g_new0(double, V);
    for (gsize i = 0; i < n; i++)
        count[t[i]]++;
    double h = 0;
    for (gsize v = 0; v < V; v++)
        if (count[v] > 0)
            h -= count[v] / n * log(count[v] / n);
    return h;
}

/* Trains the tiny model on `be` (NULL: host); per_step (may be NULL) is
 * called after every step. */
static float *train_logged(NlBackend *be, guint32 steps, double *first,
                           double *last,
                           void (*per_step)(const NlGpt *m, guint32 step))
{
    g_autoptr(NlGpt) m = tiny_model(8, 16, 2, 2, 11);
    g_autoptr(GError) error = NULL;
    g_autofree guint32 *data = NULL;
    gsize n;
    g_assert_true(
        nl_gpt_vocab_encode(m->vocab, corpus, TRUE, &data, &n, &error));
    NlGptTrainConfig tc;
    nl_gpt_train_config_default(&tc);
    tc.batch = 4;
    tc.steps = steps;
    tc.lr = 1e-2;
    tc.seed = 42;
    g_autoptr(NlGptTrainer) t = nl_gpt_trainer_new(m, &tc, data, n, &error);
    g_assert_no_error(error);
    double loss = 0, sum_last = 0;
    for (guint32 s = 0; s < steps; s++) {
        g_assert_true(nl_gpt_trainer_step(t, be, &loss, &error));
        if (s == 0)
            *first = loss;
        if (s >= steps - 10)
            sum_last += loss;
        if (per_step)
            per_step(m, s);
    }
    *last = sum_last / 10;
    return g_memdup2(m->params, m->n_params * sizeof(float));
}

static float *train(NlBackend *be, guint32 steps, double *first, double *last)
{
    return train_logged(be, steps, first, last, NULL);
}

static void test_training(void)
{
    double first, last, f2, l2;
    g_autofree float *a = train(NULL, 150, &first, &last);
    g_autofree float *b = train(NULL, 150, &f2, &l2);
    g_autoptr(NlGpt) m = tiny_model(8, 16, 2, 2, 11);
    gsize bytes = m->n_params * sizeof(float);
    g_assert_cmpmem(a, bytes, b, bytes);
    g_autofree guint32 *data = NULL;
    gsize n;
    g_assert_true(nl_gpt_vocab_encode(m->vocab, corpus, TRUE, &data, &n, NULL));
    double uni = unigram_entropy(data, n, m->config.vocab_size);
    g_test_message("loss %.4f -> %.4f, unigram %.4f", first, last, uni);
    /* at the start: close to log V (weights are small) */
    g_assert_cmpfloat(fabs(first - log((double)m->config.vocab_size)), <, 0.1);
    g_assert_cmpfloat(last, <, 0.6 * uni);
    if (backends[0]) {
        g_autofree float *c = train(backends[0], 150, &f2, &l2);
        g_assert_cmpmem(a, bytes, c, bytes);
    }
}

/* ---- weights resident on a backend ------------------------------------ */

/* How many of the uploads in log came from the model's weights, checking
 * that those are each weight matrix (w_qkv, w_proj, w_fc, w_fc2 per layer,
 * w_lm) exactly once; or, with `none`, that none came from them. Returns
 * the number of uploads of anything else (activations, the ones vector). */
static guint check_weight_uploads(const NlGpt *m, GArray *log, gboolean none)
{
    const NlGptConfig *c = &m->config;
    gsize C = c->d_model, L = c->n_layer;
    /* where each matrix starts in params, and its size */
    GArray *want = g_array_new(FALSE, FALSE, sizeof(CountingUpload));
    const guint per_layer[] = {4, 6, 10, 12}; /* w_qkv w_proj w_fc w_fc2 */
    for (guint t = 0; t < G_N_ELEMENTS(per_layer); t++) {
        gsize size = nl_gpt_tensor_size(c, per_layer[t]) / L;
        for (gsize l = 0; l < L; l++) {
            CountingUpload u = {nl_gpt_tensor(&m->w, per_layer[t]) + l * size,
                                size};
            g_array_append_val(want, u);
        }
    }
    CountingUpload lm = {m->w.w_lm, C * c->vocab_size};
    g_array_append_val(want, lm);
    g_assert_cmpuint(want->len, ==, 4 * L + 1);
    g_autofree guint *seen = g_new0(guint, want->len);
    guint others = 0, weights = 0;
    for (guint i = 0; i < log->len; i++) {
        const CountingUpload *u = &g_array_index(log, CountingUpload, i);
        if (u->src < m->params || u->src >= m->params + m->n_params) {
            others++;
            continue;
        }
        weights++;
        guint k = 0;
        while (k < want->len &&
               g_array_index(want, CountingUpload, k).src != u->src)
            k++;
        if (k == want->len)
            g_error("an upload from params + %td is no weight matrix",
                    u->src - m->params);
        g_assert_cmpuint(u->n, ==, g_array_index(want, CountingUpload, k).n);
        seen[k]++;
    }
    for (guint k = 0; k < want->len; k++)
        g_assert_cmpuint(seen[k], ==, none ? 0 : 1);
    g_assert_cmpuint(weights, ==, none ? 0 : want->len);
    g_array_unref(want);
    return others;
}

static void test_resident_uploads(void)
{
    if (!counting) {
        g_test_skip("tests/plugins/counting is not built");
        return;
    }
    guint32 tok[12];
    g_autoptr(NlGpt) m = mixed_model(tok);
    gsize V = m->config.vocab_size, n = 12;
    g_autoptr(GError) error = NULL;
    g_array_unref(take_log()); /* the self-check's uploads */

    /* placed: each matrix once, and the ones vector */
    g_autoptr(NlGptResident) on = nl_gpt_resident_new(m, counting, &error);
    g_assert_no_error(error);
    g_assert_true(nl_gpt_resident_backend(on) == counting);
    GArray *log = take_log();
    g_assert_cmpuint(check_weight_uploads(m, log, FALSE), ==, 1);
    g_array_unref(log);

    /* 12 forward passes (a generation's prefixes) and a batch: only
     * activations travel, several per pass */
    g_autofree float *host = g_new(float, 3 * n * V);
    g_autofree float *res = g_new(float, 3 * n * V);
    for (gsize len = 1; len <= n; len++) {
        g_assert_true(nl_gpt_logits(m, on, tok, len, res, &error));
        g_assert_true(nl_gpt_logits(m, NULL, tok, len, host, &error));
        g_assert_cmpmem(res, len * V * sizeof(float), host,
                        len * V * sizeof(float));
    }
    guint32 rows[3 * 12];
    for (int r = 0; r < 3; r++)
        memcpy(rows + 12 * r, tok, sizeof tok);
    g_assert_true(nl_gpt_logits_batch(m, on, rows, 3, n, res, &error));
    g_assert_true(nl_gpt_logits_batch(m, NULL, rows, 3, n, host, &error));
    g_assert_cmpmem(res, 3 * n * V * sizeof(float), host,
                    3 * n * V * sizeof(float));
    log = take_log();
    guint activations = check_weight_uploads(m, log, TRUE);
    g_test_message("13 passes: %u activation uploads, no weights", activations);
    g_assert_cmpuint(activations, >=, 13 * (4 * 2 + 1));
    g_array_unref(log);

    /* changed weights: one sync uploads each matrix once, and the passes
     * follow the new weights */
    for (gsize k = 0; k < m->n_params; k++)
        m->params[k] *= 0.5f;
    g_assert_true(nl_gpt_resident_sync(on, &error));
    log = take_log();
    g_assert_cmpuint(check_weight_uploads(m, log, FALSE), ==, 0);
    g_array_unref(log);
    g_assert_true(nl_gpt_logits(m, on, tok, n, res, &error));
    g_assert_true(nl_gpt_logits(m, NULL, tok, n, host, &error));
    g_assert_cmpmem(res, n * V * sizeof(float), host, n * V * sizeof(float));
    g_array_unref(take_log());
}

/* After each training step on the counting backend: that step uploaded
 * each weight matrix once (the model's weights as AdamW left them after
 * the step before). */
static guint steps_checked;
static void check_step_uploads(const NlGpt *m, guint32 step)
{
    GArray *log = take_log();
    guint others = check_weight_uploads(m, log, FALSE);
    /* the first step also placed the ones vector */
    g_assert_cmpuint(others, >, step == 0 ? 1 : 0);
    g_array_unref(log);
    steps_checked++;
}

static void test_resident_training(void)
{
    if (!counting) {
        g_test_skip("tests/plugins/counting is not built");
        return;
    }
    double first, last, f2, l2;
    g_array_unref(take_log());
    steps_checked = 0;
    g_autofree float *c =
        train_logged(counting, 20, &first, &last, check_step_uploads);
    g_assert_cmpuint(steps_checked, ==, 20);
    /* the same weights as on the host: each step saw the updated ones */
    g_autofree float *h = train(NULL, 20, &f2, &l2);
    g_autoptr(NlGpt) m = tiny_model(8, 16, 2, 2, 11);
    g_assert_cmpmem(c, m->n_params * sizeof(float), h,
                    m->n_params * sizeof(float));
    g_array_unref(take_log());
}

/* Training in 16 bits (nl_gpt_trainer_set_precision), on naive:
 * - the first step's loss is the cross-entropy of the bfloat16 forward
 *   pass (nl_gpt_logits_batch on a bfloat16 resident) of the windows the
 *   trainer draws, recomputed here;
 * - mixed precision keeps float32 master weights (some are off the
 *   bfloat16 grid after a step), pure bfloat16 keeps every weight on it;
 * - both still learn, and end near float32's loss;
 * - on the host (no backend) 16 bits are refused in one line. */
static void test_training_precision(void)
{
    if (!backends[0]) {
        g_test_skip("naive is not built");
        return;
    }
    NlGptTrainConfig tc;
    nl_gpt_train_config_default(&tc);
    tc.batch = 4;
    tc.steps = 60;
    tc.lr = 1e-2;
    tc.seed = 42;
    const char *modes[] = {"float32", "bfloat16", "bfloat16-pure"};
    double first[3], last[3];
    for (guint mode = 0; mode < G_N_ELEMENTS(modes); mode++) {
        g_autoptr(NlGpt) m = tiny_model(8, 16, 2, 2, 11);
        g_autoptr(GError) error = NULL;
        g_autofree guint32 *data = NULL;
        gsize n;
        g_assert_true(
            nl_gpt_vocab_encode(m->vocab, corpus, TRUE, &data, &n, &error));
        NlGptPrecision p;
        g_assert_true(nl_gpt_precision_from_name(modes[mode], &p));
        g_autoptr(NlGptTrainer) t = nl_gpt_trainer_new(m, &tc, data, n, &error);
        g_assert_true(nl_gpt_trainer_set_precision(t, p, &error));
        /* the windows the first step draws, and its forward pass */
        gsize T = m->config.context, V = m->config.vocab_size;
        g_autofree guint32 *in = g_new(guint32, tc.batch * T);
        g_autofree guint32 *target = g_new(guint32, tc.batch * T);
        NlRng rng;
        nl_rng_init(&rng, tc.seed);
        for (gsize b = 0; b < tc.batch; b++) {
            gsize at = nl_rng_below(&rng, n - T);
            memcpy(in + b * T, data + at, T * sizeof(guint32));
            memcpy(target + b * T, data + at + 1, T * sizeof(guint32));
        }
        g_autofree float *z = g_new(float, tc.batch *T *V);
        {
            g_autoptr(NlGptResident) r =
                nl_gpt_resident_new_as(m, backends[0], p, &error);
            g_assert_true(
                nl_gpt_logits_batch(m, r, in, tc.batch, T, z, &error));
        }
        double want = 0;
        for (gsize i = 0; i < tc.batch * T; i++) {
            const float *row = z + i * V;
            float max = row[0];
            for (gsize j = 1; j < V; j++)
                max = fmaxf(max, row[j]);
            double sum = 0;
            for (gsize j = 0; j < V; j++)
                sum += exp((double)row[j] - max);
            want += log(sum) + max - row[target[i]];
        }
        want /= (double)(tc.batch * T);
        double loss = 0, tail = 0;
        for (guint32 s = 0; s < tc.steps; s++) {
            g_assert_true(nl_gpt_trainer_step(t, backends[0], &loss, &error));
            if (s == 0) {
                g_assert_cmpfloat(loss, ==, want);
                first[mode] = loss;
            }
            if (s >= tc.steps - 10)
                tail += loss;
        }
        last[mode] = tail / 10;
        gsize off_grid = 0;
        for (gsize k = 0; k < m->n_params; k++)
            off_grid += nl_precision_round(NL_PRECISION_BF16, m->params[k]) !=
                        m->params[k];
        g_test_message("%s: loss %.4f -> %.4f, %zu weights off the bfloat16 "
                       "grid",
                       modes[mode], first[mode], last[mode], off_grid);
        if (mode == 2)
            g_assert_cmpuint(off_grid, ==, 0);
        else
            g_assert_cmpuint(off_grid, >, m->n_params / 2);
        g_assert_cmpfloat(last[mode], <, first[mode] - 0.3);
    }
    /* the 16-bit forward passes differ from float32's, a little */
    g_assert_cmpfloat(first[1], !=, first[0]);
    g_assert_cmpfloat(fabs(first[1] - first[0]), <, 0.05);
    g_assert_cmpfloat(fabs(last[1] - last[0]), <, 0.2);

    /* the host computes in float32 only */
    g_autoptr(NlGpt) m = tiny_model(8, 16, 2, 2, 11);
    g_autofree guint32 *data = NULL;
    gsize n;
    g_assert_true(nl_gpt_vocab_encode(m->vocab, corpus, TRUE, &data, &n, NULL));
    g_autoptr(GError) error = NULL;
    g_autoptr(NlGptTrainer) t = nl_gpt_trainer_new(m, &tc, data, n, &error);
    NlGptPrecision bf16;
    g_assert_true(nl_gpt_precision_from_name("bfloat16", &bf16));
    g_assert_true(nl_gpt_trainer_set_precision(t, bf16, &error));
    double loss;
    g_assert_false(nl_gpt_trainer_step(t, NULL, &loss, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG);
    g_assert_cmpstr(error->message, ==,
                    "training in bfloat16 needs a backend (the host loops "
                    "compute in float32)");
}

/* ---- checkpoints ------------------------------------------------------ */

static void expect_bad(const guint8 *d, gsize len, const char *fragment)
{
    g_autoptr(GError) error = NULL;
    NlGpt *m = nl_gpt_load_bytes(d, len, &error);
    g_assert_null(m);
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CHECKPOINT);
    g_assert_null(strchr(error->message, '\n'));
    if (!strstr(error->message, fragment))
        g_error("'%s' lacks '%s'", error->message, fragment);
}

static void put32(guint8 *d, gsize at, guint32 v)
{
    v = GUINT32_TO_LE(v);
    memcpy(d + at, &v, 4);
}

static void test_checkpoint(void)
{
    g_autoptr(NlGpt) m = tiny_model(8, 16, 2, 2, 13);
    gsize len;
    g_autofree guint8 *d = nl_gpt_save_bytes(m, &len);
    /* header 36 + vocab (12 words: 1 + bytes each) + 4 bytes a weight */
    gsize vocab = 0;
    for (guint i = 0; i < 12; i++)
        vocab += 1 + strlen(nl_gpt_vocab_word(m->vocab, i));
    g_assert_cmpuint(len, ==, 36 + vocab + 4 * m->n_params);
    g_assert_cmpmem(d, 8, "NLMINGPT", 8);
    g_autoptr(GError) error = NULL;
    g_autoptr(NlGpt) r = nl_gpt_load_bytes(d, len, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(r->params, r->n_params * 4, m->params, m->n_params * 4);
    g_assert_cmpmem(&r->config, sizeof r->config, &m->config, sizeof m->config);
    for (guint i = 0; i < 12; i++)
        g_assert_cmpstr(nl_gpt_vocab_word(r->vocab, i), ==,
                        nl_gpt_vocab_word(m->vocab, i));
    gsize len2;
    g_autofree guint8 *d2 = nl_gpt_save_bytes(r, &len2);
    g_assert_cmpmem(d2, len2, d, len);

    /* truncated anywhere */
    const gsize cuts[] = {0, 3, 8, 20, 35, 36, 40, 36 + vocab, len - 1};
    for (guint i = 0; i < G_N_ELEMENTS(cuts); i++)
        expect_bad(d, cuts[i], cuts[i] < 8 ? "magic" : "truncated");
    g_autofree guint8 *x = g_memdup2(d, len);
    x[0] = 'X';
    expect_bad(x, len, "magic");
    memcpy(x, d, len);
    put32(x, 8, 2);
    expect_bad(x, len, "version 2");
    /* absurd sizes: refused from the header alone */
    const gsize fields[] = {12, 16, 20, 24, 28};
    const guint32 absurd[] = {G_MAXUINT32, 1u << 31, 0, 1000, 5};
    for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
        memcpy(x, d, len);
        put32(x, fields[i], absurd[i]);
        expect_bad(x, len, "model configuration");
    }
    memcpy(x, d, len);
    put32(x, 12, 65536);
    put32(x, 20, 4096); /* 2^28+ parameters: over the limit, no allocation */
    expect_bad(x, len, "parameters");
    memcpy(x, d, len);
    put32(x, 32, G_MAXUINT32);
    expect_bad(x, len, "vocabulary");
    memcpy(x, d, len);
    x[36] = 200; /* the first word claims 200 bytes */
    expect_bad(x, len, "vocabulary word 0");
    /* a word holding a newline, a carriage return, broken UTF-8: one
     * printable line that names the rule, not the bytes */
    const guint8 poison[] = {'\n', '\r', 0xff, ' '};
    for (guint i = 0; i < G_N_ELEMENTS(poison); i++) {
        memcpy(x, d, len);
        x[36 + 1 + 5 + 1] = poison[i]; /* the first byte of word 1 */
        expect_bad(x, len,
                   poison[i] == 0xff ? "not UTF-8"
                                     : "a space or a control character");
        g_autoptr(GError) e = NULL;
        g_assert_null(nl_gpt_load_bytes(x, len, &e));
        g_assert_true(g_utf8_validate(e->message, -1, NULL));
        g_assert_null(strchr(e->message, '\r'));
    }
    memcpy(x, d, len);
    float nan = NAN;
    memcpy(x + len - 4, &nan, 4);
    expect_bad(x, len, "finite");
    g_autofree guint8 *longer = g_malloc(len + 1);
    memcpy(longer, d, len);
    longer[len] = 0;
    expect_bad(longer, len + 1, "after the last tensor");

    /* files */
    g_autofree char *dir = g_dir_make_tmp("test-gpt-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "m.ckpt", NULL);
    g_assert_true(
        g_file_set_contents(path, (const char *)d, (gssize)len, NULL));
    g_autoptr(NlGpt) f = nl_gpt_load_file(path, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(f->params, f->n_params * 4, m->params, m->n_params * 4);
    g_assert_true(
        g_file_set_contents(path, (const char *)d, (gssize)(len / 2), NULL));
    g_assert_null(nl_gpt_load_file(path, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CHECKPOINT);
    g_assert_nonnull(strstr(error->message, "truncated"));
    g_assert_nonnull(strstr(error->message, path));
    g_clear_error(&error);
    memcpy(x, d, len);
    put32(x, 12, 65536);
    put32(x, 20, 4096);
    g_assert_true(g_file_set_contents(path, (const char *)x, 36, NULL));
    g_assert_null(nl_gpt_load_file(path, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CHECKPOINT);
    g_clear_error(&error);
    g_assert_true(g_file_set_contents(path, "NLMIN", 5, NULL));
    g_assert_null(nl_gpt_load_file(path, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CHECKPOINT);
    g_clear_error(&error);
    g_remove(path);
    g_assert_null(nl_gpt_load_file(path, &error));
    g_assert_error(error, NL_GPT_ERROR, NL_GPT_ERROR_IO);
    g_rmdir(dir);
}

static NlBackend *open_backend(NlRegistry *r, const char *dir, const char *name)
{
    g_autofree char *path =
        g_strdup_printf(NL_BUILDDIR "/%s/%s/.libs/%s.so", dir, name, name);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return NULL;
    g_autoptr(GError) error = NULL;
    if (!nl_registry_load(r, path, &error))
        g_error("%s", error->message);
    const NlPlugin *p = nl_registry_find(r, NL_PLUGIN_BACKEND, name)->plugin;
    g_autoptr(NlParams) opts =
        p->backend->options
            ? nl_params_parse(p->backend->options, name, NULL, &error)
            : NULL;
    /* opened as the host opens it: with its self-check */
    return nl_backend_open_checked(p, name, opts, NULL, &error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_autoptr(NlRegistry) r = nl_registry_new();
    const char *names[3] = {"naive", "blas", "openmp"};
    for (int i = 0; i < 3; i++)
        backends[i] = open_backend(r, "backends", names[i]);
    g_assert_nonnull(backends[0]);
    /* the counting backend and its log, from the module the registry
     * loaded (the same handle: its log is the backend's) */
    counting = open_backend(r, "tests/plugins", "counting");
    g_assert_nonnull(counting);
    GModule *hook = g_module_open(NL_BUILDDIR "/tests/plugins/counting/"
                                              ".libs/counting.so",
                                  G_MODULE_BIND_LOCAL);
    g_assert_nonnull(hook);
    g_assert_true(
        g_module_symbol(hook, "counting_take_log", (gpointer *)&take_log));
    g_test_add_func("/gpt/vocab", test_vocab);
    g_test_add_func("/gpt/config-limits", test_config_limits);
    g_test_add_func("/gpt/forward-backends", test_forward_backends);
    g_test_add_func("/gpt/precision", test_precision);
    g_test_add_func("/gpt/resident-uploads", test_resident_uploads);
    g_test_add_func("/gpt/resident-training", test_resident_training);
    g_test_add_func("/gpt/generate", test_generate);
    g_test_add_func("/gpt/gradients", test_gradients);
    g_test_add_func("/gpt/training", test_training);
    g_test_add_func("/gpt/training-precision", test_training_precision);
    g_test_add_func("/gpt/checkpoint", test_checkpoint);
    int rc = g_test_run();
    for (int i = 0; i < 3; i++)
        nl_backend_close(backends[i]);
    nl_backend_close(counting);
    return rc;
}
