/* impl.c — the CUDA backend itself: device-resident buffers, numlab's own
 * block-tree reductions (kernels.cu) and cuBLAS for gemm and gemv — or,
 * with batch_invariant=1, numlab's fixed-order gemm and gemv (gemm.cu).
 *
 * This is not the module the registry loads: it is built into
 * numlab-cuda-impl.so with the CUDA runtime and cuBLAS, and cuda.c, the
 * module, opens it only when the backend is opened where the driver has a
 * device (impl.h), so that no other numlab process maps those libraries.
 * It is the cuda module's companion library (numlab/companion.h).
 * The options table is cuda.c's, and cuda.c has checked the options and
 * the device number against the driver before calling open() here.
 *
 * Buffers live in device memory (cudaMalloc) and stay there between
 * kernels, so a kernel's time is the kernel, not the PCIe copy. cuBLAS runs
 * in CUBLAS_DEFAULT_MATH — full float32, no TF32 tensor cores — unless the
 * option tf32=1 asks for them; describe() records which. cuBLAS picks its
 * kernel (tiling, split-K) by shape, so a row of C changes its last bits
 * with the batch size m, and its gemv sums in yet another order. With
 * batch_invariant=1 every element of gemm and gemv is one FMA chain over k
 * whatever m is — the openmp backend's gemm order, bit for bit; it excludes
 * tf32=1, which cuda.c refuses. */
#include "config.h"

#include "impl.h"
#include "kernels.h"

#include <numlab/numlab.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <limits.h>

typedef struct {
    int device;
    gboolean tf32;
    gboolean batch_invariant; /* gemm/gemv: gemm.cu's chains, not cuBLAS */
    cublasHandle_t blas;
    float *scratch; /* device: reduction partials */
    gsize scratch_floats;
    char *library;
    char *device_name;
    char *order;
} Cuda;

static gboolean cuda_fail(int code, const char *what, GError **error)
{
    if (code == 0)
        return TRUE;
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                   "cuda: %s: %s", what, cudaGetErrorString((cudaError_t)code));
}

static gboolean cublas_fail(cublasStatus_t status, const char *what,
                            GError **error)
{
    if (status == CUBLAS_STATUS_SUCCESS)
        return TRUE;
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                   "cuda: %s: %s", what, cublasGetStatusString(status));
}

/* Enough device scratch for a reduction over n with this tile. */
static gboolean ensure_scratch(Cuda *self, gsize n, gsize tile, GError **error)
{
    gsize need = cuda_scratch_floats(n, tile);
    if (need <= self->scratch_floats)
        return TRUE;
    cudaFree(self->scratch);
    self->scratch = NULL;
    self->scratch_floats = 0;
    if (!cuda_fail(cudaMalloc((void **)&self->scratch, need * sizeof(float)),
                   "cudaMalloc of reduction scratch", error))
        return FALSE;
    self->scratch_floats = need;
    return TRUE;
}

static void cuda_close(gpointer p);

/* The summation order describe() states. */
static char *order_string(gboolean batch_invariant)
{
    if (batch_invariant)
        return g_strdup_printf(
            "batch-invariant: gemm and gemv: one FMA chain over k per element, "
            "numlab's kernel, independent of m; sum/dot (dot with fmaf): "
            "grid-stride over min(ceil(n/%d), 1024) blocks of %d threads, "
            "shared-memory tree per block, one block folds the partials "
            "(depends on n only); tiled_sum: one block per tile",
            CUDA_BLOCK, CUDA_BLOCK);
    return g_strdup_printf(
        "sum/dot (dot with fmaf): grid-stride over up to 1024 blocks of %d "
        "threads, "
        "shared-memory tree per block, one block folds the partials; "
        "tiled_sum: one block per tile; gemm/gemv: cuBLAS",
        CUDA_BLOCK);
}

