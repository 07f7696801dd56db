/* failing-exp.c — an experiment whose backend phase fails half-way on the
 * backend named by `fail`, after it has filled part of a table: that job's
 * rows must not be written, the other jobs' must; and when no job
 * succeeds, no file may change at all. `how` says how it fails: with an
 * error (the default), or the ways a plugin takes its process down —
 * segv, abort, exit (exit(0)), hang, alloc (until memory runs out), or
 * keep (an object in memory, which cannot leave the job's process).
 * NL_TEST_KILL_RUNNER=LABEL kills the runner (the job's parent) during
 * that backend's job, as a kill -9 of `numlab run` would: the test of
 * --resume. */
#include <numlab/numlab.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Takes the job's process down as `how` says; returns for "error". */
static void fail_as(const char *how)
{
    if (strcmp(how, "segv") == 0)
        raise(SIGSEGV);
    else if (strcmp(how, "abort") == 0)
        abort();
    else if (strcmp(how, "exit") == 0)
        exit(0);
    else if (strcmp(how, "hang") == 0)
        for (;;)
            g_usleep(G_USEC_PER_SEC);
    else if (strcmp(how, "alloc") == 0)
        for (;;) /* g_malloc aborts when it cannot */
            memset(g_malloc(64 << 20), 1, 64 << 20);
}

static gboolean run_common(NlRun *run, GError **error)
{
    (void)error;
    NlTable *t = nl_run_table(run, "common", "x:int");
    nl_table_add_int(t, 1);
    return TRUE;
}

static gboolean run_backend(NlRun *run, GError **error)
{
    const char *label = nl_backend_label(nl_run_backend(run));
    if (g_strcmp0(g_getenv("NL_TEST_KILL_RUNNER"), label) == 0) {
        kill(getppid(), SIGKILL);
        raise(SIGKILL);
    }
    NlTable *t = nl_run_table(run, "partial", "i:int sum:f32");
    gboolean fail = g_strcmp0(nl_params_get_string(nl_run_params(run), "fail"),
                              nl_backend_label(nl_run_backend(run))) == 0;
    for (int i = 0; i < 3; i++) {
        nl_table_add_int(t, i);
        nl_table_add_f32(t, (float)i);
        if (fail && i == 1) {
            const char *how = nl_params_get_string(nl_run_params(run), "how");
            if (strcmp(how, "keep") == 0) {
                nl_run_keep(run, g_strdup("kept"), g_free);
                return TRUE;
            }
            fail_as(how);
            return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                           "failed half-way (on purpose)");
        }
    }
    return TRUE;
}

static const NlParamSpec params[] = {
    {"fail", NL_PARAM_STRING, "", 0, 0, "the backend whose job fails", NULL,
     NULL},
    {"how", NL_PARAM_STRING, "error", 0, 0,
     "error, segv, abort, exit, hang, alloc or keep", NULL, NULL},
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
