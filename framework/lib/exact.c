/* exact.c — correctly rounded sums and dot products with MPFR.
 *
 * Each float converts exactly into an mpfr_t of 24 bits (a product of two
 * floats into 48 bits); mpfr_sum then rounds the true sum once. Results
 * that land in the subnormal range are not subnormalized: the experiments
 * here never sum into that range. */
#include "config.h"

#include <numlab/exact.h>

#include <mpfr.h>

typedef struct {
    mpfr_t *terms;
    mpfr_ptr *ptrs;
    gsize n;
} Terms;

static void terms_init(Terms *t, gsize n, mpfr_prec_t prec)
{
    t->n = n;
    t->terms = g_new(mpfr_t, n ? n : 1);
    t->ptrs = g_new(mpfr_ptr, n ? n : 1);
    for (gsize i = 0; i < n; i++) {
        mpfr_init2(t->terms[i], prec);
        t->ptrs[i] = t->terms[i];
    }
}

static void terms_clear(Terms *t)
{
    for (gsize i = 0; i < t->n; i++)
        mpfr_clear(t->terms[i]);
    g_free(t->terms);
    g_free(t->ptrs);
}

/* Sums the terms into a result of `prec` bits; returns it as double (exact
 * for prec <= 53). */
static double terms_sum(Terms *t, mpfr_prec_t prec)
{
    mpfr_t r;
    mpfr_init2(r, prec);
    mpfr_sum(r, t->ptrs, t->n, MPFR_RNDN);
    double d = mpfr_get_d(r, MPFR_RNDN);
    mpfr_clear(r);
    return d;
}

static double sum_f32(const float *x, gsize n, mpfr_prec_t prec)
{
    Terms t;
    terms_init(&t, n, 24);
    for (gsize i = 0; i < n; i++)
        mpfr_set_flt(t.terms[i], x[i], MPFR_RNDN);
    double d = terms_sum(&t, prec);
    terms_clear(&t);
    return d;
}

float nl_exact_sum_f32(const float *x, gsize n)
{
    return (float)sum_f32(x, n, 24); /* exactly representable: no rounding */
}

double nl_exact_sum_f32_as_f64(const float *x, gsize n)
{
    return sum_f32(x, n, 53);
}

double nl_exact_sum_f64(const double *x, gsize n)
{
    Terms t;
    terms_init(&t, n, 53);
    for (gsize i = 0; i < n; i++)
        mpfr_set_d(t.terms[i], x[i], MPFR_RNDN);
    double d = terms_sum(&t, 53);
    terms_clear(&t);
    return d;
}

static double dot_f32(const float *x, const float *y, gsize stride, gsize n,
                      mpfr_prec_t prec)
{
    Terms t;
    terms_init(&t, n, 48);
    for (gsize i = 0; i < n; i++) {
        mpfr_set_flt(t.terms[i], x[i], MPFR_RNDN);
        mpfr_mul_d(t.terms[i], t.terms[i], (double)y[i * stride], MPFR_RNDN);
    }
    double d = terms_sum(&t, prec);
    terms_clear(&t);
    return d;
}

float nl_exact_dot_f32(const float *x, const float *y, gsize n)
{
    return (float)dot_f32(x, y, 1, n, 24);
}

double nl_exact_dot_f32_as_f64(const float *x, const float *y, gsize n)
{
    return dot_f32(x, y, 1, n, 53);
}

double nl_exact_dot_strided_f32_as_f64(const float *x, const float *y,
                                       gsize y_stride, gsize n)
{
    return dot_f32(x, y, y_stride, n, 53);
}
