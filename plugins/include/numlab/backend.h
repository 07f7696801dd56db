/* numlab/backend.h — compute backends: what a backend module implements
 * (NlBackendOps) and what an experiment calls (nl_backend_*).
 *
 * The first kernels work on float32 data in backend buffers; the _in
 * kernels ("Precisions" below) on buffers of any precision, accumulating
 * in a precision the call names. Matrices are row-major with explicit leading
 * dimensions (the distance, in elements, between the starts of two rows). The
 * host checks every size, leading dimension and buffer before a kernel runs, so
 * a backend's kernel can assume valid arguments; it still reports failures of
 * its own (a CUDA launch error) through GError.
 *
 * Summation orders are part of each backend's contract and are stated by
 * describe(). tiled_sum splits x into tiles of `tile` consecutive elements
 * (the last tile holds the rest) and sums each tile in the backend's own
 * order — sequentially on naive, as its thread block's tree on CUDA — and
 * then combines the tile partials in one tree that is the same on every
 * backend, because it *is* the object of study: bottom-up in adjacent
 * pairs, level by level, p[i] += p[i + s] for s = 1, 2, 4, ... and i a
 * multiple of 2s — the tree a GPU's second reduction pass builds. Three
 * tiles give (p0 + p1) + p2. */
#ifndef NUMLAB_BACKEND_H
#define NUMLAB_BACKEND_H

#include <glib.h>
#include <numlab/params.h>
#include <numlab/precision.h>

G_BEGIN_DECLS

typedef struct NlBackend NlBackend; /* an opened backend, owned by the host */

/* A buffer of n values of one precision, `type`, owned by one opened
 * backend: float32 (0, what every buffer was before the precision axis)
 * or float64, bfloat16, float16 (nl_backend_alloc_as). CPU backends set
 * `host` and compute on it in place; device backends keep the data in
 * `device` and leave `host` NULL. A `host` that is set is where the values
 * are, always: numlab reads and writes it in place where the backend has
 * no hook (upload, download, and the kernels below), so a backend that
 * stages through host memory must not expose the staging copy as `host`.
 * The host allocates every NlBuffer and a backend's hooks fill it, so its
 * size is fixed within an ABI: a field added later takes over reserved
 * words, which the host zeroes and plugins leave alone. */
typedef struct NlBuffer {
    gsize n;            /* capacity in values of `type` */
    float *host;        /* host-addressable data, or NULL; for another type
                           than float32 it points to values of that type
                           (double *, nl_bf16 *, nl_f16 *): cast it */
    gpointer device;    /* backend-private data (device pointer), or NULL */
    NlBackend *backend; /* the owner; set by the host */
    NlPrecision type;   /* appended in ABI 2 in the first reserved word;
                           set by the host before alloc */
    gpointer reserved[3];
} NlBuffer;

/* What describe() reports. Strings belong to the backend and stay valid
 * until close(). The host allocates it zeroed and describe() fills it,
 * so, as with NlBuffer, a later field takes over reserved words and a
 * backend that predates it leaves it 0 ("not stated"). */
typedef struct NlBackendInfo {
    const char *library; /* e.g. "OpenBLAS 0.3.21 Haswell MAX_THREADS=64" */
    const char *device;  /* e.g. "CPU" or "NVIDIA H100, 132 SMs" */
    int threads;         /* threads a kernel uses */
    const char *summation_order; /* one line: how sum/dot/gemm accumulate */
    /* Appended in ABI 2 in the first four reserved words: per storage
     * precision (indexed by NlPrecision), one line saying how the _in kernels
     * compute on it and whether natively or emulated, e.g. for bfloat16
     * "float32 accumulation: vdpbf16ps (native AVX512-BF16); bfloat16
     * accumulation: emulated, rounded after every operation". NULL: not
     * stated; the host then says that numlab's reference runs. */
    const char *precisions[NL_N_PRECISIONS];
    gpointer reserved[4];
} NlBackendInfo;

/* What a backend's times() hook reports: cumulative seconds since open(),
 * of every call (kernels, uploads and downloads alike). The host zeroes
 * it; a later field takes over a reserved word. */
