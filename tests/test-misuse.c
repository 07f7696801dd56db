/* test-misuse.c — a plugin's programming error fails its job, never the
 * run's honesty: each misuse tests/plugins/misuse.c can make (a getter of
 * the wrong type, an undeclared parameter, a cell added to a NULL table,
 * a g_warning, one logged the structured way, a critical from another
 * thread) gives exit status 1, one line "numlab: misuse: LABEL:
 * programming error in misuse: ...", a manifest that says the job failed,
 * no rows of that job, and the other jobs' results written. With
 * G_DEBUG=fatal-criticals numlab still aborts at the bug, as a developer
 * who asks for it expects. */
#include "config.h"

#include "test-util.h"

#include <numlab/numlab.h>

#include <string.h>

#define BROKEN_DIR NL_BUILDDIR "/tests/plugins/.libs"

static char *read_file(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, "misuse", name, NULL);
    char *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    return text;
}

static NlCmd *run_misuse(char **env, const char *dir, const char *misuse,
                         const char *on)
{
    g_autofree char *m = g_strdup_printf("misuse=%s", misuse);
    g_autofree char *o = g_strdup_printf("on=%s", on);
    const char *args[] = {
        "run", "misuse", "--plugin-dir", BROKEN_DIR, "-b", "naive,blas",
        "-p",  m,        "-p",           o,          "-o", dir,
        NULL};
    return nl_test_numlab_argv(env, (char **)args);
}

/* The one line of stderr that starts with `prefix`; it must also hold
 * `what`, and no other line may mention the error. */
static void assert_failure_line(const char *err, const char *prefix,
                                const char *what)
{
    g_auto(GStrv) lines = g_strsplit(err, "\n", -1);
    guint found = 0;
    for (char **l = lines; *l; l++) {
        if (strstr(*l, "programming error"))
            found++;
        if (g_str_has_prefix(*l, prefix) && !strstr(*l, what))
            g_error("'%s' lacks '%s'", *l, what);
    }
    if (found != 1 || !strstr(err, prefix))
        g_error("stderr lacks one line '%s...%s':\n%s", prefix, what, err);
    /* the message went into that line, not also to GLib's own output */
    g_assert_null(strstr(err, "CRITICAL"));
    g_assert_null(strstr(err, "WARNING"));
}

static const struct {
    const char *misuse;
    const char *message; /* a part of the line */
} cases[] = {
    {"getter", "'scale'"},
    {"undeclared", "'sclae'"},
    /* nl_run_table's critical for the bad name, then the NULL table's */
    {"null-table", "'not a name' is not a plain file name (and 1 more"},
    {"warning", "misuse: a warning on purpose"},
    /* with the domain it was logged in */
    {"structured", "misuse: a structured warning on purpose"},
    {"thread", "nl_table_add_int: assertion 't != NULL' failed"},
};

static void test_backend_job_fails(gconstpointer data)
{
    guint c = GPOINTER_TO_UINT(data);
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) cmd = run_misuse(NULL, dir, cases[c].misuse, "blas");
    g_assert_cmpint(cmd->status, ==, 1);
    assert_failure_line(cmd->err,
                        "numlab: misuse: blas: programming error in misuse: ",
                        cases[c].message);
    g_assert_nonnull(strstr(cmd->out, " naive:ok blas:failed"));

    g_autofree char *m = read_file(dir, "manifest.ini");
    g_assert_nonnull(strstr(m, "[job blas]\nphase=backend\nstatus=failed\n"
                               "reason=programming error in misuse: "));
    g_assert_nonnull(strstr(m, "[job naive]\nphase=backend\nstatus=ok\n"));
    g_assert_nonnull(strstr(m, "[job compare]\nphase=compare\nstatus=ok\n"));
    g_assert_nonnull(strstr(m, "[run]"));
    g_assert_nonnull(strstr(m, "\nstatus=failed\n"));
    /* blas's rows are dropped; naive's, common's and compare's written */
    g_autofree char *values = read_file(dir, "values.dat");
    g_assert_nonnull(
        strstr(values, "# dataset: backend naive\n0 0\n1 0.5\n2 1\n"));
    g_assert_null(strstr(values, "backend blas"));
    g_autofree char *jobs = read_file(dir, "jobs.dat");
    g_assert_nonnull(strstr(jobs, "\n1\n"));
    g_autofree char *common = read_file(dir, "common.dat");
    g_assert_nonnull(common);
    g_autofree char *gp = read_file(dir, "backends.gp");
    g_assert_nonnull(strstr(gp, "backends = \"naive\"\n"));
    nl_test_rmtree(dir);
}

/* Without a misuse every job succeeds: the failures above are the
 * misuse's, not the plugin's. */
static void test_no_misuse(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) cmd = run_misuse(NULL, dir, "none", "");
    g_assert_cmpint(cmd->status, ==, 0);
    g_assert_null(strstr(cmd->err, "programming error"));
    g_autofree char *values = read_file(dir, "values.dat");
    g_assert_nonnull(
        strstr(values, "# dataset: backend blas\n0 0\n1 0.5\n2 1\n"));
    g_autofree char *jobs = read_file(dir, "jobs.dat");
    g_assert_nonnull(strstr(jobs, "\n2\n"));
    nl_test_rmtree(dir);
}

