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
 * Every other hook is forwarded unchanged, and the state open() returns is
 * the implementation's own, so describe() is the implementation's: the
 * runtime, driver, cuBLAS and device it actually found. The loader
 * computes nothing and holds no state but the loaded library, which stays
 * resident (as the registry keeps modules: unloading CUDA is not safe).
 *
 * Every hook the implementation sets needs its forwarder here, or the host
 * would take that kernel for missing and fall back to the reference. */
#define _GNU_SOURCE /* dladdr */
#include "config.h"

#include "impl.h"

#include <numlab/numlab.h>

#include <cuda.h> /* the driver API's types and codes; nothing is linked */
#include <dlfcn.h>
#include <gmodule.h>
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

/* ---- the implementation: found beside this module, loaded once ---- */

static const NlBackendOps *impl; /* its hooks, once loaded; under impl_lock */
G_LOCK_DEFINE_STATIC(impl_lock);

/* Installed, the implementation lies in cuda/ beside this module; in a
 * build tree, where libtool keeps this module in backends/cuda/.libs/, in
 * backends/cuda/impl/.libs/. Neither is a folder the registry scans. */
static char *impl_path(void)
{
    Dl_info info;
    if (!dladdr((const void *)impl_path, &info) || !info.dli_fname)
        return NULL;
    g_autofree char *dir = g_path_get_dirname(info.dli_fname);
    g_autofree char *base = g_path_get_basename(dir);
    if (strcmp(base, ".libs") == 0) {
        g_autofree char *up = g_path_get_dirname(dir);
        return g_build_filename(up, "impl", ".libs", NL_CUDA_IMPL_FILE, NULL);
    }
    return g_build_filename(dir, "cuda", NL_CUDA_IMPL_FILE, NULL);
}

/* Opens numlab-cuda-impl.so, and with it the CUDA runtime and cuBLAS. A
 * library that cannot be loaded (one missing, as on a GPU host without
 * cuBLAS) makes the backend unavailable; a foreign one is an error. */
static gboolean load_impl_locked(GError **error)
{
    if (impl)
        return TRUE;
    g_autofree char *path = impl_path();
    if (!path)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                       "cuda: cannot tell which file this module is "
                       "(dladdr), so not where %s is",
                       NL_CUDA_IMPL_FILE);
    g_autoptr(GError) local = NULL;
    GModule *module = g_module_open_full(path, G_MODULE_BIND_LOCAL, &local);
    if (!module)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                       "cannot load the CUDA libraries (%s)", local->message);
    /* Never closed, even when refused: CUDA's libraries are not made to
     * be unloaded (the registry keeps its modules resident too). */
    g_module_make_resident(module);
    gpointer sym = NULL;
    const NlCudaImpl *found = NULL;
    if (g_module_symbol(module, NL_CUDA_IMPL_SYMBOL, &sym) && sym)
        found = ((NlCudaImplFunc)(void (*)(void))sym)();
    if (!found || !found->version || !found->ops ||
        strcmp(found->version, PACKAGE_VERSION) != 0 ||
        found->ops->struct_size != sizeof(NlBackendOps))
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                       "cuda: %s is not the implementation of numlab %s's "
                       "cuda module (%s): rebuild or reinstall numlab",
                       path, PACKAGE_VERSION,
                       found && found->version ? found->version
                                               : "no " NL_CUDA_IMPL_SYMBOL
                                                 "() or no version");
    impl = found->ops;
    return TRUE;
}

static gboolean load_impl(GError **error)
{
    G_LOCK(impl_lock);
    gboolean ok = load_impl_locked(error);
    G_UNLOCK(impl_lock);
    return ok;
}

/* ---- the hooks ---- */

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
    return load_impl(error) ? impl->open(opts, error) : NULL;
}

/* The rest is the implementation's: it is loaded whenever a state exists. */

static void cuda_close(gpointer self)
{
    impl->close(self);
}

static void cuda_describe(gpointer self, NlBackendInfo *info)
{
    impl->describe(self, info);
}

static gboolean cuda_alloc(gpointer self, NlBuffer *buf, GError **error)
{
    return impl->alloc(self, buf, error);
}

static void cuda_free(gpointer self, NlBuffer *buf)
{
    impl->free(self, buf);
}

static gboolean cuda_upload(gpointer self, NlBuffer *dst, const float *src,
                            gsize n, GError **error)
{
    return impl->upload(self, dst, src, n, error);
}

static gboolean cuda_download(gpointer self, const NlBuffer *src, float *dst,
                              gsize n, GError **error)
{
    return impl->download(self, src, dst, n, error);
}

static gboolean cuda_sum(gpointer self, const NlBuffer *x, gsize n,
                         float *result, GError **error)
{
    return impl->sum(self, x, n, result, error);
}

static gboolean cuda_dot(gpointer self, const NlBuffer *x, const NlBuffer *y,
                         gsize n, float *result, GError **error)
{
    return impl->dot(self, x, y, n, result, error);
}

static gboolean cuda_gemv(gpointer self, gsize m, gsize n, const NlBuffer *a,
                          gsize lda, const NlBuffer *x, NlBuffer *y,
                          GError **error)
{
    return impl->gemv(self, m, n, a, lda, x, y, error);
}

static gboolean cuda_gemm(gpointer self, gsize m, gsize n, gsize k,
                          const NlBuffer *a, gsize lda, const NlBuffer *b,
                          gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    return impl->gemm(self, m, n, k, a, lda, b, ldb, c, ldc, error);
}

static gboolean cuda_softmax(gpointer self, const NlBuffer *x, NlBuffer *y,
                             gsize n, float temperature, GError **error)
{
    return impl->softmax(self, x, y, n, temperature, error);
}

static gboolean cuda_tiled_sum(gpointer self, const NlBuffer *x, gsize n,
                               gsize tile, float *result, GError **error)
{
    return impl->tiled_sum(self, x, n, tile, result, error);
}

static gboolean cuda_copy(gpointer self, NlBuffer *dst, const NlBuffer *src,
                          gsize n, GError **error)
{
    return impl->copy(self, dst, src, n, error);
}

static const NlBackendOps cuda_ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = cuda_open,
    .close = cuda_close,
    .describe = cuda_describe,
    .alloc = cuda_alloc,
    .free = cuda_free,
    .upload = cuda_upload,
    .download = cuda_download,
    .sum = cuda_sum,
    .dot = cuda_dot,
    .gemv = cuda_gemv,
    .gemm = cuda_gemm,
    .softmax = cuda_softmax,
    .tiled_sum = cuda_tiled_sum,
    .copy = cuda_copy,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_BACKEND, .name = "cuda", .version = PACKAGE_VERSION,
        .summary = "NVIDIA GPU: own reductions, cuBLAS or own batch-invariant "
                   "gemm/gemv",
        .backend = &cuda_ops, )
