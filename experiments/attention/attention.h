/* attention.h — the attention experiment (lecture figure E): the worked
 * example of one attention head and the next-token step, in double. */
#ifndef NL_ATTENTION_H
#define NL_ATTENTION_H

#include <numlab/numlab.h>

/* A matrix parameter, row-major, owned by the run's NlParams. */
typedef struct {
    const double *v;
    gsize rows, cols;
} AttnMatrix;

/* The names and matrices point into the run's NlParams. */
typedef struct {
    const char *const *tokens; /* n names */
    gsize n;
    AttnMatrix x; /* (n, d): one embedding row per token */
    gsize query;  /* index of the query token */
    gsize *keys;  /* nk indices of the key tokens */
    gsize nk;
    AttnMatrix wq, wk;             /* (d, dk): q = x W_Q, k = x W_K */
    AttnMatrix wv;                 /* (d, dv): v = x W_V */
    const char *const *out_tokens; /* no names of the next-token candidates */
    gsize no;
    AttnMatrix wout;  /* (no, dv): logits = W_out o */
    gboolean lecture; /* every parameter at its default: the lecture's
                         example, whose printed values the tables carry */
} AttnConfig;

/* Reads the parameters and checks that their shapes fit together (the
 * host has checked each one); one line naming the parameters on failure. */
gboolean attn_config_load(const NlParams *p, AttnConfig *c, GError **error);
void attn_config_clear(AttnConfig *c);

/* E: scores, weights, output vector, next-token logits and probabilities. */
gboolean attn_example(NlRun *run, const AttnConfig *c, GError **error);

#endif /* NL_ATTENTION_H */
