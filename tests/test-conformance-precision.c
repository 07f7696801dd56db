/* test-conformance-precision.c — every backend's _in kernels, in every
 * storage and accumulation precision, against exact values.
 *
 * The inputs are normal random values rounded once to the storage
 * precision; the exact result is MPFR's sum of the stored values (every
 * product exact at 106 bits), rounded once to double. Tolerances, with u
 * the unit roundoff of the accumulation precision (2^-24 float32, 2^-53
 * float64, 2^-8 bfloat16, 2^-11 float16) and gamma_k = k u / (1 - k u)
 * (Higham, Accuracy and Stability of Numerical Algorithms, 3.1, 4.2),
 * valid for any order, with or without fused multiply-adds:
 *  - sum of n values:         |s - exact| <= gamma_(n-1) sum |x_i|
 *  - dot, gemv, gemm (k terms): |d - exact| <= gamma_k sum |x_i y_i|
 *  - tile tree: a sum, in another order: the sum's bound.
 *  - an output stored in precision t adds one more rounding:
 *    + u_t (|exact| + bound), and for float16 half its smallest
 *    subnormal, 2^-25, absolutely.
 * Where k u >= 1 (a bfloat16 accumulator over 256 terms) the bound says
 * nothing and only finiteness is checked; the exact emulation itself is
 * tested bit for bit in test-reference-precision.
 *
 * Backends are opened as the host opens them, self-check included. A
 * combination a backend does not compute runs as numlab's reference on
 * its host buffers (numlab/backend.h); the test checks what a job would
 * get either way. Every backend that has _in hooks states a line per
 * precision in describe(). A backend unavailable here is skipped. */
#include "config.h"

#include "../framework/host/host.h"

#include <math.h>
#include <mpfr.h>

typedef struct {
    const char *name; /* for the test path */
    NlPrecision a, b; /* the two operands' storage (sum: a only) */
    NlPrecision acc;
    NlPrecision out; /* gemv, gemm output */
} Combo;

static const Combo combos[] = {
    {"bfloat16-in-float32", NL_PRECISION_BF16, NL_PRECISION_BF16,
     NL_PRECISION_F32, NL_PRECISION_F32},
    {"bfloat16-in-float32-out-bfloat16", NL_PRECISION_BF16, NL_PRECISION_BF16,
     NL_PRECISION_F32, NL_PRECISION_BF16},
    {"bfloat16-in-bfloat16", NL_PRECISION_BF16, NL_PRECISION_BF16,
     NL_PRECISION_BF16, NL_PRECISION_BF16},
    {"float16-in-float32", NL_PRECISION_F16, NL_PRECISION_F16, NL_PRECISION_F32,
     NL_PRECISION_F16},
    {"float16-in-float16", NL_PRECISION_F16, NL_PRECISION_F16, NL_PRECISION_F16,
     NL_PRECISION_F16},
    {"float32-in-float64", NL_PRECISION_F32, NL_PRECISION_F32, NL_PRECISION_F64,
     NL_PRECISION_F32},
    {"float64-in-float64", NL_PRECISION_F64, NL_PRECISION_F64, NL_PRECISION_F64,
     NL_PRECISION_F64},
    /* LayerCast: bfloat16 weights, float32 activations and arithmetic */
    {"layercast", NL_PRECISION_BF16, NL_PRECISION_F32, NL_PRECISION_F32,
     NL_PRECISION_F32},
};

typedef struct {
    NlBackend *backend;
    const Combo *combo;
} Subject;

static const gsize sizes[] = {0, 1, 2, 3, 7, 31, 63, 64, 1000, 100003};

/* ---- data and exact values ---- */

/* n normal values rounded once to p: the doubles, and a buffer of them. */
static double *stored_values(NlPrecision p, guint64 seed, gsize n)
{
    double *v = g_new0(double, MAX(n, 1)); /* n = 0 uploads one 0 */
    NlRng rng;
    nl_rng_init(&rng, seed);
    for (gsize i = 0; i < n; i++)
        v[i] = nl_precision_round(p, nl_rng_normal(&rng));
    return v;
}

static NlBuffer *upload(NlBackend *b, NlPrecision p, const double *v, gsize n)
{
    g_autoptr(GError) error = NULL;
    NlBuffer *buf = nl_backend_new_as(b, p, v, MAX(n, 1), &error);
    g_assert_no_error(error);
    return buf;
}

/* sum_i x[i] y[i * y_stride] (y NULL: ones), exactly, rounded once;
 * *mag = sum |x_i y_i|. */
