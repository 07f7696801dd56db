/* model.c — MiniGPT's model: configuration, weights, initialisation and
 * the forward pass on a backend (see numlab-minigpt/minigpt.h for what
 * runs where).
 *
 * The forward pass keeps every activation the backward pass (train.c)
 * needs; inference uses the same pass with a batch of one. On a backend,
 * the weight matrices are already there (resident.c): a linear layer
 * uploads its input and downloads its output, never its weights. The pass
 * does not cache keys and values: every call recomputes the window. */
/* -O3 whatever CFLAGS say (the element-wise loops of the forward pass are hot);
 * fp-contract=off again, so that no product is fused into an addition. */
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma GCC optimize("O3", "fp-contract=off")
#endif
#include "config.h"

#include "private.h"

#include "kernels.h"

#include <numlab/reference.h>

#include <numlab/alloc.h>
#include <numlab/rng.h>

#include <math.h>
#include <string.h>

/* ---- configuration and tensors --------------------------------------- */

static const char *const tensor_names[NL_GPT_N_TENSORS] = {
    "wte",    "wpe",    "ln1_g", "ln1_b", "w_qkv", "b_qkv",
    "w_proj", "b_proj", "ln2_g", "ln2_b", "w_fc",  "b_fc",
    "w_fc2",  "b_fc2",  "lnf_g", "lnf_b", "w_lm",
};

const char *nl_gpt_tensor_name(guint i)
{
    return i < NL_GPT_N_TENSORS ? tensor_names[i] : "?";
}

/* Sizes in float32 values; callers have checked the configuration, so no
 * product overflows (every factor is bounded by the NL_GPT_MAX_* limits). */
gsize nl_gpt_tensor_size(const NlGptConfig *c, guint i)
{
    gsize V = c->vocab_size, T = c->context, C = c->d_model, L = c->n_layer;
    switch (i) {
    case 0:
        return V * C;
    case 1:
        return T * C;
    case 2:
    case 3:
    case 7:
    case 8:
    case 9:
    case 13:
        return L * C;
    case 4:
        return L * C * 3 * C;
    case 5:
        return L * 3 * C;
    case 6:
        return L * C * C;
    case 10:
    case 12:
        return L * C * 4 * C;
    case 11:
        return L * 4 * C;
    case 14:
    case 15:
        return C;
    case 16:
        return C * V;
    default:
        return 0;
    }
}

float *nl_gpt_tensor(const NlGptWeights *w, guint i)
{
    float *const t[NL_GPT_N_TENSORS] = {
        w->wte,    w->wpe,    w->ln1_g, w->ln1_b, w->w_qkv, w->b_qkv,
        w->w_proj, w->b_proj, w->ln2_g, w->ln2_b, w->w_fc,  w->b_fc,
        w->w_fc2,  w->b_fc2,  w->lnf_g, w->lnf_b, w->w_lm,
    };
    return i < NL_GPT_N_TENSORS ? t[i] : NULL;
}

static gboolean bad_config(GError **error, const char *field, guint32 value,
                           const char *why)
{
    return nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                   "model configuration: %s = %u %s", field, value, why);
}

gboolean nl_gpt_config_check(const NlGptConfig *c, gsize *n_params,
                             GError **error)
{
    if (c->vocab_size < 2 || c->vocab_size > NL_GPT_MAX_VOCAB)
        return bad_config(error, "vocab_size", c->vocab_size,
                          "is outside 2..65536");
    if (c->context < 1 || c->context > NL_GPT_MAX_CONTEXT)
        return bad_config(error, "context", c->context, "is outside 1..4096");
    if (c->d_model < 1 || c->d_model > NL_GPT_MAX_DMODEL)
        return bad_config(error, "d_model", c->d_model, "is outside 1..4096");
    if (c->n_layer < 1 || c->n_layer > NL_GPT_MAX_LAYERS)
        return bad_config(error, "n_layer", c->n_layer, "is outside 1..64");
    if (c->n_head < 1 || c->d_model % c->n_head)
        return bad_config(error, "n_head", c->n_head,
                          "does not divide d_model");
    /* Each tensor is below 2^12 * 2^12 * 4 * 2^6 = 2^32 values and there are
     * 17 of them, so the sum fits in 64 bits; then the limit applies. */
    gsize total = 0;
    for (guint i = 0; i < NL_GPT_N_TENSORS; i++)
        total += nl_gpt_tensor_size(c, i);
    if (total > NL_GPT_MAX_PARAMS) {
        return nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                       "model configuration: %" G_GSIZE_FORMAT " parameters, "
                       "more than the limit %u",
                       total, NL_GPT_MAX_PARAMS);
    }
    if (n_params)
        *n_params = total;
    return TRUE;
}

