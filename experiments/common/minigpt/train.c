/* train.c — MiniGPT's training: cross-entropy loss, backpropagation
 * through every layer, and AdamW.
 *
 * The forward pass is model.c's, on whatever backend the caller passes,
 * with the weights resident there and uploaded once per step, in the
 * trainer's precision (nl_gpt_trainer_set_precision): float32, or a
 * 16-bit mode whose forward pass rounds weights and activations as
 * inference does. Mixed precision keeps float32 master weights, which
 * AdamW updates; a pure mode rounds the weights back to their 16-bit
 * type after every update. The
 * backward pass and the optimiser run on the host: their matrix products
 * and AdamW in kernels.c (vectorised, dispatched to the CPU's widest
 * instruction set), everything else in plain loops here. Every element
 * is summed by one thread, in the order of a plain sequential loop (no
 * reassociation, no FMA), so neither the vector width nor the host
 * threads (nl_gpt_trainer_set_threads; tasks via gpt_parallel) change a
 * bit: a training run depends only on the seed and on the forward pass's
 * backend.
 *
 * Not here: gradient clipping, dropout, gradient accumulation. */
/* -O3 whatever CFLAGS say (the element-wise loops of the backward pass are
 * hot); fp-contract=off again, so that no product is fused into an addition. */
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma GCC optimize("O3", "fp-contract=off")
#endif
#include "config.h"

#include "private.h"

#include "kernels.h"

#include <numlab/alloc.h>
#include <numlab/rng.h>

#include <math.h>
#include <string.h>

/* Gradient scratch for one batch shape: N = B·n rows. */
typedef struct {
    float *dlogits; /* (N, V) */
    float *dx;      /* (N, C) gradient of the residual stream */
    float *dres1;   /* (N, C) */
    float *dln;     /* (N, C) gradient of a LayerNorm's output */
    float *datty;   /* (N, C) */
    float *dqkv;    /* (N, 3C) */
    float *dfch;    /* (N, 4C) */
    float *dfc;     /* (N, 4C) */
    float *wt;      /* (max(4C·C, C·V)) a transposed weight matrix */
    float *da;      /* (B·H, n) attention weight gradients, a row a task */
} GptGrads;

static void grads_clear(GptGrads *g)
{
    float **p = (float **)g;
    for (gsize i = 0; i < sizeof *g / sizeof(float *); i++)
        nl_free(p[i]);
    memset(g, 0, sizeof *g);
}

static gboolean grads_init(GptGrads *g, const NlGptConfig *c, gsize B, gsize n,
                           GError **error)
{
    gsize N = B * n, C = c->d_model, V = c->vocab_size;
    const gsize sizes[] = {N * V,
                           N * C,
                           N * C,
                           N * C,
                           N * C,
                           N * 3 * C,
                           N * 4 * C,
                           N * 4 * C,
                           MAX(4 * C * C, C * V),
                           B * c->n_head * n};
    G_STATIC_ASSERT(sizeof(sizes) / sizeof(sizes[0]) ==
                    sizeof(GptGrads) / sizeof(float *));
    memset(g, 0, sizeof *g);
    float **p = (float **)g;
    for (gsize i = 0; i < G_N_ELEMENTS(sizes); i++)
        if (!(p[i] = nl_alloc_f32(sizes[i], error))) {
            grads_clear(g);
            return FALSE;
        }
    return TRUE;
}

/* ---- the loss ---------------------------------------------------------- */

/* Mean cross-entropy over N rows of V logits; dlogits = (p − onehot) / N.
 * log-sum-exp in double, max subtracted. Rows are independent tasks; each
 * row's loss is kept and the N losses are added in row order at the end,
 * so the threads change no bit. Each exp() is computed once, kept in
 * double, and used for the sum and for p. */
typedef struct {
    const float *logits;
    const guint32 *targets;
    gsize N, V, band;
    float *dlogits;
    double *row_loss; /* (N) */
} CrossEntropy;

static void cross_entropy_rows(gsize p, gpointer data)
{
    const CrossEntropy *s = data;
    gsize V = s->V;
    double *e = g_new(double, V);
    for (gsize i = p * s->band; i < MIN(s->N, (p + 1) * s->band); i++) {
        const float *z = s->logits + i * V;
        float max = z[0];
        for (gsize j = 1; j < V; j++)
            max = fmaxf(max, z[j]);
        double sum = 0;
        for (gsize j = 0; j < V; j++) {
            e[j] = exp((double)z[j] - max);
            sum += e[j];
        }
        s->row_loss[i] = log(sum) + max - z[s->targets[i]];
        if (s->dlogits)
            for (gsize j = 0; j < V; j++) {
                double q = e[j] / sum;
                s->dlogits[i * V + j] =
                    (float)((q - (j == s->targets[i])) / (double)s->N);
            }
    }
    g_free(e);
}

