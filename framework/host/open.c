/* open.c — the engine's second stage: every backend job's backend opened
 * and self-checked (selfcheck.c) before any phase runs, so that a bad
 * name or option is reported before anything is computed.
 *
 * A backend that does not open fails its job; one that is unavailable (no
 * device) is skipped instead when the user did not name it. */
#include "config.h"

#include "engine.h"

/* Opens the backend of a job; on failure sets the job's status. */
static void open_backend(NlRegistry *r, NlJob *j)
{
    g_autoptr(GError) error = NULL;
    j->backend = nl_backend_open_spec(r, j->label, &j->check, &error);
    if (!j->backend) {
        gboolean unavailable = g_error_matches(error, NL_BACKEND_ERROR,
                                               NL_BACKEND_ERROR_UNAVAILABLE);
        g_autofree char *why = g_strdup_printf(
            "%s%s", unavailable ? "unavailable: " : "", error->message);
        nl_job_fail(
            j, unavailable && !j->requested ? NL_JOB_SKIPPED : NL_JOB_FAILED,
            why);
        return;
    }
    nl_self_check_print_once(j->check);
}

/* The backend job, when the run has exactly one. */
static const NlJob *sole_backend_job(const NlEngine *e)
{
    const NlJob *found = NULL;
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        if (j->phase != NL_PHASE_BACKEND)
            continue;
        if (found)
            return NULL;
        found = j;
    }
    return found;
}

gboolean nl_engine_open(NlEngine *e)
{
    guint n_usable = 0;
    for (guint i = 0; i < e->jobs->len; i++) {
        NlJob *j = e->jobs->pdata[i];
        if (j->phase != NL_PHASE_BACKEND)
            continue;
        if (j->status == NL_JOB_PENDING) /* not failed at plan time */
            open_backend(e->registry, j);
        n_usable += j->status == NL_JOB_PENDING;
    }
    if (nl_engine_hook(e, NL_PHASE_BACKEND) && n_usable == 0) {
        const NlJob *only = sole_backend_job(e);
        if (only) { /* one problem, one line */
            g_printerr("numlab: %s: %s: %s; nothing was run and no file was "
                       "written\n",
                       e->exp->name, only->label, only->reason);
            return FALSE;
        }
        nl_engine_report(e, NULL);
        g_printerr("numlab: %s: no backend could be opened; nothing was run "
                   "and no file was written\n",
                   e->exp->name);
        return FALSE;
    }
    return TRUE;
}
