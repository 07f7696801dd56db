/* selfcheck-precision.c — the self-check of the _in kernels: every
 * backend proves sum, dot, gemv, gemm and tiled_sum in each accumulation
 * precision before a job computes with them (doc/self-check.md).
 *
 * Each accumulation precision is checked on the storage precisions it
 * serves: float32 on bfloat16 and float16 data, float64 on float32 and
 * float64 data, bfloat16 and float16 on their own. Two kinds of data, as
 * in selfcheck-cases.c:
 *  - integers small enough that every partial sum and product is exact in
 *    the accumulation precision (below 2^digits: 256 for bfloat16): every
 *    order gives the exact value, so a dropped or doubled element fails;
 *  - normal random values of the storage precision, within the bound any
 *    order obeys, gamma_k = k u / (1 - k u) with u the accumulation's unit
 *    roundoff, times sum |x_i y_i| (Higham 3.1, 4.2); where k u >= 1 the
 *    bound says nothing and these cases are not judged.
 * Outputs (gemv, gemm) are kept in the accumulation precision. What the
 * backend declined ran as numlab's reference on its host buffers: that is
 * checked too, and listed as "reference". A failure marks that kernel in
 * that accumulation precision unusable, for every storage. */
#include "config.h"

#include "host.h"

#include <math.h>
#include <mpfr.h>

typedef struct {
    NlPrecision storage, acc;
} Pair;

static const Pair pairs[] = {
    {NL_PRECISION_BF16, NL_PRECISION_F32},
    {NL_PRECISION_F16, NL_PRECISION_F32},
    {NL_PRECISION_F32, NL_PRECISION_F64},
    {NL_PRECISION_F64, NL_PRECISION_F64},
    {NL_PRECISION_BF16, NL_PRECISION_BF16},
    {NL_PRECISION_F16, NL_PRECISION_F16},
};

static const NlKernel kernels[] = {NL_KERNEL_SUM, NL_KERNEL_DOT, NL_KERNEL_GEMV,
                                   NL_KERNEL_GEMM, NL_KERNEL_TILED_SUM};

/* Vector lengths: every lane count and tail to 33, two long ones. */
static const gsize lengths[] = {0,  1,  2,  3,  4,  5,  6,  7,    8,   9,
                                15, 16, 17, 31, 32, 33, 64, 1000, 4099};
/* gemm shapes m, n, k with padded leading dimensions; gemv takes m, k. */
static const gsize shapes[][3] = {
    {1, 1, 1}, {5, 17, 33}, {16, 9, 64}, {3, 40, 300}};

/* ---- data ---- */

/* The largest integer magnitude with which n terms (products when
 * `products`) stay exact in acc and representable in storage; 0: none. */
static double int_cap(const Pair *p, gsize n, gboolean products)
{
    double exact = ldexp(1.0, (int)MIN(nl_precision_digits(p->acc), 24u));
    double stored = ldexp(1.0, (int)nl_precision_digits(p->storage));
    double cap = exact / (double)MAX(n, 1);
    if (products)
        cap = floor(sqrt(cap));
    return floor(MIN(cap, stored));
}

/* n values: integers in [-cap, cap] (cap > 0), or normals rounded to the
 * storage precision. */
static double *draw(const Pair *p, NlRng *rng, gsize n, double cap)
{
    double *v = g_new0(double, MAX(n, 1)); /* n = 0 uploads one 0 */
    for (gsize i = 0; i < n; i++) {
        if (cap > 0) {
            double m = (double)(1 + nl_rng_below(rng, (guint64)cap));
            v[i] = nl_rng_below(rng, 2) ? -m : m;
        } else {
            v[i] = nl_precision_round(p->storage, nl_rng_normal(rng));
        }
    }
    return v;
}

/* sum x[i] y[i * stride] (y NULL: ones), exactly, rounded once to
 * double: every product is exact at 106 bits, mpfr_sum adds them with one
 * rounding. *mag = sum |x_i y_i|. */
static double exact_dot(const double *x, const double *y, gsize stride, gsize n,
                        double *mag)
{
    mpfr_t *t = g_new(mpfr_t, MAX(n, 1));
    mpfr_ptr *ptr = g_new(mpfr_ptr, MAX(n, 1));
    *mag = 0;
    for (gsize i = 0; i < n; i++) {
        mpfr_init2(t[i], 106);
        mpfr_set_d(t[i], x[i], MPFR_RNDN);
        if (y)
            mpfr_mul_d(t[i], t[i], y[i * stride], MPFR_RNDN);
        *mag += fabs(mpfr_get_d(t[i], MPFR_RNDN));
        ptr[i] = t[i];
    }
    mpfr_t sum;
    mpfr_init2(sum, 53);
    mpfr_sum(sum, ptr, (unsigned long)n, MPFR_RNDN);
    double e = mpfr_get_d(sum, MPFR_RNDN);
    mpfr_clear(sum);
    for (gsize i = 0; i < n; i++)
        mpfr_clear(t[i]);
    g_free(t);
    g_free(ptr);
    return e;
}

