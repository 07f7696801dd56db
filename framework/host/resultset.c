/* resultset.c — a result set OUTDIR/EXP/ replaced as a whole or not at all.
 *
 * A run writes its files into a staging folder beside the set,
 * OUTDIR/.EXP.new-XXXXXX, each one flushed to disk, the manifest last.
 * Only when every file is there is the staging folder swapped with
 * OUTDIR/EXP in one renameat2(RENAME_EXCHANGE), and the old set, now under
 * the staging name, removed. A kill at any moment, a full disk or a failed
 * write therefore leaves OUTDIR/EXP as the complete old set or the
 * complete new one. (Where the filesystem cannot exchange, NFS for one,
 * the old set is first renamed to OUTDIR/.EXP.old-XXXXXX: the next run puts
 * it back if a crash came between the two renames.)
 *
 * Every temporary folder numlab makes (the staging folders here, plot.c's
 * image folders) is held with flock() for as long as its process lives.
 * The kernel drops the lock when the process dies, however it dies, so a
 * temporary that can be locked is a crashed run's leftover and is removed:
 * the next run cleans up after a kill -9, and never removes the folder of
 * a run still going on beside it. */
#define _GNU_SOURCE /* renameat2, RENAME_EXCHANGE */
#include "config.h"

#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean exchange_enabled = TRUE;

void nl_result_set_use_exchange(gboolean use)
{
    exchange_enabled = use;
}

/* ---- locked temporary folders ---- */

void nl_folder_remove(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
            !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            nl_folder_remove(path);
        else
            g_unlink(path);
    }
    g_rmdir(dir);
}

/* An fd holding an exclusive lock on folder `path`, or -1 when another
 * live process holds it (or it is gone). */
static int lock_folder(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int nl_temp_folder_new(const char *parent, const char *prefix, char **path,
                       GError **error)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        /* mkdtemp's folders are 0700; a result set is as readable as
         * any folder the user makes (umask) */
        static const char chars[] = "abcdefghijklmnopqrstuvwxyz"
                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        char suffix[7];
        for (int i = 0; i < 6; i++)
            suffix[i] = chars[g_random_int_range(0, sizeof chars - 1)];
        suffix[6] = '\0';
        g_autofree char *tmpl =
            g_strdup_printf("%s/%s%s", parent, prefix, suffix);
        if (g_mkdir(tmpl, 0755) != 0) {
            int e = errno;
            if (e == EEXIST)
                continue;
            nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                    "cannot write to '%s': %s", parent, g_strerror(e));
            return -1;
        }
        int fd = lock_folder(tmpl);
        struct stat st;
        /* Another run's clean-up may have taken it for a leftover between
         * mkdir and flock: then it is gone (no links), and we try again. */
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_nlink > 0) {
            *path = g_steal_pointer(&tmpl);
            return fd;
        }
        if (fd >= 0)
            close(fd);
    }
    g_set_error(error, NL_ERROR, NL_ERROR_OUTPUT,
                "cannot create a temporary folder in '%s'", parent);
    return -1;
}

guint nl_temp_folders_clean(const char *parent, const char *prefix)
{
    guint removed = 0;
    g_autoptr(GDir) d = g_dir_open(parent, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        if (!g_str_has_prefix(name, prefix) ||
            strlen(name) != strlen(prefix) + 6)
            continue;
        g_autofree char *path = g_build_filename(parent, name, NULL);
        int fd = lock_folder(path);
        if (fd < 0)
            continue; /* a live run's, or not a folder */
        nl_folder_remove(path);
        close(fd);
        removed++;
    }
    return removed;
}

/* ---- what a result set holds ---- */

/* Images numlab plot adds to a set. */
static gboolean is_image(const char *name)
{
    return g_str_has_suffix(name, ".png") || g_str_has_suffix(name, ".svg") ||
           g_str_has_suffix(name, ".pdf");
}

/* What earlier numlab versions could leave in a set folder after a crash:
 * g_file_set_contents' "FILE.XXXXXX" beside a file of the set, the output
 * probe, and plot's image folders. */
