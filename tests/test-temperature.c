/* test-temperature.c — the temperature experiment run by the built numlab
 * into a temporary folder, its numbers checked against computations made
 * here: the T = 1 softmax of the lecture's logits in plain double math,
 * p_max falling and entropy rising with T, B3's counts adding up and its
 * seeded stream matching the histogram, B5's identical/varying claims; and
 * every kind of bad input refused with one line and no file. */
#include "config.h"

#include "test-util.h"

#include <numlab/numlab.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static char *dir;

static NlDat *dat(const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/temperature/%s.dat", dir, name);
    return nl_dat_read(path);
}

static void test_b1_softmax(void)
{
    g_autoptr(NlDat) d = dat("b1-softmax");
    const double logits[] = {2.4, 1.2, 0.3, 2.0, 0.1, -0.5};
    double z = 0;
    for (int i = 0; i < 6; i++)
        z += exp(logits[i]);
    g_assert_cmpuint(nl_dat_rows(d, 0), ==, 6);
    for (guint i = 0; i < 6; i++) {
        double want = exp(logits[i]) / z;
        g_assert_cmpfloat(fabs(nl_dat_double(d, 0, i, 4) - want), <, 1e-15);
    }
    g_assert_cmpstr(nl_dat_cell(d, 0, 0, 1), ==, "Paris");
    g_assert_cmpstr(nl_dat_cell(d, 0, 5, 1), ==, "<EOS>");
    /* by hand: e^2.4 / sum = 0.4446 (the lecture's 44 %) */
    g_assert_cmpfloat(fabs(nl_dat_double(d, 0, 0, 4) - 0.44459), <, 1e-5);

    /* every backend within a few ulps of the double reference */
    g_autoptr(NlDat) b = dat("b1-backends");
    for (guint k = 0; k < b->datasets->len; k++)
        for (guint i = 0; i < 6; i++)
            g_assert_cmpfloat(fabs(nl_dat_double(b, k, i, 5)), <=, 4);
}

static void test_b2_monotone(void)
{
    g_autoptr(NlDat) d = dat("b2-sweep");
    guint rows = nl_dat_rows(d, 0);
    g_assert_cmpuint(rows, ==, 100); /* 0.05:5:0.05 */
    g_assert_cmpfloat(fabs(nl_dat_double(d, 0, rows - 1, 0) - 5.0), <, 1e-12);
    for (guint r = 1; r < rows; r++) {
        g_assert_cmpfloat(nl_dat_double(d, 0, r, 1), <,
                          nl_dat_double(d, 0, r - 1, 1));
        g_assert_cmpfloat(nl_dat_double(d, 0, r, 3), >,
                          nl_dat_double(d, 0, r - 1, 3));
        g_assert_cmpfloat(nl_dat_double(d, 0, r, 3), <, log2(6.0));
    }
    g_autoptr(NlDat) t = dat("b2-table");
    g_assert_cmpuint(nl_dat_rows(t, 0), ==, 4);
    /* T = 2: p = exp(l/2) / sum exp(l/2), computed here */
    const double logits[] = {2.4, 1.2, 0.3, 2.0, 0.1, -0.5};
    double z = 0, h = 0;
    for (int i = 0; i < 6; i++)
        z += exp(logits[i] / 2);
    for (int i = 0; i < 6; i++) {
        double p = exp(logits[i] / 2) / z;
        h -= p * log2(p);
    }
    g_assert_cmpfloat(nl_dat_double(t, 0, 3, 0), ==, 2.0);
    g_assert_cmpfloat(fabs(nl_dat_double(t, 0, 3, 1) - exp(1.2) / z), <, 1e-14);
    g_assert_cmpfloat(fabs(nl_dat_double(t, 0, 3, 3) - h), <, 1e-13);
}

static void test_b3_draws(void)
{
    g_autoptr(NlDat) d = dat("b3-frequencies");
    gint64 total = 0;
    for (guint i = 0; i < 6; i++)
        total += (gint64)nl_dat_double(d, 0, i, 3);
    g_assert_cmpint(total, ==, 3000);
    const char *tv = nl_dat_comment(d, "tv: ");
    g_assert_nonnull(tv);
    double tv_hist = g_ascii_strtod(tv + 4, NULL);
    /* the seed's stream passes through the histogram at 3000 draws */
    g_autoptr(NlDat) c = dat("b3-convergence");
    gboolean seen = FALSE;
    for (guint r = 0; r < nl_dat_rows(c, 0); r++)
        if (nl_dat_double(c, 0, r, 0) == 3000) {
            g_assert_cmpfloat(nl_dat_double(c, 0, r, 5), ==, tv_hist);
            seen = TRUE;
        }
    g_assert_true(seen);
    /* 10^6 draws: the mean distance is within 50 % of the expectation */
    guint last = nl_dat_rows(c, 0) - 1;
    g_assert_cmpfloat(nl_dat_double(c, 0, last, 0), ==, 1e6);
    double mean = nl_dat_double(c, 0, last, 1),
           want = nl_dat_double(c, 0, last, 4);
    g_assert_cmpfloat(fabs(mean - want), <, 0.5 * want);
    g_assert_cmpfloat(mean, <, nl_dat_double(c, 0, 0, 1) / 100);
}

