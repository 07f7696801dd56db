/* test-openmp-exp.c — the OpenMP backend's vectorized exp (par_exp_f32 in
 * backends/openmp/softmax.c) against exp in double rounded to float, the
 * correctly rounded answer: at most 2 ulps over the whole range softmax
 * uses and beyond, exact where it must be (exp(0) = 1: the max logit's
 * weight), 0 below the subnormals, +Inf above FLT_MAX, NaN kept. */
#include "config.h"

#include <numlab/numlab.h>

#include <math.h>
#include <stdio.h>

/* Defined in backends/openmp/softmax.c, which declares it there only. */
void par_exp_f32(const float *z, float *y, gsize n);

static gint64 max_ulps_over(const float *z, gsize n, float *worst_z)
{
    g_autofree float *y = g_new(float, n);
    par_exp_f32(z, y, n);
    gint64 worst = 0;
    for (gsize i = 0; i < n; i++) {
        float want = (float)exp((double)z[i]);
        gint64 d = nl_ulp_distance_f32(want, y[i]);
        if (d > worst) {
            worst = d;
            *worst_z = z[i];
        }
        /* expf itself is within 1 ulp: we are within 3 of it */
        g_assert_cmpint(nl_ulp_distance_f32(expf(z[i]), y[i]), <=, 3);
    }
    return worst;
}

static void test_exp_range(void)
{
    /* every 2^-12 step over [-110, 90], plus random points, each length
     * not a multiple of 8 so the tail path runs too */
    gsize n = (gsize)(200 * 4096) + 5;
    g_autofree float *z = g_new(float, n);
    for (gsize i = 0; i < n; i++)
        z[i] = -110.0f + (float)i / 4096.0f;
    float worst_z = 0;
    gint64 worst = max_ulps_over(z, n, &worst_z);
    g_test_message("grid: max %" G_GINT64_FORMAT " ulps at z = %.9g", worst,
                   (double)worst_z);
    g_assert_cmpint(worst, <=, 2);

    NlRng rng;
    nl_rng_init(&rng, 3);
    for (gsize i = 0; i < n; i++)
        z[i] = (float)(-104.0 + 193.0 * nl_rng_uniform(&rng));
    worst = max_ulps_over(z, n, &worst_z);
    g_test_message("random: max %" G_GINT64_FORMAT " ulps at z = %.9g", worst,
                   (double)worst_z);
    g_assert_cmpint(worst, <=, 2);

    /* small |z|, where exp(z) is near 1 and its ulp changes */
    for (gsize i = 0; i < n; i++)
        z[i] = (float)ldexp(2.0 * nl_rng_uniform(&rng) - 1.0,
                            -(int)nl_rng_below(&rng, 30));
    worst = max_ulps_over(z, n, &worst_z);
    g_assert_cmpint(worst, <=, 2);
}

static void test_exp_specials(void)
{
    const float z[] = {0.0f,    -0.0f,  -INFINITY, INFINITY, NAN,    -104.0f,
                       -103.3f, -87.0f, 88.72f,    88.73f,   1e-30f, -1e-30f};
    float y[G_N_ELEMENTS(z)];
    par_exp_f32(z, y, G_N_ELEMENTS(z));
    g_assert_cmpfloat(y[0], ==, 1.0f);
    g_assert_cmpfloat(y[1], ==, 1.0f);
    g_assert_cmpfloat(y[2], ==, 0.0f);
    g_assert_true(isinf(y[3]) && y[3] > 0);
    g_assert_true(isnan(y[4]));
    g_assert_cmpfloat(y[5], ==, 0.0f); /* below half of 2^-149 */
    g_assert_cmpfloat(y[6], >, 0.0f);  /* a subnormal */
    g_assert_true(fpclassify(y[6]) == FP_SUBNORMAL);
    g_assert_true(fpclassify(y[7]) == FP_NORMAL);
    g_assert_true(isfinite(y[8])); /* just below FLT_MAX */
    g_assert_true(isinf(y[9]));    /* just above */
    g_assert_cmpfloat(y[10], ==, 1.0f);
    g_assert_cmpfloat(y[11], ==, 1.0f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        printf("1..0 # SKIP this CPU lacks AVX2/FMA\n");
        return 0;
    }
    g_test_add_func("/openmp-exp/range", test_exp_range);
    g_test_add_func("/openmp-exp/specials", test_exp_specials);
    return g_test_run();
}
