/* engine.h — the run engine's stages and what they share (not installed;
 * host.h has the engine's one public call, nl_engine_run).
 *
 * One `numlab run EXP` is an NlEngine: the plan (experiment, parameters,
 * output folder, one NlJob per phase run) that the stages fill in turn:
 *
 *   plan.c     the request checked and turned into jobs, nothing opened
 *   open.c     every backend job's backend opened and self-checked
 *   phases.c   the jobs' phases run in order: common, backends, compare,
 *              each in a child (isolate.c) that sends its results back;
 *              journal.c keeps them for --resume
 *   results.c  the succeeded jobs' tables and artifacts, and backends.gp
 *   manifest.c manifest.ini, last
 * into a staging folder that becomes OUTDIR/EXP in one rename once every
 * file is written (resultset.c).
 *   engine.c   nl_engine_run (the stages in order) and the report
 *
 * plugin-log.c keeps what a plugin logs while its phase runs: a critical
 * or warning there is a programming error that fails the job. */
#ifndef NL_ENGINE_H
#define NL_ENGINE_H

#include "host.h"

G_BEGIN_DECLS

/* The phases of an experiment's run (numlab/experiment.h), in run order. */
typedef enum {
    NL_PHASE_COMMON,  /* run_common, once, without a backend */
    NL_PHASE_BACKEND, /* run_backend, once per backend: a job each */
    NL_PHASE_COMPARE, /* run_compare, once, after the backend jobs */
} NlPhase;

/* "common", "backend", "compare": the manifest's `phase`. */
const char *nl_phase_name(NlPhase phase);

typedef enum {
    NL_JOB_PENDING,
    NL_JOB_OK,
    NL_JOB_FAILED,
    NL_JOB_SKIPPED,
} NlJobStatus;

/* One phase run: the common phase, one backend's job, or the compare
 * phase. */
typedef struct {
    char *label; /* "naive", "blas:threads=2"; the phase's name else */
    NlPhase phase;
    gboolean requested;       /* named with -b: unavailable is a failure */
    NlBackend *backend;       /* NL_PHASE_BACKEND, once opened */
    const NlSelfCheck *check; /* its self-check; owned by selfcheck.c */
    NlRun *run;               /* once the phase ran: its tables and artifacts */
    NlJobStatus status;
    char *reason;   /* why it failed or was skipped */
    double seconds; /* the phase's hook, wall clock */
    char *fallback; /* kernels that ran as the reference: "gemv,softmax" */
    gboolean own_process;     /* it ran in a child (isolate.c) */
    gboolean resumed;         /* taken from the journal (journal.c) */
    double isolation_seconds; /* what that cost beyond the hook */
    guint64 peak_bytes;       /* its process's peak RSS; 0: not known */
} NlJob;

NlJob *nl_job_new(const char *label, NlPhase phase);
void nl_job_free(NlJob *job);
/* "ok", "failed", "skipped", or "fault": the job ran and its results are
 * written, but its backend returned values no rounding explains. */
const char *nl_job_state(const NlJob *job);
void nl_job_fail(NlJob *job, NlJobStatus status, const char *reason);
/* A succeeded backend job: its datasets are written. */
gboolean nl_job_backend_ok(const NlJob *job);

typedef struct NlJournal NlJournal;

typedef struct {
    NlRegistry *registry;
    const NlRunRequest *req;
    const NlPlugin *exp;
    NlParams *params;
    char *dir;         /* OUTDIR/EXP */
    NlResultSet *set;  /* its staging folder, made at plan time */
    char *params_text; /* the canonical "name=value ..." */
    char *date;        /* the run's start, ISO 8601 UTC */
    GPtrArray *jobs;   /* NlJob*, in run order: common, backends, compare */
    NlRun *common;     /* the common phase's run once it succeeded */
    GPtrArray *files;  /* the names written, for the manifest */
    gboolean tables_missing; /* a table left out (its columns disagreed) */
    NlJournal *journal;      /* the jobs finished so far, or NULL */
    double estimated_bytes;  /* budget.c: a job's peak; 0: no estimate */
    double estimated_seconds;
    guint most_at_once; /* phases.c: the most jobs that ran at one time */
} NlEngine;

void nl_engine_free(NlEngine *engine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlEngine, nl_engine_free)

/* An experiment's hook for a phase, or NULL when it has none. */
typedef gboolean (*NlPhaseHook)(NlRun *run, GError **error);
NlPhaseHook nl_experiment_hook(const NlPlugin *experiment, NlPhase phase);
NlPhaseHook nl_engine_hook(const NlEngine *engine, NlPhase phase);