NlGpt *nl_gpt_new(const NlGptConfig *config, NlGptVocab *vocab, GError **error)
{
    g_autoptr(NlGptVocab) v = vocab;
    gsize n;
    if (!nl_gpt_config_check(config, &n, error))
        return NULL;
    if (!v || nl_gpt_vocab_size(v) != config->vocab_size) {
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                    "model configuration: vocab_size %u, but the vocabulary "
                    "has %u words",
                    config->vocab_size, v ? nl_gpt_vocab_size(v) : 0);
        return NULL;
    }
    g_autoptr(GError) local = NULL;
    float *p = nl_alloc_f32(n, &local);
    if (!p) {
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_NOMEM, "model: %s",
                    local->message);
        return NULL;
    }
    NlGpt *m = g_new0(NlGpt, 1);
    m->config = *config;
    m->vocab = g_steal_pointer(&v);
    m->params = p;
    m->n_params = n;
    float **slot[NL_GPT_N_TENSORS] = {
        &m->w.wte,   &m->w.wpe,    &m->w.ln1_g,  &m->w.ln1_b, &m->w.w_qkv,
        &m->w.b_qkv, &m->w.w_proj, &m->w.b_proj, &m->w.ln2_g, &m->w.ln2_b,
        &m->w.w_fc,  &m->w.b_fc,   &m->w.w_fc2,  &m->w.b_fc2, &m->w.lnf_g,
        &m->w.lnf_b, &m->w.w_lm,
    };
    for (guint i = 0; i < NL_GPT_N_TENSORS; i++) {
        *slot[i] = p;
        p += nl_gpt_tensor_size(config, i);
    }
    return m;
}

void nl_gpt_free(NlGpt *m)
{
    if (!m)
        return;
    nl_gpt_vocab_free(m->vocab);
    nl_free(m->params);
    g_free(m);
}

void nl_gpt_init(NlGpt *m, guint64 seed)
{
    NlRng rng;
    nl_rng_init(&rng, seed);
    const NlGptConfig *c = &m->config;
    double proj_std = 0.02 / sqrt(2.0 * c->n_layer);
    for (guint i = 0; i < NL_GPT_N_TENSORS; i++) {
        float *t = nl_gpt_tensor(&m->w, i);
        gsize n = nl_gpt_tensor_size(c, i);
        const char *name = tensor_names[i];
        if (g_str_has_suffix(name, "_g")) {
            for (gsize k = 0; k < n; k++)
                t[k] = 1.0f;
        } else if (name[0] == 'b' || g_str_has_suffix(name, "_b")) {
            memset(t, 0, n * sizeof *t);
        } else {
            double std = (i == 6 || i == 12) ? proj_std : 0.02;
            for (gsize k = 0; k < n; k++)
                t[k] = (float)(std * nl_rng_normal(&rng));
        }
    }
}

/* ---- activations and the executor ------------------------------------ */

#define N_ACTS 19

static float **act_slots(GptActs *a, float **s)
{
    float **slots[N_ACTS] = {
        &a->x0,       &a->ln1,      &a->ln1_mean, &a->ln1_rstd, &a->qkv,
        &a->att,      &a->atty,     &a->res1,     &a->ln2,      &a->ln2_mean,
        &a->ln2_rstd, &a->fc,       &a->fch,      &a->res2,     &a->lnf,
        &a->lnf_mean, &a->lnf_rstd, &a->logits,   &a->fct,
    };
    for (int i = 0; i < N_ACTS; i++)
        s[i] = (float *)slots[i];
    return s;
}

