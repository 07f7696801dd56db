/* host.h — the runner's internals: plugin registry, run engine, result
 * writers and the gnuplot renderer. Not part of the plugin SDK. */
#ifndef NL_HOST_H
#define NL_HOST_H

#include "../lib/nl-private.h"

#include <gmodule.h>

G_BEGIN_DECLS

/* ---- registry.c: finding and loading modules ---- */

/* For g_ptr_array_sort on an array of strings: strcmp order. */
gint nl_compare_strings(gconstpointer a, gconstpointer b);

typedef struct {
    char *path; /* absolute */
    const NlPlugin *plugin;
} NlPluginEntry;

typedef struct {
    GPtrArray *entries;  /* NlPluginEntry*, in load order */
    GPtrArray *problems; /* one line per module that was not loaded */
    GHashTable *seen;    /* canonical paths already tried */
} NlRegistry;

NlRegistry *nl_registry_new(void);
void nl_registry_free(NlRegistry *registry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlRegistry, nl_registry_free)
/* Checks a descriptor as the loader does: abi_version alone first, then
 * struct_size, then every field, its operations and their spec tables.
 * FALSE with a one-line error "PATH: ..." that names the field to set. */
gboolean nl_registry_check_plugin(const NlPlugin *plugin, const char *path,
                                  GError **error);
/* Loads one module; on failure returns FALSE with a one-line error that
 * names the file. */
gboolean nl_registry_load(NlRegistry *registry, const char *path,
                          GError **error);
/* Loads every *.so in dir (and in dir/ * /.libs when `build_tree`),
 * recording failures in registry->problems. */
void nl_registry_scan(NlRegistry *registry, const char *dir,
                      gboolean build_tree);
/* The standard search: extra dirs, NUMLAB_PLUGIN_PATH, then the build tree
 * (when the runner runs uninstalled) or $(pkglibdir). */
NlRegistry *nl_registry_default(char **extra_dirs);

/* ---- scan.c: modules tried in a child before they are loaded ---- */

/* The program to try modules with, `EXE __scan FILE...` (numlab itself);
 * until it is set, modules are loaded without being tried. */
void nl_registry_set_scanner(const char *exe);
/* Removes from `files` every module that crashes when loaded, adding one
 * line per such module to `problems`; verdicts are cached per file. */
void nl_registry_screen(GPtrArray *files, GPtrArray *problems);
/* The scanner's side: `numlab __scan FILE...`. */
int nl_registry_scanner_main(int argc, char **argv);
/* What identifies one build of a file: "dev:inode:size:mtime"; NULL if it
 * cannot be read. */
char *nl_file_stamp(const char *path);
const NlPluginEntry *nl_registry_find(NlRegistry *registry, NlPluginKind kind,
                                      const char *name);
/* Plugins of one kind, sorted by name. */
GPtrArray *nl_registry_list(NlRegistry *registry, NlPluginKind kind);
/* "blas, naive, openmp": the names of one kind, sorted, for messages. */
char *nl_registry_names(NlRegistry *registry, NlPluginKind kind);

/* ---- paths.c ---- */
gboolean nl_host_uninstalled(void);
/* This process's executable (/proc/self/exe), or NULL: what starts each
 * job of a run (NlRunRequest.job_runner). */
const char *nl_host_executable(void);
/* numlab's cache folder joined with `name`: NUMLAB_CACHE_DIR, else the
 * user's cache folder's numlab/ (~/.cache/numlab); NULL when
 * NUMLAB_CACHE_DIR is empty or "off", which keeps nothing. The plugin
 * scan's verdicts, the self-check's and the lecture model live there. */
char *nl_host_cache_path(const char *name);
/* The built-in plots folder (common.gp, EXP/ *.gp): NUMLAB_PLOT_DIR, else
 * the source tree's plots/ or $(pkgdatadir)/plots. */
const char *nl_host_plot_dir(void);
/* What numlab records of the lecture (lecture/errata.ini): the source
 * tree's lecture/ from a build tree, else the installed share/numlab/lecture.
 */
