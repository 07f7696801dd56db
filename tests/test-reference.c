/* test-reference.c — libnumlab's reference kernels (numlab/reference.h)
 * against computations written here.
 *
 * Two yardsticks, both independent of the code under test:
 *  - the order: each result must be, bit for bit, the plain loop its
 *    header states, computed here with test-util's fixed orders
 *    (nl_test_sum_forward over the rounded products; nl_test_tile_tree
 *    for the tile tree) or written out in the test (softmax), and the
 *    hand-made 2^24 cases pin down which order that is;
 *  - the value: each sum and dot product lies within the error bound of
 *    numlab/bound.h around the exact MPFR result of numlab/exact.h.
 * The shapes cross every block edge of the implementation (gemv's 8
 * rows, gemm's 4 x 16 blocks, its 256-term and 256-column passes, the
 * tile tree's runs of 64 tiles); padding between a row and its leading
 * dimension holds NaN, which must not reach a result, and C's padding
 * must come back untouched. */
#include "config.h"

#include <numlab/numlab.h>

#include "test-util.h"

#include <math.h>
#include <string.h>

#define TWO24 16777216.0f

static guint32 bits(float f)
{
    return nl_f32_bits(f);
}

/* n values of a seeded stream with magnitudes 2^-8 .. 2^8, so that the
 * order of additions shows in the last bits. */
static float *mixed(guint64 seed, gsize n)
{
    float *x = nl_test_normals(seed, n);
    NlRng rng;
    nl_rng_init(&rng, seed + 1000);
    for (gsize i = 0; i < n; i++)
        x[i] = ldexpf(x[i], (int)(nl_rng_next_u64(&rng) % 17) - 8);
    return x;
}

/* A rows x cols matrix with stride ld, NaN between a row's end and the
 * next row. */
static float *matrix(guint64 seed, gsize rows, gsize cols, gsize ld)
{
    gsize len = rows ? (rows - 1) * ld + cols : 0;
    float *v = g_new(float, MAX(len, 1));
    g_autofree float *x = mixed(seed, MAX(rows * cols, 1));
    for (gsize i = 0; i < len; i++)
        v[i] = NAN;
    for (gsize r = 0; r < rows; r++)
        memcpy(v + r * ld, x + r * cols, cols * sizeof(float));
    return v;
}

/* The plain dot product: the rounded products, summed left to right. */
static float dot_forward(const float *x, gsize x_stride, const float *y,
                         gsize y_stride, gsize n)
{
    g_autofree float *prod = g_new(float, MAX(n, 1));
    for (gsize i = 0; i < n; i++)
        prod[i] = x[i * x_stride] * y[i * y_stride];
    return nl_test_sum_forward(prod, n);
}

/* ---- sum, dot ---- */

static void test_sum_order(void)
{
    /* left to right: each +1 to 2^24 is a tie and rounds back to 2^24 */
    const float big_first[] = {TWO24, 1, 1}, big_last[] = {1, 1, TWO24};
    g_assert_cmpfloat(nl_ref_sum_f32(big_first, 3), ==, TWO24);
    g_assert_cmpfloat(nl_ref_sum_f32(big_last, 3), ==, TWO24 + 2);
    /* the accumulator starts at +0: nothing, and -0 alone, sum to +0 */
    const float minus_zero[] = {-0.0f};
    g_assert_cmphex(bits(nl_ref_sum_f32(NULL, 0)), ==, 0);
    g_assert_cmphex(bits(nl_ref_sum_f32(minus_zero, 1)), ==, 0);
    const float nan_inside[] = {1, NAN, 2};
    g_assert_true(isnan(nl_ref_sum_f32(nan_inside, 3)));
}

static void test_sum_random(void)
{
    for (gsize n = 1; n <= 300000; n = n * 3 + 1) {
        g_autofree float *x = mixed(n, n);
        float s = nl_ref_sum_f32(x, n);
        g_assert_cmphex(bits(s), ==, bits(nl_test_sum_forward(x, n)));
        g_assert_true(nl_within_bound(s, nl_exact_sum_f32_as_f64(x, n),
                                      nl_sum_bound_f32(x, n)));
    }
}

