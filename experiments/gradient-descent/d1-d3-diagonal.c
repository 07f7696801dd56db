/* d1-d3-diagonal.c — figures D1–D3: gradient descent on the diagonal of
 * W_Q, ẑ = Σ w_kk x_k, loss ½(ẑ − z)², so ∂L/∂w_kk = (ẑ − z)·x_k.
 *
 * D1 is the iteration table at one learning rate; D2 the same at several
 * rates, each classed by the factor f = 1 − lr·Σx_k² by which the error
 * shrinks per step (f > 0.5 slow, 0 ≤ f ≤ 0.5 good, −1 < f < 0
 * overshooting, f ≤ −1 diverging); D3 the loss over (w11, w22) with the
 * other weights held at their start values, and the paths of descent over
 * those two weights only. All double, on the host. */
#include "config.h"

#include "gd.h"

#include <math.h>

static double predict(const double *w, const double *x, gsize n)
{
    double z = 0;
    for (gsize k = 0; k < n; k++)
        z += w[k] * x[k];
    return z;
}

/* One step on the first `train` weights; returns the ẑ before it. */
static double step(double *w, const double *x, gsize n, gsize train,
                   double target, double lr)
{
    double z = predict(w, x, n);
    for (gsize k = 0; k < train; k++)
        w[k] -= lr * (z - target) * x[k];
    return z;
}

static double norm2(const double *x, gsize n)
{
    double s = 0;
    for (gsize k = 0; k < n; k++)
        s += x[k] * x[k];
    return s;
}

static const char *rate_kind(double f)
{
    return f > 0.5  ? "slow"
           : f >= 0 ? "good"
           : f > -1 ? "overshooting"
                    : "diverging";
}

/* The iteration table the lecture script prints for its example (lines
 * 1356-1362 of shared/lecture/lecture-script.txt), cell by cell as
 * printed: iteration 4's error 0.90 (for 0.0896) and iteration 5's w22
 * 0.15 (for -0.155) are E38 and E39 of doc/errata.md. */
static const char *const lecture_d1[][6] = {
    {"4.00", "3.50", "1.000", "1.000", "1.000", "1.00"},
    {"1.90", "1.40", "0.650", "0.300", "0.650", "1.00"},
    {"1.060", "0.56", "0.510", "0.020", "0.510", "1.00"},
    {"0.724", "0.224", "0.454", "-0.092", "0.454", "1.00"},
    {"0.590", "0.90", "0.432", "-0.137", "0.432", "1.00"},
    {"0.54", "0.04", "0.42", "0.15", "0.42", "1.00"},
};

/* Whether D1 runs the lecture's example: x = [1, 2, 1, 0], W = I,
 * z = 0.5, lr = 0.1. */
static gboolean lecture_example(const GdConfig *c)
{
    static const double x[] = {1, 2, 1, 0};
    if (c->x.n != 4 || c->target != 0.5 || c->lr != 0.1)
        return FALSE;
    for (gsize k = 0; k < 4; k++)
        if (c->x.v[k] != x[k] || c->w0.v[k] != 1.0)
            return FALSE;
    return TRUE;
}

/* d1-lecture: the lecture's printed table, for the lecture's example. */
static void d1_lecture(NlRun *run, const GdConfig *c)
{
    NlTable *t = nl_run_table(run, "d1-lecture",
                              "iteration:int zhat:str error:str w1:str "
                              "w2:str w3:str w4:str");
    nl_table_set_title(t, "the iteration table as the lecture script prints "
                          "it (lines 1356-1362), for the lecture's example "
                          "only");
    if (!lecture_example(c))
        return;
    for (gsize it = 0; it < G_N_ELEMENTS(lecture_d1); it++) {
        nl_table_add_int(t, (gint64)it);
        for (gsize k = 0; k < 6; k++)
            nl_table_add_str(t, lecture_d1[it][k]);
    }
}