static gpointer cuda_open(const NlParams *opts, GError **error)
{
    gboolean tf32 = nl_params_get_bool(opts, "tf32");
    gboolean batch_invariant = nl_params_get_bool(opts, "batch_invariant");
    /* cuda.c found a driver with a device; the runtime may still refuse
     * it ("CUDA driver version is insufficient for CUDA runtime version"
     * where the driver is older than the runtime). */
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                    "no CUDA device (%s)",
                    e != cudaSuccess ? cudaGetErrorString(e)
                                     : "cudaGetDeviceCount found none");
        return NULL;
    }
    int device = (int)nl_params_get_int(opts, "device");
    if (device >= count) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                    "no CUDA device %d (this machine has %d)", device, count);
        return NULL;
    }
    Cuda *self = g_new0(Cuda, 1);
    self->device = device;
    self->tf32 = tf32;
    self->batch_invariant = batch_invariant;
    struct cudaDeviceProp prop;
    int runtime = 0, driver = 0, blas_version = 0;
    if (!cuda_fail(cudaSetDevice(device), "cudaSetDevice", error) ||
        !cuda_fail(cudaGetDeviceProperties(&prop, device),
                   "cudaGetDeviceProperties", error) ||
        !cublas_fail(cublasCreate(&self->blas), "cublasCreate", error) ||
        !cublas_fail(cublasSetMathMode(self->blas,
                                       self->tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                                  : CUBLAS_DEFAULT_MATH),
                     "cublasSetMathMode", error) ||
        !ensure_scratch(self, 0, 1, error)) {
        cuda_close(self);
        return NULL;
    }
    cudaRuntimeGetVersion(&runtime);
    cudaDriverGetVersion(&driver);
    cublasGetVersion(self->blas, &blas_version);
    self->device_name =
        g_strdup_printf("%s, %d SMs, sm_%d%d", prop.name,
                        prop.multiProcessorCount, prop.major, prop.minor);
    self->library = g_strdup_printf(
        "CUDA runtime %d.%d, driver %d.%d, cuBLAS %d, math %s", runtime / 1000,
        (runtime % 1000) / 10, driver / 1000, (driver % 1000) / 10,
        blas_version,
        self->batch_invariant
            ? "unused: gemm/gemv in numlab's batch-invariant float32 kernels"
        : self->tf32 ? "TF32 tensor op"
                     : "default (float32, no TF32)");
    self->order = order_string(self->batch_invariant);
    return self;
}

static void cuda_close(gpointer p)
{
    Cuda *self = p;
    if (self->blas)
        cublasDestroy(self->blas);
    cudaFree(self->scratch);
    g_free(self->library);
    g_free(self->device_name);
    g_free(self->order);
    g_free(self);
}

static void cuda_describe(gpointer p, NlBackendInfo *info)
{
    Cuda *self = p;
    info->library = self->library;
    info->device = self->device_name;
    info->threads = CUDA_BLOCK;
    info->summation_order = self->order;
    /* no _in kernels yet (they need a GPU to be verified on: issue 20):
     * numlab keeps the other precisions' buffers in host memory and runs
     * its reference (numlab/backend.h) */
    static const char *const host_reference =
        "not on the GPU yet: numlab's exact reference on the host, the "
        "float32 operands copied from and to the GPU (recorded as "
        "fallback=KERNEL:PRECISION)";
    info->precisions[NL_PRECISION_F32] =
        "float32 accumulation: the kernels above; float64 accumulation: "
        "numlab's exact reference on the host (the operands copied from "
        "the GPU)";
    info->precisions[NL_PRECISION_F64] = host_reference;
    info->precisions[NL_PRECISION_BF16] = host_reference;
    info->precisions[NL_PRECISION_F16] = host_reference;
}

static gboolean cuda_alloc(gpointer self, NlBuffer *buf, GError **error)
{
    (void)self;
    gsize bytes;
    if (!nl_size_mul(MAX(buf->n, 1), nl_precision_size(buf->type), &bytes)) {
        return nl_fail(error, NL_ALLOC_ERROR, NL_ALLOC_ERROR_OVERFLOW,
                       "%" G_GSIZE_FORMAT " values do not fit in memory",
                       buf->n);
    }
    cudaError_t e = cudaMalloc(&buf->device, bytes);
    if (e != cudaSuccess) {
        g_autofree char *size =
            g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);
        return nl_fail(error, NL_ALLOC_ERROR, NL_ALLOC_ERROR_NOMEM,
                       "cannot allocate %s on the GPU: %s", size,
                       cudaGetErrorString(e));
    }
    return TRUE;
}

static void cuda_free(gpointer self, NlBuffer *buf)
{
    (void)self;
    cudaFree(buf->device);
}

static gboolean cuda_upload(gpointer self, NlBuffer *dst, const float *src,
                            gsize n, GError **error)
{
    (void)self;
    return cuda_fail(cudaMemcpy(dst->device, src,
                                n * nl_precision_size(dst->type),
                                cudaMemcpyHostToDevice),
                     "upload", error);
}

static gboolean cuda_download(gpointer self, const NlBuffer *src, float *dst,
                              gsize n, GError **error)
{
    (void)self;
    return cuda_fail(cudaMemcpy(dst, src->device,
                                n * nl_precision_size(src->type),
                                cudaMemcpyDeviceToHost),
                     "download", error);
}

static gboolean cuda_sum(gpointer p, const NlBuffer *x, gsize n, float *result,
                         GError **error)
{
    Cuda *self = p;
    return ensure_scratch(self, n, 0, error) &&
           cuda_fail(cuda_sum_f32(x->device, n, self->scratch, result), "sum",
                     error);
}

static gboolean cuda_dot(gpointer p, const NlBuffer *x, const NlBuffer *y,
                         gsize n, float *result, GError **error)
{
    Cuda *self = p;
    return ensure_scratch(self, n, 0, error) &&
           cuda_fail(
               cuda_dot_f32(x->device, y->device, n, self->scratch, result),
               "dot", error);
}

