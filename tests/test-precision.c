/* test-precision.c — numlab/precision.h: bfloat16 and float16 against a
 * decoding of their bits written here, on every one of the 65,536 bit
 * patterns of each type.
 *
 * - Widening: each pattern's value from sign, exponent and fraction by
 *   ldexp (subnormals, zeros, infinities, NaNs included) is what
 *   nl_*_to_f32 gives, and narrowing it again gives the pattern back.
 * - Narrowing rounds to nearest, ties to even: for every two neighbouring
 *   finite values (and the largest finite beside the first value beyond
 *   it, which rounds to infinity), the midpoint goes to the one with the
 *   even last bit, and the doubles (and floats) just below and above it go
 *   to the nearer one; the same mirrored below zero.
 * - One rounding from a double, never two: a double just above a float16
 *   midpoint rounds up, while its float rounds to the midpoint and then
 *   down.
 * - ULP distances: neighbours are 1 apart, signed zeros 0, the smallest
 *   subnormals on either side of zero 2; NaN gives NL_ULP_NAN.
 * - Names, unit roundoffs, nl_precision_round in each precision.
 * - The vectorised paths, nl_precision_round_floats and the float16 row
 *   stores of uploads (nl_store_f32_row), give the bits of the scalar
 *   nl_precision_round, nl_bf16_from_f32 and nl_f16_from_f32 for every
 *   sign, exponent and top fraction bits of a float, with low halves at
 *   and around every rounding boundary; NUMLAB_TEST_EXHAUSTIVE=1 checks
 *   all 2^32 floats. Widening (nl_array_to_f32) gives nl_bf16_to_f32's
 *   and nl_f16_to_f32's bits for all 2^16 patterns of each type. */
#include "config.h"

#include <numlab/precision.h>
#include <numlab/reference.h>
#include <numlab/ulp.h>

#include "../framework/lib/nl-private.h" /* nl_store_f32_row */

#include <math.h>

typedef struct {
    const char *name;
    int exponent_bits, fraction_bits;
    float (*to_f32)(guint16);
    guint16 (*from_f32)(float);
    guint16 (*from_f64)(double);
    gint64 (*distance)(guint16, guint16);
} Type;

/* nl_bf16 and nl_f16 are guint16: the library's functions fit as they are. */
static const Type types[] = {
    {"bfloat16", 8, 7, nl_bf16_to_f32, nl_bf16_from_f32, nl_bf16_from_f64,
     nl_ulp_distance_bf16},
    {"float16", 5, 10, nl_f16_to_f32, nl_f16_from_f32, nl_f16_from_f64,
     nl_ulp_distance_f16},
};

/* The value of bit pattern x, decoded here: infinities as such, NaN as
 * NaN. */
static double decode(const Type *t, guint16 x)
{
    int bias = (1 << (t->exponent_bits - 1)) - 1;
    int top = (1 << t->exponent_bits) - 1;
    int sign = x >> 15;
    int exponent = (x >> t->fraction_bits) & top;
    int fraction = x & ((1 << t->fraction_bits) - 1);
    double v;
    if (exponent == top)
        v = fraction ? NAN : INFINITY;
    else if (exponent == 0)
        v = ldexp(fraction, 1 - bias - t->fraction_bits);
    else
        v = ldexp((1 << t->fraction_bits) + fraction,
                  exponent - bias - t->fraction_bits);
    return sign ? -v : v;
}

static gboolean is_nan(const Type *t, guint16 x)
{
    return isnan(decode(t, x));
}

static void test_every_pattern(gconstpointer data)
{
    const Type *t = data;
    for (guint i = 0; i < 65536; i++) {
        guint16 x = (guint16)i;
        double want = decode(t, x);
        float got = t->to_f32(x);
        if (isnan(want)) {
            g_assert_true(isnan(got));
            g_assert_cmpint(!!signbit(got), ==, x >> 15);
            guint16 back = t->from_f32(got);
            g_assert_true(is_nan(t, back));
            g_assert_cmpuint(back >> 15, ==, x >> 15);
            continue;
        }
        g_assert_cmpfloat(got, ==, want);
        g_assert_cmpint(!!signbit(got), ==, x >> 15); /* -0 too */
        g_assert_cmpuint(t->from_f32(got), ==, x);
        g_assert_cmpuint(t->from_f64(want), ==, x);
    }
}