const char *nl_host_lecture_dir(void);
/* Where plot scripts are looked for, first first: each folder of
 * NUMLAB_PLOT_PATH (colon-separated), then MODULEDIR/plots beside the
 * module at module_path (when not NULL; above .libs/ for a libtool
 * module), then nl_host_plot_dir(). */
GPtrArray *nl_host_plot_search(const char *module_path);
/* DIR/experiment of the first search folder DIR whose DIR/experiment holds
 * a *.gp file, or NULL. The folders are not merged. */
char *nl_host_plot_scripts(const char *experiment, const char *module_path);
/* The first search folder's common.gp that exists, or NULL. */
char *nl_host_plot_common(const char *module_path);
/* "Intel(R) Xeon(R) ..." or "unknown CPU". */
const char *nl_host_cpu_model(void);

/* ---- aliases.c: commands defined in data ---- */

/* `numlab NAME` = `numlab run EXPERIMENT --print PRINT`. */
typedef struct {
    char *name;        /* the command */
    char *experiment;  /* what it runs */
    char **print;      /* tables to print: names or patterns (* and ?) */
    char *summary;     /* its line in numlab --help */
    char *description; /* the summary of numlab NAME --help */
    char *source;      /* the file that defined it */
} NlAlias;

/* The files of NUMLAB_ALIASES (colon-separated), then the built-in
 * framework/aliases.ini; the first alias of a name wins. Names in
 * `reserved` (the commands) are refused. Each problem (an unreadable file,
 * an alias without an experiment) adds one line to `problems`. */
GPtrArray *nl_aliases_load(const char *const *reserved, GPtrArray *problems);
const NlAlias *nl_aliases_find(GPtrArray *aliases, const char *name);
/* Whether table matches one of the names or patterns. */
gboolean nl_table_name_matches(char **patterns, const char *table);

/* ---- report.c: one HTML page for a results folder ---- */

/* Writes OUTDIR/index.html (lang "de") or index.en.html ("en"): every
 * result set's status, jobs, the lecture's values beside this run's, and
 * its figures. One line on stderr and FALSE on failure; *written (may be
 * NULL) gets the page's path. */
gboolean nl_report(const char *outdir, const char *lang, char **written);

/* ---- child.c: helper processes that try something risky first ---- */

/* How a helper ended: what it printed, its wait status, and whether it
 * was killed for printing nothing for nl_child_time_limit() seconds. */
typedef struct {
    char *out;
    int status;
    gboolean hung;
} NlChildEnd;

/* NUMLAB_PROBE_TIMEOUT, or 60 s when unset or not a positive number. */
double nl_child_time_limit(void);
/* Runs argv with its stdout on a pipe and its stderr the caller's, and
 * waits for its end; FALSE when it cannot start (*end holds nothing). */
gboolean nl_child_collect(const char *const *argv, NlChildEnd *end);
void nl_child_end_clear(NlChildEnd *end);
/* Whether it exited with status 0 in time. */
gboolean nl_child_ended_well(const NlChildEnd *end);
/* "crashes WHEN (killed by SIGSEGV, Segmentation fault)", "hangs WHEN
 * (...)" or "ends the process WHEN (exit status N)". */
char *nl_child_death(const NlChildEnd *end, const char *when);

/* ---- selfcheck.c: every backend proves its kernels first ---- */

typedef enum {
    NL_CHECK_ABSENT, /* the backend does not provide the kernel */
    NL_CHECK_PASSED,
    NL_CHECK_REFERENCE,   /* not provided; libnumlab's reference kernel
                             runs on its host buffers instead, and passes */
    NL_CHECK_SUBSTITUTED, /* failed; the backend's substitute passes */
    NL_CHECK_UNUSABLE,    /* failed; calls of it fail with the reason */
} NlCheckState;

