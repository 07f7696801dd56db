/* test-resultset.c — the result set's staging, swap and clean-up
 * (framework/host/resultset.c), both with renameat2(RENAME_EXCHANGE) and
 * with the two renames used where a filesystem cannot exchange; the kill
 * points and full disks of whole runs are tests/test-result-sets.sh. */
#include "config.h"

#include "../framework/host/host.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *root;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->root = g_dir_make_tmp("test-resultset-XXXXXX", NULL);
    g_assert_nonnull(f->root);
}

static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    nl_folder_remove(f->root);
    g_free(f->root);
    nl_result_set_use_exchange(TRUE);
}

/* Writes a set of `files` (NULL-terminated), each holding `tag`. */
static void write_set(const char *outdir, const char *tag, const char **files)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlResultSet) set = nl_result_set_begin(outdir, "exp", &error);
    g_assert_no_error(error);
    g_autoptr(GString) list = g_string_new("[files]\nfiles=");
    for (const char **f = files; *f; f++) {
        g_assert_true(nl_result_set_add(set, *f, tag, -1, &error));
        g_string_append_printf(list, "%s;", *f);
    }
    g_string_append(list, "\n");
    g_assert_true(
        nl_result_set_add(set, "manifest.ini", list->str, -1, &error));
    g_assert_true(nl_result_set_commit(set, &error));
    g_assert_no_error(error);
}

static char *read_file(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    return text;
}

/* The names in dir, sorted, one space apart. */
static char *listing(const char *dir)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, nl_compare_strings);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}

