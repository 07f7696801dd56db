/* precision.c — the OpenBLAS backend in float64, bfloat16 and float16
 * (the _in hooks of numlab/backend.h).
 *
 * What OpenBLAS computes, it computes here; what it does not, the backend
 * declines and numlab's reference runs (the manifest records it):
 *  - float64 accumulation: cblas_dsum, ddot, dgemv, dgemm; float32 and
 *    16-bit data are widened to double first (exactly).
 *  - bfloat16 data, float32 accumulation: cblas_sbdot, sbgemv, sbgemm
 *    where this OpenBLAS has them (built with BUILD_BFLOAT16; looked up
 *    in the loaded library at open). Debian's 0.3.21 declares them in
 *    cblas.h but does not export them: there, and for float16 data
 *    (OpenBLAS has no float16 kernels) and for mixed operands (bfloat16
 *    weights with float32 activations), the values are widened exactly to
 *    float32 and the float32 kernels run — the LayerCast arithmetic.
 *  - bfloat16 or float16 accumulation: OpenBLAS has none; declined.
 * An output of another precision than the accumulator's gets each result
 * rounded once from it. Widening packs each operand that is not already
 * in the arithmetic's type into scratch the backend keeps. */
#define _GNU_SOURCE /* dladdr */
#include "config.h"

#include "blas.h"

#include <dlfcn.h>
#include <string.h>

/* ---- the bfloat16 kernels, if this OpenBLAS has them ---- */

/* The loaded OpenBLAS, found through a function it certainly exports,
 * and asked for the optional ones. */
static void find_bf16_kernels(Blas *self)
{
    Dl_info info;
    if (!dladdr((void *)cblas_sgemm, &info) || !info.dli_fname)
        return;
    void *lib = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (!lib)
        return;
    /* POSIX's way to turn a data pointer into a function pointer */
    *(void **)&self->sbdot = dlsym(lib, "cblas_sbdot");
    *(void **)&self->sbgemv = dlsym(lib, "cblas_sbgemv");
    *(void **)&self->sbgemm = dlsym(lib, "cblas_sbgemm");
    if (!self->sbdot || !self->sbgemv || !self->sbgemm)
        self->sbdot = NULL, self->sbgemv = NULL, self->sbgemm = NULL;
    dlclose(lib); /* RTLD_NOLOAD took a reference; the module keeps its own */
}

void blas_precisions_open(Blas *self)
{
    find_bf16_kernels(self);
    self->precisions[NL_PRECISION_F32] =
        g_strdup("float64 accumulation: values widened to double, then "
                 "cblas_dsum, ddot, dgemv, dgemm");
    self->precisions[NL_PRECISION_F64] =
        g_strdup("float64 accumulation: cblas_dsum, ddot, dgemv, dgemm");
    self->precisions[NL_PRECISION_BF16] = g_strdup(
        self->sbdot
            ? "float32 accumulation: cblas_sbdot, sbgemv, sbgemm (OpenBLAS's "
              "bfloat16 kernels; with a float32 operand: widened, then "
              "cblas_s*); bfloat16 accumulation: numlab's reference "
              "(OpenBLAS has none)"
            : "float32 accumulation: values widened exactly to float32, then "
              "cblas_s* (this OpenBLAS has no bfloat16 kernels: built "
              "without BUILD_BFLOAT16); bfloat16 accumulation: numlab's "
              "reference (OpenBLAS has none)");
    self->precisions[NL_PRECISION_F16] =
        g_strdup("float32 accumulation: values widened exactly to float32, "
                 "then cblas_s* (OpenBLAS has no float16 kernels); float16 "
                 "accumulation: numlab's reference (OpenBLAS has none)");
}

void blas_precisions_close(Blas *self)
{
    for (int p = 0; p < NL_N_PRECISIONS; p++)
        g_free(self->precisions[p]);
    for (int k = 0; k < 3; k++)
        nl_free(self->scratch[k]);
}

/* ---- operands in the arithmetic's type ---- */

static gboolean declined(NlPrecision acc, GError **error)
{
    g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNSUPPORTED,
                "OpenBLAS has no %s accumulation", nl_precision_name(acc));
    return FALSE;
}

/* Scratch slot `slot` of at least `bytes`, kept across calls: a fresh
 * copy of 10^7 values each call would cost more in page faults than the
 * kernel. */
static gpointer scratch(Blas *self, int slot, gsize bytes)
{
    if (self->scratch_bytes[slot] < bytes) {
        nl_free(self->scratch[slot]);
        self->scratch[slot] = nl_alloc(bytes, 1, NULL);
        self->scratch_bytes[slot] = self->scratch[slot] ? bytes : 0;
    }
    return self->scratch[slot];
}

/* A rows x cols operand (row stride ld) in `type` (float32 or float64):
 * the buffer itself where it already is, else a packed, widened copy in
 * scratch slot `slot` (*copy set). */
typedef struct {
    gconstpointer data;
    gsize ld;
    gpointer copy;
} Operand;