typedef struct {
    NlCheckState state[NL_N_KERNELS];
    char *failure[NL_N_KERNELS];    /* the first failing case, or NULL */
    char *substitute[NL_N_KERNELS]; /* what the backend runs instead */
    char *summary;    /* one line: "passed: sum dot ...; reference: gemv;
                         substituted: ..." */
    GPtrArray *lines; /* one per kernel that failed, for stderr */
    double seconds;   /* what the check cost this backend */
    guint n_cases;    /* kernel calls it made */
    gboolean printed; /* lines already shown (nl_self_check_print_once) */
    /* The _in kernels per accumulation precision (selfcheck-precision.c):
     * ABSENT, PASSED, REFERENCE or UNUSABLE, and the first failure. */
    NlCheckState state_in[NL_N_KERNELS][NL_N_PRECISIONS];
    char *failure_in[NL_N_KERNELS][NL_N_PRECISIONS];
    char *summary_in; /* "in float32: passed: sum dot ... | in bfloat16:
                         reference: ...", or "" */
    /* Why the backend is unavailable after all: its first buffers failed
     * with NL_BACKEND_ERROR_UNAVAILABLE (a backend that starts its device
     * or processes at first use, as mpi does); NULL otherwise. Nothing
     * else is checked then, and opening the backend fails with this. */
    char *unavailable;
    /* When the verdict was reached, if an earlier process reached it
     * (selfcheck-cache.c: "2026-12-06 21:40"); NULL when checked now. */
    char *kept;
} NlSelfCheck;

/* Checks every kernel of an opened backend against exact values, then
 * substitutes or marks unusable the kernels that fail. A backend with the
 * same plugin and label checked before in this process gets that result
 * again without a rerun (*fresh FALSE). The result lives as long as the
 * process. */
const NlSelfCheck *nl_self_check(NlBackend *backend, gboolean *fresh);
/* open() + nl_backend_wrap() + nl_self_check(): how the host opens every
 * backend. NULL with open()'s error. */
NlBackend *nl_backend_open_checked(const NlPlugin *plugin, const char *label,
                                   const NlParams *options,
                                   const NlSelfCheck **check, GError **error);
/* The options of "NAME:key=value:...", parsed against NAME's backend,
 * whose entry goes to *entry (when not NULL); NULL with one line when the
 * backend is unknown or an option wrong. Opens nothing. */
NlParams *nl_backend_parse_spec(NlRegistry *registry, const char *spec,
                                const NlPluginEntry **entry, GError **error);
/* Opens the backend a -b spec names, "NAME" or "NAME:key=value:...": the
 * registry's plugin NAME, its options parsed against its specs, open()
 * and the self-check. NULL with a one-line error: NL_ERROR_PLUGIN for an
 * unknown name (the message lists the known ones), NL_ERROR_PARAM for a
 * bad option, or open()'s own (NL_BACKEND_ERROR_UNAVAILABLE when the
 * hardware or library is absent). */
NlBackend *nl_backend_open_spec(NlRegistry *registry, const char *spec,
                                const NlSelfCheck **check, GError **error);
/* ---- selfcheck-precision.c ---- */
/* Checks the _in kernels of every accumulation precision into sc's
 * state_in, failure_in and summary_in; `on_host`: the backend's
 * buffers are host memory (what it declines, the reference computes). */
void nl_self_check_precisions(NlBackend *backend, gboolean on_host,
                              NlSelfCheck *sc);
/* sc's summary_in, from its state_in. */
char *nl_self_check_summarize_in(const NlSelfCheck *sc);

/* Prints the lines of failing kernels on stderr, once per process. */
void nl_self_check_print_once(const NlSelfCheck *check);
/* A verdict handed to another process: saved into a group of a key file
 * by the runner (for a job's process, isolate.c) or by a trial (for the
 * runner, selfcheck-child.c), and adopted by the receiver as if it had
 * checked the backend `label` of `plugin` itself, so that its
 * nl_self_check recalls it (the same substitutions, the same kernels
 * unusable) instead of checking again. `said`: its lines were printed
 * already. */
