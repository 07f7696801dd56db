/* scan.c — modules tried in a child before the runner loads them, so that
 * one whose code crashes when it is loaded (a constructor, its entry
 * point) is named and skipped instead of taking `numlab list`, `help` or
 * `run` down with it. GStreamer's plugin scanner is the model.
 *
 * The scanner is numlab itself, `numlab __scan FILE...`: for each file it
 * prints "try FILE", loads it, prints "ok FILE". When it dies, the last
 * file tried and not passed is the culprit; the files after it are tried
 * by a new scanner; one that prints nothing for NUMLAB_PROBE_TIMEOUT
 * seconds is killed, and the file it was trying judged hung (child.c).
 * The verdicts are cached per file, keyed by its
 * device, inode, size and modification time, in numlab's cache folder
 * (plugin-scan.ini; NUMLAB_CACHE_DIR, else ~/.cache/numlab): a module is
 * tried in a child once after it changes, and every later command loads
 * it directly. A crash is cached as well, so a broken module costs no
 * process each time either; rebuilding or touching it tries it again.
 * Every command reads the whole file, so each write drops the files that
 * are gone (build trees and test folders deleted since): 1,500 entries,
 * mostly of deleted trees, had made `numlab help` take 34 ms, not 20. With
 * NUMLAB_CACHE_DIR=off every command tries its modules in a child. */
#define _GNU_SOURCE /* st_mtim */
#include "config.h"

#include "host.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static char *scanner_exe;

void nl_registry_set_scanner(const char *exe)
{
    g_free(scanner_exe);
    scanner_exe = g_strdup(exe);
}

char *nl_file_stamp(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    return g_strdup_printf("%ju:%ju:%jd:%jd.%09ld", (uintmax_t)st.st_dev,
                           (uintmax_t)st.st_ino, (intmax_t)st.st_size,
                           (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/* The cached verdict on a file as it is now ("ok" or why it is skipped),
 * or NULL when it must be tried. */
static char *cached_verdict(GKeyFile *cache, const char *path)
{
    g_autofree char *now = nl_file_stamp(path);
    g_autofree char *then = g_key_file_get_string(cache, path, "stamp", NULL);
    if (!now || g_strcmp0(now, then) != 0)
        return NULL;
    return g_key_file_get_string(cache, path, "verdict", NULL);
}

static void remember(GKeyFile *cache, const char *path, const char *verdict)
{
    g_autofree char *now = nl_file_stamp(path);
    if (!now)
        return;
    g_key_file_set_string(cache, path, "stamp", now);
    g_key_file_set_string(cache, path, "verdict", verdict);
}

/* Drops the verdicts on files that no longer exist. */
static void forget_gone(GKeyFile *cache)
{
    g_auto(GStrv) files = g_key_file_get_groups(cache, NULL);
    for (char **f = files; *f; f++)
        if (!g_file_test(*f, G_FILE_TEST_EXISTS))
            g_key_file_remove_group(cache, *f, NULL);
}

/* Tries files[from..] in scanners until every one has a verdict. */
static void try_in_children(GKeyFile *cache, GPtrArray *files)
{
    guint from = 0;
    while (from < files->len) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_ptr_array_add(argv, scanner_exe);
        g_ptr_array_add(argv, "__scan");
        for (guint i = from; i < files->len; i++)
            g_ptr_array_add(argv, files->pdata[i]);
        g_ptr_array_add(argv, NULL);
        NlChildEnd end;
        if (!nl_child_collect((const char *const *)argv->pdata, &end))
            return; /* no scanner: the runner loads them as before */
        g_auto(GStrv) lines = g_strsplit(end.out, "\n", -1);
        const char *trying = NULL;
        for (char **l = lines; *l; l++) {
            if (g_str_has_prefix(*l, "try ")) {
                trying = *l + 4;
            } else if (g_str_has_prefix(*l, "ok ") && trying &&
                       strcmp(*l + 3, trying) == 0) {
                remember(cache, trying, "ok");
                from++;
                trying = NULL;
            }
        }
        gboolean well = nl_child_ended_well(&end);
        g_autofree char *why =
            well ? NULL : nl_child_death(&end, "when loaded");
        nl_child_end_clear(&end);
        if (well)
            return;
        if (!trying || from >= files->len ||
            strcmp(trying, files->pdata[from]) != 0)
            return; /* it died before trying: load them as before */
        remember(cache, trying, why);
        from++;
    }
}

void nl_registry_screen(GPtrArray *files, GPtrArray *problems)
{
    if (!scanner_exe || files->len == 0)
        return;
    g_autofree char *path = nl_host_cache_path("plugin-scan.ini");
    g_autoptr(GKeyFile) cache = g_key_file_new();
    if (path)
        g_key_file_load_from_file(cache, path, G_KEY_FILE_NONE, NULL);
    g_autoptr(GPtrArray) unknown = g_ptr_array_new();
    for (guint i = 0; i < files->len; i++) {
        g_autofree char *verdict = cached_verdict(cache, files->pdata[i]);
        if (!verdict)
            g_ptr_array_add(unknown, files->pdata[i]);
    }
    if (unknown->len)
        try_in_children(cache, unknown);
    if (unknown->len && path) {
        forget_gone(cache);
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *text = g_key_file_to_data(cache, NULL, NULL);
        if (g_mkdir_with_parents(dir, 0700) == 0)
            g_file_set_contents(path, text, -1, NULL); /* a cache: may fail */
    }
    for (guint i = 0; i < files->len;) {
        const char *file = files->pdata[i];
        g_autofree char *verdict = cached_verdict(cache, file);
        if (!verdict || strcmp(verdict, "ok") == 0) {
            i++;
            continue;
        }
        g_ptr_array_add(problems,
                        g_strdup_printf("%s: %s; skipped (it is tried again "
                                        "once it changes)",
                                        file, verdict));
        g_ptr_array_remove_index(files, i);
    }
}

int nl_registry_scanner_main(int argc, char **argv)
{
    g_autoptr(NlRegistry) r = nl_registry_new();
    for (int i = 2; i < argc; i++) {
        printf("try %s\n", argv[i]);
        fflush(stdout);
        nl_registry_load(r, argv[i], NULL); /* problems: the runner's to say */
        printf("ok %s\n", argv[i]);
        fflush(stdout);
    }
    return 0;
}