/* A bug in run_common stops the run as its failures do: no file at all. */
static void test_common_phase_stops_the_run(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) cmd = run_misuse(NULL, dir, "getter", "common");
    g_assert_cmpint(cmd->status, ==, 1);
    assert_failure_line(cmd->err,
                        "numlab: misuse: programming error in misuse: ",
                        "(no file was written)");
    g_autofree char *m = read_file(dir, "manifest.ini");
    g_assert_null(m);
    nl_test_rmtree(dir);
}

/* A bug in run_compare fails that phase only: the jobs' tables stay. */
static void test_compare_phase_fails(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) cmd = run_misuse(NULL, dir, "warning", "compare");
    g_assert_cmpint(cmd->status, ==, 1);
    assert_failure_line(
        cmd->err, "numlab: misuse: compare: programming error in misuse: ",
        "a warning on purpose");
    g_autofree char *m = read_file(dir, "manifest.ini");
    g_assert_nonnull(
        strstr(m, "[job compare]\nphase=compare\nstatus=failed\n"));
    g_autofree char *values = read_file(dir, "values.dat");
    g_assert_nonnull(strstr(values, "# dataset: backend blas\n"));
    g_autofree char *jobs = read_file(dir, "jobs.dat");
    g_assert_null(jobs);
    nl_test_rmtree(dir);
}

/* G_DEBUG=fatal-criticals (fatal-warnings) stops the job at the first
 * critical (warning), after GLib's own message: the job fails with the
 * signal; under --in-process the whole run stops there. */
static void test_fatal_debug_still_aborts(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    char *criticals[] = {"G_DEBUG=fatal-criticals", NULL};
    g_autoptr(NlCmd) c = run_misuse(criticals, dir, "getter", "naive");
    g_assert_cmpint(c->status, ==, 1); /* its job killed by the abort */
    g_assert_nonnull(strstr(c->err, "naive: job killed by SIG"));
    g_assert_nonnull(strstr(c->err, "CRITICAL"));
    g_assert_nonnull(strstr(c->err, "'scale'"));

    char *warnings[] = {"G_DEBUG=fatal-warnings", NULL};
    g_autoptr(NlCmd) w = run_misuse(warnings, dir, "warning", "naive");
    g_assert_cmpint(w->status, ==, 1);
    g_assert_nonnull(strstr(w->err, "naive: job killed by SIG"));
    g_assert_nonnull(strstr(w->err, "WARNING"));
    g_assert_nonnull(strstr(w->err, "a warning on purpose"));
    g_autofree char *m = read_file(dir, "manifest.ini"); /* blas's set */
    g_assert_nonnull(strstr(m, "[job naive]\nphase=backend\nstatus=failed\n"
                               "reason=job killed by SIG"));
    nl_test_rmtree(dir);
}

/* Every SDK call of table.h, run.h, rng.h, sample.h and alloc.h given
 * NULL logs g_return_if_fail's critical and returns a harmless value. */
#define EXPECT_CRITICAL(call)                                                  \
    do {                                                                       \
        g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL,                      \
                              "*assertion*failed*");                           \
        call;                                                                  \
        g_test_assert_expected_messages();                                     \
    } while (0)