void nl_self_check_save(const NlSelfCheck *check, GKeyFile *kf,
                        const char *group);
gboolean nl_self_check_adopt(GKeyFile *kf, const char *group,
                             const char *plugin, const char *label,
                             gboolean said, GError **error);
/* Whether this process holds a verdict on `label` of `plugin`. */
gboolean nl_self_check_known(const char *plugin, const char *label);

/* ---- selfcheck-child.c: a backend tried in a child first ---- */

/* The program to try backends with, `EXE __check MODULE SPEC` (numlab
 * itself); NULL (the default): every backend is opened and checked in the
 * caller. */
void nl_self_check_set_checker(const char *exe);
/* Opens backend `label` of `plugin` in a trial process, once per label
 * and process, and adopts its verdict. FALSE with the trial's open()
 * error, or with how the trial died ("it crashes in its open() or
 * self-check (killed by SIGSEGV, ...)"). TRUE without a trial when there
 * is no checker or the plugin is no module. */
gboolean nl_self_check_in_child(const NlPlugin *plugin, const char *label,
                                GError **error);
/* Runs the trials of n backends side by side (a few at once) and adopts
 * their verdicts, so that nl_self_check_in_child then finds them; how a
 * trial failed waits for that call. */
void nl_self_check_trials(const NlPlugin *const *plugins,
                          const char *const *labels, guint n);
/* `numlab __check MODULE SPEC`: the trial's side. */
int nl_self_check_child_main(int argc, char **argv);

/* ---- selfcheck-cache.c: a trial's verdict kept between processes ---- */

/* The key of the verdict on backend `label` from `module`: a digest of
 * everything that decides it (numlab's build, the module and the files
 * beside it, every library loaded, the CPU, the host, the environment
 * the libraries read, the installed packages). NULL when verdicts are not
 * kept (NUMLAB_CACHE_DIR=off, NUMLAB_SELF_CHECK=fresh). */
char *nl_self_check_cache_key(const char *module, const char *label);
/* The trial's key file kept under `key`, with "kept" (the date of the
 * check) added to its verdict; NULL when there is none. */
char *nl_self_check_cache_load(const char *key);
/* Keeps a trial's key file (an "opened" outcome) under `key`; a failure
 * to write loses nothing but the next run's time. */
void nl_self_check_cache_store(const char *key, const char *trial_out);
/* Waits for the key's turn (an exclusive flock on self-check/KEY.lock):
 * the fd to close when the trial's verdict is stored, or -1 where nothing
 * is kept (NUMLAB_SELF_CHECK=fresh, NUMLAB_CACHE_DIR=off) or no lock can be
 * had. A process that dies lets go of it. */
int nl_self_check_cache_lock(const char *key);
/* The trial's side of the verdict: every library its process has loaded
 * once the backend opened, by path and stamp, into `group` of `kf`. A
 * backend may load libraries only when it opens (a companion, see
 * numlab/companion.h), after the key was made. */
void nl_self_check_libraries_save(GKeyFile *kf, const char *group);
/* Whether every library a verdict lists still has its stamp; FALSE names
 * the first that changed in *changed. A verdict without the list (a trial
 * that opened nothing) passes. */
gboolean nl_self_check_libraries_unchanged(GKeyFile *kf, const char *group,
                                           char **changed);

/* ---- engine.c: running one experiment ---- */

typedef struct {
    const char *experiment;
    char **backends;    /* specs: "naive", "blas:threads=2", "all" */
    char **params;      /* "name=value" */
    const char *outdir; /* results root; EXP/ is added */
    guint64 seed;
    const char *command_line; /* for the manifest */
    /* Called for every table written, with the job's label ("common",
     * "compare" or the backend's); NULL for none. */
    void (*on_table)(const char *job, const NlTable *table, gpointer data);
    gpointer on_table_data;
    /* The runner to start each job with, fork+exec, as `JOB_RUNNER __job
     * ...` (numlab itself); NULL runs every phase in this process. */
    const char *job_runner;
    double job_seconds; /* a job's time limit; 0: none */
    gboolean resume;    /* reuse the jobs a killed run finished */
    gboolean force;     /* start a run estimated to take too long */
    guint64 job_memory; /* a job's memory limit in bytes; 0: none */
    guint jobs;         /* cores the backend jobs may take at once; 0: all */
} NlRunRequest;