GptActs *gpt_acts_new(const NlGptConfig *c, gsize B, gsize n, GError **error)
{
    gsize N = B * n, C = c->d_model, L = c->n_layer, H = c->n_head;
    const gsize sizes[N_ACTS] = {
        N * C,
        L * N * C,
        L * N,
        L * N,
        L * N * 3 * C,
        L * B * H * n * n,
        L * N * C,
        L * N * C,
        L * N * C,
        L * N,
        L * N,
        L * N * 4 * C,
        L * N * 4 * C,
        L * N * C,
        N * C,
        N,
        N,
        N * c->vocab_size,
        L * N * 4 * C,
    };
    GptActs *a = g_new0(GptActs, 1);
    a->B = B;
    a->n = n;
    float *slots[N_ACTS];
    act_slots(a, slots);
    for (int i = 0; i < N_ACTS; i++) {
        float *p = nl_alloc_f32(MAX(sizes[i], 1), error);
        if (!p) {
            gpt_acts_free(a);
            return NULL;
        }
        *(float **)slots[i] = p;
    }
    return a;
}

void gpt_acts_free(GptActs *a)
{
    if (!a)
        return;
    float *slots[N_ACTS];
    act_slots(a, slots);
    for (int i = 0; i < N_ACTS; i++)
        nl_free(*(float **)slots[i]);
    g_free(a);
}

gboolean gpt_exec_init(GptExec *ex, const NlGptResident *res,
                       const NlGptConfig *c, gsize B, gsize n, GError **error)
{
    memset(ex, 0, sizeof *ex);
    gsize N = B * n, C = c->d_model, V = c->vocab_size;
    /* activations only: the weights never pass through a, b or c */
    gsize cap = MAX(N * 4 * C, N * V);
    cap = MAX(cap, n * n + C); /* attention scores sit after the ones */
    NlBackend *backend = res ? res->backend : NULL;
    ex->cap = cap;
    ex->backend = backend;
    ex->res = res;
    ex->prec = res ? res->prec
                   : (NlGptPrecision){NL_PRECISION_F32, NL_PRECISION_F32,
                                      NL_PRECISION_F32};
    /* one host thread unless the trainer is told otherwise
     * (nl_gpt_trainer_set_threads): a second pool of threads beside the
     * backend's costs more than it saves when either pool spins */
    ex->threads = 1;
    ex->s1 = nl_alloc_f32(cap, error);
    ex->s2 = ex->s1 ? nl_alloc_f32(cap, error) : NULL;
    ex->s3 = ex->s2 ? nl_alloc_f32(cap, error) : NULL;
    ex->s4 = ex->s3 ? nl_alloc_f32(cap, error) : NULL;
    if (!ex->s4) {
        gpt_exec_clear(ex);
        return FALSE;
    }
    for (gsize i = 0; i < cap; i++)
        ex->s4[i] = 1.0f;
    if (backend) {
        NlPrecision acts = ex->prec.acts;
        ex->a = nl_backend_alloc_as(backend, acts, cap, error);
        ex->b = ex->a ? nl_backend_alloc_as(backend, acts, cap, error) : NULL;
        ex->c = ex->b ? nl_backend_alloc(backend, cap, error) : NULL;
        if (!ex->c) {
            gpt_exec_clear(ex);
            return FALSE;
        }
    }
    return TRUE;
}

void gpt_exec_clear(GptExec *ex)
{
    if (ex->backend) {
        nl_backend_free(ex->backend, ex->a);
        nl_backend_free(ex->backend, ex->b);
        nl_backend_free(ex->backend, ex->c);
    }
    nl_free(ex->s1);
    nl_free(ex->s2);
    nl_free(ex->s3);
    nl_free(ex->s4);
    memset(ex, 0, sizeof *ex);
}

