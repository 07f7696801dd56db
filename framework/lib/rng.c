/* rng.c — xoshiro256** with splitmix64 seeding, and portable normals.
 *
 * Everything here is integer arithmetic or IEEE-754 basic operations in a
 * fixed order (the project builds with -ffp-contract=off), so a seed gives
 * the same stream of bits on every platform. It deliberately calls no libm
 * function: log() differs in its last bit between C libraries. */
#include "config.h"

#include "nl-private.h"

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
/* log(2^e (1 + f)) from f and e (as a double), the reduction done. */
static inline double log_reduced(double f, double de)
{
    const double ln2_hi = 6.93147180369123816490e-01; /* 32 significant bits */
    const double ln2_lo = 1.90821492927058770002e-10;
    double s = f / (2.0 + f);
    double z = s * s;
    double r = 0.0;
    for (int k = 25; k >= 3; k -= 2)
        r = (r + 2.0 / k) * z;
    double hfsq = 0.5 * f * f;
    return de * ln2_hi - ((hfsq - (s * (hfsq + r) + de * ln2_lo)) - f);
}

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
    return log_reduced(m - 1.0, (double)e); /* m - 1: exact (Sterbenz) */
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

/* nl_log_portable of q[0..n), each q a normal double in (0, 1) (the
 * polar method's u^2 + v^2: at least 2^-104), in lanes: frexp done on
 * the bits, the branch a select, then the same operations in the same
 * order, so every lane has nl_log_portable's bits (-ffp-contract=off; the
 * tests compare the streams). */
NL_VECTORISED static void log_unit_interval(const double *restrict q,
                                            double *restrict out, gsize n)
{
    const double sqrt_half = 0.70710678118654752440;
    guint64 sqrt_half_bits;
    memcpy(&sqrt_half_bits, &sqrt_half, sizeof sqrt_half_bits);
    const guint64 fraction = (G_GUINT64_CONSTANT(1) << 52) - 1;
    for (gsize i = 0; i < n; i++) {
        guint64 bits;
        memcpy(&bits, &q[i], sizeof bits);
        guint64 biased = (bits >> 52) & 0x7ffu;
        /* frexp, m in [0.5, 1) and e = biased - 1022; then m < sqrt(1/2)
         * (compared on the fraction bits: m's exponent is fixed) doubles
         * m and lowers e. All exact, and no float comparison, which
         * would keep the compiler from vectorising */
        guint64 low = (bits & fraction) < (sqrt_half_bits & fraction);
        guint64 m_bits = (bits & fraction) | ((1022 + low) << 52);
        guint64 e_bits =
            G_GUINT64_CONSTANT(0x4330000000000000) | (biased - low);
        double m, e52;
        memcpy(&m, &m_bits, sizeof m);
        memcpy(&e52, &e_bits, sizeof e52); /* 2^52 + biased - low */
        double de = (e52 - 4503599627370496.0) - 1022.0;
        out[i] = log_reduced(m - 1.0, de);
    }
}

/* The stream of normal() calls, in batches: each pair's uniforms are
 * drawn (and rejected) in the same order, then the batch's logarithms
 * run in lanes. */
void nl_rng_fill_normal_f32(NlRng *rng, float *x, gsize n)
{
    g_return_if_fail(rng != NULL && (x != NULL || n == 0));
    gsize i = 0;
    if (n > 0 && rng->has_spare)
        x[i++] = (float)normal(rng);
    enum { BATCH = 256 };
    double u[BATCH], v[BATCH], q[BATCH], lq[BATCH];
    while (n - i >= 2) {
        gsize pairs = MIN((gsize)BATCH, (n - i) / 2);
        for (gsize p = 0; p < pairs; p++) {
            do {
                u[p] = 2.0 * uniform(rng) - 1.0;
                v[p] = 2.0 * uniform(rng) - 1.0;
                q[p] = u[p] * u[p] + v[p] * v[p];
            } while (q[p] >= 1.0 || q[p] == 0.0);
        }
        log_unit_interval(q, lq, pairs);
        for (gsize p = 0; p < pairs; p++) {
            double f = sqrt(-2.0 * lq[p] / q[p]);
            x[i++] = (float)(u[p] * f);
            x[i++] = (float)(v[p] * f);
        }
    }
    if (i < n) /* the last one: its pair's other half is kept */
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
