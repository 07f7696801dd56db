/* test-probe.c — the exact probes (numlab/probe.h, framework/lib/probe.c).
 *
 *  - The values are what the header promises, for short, long and sparse
 *    probes (one longer than 2^24 values, read in windows so that the
 *    test stays small): float32 integers, within their magnitude cap,
 *    never all equal, sum |x_i| < 2^24, y = +-1; a window is the same
 *    bits as the whole.
 *  - Every prefix's exact sum, computed here in 64-bit integers, equals
 *    MPFR's (nl_exact_sum_f32_as_f64; for the longest of them at every
 *    61st prefix, to stay fast), and float32 sums left to right,
 *    right to left and pairwise give it exactly; so does the dot product
 *    with y, with and without fused multiply-adds.
 *  - On backends: the naive backend is exact on every probe it is given;
 *    the lanedrop test backend, wrong only above 400 000 values, gets a
 *    probe of 500 000 wrong, and the check reports it as one fault line
 *    with the exact value computed here; below its threshold, and in its
 *    correct dot product, it is exact. A kernel that cannot run is an
 *    error, not a fault. */
#include "config.h"

#include "../framework/host/host.h"
#include "test-util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TEST_PLUGINS NL_BUILDDIR "/tests/plugins/.libs"
#define LIMIT        16777215 /* 2^24 - 1 */
#define WINDOW       ((gsize)1 << 20)

static NlRegistry *registry;

/* ---- the values ---- */

/* What one probe's values add up to, gathered window by window. */
typedef struct {
    gint64 sum, magnitude, dot, zeros, negative_y;
    gint64 largest;     /* the largest magnitude */
    float first;        /* x[0] */
    gboolean all_equal; /* every x so far is x[0] */
    float seq;          /* the float32 sum, left to right */
} Totals;

static void check_window(const float *x, const float *y, gsize count,
                         gsize first, Totals *t)
{
    if (first == 0) {
        t->first = x[0];
        t->all_equal = TRUE;
    }
    for (gsize i = 0; i < count; i++) {
        g_assert_cmpfloat(x[i], ==, floorf(x[i]));
        g_assert_true(y[i] == 1.0f || y[i] == -1.0f);
        gint64 v = (gint64)x[i];
        t->sum += v;
        t->magnitude += ABS(v);
        t->dot += v * (gint64)y[i];
        t->zeros += v == 0;
        t->negative_y += y[i] < 0;
        t->largest = MAX(t->largest, ABS(v));
        t->all_equal = t->all_equal && x[i] == t->first;
        t->seq += x[i];
    }
    /* exact at every window's end: each is a prefix */
    g_assert_cmpfloat((double)t->seq, ==, (double)t->sum);
}

static void test_values(void)
{
    const gsize lengths[] = {1,       2,     3,         16,
                             17,      1000,  4099,      65543,
                             1000000, LIMIT, LIMIT + 1, (gsize)LIMIT + 6};
    g_autofree float *x = g_new(float, WINDOW);
    g_autofree float *y = g_new(float, WINDOW);
    for (guint k = 0; k < G_N_ELEMENTS(lengths); k++) {
        gsize length = lengths[k];
        Totals t = {0};
        for (gsize first = 0; first < length; first += WINDOW) {
            gsize count = MIN(WINDOW, length - first);
            nl_probe_values_f32(length, first, count, x, y);
            check_window(x, y, count, first, &t);
        }
        g_assert_cmpint(t.magnitude, <=, LIMIT);
        if (length <= LIMIT) { /* dense: every value nonzero, capped */
            gint64 cap = MIN(LIMIT / (gint64)length, 1024);
            g_assert_cmpint(t.zeros, ==, 0);
            g_assert_cmpint(t.largest, <=, cap);
            if (length >= 1000) /* the magnitudes use their range */
                g_assert_cmpint(t.largest, >, cap / 2);
        } else { /* sparse: LIMIT values +-1, the rest 0 */
            g_assert_cmpint(t.largest, ==, 1);
            g_assert_cmpint(t.magnitude, ==, LIMIT);
            g_assert_cmpint(t.zeros, ==, (gint64)length - LIMIT);
        }
        if (length >= 2)
            g_assert_false(t.all_equal);
        if (length >= 16) { /* both signs of y */
            g_assert_cmpint(t.negative_y, >, 0);
            g_assert_cmpint(t.negative_y, <, (gint64)length);
        }
    }

    /* a window is the same bits as the whole, wherever it starts */
    const gsize length = 10000;
    g_autofree float *whole = g_new(float, length);
    g_autofree float *whole_y = g_new(float, length);
    nl_probe_values_f32(length, 0, length, whole, whole_y);
    const gsize starts[] = {0, 1, 4095, 4096, 4097, 8191, 9999};
    for (guint i = 0; i < G_N_ELEMENTS(starts); i++) {
        gsize count = MIN(700, length - starts[i]);
        nl_probe_values_f32(length, starts[i], count, x, NULL);
        nl_probe_values_f32(length, starts[i], count, NULL, y);
        g_assert_cmpmem(x, count * sizeof(float), whole + starts[i],
                        count * sizeof(float));
        g_assert_cmpmem(y, count * sizeof(float), whole_y + starts[i],
                        count * sizeof(float));
    }
}

