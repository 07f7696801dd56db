/* test-exact-ulp.c — exact sums and ULP distances on hand-derived cases. */
#include "config.h"

#include <numlab/numlab.h>

#include <float.h>
#include <math.h>

static void test_exact_sum_cancellation(void)
{
    /* 1e20 + 1 - 1e20: every float order but one loses the 1. */
    float x[] = {1e20f, 1.0f, -1e20f};
    g_assert_cmpfloat(nl_exact_sum_f32(x, 3), ==, 1.0f);
    g_assert_cmpfloat(nl_exact_sum_f32_as_f64(x, 3), ==, 1.0);
    g_assert_cmpfloat(nl_exact_sum_f32(x, 0), ==, 0.0f);
}

static void test_exact_sum_beyond_float(void)
{
    /* 2^24 + 1 + 1 = 16777218, a float; summed left to right in float the
     * ones vanish (16777217 is a tie that rounds to even, 2^24). */
    float x[] = {16777216.0f, 1.0f, 1.0f};
    g_assert_cmpfloat(nl_exact_sum_f32(x, 3), ==, 16777218.0f);
    float seq = 0;
    for (int i = 0; i < 3; i++)
        seq += x[i];
    g_assert_cmpfloat(seq, ==, 16777216.0f);
    /* 2^24 + 1: a tie in float, rounds to even once: 2^24. */
    g_assert_cmpfloat(nl_exact_sum_f32(x, 2), ==, 16777216.0f);
    g_assert_cmpfloat(nl_exact_sum_f32_as_f64(x, 2), ==, 16777217.0);
}

static void test_exact_sum_f64(void)
{
    double x[] = {0.1, 1e20, -1e20};
    g_assert_cmpfloat(nl_exact_sum_f64(x, 3), ==, 0.1);
    /* ten times the double 0.1 is 1.0000000000000000555..., rounds to 1 */
    double tenth[10];
    for (int i = 0; i < 10; i++)
        tenth[i] = 0.1;
    g_assert_cmpfloat(nl_exact_sum_f64(tenth, 10), ==, 1.0);
}

static void test_exact_dot(void)
{
    /* (2^12 + 1)^2 = 2^24 + 2^13 + 1 needs 25 bits: exact as double,
     * rounded to float it loses the 1. */
    float a[] = {4097.0f, 1.0f};
    float b[] = {4097.0f, -1.0f};
    g_assert_cmpfloat(nl_exact_dot_f32_as_f64(a, b, 1), ==, 16785409.0);
    g_assert_cmpfloat(nl_exact_dot_f32(a, b, 1), ==, 16785408.0f);
    g_assert_cmpfloat(nl_exact_dot_f32_as_f64(a, b, 2), ==, 16785408.0);
    /* strided: y = column 1 of [[9, 4097], [9, -1]] */
    float m[] = {9.0f, 4097.0f, 9.0f, -1.0f};
    g_assert_cmpfloat(nl_exact_dot_strided_f32_as_f64(a, m + 1, 2, 2), ==,
                      16785408.0);
    /* rounded once to float: 1 + 2^-24 + 2^-60 lies just above the tie
     * between 1 and 1 + 2^-23; through double it would become the tie
     * and round to even, 1 */
    float x[] = {1.0f, 0x1p-24f, 0x1p-60f};
    float ones[] = {1.0f, 7.0f, 1.0f, 7.0f, 1.0f, 7.0f}; /* column 0 */
    g_assert_cmpfloat(nl_exact_dot_strided_f32(x, ones, 2, 3), ==,
                      1.0f + 0x1p-23f);
    g_assert_cmpfloat((float)nl_exact_dot_strided_f32_as_f64(x, ones, 2, 3), ==,
                      1.0f);
}

/* Every prefix at once: the same as the one-array sum of each prefix, and
 * by hand where cancellation and ties decide. */
