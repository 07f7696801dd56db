/* precision.c — float64, float32, bfloat16 and float16: names, unit
 * roundoffs, exact conversions and ULP distances (numlab/precision.h).
 *
 * Narrowing goes through one routine for both 16-bit types: in the
 * normal range it rounds the double's bit pattern to the target's
 * significand width (integer arithmetic, a few instructions: the
 * emulated kernels of numlab/reference.h call it once per operation),
 * below it it rounds to the subnormals' fixed quantum; what lies beyond
 * the largest finite value becomes an infinity. The result is then a
 * value of the target type held exactly in a double, and only needs
 * encoding. */
#include "config.h"

#include <numlab/precision.h>
#include <numlab/ulp.h>

#include <math.h>
#include <string.h>

/* The binary formats: significand bits (implicit one included), the
 * exponent of the smallest normal and of the largest finite binade, and
 * from them the smallest normal, the largest finite value and the
 * subnormals' quantum 2^(emin - digits + 1). */
typedef struct {
    int digits, emin, emax;
    double min_normal, largest, quantum;
} Format;

static const Format bf16 = {8, -126, 127, 0x1p-126, 0x1.fep127, 0x1p-133},
                    f16 = {11, -14, 15, 0x1p-14, 65504.0, 0x1p-24};

/* A double with |x| in the target's normal range, rounded to `digits`
 * significant bits on its bit pattern: add just under half of the
 * dropped part's weight, plus the kept part's lowest bit (ties to even),
 * then clear the dropped bits. A carry that runs into the exponent is
 * the rounding up to the next binade, as it must be. */
static double round_bits(double x, int digits)
{
    guint64 u;
    memcpy(&u, &x, sizeof u);
    int drop = 53 - digits;
    guint64 half = (G_GUINT64_CONSTANT(1) << (drop - 1)) - 1;
    u += half + ((u >> drop) & 1);
    u &= ~((G_GUINT64_CONSTANT(1) << drop) - 1);
    memcpy(&x, &u, sizeof x);
    return x;
}

/* x rounded to nearest even in `f`, as a double; ±inf beyond its range.
 * Below the smallest normal the quantum is fixed (the subnormals): x is
 * scaled by it, a power of two, so exactly, rounded to an integer by
 * nearbyint (ties to even in the default rounding mode), and scaled
 * back. */
static double round_to(const Format *f, double x)
{
    if (isnan(x) || isinf(x) || x == 0)
        return x;
    double r;
    if (fabs(x) >= f->min_normal) {
        r = round_bits(x, f->digits);
    } else {
        r = nearbyint(x / f->quantum) * f->quantum;
    }
    if (fabs(r) > f->largest)
        return copysign(INFINITY, x);
    return r;
}

/* ---- bfloat16: the top half of a float32 ---------------------------- */

