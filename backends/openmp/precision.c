/* precision.c — the OpenMP backend's kernels in every precision (the _in
 * hooks): which kernel computes each combination of storage and
 * accumulation precision, and results rounded to the output's precision.
 *
 *  - float32 accumulation: bfloat16 x bfloat16 products on vdpbf16ps
 *    (bf16.c) where the CPU has AVX512-BF16 (ParMode.bf16_native); every
 *    other combination of float32, bfloat16 and float16 operands, and
 *    every sum, widened exactly to float32 and run in the float32 kernels'
 *    orders (kernels.c, gemv.c, gemm.c), so that its bits are those of
 *    the float32 kernel on the widened values.
 *  - float64 accumulation: operands of any type widened exactly to double
 *    and run in the float64 kernels (kernels.c, gemv.c, gemm.c).
 *  - bfloat16 and float16 accumulation (every operation rounded to the
 *    type): gemm in numlab's reference order (gemm.c), with the
 *    reference's bits; sum, dot, gemv and tiled_sum are not computed here
 *    (NL_BACKEND_ERROR_UNSUPPORTED, and numlab runs its reference).
 *
 * A gemv or gemm whose output is of another precision than the
 * accumulation's computes into a scratch array of the accumulation's and
 * rounds each result once into the output. */
#include "config.h"

#include "kernels.h"

#include <immintrin.h>
#include <numlab/numlab.h>

static gboolean unsupported(GError **error, const char *kernel, NlPrecision acc)
{
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNSUPPORTED,
                   "openmp has no %s accumulating in %s", kernel,
                   nl_precision_name(acc));
}

/* Whether sum, dot, gemv and tiled_sum accumulate in acc here (float32
 * and float64; gemm also in the 16-bit types). */
static gboolean computed(NlPrecision acc)
{
    return acc == NL_PRECISION_F32 || acc == NL_PRECISION_F64;
}

/* ---- sum, dot, tiled sum: chunks for par_reduce and par_tiled ---- */

static double sum_f32_chunk(const void *ctx, gsize start, gsize len)
{
    return par_sum_chunk_in(*(const NlArray *)ctx, start, len);
}

static double sum_f64_chunk(const void *ctx, gsize start, gsize len)
{
    return par_sum_chunk_f64(*(const NlArray *)ctx, start, len);
}

/* ctx: the two vectors, NlArray[2]. */
static double dot_f32_chunk(const void *ctx, gsize start, gsize len)
{
    const NlArray *v = ctx;
    return par_dot_chunk_in(v[0], v[1], start, len);
}

static double dot_f64_chunk(const void *ctx, gsize start, gsize len)
{
    const NlArray *v = ctx;
    return par_dot_chunk_f64(v[0], v[1], start, len);
}

static double dot_bf16_chunk(const void *ctx, gsize start, gsize len)
{
    const NlArray *v = ctx;
    return par_dot_chunk_bf16((const nl_bf16 *)v[0].data + start,
                              (const nl_bf16 *)v[1].data + start, len);
}

static gboolean bf16_pair(ParMode mode, NlArray x, NlArray y)
{
    return mode.bf16_native && x.type == NL_PRECISION_BF16 &&
           y.type == NL_PRECISION_BF16;
}

gboolean par_sum_in(NlArray x, gsize n, NlPrecision acc, ParMode mode,
                    double *result, GError **error)
{
    if (!computed(acc))
        return unsupported(error, "sum", acc);
    *result =
        par_reduce(acc == NL_PRECISION_F32 ? sum_f32_chunk : sum_f64_chunk, &x,
                   n, acc, mode);
    return TRUE;
}

gboolean par_dot_in(NlArray x, NlArray y, gsize n, NlPrecision acc,
                    ParMode mode, double *result, GError **error)
{
    if (!computed(acc))
        return unsupported(error, "dot", acc);
    NlArray v[2] = {x, y};
    ParChunk chunk = acc == NL_PRECISION_F64 ? dot_f64_chunk
                     : bf16_pair(mode, x, y) ? dot_bf16_chunk
                                             : dot_f32_chunk;
    *result = par_reduce(chunk, v, n, acc, mode);
    return TRUE;
}

