/* test-reference-precision.c — the reference kernels in every precision
 * (numlab/reference.h, "Every precision", framework/lib/reference-precision.c).
 *
 *  - With float32 throughout they are the float32 kernels, bit for bit.
 *  - The classic cases, derived by hand: a counter of ones stalls at 256
 *    when it accumulates in bfloat16 and at 2048 in float16, and counts
 *    on in float32; 1 + 2^-8 + 2^-8 stays 1 in bfloat16 (two ties to
 *    even); a product of two bfloat16 values is rounded before the sum.
 *  - Against an independent emulation: MPFR at the type's precision and
 *    exponent range (mpfr_subnormalize for the subnormals), one rounding
 *    per product and per sum, on random values of the type, including
 *    products that fall into float16's subnormals.
 *  - gemv and gemm elements are the dot products of their rows and
 *    columns in the same precision, their outputs rounded once more to
 *    the output's precision; the tile tree rounds every tile sum and
 *    every addition of the tree.
 *  - nl_array_get/nl_array_set move values exactly, rounding once. */
#include "config.h"

#include <numlab/numlab.h>

#include <math.h>
#include <mpfr.h>
#include <string.h>

/* ---- values of each type ---- */

/* n random values of precision p (normals, scaled by `scale`), as
 * doubles and in p's own storage. */
typedef struct {
    NlPrecision type;
    double *v;
    gpointer data;
} Values;

static Values values_of(NlPrecision p, guint64 seed, gsize n, double scale)
{
    Values out = {p, g_new(double, MAX(n, 1)),
                  g_malloc(MAX(n, 1) * nl_precision_size(p))};
    NlRng rng;
    nl_rng_init(&rng, seed);
    for (gsize i = 0; i < n; i++) {
        nl_array_set(p, out.data, i, nl_rng_normal(&rng) * scale);
        out.v[i] = nl_array_get((NlArray){p, out.data}, i);
    }
    return out;
}

static void values_free(Values *v)
{
    g_free(v->v);
    g_free(v->data);
}

static NlArray arr(const Values *v)
{
    return (NlArray){v->type, v->data};
}

/* ---- float32 throughout is the first ABI's kernels ---- */

static void test_float32_is_float32(void)
{
    enum { M = 7, N = 45, K = 33 };
    Values x = values_of(NL_PRECISION_F32, 1, N * K, 1);
    Values y = values_of(NL_PRECISION_F32, 2, N * K, 1);
    const float *fx = x.data, *fy = y.data;
    g_assert_cmpfloat(nl_ref_sum_in(NL_PRECISION_F32, arr(&x), N), ==,
                      nl_ref_sum_f32(fx, N));
    g_assert_cmpfloat(nl_ref_dot_in(NL_PRECISION_F32, arr(&x), arr(&y), N), ==,
                      nl_ref_dot_f32(fx, fy, N));
    g_assert_cmpfloat(nl_ref_tiled_sum_in(NL_PRECISION_F32, arr(&x), N * K, 7),
                      ==, nl_ref_tiled_sum_f32(fx, N * K, 7));
    float c1[M * K], c2[M * K];
    nl_ref_gemm_f32(M, K, N, fx, N, fy, K, c1, K);
    nl_ref_gemm_in(NL_PRECISION_F32, M, K, N, arr(&x), N, arr(&y), K,
                   NL_PRECISION_F32, c2, K);
    g_assert_cmpmem(c1, sizeof c1, c2, sizeof c2);
    nl_ref_gemv_f32(M, N, fx, N, fy, c1);
    nl_ref_gemv_in(NL_PRECISION_F32, M, N, arr(&x), N, arr(&y),
                   NL_PRECISION_F32, c2);
    g_assert_cmpmem(c1, M * sizeof(float), c2, M * sizeof(float));
    values_free(&x);
    values_free(&y);
}

/* ---- the classic cases, by hand ---- */

static double count_ones(NlPrecision storage, NlPrecision acc, gsize n)
{
    gpointer data = g_malloc(n * nl_precision_size(storage));
    for (gsize i = 0; i < n; i++)
        nl_array_set(storage, data, i, 1.0);
    double s = nl_ref_sum_in(acc, (NlArray){storage, data}, n);
    g_free(data);
    return s;
}

