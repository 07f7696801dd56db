/* selfcheck-child.c — a backend opened and self-checked in a child before
 * the runner opens it, so that one whose open() or kernels crash, abort,
 * exit or hang fails alone instead of ending `numlab run` or `list`.
 *
 * The trial is numlab itself, `numlab __check MODULE SPEC` (child.c starts
 * it and kills it when it hangs): it loads only that module, opens the
 * backend SPEC names, runs the self-check (selfcheck.c) and prints a key
 * file with the outcome, open()'s error or the verdict. The runner adopts
 * the verdict (nl_self_check_adopt), so that its own open() then recalls
 * it instead of running the kernels; it reports an open() error as its
 * own open() would have; and it fails a backend whose trial died with the
 * cause, in one line. The runner still calls open() itself once the
 * trial has shown that it returns.
 *
 * The trial runs once per backend label and process, as the self-check
 * did, and its verdict is kept for the next process (selfcheck-cache.c),
 * which adopts it without a trial while nothing that decides it changed:
 * neither its key nor a library the trial's process had loaded once the
 * backend opened.
 * A run's trials go side by side (nl_self_check_trials), since they
 * mostly wait.
 * Without a checker (tests that link the host library, `numlab run
 * --in-process`) backends are opened and checked in the caller, as
 * before. */
#define _GNU_SOURCE /* dladdr */
#include "config.h"

#include "host.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define GROUP "trial"
/* Trials wait more than they compute (for their ranks, for a device), so
 * a run's trials go side by side; on a busy machine all nine of A8's mpi
 * trials at once take 14 s where one after the other took 63. */
#define TRIALS_AT_ONCE 8

static char *checker_exe;

void nl_self_check_set_checker(const char *exe)
{
    g_free(checker_exe);
    checker_exe = g_strdup(exe);
}

/* The module file the plugin's code was loaded from, or NULL when it is
 * not a module (a plugin linked into a test program). */
static char *module_of(const NlPlugin *plugin)
{
    Dl_info info;
    if (!dladdr((const void *)plugin->backend->open, &info) ||
        !info.dli_fname || !g_path_is_absolute(info.dli_fname))
        return NULL;
    Dl_info main_info;
    if (dladdr((const void *)nl_self_check_set_checker, &main_info) &&
        main_info.dli_fbase == info.dli_fbase)
        return NULL; /* in the host itself */
    return g_strdup(info.dli_fname);
}

/* What the trial printed, read into the outcome; FALSE with the error. */
static gboolean take_outcome(const NlPlugin *plugin, const char *label,
                             const char *out, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *outcome = NULL;
    if (g_key_file_load_from_data(kf, out, -1, G_KEY_FILE_NONE, NULL))
        outcome = g_key_file_get_string(kf, GROUP, "outcome", NULL);
    if (g_strcmp0(outcome, "not-loaded") == 0)
        return TRUE; /* the runner loaded it: let its open() decide */
    if (g_strcmp0(outcome, "open-failed") == 0) {
        g_autofree char *message =
            g_key_file_get_string(kf, GROUP, "message", NULL);
        gboolean unavailable =
            g_key_file_get_boolean(kf, GROUP, "unavailable", NULL);
        g_set_error_literal(error, NL_BACKEND_ERROR,
                            unavailable ? NL_BACKEND_ERROR_UNAVAILABLE
                                        : NL_BACKEND_ERROR_FAILED,
                            message && *message ? message
                                                : "open() failed without a "
                                                  "reason");
        return FALSE;
    }
    g_autofree char *changed = NULL;
    if (g_strcmp0(outcome, "opened") == 0 &&
        !nl_self_check_libraries_unchanged(kf, GROUP, &changed)) {
        if (g_strcmp0(g_getenv("NUMLAB_SELF_CHECK"), "explain") == 0)
            g_printerr("numlab: self-check of %s: %s changed since its "
                       "verdict; checking again\n",
                       label, changed);
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                    "its verdict lists %s, which changed since", changed);
        return FALSE;
    }
    if (g_strcmp0(outcome, "opened") == 0)
        return nl_self_check_adopt(kf, "self-check", plugin->name, label, FALSE,
                                   error);
    g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                "its trial process sent no verdict");
    return FALSE;
}

