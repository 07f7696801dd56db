/* test-inside.c — the inside experiment (F1–F4) run by the built numlab
 * into a temporary folder, its numbers checked against a forward pass of
 * its own here: the model it saved (model.ckpt) run in double precision
 * with plain loops, so the F1 norms and words, the F2 attention weights
 * and the F3 distributions and entropies (with and without the blocks)
 * must agree within float32's error; F4's repeated runs must be one
 * continuation greedy and with one seed; the naive backend must repeat
 * the host's look inside bit for bit; and bad input is refused with one
 * line and no table. */
#include "config.h"

#include "test-util.h"

#include <math.h>
#include <string.h>

#include <numlab-minigpt/minigpt.h>

static char *dir;
static NlGpt *model;

static NlDat *dat(const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/inside/%s.dat", dir, name);
    return nl_dat_read(path);
}

/* ---- the forward pass in double -------------------------------------- */

typedef struct {
    gsize n, C, V, L, H;
    double *x0;     /* (n, C) */
    double *blocks; /* (L, n, C) */
    double *att;    /* (L, n, n) heads averaged, masked 0 */
    double *logits; /* (n, V) */
    double *skip;   /* (n, V) */
} Pass;

static void layernorm(const double *x, gsize n, gsize C, const float *g,
                      const float *b, double *y)
{
    for (gsize i = 0; i < n; i++) {
        double mean = 0, var = 0;
        for (gsize j = 0; j < C; j++)
            mean += x[i * C + j];
        mean /= C;
        for (gsize j = 0; j < C; j++)
            var += (x[i * C + j] - mean) * (x[i * C + j] - mean);
        double r = 1.0 / sqrt(var / C + 1e-5);
        for (gsize j = 0; j < C; j++)
            y[i * C + j] = (x[i * C + j] - mean) * r * g[j] + b[j];
    }
}

/* y (n, out) = x (n, in) · w (in, out) + bias */
static void linear(const double *x, gsize n, gsize in, gsize out,
                   const float *w, const float *bias, double *y)
{
    for (gsize i = 0; i < n; i++)
        for (gsize o = 0; o < out; o++) {
            double s = bias ? bias[o] : 0;
            for (gsize k = 0; k < in; k++)
                s += x[i * in + k] * w[k * out + o];
            y[i * out + o] = s;
        }
}

