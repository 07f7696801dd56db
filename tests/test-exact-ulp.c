/* test-exact-ulp.c — exact sums and ULP distances on hand-derived cases,
 * and numlab's exact accumulator against MPFR on every kind of input. */
#include "config.h"

#include <numlab/numlab.h>

#include <float.h>
#include <math.h>
#include <mpfr.h>
#include <string.h>

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

/* ---- the accumulator against MPFR ----
 *
 * The oracle adds the terms one at a time with mpfr_add at 2400 bits,
 * where no sum of these inputs can round (a double's grid reaches 2^-1074,
 * its largest value 2^1024), then rounds once to the result's bits and
 * converts as exact.c documents. Every input kind that could break the
 * fixed-point accumulator is drawn: exponents over the whole range,
 * subnormals, cancellation to zero and to tiny remainders, exact ties at
 * the rounding bit, long runs that pass the carries, and both signs. */

#define ORACLE_PREC 2400

static double oracle_round(mpfr_t acc, mpfr_prec_t prec)
{
    mpfr_t r;
    mpfr_init2(r, prec);
    mpfr_set(r, acc, MPFR_RNDN);
    double d = mpfr_get_d(r, MPFR_RNDN);
    mpfr_clear(r);
    return d;
}

static double oracle_sum_f32(const float *x, gsize n, mpfr_prec_t prec)
{
    mpfr_t acc;
    mpfr_init2(acc, ORACLE_PREC);
    mpfr_set_zero(acc, 1);
    for (gsize i = 0; i < n; i++)
        mpfr_add_d(acc, acc, (double)x[i], MPFR_RNDN);
    double d = oracle_round(acc, prec);
    mpfr_clear(acc);
    return d;
}

static double oracle_sum_f64(const double *x, gsize n)
{
    mpfr_t acc;
    mpfr_init2(acc, ORACLE_PREC);
    mpfr_set_zero(acc, 1);
    for (gsize i = 0; i < n; i++)
        mpfr_add_d(acc, acc, x[i], MPFR_RNDN);
    double d = oracle_round(acc, 53);
    mpfr_clear(acc);
    return d;
}

static double oracle_dot_f32(const float *x, const float *y, gsize stride,
                             gsize n, mpfr_prec_t prec)
{
    mpfr_t acc, t;
    mpfr_init2(acc, ORACLE_PREC);
    mpfr_init2(t, 64);
    mpfr_set_zero(acc, 1);
    for (gsize i = 0; i < n; i++) {
        mpfr_set_d(t, (double)x[i], MPFR_RNDN);
        mpfr_mul_d(t, t, (double)y[i * stride], MPFR_RNDN); /* 48 bits */
        mpfr_add(acc, acc, t, MPFR_RNDN);
    }
    double d = oracle_round(acc, prec);
    mpfr_clear(acc);
    mpfr_clear(t);
    return d;
}

/* A float of any sign and exponent in [lo, hi] (subnormals below -126). */
static float any_float(NlRng *rng, int lo, int hi)
{
    int e = lo + (int)(nl_rng_next_u64(rng) % (guint64)(hi - lo + 1));
    float m = 1.0f + (float)(nl_rng_next_u64(rng) >> 41) * 0x1p-23f;
    float v = ldexpf(m, e); /* rounds to the subnormal grid below 2^-126 */
    return nl_rng_next_u64(rng) & 1 ? -v : v;
}

static double any_double(NlRng *rng, int lo, int hi)
{
    int e = lo + (int)(nl_rng_next_u64(rng) % (guint64)(hi - lo + 1));
    double m = 1.0 + (double)(nl_rng_next_u64(rng) >> 12) * 0x1p-52;
    double v = ldexp(m, e);
    return nl_rng_next_u64(rng) & 1 ? -v : v;
}

static void check_f32_inputs(const float *x, const float *y, gsize n)
{
    g_assert_cmphex(nl_f32_bits(nl_exact_sum_f32(x, n)), ==,
                    nl_f32_bits((float)oracle_sum_f32(x, n, 24)));
    g_assert_cmpfloat(nl_exact_sum_f32_as_f64(x, n), ==,
                      oracle_sum_f32(x, n, 53));
    g_assert_cmphex(nl_f32_bits(nl_exact_dot_f32(x, y, n)), ==,
                    nl_f32_bits((float)oracle_dot_f32(x, y, 1, n, 24)));
    g_assert_cmpfloat(nl_exact_dot_f32_as_f64(x, y, n), ==,
                      oracle_dot_f32(x, y, 1, n, 53));
    if (n >= 2) {
        g_assert_cmpfloat(nl_exact_dot_strided_f32_as_f64(x, y, 2, n / 2), ==,
                          oracle_dot_f32(x, y, 2, n / 2, 53));
        g_assert_cmphex(nl_f32_bits(nl_exact_dot_strided_f32(x, y, 2, n / 2)),
                        ==,
                        nl_f32_bits((float)oracle_dot_f32(x, y, 2, n / 2, 24)));
    }
}

