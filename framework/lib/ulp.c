/* ulp.c — ULP distances via the monotone integer image of a float.
 *
 * Mapping the bits of a float to a signed integer so that integer order is
 * float order (negatives mirrored below zero) turns "how many floats lie
 * between a and b" into a subtraction. */
#include "config.h"

#include <numlab/ulp.h>

#include <math.h>
#include <string.h>

guint32 nl_f32_bits(float x)
{
    guint32 u;
    memcpy(&u, &x, sizeof u);
    return u;
}

guint64 nl_f64_bits(double x)
{
    guint64 u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static gint64 ordered_f32(float x)
{
    guint32 u = nl_f32_bits(x);
    gint64 magnitude = (gint64)(u & 0x7fffffffu);
    return (u >> 31) ? -magnitude : magnitude;
}

/* For doubles the magnitude uses 63 bits; the difference of two such
 * values fits in 64 bits except across the whole range, which saturates. */
static gint64 ordered_f64(double x)
{
    guint64 u = nl_f64_bits(x);
    gint64 magnitude = (gint64)(u & 0x7fffffffffffffffULL);
    return (u >> 63) ? -magnitude : magnitude;
}

gint64 nl_ulp_diff_f32(float a, float b)
{
    if (isnan(a) || isnan(b))
        return NL_ULP_NAN;
    return ordered_f32(b) - ordered_f32(a);
}

gint64 nl_ulp_distance_f32(float a, float b)
{
    gint64 d = nl_ulp_diff_f32(a, b);
    return d < 0 ? -d : d;
}

gint64 nl_ulp_distance_f64(double a, double b)
{
    if (isnan(a) || isnan(b))
        return NL_ULP_NAN;
    gint64 x = ordered_f64(a), y = ordered_f64(b);
    if ((x < 0) != (y < 0)) { /* opposite signs: add magnitudes, saturating */
        guint64 d = (guint64)(x < 0 ? -x : x) + (guint64)(y < 0 ? -y : y);
        return d > (guint64)G_MAXINT64 - 1 ? G_MAXINT64 - 1 : (gint64)d;
    }
    return x > y ? x - y : y - x;
}
