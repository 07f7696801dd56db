/* cuda.c — the cuda backend's module: a loader that keeps the CUDA
 * libraries out of every numlab process that does not open the backend.
 *
 * numlab list, help, plot and run load every module in their process.
 * Linked with cuBLAS and the CUDA runtime, this module cost each of them
 * about 70 ms and 210 MiB at start-up, GPU or not (issue 19).
 * So it links neither: it answers the plugin ABI itself (the descriptor,
 * the options table) and its open()
 *  1. checks the options,
 *  2. asks the driver whether there is a device: libcuda.so.1 through
 *     dlopen, cuInit and cuDeviceGetCount, which load no runtime and no
 *     cuBLAS; without a driver or a device the backend is unavailable and
 *     says why, as before,
 *  3. then, and only then, opens the implementation numlab-cuda-impl.so
 *     (impl.c, kernels.cu, gemm.cu; impl.h says where it lies) and calls
 *     its open().
 * numlab-cuda-impl.so is the module's companion library
 * (numlab/companion.h). Every other hook forwards to the companion's
 * (backends/common/forward.c), and the state open() returns is the
 * implementation's own, so describe() is the implementation's: the
 * runtime, driver, cuBLAS and device it actually found. The loader
 * computes nothing and holds no state but the loaded library, which stays
 * resident (as the registry keeps modules: unloading CUDA is not safe).
 * forward_load() refuses an implementation whose hooks differ from those
 * this module forwards: a hook without its forwarder would make the host
 * take that kernel for missing and fall back to the reference. */
#include "config.h"

#include "impl.h"

#include "../common/forward.h"

#include <numlab/numlab.h>

#include <cuda.h> /* the driver API's types and codes; nothing is linked */
#include <dlfcn.h>
#include <string.h>

static const NlParamSpec options[] = {
    {"device", NL_PARAM_INT, "0", 0, 63, "CUDA device number", NULL, NULL},
    {"tf32", NL_PARAM_BOOL, "0", 0, 0,
     "let cuBLAS use TF32 tensor cores for gemm (fewer mantissa bits)", NULL,
     NULL},
    {"batch_invariant", NL_PARAM_BOOL, "0", 0, 0,
     "1: gemm and gemv in numlab's own kernels, one FMA chain over k per "
     "element whatever the batch size m (not with tf32=1)",
     NULL, NULL},
    NL_PARAM_END,
};

/* ---- is there a device: the driver alone ---- */

/* How many devices the driver sees. FALSE, with the reason as an
 * UNAVAILABLE error, without a driver or where it cannot say. The driver
 * stays loaded: the runtime loads the same library next. */
static gboolean driver_devices(int *count, GError **error)
{
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        /* Absent is the usual case; any other failure is told as it is. */
        const char *why = dlerror();
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                       "no CUDA device (no NVIDIA driver is loaded: %s)",
                       why && strstr(why, "No such file")
                           ? "libcuda.so.1 not found"
                           : why);
    }
    CUresult (*init)(unsigned int);
    CUresult (*device_count)(int *);
    CUresult (*error_string)(CUresult, const char **);
    /* POSIX's way to turn a data pointer into a function pointer */
    *(void **)&init = dlsym(lib, "cuInit");
    *(void **)&device_count = dlsym(lib, "cuDeviceGetCount");
    *(void **)&error_string = dlsym(lib, "cuGetErrorString");
    if (!init || !device_count)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                       "no CUDA device (libcuda.so.1 has no cuInit or "
                       "cuDeviceGetCount: not an NVIDIA driver)");
    *count = 0;
    CUresult r = init(0);
    if (r == CUDA_SUCCESS)
        r = device_count(count);
    if (r == CUDA_SUCCESS)
        return TRUE;
    /* The toolkit's stub (lib64/stubs/ on the library path) answers every
     * call with this code, cuGetErrorString too. */
    if (r == CUDA_ERROR_STUB_LIBRARY)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                       "no CUDA device (libcuda.so.1 is the CUDA toolkit's "
                       "stub, not a driver)");
    const char *why = NULL;
    if (!error_string || error_string(r, &why) != CUDA_SUCCESS || !why)
        why = "no description";
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                   "no CUDA device (the driver says: %s; CUresult %d)", why,
                   (int)r);
}

/* ---- the hooks ---- */

static const NlBackendOps cuda_ops;

static gpointer cuda_open(const NlParams *opts, GError **error)
{
    if (nl_params_get_bool(opts, "tf32") &&
        nl_params_get_bool(opts, "batch_invariant")) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                    "tf32=1 and batch_invariant=1 exclude each other "
                    "(batch-invariant gemm is numlab's float32 kernel, not "
                    "cuBLAS)");
        return NULL;
    }
    int count = 0;
    if (!driver_devices(&count, error))
        return NULL;
    if (count == 0) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                    "no CUDA device (the driver sees none)");
        return NULL;
    }
    int device = (int)nl_params_get_int(opts, "device");
    if (device >= count) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                    "no CUDA device %d (this machine has %d)", device, count);
        return NULL;
    }
    if (!forward_load(&cuda_ops, NL_CUDA_IMPL_FILE, NL_CUDA_IMPL_SYMBOL, error))
        return NULL;
    return forward_impl->open(opts, error);
}

/* Exactly the hooks impl.c sets; forward_load() checks that they agree. */
static const NlBackendOps cuda_ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = cuda_open,
    .close = forward_close,
    .describe = forward_describe,
    .alloc = forward_alloc,
    .free = forward_free,
    .upload = forward_upload,
    .download = forward_download,
    .sum = forward_sum,
    .dot = forward_dot,
    .gemv = forward_gemv,
    .gemm = forward_gemm,
    .softmax = forward_softmax,
    .tiled_sum = forward_tiled_sum,
    .copy = forward_copy,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_BACKEND, .name = "cuda", .version = PACKAGE_VERSION,
        .summary = "NVIDIA GPU: own reductions, cuBLAS or own batch-invariant "
                   "gemm/gemv",
        .backend = &cuda_ops, )
