/* test-naive.c — the reference backend against hand-derived values and
 * exact MPFR results, and against libnumlab's reference kernels, which it
 * wraps (bit for bit).
 *
 * Tolerances: the naive kernels must match a left-to-right float loop bit
 * for bit (that *is* their contract), and lie within the classical error
 * bound of recursive summation, |s - exact| <= (n-1) u sum|x_i| with
 * u = 2^-24, of the exact value. Hand-made cases built from 2^24 (where
 * float's spacing becomes 2) pin down the exact order of additions. */
#include "config.h"

#include "../framework/host/host.h"

#include <math.h>

static NlBackend *naive;

static NlBuffer *buffer_of(const float *x, gsize n)
{
    g_autoptr(GError) error = NULL;
    NlBuffer *b = nl_backend_new_from(naive, x, n, &error);
    g_assert_no_error(error);
    return b;
}

static float sum_of(const float *x, gsize n)
{
    NlBuffer *b = buffer_of(x, n);
    float s = NAN;
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_backend_sum(naive, b, n, &s, &error));
    nl_backend_free(naive, b);
    return s;
}

static float tiled_of(const float *x, gsize n, gsize tile)
{
    NlBuffer *b = buffer_of(x, n);
    float s = NAN;
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_backend_tiled_sum(naive, b, n, tile, &s, &error));
    nl_backend_free(naive, b);
    return s;
}

#define TWO24 16777216.0f

static void test_sum_order(void)
{
    /* left to right: each +1 to 2^24 is a tie and rounds back to 2^24 */
    float big_first[] = {TWO24, 1, 1};
    float big_last[] = {1, 1, TWO24};
    g_assert_cmpfloat(sum_of(big_first, 3), ==, TWO24);
    g_assert_cmpfloat(sum_of(big_last, 3), ==, TWO24 + 2);
    g_assert_cmpfloat(sum_of(big_first, 0), ==, 0.0f);
    g_assert_cmpfloat(sum_of(big_first, 1), ==, TWO24);
}

static void test_sum_random_within_bound(void)
{
    for (gsize n = 1; n <= 100000; n *= 7) {
        float *x = nl_alloc_f32(n, NULL);
        NlRng rng;
        nl_rng_init(&rng, n);
        nl_rng_fill_normal_f32(&rng, x, n);
        float s = sum_of(x, n);
        float loop = 0.0f;
        double abs_sum = 0;
        for (gsize i = 0; i < n; i++) {
            loop += x[i];
            abs_sum += fabs(x[i]);
        }
        g_assert_cmphex(nl_f32_bits(s), ==, nl_f32_bits(loop));
        double exact = nl_exact_sum_f32_as_f64(x, n);
        g_assert_cmpfloat(fabs(s - exact), <=, (n - 1) * 0x1p-24 * abs_sum);
        nl_free(x);
    }
}

static void test_tiled_sum_tree_shape(void)
{
    /* tile 2 over [2^24, 1, 1, 1]: (2^24 + 1) -> 2^24, (1 + 1) = 2, total
     * 2^24 + 2, where the sequential sum stays at 2^24. */
    float x[] = {TWO24, 1, 1, 1};
    g_assert_cmpfloat(tiled_of(x, 4, 2), ==, TWO24 + 2);
    g_assert_cmpfloat(tiled_of(x, 4, 4), ==, TWO24); /* one tile = sequential */
    g_assert_cmpfloat(tiled_of(x, 4, 100), ==, TWO24);
    /* three tiles combine as (p0 + p1) + p2 = (2^24 + 1) + 1 -> 2^24;
     * p0 + (p1 + p2) would give 2^24 + 2 */
    g_assert_cmpfloat(tiled_of(x, 3, 1), ==, TWO24);
    /* four tiles: (p0 + p1) + (p2 + p3) = 2^24 + 2 */
    g_assert_cmpfloat(tiled_of(x, 4, 1), ==, TWO24 + 2);
    /* a rest tile: tile 3 over 4 values = [2^24 + 1 + 1 -> 2^24] + [1] */
    g_assert_cmpfloat(tiled_of(x, 4, 3), ==, TWO24);
    g_assert_cmpfloat(tiled_of(x, 0, 3), ==, 0.0f);
}

