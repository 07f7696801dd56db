/* selfcheck-cases.c — the self-check's inputs and their exact results.
 *
 * Small and awkward on purpose: every length from 0 to 64 (the lanes and
 * unrolled tails of any vector kernel), a few lengths in the thousands and
 * one past the thread thresholds, odd and non-square shapes, leading
 * dimensions wider than a row. Two kinds of data, never constant (a
 * constant vector hides a dropped lane):
 *
 *  - integers, with random signs and magnitudes small enough that every
 *    partial sum (and product) is an integer below 2^24: every order of
 *    additions, tree or sequential, with or without FMA, gives the exact
 *    value, so the bound is 0 and a single element dropped or counted
 *    twice is caught. Their exact value is computed in 64-bit integers.
 *  - mixed magnitudes, +-[1, 2) 2^e with e in [-8, 8] and all 24 bits of
 *    mantissa random: the result must lie within the error bound of any
 *    correct order (numlab/bound.h) of the exact value, which MPFR gives
 *    (numlab/exact.h).
 *
 * Softmax is checked against exp, sums and quotients in MPFR at 128 bits.
 * Poison NaNs follow every operand (and fill a matrix's padding between
 * its row length and its leading dimension), so a kernel that reads what
 * is not its input turns its result into a NaN; outputs are surrounded by
 * sentinel NaNs that must come back untouched. The generator is numlab's
 * own, seeded with a constant: the cases are the same bits everywhere.
 * Built once per process; what it costs is in CheckCases.seconds. */
#include "config.h"

#include "selfcheck-cases.h"

#include <math.h>
#include <mpfr.h>

#define U          NL_UNIT_ROUNDOFF_F32
#define CASES_SEED 0x5e1fc4ecU

/* ---- data ---- */

