/* kernels.c — the OpenMP backend's reductions: sum, dot, tiled sum.
 *
 * One chunk kernel does all the summing: 32 lanes (four 8-wide AVX
 * vectors) accumulate x[i], x[i+1], ... lane by lane, dot products with
 * FMA; at the end the four vectors are added pairwise ((v0+v1)+(v2+v3)),
 * the eight lanes of the result pairwise (4+4, 2+2, 1+1), and the tail of
 * fewer than 32 elements left to right on top. With T threads the vector
 * is cut into T contiguous chunks at multiples of 64 elements, and the T
 * partial results are added in thread order. So 1 and 2 threads can give
 * different bits only when n >= PAR_PARALLEL_MIN (and usually do).
 *
 * Batch-invariant mode cuts the vector into blocks of PAR_FIXED_BLOCK
 * elements instead, whatever the thread count, and adds the block
 * partials left to right: threads only decide who sums which block. */
#include "config.h"

#include "kernels.h"

#include <math.h>
#include <omp.h>
#include <string.h>

typedef float v8sf __attribute__((vector_size(32)));
typedef float v8sf_u __attribute__((vector_size(32), aligned(4)));

static inline v8sf load8(const float *p)
{
    return *(const v8sf_u *)p;
}

static inline float fold8(v8sf v)
{
    float l[8];
    memcpy(l, &v, sizeof l);
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

float par_sum_chunk(const float *x, gsize n)
{
    v8sf a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    gsize i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 += load8(x + i);
        a1 += load8(x + i + 8);
        a2 += load8(x + i + 16);
        a3 += load8(x + i + 24);
    }
    float s = fold8((a0 + a1) + (a2 + a3));
    for (; i < n; i++)
        s += x[i];
    return s;
}

float par_dot_chunk(const float *x, const float *y, gsize n)
{
    v8sf a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    gsize i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = __builtin_ia32_vfmaddps256(load8(x + i), load8(y + i), a0);
        a1 = __builtin_ia32_vfmaddps256(load8(x + i + 8), load8(y + i + 8), a1);
        a2 = __builtin_ia32_vfmaddps256(load8(x + i + 16), load8(y + i + 16),
                                        a2);
        a3 = __builtin_ia32_vfmaddps256(load8(x + i + 24), load8(y + i + 24),
                                        a3);
    }
    float s = fold8((a0 + a1) + (a2 + a3));
    for (; i < n; i++)
        s = fmaf(x[i], y[i], s);
    return s;
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

/* Block b of PAR_FIXED_BLOCK elements, summed (y == NULL) or dotted. */
static float block_partial(const float *x, const float *y, gsize n, gsize b)
{
    gsize s = b * PAR_FIXED_BLOCK, len = MIN(n - s, PAR_FIXED_BLOCK);
    return y ? par_dot_chunk(x + s, y + s, len) : par_sum_chunk(x + s, len);
}

/* x[0..n) summed (y == NULL) or x.y, in the mode's order. */
static float reduce(const float *x, const float *y, gsize n, ParMode mode)
{
    int threads = threads_for(n, mode.threads);
    if (mode.batch_invariant) {
        gsize blocks = (n + PAR_FIXED_BLOCK - 1) / PAR_FIXED_BLOCK;
        if (blocks <= 1)
            return y ? par_dot_chunk(x, y, n) : par_sum_chunk(x, n);
        /* up to 2^22 elements the partials fit on the stack */
        float stack[64], *partial = blocks <= 64 ? stack : g_new(float, blocks);
        if (threads == 1) { /* no team to wake */
            for (gsize b = 0; b < blocks; b++)
                partial[b] = block_partial(x, y, n, b);
        } else {
#pragma omp parallel for num_threads(threads) schedule(static)
            for (gsize b = 0; b < blocks; b++)
                partial[b] = block_partial(x, y, n, b);
        }
        float total = 0.0f;
        for (gsize b = 0; b < blocks; b++)
            total += partial[b];
        if (partial != stack)
            g_free(partial);
        return total;
    }
    if (threads == 1)
        return y ? par_dot_chunk(x, y, n) : par_sum_chunk(x, n);
    /* One chunk per requested thread, whatever team OpenMP grants: the
     * bits depend on `threads` alone. */
    float partial[threads];
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int t = 0; t < threads; t++) {
        gsize s, e;
        chunk_of(n, threads, t, &s, &e);
        partial[t] = y ? par_dot_chunk(x + s, y + s, e - s)
                       : par_sum_chunk(x + s, e - s);
    }
    float total = 0.0f;
    for (int t = 0; t < threads; t++)
        total += partial[t];
    return total;
}

float par_sum_f32(const float *x, gsize n, ParMode mode)
{
    return reduce(x, NULL, n, mode);
}

float par_dot_f32(const float *x, const float *y, gsize n, ParMode mode)
{
    return reduce(x, y, n, mode);
}

/* Each tile is one chunk, so the result depends on n and tile alone, in
 * both modes; tiles are shared among threads. */
float par_tiled_sum_f32(const float *x, gsize n, gsize tile, float *partials,
                        ParMode mode)
{
    gsize n_tiles = n / tile + (n % tile != 0);
    if (n_tiles == 0)
        return 0.0f;
    int t = threads_for(n, mode.threads);
    if (t == 1) { /* no team to wake: a sweep makes thousands of calls */
        for (gsize i = 0; i < n_tiles; i++)
            partials[i] = par_sum_chunk(x + i * tile, MIN(tile, n - i * tile));
    } else {
#pragma omp parallel for num_threads(t) schedule(static)
        for (gsize i = 0; i < n_tiles; i++)
            partials[i] = par_sum_chunk(x + i * tile, MIN(tile, n - i * tile));
    }
    for (gsize stride = 1; stride < n_tiles; stride *= 2)
        for (gsize i = 0; i + stride < n_tiles; i += 2 * stride)
            partials[i] += partials[i + stride];
    return partials[0];
}