static double cross_entropy(guint threads, const float *logits,
                            const guint32 *targets, gsize N, gsize V,
                            float *dlogits)
{
    double *row_loss = g_new(double, N);
    CrossEntropy s = {logits, targets, N, V, 0, dlogits, row_loss};
    s.band = MAX((gsize)16, (N + threads - 1) / MAX(threads, 1u));
    gpt_parallel(threads, (N + s.band - 1) / s.band, cross_entropy_rows, &s);
    double loss = 0;
    for (gsize i = 0; i < N; i++)
        loss += row_loss[i];
    g_free(row_loss);
    return loss / (double)N;
}

/* ---- layer backward passes --------------------------------------------- */

/* Forward: y (N, out) = x (N, in) · w (in, out) + b. Accumulates dw, db;
 * writes dx = dy · wᵀ when dx is not NULL. The three products are
 * kernels.c's, in the order the plain loops
 *   dx[i][p] = 0; for j: dx[i][p] += dy[i][j] · w[p][j]
 *   for i: dw[p][j] += x[i][p] · dy[i][j];  db[j] += dy[i][j]
 * sum in (each element's terms in that order, whatever the threads). */
static void linear_backward(guint threads, gsize N, gsize in, gsize out,
                            const float *x, const float *w, const float *dy,
                            float *dx, float *dw, float *db, float *wt)
{
    if (dx) {
        for (gsize p = 0; p < in; p++)
            for (gsize j = 0; j < out; j++)
                wt[j * in + p] = w[p * out + j];
        gpt_gemm(threads, N, in, out, dy, out, wt, in, dx, in);
    }
    gpt_gemm_tn_acc(threads, in, out, N, x, in, dy, out, dw, out);
    if (db)
        gpt_colsum_acc(threads, out, N, dy, out, db);
}

/* Forward: y = (x − mean)·rstd·g + b per row of C. dx += the gradient. */
static void layernorm_backward(gsize N, gsize C, const float *x,
                               const float *mean, const float *rstd,
                               const float *g, const float *dy, float *dx,
                               float *dg, float *db)
{
    for (gsize i = 0; i < N; i++) {
        const float *xi = x + i * C, *dyi = dy + i * C;
        float m1 = 0.0f, m2 = 0.0f; /* means of dnorm and dnorm·xhat */
        for (gsize j = 0; j < C; j++) {
            float xhat = (xi[j] - mean[i]) * rstd[i], dn = dyi[j] * g[j];
            m1 += dn;
            m2 += dn * xhat;
            dg[j] += dyi[j] * xhat;
            db[j] += dyi[j];
        }
        m1 /= (float)C;
        m2 /= (float)C;
        for (gsize j = 0; j < C; j++) {
            float xhat = (xi[j] - mean[i]) * rstd[i], dn = dyi[j] * g[j];
            dx[i * C + j] += rstd[i] * (dn - m1 - xhat * m2);
        }
    }
}

/* Forward (per sequence b, head h): A = causal softmax(Q·Kᵀ / sqrt(hs)),
 * Y = A·V. Writes dqkv (N, 3C) from datty (N, C). A task is one sequence
 * and head: it writes only that head's columns of that sequence's rows,
 * so tasks run on any thread without changing a bit. */
typedef struct {
    const NlGptConfig *c;
    gsize n;
    const float *qkv, *att, *datty;
    float *dqkv, *da; /* da: (B·H, n) scratch, one row per task */
} AttBack;

