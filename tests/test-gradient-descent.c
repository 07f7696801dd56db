/* test-gradient-descent.c — the gradient-descent experiment run by the
 * built numlab into a temporary folder, its numbers checked against values
 * derived by hand or in closed form here: D1's first step, D2's error
 * factors, D3's paths on their landscape, D4's softmax by hand, D5's
 * w_t = y/x + (w0 − y/x)(1 − lr x²)^t, D6's float32 runs near the float64
 * reference with every loss falling; and bad input refused with one line
 * and no file. */
#include "config.h"

#include "test-util.h"

#include <numlab/precision.h>

#include <math.h>
#include <string.h>

static char *dir;

static NlDat *dat(const char *name)
{
    g_autofree char *path =
        g_strdup_printf("%s/gradient-descent/%s.dat", dir, name);
    return nl_dat_read(path);
}

/* The dataset index of the naive backend, from backends.gp. */
static gint naive_dataset(void)
{
    g_autofree char *path =
        g_strdup_printf("%s/gradient-descent/backends.gp", dir);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    /* backends = "a b c" */
    g_auto(GStrv) parts = g_strsplit(text, "\"", -1);
    g_assert_cmpuint(g_strv_length(parts), >=, 2);
    g_auto(GStrv) words = g_strsplit(parts[1], " ", -1);
    for (gint i = 0; words[i]; i++)
        if (strcmp(words[i], "naive") == 0)
            return i;
    return -1;
}

static void test_d1(void)
{
    g_autoptr(NlDat) d = dat("d1-iterations");
    g_assert_cmpuint(nl_dat_rows(d, 0), ==, 11); /* start + 10 updates */
    /* start: zhat = 1 + 2 + 1 + 0 = 4, error 3.5, loss 6.125 */
    g_assert_cmpfloat(nl_dat_double(d, 0, 0, 1), ==, 4.0);
    g_assert_cmpfloat(nl_dat_double(d, 0, 0, 2), ==, 3.5);
    g_assert_cmpfloat(nl_dat_double(d, 0, 0, 3), ==, 6.125);
    /* after one step: w -= 0.1 * 3.5 * x = 0.65, 0.3, 0.65, 1 */
    const double w1[] = {0.65, 0.3, 0.65, 1.0};
    for (int k = 0; k < 4; k++)
        g_assert_cmpfloat(fabs(nl_dat_double(d, 0, 1, 4 + k) - w1[k]), <,
                          1e-15);
    /* zhat = 0.65 + 0.6 + 0.65 = 1.9; the error shrinks by 1 - 0.1*6 = 0.4 */
    g_assert_cmpfloat(fabs(nl_dat_double(d, 0, 1, 1) - 1.9), <, 1e-15);
    for (guint t = 0; t <= 10; t++)
        g_assert_cmpfloat(fabs(nl_dat_double(d, 0, t, 2) - 3.5 * pow(0.4, t)),
                          <, 1e-14);

    /* the lecture's table as printed, beside it: every cell but two
     * rounds to what numlab computes (E38, E39 of doc/errata.md) */
    g_autoptr(NlDat) l = dat("d1-lecture");
    g_assert_cmpuint(nl_dat_rows(l, 0), ==, 6);
    guint differ = 0;
    for (guint r = 0; r < 6; r++)
        for (guint c = 1; c <= 6; c++) {
            const char *printed = nl_dat_cell(l, 0, r, c);
            const char *point = strchr(printed, '.');
            int digits = point ? (int)strlen(point + 1) : 0;
            double v = nl_dat_double(d, 0, r, c == 1 ? 1 : c == 2 ? 2 : c + 1);
            g_autofree char *ours = g_strdup_printf("%.*f", digits, v);
            g_autofree char *theirs =
                g_strdup_printf("%.*f", digits, g_ascii_strtod(printed, NULL));
            if (strcmp(ours, theirs) != 0) {
                differ++;
                g_assert_true((r == 4 && c == 2) || (r == 5 && c == 4));
            }
        }
    g_assert_cmpuint(differ, ==, 2);
}

