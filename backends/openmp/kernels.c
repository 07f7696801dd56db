/* kernels.c — the OpenMP backend's reductions: sum, dot, tiled sum, in
 * float32 and float64 accumulation.
 *
 * One chunk kernel does all the summing in float32: 32 lanes (four
 * 8-wide AVX vectors) accumulate x[i], x[i+1], ... lane by lane, dot
 * products with FMA; at the end the four vectors are added pairwise
 * ((v0+v1)+(v2+v3)), the eight lanes of the result pairwise (4+4, 2+2,
 * 1+1), and the tail of fewer than 32 elements left to right on top (with
 * FMA for dot). bfloat16 and float16 values are widened exactly to float32
 * as they are loaded and go through the same kernel, so their sums are the
 * float32 sums of the widened values, bit for bit. In float64 the chunk
 * kernel has 16 lanes (four 4-wide vectors) and the same shape: the four
 * vectors added pairwise, the four lanes pairwise (2+2, 1+1), the tail of
 * fewer than 16 left to right.
 *
 * With T threads the vector is cut into T contiguous chunks at multiples
 * of 64 elements, and the T partial results are added in thread order. So
 * 1 and 2 threads can give different bits only when n >= PAR_PARALLEL_MIN
 * (and usually do). Batch-invariant mode cuts the vector into blocks of
 * PAR_FIXED_BLOCK elements instead, whatever the thread count, and adds
 * the block partials left to right: threads only decide who sums which
 * block. The partials are added in the accumulation's precision. */
#include "config.h"

#include "kernels.h"
#include "typed.h"

#include <math.h>
#include <omp.h>

/* ---- float32 accumulation ---- */

/* The chunk kernels for values of type t (float32, bfloat16, float16). */
TYPED float sum_chunk_as(NlPrecision t, const void *x, gsize n)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    gsize i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_add_ps(a0, load8_f32(t, x, i));
        a1 = _mm256_add_ps(a1, load8_f32(t, x, i + 8));
        a2 = _mm256_add_ps(a2, load8_f32(t, x, i + 16));
        a3 = _mm256_add_ps(a3, load8_f32(t, x, i + 24));
    }
    float s =
        fold8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; i++)
        s += get_f32(t, x, i);
    return s;
}

TYPED float dot_chunk_as(NlPrecision tx, const void *x, NlPrecision ty,
                         const void *y, gsize n)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    gsize i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(load8_f32(tx, x, i), load8_f32(ty, y, i), a0);
        a1 = _mm256_fmadd_ps(load8_f32(tx, x, i + 8), load8_f32(ty, y, i + 8),
                             a1);
        a2 = _mm256_fmadd_ps(load8_f32(tx, x, i + 16), load8_f32(ty, y, i + 16),
                             a2);
        a3 = _mm256_fmadd_ps(load8_f32(tx, x, i + 24), load8_f32(ty, y, i + 24),
                             a3);
    }
    float s =
        fold8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; i++)
        s = fmaf(get_f32(tx, x, i), get_f32(ty, y, i), s);
    return s;
}

float par_sum_chunk(const float *x, gsize n)
{
    return sum_chunk_as(NL_PRECISION_F32, x, n);
}

float par_dot_chunk(const float *x, const float *y, gsize n)
{
    return dot_chunk_as(NL_PRECISION_F32, x, NL_PRECISION_F32, y, n);
}

float par_sum_chunk_in(NlArray x, gsize start, gsize n)
{
    const void *p = typed_at(x, start);
    switch (x.type) {
    case NL_PRECISION_BF16:
        return sum_chunk_as(NL_PRECISION_BF16, p, n);
    case NL_PRECISION_F16:
        return sum_chunk_as(NL_PRECISION_F16, p, n);
    default:
        return sum_chunk_as(NL_PRECISION_F32, p, n);
    }
}