static float poison(void)
{
    guint32 bits = NL_CHECK_NAN_BITS;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* +-[1, 2) 2^e, e in [-8, 8], every mantissa bit random. */
static float draw_mixed(NlRng *rng)
{
    guint64 r = nl_rng_next_u64(rng);
    float v = ldexpf((float)(0x800000u | (r & 0x7fffffu)),
                     (int)((r >> 23) % 17) - 8 - 23);
    return (r >> 40) & 1 ? -v : v;
}

/* A nonzero integer in [-cap, cap], cap < 2^32: the top 32 bits scaled
 * to [0, cap) (a bias below cap / 2^32 is immaterial here), the lowest
 * bit for the sign. */
static float draw_int(NlRng *rng, gint64 cap)
{
    guint64 r = nl_rng_next_u64(rng);
    gint64 v = 1 + (gint64)(((r >> 32) * (guint64)cap) >> 32);
    return (float)(r & 1 ? -v : v);
}

/* Magnitudes whose sums of n terms stay below 2^24. */
static gint64 sum_cap(gsize n)
{
    return CLAMP((gint64)(16777216 / MAX(n, 1)), 1, 1 << 20);
}

/* Magnitudes whose sums of k products stay below 2^24. */
static gint64 dot_cap(gsize k)
{
    return CLAMP((gint64)sqrt(16777216.0 / (double)MAX(k, 1)), 1, 4096);
}

static float *values(NlRng *rng, gsize n, gint64 int_cap)
{
    float *x = g_new(float, MAX(n, 1));
    for (gsize i = 0; i < n; i++)
        x[i] = int_cap ? draw_int(rng, int_cap) : draw_mixed(rng);
    return x;
}

/* A rows x cols matrix with row stride ld; the padding is poison. */
static float *matrix(NlRng *rng, gsize rows, gsize cols, gsize ld,
                     gint64 int_cap, gsize *len)
{
    *len = rows ? (rows - 1) * ld + cols : 0;
    float *a = g_new(float, MAX(*len, 1));
    for (gsize i = 0; i < *len; i++)
        a[i] = i % ld < cols
                   ? (int_cap ? draw_int(rng, int_cap) : draw_mixed(rng))
                   : poison();
    return a;
}

/* ---- exact values ---- */

static double int_dot(const float *x, const float *y, gsize y_stride, gsize n)
{
    gint64 s = 0;
    for (gsize i = 0; i < n; i++)
        s += (gint64)x[i] * (gint64)y[i * y_stride];
    return (double)s;
}

static double int_sum(const float *x, gsize n)
{
    gint64 s = 0;
    for (gsize i = 0; i < n; i++)
        s += (gint64)x[i];
    return (double)s;
}

/* p[i] = exp(x[i]/T) / sum_j exp(x[j]/T) in MPFR, 128 bits throughout. */
static void exact_softmax(const float *x, gsize n, float temperature, double *p)
{
    mpfr_t t, max, total, *q = g_new(mpfr_t, n);
    mpfr_inits2(128, t, max, total, (mpfr_ptr)NULL);
    mpfr_set_flt(t, temperature, MPFR_RNDN);
    for (gsize i = 0; i < n; i++) {
        mpfr_init2(q[i], 128);
        mpfr_set_flt(q[i], x[i], MPFR_RNDN);
        mpfr_div(q[i], q[i], t, MPFR_RNDN);
        if (i == 0 || mpfr_greater_p(q[i], max))
            mpfr_set(max, q[i], MPFR_RNDN);
    }
    mpfr_set_zero(total, 1);
    for (gsize i = 0; i < n; i++) {
        mpfr_sub(q[i], q[i], max, MPFR_RNDN);
        mpfr_exp(q[i], q[i], MPFR_RNDN);
        mpfr_add(total, total, q[i], MPFR_RNDN);
    }
    for (gsize i = 0; i < n; i++) {
        mpfr_div(q[i], q[i], total, MPFR_RNDN);
        p[i] = mpfr_get_d(q[i], MPFR_RNDN);
        mpfr_clear(q[i]);
    }
    mpfr_clears(t, max, total, (mpfr_ptr)NULL);
    g_free(q);
}

/* ---- cases ---- */

static CheckCase *case_new(GPtrArray *cases, NlKernel kernel, gsize out_len,
                           char *shape)
{
    CheckCase *c = g_new0(CheckCase, 1);
    c->kernel = kernel;
    c->shape = shape;
    c->out_len = out_len;
    c->want = g_new0(Want, out_len);
    for (gsize i = 0; i < out_len; i++) { /* sentinels until set */
        c->want[i].kind = WANT_BITS;
        c->want[i].bits = NL_CHECK_NAN_BITS;
    }
    g_ptr_array_add(cases, c);
    return c;
}

static void want_near(Want *w, double exact, double bound)
{
    w->kind = WANT_NEAR;
    w->exact = exact;
    w->bound = bound;
}

static const char *data_name(gboolean ints)
{
    return ints ? "integers" : "mixed magnitudes";
}

/* sum, or tiled_sum when tile > 0 */
static void add_sum(GPtrArray *cases, NlRng *rng, gsize n, gsize tile,
                    gboolean ints)
{
    NlKernel kernel = tile ? NL_KERNEL_TILED_SUM : NL_KERNEL_SUM;
    char *shape =
        tile ? g_strdup_printf("n=%zu tile=%zu (%s)", n, tile, data_name(ints))
             : g_strdup_printf("n=%zu (%s)", n, data_name(ints));
    CheckCase *c = case_new(cases, kernel, 1, shape);
    c->n = n;
    c->tile = tile;
    c->x = values(rng, n, ints ? sum_cap(n) : 0);
    c->x_len = n;
    if (ints)
        want_near(&c->want[0], int_sum(c->x, n), 0.0);
    else
        want_near(&c->want[0], nl_exact_sum_f32_as_f64(c->x, n),
                  nl_sum_bound_f32(c->x, n));
}

/* A sum with IEEE specials: a NaN (or +Inf, or +Inf and -Inf) inside. */
static void add_sum_special(GPtrArray *cases, NlRng *rng, gsize n,
                            const char *what)
{
    CheckCase *c = case_new(cases, NL_KERNEL_SUM, 1,
                            g_strdup_printf("n=%zu with %s", n, what));
    c->n = n;
    c->x = values(rng, n, sum_cap(n));
    c->x_len = n;
    if (g_str_equal(what, "a NaN")) {
        c->x[n / 2] = NAN;
        c->want[0].kind = WANT_NAN;
    } else if (g_str_equal(what, "+Inf")) {
        c->x[n / 3] = INFINITY;
        want_near(&c->want[0], INFINITY, 0.0);
    } else { /* +Inf and -Inf */
        c->x[n / 3] = INFINITY;
        c->x[n - 2] = -INFINITY;
        c->want[0].kind = WANT_NAN;
    }
}

static void add_dot(GPtrArray *cases, NlRng *rng, gsize n, gboolean ints)
{
    CheckCase *c = case_new(cases, NL_KERNEL_DOT, 1,
                            g_strdup_printf("n=%zu (%s)", n, data_name(ints)));
    c->n = n;
    gint64 cap = ints ? dot_cap(n) : 0;
    c->x = values(rng, n, cap);
    c->y = values(rng, n, cap);
    c->x_len = c->y_len = n;
    if (ints)
        want_near(&c->want[0], int_dot(c->x, c->y, 1, n), 0.0);
    else
        want_near(&c->want[0], nl_exact_dot_f32_as_f64(c->x, c->y, n),
                  nl_dot_bound_f32(c->x, c->y, 1, n));
}

/* y = A x, A m x n with row stride lda */
static void add_gemv(GPtrArray *cases, NlRng *rng, gsize m, gsize n, gsize lda,
                     gboolean ints)
{
    CheckCase *c = case_new(cases, NL_KERNEL_GEMV, m + NL_CHECK_PAD,
                            g_strdup_printf("m=%zu n=%zu lda=%zu (%s)", m, n,
                                            lda, data_name(ints)));
    c->m = m;
    c->n = n;
    c->lda = lda;
    gint64 cap = ints ? dot_cap(n) : 0;
    c->x = matrix(rng, m, n, lda, cap, &c->x_len);
    c->y = values(rng, n, cap);
    c->y_len = n;
    for (gsize i = 0; i < m; i++) {
        const float *row = c->x + i * lda;
        if (ints)
            want_near(&c->want[i], int_dot(row, c->y, 1, n), 0.0);
        else
            want_near(&c->want[i], nl_exact_dot_f32_as_f64(row, c->y, n),
                      nl_dot_bound_f32(row, c->y, 1, n));
    }
}

/* C = A B, A m x k (lda), B k x n (ldb), C m x n (ldc); with a NaN in
 * row `nan_row` of A when nan_row < m. */
static void add_gemm(GPtrArray *cases, NlRng *rng, gsize m, gsize n, gsize k,
                     gsize lda, gsize ldb, gsize ldc, gboolean ints,
                     gsize nan_row)
{
    gsize span = (m - 1) * ldc + n;
    char *shape = g_strdup_printf("m=%zu n=%zu k=%zu lda=%zu ldb=%zu ldc=%zu "
                                  "(%s%s)",
                                  m, n, k, lda, ldb, ldc, data_name(ints),
                                  nan_row < m ? ", a NaN in row 1 of A" : "");
    CheckCase *c = case_new(cases, NL_KERNEL_GEMM, span + NL_CHECK_PAD, shape);
    c->m = m;
    c->n = n;
    c->k = k;
    c->lda = lda;
    c->ldb = ldb;
    c->ldc = ldc;
    gint64 cap = ints ? dot_cap(k) : 0;
    c->x = matrix(rng, m, k, lda, cap, &c->x_len);
    c->y = matrix(rng, k, n, ldb, cap, &c->y_len);
    if (nan_row < m && k > 0)
        c->x[nan_row * lda + k / 2] = NAN;
    for (gsize i = 0; i < m; i++)
        for (gsize j = 0; j < n; j++) {
            Want *w = &c->want[i * ldc + j];
            const float *row = c->x + i * lda, *col = c->y + j;
            if (i == nan_row && k > 0)
                w->kind = WANT_NAN;
            else if (ints)
                want_near(w, int_dot(row, col, ldb, k), 0.0);
            else
                want_near(w, nl_exact_dot_strided_f32_as_f64(row, col, ldb, k),
                          nl_dot_bound_f32(row, col, ldb, k));
        }
}

/* Inputs in [-range, range]. The bound per probability, relative to it:
 * the argument x/T - max may be off by 3u (|x/T| + |max|) (a division or
 * a multiplication by 1/T, then the subtraction), which exp turns into a
 * relative error; exp itself within 4 ulps (8u), for the numerator and
 * for every term of the normalizer; the normalizer summed in any order
 * (gamma_(n-1)); the division, or a multiplication by the reciprocal, 3u.
 * 1.01 covers the second-order terms, and 2^-125 the probabilities that
 * are subnormal or flushed to zero. */
static void add_softmax(GPtrArray *cases, NlRng *rng, gsize n,
                        float temperature, float range, gboolean in_place)
{
    NlNumText t;
    CheckCase *c = case_new(cases, NL_KERNEL_SOFTMAX, n + NL_CHECK_PAD,
                            g_strdup_printf("n=%zu T=%s%s", n,
                                            nl_format_g(&t, temperature, 6),
                                            in_place ? " (in place)" : ""));
    c->n = n;
    c->temperature = temperature;
    c->in_place = in_place;
    c->x = g_new(float, n);
    c->x_len = n;
    for (gsize i = 0; i < n; i++)
        c->x[i] = (float)((2.0 * nl_rng_uniform(rng) - 1.0) * range);
    double *p = g_new(double, n), max = -INFINITY, worst = 0.0;
    exact_softmax(c->x, n, temperature, p);
    for (gsize i = 0; i < n; i++)
        max = fmax(max, (double)c->x[i] / temperature);
    for (gsize i = 0; i < n; i++)
        worst = fmax(worst, fabs((double)c->x[i] / temperature));
    for (gsize i = 0; i < n; i++) {
        double arg = 3 * U * (fabs((double)c->x[i] / temperature) + fabs(max));
        double arg_worst = 3 * U * (worst + fabs(max));
        double rel = nl_gamma_f32(n - 1) + 19 * U + arg + arg_worst;
        want_near(&c->want[i], p[i], 1.01 * rel * p[i] + 0x1p-125);
    }
    g_free(p);
}

static void add_copy(GPtrArray *cases, NlRng *rng, gsize n)
{
    CheckCase *c = case_new(cases, NL_KERNEL_COPY, n + NL_CHECK_PAD,
                            g_strdup_printf("n=%zu", n));
    c->n = n;
    c->x = values(rng, n, 0);
    c->x_len = n;
    for (gsize i = 0; i < n; i++) {
        c->want[i].kind = WANT_BITS;
        c->want[i].bits = nl_f32_bits(c->x[i]);
    }
}

static void build(CheckCases *cc)
{
    GPtrArray *cs = cc->cases;
    NlRng rng;
    nl_rng_init(&rng, CASES_SEED);
    static const gsize big[] = {100, 1000, 1023, 4099};
    static const gsize huge[] = {65543, 300007}; /* past thread thresholds */

    /* sum */
    for (gsize n = 0; n <= 64; n++) {
        add_sum(cs, &rng, n, 0, FALSE);
        add_sum(cs, &rng, n, 0, TRUE);
    }
    for (guint i = 0; i < G_N_ELEMENTS(big); i++) {
        add_sum(cs, &rng, big[i], 0, FALSE);
        add_sum(cs, &rng, big[i], 0, TRUE);
    }
    for (guint i = 0; i < G_N_ELEMENTS(huge); i++)
        add_sum(cs, &rng, huge[i], 0, TRUE);
    add_sum_special(cs, &rng, 37, "a NaN");
    add_sum_special(cs, &rng, 65543, "a NaN");
    add_sum_special(cs, &rng, 37, "+Inf");
    add_sum_special(cs, &rng, 1000, "+Inf and -Inf");

    /* dot */
    for (gsize n = 0; n <= 64; n++) {
        add_dot(cs, &rng, n, FALSE);
        add_dot(cs, &rng, n, TRUE);
    }
    for (guint i = 0; i < G_N_ELEMENTS(big); i++) {
        add_dot(cs, &rng, big[i], FALSE);
        add_dot(cs, &rng, big[i], TRUE);
    }
    add_dot(cs, &rng, huge[0], TRUE);

    /* gemv: every row count to 17, every row length to 64, larger ones */
    for (gsize m = 1; m <= 17; m++)
        add_gemv(cs, &rng, m, 37, 40, m % 2);
    for (gsize n = 0; n <= 64; n++)
        add_gemv(cs, &rng, 5, n, n % 2 ? n + 3 : MAX(n, 1), n % 3 != 0);
    add_gemv(cs, &rng, 64, 65, 65, FALSE);
    add_gemv(cs, &rng, 100, 1000, 1003, TRUE);
    add_gemv(cs, &rng, 9, 1000, 1001, FALSE);
    add_gemv(cs, &rng, 7, 4099, 4099, TRUE);
    add_gemv(cs, &rng, 300, 300, 301, TRUE);
    add_gemv(cs, &rng, 4099, 3, 3, TRUE);

    /* gemm: each of m, n, k over the sizes around vector widths and
     * blocks while the other two stay odd; wide and tight leading
     * dimensions; then shapes past the blocking and threading sizes */
    static const gsize dims[] = {1,  2,  3,  4,  5,  7,  8,  9, 15,
                                 16, 17, 31, 32, 33, 63, 64, 65};
    for (guint i = 0; i < G_N_ELEMENTS(dims); i++) {
        gsize d = dims[i];
        add_gemm(cs, &rng, d, 17, 33, 36, 22, 19, TRUE, G_MAXSIZE);
        add_gemm(cs, &rng, 7, d, 19, 19, d, d, i % 2, G_MAXSIZE);
        add_gemm(cs, &rng, 9, 13, d, d + 5, 13, 16, i % 2 == 0, G_MAXSIZE);
    }
    add_gemm(cs, &rng, 3, 5, 0, 1, 5, 7, TRUE, G_MAXSIZE); /* C = 0 */
    add_gemm(cs, &rng, 4, 8, 64, 64, 8, 8, TRUE, 1);
    add_gemm(cs, &rng, 64, 65, 300, 303, 70, 66, TRUE, G_MAXSIZE);
    add_gemm(cs, &rng, 16, 17, 300, 301, 17, 20, FALSE, G_MAXSIZE);
    add_gemm(cs, &rng, 129, 130, 131, 131, 130, 133, TRUE, G_MAXSIZE);
    add_gemm(cs, &rng, 100, 37, 1000, 1000, 37, 37, TRUE, G_MAXSIZE);
    add_gemm(cs, &rng, 1, 300, 600, 600, 301, 300, TRUE, G_MAXSIZE);
    add_gemm(cs, &rng, 300, 1, 64, 64, 1, 1, TRUE, G_MAXSIZE);
    add_gemm(cs, &rng, 2, 3, 4099, 4099, 3, 3, TRUE, G_MAXSIZE);

    /* softmax */
    static const gsize sm[] = {1,  2,  3,  4,  5,  7,  8,  9,   15,   16,
                               17, 31, 32, 33, 63, 64, 65, 100, 1000, 4099};
    static const float temps[] = {1.0f, 0.6f, 2.5f};
    for (guint i = 0; i < G_N_ELEMENTS(sm); i++)
        add_softmax(cs, &rng, sm[i], temps[i % 3], 6.0f, FALSE);
    add_softmax(cs, &rng, 17, 0.05f, 1.0f, FALSE);
    add_softmax(cs, &rng, 33, 1.0f, 6.0f, TRUE);
    /* without subtracting the max first, exp(x/T) overflows here */
    add_softmax(cs, &rng, 50, 0.4f, 40.0f, FALSE);

    /* tiled_sum */
    static const gsize tiles[] = {1, 3, 16};
    for (gsize n = 1; n <= 64; n++)
        add_sum(cs, &rng, n, tiles[n % 3], n % 2);
    static const gsize big_tiles[] = {1, 7, 128, 1000, 5000};
    for (guint i = 0; i < G_N_ELEMENTS(big_tiles); i++) {
        add_sum(cs, &rng, 4099, big_tiles[i], TRUE);
        add_sum(cs, &rng, 1000, big_tiles[i], FALSE);
    }
    add_sum(cs, &rng, 65543, 256, TRUE);
    add_sum(cs, &rng, 300007, 4096, TRUE);

    /* copy (only where the backend has its own) */
    for (gsize n = 1; n <= 64; n++)
        add_copy(cs, &rng, n);
    add_copy(cs, &rng, 65543);

    for (guint i = 0; i < cs->len; i++) {
        const CheckCase *c = cs->pdata[i];
        cc->max_x = MAX(cc->max_x, c->x_len);
        cc->max_y = MAX(cc->max_y, c->y_len);
        cc->max_out = MAX(cc->max_out, c->out_len);
    }
}

const CheckCases *nl_check_cases(void)
{
    static CheckCases cases;
    if (!cases.cases) {
        double t0 = nl_time_now();
        cases.cases = g_ptr_array_new();
        build(&cases);
        cases.seconds = nl_time_now() - t0;
    }
    return &cases;
}