gboolean par_tiled_sum_in(NlArray x, gsize n, gsize tile, NlPrecision acc,
                          ParMode mode, double *result, GError **error)
{
    if (!computed(acc))
        return unsupported(error, "tiled_sum", acc);
    gsize n_tiles = n / tile + (n % tile != 0);
    /* a few tiles (a context of some thousand values) need no heap */
    double stack[256], *partials = stack;
    if (n_tiles > G_N_ELEMENTS(stack) &&
        !(partials = nl_alloc_f64(n_tiles, error)))
        return FALSE;
    *result = par_tiled(acc == NL_PRECISION_F32 ? sum_f32_chunk : sum_f64_chunk,
                        &x, n, tile, acc, partials, mode);
    if (partials != stack)
        nl_free(partials);
    return TRUE;
}

/* ---- gemv, gemm ---- */

/* x rounded once to bfloat16 or float16 by numlab. */
static guint16 round_one(NlPrecision type, float x)
{
    return type == NL_PRECISION_BF16 ? nl_bf16_from_f32(x) : nl_f16_from_f32(x);
}

/* n floats rounded once to bfloat16 or float16, eight at a time:
 * bfloat16 on the bit pattern (add just under half the dropped half-word,
 * plus the kept part's lowest bit, for ties to even; right for subnormals
 * and overflow alike), float16 by vcvtps2ph. Eight values that hold a NaN
 * go through numlab's conversion, for its canonical quiet NaN. */
static void round_f32_to_16(NlPrecision type, guint16 *dst, const float *src,
                            gsize n)
{
    gsize i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(src + i);
        if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
            for (gsize j = i; j < i + 8; j++)
                dst[j] = round_one(type, src[j]);
            continue;
        }
        __m128i h;
        if (type == NL_PRECISION_BF16) {
            __m256i u = _mm256_castps_si256(v);
            __m256i odd = _mm256_and_si256(_mm256_srli_epi32(u, 16),
                                           _mm256_set1_epi32(1));
            u = _mm256_add_epi32(
                u, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7fff)));
            u = _mm256_srli_epi32(u, 16);
            h = _mm_packus_epi32(_mm256_castsi256_si128(u),
                                 _mm256_extracti128_si256(u, 1));
        } else {
            h = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT);
        }
        _mm_storeu_si128((__m128i *)(dst + i), h);
    }
    for (; i < n; i++)
        dst[i] = round_one(type, src[i]);
}

/* n values of `from` (floats or doubles, as `held` says) rounded once
 * into values of `type` at dst + at. */
static void round_into(NlPrecision type, gpointer dst, gsize at,
                       NlPrecision held, const void *from, gsize n)
{
    if (held == NL_PRECISION_F32 &&
        (type == NL_PRECISION_BF16 || type == NL_PRECISION_F16)) {
        round_f32_to_16(type, (guint16 *)dst + at, from, n);
        return;
    }
    for (gsize i = 0; i < n; i++)
        nl_array_set(type, dst, at + i,
                     held == NL_PRECISION_F32 ? ((const float *)from)[i]
                                              : ((const double *)from)[i]);
}

/* x as a dense array of acc's type (float or double): x itself when it
 * is one, else a widened copy to nl_free (*copy). */
static gconstpointer widened(NlArray x, gsize n, NlPrecision acc,
                             gpointer *copy, GError **error)
{
    *copy = NULL;
    if (x.type == acc)
        return x.data;
    if (acc == NL_PRECISION_F32) {
        float *w = nl_alloc_f32(MAX(n, 1), error);
        for (gsize i = 0; w && i < n; i++)
            w[i] = (float)nl_array_get(x, i);
        return *copy = w;
    }
    double *w = nl_alloc_f64(MAX(n, 1), error);
    for (gsize i = 0; w && i < n; i++)
        w[i] = nl_array_get(x, i);
    return *copy = w;
}

gboolean par_gemv_any(gsize m, gsize n, NlArray a, gsize lda, NlArray x,
                      NlPrecision y_type, gpointer y, NlPrecision acc,
                      ParMode mode, GError **error)
{
    if (!computed(acc))
        return unsupported(error, "gemv", acc);
    gsize size = acc == NL_PRECISION_F32 ? sizeof(float) : sizeof(double);
    gpointer out = y_type == acc ? y : nl_alloc(MAX(m, 1), size, error);
    if (!out)
        return FALSE;
    gpointer copy = NULL;
    if (acc == NL_PRECISION_F32 && bf16_pair(mode, a, x)) {
        par_gemv_bf16(m, n, a.data, lda, x.data, out, mode);
    } else {
        gconstpointer xw = widened(x, n, acc, &copy, error);
        if (!xw) {
            if (out != y)
                nl_free(out);
            return FALSE;
        }
        if (acc == NL_PRECISION_F32)
            par_gemv_in(m, n, a, lda, xw, out, mode);
        else
            par_gemv_f64(m, n, a, lda, xw, out, mode);
    }
    if (out != y) {
        round_into(y_type, y, 0, acc, out, m);
        nl_free(out);
    }
    nl_free(copy);
    return TRUE;
}