gboolean gd_d1(NlRun *run, const GdConfig *c, GError **error)
{
    gsize n = c->x.n;
    GString *cols = g_string_new("iteration:int zhat:f64 error:f64 loss:f64");
    for (gsize k = 0; k < n; k++)
        g_string_append_printf(cols, " w%" G_GSIZE_FORMAT ":f64", k + 1);
    NlTable *t = nl_run_table(run, "d1-iterations", cols->str);
    g_string_free(cols, TRUE);
    nl_table_set_title(t, "gradient descent on the diagonal of W_Q: the "
                          "state before each update");
    nl_table_add_note(t, "zhat",
                      "sum of w_kk x_k; error = zhat - target; "
                      "loss = error^2 / 2");
    nl_table_add_note(t, "wK",
                      "the diagonal weight w_KK; update w_kk -= "
                      "lr * error * x_k");
    g_autofree char *lr = g_strdup_printf("%.17g", c->lr);
    g_autofree char *tg = g_strdup_printf("%.17g", c->target);
    nl_table_add_note(t, "lr", lr);
    nl_table_add_note(t, "target", tg);
    g_autofree double *w = g_memdup2(c->w0.v, n * sizeof(double));
    for (gint64 it = 0; it <= c->iterations; it++) {
        double z = predict(w, c->x.v, n), e = z - c->target;
        if (!isfinite(0.5 * e * e)) { /* a diverging rate leaves double */
            g_autofree char *why = g_strdup_printf(
                "iteration %" G_GINT64_FORMAT ": the loss overflows double; "
                "the table ends before it",
                it);
            nl_table_add_note(t, "stopped", why);
            break;
        }
        nl_table_add_int(t, it);
        nl_table_add_f64(t, z);
        nl_table_add_f64(t, e);
        nl_table_add_f64(t, 0.5 * e * e);
        for (gsize k = 0; k < n; k++)
            nl_table_add_f64(t, w[k]);
        step(w, c->x.v, n, n, c->target, c->lr);
    }
    d1_lecture(run, c);
    (void)error;
    return TRUE;
}

gboolean gd_d2(NlRun *run, const GdConfig *c, GError **error)
{
    gsize n = c->x.n;
    double x2 = norm2(c->x.v, n);
    NlTable *t = nl_run_table(run, "d2-rates",
                              "iteration:int zhat:f64 error:f64 loss:f64");
    nl_table_set_title(t, "D1 at several learning rates: one dataset per "
                          "rate (stops when a value overflows)");
    NlTable *s = nl_run_table(run, "d2-summary",
                              "lr:f64 factor:f64 kind:str final_loss:f64 "
                              "final_iteration:int");
    nl_table_set_title(s, "each rate's error factor per step and its class");
    nl_table_add_note(s, "factor",
                      "f = 1 - lr * sum x_k^2: error(t+1) = "
                      "f * error(t)");
    nl_table_add_note(s, "kind",
                      "slow f > 0.5, good 0 <= f <= 0.5, "
                      "overshooting -1 < f < 0, diverging f <= -1");
    nl_table_add_note(s, "final_loss",
                      "the loss at final_iteration, the last "
                      "one whose loss is finite (NaN, -1: "
                      "none is)");
    GString *lrs = g_string_new(NULL), *kinds = g_string_new(NULL);
    for (gsize r = 0; r < c->d2_lrs.n; r++) {
        double lr = c->d2_lrs.v[r], f = 1 - lr * x2, loss = NAN;
        gint64 done = -1; /* the last iteration whose loss is finite */
        g_autofree char *label =
            g_strdup_printf("lr %g (%s)", lr, rate_kind(f));
        nl_table_new_dataset(t, label);
        g_string_append_printf(lrs, "%s%g", r ? " " : "", lr);
        g_string_append_printf(kinds, "%s%s", r ? " " : "", rate_kind(f));
        g_autofree double *w = g_memdup2(c->w0.v, n * sizeof(double));
        for (gint64 it = 0; it <= c->d2_iterations; it++) {
            double z = predict(w, c->x.v, n), e = z - c->target;
            if (!isfinite(0.5 * e * e))
                break;
            loss = 0.5 * e * e;
            done = it;
            nl_table_add_int(t, it);
            nl_table_add_f64(t, z);
            nl_table_add_f64(t, e);
            nl_table_add_f64(t, loss);
            step(w, c->x.v, n, n, c->target, lr);
        }
        nl_table_add_f64(s, lr);
        nl_table_add_f64(s, f);
        nl_table_add_str(s, rate_kind(f));
        nl_table_add_f64(s, loss);
        nl_table_add_int(s, done);
    }
    nl_table_add_note(t, "lrs", lrs->str);
    nl_table_add_note(t, "kinds", kinds->str);
    g_string_free(lrs, TRUE);
    g_string_free(kinds, TRUE);
    (void)error;
    return TRUE;
}