static void test_d2_d3(void)
{
    g_autoptr(NlDat) s = dat("d2-summary");
    const char *kinds[] = {"slow", "good", "overshooting", "diverging"};
    const double lrs[] = {0.02, 0.1, 0.3, 0.4};
    for (guint r = 0; r < 4; r++) {
        g_assert_cmpstr(nl_dat_cell(s, 0, r, 2), ==, kinds[r]);
        g_assert_cmpfloat(fabs(nl_dat_double(s, 0, r, 1) - (1 - 6 * lrs[r])), <,
                          1e-15);
    }
    g_autoptr(NlDat) d = dat("d2-rates");
    g_assert_cmpuint(d->datasets->len, ==, 4);
    guint last = nl_dat_rows(d, 3) - 1;
    g_assert_cmpfloat(fabs(nl_dat_double(d, 3, last, 2)), >, 100 * 3.5);
    g_assert_cmpfloat(fabs(nl_dat_double(d, 2, 20, 2)), <,
                      3.5 * pow(0.8, 20) * 1.000001);
    /* D3: every path point's loss is the landscape's formula; both end
     * near the valley w11 + 2 w22 = 0.5 - 1 */
    g_autoptr(NlDat) p = dat("d3-path");
    g_assert_cmpuint(p->datasets->len, ==, 2);
    for (guint k = 0; k < 2; k++) {
        guint n = nl_dat_rows(p, k);
        for (guint r = 0; r < n; r++) {
            double e = nl_dat_double(p, k, r, 1) +
                       2 * nl_dat_double(p, k, r, 2) + 1 - 0.5;
            g_assert_cmpfloat(fabs(nl_dat_double(p, k, r, 3) - 0.5 * e * e), <,
                              1e-12);
        }
        g_assert_cmpfloat(nl_dat_double(p, k, n - 1, 3), <, 1e-2);
    }
    g_autoptr(NlDat) g = dat("d3-landscape");
    g_assert_cmpuint(g->datasets->len, ==, 121);
    g_assert_cmpuint(nl_dat_rows(g, 60), ==, 121);
}

/* d4-lecture: the lecture's three wrong numbers for its examples, each
 * unlike D4's own value at the printed precision. */
static void test_d4_lecture(void)
{
    g_autoptr(NlDat) l = dat("d4-lecture");
    g_autoptr(NlDat) g = dat("d4-gradient");
    g_autoptr(NlDat) loss = dat("d4-loss");
    g_assert_cmpuint(nl_dat_rows(l, 0), ==, 3);
    for (guint r = 0; r < 3; r++) {
        guint c = (guint)nl_dat_double(l, 0, r, 0);
        const char *printed = nl_dat_cell(l, 0, r, 4);
        double ours = NAN;
        if (strcmp(nl_dat_cell(l, 0, r, 1), "loss") == 0) {
            ours = nl_dat_double(loss, 0, c - 1, 3);
        } else {
            guint i = (guint)nl_dat_double(l, 0, r, 2);
            guint j = (guint)nl_dat_double(l, 0, r, 3);
            for (guint k = 0; k < nl_dat_rows(g, c - 1); k++)
                if (nl_dat_double(g, c - 1, k, 0) == i &&
                    nl_dat_double(g, c - 1, k, 1) == j)
                    ours = nl_dat_double(g, c - 1, k, 2);
        }
        g_assert_false(isnan(ours));
        int decimals = (int)strlen(strchr(printed, '.') + 1);
        g_autofree char *ours_printed = g_strdup_printf("%.*f", decimals, ours);
        g_assert_cmpstr(ours_printed, !=, printed);
    }
}