static void test_counters(void)
{
    /* 256 + 1 is the tie between 256 and 258 in bfloat16: to even, 256 */
    g_assert_cmpfloat(count_ones(NL_PRECISION_BF16, NL_PRECISION_BF16, 300), ==,
                      256);
    g_assert_cmpfloat(count_ones(NL_PRECISION_BF16, NL_PRECISION_F32, 300), ==,
                      300);
    /* float16: 2048 + 1 ties between 2048 and 2050 */
    g_assert_cmpfloat(count_ones(NL_PRECISION_F16, NL_PRECISION_F16, 3000), ==,
                      2048);
    g_assert_cmpfloat(count_ones(NL_PRECISION_F16, NL_PRECISION_F32, 3000), ==,
                      3000);
    /* float32 stalls at 2^24 */
    g_assert_cmpfloat(count_ones(NL_PRECISION_F32, NL_PRECISION_F64, 1000), ==,
                      1000);
}

static void test_roundings(void)
{
    /* 1 + 2^-8 + 2^-8: each addition a tie to even in bfloat16 */
    nl_bf16 x[3] = {nl_bf16_from_f64(1), nl_bf16_from_f64(0x1p-8),
                    nl_bf16_from_f64(0x1p-8)};
    NlArray ax = {NL_PRECISION_BF16, x};
    g_assert_cmpfloat(nl_ref_sum_in(NL_PRECISION_BF16, ax, 3), ==, 1);
    g_assert_cmpfloat(nl_ref_sum_in(NL_PRECISION_F32, ax, 3), ==, 1 + 0x1p-7);
    /* (1 + 2^-7)^2 = 1 + 2^-6 + 2^-14: bfloat16 keeps 1 + 2^-6 */
    nl_bf16 y[1] = {nl_bf16_from_f64(1 + 0x1p-7)};
    NlArray ay = {NL_PRECISION_BF16, y};
    g_assert_cmpfloat(nl_ref_dot_in(NL_PRECISION_BF16, ay, ay, 1), ==,
                      1 + 0x1p-6);
    g_assert_cmpfloat(nl_ref_dot_in(NL_PRECISION_F32, ay, ay, 1), ==,
                      1 + 0x1p-6 + 0x1p-14);
    /* float16 stores 1 + 2^-10, and 1 + 2^-11 ties down to 1 */
    nl_f16 h[2] = {nl_f16_from_f64(1), nl_f16_from_f64(0x1p-11)};
    g_assert_cmpfloat(
        nl_ref_sum_in(NL_PRECISION_F16, (NlArray){NL_PRECISION_F16, h}, 2), ==,
        1);
    /* an empty sum is +0 in every precision */
    for (int p = 0; p < NL_N_PRECISIONS; p++) {
        double s = nl_ref_sum_in(NL_PRECISION_F64, (NlArray){p, x}, 0);
        g_assert_cmpfloat(s, ==, 0);
        g_assert_false(signbit(s));
    }
}

/* ---- against MPFR emulating the type ---- */

typedef struct {
    NlPrecision type;
    mpfr_prec_t digits;
    mpfr_exp_t emin, emax; /* MPFR's: x = m 2^e, m in [1/2, 1) */
} Emulated;

static const Emulated emulated[] = {
    {NL_PRECISION_BF16, 8, -132, 128}, /* smallest subnormal 2^-133 */
    {NL_PRECISION_F16, 11, -23, 16},   /* smallest subnormal 2^-24 */
};

/* s = round(s + round(x[i] y[i])) in the emulated type. */
static double emulated_dot(const Emulated *e, const double *x, const double *y,
                           gsize y_stride, gsize n)
{
    mpfr_exp_t old_min = mpfr_get_emin(), old_max = mpfr_get_emax();
    mpfr_set_emin(e->emin);
    mpfr_set_emax(e->emax);
    mpfr_t s, t;
    mpfr_inits2(e->digits, s, t, (mpfr_ptr)NULL);
    mpfr_set_zero(s, 1);
    for (gsize i = 0; i < n; i++) {
        int r = mpfr_set_d(t, x[i], MPFR_RNDN); /* exact: values of the type */
        g_assert_cmpint(r, ==, 0);
        r = mpfr_mul_d(t, t, y[i * y_stride], MPFR_RNDN);
        mpfr_subnormalize(t, r, MPFR_RNDN);
        r = mpfr_add(s, s, t, MPFR_RNDN);
        mpfr_subnormalize(s, r, MPFR_RNDN);
    }
    double d = mpfr_get_d(s, MPFR_RNDN);
    mpfr_clears(s, t, (mpfr_ptr)NULL);
    mpfr_set_emin(old_min);
    mpfr_set_emax(old_max);
    return d;
}

