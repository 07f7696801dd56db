/* backend.c — the calls experiments make on a backend.
 *
 * Each nl_backend_* checks its arguments — sizes against buffer capacities,
 * leading dimensions against row lengths, buffers against their owner — and
 * names the bad one, as OpenBLAS's interface layer does, before it calls
 * the module's hook. A backend's kernels can then trust their arguments.
 * A kernel the host's self-check marked unusable (host/selfcheck.c) fails
 * with the reason, so no job ever computes with it. A hook the module left
 * NULL falls back to libnumlab's reference kernel (numlab/reference.h)
 * when the call's buffers are host memory, and the backend remembers that
 * it did, for the manifest; on a device backend it is unsupported. */
#include "config.h"

#include "nl-private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK(nl - backend - error - quark, nl_backend_error)

struct NlBackend {
    const NlPlugin *plugin;
    const NlBackendOps *ops;
    gpointer self;
    char *label;
    NlBackendInfo info;
    char *unusable[NL_N_KERNELS]; /* why a kernel may not run, or NULL */
    /* why kernel k's _in form accumulating in p may not run, or NULL */
    char *unusable_in[NL_N_KERNELS][NL_N_PRECISIONS];
    guint fell_back; /* bit k: kernel k ran as the reference (fall_back) */
    guint fell_back_in[NL_N_KERNELS]; /* bit p: its _in form, acc p */
    gboolean last_reference;          /* the last _in call ran the reference */
};

NlBackend *nl_backend_wrap(const NlPlugin *plugin, const char *label,
                           gpointer self)
{
    NlBackend *b = g_new0(NlBackend, 1);
    b->plugin = plugin;
    b->ops = plugin->backend;
    b->self = self;
    b->label = g_strdup(label ? label : plugin->name);
    b->info.library = "";
    b->info.device = "CPU";
    b->info.threads = 1;
    b->info.summation_order = "";
    if (NL_FIELD(b->ops, describe))
        b->ops->describe(self, &b->info);
    return b;
}

void nl_backend_close(NlBackend *b)
{
    if (!b)
        return;
    if (NL_FIELD(b->ops, close))
        b->ops->close(b->self);
    for (int k = 0; k < NL_N_KERNELS; k++) {
        g_free(b->unusable[k]);
        for (int p = 0; p < NL_N_PRECISIONS; p++)
            g_free(b->unusable_in[k][p]);
    }
    g_free(b->label);
    g_free(b);
}

const NlPlugin *nl_backend_plugin(const NlBackend *b)
{
    return b->plugin;
}

/* ---- kernels, for the self-check ---- */

static const char *const kernel_names[NL_N_KERNELS] = {
    [NL_KERNEL_SUM] = "sum",         [NL_KERNEL_DOT] = "dot",
    [NL_KERNEL_GEMV] = "gemv",       [NL_KERNEL_GEMM] = "gemm",
    [NL_KERNEL_SOFTMAX] = "softmax", [NL_KERNEL_TILED_SUM] = "tiled_sum",
    [NL_KERNEL_COPY] = "copy",
};

const char *nl_kernel_name(NlKernel k)
{
    g_return_val_if_fail(k < NL_N_KERNELS, "?");
    return kernel_names[k];
}

gboolean nl_backend_provides(const NlBackend *b, NlKernel k)
{
    switch (k) {
    case NL_KERNEL_SUM:
        return NL_FIELD(b->ops, sum) != NULL;
    case NL_KERNEL_DOT:
        return NL_FIELD(b->ops, dot) != NULL;
    case NL_KERNEL_GEMV:
        return NL_FIELD(b->ops, gemv) != NULL;
    case NL_KERNEL_GEMM:
        return NL_FIELD(b->ops, gemm) != NULL;
    case NL_KERNEL_SOFTMAX:
        return NL_FIELD(b->ops, softmax) != NULL;
    case NL_KERNEL_TILED_SUM:
        return NL_FIELD(b->ops, tiled_sum) != NULL;
    case NL_KERNEL_COPY:
        return NL_FIELD(b->ops, copy) != NULL;
    case NL_N_KERNELS:
        break;
    }
    return FALSE;
}

void nl_backend_set_unusable(NlBackend *b, NlKernel k, const char *reason)
{
    g_return_if_fail(k < NL_N_KERNELS);
    g_free(b->unusable[k]);
    b->unusable[k] = g_strdup(reason);
}