/* ---- kernels: a backend call, or libnumlab's reference kernels ------ */

/* x[0..n) rounded to the activations' precision (nothing in float32). */
static void to_acts(const GptExec *ex, float *x, gsize n)
{
    nl_precision_round_floats(ex->prec.acts, x, n);
}

/* out (m, n) = a (m, k) · b (k, n) in ex->prec on the backend: a and b,
 * values of prec.acts already, go into buffers of that type (exactly),
 * the product accumulates in prec.acc into float32 (exactly), and out is
 * rounded once to prec.acts. `b_res`: a resident operand instead of b. */
static gboolean matmul_in(GptExec *ex, gsize m, gsize n, gsize k,
                          const float *a, const float *b, const NlBuffer *b_res,
                          float *out, GError **error)
{
    NlBackend *be = ex->backend;
    if (!nl_backend_upload_rounded(be, ex->a, a, m * k, error) ||
        (!b_res && !nl_backend_upload_rounded(be, ex->b, b, k * n, error)) ||
        !nl_backend_gemm_in(be, m, n, k, ex->a, k, b_res ? b_res : ex->b, n,
                            ex->c, n, ex->prec.acc, error) ||
        !nl_backend_download(be, ex->c, out, m * n, error))
        return FALSE;
    to_acts(ex, out, m * n);
    return TRUE;
}

/* out (m, n) = a (m, k) · b (k, n), all contiguous; on a backend both
 * operands travel (attention: both are activations). */
static gboolean matmul(GptExec *ex, gsize m, gsize n, gsize k, const float *a,
                       const float *b, float *out, GError **error)
{
    if (!ex->backend) { /* nl_ref_gemm_f32's order, vectorised */
        gpt_gemm(ex->threads, m, n, k, a, k, b, n, out, n);
        return TRUE;
    }
    if (!gpt_prec_is_f32(ex->prec))
        return matmul_in(ex, m, n, k, a, b, NULL, out, error);
    NlBackend *be = ex->backend;
    return nl_backend_upload(be, ex->a, a, m * k, error) &&
           nl_backend_upload(be, ex->b, b, k * n, error) &&
           nl_backend_gemm(be, m, n, k, ex->a, k, ex->b, n, ex->c, n, error) &&
           nl_backend_download(be, ex->c, out, m * n, error);
}

/* out (m, n) = x (m, k) · w (k, n), w weight matrix `mat`: on a backend
 * only x travels; the matrix is resident there. The same gemm, on the
 * same values, as when both operands were uploaded. */
static gboolean matmul_weight(GptExec *ex, gsize m, gsize n, gsize k,
                              const float *x, const float *w, gsize mat,
                              float *out, GError **error)
{
    if (!ex->backend)
        return matmul(ex, m, n, k, x, w, out, error);
    if (!gpt_prec_is_f32(ex->prec))
        return matmul_in(ex, m, n, k, x, NULL, ex->res->mats[mat], out, error);
    NlBackend *be = ex->backend;
    return nl_backend_upload(be, ex->a, x, m * k, error) &&
           nl_backend_gemm(be, m, n, k, ex->a, k, ex->res->mats[mat], n, ex->c,
                           n, error) &&
           nl_backend_download(be, ex->c, out, m * n, error);
}

/* Row sums of x (m, k): a product with a ones vector, so that the backend
 * sums in its own order. */
static gboolean row_sums(GptExec *ex, gsize m, gsize k, const float *x,
                         float *out, GError **error)
{
    if (!ex->backend) {
        nl_ref_gemv_f32(m, k, x, k, ex->s4, out);
        return TRUE;
    }
    NlBackend *be = ex->backend;
    if (!gpt_prec_is_f32(ex->prec)) /* the sums stay in float32 */
        return nl_backend_upload_rounded(be, ex->a, x, m * k, error) &&
               nl_backend_gemm_in(be, m, 1, k, ex->a, k, ex->res->ones, 1,
                                  ex->c, 1, ex->prec.acc, error) &&
               nl_backend_download(be, ex->c, out, m, error);
    return nl_backend_upload(be, ex->a, x, m * k, error) &&
           nl_backend_gemm(be, m, 1, k, ex->a, k, ex->res->ones, 1, ex->c, 1,
                           error) &&
           nl_backend_download(be, ex->c, out, m, error);
}

