/* test-rng.c — the generator's stream against an independent reference
 * (a Python transcription of Vigna's xoshiro256** and splitmix64), the
 * portable logarithm against libm, the statistics of the deviates, and
 * the batched normals against the one-by-one stream. */
#include "config.h"

#include <numlab/numlab.h>

#include <math.h>
#include <string.h>

static void test_stream_matches_reference(void)
{
    /* Computed in Python with arbitrary-precision integers masked to 64
     * bits, not with this code. */
    static const guint64 seed42[] = {
        0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL,
        0xecb8ad4703b360a1ULL};
    NlRng rng;
    nl_rng_init(&rng, 42);
    for (guint i = 0; i < G_N_ELEMENTS(seed42); i++)
        g_assert_cmphex(nl_rng_next_u64(&rng), ==, seed42[i]);
    nl_rng_init(&rng, 0);
    g_assert_cmphex(nl_rng_next_u64(&rng), ==, 0x99ec5f36cb75f2b4ULL);
    g_assert_cmphex(nl_rng_next_u64(&rng), ==, 0xbf6e1f784956452aULL);
    nl_rng_init(&rng, 42);
    g_assert_cmpfloat(nl_rng_uniform(&rng), ==, 0.08386297105988216);
    g_assert_cmpfloat(nl_rng_uniform(&rng), ==, 0.3789802506626686);
}

static void test_log_portable(void)
{
    /* Within 1 ulp of the true value (logl's 64-bit result) at all scales. */
    NlRng rng;
    nl_rng_init(&rng, 7);
    for (int i = 0; i < 200000; i++) {
        double x = ldexp(nl_rng_uniform(&rng) + 0.5,
                         (int)nl_rng_below(&rng, 200) - 100);
        double mine = nl_log_portable(x), ref = (double)logl(x);
        g_assert_cmpint(nl_ulp_distance_f64(mine, ref), <=, 1);
    }
    g_assert_cmpfloat(nl_log_portable(1.0), ==, 0.0);
    g_assert_cmpfloat(nl_log_portable(2.0), ==, (double)G_LN2);
    g_assert_true(isinf(nl_log_portable(0.0)) && nl_log_portable(0.0) < 0);
    g_assert_true(isnan(nl_log_portable(-1.0)));
}

static void test_normal_moments(void)
{
    /* Mean 0 and variance 1 within 5 standard errors for 10^6 draws. */
    NlRng rng;
    nl_rng_init(&rng, 123);
    const int n = 1000000;
    double sum = 0, sum2 = 0;
    int beyond3 = 0;
    for (int i = 0; i < n; i++) {
        double z = nl_rng_normal(&rng);
        sum += z;
        sum2 += z * z;
        beyond3 += fabs(z) > 3.0;
    }
    double mean = sum / n, var = sum2 / n - mean * mean;
    g_assert_cmpfloat(fabs(mean), <, 5.0 / sqrt(n));
    g_assert_cmpfloat(fabs(var - 1.0), <, 5.0 * sqrt(2.0 / n));
    /* P(|Z| > 3) = 0.0027: 2700 expected, sd about 52 */
    g_assert_cmpint(beyond3, >, 2700 - 260);
    g_assert_cmpint(beyond3, <, 2700 + 260);
}

static void test_below_and_shuffle(void)
{
    NlRng rng;
    nl_rng_init(&rng, 5);
    guint counts[6] = {0};
    for (int i = 0; i < 60000; i++) {
        guint64 r = nl_rng_below(&rng, 6);
        g_assert_cmpuint(r, <, 6);
        counts[r]++;
    }
    for (int i = 0; i < 6; i++) /* 10000 expected, sd about 91 */
        g_assert_cmpuint(counts[i], >, 10000 - 500);

    float x[100];
    for (int i = 0; i < 100; i++)
        x[i] = (float)i;
    nl_rng_shuffle_f32(&rng, x, 100);
    gboolean seen[100] = {FALSE};
    int moved = 0;
    for (int i = 0; i < 100; i++) {
        int v = (int)x[i];
        g_assert_false(seen[v]);
        seen[v] = TRUE;
        moved += v != i;
    }
    g_assert_cmpint(moved, >, 80); /* a permutation that really moved */
}

static void test_same_seed_same_values(void)
{
    float a[1000], b[1000];
    NlRng r1, r2;
    nl_rng_init(&r1, 99);
    nl_rng_init(&r2, 99);
    nl_rng_fill_normal_f32(&r1, a, 1000);
    nl_rng_fill_normal_f32(&r2, b, 1000);
    g_assert_cmpmem(a, sizeof a, b, sizeof b);
    nl_rng_init(&r2, 100);
    nl_rng_fill_normal_f32(&r2, b, 1000);
    g_assert_true(memcmp(a, b, sizeof a) != 0);
}

/* nl_rng_fill_normal_f32 batches the polar method and takes its
 * logarithms in lanes (rng.c): it must be the stream of nl_rng_normal,
 * bit for bit, across calls of every length (odd ones leave the spare
 * half of a pair for the next call), and leave the generator where
 * nl_rng_normal would. */
static void test_fill_is_the_normal_stream(void)
{
    static const gsize lengths[] = {0,   1,   2,   3, 255, 256,   257,
                                    511, 512, 513, 1, 1,   100003};
    for (guint64 seed = 1; seed <= 3; seed++) {
        NlRng filled, one_by_one;
        nl_rng_init(&filled, seed);
        nl_rng_init(&one_by_one, seed);
        for (guint i = 0; i < G_N_ELEMENTS(lengths); i++) {
            gsize n = lengths[i];
            g_autofree float *x = g_new(float, MAX(n, 1));
            nl_rng_fill_normal_f32(&filled, x, n);
            for (gsize j = 0; j < n; j++) {
                float want = (float)nl_rng_normal(&one_by_one);
                if (nl_f32_bits(x[j]) != nl_f32_bits(want))
                    g_error("seed %" G_GUINT64_FORMAT ", call %u, value %zu: "
                            "%.9g, nl_rng_normal gives %.9g",
                            seed, i, j, x[j], want);
            }
        }
        g_assert_cmpfloat(nl_rng_normal(&filled), ==,
                          nl_rng_normal(&one_by_one));
        g_assert_cmphex(nl_rng_next_u64(&filled), ==,
                        nl_rng_next_u64(&one_by_one));
    }
}

/* nl_normal_values_f32 is the stream of nl_rng_fill_normal_f32, in a new
 * block; a count that cannot be allocated is an error, not an abort. */
static void test_normal_values(void)
{
    float want[100];
    NlRng rng;
    nl_rng_init(&rng, 9);
    nl_rng_fill_normal_f32(&rng, want, 100);
    g_autoptr(GError) error = NULL;
    float *got = nl_normal_values_f32(9, 100, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(got, sizeof want, want, sizeof want);
    nl_free(got);
    g_assert_null(nl_normal_values_f32(9, G_MAXSIZE / 2, &error));
    g_assert_error(error, NL_ALLOC_ERROR, NL_ALLOC_ERROR_OVERFLOW);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rng/stream-matches-reference",
                    test_stream_matches_reference);
    g_test_add_func("/rng/log-portable", test_log_portable);
    g_test_add_func("/rng/normal-moments", test_normal_moments);
    g_test_add_func("/rng/below-and-shuffle", test_below_and_shuffle);
    g_test_add_func("/rng/same-seed-same-values", test_same_seed_same_values);
    g_test_add_func("/rng/normal-values", test_normal_values);
    g_test_add_func("/rng/fill-is-the-normal-stream",
                    test_fill_is_the_normal_stream);
    return g_test_run();
}