gboolean nl_backend_provides_in(const NlBackend *b, NlKernel k)
{
    switch (k) {
    case NL_KERNEL_SUM:
        return NL_FIELD(b->ops, sum_in) != NULL;
    case NL_KERNEL_DOT:
        return NL_FIELD(b->ops, dot_in) != NULL;
    case NL_KERNEL_GEMV:
        return NL_FIELD(b->ops, gemv_in) != NULL;
    case NL_KERNEL_GEMM:
        return NL_FIELD(b->ops, gemm_in) != NULL;
    case NL_KERNEL_TILED_SUM:
        return NL_FIELD(b->ops, tiled_sum_in) != NULL;
    case NL_KERNEL_SOFTMAX:
    case NL_KERNEL_COPY:
    case NL_N_KERNELS:
        break;
    }
    return FALSE;
}

void nl_backend_set_unusable_in(NlBackend *b, NlKernel k, NlPrecision acc,
                                const char *reason)
{
    g_return_if_fail(k < NL_N_KERNELS && (guint)acc < NL_N_PRECISIONS);
    g_free(b->unusable_in[k][acc]);
    b->unusable_in[k][acc] = g_strdup(reason);
}

const char *nl_backend_substitute(NlBackend *b, NlKernel k)
{
    g_return_val_if_fail(k < NL_N_KERNELS, NULL);
    return NL_FIELD(b->ops, substitute)
               ? b->ops->substitute(b->self, kernel_names[k])
               : NULL;
}

void nl_backend_redescribe(NlBackend *b)
{
    if (NL_FIELD(b->ops, describe))
        b->ops->describe(b->self, &b->info);
}

/* A kernel the self-check found wrong on this machine: its calls fail. */
static gboolean usable(const NlBackend *b, NlKernel k, GError **error)
{
    if (!b->unusable[k])
        return TRUE;
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNUSABLE,
                   "%s on backend '%s' is unusable: %s", kernel_names[k],
                   b->label, b->unusable[k]);
}

const char *nl_backend_name(const NlBackend *b)
{
    return b->plugin->name;
}
const char *nl_backend_label(const NlBackend *b)
{
    return b->label;
}
const NlBackendInfo *nl_backend_info(const NlBackend *b)
{
    return &b->info;
}

static gboolean unsupported(const NlBackend *b, const char *kernel,
                            GError **error)
{
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNSUPPORTED,
                   "backend '%s' has no %s kernel", b->label, kernel);
}

/* The module lacks kernel k. TRUE, recorded, when every buffer of the call
 * (NULL: not used) is host memory, so that the reference kernel can run on
 * it in place; a device backend's buffers have no host data: unsupported. */
static gboolean fall_back(NlBackend *b, NlKernel k, const NlBuffer *b1,
                          const NlBuffer *b2, const NlBuffer *b3,
                          GError **error)
{
    if ((b1 && !b1->host) || (b2 && !b2->host) || (b3 && !b3->host))
        return unsupported(b, kernel_names[k], error);
    b->fell_back |= 1u << k;
    return TRUE;
}

char *nl_backend_fallbacks(const NlBackend *b)
{
    gboolean any = b->fell_back != 0;
    for (int k = 0; k < NL_N_KERNELS; k++)
        any = any || b->fell_back_in[k] != 0;
    if (!any)
        return NULL;
    GString *s = g_string_new(NULL);
    for (int k = 0; k < NL_N_KERNELS; k++) {
        if (b->fell_back & (1u << k))
            g_string_append_printf(s, "%s%s", s->len ? "," : "",
                                   kernel_names[k]);
        for (int p = 0; p < NL_N_PRECISIONS; p++)
            if (b->fell_back_in[k] & (1u << p))
                g_string_append_printf(s, "%s%s:%s", s->len ? "," : "",
                                       kernel_names[k],
                                       nl_precision_name((NlPrecision)p));
    }
    return g_string_free(s, FALSE);
}

gboolean nl_backend_fell_back_in(const NlBackend *b, NlKernel k,
                                 NlPrecision acc)
{
    g_return_val_if_fail(k < NL_N_KERNELS && (guint)acc < NL_N_PRECISIONS,
                         FALSE);
    return (b->fell_back_in[k] >> acc) & 1u;
}

void nl_backend_clear_fallbacks(NlBackend *b)
{
    b->fell_back = 0;
    memset(b->fell_back_in, 0, sizeof b->fell_back_in);
}

