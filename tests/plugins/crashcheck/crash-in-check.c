/* crash-in-check.c — a test backend that dies where the runner used to
 * run it in its own process: in open(), or in the sum kernel that the
 * self-check calls first. `numlab list` and `run` must name the cause in
 * one line and go on with the other backends (framework/host/
 * selfcheck-child.c). Its own folder, so that only the test that wants it
 * loads it.
 *
 * Options:
 *   where=open|sum    where it dies (default sum);
 *   how=segv|abort|exit|hang   how (default segv). */
#include <numlab/numlab.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char *how;
} CrashInCheck;

static void die(const char *how)
{
    if (strcmp(how, "abort") == 0)
        abort();
    if (strcmp(how, "exit") == 0)
        exit(0);
    if (strcmp(how, "hang") == 0)
        for (;;)
            pause();
    raise(SIGSEGV);
}

static const NlParamSpec options[] = {
    {"where", NL_PARAM_STRING, "sum", 0, 0, "open or sum", NULL, NULL},
    {"how", NL_PARAM_STRING, "segv", 0, 0, "segv, abort, exit or hang", NULL,
     NULL},
    NL_PARAM_END,
};

static gpointer cic_open(const NlParams *opts, GError **error)
{
    (void)error;
    const char *how = nl_params_get_string(opts, "how");
    if (strcmp(nl_params_get_string(opts, "where"), "open") == 0)
        die(how);
    CrashInCheck *self = g_new0(CrashInCheck, 1);
    self->how = g_strdup(how);
    return self;
}

static void cic_close(gpointer p)
{
    CrashInCheck *self = p;
    g_free(self->how);
    g_free(self);
}

static void cic_describe(gpointer self, NlBackendInfo *info)
{
    (void)self;
    info->library = "crash-in-check test library 1.0";
    info->device = "CPU";
    info->threads = 1;
    info->summation_order = "none: it dies (a test)";
}

static gboolean cic_sum(gpointer p, const NlBuffer *x, gsize n, float *result,
                        GError **error)
{
    (void)x;
    (void)n;
    (void)result;
    (void)error;
    const CrashInCheck *self = p;
    die(self->how);
    return FALSE;
}

static const NlBackendOps ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = cic_open,
    .close = cic_close,
    .describe = cic_describe,
    .sum = cic_sum,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_BACKEND, .name = "crashcheck",
                 .version = "0",
                 .summary = "dies in open() or its self-check (test)",
                 .backend = &ops, )
