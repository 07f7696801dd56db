/* failing-exp.c — an experiment whose backend phase fails half-way, after
 * it has filled part of a table: that job's table must not be written,
 * the common phase's must, and existing files must stay intact. Fails only
 * when the parameter fail=1, so the same plugin also writes good results. */
#include <numlab/numlab.h>

static gboolean run_common(NlRun *run, GError **error)
{
    (void)error;
    NlTable *t = nl_run_table(run, "common", "x:int");
    nl_table_add_int(t, 1);
    return TRUE;
}

static gboolean run_backend(NlRun *run, GError **error)
{
    NlTable *t = nl_run_table(run, "partial", "i:int sum:f32");
    gboolean fail = nl_params_get_bool(nl_run_params(run), "fail");
    for (int i = 0; i < 3; i++) {
        nl_table_add_int(t, i);
        nl_table_add_f32(t, (float)i);
        if (fail && i == 1) {
            g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                        "failed half-way (on purpose)");
            return FALSE;
        }
    }
    return TRUE;
}

static const NlParamSpec params[] = {
    {"fail", NL_PARAM_BOOL, "0", 0, 0, "fail in the backend phase", NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "fails on purpose (test)",
    .description = "A test experiment.",
    .params = params,
    .run_common = run_common,
    .run_backend = run_backend,
};

static const NlPlugin plugin = {
    .abi_version = NL_ABI_VERSION,
    .kind = NL_PLUGIN_EXPERIMENT,
    .name = "failing",
    .version = "0",
    .summary = "fails on purpose (test)",
    .experiment = &ops,
};

NL_PLUGIN_DEFINE(plugin)