/* The least exponent e (2^e <= |v| < 2^(e+1)) of the finite nonzero
 * values of a rows x cols bfloat16 matrix: each such value is a multiple
 * of 2^(e - 7). A subnormal counts as -126 (it is a multiple of 2^-133
 * too); a matrix of zeros, infinities and NaNs as 128. */
static int least_exponent(NlArray a, gsize rows, gsize cols, gsize ld)
{
    g_return_val_if_fail(a.type == NL_PRECISION_BF16, -126);
    const nl_bf16 *x = a.data;
    /* the biased exponent field, 16 values at a time: a subnormal's 0
     * made 1, a zero's made 0xff (an infinity's and a NaN's are 0xff) */
    const __m256i magnitude = _mm256_set1_epi16(0x7fff),
                  one = _mm256_set1_epi16(1), none = _mm256_set1_epi16(0xff);
    __m256i lanes = none;
    guint least = 0xff;
    for (gsize r = 0; r < rows; r++) {
        const nl_bf16 *row = x + r * ld;
        gsize j = 0;
        for (; j + 16 <= cols; j += 16) {
            __m256i v = _mm256_and_si256(
                _mm256_loadu_si256((const __m256i *)(row + j)), magnitude);
            __m256i field = _mm256_max_epu16(_mm256_srli_epi16(v, 7), one);
            field = _mm256_blendv_epi8(
                field, none, _mm256_cmpeq_epi16(v, _mm256_setzero_si256()));
            lanes = _mm256_min_epu16(lanes, field);
        }
        for (; j < cols; j++) {
            guint bits = row[j] & 0x7fffu;
            least = MIN(least, bits ? MAX(bits >> 7, 1u) : 0xffu);
        }
    }
    __m128i half = _mm_min_epu16(_mm256_castsi256_si128(lanes),
                                 _mm256_extracti128_si256(lanes, 1));
    least = MIN(least, (guint)_mm_extract_epi16(_mm_minpos_epu16(half), 0));
    return (int)least - 127;
}

gboolean par_gemm_any(gsize m, gsize n, gsize k, NlArray a, gsize lda,
                      NlArray b, gsize ldb, NlPrecision c_type, gpointer c,
                      gsize ldc, NlPrecision acc, ParMode mode, GError **error)
{
    const ParGemmKind *kind;
    switch (acc) {
    case NL_PRECISION_F32:
        kind = bf16_pair(mode, a, b) ? &par_gemm_bf16_kind
                                     : par_gemm_f32_kind_for(mode, n);
        break;
    case NL_PRECISION_F64:
        kind = &par_gemm_f64_kind;
        break;
    case NL_PRECISION_BF16:
        kind =
            least_exponent(a, m, k, lda) + least_exponent(b, k, n, ldb) >= -112
                ? &par_gemm_bf16_split_kind
                : &par_gemm_bf16_rounded_kind;
        break;
    default:
        kind = &par_gemm_f16_rounded_kind;
    }
    /* what the kernels leave in C: floats, or doubles in float64 */
    NlPrecision held =
        kind->acc == sizeof(double) ? NL_PRECISION_F64 : NL_PRECISION_F32;
    /* C itself when it holds those, else a dense scratch C */
    gboolean direct = c_type == held;
    gpointer out = direct ? c : nl_alloc(MAX(m * n, 1), kind->acc, error);
    if (!out)
        return FALSE;
    gboolean ok = par_gemm_run(kind, m, n, k, a, lda, b, ldb, out,
                               direct ? ldc : n, mode.threads);
    if (ok && !direct)
        for (gsize i = 0; i < m; i++)
            round_into(c_type, c, i * ldc, held,
                       (const char *)out + i * n * kind->acc, n);
    if (!direct)
        nl_free(out);
    return ok || nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                         "openmp gemm: no memory for its packing buffers");
}
