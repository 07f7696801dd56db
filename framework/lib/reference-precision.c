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

#include "nl-private.h"

#include <numlab/reference.h>
#include <numlab/ulp.h>

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

void nl_array_to_f64(NlArray a, gsize n, double *out)
{
    if (a.type == NL_PRECISION_F64) {
        if (n)
            memcpy(out, a.data, n * sizeof(double));
        return;
    }
    if (a.type == NL_PRECISION_F32) {
        const float *x = a.data;
        for (gsize i = 0; i < n; i++)
            out[i] = x[i];
        return;
    }
    for (gsize i = 0; i < n; i++)
        out[i] = nl_array_get(a, i);
}

static gboolean acc_holds(NlPrecision acc, NlArray a)
{
    return nl_precision_holds(acc, a.type);
}

/* The values of a rows x cols matrix (row stride ld) as floats, packed
 * with stride cols; a vector is one row. Exact: acc float32 holds them. */
/* Row r of a (row stride ld), as an array. */
static NlArray row_of(NlArray a, gsize r, gsize ld)
{
    NlArray row = {a.type,
                   (const char *)a.data + r * ld * nl_precision_size(a.type)};
    return row;
}

static float *widen_f32(NlArray a, gsize rows, gsize cols, gsize ld)
{
    float *w = g_new(float, MAX(rows * cols, 1));
    for (gsize r = 0; r < rows; r++)
        nl_array_to_f32(row_of(a, r, ld), cols, w + r * cols);
    return w;
}