static void test_d4(void)
{
    /* case 1 by hand: z = 2, 1, 0.1, target class 1 (the first) */
    double e[3] = {exp(2.0), exp(1.0), exp(0.1)}, z = e[0] + e[1] + e[2];
    const double x[2] = {1.5, 0.5};
    g_autoptr(NlDat) s = dat("d4-softmax");
    g_autoptr(NlDat) g = dat("d4-gradient");
    for (guint i = 0; i < 3; i++) {
        double p = e[i] / z, y = i == 0;
        g_assert_cmpfloat(fabs(nl_dat_double(s, 0, i, 2) - p), <, 1e-15);
        g_assert_cmpfloat(fabs(nl_dat_double(s, 0, i, 4) - (p - y)), <, 1e-15);
        for (guint j = 0; j < 2; j++)
            g_assert_cmpfloat(
                fabs(nl_dat_double(g, 0, i * 2 + j, 2) - (p - y) * x[j]), <,
                1e-15);
    }
    /* 0.659 and 0.417, the textbook values */
    g_assert_cmpfloat(fabs(e[0] / z - 0.6590), <, 1e-4);
    g_autoptr(NlDat) l = dat("d4-loss");
    g_assert_cmpfloat(fabs(nl_dat_double(l, 0, 0, 3) - log(z / e[0])), <,
                      1e-15);
    /* case 2: 4 classes x 3 inputs; p - y sums to 0 */
    g_assert_cmpuint(nl_dat_rows(s, 1), ==, 4);
    g_assert_cmpuint(nl_dat_rows(g, 1), ==, 12);
    double sum = 0;
    for (guint i = 0; i < 4; i++)
        sum += nl_dat_double(s, 1, i, 4);
    g_assert_cmpfloat(fabs(sum), <, 1e-15);
    const double z2[4] = {3.52, 2.37, 1.185, 0.07};
    double z2s = 0;
    for (int i = 0; i < 4; i++)
        z2s += exp(z2[i]);
    g_assert_cmpfloat(fabs(nl_dat_double(l, 0, 1, 3) - log(z2s / exp(3.52))), <,
                      1e-14);
}

static void test_d5(void)
{
    g_autoptr(NlDat) d = dat("d5-regression");
    g_assert_cmpuint(nl_dat_rows(d, 0), ==, 26);
    for (guint t = 0; t <= 25; t++) {
        double w = 2 + (0.5 - 2) * pow(1 - 0.1 * 4, t);
        g_assert_cmpfloat(fabs(nl_dat_double(d, 0, t, 1) - w), <, 1e-14);
    }
}

static void test_d6(void)
{
    /* float32 host loops against the float64 reference: within 1e-5 */
    g_autoptr(NlDat) h = dat("d6-host");
    g_assert_cmpuint(nl_dat_rows(h, 0), ==, 51);
    for (guint t = 0; t < 51; t++) {
        g_assert_cmpfloat(nl_dat_double(h, 0, t, 1), <, 1e-5);
        g_assert_cmpfloat(nl_dat_double(h, 0, t, 2), <, 1e-5);
    }
    /* every backend: the loss falls from log 3 and ends well below */
    g_autoptr(NlDat) l = dat("d6-loss");
    g_assert_cmpuint(l->datasets->len, >=, 1);
    for (guint k = 0; k < l->datasets->len; k++) {
        g_assert_cmpfloat(fabs(nl_dat_double(l, k, 0, 1) - log(3.0)), <, 1e-6);
        for (guint t = 1; t < 51; t++)
            g_assert_cmpfloat(nl_dat_double(l, k, t, 1), <,
                              nl_dat_double(l, k, t - 1, 1));
        g_assert_cmpfloat(nl_dat_double(l, k, 50, 1), <, 0.5);
    }
    /* the naive backend sums in the host loops' order: the same bits */
    g_autoptr(NlDat) c = dat("d6-compare");
    g_assert_cmpuint(c->datasets->len, ==, l->datasets->len);
    for (guint k = 0; k < c->datasets->len; k++)
        for (guint t = 0; t < 51; t++)
            g_assert_cmpfloat(nl_dat_double(c, k, t, 1), <, 1e-5);
    gint naive = naive_dataset();
    g_assert_cmpint(naive, >=, 0);
    for (guint t = 0; t < 51; t++)
        g_assert_cmpfloat(nl_dat_double(c, (guint)naive, t, 3), ==, 0);
}

