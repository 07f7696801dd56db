/* exact.c — correctly rounded sums and dot products, by an exact
 * fixed-point accumulator.
 *
 * Every float is an integer of at most 24 bits times 2^e with e >= -149,
 * every double one of 53 bits times 2^e with e >= -1074, and the product
 * of two floats one of 48 bits times 2^e with e >= -298. So each term is
 * an integer on one fixed grid (2^-149, 2^-1074 or 2^-298), and the whole
 * sum is one long integer on it: 277 bits for the largest float, 554 for
 * the largest product, 2098 for the largest double, and 64 more for up to
 * 2^64 terms. The accumulator holds that integer in 32-bit digits kept in
 * 64-bit words: a term adds its integer into the two or three digits it
 * covers, with no carry and no rounding, and the carries are passed up
 * only every 2^30 terms and at the end. Only the final integer is rounded,
 * once, to nearest even: the result is exactly what MPFR gives for the
 * real-number sum rounded once (tests/test-exact-ulp.c checks them against
 * each other), at a few nanoseconds a term instead of MPFR's hundred.
 *
 * As before, a result below the target's normal range is rounded to the
 * precision's bits, not subnormalized (the experiments never sum into that
 * range). A NaN term, or +inf with -inf (or inf times 0 in a product),
 * gives NaN; otherwise an infinite term gives that infinity. */
#include "config.h"

#include <numlab/exact.h>

#include <math.h>
#include <string.h>

#define DIGIT_BITS 32
#define DIGIT_MASK 0xffffffffu
/* The grids' exponents and the integers' widths in bits, 64 bits of
 * headroom for the count of terms included. */
#define LSB_F32_SUM   149
#define LSB_F32_DOT   298
#define LSB_F64_SUM   1074
#define WIDTH_F32_SUM (277 + 64)
#define WIDTH_F32_DOT (554 + 64)
#define WIDTH_F64_SUM (2098 + 64)
/* + 2: a term's 53 bits shifted by up to 31 spill into a third digit */
#define DIGITS(width) ((width) / DIGIT_BITS + 2)
#define MAX_DIGITS    DIGITS(WIDTH_F64_SUM)
/* Digits change by less than 2^32 a term: after 2^30 terms they are still
 * far from 2^63, and a normalisation brings them back under 2^32. */
#define TERMS_BETWEEN_CARRIES (1u << 30)

typedef struct {
    gint64 d[MAX_DIGITS]; /* the value is sum of d[i] 2^(32 i - lsb) */
    guint n_digits;
    int lsb;
    guint32 since_carry;
    gboolean nan, pos_inf, neg_inf;
} Acc;

static void acc_init(Acc *a, int lsb, guint width)
{
    a->n_digits = DIGITS(width);
    memset(a->d, 0, a->n_digits * sizeof a->d[0]);
    a->lsb = lsb;
    a->since_carry = 0;
    a->nan = a->pos_inf = a->neg_inf = FALSE;
}

/* Passes every digit's carry up: each digit but the top in [0, 2^32), the
 * top one carrying the sign. */
static void acc_carry(Acc *a)
{
    for (guint i = 0; i + 1 < a->n_digits; i++) {
        gint64 carry = a->d[i] >> DIGIT_BITS; /* arithmetic: floor */
        a->d[i] &= DIGIT_MASK;
        a->d[i + 1] += carry;
    }
    a->since_carry = 0;
}

/* Adds (-1)^neg m 2^(shift - lsb), m < 2^53, shift >= 0. */
static inline void acc_add(Acc *a, guint64 m, guint shift, gboolean neg)
{
    guint q = shift / DIGIT_BITS;
    unsigned __int128 v = (unsigned __int128)m << (shift % DIGIT_BITS);
    gint64 sign = neg ? -1 : 1;
    a->d[q] += sign * (gint64)(guint64)(v & DIGIT_MASK);
    a->d[q + 1] += sign * (gint64)(guint64)((v >> DIGIT_BITS) & DIGIT_MASK);
    a->d[q + 2] += sign * (gint64)(guint64)(v >> (2 * DIGIT_BITS));
    if (++a->since_carry == TERMS_BETWEEN_CARRIES)
        acc_carry(a);
}

