/* rng.c — xoshiro256** with splitmix64 seeding, and portable normals.
 *
 * Everything here is integer arithmetic or IEEE-754 basic operations in a
 * fixed order (the project builds with -ffp-contract=off), so a seed gives
 * the same stream of bits on every platform. It deliberately calls no libm
 * function: log() differs in its last bit between C libraries. */
#include "config.h"

#include <numlab/alloc.h>
#include <numlab/rng.h>

#include <math.h>
#include <string.h>

static guint64 splitmix64(guint64 *x)
{
    guint64 z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline guint64 rotl(guint64 x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void nl_rng_init(NlRng *rng, guint64 seed)
{
    g_return_if_fail(rng != NULL);
    guint64 x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
    rng->spare = 0.0;
    rng->has_spare = FALSE;
    memset(rng->reserved, 0, sizeof rng->reserved);
}

/* The public calls check their arguments once; the loops use these. */
static inline guint64 next_u64(NlRng *rng)
{
    guint64 *s = rng->s;
    guint64 result = rotl(s[1] * 5, 7) * 9;
    guint64 t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static inline double uniform(NlRng *rng)
{
    return (double)(next_u64(rng) >> 11) * 0x1.0p-53;
}

guint64 nl_rng_next_u64(NlRng *rng)
{
    g_return_val_if_fail(rng != NULL, 0);
    return next_u64(rng);
}

double nl_rng_uniform(NlRng *rng)
{
    g_return_val_if_fail(rng != NULL, 0.0);
    return uniform(rng);
}

static guint64 below(NlRng *rng, guint64 bound)
{
    /* Reject the top partial copy of [0, bound) so every value is equally
     * likely (Lemire's threshold without the multiply trick, for clarity). */
    guint64 threshold = -bound % bound;
    for (;;) {
        guint64 r = next_u64(rng);
        if (r >= threshold)
            return r % bound;
    }
}

guint64 nl_rng_below(NlRng *rng, guint64 bound)
{
    g_return_val_if_fail(rng != NULL && bound > 0, 0);
    return below(rng, bound);
}

/* fdlibm's reduction with Taylor coefficients: x = 2^e m, m in
 * [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f), and
 *   log(m) = f - f^2/2 + s (f^2/2 + R),  R = 2z/3 + 2z^2/5 + ...,  z = s^2.
 * Keeping f itself as the leading term (exact) is what holds the error
 * under one ulp; |s| < 0.172, so 12 terms of R reach 2^-64 relative. ln 2
 * is split into a head with few bits (e * head is exact) and a tail. */
double nl_log_portable(double x)
{
    if (!(x > 0.0) || isinf(x))
        return x == 0.0 ? -INFINITY : (x > 0.0 ? x : NAN);
    int e;
    double m = frexp(x, &e); /* exact: m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    double f = m - 1.0; /* exact (Sterbenz) */
    double s = f / (2.0 + f);
    double z = s * s;
    double r = 0.0;
    for (int k = 25; k >= 3; k -= 2)
        r = (r + 2.0 / k) * z;
    double hfsq = 0.5 * f * f;
    const double ln2_hi = 6.93147180369123816490e-01; /* 32 significant bits */
    const double ln2_lo = 1.90821492927058770002e-10;
    double de = (double)e;
    return de * ln2_hi - ((hfsq - (s * (hfsq + r) + de * ln2_lo)) - f);
}

static double normal(NlRng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = FALSE;
        return rng->spare;
    }
    double u, v, q;
    do {
        u = 2.0 * uniform(rng) - 1.0;
        v = 2.0 * uniform(rng) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    double f = sqrt(-2.0 * nl_log_portable(q) / q); /* sqrt is exact-rounded */
    rng->spare = v * f;
    rng->has_spare = TRUE;
    return u * f;
}

double nl_rng_normal(NlRng *rng)
{
    g_return_val_if_fail(rng != NULL, 0.0);
    return normal(rng);
}

void nl_rng_fill_normal_f32(NlRng *rng, float *x, gsize n)
{
    g_return_if_fail(rng != NULL && (x != NULL || n == 0));
    for (gsize i = 0; i < n; i++)
        x[i] = (float)normal(rng);
}

void nl_rng_shuffle_f32(NlRng *rng, float *x, gsize n)
{
    g_return_if_fail(rng != NULL && (x != NULL || n == 0));
    for (gsize i = n; i > 1; i--) {
        gsize j = (gsize)below(rng, i);
        float t = x[i - 1];
        x[i - 1] = x[j];
        x[j] = t;
    }
}

float *nl_normal_values_f32(guint64 seed, gsize n, GError **error)
{
    float *x = nl_alloc_f32(n, error);
    if (x) {
        NlRng rng;
        nl_rng_init(&rng, seed);
        nl_rng_fill_normal_f32(&rng, x, n);
    }
    return x;
}
