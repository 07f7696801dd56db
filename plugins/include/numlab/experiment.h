/* numlab/experiment.h — what an experiment module implements.
 *
 * The host runs an experiment in three phases, each hook optional:
 *
 *   run_common   once, with no backend: what does not depend on hardware
 *                (the arithmetic of a textbook case, a shuffle study);
 *   run_backend  once per selected backend (one *job* each), with the same
 *                parameters and the same seed, so every backend sees
 *                identical inputs;
 *   run_compare  once, after the jobs: reads the tables the jobs emitted
 *                (nl_run_job_table) to put backends side by side.
 *
 * A table emitted under the same name by several jobs becomes one file
 * with one gnuplot dataset per backend, in job order. A failed job's
 * tables are dropped whole; the other jobs' results are kept. */
#ifndef NUMLAB_EXPERIMENT_H
#define NUMLAB_EXPERIMENT_H

#include <glib.h>
#include <numlab/params.h>

G_BEGIN_DECLS

typedef struct NlRun NlRun;

/* What one run of an experiment costs, estimated from its parameters
 * before anything runs (the `estimate` hook). The host adds what a job's
 * process holds before the experiment allocates anything, refuses a run
 * whose memory does not fit in one line, and asks for --force where the
 * time passes ten minutes. Fields are appended, never changed. */
typedef struct {
    double bytes;          /* the most one phase holds at once in its own
                              arrays and tables (the largest phase's) */
    double common_seconds; /* run_common on this machine, roughly */
    double job_seconds;    /* one run_backend on the naive backend, the
                              slowest in-tree one, roughly */
    double result_bytes;   /* what the largest phase's tables and
                              artifacts hold (0: small): they must cross
                              from the job's process, 4 GiB at most */
} NlCost;

/* Filled by the module, read only by the host: hooks are appended without
 * an ABI bump (plugin.h); one beyond a module's struct_size is NULL. */
struct NlExperimentOps {
    gsize struct_size;         /* sizeof(NlExperimentOps) as compiled */
    const char *title;         /* one line */
    const char *description;   /* a paragraph for `numlab help` */
    const NlParamSpec *params; /* NL_PARAM_END-terminated, or NULL */
    gboolean (*run_common)(NlRun *run, GError **error);
    gboolean (*run_backend)(NlRun *run, GError **error);
    gboolean (*run_compare)(NlRun *run, GError **error);
    /* Appended: fills *cost (zeroed by the host) for a run with these
     * parameters, which have passed their specs; FALSE with a one-line
     * error only for parameters no run can take. Optional: without it,
     * numlab cannot warn before a run that will not fit. */
    gboolean (*estimate)(const NlParams *params, NlCost *cost, GError **error);
};

G_END_DECLS

#endif /* NUMLAB_EXPERIMENT_H */