static void test_sdk_null_guards(void)
{
    NlTable *t = NULL;
    EXPECT_CRITICAL(nl_table_set_title(t, "x"));
    EXPECT_CRITICAL(nl_table_add_note(t, "k", "v"));
    EXPECT_CRITICAL(nl_table_new_dataset(t, NULL));
    EXPECT_CRITICAL(nl_table_add_int(t, 1));
    EXPECT_CRITICAL(nl_table_add_f32(t, 1));
    EXPECT_CRITICAL(nl_table_add_f64(t, 1));
    EXPECT_CRITICAL(nl_table_add_hex(t, 1));
    EXPECT_CRITICAL(nl_table_add_str(t, "x"));
    EXPECT_CRITICAL(g_assert_null(nl_table_name(t)));
    EXPECT_CRITICAL(g_assert_cmpuint(nl_table_n_rows(t), ==, 0));
    EXPECT_CRITICAL(g_assert_cmpint(nl_table_column(t, "x"), ==, -1));
    EXPECT_CRITICAL(g_assert_cmpint(nl_table_get_int(t, 0, 0), ==, 0));
    EXPECT_CRITICAL(g_assert_cmpfloat(nl_table_get_f64(t, 0, 0), ==, 0));
    EXPECT_CRITICAL(g_assert_cmpstr(nl_table_get_str(t, 0, 0), ==, ""));

    NlRun *run = NULL;
    EXPECT_CRITICAL(g_assert_null(nl_run_backend(run)));
    EXPECT_CRITICAL(g_assert_null(nl_run_params(run)));
    EXPECT_CRITICAL(g_assert_cmpuint(nl_run_seed(run), ==, 0));
    EXPECT_CRITICAL(g_assert_null(nl_run_rng(run)));
    EXPECT_CRITICAL(g_assert_null(nl_run_table(run, "t", "x:int")));
    EXPECT_CRITICAL(g_assert_false(nl_run_artifact(run, "a", "", 0, NULL)));
    EXPECT_CRITICAL(nl_run_keep(run, NULL, NULL));
    EXPECT_CRITICAL(g_assert_null(nl_run_common_data(run)));
    EXPECT_CRITICAL(nl_run_fault(run, "x"));
    EXPECT_CRITICAL(g_assert_false(nl_run_check_bound(run, 0, 1, 0, "x")));
    EXPECT_CRITICAL(nl_run_progress(run, 0.5, NULL));
    EXPECT_CRITICAL(g_assert_cmpuint(nl_run_n_jobs(run), ==, 0));
    EXPECT_CRITICAL(g_assert_null(nl_run_job_label(run, 0)));
    EXPECT_CRITICAL(g_assert_null(nl_run_job_table(run, 0, "t")));
    EXPECT_CRITICAL(g_assert_null(nl_run_job_data(run, 0)));
    EXPECT_CRITICAL(g_assert_null(nl_run_common_table(run, "t")));

    NlRng *rng = NULL;
    float x[2] = {1, 2};
    EXPECT_CRITICAL(nl_rng_init(rng, 1));
    EXPECT_CRITICAL(g_assert_cmpuint(nl_rng_next_u64(rng), ==, 0));
    EXPECT_CRITICAL(g_assert_cmpfloat(nl_rng_uniform(rng), ==, 0));
    EXPECT_CRITICAL(g_assert_cmpuint(nl_rng_below(rng, 5), ==, 0));
    EXPECT_CRITICAL(g_assert_cmpfloat(nl_rng_normal(rng), ==, 0));
    EXPECT_CRITICAL(nl_rng_fill_normal_f32(rng, x, 2));
    EXPECT_CRITICAL(nl_rng_shuffle_f32(rng, x, 2));
    NlRng real;
    nl_rng_init(&real, 1);
    EXPECT_CRITICAL(nl_rng_fill_normal_f32(&real, NULL, 2));

    double p[2] = {0.5, 0.5}, out[2], stat, pv;
    gsize index, dof;
    guint64 counts[2] = {1, 1};
    guint32 draws[2];
    EXPECT_CRITICAL(g_assert_false(nl_sample_softmax(NULL, 2, 1, out, NULL)));
    EXPECT_CRITICAL(g_assert_false(nl_sample_argmax(p, 2, NULL, NULL)));
    EXPECT_CRITICAL(g_assert_false(nl_sample_argmax(NULL, 2, &index, NULL)));
    EXPECT_CRITICAL(g_assert_false(nl_sample_top_k(p, 2, 1, NULL, NULL)));
    EXPECT_CRITICAL(g_assert_false(nl_sample_top_p(NULL, 2, 0.5, out, NULL)));
    EXPECT_CRITICAL(g_assert_cmpfloat(nl_sample_entropy_bits(NULL, 2), ==, 0));
    EXPECT_CRITICAL(
        g_assert_cmpfloat(nl_sample_total_variation(p, NULL, 2), ==, 0));
    EXPECT_CRITICAL(g_assert_false(
        nl_sample_chi_square(NULL, p, 2, &stat, &pv, &dof, NULL)));
    EXPECT_CRITICAL(g_assert_false(
        nl_sample_chi_square(counts, p, 2, NULL, &pv, &dof, NULL)));
    EXPECT_CRITICAL(g_assert_null(nl_sampler_new(NULL, 2, NULL)));
    NlSampler *s = NULL;
    EXPECT_CRITICAL(g_assert_cmpfloat(nl_sampler_prob(s, 0), ==, 0));
    EXPECT_CRITICAL(g_assert_cmpuint(nl_sampler_inverse_cdf(s, 0.5), ==, 0));
    EXPECT_CRITICAL(g_assert_cmpuint(nl_sampler_draw(s, &real), ==, 0));
    EXPECT_CRITICAL(nl_sampler_draw_n(s, &real, draws, 2));
    EXPECT_CRITICAL(nl_sampler_count(s, &real, counts, 2));

    gsize size;
    EXPECT_CRITICAL(g_assert_false(nl_size_mul(2, 3, NULL)));
    EXPECT_CRITICAL(g_assert_false(nl_size_add(2, 3, NULL)));
    g_assert_true(nl_size_mul(2, 3, &size));
    g_assert_cmpuint(size, ==, 6);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
        g_autofree char *path =
            g_strdup_printf("/misuse/backend-job/%s", cases[c].misuse);
        g_test_add_data_func(path, GUINT_TO_POINTER(c), test_backend_job_fails);
    }
    g_test_add_func("/misuse/none", test_no_misuse);
    g_test_add_func("/misuse/common-phase-stops-the-run",
                    test_common_phase_stops_the_run);
    g_test_add_func("/misuse/compare-phase-fails", test_compare_phase_fails);
    g_test_add_func("/misuse/fatal-debug-still-aborts",
                    test_fatal_debug_still_aborts);
    g_test_add_func("/misuse/sdk-null-guards", test_sdk_null_guards);
    return g_test_run();
}
