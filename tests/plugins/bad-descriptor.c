/* bad-descriptor.c — backends whose descriptor lacks one field, built once
 * per defect (tests.mk) into tests/plugins/bad/: the loader must refuse
 * each with one line that names the field to set (tests/test-abi.c).
 *
 *   BAD_NO_ABI      a descriptor written by hand, without NL_PLUGIN_DEFINE
 *   BAD_NO_SUMMARY  .summary left out
 *   BAD_OPS_SIZE    NlBackendOps without .struct_size
 *   BAD_PARAM_EXT   an option whose .ext is not from NL_PARAM_EXT */
#include <numlab/numlab.h>

static gpointer bad_open(const NlParams *options, GError **error)
{
    (void)options;
    g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                "a refused module must never be opened");
    return NULL;
}

#ifdef BAD_PARAM_EXT
static const NlParamExt unsized = {0};
static const NlParamSpec options[] = {
    {"threads", NL_PARAM_INT, "1", 1, 64, "threads", NULL, &unsized},
    NL_PARAM_END,
};
#else
static const NlParamSpec options[] = {
    {"threads", NL_PARAM_INT, "1", 1, 64, "threads", NULL, NL_PARAM_EXT()},
    NL_PARAM_END,
};
#endif

static const NlBackendOps ops = {
#ifndef BAD_OPS_SIZE
    .struct_size = sizeof(NlBackendOps),
#endif
    .options = options,
    .open = bad_open,
};

#ifdef BAD_NO_ABI
/* What a module that predates NL_PLUGIN_DEFINE's version fields, or
 * bypasses the macro, looks like. */
static const NlPlugin handmade = {
    .kind = NL_PLUGIN_BACKEND,
    .name = "noabi",
    .version = "0",
    .summary = "a descriptor without abi_version (test)",
    .backend = &ops,
};

const NlPlugin *numlab_plugin_entry(void)
{
    return &handmade;
}
#else
#ifdef BAD_NO_SUMMARY
#define BAD_SUMMARY NULL
#else
#define BAD_SUMMARY "a descriptor with one defect (test)"
#endif
NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_BACKEND, .name = BAD_NAME, .version = "0",
                 .summary = BAD_SUMMARY, .backend = &ops, )
#endif
