/* devicef32.c — a test backend shaped like the cuda backend: its values
 * live in memory of its own (buffers have device set and host NULL), it
 * has every float32 kernel, and no _in kernel. numlab keeps its buffers of
 * the other precisions in host memory and runs the reference on them,
 * reading and writing this backend's float32 operands through its
 * download and upload hooks (framework/lib/backend.c, "numlab_owned").
 *
 * The kernels are libnumlab's reference kernels on the private memory, so
 * its results are naive's, bit for bit: a test can compare the two. Every
 * alloc of a buffer that is not float32 is counted as a misuse (numlab
 * must never hand this backend one), and reported at close. */
#include <numlab/numlab.h>

#include <string.h>

typedef struct {
    guint foreign_allocs; /* buffers of another type than float32 */
} Dev;

static gpointer dev_open(const NlParams *opts, GError **error)
{
    (void)opts;
    (void)error;
    return g_new0(Dev, 1);
}

static void dev_close(gpointer p)
{
    Dev *self = p;
    if (self->foreign_allocs)
        g_printerr("devicef32: %u buffers of another precision than float32 "
                   "were allocated here\n",
                   self->foreign_allocs);
    g_free(self);
}

static void dev_describe(gpointer self, NlBackendInfo *info)
{
    (void)self;
    info->library = "devicef32 test library 1.0";
    info->device = "private memory";
    info->threads = 1;
    info->summation_order = "libnumlab's reference kernels (a test)";
}

static gboolean dev_alloc(gpointer p, NlBuffer *buf, GError **error)
{
    Dev *self = p;
    if (buf->type != NL_PRECISION_F32)
        self->foreign_allocs++;
    buf->device = nl_alloc_f32(buf->n, error);
    return buf->device != NULL;
}

static void dev_free(gpointer self, NlBuffer *buf)
{
    (void)self;
    nl_free(buf->device);
}

static gboolean dev_upload(gpointer self, NlBuffer *dst, const float *src,
                           gsize n, GError **error)
{
    (void)self;
    (void)error;
    memcpy(dst->device, src, n * sizeof(float));
    return TRUE;
}

static gboolean dev_download(gpointer self, const NlBuffer *src, float *dst,
                             gsize n, GError **error)
{
    (void)self;
    (void)error;
    memcpy(dst, src->device, n * sizeof(float));
    return TRUE;
}

static gboolean dev_sum(gpointer self, const NlBuffer *x, gsize n,
                        float *result, GError **error)
{
    (void)self;
    (void)error;
    *result = nl_ref_sum_f32(x->device, n);
    return TRUE;
}

static gboolean dev_dot(gpointer self, const NlBuffer *x, const NlBuffer *y,
                        gsize n, float *result, GError **error)
{
    (void)self;
    (void)error;
    *result = nl_ref_dot_f32(x->device, y->device, n);
    return TRUE;
}

static gboolean dev_gemv(gpointer self, gsize m, gsize n, const NlBuffer *a,
                         gsize lda, const NlBuffer *x, NlBuffer *y,
                         GError **error)
{
    (void)self;
    (void)error;
    nl_ref_gemv_f32(m, n, a->device, lda, x->device, y->device);
    return TRUE;
}

static gboolean dev_gemm(gpointer self, gsize m, gsize n, gsize k,
                         const NlBuffer *a, gsize lda, const NlBuffer *b,
                         gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    (void)self;
    (void)error;
    nl_ref_gemm_f32(m, n, k, a->device, lda, b->device, ldb, c->device, ldc);
    return TRUE;
}

static gboolean dev_softmax(gpointer self, const NlBuffer *x, NlBuffer *y,
                            gsize n, float temperature, GError **error)
{
    (void)self;
    (void)error;
    nl_ref_softmax_f32(x->device, y->device, n, temperature);
    return TRUE;
}

static gboolean dev_tiled_sum(gpointer self, const NlBuffer *x, gsize n,
                              gsize tile, float *result, GError **error)
{
    (void)self;
    (void)error;
    *result = nl_ref_tiled_sum_f32(x->device, n, tile);
    return TRUE;
}

static gboolean dev_copy(gpointer self, NlBuffer *dst, const NlBuffer *src,
                         gsize n, GError **error)
{
    (void)self;
    (void)error;
    nl_ref_copy_f32(dst->device, src->device, n);
    return TRUE;
}

static const NlBackendOps ops = {
    .struct_size = sizeof(NlBackendOps),
    .open = dev_open,
    .close = dev_close,
    .describe = dev_describe,
    .alloc = dev_alloc,
    .free = dev_free,
    .upload = dev_upload,
    .download = dev_download,
    .sum = dev_sum,
    .dot = dev_dot,
    .gemv = dev_gemv,
    .gemm = dev_gemm,
    .softmax = dev_softmax,
    .tiled_sum = dev_tiled_sum,
    .copy = dev_copy,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_BACKEND, .name = "devicef32", .version = "0",
                 .summary = "private memory, float32 kernels only, like cuda "
                            "without _in kernels (test)",
                 .backend = &ops, )
