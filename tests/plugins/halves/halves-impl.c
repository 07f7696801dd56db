/* halves-impl.c — the companion of the test module halves.c: a host-memory
 * backend with sum and dot, of which the module forwards only sum. */
#include "config.h"

#include <numlab/numlab.h>

static gpointer impl_open(const NlParams *opts, GError **error)
{
    (void)opts;
    (void)error;
    return g_new0(int, 1);
}

static void impl_close(gpointer self)
{
    g_free(self);
}

static void impl_describe(gpointer self, NlBackendInfo *info)
{
    (void)self;
    info->library = "halves test library";
    info->device = "CPU";
    info->threads = 1;
}

static gboolean impl_sum(gpointer self, const NlBuffer *x, gsize n,
                         float *result, GError **error)
{
    (void)self;
    (void)error;
    float s = 0.0f;
    for (gsize i = 0; i < n; i++)
        s += x->host[i];
    *result = s;
    return TRUE;
}

static gboolean impl_dot(gpointer self, const NlBuffer *x, const NlBuffer *y,
                         gsize n, float *result, GError **error)
{
    (void)self;
    (void)error;
    float s = 0.0f;
    for (gsize i = 0; i < n; i++)
        s += x->host[i] * y->host[i];
    *result = s;
    return TRUE;
}

static const NlBackendOps impl_ops = {
    .struct_size = sizeof(NlBackendOps),
    .open = impl_open,
    .close = impl_close,
    .describe = impl_describe,
    .sum = impl_sum,
    .dot = impl_dot,
};

gconstpointer halves_impl(const char **version);

gconstpointer halves_impl(const char **version)
{
    *version = PACKAGE_VERSION;
    return &impl_ops;
}
