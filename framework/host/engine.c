/* engine.c — runs one experiment, stage by stage: plan, open (with the
 * self-check), run the phases, report and write (engine.h lists the
 * files of each stage).
 *
 * Everything that can be checked before computing is checked first: the
 * experiment, its parameters, the output folder, and every backend's name
 * and options (all backends are opened before any phase runs). A problem
 * with one backend, or a programming error a plugin logs while a backend
 * job runs, fails that job only; the others run and their results are
 * written. Problems that concern every job stop the run before any file
 * is touched: an unknown experiment, a bad parameter, an output folder
 * that cannot be written, no backend that opens, a common phase that
 * fails, or no backend job succeeding — the previous result set then
 * stays as it was. */
#include "config.h"

#include "engine.h"

#include <stdio.h>

/* ---- jobs ---- */

const char *nl_phase_name(NlPhase phase)
{
    static const char *const names[] = {
        [NL_PHASE_COMMON] = "common",
        [NL_PHASE_BACKEND] = "backend",
        [NL_PHASE_COMPARE] = "compare",
    };
    return names[phase];
}

NlJob *nl_job_new(const char *label, NlPhase phase)
{
    NlJob *j = g_new0(NlJob, 1);
    j->label = g_strdup(label);
    j->phase = phase;
    return j;
}

void nl_job_free(NlJob *j)
{
    nl_run_free(j->run);
    nl_backend_close(j->backend);
    g_free(j->label);
    g_free(j->reason);
    g_free(j->fallback);
    g_free(j);
}

void nl_job_fail(NlJob *j, NlJobStatus status, const char *reason)
{
    j->status = status;
    g_free(j->reason);
    j->reason = g_strdup(reason);
}

const char *nl_job_state(const NlJob *j)
{
    static const char *const names[] = {
        [NL_JOB_PENDING] = "pending",
        [NL_JOB_OK] = "ok",
        [NL_JOB_FAILED] = "failed",
        [NL_JOB_SKIPPED] = "skipped",
    };
    if (j->status == NL_JOB_OK && j->run && nl_run_n_faults(j->run))
        return "fault";
    return names[j->status];
}

gboolean nl_job_backend_ok(const NlJob *j)
{
    return j->phase == NL_PHASE_BACKEND && j->status == NL_JOB_OK;
}

NlPhaseHook nl_engine_hook(const NlEngine *e, NlPhase phase)
{
    return nl_experiment_hook(e->exp, phase);
}

NlPhaseHook nl_experiment_hook(const NlPlugin *exp, NlPhase phase)
{
    const NlExperimentOps *ops = exp->experiment;
    switch (phase) {
    case NL_PHASE_COMMON:
        return NL_FIELD(ops, run_common);
    case NL_PHASE_BACKEND:
        return NL_FIELD(ops, run_backend);
    case NL_PHASE_COMPARE:
        return NL_FIELD(ops, run_compare);
    }
    return NULL;
}

void nl_engine_free(NlEngine *e)
{
    if (!e)
        return;
    if (e->jobs)
        g_ptr_array_unref(e->jobs);
    g_ptr_array_unref(e->files);
    nl_journal_close(e->journal, FALSE);
    nl_result_set_free(e->set);
    nl_params_free(e->params);
    g_free(e->dir);
    g_free(e->params_text);
    g_free(e->date);
    g_free(e);
}

/* ---- reporting ---- */

static void report_faults(const NlEngine *e, const NlJob *j)
{
    GPtrArray *faults = nl_run_faults(j->run);
    guint n_faults = nl_run_n_faults(j->run);
    for (guint f = 0; f < faults->len; f++)
        g_printerr("numlab: %s: %s: backend fault: %s\n", e->exp->name,
                   j->label, (char *)faults->pdata[f]);
    if (n_faults > faults->len)
        g_printerr("numlab: %s: %s: %u more backend faults (the tables "
                   "mark them)\n",
                   e->exp->name, j->label, n_faults - faults->len);
}

gboolean nl_engine_report(const NlEngine *e, const NlJob *except)
{
    gboolean ok = TRUE;
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        if (j == except)
            continue;
        if (j->status == NL_JOB_FAILED) {
            g_printerr("numlab: %s: %s: %s\n", e->exp->name, j->label,
                       j->reason);
            ok = FALSE;
        } else if (j->status == NL_JOB_OK && j->run &&
                   nl_run_n_faults(j->run)) {
            report_faults(e, j);
            ok = FALSE;
        } else if (j->status == NL_JOB_SKIPPED) {
            g_printerr("numlab: %s: backend %s skipped: %s\n", e->exp->name,
                       j->label, j->reason);
        }
    }
    return ok;
}

/* The one line on stdout: files written and every backend job's state. */
static void print_summary(const NlEngine *e)
{
    g_autoptr(GString) states = g_string_new(NULL);
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        if (j->phase == NL_PHASE_BACKEND)
            g_string_append_printf(states, " %s:%s", j->label, nl_job_state(j));
    }
    guint resumed = 0;
    for (guint i = 0; i < e->jobs->len; i++)
        resumed += ((const NlJob *)e->jobs->pdata[i])->resumed;
    g_autofree char *note = resumed
                                ? g_strdup_printf(" (%u %s resumed)", resumed,
                                                  resumed == 1 ? "job" : "jobs")
                                : NULL;
    printf("%s: %u files in %s;%s%s\n", e->exp->name, e->files->len, e->dir,
           states->len ? states->str : " no backend jobs", note ? note : "");
}

/* ---- the stages ---- */

/* Reports every job, then writes the result set, unless the experiment
 * has backend jobs and none succeeded: writing then would replace a good
 * result set with a partial one (common tables, an empty backends.gp).
 * The set replaces the old one only once every file is written. */
static gboolean report_and_write(NlEngine *e)
{
    gboolean all_ok = nl_engine_report(e, NULL);
    gboolean any_backend_ok = FALSE;
    for (guint i = 0; i < e->jobs->len; i++)
        any_backend_ok |= nl_job_backend_ok(e->jobs->pdata[i]);
    if (nl_engine_hook(e, NL_PHASE_BACKEND) && !any_backend_ok) {
        g_printerr("numlab: %s: no backend job succeeded; no file was "
                   "written\n",
                   e->exp->name);
        return FALSE;
    }
    g_autoptr(GError) error = NULL;
    if (!nl_engine_write_results(e, &error) ||
        !nl_engine_write_manifest(e, &error) ||
        !nl_result_set_commit(e->set, &error)) {
        g_printerr("numlab: %s: %s; %s\n", e->exp->name, error->message,
                   g_file_test(e->dir, G_FILE_TEST_IS_DIR)
                       ? "the previous results there are unchanged"
                       : "nothing was written");
        return FALSE;
    }
    print_summary(e);
    nl_journal_close(g_steal_pointer(&e->journal), TRUE);
    return all_ok && !e->tables_missing;
}

gboolean nl_engine_run(NlRegistry *registry, const NlRunRequest *request)
{
    g_autoptr(NlEngine) e = nl_engine_plan(registry, request);
    if (!e)
        return FALSE;
    if (!nl_engine_open(e))
        return FALSE;
    nl_engine_allow_peers(registry, NULL);
    gboolean ran = nl_engine_run_phases(e);
    nl_engine_allow_peers(NULL, NULL);
    return ran && report_and_write(e);
}