static void test_exact_prefix_sums(void)
{
    /* 2^24, 1, 1: the prefix 2^24 + 1 is a tie, rounded to even (2^24);
     * 2^24 + 2 is exact */
    const float hand[] = {16777216.0f, 1.0f, 1.0f, -16777216.0f, 1e-30f};
    float sums[5];
    nl_exact_prefix_sums_f32(hand, 5, sums);
    g_assert_cmpfloat(sums[0], ==, 16777216.0f);
    g_assert_cmpfloat(sums[1], ==, 16777216.0f);
    g_assert_cmpfloat(sums[2], ==, 16777218.0f);
    g_assert_cmpfloat(sums[3], ==, 2.0f);
    g_assert_cmpfloat(sums[4], ==, 2.0f);
    float x[3000];
    NlRng rng;
    nl_rng_init(&rng, 5);
    nl_rng_fill_normal_f32(&rng, x, 3000);
    g_autofree float *all = g_new(float, 3000);
    nl_exact_prefix_sums_f32(x, 3000, all);
    for (gsize n = 1; n <= 3000; n += 97)
        g_assert_cmphex(nl_f32_bits(all[n - 1]), ==,
                        nl_f32_bits(nl_exact_sum_f32(x, n)));
}

static void test_ulp_distance(void)
{
    g_assert_cmpint(nl_ulp_distance_f32(1.0f, 1.0f), ==, 0);
    g_assert_cmpint(nl_ulp_distance_f32(1.0f, nextafterf(1.0f, 2.0f)), ==, 1);
    g_assert_cmpint(nl_ulp_diff_f32(1.0f, nextafterf(1.0f, 0.0f)), ==, -1);
    g_assert_cmpint(nl_ulp_distance_f32(0.0f, -0.0f), ==, 0);
    g_assert_cmpint(nl_ulp_distance_f32(-FLT_TRUE_MIN, FLT_TRUE_MIN), ==, 2);
    /* 1 to 2 spans one binade: 2^23 floats */
    g_assert_cmpint(nl_ulp_distance_f32(1.0f, 2.0f), ==, 1 << 23);
    g_assert_cmpint(nl_ulp_distance_f32(FLT_MAX, INFINITY), ==, 1);
    g_assert_cmpint(nl_ulp_distance_f32(NAN, 1.0f), ==, NL_ULP_NAN);
    g_assert_cmpint(nl_ulp_distance_f64(1.0, 2.0), ==,
                    G_GINT64_CONSTANT(1) << 52);
    g_assert_cmpint(nl_ulp_distance_f64(-0.0, DBL_TRUE_MIN), ==, 1);
    g_assert_cmphex(nl_f32_bits(1.0f), ==, 0x3f800000);
    g_assert_cmphex(nl_f64_bits(-2.0), ==, 0xc000000000000000ULL);
}

static void test_checked_alloc(void)
{
    g_autoptr(GError) error = NULL;
    gsize r;
    g_assert_false(nl_size_mul(G_MAXSIZE / 2, 3, &r));
    g_assert_true(nl_size_mul(1 << 20, 4, &r) && r == 4u << 20);
    /* an overflowing count is an error, not an abort */
    g_assert_null(nl_alloc_f32(G_MAXSIZE / 2, &error));
    g_assert_error(error, NL_ALLOC_ERROR, NL_ALLOC_ERROR_OVERFLOW);
    g_clear_error(&error);
    /* a count the system cannot give (2^60 bytes) */
    g_assert_null(nl_alloc_f32((gsize)1 << 58, &error));
    g_assert_error(error, NL_ALLOC_ERROR, NL_ALLOC_ERROR_NOMEM);
    g_clear_error(&error);
    float *x = nl_alloc_f32(1000, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(GPOINTER_TO_SIZE(x) % 64, ==, 0);
    g_assert_cmpfloat(x[999], ==, 0.0f);
    nl_free(x);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/exact/sum-cancellation", test_exact_sum_cancellation);
    g_test_add_func("/exact/prefix-sums", test_exact_prefix_sums);
    g_test_add_func("/exact/sum-beyond-float", test_exact_sum_beyond_float);
    g_test_add_func("/exact/sum-f64", test_exact_sum_f64);
    g_test_add_func("/exact/dot", test_exact_dot);
    g_test_add_func("/ulp/distance", test_ulp_distance);
    g_test_add_func("/alloc/checked", test_checked_alloc);
    return g_test_run();
}
