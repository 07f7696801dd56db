/* reference-precision.c — the reference kernels in every precision
 * (numlab/reference.h, "Every precision").
 *
 * Each kernel first widens its operands, exactly, to the arithmetic it
 * emulates: to float for float32 accumulation, which then is the float32
 * kernel of reference.c itself (the same bits, the same speed); to double
 * for float64 accumulation, the plain double operations; and to float for
 * bfloat16 and float16 accumulation, where each operation's float result
 * is rounded once more, to the type. That second rounding gives the
 * correctly rounded result: the operands of every product and sum are
 * values of the type (at most 11 significant bits), and an operation on
 * p-bit values computed in 24 >= 2p + 2 bits and then rounded to p bits
 * is rounded once (Figueroa, "When is double rounding innocuous?", 1995);
 * products of two such values are even exact in float, and float's
 * exponent range covers both types' with room. Widening costs memory (4
 * or 8 bytes a value); these kernels are the definition, not the fast
 * path. */
#include "config.h"

#include <numlab/reference.h>

#include <math.h>
#include <string.h>

double nl_array_get(NlArray a, gsize i)
{
    switch (a.type) {
    case NL_PRECISION_F32:
        return ((const float *)a.data)[i];
    case NL_PRECISION_F64:
        return ((const double *)a.data)[i];
    case NL_PRECISION_BF16:
        return nl_bf16_to_f32(((const nl_bf16 *)a.data)[i]);
    case NL_PRECISION_F16:
        return nl_f16_to_f32(((const nl_f16 *)a.data)[i]);
    }
    g_return_val_if_reached(NAN);
}

void nl_array_set(NlPrecision type, gpointer dst, gsize i, double v)
{
    switch (type) {
    case NL_PRECISION_F32:
        ((float *)dst)[i] = (float)v;
        return;
    case NL_PRECISION_F64:
        ((double *)dst)[i] = v;
        return;
    case NL_PRECISION_BF16:
        ((nl_bf16 *)dst)[i] = nl_bf16_from_f64(v);
        return;
    case NL_PRECISION_F16:
        ((nl_f16 *)dst)[i] = nl_f16_from_f64(v);
        return;
    }
    g_return_if_reached();
}

static gboolean acc_holds(NlPrecision acc, NlArray a)
{
    return nl_precision_holds(acc, a.type);
}

/* The values of a rows x cols matrix (row stride ld) as floats, packed
 * with stride cols; a vector is one row. Exact: acc float32 holds them. */
static float *widen_f32(NlArray a, gsize rows, gsize cols, gsize ld)
{
    float *w = g_new(float, MAX(rows * cols, 1));
    for (gsize r = 0; r < rows; r++)
        for (gsize c = 0; c < cols; c++)
            w[r * cols + c] = (float)nl_array_get(a, r * ld + c);
    return w;
}

static double *widen_f64(NlArray a, gsize rows, gsize cols, gsize ld)
{
    double *w = g_new(double, MAX(rows * cols, 1));
    for (gsize r = 0; r < rows; r++)
        for (gsize c = 0; c < cols; c++)
            w[r * cols + c] = nl_array_get(a, r * ld + c);
    return w;
}

/* ---- rounding a float to a 16-bit type, fast ---- */

/* v rounded to bfloat16, as a float: to nearest even on the bit pattern
 * (a carry into the exponent is the next binade, or the infinity). */