/* y = softmax(x / temperature) over n values; subtracting the maximum
 * first keeps every exp() at most 1 (the naive backend's formula). */
static gboolean softmax(GptExec *ex, const float *x, float *y, gsize n,
                        float temperature, GError **error)
{
    if (!ex->backend) {
        nl_ref_softmax_f32(x, y, n, temperature);
        return TRUE;
    }
    NlBackend *be = ex->backend;
    if (!gpt_prec_is_f32(ex->prec)) { /* float32, on values of prec.acts */
        if (!nl_backend_upload(be, ex->c, x, n, error) ||
            !nl_backend_softmax(be, ex->c, ex->c, n, temperature, error) ||
            !nl_backend_download(be, ex->c, y, n, error))
            return FALSE;
        to_acts(ex, y, n);
        return TRUE;
    }
    return nl_backend_upload(be, ex->a, x, n, error) &&
           nl_backend_softmax(be, ex->a, ex->c, n, temperature, error) &&
           nl_backend_download(be, ex->c, y, n, error);
}

/* out (N, OUT) = in (N, IN) · w (IN, OUT) + bias (OUT); w is weight
 * matrix `mat` (GPT_MAT). */
static gboolean linear(GptExec *ex, gsize N, gsize in, gsize out_dim,
                       const float *x, const float *w, gsize mat,
                       const float *bias, float *out, GError **error)
{
    if (!matmul_weight(ex, N, out_dim, in, x, w, mat, out, error))
        return FALSE;
    if (bias) {
        for (gsize i = 0; i < N; i++)
            for (gsize j = 0; j < out_dim; j++)
                out[i * out_dim + j] += bias[j];
        to_acts(ex, out, N * out_dim);
    }
    return TRUE;
}

/* LayerNorm over rows of C: mean and variance are backend row sums. */
static gboolean layernorm(GptExec *ex, gsize N, gsize C, const float *x,
                          const float *g, const float *b, float *y, float *mean,
                          float *rstd, GError **error)
{
    float *sq = ex->s1;
    if (!row_sums(ex, N, C, x, mean, error))
        return FALSE;
    for (gsize i = 0; i < N; i++) {
        mean[i] /= (float)C;
        for (gsize j = 0; j < C; j++) {
            float d = x[i * C + j] - mean[i];
            sq[i * C + j] = d * d;
        }
    }
    if (!row_sums(ex, N, C, sq, rstd, error))
        return FALSE;
    for (gsize i = 0; i < N; i++) {
        rstd[i] = 1.0f / sqrtf(rstd[i] / (float)C + GPT_LN_EPS);
        for (gsize j = 0; j < C; j++)
            y[i * C + j] = (x[i * C + j] - mean[i]) * rstd[i] * g[j] + b[j];
    }
    to_acts(ex, y, N * C);
    return TRUE;
}

/* Causal attention per sequence and head: S = Q·Kᵀ, row t softmaxed over
 * positions 0..t with temperature sqrt(head size) (the 1/sqrt(d) scale),
 * then Y = A·V. The weights beyond t are 0, so A·V over all n positions
 * adds exact zeros. */