static Operand operand(Blas *self, int slot, const NlBuffer *buf,
                       NlPrecision type, gsize rows, gsize cols, gsize ld)
{
    if (buf->type == type)
        return (Operand){buf->host, ld, NULL};
    gsize size = nl_precision_size(buf->type);
    gpointer w =
        scratch(self, slot, MAX(rows * cols, 1) * nl_precision_size(type));
    for (gsize r = 0; r < rows; r++) {
        NlArray row = {buf->type, (const char *)buf->host + r * ld * size};
        if (type == NL_PRECISION_F32)
            nl_array_to_f32(row, cols, (float *)w + r * cols);
        else
            nl_array_to_f64(row, cols, (double *)w + r * cols);
    }
    return (Operand){w, cols, w};
}

/* Where a rows x cols result in `type` goes: the output buffer itself
 * when it has that type, else scratch that store() rounds into it. */
static Operand result_place(Blas *self, NlBuffer *out, NlPrecision type,
                            gsize rows, gsize cols, gsize ld)
{
    if (out->type == type)
        return (Operand){out->host, ld, NULL};
    gpointer w =
        scratch(self, 2, MAX(rows * cols, 1) * nl_precision_size(type));
    return (Operand){w, cols, w};
}

static void store(NlBuffer *out, NlPrecision type, Operand *res, gsize rows,
                  gsize cols, gsize ld)
{
    if (res->copy) {
        NlArray src = {type, res->copy};
        for (gsize r = 0; r < rows; r++)
            for (gsize c = 0; c < cols; c++)
                nl_array_set(out->type, out->host, r * ld + c,
                             nl_array_get(src, r * cols + c));
    }
}

/* Whether OpenBLAS's bfloat16 kernels apply: they do, with both operands
 * bfloat16 and float32 accumulation. */
static gboolean native_bf16(const Blas *self, NlPrecision acc,
                            const NlBuffer *x, const NlBuffer *y)
{
    return self->sbdot && acc == NL_PRECISION_F32 &&
           x->type == NL_PRECISION_BF16 && y->type == NL_PRECISION_BF16;
}

/* ---- sum, dot ---- */

/* n bfloat16 ones: the sum as a dot product (x * 1 is exact). */
static bfloat16 *bf16_ones(gsize n)
{
    bfloat16 *ones = g_new(bfloat16, MAX(n, 1));
    for (gsize i = 0; i < n; i++)
        ones[i] = 0x3f80; /* 1.0 */
    return ones;
}

/* The sum of x[0..n) of `buf`, offset `at`, in acc. */
static gboolean sum_part(Blas *self, const NlBuffer *x, gsize at, gsize n,
                         NlPrecision acc, double *result, GError **error)
{
    if (acc != NL_PRECISION_F32 && acc != NL_PRECISION_F64)
        return declined(acc, error);
    if (n == 0) {
        *result = 0;
        return TRUE;
    }
    NlBuffer part = *x; /* a view of the values from `at` on */
    part.host = (float *)((char *)x->host + at * nl_precision_size(x->type));
    if (acc == NL_PRECISION_F64) {
        Operand w = operand(self, 0, &part, NL_PRECISION_F64, 1, n, n);
        *result = cblas_dsum((int)n, w.data, 1);
        return TRUE;
    }
    if (native_bf16(self, acc, &part, &part)) {
        bfloat16 *ones = bf16_ones(n);
        *result = self->sbdot((int)n, (const bfloat16 *)part.host, 1, ones, 1);
        g_free(ones);
        return TRUE;
    }
    Operand w = operand(self, 0, &part, NL_PRECISION_F32, 1, n, n);
    float r;
    gboolean ok = blas_sum_f32(self, w.data, n, &r, error);
    *result = r;
    return ok;
}

gboolean blas_sum_in(gpointer p, const NlBuffer *x, gsize n, NlPrecision acc,
                     double *result, GError **error)
{
    if (!blas_fits_int(n, "n", error))
        return FALSE;
    blas_use_threads(p);
    return sum_part(p, x, 0, n, acc, result, error);
}

gboolean blas_dot_in(gpointer p, const NlBuffer *x, const NlBuffer *y, gsize n,
                     NlPrecision acc, double *result, GError **error)
{
    Blas *self = p;
    if (!blas_fits_int(n, "n", error))
        return FALSE;
    if (acc != NL_PRECISION_F32 && acc != NL_PRECISION_F64)
        return declined(acc, error);
    blas_use_threads(self);
    if (n == 0) {
        *result = 0;
        return TRUE;
    }
    if (native_bf16(self, acc, x, y)) {
        *result = self->sbdot((int)n, (const bfloat16 *)x->host, 1,
                              (const bfloat16 *)y->host, 1);
        return TRUE;
    }
    Operand wx = operand(self, 0, x, acc, 1, n, n),
            wy = operand(self, 1, y, acc, 1, n, n);
    *result = acc == NL_PRECISION_F64
                  ? cblas_ddot((int)n, wx.data, 1, wy.data, 1)
                  : cblas_sdot((int)n, wx.data, 1, wy.data, 1);
    return TRUE;
}

