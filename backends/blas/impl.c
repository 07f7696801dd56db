/* impl.c — the OpenBLAS backend itself: the library's own kernels and
 * threads.
 *
 * This is not the module the registry loads: it is the blas module's
 * companion, numlab-blas-impl.so, linked with OpenBLAS, which blas.c opens
 * when the backend is opened (impl.h), so that no other numlab process
 * loads OpenBLAS (about 5 ms at start-up). The options table is blas.c's.
 *
 * sum, dot, gemv and gemm are one call each into OpenBLAS (cblas_ssum,
 * cblas_sdot, cblas_sgemv, cblas_sgemm), so what this backend measures is
 * OpenBLAS itself: its vectorized, blocked and threaded summation orders.
 * softmax and tiled_sum have no BLAS routine; they are built from BLAS
 * calls (a sum per tile; a sum and cblas_sscal for the normalizer).
 *
 * Where the host's self-check finds cblas_ssum wrong (Debian's OpenBLAS
 * 0.3.21 under its SkylakeX and Cooperlake kernels, chosen on every
 * AVX-512 CPU: lanes dropped for n >= 16), substitute() moves every sum
 * of this backend to another OpenBLAS path, sum_by_rows below: the
 * vector as rows of ROW values, each row's sum one dot product with a
 * vector of ones inside cblas_sgemv, the row sums summed the same way,
 * the last partial row by cblas_sdot against ones. Multiplying by 1.0 is
 * exact, so this is a pure sum in OpenBLAS's own sgemv/sdot order, and as
 * fast as reading the vector (the ones stay in L1). Its threads split the
 * rows; which rows a thread's kernel takes in groups of four decides
 * their order, so, like cblas_ssum, the result may change with `threads`.
 *
 * The thread count is process-wide in OpenBLAS; each kernel sets this
 * backend's count first, so two blas jobs with different `threads` in one
 * run each get their own. It deliberately does not fall back to other code
 * when OpenBLAS lacks a routine: everything here is OpenBLAS. The other
 * precisions are in precision.c. */
#include "config.h"

#include "blas.h"
#include "impl.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* Row length of sum_by_rows: long enough that sgemv streams, short
 * enough that the vector of ones stays in L1. */
#define ROW 4096

static const char sum_substitute[] =
    "cblas_ssum replaced by cblas_sgemv against ones, in rows of 4096, "
    "the row sums alike, the rest by cblas_sdot";

gboolean blas_fits_int(gsize n, const char *what, GError **error)
{
    if (n <= INT_MAX)
        return TRUE;
    return nl_fail(
        error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
        "blas: %s = %" G_GSIZE_FORMAT " exceeds OpenBLAS's int range", what, n);
}

void blas_use_threads(Blas *self)
{
    if (openblas_get_num_threads() != self->threads)
        openblas_set_num_threads(self->threads);
}

static void set_order(Blas *self)
{
    g_free(self->order);
    /* OpenBLAS 0.3.21 runs cblas_ssum and cblas_sdot on one thread
     * whatever its thread count (the same bits at 1 and 2 threads under
     * its Haswell and Cooperlake kernels); gemv and gemm split rows. */
    self->order = g_strdup_printf(
        "OpenBLAS %s kernels: vector lanes and unrolled partial sums; "
        "cblas_ssum and cblas_sdot on one thread%s%s",
        openblas_get_corename(),
        self->threads > 1 ? ", cblas_sgemv and cblas_sgemm split across "
                            "threads"
                          : "",
        self->ones ? "; sum, tiled_sum and the softmax normalizer by "
                     "cblas_sgemv against ones (rows of 4096), because "
                     "cblas_ssum fails its self-check here"
                   : "");
}

/* "OpenBLAS 0.3.21, core Cooperlake, pthreads (NO_LAPACKE DYNAMIC_ARCH
 * ...)": the version and the kernels first, as messages quote it. */