static gboolean attention(GptExec *ex, const NlGptConfig *c, gsize B, gsize n,
                          const float *qkv, float *att, float *y,
                          GError **error)
{
    gsize C = c->d_model, H = c->n_head, hs = C / H;
    float temperature = sqrtf((float)hs);
    float *q = ex->s1, *kt = ex->s2, *v = ex->s3, *s = ex->s4 + C;
    /* s4 holds the ones vector in its first C values; the rest is free */
    for (gsize b = 0; b < B; b++)
        for (gsize h = 0; h < H; h++) {
            for (gsize t = 0; t < n; t++) {
                const float *row = qkv + (b * n + t) * 3 * C + h * hs;
                for (gsize j = 0; j < hs; j++) {
                    q[t * hs + j] = row[j];
                    kt[j * n + t] = row[C + j];
                    v[t * hs + j] = row[2 * C + j];
                }
            }
            if (!matmul(ex, n, n, hs, q, kt, s, error))
                return FALSE;
            float *a = att + (b * H + h) * n * n;
            for (gsize t = 0; t < n; t++) {
                if (!softmax(ex, s + t * n, a + t * n, t + 1, temperature,
                             error))
                    return FALSE;
                for (gsize u = t + 1; u < n; u++)
                    a[t * n + u] = 0.0f;
            }
            if (!matmul(ex, n, hs, n, a, v, q, error))
                return FALSE;
            for (gsize t = 0; t < n; t++)
                memcpy(y + (b * n + t) * C + h * hs, q + t * hs,
                       hs * sizeof(float));
        }
    return TRUE;
}

gboolean gpt_forward(const NlGpt *m, GptExec *ex, GptActs *a,
                     const guint32 *tokens, GError **error)
{
    const NlGptConfig *c = &m->config;
    const NlGptWeights *w = &m->w;
    gsize B = a->B, n = a->n, N = B * n, C = c->d_model, V = c->vocab_size;
    gsize H = c->n_head;
    for (gsize i = 0; i < N; i++) {
        if (tokens[i] >= V) {
            return nl_fail(
                error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB,
                "token %u is outside the vocabulary of %" G_GSIZE_FORMAT,
                tokens[i], V);
        }
        const float *te = w->wte + tokens[i] * C, *pe = w->wpe + (i % n) * C;
        for (gsize j = 0; j < C; j++)
            a->x0[i * C + j] = te[j] + pe[j];
    }
    to_acts(ex, a->x0, N * C);
    const float *x = a->x0;
    for (gsize l = 0; l < c->n_layer; l++) {
        gsize o = l * N * C;
        float *ln1 = a->ln1 + o, *qkv = a->qkv + 3 * o, *atty = a->atty + o;
        float *res1 = a->res1 + o, *ln2 = a->ln2 + o, *fc = a->fc + 4 * o;
        float *fch = a->fch + 4 * o, *res2 = a->res2 + o;
        if (!layernorm(ex, N, C, x, w->ln1_g + l * C, w->ln1_b + l * C, ln1,
                       a->ln1_mean + l * N, a->ln1_rstd + l * N, error) ||
            !linear(ex, N, C, 3 * C, ln1, w->w_qkv + l * C * 3 * C,
                    GPT_MAT(l, GPT_QKV), w->b_qkv + l * 3 * C, qkv, error) ||
            !attention(ex, c, B, n, qkv, a->att + l * B * H * n * n, atty,
                       error) ||
            !linear(ex, N, C, C, atty, w->w_proj + l * C * C,
                    GPT_MAT(l, GPT_PROJ), w->b_proj + l * C, res1, error))
            return FALSE;
        for (gsize i = 0; i < N * C; i++)
            res1[i] += x[i];
        to_acts(ex, res1, N * C);
        if (!layernorm(ex, N, C, res1, w->ln2_g + l * C, w->ln2_b + l * C, ln2,
                       a->ln2_mean + l * N, a->ln2_rstd + l * N, error) ||
            !linear(ex, N, C, 4 * C, ln2, w->w_fc + l * C * 4 * C,
                    GPT_MAT(l, GPT_FC), w->b_fc + l * 4 * C, fc, error))
            return FALSE;
        /* GELU, tanh form, numlab's own tanh (kernels.h) */
        gpt_gelu(ex->threads, N * 4 * C, fc, fch, a->fct + 4 * o);
        to_acts(ex, fch, N * 4 * C);
        if (!linear(ex, N, 4 * C, C, fch, w->w_fc2 + l * 4 * C * C,
                    GPT_MAT(l, GPT_FC2), w->b_fc2 + l * C, res2, error))
            return FALSE;
        for (gsize i = 0; i < N * C; i++)
            res2[i] += res1[i];
        to_acts(ex, res2, N * C);
        x = res2;
    }
    return layernorm(ex, N, C, x, w->lnf_g, w->lnf_b, a->lnf, a->lnf_mean,
                     a->lnf_rstd, error) &&
           linear(ex, N, C, V, a->lnf, w->w_lm, GPT_MAT(c->n_layer, 0), NULL,
                  a->logits, error);
}

