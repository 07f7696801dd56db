/* mpi.c — the mpi backend: numlab's kernels spread over the ranks of an
 * Open MPI job the way tensor parallelism spreads a layer over GPUs.
 *
 * The backend is numlab's side of a pool of ranks (pool.c) that run
 * numlab-mpi-worker (worker.c); numlab itself never calls MPI, and this
 * module does not link it. Buffers live in the ranks, like device memory:
 * every rank holds every buffer, uploads are broadcast from rank 0, and a
 * kernel's reduction (sum, dot, the K of gemv and gemm, softmax's
 * normaliser) is split across the ranks and its partials added by
 * MPI_Allreduce, with the algorithm Open MPI picks or the one the option
 * `algorithm` forces through Open MPI's own MCA variable. invariant=1 cuts
 * every reduction into fixed chunks instead and combines their partials
 * in numlab's tile tree: the same bits for any rank count and algorithm.
 * Buffers of every precision take the same splits (the _in kernels,
 * worker-precision.c), and times() says where a call's time went.
 *
 * Allocations, frees and uploads are posted (protocol.h): they cost no
 * round trip, and one that fails, fails the next call that waits for the
 * ranks (a kernel or a download) with its own reason, as a GPU's
 * asynchronous errors do.
 *
 * open() only checks the options and that mpiexec and the worker exist:
 * numlab opens a backend in several processes, and only those that
 * compute start ranks, at their first buffer. When they cannot start,
 * that first allocation fails with NL_BACKEND_ERROR_UNAVAILABLE, which
 * the self-check makes the backend's "unavailable" (doc/self-check.md). */
#define _GNU_SOURCE /* dladdr */
#include "config.h"

#include "pool.h"

#include <numlab/numlab.h>

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

/* coll tuned's allreduce algorithms in Open MPI 4.1, by their MCA value */
static const char *const algorithms[] = {
    "auto", "basic_linear",   "nonoverlapping", "recursive_doubling",
    "ring", "segmented_ring", "rabenseifner"};

typedef struct {
    NlmPoolConfig config;
    char *mpiexec, *worker, *library_dir, *hostfile;
    NlmPool *pool; /* started at the first buffer */
    guint64 next_id;
    NlBackendTimes times; /* rank 0's, summed over the replies */
    char *library, *device, *order;
    char *precisions; /* describe()'s line for every storage precision */
} Mpi;

static const NlParamSpec options[] = {
    {"ranks", NL_PARAM_INT, "2", 1, 1024,
     "MPI ranks (processes) the kernels are spread over", NULL, NULL},
    {"algorithm", NL_PARAM_STRING, "auto", 0, 0,
     "MPI_Allreduce's algorithm, set through Open MPI's "
     "coll_tuned_allreduce_algorithm; auto: Open MPI's choice by size",
     "auto|basic_linear|nonoverlapping|recursive_doubling|ring|"
     "segmented_ring|rabenseifner",
     NULL},
    {"invariant", NL_PARAM_BOOL, "0", 0, 0,
     "1: reductions in fixed chunks combined in one fixed tree, the same "
     "bits for every rank count and algorithm",
     NULL, NULL},
    {"chunk", NL_PARAM_INT, "256", 1, 1 << 30,
     "elements per chunk with invariant=1", NULL, NULL},
    {"hostfile", NL_PARAM_STRING, NULL, 0, 0,
     "an Open MPI host file: the ranks run on its hosts (default: this "
     "host)",
     NULL, NULL},
    {"oversubscribe", NL_PARAM_BOOL, "1", 0, 0,
     "1: more ranks than cores are allowed (mpiexec --oversubscribe)", NULL,
     NULL},
    NL_PARAM_END,
};

/* The worker beside this module: NUMLAB_MPI_WORKER, else the folder of
 * the module (installed: both in numlab's module folder). In a build
 * tree libtool keeps the module and the worker's binary in .libs/, and
 * the folder above holds a wrapper script that finds the uninstalled
 * libnumlab, 30 ms of shell per rank: the binary runs instead, with
 * *library_dir the folder of the libnumlab this process loaded. */