static gboolean bad_arg(const NlBackend *b, const char *kernel, GError **error,
                        const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static gboolean bad_arg(const NlBackend *b, const char *kernel, GError **error,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nl_failv(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT, fmt, ap);
    va_end(ap);
    g_prefix_error(error, "%s on backend '%s': ", kernel, b->label);
    return FALSE;
}

/* Is `buf` a buffer of this backend holding at least `need` values? */
static gboolean check_any(const NlBackend *b, const char *kernel,
                          const char *arg, const NlBuffer *buf, gsize need,
                          GError **error)
{
    if (!buf)
        return bad_arg(b, kernel, error, "buffer %s is NULL", arg);
    if (buf->backend != b)
        return bad_arg(b, kernel, error, "buffer %s belongs to backend '%s'",
                       arg, buf->backend ? buf->backend->label : "?");
    if (need > buf->n)
        return bad_arg(b, kernel, error,
                       "buffer %s holds %" G_GSIZE_FORMAT
                       " values, %" G_GSIZE_FORMAT " needed",
                       arg, buf->n, need);
    return TRUE;
}

/* ... and of float32 values, as the calls of the first ABI need? */
static gboolean check_buf(const NlBackend *b, const char *kernel,
                          const char *arg, const NlBuffer *buf, gsize need,
                          GError **error)
{
    if (!check_any(b, kernel, arg, buf, need, error))
        return FALSE;
    if (buf->type != NL_PRECISION_F32)
        return bad_arg(b, kernel, error,
                       "buffer %s holds %s values; this call takes float32 "
                       "(its _in form takes any precision)",
                       arg, nl_precision_name(buf->type));
    return TRUE;
}

/* Values a row-major rows x cols matrix with stride ld spans. */
static gboolean matrix_span(const NlBackend *b, const char *kernel,
                            const char *arg, gsize rows, gsize cols, gsize ld,
                            gsize *span, GError **error)
{
    if (ld < cols || ld == 0)
        return bad_arg(b, kernel, error,
                       "leading dimension ld%s=%" G_GSIZE_FORMAT
                       " is smaller than its %" G_GSIZE_FORMAT " columns",
                       arg, ld, cols);
    if (rows == 0 || cols == 0) {
        *span = 0;
        return TRUE;
    }
    gsize s;
    if (!nl_size_mul(rows - 1, ld, &s) || !nl_size_add(s, cols, span))
        return bad_arg(b, kernel, error, "matrix %s is too large", arg);
    return TRUE;
}

/* Whether the module computes in other precisions than float32: only a
 * module that provides an _in hook has promised that its alloc, upload
 * and download honour buf->type (numlab/backend.h). Any other, however
 * recent its headers, only ever sees float32 buffers in its hooks. */
static gboolean knows_precisions(const NlBackend *b)
{
    return NL_FIELD(b->ops, sum_in) || NL_FIELD(b->ops, dot_in) ||
           NL_FIELD(b->ops, gemv_in) || NL_FIELD(b->ops, gemm_in) ||
           NL_FIELD(b->ops, tiled_sum_in);
}

/* Whether numlab holds the buffer's values in host memory of its own: on
 * a backend without alloc hooks every buffer; on one with its own memory
 * (a GPU) but no _in kernels, the buffers of another precision than
 * float32, which only numlab's reference computes on. */
static gboolean numlab_owned(const NlBackend *b, const NlBuffer *buf)
{
    return !NL_FIELD(b->ops, alloc) ||
           (buf->type != NL_PRECISION_F32 && !knows_precisions(b));
}

/* A backend without alloc/free hooks computes on host memory that numlab
 * provides (nl_alloc: aligned, huge pages for large buffers); so do the
 * other precisions' buffers of a backend that allocates its own memory
 * but has no _in kernels: their _in calls run numlab's reference, which
 * reads the backend's float32 operands through its download hook. */
NlBuffer *nl_backend_alloc_as(NlBackend *b, NlPrecision type, gsize n,
                              GError **error)
{
    if (!nl_precision_name(type)) {
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                "alloc on backend '%s': precision %d is unknown", b->label,
                (int)type);
        return NULL;
    }
    NlBuffer *buf = g_new0(NlBuffer, 1);
    buf->n = n;
    buf->backend = b;
    buf->type = type;
    gboolean ok =
        numlab_owned(b, buf)
            ? (buf->host = nl_alloc(n, nl_precision_size(type), error)) != NULL
            : b->ops->alloc(b->self, buf, error);
    if (!ok) {
        g_free(buf);
        return NULL;
    }
    return buf;
}

NlBuffer *nl_backend_alloc(NlBackend *b, gsize n, GError **error)
{
    return nl_backend_alloc_as(b, NL_PRECISION_F32, n, error);
}

NlPrecision nl_backend_buffer_type(const NlBuffer *buf)
{
    g_return_val_if_fail(buf != NULL, NL_PRECISION_F32);
    return buf->type;
}