/* An exponent field of all ones: NaN or an infinity, noted in a;
 * FALSE, as the term adds no digits. */
static gboolean note_special(Acc *a, gboolean nan, gboolean neg)
{
    if (nan)
        a->nan = TRUE;
    else if (neg)
        a->neg_inf = TRUE;
    else
        a->pos_inf = TRUE;
    return FALSE;
}

/* x as m 2^(shift - LSB_F32_SUM); FALSE for inf and NaN, noted in a. */
static inline gboolean split_f32(Acc *a, float x, guint64 *m, guint *shift,
                                 gboolean *neg)
{
    guint32 u;
    memcpy(&u, &x, sizeof u);
    guint32 e = (u >> 23) & 0xffu, frac = u & 0x7fffffu;
    *neg = u >> 31;
    if (e == 0xffu)
        return note_special(a, frac != 0, *neg);
    *m = e ? frac | 0x800000u : frac;
    *shift = e ? e - 1 : 0; /* the exponent e - 150 on the grid 2^-149 */
    return TRUE;
}

static inline gboolean split_f64(Acc *a, double x, guint64 *m, guint *shift,
                                 gboolean *neg)
{
    guint64 u;
    memcpy(&u, &x, sizeof u);
    guint32 e = (guint32)(u >> 52) & 0x7ffu;
    guint64 frac = u & ((G_GUINT64_CONSTANT(1) << 52) - 1);
    *neg = u >> 63;
    if (e == 0x7ffu)
        return note_special(a, frac != 0, *neg);
    *m = e ? frac | (G_GUINT64_CONSTANT(1) << 52) : frac;
    *shift = e ? e - 1 : 0; /* the exponent e - 1075 on the grid 2^-1074 */
    return TRUE;
}

static inline void add_f32(Acc *a, float x)
{
    guint64 m;
    guint shift;
    gboolean neg;
    if (split_f32(a, x, &m, &shift, &neg))
        acc_add(a, m, shift, neg);
}

/* x y exactly: 24 x 24 bits, on the grid 2^-298. inf times 0 is NaN. */
static inline void add_product(Acc *a, float x, float y)
{
    Acc special = {0};
    guint64 mx = 0, my = 0;
    guint sx = 0, sy = 0;
    gboolean nx = FALSE, ny = FALSE;
    gboolean fx = split_f32(&special, x, &mx, &sx, &nx);
    gboolean fy = split_f32(&special, y, &my, &sy, &ny);
    if (G_LIKELY(fx && fy)) {
        acc_add(a, mx * my, sx + sy, nx != ny);
        return;
    }
    if (special.nan || (fx && mx == 0) || (fy && my == 0))
        a->nan = TRUE;
    else if (nx != ny)
        a->neg_inf = TRUE;
    else
        a->pos_inf = TRUE;
}

/* count bits of the non-negative digits from bit `pos` up (count <= 64). */
static guint64 bits_at(const gint64 *d, guint pos, guint count)
{
    guint64 out = 0;
    for (guint got = 0; got < count;) {
        guint q = (pos + got) / DIGIT_BITS, r = (pos + got) % DIGIT_BITS;
        guint take = MIN(DIGIT_BITS - r, count - got);
        guint64 chunk =
            ((guint64)d[q] >> r) & ((G_GUINT64_CONSTANT(1) << take) - 1);
        out |= chunk << got;
        got += take;
    }
    return out;
}

/* Whether any bit below `pos` is set. */
static gboolean any_below(const gint64 *d, guint pos)
{
    guint q = pos / DIGIT_BITS, r = pos % DIGIT_BITS;
    for (guint i = 0; i < q; i++)
        if (d[i])
            return TRUE;
    return r && ((guint64)d[q] & ((G_GUINT64_CONSTANT(1) << r) - 1));
}

/* The accumulated value rounded once to nearest (ties to even) at `prec`
 * bits (<= 53), as a double: exact, except past double's range. */