/* The paths over (w11, w22); their box decides the landscape's range. */
static void d3_paths(NlRun *run, const GdConfig *c, double box[4])
{
    gsize n = c->x.n;
    NlTable *t =
        nl_run_table(run, "d3-path", "iteration:int w11:f64 w22:f64 loss:f64");
    nl_table_set_title(t, "descent over w11 and w22 only (the other weights "
                          "fixed at w0): one dataset per rate");
    box[0] = box[2] = INFINITY;
    box[1] = box[3] = -INFINITY;
    for (gsize r = 0; r < c->d3_lrs.n; r++) {
        double lr = c->d3_lrs.v[r];
        g_autofree char *label = g_strdup_printf("lr %g", lr);
        nl_table_new_dataset(t, label);
        g_autofree double *w = g_memdup2(c->w0.v, n * sizeof(double));
        for (gint64 it = 0; it <= c->d3_iterations; it++) {
            double e = predict(w, c->x.v, n) - c->target;
            if (!isfinite(0.5 * e * e))
                break;
            nl_table_add_int(t, it);
            nl_table_add_f64(t, w[0]);
            nl_table_add_f64(t, w[1]);
            nl_table_add_f64(t, 0.5 * e * e);
            box[0] = MIN(box[0], w[0]);
            box[1] = MAX(box[1], w[0]);
            box[2] = MIN(box[2], w[1]);
            box[3] = MAX(box[3], w[1]);
            step(w, c->x.v, n, 2, c->target, lr);
        }
    }
}

#define D3_GRID 121

gboolean gd_d3(NlRun *run, const GdConfig *c, GError **error)
{
    gsize n = c->x.n;
    double box[4];
    d3_paths(run, c, box);
    if (!(box[0] <= box[1]) || !(box[2] <= box[3]) ||
        !isfinite(box[1] - box[0]) || !isfinite(box[3] - box[2])) {
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                       "D3: the descent paths leave double's range; choose "
                       "smaller 'd3_lrs' or inputs 'x'");
    }
    for (int a = 0; a < 4; a += 2) { /* a margin of a quarter, at least 0.5 */
        double pad = MAX(0.25 * (box[a + 1] - box[a]), 0.5);
        box[a] -= pad;
        box[a + 1] += pad;
    }
    NlTable *t = nl_run_table(run, "d3-landscape", "w11:f64 w22:f64 loss:f64");
    nl_table_set_title(t, "the loss over (w11, w22), other weights at w0: "
                          "one dataset per w11 (a grid row)");
    nl_table_add_note(t, "grid",
                      "121 x 121 points over the paths' box plus "
                      "a margin; gnuplot: splot '< cat -s FILE'");
    g_autofree double *w = g_memdup2(c->w0.v, n * sizeof(double));
    for (int i = 0; i < D3_GRID; i++) {
        w[0] = box[0] + (box[1] - box[0]) * i / (D3_GRID - 1);
        nl_table_new_dataset(t, NULL);
        for (int j = 0; j < D3_GRID; j++) {
            w[1] = box[2] + (box[3] - box[2]) * j / (D3_GRID - 1);
            double e = predict(w, c->x.v, n) - c->target;
            nl_table_add_f64(t, w[0]);
            nl_table_add_f64(t, w[1]);
            nl_table_add_f64(t, 0.5 * e * e);
        }
    }
    return TRUE;
}