static gboolean fits_int(gsize v, const char *what, GError **error)
{
    if (v <= INT_MAX)
        return TRUE;
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                   "cuda: %s = %" G_GSIZE_FORMAT " exceeds cuBLAS's int range "
                   "(batch_invariant=1 has no such limit)",
                   what, v);
}

/* Row-major y = A x is column-major y = (A^T)^T x: cuBLAS sees A as the
 * n x m column-major matrix A^T and is asked for its transpose. In
 * batch-invariant mode: gemm.cu's chain per row instead. */
static gboolean cuda_gemv(gpointer p, gsize m, gsize n, const NlBuffer *a,
                          gsize lda, const NlBuffer *x, NlBuffer *y,
                          GError **error)
{
    Cuda *self = p;
    if (self->batch_invariant)
        return cuda_fail(
            cuda_gemv_chain_f32(m, n, a->device, lda, x->device, y->device),
            "gemv", error);
    if (!fits_int(m, "m", error) || !fits_int(n, "n", error) ||
        !fits_int(lda, "lda", error))
        return FALSE;
    if (m == 0)
        return TRUE;
    if (n == 0)
        return cuda_fail(cuda_zero_f32(y->device, 1, m, m), "gemv", error);
    const float one = 1.0f, zero = 0.0f;
    return cublas_fail(cublasSgemv(self->blas, CUBLAS_OP_T, (int)n, (int)m,
                                   &one, a->device, (int)lda, x->device, 1,
                                   &zero, y->device, 1),
                       "cublasSgemv", error) &&
           cuda_fail(cudaDeviceSynchronize(), "gemv", error);
}

/* Row-major C = A B is column-major C^T = B^T A^T: swap the operands. In
 * batch-invariant mode: gemm.cu's one chain per element instead. */
static gboolean cuda_gemm(gpointer p, gsize m, gsize n, gsize k,
                          const NlBuffer *a, gsize lda, const NlBuffer *b,
                          gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    Cuda *self = p;
    if (self->batch_invariant)
        return cuda_fail(cuda_gemm_chain_f32(m, n, k, a->device, lda, b->device,
                                             ldb, c->device, ldc),
                         "gemm", error);
    if (!fits_int(m, "m", error) || !fits_int(n, "n", error) ||
        !fits_int(k, "k", error) || !fits_int(lda, "lda", error) ||
        !fits_int(ldb, "ldb", error) || !fits_int(ldc, "ldc", error))
        return FALSE;
    if (m == 0 || n == 0)
        return TRUE;
    if (k == 0)
        return cuda_fail(cuda_zero_f32(c->device, m, n, ldc), "gemm", error);
    const float one = 1.0f, zero = 0.0f;
    return cublas_fail(cublasSgemm(self->blas, CUBLAS_OP_N, CUBLAS_OP_N, (int)n,
                                   (int)m, (int)k, &one, b->device, (int)ldb,
                                   a->device, (int)lda, &zero, c->device,
                                   (int)ldc),
                       "cublasSgemm", error) &&
           cuda_fail(cudaDeviceSynchronize(), "gemm", error);
}

static gboolean cuda_softmax(gpointer p, const NlBuffer *x, NlBuffer *y,
                             gsize n, float temperature, GError **error)
{
    Cuda *self = p;
    return ensure_scratch(self, n, 0, error) &&
           cuda_fail(cuda_softmax_f32(x->device, y->device, n, temperature,
                                      self->scratch),
                     "softmax", error);
}

static gboolean cuda_tiled_sum(gpointer p, const NlBuffer *x, gsize n,
                               gsize tile, float *result, GError **error)
{
    Cuda *self = p;
    if (n / tile >= INT_MAX) {
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                       "cuda: %" G_GSIZE_FORMAT " tiles exceed the grid limit",
                       n / tile);
    }
    return ensure_scratch(self, n, tile, error) &&
           cuda_fail(
               cuda_tiled_sum_f32(x->device, n, tile, self->scratch, result),
               "tiled_sum", error);
}

static gboolean cuda_copy(gpointer self, NlBuffer *dst, const NlBuffer *src,
                          gsize n, GError **error)
{
    (void)self;
    return cuda_fail(cudaMemcpy(dst->device, src->device, n * sizeof(float),
                                cudaMemcpyDeviceToDevice),
                     "copy", error) &&
           cuda_fail(cudaDeviceSynchronize(), "copy", error);
}

/* options stays NULL: the host reads cuda.c's table, before this library
 * is loaded. cuda.c forwards every hook set here: one added here needs its
 * forwarder there. */
static const NlBackendOps cuda_ops = {
    .struct_size = sizeof(NlBackendOps),
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

gconstpointer nl_cuda_impl(const char **version)
{
    *version = PACKAGE_VERSION;
    return &cuda_ops;
}
