/* test-conformance.c — every backend against exact values and against the
 * naive reference.
 *
 * Tolerances, and why (u = 2^-24, the unit roundoff of float32):
 *  - sum: any order of additions, tree or sequential, vectorized or not,
 *    satisfies |s - exact| <= (n-1) u sum|x_i| (Higham, Accuracy and
 *    Stability, 4.2): the bound holds for every backend's order.
 *  - dot, gemv, gemm: each result is a dot product of length k; with or
 *    without FMA, in any order, |d - exact| <= k u sum|x_i y_i| (+ a hair
 *    for the second-order term, hence 1.01).
 *  - tiled_sum with tile 1: no order is left to the backend inside a tile,
 *    so every backend must give naive's bits exactly.
 *  - softmax: z = x/T - max is rounded once in float, and exp turns that
 *    absolute error (|z| u) into a relative one; exp itself is within
 *    1 ulp, the normalizer within (n-1) u relative, the division one
 *    rounding: |p - p_exact| <= (n + 4 + |z|) u p_exact, against a double
 *    reference that starts from the same float x/T; plus 2 x 2^-149 for
 *    results in the subnormal range.
 *  - NaN and Inf propagate as IEEE 754 says: a NaN anywhere, or +Inf and
 *    -Inf together, make a sum NaN; +Inf alone makes it +Inf.
 *  - batch_invariant=1 (backends with that option): every gemm element and
 *    every gemv output is one FMA chain over k from zero, so both must give
 *    exactly the bits of that chain rebuilt here with fmaf, whatever m, n,
 *    the leading dimensions and the thread count; openmp's sum and dot
 *    must give the bits of its documented fixed-block order at 1 and at 2
 *    threads.
 *  - openmp's gemm is that chain in its normal mode too, on either
 *    micro-kernel (12 x 32 on AVX-512F, 6 x 16 with avx512=0).
 * The mpi backend runs these at 1 to 4 ranks, with and without
 * invariant=1 (test-mpi.c checks its bits).
 * Backends are opened as the host opens them, with their self-check
 * (host/selfcheck.c) and whatever it substituted: these are the kernels
 * every job computes with. A kernel the self-check marked unusable fails
 * here with its reason. A backend that is unavailable here (CUDA without
 * a GPU) is skipped. */
#include "config.h"

#include "../framework/host/host.h"

#include <math.h>

#define U 0x1p-24

typedef struct {
    const char *label;
    NlBackend *backend;
} Subject;

static GPtrArray *subjects; /* Subject*, naive first */
static NlBackend *naive;

static const gsize sizes[] = {0, 1, 2, 3, 7, 31, 63, 1000, 1000000};

static float *normal_values(guint64 seed, gsize n)
{
    float *x = nl_alloc_f32(MAX(n, 1), NULL);
    NlRng rng;
    nl_rng_init(&rng, seed);
    nl_rng_fill_normal_f32(&rng, x, n);
    return x;
}

static NlBuffer *upload(NlBackend *b, const float *x, gsize n)
{
    g_autoptr(GError) error = NULL;
    NlBuffer *buf = nl_backend_new_from(b, x, MAX(n, 1), &error);
    g_assert_no_error(error);
    return buf;
}

static void test_sum(gconstpointer data)
{
    NlBackend *b = ((const Subject *)data)->backend;
    for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
        gsize n = sizes[s];
        g_autofree float *x = normal_values(n + 1, n);
        NlBuffer *buf = upload(b, x, n);
        float got = NAN;
        g_autoptr(GError) error = NULL;
        g_assert_true(nl_backend_sum(b, buf, n, &got, &error));
        double abs_sum = 0;
        for (gsize i = 0; i < n; i++)
            abs_sum += fabs(x[i]);
        double exact = nl_exact_sum_f32_as_f64(x, n);
        double bound = (n ? n - 1 : 0) * U * abs_sum;
        if (!(fabs(got - exact) <= bound))
            g_error("%s sum n=%zu: %.9g, exact %.17g, bound %.3g",
                    nl_backend_label(b), n, got, exact, bound);
        nl_backend_free(b, buf);
    }
}

static void test_dot(gconstpointer data)
{
    NlBackend *b = ((const Subject *)data)->backend;
    for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
        gsize n = sizes[s];
        g_autofree float *x = normal_values(2 * n + 1, n);
        g_autofree float *y = normal_values(2 * n + 2, n);
        NlBuffer *bx = upload(b, x, n), *by = upload(b, y, n);
        float got = NAN;
        g_autoptr(GError) error = NULL;
        g_assert_true(nl_backend_dot(b, bx, by, n, &got, &error));
        double mag = 0;
        for (gsize i = 0; i < n; i++)
            mag += fabs((double)x[i] * y[i]);
        double exact = nl_exact_dot_f32_as_f64(x, y, n);
        if (!(fabs(got - exact) <= 1.01 * n * U * mag))
            g_error("%s dot n=%zu: %.9g, exact %.17g", nl_backend_label(b), n,
                    got, exact);
        nl_backend_free(b, bx);
        nl_backend_free(b, by);
    }
}