/* D6 in bfloat16: the pure run's weights are bfloat16 values, the mixed
 * run's float32 masters are not; each precision drifts from float64 by
 * its own order of magnitude (float32 about 1e-7, bfloat16 with float32
 * masters about 1e-3, pure bfloat16 about 1e-2, on these weights of about
 * 1), and every run still learns. */
static void test_d6_precision(void)
{
    g_autoptr(NlDat) p = dat("d6-precision");
    g_assert_cmpuint(p->datasets->len, ==, 3);
    double last[3];
    for (guint k = 0; k < 3; k++) {
        g_assert_cmpuint(nl_dat_rows(p, k), ==, 51);
        g_assert_cmpfloat(fabs(nl_dat_double(p, k, 0, 1) - log(3.0)), <, 1e-6);
        g_assert_cmpfloat(nl_dat_double(p, k, 50, 1), <, 0.5);
        last[k] = nl_dat_double(p, k, 50, 2);
    }
    g_assert_cmpfloat(last[0], <, 1e-5);
    g_assert_cmpfloat(last[1], >, 100 * last[0]);
    g_assert_cmpfloat(last[2], >, 3 * last[1]);
    g_assert_cmpfloat(last[2], <, 0.1);
    g_autoptr(NlDat) pure = dat("d6-bf16-pure-weights");
    g_autoptr(NlDat) mixed = dat("d6-bf16-mixed-weights");
    gboolean mixed_only_bf16 = TRUE;
    for (guint r = 0; r < nl_dat_rows(pure, 0); r++) {
        float w = (float)nl_dat_double(pure, 0, r, 2);
        g_assert_cmpfloat(w, ==, nl_bf16_to_f32(nl_bf16_from_f32(w)));
        float v = (float)nl_dat_double(mixed, 0, r, 2);
        mixed_only_bf16 &= v == nl_bf16_to_f32(nl_bf16_from_f32(v));
    }
    g_assert_false(mixed_only_bf16);
}

/* A bad input: one line on stderr, exit status 1, no file. */
static void expect_refused(const char *param, const char *needle)
{
    g_autofree char *out = g_build_filename(dir, "bad", NULL);
    g_autoptr(NlCmd) run =
        nl_test_numlab(NULL, "run", "gradient-descent", "-b", "naive", "-o",
                       out, "-p", param, NULL);
    if (run->status != 1 || nl_test_count_lines(run->err) != 1 ||
        !strstr(run->err, needle))
        g_error("-p %s: exit %d, stderr:\n%s", param, run->status, run->err);
    g_autofree char *exp_dir = g_build_filename(out, "gradient-descent", NULL);
    if (g_file_test(exp_dir, G_FILE_TEST_EXISTS)) {
        g_autoptr(GDir) d = g_dir_open(exp_dir, 0, NULL);
        g_assert_null(g_dir_read_name(d));
    }
}

/* Accepted inputs far from the lecture's: the loss is finite where a
 * probability underflows (log-sum-exp), a diverging D1 stops before the
 * double range ends and says so, and D3's paths out of range are refused. */
