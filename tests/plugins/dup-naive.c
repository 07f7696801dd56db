/* dup-naive.c — a second backend named "naive": the first one loaded
 * stays, this one is reported and ignored. */
#include <numlab/numlab.h>

static gpointer dup_open(const NlParams *options, GError **error)
{
    (void)options;
    g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                "the duplicate must never be opened");
    return NULL;
}

static gboolean dup_alloc(gpointer self, NlBuffer *buf, GError **error)
{
    (void)self;
    (void)buf;
    (void)error;
    return FALSE;
}

static const NlBackendOps ops = {
    .struct_size = sizeof(NlBackendOps),
    .open = dup_open,
    .alloc = dup_alloc,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_BACKEND, .name = "naive", .version = "0",
                 .summary = "duplicate name", .backend = &ops, )