static void test_exact_against_mpfr(void)
{
    NlRng rng;
    nl_rng_init(&rng, 2026);
    enum { N = 2000 };
    g_autofree float *x = g_new(float, N);
    g_autofree float *y = g_new(float, N);
    g_autofree double *xd = g_new(double, N);
    g_autofree float *prefix = g_new(float, N);
    for (int round = 0; round < 60; round++) {
        gsize n = 1 + nl_rng_next_u64(&rng) % N;
        /* the exponent ranges: whole, subnormal, near 1, largest */
        static const int ranges[][2] = {
            {-149, 127}, {-149, -120}, {-30, 30}, {90, 127}, {-5, 5}};
        const int *r = ranges[round % G_N_ELEMENTS(ranges)];
        for (gsize i = 0; i < n; i++) {
            x[i] = any_float(&rng, r[0], r[1]);
            y[i] = any_float(&rng, r[0], r[1]);
            xd[i] = any_double(&rng, r[0] * 8 < -1074 ? -1074 : r[0] * 8,
                               r[1] * 8 > 1023 ? 1023 : r[1] * 8);
        }
        if (round % 3 == 1) /* cancel the first half with the second */
            for (gsize i = n / 2; i < n; i++) {
                x[i] = -x[i - n / 2];
                xd[i] = -xd[i - n / 2];
            }
        if (round % 3 == 2 && n > 2) { /* leave a tie at the last bit */
            x[0] = 16777216.0f;
            x[1] = 1.0f;
            for (gsize i = 2; i < n; i++)
                x[i] = 0.0f;
            if (round % 2)
                x[n - 1] = -0x1p-149f; /* just below the tie */
        }
        check_f32_inputs(x, y, n);
        g_assert_cmpfloat(nl_exact_sum_f64(xd, n), ==, oracle_sum_f64(xd, n));
        nl_exact_prefix_sums_f32(x, n, prefix);
        for (gsize i = 0; i < n; i += 1 + i / 4)
            g_assert_cmphex(nl_f32_bits(prefix[i]), ==,
                            nl_f32_bits((float)oracle_sum_f32(x, i + 1, 24)));
    }
    /* Carries across every digit: the largest float and double added and
     * taken away around tiny ones, and a sum that changes sign. */
    const float wide[] = {FLT_MAX, 0x1p-149f, -FLT_MAX, 3.0f,     -0x1p-149f,
                          FLT_MAX, FLT_MAX,   -FLT_MAX, -FLT_MAX, -7.5f};
    float ones[G_N_ELEMENTS(wide)];
    for (gsize i = 0; i < G_N_ELEMENTS(wide); i++)
        ones[i] = i % 2 ? -FLT_MAX : 0x1p-149f;
    for (gsize n = 1; n <= G_N_ELEMENTS(wide); n++)
        check_f32_inputs(wide, ones, n);
    const double dwide[] = {DBL_MAX, 0x1p-1074, -DBL_MAX,
                            -1.0,    DBL_MAX,   DBL_MAX};
    for (gsize n = 1; n <= G_N_ELEMENTS(dwide); n++)
        g_assert_cmpfloat(nl_exact_sum_f64(dwide, n), ==,
                          oracle_sum_f64(dwide, n));
    /* 3 million of 2^127 and -1: the digits hold long runs of one sign
     * (the carry pass every 2^30 terms is argued in exact.c; running
     * that many terms here would take seconds) */
    gsize big = 3000000;
    g_autofree float *run = g_new(float, big);
    for (gsize i = 0; i < big; i++)
        run[i] = i % 3 ? 0x1p127f : -1.0f;
    g_assert_cmpfloat(nl_exact_sum_f32_as_f64(run, big), ==,
                      oracle_sum_f32(run, big, 53));
}

/* inf, NaN and zeros: what MPFR's sum of the same terms gives. */
static void test_exact_special(void)
{
    const float inf = INFINITY;
    const float a[] = {1.0f, inf, 2.0f};
    g_assert_cmpfloat(nl_exact_sum_f32(a, 3), ==, inf);
    const float b[] = {-inf, 1.0f};
    g_assert_cmpfloat(nl_exact_sum_f32(b, 2), ==, -inf);
    const float c[] = {inf, -inf};
    g_assert_true(isnan(nl_exact_sum_f32(c, 2)));
    const float d[] = {1.0f, NAN};
    g_assert_true(isnan(nl_exact_sum_f32_as_f64(d, 2)));
    const float zero[] = {0.0f, 1.0f}, inf_one[] = {inf, 1.0f};
    g_assert_true(isnan(nl_exact_dot_f32(zero, inf_one, 1))); /* 0 x inf */
    g_assert_cmpfloat(nl_exact_dot_f32(zero + 1, inf_one, 1), ==, inf);
    const float neg_zero[] = {-0.0f, -0.0f};
    g_assert_cmphex(nl_f32_bits(nl_exact_sum_f32(neg_zero, 2)), ==, 0u);
    const double huge[] = {DBL_MAX, DBL_MAX};
    g_assert_cmpfloat(nl_exact_sum_f64(huge, 2), ==, INFINITY);
    const float over[] = {FLT_MAX, FLT_MAX};
    g_assert_cmpfloat(nl_exact_sum_f32(over, 2), ==, inf);
    g_assert_cmpfloat(nl_exact_sum_f32_as_f64(over, 2), ==,
                      2.0 * (double)FLT_MAX);
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
    g_test_add_func("/exact/against-mpfr", test_exact_against_mpfr);
    g_test_add_func("/exact/special", test_exact_special);
    g_test_add_func("/ulp/distance", test_ulp_distance);
    g_test_add_func("/alloc/checked", test_checked_alloc);
    return g_test_run();
}
