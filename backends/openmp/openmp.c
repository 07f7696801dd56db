/* openmp.c — the OpenMP backend: numlab's own vectorized, cache-blocked,
 * multi-threaded kernels (kernels.c, gemm.c) on host memory.
 *
 * It exists to be fast *and* predictable: describe() states how partial
 * results are combined, so a reader can tell in advance when 1 and 2
 * threads give different bits. The kernels are compiled for x86-64-v3
 * (AVX2 + FMA); on an older CPU the backend reports itself unavailable
 * instead of executing an illegal instruction. */
#include "config.h"

#include "kernels.h"

#include <numlab/numlab.h>

#include <omp.h>
#include <string.h>

typedef struct {
    ParMode mode;
    char *library;
    char *order;
} Omp;

static const NlParamSpec options[] = {
    {"threads", NL_PARAM_INT, NULL, 1, 1024,
     "OpenMP threads (default: omp_get_max_threads(), all cores)", NULL, NULL},
    {"batch_invariant", NL_PARAM_BOOL, "0", 0, 1,
     "1: one summation order whatever the thread count and the batch size "
     "(reductions in fixed blocks, gemv in gemm's order)",
     NULL, NULL},
    NL_PARAM_END,
};

static gpointer openmp_open(const NlParams *opts, GError **error)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                    "this CPU lacks AVX2/FMA (the kernels are built for "
                    "x86-64-v3)");
        return NULL;
    }
    Omp *self = g_new0(Omp, 1);
    self->mode.threads = nl_params_is_set(opts, "threads")
                             ? (int)nl_params_get_int(opts, "threads")
                             : omp_get_max_threads();
    self->mode.batch_invariant = nl_params_get_bool(opts, "batch_invariant");
    self->library = g_strdup_printf("numlab %s kernels, OpenMP %d, AVX2+FMA, "
                                    "gemm 6x16 micro-kernel",
                                    PACKAGE_VERSION, _OPENMP);
    if (self->mode.batch_invariant)
        self->order = g_strdup_printf(
            "batch-invariant: sum/dot: 32 lanes (FMA for dot), folded "
            "pairwise, in blocks of %d elements added left to right, "
            "whatever the thread count; gemm and gemv: one FMA chain over k "
            "per element, independent of m and threads",
            PAR_FIXED_BLOCK);
    else
        self->order = g_strdup_printf(
            "sum/dot: 32 lanes (FMA for dot), folded pairwise, then the "
            "partials of %d contiguous per-thread chunks in thread order "
            "(one chunk below %d elements); gemm: one FMA chain over k per "
            "element, independent of m and threads; gemv: one 32-lane dot "
            "per row, not gemm's order",
            self->mode.threads, PAR_PARALLEL_MIN);
    return self;
}

static void openmp_close(gpointer p)
{
    Omp *self = p;
    g_free(self->library);
    g_free(self->order);
    g_free(self);
}

static void openmp_describe(gpointer p, NlBackendInfo *info)
{
    Omp *self = p;
    info->library = self->library;
    info->device = "CPU";
    info->threads = self->mode.threads;
    info->summation_order = self->order;
}

/* Buffers: numlab's host memory (alloc, free, upload, download NULL). */

static gboolean kernel_sum(gpointer p, const NlBuffer *x, gsize n,
                           float *result, GError **error)
{
    (void)error;
    *result = par_sum_f32(x->host, n, ((Omp *)p)->mode);
    return TRUE;
}

static gboolean kernel_dot(gpointer p, const NlBuffer *x, const NlBuffer *y,
                           gsize n, float *result, GError **error)
{
    (void)error;
    *result = par_dot_f32(x->host, y->host, n, ((Omp *)p)->mode);
    return TRUE;
}

static gboolean kernel_gemv(gpointer p, gsize m, gsize n, const NlBuffer *a,
                            gsize lda, const NlBuffer *x, NlBuffer *y,
                            GError **error)
{
    (void)error;
    par_gemv_f32(m, n, a->host, lda, x->host, y->host, ((Omp *)p)->mode);
    return TRUE;
}

static gboolean kernel_gemm(gpointer p, gsize m, gsize n, gsize k,
                            const NlBuffer *a, gsize lda, const NlBuffer *b,
                            gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    if (par_gemm_f32(m, n, k, a->host, lda, b->host, ldb, c->host, ldc,
                     ((Omp *)p)->mode.threads))
        return TRUE;
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                   "openmp gemm: no memory for its packing buffers");
}

static gboolean kernel_softmax(gpointer p, const NlBuffer *x, NlBuffer *y,
                               gsize n, float temperature, GError **error)
{
    (void)error;
    par_softmax_f32(x->host, y->host, n, temperature, ((Omp *)p)->mode);
    return TRUE;
}

static gboolean kernel_tiled_sum(gpointer p, const NlBuffer *x, gsize n,
                                 gsize tile, float *result, GError **error)
{
    gsize n_tiles = n / tile + (n % tile != 0);
    /* a few tiles (a context of some thousand values) need no heap */
    float stack[256], *partials = stack;
    if (n_tiles > G_N_ELEMENTS(stack) &&
        !(partials = nl_alloc_f32(n_tiles, error)))
        return FALSE;
    *result = par_tiled_sum_f32(x->host, n, tile, partials, ((Omp *)p)->mode);
    if (partials != stack)
        nl_free(partials);
    return TRUE;
}

static const NlBackendOps openmp_ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = openmp_open,
    .close = openmp_close,
    .describe = openmp_describe,
    .sum = kernel_sum,
    .dot = kernel_dot,
    .gemv = kernel_gemv,
    .gemm = kernel_gemm,
    .softmax = kernel_softmax,
    .tiled_sum = kernel_tiled_sum,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_BACKEND, .name = "openmp", .version = PACKAGE_VERSION,
        .summary =
            "numlab's own AVX2/FMA kernels, cache-blocked, OpenMP threads",
        .backend = &openmp_ops, )