static void attention_backward_head(gsize bh, gpointer data)
{
    const AttBack *s = data;
    gsize C = s->c->d_model, H = s->c->n_head, hs = C / H, n = s->n;
    gsize b = bh / H, h = bh % H;
    float scale = 1.0f / sqrtf((float)hs), *da = s->da + bh * n;
    const float *a = s->att + bh * n * n;
#define ROW(t)  (s->qkv + (b * n + (t)) * 3 * C + h * hs)
#define DROW(t) (s->dqkv + (b * n + (t)) * 3 * C + h * hs)
    for (gsize t = 0; t < n; t++) {
        memset(DROW(t), 0, hs * sizeof(float));
        memset(DROW(t) + C, 0, hs * sizeof(float));
        memset(DROW(t) + 2 * C, 0, hs * sizeof(float));
    }
    for (gsize t = 0; t < n; t++) {
        const float *dy = s->datty + (b * n + t) * C + h * hs;
        /* dA[t][u] = dY[t]·V[u]; dV[u] += A[t][u] dY[t] */
        float dot = 0.0f;
        for (gsize u = 0; u <= t; u++) {
            const float *v = ROW(u) + 2 * C;
            float *dv = DROW(u) + 2 * C, acc = 0.0f;
            for (gsize j = 0; j < hs; j++) {
                acc += dy[j] * v[j];
                dv[j] += a[t * n + u] * dy[j];
            }
            da[u] = acc;
            dot += a[t * n + u] * acc;
        }
        /* softmax backward, then the 1/sqrt(hs) scale */
        const float *q = ROW(t);
        float *dq = DROW(t);
        for (gsize u = 0; u <= t; u++) {
            float ds = a[t * n + u] * (da[u] - dot) * scale;
            const float *k = ROW(u) + C;
            float *dk = DROW(u) + C;
            for (gsize j = 0; j < hs; j++) {
                dq[j] += ds * k[j];
                dk[j] += ds * q[j];
            }
        }
    }
#undef ROW
#undef DROW
}

static void attention_backward(guint threads, const NlGptConfig *c, gsize B,
                               gsize n, const float *qkv, const float *att,
                               const float *datty, float *dqkv, float *da)
{
    AttBack s = {c, n, qkv, att, datty, dqkv, da};
    gpt_parallel(threads, B * c->n_head, attention_backward_head, &s);
}

#define GELU_K 0.7978845608028654f
/* GELU's derivative at x, th = tanhf(GELU_K·(x + 0.044715 x³)) as the
 * forward pass computed it (GptActs.fct): the same value, not recomputed. */
static inline float gelu_grad(float x, float th)
{
    return 0.5f * (1.0f + th) + 0.5f * x * (1.0f - th * th) * GELU_K *
                                    (1.0f + 3 * 0.044715f * x * x);
}

/* The gradient of the mean loss with respect to every weight, into gw
 * (the same layout as the model's weights, overwritten). */
static void backward(guint threads, const NlGpt *m, const GptActs *a,
                     GptGrads *g, const guint32 *tokens, const NlGptWeights *gw,
                     float *gparams)
{
    const NlGptConfig *c = &m->config;
    const NlGptWeights *w = &m->w;
    gsize B = a->B, n = a->n, N = B * n, C = c->d_model, V = c->vocab_size;
    gsize H = c->n_head;
    memset(gparams, 0, m->n_params * sizeof(float));
    linear_backward(threads, N, C, V, a->lnf, w->w_lm, g->dlogits, g->dln,
                    gw->w_lm, NULL, g->wt);
    const float *xl =
        c->n_layer > 1 ? a->res2 + (c->n_layer - 1) * N * C : a->res2;
    memset(g->dx, 0, N * C * sizeof(float));
    layernorm_backward(N, C, xl, a->lnf_mean, a->lnf_rstd, w->lnf_g, g->dln,
                       g->dx, gw->lnf_g, gw->lnf_b);
    for (gsize l = c->n_layer; l-- > 0;) {
        gsize o = l * N * C;
        const float *x = l ? a->res2 + (l - 1) * N * C : a->x0;
        const float *fc = a->fc + 4 * o;
        /* MLP: res2 = res1 + fc2(gelu(fc(ln2(res1)))); dx is d res2 */
        linear_backward(threads, N, 4 * C, C, a->fch + 4 * o,
                        w->w_fc2 + l * 4 * C * C, g->dx, g->dfch,
                        gw->w_fc2 + l * 4 * C * C, gw->b_fc2 + l * C, g->wt);
        const float *fct = a->fct + 4 * o;
        for (gsize i = 0; i < N * 4 * C; i++)
            g->dfc[i] = g->dfch[i] * gelu_grad(fc[i], fct[i]);
        linear_backward(threads, N, C, 4 * C, a->ln2 + o,
                        w->w_fc + l * C * 4 * C, g->dfc, g->dln,
                        gw->w_fc + l * C * 4 * C, gw->b_fc + l * 4 * C, g->wt);
        memcpy(g->dres1, g->dx, N * C * sizeof(float));
        layernorm_backward(N, C, a->res1 + o, a->ln2_mean + l * N,
                           a->ln2_rstd + l * N, w->ln2_g + l * C, g->dln,
                           g->dres1, gw->ln2_g + l * C, gw->ln2_b + l * C);
        /* attention: res1 = x + proj(attn(qkv(ln1(x)))) */
        linear_backward(threads, N, C, C, a->atty + o, w->w_proj + l * C * C,
                        g->dres1, g->datty, gw->w_proj + l * C * C,
                        gw->b_proj + l * C, g->wt);
        attention_backward(threads, c, B, n, a->qkv + 3 * o,
                           a->att + l * B * H * n * n, g->datty, g->dqkv,
                           g->da);
        linear_backward(
            threads, N, C, 3 * C, a->ln1 + o, w->w_qkv + l * C * 3 * C, g->dqkv,
            g->dln, gw->w_qkv + l * C * 3 * C, gw->b_qkv + l * 3 * C, g->wt);
        memcpy(g->dx, g->dres1, N * C * sizeof(float));
        layernorm_backward(N, C, x, a->ln1_mean + l * N, a->ln1_rstd + l * N,
                           w->ln1_g + l * C, g->dln, g->dx, gw->ln1_g + l * C,
                           gw->ln1_b + l * C);
    }
    for (gsize i = 0; i < N; i++)
        for (gsize j = 0; j < C; j++) {
            gw->wte[tokens[i] * C + j] += g->dx[i * C + j];
            gw->wpe[(i % n) * C + j] += g->dx[i * C + j];
        }
}