typedef struct NlBackendTimes {
    guint64 calls;          /* calls that reached the workers */
    double compute_seconds; /* in the calls' own arithmetic */
    double comm_seconds;    /* in communication, waiting for peers included */
    double reserved[5];
} NlBackendTimes;

/* Filled by the module, read only by the host: hooks are appended without
 * an ABI bump (plugin.h); one beyond a module's struct_size is NULL. */
struct NlBackendOps {
    gsize struct_size;          /* sizeof(NlBackendOps) as compiled */
    const NlParamSpec *options; /* -b NAME:key=value options, or NULL */

    /* Probe the hardware and create the backend's state. Return NULL with
     * NL_BACKEND_ERROR_UNAVAILABLE when the hardware or library is absent. */
    gpointer (*open)(const NlParams *options, GError **error);
    void (*close)(gpointer self);
    void (*describe)(gpointer self, NlBackendInfo *info);

    /* Buffers: alloc fills buf->host and/or buf->device for buf->n values.
     * A backend that leaves alloc NULL computes on host memory numlab
     * allocates and frees (64-byte aligned); upload and download left NULL
     * copy to and from buf->host. */
    gboolean (*alloc)(gpointer self, NlBuffer *buf, GError **error);
    void (*free)(gpointer self, NlBuffer *buf);
    gboolean (*upload)(gpointer self, NlBuffer *dst, const float *src, gsize n,
                       GError **error);
    gboolean (*download)(gpointer self, const NlBuffer *src, float *dst,
                         gsize n, GError **error);

    /* *result = x[0] + ... + x[n-1] in the backend's order. */
    gboolean (*sum)(gpointer self, const NlBuffer *x, gsize n, float *result,
                    GError **error);
    /* *result = x[0]*y[0] + ... + x[n-1]*y[n-1]. */
    gboolean (*dot)(gpointer self, const NlBuffer *x, const NlBuffer *y,
                    gsize n, float *result, GError **error);
    /* y[0..m) = A x, A is m x n with row stride lda. */
    gboolean (*gemv)(gpointer self, gsize m, gsize n, const NlBuffer *a,
                     gsize lda, const NlBuffer *x, NlBuffer *y, GError **error);
    /* C = A B; A is m x k (lda), B is k x n (ldb), C is m x n (ldc). */
    gboolean (*gemm)(gpointer self, gsize m, gsize n, gsize k,
                     const NlBuffer *a, gsize lda, const NlBuffer *b, gsize ldb,
                     NlBuffer *c, gsize ldc, GError **error);
    /* y = softmax(x / temperature), temperature > 0; y may alias x. */
    gboolean (*softmax)(gpointer self, const NlBuffer *x, NlBuffer *y, gsize n,
                        float temperature, GError **error);
    /* The tile tree described at the top of this file. */
    gboolean (*tiled_sum)(gpointer self, const NlBuffer *x, gsize n, gsize tile,
                          float *result, GError **error);
    /* dst[0..n) = src[0..n) within the backend's memory: the benchmark's
     * measure of a device's memory bandwidth. */
    gboolean (*copy)(gpointer self, NlBuffer *dst, const NlBuffer *src, gsize n,
                     GError **error);

    /* A kernel hook left NULL (or beyond struct_size): when the call's
     * buffers are host memory, numlab runs libnumlab's reference kernel
     * (numlab/reference.h) on them in its place, and the run's manifest
     * records it (fallback=KERNEL,...); on device memory the call fails
     * with NL_BACKEND_ERROR_UNSUPPORTED. */

    /* Before any job uses a backend, the host checks every kernel it
     * provides against exact values (doc/self-check.md). When `kernel`
     * ("sum", "dot", "gemv", "gemm", "softmax", "tiled_sum", "copy") fails,
     * the host calls this hook: switch that kernel to another, correct
     * path of this backend and return a one-line description of the
     * change ("cblas_ssum replaced by ..."), owned by the backend until
     * close(); or return NULL when there is none. The host then checks the
     * kernel again, and marks it unusable if it still fails. describe() is
     * called again afterwards, so its summation order can say what runs.
     * NULL: the backend has no substitutes. */
    const char *(*substitute)(gpointer self, const char *kernel);