/* ---- trials ---- */

/* One backend's trial: prepared (trial_new) and finished (trial_finish)
 * in the runner's thread, which alone touches the verdicts; run
 * (trial_run, the waiting) in any thread. */
typedef struct {
    const NlPlugin *plugin;
    char *label, *module, *key;
    gboolean damaged; /* its kept verdict could not be read: no lock */
    char *kept;       /* a verdict that another process kept meanwhile */
    gboolean ran;     /* the trial process ran: end says how it ended */
    NlChildEnd end;
} Trial;

/* How each label's trial in this process ended: NULL (its verdict taken,
 * or none to take) or its error; so a trial runs once per process. */
static GHashTable *tried;

static void error_free0(gpointer error)
{
    if (error)
        g_error_free(error);
}

static char *tried_key(const NlPlugin *plugin, const char *label)
{
    return g_strdup_printf("%s\n%s", plugin->name, label);
}

static void trial_free(Trial *t)
{
    g_free(t->label);
    g_free(t->module);
    g_free(t->key);
    g_free(t->kept);
    nl_child_end_clear(&t->end);
    g_free(t);
}

/* The trial `label` needs, or NULL when it needs none: no checker, no
 * module, tried already, or its verdict kept by an earlier process
 * (adopted here). */
static Trial *trial_new(const NlPlugin *plugin, const char *label)
{
    g_autofree char *tk = tried_key(plugin, label);
    if (!checker_exe || nl_self_check_known(plugin->name, label) ||
        (tried && g_hash_table_contains(tried, tk)))
        return NULL;
    g_autofree char *module = module_of(plugin);
    if (!module)
        return NULL;
    Trial *t = g_new0(Trial, 1);
    t->plugin = plugin;
    t->label = g_strdup(label);
    t->module = g_steal_pointer(&module);
    t->key = nl_self_check_cache_key(t->module, label);
    g_autofree char *kept = t->key ? nl_self_check_cache_load(t->key) : NULL;
    if (kept && take_outcome(plugin, label, kept, NULL)) {
        trial_free(t);
        return NULL;
    }
    t->damaged = kept != NULL; /* checked again, without waiting */
    return t;
}

/* Runs the trial process, and keeps a verdict or a module it could not
 * load for the next process (not open()'s error: that one may pass). */
static void trial_spawn(Trial *t)
{
    const char *argv[] = {checker_exe, "__check", t->module, t->label, NULL};
    t->ran = nl_child_collect(argv, &t->end);
    if (!t->key || !t->ran || !nl_child_ended_well(&t->end) || !*t->end.out)
        return;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *outcome = NULL;
    if (g_key_file_load_from_data(kf, t->end.out, -1, G_KEY_FILE_NONE, NULL))
        outcome = g_key_file_get_string(kf, GROUP, "outcome", NULL);
    if (g_strcmp0(outcome, "opened") == 0 ||
        g_strcmp0(outcome, "not-loaded") == 0)
        nl_self_check_cache_store(t->key, t->end.out);
}

/* Waits for another process running this very trial, and takes its
 * verdict if it kept one; else runs the trial. The lock goes as soon as
 * the verdict is kept: a process holds no lock while it waits for
 * another (two runs' trials side by side take turns, never wait on each
 * other). */
static void trial_run(Trial *t)
{
    int lock = !t->damaged && t->key ? nl_self_check_cache_lock(t->key) : -1;
    if (lock >= 0)
        t->kept = nl_self_check_cache_load(t->key);
    if (!t->kept)
        trial_spawn(t);
    if (lock >= 0)
        close(lock);
}

/* Adopts the trial's verdict (trial_spawn kept it for the next process);
 * FALSE with the trial's open() error or how it died. */
static gboolean trial_finish(Trial *t, GError **error)
{
    if (t->kept && take_outcome(t->plugin, t->label, t->kept, NULL))
        return TRUE;
    if (t->kept) /* damaged meanwhile: try it here */
        trial_spawn(t);
    if (!t->ran)
        return TRUE; /* no helper: check in this process, as before */
    if (!nl_child_ended_well(&t->end) || !*t->end.out) {
        g_autofree char *why =
            nl_child_death(&t->end, "in its open() or self-check");
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED, "it %s",
                    why);
        return FALSE;
    }
    return take_outcome(t->plugin, t->label, t->end.out, error);
}