static void test_extremes(void)
{
    g_autofree char *out = g_build_filename(dir, "extreme", NULL);
    g_autoptr(NlCmd) run =
        nl_test_numlab(NULL, "run", "gradient-descent", "-b", "naive", "-o",
                       out, "-p", "d4_z=800,0,-800", "-p", "d4_target=3", "-p",
                       "lr=10", "-p", "iterations=400", "-p", "d6_lr=50", NULL);
    if (run->status != 0)
        g_error("numlab run failed: %s", run->err);
    g_autofree char *loss_path =
        g_build_filename(out, "gradient-descent", "d4-loss.dat", NULL);
    g_autoptr(NlDat) l = nl_dat_read(loss_path);
    g_assert_cmpfloat(nl_dat_double(l, 0, 0, 3), ==,
                      1600.0); /* p_target = e^-1600 */
    g_autofree char *d1_path =
        g_build_filename(out, "gradient-descent", "d1-iterations.dat", NULL);
    g_autoptr(NlDat) d1 = nl_dat_read(d1_path);
    g_assert_nonnull(nl_dat_comment(d1, "stopped: iteration "));
    /* not the lecture's example: no lecture table */
    g_autofree char *lecture_path =
        g_build_filename(out, "gradient-descent", "d1-lecture.dat", NULL);
    g_autoptr(NlDat) lecture = nl_dat_read(lecture_path);
    g_assert_cmpuint(nl_dat_rows(lecture, 0), ==, 1); /* an empty table */
    g_assert_cmpstr(nl_dat_cell(lecture, 0, 0, 0), ==, "NaN");
    for (guint r = 0; r < nl_dat_rows(d1, 0); r++)
        g_assert_true(isfinite(nl_dat_double(d1, 0, r, 3)));
    g_autofree char *f32_path =
        g_build_filename(out, "gradient-descent", "d6-f32-loss.dat", NULL);
    g_autoptr(NlDat) f32 = nl_dat_read(f32_path);
    for (guint r = 0; r < nl_dat_rows(f32, 0); r++)
        g_assert_true(isfinite(nl_dat_double(f32, 0, r, 1)));
    expect_refused("x=1e200,1e200,1,0",
                   "D3: the descent paths leave double's range");
}

static void test_bad_inputs(void)
{
    expect_refused("lr=0", "'lr'");
    expect_refused("lr=-0.1", "'lr'");
    expect_refused("lr=nan", "'lr'");
    expect_refused("lr=inf", "'lr'");
    expect_refused("d5_lr=0", "'d5_lr'");
    expect_refused("d6_lr=-1", "'d6_lr'");
    expect_refused("d4_lr=nan", "'d4_lr'");
    expect_refused("d2_lrs=0.1,0", "'d2_lrs'");
    expect_refused("d2_lrs=0.1,nan", "'d2_lrs'");
    expect_refused("d3_lrs=inf", "'d3_lrs'");
    expect_refused("w0=1,1,1", "has 3 entries, expected 4");
    expect_refused("x=1,2,x,0", "entry 3: 'x' is not a number");
    expect_refused("x=", "'x': the list is empty");
    expect_refused("x=1", "parameter 'x': has 1 entry, expected at least 2");
    expect_refused("d2_lrs=0.1,-0.1",
                   "parameter 'd2_lrs': entry 2: -0.1 is not > 0");
    expect_refused("lr=0", "parameter 'lr': 0 is not > 0");
    expect_refused("d4_target=4", "'d4_target'");
    expect_refused("d4b_target=0", "'d4b_target'");
    expect_refused("d4_z=1", "'d4_z'");
    expect_refused("d4b_x=1,,2", "'d4b_x'");
    expect_refused("d6_steps=100000", "weight rows per table");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dir = nl_test_tmpdir();
    g_autoptr(NlCmd) run = nl_test_numlab(NULL, "run", "gradient-descent", "-b",
                                          "all", "-o", dir, NULL);
    if (run->status != 0)
        g_error("numlab run failed: %s", run->err);
    g_test_add_func("/gradient-descent/d1", test_d1);
    g_test_add_func("/gradient-descent/d2-d3", test_d2_d3);
    g_test_add_func("/gradient-descent/d4", test_d4);
    g_test_add_func("/gradient-descent/d4-lecture", test_d4_lecture);
    g_test_add_func("/gradient-descent/d5", test_d5);
    g_test_add_func("/gradient-descent/d6", test_d6);
    g_test_add_func("/gradient-descent/d6-precision", test_d6_precision);
    g_test_add_func("/gradient-descent/bad-inputs", test_bad_inputs);
    g_test_add_func("/gradient-descent/extremes", test_extremes);
    int rc = g_test_run();
    nl_test_rmtree(dir);
    g_free(dir);
    return rc;
}