static void test_dot(void)
{
    /* 4097 * 4097 = 16785409 rounds to 16785408 in float; minus 16785408
     * gives 0 with two roundings, 1 with a fused multiply-add. */
    const float x[] = {4097, 16785408}, y[] = {4097, -1};
    g_assert_cmpfloat(nl_ref_dot_f32(x, y, 2), ==, 0.0f);
    g_assert_cmphex(bits(nl_ref_dot_f32(NULL, NULL, 0)), ==, 0);
    for (gsize n = 1; n <= 100000; n = n * 5 + 2) {
        g_autofree float *a = mixed(2 * n, n), *b = mixed(2 * n + 1, n);
        float d = nl_ref_dot_f32(a, b, n);
        g_assert_cmphex(bits(d), ==, bits(dot_forward(a, 1, b, 1, n)));
        g_assert_true(nl_within_bound(d, nl_exact_dot_f32_as_f64(a, b, n),
                                      nl_dot_bound_f32(a, b, 1, n)));
    }
}

/* ---- gemv ---- */

static void check_gemv(gsize m, gsize n, gsize lda)
{
    g_autofree float *a = matrix(m * 100 + n, m, n, lda);
    g_autofree float *x = mixed(7 * n + 1, MAX(n, 1));
    g_autofree float *ones = g_new(float, MAX(n, 1));
    g_autofree float *y = g_new(float, m + 1);
    g_autofree float *sums = g_new(float, m + 1);
    for (gsize p = 0; p < n; p++)
        ones[p] = 1.0f;
    y[m] = sums[m] = NAN;
    nl_ref_gemv_f32(m, n, a, lda, x, y);
    nl_ref_gemv_f32(m, n, a, lda, ones, sums);
    for (gsize i = 0; i < m; i++) {
        const float *row = a + i * lda;
        g_assert_cmphex(bits(y[i]), ==, bits(dot_forward(row, 1, x, 1, n)));
        g_assert_true(nl_within_bound(y[i], nl_exact_dot_f32_as_f64(row, x, n),
                                      nl_dot_bound_f32(row, x, 1, n)));
        /* with ones: the row's sum, bit for bit */
        g_assert_cmphex(bits(sums[i]), ==, bits(nl_ref_sum_f32(row, n)));
    }
    g_assert_true(isnan(y[m]) && isnan(sums[m])); /* nothing past y */
}

static void test_gemv(void)
{
    for (gsize m = 0; m <= 20; m++)
        check_gemv(m, 37, 40);
    for (gsize n = 0; n <= 70; n += 7)
        check_gemv(9, n, n + 3);
    check_gemv(64, 1000, 1000);
    check_gemv(17, 4099, 4100);
}

/* ---- gemm ---- */

static void check_gemm(gsize m, gsize n, gsize k, gsize lda, gsize ldb,
                       gsize ldc)
{
    g_autofree float *a = matrix(m * 7 + k, m, k, lda);
    g_autofree float *b = matrix(k * 11 + n, k, n, ldb);
    gsize len = m ? (m - 1) * ldc + n : 0;
    g_autofree float *c = g_new(float, len + 1);
    for (gsize i = 0; i <= len; i++)
        c[i] = NAN; /* C's padding and one past its end must stay NaN */
    nl_ref_gemm_f32(m, n, k, a, lda, b, ldb, c, ldc);
    for (gsize i = 0; i < m; i++) {
        for (gsize j = 0; j < n; j++) {
            float got = c[i * ldc + j];
            float want = dot_forward(a + i * lda, 1, b + j, ldb, k);
            if (bits(got) != bits(want))
                g_error("gemm %zux%zux%zu (ld %zu %zu %zu): c[%zu][%zu] = "
                        "%.9g, the plain loop gives %.9g",
                        m, n, k, lda, ldb, ldc, i, j, got, want);
            g_assert_true(nl_within_bound(
                got,
                nl_exact_dot_strided_f32_as_f64(a + i * lda, b + j, ldb, k),
                nl_dot_bound_f32(a + i * lda, b + j, ldb, k)));
        }
        for (gsize j = n; j < ldc && i + 1 < m; j++)
            g_assert_true(isnan(c[i * ldc + j]));
    }
    g_assert_true(isnan(c[len]));
    /* an element does not depend on the rest of the product: the last row
     * alone gives the same bits */
    if (m > 1) {
        g_autofree float *last = g_new(float, n);
        nl_ref_gemm_f32(1, n, k, a + (m - 1) * lda, lda, b, ldb, last, n);
        g_assert_cmpmem(last, n * sizeof(float), c + (m - 1) * ldc,
                        n * sizeof(float));
    }
}

