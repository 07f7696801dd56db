/* softmax.c — the OpenMP backend's softmax with temperature, and the
 * 8-wide exp it is built on.
 *
 * y[i] = exp(x[i] / T - max) / total, where max = max_i x[i] / T and
 * total is summed by par_sum_f32 in the backend's mode (so in
 * batch-invariant mode the probabilities do not depend on the thread
 * count either). Subtracting the max keeps every exponent <= 0: nothing
 * overflows. Bits, stated because they differ between backends:
 *  - x / T is a float division, as on naive (not x * (1/T), which can
 *    differ by an ulp and would turn into |x/T| ulps of relative error
 *    after the subtraction of the max);
 *  - the max is taken over x and then divided by T once: division by a
 *    positive T rounds monotonically, so max(x) / T is the same float as
 *    max(x / T);
 *  - exp is par_exp8 below, not expf: within 2 ulps instead of 1;
 *  - the normalization multiplies by the float 1 / total instead of
 *    dividing: one more rounding (at most 1.5 ulps instead of 0.5).
 * All of it stays within the conformance bound (tests/test-conformance.c).
 *
 * The work is cut into blocks of SOFTMAX_BLOCK elements that threads
 * share out; every element's result depends only on x, T and the total,
 * so the thread count changes nothing but the normalizer's order, which
 * is par_sum_f32's. Below PAR_PARALLEL_MIN everything runs on one
 * thread: 50257 logits take a few tens of microseconds, less than waking
 * a team. */
#include "config.h"

#include "kernels.h"

#include <immintrin.h>
#include <math.h>
#include <omp.h>

#define SOFTMAX_BLOCK 8192

/* ---- exp, 8 lanes ----
 *
 * exp(z) = 2^k exp(r), k = round(z log2 e), r = z - k ln 2 with
 * |r| <= ln 2 / 2, computed with two FMAs against ln 2 split into a float
 * head and tail (the head product is exact inside the FMA). exp(r) is its
 * Taylor polynomial of degree 7: the truncation error is below
 * (ln 2 / 2)^8 / 8! < 6e-9 relative, 0.05 ulp; Horner's rule in FMA adds
 * about 1 ulp. 2^k is applied as 2^(k/2) 2^(k - k/2), each a normal
 * float, so that results in the subnormal range (z < -87.3) are rounded
 * once, in the last multiplication, and overflow (z > 88.72) gives +Inf.
 * z is clamped to [-104, 89] first: exp(-104) is below half the smallest
 * subnormal and rounds to 0, exp(89) overflows; NaN passes through.
 * Measured against exp in double over [-104, 89]: at most 2 ulps from
 * the correctly rounded float (tests/test-openmp-exp.c). */
static inline __m256 par_exp8(__m256 z)
{
    const __m256 log2e = _mm256_set1_ps(1.44269504f);
    const __m256 ln2_hi =
        _mm256_set1_ps(0.693145752f); /* 12 bits: k ln2_hi exact */
    const __m256 ln2_lo = _mm256_set1_ps(1.42860682e-06f);
    /* max/min return their second operand when one is NaN: z last */
    z = _mm256_min_ps(_mm256_set1_ps(89.0f), z);
    z = _mm256_max_ps(_mm256_set1_ps(-104.0f), z);
    __m256 k = _mm256_round_ps(_mm256_mul_ps(z, log2e),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, ln2_hi, z);
    r = _mm256_fnmadd_ps(k, ln2_lo, r);
    /* 1 + r + r^2/2! + ... + r^7/7! */
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    /* 2^k1 2^k2 with k1 = floor(k / 2), k2 = k - k1, both in [-75, 64] */
    __m256i ki = _mm256_cvtps_epi32(k);
    __m256i k1 = _mm256_srai_epi32(ki, 1);
    __m256i k2 = _mm256_sub_epi32(ki, k1);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 s1 =
        _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
    __m256 s2 =
        _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

/* y[0..n) = exp(z[0..n)) with par_exp8: the exp of this file, exposed
 * for its accuracy test (tests/test-openmp-exp.c), which declares it. */
void par_exp_f32(const float *z, float *y, gsize n);

void par_exp_f32(const float *z, float *y, gsize n)
{
    gsize i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, par_exp8(_mm256_loadu_ps(z + i)));
    if (i < n) { /* the tail through a padded vector */
        float in[8] = {0}, out[8];
        for (gsize j = i; j < n; j++)
            in[j - i] = z[j];
        _mm256_storeu_ps(out, par_exp8(_mm256_loadu_ps(in)));
        for (gsize j = i; j < n; j++)
            y[j] = out[j - i];
    }
}