void nl_backend_free(NlBackend *b, NlBuffer *buf)
{
    if (!buf)
        return;
    g_return_if_fail(buf->backend == b);
    if (numlab_owned(b, buf))
        nl_free(buf->host);
    else if (NL_FIELD(b->ops, free))
        b->ops->free(b->self, buf);
    g_free(buf);
}

gboolean nl_backend_upload(NlBackend *b, NlBuffer *dst, const float *src,
                           gsize n, GError **error)
{
    if (!check_buf(b, "upload", "dst", dst, n, error))
        return FALSE;
    if (!NL_FIELD(b->ops, upload)) {
        if (dst->host) { /* a host buffer needs no hook to be filled */
            memcpy(dst->host, src, n * sizeof(float));
            return TRUE;
        }
        return unsupported(b, "upload", error);
    }
    return b->ops->upload(b->self, dst, src, n, error);
}

gboolean nl_backend_download(NlBackend *b, const NlBuffer *src, float *dst,
                             gsize n, GError **error)
{
    if (!check_buf(b, "download", "src", src, n, error))
        return FALSE;
    if (!NL_FIELD(b->ops, download)) {
        if (src->host) {
            memcpy(dst, src->host, n * sizeof(float));
            return TRUE;
        }
        return unsupported(b, "download", error);
    }
    return b->ops->download(b->self, src, dst, n, error);
}

NlBuffer *nl_backend_new_from(NlBackend *b, const float *src, gsize n,
                              GError **error)
{
    NlBuffer *buf = nl_backend_alloc(b, n, error);
    if (buf && !nl_backend_upload(b, buf, src, n, error)) {
        nl_backend_free(b, buf);
        return NULL;
    }
    return buf;
}

gboolean nl_backend_sum(NlBackend *b, const NlBuffer *x, gsize n, float *result,
                        GError **error)
{
    if (!usable(b, NL_KERNEL_SUM, error) ||
        !check_buf(b, "sum", "x", x, n, error))
        return FALSE;
    if (NL_FIELD(b->ops, sum))
        return b->ops->sum(b->self, x, n, result, error);
    if (!fall_back(b, NL_KERNEL_SUM, x, NULL, NULL, error))
        return FALSE;
    *result = nl_ref_sum_f32(x->host, n);
    return TRUE;
}

gboolean nl_backend_dot(NlBackend *b, const NlBuffer *x, const NlBuffer *y,
                        gsize n, float *result, GError **error)
{
    if (!usable(b, NL_KERNEL_DOT, error) ||
        !check_buf(b, "dot", "x", x, n, error) ||
        !check_buf(b, "dot", "y", y, n, error))
        return FALSE;
    if (NL_FIELD(b->ops, dot))
        return b->ops->dot(b->self, x, y, n, result, error);
    if (!fall_back(b, NL_KERNEL_DOT, x, y, NULL, error))
        return FALSE;
    *result = nl_ref_dot_f32(x->host, y->host, n);
    return TRUE;
}

gboolean nl_backend_gemv(NlBackend *b, gsize m, gsize n, const NlBuffer *a,
                         gsize lda, const NlBuffer *x, NlBuffer *y,
                         GError **error)
{
    gsize span;
    if (!usable(b, NL_KERNEL_GEMV, error) ||
        !matrix_span(b, "gemv", "a", m, n, lda, &span, error) ||
        !check_buf(b, "gemv", "a", a, span, error) ||
        !check_buf(b, "gemv", "x", x, n, error) ||
        !check_buf(b, "gemv", "y", y, m, error))
        return FALSE;
    if (NL_FIELD(b->ops, gemv))
        return b->ops->gemv(b->self, m, n, a, lda, x, y, error);
    if (!fall_back(b, NL_KERNEL_GEMV, a, x, y, error))
        return FALSE;
    nl_ref_gemv_f32(m, n, a->host, lda, x->host, y->host);
    return TRUE;
}

gboolean nl_backend_gemm(NlBackend *b, gsize m, gsize n, gsize k,
                         const NlBuffer *a, gsize lda, const NlBuffer *bm,
                         gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    gsize sa, sb, sc;
    if (!usable(b, NL_KERNEL_GEMM, error) ||
        !matrix_span(b, "gemm", "a", m, k, lda, &sa, error) ||
        !matrix_span(b, "gemm", "b", k, n, ldb, &sb, error) ||
        !matrix_span(b, "gemm", "c", m, n, ldc, &sc, error) ||
        !check_buf(b, "gemm", "a", a, sa, error) ||
        !check_buf(b, "gemm", "b", bm, sb, error) ||
        !check_buf(b, "gemm", "c", c, sc, error))
        return FALSE;
    if (NL_FIELD(b->ops, gemm))
        return b->ops->gemm(b->self, m, n, k, a, lda, bm, ldb, c, ldc, error);
    if (!fall_back(b, NL_KERNEL_GEMM, a, bm, c, error))
        return FALSE;
    nl_ref_gemm_f32(m, n, k, a->host, lda, bm->host, ldb, c->host, ldc);
    return TRUE;
}