/* The tensor pointers of a gradient block laid out like the weights. */
static void weights_view(const NlGpt *m, float *base, NlGptWeights *v)
{
    float **slot = (float **)v;
    G_STATIC_ASSERT(sizeof(NlGptWeights) == NL_GPT_N_TENSORS * sizeof(float *));
    for (guint i = 0; i < NL_GPT_N_TENSORS; i++) {
        slot[i] = base;
        base += nl_gpt_tensor_size(&m->config, i);
    }
}

gboolean nl_gpt_loss_and_grad(NlGpt *m, const guint32 *inputs,
                              const guint32 *targets, gsize B, gsize n,
                              double *loss, float *grads, GError **error)
{
    if (n < 1 || n > m->config.context || B < 1) {
        return nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                       "a batch of %" G_GSIZE_FORMAT " x %" G_GSIZE_FORMAT
                       " tokens; the model takes 1 to %u",
                       B, n, m->config.context);
    }
    for (gsize i = 0; i < B * n; i++)
        if (targets[i] >= m->config.vocab_size) {
            return nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB,
                           "target %" G_GSIZE_FORMAT " is token %u; the "
                           "vocabulary has %u",
                           i, targets[i], m->config.vocab_size);
        }
    GptExec ex;
    GptGrads g;
    if (!gpt_exec_init(&ex, NULL, &m->config, B, n, error))
        return FALSE;
    if (!grads_init(&g, &m->config, B, n, error)) {
        gpt_exec_clear(&ex);
        return FALSE;
    }
    GptActs *a = gpt_acts_new(&m->config, B, n, error);
    gboolean ok = a && gpt_forward(m, &ex, a, inputs, error);
    if (ok) {
        *loss = cross_entropy(ex.threads, a->logits, targets, B * n,
                              m->config.vocab_size, grads ? g.dlogits : NULL);
        if (grads) {
            NlGptWeights gw;
            weights_view(m, grads, &gw);
            backward(ex.threads, m, a, &g, inputs, &gw, grads);
        }
    }
    gpt_acts_free(a);
    grads_clear(&g);
    gpt_exec_clear(&ex);
    return ok;
}

/* ---- AdamW and the trainer ---------------------------------------------- */

void nl_gpt_train_config_default(NlGptTrainConfig *tc)
{
    tc->batch = 16;
    tc->steps = 300;
    tc->lr = 3e-3;
    tc->beta1 = 0.9;
    tc->beta2 = 0.99;
    tc->eps = 1e-8;
    tc->weight_decay = 0.01;
    tc->seed = 1;
}