static gboolean is_old_leftover(const char *name, char **files)
{
    size_t n = strlen(name);
    if (g_str_has_prefix(name, ".numlab-probe-") ||
        g_str_has_prefix(name, ".plot-"))
        return TRUE;
    if (n < 8 || name[n - 7] != '.')
        return FALSE;
    g_autofree char *base = g_strndup(name, n - 7);
    return g_str_equal(base, "manifest.ini") ||
           g_strv_contains((const char *const *)files, base);
}

gboolean nl_result_set_check(const char *dir, gboolean *exists, GError **error)
{
    *exists = FALSE;
    GStatBuf st;
    if (g_lstat(dir, &st) != 0)
        return TRUE; /* no set yet */
    if (!S_ISDIR(st.st_mode))
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "'%s' exists and is not a folder", dir);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    if (!d)
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "cannot read the folder '%s'", dir);
    if (!g_dir_read_name(d))
        return TRUE; /* an empty folder is no set either */
    g_autofree char *manifest = g_build_filename(dir, "manifest.ini", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (!g_key_file_load_from_file(kf, manifest, G_KEY_FILE_NONE, NULL))
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "'%s' is not a numlab result set (it has no readable "
                       "manifest.ini)",
                       dir);
    g_auto(GStrv) files =
        g_key_file_get_string_list(kf, "files", "files", NULL, NULL);
    if (!files)
        files = g_new0(char *, 1);
    for (char **f = files; *f; f++) {
        g_autofree char *path = g_build_filename(dir, *f, NULL);
        if (strchr(*f, '/') || !g_file_test(path, G_FILE_TEST_IS_REGULAR))
            return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                           "'%s' is not a complete result set: its manifest "
                           "lists '%s', which it does not hold",
                           dir, *f);
    }
    g_dir_rewind(d);
    const char *name;
    while ((name = g_dir_read_name(d))) {
        if (g_str_equal(name, "manifest.ini") ||
            g_strv_contains((const char *const *)files, name) ||
            is_image(name) || is_old_leftover(name, files))
            continue;
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "'%s' holds '%s', which its manifest does not list", dir,
                       name);
    }
    *exists = TRUE;
    return TRUE;
}

/* ---- staging and swapping ---- */

struct NlResultSet {
    char *outdir;  /* OUTDIR */
    char *final;   /* OUTDIR/EXP */
    char *staging; /* OUTDIR/.EXP.new-XXXXXX */
    char *old_prefix;
    GPtrArray *created; /* folders of OUTDIR's path begin made, deepest first */
    int lock;           /* flock on the staging folder */
    gboolean committed;
};

const char *nl_result_set_path(const NlResultSet *set)
{
    return set->final;
}

/* Where the filesystem cannot exchange, a crash between the two renames
 * leaves OUTDIR/EXP missing and the old set as .EXP.old-XXXXXX: it is put
 * back. One left beside a set (a crash while removing it) is removed. */
static void recover_old_set(const NlResultSet *set)
{
    g_autoptr(GDir) d = g_dir_open(set->outdir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        if (!g_str_has_prefix(name, set->old_prefix))
            continue;
        g_autofree char *path = g_build_filename(set->outdir, name, NULL);
        if (!g_file_test(set->final, G_FILE_TEST_EXISTS))
            g_rename(path, set->final);
        else
            nl_folder_remove(path);
    }
}

NlResultSet *nl_result_set_begin(const char *outdir, const char *name,
                                 GError **error)
{
    /* A run that writes nothing removes the folders it made, so that bad
     * input leaves no trace. */
    GPtrArray *created = g_ptr_array_new_with_free_func(g_free);
    for (char *d = g_strdup(outdir); d;) {
        if (g_file_test(d, G_FILE_TEST_EXISTS)) {
            g_free(d);
            break;
        }
        g_ptr_array_add(created, d);
        char *parent = g_path_get_dirname(d);
        if (g_str_equal(parent, d)) {
            g_free(parent);
            break;
        }
        d = parent;
    }
    if (g_mkdir_with_parents(outdir, 0755) != 0) {
        int e = errno;
        nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                "cannot create output folder '%s': %s", outdir, g_strerror(e));
        g_ptr_array_unref(created);
        return NULL;
    }
    NlResultSet *set = g_new0(NlResultSet, 1);
    set->created = created;
    set->lock = -1;
    set->outdir = g_strdup(outdir);
    set->final = g_build_filename(outdir, name, NULL);
    set->old_prefix = g_strdup_printf(".%s.old-", name);
    g_autofree char *new_prefix = g_strdup_printf(".%s.new-", name);
    recover_old_set(set);
    nl_temp_folders_clean(outdir, new_prefix);
    gboolean exists;
    g_autoptr(GError) check = NULL;
    if (!nl_result_set_check(set->final, &exists, &check)) {
        nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                "%s; a run replaces the whole folder, so move that away or "
                "choose another -o",
                check->message);
        nl_result_set_free(set);
        return NULL;
    }
    /* A writable, executable OUTDIR/EXP is no proof of a writable OUTDIR:
     * the staging folder is, and it is made now, before any computing. */
    set->lock = nl_temp_folder_new(outdir, new_prefix, &set->staging, error);
    if (set->lock < 0) {
        g_prefix_error(error, "cannot write results: ");
        nl_result_set_free(set);
        return NULL;
    }
    return set;
}