static void test_gemm(void)
{
    const gsize edge[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33};
    for (guint i = 0; i < G_N_ELEMENTS(edge); i++) {
        gsize v = edge[i];
        check_gemm(v, 13, 11, 11, 13, 13);      /* m over the 4-row blocks */
        check_gemm(5, v, 11, 12, v + 1, v + 2); /* n over the 8 columns */
        check_gemm(6, 10, v, v, 10, 10);        /* k */
    }
    check_gemm(3, 4, 0, 1, 4, 5); /* k = 0: C = 0 */
    check_gemm(9, 17, 255, 255, 17, 17);
    check_gemm(9, 17, 257, 260, 20, 19);    /* one term past a 256-term pass */
    check_gemm(5, 300, 513, 513, 301, 300); /* and past a 256-column pass */
    check_gemm(64, 64, 64, 64, 64, 64);
    check_gemm(33, 1, 1000, 1000, 3, 2); /* one strided column */
    check_gemm(1, 300, 600, 600, 300, 300);

    /* k = 1 with -0: c = +0 + (-0) = +0, as the loop starts at +0 */
    const float mz[] = {-0.0f}, one[] = {1.0f};
    float c = NAN;
    nl_ref_gemm_f32(1, 1, 1, mz, 1, one, 1, &c, 1);
    g_assert_cmphex(bits(c), ==, 0);
    /* no FMA inside a product either */
    const float a2[] = {4097, 16785408}, b2[] = {4097, -1};
    nl_ref_gemm_f32(1, 1, 2, a2, 2, b2, 1, &c, 1);
    g_assert_cmpfloat(c, ==, 0.0f);
}

/* ---- softmax ---- */

/* The formula of numlab/reference.h, written out. */
static void softmax_plain(const float *x, float *y, gsize n, float t)
{
    float max = x[0] / t;
    for (gsize i = 1; i < n; i++)
        max = fmaxf(max, x[i] / t);
    float total = 0.0f;
    for (gsize i = 0; i < n; i++) {
        y[i] = expf(x[i] / t - max);
        total += y[i];
    }
    for (gsize i = 0; i < n; i++)
        y[i] /= total;
}

static void test_softmax(void)
{
    const float temps[] = {0.05f, 0.6f, 1.0f, 2.5f};
    for (gsize n = 1; n <= 5000; n = n * 2 + 1)
        for (guint t = 0; t < G_N_ELEMENTS(temps); t++) {
            g_autofree float *x = nl_test_normals(n + t, n);
            g_autofree float *y = g_new(float, n + 1);
            g_autofree float *want = g_new(float, n);
            y[n] = NAN;
            nl_ref_softmax_f32(x, y, n, temps[t]);
            softmax_plain(x, want, n, temps[t]);
            g_assert_cmpmem(y, n * sizeof(float), want, n * sizeof(float));
            g_assert_true(isnan(y[n]));
            /* the values, in double: a few roundings, relative 1e-5 */
            double z = 0, m = -INFINITY;
            for (gsize i = 0; i < n; i++)
                m = MAX(m, (double)x[i] / temps[t]);
            for (gsize i = 0; i < n; i++)
                z += exp((double)x[i] / temps[t] - m);
            for (gsize i = 0; i < n; i++) {
                double p = exp((double)x[i] / temps[t] - m) / z;
                g_assert_cmpfloat(fabs(y[i] - p), <=, 1e-5 * p + 1e-37);
            }
            /* in place (y = x): the same bits */
            nl_ref_softmax_f32(x, x, n, temps[t]);
            g_assert_cmpmem(x, n * sizeof(float), want, n * sizeof(float));
        }
    /* huge logits: the maximum is subtracted first, nothing overflows */
    float huge[] = {1000.0f, 999.0f};
    nl_ref_softmax_f32(huge, huge, 2, 1.0f);
    g_assert_cmpfloat(fabs(huge[0] - 1.0 / (1.0 + exp(-1.0))), <, 1e-6);
    nl_ref_softmax_f32(NULL, NULL, 0, 1.0f); /* nothing to do */
}

/* ---- the tile tree ---- */

