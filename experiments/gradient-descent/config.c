/* config.c — the gradient-descent experiment's inputs, read once per
 * phase. The host has checked each parameter (learning rates > 0, x and
 * the logits at least 2 entries); here are the rules between two of them:
 * w0 as long as x, each D4 target class within its logits (1-based in
 * the parameter), and D6's table sizes. Nothing here computes. */
#include "config.h"

#include "gd.h"

#include <string.h>

static GdVector vector(const NlParams *p, const char *name)
{
    GdVector v;
    v.v = nl_params_get_double_list(p, name, &v.n);
    return v;
}

static gboolean load_case(const NlParams *p, const char *zname,
                          const char *xname, const char *tname,
                          GdSoftmaxCase *k, GError **error)
{
    k->z = vector(p, zname);
    k->x = vector(p, xname);
    gint64 t = nl_params_get_int(p, tname);
    if (t < 1 || (guint64)t > k->z.n)
        return gd_fail(error,
                       "parameter '%s': class %" G_GINT64_FORMAT
                       " is not one of the %" G_GSIZE_FORMAT " classes of '%s' "
                       "(classes count from 1)",
                       tname, t, k->z.n, zname);
    k->target = (gsize)(t - 1);
    return TRUE;
}

static gboolean load_d1_d3(const NlParams *p, GdConfig *c, GError **error)
{
    c->x = vector(p, "x");
    c->w0 = vector(p, "w0");
    if (c->w0.n != c->x.n)
        return gd_fail(error,
                       "parameter 'w0' has %" G_GSIZE_FORMAT " entries, "
                       "expected %" G_GSIZE_FORMAT " (one diagonal weight per "
                       "entry of 'x')",
                       c->w0.n, c->x.n);
    c->target = nl_params_get_double(p, "target");
    c->lr = nl_params_get_double(p, "lr");
    c->iterations = nl_params_get_int(p, "iterations");
    c->d2_iterations = nl_params_get_int(p, "d2_iterations");
    c->d3_iterations = nl_params_get_int(p, "d3_iterations");
    c->d2_lrs = vector(p, "d2_lrs");
    c->d3_lrs = vector(p, "d3_lrs");
    return TRUE;
}

/* Weights times steps that the D6 tables may hold (about 100 MB each). */
#define D6_MAX_ROWS 2e6
/* Samples times features of the D6 data set (X and its transpose: 400 MB). */
#define D6_MAX_DATA 5e7

gboolean gd_config_load(const NlParams *p, GdConfig *c, GError **error)
{
    memset(c, 0, sizeof *c);
    gboolean ok =
        load_d1_d3(p, c, error) &&
        load_case(p, "d4_z", "d4_x", "d4_target", &c->d4[0], error) &&
        load_case(p, "d4b_z", "d4b_x", "d4b_target", &c->d4[1], error);
    c->d4_lr = nl_params_get_double(p, "d4_lr");
    c->d5_x = nl_params_get_double(p, "d5_x");
    c->d5_y = nl_params_get_double(p, "d5_y");
    c->d5_w0 = nl_params_get_double(p, "d5_w0");
    c->d5_lr = nl_params_get_double(p, "d5_lr");
    c->d5_steps = nl_params_get_int(p, "d5_steps");
    c->d6_samples = nl_params_get_int(p, "d6_samples");
    c->d6_dim = nl_params_get_int(p, "d6_dim");
    c->d6_classes = nl_params_get_int(p, "d6_classes");
    c->d6_steps = nl_params_get_int(p, "d6_steps");
    c->d6_lr = nl_params_get_double(p, "d6_lr");
    c->d6_spread = nl_params_get_double(p, "d6_spread");
    /* D6 keeps every weight of every step in four tables, a row each */
    double rows = (double)(c->d6_steps + 1) * (double)(c->d6_dim + 1) *
                  (double)c->d6_classes;
    if (ok && rows > D6_MAX_ROWS) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                    "parameters 'd6_steps', 'd6_dim', 'd6_classes': %.3g "
                    "weight rows per table, more than %g (fewer steps or a "
                    "smaller model)",
                    rows, D6_MAX_ROWS);
        ok = FALSE;
    }
    double cells = (double)c->d6_samples * (double)(c->d6_dim + 1);
    if (ok && cells > D6_MAX_DATA) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                    "parameters 'd6_samples', 'd6_dim': a data set of %.3g "
                    "values, more than %g",
                    cells, D6_MAX_DATA);
        ok = FALSE;
    }
    if (!ok)
        gd_config_clear(c);
    return ok;
}

void gd_config_clear(GdConfig *c)
{
    memset(c, 0, sizeof *c); /* the vectors belong to the run's NlParams */
}
