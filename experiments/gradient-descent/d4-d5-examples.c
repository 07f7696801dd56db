/* d4-d5-examples.c — figures D4 and D5: the lecture's two small worked
 * updates, in double on the host.
 *
 * D4: softmax + cross-entropy at the output layer W_out: p = softmax(z),
 * y one-hot at the target class, ∂L/∂z = p − y, ∂L/∂W_out = (p − y)·xᵀ,
 * L = −log p_target; two cases, and the curve L = −log p. The target class
 * is 1-based in the parameters (class 1 is the first logit) and 1-based
 * in the tables. D5: one weight, ŷ = w·x, loss ½(ŷ − y)², step
 * w −= lr·(ŷ − y)·x. */
#include "config.h"

#include "gd.h"

#include <math.h>

static gboolean d4_case(NlRun *run, const GdConfig *c, int which,
                        GError **error)
{
    const GdSoftmaxCase *k = &c->d4[which];
    gsize nz = k->z.n, nx = k->x.n;
    g_autofree double *p = g_new(double, nz);
    if (!nl_sample_softmax(k->z.v, nz, 1.0, p, error))
        return FALSE;
    NlTable *t = nl_run_table(run, "d4-softmax",
                              "class:int z:f64 p:f64 y:int p_minus_y:f64");
    nl_table_set_title(t, "softmax and p - y of each case: one dataset per "
                          "case; classes count from 1");
    NlTable *g = nl_run_table(run, "d4-gradient",
                              "class:int input:int grad:f64 step:f64");
    nl_table_set_title(g, "the gradient (p - y) x^T of W_out (row = class, "
                          "column = input) and the step -lr * grad: one "
                          "dataset per case");
    g_autofree char *label = g_strdup_printf("case %d", which + 1);
    nl_table_new_dataset(t, label);
    nl_table_new_dataset(g, label);
    for (gsize i = 0; i < nz; i++) {
        int y = i == k->target;
        nl_table_add_int(t, (gint64)i + 1);
        nl_table_add_f64(t, k->z.v[i]);
        nl_table_add_f64(t, p[i]);
        nl_table_add_int(t, y);
        nl_table_add_f64(t, p[i] - y);
        for (gsize j = 0; j < nx; j++) {
            double grad = (p[i] - y) * k->x.v[j];
            nl_table_add_int(g, (gint64)i + 1);
            nl_table_add_int(g, (gint64)j + 1);
            nl_table_add_f64(g, grad);
            nl_table_add_f64(g, -c->d4_lr * grad);
        }
    }
    NlTable *s = nl_run_table(run, "d4-loss",
                              "case:int target:int p_target:f64 loss:f64");
    nl_table_set_title(s, "the cross-entropy loss -log p_target of each case "
                          "(natural log; target counts from 1)");
    nl_table_add_int(s, which + 1);
    nl_table_add_int(s, (gint64)k->target + 1);
    nl_table_add_f64(s, p[k->target]);
    /* -log p_target = log sum exp(z_i - max) - (z_target - max): finite
     * even where p_target underflows to 0 */
    double top = k->z.v[0], sum = 0.0;
    for (gsize i = 1; i < nz; i++)
        top = MAX(top, k->z.v[i]);
    for (gsize i = 0; i < nz; i++)
        sum += exp(k->z.v[i] - top);
    nl_table_add_f64(s, log(sum) - (k->z.v[k->target] - top));
    return TRUE;
}

/* Whether D4 runs the lecture's two examples (lines 1484-1551 of
 * shared/lecture/lecture-script.txt): z = [2, 1, 0.1], x = [1.5, 0.5] and
 * z = [3.52, 2.37, 1.185, 0.07], x = [1.2, 0.8, 0.5], class 1 the target
 * of both. */