static void test_b4_b5(void)
{
    g_autoptr(NlDat) s = dat("b4-summary");
    for (guint r = 0; r < 3; r++) {
        g_assert_cmpstr(nl_dat_cell(s, 0, r, 1), ==, "Frankreich");
        g_assert_cmpstr(nl_dat_cell(s, 0, r, 3), ==, "Paris");
        /* the tally of 10,000 draws within 4 standard deviations of the
         * probabilities, so that the temperature's effect shows in it */
        double n = nl_dat_double(s, 0, r, 8);
        g_assert_cmpfloat(n, ==, 10000);
        for (guint k = 0; k < 2; k++) {
            double p = nl_dat_double(s, 0, r, k ? 4 : 2);
            double got = nl_dat_double(s, 0, r, k ? 10 : 9) / n;
            g_assert_cmpfloat(fabs(got - p), <, 4 * sqrt(p * (1 - p) / n));
        }
    }
    /* the argmax's share falls as the temperature rises */
    g_assert_cmpfloat(nl_dat_double(s, 0, 0, 9), >, nl_dat_double(s, 0, 1, 9));
    g_assert_cmpfloat(nl_dat_double(s, 0, 1, 9), >, nl_dat_double(s, 0, 2, 9));
    g_autoptr(NlDat) b = dat("b5-summary");
    g_assert_cmpuint(nl_dat_rows(b, 0), ==, 7);
    for (guint r = 0; r < 7; r++) {
        gboolean fresh = strcmp(nl_dat_cell(b, 0, r, 4), "fresh") == 0;
        gboolean greedy = strcmp(nl_dat_cell(b, 0, r, 1), "greedy") == 0;
        /* greedy and a fixed seed repeat; fresh seeds vary */
        g_assert_cmpstr(nl_dat_cell(b, 0, r, 7), ==,
                        (greedy || !fresh) ? "1" : "0");
    }
    /* a run ends at its first <EOS> */
    g_autoptr(NlDat) runs = dat("b5-runs");
    guint ended = 0;
    for (guint k = 0; k < runs->datasets->len; k++)
        for (guint r = 0; r < nl_dat_rows(runs, k); r++) {
            const char *eos = strstr(nl_dat_cell(runs, k, r, 7), "<EOS>");
            if (eos) {
                g_assert_cmpstr(eos, ==, "<EOS>");
                ended++;
            }
        }
    g_assert_cmpuint(ended, >, 0); /* the fixed seed draws one at T = 0.8 */
    g_assert_cmpstr(nl_dat_cell(b, 0, 3, 8), ==, "2"); /* top-k = 2 */
    g_assert_cmpstr(nl_dat_cell(b, 0, 5, 9), ==,
                    "Paris Berlin Frankreich"); /* top-p 0.9 */
}

/* A bad input: one line on stderr, exit status 1, no folder. */
static void expect_refused(const char *param, const char *needle)
{
    g_autofree char *out = g_build_filename(dir, "bad", NULL);
    g_autoptr(NlCmd) run =
        nl_test_numlab(NULL, "run", "temperature", "-b", "naive", "-o", out,
                       "-p", param, NULL);
    if (run->status == 0 || nl_test_count_lines(run->err) != 1 ||
        !strstr(run->err, needle))
        g_error("-p %s: exit %d, stderr:\n%s", param, run->status, run->err);
    g_autofree char *exp_dir = g_build_filename(out, "temperature", NULL);
    if (g_file_test(exp_dir, G_FILE_TEST_EXISTS)) {
        g_autoptr(GDir) d = g_dir_open(exp_dir, 0, NULL);
        g_assert_null(g_dir_read_name(d)); /* nothing written */
    }
}

