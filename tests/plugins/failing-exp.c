/* failing-exp.c — an experiment whose backend phase fails half-way on the
 * backend named by `fail`, after it has filled part of a table: that job's
 * rows must not be written, the other jobs' must; and when no job
 * succeeds, no file may change at all. */
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
    gboolean fail = g_strcmp0(nl_params_get_string(nl_run_params(run), "fail"),
                              nl_backend_label(nl_run_backend(run))) == 0;
    for (int i = 0; i < 3; i++) {
        nl_table_add_int(t, i);
        nl_table_add_f32(t, (float)i);
        if (fail && i == 1) {
            return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                           "failed half-way (on purpose)");
        }
    }
    return TRUE;
}

static const NlParamSpec params[] = {
    {"fail", NL_PARAM_STRING, "", 0, 0, "the backend whose job fails", NULL,
     NULL},
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

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT, .name = "failing",
                 .version = "0", .summary = "fails on purpose (test)",
                 .experiment = &ops, )