static void test_dot_has_no_fma(void)
{
    /* 4097 * 4097 = 16785409 rounds to 16785408 in float; minus 16785408
     * gives 0 with two roundings, 1 with a fused multiply-add. */
    float x[] = {4097, 16785408};
    float y[] = {4097, -1};
    NlBuffer *bx = buffer_of(x, 2), *by = buffer_of(y, 2);
    float d = NAN;
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_backend_dot(naive, bx, by, 2, &d, &error));
    g_assert_cmpfloat(d, ==, 0.0f);
    nl_backend_free(naive, bx);
    nl_backend_free(naive, by);
}

/* C = A B on naive against a left-to-right loop here (bitwise) and the
 * exact dot products (error bound k u sum|a||b|). */
static void check_gemm(gsize m, gsize n, gsize k, gsize lda, gsize ldb,
                       gsize ldc)
{
    g_autoptr(GError) error = NULL;
    gsize sa = (m - 1) * lda + k, sb = (k - 1) * ldb + n,
          sc = (m - 1) * ldc + n;
    float *a = nl_alloc_f32(sa, NULL), *b = nl_alloc_f32(sb, NULL);
    float *c = nl_alloc_f32(sc, NULL);
    NlRng rng;
    nl_rng_init(&rng, m * 1000 + n * 10 + k);
    nl_rng_fill_normal_f32(&rng, a, sa);
    nl_rng_fill_normal_f32(&rng, b, sb);
    NlBuffer *ba = buffer_of(a, sa), *bb = buffer_of(b, sb);
    NlBuffer *bc = buffer_of(c, sc);
    g_assert_true(
        nl_backend_gemm(naive, m, n, k, ba, lda, bb, ldb, bc, ldc, &error));
    g_assert_true(nl_backend_download(naive, bc, c, sc, &error));
    for (gsize i = 0; i < m; i++)
        for (gsize j = 0; j < n; j++) {
            float loop = 0.0f;
            double bound = 0;
            for (gsize p = 0; p < k; p++) {
                float prod = a[i * lda + p] * b[p * ldb + j];
                loop += prod;
                bound += fabs((double)a[i * lda + p] * b[p * ldb + j]);
            }
            float got = c[i * ldc + j];
            g_assert_cmphex(nl_f32_bits(got), ==, nl_f32_bits(loop));
            double exact =
                nl_exact_dot_strided_f32_as_f64(a + i * lda, b + j, ldb, k);
            g_assert_cmpfloat(fabs(got - exact), <=, k * 0x1p-24 * bound);
        }
    if (n == 1) { /* the same as a matrix-vector product */
        float *xv = nl_alloc_f32(k, NULL);
        for (gsize p = 0; p < k; p++)
            xv[p] = b[p * ldb];
        NlBuffer *bx = buffer_of(xv, k), *by = buffer_of(c, m);
        g_assert_true(nl_backend_gemv(naive, m, k, ba, lda, bx, by, &error));
        float *y = nl_alloc_f32(m, NULL);
        g_assert_true(nl_backend_download(naive, by, y, m, &error));
        for (gsize i = 0; i < m; i++)
            g_assert_cmphex(nl_f32_bits(y[i]), ==, nl_f32_bits(c[i * ldc]));
        nl_free(y);
        nl_free(xv);
        nl_backend_free(naive, bx);
        nl_backend_free(naive, by);
    }
    g_assert_no_error(error);
    nl_backend_free(naive, ba);
    nl_backend_free(naive, bb);
    nl_backend_free(naive, bc);
    nl_free(a);
    nl_free(b);
    nl_free(c);
}

static void test_gemm_shapes(void)
{
    check_gemm(1, 1, 1, 1, 1, 1);
    check_gemm(1, 7, 3, 3, 7, 7);
    check_gemm(5, 1, 9, 9, 1, 1);
    check_gemm(4, 6, 1, 1, 6, 6);
    check_gemm(13, 11, 17, 20, 16, 12); /* leading dims wider than the rows */
    check_gemm(64, 64, 256, 256, 64, 64);
    check_gemm(33, 1, 1000, 1000, 3, 2); /* gemv path, strided column */
}

