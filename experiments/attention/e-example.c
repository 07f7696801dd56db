/* e-example.c — figure E: one attention head worked through, then the
 * next-token step.
 *
 * q = x_query W_Q, k_j = x_j W_K, v_j = x_j W_V (row vector times
 * matrix), score_j = q·k_j / √d_k, α = softmax(scores), o = Σ α_j v_j,
 * logits = W_out o, p = softmax(logits). All double; the softmax is
 * libnumlab's (max subtracted). */
#include "config.h"

#include "attention.h"

#include <math.h>

/* What the lecture script prints for its example (shared/lecture/
 * lecture-script.txt; doc/errata.md): the weights α (lines 772-776), the
 * output vector o (line 807, its 0.339 is E12), the logits (lines
 * 933-937, E19, E20) and the probabilities (line 958). A table carries
 * them in its `lecture` column only for the lecture's own parameters,
 * NaN otherwise, so a figure can flag where the two differ. */
static const double lecture_alpha[] = {0.203, 0.260, 0.203, 0.334};
static const double lecture_o[] = {0.304, 0.529, 0.603, 0.339};
static const double lecture_logit[] = {1.372, 0.928, 0.907};
static const double lecture_p[] = {0.44, 0.28, 0.28};

static double lecture(const AttnConfig *c, const double *printed, gsize n,
                      gsize i)
{
    return c->lecture && i < n ? printed[i] : NAN;
}

/* out (cols) = row (m->rows) times m. */
static void row_times(const double *row, const AttnMatrix *m, double *out)
{
    for (gsize j = 0; j < m->cols; j++) {
        out[j] = 0;
        for (gsize i = 0; i < m->rows; i++)
            out[j] += row[i] * m->v[i * m->cols + j];
    }
}

static double dot(const double *a, const double *b, gsize n)
{
    double s = 0;
    for (gsize i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static void emit_vector(NlTable *t, const char *token, const char *kind,
                        const double *v, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        nl_table_add_str(t, token);
        nl_table_add_str(t, kind);
        nl_table_add_int(t, (gint64)i + 1);
        nl_table_add_f64(t, v[i]);
    }
}

/* Next-token logits W_out o and their softmax. */
static gboolean next_token(NlRun *run, const AttnConfig *c, const double *o,
                           GError **error)
{
    g_autofree double *logit = g_new(double, c->no);
    g_autofree double *p = g_new(double, c->no);
    for (gsize r = 0; r < c->no; r++)
        logit[r] = dot(c->wout.v + r * c->wout.cols, o, c->wout.cols);
    if (!nl_sample_softmax(logit, c->no, 1.0, p, error)) {
        g_prefix_error(error, "the next-token logits from 'vectors' and "
                              "'w_out': ");
        return FALSE;
    }
    NlTable *t = nl_run_table(run, "e-next-token",
                              "index:int token:str logit:f64 p:f64 "
                              "lecture_logit:f64 lecture_p:f64");
    nl_table_set_title(t, "next-token logits W_out o and probabilities");
    nl_table_add_note(t, "lecture",
                      "lecture_logit, lecture_p: what the lecture script "
                      "prints for its example (NaN for other parameters)");
    for (gsize r = 0; r < c->no; r++) {
        nl_table_add_int(t, (gint64)r);
        nl_table_add_str(t, c->out_tokens[r]);
        nl_table_add_f64(t, logit[r]);
        nl_table_add_f64(t, p[r]);
        nl_table_add_f64(
            t, lecture(c, lecture_logit, G_N_ELEMENTS(lecture_logit), r));
        nl_table_add_f64(t, lecture(c, lecture_p, G_N_ELEMENTS(lecture_p), r));
    }
    return TRUE;
}

gboolean attn_example(NlRun *run, const AttnConfig *c, GError **error)
{
    gsize dk = c->wq.cols, dv = c->wv.cols, nk = c->nk;
    double scale = sqrt((double)dk);
    g_autofree double *q = g_new(double, dk);
    g_autofree double *k = g_new(double, nk *dk);
    g_autofree double *v = g_new(double, nk *dv);
    g_autofree double *dots = g_new(double, nk);
    g_autofree double *score = g_new(double, nk);
    g_autofree double *alpha = g_new(double, nk);
    g_autofree double *o = g_new0(double, dv);
    const char *qtok = c->tokens[c->query];
    NlTable *vt = nl_run_table(run, "e-vectors",
                               "token:str kind:str component:int value:f64");
    nl_table_set_title(vt, "q of the query token, k and v of each key token");
    row_times(c->x.v + c->query * c->x.cols, &c->wq, q);
    emit_vector(vt, qtok, "q", q, dk);
    for (gsize j = 0; j < nk; j++) {
        const double *x = c->x.v + c->keys[j] * c->x.cols;
        row_times(x, &c->wk, k + j * dk);
        row_times(x, &c->wv, v + j * dv);
        emit_vector(vt, c->tokens[c->keys[j]], "k", k + j * dk, dk);
        emit_vector(vt, c->tokens[c->keys[j]], "v", v + j * dv, dv);
        dots[j] = dot(q, k + j * dk, dk);
        score[j] = dots[j] / scale;
    }
    if (!nl_sample_softmax(score, nk, 1.0, alpha, error)) {
        g_prefix_error(error, "the attention scores q·k/√d from 'vectors', "
                              "'w_q' and 'w_k': ");
        return FALSE;
    }
    NlTable *st = nl_run_table(run, "e-scores",
                               "index:int token:str dot:f64 score:f64 "
                               "alpha:f64 lecture_alpha:f64");
    nl_table_set_title(st, "the query against each key: q.k, q.k / sqrt(d_k) "
                           "and the softmax weight alpha");
    g_autofree char *qnote = g_strdup_printf(
        "%s; d_k = %" G_GSIZE_FORMAT ", sqrt(d_k) = %.17g", qtok, dk, scale);
    nl_table_add_note(st, "query", qnote);
    for (gsize j = 0; j < nk; j++) {
        nl_table_add_int(st, (gint64)j);
        nl_table_add_str(st, c->tokens[c->keys[j]]);
        nl_table_add_f64(st, dots[j]);
        nl_table_add_f64(st, score[j]);
        nl_table_add_f64(st, alpha[j]);
        nl_table_add_f64(
            st, lecture(c, lecture_alpha, G_N_ELEMENTS(lecture_alpha), j));
        for (gsize i = 0; i < dv; i++)
            o[i] += alpha[j] * v[j * dv + i];
    }
    NlTable *ot =
        nl_run_table(run, "e-output", "component:int o:f64 lecture_o:f64");
    nl_table_set_title(ot, "the output vector o = sum_j alpha_j v_j");
    nl_table_add_note(ot, "lecture",
                      "lecture_o: what the lecture script prints for its "
                      "example (NaN for other parameters)");
    for (gsize i = 0; i < dv; i++) {
        nl_table_add_int(ot, (gint64)i + 1);
        nl_table_add_f64(ot, o[i]);
        nl_table_add_f64(ot, lecture(c, lecture_o, G_N_ELEMENTS(lecture_o), i));
    }
    return next_token(run, c, o, error);
}