static inline float round_bf16(float v)
{
    guint32 u;
    memcpy(&u, &v, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN stays NaN */
        return v;
    u += 0x7fffu + ((u >> 16) & 1u);
    u &= 0xffff0000u;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* v rounded to float16, as a float: 13 bits dropped in the normal range,
 * the fixed quantum 2^-24 below it, infinity beyond 65504. */
static inline float round_f16(float v)
{
    float a = fabsf(v);
    if (!(a >= 0x1p-14f)) /* subnormal, zero or NaN */
        return isnan(v) ? v : nearbyintf(v * 0x1p24f) * 0x1p-24f;
    guint32 u;
    memcpy(&u, &v, sizeof u);
    u += 0xfffu + ((u >> 13) & 1u);
    u &= ~0x1fffu;
    memcpy(&v, &u, sizeof v);
    return fabsf(v) > 65504.0f ? copysignf(INFINITY, v) : v;
}

/* One operation's float result, rounded as the 16-bit acc rounds. */
static inline float rnd16(NlPrecision acc, float v)
{
    return acc == NL_PRECISION_BF16 ? round_bf16(v) : round_f16(v);
}

/* ---- sum, dot ---- */

/* The sequential loops in double (float64 accumulation) and in float
 * rounded to a 16-bit acc. */
static double sum_f64(const double *x, gsize n)
{
    double s = 0;
    for (gsize i = 0; i < n; i++)
        s = s + x[i];
    return s;
}

static double dot_f64(const double *x, const double *y, gsize y_stride, gsize n)
{
    double s = 0;
    for (gsize i = 0; i < n; i++)
        s = s + x[i] * y[i * y_stride];
    return s;
}

static float sum_16(NlPrecision acc, const float *x, gsize n)
{
    float s = 0;
    for (gsize i = 0; i < n; i++)
        s = rnd16(acc, s + x[i]);
    return s;
}

static float dot_16(NlPrecision acc, const float *x, const float *y,
                    gsize y_stride, gsize n)
{
    float s = 0;
    for (gsize i = 0; i < n; i++)
        s = rnd16(acc, s + rnd16(acc, x[i] * y[i * y_stride]));
    return s;
}

double nl_ref_sum_in(NlPrecision acc, NlArray x, gsize n)
{
    g_return_val_if_fail(acc_holds(acc, x), NAN);
    if (acc == NL_PRECISION_F32 && x.type == NL_PRECISION_F32)
        return nl_ref_sum_f32(x.data, n);
    double s;
    if (acc == NL_PRECISION_F64) {
        double *w = widen_f64(x, 1, n, n);
        s = sum_f64(w, n);
        g_free(w);
    } else {
        float *w = widen_f32(x, 1, n, n);
        s = acc == NL_PRECISION_F32 ? nl_ref_sum_f32(w, n) : sum_16(acc, w, n);
        g_free(w);
    }
    return s;
}

double nl_ref_dot_in(NlPrecision acc, NlArray x, NlArray y, gsize n)
{
    g_return_val_if_fail(acc_holds(acc, x) && acc_holds(acc, y), NAN);
    double s;
    if (acc == NL_PRECISION_F64) {
        double *wx = widen_f64(x, 1, n, n), *wy = widen_f64(y, 1, n, n);
        s = dot_f64(wx, wy, 1, n);
        g_free(wx);
        g_free(wy);
    } else {
        float *wx = widen_f32(x, 1, n, n), *wy = widen_f32(y, 1, n, n);
        s = acc == NL_PRECISION_F32 ? nl_ref_dot_f32(wx, wy, n)
                                    : dot_16(acc, wx, wy, 1, n);
        g_free(wx);
        g_free(wy);
    }
    return s;
}

/* ---- gemv, gemm ---- */

void nl_ref_gemv_in(NlPrecision acc, gsize m, gsize n, NlArray a, gsize lda,
                    NlArray x, NlPrecision y_type, gpointer y)
{
    g_return_if_fail(acc_holds(acc, a) && acc_holds(acc, x) && lda >= n);
    if (acc == NL_PRECISION_F32) {
        float *wa = widen_f32(a, m, n, lda), *wx = widen_f32(x, 1, n, n);
        float *wy = g_new(float, MAX(m, 1));
        nl_ref_gemv_f32(m, n, wa, n, wx, wy);
        for (gsize i = 0; i < m; i++)
            nl_array_set(y_type, y, i, wy[i]);
        g_free(wa);
        g_free(wx);
        g_free(wy);
        return;
    }
    if (acc == NL_PRECISION_F64) {
        double *wa = widen_f64(a, m, n, lda), *wx = widen_f64(x, 1, n, n);
        for (gsize i = 0; i < m; i++)
            nl_array_set(y_type, y, i, dot_f64(wa + i * n, wx, 1, n));
        g_free(wa);
        g_free(wx);
        return;
    }
    float *wa = widen_f32(a, m, n, lda), *wx = widen_f32(x, 1, n, n);
    for (gsize i = 0; i < m; i++)
        nl_array_set(y_type, y, i, dot_16(acc, wa + i * n, wx, 1, n));
    g_free(wa);
    g_free(wx);
}

void nl_ref_gemm_in(NlPrecision acc, gsize m, gsize n, gsize k, NlArray a,
                    gsize lda, NlArray b, gsize ldb, NlPrecision c_type,
                    gpointer c, gsize ldc)
{
    g_return_if_fail(acc_holds(acc, a) && acc_holds(acc, b));
    g_return_if_fail(lda >= k && ldb >= n && ldc >= n);
    if (acc == NL_PRECISION_F32) {
        float *wa = widen_f32(a, m, k, lda), *wb = widen_f32(b, k, n, ldb);
        float *wc = g_new(float, MAX(m * n, 1));
        nl_ref_gemm_f32(m, n, k, wa, k, wb, n, wc, n);
        for (gsize i = 0; i < m; i++)
            for (gsize j = 0; j < n; j++)
                nl_array_set(c_type, c, i * ldc + j, wc[i * n + j]);
        g_free(wa);
        g_free(wb);
        g_free(wc);
        return;
    }
    /* Row i of C runs down p with all its n chains side by side: each
     * element still adds its terms in the order of p. */
    if (acc == NL_PRECISION_F64) {
        double *wa = widen_f64(a, m, k, lda), *wb = widen_f64(b, k, n, ldb);
        double *row = g_new(double, MAX(n, 1));
        for (gsize i = 0; i < m; i++) {
            for (gsize j = 0; j < n; j++)
                row[j] = 0;
            for (gsize p = 0; p < k; p++) {
                double aip = wa[i * k + p];
                const double *bp = wb + p * n;
                for (gsize j = 0; j < n; j++)
                    row[j] = row[j] + aip * bp[j];
            }
            for (gsize j = 0; j < n; j++)
                nl_array_set(c_type, c, i * ldc + j, row[j]);
        }
        g_free(row);
        g_free(wa);
        g_free(wb);
        return;
    }
    float *wa = widen_f32(a, m, k, lda), *wb = widen_f32(b, k, n, ldb);
    float *row = g_new(float, MAX(n, 1));
    for (gsize i = 0; i < m; i++) {
        for (gsize j = 0; j < n; j++)
            row[j] = 0;
        for (gsize p = 0; p < k; p++) {
            float aip = wa[i * k + p];
            const float *bp = wb + p * n;
            for (gsize j = 0; j < n; j++)
                row[j] = rnd16(acc, row[j] + rnd16(acc, aip * bp[j]));
        }
        for (gsize j = 0; j < n; j++)
            nl_array_set(c_type, c, i * ldc + j, row[j]);
    }
    g_free(row);
    g_free(wa);
    g_free(wb);
}

/* ---- the tile tree ---- */

double nl_ref_tiled_sum_in(NlPrecision acc, NlArray x, gsize n, gsize tile)
{
    g_return_val_if_fail(acc_holds(acc, x) && tile > 0, NAN);
    if (acc == NL_PRECISION_F32) {
        if (x.type == NL_PRECISION_F32)
            return nl_ref_tiled_sum_f32(x.data, n, tile);
        float *w = widen_f32(x, 1, n, n);
        double s = nl_ref_tiled_sum_f32(w, n, tile);
        g_free(w);
        return s;
    }
    gsize t = n / tile + (n % tile != 0);
    if (t == 0)
        return 0;
    double root;
    if (acc == NL_PRECISION_F64) {
        double *w = widen_f64(x, 1, n, n), *p = g_new(double, t);
        for (gsize i = 0; i < t; i++)
            p[i] = sum_f64(w + i * tile, MIN(tile, n - i * tile));
        for (gsize s = 1; s < t; s *= 2)
            for (gsize i = 0; i + s < t; i += 2 * s)
                p[i] = p[i] + p[i + s];
        root = p[0];
        g_free(p);
        g_free(w);
    } else {
        float *w = widen_f32(x, 1, n, n), *p = g_new(float, t);
        for (gsize i = 0; i < t; i++)
            p[i] = sum_16(acc, w + i * tile, MIN(tile, n - i * tile));
        for (gsize s = 1; s < t; s *= 2)
            for (gsize i = 0; i + s < t; i += 2 * s)
                p[i] = rnd16(acc, p[i] + p[i + s]);
        root = p[0];
        g_free(p);
        g_free(w);
    }
    return root;
}