static double exact_dot(const double *x, const double *y, gsize y_stride,
                        gsize n, double *mag)
{
    mpfr_t *t = g_new(mpfr_t, MAX(n, 1));
    mpfr_ptr *p = g_new(mpfr_ptr, MAX(n, 1));
    *mag = 0;
    for (gsize i = 0; i < n; i++) {
        mpfr_init2(t[i], 2 * 53);
        mpfr_set_d(t[i], x[i], MPFR_RNDN);
        if (y)
            mpfr_mul_d(t[i], t[i], y[i * y_stride], MPFR_RNDN); /* exact */
        *mag += fabs(mpfr_get_d(t[i], MPFR_RNDN));
        p[i] = t[i];
    }
    mpfr_t s;
    mpfr_init2(s, 53);
    mpfr_sum(s, p, (unsigned long)n, MPFR_RNDN);
    double d = mpfr_get_d(s, MPFR_RNDN);
    mpfr_clear(s);
    for (gsize i = 0; i < n; i++)
        mpfr_clear(t[i]);
    g_free(t);
    g_free(p);
    return d;
}

static double gamma_k(NlPrecision acc, gsize k)
{
    double ku = (double)k * nl_precision_unit_roundoff(acc);
    return ku < 1 ? ku / (1 - ku) : INFINITY;
}

/* got against exact within `bound`, after rounding to `out`. */
static void check(const Subject *s, const char *what, gsize n, double got,
                  double exact, double bound, NlPrecision out)
{
    if (!isfinite(got))
        g_error("%s %s %s n=%zu: %g", nl_backend_label(s->backend),
                s->combo->name, what, n, got);
    if (isinf(bound))
        return;
    double total =
        bound + nl_precision_unit_roundoff(out) * (fabs(exact) + bound);
    if (out == NL_PRECISION_F16)
        total += 0x1p-25;
    if (!(fabs(got - exact) <= total))
        g_error("%s %s %s n=%zu: %.17g, exact %.17g, bound %.3g",
                nl_backend_label(s->backend), s->combo->name, what, n, got,
                exact, total);
}

/* ---- the kernels ---- */

static void test_sums(gconstpointer data)
{
    const Subject *s = data;
    NlBackend *b = s->backend;
    const Combo *c = s->combo;
    for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
        gsize n = sizes[i];
        g_autofree double *x = stored_values(c->a, 3 * n + 1, n);
        NlBuffer *bx = upload(b, c->a, x, n);
        g_autoptr(GError) error = NULL;
        double mag, exact = exact_dot(x, NULL, 0, n, &mag), got = NAN;
        g_assert_true(nl_backend_sum_in(b, bx, n, c->acc, &got, &error));
        g_assert_no_error(error);
        check(s, "sum", n, got, exact, gamma_k(c->acc, n ? n - 1 : 0) * mag,
              c->acc);
        const gsize tiles[] = {1, 7, 256};
        for (guint t = 0; t < G_N_ELEMENTS(tiles); t++) {
            g_assert_true(nl_backend_tiled_sum_in(b, bx, n, tiles[t], c->acc,
                                                  &got, &error));
            check(s, "tiled_sum", n, got, exact,
                  gamma_k(c->acc, n ? n - 1 : 0) * mag, c->acc);
        }
        nl_backend_free(b, bx);
    }
}

static void test_dot(gconstpointer data)
{
    const Subject *s = data;
    NlBackend *b = s->backend;
    const Combo *c = s->combo;
    for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
        gsize n = sizes[i];
        g_autofree double *x = stored_values(c->a, 5 * n + 1, n);
        g_autofree double *y = stored_values(c->b, 5 * n + 2, n);
        NlBuffer *bx = upload(b, c->a, x, n), *by = upload(b, c->b, y, n);
        g_autoptr(GError) error = NULL;
        double mag, exact = exact_dot(x, y, 1, n, &mag), got = NAN;
        g_assert_true(nl_backend_dot_in(b, bx, by, n, c->acc, &got, &error));
        g_assert_no_error(error);
        check(s, "dot", n, got, exact, gamma_k(c->acc, n) * mag, c->acc);
        nl_backend_free(b, bx);
        nl_backend_free(b, by);
    }
}

/* C = A B with padding in every leading dimension; with n == 1 also
 * gemv on the same A and the first column of B as x. */
