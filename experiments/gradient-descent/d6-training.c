/* d6-training.c — figure D6: the same training run in float64 and float32,
 * on the host and on every backend, and how far the weights drift apart.
 *
 * The model is a softmax regression: logits = X·W (N x C), p = softmax per
 * row, loss = mean −log p_label, full-batch gradient Xᵀ·(P − Y) / N, step
 * W −= lr·gradient, W = 0 at the start. The data are C Gaussian clusters
 * in `d6_dim` dimensions (centres spread·N(0,1), points centre + N(0,1),
 * label i mod C) plus a constant 1 feature for the bias, drawn in float32
 * from the run's seed, so every job sees the same bits.
 *
 * On a backend, both matrix products are the backend's gemm (Xᵀ packed
 * once on the host); the row softmax, the loss and the update are the same
 * host float32 code for every backend, so the backends differ only where
 * their gemm sums in another order. The host runs the same model with
 * libnumlab's reference gemm in float32 (numlab/reference.h, the naive
 * backend's order) and with plain loops in float64, the reference.
 *
 * And in bfloat16, on the host, the two ways low-precision training is
 * done: mixed (X, the weights' working copy, the logits, P - Y and the
 * gradient in bfloat16, products accumulated in float32, the update into
 * float32 master weights) and pure (everything bfloat16, products
 * accumulated in bfloat16, the update rounded to bfloat16: a step smaller
 * than half a weight's ulp is lost). Both with numlab's exact emulation
 * (nl_ref_gemm_in), the naive order. */
#include "config.h"

#include "gd.h"

#include <math.h>
#include <string.h>

typedef struct {
    gsize n, d, c;  /* samples, features (with the bias), classes */
    float *x;       /* (n, d) */
    float *xt;      /* (d, n): x transposed, for the gradient's gemm */
    guint32 *label; /* (n) */
} Data;

static void data_clear(Data *s)
{
    nl_free(s->x);
    nl_free(s->xt);
    g_free(s->label);
    memset(s, 0, sizeof *s);
}

static gboolean data_make(NlRun *run, const GdConfig *c, Data *s,
                          GError **error)
{
    memset(s, 0, sizeof *s);
    s->n = (gsize)c->d6_samples;
    s->d = (gsize)c->d6_dim + 1;
    s->c = (gsize)c->d6_classes;
    gsize dim = s->d - 1, nd;
    if (!nl_size_mul(s->n, s->d, &nd))
        return gd_fail(error,
                       "parameter 'd6_samples': %" G_GSIZE_FORMAT
                       " samples of %" G_GSIZE_FORMAT " features overflow",
                       s->n, s->d);
    NlRng rng;
    nl_rng_init(&rng, nl_run_seed(run));
    g_autofree float *centre = g_new(float, s->c *dim);
    nl_rng_fill_normal_f32(&rng, centre, s->c * dim);
    for (gsize i = 0; i < s->c * dim; i++)
        centre[i] = (float)(c->d6_spread * centre[i]);
    s->x = nl_alloc_f32(nd, error);
    s->xt = s->x ? nl_alloc_f32(nd, error) : NULL;
    if (!s->xt) {
        data_clear(s);
        return FALSE;
    }
    s->label = g_new(guint32, s->n);
    for (gsize i = 0; i < s->n; i++) {
        float *row = s->x + i * s->d;
        s->label[i] = (guint32)(i % s->c);
        nl_rng_fill_normal_f32(&rng, row, dim);
        for (gsize k = 0; k < dim; k++)
            row[k] += centre[s->label[i] * dim + k];
        row[dim] = 1.0f;
    }
    for (gsize i = 0; i < s->n; i++)
        for (gsize k = 0; k < s->d; k++)
            s->xt[k * s->n + i] = s->x[i * s->d + k];
    return TRUE;
}

/* ---- float32: logits and gradient products are pluggable ------------- */

typedef gboolean (*Gemm32)(gpointer self, gsize m, gsize n, gsize k,
                           const float *a, const float *b, float *out,
                           GError **error);

/* C = A B with sequential left-to-right sums: libnumlab's reference
 * kernel, the naive backend's order. */
static gboolean gemm_loops_f32(gpointer self, gsize m, gsize n, gsize k,
                               const float *a, const float *b, float *out,
                               GError **error)
{
    (void)self;
    (void)error;
    nl_ref_gemm_f32(m, n, k, a, k, b, n, out, n);
    return TRUE;
}