/* NULL when got is within the bound of exact; else the message. cap > 0:
 * integer data, which must come out exactly. */
static char *judge(const Pair *p, const char *shape, double got, double exact,
                   double mag, gsize k, double cap)
{
    double u = nl_precision_unit_roundoff(p->acc), ku = (double)k * u;
    double bound = cap > 0 ? 0 : ku < 1 ? ku / (1 - ku) * mag : INFINITY;
    if (isinf(bound))
        return isnan(got) ? g_strdup_printf("%s gives NaN", shape) : NULL;
    bound += 0x1p-53 * fabs(exact); /* exact is itself rounded to double */
    if (nl_within_bound(got, exact, bound))
        return NULL;
    NlNumText gt, et, bt;
    return g_strdup_printf("%s data %s gives %s, exact %s, error bound %s",
                           nl_precision_name(p->storage), shape,
                           nl_format_g(&gt, got, 9), nl_format_g(&et, exact, 9),
                           nl_format_g(&bt, bound, 2));
}

/* ---- the kernels ---- */

static NlBuffer *upload(NlBackend *b, NlPrecision type, const double *v,
                        gsize n, GError **error)
{
    return nl_backend_new_as(b, type, v, MAX(n, 1), error);
}

/* The first failure of kernel k on pair p, or NULL. */
static char *check_vectors(NlBackend *b, NlKernel k, const Pair *p, NlRng *rng,
                           guint *n_cases)
{
    for (guint i = 0; i < G_N_ELEMENTS(lengths); i++)
        for (int kind = 0; kind < 2; kind++) {
            gsize n = lengths[i];
            double cap = kind ? 0 : int_cap(p, n, k == NL_KERNEL_DOT);
            if (kind == 0 && cap < 1)
                continue;
            g_autofree double *x = draw(p, rng, n, cap);
            g_autofree double *y = draw(p, rng, n, cap);
            g_autoptr(GError) error = NULL;
            NlBuffer *bx = upload(b, p->storage, x, n, &error);
            NlBuffer *by = bx ? upload(b, p->storage, y, n, &error) : NULL;
            double got = NAN, mag, exact;
            gboolean ok = by != NULL;
            g_autofree char *shape = NULL;
            if (k == NL_KERNEL_DOT) {
                exact = exact_dot(x, y, 1, n, &mag);
                shape = g_strdup_printf("n=%zu", n);
                ok =
                    ok && nl_backend_dot_in(b, bx, by, n, p->acc, &got, &error);
            } else {
                exact = exact_dot(x, NULL, 0, n, &mag);
                gsize tile = 1 + n / 5;
                shape = k == NL_KERNEL_SUM
                            ? g_strdup_printf("n=%zu", n)
                            : g_strdup_printf("n=%zu tile=%zu", n, tile);
                ok = ok &&
                     (k == NL_KERNEL_SUM
                          ? nl_backend_sum_in(b, bx, n, p->acc, &got, &error)
                          : nl_backend_tiled_sum_in(b, bx, n, tile, p->acc,
                                                    &got, &error));
            }
            nl_backend_free(b, bx);
            nl_backend_free(b, by);
            (*n_cases)++;
            if (!ok)
                return g_strdup_printf("%s data n=%zu: %s",
                                       nl_precision_name(p->storage), n,
                                       error->message);
            char *failure = judge(p, shape, got, exact, mag,
                                  k == NL_KERNEL_DOT ? n : MAX(n, 1) - 1, cap);
            if (failure)
                return failure;
        }
    return NULL;
}

/* gemm (and gemv: its first column) on the shapes, lda = k + 3, ldb = n + 2,
 * ldc = n + 1. */