/* ---- inference: buffers kept from one pass to the next ------------- */

/* A pass allocates a few MiB (the activations, the executor's scratch
 * and backend buffers); zeroing and faulting them in cost more than a
 * small batch's arithmetic. So nl_gpt_logits_batch keeps them for the
 * next pass of the same shape: in the resident weights (freed with
 * them, so backend buffers never outlive their backend), and for host
 * passes in a per-thread cache (host memory only). Nothing computed is
 * kept: every pass writes every activation it reads. */
struct GptPassCache {
    GMutex lock;
    gboolean ready;
    NlGptConfig config;
    gsize B, n;
    GptExec ex;
    GptActs *acts;
};

static void pass_clear(GptPassCache *pc)
{
    if (pc->ready) {
        gpt_exec_clear(&pc->ex);
        gpt_acts_free(pc->acts);
    }
    pc->ready = FALSE;
    pc->acts = NULL;
}

void gpt_pass_cache_free(GptPassCache *pc)
{
    if (!pc)
        return;
    pass_clear(pc);
    g_mutex_clear(&pc->lock);
    g_free(pc);
}

static GPrivate host_cache =
    G_PRIVATE_INIT((GDestroyNotify)gpt_pass_cache_free);

static gboolean pass_buffers(GptPassCache *pc, const NlGpt *m,
                             const NlGptResident *on, gsize B, gsize n,
                             GError **error)
{
    if (pc->ready && pc->B == B && pc->n == n &&
        memcmp(&pc->config, &m->config, sizeof pc->config) == 0)
        return TRUE;
    pass_clear(pc);
    if (!gpt_exec_init(&pc->ex, on, &m->config, B, n, error))
        return FALSE;
    if (!(pc->acts = gpt_acts_new(&m->config, B, n, error))) {
        gpt_exec_clear(&pc->ex);
        return FALSE;
    }
    pc->ready = TRUE;
    pc->config = m->config;
    pc->B = B;
    pc->n = n;
    return TRUE;
}

gboolean nl_gpt_logits_batch(const NlGpt *m, NlGptResident *on,
                             const guint32 *tokens, gsize batch, gsize n,
                             float *logits, GError **error)
{
    g_return_val_if_fail(on == NULL || on->model == m, FALSE);
    if (n < 1 || n > m->config.context) {
        return nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                       "a sequence of %" G_GSIZE_FORMAT " tokens; the model "
                       "takes 1 to %u",
                       n, m->config.context);
    }
    if (batch < 1 || batch > NL_GPT_MAX_BATCH) {
        return nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                       "a batch of %" G_GSIZE_FORMAT " sequences; the model "
                       "takes 1 to %u",
                       batch, NL_GPT_MAX_BATCH);
    }
    GptPassCache *pc = on ? on->cache : g_private_get(&host_cache);
    if (!pc) {
        pc = g_new0(GptPassCache, 1);
        g_mutex_init(&pc->lock);
        if (on)
            on->cache = pc;
        else
            g_private_set(&host_cache, pc);
    }
    /* another thread's pass on the same resident weights: buffers of its
     * own for this one */
    GptPassCache local = {0};
    gboolean shared = g_mutex_trylock(&pc->lock);
    GptPassCache *use = shared ? pc : &local;
    gboolean ok = pass_buffers(use, m, on, batch, n, error) &&
                  gpt_forward(m, &use->ex, use->acts, tokens, error);
    if (ok)
        memcpy(logits, use->acts->logits,
               batch * n * m->config.vocab_size * sizeof(float));
    if (shared)
        g_mutex_unlock(&pc->lock);
    else
        pass_clear(&local);
    return ok;
}