static void test_softmax_lecture_logits(void)
{
    /* The lecture's vocabulary logits; reference in double here. */
    const float logits[] = {2.4f, 1.2f, 0.3f, 2.0f, 0.1f, -0.5f};
    const float temps[] = {0.5f, 1.0f, 2.0f};
    NlBuffer *bx = buffer_of(logits, 6);
    g_autoptr(GError) error = NULL;
    NlBuffer *by = nl_backend_alloc(naive, 6, &error);
    for (guint t = 0; t < G_N_ELEMENTS(temps); t++) {
        g_assert_true(nl_backend_softmax(naive, bx, by, 6, temps[t], &error));
        double z = 0, ref[6];
        for (int i = 0; i < 6; i++)
            z += exp((double)logits[i] / temps[t]);
        float p[6];
        g_assert_true(nl_backend_download(naive, by, p, 6, &error));
        double total = 0;
        for (int i = 0; i < 6; i++) {
            ref[i] = exp((double)logits[i] / temps[t]) / z;
            /* expf, the max shift, the float sum and the division: a few
             * float roundings, relative error well under 1e-6 */
            g_assert_cmpfloat(fabs(p[i] - ref[i]), <=, 1e-6 * ref[i]);
            total += p[i];
        }
        g_assert_cmpfloat(fabs(total - 1.0), <=, 1e-6);
    }
    /* T = 1: p(Paris) = e^2.4 / sum = 0.4446 (hand: e^2.4 = 11.023,
     * sum = 11.023 + 3.320 + 1.350 + 7.389 + 1.105 + 0.607 = 24.794) */
    g_assert_true(nl_backend_softmax(naive, bx, by, 6, 1.0f, &error));
    float p[6];
    g_assert_true(nl_backend_download(naive, by, p, 6, &error));
    g_assert_cmpfloat(fabs(p[0] - 0.4446), <, 0.0005);
    /* huge logits do not overflow: the max is subtracted first */
    const float huge[] = {1000.0f, 999.0f};
    NlBuffer *bh = buffer_of(huge, 2);
    g_assert_true(nl_backend_softmax(naive, bh, bh, 2, 1.0f, &error));
    g_assert_true(nl_backend_download(naive, bh, p, 2, &error));
    g_assert_cmpfloat(fabs(p[0] - 1.0 / (1.0 + exp(-1.0))), <, 1e-6);
    g_assert_no_error(error);
    nl_backend_free(naive, bx);
    nl_backend_free(naive, by);
    nl_backend_free(naive, bh);
}

