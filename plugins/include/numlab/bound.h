/* numlab/bound.h — how far a correct float32 kernel may lie from the exact
 * value: the line between rounding and a fault.
 *
 * A backend may add in any order (sequential, blocked, a tree, across
 * threads), with or without fused multiply-adds, in float32 or wider. The
 * classic bounds (Higham, Accuracy and Stability of Numerical Algorithms,
 * 2nd ed., sections 3.1 and 4.2) hold for every such order, with
 * u = 2^-24 the unit roundoff of float32 and gamma_k = k u / (1 - k u):
 *
 *   sum of n values        |s - exact| <= gamma_(n-1) * sum |x_i|
 *   dot product, length k  |d - exact| <= gamma_k * sum |x_i y_i|
 *
 * A result beyond its bound is not rounding: a lane dropped, an element
 * counted twice, a half-precision accumulator. Experiments that know the
 * exact value report such a result as a backend fault (nl_run_fault).
 * The bounds assume no overflow and no underflow into the subnormals. */
#ifndef NUMLAB_BOUND_H
#define NUMLAB_BOUND_H

#include <glib.h>

G_BEGIN_DECLS

#define NL_UNIT_ROUNDOFF_F32 0x1p-24

/* gamma_k = k u / (1 - k u) for float32; +Inf once k u >= 1. */
double nl_gamma_f32(gsize k);
/* The bound on |sum - exact| for any order of adding x[0..n). */
double nl_sum_bound_f32(const float *x, gsize n);
/* The bound on |dot - exact| for x[0..n) and y[0], y[stride], ...: a dot
 * product, a gemv row or a gemm element (stride = ldb for a column). */
double nl_dot_bound_f32(const float *x, const float *y, gsize y_stride,
                        gsize n);
/* |got - exact| <= bound; FALSE for a NaN anywhere, and for an infinite
 * got or exact unless both are the same infinity. */
gboolean nl_within_bound(double got, double exact, double bound);

G_END_DECLS

#endif /* NUMLAB_BOUND_H */
