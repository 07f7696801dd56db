/* test-associativity.c — the associativity experiment's numbers against
 * computations made here, independently of the experiment's code: hand-
 * derived A1 values, a double-double exact sum, this file's own sequential
 * loop and level-by-level tile tree, and consistency of the A3 counts. */
#include "config.h"

#include "test-util.h"

#include <numlab/numlab.h>

#include <math.h>
#include <string.h>

static char *dir;
static const gsize n = 1024, a6_n = 10000;
static const gint64 shuffles = 300;

static NlDat *dat(const char *name)
{
    g_autofree char *path =
        g_strdup_printf("%s/associativity/%s.dat", dir, name);
    return nl_dat_read(path);
}

static void test_a1_cases(void)
{
    g_autoptr(NlDat) d = dat("a1-cases");
    g_assert_cmpuint(nl_dat_rows(d, 0), ==, 10);
    /* 1 + 1e-7 rounds up to 1 + 2^-23 (1e-7 > 2^-24, half an ulp of 1);
     * adding 1e-7 again rounds up to 1 + 2^-22. 1e-7 + 1e-7 = 2e-7 also
     * rounds 1 + 2e-7 up to 1 + 2^-22: both orders agree. */
    const double both = 1.0 + 0x1p-22;
    g_assert_cmpfloat(nl_dat_double(d, 0, 0, 3), ==, both);
    g_assert_cmpfloat(nl_dat_double(d, 0, 1, 3), ==, both);
    g_assert_cmpstr(nl_dat_cell(d, 0, 0, 5), ==, "0x3f800002");
    g_assert_cmpstr(nl_dat_cell(d, 0, 0, 6), ==,
                    "0 01111111 00000000000000000000010");
    /* 5e-8 < 2^-24: 1 + 5e-8 rounds back to 1 (twice), while 1e-7 first
     * summed lifts 1 by one ulp */
    g_assert_cmpfloat(nl_dat_double(d, 0, 2, 3), ==, 1.0);
    g_assert_cmpfloat(nl_dat_double(d, 0, 3, 3), ==, 1.0 + 0x1p-23);
    /* double: (0.1 + 1e20) - 1e20 = 0, 0.1 + (1e20 - 1e20) = 0.1 */
    g_assert_cmpfloat(nl_dat_double(d, 0, 4, 3), ==, 0.0);
    g_assert_cmpfloat(nl_dat_double(d, 0, 5, 3), ==, 0.1);
    g_assert_cmpstr(nl_dat_cell(d, 0, 5, 5), ==, "0x3fb999999999999a");
    g_assert_cmpfloat(nl_dat_double(d, 0, 4, 4), ==, 0.1); /* exact */
    /* bfloat16, 1 + 2^-8 + 2^-8: 1 + 2^-8 is the tie between 1 and
     * 1 + 2^-7 and goes to the even 1, twice; 2^-8 + 2^-8 = 2^-7 first
     * lifts 1 by one ulp. float16 likewise with 2^-11 and 2^-10. */
    g_assert_cmpstr(nl_dat_cell(d, 0, 6, 1), ==, "bfloat16");
    g_assert_cmpfloat(nl_dat_double(d, 0, 6, 3), ==, 1.0);
    g_assert_cmpfloat(nl_dat_double(d, 0, 7, 3), ==, 1.0 + 0x1p-7);
    g_assert_cmpstr(nl_dat_cell(d, 0, 7, 5), ==, "0x3f81");
    g_assert_cmpstr(nl_dat_cell(d, 0, 7, 6), ==, "0 01111111 0000001");
    g_assert_cmpstr(nl_dat_cell(d, 0, 8, 1), ==, "float16");
    g_assert_cmpfloat(nl_dat_double(d, 0, 8, 3), ==, 1.0);
    g_assert_cmpfloat(nl_dat_double(d, 0, 9, 3), ==, 1.0 + 0x1p-10);
    g_assert_cmpstr(nl_dat_cell(d, 0, 9, 5), ==, "0x3c01");
    g_assert_cmpstr(nl_dat_cell(d, 0, 9, 6), ==, "0 01111 0000000001");
}

/* The 16-bit counters stall at 2^8 and 2^11: s + 1 is then the tie
 * between s and s + 2, and goes to the even s. */
