/* numlab/run.h — NlRun, the experiment's view of one phase of a run:
 * its backend, its parameters, its random stream, its tables.
 *
 * Every phase gets a fresh NlRng seeded from the run's seed, so run_backend
 * draws the same inputs on every backend.
 *
 * A NULL run, name or table handed to these calls is a programming error:
 * a g_critical, and the call returns 0 or NULL. Any critical or warning
 * logged while a phase runs fails that job ("programming error in
 * PLUGIN: ..."), so such a bug never yields a result that looks good. */
#ifndef NUMLAB_RUN_H
#define NUMLAB_RUN_H

#include <glib.h>
#include <numlab/backend.h>
#include <numlab/bound.h>
#include <numlab/experiment.h>
#include <numlab/params.h>
#include <numlab/rng.h>
#include <numlab/table.h>

G_BEGIN_DECLS

/* The job's backend; NULL in run_common and run_compare. */
NlBackend *nl_run_backend(NlRun *run);
const NlParams *nl_run_params(NlRun *run);
guint64 nl_run_seed(NlRun *run);
/* A generator seeded with nl_run_seed(), fresh for this phase. */
NlRng *nl_run_rng(NlRun *run);

/* Creates (or, called again with the same name, returns) a table of this
 * phase. `columns` is "name:type name:type ..." (numlab/table.h). */
NlTable *nl_run_table(NlRun *run, const char *name, const char *columns);

/* Stores a file that is not a table (a checkpoint, a JSON lines log); the
 * host writes it atomically beside the tables. `filename` is a plain name. */
gboolean nl_run_artifact(NlRun *run, const char *filename, gconstpointer data,
                         gsize length, GError **error);

/* Keeps bytes for the later phases of this experiment's run (a model's
 * checkpoint, a job's raw results): what run_common keeps, every job and
 * run_compare read with nl_run_common_bytes; what a job keeps, run_compare
 * reads with nl_run_job_bytes. The run takes a reference; keeping again
 * replaces them. Each job runs in a process of its own (numlab run
 * --in-process aside), so bytes are what reaches the later phases there:
 * prefer this to nl_run_keep. */
void nl_run_keep_bytes(NlRun *run, GBytes *bytes);
/* In run_backend and run_compare: the bytes run_common kept, or NULL.
 * Borrowed. */
GBytes *nl_run_common_bytes(NlRun *run);

/* Keeps an object in memory for the later phases of this experiment's
 * run, which read it but must not change it. It cannot leave its
 * process, so it reaches the later phases only under numlab run
 * --in-process; a job that keeps one in its own process fails saying so.
 * What run_common keeps, every job and run_compare read with
 * nl_run_common_data; what a job keeps, run_compare reads with
 * nl_run_job_data. The host calls `destroy` (may be NULL) when the experiment's
 * run ends, whether the phase succeeded or not, the objects of all phases
 * in no promised order (so one must not point into another); keeping
 * again replaces the object (the old one, if another, is destroyed at
 * once). */
void nl_run_keep(NlRun *run, gpointer data, GDestroyNotify destroy);
/* In run_backend and run_compare: what run_common kept, or NULL. */
gconstpointer nl_run_common_data(NlRun *run);

/* Reports a backend fault: a result of this job's backend that lies beyond
 * the error bound of every correct implementation (numlab/bound.h), so
 * that no rounding explains it. The host prints it on one line, records
 * it in the manifest (the job's `faults` and `fault`) and ends the run
 * with exit status 1; the job's tables are still written, and the
 * experiment marks the faulty rows in them so that its figure draws a
 * fault, never rounding. Faults are counted; the first few are kept. */
void nl_run_fault(NlRun *run, const char *format, ...) G_GNUC_PRINTF(2, 3);
/* TRUE when |got - exact| <= bound (nl_within_bound). Otherwise reports
 * a fault, "WHAT gives GOT, exact EXACT, error bound BOUND", where WHAT
 * is the formatted rest, and returns FALSE. */
gboolean nl_run_check_bound(NlRun *run, double got, double exact, double bound,
                            const char *format, ...) G_GNUC_PRINTF(5, 6);

/* In run_backend: opens the backend `spec` names ("openmp:threads=2", as
 * -b takes it) beside the job's, in the same process, so that a kernel
 * can be timed interleaved with the same kernel on a peer (the
 * benchmark's mpi rows against openmp). The host opens it as it opens a
 * job's backend, self-check included; the run owns it and closes it when
 * the phase ends; the same spec again gives the same backend. NULL with a
 * one-line error when the spec is wrong, the backend unavailable or
 * unusable. A peer's results belong to no job: never write them as the
 * job's own. */
NlBackend *nl_run_peer(NlRun *run, const char *spec, GError **error);

/* Progress, 0..1, shown on stderr when it is a terminal. */
void nl_run_progress(NlRun *run, double fraction, const char *what);

/* In run_compare: the jobs that succeeded, in the order they ran. */
guint nl_run_n_jobs(NlRun *run);
const char *nl_run_job_label(NlRun *run, guint job);
const NlTable *nl_run_job_table(NlRun *run, guint job, const char *name);
/* In run_compare: what job `job` kept (nl_run_keep), or NULL. */
gconstpointer nl_run_job_data(NlRun *run, guint job);
/* In run_compare: the bytes job `job` kept (nl_run_keep_bytes), or NULL.
 * Borrowed. */
GBytes *nl_run_job_bytes(NlRun *run, guint job);
/* In run_backend and run_compare: a table the common phase emitted, or
 * NULL (no common phase, or it failed). */
const NlTable *nl_run_common_table(NlRun *run, const char *name);

G_END_DECLS

#endif /* NUMLAB_RUN_H */