struct NlGptTrainer {
    NlGpt *model; /* borrowed */
    NlGptTrainConfig tc;
    const guint32 *data; /* (n_data) borrowed token stream */
    gsize n_data;
    NlRng rng; /* draws window starts */
    guint32 step;
    float *grads, *m1, *m2; /* (n_params) gradient, Adam moments */
    NlGptWeights gw;        /* tensor view of grads */
    guint32 *inputs;        /* (B, T) */
    guint32 *targets;       /* (B, T) */
    GptActs *acts;
    GptGrads g;
    GptExec ex;
    gboolean ex_ready;
    NlGptResident *res;  /* the weights on ex's backend, or NULL */
    NlGptPrecision prec; /* of the forward pass (res) */
    gboolean res_stale;  /* AdamW changed the weights since the upload */
    guint threads;       /* host threads: nl_gpt_trainer_set_threads */
};

static void trainer_unplace(NlGptTrainer *t)
{
    if (t->ex_ready)
        gpt_exec_clear(&t->ex);
    t->ex_ready = FALSE;
    nl_gpt_resident_free(t->res);
    t->res = NULL;
}

void nl_gpt_trainer_free(NlGptTrainer *t)
{
    if (!t)
        return;
    nl_free(t->grads);
    nl_free(t->m1);
    nl_free(t->m2);
    g_free(t->inputs);
    g_free(t->targets);
    gpt_acts_free(t->acts);
    grads_clear(&t->g);
    trainer_unplace(t);
    g_free(t);
}

NlGptTrainer *nl_gpt_trainer_new(NlGpt *m, const NlGptTrainConfig *tc,
                                 const guint32 *data, gsize n, GError **error)
{
    gsize T = m->config.context;
    if (n <= T || tc->batch < 1 || tc->batch > 4096) {
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                    "training needs more tokens (%" G_GSIZE_FORMAT ") than "
                    "the context (%" G_GSIZE_FORMAT ") and a batch of 1 to "
                    "4096 (%u)",
                    n, T, tc->batch);
        return NULL;
    }
    for (gsize i = 0; i < n; i++)
        if (data[i] >= m->config.vocab_size) {
            g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB,
                        "training data: token %u at %" G_GSIZE_FORMAT
                        " is outside the vocabulary",
                        data[i], i);
            return NULL;
        }
    g_autoptr(NlGptTrainer) t = g_new0(NlGptTrainer, 1);
    t->model = m;
    t->tc = *tc;
    t->data = data;
    t->n_data = n;
    nl_rng_init(&t->rng, tc->seed);
    if (!(t->grads = nl_alloc_f32(m->n_params, error)) ||
        !(t->m1 = nl_alloc_f32(m->n_params, error)) ||
        !(t->m2 = nl_alloc_f32(m->n_params, error)) ||
        !(t->acts = gpt_acts_new(&m->config, tc->batch, T, error)) ||
        !grads_init(&t->g, &m->config, tc->batch, T, error))
        return NULL;
    weights_view(m, t->grads, &t->gw);
    t->prec =
        (NlGptPrecision){NL_PRECISION_F32, NL_PRECISION_F32, NL_PRECISION_F32};
    t->threads = 1;
    t->inputs = g_new(guint32, (gsize)tc->batch * T);
    t->targets = g_new(guint32, (gsize)tc->batch * T);
    return g_steal_pointer(&t);
}

static gboolean is_f32(NlGptPrecision p)
{
    return p.weights == NL_PRECISION_F32 && p.acts == NL_PRECISION_F32 &&
           p.acc == NL_PRECISION_F32;
}

/* Pure: a 16-bit type throughout, weights and accumulation, with no
 * float32 master weights: the weights themselves stay in that type. */
static gboolean is_pure(NlGptPrecision p)
{
    return p.weights != NL_PRECISION_F32 && p.weights != NL_PRECISION_F64 &&
           p.acc == p.weights;
}

/* The model's weights rounded to p (pure training keeps them there). */
static void round_weights(NlGpt *m, NlPrecision p)
{
    for (gsize k = 0; k < m->n_params; k++)
        m->params[k] = (float)nl_precision_round(p, m->params[k]);
}

gboolean nl_gpt_trainer_set_precision(NlGptTrainer *t, NlGptPrecision prec,
                                      GError **error)
{
    g_return_val_if_fail(t != NULL, FALSE);
    if (!nl_precision_name(prec.weights) || !nl_precision_name(prec.acts) ||
        !nl_precision_name(prec.acc)) {
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                    "training precision: not a precision");
        return FALSE;
    }
    trainer_unplace(t); /* the next step places the weights in prec */
    t->prec = prec;
    if (is_pure(prec))
        round_weights(t->model, prec.weights);
    return TRUE;
}