/* Runs the request; prints one line per problem on stderr. Returns TRUE
 * only if every requested job succeeded. */
gboolean nl_engine_run(NlRegistry *registry, const NlRunRequest *request);
/* isolate.c: the job's side, `numlab __job REQUEST RESULT`; exit status 0
 * once RESULT is written (the job may have failed: RESULT says so). */
int nl_job_child_main(int argc, char **argv);

/* ---- resultset.c: a result set replaced as a whole ---- */

/* OUTDIR/EXP being written: its files go into a staging folder beside it,
 * which commit swaps with the old set in one rename. */
typedef struct NlResultSet NlResultSet;
/* Creates OUTDIR, puts back or removes what crashed runs left there,
 * checks that OUTDIR/name is absent or a result set (nl_result_set_check)
 * and creates the locked staging folder; NULL with a one-line error. */
NlResultSet *nl_result_set_begin(const char *outdir, const char *name,
                                 GError **error);
/* OUTDIR/EXP, the set's final path. */
const char *nl_result_set_path(const NlResultSet *set);
/* Writes one file of the set (len -1: a string), flushed to disk. */
gboolean nl_result_set_add(NlResultSet *set, const char *file,
                           const char *contents, gssize len, GError **error);
/* Makes the staged files OUTDIR/EXP in one rename and removes the old set. */
gboolean nl_result_set_commit(NlResultSet *set, GError **error);
/* Removes the staging folder unless committed. */
void nl_result_set_free(NlResultSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlResultSet, nl_result_set_free)
/* For tests: FALSE swaps by two renames, as where the filesystem cannot
 * exchange two paths. */
void nl_result_set_use_exchange(gboolean use);
/* TRUE when dir is absent or empty (*exists FALSE) or one complete result
 * set (*exists TRUE): a readable manifest.ini, every file its [files]
 * lists, and nothing else but images and what crashed runs of older
 * numlab versions left. Else FALSE with a one-line error. */
gboolean nl_result_set_check(const char *dir, gboolean *exists, GError **error);

/* A new folder PARENT/PREFIXXXXXXX, locked with flock() while the
 * returned fd is open; -1 with an error. Locking is what tells a live
 * run's temporary from a crashed one's: */
int nl_temp_folder_new(const char *parent, const char *prefix, char **path,
                       GError **error);
/* removes every PARENT/PREFIXXXXXXX folder that no live process holds,
 * and returns how many. */
guint nl_temp_folders_clean(const char *parent, const char *prefix);
/* Removes a folder and what it holds (a result set or a temporary: files
 * and folders; symbolic links are removed, never followed). */
void nl_folder_remove(const char *dir);

/* ---- rerun.c ---- */

/* `numlab rerun DIR`: runs DIR's experiment again with the parameters,
 * backend jobs and seed of its manifest, into OUTDIR/EXP (a temporary
 * folder, removed after, when outdir is NULL), and prints how each file
 * compares. TRUE when every file is identical (the .dat date lines
 * aside). */
gboolean nl_rerun(NlRegistry *registry, const char *dir, const char *outdir,
                  const char *command_line);

/* ---- plot.c ---- */
/* Renders EXP's figures (or every experiment's, `experiment` "all") with
 * up to `jobs` gnuplots at once; 0 is one per processor. */
gboolean nl_plot(NlRegistry *registry, const char *experiment,
                 const char *outdir, const char *formats, const char *lang,
                 guint jobs);

G_END_DECLS

#endif /* NL_HOST_H */