static char *library_string(void)
{
    g_autofree char *config = g_strstrip(g_strdup(openblas_get_config()));
    g_auto(GStrv) words = g_strsplit(config, " ", 3);
    gboolean parsed = words[0] && g_str_equal(words[0], "OpenBLAS") && words[1];
    const char *threading = openblas_get_parallel() == 2   ? "OpenMP"
                            : openblas_get_parallel() == 1 ? "pthreads"
                                                           : "no threads";
    /* the build flags, without the core name DYNAMIC_ARCH builds add */
    g_autofree char *flags = g_strdup(parsed && words[2] ? words[2] : config);
    g_auto(GStrv) flag_words = g_strsplit(flags, " ", -1);
    GString *kept = g_string_new(NULL);
    for (char **w = flag_words; *w; w++)
        if (**w && !g_str_equal(*w, openblas_get_corename()))
            g_string_append_printf(kept, "%s%s", kept->len ? " " : "", *w);
    /* how its threads wait, from what OpenBLAS read when it was loaded:
     * numlab sets 4 unless the user chose (framework/numlab.c) */
    const char *timeout = g_getenv("OPENBLAS_THREAD_TIMEOUT");
    if (!timeout)
        timeout = g_getenv("GOTO_THREAD_TIMEOUT");
    g_autofree char *wait =
        timeout ? g_strdup_printf("waiting threads sleep after 2^%s cycles",
                                  timeout)
                : g_strdup("waiting threads spin about 0.1 s (OpenBLAS's "
                           "default)");
    char *s = g_strdup_printf("OpenBLAS %s, core %s, %s (%s); %s",
                              parsed ? words[1] : "?", openblas_get_corename(),
                              threading, kept->str, wait);
    g_string_free(kept, TRUE);
    return s;
}

static gpointer blas_open(const NlParams *opts, GError **error)
{
    (void)error;
    Blas *self = g_new0(Blas, 1);
    if (nl_params_is_set(opts, "threads"))
        openblas_set_num_threads((int)nl_params_get_int(opts, "threads"));
    self->threads = openblas_get_num_threads();
    self->library = library_string();
    set_order(self);
    blas_precisions_open(self);
    return self;
}

static void blas_close(gpointer p)
{
    Blas *self = p;
    g_free(self->library);
    g_free(self->order);
    nl_free(self->ones);
    blas_precisions_close(self);
    g_free(self);
}

/* Every sum of this backend passes through here. */
static float sum_by_rows(const Blas *self, const float *x, gsize n,
                         float *scratch);

gboolean blas_sum_f32(const Blas *self, const float *x, gsize n, float *result,
                      GError **error)
{
    if (n == 0) {
        *result = 0.0f;
        return TRUE;
    }
    if (!self->ones) {
        *result = cblas_ssum((int)n, x, 1);
        return TRUE;
    }
    if (n <= ROW) {
        *result = sum_by_rows(self, x, n, NULL);
        return TRUE;
    }
    /* row sums, their row sums, ...: below n / (ROW - 1) values in all */
    float *scratch = nl_alloc_f32(n / (ROW - 1) + 1, error);
    if (!scratch)
        return FALSE;
    *result = sum_by_rows(self, x, n, scratch);
    nl_free(scratch);
    return TRUE;
}

static float sum_by_rows(const Blas *self, const float *x, gsize n,
                         float *scratch)
{
    if (n <= ROW)
        return cblas_sdot((int)n, x, 1, self->ones, 1);
    gsize rows = n / ROW, rest = n % ROW;
    cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)rows, ROW, 1.0f, x, ROW,
                self->ones, 1, 0.0f, scratch, 1);
    float total = sum_by_rows(self, scratch, rows, scratch + rows);
    return rest
               ? total + cblas_sdot((int)rest, x + rows * ROW, 1, self->ones, 1)
               : total;
}

/* The host's self-check found `kernel` wrong. All three kernels built on
 * cblas_ssum move to sum_by_rows; the host checks them again. Nothing
 * else here has a second OpenBLAS path. */
static const char *blas_substitute(gpointer p, const char *kernel)
{
    Blas *self = p;
    if (!g_str_equal(kernel, "sum") && !g_str_equal(kernel, "tiled_sum") &&
        !g_str_equal(kernel, "softmax"))
        return NULL;
    if (!self->ones) {
        self->ones = nl_alloc_f32(ROW, NULL);
        if (!self->ones)
            return NULL;
        for (gsize i = 0; i < ROW; i++)
            self->ones[i] = 1.0f;
        set_order(self);
    }
    return sum_substitute;
}

static void blas_describe(gpointer p, NlBackendInfo *info)
{
    Blas *self = p;
    info->library = self->library;
    info->device = "CPU";
    info->threads = self->threads;
    info->summation_order = self->order;
    for (int i = 0; i < NL_N_PRECISIONS; i++)
        info->precisions[i] = self->precisions[i];
}

/* Buffers: numlab's host memory (alloc, free, upload, download NULL). */

static gboolean blas_sum(gpointer p, const NlBuffer *x, gsize n, float *result,
                         GError **error)
{
    if (!blas_fits_int(n, "n", error))
        return FALSE;
    blas_use_threads(p);
    return blas_sum_f32(p, x->host, n, result, error);
}

