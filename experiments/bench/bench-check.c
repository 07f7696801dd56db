/* bench-check.c — the benchmark's inputs have exactly known results, and
 * every result it times is checked against them.
 *
 * The self-check (host/selfcheck.c) proves each kernel up to about 3·10^5
 * values; the benchmark runs them up to 10^8 and more, where a kernel
 * can still be wrong (a lane lost in one code path, a counter that
 * overflows). Its inputs are therefore integers from -4 to 4: every
 * product of two is an integer of at most 16, and every sum of products
 * an integer whose magnitude is at most the sum of the magnitudes. While
 * that stays at or below 2^24, float32 holds every partial result
 * exactly, so a correct kernel returns the exact value whatever its order
 * of additions, its threads, lanes or FMAs: its error bound is 0 (the
 * general bounds of numlab/bound.h shrink to 0 here). The exact value is
 * an integer sum, computed here in double, which holds integers to 2^53
 * exactly.
 *
 * The magnitudes stay small enough by construction: a vector's add up to
 * at most 2^22 (beyond 2^20 values most are 0, spread at random), so a
 * sum is at most 2^22 and a dot product at most 4 · 2^22 = 2^24; a row
 * of gemv (n <= 31623 for the largest allowed size, 10^9) or of gemm
 * (n <= 32768) sums at most 16 n <= 2^19. The timings do not depend on
 * the values (no subnormals, nothing data-dependent in the kernels).
 *
 * It does not check softmax: its exact value is transcendental and its
 * error bound is the self-check's own (host/selfcheck-cases.c), not part
 * of libnumlab; nor libnumlab's sampler, which runs on no backend. */
#include "config.h"

#include "bench-check.h"

#include <string.h>

#define MAGNITUDE_LIMIT (1u << 22) /* sum of |x| of one vector */
#define DENSE_UP_TO     (1u << 20) /* longer vectors are mostly 0 */

void bench_fill_exact(float *x, gsize n, guint64 seed)
{
    NlRng rng;
    nl_rng_init(&rng, seed);
    /* one draw per value: bit 0 the sign, bits 1-2 the magnitude - 1, the
     * top 53 bits whether it is nonzero at all */
    double nonzero = n <= DENSE_UP_TO ? 1.0 : (double)DENSE_UP_TO / (double)n;
    guint64 budget = MAGNITUDE_LIMIT;
    for (gsize i = 0; i < n; i++) {
        guint64 r = nl_rng_next_u64(&rng);
        guint64 magnitude = 1 + ((r >> 1) & 3);
        if ((double)(r >> 11) * 0x1p-53 >= nonzero || magnitude > budget) {
            x[i] = 0.0f;
            continue;
        }
        budget -= magnitude;
        x[i] = (r & 1) ? -(float)magnitude : (float)magnitude;
    }
}

/* The exact dot product of x[0..n) and y[0], y[stride], ... */
static double exact_dot(const float *x, const float *y, gsize stride, gsize n)
{
    double s = 0.0; /* integers below 2^53: every step exact */
    for (gsize i = 0; i < n; i++)
        s += (double)x[i] * (double)y[i * stride];
    return s;
}

gboolean bench_check_sum(NlRun *run, const float *x, gsize n, float got)
{
    double exact = 0.0;
    for (gsize i = 0; i < n; i++)
        exact += x[i];
    return nl_run_check_bound(run, got, exact, 0.0,
                              "sum of %" G_GSIZE_FORMAT " integers "
                              "(exact in any order)",
                              n);
}

gboolean bench_check_dot(NlRun *run, const float *x, const float *y, gsize n,
                         float got)
{
    return nl_run_check_bound(
        run, got, exact_dot(x, y, 1, n), 0.0,
        "dot product of %" G_GSIZE_FORMAT " integers (exact in any order)", n);
}

gboolean bench_check_gemv(NlRun *run, const float *a, const float *x,
                          const float *y, gsize m, gsize n)
{
    gboolean ok = TRUE;
    for (gsize i = 0; i < m; i++)
        ok &= nl_run_check_bound(run, y[i], exact_dot(a + i * n, x, 1, n), 0.0,
                                 "gemv %" G_GSIZE_FORMAT " x %" G_GSIZE_FORMAT
                                 " of integers, y[%" G_GSIZE_FORMAT "]",
                                 m, n, i);
    return ok;
}

static gboolean check_gemm_element(NlRun *run, const float *a, const float *b,
                                   const float *c, gsize n, gsize i, gsize j)
{
    return nl_run_check_bound(
        run, c[i * n + j], exact_dot(a + i * n, b + j, n, n), 0.0,
        "gemm %" G_GSIZE_FORMAT " x %" G_GSIZE_FORMAT
        " of integers, C[%" G_GSIZE_FORMAT "][%" G_GSIZE_FORMAT "]",
        n, n, i, j);
}

gboolean bench_check_gemm(NlRun *run, const float *a, const float *b,
                          const float *c, gsize n)
{
    gboolean ok = TRUE;
    for (gsize i = 0; i < n; i++) {
        ok &= check_gemm_element(run, a, b, c, n, i, i);
        if (i + 1 < n) { /* the corner C[n-1][n-1] is on the diagonal */
            ok &= check_gemm_element(run, a, b, c, n, n - 1, i);
            ok &= check_gemm_element(run, a, b, c, n, i, n - 1);
        }
    }
    return ok;
}

gboolean bench_check_copy(NlRun *run, const float *src, const float *dst,
                          gsize n)
{
    gboolean ok = TRUE;
    for (gsize i = 0; i < n; i++) {
        guint32 want = nl_f32_bits(src[i]), got = nl_f32_bits(dst[i]);
        if (got != want) {
            nl_run_fault(run,
                         "copy of %" G_GSIZE_FORMAT " values, "
                         "element %" G_GSIZE_FORMAT " is 0x%08x, its source "
                         "0x%08x",
                         n, i, got, want);
            ok = FALSE;
        }
    }
    return ok;
}
