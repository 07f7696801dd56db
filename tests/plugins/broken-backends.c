/* broken-backends.c — two backends that cannot open: "nodevice" reports
 * the clean UNAVAILABLE a missing GPU gives (a skip under -b all), and
 * "openfails" fails outright (always a job failure). Built twice, once
 * per name, from this one file. Both take an option to test validation. */
#include <numlab/numlab.h>

#ifndef BROKEN_NAME
#error "define BROKEN_NAME"
#endif

static const NlParamSpec options[] = {
    {"threads", NL_PARAM_INT, "1", 1, 64, "threads", NULL, NULL},
    NL_PARAM_END,
};

static gpointer broken_open(const NlParams *opts, GError **error)
{
    (void)opts;
#ifdef BROKEN_UNAVAILABLE
    g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                "no test device");
#else
    g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                "the driver crashed (on purpose)");
#endif
    return NULL;
}

static gboolean broken_alloc(gpointer self, NlBuffer *buf, GError **error)
{
    (void)self;
    (void)buf;
    (void)error;
    return FALSE;
}

static const NlBackendOps ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = broken_open,
    .alloc = broken_alloc,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_BACKEND, .name = BROKEN_NAME, .version = "0",
                 .summary = "a backend that cannot open (test)",
                 .backend = &ops, )
