/* counting.c — a test backend that logs every upload (where the values
 * came from, how many), so that tests/test-gpt.c can count how often
 * MiniGPT's weights cross to a backend: once per model, or once per
 * training step, never once per product.
 *
 * It computes on host memory numlab allocates, and has only the kernels
 * the model calls, gemm and softmax, in the naive backend's order (one
 * float32 accumulator, left to right, no FMA), so its results must equal
 * the host's bit for bit. The log is read through counting_take_log(),
 * which the test finds with g_module_symbol on this module: a test hook,
 * not part of the plugin ABI. */
#include <numlab/numlab.h>

#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "counting.h"

static GArray *log_uploads; /* CountingUpload, since the last take */

GArray *counting_take_log(void)
{
    GArray *taken = log_uploads
                        ? log_uploads
                        : g_array_new(FALSE, FALSE, sizeof(CountingUpload));
    log_uploads = NULL;
    return taken;
}

static gpointer counting_open(const NlParams *options, GError **error)
{
    (void)options;
    (void)error;
    return g_new0(int, 1);
}

static void counting_close(gpointer self)
{
    g_free(self);
}

static void counting_describe(gpointer self, NlBackendInfo *info)
{
    (void)self;
    info->library = "numlab tests, upload counter";
    info->device = "CPU";
    info->threads = 1;
    info->summation_order =
        "sequential left to right, one float32 accumulator, no FMA";
}

static gboolean counting_upload(gpointer self, NlBuffer *dst, const float *src,
                                gsize n, GError **error)
{
    (void)self;
    (void)error;
    if (!log_uploads)
        log_uploads = g_array_new(FALSE, FALSE, sizeof(CountingUpload));
    CountingUpload u = {src, n};
    g_array_append_val(log_uploads, u);
    memcpy(dst->host, src, n * sizeof *src);
    return TRUE;
}

static gboolean counting_gemm(gpointer self, gsize m, gsize n, gsize k,
                              const NlBuffer *a, gsize lda, const NlBuffer *b,
                              gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    (void)self;
    (void)error;
    for (gsize i = 0; i < m; i++) {
        float *row = c->host + i * ldc;
        for (gsize j = 0; j < n; j++)
            row[j] = 0.0f;
        for (gsize p = 0; p < k; p++) {
            float aip = a->host[i * lda + p];
            const float *bp = b->host + p * ldb;
            for (gsize j = 0; j < n; j++)
                row[j] += aip * bp[j];
        }
    }
    return TRUE;
}

static gboolean counting_softmax(gpointer self, const NlBuffer *x, NlBuffer *y,
                                 gsize n, float temperature, GError **error)
{
    (void)self;
    (void)error;
    const float *in = x->host;
    float *out = y->host, max = in[0] / temperature, total = 0.0f;
    for (gsize i = 1; i < n; i++)
        max = fmaxf(max, in[i] / temperature);
    for (gsize i = 0; i < n; i++) {
        out[i] = expf(in[i] / temperature - max);
        total += out[i];
    }
    for (gsize i = 0; i < n; i++)
        out[i] /= total;
    return TRUE;
}

static const NlBackendOps ops = {
    .struct_size = sizeof(NlBackendOps),
    .open = counting_open,
    .close = counting_close,
    .describe = counting_describe,
    .upload = counting_upload,
    .gemm = counting_gemm,
    .softmax = counting_softmax,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_BACKEND, .name = "counting", .version = "0.1.0",
        .summary =
            "test: logs every upload; gemm and softmax in the naive order",
        .backend = &ops, )
