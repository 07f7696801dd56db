/* numlab/ulp.h — distances between floating-point numbers, in units in the
 * last place (ULPs): how many representable values lie between a and b.
 *
 * Signed zeros are 0 ULPs apart; the smallest subnormals on either side of
 * zero are 2 apart. A NaN on either side gives NL_ULP_NAN. */
#ifndef NUMLAB_ULP_H
#define NUMLAB_ULP_H

#include <glib.h>

G_BEGIN_DECLS

#define NL_ULP_NAN G_MAXINT64

gint64 nl_ulp_distance_f32(float a, float b); /* |a - b| in ULPs, >= 0 */
gint64 nl_ulp_distance_f64(double a, double b);
/* Signed: positive when b > a. */
gint64 nl_ulp_diff_f32(float a, float b);

guint32 nl_f32_bits(float x);
guint64 nl_f64_bits(double x);

G_END_DECLS

#endif /* NUMLAB_ULP_H */
