/* private.h — what model.c (forward pass) shares with train.c (backward
 * pass) and resident.c (weights on a backend): the activations a forward
 * pass keeps, the resident weights, and the executor that sends a pass's
 * matrix products, softmaxes and reductions to a backend (or runs them in
 * host loops). Not installed. */
#ifndef NL_GPT_PRIVATE_H
#define NL_GPT_PRIVATE_H

#include <numlab-minigpt/minigpt.h>
#include <numlab/error.h>

/* Everything the forward pass of B sequences of n tokens computes, kept for
 * the backward pass. N = B * n rows; per-layer tensors are stacked over L. */
typedef struct {
    gsize B, n;      /* batch and sequence length of this pass */
    float *x0;       /* (B, n, C)       embeddings: wte[token] + wpe[t] */
    float *ln1;      /* (L, B, n, C)    LayerNorm 1 output */
    float *ln1_mean; /* (L, B, n) */
    float *ln1_rstd; /* (L, B, n)       1 / sqrt(var + eps) */
    float *qkv;      /* (L, B, n, 3C) */
    float *att;  /* (L, B, H, n, n) attention weights, row t: 0..t, rest 0 */
    float *atty; /* (L, B, n, C)    weighted values, heads side by side */
    float *res1; /* (L, B, n, C)    block input + attention projection */
    float *ln2;  /* (L, B, n, C) */
    float *ln2_mean; /* (L, B, n) */
    float *ln2_rstd; /* (L, B, n) */
    float *fc;       /* (L, B, n, 4C)   MLP before GELU */
    float *fch;      /* (L, B, n, 4C)   after GELU */
    float *fct;      /* (L, B, n, 4C)   GELU's tanh, for the backward pass */
    float *res2;     /* (L, B, n, C)    block output */
    float *lnf;      /* (B, n, C) */
    float *lnf_mean; /* (B, n) */
    float *lnf_rstd; /* (B, n) */
    float *logits;   /* (B, n, V) */
} GptActs;

/* The weight matrices, in the order a forward pass uses them, per layer
 * and then the LM head: GPT_MAT(l, m) is matrix m of layer l. */
enum { GPT_QKV, GPT_PROJ, GPT_FC, GPT_FC2, GPT_MATS_PER_LAYER };
#define GPT_MAT(l, m) ((l)*GPT_MATS_PER_LAYER + (m))

typedef struct GptPassCache GptPassCache;

struct NlGptResident {
    const NlGpt *model; /* borrowed */
    NlBackend *backend; /* borrowed */
    NlBuffer **mats;    /* (4L + 1) GPT_MAT(l, m), then w_lm at 4L */
    gsize n_mats;
    NlBuffer *ones;      /* (C) ones: row sums as a product */
    NlGptPrecision prec; /* mats in prec.weights, ones in prec.acts */
    GptPassCache *cache; /* the last inference pass's buffers (model.c) */
};

/* Whether p is all float32: the model's own arithmetic. */
static inline gboolean gpt_prec_is_f32(NlGptPrecision p)
{
    return p.weights == NL_PRECISION_F32 && p.acts == NL_PRECISION_F32 &&
           p.acc == NL_PRECISION_F32;
}

/* Where the kernels run: the resident weights and backend buffers of
 * `cap` floats (a, b, c) for the activations, and host scratch. */
typedef struct {
    NlBackend *backend;       /* NULL: host loops */
    const NlGptResident *res; /* the weights on backend; NULL on the host */
    NlBuffer *a, *b, *c;      /* a, b in prec.acts; c float32 */
    gsize cap;
    float *s1, *s2, *s3, *s4; /* host scratch, cap floats each */
    NlGptPrecision prec;      /* res's, or all float32 on the host */
    guint threads; /* host threads of kernels.c (1 unless the trainer's) */
} GptExec;

GptActs *gpt_acts_new(const NlGptConfig *c, gsize B, gsize n, GError **error);
void gpt_acts_free(GptActs *a);
/* An executor for passes of B sequences of n tokens, on the resident
 * weights `res` (NULL: host loops). */
gboolean gpt_exec_init(GptExec *ex, const NlGptResident *res,
                       const NlGptConfig *c, gsize B, gsize n, GError **error);
void gpt_exec_clear(GptExec *ex);
/* Frees what nl_gpt_logits_batch kept for the next pass on `res`. */
void gpt_pass_cache_free(GptPassCache *cache);
/* The forward pass of tokens (B, n) into acts; logits in acts->logits. */
gboolean gpt_forward(const NlGpt *m, GptExec *ex, GptActs *acts,
                     const guint32 *tokens, GError **error);

#define GPT_LN_EPS 1e-5f

#endif /* NL_GPT_PRIVATE_H */