gboolean nl_backend_softmax(NlBackend *b, const NlBuffer *x, NlBuffer *y,
                            gsize n, float temperature, GError **error)
{
    if (!usable(b, NL_KERNEL_SOFTMAX, error))
        return FALSE;
    if (!(temperature > 0.0f) || !isfinite(temperature))
        return bad_arg(b, "softmax", error,
                       "temperature %g is not a positive finite number",
                       (double)temperature);
    if (!check_buf(b, "softmax", "x", x, n, error) ||
        !check_buf(b, "softmax", "y", y, n, error))
        return FALSE;
    if (NL_FIELD(b->ops, softmax))
        return b->ops->softmax(b->self, x, y, n, temperature, error);
    if (!fall_back(b, NL_KERNEL_SOFTMAX, x, y, NULL, error))
        return FALSE;
    nl_ref_softmax_f32(x->host, y->host, n, temperature);
    return TRUE;
}

gboolean nl_backend_copy(NlBackend *b, NlBuffer *dst, const NlBuffer *src,
                         gsize n, GError **error)
{
    if (!usable(b, NL_KERNEL_COPY, error) ||
        !check_buf(b, "copy", "dst", dst, n, error) ||
        !check_buf(b, "copy", "src", src, n, error))
        return FALSE;
    if (NL_FIELD(b->ops, copy))
        return b->ops->copy(b->self, dst, src, n, error);
    if (!fall_back(b, NL_KERNEL_COPY, dst, src, NULL, error))
        return FALSE;
    nl_ref_copy_f32(dst->host, src->host, n);
    return TRUE;
}

gboolean nl_backend_tiled_sum(NlBackend *b, const NlBuffer *x, gsize n,
                              gsize tile, float *result, GError **error)
{
    if (!usable(b, NL_KERNEL_TILED_SUM, error))
        return FALSE;
    if (tile == 0)
        return bad_arg(b, "tiled_sum", error, "tile size 0");
    if (!check_buf(b, "tiled_sum", "x", x, n, error))
        return FALSE;
    if (NL_FIELD(b->ops, tiled_sum))
        return b->ops->tiled_sum(b->self, x, n, tile, result, error);
    if (!fall_back(b, NL_KERNEL_TILED_SUM, x, NULL, NULL, error))
        return FALSE;
    *result = nl_ref_tiled_sum_f32(x->host, n, tile);
    return TRUE;
}

/* ---- precisions ---- */

/* n values of dst's type from `src` (that type's values), through the
 * module's upload hook where it honours buf->type (knows_precisions), or
 * else, for another type than float32, into host memory directly. */
static gboolean upload_raw(NlBackend *b, NlBuffer *dst, gconstpointer src,
                           gsize n, GError **error)
{
    if (!NL_FIELD(b->ops, upload) ||
        (dst->type != NL_PRECISION_F32 && !knows_precisions(b))) {
        if (dst->host) {
            if (n)
                memcpy(dst->host, src, n * nl_precision_size(dst->type));
            return TRUE;
        }
        return unsupported(b, "upload", error);
    }
    return b->ops->upload(b->self, dst, src, n, error);
}

static gboolean download_raw(NlBackend *b, const NlBuffer *src, gpointer dst,
                             gsize n, GError **error)
{
    if (!NL_FIELD(b->ops, download) ||
        (src->type != NL_PRECISION_F32 && !knows_precisions(b))) {
        if (src->host) {
            if (n)
                memcpy(dst, src->host, n * nl_precision_size(src->type));
            return TRUE;
        }
        return unsupported(b, "download", error);
    }
    return b->ops->download(b->self, src, dst, n, error);
}

/* Values given as doubles (wide) or floats, rounded to dst's type. */
static gboolean upload_converted(NlBackend *b, NlBuffer *dst,
                                 const double *wide, const float *narrow,
                                 gsize n, GError **error)
{
    if (!check_any(b, "upload", "dst", dst, n, error))
        return FALSE;
    gpointer staged = g_malloc(MAX(n, 1) * nl_precision_size(dst->type));
    if (wide)
        for (gsize i = 0; i < n; i++)
            nl_array_set(dst->type, staged, i, wide[i]);
    else
        nl_store_f32_row(dst->type, staged, 0, narrow, n);
    gboolean ok = upload_raw(b, dst, staged, n, error);
    g_free(staged);
    return ok;
}