/* C = A B with leading dimensions lda >= k, ldb >= n, ldc >= n; every
 * element against its exact dot product; with n == 1 also gemv. */
static void check_gemm(NlBackend *b, gsize m, gsize n, gsize k, gsize lda,
                       gsize ldb, gsize ldc)
{
    gsize sa = m ? (m - 1) * lda + k : 0, sb = k ? (k - 1) * ldb + n : 0;
    gsize sc = m ? (m - 1) * ldc + n : 0;
    g_autofree float *a = normal_values(m * 7 + k, sa);
    g_autofree float *bm = normal_values(n * 5 + k, sb);
    g_autofree float *c = nl_alloc_f32(MAX(sc, 1), NULL);
    for (gsize i = 0; i < sc; i++)
        c[i] = NAN; /* gemm must overwrite, not accumulate into, C */
    NlBuffer *ba = upload(b, a, sa), *bb = upload(b, bm, sb);
    NlBuffer *bc = upload(b, c, sc);
    g_autoptr(GError) error = NULL;
    g_assert_true(
        nl_backend_gemm(b, m, n, k, ba, lda, bb, ldb, bc, ldc, &error));
    g_assert_no_error(error);
    g_assert_true(nl_backend_download(b, bc, c, MAX(sc, 1), &error));
    for (gsize i = 0; i < m; i++)
        for (gsize j = 0; j < n; j++) {
            double mag = 0;
            for (gsize p = 0; p < k; p++)
                mag += fabs((double)a[i * lda + p] * bm[p * ldb + j]);
            double exact =
                nl_exact_dot_strided_f32_as_f64(a + i * lda, bm + j, ldb, k);
            float got = c[i * ldc + j];
            if (!(fabs(got - exact) <= 1.01 * k * U * mag))
                g_error("%s gemm %zux%zux%zu c[%zu][%zu] = %.9g, exact %.17g",
                        nl_backend_label(b), m, n, k, i, j, got, exact);
        }
    if (n == 1 && ldb == 1) { /* B is a vector: the same as gemv */
        NlBuffer *by = upload(b, c, MAX(m, 1));
        g_assert_true(nl_backend_gemv(b, m, k, ba, lda, bb, by, &error));
        g_autofree float *y = nl_alloc_f32(MAX(m, 1), NULL);
        g_assert_true(nl_backend_download(b, by, y, MAX(m, 1), &error));
        for (gsize i = 0; i < m; i++) {
            double mag = 0;
            for (gsize p = 0; p < k; p++)
                mag += fabs((double)a[i * lda + p] * bm[p]);
            double exact = nl_exact_dot_f32_as_f64(a + i * lda, bm, k);
            g_assert_cmpfloat(fabs(y[i] - exact), <=, 1.01 * k * U * mag);
        }
        nl_backend_free(b, by);
    }
    nl_backend_free(b, ba);
    nl_backend_free(b, bb);
    nl_backend_free(b, bc);
}

static void test_gemm(gconstpointer data)
{
    NlBackend *b = ((const Subject *)data)->backend;
    check_gemm(b, 1, 1, 1, 1, 1, 1);
    check_gemm(b, 1, 1, 1000, 1000, 1, 1); /* a dot product */
    check_gemm(b, 37, 1, 64, 64, 1, 1);    /* gemv */
    check_gemm(b, 37, 1, 64, 70, 1, 3);    /* gemv, wide leading dims */
    check_gemm(b, 1, 50, 30, 30, 50, 50);  /* one row: M = 1 */
    check_gemm(b, 20, 30, 1, 1, 30, 30);   /* K = 1: an outer product */
    check_gemm(b, 13, 17, 19, 25, 21, 18); /* every dim odd, ld wider */
    check_gemm(b, 100, 33, 300, 300, 40, 33);
    check_gemm(b, 7, 300, 600, 601, 300, 305); /* k over a cache block */
    check_gemm(b, 0, 5, 5, 5, 5, 5);
    check_gemm(b, 5, 5, 0, 1, 5, 5); /* K = 0: C = 0 */
}

static void test_tiled_sum(gconstpointer data)
{
    NlBackend *b = ((const Subject *)data)->backend;
    for (guint s = 0; s < G_N_ELEMENTS(sizes); s++) {
        gsize n = sizes[s];
        g_autofree float *x = normal_values(n + 3, n);
        NlBuffer *buf = upload(b, x, n), *nb = upload(naive, x, n);
        g_autoptr(GError) error = NULL;
        const gsize tiles[] = {1, 3, 128, 1000000};
        for (guint t = 0; t < G_N_ELEMENTS(tiles); t++) {
            float got = NAN, ref = NAN;
            g_assert_true(
                nl_backend_tiled_sum(b, buf, n, tiles[t], &got, &error));
            g_assert_true(
                nl_backend_tiled_sum(naive, nb, n, tiles[t], &ref, &error));
            if (tiles[t] == 1) { /* the cross-tile tree alone: exact match */
                g_assert_cmphex(nl_f32_bits(got), ==, nl_f32_bits(ref));
            } else {
                double abs_sum = 0;
                for (gsize i = 0; i < n; i++)
                    abs_sum += fabs(x[i]);
                double exact = nl_exact_sum_f32_as_f64(x, n);
                g_assert_cmpfloat(fabs(got - exact), <=,
                                  (n ? n - 1 : 0) * U * abs_sum);
            }
        }
        nl_backend_free(b, buf);
        nl_backend_free(naive, nb);
    }
}