static void test_argument_checks(void)
{
    float x[8] = {0};
    NlBuffer *b = buffer_of(x, 8);
    g_autoptr(GError) error = NULL;
    float r;
    g_assert_false(nl_backend_sum(naive, b, 9, &r, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT);
    g_assert_nonnull(
        strstr(error->message, "buffer x holds 8 values, 9 needed"));
    g_clear_error(&error);
    g_assert_false(nl_backend_gemm(naive, 2, 2, 3, b, 2, b, 2, b, 2, &error));
    g_assert_nonnull(
        strstr(error->message, "lda=2 is smaller than its 3 columns"));
    g_clear_error(&error);
    g_assert_false(nl_backend_gemm(naive, 3, 3, 3, b, 3, b, 3, b, 3, &error));
    g_assert_nonnull(
        strstr(error->message, "buffer a holds 8 values, 9 needed"));
    g_clear_error(&error);
    g_assert_false(nl_backend_tiled_sum(naive, b, 8, 0, &r, &error));
    g_assert_nonnull(strstr(error->message, "tile size 0"));
    g_clear_error(&error);
    g_assert_false(nl_backend_softmax(naive, b, b, 8, 0.0f, &error));
    g_assert_nonnull(strstr(error->message, "temperature"));
    g_clear_error(&error);
    g_assert_false(nl_backend_softmax(naive, b, b, 8, INFINITY, &error));
    g_clear_error(&error);
    /* a size a user asks for that cannot be had is an error, not an abort */
    g_assert_null(nl_backend_alloc(naive, G_MAXSIZE / 2, &error));
    g_assert_error(error, NL_ALLOC_ERROR, NL_ALLOC_ERROR_OVERFLOW);
    nl_backend_free(naive, b);
}

/* The naive backend is a thin wrapper: every kernel gives libnumlab's
 * reference kernel's bits (numlab/reference.h), on awkward shapes. */
static void test_is_reference(void)
{
    g_autoptr(GError) error = NULL;
    const gsize sizes[] = {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099};
    for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
        gsize n = sizes[s], len = MAX(n, 1);
        float *x = nl_alloc_f32(len, NULL), *y = nl_alloc_f32(len, NULL);
        /* p and want also take the 3 x 3 product below */
        float *p = nl_alloc_f32(MAX(len, 9), NULL);
        float *want = nl_alloc_f32(MAX(len, 9), NULL);
        NlRng rng;
        nl_rng_init(&rng, 100 + n);
        nl_rng_fill_normal_f32(&rng, x, len);
        nl_rng_fill_normal_f32(&rng, y, len);
        NlBuffer *bx = buffer_of(x, len), *by = buffer_of(y, len);
        float r;
        g_assert_true(nl_backend_sum(naive, bx, n, &r, &error));
        g_assert_cmphex(nl_f32_bits(r), ==, nl_f32_bits(nl_ref_sum_f32(x, n)));
        g_assert_true(nl_backend_dot(naive, bx, by, n, &r, &error));
        g_assert_cmphex(nl_f32_bits(r), ==,
                        nl_f32_bits(nl_ref_dot_f32(x, y, n)));
        const gsize tiles[] = {1, 3, 16, 128, 5000};
        for (guint t = 0; t < G_N_ELEMENTS(tiles); t++) {
            g_assert_true(
                nl_backend_tiled_sum(naive, bx, n, tiles[t], &r, &error));
            g_assert_cmphex(nl_f32_bits(r), ==,
                            nl_f32_bits(nl_ref_tiled_sum_f32(x, n, tiles[t])));
        }
        if (n) {
            NlBuffer *bp = nl_backend_alloc(naive, n, &error);
            g_assert_true(nl_backend_softmax(naive, bx, bp, n, 0.6f, &error));
            g_assert_true(nl_backend_download(naive, bp, p, n, &error));
            nl_ref_softmax_f32(x, want, n, 0.6f);
            g_assert_cmpmem(p, n * sizeof(float), want, n * sizeof(float));
            nl_backend_free(naive, bp);
        }
        /* gemv and gemm on x as a 3-row matrix with a wide stride */
        gsize cols = n / 4, ld = cols + 1;
        if (cols) {
            NlBuffer *bo = nl_backend_alloc(naive, 9, &error);
            g_assert_true(
                nl_backend_gemv(naive, 3, cols, bx, ld, by, bo, &error));
            g_assert_true(nl_backend_download(naive, bo, p, 3, &error));
            nl_ref_gemv_f32(3, cols, x, ld, y, want);
            g_assert_cmpmem(p, 3 * sizeof(float), want, 3 * sizeof(float));
            /* (3 x cols) times (cols x 3), B = y with stride 3 */
            if (3 * cols <= len) {
                g_assert_true(nl_backend_gemm(naive, 3, 3, cols, bx, ld, by, 3,
                                              bo, 3, &error));
                g_assert_true(nl_backend_download(naive, bo, p, 9, &error));
                nl_ref_gemm_f32(3, 3, cols, x, ld, y, 3, want, 3);
                g_assert_cmpmem(p, 9 * sizeof(float), want, 9 * sizeof(float));
            }
            nl_backend_free(naive, bo);
        }
        g_assert_no_error(error);
        nl_backend_free(naive, bx);
        nl_backend_free(naive, by);
        nl_free(x);
        nl_free(y);
        nl_free(p);
        nl_free(want);
    }
}

static void test_describe(void)
{
    const NlBackendInfo *info = nl_backend_info(naive);
    g_assert_cmpint(info->threads, ==, 1);
    g_assert_nonnull(strstr(info->summation_order, "sequential"));
    g_assert_cmpstr(nl_backend_name(naive), ==, "naive");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_autoptr(NlRegistry) r = nl_registry_new();
    g_autoptr(GError) error = NULL;
    if (!nl_registry_load(r, NL_BUILDDIR "/backends/naive/.libs/naive.so",
                          &error))
        g_error("%s", error->message);
    const NlPlugin *p = nl_registry_find(r, NL_PLUGIN_BACKEND, "naive")->plugin;
    naive = nl_backend_open_checked(p, NULL, NULL, NULL, &error);
    g_assert_no_error(error);

    g_test_add_func("/naive/sum-order", test_sum_order);
    g_test_add_func("/naive/sum-random-within-bound",
                    test_sum_random_within_bound);
    g_test_add_func("/naive/tiled-sum-tree-shape", test_tiled_sum_tree_shape);
    g_test_add_func("/naive/dot-has-no-fma", test_dot_has_no_fma);
    g_test_add_func("/naive/gemm-shapes", test_gemm_shapes);
    g_test_add_func("/naive/softmax-lecture-logits",
                    test_softmax_lecture_logits);
    g_test_add_func("/naive/argument-checks", test_argument_checks);
    g_test_add_func("/naive/is-reference", test_is_reference);
    g_test_add_func("/naive/describe", test_describe);
    int rc = g_test_run();
    nl_backend_close(naive);
    return rc;
}