/* Finishes t and remembers how, for nl_self_check_in_child. */
static gboolean trial_end(Trial *t, GError **error)
{
    GError *failed = NULL;
    gboolean ok = trial_finish(t, &failed);
    if (!tried)
        tried =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, error_free0);
    g_hash_table_replace(tried, tried_key(t->plugin, t->label),
                         failed ? g_error_copy(failed) : NULL);
    if (failed)
        g_propagate_error(error, failed);
    trial_free(t);
    return ok;
}

gboolean nl_self_check_in_child(const NlPlugin *plugin, const char *label,
                                GError **error)
{
    g_autofree char *tk = tried_key(plugin, label);
    GError *failed = NULL;
    if (tried &&
        g_hash_table_lookup_extended(tried, tk, NULL, (gpointer *)&failed)) {
        if (failed)
            g_propagate_error(error, g_error_copy(failed));
        return failed == NULL;
    }
    Trial *t = trial_new(plugin, label);
    if (!t)
        return TRUE;
    trial_run(t);
    return trial_end(t, error);
}

static void run_in_pool(gpointer trial, gpointer unused)
{
    (void)unused;
    trial_run(trial);
}

void nl_self_check_trials(const NlPlugin *const *plugins,
                          const char *const *labels, guint n)
{
    g_autoptr(GPtrArray) trials = g_ptr_array_new();
    for (guint i = 0; i < n; i++) {
        gboolean twice = FALSE; /* the same label in two jobs */
        for (guint j = 0; j < trials->len && !twice; j++) {
            const Trial *o = trials->pdata[j];
            twice = o->plugin == plugins[i] && !strcmp(o->label, labels[i]);
        }
        Trial *t = twice ? NULL : trial_new(plugins[i], labels[i]);
        if (t)
            g_ptr_array_add(trials, t);
    }
    if (trials->len > 1) {
        GThreadPool *pool = g_thread_pool_new(
            run_in_pool, NULL, MIN(trials->len, TRIALS_AT_ONCE), TRUE, NULL);
        for (guint i = 0; i < trials->len && pool; i++)
            g_thread_pool_push(pool, trials->pdata[i], NULL);
        if (pool)
            g_thread_pool_free(pool, FALSE, TRUE);
    } else if (trials->len == 1) {
        trial_run(trials->pdata[0]);
    }
    for (guint i = 0; i < trials->len; i++)
        trial_end(trials->pdata[i], NULL); /* the open reports the error */
}

int nl_self_check_child_main(int argc, char **argv)
{
    if (argc != 4 || isatty(STDOUT_FILENO)) {
        g_printerr("numlab __check: tries a backend for numlab, which starts "
                   "it; not a command to call\n");
        return 2;
    }
    g_autoptr(NlRegistry) registry = nl_registry_new();
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) error = NULL;
    if (!nl_registry_load(registry, argv[2], &error)) {
        g_key_file_set_string(kf, GROUP, "outcome", "not-loaded");
    } else {
        const NlSelfCheck *check = NULL;
        NlBackend *b = nl_backend_open_spec(registry, argv[3], &check, &error);
        if (b) {
            g_key_file_set_string(kf, GROUP, "outcome", "opened");
            nl_self_check_libraries_save(kf, GROUP);
            nl_self_check_save(check, kf, "self-check");
            nl_backend_close(b);
        } else {
            g_key_file_set_string(kf, GROUP, "outcome", "open-failed");
            g_key_file_set_boolean(
                kf, GROUP, "unavailable",
                g_error_matches(error, NL_BACKEND_ERROR,
                                NL_BACKEND_ERROR_UNAVAILABLE));
            g_key_file_set_string(kf, GROUP, "message",
                                  error ? error->message : "");
        }
    }
    g_autofree char *text = g_key_file_to_data(kf, NULL, NULL);
    fputs(text, stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}