static double acc_round(const Acc *a, guint prec)
{
    if (a->nan || (a->pos_inf && a->neg_inf))
        return NAN;
    if (a->pos_inf || a->neg_inf)
        return a->pos_inf ? INFINITY : -INFINITY;
    gint64 d[MAX_DIGITS];
    Acc c = *a;
    acc_carry(&c);
    guint n = c.n_digits;
    gboolean neg = c.d[n - 1] < 0;
    for (guint i = 0; i < n; i++)
        d[i] = neg ? -c.d[i] : c.d[i];
    if (neg) /* the magnitude, its digits back in [0, 2^32) */
        for (guint i = 0; i + 1 < n; i++) {
            gint64 carry = d[i] >> DIGIT_BITS;
            d[i] &= DIGIT_MASK;
            d[i + 1] += carry;
        }
    guint top = n;
    while (top > 0 && d[top - 1] == 0)
        top--;
    if (top == 0)
        return 0.0;
    guint high = (top - 1) * DIGIT_BITS + 63 -
                 (guint)__builtin_clzll((guint64)d[top - 1]);
    guint shift = high + 1 > prec ? high + 1 - prec : 0;
    guint64 m = bits_at(d, shift, high + 1 - shift);
    if (shift > 0 && bits_at(d, shift - 1, 1) &&
        ((m & 1) || any_below(d, shift - 1)))
        m++; /* may carry to 2^prec: still exact in a double */
    double r = ldexp((double)m, (int)shift - c.lsb);
    return neg ? -r : r;
}

typedef enum { SUM_F32, SUM_F64, DOT_F32 } Kind;

/* The exact value of the sum of x[i] (or x[i] * y[i * stride]) rounded
 * once to `prec` bits, returned as a double. */
static double exact(Kind kind, const void *x, const float *y, gsize stride,
                    gsize n, guint prec)
{
    Acc a;
    if (kind == SUM_F32) {
        acc_init(&a, LSB_F32_SUM, WIDTH_F32_SUM);
        for (gsize i = 0; i < n; i++)
            add_f32(&a, ((const float *)x)[i]);
    } else if (kind == DOT_F32) {
        acc_init(&a, LSB_F32_DOT, WIDTH_F32_DOT);
        for (gsize i = 0; i < n; i++)
            add_product(&a, ((const float *)x)[i], y[i * stride]);
    } else {
        acc_init(&a, LSB_F64_SUM, WIDTH_F64_SUM);
        for (gsize i = 0; i < n; i++) {
            guint64 m;
            guint shift;
            gboolean neg;
            if (split_f64(&a, ((const double *)x)[i], &m, &shift, &neg))
                acc_add(&a, m, shift, neg);
        }
    }
    return acc_round(&a, prec);
}

float nl_exact_sum_f32(const float *x, gsize n)
{
    return (float)exact(SUM_F32, x, NULL, 0, n, 24); /* exact conversion */
}

double nl_exact_sum_f32_as_f64(const float *x, gsize n)
{
    return exact(SUM_F32, x, NULL, 0, n, 53);
}

double nl_exact_sum_f64(const double *x, gsize n)
{
    return exact(SUM_F64, x, NULL, 0, n, 53);
}

float nl_exact_dot_f32(const float *x, const float *y, gsize n)
{
    return (float)exact(DOT_F32, x, y, 1, n, 24);
}

double nl_exact_dot_f32_as_f64(const float *x, const float *y, gsize n)
{
    return exact(DOT_F32, x, y, 1, n, 53);
}

double nl_exact_dot_strided_f32_as_f64(const float *x, const float *y,
                                       gsize y_stride, gsize n)
{
    return exact(DOT_F32, x, y, y_stride, n, 53);
}

float nl_exact_dot_strided_f32(const float *x, const float *y, gsize y_stride,
                               gsize n)
{
    return (float)exact(DOT_F32, x, y, y_stride, n, 24);
}

void nl_exact_prefix_sums_f32(const float *x, gsize n, float *sums)
{
    Acc a;
    acc_init(&a, LSB_F32_SUM, WIDTH_F32_SUM);
    for (gsize i = 0; i < n; i++) {
        add_f32(&a, x[i]);
        sums[i] = (float)acc_round(&a, 24); /* the one rounding */
    }
}
