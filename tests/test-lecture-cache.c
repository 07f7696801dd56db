/* test-lecture-cache.c — the lecture model is trained once and read back
 * (nl_gpt_lecture_model, lecture-cache.c).
 *
 * - Two threads asking for the same model at once train it once (the
 *   other waits on the entry's lock): 400 steps reported in all, and both
 *   get the same bits.
 * - A third call trains nothing, gives the same bits and the summary of
 *   the training (first and final loss, seconds).
 * - A truncated checkpoint, and an .ini that names another key, are not
 *   trusted: the model is trained again, to the same bits, and the entry
 *   is whole again afterwards.
 * - A cache folder that cannot be made trains and succeeds; "off" and ""
 *   turn the cache off.
 * Each case trains the lecture model at most once (a few seconds). */
#include "config.h"

#include <numlab-minigpt/lecture.h>

#include <glib/gstdio.h>
#include <string.h>

static gint steps_seen; /* on_step calls, from every thread */

static void count_step(guint32 step, double loss, gpointer user)
{
    (void)step;
    (void)loss;
    (void)user;
    g_atomic_int_inc(&steps_seen);
}

typedef struct {
    GBytes *bytes;
    NlGptLectureSummary summary;
} Got;

static Got get_model(void)
{
    g_autoptr(GError) error = NULL;
    Got got = {NULL, {0, 0, 0}};
    g_autoptr(NlGpt) m =
        nl_gpt_lecture_model(42, count_step, NULL, &got.summary, &error);
    g_assert_no_error(error);
    g_assert_nonnull(m);
    gsize len;
    guint8 *b = nl_gpt_save_bytes(m, &len);
    got.bytes = g_bytes_new_take(b, len);
    return got;
}

static gpointer get_in_thread(gpointer data)
{
    *(Got *)data = get_model();
    return NULL;
}

/* The one file of the folder ending in `suffix`. */
static char *entry_file(const char *dir, const char *suffix)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    char *found = NULL;
    const char *name;
    while ((name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, suffix)) {
            g_assert_null(found);
            found = g_build_filename(dir, name, NULL);
        }
    g_assert_nonnull(found);
    return found;
}

static void test_cache(void)
{
    g_autofree char *root = g_dir_make_tmp("nl-cache-XXXXXX", NULL);
    g_assert_nonnull(root);
    g_setenv("NUMLAB_CACHE_DIR", root, TRUE);
    g_autofree char *dir = nl_gpt_lecture_cache_dir();
    g_autofree char *expect = g_build_filename(root, "minigpt", NULL);
    g_assert_cmpstr(dir, ==, expect);

    /* two at once: one training */
    Got a, b;
    steps_seen = 0;
    GThread *ta = g_thread_new("a", get_in_thread, &a);
    GThread *tb = g_thread_new("b", get_in_thread, &b);
    g_thread_join(ta);
    g_thread_join(tb);
    g_assert_cmpint(steps_seen, ==, 400);
    g_assert_true(g_bytes_equal(a.bytes, b.bytes));
    g_assert_cmpfloat(a.summary.final_loss, ==, b.summary.final_loss);
    g_assert_cmpfloat(a.summary.first_loss, >, a.summary.final_loss);
    g_assert_cmpfloat(a.summary.seconds, >, 0);

    /* from the cache: no step, the same bits and summary */
    Got c = get_model();
    g_assert_cmpint(steps_seen, ==, 400);
    g_assert_true(g_bytes_equal(a.bytes, c.bytes));
    g_assert_cmpfloat(c.summary.first_loss, ==, a.summary.first_loss);
    g_assert_cmpfloat(c.summary.final_loss, ==, a.summary.final_loss);
    g_assert_cmpfloat(c.summary.seconds, ==, a.summary.seconds);

    /* a torn checkpoint is trained again, and the entry made whole */
    g_autofree char *ckpt = entry_file(dir, ".ckpt");
    g_assert_true(g_file_set_contents(ckpt, "NLMINGPT", 8, NULL));
    Got d = get_model();
    g_assert_cmpint(steps_seen, ==, 800);
    g_assert_true(g_bytes_equal(a.bytes, d.bytes));
    Got e = get_model();
    g_assert_cmpint(steps_seen, ==, 800);
    g_assert_true(g_bytes_equal(a.bytes, e.bytes));

    /* an .ini for another key does not vouch for the checkpoint */
    g_autofree char *ini = entry_file(dir, ".ini");
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(ini, &text, NULL, NULL));
    char *seed = strstr(text, "seed=42");
    g_assert_nonnull(seed);
    seed[6] = '3';
    g_assert_true(g_file_set_contents(ini, text, -1, NULL));
    Got f = get_model();
    g_assert_cmpint(steps_seen, ==, 1200);
    g_assert_true(g_bytes_equal(a.bytes, f.bytes));

    Got *all[] = {&a, &b, &c, &d, &e, &f};
    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
        g_bytes_unref(all[i]->bytes);
    g_autofree char *lock = entry_file(dir, ".lock");
    g_unlink(ckpt);
    g_unlink(ini);
    g_unlink(lock);
    g_rmdir(dir);
    g_rmdir(root);
}

static void test_unusable_folder(void)
{
    /* a regular file where the folder would be: trained, no error */
    g_autofree char *root = g_dir_make_tmp("nl-cache-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(root, "file", NULL);
    g_assert_true(g_file_set_contents(file, "", 0, NULL));
    g_setenv("NUMLAB_CACHE_DIR", file, TRUE);
    steps_seen = 0;
    Got a = get_model();
    g_assert_cmpint(steps_seen, ==, 400);
    g_bytes_unref(a.bytes);
    g_unlink(file);
    g_rmdir(root);

    g_setenv("NUMLAB_CACHE_DIR", "off", TRUE);
    g_assert_null(nl_gpt_lecture_cache_dir());
    g_setenv("NUMLAB_CACHE_DIR", "", TRUE);
    g_assert_null(nl_gpt_lecture_cache_dir());
    g_unsetenv("NUMLAB_CACHE_DIR");
    g_autofree char *home = nl_gpt_lecture_cache_dir();
    g_autofree char *expect =
        g_build_filename(g_get_user_cache_dir(), "numlab", "minigpt", NULL);
    g_assert_cmpstr(home, ==, expect);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* in this order: setenv is safe only before the first thread */
    g_test_add_func("/lecture-cache/unusable-folder", test_unusable_folder);
    g_test_add_func("/lecture-cache/once", test_cache);
    return g_test_run();
}