    /* ---- Precisions (appended within ABI 2) ----
     * The kernels above on buffers of any precision, accumulating in
     * `acc`. A module that provides any of these promises that its
     * alloc, upload and download honour buf->type (nl_precision_size
     * bytes a value); a module without them is a float32 backend, and
     * numlab never hands its hooks another precision: it holds such
     * buffers in host memory of its own (also for a module with its own
     * alloc) and runs its reference on them, reading and writing the
     * module's float32 operands through download and upload. The
     * host calls them only for what the float32 hooks cannot do: a call with
     * float32 buffers and float32 accumulation goes to sum, dot, ... above. It
     * has checked that acc holds every input's precision (nl_precision_holds);
     * an output buffer may be of any precision and receives each result rounded
     * once from acc. Scalar results are the accumulator's value, exactly, as a
     * double. The order is the backend's own, stated per precision in
     * describe()'s precisions[].
     *
     * A combination the backend does not compute (a precision its
     * hardware or library lacks) returns FALSE with
     * NL_BACKEND_ERROR_UNSUPPORTED: the host then runs numlab's
     * reference (numlab/reference.h) on host buffers, and records it as
     * for a missing hook ("gemm:bfloat16"). */
    gboolean (*sum_in)(gpointer self, const NlBuffer *x, gsize n,
                       NlPrecision acc, double *result, GError **error);
    gboolean (*dot_in)(gpointer self, const NlBuffer *x, const NlBuffer *y,
                       gsize n, NlPrecision acc, double *result,
                       GError **error);
    gboolean (*gemv_in)(gpointer self, gsize m, gsize n, const NlBuffer *a,
                        gsize lda, const NlBuffer *x, NlBuffer *y,
                        NlPrecision acc, GError **error);
    gboolean (*gemm_in)(gpointer self, gsize m, gsize n, gsize k,
                        const NlBuffer *a, gsize lda, const NlBuffer *b,
                        gsize ldb, NlBuffer *c, gsize ldc, NlPrecision acc,
                        GError **error);
    gboolean (*tiled_sum_in)(gpointer self, const NlBuffer *x, gsize n,
                             gsize tile, NlPrecision acc, double *result,
                             GError **error);

    /* ---- Where the time goes (appended within ABI 2) ----
     * For a backend whose kernels communicate between processes or
     * devices (mpi): the seconds its calls have spent computing and
     * communicating since open(), as the backend measured them, added
     * into `times` (zeroed by the host). The rest of a call's wall time
     * is dispatch: the request reaching the workers and the answer
     * coming back. NULL: the backend does not split its time. */
    void (*times)(gpointer self, NlBackendTimes *times);
};

#define NL_BACKEND_ERROR (nl_backend_error_quark())
GQuark nl_backend_error_quark(void);

typedef enum {
    NL_BACKEND_ERROR_UNAVAILABLE, /* hardware or library absent: a skip */
    NL_BACKEND_ERROR_ARGUMENT,    /* a size or buffer that does not fit */
    NL_BACKEND_ERROR_UNSUPPORTED, /* the kernel is absent and the buffers
                                     are not host memory */
    NL_BACKEND_ERROR_FAILED,      /* the kernel itself failed */
    NL_BACKEND_ERROR_UNUSABLE,    /* the kernel failed its self-check */
} NlBackendError;

/* ---- What experiments call. Each checks its arguments first. ---- */

const char *nl_backend_name(const NlBackend *backend);  /* "naive" */
const char *nl_backend_label(const NlBackend *backend); /* "blas:threads=2" */
const NlBackendInfo *nl_backend_info(const NlBackend *backend);

NlBuffer *nl_backend_alloc(NlBackend *backend, gsize n, GError **error);
void nl_backend_free(NlBackend *backend, NlBuffer *buf);
gboolean nl_backend_upload(NlBackend *backend, NlBuffer *dst, const float *src,
                           gsize n, GError **error);
gboolean nl_backend_download(NlBackend *backend, const NlBuffer *src,
                             float *dst, gsize n, GError **error);
/* alloc + upload in one call. */
NlBuffer *nl_backend_new_from(NlBackend *backend, const float *src, gsize n,
                              GError **error);

gboolean nl_backend_sum(NlBackend *backend, const NlBuffer *x, gsize n,
                        float *result, GError **error);