gboolean nl_gpt_logits(const NlGpt *m, NlGptResident *on, const guint32 *tokens,
                       gsize n, float *logits, GError **error)
{
    return nl_gpt_logits_batch(m, on, tokens, 1, n, logits, error);
}

void nl_gpt_top_k(const float *z, guint V, guint k, guint *out)
{
    guint have = 0;
    for (guint v = 0; v < V; v++) {
        if (have == k && !(z[v] > z[out[k - 1]]))
            continue;
        guint i = have < k ? have++ : k - 1;
        while (i > 0 && z[v] > z[out[i - 1]]) {
            out[i] = out[i - 1];
            i--;
        }
        out[i] = v;
    }
}

/* ---- a look inside one forward pass ----------------------------------- */

void nl_gpt_trace_free(NlGptTrace *t)
{
    if (!t)
        return;
    nl_free(t->embed);
    nl_free(t->x0);
    nl_free(t->blocks);
    nl_free(t->attention);
    nl_free(t->logits);
    nl_free(t->logits_skip);
    g_free(t);
}

/* A copy of n floats of the pass's activations. */
static float *keep(const float *src, gsize n, GError **error)
{
    float *p = nl_alloc_f32(MAX(n, 1), error);
    if (p)
        memcpy(p, src, n * sizeof *p);
    return p;
}

NlGptTrace *nl_gpt_trace(const NlGpt *m, NlGptResident *on,
                         const guint32 *tokens, gsize n, GError **error)
{
    g_return_val_if_fail(on == NULL || on->model == m, NULL);
    const NlGptConfig *c = &m->config;
    if (n < 1 || n > c->context) {
        nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG,
                "a sequence of %" G_GSIZE_FORMAT " tokens; the model takes 1 "
                "to %u",
                n, c->context);
        return NULL;
    }
    gsize C = c->d_model, L = c->n_layer, H = c->n_head, V = c->vocab_size;
    GptExec ex;
    if (!gpt_exec_init(&ex, on, c, 1, n, error))
        return NULL;
    g_autoptr(NlGptTrace) t = g_new0(NlGptTrace, 1);
    t->n = n;
    GptActs *a = gpt_acts_new(c, 1, n, error);
    gboolean ok = a && gpt_forward(m, &ex, a, tokens, error) &&
                  (t->x0 = keep(a->x0, n * C, error)) &&
                  (t->attention = keep(a->att, L * H * n * n, error)) &&
                  (t->logits = keep(a->logits, n * V, error)) &&
                  (t->blocks = nl_alloc_f32(L * n * C, error)) &&
                  (t->embed = nl_alloc_f32(n * C, error)) &&
                  (t->logits_skip = nl_alloc_f32(n * V, error));
    if (ok) {
        for (gsize l = 0; l < L; l++)
            memcpy(t->blocks + l * n * C, a->res2 + l * n * C,
                   n * C * sizeof(float));
        for (gsize i = 0; i < n; i++)
            memcpy(t->embed + i * C, m->w.wte + tokens[i] * C,
                   C * sizeof(float));
        /* the blocks skipped: the final LayerNorm and the LM head on x0,
         * in the pass's own buffers for the final LayerNorm */
        ok = layernorm(&ex, n, C, a->x0, m->w.lnf_g, m->w.lnf_b, a->lnf,
                       a->lnf_mean, a->lnf_rstd, error) &&
             linear(&ex, n, C, V, a->lnf, m->w.w_lm, GPT_MAT(c->n_layer, 0),
                    NULL, t->logits_skip, error);
    }
    gpt_acts_free(a);
    gpt_exec_clear(&ex);
    return ok ? g_steal_pointer(&t) : NULL;
}
