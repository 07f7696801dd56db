/* numlab/precision.h — the precisions numlab computes in: float64,
 * float32, bfloat16 and float16, and exact conversions between them.
 *
 * The 16-bit types are kept as their bit patterns (nl_bf16, nl_f16):
 * bfloat16 is float32's sign, 8 exponent bits and the top 7 fraction bits;
 * float16 is IEEE 754 binary16 (5 exponent bits, 10 fraction bits,
 * subnormals down to 2^-24, largest finite 65504). Every conversion into
 * a narrower type rounds once, to nearest with ties to even, as IEEE 754
 * and the hardware (vcvtneps2bf16, vcvtps2ph) do: from a double it rounds
 * the double itself, never its float first (two roundings can differ
 * from one). Values beyond the largest finite become infinities, a NaN
 * stays a NaN of the same sign (quiet), and signed zeros keep their sign.
 * Widening conversions are exact. */
#ifndef NUMLAB_PRECISION_H
#define NUMLAB_PRECISION_H

#include <glib.h>

G_BEGIN_DECLS

/* A precision: how a number is stored, or how an operation rounds. */
typedef enum {
    NL_PRECISION_F32 = 0,  /* IEEE binary32, unit roundoff 2^-24 */
    NL_PRECISION_F64 = 1,  /* IEEE binary64, 2^-53 */
    NL_PRECISION_BF16 = 2, /* bfloat16, 2^-8 */
    NL_PRECISION_F16 = 3,  /* IEEE binary16, 2^-11 */
} NlPrecision;
#define NL_N_PRECISIONS 4

typedef guint16 nl_bf16; /* a bfloat16's bits */
typedef guint16 nl_f16;  /* a float16's bits */

float nl_bf16_to_f32(nl_bf16 x);
nl_bf16 nl_bf16_from_f32(float x);
nl_bf16 nl_bf16_from_f64(double x);
float nl_f16_to_f32(nl_f16 x);
nl_f16 nl_f16_from_f32(float x);
nl_f16 nl_f16_from_f64(double x);

/* x rounded once to precision p, as a double (exact: every value of the
 * four types is a double). For emulating arithmetic in p: round the exact
 * or double result of each operation with it. */
double nl_precision_round(NlPrecision p, double x);
/* Each of the n floats in x rounded in place to p, with the bits of
 * nl_precision_round (float32 and float64 leave them as they are);
 * vectorised, for rounding a whole activation or row at once. */
void nl_precision_round_floats(NlPrecision p, float *x, gsize n);
/* The unit roundoff u = 2^-(mantissa bits): |round(x) - x| <= u |x| for x
 * in the normal range. */
double nl_precision_unit_roundoff(NlPrecision p);
/* The number of significand bits, the implicit one included (24, 53, 8,
 * 11). */
guint nl_precision_digits(NlPrecision p);
/* The bytes one value of p takes: 4, 8, 2, 2. */
gsize nl_precision_size(NlPrecision p);
/* Whether every value of `narrow` is a value of `wide`: float64 holds
 * all four, float32 holds itself and both 16-bit types, a 16-bit type
 * only itself (bfloat16 reaches 2^127, float16 has 3 more bits). */
gboolean nl_precision_holds(NlPrecision wide, NlPrecision narrow);
/* "float32", "float64", "bfloat16", "float16"; NULL for another value. */
const char *nl_precision_name(NlPrecision p);
/* The precision named by `name`: the names above or f32, fp32, float,
 * f64, fp64, double, bf16, f16, fp16, half. FALSE for another name. */
gboolean nl_precision_from_name(const char *name, NlPrecision *p);

/* |a - b| in ULPs of the type: how many values of it lie between a and b
 * (numlab/ulp.h's rules: signed zeros 0 apart, NaN gives NL_ULP_NAN). */
gint64 nl_ulp_distance_bf16(nl_bf16 a, nl_bf16 b);
gint64 nl_ulp_distance_f16(nl_f16 a, nl_f16 b);

G_END_DECLS

#endif /* NUMLAB_PRECISION_H */