static void test_softmax(gconstpointer data)
{
    NlBackend *b = ((const Subject *)data)->backend;
    const gsize ns[] = {1, 6, 1000, 100000};
    const float temps[] = {0.05f, 1.0f, 5.0f};
    for (guint s = 0; s < G_N_ELEMENTS(ns); s++)
        for (guint t = 0; t < G_N_ELEMENTS(temps); t++) {
            gsize n = ns[s];
            g_autofree float *x = normal_values(n, n);
            g_autofree float *p = nl_alloc_f32(n, NULL);
            NlBuffer *bx = upload(b, x, n), *by = upload(b, x, n);
            g_autoptr(GError) error = NULL;
            g_assert_true(nl_backend_softmax(b, bx, by, n, temps[t], &error));
            g_assert_true(nl_backend_download(b, by, p, n, &error));
            double max = -INFINITY, z = 0;
            for (gsize i = 0; i < n; i++)
                max = fmax(max, (double)(x[i] / temps[t]));
            for (gsize i = 0; i < n; i++)
                z += exp((double)(x[i] / temps[t]) - max);
            for (gsize i = 0; i < n; i++) {
                double zi = (double)(x[i] / temps[t]) - max;
                double ref = exp(zi) / z;
                /* below 2^-126 floats are subnormal: an absolute quantum
                 * of 2^-149, and exp and the division round there twice */
                if (!(fabs(p[i] - ref) <=
                      (n + 4 + fabs(zi)) * U * ref + 0x1p-148))
                    g_error("%s softmax n=%zu T=%g p[%zu] = %.9g, want %.9g",
                            nl_backend_label(b), n, temps[t], i, p[i], ref);
            }
            nl_backend_free(b, bx);
            nl_backend_free(b, by);
        }
}

static float sum_with(NlBackend *b, const float *x, gsize n)
{
    NlBuffer *buf = upload(b, x, n);
    float s = 0;
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_backend_sum(b, buf, n, &s, &error));
    nl_backend_free(b, buf);
    return s;
}

static void test_ieee_specials(gconstpointer data)
{
    NlBackend *b = ((const Subject *)data)->backend;
    const gsize n = 100000; /* long enough for every backend's threads */
    g_autofree float *x = normal_values(9, n);
    x[n / 2] = NAN;
    g_assert_true(isnan(sum_with(b, x, n)));
    x[n / 2] = INFINITY;
    g_assert_true(isinf(sum_with(b, x, n)) && sum_with(b, x, n) > 0);
    x[10] = -INFINITY;
    g_assert_true(isnan(sum_with(b, x, n)));
    x[10] = 0.0f;

    /* a NaN in row 1 of A poisons row 1 of C and nothing else */
    const gsize m = 4, k = 64, nn = 8;
    g_autofree float *a = normal_values(11, m * k);
    g_autofree float *bm = normal_values(12, k * nn);
    g_autofree float *c = nl_alloc_f32(m * nn, NULL);
    a[1 * k + 5] = NAN;
    NlBuffer *ba = upload(b, a, m * k), *bb = upload(b, bm, k * nn);
    NlBuffer *bc = upload(b, c, m * nn);
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_backend_gemm(b, m, nn, k, ba, k, bb, nn, bc, nn, &error));
    g_assert_true(nl_backend_download(b, bc, c, m * nn, &error));
    for (gsize i = 0; i < m; i++)
        for (gsize j = 0; j < nn; j++)
            g_assert_true(isnan(c[i * nn + j]) == (i == 1));
    nl_backend_free(b, ba);
    nl_backend_free(b, bb);
    nl_backend_free(b, bc);
}

/* The openmp backend's describe() promises an order; rebuild it here in
 * plain scalar code and demand the same bits: 32 lanes (lane l takes
 * x[l], x[l+32], ...), the four 8-wide vectors added (v0+v1)+(v2+v3), the
 * 8 lanes folded ((0+4)+(2+6))+((1+5)+(3+7)), the tail added left to
 * right, and per-thread chunks (cut at multiples of 64 elements) added in
 * thread order, one chunk below 2^18 elements. */
/* The 32 lanes of a documented chunk folded: the four 8-wide vectors
 * added (v0+v1)+(v2+v3), then ((0+4)+(2+6))+((1+5)+(3+7)). */
static float documented_fold(const float lane[32])
{
    float v[8];
    for (int l = 0; l < 8; l++)
        v[l] = (lane[l] + lane[8 + l]) + (lane[16 + l] + lane[24 + l]);
    return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
}

