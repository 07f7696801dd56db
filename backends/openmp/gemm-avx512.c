/* gemm-avx512.c — the float32 gemm's micro-kernel on AVX-512F: 12 x 32,
 * two 16-lane vectors per row of the micro-tile, 24 accumulators.
 *
 * The same chains as gemm.c's 6 x 16 AVX2 kernel: each c[i][j] is one
 * fused multiply-add after another over p = 0, 1, ..., kc-1, starting at
 * zero or at the value in C, so the two kernels give the same bits for
 * every shape and thread count; only the width of the vectors that hold
 * the chains differs. On a CPU whose FMA units are 512 bits wide (AMD Zen
 * 5, Intel server cores) that doubles the float32 gemm's peak; on one that
 * splits 512-bit operations in two (Zen 4) it is about as fast as the
 * AVX2 kernel. Compiled for AVX-512F (the pragma below); gemm.c runs it
 * only where the CPU has it and the backend's avx512 option allows. */
#include "config.h"

#include "kernels.h"

#include <immintrin.h>

#if defined(__clang__) /* clang ignores GCC's target pragma */
#pragma clang attribute push(__attribute__((target("avx512f"))),               \
                             apply_to = function)
#else
#pragma GCC target("avx512f")
#endif

/* Every row of the micro-tile, for the macros that name its registers. */
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

void par_kernel_f32_12x32(gsize kc, const void *ap_, const void *bp_, void *c_,
                          gsize ldc, gboolean first)
{
    const float *restrict ap = ap_, *restrict bp = bp_;
    float *restrict c = c_;
    /* Named registers rather than an array, so that no optimisation
     * level can leave the accumulators in memory. */
#define DECLARE(r) __m512 c##r##a, c##r##b;
    ROWS(DECLARE)
#undef DECLARE
    if (first) {
#define ZERO(r) c##r##a = c##r##b = _mm512_setzero_ps();
        ROWS(ZERO)
#undef ZERO
    } else {
#define LOAD(r)                                                                \
    c##r##a = _mm512_loadu_ps(c + r * ldc);                                    \
    c##r##b = _mm512_loadu_ps(c + r * ldc + 16);
        ROWS(LOAD)
#undef LOAD
    }
    for (gsize p = 0; p < kc; p++) {
        /* B's panel is 64-byte aligned and 32 floats wide */
        __m512 b0 = _mm512_load_ps(bp), b1 = _mm512_load_ps(bp + 16);
#define STEP(r)                                                                \
    {                                                                          \
        __m512 a = _mm512_set1_ps(ap[r]);                                      \
        c##r##a = _mm512_fmadd_ps(a, b0, c##r##a);                             \
        c##r##b = _mm512_fmadd_ps(a, b1, c##r##b);                             \
    }
        ROWS(STEP)
#undef STEP
        ap += 12;
        bp += 32;
    }
#define STORE(r)                                                               \
    _mm512_storeu_ps(c + r * ldc, c##r##a);                                    \
    _mm512_storeu_ps(c + r * ldc + 16, c##r##b);
    ROWS(STORE)
#undef STORE
}

#if defined(__clang__)
#pragma clang attribute pop
#endif
