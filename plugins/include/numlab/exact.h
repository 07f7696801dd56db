/* numlab/exact.h — exact references: correctly rounded sums and dots.
 *
 * Every term is added without rounding into one long fixed-point integer
 * (exact.c), and only the total is rounded, once, to nearest: these are
 * the correctly rounded results of the true real-number sum or dot
 * product, the yardstick every other order is measured against. They
 * equal MPFR's exact sum rounded once, bit for bit (tested), at a few
 * nanoseconds a term, in constant memory. */
#ifndef NUMLAB_EXACT_H
#define NUMLAB_EXACT_H

#include <glib.h>

G_BEGIN_DECLS

/* The exact sum of x[0..n), rounded once to nearest float / double. */
float nl_exact_sum_f32(const float *x, gsize n);
double nl_exact_sum_f32_as_f64(const float *x, gsize n);
double nl_exact_sum_f64(const double *x, gsize n);
/* The exact dot product x·y (every product is exact in 48 bits), rounded
 * once to nearest float / double. */
float nl_exact_dot_f32(const float *x, const float *y, gsize n);
double nl_exact_dot_f32_as_f64(const float *x, const float *y, gsize n);
/* Same, with y read with a stride (a column of a row-major matrix). */
double nl_exact_dot_strided_f32_as_f64(const float *x, const float *y,
                                       gsize y_stride, gsize n);
float nl_exact_dot_strided_f32(const float *x, const float *y, gsize y_stride,
                               gsize n);

/* sums[i] = the exact sum of x[0..i], rounded once to nearest float: every
 * prefix of x in one pass, for sweeps over a growing context. */
void nl_exact_prefix_sums_f32(const float *x, gsize n, float *sums);

G_END_DECLS

#endif /* NUMLAB_EXACT_H */