static float documented_chunk(const float *x, gsize n)
{
    float lane[32] = {0};
    gsize i = 0;
    for (; i + 32 <= n; i += 32)
        for (int l = 0; l < 32; l++)
            lane[l] += x[i + l];
    float s = documented_fold(lane);
    for (; i < n; i++)
        s += x[i];
    return s;
}

static float documented_sum(const float *x, gsize n, int threads)
{
    if (n < 262144)
        threads = 1;
    gsize blocks = (n + 63) / 64;
    float total = 0.0f;
    for (int t = 0; t < threads; t++) {
        gsize s = MIN(n, blocks * t / threads * 64);
        gsize e = MIN(n, blocks * (t + 1) / threads * 64);
        total += documented_chunk(x + s, e - s);
    }
    return threads == 1 ? documented_chunk(x, n) : total;
}

/* The subject openmp:threads=N, or NULL where openmp did not open. */
static NlBackend *openmp_with(int threads)
{
    g_autofree char *label = g_strdup_printf("openmp:threads=%d", threads);
    for (guint i = 0; i < subjects->len; i++) {
        Subject *s = subjects->pdata[i];
        if (strcmp(s->label, label) == 0)
            return s->backend;
    }
    return NULL;
}

static void test_openmp_documented_order(void)
{
    for (int threads = 1; threads <= 2; threads++) {
        NlBackend *b = openmp_with(threads);
        if (!b) {
            g_test_skip("openmp is unavailable here");
            return;
        }
        const gsize ns[] = {0, 5, 33, 1000, 262143, 262144, 300007, 1000000};
        for (guint k = 0; k < G_N_ELEMENTS(ns); k++) {
            g_autofree float *x = normal_values(ns[k] + 17, ns[k]);
            float got = sum_with(b, x, ns[k]);
            float want = documented_sum(x, ns[k], threads);
            if (nl_f32_bits(got) != nl_f32_bits(want))
                g_error("openmp threads=%d n=%zu: %.9g, the documented order "
                        "gives %.9g",
                        threads, ns[k], got, want);
        }
    }
}

/* The dot product of openmp's documented order: as documented_chunk,
 * each lane a chain of fused multiply-adds, and the tail one too. */
static float documented_dot_chunk(const float *x, const float *y, gsize n)
{
    float lane[32] = {0};
    gsize i = 0;
    for (; i + 32 <= n; i += 32)
        for (int l = 0; l < 32; l++)
            lane[l] = fmaf(x[i + l], y[i + l], lane[l]);
    float s = documented_fold(lane);
    for (; i < n; i++)
        s = fmaf(x[i], y[i], s);
    return s;
}

/* openmp's gemv without batch_invariant: every row one documented dot
 * chunk, at 1 and 2 threads, for every remainder of n by 32 and of m by
 * 8, and a leading dimension beyond n. */
static void test_openmp_documented_gemv(void)
{
    for (int threads = 1; threads <= 2; threads++) {
        NlBackend *b = openmp_with(threads);
        if (!b) {
            g_test_skip("openmp is unavailable here");
            return;
        }
        const gsize shapes[][3] = {{1, 1, 1},        {7, 31, 31},
                                   {8, 32, 40},      {9, 33, 33},
                                   {17, 63, 70},     {37, 100, 100},
                                   {316, 316, 316},  {1000, 1000, 1003},
                                   {1005, 300, 301}, {40, 8000, 8000}};
        for (guint k = 0; k < G_N_ELEMENTS(shapes); k++) {
            gsize m = shapes[k][0], n = shapes[k][1], lda = shapes[k][2];
            gsize sa = (m - 1) * lda + n;
            g_autofree float *a = normal_values(m * 19 + n, sa);
            g_autofree float *x = normal_values(n + 3, n);
            g_autofree float *y = nl_alloc_f32(m, NULL);
            NlBuffer *ba = upload(b, a, sa), *bx = upload(b, x, n),
                     *by = upload(b, y, m);
            g_autoptr(GError) error = NULL;
            g_assert_true(nl_backend_gemv(b, m, n, ba, lda, bx, by, &error));
            g_assert_true(nl_backend_download(b, by, y, m, &error));
            for (gsize i = 0; i < m; i++) {
                float want = documented_dot_chunk(a + i * lda, x, n);
                if (nl_f32_bits(y[i]) != nl_f32_bits(want))
                    g_error("openmp threads=%d gemv %zux%zu y[%zu] = %.9g, the "
                            "documented order gives %.9g",
                            threads, m, n, i, y[i], want);
            }
            nl_backend_free(b, ba);
            nl_backend_free(b, bx);
            nl_backend_free(b, by);
        }
    }
}

/* ---- batch-invariant mode ---- */

/* The order batch_invariant=1 promises for one output: a chain of fused
 * multiply-adds over p from zero. */
