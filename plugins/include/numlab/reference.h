/* numlab/reference.h — the reference kernels: numlab's one definition of
 * the sequential float32 order, on plain host arrays.
 *
 * The naive backend is a thin wrapper around these functions; the model's
 * backend-free path, the reduction-tree experiment's model and any plugin
 * that needs "the naive order" on the host call them; and a backend that
 * computes on host memory but lacks a kernel gets these in its place
 * (numlab/backend.h, doc/writing-plugins.md). Every other order is judged
 * against them.
 *
 * Arithmetic: float32 throughout, one rounding per operation. A product
 * and the addition that follows it are two roundings, never a fused
 * multiply-add: libnumlab is compiled with -ffp-contract=off and never with
 * fast-math, so the bits below do not depend on the caller's compiler,
 * flags or -march. Each accumulator starts at +0.0f, so an empty sum is
 * +0 and a sum of one -0 is +0. The order of every addition is stated per
 * function; the implementation may interleave independent chains (rows,
 * columns, tiles) for speed, but never changes any result's order, so
 * every result is bit for bit what the plain loop in its comment gives.
 *
 * The kernels do not check their arguments beyond a g_return_if_fail on
 * what would be a programming error (a leading dimension shorter than its
 * row, tile 0, temperature <= 0): nl_backend_* checks what users pass.
 * Matrices are row-major; a leading dimension is the distance, in
 * elements, between the starts of two rows. */
#ifndef NUMLAB_REFERENCE_H
#define NUMLAB_REFERENCE_H

#include <glib.h>
#include <numlab/precision.h>

G_BEGIN_DECLS

/* x[0] + x[1] + ... + x[n-1], left to right, one float accumulator:
 *   s = 0.0f; for i in 0..n: s = s + x[i]           (0 for n = 0) */
float nl_ref_sum_f32(const float *x, gsize n);

/* x·y, left to right, each product rounded before it is added:
 *   s = 0.0f; for i in 0..n: s = s + (x[i] * y[i]) */
float nl_ref_dot_f32(const float *x, const float *y, gsize n);

/* y[i] = nl_ref_dot_f32(A row i, x, n) for i in 0..m; A is m x n with
 * row stride lda >= n. y must not overlap A or x. With x a vector of
 * ones, y[i] is nl_ref_sum_f32 of row i bit for bit (x * 1 is exact):
 * the row sums of a matrix. */
void nl_ref_gemv_f32(gsize m, gsize n, const float *a, gsize lda,
                     const float *x, float *y);

/* C = A B: A is m x k (lda >= k), B is k x n (ldb >= n), C is m x n
 * (ldc >= n); every element
 *   c[i][j] = 0.0f; for p in 0..k: c[i][j] = c[i][j] + (a[i][p] * b[p][j])
 * so C = 0 for k = 0, and c[i][j] is nl_ref_dot_f32 of row i of A and
 * column j of B. An element's value does not depend on m, n, its
 * position or the leading dimensions. C must not overlap A or B; C's
 * padding between n and ldc is not touched. */
void nl_ref_gemm_f32(gsize m, gsize n, gsize k, const float *a, gsize lda,
                     const float *b, gsize ldb, float *c, gsize ldc);

/* y = softmax(x / temperature) over n values, temperature > 0; y may be x:
 *   z[i] = x[i] / temperature                      (a division, rounded)
 *   max = z[0]; for i in 1..n: max = fmaxf(max, z[i])
 *   y[i] = expf(z[i] - max); total = 0.0f; total = total + y[i], left to right
 *   y[i] = y[i] / total                            (a division, rounded)
 * Subtracting the maximum first keeps every expf() argument <= 0, so no
 * logit overflows; it changes nothing in exact arithmetic. expf is the C
 * library's: another libm may differ from glibc's in the last bit. */
void nl_ref_softmax_f32(const float *x, float *y, gsize n, float temperature);

/* The tile tree of numlab/backend.h, tile >= 1: x split into tiles of
 * `tile` consecutive values (the last holds the rest), each tile summed by
 * nl_ref_sum_f32, then the tile partials p[0..t) combined bottom-up in
 * adjacent pairs, level by level:
 *   for s = 1, 2, 4, ... < t: for i = 0, 2s, 4s, ... with i + s < t:
 *       p[i] = p[i] + p[i + s]
 * and the result is p[0] (0 for n = 0). Three tiles give (p0 + p1) + p2.
 * It allocates nothing. */
float nl_ref_tiled_sum_f32(const float *x, gsize n, gsize tile);

/* The second half of nl_ref_tiled_sum_f32 alone: partials[0..n_tiles)
 * combined in the same tree (they are not modified); 0 for n_tiles = 0.
 * For models that get their tile sums another way. */
float nl_ref_tile_tree_f32(const float *partials, gsize n_tiles);

/* dst[0..n) = src[0..n); the two may overlap (memmove). */
void nl_ref_copy_f32(float *dst, const float *src, gsize n);

/* ---- Every precision (numlab/precision.h) ----
 *
 * The same orders, on values stored in any of the four precisions and
 * accumulated in any precision that holds them all (nl_precision_holds:
 * float32 for the 16-bit types, float64 for anything): each value enters
 * exactly; every product and every addition is rounded once to `acc`,
 * two roundings per term, never fused; an output array gets each result
 * rounded once more, from acc to its own precision. So
 *   s = 0; for i in 0..n: s = round_acc(s + round_acc(x[i] * y[i]))
 * is every dot product, and accumulation in bfloat16 is the teaching
 * worst case of rounding after every operation, while bfloat16 storage
 * with float32 accumulation is what vdpbf16ps and tensor cores promise
 * (they may fuse or reorder; these do not). With float32 everywhere the
 * results are the _f32 kernels' bits. The caller checks that acc holds
 * every operand (nl_backend_* does); a wrong one is a g_return_if_fail. */

/* An array of values in one precision: float *, double *, nl_bf16 * or
 * nl_f16 * behind `data`. */
typedef struct {
    NlPrecision type;
    gconstpointer data;
} NlArray;

/* The array's i-th value, exactly. */
double nl_array_get(NlArray a, gsize i);
/* out[0..n) = the array's first n values, exactly: as floats (the array
 * may not be float64) or as doubles. Vectorizable loops per type. */
void nl_array_to_f32(NlArray a, gsize n, float *out);
void nl_array_to_f64(NlArray a, gsize n, double *out);

double nl_ref_sum_in(NlPrecision acc, NlArray x, gsize n);
double nl_ref_dot_in(NlPrecision acc, NlArray x, NlArray y, gsize n);
/* y (of precision y_type) = A x. */
void nl_ref_gemv_in(NlPrecision acc, gsize m, gsize n, NlArray a, gsize lda,
                    NlArray x, NlPrecision y_type, gpointer y);
/* C (of precision c_type) = A B. */
void nl_ref_gemm_in(NlPrecision acc, gsize m, gsize n, gsize k, NlArray a,
                    gsize lda, NlArray b, gsize ldb, NlPrecision c_type,
                    gpointer c, gsize ldc);
/* The tile tree, every tile sum and every addition of the tree rounded
 * to acc. */
double nl_ref_tiled_sum_in(NlPrecision acc, NlArray x, gsize n, gsize tile);

/* v rounded once to `type` and stored as dst[i]. */
void nl_array_set(NlPrecision type, gpointer dst, gsize i, double v);

G_END_DECLS

#endif /* NUMLAB_REFERENCE_H */