float par_dot_chunk_in(NlArray x, NlArray y, gsize start, gsize n)
{
    const void *px = typed_at(x, start), *py = typed_at(y, start);
    switch (TYPE_PAIR(x.type, y.type)) {
#define CASE(tx, ty)                                                           \
    case TYPE_PAIR(NL_PRECISION_##tx, NL_PRECISION_##ty):                      \
        return dot_chunk_as(NL_PRECISION_##tx, px, NL_PRECISION_##ty, py, n);
        CASE(F32, BF16)
        CASE(F32, F16)
        CASE(BF16, F32)
        CASE(BF16, BF16)
        CASE(BF16, F16)
        CASE(F16, F32)
        CASE(F16, BF16)
        CASE(F16, F16)
#undef CASE
    default:
        return dot_chunk_as(NL_PRECISION_F32, px, NL_PRECISION_F32, py, n);
    }
}

/* ---- float64 accumulation ---- */

static inline double fold4(__m256d v)
{
    double l[4];
    _mm256_storeu_pd(l, v);
    return (l[0] + l[2]) + (l[1] + l[3]);
}

TYPED double sum_chunk_f64_as(NlPrecision t, const void *x, gsize n)
{
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    gsize i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_add_pd(a0, load4_f64(t, x, i));
        a1 = _mm256_add_pd(a1, load4_f64(t, x, i + 4));
        a2 = _mm256_add_pd(a2, load4_f64(t, x, i + 8));
        a3 = _mm256_add_pd(a3, load4_f64(t, x, i + 12));
    }
    double s =
        fold4(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
    for (; i < n; i++)
        s += get_f64(t, x, i);
    return s;
}

TYPED double dot_chunk_f64_as(NlPrecision tx, const void *x, NlPrecision ty,
                              const void *y, gsize n)
{
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    gsize i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_pd(load4_f64(tx, x, i), load4_f64(ty, y, i), a0);
        a1 = _mm256_fmadd_pd(load4_f64(tx, x, i + 4), load4_f64(ty, y, i + 4),
                             a1);
        a2 = _mm256_fmadd_pd(load4_f64(tx, x, i + 8), load4_f64(ty, y, i + 8),
                             a2);
        a3 = _mm256_fmadd_pd(load4_f64(tx, x, i + 12), load4_f64(ty, y, i + 12),
                             a3);
    }
    double s =
        fold4(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
    for (; i < n; i++)
        s = fma(get_f64(tx, x, i), get_f64(ty, y, i), s);
    return s;
}

double par_sum_chunk_f64(NlArray x, gsize start, gsize n)
{
    const void *p = typed_at(x, start);
    switch (x.type) {
    case NL_PRECISION_F32:
        return sum_chunk_f64_as(NL_PRECISION_F32, p, n);
    case NL_PRECISION_BF16:
        return sum_chunk_f64_as(NL_PRECISION_BF16, p, n);
    case NL_PRECISION_F16:
        return sum_chunk_f64_as(NL_PRECISION_F16, p, n);
    default:
        return sum_chunk_f64_as(NL_PRECISION_F64, p, n);
    }
}

double par_dot_chunk_f64(NlArray x, NlArray y, gsize start, gsize n)
{
    const void *px = typed_at(x, start), *py = typed_at(y, start);
    switch (TYPE_PAIR(x.type, y.type)) {
#define CASE(tx, ty)                                                           \
    case TYPE_PAIR(NL_PRECISION_##tx, NL_PRECISION_##ty):                      \
        return dot_chunk_f64_as(NL_PRECISION_##tx, px, NL_PRECISION_##ty, py,  \
                                n);
#define ROW(tx) CASE(tx, F32) CASE(tx, BF16) CASE(tx, F16) CASE(tx, F64)
        ROW(F32)
        ROW(BF16)
        ROW(F16)
        CASE(F64, F32)
        CASE(F64, BF16)
        CASE(F64, F16)
#undef ROW
#undef CASE
    default:
        return dot_chunk_f64_as(NL_PRECISION_F64, px, NL_PRECISION_F64, py, n);
    }
}

/* ---- the orders of chunks ---- */

/* a + b rounded to acc (float32 or float64): in double, then to float,
 * which for two floats is the float addition itself. */
static inline double add_in(NlPrecision acc, double a, double b)
{
    return acc == NL_PRECISION_F32 ? (double)((float)a + (float)b) : a + b;
}

/* Thread t's chunk [*start, *end) of n elements cut at multiples of 64. */
static void chunk_of(gsize n, int threads, int t, gsize *start, gsize *end)
{
    gsize blocks = (n + 63) / 64;
    *start = MIN(n, (blocks * (gsize)t / (gsize)threads) * 64);
    *end = MIN(n, (blocks * (gsize)(t + 1) / (gsize)threads) * 64);
}

static int threads_for(gsize n, int threads)
{
    return n < PAR_PARALLEL_MIN ? 1 : threads;
}

/* Block b of PAR_FIXED_BLOCK elements. */
static double block_partial(ParChunk chunk, const void *ctx, gsize n, gsize b)
{
    gsize s = b * PAR_FIXED_BLOCK;
    return chunk(ctx, s, MIN(n - s, PAR_FIXED_BLOCK));
}

double par_reduce(ParChunk chunk, const void *ctx, gsize n, NlPrecision acc,
                  ParMode mode)
{
    int threads = threads_for(n, mode.threads);
    if (mode.batch_invariant) {
        gsize blocks = (n + PAR_FIXED_BLOCK - 1) / PAR_FIXED_BLOCK;
        if (blocks <= 1)
            return chunk(ctx, 0, n);
        /* up to 2^22 elements the partials fit on the stack */
        double stack[64],
            *partial = blocks <= 64 ? stack : g_new(double, blocks);
        if (threads == 1) { /* no team to wake */
            for (gsize b = 0; b < blocks; b++)
                partial[b] = block_partial(chunk, ctx, n, b);
        } else {
#pragma omp parallel for num_threads(threads) schedule(static)
            for (gsize b = 0; b < blocks; b++)
                partial[b] = block_partial(chunk, ctx, n, b);
        }
        double total = 0.0;
        for (gsize b = 0; b < blocks; b++)
            total = add_in(acc, total, partial[b]);
        if (partial != stack)
            g_free(partial);
        return total;
    }
    if (threads == 1)
        return chunk(ctx, 0, n);
    /* One chunk per requested thread, whatever team OpenMP grants: the
     * bits depend on `threads` alone. A short vector's chunks are summed
     * one after the other here, the same chunks, without waking a team. */
    double partial[threads];
#pragma omp parallel for num_threads(threads)                                  \
    schedule(static, 1) if (n >= PAR_PARALLEL_MIN)
    for (int t = 0; t < threads; t++) {
        gsize s, e;
        chunk_of(n, threads, t, &s, &e);
        partial[t] = chunk(ctx, s, e - s);
    }
    double total = 0.0;
    for (int t = 0; t < threads; t++)
        total = add_in(acc, total, partial[t]);
    return total;
}

/* Each tile is one chunk, so the result depends on n and tile alone, in
 * both modes; tiles are shared among threads. */
double par_tiled(ParChunk chunk, const void *ctx, gsize n, gsize tile,
                 NlPrecision acc, double *partials, ParMode mode)
{
    gsize n_tiles = n / tile + (n % tile != 0);
    if (n_tiles == 0)
        return 0.0;
    int t = threads_for(n, mode.threads);
    if (t == 1) { /* no team to wake: a sweep makes thousands of calls */
        for (gsize i = 0; i < n_tiles; i++)
            partials[i] = chunk(ctx, i * tile, MIN(tile, n - i * tile));
    } else {
#pragma omp parallel for num_threads(t) schedule(static)
        for (gsize i = 0; i < n_tiles; i++)
            partials[i] = chunk(ctx, i * tile, MIN(tile, n - i * tile));
    }
    for (gsize stride = 1; stride < n_tiles; stride *= 2)
        for (gsize i = 0; i + stride < n_tiles; i += 2 * stride)
            partials[i] = add_in(acc, partials[i], partials[i + stride]);
    return partials[0];
}

/* ---- float32 on float32 ---- */

static double sum_f32_chunk(const void *ctx, gsize start, gsize len)
{
    return par_sum_chunk((const float *)ctx + start, len);
}

typedef struct {
    const float *x, *y;
} DotF32;

static double dot_f32_chunk(const void *ctx, gsize start, gsize len)
{
    const DotF32 *d = ctx;
    return par_dot_chunk(d->x + start, d->y + start, len);
}

float par_sum_f32(const float *x, gsize n, ParMode mode)
{
    return (float)par_reduce(sum_f32_chunk, x, n, NL_PRECISION_F32, mode);
}

float par_dot_f32(const float *x, const float *y, gsize n, ParMode mode)
{
    DotF32 d = {x, y};
    return (float)par_reduce(dot_f32_chunk, &d, n, NL_PRECISION_F32, mode);
}
