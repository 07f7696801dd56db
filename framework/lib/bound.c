/* bound.c — the error bounds of correct float32 kernels (numlab/bound.h).
 *
 * The sums of magnitudes are taken in double: for the n of any experiment
 * here their own rounding (below n 2^-53 relative) is far inside the
 * slack of a bound that is itself a worst case. */
#include "config.h"

#include <numlab/bound.h>

#include <math.h>

double nl_gamma_f32(gsize k)
{
    double ku = (double)k * NL_UNIT_ROUNDOFF_F32;
    return ku < 1.0 ? ku / (1.0 - ku) : INFINITY;
}

double nl_sum_bound_f32(const float *x, gsize n)
{
    double magnitude = 0.0;
    for (gsize i = 0; i < n; i++)
        magnitude += fabs((double)x[i]);
    return n ? nl_gamma_f32(n - 1) * magnitude : 0.0;
}

double nl_dot_bound_f32(const float *x, const float *y, gsize y_stride, gsize n)
{
    double magnitude = 0.0;
    for (gsize i = 0; i < n; i++)
        magnitude += fabs((double)x[i] * (double)y[i * y_stride]);
    return nl_gamma_f32(n) * magnitude;
}

gboolean nl_within_bound(double got, double exact, double bound)
{
    if (isnan(got) || isnan(exact) || isnan(bound))
        return FALSE;
    if (isinf(got) || isinf(exact))
        return got == exact;
    return fabs(got - exact) <= bound;
}