static float chain(const float *a, gsize a_stride, const float *b,
                   gsize b_stride, gsize k)
{
    float acc = 0.0f;
    for (gsize p = 0; p < k; p++)
        acc = fmaf(a[p * a_stride], b[p * b_stride], acc);
    return acc;
}

/* Every element of C (m x n) the FMA chain of A's row and B's column,
 * bitwise; `what` names the operands in the message. */
static void expect_chains(NlBackend *b, const char *what, gsize m, gsize n,
                          gsize k, const float *a, gsize lda, const float *bm,
                          gsize ldb, const float *c, gsize ldc)
{
    for (gsize i = 0; i < m; i++)
        for (gsize j = 0; j < n; j++) {
            float want = chain(a + i * lda, 1, bm + j, ldb, k);
            if (nl_f32_bits(c[i * ldc + j]) != nl_f32_bits(want))
                g_error("%s gemm%s %zux%zux%zu c[%zu][%zu] = %.9g, the FMA "
                        "chain gives %.9g",
                        nl_backend_label(b), what, m, n, k, i, j,
                        c[i * ldc + j], want);
        }
}

/* gemm of m rows, each checked bitwise against the chain. */
static void check_chain_gemm(NlBackend *b, gsize m, gsize n, gsize k, gsize lda,
                             gsize ldb, gsize ldc)
{
    gsize sa = (m - 1) * lda + k, sb = k ? (k - 1) * ldb + n : 0;
    gsize sc = (m - 1) * ldc + n;
    g_autofree float *a = normal_values(m * 3 + k, sa);
    g_autofree float *bm = normal_values(n * 11 + k, sb);
    g_autofree float *c = nl_alloc_f32(sc, NULL);
    NlBuffer *ba = upload(b, a, sa), *bb = upload(b, bm, sb);
    NlBuffer *bc = upload(b, c, sc);
    g_autoptr(GError) error = NULL;
    g_assert_true(
        nl_backend_gemm(b, m, n, k, ba, lda, bb, ldb, bc, ldc, &error));
    g_assert_true(nl_backend_download(b, bc, c, sc, &error));
    expect_chains(b, "", m, n, k, a, lda, bm, ldb, c, ldc);
    nl_backend_free(b, ba);
    nl_backend_free(b, bb);
    nl_backend_free(b, bc);
}

static void check_chain_gemv(NlBackend *b, gsize m, gsize n, gsize lda)
{
    gsize sa = (m - 1) * lda + n;
    g_autofree float *a = normal_values(m * 13 + n, sa);
    g_autofree float *x = normal_values(n + 5, MAX(n, 1));
    g_autofree float *y = nl_alloc_f32(m, NULL);
    NlBuffer *ba = upload(b, a, sa), *bx = upload(b, x, n),
             *by = upload(b, y, m);
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_backend_gemv(b, m, n, ba, lda, bx, by, &error));
    g_assert_true(nl_backend_download(b, by, y, m, &error));
    for (gsize i = 0; i < m; i++) {
        float want = chain(a + i * lda, 1, x, 1, n);
        if (nl_f32_bits(y[i]) != nl_f32_bits(want))
            g_error("%s gemv %zux%zu y[%zu] = %.9g, the FMA chain gives %.9g",
                    nl_backend_label(b), m, n, i, y[i], want);
    }
    nl_backend_free(b, ba);
    nl_backend_free(b, bx);
    nl_backend_free(b, by);
}

/* gemv of A and x in `type` (bfloat16, float16), accumulated in float32:
 * each row the chain over the widened values, bitwise. The values are
 * multiples of 1/16 up to 4 in magnitude, exact in both types. */
static void check_chain_gemv_in(NlBackend *b, NlPrecision type, gsize m,
                                gsize n, gsize lda)
{
    gsize sa = (m - 1) * lda + n;
    g_autofree float *a = normal_values(m * 17 + n, sa);
    g_autofree float *x = normal_values(n + 9, n);
    g_autofree double *a64 = g_new(double, sa);
    g_autofree double *x64 = g_new(double, n);
    for (gsize i = 0; i < sa; i++)
        a64[i] = a[i] = roundf(CLAMP(a[i], -4.0f, 4.0f) * 16) / 16;
    for (gsize i = 0; i < n; i++)
        x64[i] = x[i] = roundf(CLAMP(x[i], -4.0f, 4.0f) * 16) / 16;
    g_autoptr(GError) error = NULL;
    NlBuffer *ba = nl_backend_new_as(b, type, a64, sa, &error);
    NlBuffer *bx = ba ? nl_backend_new_as(b, type, x64, n, &error) : NULL;
    NlBuffer *by = bx ? nl_backend_alloc(b, m, &error) : NULL;
    g_assert_no_error(error);
    g_assert_true(
        nl_backend_gemv_in(b, m, n, ba, lda, bx, by, NL_PRECISION_F32, &error));
    g_autofree float *y = nl_alloc_f32(m, NULL);
    g_assert_true(nl_backend_download(b, by, y, m, &error));
    for (gsize i = 0; i < m; i++) {
        float want = chain(a + i * lda, 1, x, 1, n);
        if (nl_f32_bits(y[i]) != nl_f32_bits(want))
            g_error("%s gemv %s %zux%zu y[%zu] = %.9g, the FMA chain gives "
                    "%.9g",
                    nl_backend_label(b), nl_precision_name(type), m, n, i, y[i],
                    want);
    }
    nl_backend_free(b, ba);
    nl_backend_free(b, bx);
    nl_backend_free(b, by);
}

