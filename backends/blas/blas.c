/* blas.c — the OpenBLAS backend: the library's own kernels and threads.
 *
 * sum, dot, gemv and gemm are one call each into OpenBLAS (cblas_ssum,
 * cblas_sdot, cblas_sgemv, cblas_sgemm), so what this backend measures is
 * OpenBLAS itself: its vectorized, blocked and threaded summation orders.
 * softmax and tiled_sum have no BLAS routine; they are built from BLAS
 * calls (cblas_ssum per tile, cblas_ssum + cblas_sscal for the normalizer).
 *
 * The thread count is process-wide in OpenBLAS; each kernel sets this
 * backend's count first, so two blas jobs with different `threads` in one
 * run each get their own. It deliberately does not fall back to other code
 * when OpenBLAS lacks a routine: everything here is OpenBLAS. */
#include "config.h"

#include <numlab/numlab.h>

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <string.h>

typedef struct {
    int threads;
    char *library;
    char *order;
} Blas;

/* OpenBLAS takes int sizes; the host has checked the rest. */
static gboolean fits_int(gsize n, const char *what, GError **error)
{
    if (n <= INT_MAX)
        return TRUE;
    g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                "blas: %s = %" G_GSIZE_FORMAT " exceeds OpenBLAS's int range",
                what, n);
    return FALSE;
}

static void use_threads(Blas *self)
{
    if (openblas_get_num_threads() != self->threads)
        openblas_set_num_threads(self->threads);
}

static const NlParamSpec options[] = {
    {"threads", NL_PARAM_INT, NULL, 1, 1024,
     "OpenBLAS threads (default: OpenBLAS's own choice, all cores)", NULL},
    NL_PARAM_END,
};

static gpointer blas_open(const NlParams *opts, GError **error)
{
    (void)error;
    Blas *self = g_new0(Blas, 1);
    if (nl_params_is_set(opts, "threads"))
        openblas_set_num_threads((int)nl_params_get_int(opts, "threads"));
    self->threads = openblas_get_num_threads();
    g_autofree char *config = g_strstrip(g_strdup(openblas_get_config()));
    self->library = g_strdup_printf("%s; core %s; %s threading", config,
                                    openblas_get_corename(),
                                    openblas_get_parallel() == 2 ? "OpenMP"
                                    : openblas_get_parallel() == 1 ? "pthreads"
                                                                   : "no");
    self->order = g_strdup_printf(
        "OpenBLAS %s kernels: vector lanes and unrolled partial sums%s",
        openblas_get_corename(),
        self->threads > 1 ? ", split across threads for long vectors" : "");
    return self;
}

static void blas_close(gpointer p)
{
    Blas *self = p;
    g_free(self->library);
    g_free(self->order);
    g_free(self);
}

static void blas_describe(gpointer p, NlBackendInfo *info)
{
    Blas *self = p;
    info->library = self->library;
    info->device = "CPU";
    info->threads = self->threads;
    info->summation_order = self->order;
}

/* Buffers: numlab's host memory (alloc, free, upload, download NULL). */

static gboolean blas_sum(gpointer p, const NlBuffer *x, gsize n, float *result,
                         GError **error)
{
    if (!fits_int(n, "n", error))
        return FALSE;
    use_threads(p);
    *result = n ? cblas_ssum((int)n, x->host, 1) : 0.0f;
    return TRUE;
}

static gboolean blas_dot(gpointer p, const NlBuffer *x, const NlBuffer *y,
                         gsize n, float *result, GError **error)
{
    if (!fits_int(n, "n", error))
        return FALSE;
    use_threads(p);
    *result = n ? cblas_sdot((int)n, x->host, 1, y->host, 1) : 0.0f;
    return TRUE;
}