static void test_bad_inputs(void)
{
    g_autofree char *file = g_build_filename(dir, "logits.txt", NULL);
    g_assert_true(g_file_set_contents(
        file, "# lecture\nParis 2.4\n\nBerlin one\n", -1, NULL));
    g_autofree char *p_file = g_strdup_printf("logits_file=%s", file);
    g_autofree char *where = g_strdup_printf("%s:4:", file);
    expect_refused(p_file, where);
    expect_refused("temperature=-1", "-1 is not >= 0");
    expect_refused("temperature=-1:1:0.5",
                   "entry 1 of -1:1:0.5: -1 is not >= 0");
    expect_refused("temperature=0:1",
                   "neither a list a,b,c nor start:stop:step");
    expect_refused("b4_temperatures=0:1e9:0.001",
                   "has more than 100000 values");
    expect_refused("temperature=nan", "not a finite number");
    expect_refused("b2_temperatures=0.5,inf", "not a finite number");
    expect_refused("b1_temperature=-0.5", "b1_temperature");
    expect_refused("logits=2.4,nan,0.3,2.0,0.1,-0.5", "'logits'");
    expect_refused("logits=2.4,inf,0.3,2.0,0.1,-0.5", "'logits'");
    expect_refused("logits=1,2,3", "3 values for the 6 tokens");
    expect_refused("b4_changes=Paris=x", "'b4_changes': 'Paris': 'x' is not a "
                                         "number");
    expect_refused("b4_changes=Paris=1,Paris=2", "'Paris' appears twice");
    expect_refused("b4_changes=Paris", "entry 1, 'Paris', is not name=value");
    expect_refused("b4_changes=Wien=1", "no token 'Wien' in the vocabulary");
    expect_refused("b4_changes=Paris=inf", "'Paris': 'inf' is not a finite");
    expect_refused("vocabulary=", "empty");
    expect_refused("vocabulary=a,b,c", "6 values for the 3 tokens");
    expect_refused("top_p=0", "top_p");
    expect_refused("top_p=1.5", "top_p");
    expect_refused("top_k=0", "top_k");
    /* finite as doubles, not as the backends' float32 */
    expect_refused(
        "b1_temperature=1e-40",
        "'b1_temperature': temperature 1e-40 is not a normal float32");
    expect_refused("temperature=1e300",
                   "'temperature': temperature 1e+300 is not a normal float32");
    expect_refused("logits=1e39,1.2,0.3,2.0,0.1,-0.5",
                   "parameter 'logits': logit 1e+39 of token 'Paris' does not "
                   "fit in float32");
    expect_refused("logits=3e38,1.2,0.3,2.0,0.1,-0.5",
                   "the logits divided by 0.05 exceed float32's range");
    g_autofree char *missing = g_strdup_printf("logits_file=%s/none.txt", dir);
    expect_refused(missing, "logits_file");
    /* read whole, so bounded: no device, no folder, nothing huge */
    expect_refused("logits_file=/dev/zero",
                   "parameter 'logits_file': /dev/zero is not a regular file");
    g_autofree char *folder = g_strdup_printf("logits_file=%s", dir);
    expect_refused(folder, "is not a regular file");
    g_autofree char *huge = g_strdup_printf("%s/huge.txt", dir);
    FILE *f = fopen(huge, "w"); /* sparse: 300 MiB that take no disk */
    g_assert_nonnull(f);
    g_assert_cmpint(ftruncate(fileno(f), 300 << 20), ==, 0);
    fclose(f);
    g_autofree char *p_huge = g_strdup_printf("logits_file=%s", huge);
    expect_refused(p_huge, "has 314572800 bytes, more than the 268435456 a "
                           "logits file may have");
    g_unlink(huge);
}

/* A good file replaces vocabulary and logits. */
static void test_logits_file(void)
{
    g_autofree char *file = g_build_filename(dir, "good.txt", NULL);
    g_assert_true(g_file_set_contents(
        file, "# two tokens\nja 1.0\r\n\nnein 0.0\n", -1, NULL));
    g_autofree char *p_file = g_strdup_printf("logits_file=%s", file);
    g_autofree char *out = g_build_filename(dir, "file", NULL);
    g_autoptr(NlCmd) run = nl_test_numlab(
        NULL, "run", "temperature", "-b", "naive", "-o", out, "-p", p_file,
        "-p", "b4_changes=", "-p", "b4_true=", "-p", "b3_sizes=10,100", NULL);
    if (run->status != 0)
        g_error("%s", run->err);
    g_autofree char *path =
        g_build_filename(out, "temperature", "b1-softmax.dat", NULL);
    g_autoptr(NlDat) d = nl_dat_read(path);
    g_assert_cmpuint(nl_dat_rows(d, 0), ==, 2);
    g_assert_cmpstr(nl_dat_cell(d, 0, 1, 1), ==, "nein");
    g_assert_cmpfloat(fabs(nl_dat_double(d, 0, 0, 4) - G_E / (1 + G_E)), <,
                      1e-15);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dir = nl_test_tmpdir();
    g_autoptr(NlCmd) run = nl_test_numlab(NULL, "run", "temperature", "-b",
                                          "naive", "-o", dir, NULL);
    if (run->status != 0)
        g_error("numlab run failed: %s", run->err);
    g_test_add_func("/temperature/b1-softmax", test_b1_softmax);
    g_test_add_func("/temperature/b2-monotone", test_b2_monotone);
    g_test_add_func("/temperature/b3-draws", test_b3_draws);
    g_test_add_func("/temperature/b4-b5", test_b4_b5);
    g_test_add_func("/temperature/bad-inputs", test_bad_inputs);
    g_test_add_func("/temperature/logits-file", test_logits_file);
    int rc = g_test_run();
    nl_test_rmtree(dir);
    g_free(dir);
    return rc;
}