static char *find_worker(char **library_dir)
{
    *library_dir = NULL;
    const char *env = g_getenv("NUMLAB_MPI_WORKER");
    if (env && *env)
        return g_strdup(env);
    Dl_info info;
    if (!dladdr((const void *)find_worker, &info) || !info.dli_fname)
        return NULL;
    g_autofree char *dir = g_path_get_dirname(info.dli_fname);
    g_autofree char *base = g_path_get_basename(dir);
    if (strcmp(base, ".libs") != 0)
        return g_build_filename(dir, "numlab-mpi-worker", NULL);
    g_autofree char *binary = g_build_filename(dir, "numlab-mpi-worker", NULL);
    Dl_info lib;
    if (g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE) &&
        dladdr((const void *)nl_time_now, &lib) && lib.dli_fname) {
        *library_dir = g_path_get_dirname(lib.dli_fname);
        return g_steal_pointer(&binary);
    }
    g_autofree char *up = g_path_get_dirname(dir);
    return g_build_filename(up, "numlab-mpi-worker", NULL);
}

/* "a, b": the host names of an Open MPI host file (its first word per
 * line, comments left out). */
static char *hosts_of(const char *hostfile)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(hostfile, &text, NULL, NULL))
        return g_strdup("?");
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GString) s = g_string_new(NULL);
    for (char **l = lines; *l; l++) {
        char *line = g_strstrip(*l);
        gsize word = strcspn(line, " \t#");
        if (word)
            g_string_append_printf(s, "%s%.*s", s->len ? ", " : "", (int)word,
                                   line);
    }
    return g_strdup(s->len ? s->str : "no host");
}

static void mpi_close(gpointer p)
{
    Mpi *self = p;
    nlm_pool_stop(self->pool);
    g_free(self->mpiexec);
    g_free(self->worker);
    g_free(self->library_dir);
    g_free(self->hostfile);
    g_free(self->library);
    g_free(self->device);
    g_free(self->order);
    g_free(self->precisions);
    g_free(self);
}

static char *summation_order(const Mpi *self)
{
    const NlmPoolConfig *c = &self->config;
    if (c->chunk)
        return g_strdup_printf(
            "each reduction (sum, dot, the K of gemv and gemm, softmax's "
            "normaliser) cut into chunks of %" G_GSIZE_FORMAT " elements "
            "whatever the rank count, each summed left to right (numlab's "
            "reference order) by one of %d ranks, the chunk partials "
            "combined in the tile tree (each rank's whole subtrees first, "
            "their values then gathered on every rank by MPI_Allgatherv): "
            "the same bits for every rank count and algorithm; softmax's "
            "max by MPI_Allreduce (exact); tiled_sum: tiles left to right, "
            "then the tile tree",
            c->chunk, c->ranks);
    return g_strdup_printf(
        "each reduction (sum, dot, the K of gemv and gemm, softmax's "
        "normaliser) split into %d contiguous slices, one per rank, each "
        "summed left to right (numlab's reference order), the %d partials "
        "added by MPI_Allreduce (%s); softmax's max by MPI_Allreduce "
        "(exact); tiled_sum: tiles left to right, then the tile tree",
        c->ranks, c->ranks,
        c->algorithm ? algorithms[c->algorithm]
                     : "Open MPI's choice by message size and rank count");
}