/* ---- the three passes, on one block each ---- */

static float max_chunk(const float *x, gsize n)
{
    __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    gsize i = 0;
    for (; i + 32 <= n; i += 32) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
        m2 = _mm256_max_ps(m2, _mm256_loadu_ps(x + i + 16));
        m3 = _mm256_max_ps(m3, _mm256_loadu_ps(x + i + 24));
    }
    __m256 m = _mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3));
    float lanes[8];
    _mm256_storeu_ps(lanes, m);
    float max = lanes[0];
    for (int l = 1; l < 8; l++)
        max = fmaxf(max, lanes[l]);
    for (; i < n; i++)
        max = fmaxf(max, x[i]);
    return max;
}

/* y = exp(x / T - max) */
static void exp_chunk(const float *x, float *y, gsize n, float temperature,
                      float max)
{
    const __m256 t = _mm256_set1_ps(temperature), m = _mm256_set1_ps(max);
    gsize i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 z = _mm256_sub_ps(_mm256_div_ps(_mm256_loadu_ps(x + i), t), m);
        _mm256_storeu_ps(y + i, par_exp8(z));
    }
    if (i < n) {
        float in[8] = {0};
        for (gsize j = i; j < n; j++)
            in[j - i] = x[j] / temperature - max;
        par_exp_f32(in, y + i, n - i);
    }
}

static void scale_chunk(float *y, gsize n, float factor)
{
    const __m256 f = _mm256_set1_ps(factor);
    gsize i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), f));
    for (; i < n; i++)
        y[i] *= factor;
}

void par_softmax_f32(const float *x, float *y, gsize n, float temperature,
                     ParMode mode)
{
    if (n == 0)
        return;
    int t = n < PAR_PARALLEL_MIN ? 1 : mode.threads;
    if (t == 1) { /* no parallel region: entering one costs microseconds */
        float max = max_chunk(x, n) / temperature;
        exp_chunk(x, y, n, temperature, max);
        scale_chunk(y, n, 1.0f / par_sum_f32(y, n, mode));
        return;
    }
    gsize blocks = (n + SOFTMAX_BLOCK - 1) / SOFTMAX_BLOCK;
    float max = -INFINITY;
#pragma omp parallel for num_threads(t) reduction(max : max) schedule(static)
    for (gsize b = 0; b < blocks; b++) {
        gsize start = b * SOFTMAX_BLOCK;
        max = fmaxf(max, max_chunk(x + start, MIN(SOFTMAX_BLOCK, n - start)));
    }
    max /= temperature;
#pragma omp parallel for num_threads(t) schedule(static)
    for (gsize b = 0; b < blocks; b++) {
        gsize start = b * SOFTMAX_BLOCK;
        exp_chunk(x + start, y + start, MIN(SOFTMAX_BLOCK, n - start),
                  temperature, max);
    }
    float inverse = 1.0f / par_sum_f32(y, n, mode);
#pragma omp parallel for num_threads(t) schedule(static)
    for (gsize b = 0; b < blocks; b++) {
        gsize start = b * SOFTMAX_BLOCK;
        scale_chunk(y + start, MIN(SOFTMAX_BLOCK, n - start), inverse);
    }
}
