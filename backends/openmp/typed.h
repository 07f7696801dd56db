/* typed.h — values of any storage precision read as float32 or float64,
 * exactly: the widening the OpenMP backend's _in kernels do on the fly.
 *
 * bfloat16 is the top half of a float32 (shifted left by 16 bits it is
 * that float); float16 widens with F16C's vcvtph2ps, exact for every
 * value, subnormals included; float32 widens to double with vcvtps2pd.
 * Every helper is always inlined and the kernels call them with a
 * constant type, so each switch folds away and a kernel instantiated for
 * one type reads it directly. Built for x86-64-v3, which has F16C. */
#ifndef NL_OPENMP_TYPED_H
#define NL_OPENMP_TYPED_H

#include <glib.h>
#include <immintrin.h>
#include <numlab/reference.h>
#include <string.h>

#define TYPED static inline __attribute__((always_inline))

/* One index for a pair of types, to switch on both at once. */
#define TYPE_PAIR(x, y) ((x)*NL_N_PRECISIONS + (y))

/* The bytes one value of t takes. */
TYPED gsize typed_size(NlPrecision t)
{
    return t == NL_PRECISION_F64 ? 8 : t == NL_PRECISION_F32 ? 4 : 2;
}

/* The address of a's i-th value. */
TYPED const void *typed_at(NlArray a, gsize i)
{
    return (const char *)a.data + i * typed_size(a.type);
}

/* p[i] as a float; t is float32, bfloat16 or float16. */
TYPED float get_f32(NlPrecision t, const void *p, gsize i)
{
    switch (t) {
    case NL_PRECISION_BF16: {
        guint32 bits = (guint32)((const nl_bf16 *)p)[i] << 16;
        float f;
        memcpy(&f, &bits, sizeof f);
        return f;
    }
    case NL_PRECISION_F16:
        return _cvtsh_ss(((const nl_f16 *)p)[i]);
    default:
        return ((const float *)p)[i];
    }
}

/* p[i], ..., p[i+7] as floats; t is float32, bfloat16 or float16. */
TYPED __m256 load8_f32(NlPrecision t, const void *p, gsize i)
{
    switch (t) {
    case NL_PRECISION_BF16: {
        __m128i h = _mm_loadu_si128((const __m128i *)((const nl_bf16 *)p + i));
        return _mm256_castsi256_ps(
            _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    case NL_PRECISION_F16:
        return _mm256_cvtph_ps(
            _mm_loadu_si128((const __m128i *)((const nl_f16 *)p + i)));
    default:
        return _mm256_loadu_ps((const float *)p + i);
    }
}

/* p[i], ..., p[i+3] in the low half and q[j], ..., q[j+3] in the high
 * half, as floats; t is float32, bfloat16 or float16. Two rows' columns
 * side by side: half of an 8 x 8 transpose done by the loads. */
TYPED __m256 load4x2_f32(NlPrecision t, const void *p, gsize i, const void *q,
                         gsize j)
{
    switch (t) {
    case NL_PRECISION_BF16:
    case NL_PRECISION_F16: {
        const nl_bf16 *hp = (const nl_bf16 *)p + i,
                      *hq = (const nl_bf16 *)q + j;
        __m128i h = _mm_castpd_si128(
            _mm_loadh_pd(_mm_castsi128_pd(_mm_loadl_epi64((const __m128i *)hp)),
                         (const double *)hq));
        if (t == NL_PRECISION_F16)
            return _mm256_cvtph_ps(h);
        return _mm256_castsi256_ps(
            _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    default:
        return _mm256_insertf128_ps(
            _mm256_castps128_ps256(_mm_loadu_ps((const float *)p + i)),
            _mm_loadu_ps((const float *)q + j), 1);
    }
}

/* p[i] as a double, for any of the four types. */
TYPED double get_f64(NlPrecision t, const void *p, gsize i)
{
    return t == NL_PRECISION_F64 ? ((const double *)p)[i] : get_f32(t, p, i);
}

/* p[i], ..., p[i+3] as doubles, for any of the four types. */
TYPED __m256d load4_f64(NlPrecision t, const void *p, gsize i)
{
    switch (t) {
    case NL_PRECISION_F64:
        return _mm256_loadu_pd((const double *)p + i);
    case NL_PRECISION_F32:
        return _mm256_cvtps_pd(_mm_loadu_ps((const float *)p + i));
    case NL_PRECISION_BF16: {
        __m128i h = _mm_loadl_epi64((const __m128i *)((const nl_bf16 *)p + i));
        return _mm256_cvtps_pd(
            _mm_castsi128_ps(_mm_slli_epi32(_mm_cvtepu16_epi32(h), 16)));
    }
    case NL_PRECISION_F16:
        return _mm256_cvtps_pd(_mm_cvtph_ps(
            _mm_loadl_epi64((const __m128i *)((const nl_f16 *)p + i))));
    }
    return _mm256_setzero_pd();
}

/* The eight lanes of v added pairwise: 4+4, 2+2, 1+1. */
TYPED float fold8(__m256 v)
{
    float l[8];
    _mm256_storeu_ps(l, v);
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

#endif /* NL_OPENMP_TYPED_H */
