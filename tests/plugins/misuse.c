/* misuse.c — an experiment with a programming error chosen by `misuse`,
 * made in the phase named by `on` (a backend's label, "common" or
 * "compare"): a getter of the wrong type, an undeclared parameter, a cell
 * added to a NULL table (what nl_run_table returns for a bad name), a
 * g_warning (through g_log or structured logging), or a critical from a
 * worker thread. Each phase returns TRUE and fills its table, so only the
 * host's check of what was logged can fail the job. */
#include <numlab/numlab.h>

#include <string.h>

static gpointer critical_in_thread(gpointer data)
{
    (void)data;
    nl_table_add_int(NULL, 1);
    return NULL;
}

static void misuse(NlRun *run, const char *phase)
{
    const NlParams *p = nl_run_params(run);
    if (strcmp(nl_params_get_string(p, "on"), phase) != 0)
        return;
    const char *what = nl_params_get_string(p, "misuse");
    if (strcmp(what, "getter") == 0) {
        (void)nl_params_get_int(p, "scale"); /* a double */
    } else if (strcmp(what, "undeclared") == 0) {
        (void)nl_params_get_int(p, "sclae");
    } else if (strcmp(what, "null-table") == 0) {
        NlTable *t = nl_run_table(run, "not a name", "x:int");
        nl_table_add_int(t, 1);
    } else if (strcmp(what, "warning") == 0) {
        g_warning("misuse: a warning on purpose");
    } else if (strcmp(what, "structured") == 0) {
        g_log_structured("misuse", G_LOG_LEVEL_WARNING, "MESSAGE",
                         "a structured warning on purpose");
    } else if (strcmp(what, "thread") == 0) {
        g_thread_join(g_thread_new("misuse", critical_in_thread, NULL));
    }
}

static gboolean run_common(NlRun *run, GError **error)
{
    (void)error;
    misuse(run, "common");
    nl_table_add_int(nl_run_table(run, "common", "x:int"), 1);
    return TRUE;
}

static gboolean run_backend(NlRun *run, GError **error)
{
    (void)error;
    misuse(run, nl_backend_label(nl_run_backend(run)));
    NlTable *t = nl_run_table(run, "values", "i:int x:f64");
    for (int i = 0; i < 3; i++) {
        nl_table_add_int(t, i);
        nl_table_add_f64(t,
                         i * nl_params_get_double(nl_run_params(run), "scale"));
    }
    return TRUE;
}

static gboolean run_compare(NlRun *run, GError **error)
{
    (void)error;
    misuse(run, "compare");
    NlTable *t = nl_run_table(run, "jobs", "jobs:int");
    nl_table_add_int(t, nl_run_n_jobs(run));
    return TRUE;
}

static const NlParamSpec params[] = {
    {"misuse", NL_PARAM_STRING, "none", 0, 0, "the programming error",
     "none|getter|undeclared|null-table|warning|structured|thread", NULL},
    {"on", NL_PARAM_STRING, "", 0, 0,
     "the phase that makes it: a backend label, common or compare", NULL, NULL},
    {"scale", NL_PARAM_DOUBLE, "0.5", 0, 0, "a double parameter", NULL, NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "programming errors on purpose (test)",
    .description = "A test experiment.",
    .params = params,
    .run_common = run_common,
    .run_backend = run_backend,
    .run_compare = run_compare,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT, .name = "misuse", .version = "0",
                 .summary = "programming errors on purpose (test)",
                 .experiment = &ops, )
