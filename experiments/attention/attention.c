/* attention.c — the attention experiment's descriptor: the lecture's
 * worked example of one attention head end to end (figure E), with every
 * vector and matrix a parameter. Host arithmetic in double, run_common
 * only: a bad input is one line and no file. */
#include "config.h"

#include "attention.h"

#include <string.h>

static const NlParamSpec params[];

/* Whether every parameter has its default value, the lecture's example:
 * the canonical text of the values against that of the defaults. */
static gboolean lecture_example(const NlParams *p)
{
    GString *defaults = g_string_new(NULL);
    for (const NlParamSpec *s = params; s->name; s++)
        g_string_append_printf(defaults, "%s%s=%s", defaults->len ? " " : "",
                               s->name, s->default_value);
    g_autofree char *given = nl_params_to_string(p);
    gboolean same = strcmp(given, defaults->str) == 0;
    g_string_free(defaults, TRUE);
    return same;
}

static gboolean run_common(NlRun *run, GError **error)
{
    AttnConfig c;
    if (!attn_config_load(nl_run_params(run), &c, error))
        return FALSE;
    c.lecture = lecture_example(nl_run_params(run));
    gboolean ok = attn_example(run, &c, error);
    attn_config_clear(&c);
    return ok;
}

/* The worked example is tiny whatever its matrices: each entry is a
 * double in the parameters and a few table cells (about 64 bytes), and
 * nothing takes measurable time. */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    (void)error;
    static const char *const matrices[] = {"vectors", "w_q", "w_k", "w_v",
                                           "w_out"};
    double entries = 0.0;
    for (gsize i = 0; i < G_N_ELEMENTS(matrices); i++) {
        gsize rows, cols;
        nl_params_get_matrix(p, matrices[i], &rows, &cols);
        entries += (double)rows * (double)cols;
    }
    cost->bytes = 64.0 * entries;
    return TRUE;
}

static const NlParamSpec params[] = {
    {"tokens", NL_PARAM_STRING_LIST, "Paris,ist,die,Hauptstadt,von", 0, 0,
     "the tokens", NULL},
    {"vectors", NL_PARAM_MATRIX, "2,0,1,1;0,2,0,1;1,1,0,0;0,1,3,1;1,2,1,0", 0,
     0, "one vector per token, a row each", NULL},
    {"query", NL_PARAM_STRING, "von", 0, 0, "the query token", NULL},
    {"keys", NL_PARAM_STRING_LIST, "Paris,ist,die,Hauptstadt", 0, 0,
     "the key (and value) tokens", NULL},
    {"w_q", NL_PARAM_MATRIX, "1,0,0,0;0,1,0,0;0,0,1,0;0,0,0,1", 0, 0,
     "W_Q, d x d_k (q = x W_Q)", NULL},
    {"w_k", NL_PARAM_MATRIX, "0.5,0,0,0;0,0.5,0,0;0,0,0.5,0;0,0,0,0.5", 0, 0,
     "W_K, d x d_k (k = x W_K); scores are q.k / sqrt(d_k)", NULL},
    {"w_v", NL_PARAM_MATRIX, "0.5,0,0,0;0,0.5,0,0;0,0,0.5,0;0,0,0,0.5", 0, 0,
     "W_V, d x d_v (v = x W_V)", NULL},
    {"out_tokens", NL_PARAM_STRING_LIST, "Frankreich,Deutschland,Spanien", 0, 0,
     "the next-token candidates, one per row of w_out", NULL},
    {"w_out", NL_PARAM_MATRIX, "1,0.5,1,0.5;0,1,0,1;1,0,1,0", 0, 0,
     "W_out, one row of d_v entries per candidate (logits = W_out o)", NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "Attention worked example: from the query to the next token",
    .description =
        "E: the query of 'von' against the keys of Paris, ist, die, "
        "Hauptstadt (the lecture's 4-dimensional vectors, W_Q = I, W_K = W_V "
        "= 0.5 I): scores q.k / sqrt(d_k), softmax weights, the output vector "
        "sum alpha_j v_j; then the next-token logits W_out o for Frankreich, "
        "Deutschland, Spanien and their probabilities. Every vector and "
        "matrix is a parameter; shapes that do not fit are refused.",
    .params = params,
    .run_common = run_common,
    .run_backend = NULL,
    .run_compare = NULL,
    .estimate = estimate,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT, .name = "attention",
                 .version = PACKAGE_VERSION,
                 .summary =
                     "E: one attention head worked through, and the next token",
                 .experiment = &ops, )
