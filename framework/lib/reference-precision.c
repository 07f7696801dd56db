/* reference-precision.c — the reference kernels in every precision
 * (numlab/reference.h, "Every precision").
 *
 * Each kernel first widens its operands, exactly, to the arithmetic it
 * emulates: to float for float32 accumulation, which then is the float32
 * kernel of reference.c itself (the same bits, the same speed), and to
 * double for the others. In double, float64 accumulation is the plain
 * double operation; bfloat16 and float16 accumulation round the double
 * result of each operation once more, to the type (nl_precision_round).
 * That second rounding gives the correctly rounded result: the operands
 * of every product and sum are values of the type (at most 11 significant
 * bits), and an operation on p-bit values computed in 53 >= 2p + 2 bits
 * and then rounded to p bits is rounded once (Figueroa, "When is double
 * rounding innocuous?", 1995). Widening costs memory (8 bytes a value);
 * these kernels are the definition, not the fast path. */
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

/* One operation's double result, rounded as acc rounds (float64: it is). */
static inline double rnd(NlPrecision acc, double v)
{
    return acc == NL_PRECISION_F64 ? v : nl_precision_round(acc, v);
}

/* ---- sum, dot ---- */

static double sum_f64(NlPrecision acc, const double *x, gsize n)
{
    double s = 0;
    for (gsize i = 0; i < n; i++)
        s = rnd(acc, s + x[i]);
    return s;
}

static double dot_f64(NlPrecision acc, const double *x, const double *y,
                      gsize y_stride, gsize n)
{
    double s = 0;
    for (gsize i = 0; i < n; i++)
        s = rnd(acc, s + rnd(acc, x[i] * y[i * y_stride]));
    return s;
}

double nl_ref_sum_in(NlPrecision acc, NlArray x, gsize n)
{
    g_return_val_if_fail(acc_holds(acc, x), NAN);
    if (acc == NL_PRECISION_F32 && x.type == NL_PRECISION_F32)
        return nl_ref_sum_f32(x.data, n);
    double s;
    if (acc == NL_PRECISION_F32) {
        float *w = widen_f32(x, 1, n, n);
        s = nl_ref_sum_f32(w, n);
        g_free(w);
    } else {
        double *w = widen_f64(x, 1, n, n);
        s = sum_f64(acc, w, n);
        g_free(w);
    }
    return s;
}

double nl_ref_dot_in(NlPrecision acc, NlArray x, NlArray y, gsize n)
{
    g_return_val_if_fail(acc_holds(acc, x) && acc_holds(acc, y), NAN);
    double s;
    if (acc == NL_PRECISION_F32) {
        float *wx = widen_f32(x, 1, n, n), *wy = widen_f32(y, 1, n, n);
        s = nl_ref_dot_f32(wx, wy, n);
        g_free(wx);
        g_free(wy);
    } else {
        double *wx = widen_f64(x, 1, n, n), *wy = widen_f64(y, 1, n, n);
        s = dot_f64(acc, wx, wy, 1, n);
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
    double *wa = widen_f64(a, m, n, lda), *wx = widen_f64(x, 1, n, n);
    for (gsize i = 0; i < m; i++)
        nl_array_set(y_type, y, i, dot_f64(acc, wx, wa + i * n, 1, n));
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
    double *wa = widen_f64(a, m, k, lda), *wb = widen_f64(b, k, n, ldb);
    double *row = g_new(double, MAX(n, 1));
    for (gsize i = 0; i < m; i++) {
        for (gsize j = 0; j < n; j++)
            row[j] = 0;
        for (gsize p = 0; p < k; p++) {
            double aip = wa[i * k + p];
            const double *bp = wb + p * n;
            for (gsize j = 0; j < n; j++)
                row[j] = rnd(acc, row[j] + rnd(acc, aip * bp[j]));
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
    double *w = widen_f64(x, 1, n, n);
    double *p = g_new(double, t);
    for (gsize i = 0; i < t; i++)
        p[i] = sum_f64(acc, w + i * tile, MIN(tile, n - i * tile));
    for (gsize s = 1; s < t; s *= 2)
        for (gsize i = 0; i + s < t; i += 2 * s)
            p[i] = rnd(acc, p[i] + p[i + s]);
    double root = p[0];
    g_free(p);
    g_free(w);
    return root;
}
