/* exact.c — correctly rounded sums and dot products with MPFR.
 *
 * The values are summed exactly in blocks of 4096 (mpfr_sum into a wide
 * accumulator) and the block sums added exactly into one wide accumulator;
 * only the final result is rounded, once. The accumulator is wide enough
 * that no partial sum can ever round: every float lies on the grid of
 * 2^-149 and below 2^128, so any sum of up to 2^64 of them spans fewer than
 * 149 + 128 + 64 bits (products of two floats: 298 + 256 + 64; doubles:
 * 1074 + 1024 + 64). Memory stays constant whatever n is. Results that
 * land in the subnormal range are not subnormalized: the experiments here
 * never sum into that range. */
#include "config.h"

#include <numlab/exact.h>

#include <mpfr.h>

#define BLOCK        4096
#define PREC_F32_SUM 352
#define PREC_F32_DOT 640
#define PREC_F64_SUM 2176

/* Adds terms[0..count) exactly into acc. */
static void add_block(mpfr_t acc, mpfr_t *terms, gsize count, mpfr_t block)
{
    mpfr_ptr ptrs[BLOCK];
    for (gsize i = 0; i < count; i++)
        ptrs[i] = terms[i];
    mpfr_sum(block, ptrs, count, MPFR_RNDN); /* exact at this precision */
    mpfr_add(acc, acc, block, MPFR_RNDN);    /* exact as well */
}

typedef enum { SUM_F32, SUM_F64, DOT_F32 } Kind;

/* The exact value of the sum of x[i] (or x[i] * y[i * stride]) rounded
 * once to `prec` bits, returned as a double (exact for prec <= 53). */
static double exact(Kind kind, const void *x, const float *y, gsize stride,
                    gsize n, mpfr_prec_t prec)
{
    mpfr_prec_t wide = kind == SUM_F32   ? PREC_F32_SUM
                       : kind == DOT_F32 ? PREC_F32_DOT
                                         : PREC_F64_SUM;
    mpfr_prec_t term_prec = kind == SUM_F32 ? 24 : kind == DOT_F32 ? 48 : 53;
    mpfr_t acc, block, result, terms[BLOCK];
    mpfr_init2(acc, wide);
    mpfr_init2(block, wide);
    mpfr_init2(result, prec);
    mpfr_set_zero(acc, 1);
    gsize used = MIN(n, (gsize)BLOCK); /* short sums set up only their terms */
    for (gsize i = 0; i < used; i++)
        mpfr_init2(terms[i], term_prec);
    for (gsize start = 0; start < n; start += BLOCK) {
        gsize count = MIN((gsize)BLOCK, n - start);
        for (gsize i = 0; i < count; i++) {
            gsize k = start + i;
            if (kind == SUM_F64) {
                mpfr_set_d(terms[i], ((const double *)x)[k], MPFR_RNDN);
            } else {
                mpfr_set_flt(terms[i], ((const float *)x)[k], MPFR_RNDN);
                if (kind == DOT_F32) /* 24 x 24 bits: exact in 48 */
                    mpfr_mul_d(terms[i], terms[i], (double)y[k * stride],
                               MPFR_RNDN);
            }
        }
        add_block(acc, terms, count, block);
    }
    mpfr_set(result, acc, MPFR_RNDN); /* the one rounding */
    double d = mpfr_get_d(result, MPFR_RNDN);
    for (gsize i = 0; i < used; i++)
        mpfr_clear(terms[i]);
    mpfr_clear(acc);
    mpfr_clear(block);
    mpfr_clear(result);
    return d;
}

float nl_exact_sum_f32(const float *x, gsize n)
{
    return (float)exact(SUM_F32, x, NULL, 0, n, 24); /* exact conversion */
}

double nl_exact_sum_f32_as_f64(const float *x, gsize n)
{
    return exact(SUM_F32, x, NULL, 0, n, 53);
}

double nl_exact_sum_f64(const double *x, gsize n)
{
    return exact(SUM_F64, x, NULL, 0, n, 53);
}

float nl_exact_dot_f32(const float *x, const float *y, gsize n)
{
    return (float)exact(DOT_F32, x, y, 1, n, 24);
}

double nl_exact_dot_f32_as_f64(const float *x, const float *y, gsize n)
{
    return exact(DOT_F32, x, y, 1, n, 53);
}

double nl_exact_dot_strided_f32_as_f64(const float *x, const float *y,
                                       gsize y_stride, gsize n)
{
    return exact(DOT_F32, x, y, y_stride, n, 53);
}

float nl_exact_dot_strided_f32(const float *x, const float *y, gsize y_stride,
                               gsize n)
{
    return (float)exact(DOT_F32, x, y, y_stride, n, 24);
}

void nl_exact_prefix_sums_f32(const float *x, gsize n, float *sums)
{
    mpfr_t acc, rounded;
    mpfr_init2(acc, PREC_F32_SUM);
    mpfr_init2(rounded, 24);
    mpfr_set_zero(acc, 1);
    for (gsize i = 0; i < n; i++) {
        mpfr_add_d(acc, acc, (double)x[i], MPFR_RNDN); /* exact */
        mpfr_set(rounded, acc, MPFR_RNDN);             /* the one rounding */
        sums[i] = (float)mpfr_get_d(rounded, MPFR_RNDN);
    }
    mpfr_clear(acc);
    mpfr_clear(rounded);
}
