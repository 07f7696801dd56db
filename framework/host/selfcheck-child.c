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
 * which adopts it without a trial while nothing that decides it changed.
 * Without a checker (tests that link the host library, `numlab run
 * --in-process`) backends are opened and checked in the caller, as
 * before. */
#define _GNU_SOURCE /* dladdr */
#include "config.h"

#include "host.h"

#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

#define GROUP "trial"

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
    if (g_strcmp0(outcome, "opened") == 0)
        return nl_self_check_adopt(kf, "self-check", plugin->name, label, FALSE,
                                   error);
    g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                "its trial process sent no verdict");
    return FALSE;
}

gboolean nl_self_check_in_child(const NlPlugin *plugin, const char *label,
                                GError **error)
{
    if (!checker_exe || nl_self_check_known(plugin->name, label))
        return TRUE;
    g_autofree char *module = module_of(plugin);
    if (!module)
        return TRUE;
    g_autofree char *key = nl_self_check_cache_key(module, label);
    g_autofree char *kept = key ? nl_self_check_cache_load(key) : NULL;
    if (kept && take_outcome(plugin, label, kept, NULL))
        return TRUE; /* a damaged file is checked again */
    /* another process may be running this very trial: wait for it, and
     * take its verdict if it kept one */
    int lock = kept || !key ? -1 : nl_self_check_cache_lock(key);
    if (lock >= 0) {
        g_free(kept);
        kept = nl_self_check_cache_load(key);
        if (kept && take_outcome(plugin, label, kept, NULL)) {
            close(lock);
            return TRUE;
        }
    }
    const char *argv[] = {checker_exe, "__check", module, label, NULL};
    NlChildEnd end;
    if (!nl_child_collect(argv, &end)) {
        if (lock >= 0)
            close(lock);
        return TRUE; /* no helper: check in this process, as before */
    }
    gboolean taken = FALSE;
    if (nl_child_ended_well(&end) && *end.out) {
        taken = take_outcome(plugin, label, end.out, error);
        if (taken && key)
            nl_self_check_cache_store(key, end.out);
    } else {
        g_autofree char *why =
            nl_child_death(&end, "in its open() or self-check");
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED, "it %s",
                    why);
    }
    nl_child_end_clear(&end);
    if (lock >= 0)
        close(lock); /* after the store: the next one adopts it */
    return taken;
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