static gboolean blas_gemv(gpointer p, gsize m, gsize n, const NlBuffer *a,
                          gsize lda, const NlBuffer *x, NlBuffer *y,
                          GError **error)
{
    if (!fits_int(m, "m", error) || !fits_int(n, "n", error) ||
        !fits_int(lda, "lda", error))
        return FALSE;
    if (m == 0)
        return TRUE;
    if (n == 0) { /* OpenBLAS would leave y alone; the product is zero */
        memset(y->host, 0, m * sizeof(float));
        return TRUE;
    }
    use_threads(p);
    cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n, 1.0f, a->host,
                (int)lda, x->host, 1, 0.0f, y->host, 1);
    return TRUE;
}

static gboolean blas_gemm(gpointer p, gsize m, gsize n, gsize k,
                          const NlBuffer *a, gsize lda, const NlBuffer *b,
                          gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    if (!fits_int(m, "m", error) || !fits_int(n, "n", error) ||
        !fits_int(k, "k", error) || !fits_int(lda, "lda", error) ||
        !fits_int(ldb, "ldb", error) || !fits_int(ldc, "ldc", error))
        return FALSE;
    if (m == 0 || n == 0)
        return TRUE;
    if (k == 0) {
        for (gsize i = 0; i < m; i++)
            memset(c->host + i * ldc, 0, n * sizeof(float));
        return TRUE;
    }
    use_threads(p);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n,
                (int)k, 1.0f, a->host, (int)lda, b->host, (int)ldb, 0.0f,
                c->host, (int)ldc);
    return TRUE;
}

/* exp(x/T - max) in a loop (BLAS has no exp), the normalizer by
 * cblas_ssum, the division as cblas_sscal by its reciprocal. */
static gboolean blas_softmax(gpointer p, const NlBuffer *x, NlBuffer *y,
                             gsize n, float temperature, GError **error)
{
    if (!fits_int(n, "n", error))
        return FALSE;
    if (n == 0)
        return TRUE;
    use_threads(p);
    float max = x->host[0] / temperature;
    for (gsize i = 1; i < n; i++)
        max = fmaxf(max, x->host[i] / temperature);
    for (gsize i = 0; i < n; i++)
        y->host[i] = expf(x->host[i] / temperature - max);
    float total = cblas_ssum((int)n, y->host, 1);
    cblas_sscal((int)n, 1.0f / total, y->host, 1);
    return TRUE;
}

static gboolean blas_tiled_sum(gpointer p, const NlBuffer *x, gsize n,
                               gsize tile, float *result, GError **error)
{
    if (!fits_int(tile, "tile", error))
        return FALSE;
    use_threads(p);
    gsize n_tiles = n / tile + (n % tile != 0);
    if (n_tiles == 0) {
        *result = 0.0f;
        return TRUE;
    }
    float *partials = nl_alloc_f32(n_tiles, error);
    if (!partials)
        return FALSE;
    for (gsize t = 0; t < n_tiles; t++)
        partials[t] = cblas_ssum((int)MIN(tile, n - t * tile),
                                 x->host + t * tile, 1);
    for (gsize stride = 1; stride < n_tiles; stride *= 2)
        for (gsize i = 0; i + stride < n_tiles; i += 2 * stride)
            partials[i] += partials[i + stride];
    *result = partials[0];
    nl_free(partials);
    return TRUE;
}

static const NlBackendOps blas_ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = blas_open,
    .close = blas_close,
    .describe = blas_describe,
    .sum = blas_sum,
    .dot = blas_dot,
    .gemv = blas_gemv,
    .gemm = blas_gemm,
    .softmax = blas_softmax,
    .tiled_sum = blas_tiled_sum,
};

static const NlPlugin blas_plugin = {
    .abi_version = NL_ABI_VERSION,
    .kind = NL_PLUGIN_BACKEND,
    .name = "blas",
    .version = PACKAGE_VERSION,
    .summary = "OpenBLAS: cblas_ssum, sdot, sgemv, sgemm, with its threads",
    .backend = &blas_ops,
};

NL_PLUGIN_DEFINE(blas_plugin)