/* gemm of float16 operands accumulated in float32: each element the
 * chain over the widened values, bitwise (values exact in float16). */
static void check_chain_gemm_f16(NlBackend *b, gsize m, gsize n, gsize k)
{
    g_autofree float *a = normal_values(m * 5 + k, m * k);
    g_autofree float *bm = normal_values(n * 7 + k, k * n);
    g_autofree double *a64 = g_new(double, m *k);
    g_autofree double *b64 = g_new(double, k *n);
    for (gsize i = 0; i < m * k; i++)
        a64[i] = a[i] = roundf(CLAMP(a[i], -4.0f, 4.0f) * 16) / 16;
    for (gsize i = 0; i < k * n; i++)
        b64[i] = bm[i] = roundf(CLAMP(bm[i], -4.0f, 4.0f) * 16) / 16;
    g_autoptr(GError) error = NULL;
    NlBuffer *ba = nl_backend_new_as(b, NL_PRECISION_F16, a64, m * k, &error);
    NlBuffer *bb =
        ba ? nl_backend_new_as(b, NL_PRECISION_F16, b64, k * n, &error) : NULL;
    NlBuffer *bc = bb ? nl_backend_alloc(b, m * n, &error) : NULL;
    g_assert_no_error(error);
    g_assert_true(nl_backend_gemm_in(b, m, n, k, ba, k, bb, n, bc, n,
                                     NL_PRECISION_F32, &error));
    g_autofree float *c = nl_alloc_f32(m * n, NULL);
    g_assert_true(nl_backend_download(b, bc, c, m * n, &error));
    expect_chains(b, " float16", m, n, k, a, k, bm, n, c, n);
    nl_backend_free(b, ba);
    nl_backend_free(b, bb);
    nl_backend_free(b, bc);
}

/* openmp's float32 gemm in its normal mode, on each micro-kernel (12 x 32
 * on AVX-512F, where the CPU has it, and 6 x 16 with avx512=0), at 1 and
 * 2 threads: one FMA chain per element, bitwise, for every fringe of
 * either tile and k across the KC slices. */
static void test_openmp_gemm_chain(gconstpointer data)
{
    const NlPlugin *p = data;
    for (int avx512 = 0; avx512 <= 1; avx512++)
        for (int threads = 1; threads <= 2; threads++) {
            g_autofree char *topt = g_strdup_printf("threads=%d", threads);
            g_autofree char *vopt = g_strdup_printf("avx512=%d", avx512);
            char *assignments[] = {topt, vopt, NULL};
            g_autofree char *label =
                g_strdup_printf("openmp:%s:%s", topt, vopt);
            g_autoptr(GError) error = NULL;
            g_autoptr(NlParams) opts = nl_params_parse(
                p->backend->options, p->name, assignments, &error);
            g_assert_no_error(error);
            NlBackend *b =
                nl_backend_open_checked(p, label, opts, NULL, &error);
            if (!b) {
                g_test_skip(error->message);
                return;
            }
            for (gsize m = 1; m <= 25; m++)
                check_chain_gemm(b, m, 33, 70, 70, 33, 33);
            const gsize ns[] = {1, 15, 16, 17, 31, 32, 33, 64, 65, 97};
            for (guint j = 0; j < G_N_ELEMENTS(ns); j++)
                check_chain_gemm(b, 13, ns[j], 40, 40, ns[j], ns[j]);
            check_chain_gemm(b, 150, 130, 600, 601, 131, 135);
            check_chain_gemm(b, 300, 4200, 20, 20, 4200, 4200);
            check_chain_gemm_f16(b, 25, 65, 300);
            nl_backend_close(b);
        }
}

/* openmp's documented fixed-block order (PAR_FIXED_BLOCK = 65536). */
static float documented_fixed_sum(const float *x, gsize n)
{
    if (n <= 65536)
        return documented_chunk(x, n);
    float total = 0.0f;
    for (gsize s = 0; s < n; s += 65536)
        total += documented_chunk(x + s, MIN(n - s, 65536));
    return total;
}