static void test_against_mpfr(gconstpointer data)
{
    const Emulated *e = data;
    /* float16's values around 2^-7 have products near 2^-14 and below:
     * into its subnormals; bfloat16's range needs a smaller scale */
    const double scales[] = {1.0, 1e-3,
                             e->type == NL_PRECISION_F16 ? 3e-3 : 1e-19};
    for (guint s = 0; s < G_N_ELEMENTS(scales); s++) {
        for (gsize n = 0; n < 300; n += 1 + n / 4) {
            Values x = values_of(e->type, 10 + n, n, scales[s]);
            Values y = values_of(e->type, 20 + n, n, scales[s]);
            double got = nl_ref_dot_in(e->type, arr(&x), arr(&y), n);
            double want = emulated_dot(e, x.v, y.v, 1, n);
            if (got != want)
                g_error("%s dot, n=%" G_GSIZE_FORMAT " scale %g: %a, MPFR %a",
                        nl_precision_name(e->type), n, scales[s], got, want);
            /* the sum: a dot with ones */
            double *ones = g_new(double, MAX(n, 1));
            for (gsize i = 0; i < n; i++)
                ones[i] = 1;
            g_assert_cmpfloat(nl_ref_sum_in(e->type, arr(&x), n), ==,
                              emulated_dot(e, x.v, ones, 1, n));
            g_free(ones);
            values_free(&x);
            values_free(&y);
        }
    }
}

/* ---- gemv, gemm, the tile tree ---- */

static void test_matrices(gconstpointer data)
{
    const NlPrecision *pair = data; /* storage, accumulation */
    NlPrecision st = pair[0], acc = pair[1];
    enum { M = 5, N = 9, K = 37, LDA = 40, LDB = 11, LDC = 12 };
    Values a = values_of(st, 31, M * LDA, 1), b = values_of(st, 32, K * LDB, 1);
    for (NlPrecision out = 0; out < NL_N_PRECISIONS; out++) {
        gpointer c = g_malloc0(M * LDC * nl_precision_size(out));
        nl_ref_gemm_in(acc, M, N, K, arr(&a), LDA, arr(&b), LDB, out, c, LDC);
        double col[K];
        for (gsize i = 0; i < M; i++)
            for (gsize j = 0; j < N; j++) {
                for (gsize p = 0; p < K; p++)
                    col[p] = b.v[p * LDB + j];
                gpointer colt = g_malloc(K * nl_precision_size(st));
                for (gsize p = 0; p < K; p++)
                    nl_array_set(st, colt, p, col[p]);
                NlArray row = {st, (const char *)a.data +
                                       i * LDA * nl_precision_size(st)};
                double d = nl_ref_dot_in(acc, row, (NlArray){st, colt}, K);
                g_free(colt);
                g_assert_cmpfloat(nl_array_get((NlArray){out, c}, i * LDC + j),
                                  ==, nl_precision_round(out, d));
            }
        /* gemv: A (M x K, lda) times the first K values of b */
        gpointer y = g_malloc0(M * nl_precision_size(out));
        nl_ref_gemv_in(acc, M, K, arr(&a), LDA, arr(&b), out, y);
        for (gsize i = 0; i < M; i++) {
            NlArray row = {st, (const char *)a.data +
                                   i * LDA * nl_precision_size(st)};
            double d = nl_ref_dot_in(acc, row, arr(&b), K);
            g_assert_cmpfloat(nl_array_get((NlArray){out, y}, i), ==,
                              nl_precision_round(out, d));
        }
        g_free(y);
        g_free(c);
    }
    values_free(&a);
    values_free(&b);
}

