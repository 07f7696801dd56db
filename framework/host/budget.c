/* budget.c — what a run will cost, said before it starts: the
 * experiment's estimate (its `estimate` hook) checked against the memory
 * this machine has free now and against a time limit, so that a run that
 * cannot fit is refused in one line instead of being OOM-killed minutes
 * in, and one that would take an hour is not started by a typo.
 *
 * A job's process holds JOB_BASE_BYTES before the experiment allocates
 * anything (numlab, GLib, MPFR, a backend's library and its buffers,
 * measured as the peak RSS of small jobs: `peak_bytes` in the manifest);
 * the experiment's estimate is what it allocates on top. */
#include "config.h"

#include "engine.h"

#include <math.h>

/* The peak RSS of a job that allocates next to nothing: 4.0–7.5 MiB
 * measured here (attention's common phase; blas jobs with OpenBLAS's
 * buffers), so 5.5 is within 1.5 times of every one. */
#define JOB_BASE_BYTES (5.5 * 1048576.0)
/* Beyond this a run asks for --force. */
#define RUN_SECONDS_LIMIT 600.0

static char *format_duration(double s)
{
    if (s < 120)
        return g_strdup_printf("%.0f seconds", s);
    if (s < 7200)
        return g_strdup_printf("%.0f minutes", s / 60);
    if (s < 2 * 86400)
        return g_strdup_printf("%.1f hours", s / 3600);
    return g_strdup_printf("%.0f days", MIN(s / 86400, 1e9));
}

gboolean nl_engine_budget(NlEngine *e)
{
    gboolean (*estimate)(const NlParams *, NlCost *, GError **) =
        NL_FIELD(e->exp->experiment, estimate);
    if (!estimate)
        return TRUE;
    g_autoptr(GError) error = NULL;
    NlCost c = {0};
    if (!estimate(e->params, &c, &error)) {
        g_printerr("numlab: %s: %s\n", e->exp->name, error->message);
        return FALSE;
    }
    guint n_jobs = 0;
    for (guint i = 0; i < e->jobs->len; i++)
        n_jobs += ((NlJob *)e->jobs->pdata[i])->phase == NL_PHASE_BACKEND;
    e->estimated_bytes = JOB_BASE_BYTES + MAX(c.bytes, 0.0);
    e->estimated_seconds =
        MAX(c.common_seconds, 0.0) + n_jobs * MAX(c.job_seconds, 0.0);
    g_autofree char *whose = g_strdup_printf(
        "a job of %s with these parameters would", e->exp->name);
    if (!nl_memory_check(e->estimated_bytes, whose, &error)) {
        g_printerr("numlab: %s: %s\n", e->exp->name, error->message);
        return FALSE;
    }
    if (e->req->job_runner && c.result_bytes > NL_JOB_WIRE_MAX) {
        g_printerr("numlab: %s: its tables would hold about %.3g GB, more "
                   "than the %.3g GB a job may send back from its process; "
                   "lower the parameters that add rows\n",
                   e->exp->name, c.result_bytes / 1e9,
                   (double)NL_JOB_WIRE_MAX / 1e9);
        return FALSE;
    }
    if (e->estimated_seconds > RUN_SECONDS_LIMIT && !e->req->force) {
        g_autofree char *time = format_duration(e->estimated_seconds);
        g_printerr("numlab: %s: this run would take about %s (estimated from "
                   "its parameters for %u backend %s, on the naive backend); "
                   "add --force to start it anyway\n",
                   e->exp->name, time, n_jobs, n_jobs == 1 ? "job" : "jobs");
        return FALSE;
    }
    return TRUE;
}
