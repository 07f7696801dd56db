/* blas.c — the blas backend's module: a loader that keeps OpenBLAS out of
 * every numlab process that does not open the backend.
 *
 * numlab list, help, plot and run load every module in their process.
 * Linked with OpenBLAS (and through it libgfortran), this module cost each
 * of them about 5 ms at start-up (doc/performance.md, "Start-up"); issue
 * 19 allows 20 ms in all. So it links no BLAS: it answers the plugin ABI
 * itself (the descriptor, the options table), and its open() loads the
 * companion numlab-blas-impl.so (impl.c, precision.c; impl.h says where it
 * lies) and calls the companion's open(). Every other hook forwards to the
 * companion's (backends/common/forward.c), and the state is the
 * companion's own, so describe() tells the OpenBLAS actually loaded. */
#include "config.h"

#include "impl.h"

#include "../common/forward.h"

#include <numlab/numlab.h>

static const NlParamSpec options[] = {
    {"threads", NL_PARAM_INT, NULL, 1, 1024,
     "OpenBLAS threads (default: OpenBLAS's own choice, all cores)", NULL,
     NULL},
    NL_PARAM_END,
};

static const NlBackendOps blas_ops;

static gpointer blas_open(const NlParams *opts, GError **error)
{
    if (!forward_load(&blas_ops, NL_BLAS_IMPL_FILE, NL_BLAS_IMPL_SYMBOL, error))
        return NULL;
    return forward_impl->open(opts, error);
}

/* Exactly the hooks impl.c sets; forward_load() checks that they agree. */
static const NlBackendOps blas_ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = blas_open,
    .close = forward_close,
    .describe = forward_describe,
    .sum = forward_sum,
    .dot = forward_dot,
    .gemv = forward_gemv,
    .gemm = forward_gemm,
    .softmax = forward_softmax,
    .tiled_sum = forward_tiled_sum,
    .substitute = forward_substitute,
    .sum_in = forward_sum_in,
    .dot_in = forward_dot_in,
    .gemv_in = forward_gemv_in,
    .gemm_in = forward_gemm_in,
    .tiled_sum_in = forward_tiled_sum_in,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_BACKEND, .name = "blas", .version = PACKAGE_VERSION,
        .summary = "OpenBLAS: cblas_ssum, sdot, sgemv, sgemm, with its threads",
        .backend = &blas_ops, )