static void test_batch_invariant(gconstpointer data)
{
    NlBackend *b = ((const Subject *)data)->backend;
    /* every m of a small batch, the row sizes of cache blocks, and fringes */
    for (gsize m = 1; m <= 20; m++)
        check_chain_gemm(b, m, 37, 300, 300, 37, 37);
    check_chain_gemm(b, 64, 512, 1000, 1000, 512, 512); /* k over KC */
    check_chain_gemm(b, 7, 300, 600, 601, 300, 305);    /* wide leading dims */
    check_chain_gemm(b, 150, 20, 3, 3, 20, 20);         /* m over MC */
    check_chain_gemm(b, 65, 129, 37, 40, 131,
                     133); /* cuda: tiled kernel, fringes */
    check_chain_gemm(b, 200, 300, 1000, 1001, 300, 300);
    check_chain_gemm(b, 3, 5, 0, 1, 5, 5); /* k = 0 */
    const gsize rows[] = {1, 7, 8, 9, 15, 16, 17, 33, 100};
    const gsize cols[] = {0, 1, 5, 8, 9, 64, 1000};
    for (guint r = 0; r < G_N_ELEMENTS(rows); r++)
        for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
            check_chain_gemv(b, rows[r], cols[c], MAX(cols[c], 1));
            check_chain_gemv(b, rows[r], cols[c], cols[c] + 3);
        }
    /* enough for two threads: ranges of 32 rows and more, the last one
     * ending in a group of eight that overlaps the one before */
    check_chain_gemv(b, 1005, 300, 301);
    check_chain_gemv(b, 37, 8000, 8000);
    const NlPrecision halves[] = {NL_PRECISION_BF16, NL_PRECISION_F16};
    for (guint t = 0; t < G_N_ELEMENTS(halves); t++) {
        check_chain_gemv_in(b, halves[t], 13, 29, 31);
        check_chain_gemv_in(b, halves[t], 1005, 300, 301);
    }
}

/* openmp:batch_invariant=1 at 1 and 2 threads: its documented order. */
static void test_openmp_fixed_order(void)
{
    for (guint i = 0; i < subjects->len; i++) {
        Subject *s = subjects->pdata[i];
        if (!g_str_has_prefix(s->label, "openmp:batch_invariant=1"))
            continue;
        if (!s->backend) {
            g_test_skip("openmp is unavailable here");
            return;
        }
        const gsize ns[] = {0,     5,      65535,         65536,
                            65537, 262144, 3 * 65536 + 5, 1000000};
        for (guint k = 0; k < G_N_ELEMENTS(ns); k++) {
            g_autofree float *x = normal_values(ns[k] + 23, ns[k]);
            float got = sum_with(s->backend, x, ns[k]);
            float want = documented_fixed_sum(x, ns[k]);
            if (nl_f32_bits(got) != nl_f32_bits(want))
                g_error("%s n=%zu: %.9g, the documented order gives %.9g",
                        s->label, ns[k], got, want);
        }
    }
}

/* Opens plugin p with the given options, as a subject labelled `label`. */
static Subject *open_subject(const NlPlugin *p, const char *label,
                             char **assignments, GError **error)
{
    g_autoptr(NlParams) opts =
        nl_params_parse(p->backend->options, p->name, assignments, error);
    Subject *s = g_new0(Subject, 1);
    s->label = g_strdup(label);
    s->backend =
        opts ? nl_backend_open_checked(p, label, opts, NULL, error) : NULL;
    return s;
}

/* Every backend with a batch_invariant option, in that mode (at 1 and 2
 * threads where it has threads; where it has an avx512 option, also with
 * avx512=0, so that a CPU with AVX-512 checks both kernels' chains). */
static void add_batch_invariant_tests(NlRegistry *r)
{
    g_autoptr(GPtrArray) list = nl_registry_list(r, NL_PLUGIN_BACKEND);
    for (guint i = 0; i < list->len; i++) {
        const NlPlugin *p = ((NlPluginEntry *)list->pdata[i])->plugin;
        gboolean invariant = FALSE, threads = FALSE, avx512 = FALSE;
        for (const NlParamSpec *o = p->backend->options; o && o->name; o++) {
            invariant |= strcmp(o->name, "batch_invariant") == 0;
            threads |= strcmp(o->name, "threads") == 0;
            avx512 |= strcmp(o->name, "avx512") == 0;
        }
        if (!invariant)
            continue;
        for (int v = avx512 ? 0 : 1; v <= 1; v++)
            for (int t = threads ? 1 : 0; t <= (threads ? 2 : 0); t++) {
                g_autofree char *topt = g_strdup_printf("threads=%d", t);
                char *assignments[] = {"batch_invariant=1",
                                       v ? (t ? topt : NULL) : "avx512=0",
                                       v ? NULL : (t ? topt : NULL), NULL};
                g_autofree char *label = g_strdup_printf(
                    "%s:batch_invariant=1%s%s", p->name, v ? "" : ":avx512=0",
                    t ? (t == 1 ? ":threads=1" : ":threads=2") : "");
                g_autoptr(GError) error = NULL;
                Subject *s = open_subject(p, label, assignments, &error);
                g_ptr_array_add(subjects, s);
                g_autofree char *path = g_strdup_printf(
                    "/conformance/%s/batch-invariant%s%s", p->name,
                    v ? "" : "/avx512=0",
                    t ? (t == 1 ? "/threads=1" : "/threads=2") : "");
                if (s->backend)
                    g_test_add_data_func(path, s, test_batch_invariant);
                else
                    g_test_add_data_func_full(
                        path,
                        g_strdup_printf("%s unavailable: %s", label,
                                        error->message),
                        (GTestDataFunc)g_test_skip, g_free);
            }
    }
    g_test_add_func("/conformance/openmp/batch-invariant-order",
                    test_openmp_fixed_order);
}