/* ---- every order gives the exact value ---- */

static void test_prefixes_exact(void)
{
    const gsize lengths[] = {1, 17, 1000, 4099};
    for (guint k = 0; k < G_N_ELEMENTS(lengths); k++) {
        gsize length = lengths[k];
        g_autofree float *x = g_new(float, length);
        g_autofree float *y = g_new(float, length);
        g_autofree float *xy = g_new(float, length);
        nl_probe_values_f32(length, 0, length, x, y);
        gint64 sum = 0, dot = 0;
        float seq = 0.0f, dot_plain = 0.0f, dot_fma = 0.0f;
        for (gsize n = 1; n <= length; n++) {
            gsize i = n - 1;
            sum += (gint64)x[i];
            dot += (gint64)x[i] * (gint64)y[i];
            xy[i] = x[i] * y[i];
            seq += x[i];
            dot_plain += xy[i];
            dot_fma = fmaf(x[i], y[i], dot_fma);
            double exact = (double)sum;
            /* MPFR at every prefix of the short ones, and at every 61st
             * of 4099 (each call is O(n)) */
            gboolean mpfr = length <= 1000 || n % 61 == 0 || n == length;
            if (mpfr)
                g_assert_cmpfloat(nl_exact_sum_f32_as_f64(x, n), ==, exact);
            g_assert_cmpfloat((double)seq, ==, exact);
            g_assert_cmpfloat((double)nl_test_sum_reversed(x, n), ==, exact);
            g_assert_cmpfloat((double)nl_test_sum_pairwise(x, n), ==, exact);
            double exact_dot = (double)dot;
            if (mpfr)
                g_assert_cmpfloat(nl_exact_dot_f32_as_f64(x, y, n), ==,
                                  exact_dot);
            g_assert_cmpfloat((double)dot_plain, ==, exact_dot);
            g_assert_cmpfloat((double)dot_fma, ==, exact_dot);
            g_assert_cmpfloat((double)nl_test_sum_pairwise(xy, n), ==,
                              exact_dot);
        }
    }

    /* long probes, in windows: the exact sum from MPFR window by window
     * (each window's sum is an integer, so adding them in 64 bits is
     * exact), against the running float32 sum and a two-level tree
     * (pairwise in each window, then pairwise over the windows) */
    const gsize long_lengths[] = {1000000, (gsize)LIMIT + 6};
    g_autofree float *x = g_new(float, WINDOW);
    for (guint k = 0; k < G_N_ELEMENTS(long_lengths); k++) {
        gsize length = long_lengths[k];
        gsize n_windows = (length + WINDOW - 1) / WINDOW;
        g_autofree float *partials = g_new(float, n_windows);
        gint64 exact = 0;
        float seq = 0.0f;
        for (gsize w = 0; w < n_windows; w++) {
            gsize count = MIN(WINDOW, length - w * WINDOW);
            nl_probe_values_f32(length, w * WINDOW, count, x, NULL);
            exact += (gint64)nl_exact_sum_f32_as_f64(x, count);
            for (gsize i = 0; i < count; i++)
                seq += x[i];
            partials[w] = nl_test_sum_pairwise(x, count);
            g_assert_cmpfloat((double)seq, ==, (double)exact);
        }
        g_assert_cmpfloat((double)nl_test_sum_pairwise(partials, n_windows), ==,
                          (double)exact);
    }
}

/* ---- on backends ---- */

static NlBackend *open_backend(const char *label)
{
    g_autoptr(GError) error = NULL;
    NlBackend *b = nl_backend_open_spec(registry, label, NULL, &error);
    g_assert_no_error(error);
    return b;
}

/* The exact sum of the first n values of a probe of `length`, here. */
static gint64 int_sum(gsize length, gsize n)
{
    g_autofree float *x = g_new(float, MAX(n, 1));
    nl_probe_values_f32(length, 0, n, x, NULL);
    gint64 s = 0;
    for (gsize i = 0; i < n; i++)
        s += (gint64)x[i];
    return s;
}