static void test_a1_counter_16(void)
{
    const struct {
        const char *table;
        double stall;
    } types[] = {{"a1-counter-bfloat16", 256}, {"a1-counter-float16", 2048}};
    for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
        g_autoptr(NlDat) d = dat(types[i].table);
        g_autofree char *want =
            g_strdup_printf("stalls at step: %.0f ", types[i].stall);
        g_assert_true(
            g_str_has_prefix(nl_dat_comment(d, "stalls at step:"), want));
        guint rows = nl_dat_rows(d, 0);
        g_assert_cmpfloat(nl_dat_double(d, 0, rows - 1, 0), ==,
                          4 * types[i].stall);
        for (guint r = 0; r < rows; r++) {
            double step = nl_dat_double(d, 0, r, 0),
                   counter = nl_dat_double(d, 0, r, 1);
            g_assert_cmpfloat(counter, ==, MIN(step, types[i].stall));
            g_assert_cmpfloat(nl_dat_double(d, 0, r, 2), ==, step - counter);
        }
    }
}

static void test_a1_counter(void)
{
    g_autoptr(NlDat) d = dat("a1-counter");
    const char *stall = nl_dat_comment(d, "stalls at step:");
    g_assert_nonnull(stall);
    g_assert_true(g_str_has_prefix(stall, "stalls at step: 16777216 "));
    guint rows = nl_dat_rows(d, 0);
    for (guint r = 0; r < rows; r++) {
        double step = nl_dat_double(d, 0, r, 0),
               counter = nl_dat_double(d, 0, r, 1);
        g_assert_cmpfloat(counter, ==, MIN(step, 16777216.0));
        g_assert_cmpfloat(nl_dat_double(d, 0, r, 2), ==, step - counter);
    }
}

/* The exact sum with error-free transformations (Knuth's TwoSum), rounded
 * to float at the end: independent of MPFR. */
static float exact_sum_twosum(const float *x, gsize len)
{
    double hi = 0, lo = 0;
    for (gsize i = 0; i < len; i++) {
        double s = hi + x[i];
        double bb = s - hi;
        lo += (hi - (s - bb)) + (x[i] - bb);
        hi = s;
    }
    return (float)(hi + lo);
}

static float *inputs(gsize len)
{
    float *x = g_new(float, len);
    NlRng rng;
    nl_rng_init(&rng, 42);
    nl_rng_fill_normal_f32(&rng, x, len);
    return x;
}

static void test_a2_blocked(void)
{
    g_autoptr(NlDat) d = dat("a2-blocked");
    g_autofree float *x = inputs(n);
    float seq = 0;
    for (gsize i = 0; i < n; i++)
        seq += x[i];
    float exact = exact_sum_twosum(x, n);
    guint rows = nl_dat_rows(d, 0);
    g_assert_cmpuint(rows, ==, 8); /* sequential, 5 blocks, backend, exact */
    for (guint r = 0; r < rows; r++) {
        const char *label = nl_dat_cell(d, 0, r, 1);
        gint64 block = (gint64)nl_dat_double(d, 0, r, 0);
        float sum = (float)nl_dat_double(d, 0, r, 2);
        float want = block > 0    ? nl_test_tile_tree(x, n, (gsize)block)
                     : block == 0 ? seq /* naive's own sum is sequential */
                                  : exact;
        if (nl_f32_bits(sum) != nl_f32_bits(want))
            g_error("%s: %.9g, want %.9g", label, sum, want);
        g_assert_cmpint((gint64)nl_dat_double(d, 0, r, 5), ==,
                        nl_ulp_diff_f32(seq, sum));
        g_assert_cmpint((gint64)nl_dat_double(d, 0, r, 6), ==,
                        nl_ulp_diff_f32(exact, sum));
        g_assert_cmpfloat(nl_dat_double(d, 0, r, 4), ==, (double)sum - seq);
    }
    g_assert_cmpstr(nl_dat_cell(d, 0, 0, 1), ==, "sequential");
    g_assert_nonnull(nl_dat_comment(d, "backend: naive"));
}

static void test_a3_counts(void)
{
    g_autoptr(NlDat) summary = dat("a3-distinct");
    g_autoptr(NlDat) hist = dat("a3-histogram");
    guint rows = nl_dat_rows(summary, 0);
    g_assert_cmpuint(rows, ==, 6); /* 3 sizes x 2 methods */
    g_assert_cmpuint(hist->datasets->len, ==, rows);
    for (guint r = 0; r < rows; r++) {
        gint64 distinct = (gint64)nl_dat_double(summary, 0, r, 3);
        g_assert_cmpint(distinct, ==, nl_dat_rows(hist, r));
        gint64 total = 0, last = G_MININT64;
        gsize size = (gsize)nl_dat_double(summary, 0, r, 0);
        g_autofree float *x = inputs(size);
        float exact = exact_sum_twosum(x, size);
        for (guint k = 0; k < nl_dat_rows(hist, r); k++) {
            gint64 ulps = (gint64)nl_dat_double(hist, r, k, 0);
            float sum = (float)nl_dat_double(hist, r, k, 1);
            g_assert_cmpint(ulps, >, last); /* sorted, each sum once */
            g_assert_cmpint(ulps, ==, nl_ulp_diff_f32(exact, sum));
            last = ulps;
            total += (gint64)nl_dat_double(hist, r, k, 2);
        }
        g_assert_cmpint(total, ==, shuffles);
        if (r % 2 == 1) { /* compensated: at most as many as plain */
            g_assert_cmpstr(nl_dat_cell(summary, 0, r, 1), ==, "compensated");
            g_assert_cmpint(distinct, <=,
                            (gint64)nl_dat_double(summary, 0, r - 1, 3));
            g_assert_cmpint(ABS((gint64)nl_dat_double(summary, 0, r, 4)), <=,
                            1);
        }
    }
    /* 1024 values in 300 orders: plain summation gives many sums */
    g_assert_cmpint((gint64)nl_dat_double(summary, 0, 4, 3), >, 10);
}