static void check_gemm(const Subject *s, gsize m, gsize n, gsize k, gsize lda,
                       gsize ldb, gsize ldc)
{
    NlBackend *b = s->backend;
    const Combo *c = s->combo;
    gsize la = m ? (m - 1) * lda + k : 0, lb = k ? (k - 1) * ldb + n : 0;
    g_autofree double *a = stored_values(c->a, 7 * m + k, la);
    g_autofree double *bm = stored_values(c->b, 11 * n + k, lb);
    NlBuffer *ba = upload(b, c->a, a, la), *bb = upload(b, c->b, bm, lb);
    g_autoptr(GError) error = NULL;
    NlBuffer *bc = nl_backend_alloc_as(b, c->out, MAX(m * ldc, 1), &error);
    g_assert_no_error(error);
    g_assert_true(nl_backend_gemm_in(b, m, n, k, ba, lda, bb, ldb, bc, ldc,
                                     c->acc, &error));
    g_assert_no_error(error);
    g_autofree double *got = g_new(double, MAX(m * ldc, 1));
    g_assert_true(
        nl_backend_download_values(b, bc, got, MAX(m * ldc, 1), &error));
    for (gsize i = 0; i < m; i++)
        for (gsize j = 0; j < n; j++) {
            double mag;
            double exact = exact_dot(a + i * lda, bm + j, ldb, k, &mag);
            check(s, "gemm", k, got[i * ldc + j], exact,
                  gamma_k(c->acc, k) * mag, c->out);
        }
    /* gemv: y = A x with x the first column of B, packed */
    g_autofree double *x = g_new(double, MAX(k, 1));
    for (gsize p = 0; p < k; p++)
        x[p] = bm[p * ldb];
    NlBuffer *bx = upload(b, c->b, x, k);
    g_assert_true(nl_backend_gemv_in(b, m, k, ba, lda, bx, bc, c->acc, &error));
    g_assert_no_error(error);
    g_assert_true(nl_backend_download_values(b, bc, got, MAX(m, 1), &error));
    for (gsize i = 0; i < m; i++) {
        double mag, exact = exact_dot(a + i * lda, x, 1, k, &mag);
        check(s, "gemv", k, got[i], exact, gamma_k(c->acc, k) * mag, c->out);
    }
    nl_backend_free(b, bx);
    nl_backend_free(b, ba);
    nl_backend_free(b, bb);
    nl_backend_free(b, bc);
}

static void test_gemm(gconstpointer data)
{
    const Subject *s = data;
    static const gsize shapes[][6] = {
        /* m, n, k, lda, ldb, ldc */
        {1, 1, 1, 1, 1, 1},         {0, 3, 4, 4, 3, 3},
        {2, 3, 0, 1, 3, 3},         {5, 17, 33, 36, 22, 19},
        {64, 48, 300, 300, 48, 48}, {3, 7, 1000, 1003, 9, 8},
        {33, 65, 127, 130, 66, 70},
    };
    for (guint i = 0; i < G_N_ELEMENTS(shapes); i++)
        check_gemm(s, shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3],
                   shapes[i][4], shapes[i][5]);
}

static void test_describes(gconstpointer data)
{
    const NlBackend *b = data;
    const NlBackendInfo *info = nl_backend_info(b);
    for (int p = 0; p < NL_N_PRECISIONS; p++)
        if (!info->precisions[p] || !*info->precisions[p])
            g_error("%s states nothing for %s", nl_backend_label(b),
                    nl_precision_name((NlPrecision)p));
}

/* ---- registration ---- */

static void skip(const char *path, char *why)
{
    /* GTest has no "skip at registration": a test that skips */
    g_test_add_data_func_full(path, why, (GTestDataFunc)g_test_skip, g_free);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_autoptr(NlRegistry) r = nl_registry_new();
    nl_registry_scan(r, NL_BUILDDIR "/backends", TRUE);
    for (guint i = 0; i < r->problems->len; i++)
        g_error("%s", (char *)r->problems->pdata[i]);
    g_autoptr(GPtrArray) list = nl_registry_list(r, NL_PLUGIN_BACKEND);
    /* closed after the run: the subjects are freed after each test, and a
     * backend must not outlive its module's state (mpi's ranks) unclosed */
    g_autoptr(GPtrArray) opened =
        g_ptr_array_new_with_free_func((GDestroyNotify)nl_backend_close);
    static const struct {
        const char *name;
        GTestDataFunc func;
    } kernels[] = {
        {"sum", test_sums},
        {"dot", test_dot},
        {"gemm-gemv", test_gemm},
    };
    for (guint i = 0; i < list->len; i++) {
        const NlPlugin *p = ((NlPluginEntry *)list->pdata[i])->plugin;
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) opts =
            nl_params_parse(p->backend->options, p->name, NULL, &error);
        NlBackend *b = nl_backend_open_checked(p, NULL, opts, NULL, &error);
        g_autofree char *describes =
            g_strdup_printf("/conformance-precision/%s/describes", p->name);
        if (!b) {
            skip(describes, g_strdup_printf("%s unavailable: %s", p->name,
                                            error->message));
            continue;
        }
        g_ptr_array_add(opened, b);
        gboolean hooks = FALSE;
        for (int k = 0; k < NL_N_KERNELS; k++)
            hooks |= nl_backend_provides_in(b, (NlKernel)k);
        if (hooks)
            g_test_add_data_func(describes, b, test_describes);
        else
            skip(describes, g_strdup_printf("%s has no _in kernels: numlab's "
                                            "reference runs for them",
                                            p->name));
        for (guint c = 0; c < G_N_ELEMENTS(combos); c++)
            for (guint k = 0; k < G_N_ELEMENTS(kernels); k++) {
                Subject *s = g_new0(Subject, 1);
                s->backend = b;
                s->combo = &combos[c];
                g_autofree char *path =
                    g_strdup_printf("/conformance-precision/%s/%s/%s", p->name,
                                    combos[c].name, kernels[k].name);
                g_test_add_data_func_full(path, s, kernels[k].func, g_free);
            }
    }
    return g_test_run();
}