static gpointer mpi_open(const NlParams *o, GError **error)
{
    const char *algorithm = nl_params_get_string(o, "algorithm");
    int index = 0;
    for (guint i = 0; i < G_N_ELEMENTS(algorithms); i++)
        if (strcmp(algorithm, algorithms[i]) == 0)
            index = (int)i;
    /* NUMLAB_MPIEXEC: another Open MPI's launcher than PATH's */
    const char *launcher = g_getenv("NUMLAB_MPIEXEC");
    if (!launcher || !*launcher)
        launcher = "mpiexec";
    g_autofree char *mpiexec = g_find_program_in_path(launcher);
    if (!mpiexec) {
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                "mpi: no %s in PATH (Open MPI's launcher: apt-get install "
                "openmpi-bin)",
                launcher);
        return NULL;
    }
    g_autofree char *library_dir = NULL;
    g_autofree char *worker = find_worker(&library_dir);
    if (!worker || !g_file_test(worker, G_FILE_TEST_IS_EXECUTABLE)) {
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                "mpi: its worker %s is missing", worker ? worker : "program");
        return NULL;
    }
    const char *hostfile = nl_params_is_set(o, "hostfile")
                               ? nl_params_get_string(o, "hostfile")
                               : NULL;
    if (hostfile && !g_file_test(hostfile, G_FILE_TEST_IS_REGULAR)) {
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                "mpi: hostfile=%s: no such file", hostfile);
        return NULL;
    }
    Mpi *self = g_new0(Mpi, 1);
    self->mpiexec = g_steal_pointer(&mpiexec);
    self->worker = g_steal_pointer(&worker);
    self->library_dir = g_steal_pointer(&library_dir);
    self->hostfile = hostfile ? g_canonicalize_filename(hostfile, NULL) : NULL;
    self->config = (NlmPoolConfig){
        .mpiexec = self->mpiexec,
        .worker = self->worker,
        .library_dir = self->library_dir,
        .ranks = (int)nl_params_get_int(o, "ranks"),
        .algorithm = index,
        .chunk = nl_params_get_bool(o, "invariant")
                     ? (gsize)nl_params_get_int(o, "chunk")
                     : 0,
        .hostfile = self->hostfile,
        .oversubscribe = nl_params_get_bool(o, "oversubscribe"),
    };
    self->library = g_strdup_printf(
        "Open MPI %s (mpiexec %s), allreduce: %s", NL_MPI_VERSION,
        self->mpiexec,
        index ? algorithms[index] : "auto (coll tuned's decision rules)");
    if (self->hostfile) {
        g_autofree char *hosts = hosts_of(self->hostfile);
        self->device = g_strdup_printf(
            "%d ranks on %s (%s)", self->config.ranks, hosts, self->hostfile);
    } else
        self->device = g_strdup_printf(
            "%d ranks on this host (%d cores)%s", self->config.ranks,
            (int)sysconf(_SC_NPROCESSORS_ONLN),
            self->config.ranks > sysconf(_SC_NPROCESSORS_ONLN)
                ? ", oversubscribed"
                : "");
    self->order = summation_order(self);
    self->precisions = g_strdup(
        "every accumulation precision: each rank's part in numlab's "
        "reference arithmetic (emulated: every product and addition "
        "rounded once to the accumulation precision), the partials added "
        "by MPI_Allreduce with an operation that rounds each addition "
        "likewise (invariant=1: in the chunk tree)");
    return self;
}

static void mpi_describe(gpointer p, NlBackendInfo *info)
{
    Mpi *self = p;
    info->library = self->library;
    info->device = self->device;
    info->threads = self->config.ranks;
    info->summation_order = self->order;
    for (int t = 0; t < NL_N_PRECISIONS; t++)
        info->precisions[t] = self->precisions;
}

/* Rank 0's own account of every reply: the others wait for it in their
 * MPI calls, and it for them, so its communication time includes waiting
 * for the slowest rank. */
static void mpi_times(gpointer p, NlBackendTimes *times)
{
    const Mpi *self = p;
    times->calls += self->times.calls;
    times->compute_seconds += self->times.compute_seconds;
    times->comm_seconds += self->times.comm_seconds;
}

/* The pool, started at the first need; its hello checked against what
 * the backend asked for. */
static NlmPool *pool(Mpi *self, GError **error)
{
    if (self->pool)
        return self->pool;
    NlmPool *pool = nlm_pool_start(&self->config, error);
    if (!pool)
        return NULL;
    const NlmHello *h = nlm_pool_hello(pool);
    if (h->algorithm >= 0 && h->algorithm != self->config.algorithm) {
        nlm_pool_stop(pool);
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                "mpi: asked Open MPI for allreduce algorithm %d and it runs "
                "%d (is OMPI_MCA_coll_tuned_allreduce_algorithm set?)",
                self->config.algorithm, h->algorithm);
        return NULL;
    }
    return self->pool = pool;
}

static gboolean call(Mpi *self, const NlmRequest *q, const void *data,
                     gsize data_len, double *value, void *out, gsize out_len,
                     GError **error)
{
    NlmPool *p = pool(self, error);
    NlmReply reply;
    if (!p || !nlm_pool_call(p, q, data, data_len, &reply, out, out_len, error))
        return FALSE;
    self->times.calls++;
    self->times.compute_seconds += reply.compute_seconds;
    self->times.comm_seconds += reply.comm_seconds;
    if (value)
        *value = reply.value;
    return TRUE;
}

