/* config.c — the attention experiment's inputs: tokens and their vectors,
 * the query and key tokens, W_Q, W_K, W_V and W_out. The host has parsed
 * and checked each parameter (matrices rectangular, names distinct); here
 * every shape and name that must fit another parameter is checked, with
 * one line that names them. Nothing here computes. */
#include "config.h"

#include "attention.h"

#include <string.h>

/* One line, FALSE: numlab/error.h. */
#define fail(error, ...)                                                       \
    nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT, __VA_ARGS__)

static AttnMatrix matrix(const NlParams *p, const char *name)
{
    AttnMatrix m;
    m.v = nl_params_get_matrix(p, name, &m.rows, &m.cols);
    return m;
}

/* The index of `token`'s first occurrence in `index` (token -> position
 * + 1, built once: thousands of keys would otherwise each scan the
 * tokens), or -1. */
static gssize find(GHashTable *index, const char *token)
{
    return (gssize)GPOINTER_TO_SIZE(g_hash_table_lookup(index, token)) - 1;
}

static gboolean load_tokens(const NlParams *p, AttnConfig *c, GError **error)
{
    c->tokens = nl_params_get_string_list(p, "tokens", &c->n);
    c->x = matrix(p, "vectors");
    if (c->x.rows != c->n)
        return fail(error,
                    "parameter 'vectors' has %" G_GSIZE_FORMAT
                    " rows, expected %" G_GSIZE_FORMAT " (one per token of "
                    "'tokens')",
                    c->x.rows, c->n);
    g_autoptr(GHashTable) index = g_hash_table_new(g_str_hash, g_str_equal);
    for (gsize i = c->n; i-- > 0;) /* the first occurrence wins */
        g_hash_table_insert(index, (gpointer)c->tokens[i],
                            GSIZE_TO_POINTER(i + 1));
    gssize q = find(index, nl_params_get_string(p, "query"));
    if (q < 0)
        return fail(error, "parameter 'query': no token '%s' in 'tokens'",
                    nl_params_get_string(p, "query"));
    c->query = (gsize)q;
    const char *const *keys = nl_params_get_string_list(p, "keys", &c->nk);
    c->keys = g_new(gsize, c->nk);
    for (gsize j = 0; j < c->nk; j++) {
        gssize k = find(index, keys[j]);
        if (k < 0)
            return fail(error, "parameter 'keys': no token '%s' in 'tokens'",
                        keys[j]);
        c->keys[j] = (gsize)k;
    }
    return TRUE;
}

/* A d x cols projection: its rows must match the vectors' length. */
static gboolean load_projection(const NlParams *p, const char *name, gsize d,
                                AttnMatrix *m, GError **error)
{
    *m = matrix(p, name);
    if (m->rows != d)
        return fail(error,
                    "parameter '%s' is %" G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT
                    ", but the vectors have %" G_GSIZE_FORMAT
                    " entries: it needs %" G_GSIZE_FORMAT " rows",
                    name, m->rows, m->cols, d, d);
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
        return fail(error,
                    "parameter 'w_k' has %" G_GSIZE_FORMAT " columns, "
                    "'w_q' has %" G_GSIZE_FORMAT " (q and k must have the "
                    "same length)",
                    c->wk.cols, c->wq.cols);
    c->out_tokens = nl_params_get_string_list(p, "out_tokens", &c->no);
    c->wout = matrix(p, "w_out");
    if (c->wout.rows != c->no)
        return fail(error,
                    "parameter 'w_out' has %" G_GSIZE_FORMAT " rows, "
                    "expected %" G_GSIZE_FORMAT " (one per token of "
                    "'out_tokens')",
                    c->wout.rows, c->no);
    if (c->wout.cols != c->wv.cols)
        return fail(error,
                    "parameter 'w_out' has %" G_GSIZE_FORMAT " columns, "
                    "'w_v' has %" G_GSIZE_FORMAT " (a row of W_out meets the "
                    "output vector)",
                    c->wout.cols, c->wv.cols);
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
    g_free(c->keys); /* the rest belongs to the run's NlParams */
    memset(c, 0, sizeof *c);
}