static Pass *forward(const guint32 *tok, gsize n)
{
    const NlGptConfig *c = &model->config;
    const NlGptWeights *w = &model->w;
    Pass *p = g_new0(Pass, 1);
    gsize C = c->d_model, V = c->vocab_size, L = c->n_layer, H = c->n_head;
    gsize hs = C / H;
    *p = (Pass){n, C, V, L, H};
    p->x0 = g_new(double, n *C);
    p->blocks = g_new(double, L *n *C);
    p->att = g_new0(double, L *n *n);
    p->logits = g_new(double, n *V);
    p->skip = g_new(double, n *V);
    g_autofree double *x = g_new(double, n *C);
    g_autofree double *h = g_new(double, n *C);
    g_autofree double *qkv = g_new(double, n * 3 * C);
    g_autofree double *y = g_new(double, n *C);
    g_autofree double *f = g_new(double, n * 4 * C);
    g_autofree double *a = g_new(double, n);
    for (gsize t = 0; t < n; t++)
        for (gsize j = 0; j < C; j++)
            x[t * C + j] = p->x0[t * C + j] =
                (double)w->wte[tok[t] * C + j] + w->wpe[t * C + j];
    for (gsize l = 0; l < L; l++) {
        layernorm(x, n, C, w->ln1_g + l * C, w->ln1_b + l * C, h);
        linear(h, n, C, 3 * C, w->w_qkv + l * C * 3 * C, w->b_qkv + l * 3 * C,
               qkv);
        for (gsize hd = 0; hd < H; hd++)
            for (gsize q = 0; q < n; q++) {
                double max = -INFINITY, sum = 0;
                for (gsize k = 0; k <= q; k++) {
                    double s = 0;
                    for (gsize j = 0; j < hs; j++)
                        s += qkv[q * 3 * C + hd * hs + j] *
                             qkv[k * 3 * C + C + hd * hs + j];
                    a[k] = s / sqrt((double)hs);
                    max = MAX(max, a[k]);
                }
                for (gsize k = 0; k <= q; k++)
                    sum += a[k] = exp(a[k] - max);
                for (gsize j = 0; j < hs; j++) {
                    double s = 0;
                    for (gsize k = 0; k <= q; k++)
                        s += a[k] / sum * qkv[k * 3 * C + 2 * C + hd * hs + j];
                    y[q * C + hd * hs + j] = s;
                }
                for (gsize k = 0; k <= q; k++)
                    p->att[(l * n + q) * n + k] += a[k] / sum / H;
            }
        linear(y, n, C, C, w->w_proj + l * C * C, w->b_proj + l * C, h);
        for (gsize i = 0; i < n * C; i++)
            x[i] += h[i];
        layernorm(x, n, C, w->ln2_g + l * C, w->ln2_b + l * C, h);
        linear(h, n, C, 4 * C, w->w_fc + l * C * 4 * C, w->b_fc + l * 4 * C, f);
        for (gsize i = 0; i < n * 4 * C; i++)
            f[i] =
                0.5 * f[i] *
                (1 + tanh(sqrt(2 / G_PI) * (f[i] + 0.044715 * pow(f[i], 3))));
        linear(f, n, 4 * C, C, w->w_fc2 + l * 4 * C * C, w->b_fc2 + l * C, h);
        for (gsize i = 0; i < n * C; i++)
            x[i] += h[i];
        memcpy(p->blocks + l * n * C, x, n * C * sizeof(double));
    }
    layernorm(x, n, C, w->lnf_g, w->lnf_b, h);
    linear(h, n, C, V, w->w_lm, NULL, p->logits);
    layernorm(p->x0, n, C, w->lnf_g, w->lnf_b, h);
    linear(h, n, C, V, w->w_lm, NULL, p->skip);
    return p;
}

