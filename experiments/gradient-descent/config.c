/* config.c — the gradient-descent experiment's inputs, read and checked
 * once per phase: the D1 vectors (their lengths must agree), learning
 * rates (finite, > 0), the D4 cases (target class within the logits, 1-based
 * in the parameter), and D6's sizes. Nothing here computes. */
#include "config.h"

#include "gd.h"

#include <string.h>

static gboolean load_case(const NlParams *p, const char *zname,
                          const char *xname, const char *tname,
                          GdSoftmaxCase *k, GError **error)
{
    if (!nt_parse_vector(zname, nl_params_get_string(p, zname), 0, NULL,
                         &k->z, error) ||
        !nt_parse_vector(xname, nl_params_get_string(p, xname), 0, NULL,
                         &k->x, error))
        return FALSE;
    if (k->z.cols < 2)
        return nt_fail(error, "parameter '%s' has 1 entry; a softmax needs "
                       "at least 2 classes", zname);
    gint64 t = nl_params_get_int(p, tname);
    if (t < 1 || (guint64)t > k->z.cols)
        return nt_fail(error, "parameter '%s': class %" G_GINT64_FORMAT
                       " is not one of the %" G_GSIZE_FORMAT " classes of '%s' "
                       "(classes count from 1)", tname, t, k->z.cols, zname);
    k->target = (gsize)(t - 1);
    return TRUE;
}

static gboolean load_d1_d3(const NlParams *p, GdConfig *c, GError **error)
{
    if (!nt_parse_vector("x", nl_params_get_string(p, "x"), 0, NULL, &c->x,
                         error))
        return FALSE;
    g_autofree char *why = g_strdup_printf("(one diagonal weight per entry "
                                           "of 'x')");
    if (!nt_parse_vector("w0", nl_params_get_string(p, "w0"), c->x.cols, why,
                         &c->w0, error))
        return FALSE;
    c->target = nl_params_get_double(p, "target");
    c->lr = nl_params_get_double(p, "lr");
    c->iterations = nl_params_get_int(p, "iterations");
    c->d2_iterations = nl_params_get_int(p, "d2_iterations");
    c->d3_iterations = nl_params_get_int(p, "d3_iterations");
    if (!nt_check_rate("lr", c->lr, error) ||
        !nt_parse_rates("d2_lrs", nl_params_get_string(p, "d2_lrs"),
                        &c->d2_lrs, error) ||
        !nt_parse_rates("d3_lrs", nl_params_get_string(p, "d3_lrs"),
                        &c->d3_lrs, error))
        return FALSE;
    if (c->x.cols < 2)
        return nt_fail(error, "parameter 'x' has 1 entry; D3 needs at least 2 "
                       "(the landscape over w11 and w22)");
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
    ok = ok && nt_check_rate("d4_lr", c->d4_lr, error) &&
         nt_check_rate("d5_lr", c->d5_lr, error) &&
         nt_check_rate("d6_lr", c->d6_lr, error);
    /* D6 keeps every weight of every step in four tables, a row each */
    double rows = (double)(c->d6_steps + 1) * (double)(c->d6_dim + 1) *
                  (double)c->d6_classes;
    if (ok && rows > D6_MAX_ROWS) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                    "parameters 'd6_steps', 'd6_dim', 'd6_classes': %.3g "
                    "weight rows per table, more than %g (fewer steps or a "
                    "smaller model)", rows, D6_MAX_ROWS);
        ok = FALSE;
    }
    double cells = (double)c->d6_samples * (double)(c->d6_dim + 1);
    if (ok && cells > D6_MAX_DATA) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                    "parameters 'd6_samples', 'd6_dim': a data set of %.3g "
                    "values, more than %g", cells, D6_MAX_DATA);
        ok = FALSE;
    }
    if (!ok)
        gd_config_clear(c);
    return ok;
}

void gd_config_clear(GdConfig *c)
{
    nt_matrix_clear(&c->x);
    nt_matrix_clear(&c->w0);
    nt_matrix_clear(&c->d2_lrs);
    nt_matrix_clear(&c->d3_lrs);
    for (int i = 0; i < 2; i++) {
        nt_matrix_clear(&c->d4[i].z);
        nt_matrix_clear(&c->d4[i].x);
    }
    memset(c, 0, sizeof *c);
}