static char *check_matrices(NlBackend *b, NlKernel kern, const Pair *p,
                            NlRng *rng, guint *n_cases)
{
    for (guint i = 0; i < G_N_ELEMENTS(shapes); i++)
        for (int kind = 0; kind < 2; kind++) {
            gsize m = shapes[i][0], n = shapes[i][1], k = shapes[i][2];
            if (kern == NL_KERNEL_GEMV)
                n = 1;
            gsize lda = k + 3, ldb = n + 2, ldc = n + 1;
            double cap = kind ? 0 : int_cap(p, k, TRUE);
            if (kind == 0 && cap < 1)
                continue;
            gsize la = (m - 1) * lda + k, lb = (k - 1) * ldb + n;
            g_autofree double *a = draw(p, rng, la, cap);
            g_autofree double *bm = draw(p, rng, lb, cap);
            g_autoptr(GError) error = NULL;
            NlBuffer *ba = upload(b, p->storage, a, la, &error);
            NlBuffer *bb = ba ? upload(b, p->storage, bm, lb, &error) : NULL;
            NlBuffer *bc =
                bb ? nl_backend_alloc_as(b, p->acc, m * ldc, &error) : NULL;
            gboolean ok = bc != NULL;
            if (ok && kern == NL_KERNEL_GEMM)
                ok = nl_backend_gemm_in(b, m, n, k, ba, lda, bb, ldb, bc, ldc,
                                        p->acc, &error);
            else if (ok) /* x: the first k values of B's buffer */
                ok = nl_backend_gemv_in(b, m, k, ba, lda, bb, bc, p->acc,
                                        &error);
            g_autofree double *got = g_new(double, m *ldc);
            ok = ok && nl_backend_download_values(b, bc, got, m * ldc, &error);
            nl_backend_free(b, ba);
            nl_backend_free(b, bb);
            nl_backend_free(b, bc);
            (*n_cases)++;
            g_autofree char *shape =
                g_strdup_printf("m=%zu n=%zu k=%zu", m, n, k);
            if (!ok)
                return g_strdup_printf("%s data %s: %s",
                                       nl_precision_name(p->storage), shape,
                                       error->message);
            for (gsize r = 0; r < m; r++)
                for (gsize c = 0; c < n; c++) {
                    double mag, exact;
                    /* gemv reads x packed: B's first k values */
                    exact = kern == NL_KERNEL_GEMM
                                ? exact_dot(a + r * lda, bm + c, ldb, k, &mag)
                                : exact_dot(a + r * lda, bm, 1, k, &mag);
                    g_autofree char *where =
                        g_strdup_printf("%s: %s[%zu]%s", shape,
                                        kern == NL_KERNEL_GEMM ? "c" : "y", r,
                                        kern == NL_KERNEL_GEMM ? "[.]" : "");
                    char *failure = judge(
                        p, where,
                        kern == NL_KERNEL_GEMM ? got[r * ldc + c] : got[r],
                        exact, mag, k, cap);
                    if (failure)
                        return failure;
                }
        }
    return NULL;
}

/* ---- one backend ---- */

void nl_self_check_precisions(NlBackend *b, gboolean on_host, NlSelfCheck *sc)
{
    NlRng rng;
    nl_rng_init(&rng, 0x9ec15104U);
    for (guint i = 0; i < G_N_ELEMENTS(kernels); i++) {
        NlKernel k = kernels[i];
        /* device memory and no hook: the calls are unsupported, not wrong */
        if (!on_host && !nl_backend_provides_in(b, k))
            continue;
        for (guint j = 0; j < G_N_ELEMENTS(pairs); j++) {
            const Pair *p = &pairs[j];
            if (sc->failure_in[k][p->acc]) /* one failure per acc suffices */
                continue;
            nl_backend_clear_fallbacks(b);
            char *failure = k == NL_KERNEL_GEMM || k == NL_KERNEL_GEMV
                                ? check_matrices(b, k, p, &rng, &sc->n_cases)
                                : check_vectors(b, k, p, &rng, &sc->n_cases);
            gboolean fell = nl_backend_fell_back_in(b, k, p->acc);
            if (failure) {
                sc->failure_in[k][p->acc] = failure;
                sc->state_in[k][p->acc] = NL_CHECK_UNUSABLE;
            } else if (sc->state_in[k][p->acc] != NL_CHECK_REFERENCE) {
                sc->state_in[k][p->acc] =
                    fell ? NL_CHECK_REFERENCE : NL_CHECK_PASSED;
            }
        }
    }
    nl_backend_clear_fallbacks(b);
    sc->summary_in = nl_self_check_summarize_in(sc);
}

char *nl_self_check_summarize_in(const NlSelfCheck *sc)
{
    static const NlPrecision order[] = {NL_PRECISION_F32, NL_PRECISION_F64,
                                        NL_PRECISION_BF16, NL_PRECISION_F16};
    static const char *const heads[] = {
        [NL_CHECK_PASSED] = "passed",
        [NL_CHECK_REFERENCE] = "reference",
        [NL_CHECK_SUBSTITUTED] = "substituted",
        [NL_CHECK_UNUSABLE] = "unusable",
    };
    GString *s = g_string_new(NULL);
    for (guint a = 0; a < G_N_ELEMENTS(order); a++) {
        GString *part = g_string_new(NULL);
        for (int state = NL_CHECK_PASSED; state <= NL_CHECK_UNUSABLE; state++) {
            GString *names = g_string_new(NULL);
            for (guint i = 0; i < G_N_ELEMENTS(kernels); i++)
                if ((int)sc->state_in[kernels[i]][order[a]] == state)
                    g_string_append_printf(names, "%s%s", names->len ? " " : "",
                                           nl_kernel_name(kernels[i]));
            if (names->len)
                g_string_append_printf(part, "%s%s: %s", part->len ? "; " : "",
                                       heads[state], names->str);
            g_string_free(names, TRUE);
        }
        if (part->len)
            g_string_append_printf(s, "%sin %s: %s", s->len ? " | " : "",
                                   nl_precision_name(order[a]), part->str);
        g_string_free(part, TRUE);
    }
    return g_string_free(s, FALSE);
}