/* The backend's gemm, data moved through backend buffers. */
static gboolean gemm_backend_f32(gpointer self, gsize m, gsize n, gsize k,
                                 const float *a, const float *b, float *out,
                                 GError **error)
{
    NlBackend *be = self;
    NlBuffer *ba = nl_backend_new_from(be, a, m * k, error);
    NlBuffer *bb = ba ? nl_backend_new_from(be, b, k * n, error) : NULL;
    NlBuffer *bc = bb ? nl_backend_alloc(be, m * n, error) : NULL;
    gboolean ok = bc &&
                  nl_backend_gemm(be, m, n, k, ba, k, bb, n, bc, n, error) &&
                  nl_backend_download(be, bc, out, m * n, error);
    nl_backend_free(be, ba);
    nl_backend_free(be, bb);
    nl_backend_free(be, bc);
    return ok;
}

/* Row softmax in float32 (max subtracted: exp never overflows), P − Y in
 * place; returns the mean cross-entropy, accumulated in double as
 * log(sum) − (z_label − max), which stays finite where p_label underflows. */
static double softmax_minus_y_f32(float *z, const Data *s)
{
    double loss = 0;
    for (gsize i = 0; i < s->n; i++) {
        float *row = z + i * s->c, top = row[0], sum = 0.0f;
        for (gsize j = 1; j < s->c; j++)
            top = MAX(top, row[j]);
        double label_logit = (double)row[s->label[i]] - (double)top;
        for (gsize j = 0; j < s->c; j++) {
            row[j] = expf(row[j] - top);
            sum += row[j];
        }
        for (gsize j = 0; j < s->c; j++)
            row[j] /= sum;
        loss += log((double)sum) - label_logit;
        row[s->label[i]] -= 1.0f;
    }
    return loss / (double)s->n;
}

static void emit_state(NlTable *loss_t, NlTable *w_t, gint64 step, double loss,
                       const float *w32, const double *w64, gsize m)
{
    nl_table_add_int(loss_t, step);
    nl_table_add_f64(loss_t, loss);
    for (gsize i = 0; i < m; i++) {
        nl_table_add_int(w_t, step);
        nl_table_add_int(w_t, (gint64)i);
        if (w32)
            nl_table_add_f32(w_t, w32[i]);
        else
            nl_table_add_f64(w_t, w64[i]);
    }
}

/* A learning rate too large for the data drives the weights beyond the
 * float range within a few steps: one line naming the parameter. */
static gboolean diverged(gint64 step, const char *type, GError **error)
{
    return nl_fail(
        error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
        "parameter 'd6_lr': the %s training diverges (a weight is not "
        "finite after step %" G_GINT64_FORMAT "); choose a smaller "
        "rate",
        type, step);
}

static gboolean finite_weights_f32(const float *w, gsize m, gint64 step,
                                   GError **error)
{
    for (gsize i = 0; i < m; i++)
        if (!isfinite(w[i]))
            return diverged(step, "float32", error);
    return TRUE;
}