gboolean nl_backend_dot(NlBackend *backend, const NlBuffer *x,
                        const NlBuffer *y, gsize n, float *result,
                        GError **error);
gboolean nl_backend_gemv(NlBackend *backend, gsize m, gsize n,
                         const NlBuffer *a, gsize lda, const NlBuffer *x,
                         NlBuffer *y, GError **error);
gboolean nl_backend_gemm(NlBackend *backend, gsize m, gsize n, gsize k,
                         const NlBuffer *a, gsize lda, const NlBuffer *b,
                         gsize ldb, NlBuffer *c, gsize ldc, GError **error);
gboolean nl_backend_softmax(NlBackend *backend, const NlBuffer *x, NlBuffer *y,
                            gsize n, float temperature, GError **error);
gboolean nl_backend_tiled_sum(NlBackend *backend, const NlBuffer *x, gsize n,
                              gsize tile, float *result, GError **error);
gboolean nl_backend_copy(NlBackend *backend, NlBuffer *dst, const NlBuffer *src,
                         gsize n, GError **error);

/* ---- Precisions (appended within ABI 2) ----
 * The calls above take float32 buffers and name the buffer that is not.
 * These take buffers of any precision (numlab/precision.h) and the
 * precision to accumulate in, which must hold every input's
 * (nl_precision_holds: float32 for bfloat16 and float16 data, float64
 * for anything); with float32 throughout they are the calls above. */

/* A buffer of n values of precision `type`. */
NlBuffer *nl_backend_alloc_as(NlBackend *backend, NlPrecision type, gsize n,
                              GError **error);
/* The buffer's precision. */
NlPrecision nl_backend_buffer_type(const NlBuffer *buf);
/* dst[0..n) = src[0..n), each value rounded once to dst's precision. */
gboolean nl_backend_upload_values(NlBackend *backend, NlBuffer *dst,
                                  const double *src, gsize n, GError **error);
/* The same from float32 values (exact for a float64 buffer). */
gboolean nl_backend_upload_rounded(NlBackend *backend, NlBuffer *dst,
                                   const float *src, gsize n, GError **error);
/* dst[0..n) = src[0..n), exactly (every value of every type is a double). */
gboolean nl_backend_download_values(NlBackend *backend, const NlBuffer *src,
                                    double *dst, gsize n, GError **error);
/* alloc_as + upload_values. */
NlBuffer *nl_backend_new_as(NlBackend *backend, NlPrecision type,
                            const double *src, gsize n, GError **error);

gboolean nl_backend_sum_in(NlBackend *backend, const NlBuffer *x, gsize n,
                           NlPrecision acc, double *result, GError **error);
gboolean nl_backend_dot_in(NlBackend *backend, const NlBuffer *x,
                           const NlBuffer *y, gsize n, NlPrecision acc,
                           double *result, GError **error);
gboolean nl_backend_gemv_in(NlBackend *backend, gsize m, gsize n,
                            const NlBuffer *a, gsize lda, const NlBuffer *x,
                            NlBuffer *y, NlPrecision acc, GError **error);
gboolean nl_backend_gemm_in(NlBackend *backend, gsize m, gsize n, gsize k,
                            const NlBuffer *a, gsize lda, const NlBuffer *b,
                            gsize ldb, NlBuffer *c, gsize ldc, NlPrecision acc,
                            GError **error);
gboolean nl_backend_tiled_sum_in(NlBackend *backend, const NlBuffer *x, gsize n,
                                 gsize tile, NlPrecision acc, double *result,
                                 GError **error);
/* Whether the last _in call that reached a kernel ran numlab's reference
 * in the backend's place (it declined the combination or lacks the hook)
 * rather than the backend's own kernel; an all-float32 call counts as
 * the backend's own. */
gboolean nl_backend_last_was_reference(const NlBackend *backend);

/* Where the backend's time went since it was opened (NlBackendTimes):
 * FALSE, with *times zeroed, when it does not say (no times hook). Take it
 * before and after the calls of interest and subtract. */
gboolean nl_backend_times(const NlBackend *backend, NlBackendTimes *times);

G_END_DECLS

#endif /* NUMLAB_BACKEND_H */