/* plan.c: the experiment, its parameters and the output folder checked,
 * and the jobs listed; NULL after one line on stderr. */
NlEngine *nl_engine_plan(NlRegistry *registry, const NlRunRequest *request);
/* The most a job's process may send back, or be sent (isolate.c). */
#define NL_JOB_WIRE_MAX (G_GUINT64_CONSTANT(4) << 30)
/* budget.c: the experiment's estimate of the run, checked against the
 * memory available and the time limit; FALSE after one line when the run
 * does not fit or needs --force. */
gboolean nl_engine_budget(NlEngine *engine);
/* open.c: opens and self-checks every backend job's backend; FALSE (after
 * the report) when the experiment has a backend phase and none opened. */
gboolean nl_engine_open(NlEngine *engine);
/* open.c: lets nl_run_peer open backends of `registry` in this process;
 * `modules` ("NAME=PATH", or NULL) are loaded into it when first named.
 * NULL registry: no peers. */
void nl_engine_allow_peers(NlRegistry *registry, char **modules);
/* open.c: "NAME=PATH" for every backend of `registry`, NULL-terminated. */
char **nl_engine_backend_modules(NlRegistry *registry);
/* phases.c: runs every pending job's phase, each in a process of its
 * own (isolate.c) unless the request says in-process: the common phase,
 * then the backend jobs, side by side as the cores allow, then the
 * compare phase; FALSE (after the report) when the common phase
 * failed. */
gboolean nl_engine_run_phases(NlEngine *engine);
/* phases.c: calls the experiment's hook for `phase` on `run`, timing it
 * in *seconds and keeping what the plugin logs; the reason it failed, or
 * NULL when it succeeded. The one place a phase runs, in the runner or
 * in a job's own process. */
char *nl_phase_call(const NlPlugin *experiment, NlPhase phase, NlRun *run,
                    double *seconds);
/* journal.c: OUTDIR/.EXP.journal, the results of the jobs this run has
 * finished, for --resume. open: NULL when it cannot be had (another run
 * holds it); kept as it is when `resume` and it is of this very run,
 * else emptied. lookup: the result a job sent before, or NULL. record:
 * a succeeded job's result, written whole (best effort). close: removes
 * it when the set is `finished`, else keeps it for a resume. */
NlJournal *nl_journal_open(const NlEngine *engine, gboolean resume);
GBytes *nl_journal_lookup(NlJournal *journal, const NlJob *job);
void nl_journal_record(NlJournal *journal, const NlJob *job, GBytes *result);
void nl_journal_close(NlJournal *journal, gboolean finished);
/* isolate.c: runs the job's phase in a child started by fork+exec of the
 * runner (`numlab __job`), which sends its results back through a pipe;
 * fills the job as the phase would have in this process, or fails it
 * with the cause: a signal, an exit without results, a limit. */
void nl_job_run_isolated(NlEngine *engine, NlJob *job);
/* isolate.c, the same in steps, for several jobs at once: start serves
 * the child's pipes and end by `ctx` (NULL when the job is done already:
 * resumed from the journal, or failed to start); done once `ctx` has seen
 * its result and end; finish reads them into the job and frees the
 * child. */
typedef struct NlJobChild NlJobChild;
NlJobChild *nl_job_child_start(NlEngine *engine, NlJob *job, GMainContext *ctx);
gboolean nl_job_child_done(const NlJobChild *child);
void nl_job_child_finish(NlEngine *engine, NlJobChild *child);
/* results.c: writes the succeeded jobs' tables, artifacts and
 * backends.gp into the staging folder, adding their names to
 * engine->files; FALSE at the first that could not be written. */
gboolean nl_engine_write_results(NlEngine *engine, GError **error);
/* manifest.c: writes manifest.ini into the staging folder. */
gboolean nl_engine_write_manifest(NlEngine *engine, GError **error);
/* engine.c: one line per failed or skipped job and per backend fault
 * kept, leaving out `except` (may be NULL); FALSE if a job failed or
 * faulted. */
gboolean nl_engine_report(const NlEngine *engine, const NlJob *except);

/* plugin-log.c: a plugin's programming errors. Between begin and end,
 * every critical or warning that GLib logs, from any thread, is kept
 * instead of printed (unless it is fatal: G_DEBUG=fatal-criticals still
 * aborts with GLib's own message). end returns the first one as one line,
 * with the count of the others, or NULL when there were none. Not
 * nested; the host installs GLib's log writer for this on the first
 * begin, so a program that uses the engine must not install its own. */
void nl_plugin_log_begin(void);
char *nl_plugin_log_end(void);

G_END_DECLS

#endif /* NL_ENGINE_H */