static gboolean blas_dot(gpointer p, const NlBuffer *x, const NlBuffer *y,
                         gsize n, float *result, GError **error)
{
    if (!blas_fits_int(n, "n", error))
        return FALSE;
    blas_use_threads(p);
    *result = n ? cblas_sdot((int)n, x->host, 1, y->host, 1) : 0.0f;
    return TRUE;
}

static gboolean blas_gemv(gpointer p, gsize m, gsize n, const NlBuffer *a,
                          gsize lda, const NlBuffer *x, NlBuffer *y,
                          GError **error)
{
    if (!blas_fits_int(m, "m", error) || !blas_fits_int(n, "n", error) ||
        !blas_fits_int(lda, "lda", error))
        return FALSE;
    if (m == 0)
        return TRUE;
    if (n == 0) { /* OpenBLAS would leave y alone; the product is zero */
        memset(y->host, 0, m * sizeof(float));
        return TRUE;
    }
    blas_use_threads(p);
    cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n, 1.0f, a->host,
                (int)lda, x->host, 1, 0.0f, y->host, 1);
    return TRUE;
}

static gboolean blas_gemm(gpointer p, gsize m, gsize n, gsize k,
                          const NlBuffer *a, gsize lda, const NlBuffer *b,
                          gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    if (!blas_fits_int(m, "m", error) || !blas_fits_int(n, "n", error) ||
        !blas_fits_int(k, "k", error) || !blas_fits_int(lda, "lda", error) ||
        !blas_fits_int(ldb, "ldb", error) || !blas_fits_int(ldc, "ldc", error))
        return FALSE;
    if (m == 0 || n == 0)
        return TRUE;
    if (k == 0) {
        for (gsize i = 0; i < m; i++)
            memset(c->host + i * ldc, 0, n * sizeof(float));
        return TRUE;
    }
    blas_use_threads(p);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n,
                (int)k, 1.0f, a->host, (int)lda, b->host, (int)ldb, 0.0f,
                c->host, (int)ldc);
    return TRUE;
}

/* exp(x/T - max) in a loop (BLAS has no exp), the normalizer by this
 * backend's sum, the division as cblas_sscal by its reciprocal. */
static gboolean blas_softmax(gpointer p, const NlBuffer *x, NlBuffer *y,
                             gsize n, float temperature, GError **error)
{
    if (!blas_fits_int(n, "n", error))
        return FALSE;
    if (n == 0)
        return TRUE;
    blas_use_threads(p);
    float max = x->host[0] / temperature;
    for (gsize i = 1; i < n; i++)
        max = fmaxf(max, x->host[i] / temperature);
    for (gsize i = 0; i < n; i++)
        y->host[i] = expf(x->host[i] / temperature - max);
    float total;
    if (!blas_sum_f32(p, y->host, n, &total, error))
        return FALSE;
    cblas_sscal((int)n, 1.0f / total, y->host, 1);
    return TRUE;
}

static gboolean blas_tiled_sum(gpointer p, const NlBuffer *x, gsize n,
                               gsize tile, float *result, GError **error)
{
    if (!blas_fits_int(tile, "tile", error))
        return FALSE;
    blas_use_threads(p);
    gsize n_tiles = n / tile + (n % tile != 0);
    if (n_tiles == 0) {
        *result = 0.0f;
        return TRUE;
    }
    float *partials = nl_alloc_f32(n_tiles, error);
    if (!partials)
        return FALSE;
    for (gsize t = 0; t < n_tiles; t++)
        if (!blas_sum_f32(p, x->host + t * tile, MIN(tile, n - t * tile),
                          &partials[t], error)) {
            nl_free(partials);
            return FALSE;
        }
    for (gsize stride = 1; stride < n_tiles; stride *= 2)
        for (gsize i = 0; i + stride < n_tiles; i += 2 * stride)
            partials[i] += partials[i + stride];
    *result = partials[0];
    nl_free(partials);
    return TRUE;
}

static const NlBackendOps blas_ops = {
    .struct_size = sizeof(NlBackendOps),
    .open = blas_open,
    .close = blas_close,
    .describe = blas_describe,
    .sum = blas_sum,
    .dot = blas_dot,
    .gemv = blas_gemv,
    .gemm = blas_gemm,
    .softmax = blas_softmax,
    .tiled_sum = blas_tiled_sum,
    .substitute = blas_substitute,
    .sum_in = blas_sum_in,
    .dot_in = blas_dot_in,
    .gemv_in = blas_gemv_in,
    .gemm_in = blas_gemm_in,
    .tiled_sum_in = blas_tiled_sum_in,
};

gconstpointer nl_blas_impl(const char **version)
{
    *version = PACKAGE_VERSION;
    return &blas_ops;
}