/* The tile tree written out: tile sums, then p[i] += p[i + s]. */
static void test_tile_tree(void)
{
    enum { N = 1000 };
    Values x = values_of(NL_PRECISION_BF16, 41, N, 1);
    const gsize tiles[] = {1, 3, 64, 100, 999, 1000, 5000};
    for (guint t = 0; t < G_N_ELEMENTS(tiles); t++) {
        gsize tile = tiles[t], nt = (N + tile - 1) / tile;
        double p[N];
        for (gsize i = 0; i < nt; i++) {
            gsize len = MIN(tile, N - i * tile);
            NlArray part = {NL_PRECISION_BF16,
                            (const nl_bf16 *)x.data + i * tile};
            p[i] = nl_ref_sum_in(NL_PRECISION_BF16, part, len);
        }
        for (gsize s = 1; s < nt; s *= 2)
            for (gsize i = 0; i + s < nt; i += 2 * s)
                p[i] = nl_precision_round(NL_PRECISION_BF16, p[i] + p[i + s]);
        g_assert_cmpfloat(
            nl_ref_tiled_sum_in(NL_PRECISION_BF16, arr(&x), N, tile), ==, p[0]);
    }
    values_free(&x);
}

static void test_arrays(void)
{
    for (NlPrecision p = 0; p < NL_N_PRECISIONS; p++) {
        g_assert_cmpuint(nl_precision_size(p), ==,
                         p == NL_PRECISION_F64   ? 8
                         : p == NL_PRECISION_F32 ? 4
                                                 : 2);
        gpointer d = g_malloc(4 * nl_precision_size(p));
        nl_array_set(p, d, 2, 1.0 / 3);
        g_assert_cmpfloat(nl_array_get((NlArray){p, d}, 2), ==,
                          nl_precision_round(p, 1.0 / 3));
        g_free(d);
        g_assert_true(nl_precision_holds(NL_PRECISION_F64, p));
        g_assert_true(nl_precision_holds(p, p));
    }
    g_assert_true(nl_precision_holds(NL_PRECISION_F32, NL_PRECISION_BF16));
    g_assert_true(nl_precision_holds(NL_PRECISION_F32, NL_PRECISION_F16));
    g_assert_false(nl_precision_holds(NL_PRECISION_F32, NL_PRECISION_F64));
    g_assert_false(nl_precision_holds(NL_PRECISION_BF16, NL_PRECISION_F16));
    g_assert_false(nl_precision_holds(NL_PRECISION_F16, NL_PRECISION_BF16));
    g_assert_false(nl_precision_holds(NL_PRECISION_BF16, NL_PRECISION_F32));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reference-precision/float32-is-float32",
                    test_float32_is_float32);
    g_test_add_func("/reference-precision/counters", test_counters);
    g_test_add_func("/reference-precision/roundings", test_roundings);
    for (guint i = 0; i < G_N_ELEMENTS(emulated); i++) {
        g_autofree char *path =
            g_strdup_printf("/reference-precision/mpfr/%s",
                            nl_precision_name(emulated[i].type));
        g_test_add_data_func(path, &emulated[i], test_against_mpfr);
    }
    static const NlPrecision pairs[][2] = {
        {NL_PRECISION_BF16, NL_PRECISION_BF16},
        {NL_PRECISION_BF16, NL_PRECISION_F32},
        {NL_PRECISION_F16, NL_PRECISION_F16},
        {NL_PRECISION_F16, NL_PRECISION_F32},
        {NL_PRECISION_F32, NL_PRECISION_F64},
        {NL_PRECISION_F64, NL_PRECISION_F64},
    };
    for (guint i = 0; i < G_N_ELEMENTS(pairs); i++) {
        g_autofree char *path = g_strdup_printf(
            "/reference-precision/matrices/%s-in-%s",
            nl_precision_name(pairs[i][0]), nl_precision_name(pairs[i][1]));
        g_test_add_data_func(path, pairs[i], test_matrices);
    }
    g_test_add_func("/reference-precision/tile-tree", test_tile_tree);
    g_test_add_func("/reference-precision/arrays", test_arrays);
    return g_test_run();
}