void nl_gpt_trainer_set_threads(NlGptTrainer *t, guint threads)
{
    g_return_if_fail(t != NULL);
    t->threads = CLAMP(threads, 1u, 256u);
    if (t->ex_ready)
        t->ex.threads = t->threads;
}

/* Linear warm-up over the first 5% of the steps, then cosine decay to 10%. */
static double learning_rate(const NlGptTrainConfig *tc, guint32 step)
{
    double warm = MAX(1.0, 0.05 * tc->steps);
    if (step < warm)
        return tc->lr * (step + 1) / warm;
    double f = (step - warm) / MAX(1.0, tc->steps - warm);
    return tc->lr * (0.1 + 0.45 * (1.0 + cos(G_PI * MIN(f, 1.0))));
}

gboolean nl_gpt_trainer_step(NlGptTrainer *t, NlBackend *backend, double *loss,
                             GError **error)
{
    NlGpt *m = t->model;
    gsize T = m->config.context, B = t->tc.batch;
    if (t->ex_ready && t->ex.backend != backend)
        trainer_unplace(t);
    if (!t->ex_ready) {
        /* the weights go to the backend here, and again at every later
         * step, after AdamW changed them */
        if (!backend && !is_f32(t->prec)) {
            g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                        "training in %s needs a backend (the host loops "
                        "compute in float32)",
                        nl_gpt_precision_name(t->prec)
                            ? nl_gpt_precision_name(t->prec)
                            : "another precision");
            return FALSE;
        }
        if (backend &&
            !(t->res = nl_gpt_resident_new_as(m, backend, t->prec, error)))
            return FALSE;
        if (!gpt_exec_init(&t->ex, t->res, &m->config, B, T, error)) {
            trainer_unplace(t);
            return FALSE;
        }
        t->ex_ready = TRUE;
        t->ex.threads = t->threads;
    } else if (t->res && t->res_stale) {
        if (!nl_gpt_resident_sync(t->res, error))
            return FALSE;
    }
    t->res_stale = FALSE;
    for (gsize b = 0; b < B; b++) {
        gsize s = nl_rng_below(&t->rng, t->n_data - T);
        memcpy(t->inputs + b * T, t->data + s, T * sizeof(guint32));
        memcpy(t->targets + b * T, t->data + s + 1, T * sizeof(guint32));
    }
    if (!gpt_forward(m, &t->ex, t->acts, t->inputs, error))
        return FALSE;
    *loss = cross_entropy(t->ex.threads, t->acts->logits, t->targets, B * T,
                          m->config.vocab_size, t->g.dlogits);
    backward(t->ex.threads, m, t->acts, &t->g, t->inputs, &t->gw, t->grads);

    /* AdamW; weight decay on the matrices and embeddings only */
    t->step++;
    float lr = (float)learning_rate(&t->tc, t->step - 1);
    float b1 = (float)t->tc.beta1, b2 = (float)t->tc.beta2;
    float c1 = (float)(1.0 - pow(t->tc.beta1, t->step));
    float c2 = (float)(1.0 - pow(t->tc.beta2, t->step));
    float eps = (float)t->tc.eps, wd = (float)t->tc.weight_decay;
    GptAdamW o = {lr, b1, b2, c1, c2, eps, 0.0f};
    gsize off = 0;
    for (guint i = 0; i < NL_GPT_N_TENSORS; i++) {
        gsize size = nl_gpt_tensor_size(&m->config, i);
        o.decay = nl_gpt_tensor_name(i)[0] == 'w' ? wd : 0.0f;
        /* per weight k: m1 = b1·m1 + (1 − b1)·g; m2 = b2·m2 + (1 − b2)·g·g;
         * w −= lr·(m1/c1 / (sqrt(m2/c2) + eps) + decay·w) */
        gpt_adamw(t->ex.threads, size, m->params + off, t->grads + off,
                  t->m1 + off, t->m2 + off, &o);
        off += size;
    }
    if (is_pure(t->prec)) /* the update lands on a 16-bit grid: small ones are
                             lost */
        round_weights(m, t->prec.weights);
    t->res_stale = TRUE; /* uploaded before the next step's forward pass */
    return TRUE;
}