/* Whether midpoint m and its neighbours round as they must between the
 * patterns lo < hi (magnitudes; hi may be the infinity). */
static void check_between(const Type *t, guint16 lo, guint16 hi, double a,
                          double b)
{
    double m = (a + b) / 2; /* exact: one bit more than the type holds */
    guint16 even = (lo & 1) ? hi : lo;
    for (int s = 0; s < 2; s++) {
        double sg = s ? -1 : 1;
        guint16 bit = s ? 0x8000 : 0;
        g_assert_cmpuint(t->from_f64(sg * m), ==, even | bit);
        g_assert_cmpuint(t->from_f64(sg * nextafter(m, 0)), ==, lo | bit);
        g_assert_cmpuint(t->from_f64(sg * nextafter(m, INFINITY)), ==,
                         hi | bit);
        g_assert_cmpuint(t->from_f32((float)(sg * m)), ==, even | bit);
        g_assert_cmpuint(t->from_f32(sg * nextafterf((float)m, 0)), ==,
                         lo | bit);
        g_assert_cmpuint(t->from_f32(sg * nextafterf((float)m, INFINITY)), ==,
                         hi | bit);
    }
}

static void test_round_to_nearest_even(gconstpointer data)
{
    const Type *t = data;
    guint16 inf = (guint16)(((1 << t->exponent_bits) - 1) << t->fraction_bits);
    guint n = 0;
    for (guint16 x = 0; x < inf; x++) {
        double a = decode(t, x);
        /* beyond the largest finite: where the next binade would begin */
        double b =
            x + 1 == inf
                ? 2 * decode(t, (guint16)(inf - (1u << t->fraction_bits)))
                : decode(t, (guint16)(x + 1));
        check_between(t, x, (guint16)(x + 1), a, b);
        n++;
    }
    g_assert_cmpuint(n, ==, inf);
    /* far beyond: infinity; far below the smallest subnormal: zero */
    g_assert_cmpuint(t->from_f64(1e300), ==, inf);
    g_assert_cmpuint(t->from_f64(-1e300), ==, inf | 0x8000);
    g_assert_cmpuint(t->from_f64(1e-300), ==, 0);
    g_assert_cmpuint(t->from_f64(-1e-300), ==, 0x8000);
    g_assert_cmpuint(t->from_f64(INFINITY), ==, inf);
}

static void test_one_rounding(void)
{
    /* 1 + 2^-11 is the float16 midpoint between 1 and 1 + 2^-10 */
    double x = 1 + 0x1p-11 + 0x1p-40;
    g_assert_cmpuint(nl_f16_from_f64(x), ==, 0x3c01); /* 1 + 2^-10 */
    g_assert_cmpfloat((float)x, ==, 1 + 0x1p-11);     /* the float ties */
    g_assert_cmpuint(nl_f16_from_f32((float)x), ==, 0x3c00); /* 1 */
    /* bfloat16: 1 + 2^-8 is the midpoint between 1 and 1 + 2^-7 */
    double y = 1 + 0x1p-8 + 0x1p-40;
    g_assert_cmpuint(nl_bf16_from_f64(y), ==, 0x3f81);
    g_assert_cmpuint(nl_bf16_from_f32((float)y), ==, 0x3f80);
}

static void test_distances(void)
{
    for (guint k = 0; k < G_N_ELEMENTS(types); k++) {
        const Type *t = &types[k];
        guint16 inf =
            (guint16)(((1 << t->exponent_bits) - 1) << t->fraction_bits);
        for (guint16 x = 0; x < inf; x++) {
            g_assert_cmpint(t->distance(x, (guint16)(x + 1)), ==, 1);
            g_assert_cmpint(
                t->distance((guint16)(x | 0x8000), (guint16)((x + 1) | 0x8000)),
                ==, 1);
        }
        g_assert_cmpint(t->distance(0, 0x8000), ==, 0);
        g_assert_cmpint(t->distance(1, 0x8001), ==, 2);
        g_assert_cmpint(t->distance(0, inf), ==, inf);
        g_assert_cmpint(t->distance(0, (guint16)(inf + 1)), ==, NL_ULP_NAN);
        g_assert_cmpint(t->distance(0xffff, 0), ==, NL_ULP_NAN);
    }
}