static double *widen_f64(NlArray a, gsize rows, gsize cols, gsize ld)
{
    double *w = g_new(double, MAX(rows * cols, 1));
    for (gsize r = 0; r < rows; r++)
        nl_array_to_f64(row_of(a, r, ld), cols, w + r * cols);
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

/* ---- the inner loops of the 16-bit gemm, vectorised ----
 *
 * One step of k for a whole row of C: row[j] = rnd(row[j] + rnd(a * b[j]))
 * for every j, each element's chain in the order of p as before; only
 * the elements of a row run side by side. Written without branches (the
 * NaN test is a select) so that the compiler vectorises it, at -O3 and,
 * where the CPU has them, with AVX2's eight lanes (NL_VECTORISED), whatever
 * CFLAGS the library was built with. Integer operations and float
 * multiplications and additions with -ffp-contract=off: the bits are
 * those of the scalar definition above on every path. */
NL_VECTORISED static void axpy_bf16(float *restrict row, float a,
                                    const float *restrict b, gsize n)
{
    for (gsize j = 0; j < n; j++) {
        float prod = a * b[j];
        guint32 u, v;
        memcpy(&u, &prod, sizeof u);
        guint32 r = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
        u = (u & 0x7fffffffu) > 0x7f800000u ? u : r;
        memcpy(&prod, &u, sizeof u);
        float sum = row[j] + prod;
        memcpy(&v, &sum, sizeof v);
        r = (v + 0x7fffu + ((v >> 16) & 1u)) & 0xffff0000u;
        v = (v & 0x7fffffffu) > 0x7f800000u ? v : r;
        memcpy(&row[j], &v, sizeof v);
    }
}

/* a where cond, else b, with masks: no branch for the compiler to keep. */
static inline guint32 select_bits(gboolean cond, guint32 a, guint32 b)
{
    guint32 mask = 0u - (guint32)(cond != 0);
    return (a & mask) | (b & ~mask);
}

/* round_f16 without branches, every choice made on the bit pattern
 * (float comparisons would keep the compiler from vectorising under
 * -ftrapping-math): both roundings are computed and one is selected.
 * Below 2^-14 the quantum 2^-24 is the unit in the last place of
 * [0.5, 1), so |v| + 0.75 rounds |v| to it (to nearest even) and
 * subtracting 0.75 again is exact; the sign goes back on afterwards
 * (nearbyintf keeps the sign of a zero). */
static inline float round_f16_lanes(float v)
{
    guint32 u, sub_bits;
    memcpy(&u, &v, sizeof u);
    guint32 sign = u & 0x80000000u, mag = u & 0x7fffffffu;
    guint32 normal = (u + 0xfffu + ((u >> 13) & 1u)) & ~0x1fffu;
    guint32 over = select_bits((normal & 0x7fffffffu) > 0x477fe000u, /* 65504 */
                               sign | 0x7f800000u, normal);
    float sub = (fabsf(v) + 0x1.8p-1f) - 0x1.8p-1f;
    memcpy(&sub_bits, &sub, sizeof sub_bits);
    guint32 r =
        select_bits(mag >= 0x38800000u /* 2^-14 */, over, sign | sub_bits);
    r = select_bits(mag > 0x7f800000u, u, r); /* NaN */
    float out;
    memcpy(&out, &r, sizeof out);
    return out;
}

NL_VECTORISED static void axpy_f16(float *restrict row, float a,
                                   const float *restrict b, gsize n)
{
    for (gsize j = 0; j < n; j++)
        row[j] = round_f16_lanes(row[j] + round_f16_lanes(a * b[j]));
}

/* ---- arrays of floats rounded, and float16 encoded, in lanes ---- */

NL_VECTORISED static void round_bf16_floats(float *restrict x, gsize n)
{
    for (gsize j = 0; j < n; j++) {
        guint32 u;
        memcpy(&u, &x[j], sizeof u);
        guint32 r = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
        u = (u & 0x7fffffffu) > 0x7f800000u ? u : r;
        memcpy(&x[j], &u, sizeof u);
    }
}

NL_VECTORISED static void round_f16_floats(float *restrict x, gsize n)
{
    for (gsize j = 0; j < n; j++)
        x[j] = round_f16_lanes(x[j]);
}

void nl_precision_round_floats(NlPrecision p, float *x, gsize n)
{
    g_return_if_fail(p < NL_N_PRECISIONS);
    if (p == NL_PRECISION_BF16)
        round_bf16_floats(x, n);
    else if (p == NL_PRECISION_F16)
        round_f16_floats(x, n);
    /* every float is a float32 and a float64 value already */
}

/* nl_f16_from_f64's bits for a float, without branches: the float is
 * rounded to float16 first (round_f16_lanes), then only re-encoded. A
 * subnormal float16 is |r| / 2^-24 < 1024, taken from a magnitude that
 * is zeroed elsewhere so that the conversion never sees a large value. */
static inline guint16 encode_f16_lanes(float v)
{
    float r = round_f16_lanes(v);
    guint32 u;
    memcpy(&u, &r, sizeof u);
    guint32 sign = (u >> 16) & 0x8000u, mag = u & 0x7fffffffu;
    guint32 normal = (((mag >> 23) - 112u) << 10) | ((mag >> 13) & 0x3ffu);
    guint32 small_bits = select_bits(mag < 0x38800000u, mag, 0);
    float small;
    memcpy(&small, &small_bits, sizeof small);
    guint32 sub = (guint32)(gint32)(small * 0x1p24f);
    guint32 e = select_bits(mag >= 0x38800000u, normal, sub);
    e = select_bits(mag == 0x7f800000u, 0x7c00u, e);
    e = select_bits(mag > 0x7f800000u, 0x7e00u, e);
    return (guint16)(sign | e);
}

NL_VECTORISED static void store_f16_row(nl_f16 *restrict d,
                                        const float *restrict src, gsize n)
{
    for (gsize j = 0; j < n; j++)
        d[j] = encode_f16_lanes(src[j]);
}

/* nl_bf16_from_f64's bits for a float: the top half rounded to nearest
 * even, a NaN the quiet NaN of its sign. */
NL_VECTORISED static void store_bf16_row(nl_bf16 *restrict d,
                                         const float *restrict src, gsize n)
{
    for (gsize j = 0; j < n; j++) {
        guint32 u;
        memcpy(&u, &src[j], sizeof u);
        guint32 r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
        guint32 nan = (u >> 16 & 0x8000u) | 0x7fc0u;
        d[j] = (nl_bf16)select_bits((u & 0x7fffffffu) > 0x7f800000u, nan, r);
    }
}

void nl_store_f32_row(NlPrecision type, gpointer dst, gsize offset,
                      const float *src, gsize n)
{
    if (type == NL_PRECISION_F32) {
        memcpy((float *)dst + offset, src, n * sizeof(float));
        return;
    }
    if (type == NL_PRECISION_BF16) {
        store_bf16_row((nl_bf16 *)dst + offset, src, n);
        return;
    }
    if (type == NL_PRECISION_F16) {
        store_f16_row((nl_f16 *)dst + offset, src, n);
        return;
    }
    for (gsize j = 0; j < n; j++)
        nl_array_set(type, dst, offset + j, src[j]);
}

/* ---- 16-bit arrays widened to float, in lanes ---- */

/* nl_f16_to_f32's bits, without branches: the normal encoding rebiased,
 * the infinities and NaNs (payload kept) with float's top exponent, and
 * a subnormal or zero as its fraction times 2^-24, exact in float. */
static inline float decode_f16_lanes(guint32 h)
{
    guint32 sign = (h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, f = h & 0x3ffu;
    guint32 normal = sign | ((e + 112u) << 23) | (f << 13);
    guint32 special = sign | 0x7f800000u | (f << 13);
    float small = (float)(gint32)f * 0x1p-24f;
    guint32 small_bits;
    memcpy(&small_bits, &small, sizeof small_bits);
    guint32 u = select_bits(e == 0x1fu, special, normal);
    u = select_bits(e == 0, sign | small_bits, u);
    float out;
    memcpy(&out, &u, sizeof out);
    return out;
}

NL_VECTORISED static void widen_f16_row(float *restrict out,
                                        const nl_f16 *restrict x, gsize n)
{
    for (gsize i = 0; i < n; i++)
        out[i] = decode_f16_lanes(x[i]);
}

NL_VECTORISED static void widen_bf16_row(float *restrict out,
                                         const nl_bf16 *restrict x, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        guint32 u = (guint32)x[i] << 16;
        memcpy(&out[i], &u, sizeof u);
    }
}

void nl_array_to_f32(NlArray a, gsize n, float *out)
{
    switch (a.type) {
    case NL_PRECISION_F32:
        if (n)
            memcpy(out, a.data, n * sizeof(float));
        return;
    case NL_PRECISION_BF16:
        widen_bf16_row(out, a.data, n);
        return;
    case NL_PRECISION_F16:
        widen_f16_row(out, a.data, n);
        return;
    case NL_PRECISION_F64:
        break;
    }
    g_return_if_reached();
}

/* ---- sum, dot ---- */

/* The sequential dot products of gemv, in double (float64 accumulation)
 * and in float rounded to a 16-bit acc. */
static double dot_f64(const double *x, const double *y, gsize y_stride, gsize n)
{
    double s = 0;
    for (gsize i = 0; i < n; i++)
        s = s + x[i] * y[i * y_stride];
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

/* Sums and dots stream their operands in chunks widened on the stack, so
 * that a long vector costs no copy (a fresh copy of 10^7 values costs
 * more in page faults than the sum): the accumulator runs on from chunk
 * to chunk, so the order is the plain loop's. */
enum { CHUNK = 512 };

/* x[0..n) (y NULL) or x·y, sequentially in acc. */
static double stream(NlPrecision acc, NlArray x, const NlArray *y, gsize n)
{
    float fs = 0, fx[CHUNK], fy[CHUNK];
    double ds = 0, dx[CHUNK], dy[CHUNK];
    for (gsize i = 0; i < n; i += CHUNK) {
        gsize c = MIN((gsize)CHUNK, n - i);
        if (acc == NL_PRECISION_F64) {
            nl_array_to_f64(row_of(x, i, 1), c, dx);
            if (y)
                nl_array_to_f64(row_of(*y, i, 1), c, dy);
            for (gsize j = 0; j < c; j++)
                ds = ds + (y ? dx[j] * dy[j] : dx[j]);
            continue;
        }
        nl_array_to_f32(row_of(x, i, 1), c, fx);
        if (y)
            nl_array_to_f32(row_of(*y, i, 1), c, fy);
        if (acc == NL_PRECISION_F32)
            for (gsize j = 0; j < c; j++)
                fs = fs + (y ? fx[j] * fy[j] : fx[j]);
        else if (y)
            for (gsize j = 0; j < c; j++)
                fs = rnd16(acc, fs + rnd16(acc, fx[j] * fy[j]));
        else
            for (gsize j = 0; j < c; j++)
                fs = rnd16(acc, fs + fx[j]);
    }
    return acc == NL_PRECISION_F64 ? ds : fs;
}

double nl_ref_sum_in(NlPrecision acc, NlArray x, gsize n)
{
    g_return_val_if_fail(acc_holds(acc, x), NAN);
    if (acc == NL_PRECISION_F32 && x.type == NL_PRECISION_F32)
        return nl_ref_sum_f32(x.data, n);
    return stream(acc, x, NULL, n);
}

double nl_ref_dot_in(NlPrecision acc, NlArray x, NlArray y, gsize n)
{
    g_return_val_if_fail(acc_holds(acc, x) && acc_holds(acc, y), NAN);
    return stream(acc, x, &y, n);
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
            nl_store_f32_row(c_type, c, i * ldc, wc + i * n, n);
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
            if (acc == NL_PRECISION_BF16)
                axpy_bf16(row, wa[i * k + p], wb + p * n, n);
            else
                axpy_f16(row, wa[i * k + p], wb + p * n, n);
        }
        nl_store_f32_row(c_type, c, i * ldc, row, n);
    }
    g_free(row);
    g_free(wa);
    g_free(wb);
}