/* The kernel tests on subject s under /conformance/NAME/; each a skip
 * with `unavailable`'s reason when that is set. */
static void add_kernel_tests(const char *name, Subject *s,
                             const char *unavailable)
{
    static const struct {
        const char *name;
        GTestDataFunc func;
    } kernels[] = {
        {"sum", test_sum},         {"dot", test_dot},
        {"gemm-gemv", test_gemm},  {"tiled-sum", test_tiled_sum},
        {"softmax", test_softmax}, {"ieee-specials", test_ieee_specials},
    };
    for (guint k = 0; k < G_N_ELEMENTS(kernels); k++) {
        g_autofree char *path =
            g_strdup_printf("/conformance/%s/%s", name, kernels[k].name);
        if (!unavailable) {
            g_test_add_data_func(path, s, kernels[k].func);
        } else {
            /* GTest has no "skip at registration": a test that skips */
            char *why =
                g_strdup_printf("%s unavailable: %s", name, unavailable);
            g_test_add_data_func_full(path, why, (GTestDataFunc)g_test_skip,
                                      g_free);
        }
    }
}

/* Opens every backend of the build tree; those unavailable here are
 * registered as skips with their reason. */
static void add_backend_tests(NlRegistry *r)
{
    subjects = g_ptr_array_new();
    g_autoptr(GPtrArray) list = nl_registry_list(r, NL_PLUGIN_BACKEND);
    for (guint i = 0; i < list->len; i++) {
        const NlPlugin *p = ((NlPluginEntry *)list->pdata[i])->plugin;
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) opts =
            nl_params_parse(p->backend->options, p->name, NULL, &error);
        Subject *s = g_new0(Subject, 1);
        s->label = p->name;
        s->backend = nl_backend_open_checked(p, NULL, opts, NULL, &error);
        gboolean self = s->backend != NULL;
        if (g_strcmp0(p->name, "naive") == 0)
            naive = s->backend;
        g_ptr_array_add(subjects, s);
        add_kernel_tests(p->name, s, self ? NULL : error->message);
    }
}

/* The mpi backend at 1, 3 and 4 ranks beside add_backend_tests' default
 * (2), and with invariant=1 at 1 to 4 ranks, ranks 3 and 4 on this 2-core
 * machine oversubscribed: the kernel tests above, whatever the split. */
static void add_mpi_tests(NlRegistry *r)
{
    const NlPluginEntry *e = nl_registry_find(r, NL_PLUGIN_BACKEND, "mpi");
    for (int invariant = 0; e && invariant <= 1; invariant++)
        for (int ranks = 1; ranks <= 4; ranks++) {
            if (!invariant && ranks == 2)
                continue;
            g_autofree char *opt = g_strdup_printf("ranks=%d", ranks);
            char *assignments[] = {opt, invariant ? "invariant=1" : NULL, NULL};
            g_autofree char *label = g_strdup_printf(
                "mpi:ranks=%d%s", ranks, invariant ? ":invariant=1" : "");
            g_autoptr(GError) error = NULL;
            Subject *s = open_subject(e->plugin, label, assignments, &error);
            g_ptr_array_add(subjects, s);
            add_kernel_tests(label, s, s->backend ? NULL : error->message);
        }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_autoptr(NlRegistry) r = nl_registry_new();
    nl_registry_scan(r, NL_BUILDDIR "/backends", TRUE);
    for (guint i = 0; i < r->problems->len; i++)
        g_error("%s", (char *)r->problems->pdata[i]);
    add_backend_tests(r);
    g_assert_nonnull(naive);
    const NlPluginEntry *omp = nl_registry_find(r, NL_PLUGIN_BACKEND, "openmp");
    for (int threads = 1; omp && threads <= 2; threads++) {
        g_autofree char *opt = g_strdup_printf("threads=%d", threads);
        char *assignments[] = {opt, NULL};
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) opts = nl_params_parse(
            omp->plugin->backend->options, "openmp", assignments, &error);
        Subject *s = g_new0(Subject, 1);
        s->label = threads == 1 ? "openmp:threads=1" : "openmp:threads=2";
        s->backend =
            nl_backend_open_checked(omp->plugin, s->label, opts, NULL, &error);
        g_ptr_array_add(subjects, s);
    }
    g_test_add_func("/conformance/openmp/documented-order",
                    test_openmp_documented_order);
    g_test_add_func("/conformance/openmp/documented-gemv",
                    test_openmp_documented_gemv);
    if (omp)
        g_test_add_data_func("/conformance/openmp/gemm-chain", omp->plugin,
                             test_openmp_gemm_chain);
    add_batch_invariant_tests(r);
    add_mpi_tests(r);
    return g_test_run();
}