static void test_precisions(void)
{
    const struct {
        NlPrecision p;
        const char *name, *alias;
        guint digits;
    } want[] = {
        {NL_PRECISION_F32, "float32", "fp32", 24},
        {NL_PRECISION_F64, "float64", "double", 53},
        {NL_PRECISION_BF16, "bfloat16", "bf16", 8},
        {NL_PRECISION_F16, "float16", "half", 11},
    };
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        NlPrecision p = NL_N_PRECISIONS;
        g_assert_cmpstr(nl_precision_name(want[i].p), ==, want[i].name);
        g_assert_true(nl_precision_from_name(want[i].name, &p));
        g_assert_cmpint(p, ==, want[i].p);
        g_assert_true(nl_precision_from_name(want[i].alias, &p));
        g_assert_cmpint(p, ==, want[i].p);
        g_assert_cmpuint(nl_precision_digits(want[i].p), ==, want[i].digits);
        g_assert_cmpfloat(nl_precision_unit_roundoff(want[i].p), ==,
                          ldexp(1, -(int)want[i].digits));
        /* 1 + u is the tie between 1 and 1 + 2u: it rounds to 1 */
        double u = nl_precision_unit_roundoff(want[i].p);
        g_assert_cmpfloat(nl_precision_round(want[i].p, 1 + u), ==, 1);
        g_assert_cmpfloat(nl_precision_round(want[i].p, 1 + 3 * u), ==,
                          1 + 4 * u);
    }
    NlPrecision p;
    g_assert_false(nl_precision_from_name("float8", &p));
    g_assert_null(nl_precision_name(NL_N_PRECISIONS));
    /* the counters of the lecture's classic: 256 + 1 is 256 in bfloat16,
     * 2048 + 1 is 2048 in float16 */
    g_assert_cmpfloat(nl_precision_round(NL_PRECISION_BF16, 256 + 1), ==, 256);
    g_assert_cmpfloat(nl_precision_round(NL_PRECISION_BF16, 255 + 1), ==, 256);
    g_assert_cmpfloat(nl_precision_round(NL_PRECISION_F16, 2048 + 1), ==, 2048);
    g_assert_cmpfloat(nl_precision_round(NL_PRECISION_F16, 2047 + 1), ==, 2048);
    g_assert_cmpfloat(nl_precision_round(NL_PRECISION_F16, 65520), ==,
                      INFINITY);
    g_assert_cmpfloat(nl_precision_round(NL_PRECISION_F16, 65519.99), ==,
                      65504);
    g_assert_true(isnan(nl_precision_round(NL_PRECISION_BF16, NAN)));
}

/* The floats of one high half `hi` and the low halves `lows` into x. */
static gsize fill_patterns(float *x, guint32 hi, const guint32 *lows,
                           gsize n_lows)
{
    for (gsize j = 0; j < n_lows; j++) {
        guint32 u = hi << 16 | lows[j];
        memcpy(&x[j], &u, sizeof u);
    }
    return n_lows;
}

/* The vectorised roundings against the scalar ones on x[0..n). */
static void check_lanes(const float *x, float *y, nl_f16 *h, gsize n)
{
    for (int p = 0; p < NL_N_PRECISIONS; p++) {
        memcpy(y, x, n * sizeof *y);
        nl_precision_round_floats(p, y, n);
        for (gsize j = 0; j < n; j++) {
            float want = (float)nl_precision_round(p, x[j]);
            if (isnan(want) && isnan(y[j]) && !signbit(want) == !signbit(y[j]))
                continue; /* a NaN of the same sign (a double quiets it) */
            if (memcmp(&want, &y[j], sizeof want) != 0)
                g_error("nl_precision_round_floats(%s, %a) gives %a, "
                        "nl_precision_round %a",
                        nl_precision_name(p), x[j], y[j], want);
        }
    }
    for (guint k = 0; k < G_N_ELEMENTS(types); k++) {
        NlPrecision p;
        g_assert_true(nl_precision_from_name(types[k].name, &p));
        nl_store_f32_row(p, h, 0, x, n);
        for (gsize j = 0; j < n; j++)
            if (h[j] != types[k].from_f32(x[j]))
                g_error("%s row store of %a gives 0x%04x, the scalar "
                        "conversion 0x%04x",
                        types[k].name, x[j], h[j], types[k].from_f32(x[j]));
    }
}

