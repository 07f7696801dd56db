/* phases.c — the engine's third stage: the experiment's phases run in
 * order, the common phase, one job per opened backend, the compare phase.
 *
 * A phase fails when its hook returns FALSE, when it leaves a table in the
 * middle of a row, or when a plugin logs a critical or warning while it
 * runs (a programming error: a wrong parameter getter, a cell of the
 * wrong type, a NULL handed to the SDK), which plugin-log.c collects. A
 * failed backend job or compare phase loses its tables; a failed common
 * phase stops the run, since every job builds on it.
 *
 * A job runs in a child of its own (isolate.c) unless the request has no
 * job runner (--in-process); either way its phase runs in nl_phase_call.
 * Backend jobs in children run side by side as the cores allow (below). */
#include "config.h"

#include "engine.h"

/* The reason a phase that returned `ok` failed, or NULL if it did not. */
static char *phase_failure(const NlPlugin *exp, NlRun *run, gboolean ok,
                           const GError *error, const char *bug)
{
    if (bug)
        return g_strdup_printf("programming error in %s: %s", exp->name, bug);
    if (!ok)
        return g_strdup(error ? error->message
                              : "the experiment failed without a reason");
    GPtrArray *tables = nl_run_tables(run);
    for (guint i = 0; i < tables->len; i++)
        if (!nl_table_is_complete(tables->pdata[i]))
            return g_strdup_printf("table '%s' ends in the middle of a row",
                                   nl_table_name(tables->pdata[i]));
    return NULL;
}

char *nl_phase_call(const NlPlugin *exp, NlPhase phase, NlRun *run,
                    double *seconds)
{
    g_autoptr(GError) error = NULL;
    nl_plugin_log_begin();
    double t0 = nl_time_now();
    gboolean ok = nl_experiment_hook(exp, phase)(run, &error);
    *seconds = nl_time_now() - t0;
    nl_run_close_peers(run);
    g_autofree char *bug = nl_plugin_log_end();
    nl_run_progress_done(run);
    return phase_failure(exp, run, ok, error, bug);
}

/* For run_compare: the runs of the backend jobs that succeeded. */
static GPtrArray *succeeded_backend_runs(const NlEngine *e)
{
    GPtrArray *runs = g_ptr_array_new();
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        if (nl_job_backend_ok(j))
            g_ptr_array_add(runs, j->run);
    }
    return runs;
}

static void run_in_process(NlEngine *e, NlJob *j)
{
    g_autofree char *progress =
        g_strdup_printf("%s/%s", e->exp->name, j->label);
    j->run = nl_run_new(e->params, e->req->seed, j->backend, progress);
    if (j->phase == NL_PHASE_COMPARE) {
        g_autoptr(GPtrArray) done = succeeded_backend_runs(e);
        nl_run_set_jobs(j->run, done);
    }
    if (j->phase != NL_PHASE_COMMON)
        nl_run_set_common(j->run, e->common);
    g_autofree char *failure =
        nl_phase_call(e->exp, j->phase, j->run, &j->seconds);
    if (j->backend)
        j->fallback = nl_backend_fallbacks(j->backend);
    if (failure)
        nl_job_fail(j, NL_JOB_FAILED, failure);
    else
        j->status = NL_JOB_OK;
}

/* ---- backend jobs side by side ----
 *
 * Jobs are independent processes with the same inputs, so running two at
 * once changes no bit of their results; it only changes the times they
 * take. Up to --jobs of them run at once (default: one per core), started
 * in their order as others end, like make -j: a job's threads are not
 * counted, since most jobs spend most of their time in kernels too small
 * for a second thread, and numlab's and OpenBLAS's waiting threads sleep
 * (numlab.c). An experiment whose results are times
 * (NL_PLUGIN_JOBS_ALONE: bench) runs one job at a time, and fewer run at
 * once while that many would not fit in the memory available together
 * (budget.c's estimate per job). */

static guint jobs_at_once(const NlEngine *e)
{
    if (NL_FIELD(e->exp, flags) & NL_PLUGIN_JOBS_ALONE)
        return 1;
    guint n = e->req->jobs ? e->req->jobs : g_get_num_processors();
    while (n > 1 && e->estimated_bytes > 0 &&
           !nl_memory_check(n * e->estimated_bytes, "jobs side by side", NULL))
        n--;
    return MAX(n, 1);
}

static void run_side_by_side(NlEngine *e, GPtrArray *pending)
{
    guint most = jobs_at_once(e), next = 0;
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_autoptr(GPtrArray) running = g_ptr_array_new();
    while (next < pending->len || running->len) {
        while (next < pending->len && running->len < most) {
            NlJobChild *c = nl_job_child_start(e, pending->pdata[next++], ctx);
            if (c) /* else resumed, or failed to start */
                g_ptr_array_add(running, c);
            e->most_at_once = MAX(e->most_at_once, running->len);
        }
        if (!running->len)
            continue;
        g_main_context_iteration(ctx, TRUE);
        for (guint i = 0; i < running->len;) {
            NlJobChild *c = running->pdata[i];
            if (nl_job_child_done(c)) {
                nl_job_child_finish(e, c);
                g_ptr_array_remove_index(running, i);
            } else {
                i++;
            }
        }
    }
}

static void run_one(NlEngine *e, NlJob *j)
{
    if (e->req->job_runner)
        nl_job_run_isolated(e, j);
    else
        run_in_process(e, j);
    e->most_at_once = MAX(e->most_at_once, 1);
}

static void run_backend_jobs(NlEngine *e, GPtrArray *jobs)
{
    if (e->req->job_runner)
        run_side_by_side(e, jobs);
    else
        for (guint i = 0; i < jobs->len; i++)
            run_one(e, jobs->pdata[i]);
    g_ptr_array_set_size(jobs, 0);
}

gboolean nl_engine_run_phases(NlEngine *e)
{
    g_autoptr(GPtrArray) backend_jobs = g_ptr_array_new();
    for (guint i = 0; i < e->jobs->len; i++) {
        NlJob *j = e->jobs->pdata[i];
        if (j->status != NL_JOB_PENDING) /* a backend that did not open */
            continue;
        if (j->phase == NL_PHASE_BACKEND) {
            g_ptr_array_add(backend_jobs, j);
            continue;
        }
        run_backend_jobs(e, backend_jobs); /* those before this one */
        run_one(e, j);
        if (j->phase != NL_PHASE_COMMON)
            continue;
        if (j->status != NL_JOB_OK) {
            /* the backends' skips and failures (opened before) first, on
             * lines of their own; then this one */
            nl_engine_report(e, j);
            g_printerr("numlab: %s: %s (no file was written)\n", e->exp->name,
                       j->reason);
            return FALSE;
        }
        e->common = j->run;
    }
    run_backend_jobs(e, backend_jobs); /* with no compare phase after */
    return TRUE;
}
