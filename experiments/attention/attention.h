/* attention.h — the attention experiment (lecture figure E): the worked
 * example of one attention head and the next-token step, in double. */
#ifndef NL_ATTENTION_H
#define NL_ATTENTION_H

#include <numlab/numlab.h>

#include "../common/numtext.h"

typedef struct {
    char **tokens;      /* n names */
    gsize n;
    NtMatrix x;         /* (n, d): one embedding row per token */
    gsize query;        /* index of the query token */
    gsize *keys;        /* nk indices of the key tokens */
    gsize nk;
    NtMatrix wq, wk;    /* (d, dk): q = x W_Q, k = x W_K */
    NtMatrix wv;        /* (d, dv): v = x W_V */
    char **out_tokens;  /* no names of the next-token candidates */
    gsize no;
    NtMatrix wout;      /* (no, dv): logits = W_out o */
} AttnConfig;

/* Reads and checks every parameter, shapes included; one line naming the
 * parameter on failure. */
gboolean attn_config_load(const NlParams *p, AttnConfig *c, GError **error);
void attn_config_clear(AttnConfig *c);

/* E: scores, weights, output vector, next-token logits and probabilities. */
gboolean attn_example(NlRun *run, const AttnConfig *c, GError **error);

#endif /* NL_ATTENTION_H */