/* Every 16-bit pattern widened by nl_array_to_f32, in lanes, gives the
 * scalar conversion's bits: NaN payloads, signed zeros, subnormals. */
static void check_widening(void)
{
    nl_f16 *h = g_new(nl_f16, 65536 + 3);
    float *w = g_new(float, 65536 + 3);
    for (guint32 i = 0; i < 65536 + 3; i++)
        h[i] = (nl_f16)(i * 40503u); /* every pattern, not in order */
    for (guint k = 0; k < G_N_ELEMENTS(types); k++) {
        NlPrecision p;
        g_assert_true(nl_precision_from_name(types[k].name, &p));
        for (gsize off = 0; off < 3; off++) { /* unaligned starts, tails */
            NlArray a = {p, h + off};
            nl_array_to_f32(a, 65536, w);
            for (gsize j = 0; j < 65536; j++) {
                float want = types[k].to_f32(h[off + j]);
                if (memcmp(&want, &w[j], sizeof want) != 0)
                    g_error("%s 0x%04x widened in lanes gives %a, the scalar "
                            "conversion %a",
                            types[k].name, h[off + j], w[j], want);
            }
        }
    }
    g_free(h);
    g_free(w);
}

static void test_lanes(void)
{
    check_widening();
    /* low halves at the ties and around them: bfloat16 drops 16 bits,
     * float16 13 (normal) or more (subnormal, by value) */
    guint32 lows[64];
    gsize n_lows = 0;
    const guint32 fixed[] = {0,      1,      0x0fff, 0x1000, 0x1001, 0x17ff,
                             0x1fff, 0x2000, 0x3000, 0x5000, 0x7fff, 0x8000,
                             0x8001, 0x9000, 0xafff, 0xe000, 0xf000, 0xffff};
    for (gsize j = 0; j < G_N_ELEMENTS(fixed); j++)
        lows[n_lows++] = fixed[j];
    NlRng rng;
    nl_rng_init(&rng, 7);
    while (n_lows < G_N_ELEMENTS(lows))
        lows[n_lows++] = (guint32)nl_rng_below(&rng, 65536);
    gboolean all = g_strcmp0(g_getenv("NUMLAB_TEST_EXHAUSTIVE"), "1") == 0;
    float *x = g_new(float, 65536), *y = g_new(float, 65536);
    nl_f16 *h = g_new(nl_f16, 65536);
    for (guint32 hi = 0; hi < 65536; hi++) {
        gsize n;
        if (all) {
            for (guint32 lo = 0; lo < 65536; lo++) {
                guint32 u = hi << 16 | lo;
                memcpy(&x[lo], &u, sizeof u);
            }
            n = 65536;
        } else {
            n = fill_patterns(x, hi, lows, n_lows);
        }
        check_lanes(x, y, h, n);
    }
    g_free(x);
    g_free(y);
    g_free(h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (guint k = 0; k < G_N_ELEMENTS(types); k++) {
        g_autofree char *every =
            g_strdup_printf("/precision/%s/every-pattern", types[k].name);
        g_autofree char *rne = g_strdup_printf(
            "/precision/%s/round-to-nearest-even", types[k].name);
        g_test_add_data_func(every, &types[k], test_every_pattern);
        g_test_add_data_func(rne, &types[k], test_round_to_nearest_even);
    }
    g_test_add_func("/precision/one-rounding", test_one_rounding);
    g_test_add_func("/precision/distances", test_distances);
    g_test_add_func("/precision/names", test_precisions);
    g_test_add_func("/precision/lanes", test_lanes);
    return g_test_run();
}