/* ---- gemv, gemm ---- */

gboolean blas_gemv_in(gpointer p, gsize m, gsize n, const NlBuffer *a,
                      gsize lda, const NlBuffer *x, NlBuffer *y,
                      NlPrecision acc, GError **error)
{
    Blas *self = p;
    if (!blas_fits_int(m, "m", error) || !blas_fits_int(n, "n", error) ||
        !blas_fits_int(lda, "lda", error))
        return FALSE;
    if (acc != NL_PRECISION_F32 && acc != NL_PRECISION_F64)
        return declined(acc, error);
    if (m == 0)
        return TRUE;
    blas_use_threads(self);
    Operand wy = result_place(self, y, acc, m, 1, 1);
    if (n == 0) { /* OpenBLAS would leave y alone; the product is zero */
        memset((gpointer)wy.data, 0, m * nl_precision_size(acc));
    } else if (native_bf16(self, acc, a, x)) {
        self->sbgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n, 1.0f,
                     (const bfloat16 *)a->host, (int)lda,
                     (const bfloat16 *)x->host, 1, 0.0f, (float *)wy.data, 1);
    } else {
        Operand wa = operand(self, 0, a, acc, m, n, lda),
                wx = operand(self, 1, x, acc, 1, n, n);
        if (acc == NL_PRECISION_F64)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n, 1.0,
                        wa.data, (int)wa.ld, wx.data, 1, 0.0, (double *)wy.data,
                        1);
        else
            cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n, 1.0f,
                        wa.data, (int)wa.ld, wx.data, 1, 0.0f, (float *)wy.data,
                        1);
    }
    store(y, acc, &wy, m, 1, 1);
    return TRUE;
}

gboolean blas_gemm_in(gpointer p, gsize m, gsize n, gsize k, const NlBuffer *a,
                      gsize lda, const NlBuffer *b, gsize ldb, NlBuffer *c,
                      gsize ldc, NlPrecision acc, GError **error)
{
    Blas *self = p;
    if (!blas_fits_int(m, "m", error) || !blas_fits_int(n, "n", error) ||
        !blas_fits_int(k, "k", error) || !blas_fits_int(lda, "lda", error) ||
        !blas_fits_int(ldb, "ldb", error) || !blas_fits_int(ldc, "ldc", error))
        return FALSE;
    if (acc != NL_PRECISION_F32 && acc != NL_PRECISION_F64)
        return declined(acc, error);
    if (m == 0 || n == 0)
        return TRUE;
    blas_use_threads(self);
    Operand wc = result_place(self, c, acc, m, n, ldc);
    gsize size = nl_precision_size(acc);
    if (k == 0) {
        for (gsize i = 0; i < m; i++)
            memset((char *)wc.data + i * wc.ld * size, 0, n * size);
    } else if (native_bf16(self, acc, a, b)) {
        self->sbgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n,
                     (int)k, 1.0f, (const bfloat16 *)a->host, (int)lda,
                     (const bfloat16 *)b->host, (int)ldb, 0.0f,
                     (float *)wc.data, (int)wc.ld);
    } else {
        Operand wa = operand(self, 0, a, acc, m, k, lda),
                wb = operand(self, 1, b, acc, k, n, ldb);
        if (acc == NL_PRECISION_F64)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m,
                        (int)n, (int)k, 1.0, wa.data, (int)wa.ld, wb.data,
                        (int)wb.ld, 0.0, (double *)wc.data, (int)wc.ld);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m,
                        (int)n, (int)k, 1.0f, wa.data, (int)wa.ld, wb.data,
                        (int)wb.ld, 0.0f, (float *)wc.data, (int)wc.ld);
    }
    store(c, acc, &wc, m, n, ldc);
    return TRUE;
}

/* ---- the tile tree ---- */

/* Each tile by sum_part, the tree of numlab/backend.h in acc. */
gboolean blas_tiled_sum_in(gpointer p, const NlBuffer *x, gsize n, gsize tile,
                           NlPrecision acc, double *result, GError **error)
{
    if (!blas_fits_int(tile, "tile", error))
        return FALSE;
    if (acc != NL_PRECISION_F32 && acc != NL_PRECISION_F64)
        return declined(acc, error);
    blas_use_threads(p);
    gsize n_tiles = n / tile + (n % tile != 0);
    if (n_tiles == 0) {
        *result = 0;
        return TRUE;
    }
    double *partials = g_new(double, n_tiles);
    for (gsize t = 0; t < n_tiles; t++)
        if (!sum_part(p, x, t * tile, MIN(tile, n - t * tile), acc,
                      &partials[t], error)) {
            g_free(partials);
            return FALSE;
        }
    for (gsize stride = 1; stride < n_tiles; stride *= 2)
        for (gsize i = 0; i + stride < n_tiles; i += 2 * stride)
            partials[i] =
                nl_precision_round(acc, partials[i] + partials[i + stride]);
    *result = partials[0];
    g_free(partials);
    return TRUE;
}