static void test_naive_exact(void)
{
    NlBackend *b = open_backend("naive");
    NlRun *run = nl_run_new(NULL, 0, b, "test");
    const gsize length = 500000;
    g_autoptr(GError) error = NULL;
    NlProbe *probe = nl_probe_new(b, length, NL_PROBE_DOT, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(nl_probe_length(probe), ==, length);
    const gsize ns[] = {0, 1, 15, 16, 17, 4099, 400001, length};
    const gsize tiles[] = {0, 1, 7, 4096, 450000};
    for (guint i = 0; i < G_N_ELEMENTS(ns); i++) {
        g_assert_cmpint(nl_probe_exact_sum(probe, ns[i]), ==,
                        int_sum(length, ns[i]));
        for (guint j = 0; j < G_N_ELEMENTS(tiles); j++) {
            gboolean exact = FALSE;
            g_assert_true(nl_probe_check_sum(run, probe, ns[i], tiles[j], "T",
                                             &exact, &error));
            g_assert_no_error(error);
            g_assert_true(exact);
        }
        gboolean exact = FALSE;
        g_assert_true(
            nl_probe_check_dot(run, probe, ns[i], "T", &exact, &error));
        g_assert_true(exact);
    }
    g_assert_cmpuint(nl_run_n_faults(run), ==, 0);

    /* too long to spread +-1 evenly in 64 bits */
    g_assert_null(
        nl_probe_new(b, NL_PROBE_MAX_LENGTH + 1, NL_PROBE_SUM, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT);
    nl_probe_free(probe); /* before its backend */
    nl_run_free(run);
    nl_backend_close(b);
}

static void test_lanedrop_caught(void)
{
    NlBackend *b = open_backend("lanedrop:drop_above=400000");
    NlRun *run = nl_run_new(NULL, 0, b, "test");
    const gsize length = 500000;
    g_autoptr(GError) error = NULL;
    NlProbe *probe = nl_probe_new(b, length, NL_PROBE_DOT, &error);
    g_assert_no_error(error);

    /* at and below its threshold lanedrop is a correct loop */
    gboolean exact = FALSE;
    g_assert_true(
        nl_probe_check_sum(run, probe, 400000, 0, "T", &exact, &error));
    g_assert_true(exact);
    g_assert_cmpuint(nl_run_n_faults(run), ==, 0);

    /* above it, one fault line with the exact value computed here */
    exact = TRUE;
    g_assert_true(
        nl_probe_check_sum(run, probe, length, 0, "T", &exact, &error));
    g_assert_no_error(error);
    g_assert_false(exact);
    g_assert_cmpuint(nl_run_n_faults(run), ==, 1);
    const char *line = g_ptr_array_index(nl_run_faults(run), 0);
    double got;
    gint64 want;
    int end = 0;
    g_assert_cmpint(sscanf(line,
                           "T: sum of 500000 probe integers (exact in any "
                           "order) gives %lf, exact %" G_GINT64_FORMAT
                           ", error bound 0: %n",
                           &got, &want, &end),
                    ==, 2);
    g_assert_cmpint(want, ==, int_sum(length, length));
    g_assert_cmpfloat(got, !=, (double)want);
    g_assert_cmpstr(line + end, ==, "the backend's sum is wrong at this size");

    /* a tile above the threshold is wrong in tiled_sum, as a prefix */
    g_assert_true(
        nl_probe_check_sum(run, probe, 460000, 450000, "T", &exact, &error));
    g_assert_false(exact);
    g_assert_cmpuint(nl_run_n_faults(run), ==, 2);
    line = g_ptr_array_index(nl_run_faults(run), 1);
    g_assert_true(g_str_has_prefix(line, "T: tiled_sum of the first 460000 "
                                         "probe integers, tile 450000 "
                                         "(exact in any order) gives "));
    g_assert_true(g_str_has_suffix(line, ", error bound 0: the backend's "
                                         "tiled_sum is wrong at this size"));
    /* its dot product is a correct loop */
    g_assert_true(nl_probe_check_dot(run, probe, length, "T", &exact, &error));
    g_assert_true(exact);
    g_assert_cmpuint(nl_run_n_faults(run), ==, 2);
    nl_probe_free(probe);
    nl_run_free(run);
    nl_backend_close(b);
}

/* A kernel the self-check marked unusable: the probe cannot run, an
 * error with the reason, not a fault. */
static void test_unusable_is_error(void)
{
    NlBackend *b = open_backend("lanedrop");
    NlRun *run = nl_run_new(NULL, 0, b, "test");
    g_autoptr(GError) error = NULL;
    NlProbe *probe = nl_probe_new(b, 100, NL_PROBE_SUM, &error);
    g_assert_no_error(error);
    gboolean exact = TRUE;
    g_assert_false(nl_probe_check_sum(run, probe, 100, 0, "T", &exact, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNUSABLE);
    g_assert_cmpuint(nl_run_n_faults(run), ==, 0);
    nl_probe_free(probe);
    nl_run_free(run);
    nl_backend_close(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    registry = nl_registry_new();
    g_autoptr(GError) error = NULL;
    if (!nl_registry_load(
            registry, NL_BUILDDIR "/backends/naive/.libs/naive.so", &error) ||
        !nl_registry_load(registry, TEST_PLUGINS "/lanedrop.so", &error))
        g_error("%s", error->message);
    g_test_add_func("/probe/values", test_values);
    g_test_add_func("/probe/prefixes-exact", test_prefixes_exact);
    g_test_add_func("/probe/naive-exact", test_naive_exact);
    g_test_add_func("/probe/lanedrop-caught", test_lanedrop_caught);
    g_test_add_func("/probe/unusable-is-error", test_unusable_is_error);
    int rc = g_test_run();
    nl_registry_free(registry);
    return rc;
}