float nl_bf16_to_f32(nl_bf16 x)
{
    guint32 u = (guint32)x << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

nl_bf16 nl_bf16_from_f64(double x)
{
    if (isnan(x)) /* quiet, same sign */
        return (nl_bf16)(signbit(x) ? 0xffc0u : 0x7fc0u);
    /* the rounded value is a float32 whose low 16 bits are zero */
    return (nl_bf16)(nl_f32_bits((float)round_to(&bf16, x)) >> 16);
}

nl_bf16 nl_bf16_from_f32(float x)
{
    return nl_bf16_from_f64(x);
}

/* ---- float16: IEEE binary16 ------------------------------------------ */

float nl_f16_to_f32(nl_f16 x)
{
    guint32 sign = (guint32)(x & 0x8000u) << 16;
    guint32 exponent = (x >> 10) & 0x1fu, fraction = x & 0x3ffu, u;
    if (exponent == 0x1f) /* infinity, or NaN with its payload (nonzero) */
        u = sign | 0x7f800000u | (fraction << 13);
    else if (exponent) /* normal: rebias 15 -> 127 */
        u = sign | ((exponent + 112) << 23) | (fraction << 13);
    else if (fraction == 0) /* a signed zero */
        u = sign;
    else { /* subnormal: fraction 2^-24, exact in float */
        float v = (float)fraction * 0x1p-24f;
        return sign ? -v : v;
    }
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

nl_f16 nl_f16_from_f64(double x)
{
    guint16 sign = signbit(x) ? 0x8000u : 0;
    if (isnan(x))
        return (nl_f16)(sign | 0x7e00u);
    double r = fabs(round_to(&f16, x));
    if (isinf(r))
        return (nl_f16)(sign | 0x7c00u);
    if (r < 0x1p-14) /* zero or subnormal: a multiple of 2^-24 */
        return (nl_f16)(sign | (guint16)(r * 0x1p24));
    /* a normal float16 value is a float whose low 13 fraction bits are
     * zero: rebias its exponent 127 -> 15 and keep the top 10 bits */
    guint32 u = nl_f32_bits((float)r);
    return (nl_f16)(sign | (guint16)((((u >> 23) - 112u) << 10) |
                                     ((u >> 13) & 0x3ffu)));
}

nl_f16 nl_f16_from_f32(float x)
{
    return nl_f16_from_f64(x);
}

/* ---- precisions ------------------------------------------------------- */

static const struct {
    const char *name;
    guint digits;
} precisions[NL_N_PRECISIONS] = {
    [NL_PRECISION_F32] = {"float32", 24},
    [NL_PRECISION_F64] = {"float64", 53},
    [NL_PRECISION_BF16] = {"bfloat16", 8},
    [NL_PRECISION_F16] = {"float16", 11},
};

static gboolean known(NlPrecision p)
{
    return (guint)p < NL_N_PRECISIONS;
}

gsize nl_precision_size(NlPrecision p)
{
    static const gsize size[NL_N_PRECISIONS] = {
        [NL_PRECISION_F32] = 4,
        [NL_PRECISION_F64] = 8,
        [NL_PRECISION_BF16] = 2,
        [NL_PRECISION_F16] = 2,
    };
    g_return_val_if_fail(known(p), 0);
    return size[p];
}

gboolean nl_precision_holds(NlPrecision wide, NlPrecision narrow)
{
    g_return_val_if_fail(known(wide) && known(narrow), FALSE);
    if (wide == narrow || wide == NL_PRECISION_F64)
        return TRUE;
    /* float32 has bfloat16's exponent range and float16's significand */
    return wide == NL_PRECISION_F32 && narrow != NL_PRECISION_F64;
}

double nl_precision_round(NlPrecision p, double x)
{
    switch (p) {
    case NL_PRECISION_F32:
        return (float)x;
    case NL_PRECISION_F64:
        return x;
    case NL_PRECISION_BF16:
        return isnan(x) ? x : round_to(&bf16, x);
    case NL_PRECISION_F16:
        return isnan(x) ? x : round_to(&f16, x);
    }
    g_return_val_if_reached(NAN);
}

guint nl_precision_digits(NlPrecision p)
{
    g_return_val_if_fail(known(p), 0);
    return precisions[p].digits;
}

double nl_precision_unit_roundoff(NlPrecision p)
{
    g_return_val_if_fail(known(p), NAN);
    return ldexp(1.0, -(int)precisions[p].digits);
}

const char *nl_precision_name(NlPrecision p)
{
    return known(p) ? precisions[p].name : NULL;
}

gboolean nl_precision_from_name(const char *name, NlPrecision *p)
{
    static const struct {
        const char *alias;
        NlPrecision p;
    } aliases[] = {
        {"f32", NL_PRECISION_F32},   {"fp32", NL_PRECISION_F32},
        {"float", NL_PRECISION_F32}, {"f64", NL_PRECISION_F64},
        {"fp64", NL_PRECISION_F64},  {"double", NL_PRECISION_F64},
        {"bf16", NL_PRECISION_BF16}, {"f16", NL_PRECISION_F16},
        {"fp16", NL_PRECISION_F16},  {"half", NL_PRECISION_F16},
    };
    g_return_val_if_fail(name != NULL && p != NULL, FALSE);
    for (guint i = 0; i < NL_N_PRECISIONS; i++) {
        if (strcmp(name, precisions[i].name) == 0) {
            *p = (NlPrecision)i;
            return TRUE;
        }
    }
    for (guint i = 0; i < G_N_ELEMENTS(aliases); i++) {
        if (strcmp(name, aliases[i].alias) == 0) {
            *p = aliases[i].p;
            return TRUE;
        }
    }
    return FALSE;
}

/* ---- ULP distances: sign-magnitude bits, mirrored below zero ---------- */

static gint64 distance16(guint16 a, guint16 b, guint16 exponent_mask)
{
    gboolean nan_a = (a & 0x7fff) > exponent_mask,
             nan_b = (b & 0x7fff) > exponent_mask;
    if (nan_a || nan_b)
        return NL_ULP_NAN;
    gint64 x = (a & 0x8000) ? -(gint64)(a & 0x7fff) : (gint64)(a & 0x7fff);
    gint64 y = (b & 0x8000) ? -(gint64)(b & 0x7fff) : (gint64)(b & 0x7fff);
    return x > y ? x - y : y - x;
}

gint64 nl_ulp_distance_bf16(nl_bf16 a, nl_bf16 b)
{
    return distance16(a, b, 0x7f80u);
}

gint64 nl_ulp_distance_f16(nl_f16 a, nl_f16 b)
{
    return distance16(a, b, 0x7c00u);
}