static void pass_free(Pass *p)
{
    g_free(p->x0);
    g_free(p->blocks);
    g_free(p->att);
    g_free(p->logits);
    g_free(p->skip);
    g_free(p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Pass, pass_free)

static Pass *forward_text(const char *text)
{
    g_autofree guint32 *tok = NULL;
    gsize n;
    g_assert_true(
        nl_gpt_vocab_encode(model->vocab, text, FALSE, &tok, &n, NULL));
    return forward(tok, n);
}

/* softmax at T = 1 and its entropy in nats */
static double softmax(const double *z, gsize V, double *p)
{
    double max = z[0], sum = 0, h = 0;
    for (gsize v = 1; v < V; v++)
        max = MAX(max, z[v]);
    for (gsize v = 0; v < V; v++)
        sum += p[v] = exp(z[v] - max);
    for (gsize v = 0; v < V; v++)
        h -= (p[v] /= sum) > 0 ? p[v] * log(p[v]) : 0;
    return h;
}

static double norm(const double *x, gsize n)
{
    double s = 0;
    for (gsize i = 0; i < n; i++)
        s += x[i] * x[i];
    return sqrt(s);
}

static guint32 word_id(const char *word)
{
    for (guint v = 0; v < nl_gpt_vocab_size(model->vocab); v++)
        if (strcmp(nl_gpt_vocab_word(model->vocab, v), word) == 0)
            return v;
    g_error("'%s' is not a word of the model", word);
}

/* Within float32's error of a forward pass through two blocks. */
#define TOL 2e-4

static void test_f1(void)
{
    g_autoptr(Pass) p = forward_text("die katze");
    gsize C = p->C, V = p->V, n = p->n;
    g_autoptr(NlDat) e = dat("f1-embedding");
    g_assert_cmpuint(nl_dat_rows(e, 0), ==, 2);
    const char *words[] = {"die", "katze"};
    for (guint i = 0; i < 2; i++) {
        g_assert_cmpstr(nl_dat_cell(e, 0, i, 1), ==, words[i]);
        const float *te = model->w.wte + word_id(words[i]) * C;
        double s = 0;
        for (gsize j = 0; j < C; j++)
            s += (double)te[j] * te[j];
        g_assert_cmpfloat(fabs(nl_dat_double(e, 0, i, 2) - sqrt(s)), <, 1e-12);
        /* wte + wpe is a float32 sum there, a double one here */
        g_assert_cmpfloat(
            fabs(nl_dat_double(e, 0, i, 3) - norm(p->x0 + i * C, C)), <, 1e-6);
    }
    g_autoptr(NlDat) b = dat("f1-blocks");
    g_assert_cmpuint(nl_dat_rows(b, 0), ==, p->L + 1);
    g_assert_cmpfloat(
        fabs(nl_dat_double(b, 0, 0, 1) - norm(p->x0 + (n - 1) * C, C)), <,
        1e-6);
    for (gsize l = 0; l < p->L; l++)
        g_assert_cmpfloat(fabs(nl_dat_double(b, 0, l + 1, 1) -
                               norm(p->blocks + (l * n + n - 1) * C, C)),
                          <, TOL);
    g_autofree double *pr = g_new(double, V);
    double h = softmax(p->logits + (n - 1) * V, V, pr);
    g_autoptr(NlDat) t = dat("f1-top");
    g_assert_cmpuint(nl_dat_rows(t, 0), ==, 10);
    double last = INFINITY;
    for (guint r = 0; r < 10; r++) {
        guint32 v = word_id(nl_dat_cell(t, 0, r, 1));
        double logit = nl_dat_double(t, 0, r, 2);
        g_assert_cmpfloat(logit, <=, last); /* ranked */
        last = logit;
        g_assert_cmpfloat(fabs(logit - p->logits[(n - 1) * V + v]), <, TOL);
        g_assert_cmpfloat(fabs(nl_dat_double(t, 0, r, 3) - pr[v]), <, 1e-5);
        g_assert_cmpfloat(fabs(nl_dat_double(t, 0, r, 4) - h), <, 1e-5);
    }
    /* no word outside the ten has a larger logit than the tenth */
    guint in_top = 0;
    for (gsize v = 0; v < V; v++)
        if (p->logits[(n - 1) * V + v] > last + TOL)
            in_top++;
    g_assert_cmpuint(in_top, <=, 9);
}

static void test_f2(void)
{
    g_autoptr(Pass) p = forward_text("die katze sitzt auf");
    g_autoptr(NlDat) a = dat("f2-attention");
    g_assert_cmpuint(a->datasets->len, ==, p->L);
    for (gsize l = 0; l < p->L; l++) {
        g_assert_cmpuint(nl_dat_rows(a, l), ==, 16);
        for (guint r = 0; r < 16; r++) {
            guint q = (guint)nl_dat_double(a, l, r, 0);
            guint k = (guint)nl_dat_double(a, l, r, 1);
            double w = nl_dat_double(a, l, r, 2);
            if (k > q) {
                g_assert_true(isnan(w)); /* masked, not 0 */
                continue;
            }
            g_assert_cmpfloat(fabs(w - p->att[(l * 4 + q) * 4 + k]), <, 1e-5);
        }
    }
}

static void test_f3(void)
{
    g_autoptr(NlDat) e = dat("f3-entropy");
    g_autoptr(NlDat) t = dat("f3-top");
    g_assert_cmpuint(nl_dat_rows(e, 0), ==, 4);
    g_assert_cmpuint(t->datasets->len, ==, 4);
    const char *prompts[] = {"die katze", "das kind spielt"};
    for (guint i = 0; i < 2; i++) {
        g_autoptr(Pass) p = forward_text(prompts[i]);
        gsize V = p->V, n = p->n;
        for (guint with = 0; with < 2; with++) {
            guint row = 2 * i + with;
            g_autofree double *pr = g_new(double, V);
            double h =
                softmax((with ? p->logits : p->skip) + (n - 1) * V, V, pr);
            g_assert_cmpstr(nl_dat_cell(e, 0, row, 0), ==, prompts[i]);
            g_assert_cmpfloat(nl_dat_double(e, 0, row, 1), ==,
                              with ? (double)p->L : 0);
            g_assert_cmpfloat(fabs(nl_dat_double(e, 0, row, 2) - h), <, 1e-5);
            g_assert_cmpfloat(fabs(nl_dat_double(e, 0, row, 3) - h / log(2.0)),
                              <, 1e-5);
            for (guint r = 0; r < 8; r++) {
                guint32 v = word_id(nl_dat_cell(t, row, r, 3));
                g_assert_cmpfloat(fabs(nl_dat_double(t, row, r, 4) - pr[v]), <,
                                  1e-5);
            }
        }
        /* the blocks make the model surer, as the notebook says */
        g_assert_cmpfloat(nl_dat_double(e, 0, 2 * i + 1, 2), <,
                          nl_dat_double(e, 0, 2 * i, 2));
    }
}

/* The dataset index of backend `name` in the per-backend tables, from
 * backends.gp (backends = "a b c"). */
static guint dataset_of(const NlDat *d, const char *name)
{
    (void)d;
    g_autofree char *path = g_strdup_printf("%s/inside/backends.gp", dir);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_auto(GStrv) parts = g_strsplit(text, "\"", -1);
    g_assert_cmpuint(g_strv_length(parts), >=, 2);
    g_auto(GStrv) words = g_strsplit(parts[1], " ", -1);
    for (guint i = 0; words[i]; i++)
        if (strcmp(words[i], name) == 0)
            return i;
    g_error("no backend '%s' in backends.gp", name);
}

static void test_f4(void)
{
    g_autoptr(NlDat) d = dat("f4-distinct");
    g_autoptr(NlDat) r = dat("f4-runs");
    for (guint b = 0; b < d->datasets->len; b++) {
        g_assert_cmpuint(nl_dat_rows(d, b), ==, 6);
        for (guint i = 0; i < 6; i++) {
            const char *mode = nl_dat_cell(d, b, i, 1);
            double distinct = nl_dat_double(d, b, i, 3);
            g_assert_cmpfloat(nl_dat_double(d, b, i, 2), ==, 8);
            if (strcmp(mode, "sampled-new-seed") == 0)
                g_assert_cmpfloat(distinct, >, 1);
            else
                g_assert_cmpfloat(distinct, ==, 1);
        }
        /* the counts agree with the runs themselves */
        g_assert_cmpuint(nl_dat_rows(r, b), ==, 48);
        for (guint i = 0; i < 48; i++) {
            const char *first = nl_dat_cell(r, b, i - i % 8, 5);
            g_assert_cmpfloat(nl_dat_double(r, b, i, 4), ==,
                              strcmp(first, nl_dat_cell(r, b, i, 5)) == 0);
        }
    }
    /* the greedy continuation is the host model's greedy one: check its
     * first word against the double pass */
    guint nb = dataset_of(r, "naive");
    g_autoptr(Pass) p = forward_text("die katze");
    gsize V = p->V, best = 0;
    for (gsize v = 1; v < V; v++)
        best = p->logits[(p->n - 1) * V + v] > p->logits[(p->n - 1) * V + best]
                   ? v
                   : best;
    g_auto(GStrv) words = g_strsplit(nl_dat_cell(r, nb, 0, 5), " ", -1);
    g_assert_cmpstr(words[0], ==, nl_gpt_vocab_word(model->vocab, best));
}

/* The naive backend sums in the host loops' order: its look inside is the
 * host's bit for bit, and its products do not depend on the batch. */
static void test_naive_is_host(void)
{
    g_autoptr(NlDat) t = dat("trace-delta");
    guint nb = dataset_of(t, "naive");
    g_assert_cmpuint(nl_dat_rows(t, nb), ==, 4);
    for (guint i = 0; i < 4; i++) {
        g_assert_cmpfloat(nl_dat_double(t, nb, i, 1), ==, 0);
        g_assert_cmpfloat(nl_dat_double(t, nb, i, 2), >, 0);
    }
    g_autoptr(NlDat) l = dat("f4-layout");
    nb = dataset_of(l, "naive");
    for (guint i = 0; i < nl_dat_rows(l, nb); i++) {
        g_assert_cmpfloat(nl_dat_double(l, nb, i, 2), ==, 0);
        g_assert_cmpstr(nl_dat_cell(l, nb, i, 3), ==, nl_dat_cell(l, nb, i, 4));
    }
    /* every backend's logits within float32 noise of the host's */
    for (guint b = 0; b < t->datasets->len; b++)
        g_assert_cmpfloat(nl_dat_double(t, b, 2, 1), <, 1e-3);
}

static void expect_refused(const char *param, const char *needle)
{
    g_autofree char *out = g_build_filename(dir, "bad", NULL);
    g_autofree char *ckpt = g_build_filename(dir, "inside", "model.ckpt", NULL);
    g_autofree char *model_param = g_strdup_printf("model=%s", ckpt);
    g_autoptr(NlCmd) run =
        nl_test_numlab(NULL, "run", "inside", "-b", "naive", "-o", out, "-p",
                       model_param, "-p", param, NULL);
    if (run->status != 1 || nl_test_count_lines(run->err) != 1 ||
        !strstr(run->err, needle))
        g_error("-p %s: exit %d, stderr:\n%s", param, run->status, run->err);
    g_autofree char *exp_dir = g_build_filename(out, "inside", NULL);
    if (g_file_test(exp_dir, G_FILE_TEST_EXISTS)) {
        g_autoptr(GDir) d = g_dir_open(exp_dir, 0, NULL);
        g_assert_null(g_dir_read_name(d));
    }
}

static void test_bad_inputs(void)
{
    expect_refused("pipeline_prompt=die xyzzy",
                   "parameter 'pipeline_prompt': prompt 'die xyzzy'");
    expect_refused("attention_prompt=", "parameter 'attention_prompt'");
    expect_refused("skip_prompts=die katze|qqq", "parameter 'skip_prompts'");
    expect_refused("demo_prompts=die die die die die die die die die die die "
                   "die die die die die",
                   "fills the context");
    expect_refused("top=1000", "parameter 'top'");
    expect_refused("model=/nonexistent.ckpt", "parameter 'model'");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dir = nl_test_tmpdir();
    g_autoptr(NlCmd) run =
        nl_test_numlab(NULL, "run", "inside", "-b", "all", "-o", dir, NULL);
    if (run->status != 0)
        g_error("numlab run failed: %s", run->err);
    g_autofree char *ckpt = g_build_filename(dir, "inside", "model.ckpt", NULL);
    g_autoptr(GError) error = NULL;
    model = nl_gpt_load_file(ckpt, &error);
    g_assert_no_error(error);
    g_test_add_func("/inside/f1", test_f1);
    g_test_add_func("/inside/f2", test_f2);
    g_test_add_func("/inside/f3", test_f3);
    g_test_add_func("/inside/f4", test_f4);
    g_test_add_func("/inside/naive-is-host", test_naive_is_host);
    g_test_add_func("/inside/bad-inputs", test_bad_inputs);
    int rc = g_test_run();
    nl_gpt_free(model);
    nl_test_rmtree(dir);
    g_free(dir);
    return rc;
}