static void test_tiled_sum_shape(void)
{
    /* tile 2 over [2^24, 1, 1, 1]: (2^24 + 1) -> 2^24, (1 + 1) = 2, total
     * 2^24 + 2, where the sequential sum stays at 2^24. */
    const float x[] = {TWO24, 1, 1, 1};
    g_assert_cmpfloat(nl_ref_tiled_sum_f32(x, 4, 2), ==, TWO24 + 2);
    g_assert_cmpfloat(nl_ref_tiled_sum_f32(x, 4, 4), ==, TWO24);
    g_assert_cmpfloat(nl_ref_tiled_sum_f32(x, 4, 100), ==, TWO24);
    /* three tiles: (p0 + p1) + p2 = 2^24; p0 + (p1 + p2) would be 2^24 + 2 */
    g_assert_cmpfloat(nl_ref_tiled_sum_f32(x, 3, 1), ==, TWO24);
    g_assert_cmpfloat(nl_ref_tiled_sum_f32(x, 4, 1), ==, TWO24 + 2);
    g_assert_cmpfloat(nl_ref_tiled_sum_f32(x, 4, 3), ==, TWO24);
    g_assert_cmphex(bits(nl_ref_tiled_sum_f32(x, 0, 3)), ==, 0);
    /* seven tiles: ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + p6), the
     * incomplete right part added as one; with p = 2^24, 0, 0, 0, 1, 0, 1
     * that is 2^24 + 2, where adding p6 last, or left to right, gives 2^24 */
    const float y[] = {TWO24, 0, 0, 0, 1, 0, 1};
    g_assert_cmpfloat(nl_ref_tiled_sum_f32(y, 7, 1), ==, TWO24 + 2);
    g_assert_cmpfloat(nl_ref_tile_tree_f32(y, 7), ==, TWO24 + 2);
    g_assert_cmpfloat(nl_ref_sum_f32(y, 7), ==, TWO24);
    g_assert_cmphex(bits(nl_ref_tile_tree_f32(NULL, 0)), ==, 0);
}

static void test_tiled_sum_random(void)
{
    const gsize tiles[] = {1, 2, 3, 4, 5, 7, 9, 16, 63, 64, 65, 100, 1000};
    for (gsize n = 0; n <= 300; n++) {
        g_autofree float *x = mixed(n + 1, MAX(n, 1));
        for (guint t = 0; t < G_N_ELEMENTS(tiles); t++)
            g_assert_cmphex(bits(nl_ref_tiled_sum_f32(x, n, tiles[t])), ==,
                            bits(nl_test_tile_tree(x, n, tiles[t])));
    }
    /* thousands of tiles: many runs of 64 and an uneven rest */
    const gsize big[] = {64 * 64, 64 * 64 * 3 + 37, 100003};
    for (guint i = 0; i < G_N_ELEMENTS(big); i++) {
        gsize n = big[i];
        g_autofree float *x = mixed(n, n);
        for (gsize tile = 1; tile <= 8; tile++) {
            float s = nl_ref_tiled_sum_f32(x, n, tile);
            g_assert_cmphex(bits(s), ==, bits(nl_test_tile_tree(x, n, tile)));
            g_assert_true(nl_within_bound(s, nl_exact_sum_f32_as_f64(x, n),
                                          nl_sum_bound_f32(x, n)));
        }
        /* the tree alone, on partials given: tiles of one value */
        for (gsize m = n - 70; m <= n; m++)
            g_assert_cmphex(bits(nl_ref_tile_tree_f32(x, m)), ==,
                            bits(nl_test_tile_tree(x, m, 1)));
    }
}

/* ---- copy ---- */

static void test_copy(void)
{
    float v[10];
    for (int i = 0; i < 10; i++)
        v[i] = (float)i;
    nl_ref_copy_f32(v + 2, v, 6); /* overlapping, forward */
    const float want_fw[] = {0, 1, 0, 1, 2, 3, 4, 5, 8, 9};
    g_assert_cmpmem(v, sizeof v, want_fw, sizeof want_fw);
    nl_ref_copy_f32(v, v + 4, 6); /* overlapping, backward */
    const float want_bw[] = {2, 3, 4, 5, 8, 9, 4, 5, 8, 9};
    g_assert_cmpmem(v, sizeof v, want_bw, sizeof want_bw);
    nl_ref_copy_f32(NULL, NULL, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reference/sum-order", test_sum_order);
    g_test_add_func("/reference/sum-random", test_sum_random);
    g_test_add_func("/reference/dot", test_dot);
    g_test_add_func("/reference/gemv", test_gemv);
    g_test_add_func("/reference/gemm", test_gemm);
    g_test_add_func("/reference/softmax", test_softmax);
    g_test_add_func("/reference/tiled-sum-shape", test_tiled_sum_shape);
    g_test_add_func("/reference/tiled-sum-random", test_tiled_sum_random);
    g_test_add_func("/reference/copy", test_copy);
    return g_test_run();
}
