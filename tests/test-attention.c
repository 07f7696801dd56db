/* test-attention.c — the attention experiment run by the built numlab
 * into a temporary folder, checked against the worked example by hand:
 * q = von = (1,2,1,0), k_j = x_j / 2, so q.k = 1.5, 2, 1.5, 2.5 and the
 * scores over sqrt(4) = 0.75, 1, 0.75, 1.25; weights, output and the
 * next-token probabilities recomputed here; and bad input (shapes that do
 * not fit, wrong entry counts, non-finite numbers) refused with one line
 * and no file. */
#include "config.h"

#include "test-util.h"

#include <math.h>
#include <string.h>

static char *dir;

static NlDat *dat(const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/attention/%s.dat", dir, name);
    return nl_dat_read(path);
}

static void test_example(void)
{
    const double dots[] = {1.5, 2, 1.5, 2.5};
    const double v[4][4] = {
        {1, 0, 0.5, 0.5}, {0, 1, 0, 0.5}, {0.5, 0.5, 0, 0}, {0, 0.5, 1.5, 0.5}};
    double a[4], z = 0, o[4] = {0, 0, 0, 0};
    for (int j = 0; j < 4; j++)
        z += exp(dots[j] / 2);
    g_autoptr(NlDat) s = dat("e-scores");
    g_assert_cmpuint(nl_dat_rows(s, 0), ==, 4);
    g_assert_cmpstr(nl_dat_cell(s, 0, 3, 1), ==, "Hauptstadt");
    double sum = 0;
    for (guint j = 0; j < 4; j++) {
        a[j] = exp(dots[j] / 2) / z;
        g_assert_cmpfloat(nl_dat_double(s, 0, j, 2), ==, dots[j]);
        g_assert_cmpfloat(nl_dat_double(s, 0, j, 3), ==, dots[j] / 2);
        g_assert_cmpfloat(fabs(nl_dat_double(s, 0, j, 4) - a[j]), <, 1e-15);
        sum += nl_dat_double(s, 0, j, 4);
        for (int i = 0; i < 4; i++)
            o[i] += a[j] * v[j][i];
    }
    g_assert_cmpfloat(fabs(sum - 1), <, 1e-15);
    g_autoptr(NlDat) out = dat("e-output");
    for (guint i = 0; i < 4; i++)
        g_assert_cmpfloat(fabs(nl_dat_double(out, 0, i, 1) - o[i]), <, 1e-15);
    const double wout[3][4] = {{1, 0.5, 1, 0.5}, {0, 1, 0, 1}, {1, 0, 1, 0}};
    double logit[3], zl = 0;
    for (int r = 0; r < 3; r++) {
        logit[r] = 0;
        for (int i = 0; i < 4; i++)
            logit[r] += wout[r][i] * o[i];
        zl += exp(logit[r]);
    }
    g_autoptr(NlDat) n = dat("e-next-token");
    g_assert_cmpstr(nl_dat_cell(n, 0, 0, 1), ==, "Frankreich");
    for (guint r = 0; r < 3; r++) {
        g_assert_cmpfloat(fabs(nl_dat_double(n, 0, r, 2) - logit[r]), <, 1e-14);
        g_assert_cmpfloat(fabs(nl_dat_double(n, 0, r, 3) - exp(logit[r]) / zl),
                          <, 1e-14);
    }
    /* rounded: Frankreich 44.0 %, Deutschland 28.3 %, Spanien 27.7 % */
    g_assert_cmpfloat(fabs(nl_dat_double(n, 0, 0, 3) - 0.4403), <, 1e-4);
}

/* Other matrices: a 4x2 W_Q and W_K give d_k = 2 and sqrt(2). */
static void test_shapes(void)
{
    g_autofree char *out = g_build_filename(dir, "shapes", NULL);
    g_autoptr(NlCmd) run = nl_test_numlab(NULL, "run", "attention", "-o", out,
                                          "-p", "w_q=1,0;0,1;0,0;0,0", "-p",
                                          "w_k=1,0;0,1;0,0;0,0", NULL);
    if (run->status != 0)
        g_error("%s", run->err);
    g_autofree char *path =
        g_build_filename(out, "attention", "e-scores.dat", NULL);
    g_autoptr(NlDat) s = nl_dat_read(path);
    /* von (1,2) . ist (0,2) = 4, over sqrt 2 */
    g_assert_cmpfloat(fabs(nl_dat_double(s, 0, 1, 3) - 4 / sqrt(2)), <, 1e-15);
}

static void expect_refused(const char *param, const char *needle)
{
    g_autofree char *out = g_build_filename(dir, "bad", NULL);
    g_autoptr(NlCmd) run =
        nl_test_numlab(NULL, "run", "attention", "-o", out, "-p", param, NULL);
    if (run->status != 1 || nl_test_count_lines(run->err) != 1 ||
        !strstr(run->err, needle))
        g_error("-p %s: exit %d, stderr:\n%s", param, run->status, run->err);
    g_autofree char *exp_dir = g_build_filename(out, "attention", NULL);
    if (g_file_test(exp_dir, G_FILE_TEST_EXISTS)) {
        g_autoptr(GDir) d = g_dir_open(exp_dir, 0, NULL);
        g_assert_null(g_dir_read_name(d));
    }
}

static void test_bad_inputs(void)
{
    expect_refused("vectors=2,0,1,1;0,2,0;1,1,0,0;0,1,3,1;1,2,1,0",
                   "row 2 has 3 entries, row 1 has 4");
    expect_refused("vectors=2,0,1,1;0,2,0,1", "2 rows, expected 5");
    expect_refused("vectors=2,0,1,1;0,2,0,1;1,1,0,0;0,1,3,1;1,2,nan,0",
                   "row 5, entry 3: 'nan' is not a finite number");
    expect_refused("w_q=1,0,0;0,1,0;0,0,1", "'w_q' is 3x3");
    expect_refused("w_k=1,0;0,1;0,0;0,0", "'w_k' has 2 columns, 'w_q' has 4");
    expect_refused("w_v=inf,0,0,0;0,1,0,0;0,0,1,0;0,0,0,1", "'w_v'");
    expect_refused("w_out=1,0.5,1;0,1,0;1,0,1", "'w_out' has 3 columns");
    expect_refused("w_out=1,0.5,1,0.5;0,1,0,1", "2 rows, expected 3");
    expect_refused("query=Rom", "'query'");
    expect_refused("keys=Paris,Berlin", "'keys'");
    expect_refused("tokens=Paris,ist,ist,Hauptstadt,von", "twice");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dir = nl_test_tmpdir();
    g_autoptr(NlCmd) run =
        nl_test_numlab(NULL, "run", "attention", "-o", dir, NULL);
    if (run->status != 0)
        g_error("numlab run failed: %s", run->err);
    g_test_add_func("/attention/example", test_example);
    g_test_add_func("/attention/shapes", test_shapes);
    g_test_add_func("/attention/bad-inputs", test_bad_inputs);
    int rc = g_test_run();
    nl_test_rmtree(dir);
    g_free(dir);
    return rc;
}