/* A posted request (protocol.h): no round trip; counted as a call, its
 * times and any failure come with the next reply. */
static gboolean post(Mpi *self, const NlmRequest *q, const void *data,
                     gsize data_len, GError **error)
{
    NlmPool *p = pool(self, error);
    if (!p || !nlm_pool_post(p, q, data, data_len, error))
        return FALSE;
    self->times.calls++;
    return TRUE;
}

static guint64 id_of(const NlBuffer *buf)
{
    return (guint64)GPOINTER_TO_SIZE(buf->device);
}

static gboolean mpi_alloc(gpointer p, NlBuffer *buf, GError **error)
{
    Mpi *self = p;
    guint64 id = ++self->next_id;
    NlmRequest q = {
        .op = NLM_ALLOC, .precision = buf->type, .id = {id}, .n = buf->n};
    if (!post(self, &q, NULL, 0, error))
        return FALSE;
    buf->device = GSIZE_TO_POINTER((gsize)id);
    return TRUE;
}

static void mpi_free(gpointer p, NlBuffer *buf)
{
    Mpi *self = p;
    NlmRequest q = {.op = NLM_FREE, .id = {id_of(buf)}};
    if (self->pool)
        post(self, &q, NULL, 0, NULL);
}

static gboolean mpi_upload(gpointer p, NlBuffer *dst, const float *src, gsize n,
                           GError **error)
{
    NlmRequest q = {
        .op = NLM_UPLOAD, .precision = dst->type, .id = {id_of(dst)}, .n = n};
    return post(p, &q, src, n * nl_precision_size(dst->type), error);
}

static gboolean mpi_download(gpointer p, const NlBuffer *src, float *dst,
                             gsize n, GError **error)
{
    NlmRequest q = {.op = NLM_DOWNLOAD, .id = {id_of(src)}, .n = n};
    return call(p, &q, NULL, 0, NULL, dst, n * nl_precision_size(src->type),
                error);
}

static gboolean scalar(gpointer p, NlmRequest *q, float *result, GError **error)
{
    double value = 0.0;
    if (!call(p, q, NULL, 0, &value, NULL, 0, error))
        return FALSE;
    *result = (float)value; /* a float, exactly */
    return TRUE;
}

static gboolean mpi_sum(gpointer p, const NlBuffer *x, gsize n, float *result,
                        GError **error)
{
    NlmRequest q = {.op = NLM_SUM, .id = {id_of(x)}, .n = n};
    return scalar(p, &q, result, error);
}

static gboolean mpi_dot(gpointer p, const NlBuffer *x, const NlBuffer *y,
                        gsize n, float *result, GError **error)
{
    NlmRequest q = {.op = NLM_DOT, .id = {id_of(x), id_of(y)}, .n = n};
    return scalar(p, &q, result, error);
}

static gboolean mpi_tiled_sum(gpointer p, const NlBuffer *x, gsize n,
                              gsize tile, float *result, GError **error)
{
    NlmRequest q = {.op = NLM_TILED_SUM, .id = {id_of(x)}, .n = n, .k = tile};
    return scalar(p, &q, result, error);
}

/* A gemv or gemm request, float32 (NLM_GEMV, NLM_GEMM; acc unused) or
 * in any precision (NLM_GEMV_IN, NLM_GEMM_IN). For gemv, n is the row
 * length, b the vector and c the result; k, ldb and ldc are unused. */
static gboolean product(gpointer p, NlmOp op, NlPrecision acc, gsize m, gsize n,
                        gsize k, const NlBuffer *a, gsize lda,
                        const NlBuffer *b, gsize ldb, NlBuffer *c, gsize ldc,
                        GError **error)
{
    NlmRequest q = {.op = op,
                    .precision = acc,
                    .id = {id_of(a), id_of(b), id_of(c)},
                    .m = m,
                    .n = n,
                    .k = k,
                    .lda = lda,
                    .ldb = ldb,
                    .ldc = ldc};
    return call(p, &q, NULL, 0, NULL, NULL, 0, error);
}

static gboolean mpi_gemv(gpointer p, gsize m, gsize n, const NlBuffer *a,
                         gsize lda, const NlBuffer *x, NlBuffer *y,
                         GError **error)
{
    return product(p, NLM_GEMV, NL_PRECISION_F32, m, n, 0, a, lda, x, 0, y, 0,
                   error);
}