gboolean nl_backend_upload_values(NlBackend *b, NlBuffer *dst,
                                  const double *src, gsize n, GError **error)
{
    return upload_converted(b, dst, src, NULL, n, error);
}

gboolean nl_backend_upload_rounded(NlBackend *b, NlBuffer *dst,
                                   const float *src, gsize n, GError **error)
{
    return upload_converted(b, dst, NULL, src, n, error);
}

gboolean nl_backend_download_values(NlBackend *b, const NlBuffer *src,
                                    double *dst, gsize n, GError **error)
{
    if (!check_any(b, "download", "src", src, n, error))
        return FALSE;
    gpointer staged = g_malloc(MAX(n, 1) * nl_precision_size(src->type));
    gboolean ok = download_raw(b, src, staged, n, error);
    if (ok) {
        NlArray a = {src->type, staged};
        for (gsize i = 0; i < n; i++)
            dst[i] = nl_array_get(a, i);
    }
    g_free(staged);
    return ok;
}

NlBuffer *nl_backend_new_as(NlBackend *b, NlPrecision type, const double *src,
                            gsize n, GError **error)
{
    NlBuffer *buf = nl_backend_alloc_as(b, type, n, error);
    if (buf && !nl_backend_upload_values(b, buf, src, n, error)) {
        nl_backend_free(b, buf);
        return NULL;
    }
    return buf;
}

/* The checks every _in call makes beyond its buffers': acc is a
 * precision, holds each input (NULL: not used), and the kernel in that
 * precision was not found wrong by the self-check. */
static gboolean check_acc(const NlBackend *b, NlKernel k, NlPrecision acc,
                          const NlBuffer *in1, const NlBuffer *in2,
                          GError **error)
{
    const char *kernel = kernel_names[k];
    if (!nl_precision_name(acc))
        return bad_arg(b, kernel, error, "accumulation precision %d is unknown",
                       (int)acc);
    const NlBuffer *in[] = {in1, in2};
    for (guint i = 0; i < G_N_ELEMENTS(in); i++)
        if (in[i] && !nl_precision_holds(acc, in[i]->type))
            return bad_arg(b, kernel, error,
                           "%s accumulation cannot hold %s values (it "
                           "must be the inputs' precision, float32 or "
                           "float64)",
                           nl_precision_name(acc),
                           nl_precision_name(in[i]->type));
    if (b->unusable_in[k][acc])
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNUSABLE,
                       "%s in %s on backend '%s' is unusable: %s", kernel,
                       nl_precision_name(acc), b->label,
                       b->unusable_in[k][acc]);
    return TRUE;
}

/* Whether the call is the first ABI's: float32 data, float32 sums. */
static gboolean all_f32(NlPrecision acc, const NlBuffer *b1, const NlBuffer *b2,
                        const NlBuffer *b3)
{
    return acc == NL_PRECISION_F32 && (!b1 || b1->type == NL_PRECISION_F32) &&
           (!b2 || b2->type == NL_PRECISION_F32) &&
           (!b3 || b3->type == NL_PRECISION_F32);
}

/* After the module's _in hook: done (TRUE), or, when it declined with
 * NL_BACKEND_ERROR_UNSUPPORTED or has no hook (hooked FALSE), whether
 * the reference may run instead: *fall is set then, and the fallback
 * recorded. */
static gboolean after_hook(NlBackend *b, NlKernel k, NlPrecision acc,
                           gboolean hooked, gboolean ok, GError **local,
                           gboolean *fall, GError **error)
{
    *fall = FALSE;
    b->last_reference = FALSE;
    if (hooked && ok)
        return TRUE;
    if (hooked && !g_error_matches(*local, NL_BACKEND_ERROR,
                                   NL_BACKEND_ERROR_UNSUPPORTED)) {
        g_propagate_error(error, *local);
        *local = NULL;
        return FALSE;
    }
    g_clear_error(local);
    b->fell_back_in[k] |= 1u << acc;
    b->last_reference = TRUE;
    *fall = TRUE;
    return TRUE;
}

gboolean nl_backend_last_was_reference(const NlBackend *b)
{
    g_return_val_if_fail(b != NULL, FALSE);
    return b->last_reference;
}

gboolean nl_backend_times(const NlBackend *b, NlBackendTimes *times)
{
    g_return_val_if_fail(times != NULL, FALSE);
    memset(times, 0, sizeof *times);
    g_return_val_if_fail(b != NULL, FALSE);
    if (!NL_FIELD(b->ops, times))
        return FALSE;
    b->ops->times(b->self, times);
    return TRUE;
}