static gboolean lecture_examples(const GdConfig *c)
{
    static const double z1[] = {2.0, 1.0, 0.1}, x1[] = {1.5, 0.5};
    static const double z2[] = {3.52, 2.37, 1.185, 0.07},
                        x2[] = {1.2, 0.8, 0.5};
    const struct {
        const double *z, *x;
        gsize nz, nx;
    } want[] = {{z1, x1, 3, 2}, {z2, x2, 4, 3}};
    for (int k = 0; k < 2; k++) {
        const GdSoftmaxCase *d = &c->d4[k];
        if (d->z.n != want[k].nz || d->x.n != want[k].nx || d->target != 0)
            return FALSE;
        for (gsize i = 0; i < d->z.n; i++)
            if (d->z.v[i] != want[k].z[i])
                return FALSE;
        for (gsize i = 0; i < d->x.n; i++)
            if (d->x.v[i] != want[k].x[i])
                return FALSE;
    }
    return TRUE;
}

/* d4-lecture: the numbers the lecture prints wrong for its examples
 * (E46, E49, E50 of doc/errata.md), as printed; empty for other inputs.
 * what: loss (of the case) or grad (at class, input; both count from 1). */
static void d4_lecture(NlRun *run, const GdConfig *c)
{
    static const struct {
        int which;
        const char *what;
        int cls, input;
        const char *printed, *erratum;
    } rows[] = {
        {1, "grad", 2, 1, "0.3639", "E46"},
        {2, "grad", 3, 1, "0.792", "E49"},
        {2, "loss", 0, 0, "0.417", "E50"},
    };
    NlTable *t = nl_run_table(run, "d4-lecture",
                              "case:int what:str class:int input:int "
                              "printed:str erratum:str");
    nl_table_set_title(t, "the lecture's printed numbers that differ from "
                          "D4's, for the lecture's examples only");
    if (!lecture_examples(c))
        return;
    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
        nl_table_add_int(t, rows[i].which);
        nl_table_add_str(t, rows[i].what);
        nl_table_add_int(t, rows[i].cls);
        nl_table_add_int(t, rows[i].input);
        nl_table_add_str(t, rows[i].printed);
        nl_table_add_str(t, rows[i].erratum);
    }
}

#define D4_CURVE 400

gboolean gd_d4(NlRun *run, const GdConfig *c, GError **error)
{
    if (!d4_case(run, c, 0, error) || !d4_case(run, c, 1, error))
        return FALSE;
    d4_lecture(run, c);
    NlTable *t = nl_run_table(run, "d4-curve", "p:f64 loss:f64");
    nl_table_set_title(t, "L = -log p (natural log)");
    for (int i = 1; i <= D4_CURVE; i++) {
        double p = (double)i / D4_CURVE;
        nl_table_add_f64(t, p);
        nl_table_add_f64(t, -log(p));
    }
    return TRUE;
}

gboolean gd_d5(NlRun *run, const GdConfig *c, GError **error)
{
    NlTable *t = nl_run_table(run, "d5-regression",
                              "step:int w:f64 yhat:f64 error:f64 loss:f64 "
                              "grad:f64");
    nl_table_set_title(t, "one-weight linear regression yhat = w x, loss "
                          "(yhat - y)^2 / 2: the state before each step");
    g_autofree char *what =
        g_strdup_printf("x = %g, y = %g, w0 = %g, lr = "
                        "%g",
                        c->d5_x, c->d5_y, c->d5_w0, c->d5_lr);
    nl_table_add_note(t, "setting", what);
    nl_table_add_note(t, "grad", "(yhat - y) x; w -= lr * grad");
    double w = c->d5_w0;
    for (gint64 s = 0; s <= c->d5_steps; s++) {
        double yhat = w * c->d5_x, e = yhat - c->d5_y, grad = e * c->d5_x;
        if (!isfinite(0.5 * e * e))
            break;
        nl_table_add_int(t, s);
        nl_table_add_f64(t, w);
        nl_table_add_f64(t, yhat);
        nl_table_add_f64(t, e);
        nl_table_add_f64(t, 0.5 * e * e);
        nl_table_add_f64(t, grad);
        w -= c->d5_lr * grad;
    }
    (void)error;
    return TRUE;
}
