/* config.c — the attention experiment's inputs: tokens and their vectors,
 * the query and key tokens, W_Q, W_K, W_V and W_out as matrix text
 * ("1,0;0,1", rows separated by ';'). Every shape that must fit is
 * checked here, with one line that names the parameters; nothing here
 * computes. */
#include "config.h"

#include "attention.h"

#include <string.h>

static gboolean load_tokens(const NlParams *p, AttnConfig *c, GError **error)
{
    if (!nt_parse_names("tokens", nl_params_get_string(p, "tokens"),
                        &c->tokens, &c->n, error) ||
        !nt_parse_matrix("vectors", nl_params_get_string(p, "vectors"), &c->x,
                         error))
        return FALSE;
    if (c->x.rows != c->n)
        return nt_fail(error, "parameter 'vectors' has %" G_GSIZE_FORMAT
                       " rows, expected %" G_GSIZE_FORMAT " (one per token of "
                       "'tokens')", c->x.rows, c->n);
    gssize q = nt_find(c->tokens, c->n, nl_params_get_string(p, "query"));
    if (q < 0)
        return nt_fail(error, "parameter 'query': no token '%s' in 'tokens'",
                       nl_params_get_string(p, "query"));
    c->query = (gsize)q;
    g_auto(GStrv) keys = NULL;
    if (!nt_parse_names("keys", nl_params_get_string(p, "keys"), &keys,
                        &c->nk, error))
        return FALSE;
    c->keys = g_new(gsize, c->nk);
    for (gsize j = 0; j < c->nk; j++) {
        gssize k = nt_find(c->tokens, c->n, keys[j]);
        if (k < 0)
            return nt_fail(error, "parameter 'keys': no token '%s' in "
                           "'tokens'", keys[j]);
        c->keys[j] = (gsize)k;
    }
    return TRUE;
}

/* A d x cols projection: its rows must match the vectors' length. */
static gboolean load_projection(const NlParams *p, const char *name,
                                gsize d, NtMatrix *m, GError **error)
{
    if (!nt_parse_matrix(name, nl_params_get_string(p, name), m, error))
        return FALSE;
    if (m->rows != d)
        return nt_fail(error, "parameter '%s' is %" G_GSIZE_FORMAT "x%"
                       G_GSIZE_FORMAT ", but the vectors have %" G_GSIZE_FORMAT
                       " entries: it needs %" G_GSIZE_FORMAT " rows", name,
                       m->rows, m->cols, d, d);
    return TRUE;
}

static gboolean load_weights(const NlParams *p, AttnConfig *c, GError **error)
{
    gsize d = c->x.cols;
    if (!load_projection(p, "w_q", d, &c->wq, error) ||
        !load_projection(p, "w_k", d, &c->wk, error) ||
        !load_projection(p, "w_v", d, &c->wv, error))
        return FALSE;
    if (c->wk.cols != c->wq.cols)
        return nt_fail(error, "parameter 'w_k' has %" G_GSIZE_FORMAT
                       " columns, 'w_q' has %" G_GSIZE_FORMAT " (q and k must "
                       "have the same length)", c->wk.cols, c->wq.cols);
    if (!nt_parse_names("out_tokens", nl_params_get_string(p, "out_tokens"),
                        &c->out_tokens, &c->no, error) ||
        !nt_parse_matrix("w_out", nl_params_get_string(p, "w_out"), &c->wout,
                         error))
        return FALSE;
    if (c->wout.rows != c->no)
        return nt_fail(error, "parameter 'w_out' has %" G_GSIZE_FORMAT
                       " rows, expected %" G_GSIZE_FORMAT " (one per token of "
                       "'out_tokens')", c->wout.rows, c->no);
    if (c->wout.cols != c->wv.cols)
        return nt_fail(error, "parameter 'w_out' has %" G_GSIZE_FORMAT
                       " columns, 'w_v' has %" G_GSIZE_FORMAT " (a row of W_out "
                       "meets the output vector)", c->wout.cols, c->wv.cols);
    return TRUE;
}

gboolean attn_config_load(const NlParams *p, AttnConfig *c, GError **error)
{
    memset(c, 0, sizeof *c);
    gboolean ok = load_tokens(p, c, error) && load_weights(p, c, error);
    if (!ok)
        attn_config_clear(c);
    return ok;
}

void attn_config_clear(AttnConfig *c)
{
    g_strfreev(c->tokens);
    g_strfreev(c->out_tokens);
    g_free(c->keys);
    nt_matrix_clear(&c->x);
    nt_matrix_clear(&c->wq);
    nt_matrix_clear(&c->wk);
    nt_matrix_clear(&c->wv);
    nt_matrix_clear(&c->wout);
    memset(c, 0, sizeof *c);
}