/* The first n values of a buffer where numlab's reference can read and
 * write them: its host memory, or else (a float32 buffer in a backend's
 * own memory) a copy, fetched through the download hook and, for an
 * output, put back by put_back. */
typedef struct {
    NlArray a;
    gpointer copy; /* NULL when a.data is the buffer's own memory */
} HostView;

static gboolean view_of(NlBackend *b, const NlBuffer *buf, gsize n, HostView *v,
                        GError **error)
{
    v->copy = NULL;
    v->a.type = buf->type;
    v->a.data = buf->host;
    if (buf->host)
        return TRUE;
    v->copy = g_malloc(MAX(n, 1) * nl_precision_size(buf->type));
    v->a.data = v->copy;
    if (!download_raw(b, buf, v->copy, n, error)) {
        g_clear_pointer(&v->copy, g_free);
        return FALSE;
    }
    return TRUE;
}

/* After the reference wrote into an output's view: its copy goes back to
 * the backend's memory. The view is cleared either way. */
static gboolean put_back(NlBackend *b, NlBuffer *buf, gsize n, HostView *v,
                         GError **error)
{
    gboolean ok = !v->copy || upload_raw(b, buf, v->copy, n, error);
    g_clear_pointer(&v->copy, g_free);
    return ok;
}

static void view_clear(HostView *v)
{
    g_clear_pointer(&v->copy, g_free);
}

gboolean nl_backend_sum_in(NlBackend *b, const NlBuffer *x, gsize n,
                           NlPrecision acc, double *result, GError **error)
{
    if (!check_any(b, "sum", "x", x, n, error) ||
        !check_acc(b, NL_KERNEL_SUM, acc, x, NULL, error))
        return FALSE;
    b->last_reference = FALSE;
    if (all_f32(acc, x, NULL, NULL)) {
        float r;
        if (!nl_backend_sum(b, x, n, &r, error))
            return FALSE;
        *result = r;
        return TRUE;
    }
    g_autoptr(GError) local = NULL;
    gboolean hooked = NL_FIELD(b->ops, sum_in) != NULL, fall;
    gboolean ok = hooked && b->ops->sum_in(b->self, x, n, acc, result, &local);
    if (!after_hook(b, NL_KERNEL_SUM, acc, hooked, ok, &local, &fall, error))
        return FALSE;
    if (!fall)
        return TRUE;
    HostView vx;
    if (!view_of(b, x, n, &vx, error))
        return FALSE;
    *result = nl_ref_sum_in(acc, vx.a, n);
    view_clear(&vx);
    return TRUE;
}

gboolean nl_backend_dot_in(NlBackend *b, const NlBuffer *x, const NlBuffer *y,
                           gsize n, NlPrecision acc, double *result,
                           GError **error)
{
    if (!check_any(b, "dot", "x", x, n, error) ||
        !check_any(b, "dot", "y", y, n, error) ||
        !check_acc(b, NL_KERNEL_DOT, acc, x, y, error))
        return FALSE;
    b->last_reference = FALSE;
    if (all_f32(acc, x, y, NULL)) {
        float r;
        if (!nl_backend_dot(b, x, y, n, &r, error))
            return FALSE;
        *result = r;
        return TRUE;
    }
    g_autoptr(GError) local = NULL;
    gboolean hooked = NL_FIELD(b->ops, dot_in) != NULL, fall;
    gboolean ok =
        hooked && b->ops->dot_in(b->self, x, y, n, acc, result, &local);
    if (!after_hook(b, NL_KERNEL_DOT, acc, hooked, ok, &local, &fall, error))
        return FALSE;
    if (!fall)
        return TRUE;
    HostView vx, vy;
    if (!view_of(b, x, n, &vx, error))
        return FALSE;
    if (!view_of(b, y, n, &vy, error)) {
        view_clear(&vx);
        return FALSE;
    }
    *result = nl_ref_dot_in(acc, vx.a, vy.a, n);
    view_clear(&vx);
    view_clear(&vy);
    return TRUE;
}