static gboolean mpi_gemm(gpointer p, gsize m, gsize n, gsize k,
                         const NlBuffer *a, gsize lda, const NlBuffer *b,
                         gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    return product(p, NLM_GEMM, NL_PRECISION_F32, m, n, k, a, lda, b, ldb, c,
                   ldc, error);
}

static gboolean mpi_softmax(gpointer p, const NlBuffer *x, NlBuffer *y, gsize n,
                            float temperature, GError **error)
{
    NlmRequest q = {.op = NLM_SOFTMAX,
                    .id = {id_of(x), id_of(y)},
                    .n = n,
                    .temperature = temperature};
    return call(p, &q, NULL, 0, NULL, NULL, 0, error);
}

static gboolean mpi_copy(gpointer p, NlBuffer *dst, const NlBuffer *src,
                         gsize n, GError **error)
{
    NlmRequest q = {.op = NLM_COPY, .id = {id_of(dst), id_of(src)}, .n = n};
    return call(p, &q, NULL, 0, NULL, NULL, 0, error);
}

/* ---- every precision: the same splits, numlab's reference arithmetic on
 * each rank (worker-precision.c) ---- */

static gboolean mpi_sum_in(gpointer p, const NlBuffer *x, gsize n,
                           NlPrecision acc, double *result, GError **error)
{
    NlmRequest q = {
        .op = NLM_SUM_IN, .precision = acc, .id = {id_of(x)}, .n = n};
    return call(p, &q, NULL, 0, result, NULL, 0, error);
}

static gboolean mpi_dot_in(gpointer p, const NlBuffer *x, const NlBuffer *y,
                           gsize n, NlPrecision acc, double *result,
                           GError **error)
{
    NlmRequest q = {
        .op = NLM_DOT_IN, .precision = acc, .id = {id_of(x), id_of(y)}, .n = n};
    return call(p, &q, NULL, 0, result, NULL, 0, error);
}

static gboolean mpi_tiled_sum_in(gpointer p, const NlBuffer *x, gsize n,
                                 gsize tile, NlPrecision acc, double *result,
                                 GError **error)
{
    NlmRequest q = {.op = NLM_TILED_SUM_IN,
                    .precision = acc,
                    .id = {id_of(x)},
                    .n = n,
                    .k = tile};
    return call(p, &q, NULL, 0, result, NULL, 0, error);
}

static gboolean mpi_gemv_in(gpointer p, gsize m, gsize n, const NlBuffer *a,
                            gsize lda, const NlBuffer *x, NlBuffer *y,
                            NlPrecision acc, GError **error)
{
    return product(p, NLM_GEMV_IN, acc, m, n, 0, a, lda, x, 0, y, 0, error);
}

static gboolean mpi_gemm_in(gpointer p, gsize m, gsize n, gsize k,
                            const NlBuffer *a, gsize lda, const NlBuffer *b,
                            gsize ldb, NlBuffer *c, gsize ldc, NlPrecision acc,
                            GError **error)
{
    return product(p, NLM_GEMM_IN, acc, m, n, k, a, lda, b, ldb, c, ldc, error);
}

static const NlBackendOps mpi_ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = mpi_open,
    .close = mpi_close,
    .describe = mpi_describe,
    .alloc = mpi_alloc,
    .free = mpi_free,
    .upload = mpi_upload,
    .download = mpi_download,
    .sum = mpi_sum,
    .dot = mpi_dot,
    .gemv = mpi_gemv,
    .gemm = mpi_gemm,
    .softmax = mpi_softmax,
    .tiled_sum = mpi_tiled_sum,
    .copy = mpi_copy,
    .sum_in = mpi_sum_in,
    .dot_in = mpi_dot_in,
    .gemv_in = mpi_gemv_in,
    .gemm_in = mpi_gemm_in,
    .tiled_sum_in = mpi_tiled_sum_in,
    .times = mpi_times,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_BACKEND, .name = "mpi",
                 .version = PACKAGE_VERSION,
                 .summary = "Open MPI ranks: each reduction split across "
                            "them as tensor parallelism does, or "
                            "rank-count invariant",
                 .backend = &mpi_ops, .flags = NL_PLUGIN_NOT_IN_ALL, )