/* A new set replaces the old one whole: files the new one lacks go too. */
static void test_replace(Fixture *f, gconstpointer exchange)
{
    nl_result_set_use_exchange(GPOINTER_TO_INT(exchange));
    const char *old_files[] = {"a.dat", "b.dat", NULL};
    const char *new_files[] = {"a.dat", "c.dat", NULL};
    write_set(f->root, "old", old_files);
    write_set(f->root, "new", new_files);
    g_autofree char *dir = g_build_filename(f->root, "exp", NULL);
    g_autofree char *names = listing(dir);
    g_assert_cmpstr(names, ==, "a.dat c.dat manifest.ini");
    g_autofree char *a = read_file(dir, "a.dat");
    g_assert_cmpstr(a, ==, "new");
    g_autofree char *top = listing(f->root);
    g_assert_cmpstr(top, ==, "exp"); /* no staging or old folder left */
    g_autofree char *mode_path = g_build_filename(f->root, "exp", NULL);
    GStatBuf st;
    g_assert_cmpint(g_stat(mode_path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0755); /* umask 022, not 0700 */
}

/* A set that is not committed leaves the old one and nothing else. */
static void test_abandon(Fixture *f, gconstpointer data)
{
    (void)data;
    const char *files[] = {"a.dat", NULL};
    write_set(f->root, "old", files);
    g_autoptr(GError) error = NULL;
    NlResultSet *set = nl_result_set_begin(f->root, "exp", &error);
    g_assert_true(nl_result_set_add(set, "a.dat", "new", -1, &error));
    nl_result_set_free(set);
    g_autofree char *dir = g_build_filename(f->root, "exp", NULL);
    g_autofree char *a = read_file(dir, "a.dat");
    g_assert_cmpstr(a, ==, "old");
    g_autofree char *top = listing(f->root);
    g_assert_cmpstr(top, ==, "exp");
}

/* Folders begin made for a set never committed are removed again. */
static void test_created_folders(Fixture *f, gconstpointer data)
{
    (void)data;
    g_autofree char *outdir = g_build_filename(f->root, "x", "y", NULL);
    g_autoptr(GError) error = NULL;
    NlResultSet *set = nl_result_set_begin(outdir, "exp", &error);
    g_assert_no_error(error);
    g_assert_true(g_file_test(outdir, G_FILE_TEST_IS_DIR));
    nl_result_set_free(set);
    g_autofree char *top = listing(f->root);
    g_assert_cmpstr(top, ==, "");
}

/* The state a crash between the two renames leaves: no exp, the old set
 * as .exp.old-XXXXXX, the new one staged. The next begin puts the old set
 * back and removes the staging folder (nobody holds its lock). */
static void test_recover(Fixture *f, gconstpointer data)
{
    (void)data;
    const char *files[] = {"a.dat", NULL};
    write_set(f->root, "old", files);
    g_autofree char *dir = g_build_filename(f->root, "exp", NULL);
    g_autofree char *old = g_build_filename(f->root, ".exp.old-abc123", NULL);
    g_assert_cmpint(g_rename(dir, old), ==, 0);
    g_autofree char *staged =
        g_build_filename(f->root, ".exp.new-xyz789", NULL);
    g_assert_cmpint(g_mkdir(staged, 0755), ==, 0);

    g_autoptr(GError) error = NULL;
    NlResultSet *set = nl_result_set_begin(f->root, "exp", &error);
    g_assert_no_error(error);
    g_autofree char *a = read_file(dir, "a.dat");
    g_assert_cmpstr(a, ==, "old");
    g_assert_false(g_file_test(staged, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(old, G_FILE_TEST_EXISTS));
    nl_result_set_free(set);
}

/* A live run's staging folder is locked: another run leaves it alone. */
static void test_live_staging_kept(Fixture *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GError) error = NULL;
    NlResultSet *first = nl_result_set_begin(f->root, "exp", &error);
    g_assert_no_error(error);
    NlResultSet *second = nl_result_set_begin(f->root, "exp", &error);
    g_assert_no_error(error);
    g_assert_true(
        nl_result_set_add(first, "manifest.ini", "[files]\n", -1, &error));
    g_assert_true(nl_result_set_commit(first, &error));
    g_assert_no_error(error);
    nl_result_set_free(second);
    nl_result_set_free(first);
    g_autofree char *top = listing(f->root);
    g_assert_cmpstr(top, ==, "exp");
}

static void expect_refused(const char *dir, const char *fragment)
{
    g_autoptr(GError) error = NULL;
    gboolean exists;
    g_assert_false(nl_result_set_check(dir, &exists, &error));
    g_assert_error(error, NL_ERROR, NL_ERROR_OUTPUT);
    g_assert_nonnull(strstr(error->message, fragment));
    g_assert_null(strchr(error->message, '\n'));
}

/* Only a set's own files, images and old numlab leftovers may be in its
 * folder; anything else is the user's, and the set is never replaced. */
static void test_check(Fixture *f, gconstpointer data)
{
    (void)data;
    const char *files[] = {"a.dat", NULL};
    write_set(f->root, "old", files);
    g_autofree char *dir = g_build_filename(f->root, "exp", NULL);
    gboolean exists;
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_result_set_check(dir, &exists, &error));
    g_assert_true(exists);
    const char *allowed[] = {"fig.png", "fig.svg", "a.dat.Ab12Cd",
                             ".plot-xYz123"};
    for (guint i = 0; i < G_N_ELEMENTS(allowed); i++) {
        g_autofree char *p = g_build_filename(dir, allowed[i], NULL);
        g_assert_true(g_file_set_contents(p, "", 0, NULL));
    }
    g_assert_true(nl_result_set_check(dir, &exists, &error));
    g_autofree char *notes = g_build_filename(dir, "notes.txt", NULL);
    g_assert_true(g_file_set_contents(notes, "mine", -1, NULL));
    expect_refused(dir, "holds 'notes.txt', which its manifest does not list");
    g_assert_null(nl_result_set_begin(f->root, "exp", &error));
    g_clear_error(&error);
    g_assert_true(g_file_test(notes, G_FILE_TEST_EXISTS));
    g_unlink(notes);

    g_autofree char *a = g_build_filename(dir, "a.dat", NULL);
    g_unlink(a);
    expect_refused(dir, "lists 'a.dat', which it does not hold");

    g_autofree char *file = g_build_filename(f->root, "plain", NULL);
    g_assert_true(g_file_set_contents(file, "x", -1, NULL));
    expect_refused(file, "exists and is not a folder");

    g_autofree char *foreign = g_build_filename(f->root, "mine", NULL);
    g_assert_cmpint(g_mkdir(foreign, 0755), ==, 0);
    g_assert_true(nl_result_set_check(foreign, &exists, &error));
    g_assert_false(exists); /* empty: may become a set */
    g_autofree char *inside = g_build_filename(foreign, "x.txt", NULL);
    g_assert_true(g_file_set_contents(inside, "x", -1, NULL));
    expect_refused(foreign, "is not a numlab result set");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    umask(022);
    g_test_add("/resultset/replace/exchange", Fixture, GINT_TO_POINTER(TRUE),
               setup, test_replace, teardown);
    g_test_add("/resultset/replace/two-renames", Fixture,
               GINT_TO_POINTER(FALSE), setup, test_replace, teardown);
    g_test_add("/resultset/abandon", Fixture, NULL, setup, test_abandon,
               teardown);
    g_test_add("/resultset/created-folders", Fixture, NULL, setup,
               test_created_folders, teardown);
    g_test_add("/resultset/recover", Fixture, NULL, setup, test_recover,
               teardown);
    g_test_add("/resultset/live-staging-kept", Fixture, NULL, setup,
               test_live_staging_kept, teardown);
    g_test_add("/resultset/check", Fixture, NULL, setup, test_check, teardown);
    return g_test_run();
}
