/* naive.c — the reference backend: libnumlab's reference kernels
 * (numlab/reference.h) behind the backend interface, on host memory.
 *
 * Every other backend is judged against this one. Its order is the plain
 * one: one float32 accumulator, left to right, one rounding per operation,
 * no FMA (libnumlab is compiled with -ffp-contract=off and never with
 * fast-math), and no threads. The kernels live in libnumlab so that the
 * model's host path, the reduction-tree model and the fallback for
 * backends that lack a kernel compute exactly the same bits; this file
 * only adapts their arguments. In every precision it is the exact
 * emulation of numlab/reference.h: each value enters exactly, each
 * product and each sum is rounded once to the accumulation precision. */
#include "config.h"

#include <numlab/numlab.h>

#define NL_NAIVE_VERSION PACKAGE_VERSION

/* ---- the backend ---- */

typedef struct {
    char *library;
} Naive;

static gpointer naive_open(const NlParams *options, GError **error)
{
    (void)options;
    (void)error;
    Naive *self = g_new0(Naive, 1);
    self->library = g_strdup_printf("numlab %s, C loops, -ffp-contract=off",
                                    NL_NAIVE_VERSION);
    return self;
}

static void naive_close(gpointer p)
{
    Naive *self = p;
    g_free(self->library);
    g_free(self);
}

static void naive_describe(gpointer p, NlBackendInfo *info)
{
    Naive *self = p;
    info->library = self->library;
    info->device = "CPU";
    info->threads = 1;
    info->summation_order =
        "sequential left to right, one float32 accumulator, no FMA";
    info->precisions[NL_PRECISION_F32] =
        "float32 accumulation: the order above; float64 accumulation: the "
        "same order in double";
    info->precisions[NL_PRECISION_F64] =
        "float64 accumulation: sequential left to right, one double "
        "accumulator, no FMA";
    info->precisions[NL_PRECISION_BF16] =
        "float32 accumulation: values widened exactly, then the float32 "
        "order; bfloat16 accumulation: emulated exactly, every product and "
        "every sum rounded to bfloat16";
    info->precisions[NL_PRECISION_F16] =
        "float32 accumulation: values widened exactly, then the float32 "
        "order; float16 accumulation: emulated exactly, every product and "
        "every sum rounded to float16";
}

/* Buffers: numlab's host memory (no alloc, free, upload, download). No
 * copy either: the host copies host memory itself (nl_ref_copy_f32). */

static gboolean naive_sum(gpointer self, const NlBuffer *x, gsize n,
                          float *result, GError **error)
{
    (void)self;
    (void)error;
    *result = nl_ref_sum_f32(x->host, n);
    return TRUE;
}

static gboolean naive_dot(gpointer self, const NlBuffer *x, const NlBuffer *y,
                          gsize n, float *result, GError **error)
{
    (void)self;
    (void)error;
    *result = nl_ref_dot_f32(x->host, y->host, n);
    return TRUE;
}

static gboolean naive_gemv(gpointer self, gsize m, gsize n, const NlBuffer *a,
                           gsize lda, const NlBuffer *x, NlBuffer *y,
                           GError **error)
{
    (void)self;
    (void)error;
    nl_ref_gemv_f32(m, n, a->host, lda, x->host, y->host);
    return TRUE;
}

static gboolean naive_gemm(gpointer self, gsize m, gsize n, gsize k,
                           const NlBuffer *a, gsize lda, const NlBuffer *b,
                           gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    (void)self;
    (void)error;
    nl_ref_gemm_f32(m, n, k, a->host, lda, b->host, ldb, c->host, ldc);
    return TRUE;
}

static gboolean naive_softmax(gpointer self, const NlBuffer *x, NlBuffer *y,
                              gsize n, float temperature, GError **error)
{
    (void)self;
    (void)error;
    nl_ref_softmax_f32(x->host, y->host, n, temperature);
    return TRUE;
}

static gboolean naive_tiled_sum(gpointer self, const NlBuffer *x, gsize n,
                                gsize tile, float *result, GError **error)
{
    (void)self;
    (void)error;
    *result = nl_ref_tiled_sum_f32(x->host, n, tile);
    return TRUE;
}

/* ---- every precision: the reference itself ---- */

static NlArray array_of(const NlBuffer *buf)
{
    NlArray a = {buf->type, buf->host};
    return a;
}

static gboolean naive_sum_in(gpointer self, const NlBuffer *x, gsize n,
                             NlPrecision acc, double *result, GError **error)
{
    (void)self;
    (void)error;
    *result = nl_ref_sum_in(acc, array_of(x), n);
    return TRUE;
}

static gboolean naive_dot_in(gpointer self, const NlBuffer *x,
                             const NlBuffer *y, gsize n, NlPrecision acc,
                             double *result, GError **error)
{
    (void)self;
    (void)error;
    *result = nl_ref_dot_in(acc, array_of(x), array_of(y), n);
    return TRUE;
}

static gboolean naive_gemv_in(gpointer self, gsize m, gsize n,
                              const NlBuffer *a, gsize lda, const NlBuffer *x,
                              NlBuffer *y, NlPrecision acc, GError **error)
{
    (void)self;
    (void)error;
    nl_ref_gemv_in(acc, m, n, array_of(a), lda, array_of(x), y->type, y->host);
    return TRUE;
}

static gboolean naive_gemm_in(gpointer self, gsize m, gsize n, gsize k,
                              const NlBuffer *a, gsize lda, const NlBuffer *b,
                              gsize ldb, NlBuffer *c, gsize ldc,
                              NlPrecision acc, GError **error)
{
    (void)self;
    (void)error;
    nl_ref_gemm_in(acc, m, n, k, array_of(a), lda, array_of(b), ldb, c->type,
                   c->host, ldc);
    return TRUE;
}

static gboolean naive_tiled_sum_in(gpointer self, const NlBuffer *x, gsize n,
                                   gsize tile, NlPrecision acc, double *result,
                                   GError **error)
{
    (void)self;
    (void)error;
    *result = nl_ref_tiled_sum_in(acc, array_of(x), n, tile);
    return TRUE;
}

static const NlBackendOps naive_ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = NULL,
    .open = naive_open,
    .close = naive_close,
    .describe = naive_describe,
    .sum = naive_sum,
    .dot = naive_dot,
    .gemv = naive_gemv,
    .gemm = naive_gemm,
    .softmax = naive_softmax,
    .tiled_sum = naive_tiled_sum,
    .sum_in = naive_sum_in,
    .dot_in = naive_dot_in,
    .gemv_in = naive_gemv_in,
    .gemm_in = naive_gemm_in,
    .tiled_sum_in = naive_tiled_sum_in,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_BACKEND, .name = "naive", .version = NL_NAIVE_VERSION,
        .summary = "reference: sequential float32 loops, no FMA, no threads",
        .backend = &naive_ops, )