static void test_a6_backend_sum(void)
{
    g_autoptr(NlDat) d = dat("a6-backends");
    g_autofree float *x = inputs(a6_n);
    float seq = 0;
    for (gsize i = 0; i < a6_n; i++)
        seq += x[i];
    g_assert_cmpstr(nl_dat_cell(d, 0, 0, 0), ==, "naive");
    g_assert_cmphex(nl_f32_bits((float)nl_dat_double(d, 0, 0, 1)), ==,
                    nl_f32_bits(seq));
    g_assert_cmpint((gint64)nl_dat_double(d, 0, 0, 3), ==,
                    nl_ulp_diff_f32(exact_sum_twosum(x, a6_n), seq));
    g_autoptr(NlDat) pairs = dat("a6-pairs");
    g_assert_cmpstr(nl_dat_cell(pairs, 0, 0, 4), ==, "1"); /* naive = naive */
}

/* A6 in 16 bits: the values rounded to the type; in float32 the naive
 * order is this file's float loop over them; in the type itself every
 * addition is rounded to it, written here with the library's rounding
 * only (each sum of two 16-bit values is exact in double). */
static void test_a6_sum_16(void)
{
    const NlPrecision types[] = {NL_PRECISION_BF16, NL_PRECISION_F16};
    for (guint t = 0; t < G_N_ELEMENTS(types); t++) {
        NlPrecision p = types[t];
        g_autofree char *name =
            g_strdup_printf("a6-backends-%s", nl_precision_name(p));
        g_autoptr(NlDat) d = dat(name);
        g_assert_cmpuint(nl_dat_rows(d, 0), ==, 2);
        g_autofree float *x = inputs(a6_n);
        float s32 = 0;
        double s16 = 0;
        for (gsize i = 0; i < a6_n; i++) {
            x[i] = (float)nl_precision_round(p, x[i]);
            s32 += x[i];
            s16 = nl_precision_round(p, s16 + x[i]);
        }
        g_assert_cmpstr(nl_dat_cell(d, 0, 0, 1), ==, "float32");
        g_assert_cmpfloat(nl_dat_double(d, 0, 0, 2), ==, s32);
        g_assert_cmpfloat((float)nl_dat_double(d, 0, 0, 5), ==,
                          exact_sum_twosum(x, a6_n)); /* float64 vs float */
        g_assert_cmpstr(nl_dat_cell(d, 0, 1, 1), ==, nl_precision_name(p));
        g_assert_cmpfloat(nl_dat_double(d, 0, 1, 2), ==, s16);
        /* the 16-bit accumulator is far off: more than 100 times float32's
         * error on these 10 000 values */
        g_assert_cmpfloat(nl_dat_double(d, 0, 1, 4), >,
                          100 * nl_dat_double(d, 0, 0, 4));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dir = nl_test_tmpdir();
    g_autofree char *p_shuffles =
        g_strdup_printf("shuffles=%" G_GINT64_FORMAT, shuffles);
    g_autofree char *p_a6 = g_strdup_printf("a6_n=%" G_GSIZE_FORMAT, a6_n);
    g_autoptr(NlCmd) run =
        nl_test_numlab(NULL, "run", "associativity", "-b", "naive", "-o", dir,
                       "-p", p_shuffles, "-p", p_a6, NULL);
    if (run->status != 0)
        g_error("numlab run failed: %s", run->err);
    g_test_add_func("/associativity/a1-cases", test_a1_cases);
    g_test_add_func("/associativity/a1-counter", test_a1_counter);
    g_test_add_func("/associativity/a1-counter-16", test_a1_counter_16);
    g_test_add_func("/associativity/a2-blocked", test_a2_blocked);
    g_test_add_func("/associativity/a3-counts", test_a3_counts);
    g_test_add_func("/associativity/a6-backend-sum", test_a6_backend_sum);
    g_test_add_func("/associativity/a6-sum-16", test_a6_sum_16);
    int rc = g_test_run();
    nl_test_rmtree(dir);
    g_free(dir);
    return rc;
}
