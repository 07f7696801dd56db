/* gpt-private.h — what gpt.c (forward pass) shares with gpt-train.c
 * (backward pass): the activations a forward pass keeps and the executor
 * that sends its matrix products, softmaxes and reductions to a backend
 * (or runs them in host loops). Not installed. */
#ifndef NL_GPT_PRIVATE_H
#define NL_GPT_PRIVATE_H

#include <numlab/gpt.h>

/* Everything the forward pass of B sequences of n tokens computes, kept for
 * the backward pass. N = B * n rows; per-layer tensors are stacked over L. */
typedef struct {
    gsize B, n;       /* batch and sequence length of this pass */
    float *x0;        /* (B, n, C)       embeddings: wte[token] + wpe[t] */
    float *ln1;       /* (L, B, n, C)    LayerNorm 1 output */
    float *ln1_mean;  /* (L, B, n) */
    float *ln1_rstd;  /* (L, B, n)       1 / sqrt(var + eps) */
    float *qkv;       /* (L, B, n, 3C) */
    float *att;       /* (L, B, H, n, n) attention weights, row t: 0..t, rest 0 */
    float *atty;      /* (L, B, n, C)    weighted values, heads side by side */
    float *res1;      /* (L, B, n, C)    block input + attention projection */
    float *ln2;       /* (L, B, n, C) */
    float *ln2_mean;  /* (L, B, n) */
    float *ln2_rstd;  /* (L, B, n) */
    float *fc;        /* (L, B, n, 4C)   MLP before GELU */
    float *fch;       /* (L, B, n, 4C)   after GELU */
    float *res2;      /* (L, B, n, C)    block output */
    float *lnf;       /* (B, n, C) */
    float *lnf_mean;  /* (B, n) */
    float *lnf_rstd;  /* (B, n) */
    float *logits;    /* (B, n, V) */
} GptActs;

/* Where the kernels run: backend buffers of `cap` floats (a, b, c) for
 * the operands, a ones vector for row sums, and host scratch. */
typedef struct {
    NlBackend *backend; /* NULL: host loops */
    NlBuffer *a, *b, *c, *ones;
    gsize cap;
    float *s1, *s2, *s3, *s4; /* host scratch, cap floats each */
} GptExec;

GptActs *gpt_acts_new(const NlGptConfig *c, gsize B, gsize n, GError **error);
void gpt_acts_free(GptActs *a);
gboolean gpt_exec_init(GptExec *ex, NlBackend *backend, const NlGptConfig *c,
                       gsize B, gsize n, GError **error);
void gpt_exec_clear(GptExec *ex);
/* The forward pass of tokens (B, n) into acts; logits in acts->logits. */
gboolean gpt_forward(const NlGpt *m, GptExec *ex, GptActs *acts,
                     const guint32 *tokens, GError **error);

#define GPT_LN_EPS 1e-5f

#endif /* NL_GPT_PRIVATE_H */
