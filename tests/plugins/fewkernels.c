/* fewkernels.c — a test backend with one kernel of its own, sum, summed
 * right to left (so that a test can tell it from the reference), and none
 * of the others: what numlab does with the kernels a backend lacks.
 *
 * Built twice (tests/tests.mk):
 *   fewkernels  computes on numlab's host memory (no buffer hooks): the
 *               kernels it lacks fall back to libnumlab's reference
 *               kernels, and the manifest says so;
 *   fewdevice   (-DFEW_DEVICE) keeps its values in memory of its own, as a
 *               GPU backend does, with host NULL: the kernels it lacks are
 *               unsupported. Its option stale_host=1 makes it a broken
 *               backend that also sets host but never writes it: its
 *               buffers' round trip passes, the reference kernels see
 *               stale host memory, and the self-check marks them
 *               unusable. */
#include <numlab/numlab.h>

#include <string.h>

#ifdef FEW_DEVICE
#define FEW_NAME "fewdevice"
#else
#define FEW_NAME "fewkernels"
#endif

typedef struct {
    gboolean stale_host;
} Few;

#ifdef FEW_DEVICE
static const NlParamSpec options[] = {
    {"stale_host", NL_PARAM_INT, "0", 0, 1,
     "1: buffers also have a host array, which is never written", NULL},
    NL_PARAM_END,
};
#endif

static gpointer few_open(const NlParams *opts, GError **error)
{
    (void)error;
    Few *self = g_new0(Few, 1);
#ifdef FEW_DEVICE
    self->stale_host = nl_params_get_int(opts, "stale_host") != 0;
#else
    (void)opts;
#endif
    return self;
}

static void few_close(gpointer self)
{
    g_free(self);
}

static void few_describe(gpointer self, NlBackendInfo *info)
{
    (void)self;
    info->library = FEW_NAME " test library 1.0";
    info->device = "CPU";
    info->threads = 1;
    info->summation_order = "sum right to left; no other kernel (a test)";
}

/* Where a buffer's values are. */
static const float *values(const NlBuffer *x)
{
#ifdef FEW_DEVICE
    return x->device;
#else
    return x->host;
#endif
}

static gboolean few_sum(gpointer self, const NlBuffer *x, gsize n,
                        float *result, GError **error)
{
    (void)self;
    (void)error;
    const float *v = values(x);
    float s = 0.0f;
    for (gsize i = n; i > 0; i--)
        s += v[i - 1];
    *result = s;
    return TRUE;
}

#ifdef FEW_DEVICE
static gboolean few_alloc(gpointer p, NlBuffer *buf, GError **error)
{
    const Few *self = p;
    buf->device = nl_alloc_f32(buf->n, error);
    if (!buf->device)
        return FALSE;
    if (self->stale_host) {
        buf->host = nl_alloc_f32(buf->n, error);
        if (!buf->host) {
            nl_free(buf->device);
            return FALSE;
        }
        memset(buf->host, 0, buf->n * sizeof(float));
    }
    return TRUE;
}

static void few_free(gpointer self, NlBuffer *buf)
{
    (void)self;
    nl_free(buf->device);
    nl_free(buf->host);
}

static gboolean few_upload(gpointer self, NlBuffer *dst, const float *src,
                           gsize n, GError **error)
{
    (void)self;
    (void)error;
    memcpy(dst->device, src, n * sizeof(float));
    return TRUE;
}

static gboolean few_download(gpointer self, const NlBuffer *src, float *dst,
                             gsize n, GError **error)
{
    (void)self;
    (void)error;
    memcpy(dst, src->device, n * sizeof(float));
    return TRUE;
}
#endif

static const NlBackendOps ops = {
    .struct_size = sizeof(NlBackendOps),
#ifdef FEW_DEVICE
    .options = options,
    .alloc = few_alloc,
    .free = few_free,
    .upload = few_upload,
    .download = few_download,
#endif
    .open = few_open,
    .close = few_close,
    .describe = few_describe,
    .sum = few_sum,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_BACKEND, .name = FEW_NAME, .version = "0",
                 .summary = "a backend with only a sum kernel (test)",
                 .backend = &ops, )