gboolean nl_backend_gemv_in(NlBackend *b, gsize m, gsize n, const NlBuffer *a,
                            gsize lda, const NlBuffer *x, NlBuffer *y,
                            NlPrecision acc, GError **error)
{
    gsize span;
    if (!matrix_span(b, "gemv", "a", m, n, lda, &span, error) ||
        !check_any(b, "gemv", "a", a, span, error) ||
        !check_any(b, "gemv", "x", x, n, error) ||
        !check_any(b, "gemv", "y", y, m, error) ||
        !check_acc(b, NL_KERNEL_GEMV, acc, a, x, error))
        return FALSE;
    b->last_reference = FALSE;
    if (all_f32(acc, a, x, y))
        return nl_backend_gemv(b, m, n, a, lda, x, y, error);
    g_autoptr(GError) local = NULL;
    gboolean hooked = NL_FIELD(b->ops, gemv_in) != NULL, fall;
    gboolean ok =
        hooked && b->ops->gemv_in(b->self, m, n, a, lda, x, y, acc, &local);
    if (!after_hook(b, NL_KERNEL_GEMV, acc, hooked, ok, &local, &fall, error))
        return FALSE;
    if (!fall)
        return TRUE;
    HostView va, vx, vy;
    if (!view_of(b, a, span, &va, error))
        return FALSE;
    gboolean done = view_of(b, x, n, &vx, error);
    if (done && !(done = view_of(b, y, m, &vy, error)))
        view_clear(&vx);
    if (done) {
        nl_ref_gemv_in(acc, m, n, va.a, lda, vx.a, y->type,
                       (gpointer)vy.a.data);
        view_clear(&vx);
        done = put_back(b, y, m, &vy, error);
    }
    view_clear(&va);
    return done;
}

gboolean nl_backend_gemm_in(NlBackend *b, gsize m, gsize n, gsize k,
                            const NlBuffer *a, gsize lda, const NlBuffer *bm,
                            gsize ldb, NlBuffer *c, gsize ldc, NlPrecision acc,
                            GError **error)
{
    gsize sa, sb, sc;
    if (!matrix_span(b, "gemm", "a", m, k, lda, &sa, error) ||
        !matrix_span(b, "gemm", "b", k, n, ldb, &sb, error) ||
        !matrix_span(b, "gemm", "c", m, n, ldc, &sc, error) ||
        !check_any(b, "gemm", "a", a, sa, error) ||
        !check_any(b, "gemm", "b", bm, sb, error) ||
        !check_any(b, "gemm", "c", c, sc, error) ||
        !check_acc(b, NL_KERNEL_GEMM, acc, a, bm, error))
        return FALSE;
    b->last_reference = FALSE;
    if (all_f32(acc, a, bm, c))
        return nl_backend_gemm(b, m, n, k, a, lda, bm, ldb, c, ldc, error);
    g_autoptr(GError) local = NULL;
    gboolean hooked = NL_FIELD(b->ops, gemm_in) != NULL, fall;
    gboolean ok = hooked && b->ops->gemm_in(b->self, m, n, k, a, lda, bm, ldb,
                                            c, ldc, acc, &local);
    if (!after_hook(b, NL_KERNEL_GEMM, acc, hooked, ok, &local, &fall, error))
        return FALSE;
    if (!fall)
        return TRUE;
    HostView va, vb, vc;
    if (!view_of(b, a, sa, &va, error))
        return FALSE;
    gboolean done = view_of(b, bm, sb, &vb, error);
    if (done && !(done = view_of(b, c, sc, &vc, error)))
        view_clear(&vb);
    if (done) {
        nl_ref_gemm_in(acc, m, n, k, va.a, lda, vb.a, ldb, c->type,
                       (gpointer)vc.a.data, ldc);
        view_clear(&vb);
        done = put_back(b, c, sc, &vc, error);
    }
    view_clear(&va);
    return done;
}

gboolean nl_backend_tiled_sum_in(NlBackend *b, const NlBuffer *x, gsize n,
                                 gsize tile, NlPrecision acc, double *result,
                                 GError **error)
{
    if (tile == 0)
        return bad_arg(b, "tiled_sum", error, "tile size 0");
    if (!check_any(b, "tiled_sum", "x", x, n, error) ||
        !check_acc(b, NL_KERNEL_TILED_SUM, acc, x, NULL, error))
        return FALSE;
    b->last_reference = FALSE;
    if (all_f32(acc, x, NULL, NULL)) {
        float r;
        if (!nl_backend_tiled_sum(b, x, n, tile, &r, error))
            return FALSE;
        *result = r;
        return TRUE;
    }
    g_autoptr(GError) local = NULL;
    gboolean hooked = NL_FIELD(b->ops, tiled_sum_in) != NULL, fall;
    gboolean ok = hooked && b->ops->tiled_sum_in(b->self, x, n, tile, acc,
                                                 result, &local);
    if (!after_hook(b, NL_KERNEL_TILED_SUM, acc, hooked, ok, &local, &fall,
                    error))
        return FALSE;
    if (!fall)
        return TRUE;
    HostView vx;
    if (!view_of(b, x, n, &vx, error))
        return FALSE;
    *result = nl_ref_tiled_sum_in(acc, vx.a, n, tile);
    view_clear(&vx);
    return TRUE;
}