/* ---- the tile tree ---- */

double nl_ref_tiled_sum_in(NlPrecision acc, NlArray x, gsize n, gsize tile)
{
    g_return_val_if_fail(acc_holds(acc, x) && tile > 0, NAN);
    if (acc == NL_PRECISION_F32 && x.type == NL_PRECISION_F32)
        return nl_ref_tiled_sum_f32(x.data, n, tile);
    gsize t = n / tile + (n % tile != 0);
    if (t == 0)
        return 0;
    double root;
    if (acc == NL_PRECISION_F32) { /* float32's own tree of the partials */
        float *p = g_new(float, t);
        for (gsize i = 0; i < t; i++)
            p[i] = (float)stream(acc, row_of(x, i * tile, 1), NULL,
                                 MIN(tile, n - i * tile));
        root = nl_ref_tile_tree_f32(p, t);
        g_free(p);
    } else if (acc == NL_PRECISION_F64) {
        double *p = g_new(double, t);
        for (gsize i = 0; i < t; i++)
            p[i] = stream(acc, row_of(x, i * tile, 1), NULL,
                          MIN(tile, n - i * tile));
        for (gsize s = 1; s < t; s *= 2)
            for (gsize i = 0; i + s < t; i += 2 * s)
                p[i] = p[i] + p[i + s];
        root = p[0];
        g_free(p);
    } else {
        float *p = g_new(float, t);
        for (gsize i = 0; i < t; i++)
            p[i] = (float)stream(acc, row_of(x, i * tile, 1), NULL,
                                 MIN(tile, n - i * tile));
        for (gsize s = 1; s < t; s *= 2)
            for (gsize i = 0; i + s < t; i += 2 * s)
                p[i] = rnd16(acc, p[i] + p[i + s]);
        root = p[0];
        g_free(p);
    }
    return root;
}