static gboolean train_f32(const GdConfig *c, const Data *s, Gemm32 gemm,
                          gpointer self, NlTable *loss_t, NlTable *w_t,
                          GError **error)
{
    gsize m = s->d * s->c;
    g_autofree float *w = g_new0(float, m);
    g_autofree float *g = g_new(float, m);
    g_autofree float *z = g_new(float, s->n * s->c);
    float rate = (float)(c->d6_lr / (double)s->n);
    for (gint64 t = 0; t <= c->d6_steps; t++) {
        if (!gemm(self, s->n, s->c, s->d, s->x, w, z, error))
            return FALSE;
        double loss = softmax_minus_y_f32(z, s);
        emit_state(loss_t, w_t, t, loss, w, NULL, m);
        if (t == c->d6_steps)
            break;
        if (!gemm(self, s->d, s->c, s->n, s->xt, z, g, error))
            return FALSE;
        for (gsize i = 0; i < m; i++)
            w[i] -= rate * g[i];
        if (!finite_weights_f32(w, m, t + 1, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- bfloat16: mixed (float32 master weights) and pure -------------- */

static void round_bf16(float *v, gsize n)
{
    for (gsize i = 0; i < n; i++)
        v[i] = nl_bf16_to_f32(nl_bf16_from_f32(v[i]));
}

static gboolean train_bf16(const GdConfig *c, const Data *s, gboolean pure,
                           NlTable *loss_t, NlTable *w_t, GError **error)
{
    gsize m = s->d * s->c, nd = s->n * s->d;
    NlPrecision acc = pure ? NL_PRECISION_BF16 : NL_PRECISION_F32;
    g_autofree nl_bf16 *xb = g_new(nl_bf16, nd), *xtb = g_new(nl_bf16, nd);
    for (gsize i = 0; i < nd; i++) {
        xb[i] = nl_bf16_from_f32(s->x[i]);
        xtb[i] = nl_bf16_from_f32(s->xt[i]);
    }
    g_autofree float *w = g_new0(float, m); /* master (mixed) or bf16 */
    g_autofree nl_bf16 *wb = g_new(nl_bf16, m);
    g_autofree float *z = g_new(float, s->n * s->c);
    g_autofree nl_bf16 *zb = g_new(nl_bf16, s->n * s->c);
    g_autofree float *g = g_new(float, m);
    float rate = (float)(c->d6_lr / (double)s->n);
    if (pure)
        rate = nl_bf16_to_f32(nl_bf16_from_f32(rate));
    for (gint64 t = 0; t <= c->d6_steps; t++) {
        for (gsize i = 0; i < m; i++)
            wb[i] = nl_bf16_from_f32(w[i]);
        nl_ref_gemm_in(acc, s->n, s->c, s->d, (NlArray){NL_PRECISION_BF16, xb},
                       s->d, (NlArray){NL_PRECISION_BF16, wb}, s->c,
                       NL_PRECISION_F32, z, s->c);
        round_bf16(z, s->n * s->c); /* the logits, a bfloat16 tensor */
        double loss = softmax_minus_y_f32(z, s);
        emit_state(loss_t, w_t, t, loss, w, NULL, m);
        if (t == c->d6_steps)
            break;
        for (gsize i = 0; i < s->n * s->c; i++) /* P - Y in bfloat16 */
            zb[i] = nl_bf16_from_f32(z[i]);
        nl_ref_gemm_in(acc, s->d, s->c, s->n, (NlArray){NL_PRECISION_BF16, xtb},
                       s->n, (NlArray){NL_PRECISION_BF16, zb}, s->c,
                       NL_PRECISION_F32, g, s->c);
        round_bf16(g, m); /* the gradient, a bfloat16 tensor */
        for (gsize i = 0; i < m; i++) {
            if (pure) {
                float step = nl_bf16_to_f32(nl_bf16_from_f32(rate * g[i]));
                w[i] = nl_bf16_to_f32(nl_bf16_from_f32(w[i] - step));
            } else {
                w[i] -= rate * g[i];
            }
        }
        if (!finite_weights_f32(w, m, t + 1, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- float64 reference ------------------------------------------------ */

static gboolean train_f64(const GdConfig *c, const Data *s, NlTable *loss_t,
                          NlTable *w_t, GError **error)
{
    gsize m = s->d * s->c;
    g_autofree double *w = g_new0(double, m);
    g_autofree double *z = g_new(double, s->n * s->c);
    g_autofree double *g = g_new(double, m);
    for (gint64 t = 0; t <= c->d6_steps; t++) {
        double loss = 0;
        for (gsize i = 0; i < s->n; i++) {
            double *row = z + i * s->c, top = -INFINITY, sum = 0;
            for (gsize j = 0; j < s->c; j++) {
                row[j] = 0;
                for (gsize k = 0; k < s->d; k++)
                    row[j] += (double)s->x[i * s->d + k] * w[k * s->c + j];
                top = MAX(top, row[j]);
            }
            double label_logit = row[s->label[i]] - top;
            for (gsize j = 0; j < s->c; j++) {
                row[j] = exp(row[j] - top);
                sum += row[j];
            }
            for (gsize j = 0; j < s->c; j++)
                row[j] /= sum;
            loss += log(sum) - label_logit;
            row[s->label[i]] -= 1.0;
        }
        emit_state(loss_t, w_t, t, loss / (double)s->n, NULL, w, m);
        if (t == c->d6_steps)
            break;
        for (gsize k = 0; k < s->d; k++)
            for (gsize j = 0; j < s->c; j++) {
                double acc = 0;
                for (gsize i = 0; i < s->n; i++)
                    acc += (double)s->x[i * s->d + k] * z[i * s->c + j];
                g[k * s->c + j] = acc;
            }
        for (gsize i = 0; i < m; i++) {
            w[i] -= c->d6_lr / (double)s->n * g[i];
            if (!isfinite(w[i]))
                return diverged(t + 1, "float64", error);
        }
    }
    return TRUE;
}

static void describe(NlTable *t, const Data *s, const char *what)
{
    g_autofree char *shape = g_strdup_printf(
        "%" G_GSIZE_FORMAT " samples, %" G_GSIZE_FORMAT " features (with "
        "the bias), %" G_GSIZE_FORMAT " classes; weight index = feature * "
        "classes + class",
        s->n, s->d, s->c);
    nl_table_add_note(t, "model", shape);
    nl_table_add_note(t, "run", what);
}

gboolean gd_d6_host(NlRun *run, const GdConfig *c, GError **error)
{
    Data s;
    if (!data_make(run, c, &s, error))
        return FALSE;
    NlTable *rl = nl_run_table(run, "d6-ref-loss", "step:int loss:f64");
    NlTable *rw =
        nl_run_table(run, "d6-ref-weights", "step:int index:int w:f64");
    nl_table_set_title(rl, "softmax regression, float64 on the host: the "
                           "loss before each step");
    nl_table_set_title(rw, "softmax regression, float64 on the host: the "
                           "weights before each step");
    describe(rw, &s, "float64 loops, the reference");
    if (!train_f64(c, &s, rl, rw, error)) {
        data_clear(&s);
        return FALSE;
    }
    NlTable *hl = nl_run_table(run, "d6-f32-loss", "step:int loss:f64");
    NlTable *hw =
        nl_run_table(run, "d6-f32-weights", "step:int index:int w:f32");
    nl_table_set_title(hl, "the same in float32 with plain loops on the host");
    nl_table_set_title(hw, "the same in float32 with plain loops on the host");
    describe(hw, &s, "float32, sequential left-to-right loops");
    gboolean ok = train_f32(c, &s, gemm_loops_f32, NULL, hl, hw, error);
    static const struct {
        const char *name, *title, *run;
        gboolean pure;
    } bf16[] = {
        {"d6-bf16-mixed",
         "the same in bfloat16 with float32 master weights (mixed precision)",
         "bfloat16 data, weights copy, logits, P - Y and gradient; products "
         "accumulated in float32; the update into float32 master weights",
         FALSE},
        {"d6-bf16-pure", "the same in pure bfloat16",
         "everything bfloat16: products accumulated in bfloat16, the "
         "weights stored and updated in bfloat16",
         TRUE},
    };
    for (guint i = 0; ok && i < G_N_ELEMENTS(bf16); i++) {
        g_autofree char *ln = g_strdup_printf("%s-loss", bf16[i].name);
        g_autofree char *wn = g_strdup_printf("%s-weights", bf16[i].name);
        NlTable *bl = nl_run_table(run, ln, "step:int loss:f64");
        NlTable *bw = nl_run_table(run, wn, "step:int index:int w:f32");
        nl_table_set_title(bl, bf16[i].title);
        nl_table_set_title(bw, bf16[i].title);
        describe(bw, &s, bf16[i].run);
        ok = train_bf16(c, &s, bf16[i].pure, bl, bw, error);
    }
    data_clear(&s);
    return ok;
}

gboolean gd_d6_backend(NlRun *run, const GdConfig *c, GError **error)
{
    Data s;
    if (!data_make(run, c, &s, error))
        return FALSE;
    NlTable *l = nl_run_table(run, "d6-loss", "step:int loss:f64");
    NlTable *w = nl_run_table(run, "d6-weights", "step:int index:int w:f32");
    nl_table_set_title(l, "softmax regression in float32 with the backend's "
                          "gemm: the loss before each step");
    nl_table_set_title(w, "softmax regression in float32 with the backend's "
                          "gemm: the weights before each step");
    describe(w, &s,
             "float32; X W and X^T (P - Y) by the backend's gemm, "
             "row softmax and update in host float32");
    double t0 = nl_time_now();
    gboolean ok =
        train_f32(c, &s, gemm_backend_f32, nl_run_backend(run), l, w, error);
    g_autofree char *secs = g_strdup_printf("%.6f", nl_time_now() - t0);
    nl_table_add_note(l, "seconds", secs);
    data_clear(&s);
    return ok;
}

/* ---- side by side ----------------------------------------------------- */

/* Per step: the largest |w_a − w_b| over the weights, |loss_a − loss_b|. */
static void diff_step(const NlTable *wa, const NlTable *la, const NlTable *wb,
                      const NlTable *lb, guint step, guint m, double *dw,
                      double *dloss)
{
    *dw = 0;
    for (guint i = 0; i < m; i++) {
        guint r = step * m + i;
        *dw = MAX(
            *dw, fabs(nl_table_get_f64(wa, r, 2) - nl_table_get_f64(wb, r, 2)));
    }
    *dloss =
        fabs(nl_table_get_f64(la, step, 1) - nl_table_get_f64(lb, step, 1));
}

gboolean gd_d6_compare(NlRun *run, const GdConfig *c, GError **error)
{
    guint jobs = nl_run_n_jobs(run);
    const NlTable *rw = nl_run_common_table(run, "d6-ref-weights");
    const NlTable *rl = nl_run_common_table(run, "d6-ref-loss");
    const NlTable *hw = nl_run_common_table(run, "d6-f32-weights");
    const NlTable *hl = nl_run_common_table(run, "d6-f32-loss");
    if (!rw || !rl || !hw || !hl)
        return TRUE;
    guint steps = (guint)c->d6_steps + 1;
    guint m = nl_table_n_rows(rw) / steps;
    NlTable *h = nl_run_table(run, "d6-host", "step:int dw:f64 dloss:f64");
    nl_table_set_title(h, "float32 host loops against the float64 reference");
    nl_table_add_note(h, "dw",
                      "max over the weights of |w_f32 - w_f64|; "
                      "dloss = |loss_f32 - loss_f64|");
    for (guint t = 0; t < steps; t++) {
        double dw, dl;
        diff_step(hw, hl, rw, rl, t, m, &dw, &dl);
        nl_table_add_int(h, t);
        nl_table_add_f64(h, dw);
        nl_table_add_f64(h, dl);
    }
    const char *names[] = {"float32", "bfloat16-mixed", "bfloat16-pure"};
    const char *tables[] = {"d6-f32", "d6-bf16-mixed", "d6-bf16-pure"};
    NlTable *pt =
        nl_run_table(run, "d6-precision", "step:int loss:f64 dw:f64 dloss:f64");
    nl_table_set_title(pt, "each precision's host run against the float64 "
                           "reference: one dataset per precision");
    nl_table_add_note(pt, "dw",
                      "max over the weights of |w - w_f64| at that step; "
                      "dloss = |loss - loss_f64|");
    for (guint k = 0; k < G_N_ELEMENTS(tables); k++) {
        g_autofree char *ln = g_strdup_printf("%s-loss", tables[k]);
        g_autofree char *wn = g_strdup_printf("%s-weights", tables[k]);
        const NlTable *pl = nl_run_common_table(run, ln);
        const NlTable *pw = nl_run_common_table(run, wn);
        if (!pl || !pw)
            continue;
        nl_table_new_dataset(pt, names[k]);
        for (guint st = 0; st < steps; st++) {
            double dw, dl;
            diff_step(pw, pl, rw, rl, st, m, &dw, &dl);
            nl_table_add_int(pt, st);
            nl_table_add_f64(pt, nl_table_get_f64(pl, st, 1));
            nl_table_add_f64(pt, dw);
            nl_table_add_f64(pt, dl);
        }
    }
    if (jobs == 0)
        return TRUE;
    NlTable *t = nl_run_table(run, "d6-compare",
                              "step:int dw_ref:f64 dloss_ref:f64 dw_f32:f64 "
                              "dloss_f32:f64 dw_first:f64 dloss_first:f64");
    nl_table_set_title(t, "each backend's float32 run against the float64 "
                          "reference, the float32 host loops and the first "
                          "backend: one dataset per backend");
    nl_table_add_note(t, "dw_*",
                      "max over the weights of |w - w_other| at "
                      "that step; dloss_* = |loss - loss_other|");
    const NlTable *fw = nl_run_job_table(run, 0, "d6-weights");
    const NlTable *fl = nl_run_job_table(run, 0, "d6-loss");
    for (guint j = 0; j < jobs; j++) {
        const NlTable *bw = nl_run_job_table(run, j, "d6-weights");
        const NlTable *bl = nl_run_job_table(run, j, "d6-loss");
        g_autofree char *label =
            g_strdup_printf("backend %s", nl_run_job_label(run, j));
        nl_table_new_dataset(t, label);
        if (!bw || !bl || !fw || !fl || nl_table_n_rows(bw) != steps * m)
            return gd_fail(error, "D6: job %s has no complete weight table",
                           nl_run_job_label(run, j));
        for (guint s = 0; s < steps; s++) {
            double v[6];
            diff_step(bw, bl, rw, rl, s, m, &v[0], &v[1]);
            diff_step(bw, bl, hw, hl, s, m, &v[2], &v[3]);
            diff_step(bw, bl, fw, fl, s, m, &v[4], &v[5]);
            nl_table_add_int(t, s);
            for (int k = 0; k < 6; k++)
                nl_table_add_f64(t, v[k]);
        }
    }
    return TRUE;
}