/* write(2) all of it, then fsync: the file is on disk before any rename
 * makes it visible. */
static gboolean write_synced(int fd, const char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        bytes += n;
        len -= (size_t)n;
    }
    return fsync(fd) == 0;
}

gboolean nl_result_set_add(NlResultSet *set, const char *file,
                           const char *contents, gssize len, GError **error)
{
    if (len < 0)
        len = (gssize)strlen(contents);
    g_autofree char *path = g_build_filename(set->staging, file, NULL);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    gboolean ok = fd >= 0 && write_synced(fd, contents, (size_t)len);
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = FALSE;
        e = errno;
    }
    if (!ok)
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "cannot write '%s/%s': %s", set->final, file,
                       g_strerror(e));
    return TRUE;
}

static gboolean sync_folder(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return FALSE;
    gboolean ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* Without RENAME_EXCHANGE: the old set aside, the new one in, the old one
 * removed. */
static gboolean swap_by_two_renames(NlResultSet *set)
{
    g_autofree char *old =
        g_strdup_printf("%s/%sXXXXXX", set->outdir, set->old_prefix);
    if (!g_mkdtemp(old) || g_rename(set->final, old) != 0)
        return FALSE;
    if (g_rename(set->staging, set->final) != 0) {
        int e = errno;
        g_rename(old, set->final);
        errno = e;
        return FALSE;
    }
    nl_folder_remove(old);
    return TRUE;
}

gboolean nl_result_set_commit(NlResultSet *set, GError **error)
{
    if (!sync_folder(set->staging)) {
        int e = errno;
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "cannot write '%s': %s", set->final, g_strerror(e));
    }
    gboolean swapped = FALSE;
#ifdef RENAME_EXCHANGE
    if (exchange_enabled) {
        if (renameat2(AT_FDCWD, set->staging, AT_FDCWD, set->final,
                      RENAME_EXCHANGE) == 0) {
            nl_folder_remove(
                set->staging); /* the old set, under the new name */
            swapped = TRUE;
        } else if (errno != EINVAL && errno != ENOSYS && errno != ENOENT &&
                   errno != ENOTSUP) {
            int e = errno;
            return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                           "cannot replace '%s': %s", set->final,
                           g_strerror(e));
        }
    }
#endif
    if (!swapped) {
        /* no old set (a rename then cannot replace one that appeared
         * meanwhile: rename(2) only replaces an empty folder) */
        if (!g_file_test(set->final, G_FILE_TEST_EXISTS) ||
            (g_rmdir(set->final) == 0))
            swapped = g_rename(set->staging, set->final) == 0;
        else
            swapped = swap_by_two_renames(set);
        if (!swapped) {
            int e = errno;
            return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                           "cannot replace '%s': %s", set->final,
                           g_strerror(e));
        }
    }
    set->committed = TRUE;
    sync_folder(set->outdir);
    return TRUE;
}

void nl_result_set_free(NlResultSet *set)
{
    if (!set)
        return;
    if (!set->committed && set->staging)
        nl_folder_remove(set->staging);
    if (set->lock >= 0)
        close(set->lock);
    for (guint i = 0; !set->committed && i < set->created->len; i++)
        g_rmdir(set->created->pdata[i]); /* only if still empty */
    g_ptr_array_unref(set->created);
    g_free(set->outdir);
    g_free(set->final);
    g_free(set->staging);
    g_free(set->old_prefix);
    g_free(set);
}
