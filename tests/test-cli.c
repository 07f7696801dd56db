/* test-cli.c — the numlab command as a user meets it: list, help, run,
 * plot, and every kind of bad input from the issue, each of which must
 * give one line naming the problem, leave the other jobs running and never
 * damage an existing result file.
 *
 * The deliberately broken plugins live in tests/plugins/ (see tests.mk);
 * "bogus.so", a text file, is made here. */
#include "config.h"

#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <locale.h>
#include <stdarg.h>
#include <string.h>

#define BROKEN_DIR     NL_BUILDDIR "/tests/plugins/.libs"
#define CRASHLOAD_DIR  NL_BUILDDIR "/tests/plugins/crashload/.libs"
#define CRASHCHECK_DIR NL_BUILDDIR "/tests/plugins/crashcheck/.libs"
#define DUP_DIR        NL_BUILDDIR "/tests/plugins/dup/.libs"

/* Small parameters keep the associativity runs fast. */
#define SMALL "-p", "counter_steps=1000", "-p", "shuffles=50", "-p", "a6_n=1000"

static char *read_file(const char *path)
{
    char *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    return text;
}

/* read_file of the path g_build_filename makes of the arguments. */
static char *read_built(const char *first, ...) G_GNUC_NULL_TERMINATED;

static char *read_built(const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    g_autofree char *path = g_build_filename_valist(first, &ap);
    va_end(ap);
    return read_file(path);
}

/* The folder DIR/NAME, opened. */
static GDir *open_built(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    return g_dir_open(path, 0, NULL);
}

static void assert_one_line_containing(const char *err, const char *what)
{
    if (!strstr(err, what))
        g_error("stderr lacks '%s':\n%s", what, err);
    const char *line = strstr(err, what);
    while (line > err && line[-1] != '\n')
        line--;
    g_assert_true(g_str_has_prefix(line, "numlab"));
}

static void test_version_and_help(void)
{
    g_autoptr(NlCmd) v = nl_test_numlab(NULL, "--version", NULL);
    g_assert_cmpint(v->status, ==, 0);
    g_assert_true(g_str_has_prefix(v->out, "numlab " PACKAGE_VERSION));
    const char *commands[] = {"list", "help", "run", "plot", "report", "bench"};
    for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
        g_autoptr(NlCmd) h = nl_test_numlab(NULL, commands[i], "--help", NULL);
        g_assert_cmpint(h->status, ==, 0);
        g_assert_nonnull(strstr(h->out, commands[i]));
    }
    /* bench is an alias from framework/aliases.ini, which parses cleanly */
    g_autoptr(NlCmd) all = nl_test_numlab(NULL, "--help", NULL);
    g_assert_cmpint(all->status, ==, 0);
    g_assert_cmpstr(all->err, ==, "");
    g_assert_nonnull(strstr(all->out,
                            "\n  bench                measure every "
                            "backend against this machine's limits\n"));
    g_autoptr(NlCmd) bh = nl_test_numlab(NULL, "bench", "--help", NULL);
    g_assert_nonnull(strstr(bh->out, "direct cblas_sgemm"));
    g_assert_nonnull(strstr(bh->out, "--print=TABLES"));
    /* no command, an unknown command or option: one line and a pointer */
    static const struct {
        const char *arg, *err;
    } wrong[] = {
        {NULL, "numlab: no command given; see 'numlab --help'\n"},
        {"frobnicate",
         "numlab: unknown command 'frobnicate'; see 'numlab --help'\n"},
        {"--frob", "numlab: unknown option '--frob'; see 'numlab --help'\n"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(wrong); i++) {
        g_autoptr(NlCmd) u = nl_test_numlab(NULL, wrong[i].arg, NULL);
        g_assert_cmpint(u->status, ==, 2);
        g_assert_cmpstr(u->out, ==, "");
        g_assert_cmpstr(u->err, ==, wrong[i].err);
    }
}

/* A relative plugin folder would load whatever lies where numlab runs:
 * refused, in one line that gives the absolute path. */
static void test_relative_plugin_dir(void)
{
    char *env[] = {"NUMLAB_PLUGIN_PATH=/nonexistent:.", NULL};
    g_autoptr(NlCmd) e = nl_test_numlab(env, "list", NULL);
    g_assert_cmpint(e->status, ==, 2);
    g_assert_cmpuint(nl_test_count_lines(e->err), ==, 1);
    g_assert_true(g_str_has_prefix(
        e->err, "numlab: NUMLAB_PLUGIN_PATH '.' is a relative folder; give it "
                "as an absolute path ("));
    g_autoptr(NlCmd) d =
        nl_test_numlab(NULL, "run", "associativity", "--plugin-dir", "plugins",
                       "-b", "naive", NULL);
    g_assert_cmpint(d->status, ==, 2);
    g_assert_cmpuint(nl_test_count_lines(d->err), ==, 1);
    g_assert_nonnull(strstr(d->err, "--plugin-dir 'plugins' is a relative"));
    g_autoptr(NlCmd) lead =
        nl_test_numlab(NULL, "--plugin-dir=x", "list", NULL);
    g_assert_cmpint(lead->status, ==, 2);
}

/* -b and -o that name nothing, and -b for an experiment that runs no
 * backend: one line each, nothing written. */
static void test_empty_and_unused_options(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    static const struct {
        const char *exp, *b, *o, *err;
        int status;
    } cases[] = {
        {"associativity", "", NULL,
         "numlab run: -b '' names no backend (leave -b out for every "
         "available one)\n",
         2},
        {"attention", " , ", NULL, "numlab run: -b ' , ' names no backend", 2},
        {"attention", "naive", "",
         "numlab run: -o is empty (leave it out for 'results')\n", 2},
        {"attention", "nosuch", NULL,
         "numlab: attention: nosuch: unknown backend 'nosuch' (known: ", 1},
        {"attention", "naive:threads=2", NULL,
         "numlab: attention: naive:threads=2: naive: unknown parameter "
         "'threads' (known: none)\n",
         1},
        {"attention", "openmp:threads=0", NULL,
         "numlab: attention: openmp:threads=0: openmp: parameter 'threads': ",
         1},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(NlCmd) c =
            nl_test_numlab(NULL, "run", cases[i].exp, "-b", cases[i].b, "-o",
                           cases[i].o ? cases[i].o : out, NULL);
        if (c->status != cases[i].status ||
            !g_str_has_prefix(c->err, cases[i].err) ||
            nl_test_count_lines(c->err) != 1)
            g_error("-b '%s': exit %d, stderr: %s", cases[i].b, c->status,
                    c->err);
        g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    }
    g_autoptr(NlCmd) p =
        nl_test_numlab(NULL, "plot", "attention", "-o", "", NULL);
    g_assert_cmpint(p->status, ==, 2);
    g_assert_cmpstr(p->err, ==,
                    "numlab plot: -o is empty (leave it out for 'results')\n");
    /* run all --except leaves those out, and runs the rest */
    g_autoptr(NlCmd) ex = nl_test_numlab(
        NULL, "run", "all", "-b", "naive", "--except",
        "associativity,bench,devices,gradient-descent,inside", "--except",
        "logprob,minigpt,reduction-tree,temperature", "-o", out, NULL);
    g_assert_cmpint(ex->status, ==, 0);
    g_autofree char *ran = g_build_filename(out, "attention", NULL);
    g_autofree char *left = g_build_filename(out, "temperature", NULL);
    g_assert_true(g_file_test(ran, G_FILE_TEST_IS_DIR));
    g_assert_false(g_file_test(left, G_FILE_TEST_EXISTS));
    nl_test_rmtree(out);
    /* a known backend is fine: "run all -b naive" reaches attention too */
    g_autoptr(NlCmd) ok = nl_test_numlab(NULL, "run", "attention", "-b",
                                         "openmp:threads=1", "-o", out, NULL);
    g_assert_cmpint(ok->status, ==, 0);
    nl_test_rmtree(dir);
}

static void test_list_shows_plugins_and_problems(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autofree char *bogus = g_build_filename(dir, "bogus.so", NULL);
    g_file_set_contents(bogus, "this is not an ELF file\n", -1, NULL);
    g_autoptr(NlCmd) c =
        nl_test_numlab(NULL, "list", "--plugin-dir", dir, "--plugin-dir",
                       BROKEN_DIR, "--plugin-dir", DUP_DIR, NULL);
    g_assert_cmpint(c->status, ==, 0);
    /* the good plugins are all there */
    g_assert_nonnull(strstr(c->out, "associativity"));
    g_assert_nonnull(strstr(c->out, "failing"));
    g_assert_nonnull(strstr(c->out, "unavailable: no test device"));
    /* one warning line per broken module, naming the file */
    assert_one_line_containing(c->err, "bogus.so: not a loadable module");
    assert_one_line_containing(
        c->err, "no-entry.so: no numlab_plugin_entry() entry point");
    assert_one_line_containing(
        c->err,
        "wrong-abi.so: built against another numlab ABI (99, this numlab has");
    assert_one_line_containing(
        c->err, "a backend named 'naive' is already loaded from");
    g_assert_cmpuint(nl_test_count_lines(c->err), ==, 4);
    /* searched first, the duplicate wins; the built-in naive is the one
     * reported as ignored */
    g_assert_nonnull(strstr(
        c->err, "backends/naive/.libs/naive.so: a backend named 'naive'"));
    nl_test_rmtree(dir);
}

static void test_help(void)
{
    g_autoptr(NlCmd) e = nl_test_numlab(NULL, "help", "associativity", NULL);
    g_assert_cmpint(e->status, ==, 0);
    g_assert_nonnull(strstr(e->out, "shuffle_sizes"));
    g_assert_nonnull(strstr(e->out, "default 1024"));
    g_assert_nonnull(strstr(e->out, "int in [1, 268435456]; default 1024"));
    g_assert_nonnull(strstr(
        e->out, "list of int, each in [2, 1048576]; default 8,128,1024"));
    g_autoptr(NlCmd) b = nl_test_numlab(NULL, "help", "naive", NULL);
    g_assert_cmpint(b->status, ==, 0);
    g_assert_nonnull(strstr(b->out, "backend"));
    g_autoptr(NlCmd) u = nl_test_numlab(NULL, "help", "nosuch", NULL);
    g_assert_cmpint(u->status, ==, 1);
    assert_one_line_containing(u->err,
                               "no experiment or backend named 'nosuch'");
}

/* Every parameter of every experiment shows its type and range and its
 * default, then its help on a line of its own. */
static void test_help_every_parameter(void)
{
    static const struct {
        const char *plugin, *line;
    } want[] = {
        {"gradient-descent", "  d2_lrs         list of double, each > 0; "
                             "default 0.02,0.1,0.3,0.4\n"},
        {"gradient-descent", "  lr             double > 0; default 0.1\n"},
        {"gradient-descent",
         "  x              list of 2 or more double; default 1,2,1,0\n"},
        {"attention", "  w_out          matrix of double (rows ';', entries "
                      "','); default 1,0.5,1,0.5;0,1,0,1;1,0,1,0\n"},
        {"attention", "  keys           list of distinct string; default "
                      "Paris,ist,die,Hauptstadt\n"},
        {"temperature", "  top_p           double in (0, 1]; default 0.9\n"},
        {"temperature", "  temperature     list of up to 100000 double (or "
                        "start:stop:step), each >= 0; default 0.05:5:0.05\n"},
        {"logprob", "  temperatures   list of double, each in [0, 100]; "
                    "default 0,0.5,0.8,1\n"},
        {"logprob", "  model          string; unset by default\n"},
        {"minigpt", "  lr             double in (0, 1]; default 0.003\n"},
        {"bench", "  kernels              list of distinct string, each one of "
                  "sum|dot|gemv|gemm|copy|softmax|sample|precision; default "
                  "sum,dot,gemv,gemm,copy,softmax,sample,precision\n"},
        {"reduction-tree",
         "  row            one of first|last; default last\n"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        g_autoptr(NlCmd) h = nl_test_numlab(NULL, "help", want[i].plugin, NULL);
        g_assert_cmpint(h->status, ==, 0);
        if (!strstr(h->out, want[i].line))
            g_error("numlab help %s has no line\n%s\nbut:\n%s", want[i].plugin,
                    want[i].line, h->out);
        /* after the heading: name line, help line, name line, ... */
        g_auto(GStrv) lines =
            g_strsplit(strstr(h->out, "Parameters"), "\n", -1);
        for (guint l = 1; lines[l] && lines[l][0] == ' '; l += 2)
            if (!strstr(lines[l], "; default ") &&
                !strstr(lines[l], "; unset by default"))
                g_error("numlab help %s: '%s' has no default", want[i].plugin,
                        lines[l]);
    }
}

/* A German locale changes neither what numlab reads (0.5, not 0,5) nor
 * what help and errors print. */
static void test_params_ignore_locale(void)
{
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8")) {
        g_test_skip("no de_DE.UTF-8 locale here (quickstart.sh makes one)");
        return;
    }
    setlocale(LC_NUMERIC, "C");
    char *env[] = {"LC_ALL=de_DE.UTF-8", NULL};
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) h = nl_test_numlab(env, "help", "bench", NULL);
    g_assert_nonnull(
        strstr(h->out,
               "  min_time             double in [0.001, 60]; default 0.05\n"));
    g_autoptr(NlCmd) bad =
        nl_test_numlab(env, "run", "gradient-descent", "-o", dir, "-p",
                       "d2_lrs=0.5,1e-3,0,5", NULL);
    g_assert_cmpint(bad->status, ==, 1);
    assert_one_line_containing(bad->err,
                               "gradient-descent: parameter 'd2_lrs': "
                               "entry 3: 0 is not > 0");
    g_autoptr(NlCmd) comma = nl_test_numlab(env, "run", "gradient-descent",
                                            "-o", dir, "-p", "lr=0,5", NULL);
    assert_one_line_containing(comma->err,
                               "parameter 'lr': '0,5' is not a number");
    nl_test_rmtree(dir);
}

static void test_run_writes_results(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) c = nl_test_numlab(NULL, "run", "associativity", "-b",
                                        "naive", "-o", dir, SMALL, NULL);
    g_assert_cmpint(c->status, ==, 0);
    g_assert_cmpstr(c->err, ==, "");
    const char *files[] = {
        "a1-cases.dat",    "a1-counter.dat",   "a2-blocked.dat",
        "a3-distinct.dat", "a3-histogram.dat", "a6-backends.dat",
        "a6-pairs.dat",    "backends.gp",      "manifest.ini"};
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p =
            g_build_filename(dir, "associativity", files[i], NULL);
        g_assert_true(g_file_test(p, G_FILE_TEST_IS_REGULAR));
    }
    /* no temporary file is left behind */
    g_autoptr(GDir) d = open_built(dir, "associativity");
    const char *name;
    while ((name = g_dir_read_name(d)))
        g_assert_false(name[0] == '.');
    g_autofree char *m = read_built(dir, "associativity", "manifest.ini", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_assert_true(g_key_file_load_from_data(kf, m, -1, 0, NULL));
    g_autofree char *status = g_key_file_get_string(kf, "run", "status", NULL);
    g_assert_cmpstr(status, ==, "ok");
    g_autofree char *job =
        g_key_file_get_string(kf, "job naive", "status", NULL);
    g_assert_cmpstr(job, ==, "ok");
    g_autofree char *params =
        g_key_file_get_string(kf, "run", "parameters", NULL);
    g_assert_nonnull(strstr(params, "shuffles=50"));
    g_autofree char *gp = read_built(dir, "associativity", "backends.gp", NULL);
    g_assert_nonnull(strstr(gp, "backends = \"naive\""));
    nl_test_rmtree(dir);
}

static void test_run_request_errors(void)
{
    static const struct {
        const char *arg_b, *arg_p, *expect;
    } cases[] = {
        {"naive", "n=abc",
         "associativity: parameter 'n': 'abc' is not an integer"},
        {"naive", "n=-5", "parameter 'n': -5 is not in [1, 268435456]"},
        {"naive", "n=99999999999999999999", "does not fit in a 64-bit integer"},
        {"naive", "a1_small=nan", "'nan' is not a finite number"},
        {"naive", "a1_small=inf", "'inf' is not a finite number"},
        {"naive", "shuffles=0", "0 is not in [1, 10000000]"},
        {"naive", "blocks=32,,64",
         "associativity: parameter 'blocks': entry 2 is empty"},
        {"naive", "nosuch=1", "unknown parameter 'nosuch'"},
    };
    g_autofree char *dir = nl_test_tmpdir();
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(NlCmd) c =
            nl_test_numlab(NULL, "run", "associativity", "-b", cases[i].arg_b,
                           "-p", cases[i].arg_p, "-o", dir, NULL);
        g_assert_cmpint(c->status, ==, 1);
        assert_one_line_containing(c->err, cases[i].expect);
        g_assert_cmpuint(nl_test_count_lines(c->err), ==, 1);
    }
    /* nothing was written by runs that stopped at their parameters */
    g_autofree char *exp = g_build_filename(dir, "associativity", NULL);
    g_assert_false(g_file_test(exp, G_FILE_TEST_EXISTS));

    g_autoptr(NlCmd) u = nl_test_numlab(NULL, "run", "nosuch", "-o", dir, NULL);
    g_assert_cmpint(u->status, ==, 1);
    /* the list names every experiment of the build tree */
    assert_one_line_containing(
        u->err, "unknown experiment 'nosuch' (known: associativity, ");
    g_assert_nonnull(strstr(u->err, "bench"));
    g_assert_nonnull(strstr(u->err, "reduction-tree"));
    g_assert_nonnull(strstr(u->err, "temperature"));
    g_assert_nonnull(strstr(u->err, "attention"));
    g_assert_nonnull(strstr(u->err, "gradient-descent"));
    nl_test_rmtree(dir);
}

static void test_unknown_backend_keeps_others(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) c = nl_test_numlab(NULL, "run", "associativity", "-b",
                                        "naive,nosuch", "-o", dir, SMALL, NULL);
    g_assert_cmpint(c->status, ==, 1);
    /* the known list depends on what this build has (cuda needs nvcc) */
    assert_one_line_containing(
        c->err, "nosuch: unknown backend 'nosuch' (known: blas, ");
    g_assert_nonnull(strstr(c->err, "naive"));
    g_autofree char *p =
        g_build_filename(dir, "associativity", "a2-blocked.dat", NULL);
    g_assert_true(g_file_test(p, G_FILE_TEST_EXISTS));
    /* the only backend bad: one problem, one line */
    g_autofree char *other = g_build_filename(dir, "other", NULL);
    g_autoptr(NlCmd) one = nl_test_numlab(NULL, "run", "associativity", "-b",
                                          "nosuch", "-o", other, SMALL, NULL);
    g_assert_cmpint(one->status, ==, 1);
    g_assert_cmpuint(nl_test_count_lines(one->err), ==, 1);
    g_assert_true(g_str_has_prefix(one->err, "numlab: associativity: nosuch: "
                                             "unknown backend 'nosuch'"));
    g_assert_true(g_str_has_suffix(
        one->err, "; nothing was run and no file was written\n"));
    nl_test_rmtree(dir);
}

static void test_backend_open_failures(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    /* under -b all an unavailable backend is a skip, not a failure */
    g_autoptr(NlCmd) all =
        nl_test_numlab(NULL, "run", "associativity", "--plugin-dir", BROKEN_DIR,
                       "-b", "naive,nodevice", "-o", dir, SMALL, NULL);
    g_assert_cmpint(all->status, ==, 1); /* named explicitly: a failure */
    assert_one_line_containing(all->err,
                               "nodevice: unavailable: no test device");

    g_autoptr(NlCmd) skip =
        nl_test_numlab(NULL, "run", "associativity", "--plugin-dir", BROKEN_DIR,
                       "-b", "all", "-o", dir, SMALL, NULL);
    /* openfails fails for real even under all; nodevice is only skipped */
    assert_one_line_containing(
        skip->err, "backend nodevice skipped: unavailable: no test device");
    assert_one_line_containing(skip->err,
                               "openfails: the driver crashed (on purpose)");
    g_assert_cmpint(skip->status, ==, 1);
    g_autofree char *m = read_built(dir, "associativity", "manifest.ini", NULL);
    g_assert_nonnull(strstr(m, "[job nodevice]"));
    g_assert_nonnull(strstr(m, "status=skipped"));
    g_assert_nonnull(strstr(m, "[job naive]"));

    /* a bad backend option names the backend and the option */
    g_autoptr(NlCmd) opt = nl_test_numlab(
        NULL, "run", "associativity", "--plugin-dir", BROKEN_DIR, "-b",
        "naive,nodevice:threads=0", "-o", dir, SMALL, NULL);
    g_assert_cmpint(opt->status, ==, 1);
    assert_one_line_containing(
        opt->err, "nodevice: parameter 'threads': 0 is not in [1, 64]");
    g_autoptr(NlCmd) key =
        nl_test_numlab(NULL, "run", "associativity", "--plugin-dir", BROKEN_DIR,
                       "-b", "nodevice:speed=9", "-o", dir, SMALL, NULL);
    assert_one_line_containing(key->err,
                               "unknown parameter 'speed' (known: threads)");
    nl_test_rmtree(dir);
}

/* A job that takes its process down fails alone: the cause in one line
 * and in the manifest, the other backend's results written. */
static void crash_contained(const char *dir, const char *how, const char *limit,
                            const char *cause, gboolean one_line)
{
    g_autofree char *how_param = g_strdup_printf("how=%s", how);
    g_autoptr(NlCmd) c =
        nl_test_numlab(NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-b",
                       "naive,blas", "-p", "fail=blas", "-p", how_param, "-o",
                       dir, limit ? limit : "--seed=42", NULL);
    g_assert_cmpint(c->status, ==, 1);
    g_autofree char *line = g_strdup_printf("failing: blas: %s", cause);
    assert_one_line_containing(c->err, line);
    if (one_line) { /* about the run: not BROKEN_DIR's other modules, nor
                       the blas self-check's lines where OpenBLAS's kernel
                       for this CPU fails it */
        g_auto(GStrv) lines = g_strsplit(c->err, "\n", -1);
        guint said = 0;
        for (char **l = lines; *l; l++)
            said += g_str_has_prefix(*l, "numlab: failing: ");
        g_assert_cmpuint(said, ==, 1);
    }
    g_autofree char *partial =
        g_build_filename(dir, "failing", "partial.dat", NULL);
    g_autofree char *data = read_file(partial);
    g_assert_nonnull(strstr(data, "# dataset: backend naive\n0 0\n1 1\n2 2\n"));
    g_assert_null(strstr(data, "backend blas"));
    g_autofree char *manifest =
        g_build_filename(dir, "failing", "manifest.ini", NULL);
    g_autofree char *m = read_file(manifest);
    g_autofree char *entry = g_strdup_printf(
        "[job blas]\nphase=backend\nstatus=failed\nreason=%s", cause);
    g_assert_nonnull(strstr(m, entry));
    g_assert_nonnull(strstr(m, "[job naive]\nphase=backend\nstatus=ok\n"));
}

static void test_crash_isolation(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    crash_contained(dir, "segv", NULL,
                    "job killed by SIGSEGV (Segmentation fault)", TRUE);
    crash_contained(dir, "abort", NULL, "job killed by SIGABRT (Aborted)",
                    TRUE);
    crash_contained(dir, "exit", NULL,
                    "job ended with exit status 0 before sending its results",
                    TRUE);
    crash_contained(dir, "hang", "--job-timeout=0.5",
                    "job killed at its time limit of 0.5 s", TRUE);
    /* GLib says it could not allocate, a second line, the job's own, and
     * stops the process with a breakpoint (g_error); AddressSanitizer's
     * shadow memory alone passes RLIMIT_DATA */
    if (!g_getenv("ASAN_OPTIONS"))
        crash_contained(
            dir, "alloc", "--job-memory=256",
            "job killed by SIGTRAP (Trace/breakpoint trap); its memory "
            "limit was 256 MiB",
            FALSE);
    crash_contained(dir, "keep", NULL,
                    "the experiment keeps an object in memory for its later "
                    "phases (nl_run_keep), which cannot leave the job's "
                    "process",
                    TRUE);

    /* --in-process is the old way, for a debugger: one crash ends it all */
    g_autoptr(NlCmd) c = nl_test_numlab(
        NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-b", "naive,blas",
        "-p", "fail=blas", "-p", "how=keep", "-o", dir, "--in-process", NULL);
    g_assert_cmpint(c->status, ==, 0);
    g_autoptr(NlCmd) limits =
        nl_test_numlab(NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-o",
                       dir, "--in-process", "--job-timeout=1", NULL);
    g_assert_cmpint(limits->status, ==, 2);
    assert_one_line_containing(limits->err, "not --in-process");
    /* the job's side is no command of its own */
    g_autoptr(NlCmd) job = nl_test_numlab(NULL, "__job", NULL);
    g_assert_cmpint(job->status, ==, 2);
    g_assert_nonnull(strstr(job->err, "not a command to call"));
    nl_test_rmtree(dir);
}

/* A module that crashes when loaded is named and skipped by list, help
 * and run, tried in a child (scan.c) once and then known from the cache. */
static void test_crash_at_load(void)
{
    g_autofree char *cache = nl_test_tmpdir();
    g_autofree char *cache_env = g_strdup_printf("NUMLAB_CACHE_DIR=%s", cache);
    char *env[] = {cache_env, NULL};
    const char *skipped = "crash-at-load.so: crashes when loaded (killed by "
                          "SIGSEGV, Segmentation fault); skipped";
    for (int round = 0; round < 2; round++) { /* tried, then cached */
        g_autoptr(NlCmd) list =
            nl_test_numlab(env, "list", "--plugin-dir", CRASHLOAD_DIR, NULL);
        g_assert_cmpint(list->status, ==, 0);
        assert_one_line_containing(list->err, skipped);
        g_assert_nonnull(strstr(list->out, "naive"));
        g_assert_nonnull(strstr(list->out, "associativity"));
    }
    g_autoptr(NlCmd) help = nl_test_numlab(env, "help", "associativity",
                                           "--plugin-dir", CRASHLOAD_DIR, NULL);
    g_assert_cmpint(help->status, ==, 0);
    assert_one_line_containing(help->err, skipped);
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) run =
        nl_test_numlab(env, "run", "attention", "-b", "naive", "--plugin-dir",
                       CRASHLOAD_DIR, "-o", dir, NULL);
    g_assert_cmpint(run->status, ==, 0);
    assert_one_line_containing(run->err, skipped);
    nl_test_rmtree(dir);
    nl_test_rmtree(cache);
}

/* The scan's cache keeps no verdict on a file that is gone: each write
 * drops them (scan.c), so a command does not read the verdicts of every
 * build tree deleted since. */
static void test_scan_cache_forgets(void)
{
    g_autofree char *cache = nl_test_tmpdir();
    g_autofree char *cache_env = g_strdup_printf("NUMLAB_CACHE_DIR=%s", cache);
    char *env[] = {cache_env, NULL};
    g_autofree char *file = g_build_filename(cache, "plugin-scan.ini", NULL);
    const char *gone = "/nonexistent/numlab-tree/backends/naive.so";
    g_autofree char *stale =
        g_strdup_printf("[%s]\nstamp=1:2:3:4.000000005\nverdict=ok\n", gone);
    g_assert_true(g_file_set_contents(file, stale, -1, NULL));
    g_autoptr(NlCmd) list = nl_test_numlab(env, "list", NULL);
    g_assert_cmpint(list->status, ==, 0);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
    g_assert_null(strstr(text, gone));
    g_assert_nonnull(strstr(text, "naive")); /* this tree's modules kept */
    g_autoptr(NlCmd) again = nl_test_numlab(env, "list", NULL);
    g_assert_cmpint(again->status, ==, 0); /* and reads what it wrote */
    g_assert_nonnull(strstr(again->out, "associativity"));
    nl_test_rmtree(cache);
}

/* A module whose constructor never returns: the scanner is killed after
 * NUMLAB_PROBE_TIMEOUT seconds, the module named and skipped. */
static void test_hang_at_load(void)
{
    g_autofree char *cache = nl_test_tmpdir();
    g_autofree char *cache_env = g_strdup_printf("NUMLAB_CACHE_DIR=%s", cache);
    char *env[] = {cache_env, "NL_TEST_LOAD_HANG=1", "NUMLAB_PROBE_TIMEOUT=1",
                   NULL};
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(NlCmd) list =
        nl_test_numlab(env, "list", "--plugin-dir", CRASHLOAD_DIR, NULL);
    double seconds = (g_get_monotonic_time() - t0) / 1e6;
    g_assert_cmpint(list->status, ==, 0);
    assert_one_line_containing(list->err,
                               "crash-at-load.so: hangs when loaded (no answer "
                               "in 1 s; killed); skipped");
    g_assert_nonnull(strstr(list->out, "associativity"));
    g_assert_cmpfloat(seconds, <, 30.0); /* not held up by the hang */
    nl_test_rmtree(cache);
}

/* A backend that dies in open() or in its self-check fails alone: the
 * trial process (selfcheck-child.c) dies, not the runner or list. */
static void test_crash_in_self_check(void)
{
    static const struct {
        const char *spec, *cause;
    } cases[] = {
        {"crashcheck", "it crashes in its open() or self-check (killed by "
                       "SIGSEGV, Segmentation fault)"},
        {"crashcheck:how=abort", "it crashes in its open() or self-check "
                                 "(killed by SIGABRT, Aborted)"},
        {"crashcheck:how=exit", "it ends the process in its open() or "
                                "self-check (exit status 0)"},
        {"crashcheck:where=open", "it crashes in its open() or self-check "
                                  "(killed by SIGSEGV, Segmentation fault)"},
    };
    g_autofree char *dir = nl_test_tmpdir();
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *backends = g_strdup_printf("naive,%s", cases[i].spec);
        g_autoptr(NlCmd) c =
            nl_test_numlab(NULL, "run", "associativity", SMALL, "--plugin-dir",
                           CRASHCHECK_DIR, "-b", backends, "-o", dir, NULL);
        g_assert_cmpint(c->status, ==, 1);
        g_autofree char *line =
            g_strdup_printf("%s: %s", cases[i].spec, cases[i].cause);
        assert_one_line_containing(c->err, line);
        g_autofree char *m =
            read_built(dir, "associativity", "manifest.ini", NULL);
        g_assert_nonnull(strstr(m, "[job naive]\nphase=backend\nstatus=ok"));
        g_autofree char *reason =
            g_strdup_printf("reason=%s\n", cases[i].cause);
        g_assert_nonnull(strstr(m, reason));
    }
    /* a hang, alone: within a 1 s limit no other backend's trial (slow
     * under sanitizers) could finish either */
    char *limit[] = {"NUMLAB_PROBE_TIMEOUT=1", NULL};
    g_autoptr(NlCmd) hang = nl_test_numlab(
        limit, "run", "associativity", SMALL, "--plugin-dir", CRASHCHECK_DIR,
        "-b", "crashcheck:how=hang", "-o", dir, NULL);
    g_assert_cmpint(hang->status, ==, 1);
    assert_one_line_containing(hang->err,
                               "crashcheck:how=hang: it hangs in its open() or "
                               "self-check (no answer in 1 s; killed)");
    g_autoptr(NlCmd) list =
        nl_test_numlab(NULL, "list", "--plugin-dir", CRASHCHECK_DIR, NULL);
    g_assert_cmpint(list->status, ==, 0);
    g_assert_nonnull(strstr(list->out, "unavailable: it crashes in its open() "
                                       "or self-check (killed by SIGSEGV"));
    g_assert_nonnull(strstr(list->out, "associativity"));
    /* --in-process checks in the runner, as before: the crash ends it */
    g_autoptr(NlCmd) inside = nl_test_numlab(
        NULL, "run", "associativity", SMALL, "--plugin-dir", CRASHCHECK_DIR,
        "-b", "naive,crashcheck:how=exit", "-o", dir, "--in-process", NULL);
    g_assert_cmpint(inside->status, ==, 0);
    g_assert_cmpstr(inside->out, ==, "");
    /* the trial's side is no command of its own */
    g_autoptr(NlCmd) trial = nl_test_numlab(NULL, "__check", NULL);
    g_assert_cmpint(trial->status, ==, 2);
    g_assert_nonnull(strstr(trial->err, "not a command to call"));
    nl_test_rmtree(dir);
}

static char *data_rows(const char *dir, const char *file)
{
    g_autofree char *path = g_build_filename(dir, "failing", file, NULL);
    g_autofree char *text = read_file(path);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GString *rows = g_string_new(NULL);
    for (char **l = lines; *l; l++)
        if (!g_str_has_prefix(*l, "# date:"))
            g_string_append_printf(rows, "%s\n", *l);
    return g_string_free(rows, FALSE);
}

/* A run killed during its third job, resumed: the two jobs it finished
 * are taken from its journal, the rest run, and the set is the one an
 * uninterrupted run writes. The killed run runs its jobs one at a time
 * (-j 1): side by side, naive may still be running when blas's job kills
 * the runner. */
static void test_resume(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autofree char *whole = nl_test_tmpdir();
    char *kill_blas[] = {"NL_TEST_KILL_RUNNER=blas", NULL};
    g_autoptr(NlCmd) killed =
        nl_test_numlab(kill_blas, "run", "failing", "--plugin-dir", BROKEN_DIR,
                       "-b", "naive,blas", "-j", "1", "-o", dir, NULL);
    g_assert_true(killed->status != 0);
    g_autofree char *set = g_build_filename(dir, "failing", NULL);
    g_assert_false(g_file_test(set, G_FILE_TEST_EXISTS));

    g_autoptr(NlCmd) resumed =
        nl_test_numlab(NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-b",
                       "naive,blas", "-o", dir, "--resume", NULL);
    g_assert_cmpint(resumed->status, ==, 0);
    g_assert_nonnull(strstr(resumed->out, "naive:ok blas:ok (2 jobs resumed)"));
    g_autofree char *m_path = g_build_filename(set, "manifest.ini", NULL);
    g_autofree char *m = read_file(m_path);
    g_assert_nonnull(strstr(m, "[job common]\nphase=common\nstatus=ok\n"));
    g_assert_nonnull(strstr(m, "resumed=true"));
    g_autofree char *journal = g_build_filename(dir, ".failing.journal", NULL);
    g_assert_false(g_file_test(journal, G_FILE_TEST_EXISTS));

    g_autoptr(NlCmd) straight =
        nl_test_numlab(NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-b",
                       "naive,blas", "-o", whole, NULL);
    g_assert_cmpint(straight->status, ==, 0);
    const char *files[] = {"common.dat", "partial.dat"};
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *a = data_rows(dir, files[i]);
        g_autofree char *b = data_rows(whole, files[i]);
        g_assert_cmpstr(a, ==, b);
    }

    /* a journal of other parameters is not used: every job runs */
    g_autoptr(NlCmd) again =
        nl_test_numlab(kill_blas, "run", "failing", "--plugin-dir", BROKEN_DIR,
                       "-b", "naive,blas", "-o", dir, NULL);
    g_autoptr(NlCmd) other = nl_test_numlab(
        NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-b", "naive,blas",
        "-p", "how=abort", "-o", dir, "--resume", NULL);
    g_assert_cmpint(other->status, ==, 0);
    g_assert_null(strstr(other->out, "resumed"));
    assert_one_line_containing(other->err,
                               "--resume: the journal there is of a run with "
                               "other parameters, seed or versions; running "
                               "every job");
    g_autoptr(NlCmd) in_process =
        nl_test_numlab(NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-o",
                       dir, "--resume", "--in-process", NULL);
    g_assert_cmpint(in_process->status, ==, 2);
    nl_test_rmtree(dir);
    nl_test_rmtree(whole);
}

static void test_failed_job_loses_nothing(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) good =
        nl_test_numlab(NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-b",
                       "naive,blas", "-o", dir, NULL);
    g_assert_cmpint(good->status, ==, 0);
    g_autofree char *partial =
        g_build_filename(dir, "failing", "partial.dat", NULL);
    g_autofree char *manifest =
        g_build_filename(dir, "failing", "manifest.ini", NULL);
    g_autofree char *before = read_file(partial);
    g_assert_nonnull(
        strstr(before, "# dataset: backend blas\n0 0\n1 1\n2 2\n"));

    /* one job fails half-way: its rows never reach the disk, the other
     * job's do, the manifest says which failed and why */
    g_autoptr(NlCmd) one =
        nl_test_numlab(NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-b",
                       "naive,blas", "-p", "fail=blas", "-o", dir, NULL);
    g_assert_cmpint(one->status, ==, 1);
    assert_one_line_containing(one->err,
                               "failing: blas: failed half-way (on purpose)");
    g_autofree char *after_one = read_file(partial);
    g_assert_null(strstr(after_one, "backend blas"));
    g_assert_nonnull(
        strstr(after_one, "# dataset: backend naive\n0 0\n1 1\n2 2\n"));
    g_autofree char *m = read_file(manifest);
    g_assert_nonnull(strstr(m, "[job blas]\nphase=backend\nstatus=failed\n"
                               "reason=failed half-way (on purpose)"));

    /* no job succeeds: not a single file changes */
    g_autofree char *set_before = read_file(partial);
    g_autofree char *manifest_mid = read_file(manifest);
    g_autoptr(NlCmd) none =
        nl_test_numlab(NULL, "run", "failing", "--plugin-dir", BROKEN_DIR, "-b",
                       "naive", "-p", "fail=naive", "-o", dir, NULL);
    g_assert_cmpint(none->status, ==, 1);
    assert_one_line_containing(
        none->err, "failing: no backend job succeeded; no file was written");
    g_autofree char *set_after = read_file(partial);
    g_autofree char *manifest_after = read_file(manifest);
    g_assert_cmpstr(set_after, ==, set_before);
    g_assert_cmpstr(manifest_after, ==, manifest_mid);
    nl_test_rmtree(dir);
}

static guint count_prefixed(const char *out, const char *prefix);

/* A -b spec is its job's label in every file: blanks around its words
 * are dropped ("naive , naive" is one job), and a spec that holds a
 * space, quote, bracket or control character fails its job in one line
 * while the others are written. */
static void test_backend_labels(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) c = nl_test_numlab(
        NULL, "run", "associativity", "-b",
        "naive , naive,blas: threads = 1,blas:threads=1,na\tive,nai'v\"e,"
        "[naive]",
        "-o", dir, SMALL, NULL);
    g_assert_cmpint(c->status, ==, 1);
    /* (the lines of blas's self-check may come before them) */
    g_assert_cmpuint(count_prefixed(c->err, "numlab: associativity: "), ==, 3);
    g_assert_nonnull(strstr(c->err, "numlab: associativity: na_ive: backend "
                                    "spec 'na\\tive' holds a space"));
    g_assert_nonnull(strstr(c->err, "nai_v_e: backend spec 'nai'v\\\"e'"));
    g_assert_nonnull(strstr(c->err, "_naive_: backend spec '[naive]'"));
    g_autofree char *manifest =
        read_built(dir, "associativity", "manifest.ini", NULL);
    g_assert_nonnull(strstr(manifest, "\n[job naive]\n"));
    g_assert_nonnull(strstr(manifest, "\n[job blas:threads=1]\n"));
    g_assert_null(strstr(manifest, "[job blas: threads"));
    g_assert_nonnull(strstr(manifest, "\n[job na_ive]\nphase=backend\n"
                                      "status=failed\n"));
    g_assert_null(strstr(manifest, "[job naive ]"));
    nl_test_rmtree(dir);
}

/* A .dat file without its date line, which differs in every run. */
static char *dat_without_date(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *text = read_file(path);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GString) kept = g_string_new(NULL);
    for (char **l = lines; *l; l++)
        if (!g_str_has_prefix(*l, "# date: "))
            g_string_append_printf(kept, "%s\n", *l);
    return g_string_free(g_steal_pointer(&kept), FALSE);
}

/* Backend jobs run side by side (-j, default one per core) and write the
 * same bits as one after another; the manifest says how many ran at
 * once; the bench runs one at a time; a bad -j is one line. */
static void test_jobs_side_by_side(void)
{
    g_autofree char *one = nl_test_tmpdir();
    g_autofree char *three = nl_test_tmpdir();
    const char *backends = "naive,blas:threads=1,openmp:threads=1";
    g_autoptr(NlCmd) a =
        nl_test_numlab(NULL, "run", "associativity", "-b", backends, "-j", "1",
                       "-o", one, SMALL, NULL);
    g_assert_cmpint(a->status, ==, 0);
    g_autoptr(NlCmd) b =
        nl_test_numlab(NULL, "run", "associativity", "-b", backends, "--jobs=3",
                       "-o", three, SMALL, NULL);
    g_assert_cmpint(b->status, ==, 0);
    g_autofree char *set_one = g_build_filename(one, "associativity", NULL);
    g_autofree char *set_three = g_build_filename(three, "associativity", NULL);
    g_autofree char *manifest_one = read_built(set_one, "manifest.ini", NULL);
    g_autofree char *manifest_three =
        read_built(set_three, "manifest.ini", NULL);
    g_assert_nonnull(strstr(manifest_one, "\njobs_at_once=1\n"));
    g_assert_nonnull(strstr(manifest_three, "\njobs_at_once=3\n"));
    g_autoptr(GDir) d = g_dir_open(set_one, 0, NULL);
    guint compared = 0;
    for (const char *n; (n = g_dir_read_name(d));) {
        if (!g_str_has_suffix(n, ".dat"))
            continue;
        g_autofree char *x = dat_without_date(set_one, n);
        g_autofree char *y = dat_without_date(set_three, n);
        g_assert_cmpstr(x, ==, y);
        compared++;
    }
    g_assert_cmpuint(compared, >=, 5);

    g_autoptr(NlCmd) bench =
        nl_test_numlab(NULL, "run", "bench", "-b", "naive,openmp:threads=1",
                       "-j", "2", "-p", "kernels=sum", "-p", "sizes=1000", "-p",
                       "min_time=0.001", "-o", one, NULL);
    g_assert_cmpint(bench->status, ==, 0);
    g_autofree char *manifest_bench =
        read_built(one, "bench", "manifest.ini", NULL);
    g_assert_nonnull(strstr(manifest_bench, "\njobs_at_once=1\n"));

    g_autoptr(NlCmd) bad = nl_test_numlab(NULL, "run", "associativity", "-b",
                                          "naive", "-j", "-1", "-o", one, NULL);
    g_assert_cmpint(bad->status, ==, 2);
    g_assert_cmpuint(nl_test_count_lines(bad->err), ==, 1);
    g_assert_nonnull(strstr(bad->err, "--jobs must be"));
    nl_test_rmtree(one);
    nl_test_rmtree(three);
}

/* numlab rerun DIR repeats a set from its manifest and compares it. */
static void test_rerun(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) run = nl_test_numlab(
        NULL, "run", "associativity", "-b", "naive,blas:threads=1", "--seed",
        "7", "-p", "blocks=32,64", "-o", dir, SMALL, NULL);
    g_assert_cmpint(run->status, ==, 0);
    g_autofree char *set = g_build_filename(dir, "associativity", NULL);
    g_autofree char *manifest = read_built(set, "manifest.ini", NULL);
    g_assert_nonnull(strstr(manifest, "\n[parameters]\n"));
    g_assert_nonnull(strstr(manifest, "\nblocks=32,64\n"));

    g_autoptr(NlCmd) same = nl_test_numlab(NULL, "rerun", set, NULL);
    g_assert_cmpint(same->status, ==, 0);
    g_assert_nonnull(strstr(same->out, "; naive:ok blas:threads=1:ok\n"));
    g_assert_nonnull(strstr(same->out, "rerun of "));
    g_assert_nonnull(strstr(same->out,
                            ": 12 of 12 files identical (date lines aside), 0 "
                            "with the same data, 0 differ\n"));
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_assert_cmpstr(g_dir_read_name(d), ==, "associativity");
    g_assert_null(g_dir_read_name(d)); /* the repeat's folder is gone */

    /* a set changed by hand (or made on another machine) differs */
    g_autofree char *dat = g_build_filename(set, "a1-counter.dat", NULL);
    g_autofree char *text = read_file(dat);
    char *last = strrchr(g_strchomp(text), '\n');
    g_assert_nonnull(last);
    last[1] = last[1] == '9' ? '8' : '9';
    g_assert_true(g_file_set_contents(dat, text, -1, NULL));
    g_autoptr(NlCmd) differs = nl_test_numlab(NULL, "rerun", set, NULL);
    g_assert_cmpint(differs->status, ==, 1);
    g_assert_nonnull(strstr(differs->out, "  a1-counter.dat: data differ "
                                          "from row "));
    g_assert_nonnull(strstr(differs->out, ", 1 differ\n"));

    /* -o keeps the repeat, but never over the set it repeats */
    g_autoptr(NlCmd) over = nl_test_numlab(NULL, "rerun", set, "-o", dir, NULL);
    g_assert_cmpint(over->status, ==, 1);
    assert_one_line_containing(over->err, "would replace the set");
    g_autofree char *keep = g_build_filename(dir, "again", NULL);
    g_autoptr(NlCmd) kept =
        nl_test_numlab(NULL, "rerun", set, "-o", keep, NULL);
    g_assert_cmpint(kept->status, ==, 1);
    g_autofree char *again =
        g_build_filename(keep, "associativity", "a1-counter.dat", NULL);
    g_assert_true(g_file_test(again, G_FILE_TEST_EXISTS));

    /* an older manifest without [parameters]: one line */
    g_autofree char *older = g_strdup(manifest);
    char *group = strstr(older, "[parameters]");
    memcpy(group, "[parameterz]", strlen("[parameterz]"));
    g_autofree char *mpath = g_build_filename(set, "manifest.ini", NULL);
    g_assert_true(g_file_set_contents(mpath, older, -1, NULL));
    g_autoptr(NlCmd) old = nl_test_numlab(NULL, "rerun", set, NULL);
    g_assert_cmpint(old->status, ==, 1);
    assert_one_line_containing(old->err, "has no [parameters] group");
    g_autoptr(NlCmd) none = nl_test_numlab(NULL, "rerun", keep, NULL);
    g_assert_cmpint(none->status, ==, 1);
    assert_one_line_containing(none->err, "is no result set");
    nl_test_rmtree(dir);
}

static void test_unwritable_output(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    /* a path through a regular file cannot be a folder, even for root */
    g_autofree char *file = g_build_filename(dir, "file", NULL);
    g_file_set_contents(file, "keep me\n", -1, NULL);
    g_autoptr(NlCmd) c = nl_test_numlab(NULL, "run", "associativity", "-b",
                                        "naive", "-o", file, SMALL, NULL);
    g_assert_cmpint(c->status, ==, 1);
    assert_one_line_containing(c->err, "cannot create output folder");
    g_assert_nonnull(strstr(c->err, "Not a directory"));
    g_assert_cmpuint(nl_test_count_lines(c->err), ==, 1);
    g_autofree char *kept = read_file(file);
    g_assert_cmpstr(kept, ==, "keep me\n");
    nl_test_rmtree(dir);
}

static void test_plot(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) r = nl_test_numlab(NULL, "run", "associativity", "-b",
                                        "naive", "-o", dir, SMALL, NULL);
    g_assert_cmpint(r->status, ==, 0);
    g_autofree char *a2 =
        g_build_filename(dir, "associativity", "a2-blocked.dat", NULL);
    g_autofree char *before = read_file(a2);

    /* without gnuplot: one line saying how to get it; data untouched */
    char *no_gnuplot[] = {"NUMLAB_GNUPLOT=/nonexistent/gnuplot", NULL};
    g_autoptr(NlCmd) n =
        nl_test_numlab(no_gnuplot, "plot", "associativity", "-o", dir, NULL);
    g_assert_cmpint(n->status, ==, 1);
    assert_one_line_containing(
        n->err, "gnuplot not found: install it (apt-get install gnuplot-nox)");
    g_assert_cmpuint(nl_test_count_lines(n->err), ==, 1);

    g_autoptr(NlCmd) f = nl_test_numlab(NULL, "plot", "associativity", "-o",
                                        dir, "--format", "gif", NULL);
    assert_one_line_containing(f->err, "unknown image format 'gif'");
    g_autoptr(NlCmd) e =
        nl_test_numlab(NULL, "plot", "nosuch", "-o", dir, NULL);
    g_assert_cmpint(e->status, ==, 1);

    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (!gnuplot) {
        g_test_message("gnuplot is not installed: rendering not tested");
    } else {
        g_autoptr(NlCmd) p =
            nl_test_numlab(NULL, "plot", "associativity", "-o", dir, "--format",
                           "png,svg,pdf", NULL);
        g_assert_cmpint(p->status, ==, 0);
        g_assert_cmpstr(p->err, ==, ""); /* gnuplot warnings would show here */
        const char *figures[] = {"a2-blocked", "a3-shuffles", "a6-backends"};
        for (guint i = 0; i < G_N_ELEMENTS(figures); i++) {
            g_autofree char *png =
                g_strdup_printf("%s/associativity/%s.png", dir, figures[i]);
            g_autofree char *data = read_file(png);
            g_assert_nonnull(data);
            g_assert_true(memcmp(data, "\x89PNG", 4) == 0);
            g_autofree char *pdf =
                g_strdup_printf("%s/associativity/%s.pdf", dir, figures[i]);
            g_autofree char *pdata = read_file(pdf);
            g_assert_true(pdata && g_str_has_prefix(pdata, "%PDF"));
        }
        /* English images beside the German ones, which stay as they are */
        g_autofree char *de_png =
            g_strdup_printf("%s/associativity/a2-blocked.png", dir);
        g_autofree char *de_before = NULL, *de_after = NULL;
        gsize before_len = 0, after_len = 0;
        g_assert_true(
            g_file_get_contents(de_png, &de_before, &before_len, NULL));
        g_autoptr(NlCmd) en = nl_test_numlab(NULL, "plot", "associativity",
                                             "-o", dir, "--lang", "en", NULL);
        g_assert_cmpint(en->status, ==, 0);
        g_autofree char *en_png =
            g_strdup_printf("%s/associativity/a2-blocked.en.png", dir);
        g_autofree char *en_data = read_file(en_png);
        g_assert_true(en_data && memcmp(en_data, "\x89PNG", 4) == 0);
        g_assert_true(g_file_get_contents(de_png, &de_after, &after_len, NULL));
        g_assert_true(after_len == before_len &&
                      memcmp(de_after, de_before, after_len) == 0);
        g_autoptr(GDir) d = open_built(dir, "associativity");
        const char *name;
        while ((name = g_dir_read_name(d)))
            g_assert_false(g_str_has_prefix(name, ".plot-"));
    }
    g_autofree char *after = read_file(a2);
    g_assert_cmpstr(after, ==, before);
    nl_test_rmtree(dir);
}

/* Lines of out that start with prefix. */
static guint count_prefixed(const char *out, const char *prefix)
{
    guint n = 0;
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l; l++)
        n += g_str_has_prefix(*l, prefix);
    return n;
}

/* run --print: any experiment's tables as key=value lines, one per row,
 * the keys the table's columns; a pattern that matches nothing fails and
 * names the tables there were. */
static void test_print_tables(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) c =
        nl_test_numlab(NULL, "run", "associativity", "-b", "naive", "-o", dir,
                       SMALL, "--print", "a1-cases", NULL);
    g_assert_cmpint(c->status, ==, 0);
    g_autofree char *path =
        g_build_filename(dir, "associativity", "a1-cases.dat", NULL);
    g_autoptr(NlDat) d = nl_dat_read(path);
    guint rows = nl_dat_rows(d, 0);
    g_assert_cmpuint(rows, >, 0);
    g_assert_cmpuint(count_prefixed(c->out, "case="), ==, rows);
    g_assert_cmpuint(count_prefixed(c->out, "step="), ==, 0);
    /* each line holds the row's cells under the column names, in order */
    g_auto(GStrv) lines = g_strsplit(c->out, "\n", -1);
    for (guint r = 0; r < rows; r++) {
        g_autofree char *order =
            g_strdup_printf(" type=%s order=%s value=", nl_dat_cell(d, 0, r, 1),
                            nl_dat_cell(d, 0, r, 2));
        if (!strstr(lines[r], order))
            g_error("line %u lacks '%s': %s", r, order, lines[r]);
    }

    /* patterns, several tables, comma-separated or repeated */
    g_autoptr(NlCmd) p =
        nl_test_numlab(NULL, "run", "associativity", "-b", "naive", "-o", dir,
                       SMALL, "--print", "a1-*", NULL);
    g_assert_cmpint(p->status, ==, 0);
    g_assert_cmpuint(count_prefixed(p->out, "case="), ==, rows);
    g_assert_cmpuint(count_prefixed(p->out, "step="), >, 0);
    g_assert_cmpuint(count_prefixed(p->out, "n="), ==, 0);

    g_autoptr(NlCmd) t =
        nl_test_numlab(NULL, "run", "associativity", "-b", "naive", "-o", dir,
                       SMALL, "--print", "a1-casses", NULL);
    g_assert_cmpint(t->status, ==, 1);
    assert_one_line_containing(t->err, "--print: associativity wrote no table "
                                       "matching 'a1-casses' (its tables: "
                                       "a1-cases, a1-counter, "
                                       "a1-counter-bfloat16, ");
    g_assert_cmpuint(nl_test_count_lines(t->err), ==, 1);
    nl_test_rmtree(dir);
}

/* Aliases are data: a file on NUMLAB_ALIASES defines a command that is
 * run EXP --print TABLES, exactly; --print replaces its tables; names of
 * commands and broken entries are refused with one warning each. */
static void test_aliases(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autofree char *file = g_build_filename(dir, "aliases.ini", NULL);
    g_file_set_contents(file,
                        "[cases]\nexperiment=associativity\nprint=a1-cases\n"
                        "summary=the A1 cases, one line each\n"
                        "[run]\nexperiment=associativity\n"
                        "[noexp]\nprint=x\n",
                        -1, NULL);
    g_autofree char *env_value = g_strdup_printf("NUMLAB_ALIASES=%s", file);
    char *env[] = {env_value, NULL};

    g_autoptr(NlCmd) h = nl_test_numlab(env, "--help", NULL);
    g_assert_cmpint(h->status, ==, 0);
    g_assert_nonnull(strstr(
        h->out, "\n  cases                the A1 cases, one line each\n"));
    g_assert_nonnull(
        strstr(h->out, "\n  bench  ")); /* the built-in ones stay */
    assert_one_line_containing(
        h->err, "alias 'run' ignored: a command of that name exists");
    assert_one_line_containing(h->err,
                               "alias 'noexp' ignored: it names no experiment");
    g_assert_cmpuint(nl_test_count_lines(h->err), ==, 2);

    g_autoptr(NlCmd) a =
        nl_test_numlab(env, "cases", "-b", "naive", "-o", dir, SMALL, NULL);
    g_autoptr(NlCmd) r =
        nl_test_numlab(NULL, "run", "associativity", "-b", "naive", "-o", dir,
                       SMALL, "--print", "a1-cases", NULL);
    g_assert_cmpint(a->status, ==, 0);
    g_assert_cmpint(r->status, ==, 0);
    g_assert_cmpuint(count_prefixed(a->out, "case="), >, 0);
    g_assert_cmpstr(a->out, ==, r->out);

    g_autoptr(NlCmd) o = nl_test_numlab(env, "cases", "-b", "naive", "-o", dir,
                                        SMALL, "--print", "a1-counter", NULL);
    g_assert_cmpint(o->status, ==, 0);
    g_assert_cmpuint(count_prefixed(o->out, "case="), ==, 0);
    g_assert_cmpuint(count_prefixed(o->out, "step="), >, 0);

    g_autoptr(NlCmd) x = nl_test_numlab(env, "cases", "extra", NULL);
    g_assert_cmpint(x->status, ==, 2);
    assert_one_line_containing(
        x->err, "numlab cases: takes no arguments besides options");

    char *missing[] = {"NUMLAB_ALIASES=/nonexistent/aliases.ini", NULL};
    g_autoptr(NlCmd) m = nl_test_numlab(missing, "--help", NULL);
    g_assert_cmpint(m->status, ==, 0);
    assert_one_line_containing(m->err,
                               "/nonexistent/aliases.ini: cannot read aliases");
    g_assert_nonnull(strstr(m->out, "\n  bench  "));
    nl_test_rmtree(dir);
}

/* A folder with associativity's results on `backends`, for the plot
 * tests; NULL, the test skipped, where gnuplot is not installed. */
static char *plot_fixture(const char *backends)
{
    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (!gnuplot) {
        g_test_skip("gnuplot is not installed");
        return NULL;
    }
    char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) r = nl_test_numlab(NULL, "run", "associativity", "-b",
                                        backends, "-o", dir, SMALL, NULL);
    g_assert_cmpint(r->status, ==, 0);
    return dir;
}

/* A results folder holds data, never code: a backends.gp planted there
 * with gnuplot commands is not run (numlab passes the labels from the
 * manifest), and a label gnuplot could not take as one word is refused. */
static void test_plot_runs_no_code_from_data(void)
{
    g_autofree char *dir = plot_fixture("naive,openmp");
    if (!dir)
        return;
    g_autofree char *planted =
        g_build_filename(dir, "associativity", "backends.gp", NULL);
    g_autofree char *pwned = g_build_filename(dir, "PWNED", NULL);
    g_autofree char *evil =
        g_strdup_printf("system('touch %s')\nbackends = \"evil\"\n", pwned);
    g_assert_true(g_file_set_contents(planted, evil, -1, NULL));
    g_autoptr(NlCmd) p =
        nl_test_numlab(NULL, "plot", "associativity", "-o", dir, NULL);
    g_assert_cmpint(p->status, ==, 0);
    g_assert_cmpstr(p->err, ==, "");
    g_assert_false(g_file_test(pwned, G_FILE_TEST_EXISTS));
    /* the figure names the backends of the manifest: A6's SVG holds the
     * labels as text */
    g_autoptr(NlCmd) svg = nl_test_numlab(NULL, "plot", "associativity", "-o",
                                          dir, "--format", "svg", NULL);
    g_assert_cmpint(svg->status, ==, 0);
    g_autofree char *a6 =
        read_built(dir, "associativity", "a6-backends.svg", NULL);
    g_assert_nonnull(strstr(a6, "openmp"));
    g_assert_null(strstr(a6, "evil"));
    g_assert_false(g_file_test(pwned, G_FILE_TEST_EXISTS));

    /* a label with a space would be two words to gnuplot: numlab run
     * writes none (its labels are canonical specs, unsafe ones refused),
     * but a manifest edited by hand may hold one */
    g_autofree char *mpath =
        g_build_filename(dir, "associativity", "manifest.ini", NULL);
    g_autofree char *m = read_file(mpath);
    GString *edited = g_string_new(m);
    g_assert_cmpuint(
        g_string_replace(edited, "[job openmp]", "[job openmp:threads= 1]", 1),
        ==, 1);
    g_assert_true(g_file_set_contents(mpath, edited->str, -1, NULL));
    g_string_free(edited, TRUE);
    g_autoptr(NlCmd) sp =
        nl_test_numlab(NULL, "plot", "associativity", "-o", dir, NULL);
    g_assert_cmpint(sp->status, ==, 1);
    assert_one_line_containing(sp->err, "the backend label 'openmp:threads= "
                                        "1' holds a space or a quote");
    nl_test_rmtree(dir);
}

/* Plot scripts: NUMLAB_PLOT_PATH first, then beside the module, then the
 * built-in folder (NUMLAB_PLOT_DIR); common.gp likewise. The folders are
 * not merged. (Scripts beside an out-of-tree plugin: test-template.sh.) */
static void test_plot_path(void)
{
    g_autofree char *dir = plot_fixture("naive");
    if (!dir)
        return;

    /* one script and a common.gp of our own on the search path */
    g_autofree char *extra = g_build_filename(dir, "extra", NULL);
    g_autofree char *scripts = g_build_filename(extra, "associativity", NULL);
    g_mkdir_with_parents(scripts, 0755);
    g_autofree char *common = g_build_filename(extra, "common.gp", NULL);
    g_file_set_contents(common,
                        "set terminal pngcairo size 320,240\n"
                        "fig(name) = outdir.'/'.name.'.'.fmt\n"
                        "set print outdir.'/common-used.txt'\nprint 'extra'\n"
                        "unset print\n",
                        -1, NULL);
    g_autofree char *gp = g_build_filename(scripts, "mine.gp", NULL);
    g_file_set_contents(
        gp, "load common\nset output fig('mine')\nplot x notitle\n", -1, NULL);
    g_autofree char *path_env =
        g_strdup_printf("NUMLAB_PLOT_PATH=%s/nowhere::%s", dir, extra);
    char *env[] = {path_env, NULL};
    g_autoptr(NlCmd) p =
        nl_test_numlab(env, "plot", "associativity", "-o", dir, NULL);
    g_assert_cmpint(p->status, ==, 0);
    g_assert_cmpstr(p->err, ==, "");
    g_autofree char *mine =
        g_build_filename(dir, "associativity", "mine.png", NULL);
    g_autofree char *used =
        g_build_filename(dir, "associativity", "common-used.txt", NULL);
    g_autofree char *a2 =
        g_build_filename(dir, "associativity", "a2-blocked.png", NULL);
    g_assert_true(g_file_test(mine, G_FILE_TEST_IS_REGULAR));
    g_assert_true(g_file_test(used, G_FILE_TEST_IS_REGULAR));
    g_assert_false(g_file_test(a2, G_FILE_TEST_EXISTS));

    /* nowhere to be found: the message names every folder searched */
    char *none[] = {path_env, "NUMLAB_PLOT_DIR=/nonexistent/plots", NULL};
    g_autoptr(NlCmd) n =
        nl_test_numlab(none, "plot", "reduction-tree", "-o", dir, NULL);
    g_assert_cmpint(n->status, ==, 1);
    g_autoptr(NlCmd) rt = nl_test_numlab(NULL, "run", "temperature", "-b",
                                         "naive", "-o", dir, NULL);
    g_assert_cmpint(rt->status, ==, 0);
    g_autoptr(NlCmd) t =
        nl_test_numlab(none, "plot", "temperature", "-o", dir, NULL);
    g_assert_cmpint(t->status, ==, 1);
    g_autofree char *want =
        g_strdup_printf("numlab: temperature has no plot scripts (looked in "
                        "%s/nowhere/temperature, "
                        "%s/temperature, " NL_BUILDDIR
                        "/experiments/temperature/plots/temperature, "
                        "/nonexistent/plots/temperature)\n",
                        dir, extra);
    g_assert_cmpstr(t->err, ==, want);
    nl_test_rmtree(dir);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The PNG and SVG images in DIR/associativity, sorted, one a line. */
static char *plotted_images(const char *dir)
{
    g_autoptr(GDir) d = open_built(dir, "associativity");
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    const char *name;
    while ((name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, ".png") || g_str_has_suffix(name, ".svg"))
            g_ptr_array_add(names, (char *)name);
    g_ptr_array_sort(names, by_name);
    g_ptr_array_add(names, NULL);
    return g_strjoinv("\n", (char **)names->pdata);
}

/* Removes what plotted_images lists. */
static void remove_images(const char *dir, const char *images)
{
    g_auto(GStrv) names = g_strsplit(images, "\n", -1);
    for (char **n = names; *n; n++)
        if (**n) {
            g_autofree char *path =
                g_build_filename(dir, "associativity", *n, NULL);
            g_assert_cmpint(g_unlink(path), ==, 0);
        }
}

/* numlab plot --jobs N runs up to N gnuplots at once: the images, the
 * messages and their order, and the exit status are those of one gnuplot
 * after another. A failing script leaves no image, even a complete one,
 * while the others' are drawn; a slow first script prints first. */
static void test_plot_jobs(void)
{
    g_autofree char *dir = plot_fixture("naive");
    if (!dir)
        return;
    g_autofree char *extra = g_build_filename(dir, "extra", NULL);
    g_autofree char *scripts = g_build_filename(extra, "associativity", NULL);
    g_mkdir_with_parents(scripts, 0755);
    static const char *const files[][2] = {
        {"common.gp", "if (fmt eq 'svg') { set terminal svg size 320,240 } "
                      "else { set terminal pngcairo size 320,240 }\n"
                      "fig(name) = outdir.'/'.name.'.'.fmt\n"},
        {"associativity/a-slow.gp", "load common\npause 0.5\n"
                                    "set output fig('a-slow')\n"
                                    "plot x notitle\n"},
        /* a whole image, then an error: the image is not kept */
        {"associativity/b-bad.gp", "load common\nset output fig('b-bad')\n"
                                   "plot x notitle\nset output\nnosuch\n"},
        /* gnuplot's print goes to stderr: shown, like a warning */
        {"associativity/c-says.gp", "load common\nprint 'c says '.fmt\n"
                                    "set output fig('c-says')\n"
                                    "plot x notitle\n"},
        {"associativity/d.gp",
         "load common\nset output fig('d')\nplot x notitle\n"},
        {"associativity/e.gp",
         "load common\nset output fig('e')\nplot x notitle\n"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *path = g_build_filename(extra, files[i][0], NULL);
        g_assert_true(g_file_set_contents(path, files[i][1], -1, NULL));
    }
    g_autofree char *path_env = g_strdup_printf("NUMLAB_PLOT_PATH=%s", extra);
    char *env[] = {path_env, NULL};
    g_autoptr(NlCmd) one =
        nl_test_numlab(env, "plot", "associativity", "-o", dir, "--format",
                       "png,svg", "--jobs", "1", NULL);
    g_assert_cmpint(one->status, ==, 1);
    g_autofree char *images = plotted_images(dir);
    g_assert_cmpstr(images, ==,
                    "a-slow.png\na-slow.svg\nc-says.png\nc-says.svg\n"
                    "d.png\nd.svg\ne.png\ne.svg");
    g_autofree char *summary =
        g_strdup_printf("associativity: 8 images in %s/associativity\n", dir);
    g_assert_cmpstr(one->out, ==, summary);
    /* in queue order: the formats, in each the scripts */
    g_auto(GStrv) lines = g_strsplit(one->err, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 5);
    g_assert_true(g_str_has_prefix(lines[0], "numlab: "));
    g_assert_nonnull(strstr(lines[0], "b-bad.gp (png): gnuplot failed: "));
    g_assert_nonnull(strstr(lines[0], "line 5"));
    g_assert_cmpstr(lines[1], ==, "c says png");
    g_assert_nonnull(strstr(lines[2], "b-bad.gp (svg): gnuplot failed: "));
    g_assert_cmpstr(lines[3], ==, "c says svg");
    remove_images(dir, images);

    g_autoptr(NlCmd) four =
        nl_test_numlab(env, "plot", "associativity", "-o", dir, "--format",
                       "png,svg", "-j", "4", NULL);
    g_assert_cmpint(four->status, ==, 1);
    g_autofree char *images4 = plotted_images(dir);
    g_assert_cmpstr(images4, ==, images);
    g_assert_cmpstr(four->out, ==, one->out);
    g_assert_cmpstr(four->err, ==, one->err);

    /* every experiment: the others have no results here, each says so in
     * its place, whatever the number of jobs */
    g_autoptr(NlCmd) all1 =
        nl_test_numlab(env, "plot", "all", "-o", dir, "--jobs", "1", NULL);
    g_autoptr(NlCmd) all4 =
        nl_test_numlab(env, "plot", "all", "-o", dir, "--jobs", "4", NULL);
    g_assert_cmpint(all1->status, ==, 1);
    g_assert_cmpint(all4->status, ==, 1);
    g_assert_cmpstr(all4->out, ==, all1->out);
    g_assert_cmpstr(all4->err, ==, all1->err);
    g_assert_nonnull(strstr(all1->err, "no results for temperature in "));
    g_autoptr(GDir) d = open_built(dir, "associativity");
    const char *name;
    while ((name = g_dir_read_name(d)))
        g_assert_false(g_str_has_prefix(name, ".plot-"));

    g_autoptr(NlCmd) zero = nl_test_numlab(env, "plot", "associativity", "-o",
                                           dir, "--jobs", "0", NULL);
    g_assert_cmpint(zero->status, ==, 2);
    g_assert_cmpstr(zero->err, ==, "numlab plot: --jobs must be 1 to 1024\n");
    nl_test_rmtree(dir);
}

/* One gnuplot draws render after render (plot.c): nothing of one script
 * reaches the next. a-title leaves a variable, a multiplot title offset
 * (which `reset session` keeps) and a linetype; b-title, drawn after it in
 * the same gnuplot, must come out byte for byte as when it is drawn alone,
 * and must not see the variable. c-exit ends early with exit, d-quit ends
 * its gnuplot with quit: both images are kept, and e, after them, is
 * drawn too. */
static void test_plot_shared_gnuplot(void)
{
    g_autofree char *dir = plot_fixture("naive");
    if (!dir)
        return;
    static const char common[] = "set terminal pngcairo size 320,240\n"
                                 "fig(name) = outdir.'/'.name.'.'.fmt\n";
    static const char b_title[] =
        "load common\nif (exists('leak')) { print 'leaked' }\n"
        "set output fig('b-title')\n"
        "set multiplot title 'B'\nplot x notitle\nunset multiplot\n";
    static const char *const files[][2] = {
        {"common.gp", common},
        {"associativity/a-title.gp",
         "load common\nleak = 1\nset linetype 1 lc rgb 'red'\n"
         "set output fig('a-title')\n"
         "set multiplot title 'A' offset 0,-3 font ',20' textcolor "
         "rgb 'blue'\nplot x notitle\nunset multiplot\n"},
        {"associativity/b-title.gp", b_title},
        {"associativity/c-exit.gp",
         "load common\nset output fig('c-exit')\nplot x notitle\n"
         "set output\nexit\nnosuch\n"},
        {"associativity/d-quit.gp",
         "load common\nset output fig('d-quit')\nplot x notitle\n"
         "set output\nquit\n"},
        {"associativity/e.gp",
         "load common\nset output fig('e')\nplot x notitle\n"},
        {"alone/common.gp", common},
        {"alone/associativity/b-title.gp", b_title},
    };
    g_autofree char *extra = g_build_filename(dir, "extra", NULL);
    g_autofree char *alone_dir = g_build_filename(extra, "alone", NULL);
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *path = g_build_filename(extra, files[i][0], NULL);
        g_autofree char *parent = g_path_get_dirname(path);
        g_mkdir_with_parents(parent, 0755);
        g_assert_true(g_file_set_contents(path, files[i][1], -1, NULL));
    }
    g_autofree char *path_env = g_strdup_printf("NUMLAB_PLOT_PATH=%s", extra);
    char *env[] = {path_env, NULL};
    g_autoptr(NlCmd) shared = nl_test_numlab(env, "plot", "associativity", "-o",
                                             dir, "--jobs", "1", NULL);
    g_assert_cmpstr(shared->err, ==, "");
    g_assert_cmpint(shared->status, ==, 0);
    g_autofree char *images = plotted_images(dir);
    g_assert_cmpstr(images, ==,
                    "a-title.png\nb-title.png\nc-exit.png\nd-quit.png\ne.png");
    g_autofree char *b_path =
        g_build_filename(dir, "associativity", "b-title.png", NULL);
    g_autofree char *b_shared = NULL, *b_alone = NULL;
    gsize n_shared, n_alone;
    g_assert_true(g_file_get_contents(b_path, &b_shared, &n_shared, NULL));
    remove_images(dir, images);

    g_autofree char *alone_env =
        g_strdup_printf("NUMLAB_PLOT_PATH=%s", alone_dir);
    char *env_alone[] = {alone_env, NULL};
    g_autoptr(NlCmd) alone =
        nl_test_numlab(env_alone, "plot", "associativity", "-o", dir, NULL);
    g_assert_cmpint(alone->status, ==, 0);
    g_assert_true(g_file_get_contents(b_path, &b_alone, &n_alone, NULL));
    g_assert_cmpmem(b_shared, n_shared, b_alone, n_alone);
    nl_test_rmtree(dir);
}

/* Issue 3's bad backend options on the real backends, and a GPU backend
 * asked for where there is none (when this build has one). */
/* numlab's OpenMP and OpenBLAS threads sleep when they wait unless the
 * user chose (framework/numlab.c), and the openmp and blas backends'
 * library lines say which. */
static void test_wait_policy(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    static const struct {
        const char *backend;
        char *env;
        const char *expect;
    } cases[] = {
        {"openmp", NULL, "waiting threads sleep (OMP_WAIT_POLICY=passive)"},
        {"openmp", "OMP_WAIT_POLICY=active",
         "waiting threads spin (OMP_WAIT_POLICY=active)"},
        {"openmp", "GOMP_SPINCOUNT=1000",
         "waiting threads spin GOMP_SPINCOUNT times"},
        {"blas", NULL, "waiting threads sleep after 2^4 cycles"},
        {"blas", "OPENBLAS_THREAD_TIMEOUT=28",
         "waiting threads sleep after 2^28 cycles"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *env[] = {cases[i].env, NULL};
        g_autoptr(NlCmd) c =
            nl_test_numlab(env, "run", "associativity", "-b", cases[i].backend,
                           "-o", dir, SMALL, NULL);
        g_assert_cmpint(c->status, ==, 0);
        g_autofree char *ini = NULL;
        g_autofree char *path =
            g_build_filename(dir, "associativity", "manifest.ini", NULL);
        g_assert_true(g_file_get_contents(path, &ini, NULL, NULL));
        if (!strstr(ini, cases[i].expect))
            g_error("%s with %s: the manifest lacks '%s'", cases[i].backend,
                    cases[i].env ? cases[i].env : "no setting",
                    cases[i].expect);
    }
    nl_test_rmtree(dir);
}

/* bench -p contention=1: a process keeps a core busy while the kernels
 * are timed, and is gone when the run is. */
static void test_bench_contention(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) c =
        nl_test_numlab(NULL, "run", "bench", "-b", "naive", "-o", dir, "-p",
                       "contention=1", "-p", "kernels=sum", "-p", "sizes=1000",
                       "-p", "min_time=0.01", "-p", "peer=none", NULL);
    g_assert_cmpint(c->status, ==, 0);
    g_autofree char *ini = NULL;
    g_autofree char *path =
        g_build_filename(dir, "bench", "manifest.ini", NULL);
    g_assert_true(g_file_get_contents(path, &ini, NULL, NULL));
    g_assert_nonnull(strstr(ini, "\ncontention=1\n"));
    g_autofree char *dat_path =
        g_build_filename(dir, "bench", "bench-measurements.dat", NULL);
    g_autoptr(NlDat) dat = nl_dat_read(dat_path);
    g_assert_cmpstr(nl_dat_cell(dat, 0, 0, 0), ==, "sum");
    g_autoptr(NlCmd) bad =
        nl_test_numlab(NULL, "run", "bench", "-b", "naive", "-o", dir, "-p",
                       "contention=-1", NULL);
    g_assert_cmpint(bad->status, ==, 1);
    g_assert_cmpuint(nl_test_count_lines(bad->err), ==, 1);
    g_assert_nonnull(strstr(bad->err, "contention"));
    nl_test_rmtree(dir);
}

static void test_real_backend_options(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    static const struct {
        const char *spec, *expect;
    } cases[] = {
        {"blas:threads=0", "blas: parameter 'threads': 0 is not in [1, 1024]"},
        {"openmp:threads=abc",
         "openmp: parameter 'threads': 'abc' is not an integer"},
        {"blas:speed=9", "blas: unknown parameter 'speed' (known: threads)"},
        {"openmp:threads", "openmp: 'threads' is not of the form name=value"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(NlCmd) c =
            nl_test_numlab(NULL, "run", "associativity", "-b", cases[i].spec,
                           "-o", dir, SMALL, NULL);
        g_assert_cmpint(c->status, ==, 1);
        assert_one_line_containing(c->err, cases[i].expect);
    }
    /* two thread counts of one backend side by side */
    g_autoptr(NlCmd) two = nl_test_numlab(NULL, "run", "associativity", "-b",
                                          "openmp:threads=1,openmp:threads=2",
                                          "-o", dir, SMALL, NULL);
    g_assert_cmpint(two->status, ==, 0);
    g_autofree char *gp = NULL;
    g_autofree char *gp_path =
        g_build_filename(dir, "associativity", "backends.gp", NULL);
    g_file_get_contents(gp_path, &gp, NULL, NULL);
    g_assert_nonnull(
        strstr(gp, "backends = \"openmp:threads=1 openmp:threads=2\""));

    g_autoptr(NlCmd) list = nl_test_numlab(NULL, "list", NULL);
    if (strstr(list->out, "  cuda ") &&
        strstr(list->out, "unavailable: no CUDA device")) {
        g_autoptr(NlCmd) c = nl_test_numlab(NULL, "run", "associativity", "-b",
                                            "cuda", "-o", dir, SMALL, NULL);
        g_assert_cmpint(c->status, ==, 1);
        assert_one_line_containing(c->err, "cuda: unavailable: no CUDA device");
        g_autoptr(NlCmd) all = nl_test_numlab(
            NULL, "run", "associativity", "-b", "all", "-o", dir, SMALL, NULL);
        g_assert_cmpint(all->status, ==, 0);
        assert_one_line_containing(all->err,
                                   "backend cuda skipped: unavailable");
    } else {
        g_test_message("no CUDA backend, or a GPU is present: the no-GPU case "
                       "is not exercised");
    }
    nl_test_rmtree(dir);
}

/* numlab bench: one key=value line per measurement, and numbers that are
 * consistent with each other — rate = work / seconds, ratio = rate /
 * ref_rate. No speed is asserted: a timed test would only test the
 * machine's load (doc/performance.md has the figures). */
static void test_bench(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) c = nl_test_numlab(
        NULL, "bench", "-b", "naive,openmp", "-o", dir, "-p",
        "kernels=sum,gemm,copy,softmax,sample", "-p", "sizes=1000,4096", "-p",
        "gemm_sizes=16,32", "-p", "softmax_sizes=4096", "-p", "sample_sizes=6",
        "-p", "min_time=0.001", NULL);
    g_assert_cmpint(c->status, ==, 0);
    g_auto(GStrv) lines = g_strsplit(g_strstrip(c->out), "\n", -1);
    guint measurements = 0;
    for (char **l = lines; *l; l++) {
        if (!g_str_has_prefix(*l, "backend="))
            continue;
        measurements++;
        g_auto(GStrv) fields = g_strsplit(*l, " ", -1);
        g_autoptr(GHashTable) kv =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        for (char **f = fields; *f; f++) {
            g_auto(GStrv) pair = g_strsplit(*f, "=", 2);
            g_assert_nonnull(pair[1]);
            g_hash_table_insert(kv, g_strdup(pair[0]), g_strdup(pair[1]));
        }
        const char *kernel = g_hash_table_lookup(kv, "kernel");
        g_assert_nonnull(g_hash_table_lookup(kv, "n"));
        g_assert_nonnull(g_hash_table_lookup(kv, "rate"));
        g_assert_nonnull(g_hash_table_lookup(kv, "ratio"));
        const char *ref = g_hash_table_lookup(kv, "reference");
        if (strcmp(kernel, "gemm") == 0)
            g_assert_cmpstr(ref, ==, "cblas_sgemm");
        else if (strcmp(kernel, "sum") == 0)
            g_assert_cmpstr(ref, ==, "read_bw");
        else if (strcmp(kernel, "softmax") == 0)
            g_assert_cmpstr(ref, ==, "goal_40us_at_50257");
        else if (strcmp(kernel, "sample") == 0)
            g_assert_cmpstr(ref, ==, "goal");
        else
            g_assert_cmpstr(ref, ==, "none");
        /* every row has the spread of its rounds, or against a goal or no
         * reference of its own batches */
        const char *spread = g_hash_table_lookup(kv, "spread");
        g_assert_nonnull(spread);
        double sp = g_ascii_strtod(spread, NULL);
        g_assert_true(isfinite(sp) && sp >= 0);
    }
    /* backends x (sum, gemm, copy at two sizes, softmax), and the sampler */
    g_assert_cmpuint(measurements, ==, 2 * (2 + 2 + 2 + 1) + 1);

    g_autofree char *path =
        g_build_filename(dir, "bench", "bench-results.dat", NULL);
    g_autoptr(NlDat) d = nl_dat_read(path);
    g_assert_cmpuint(d->datasets->len, ==, 3); /* and libnumlab's sampler */
    for (guint ds = 0; ds < 3; ds++)
        for (guint r = 0; r < nl_dat_rows(d, ds); r++) {
            const char *kernel = nl_dat_cell(d, ds, r, 1);
            double n = nl_dat_double(d, ds, r, 2),
                   seconds = nl_dat_double(d, ds, r, 4);
            double rate = nl_dat_double(d, ds, r, 5);
            if (strcmp(kernel, "softmax") == 0 || strcmp(kernel, "sample") == 0)
                continue; /* elements and draws, against a goal */
            double work = strcmp(kernel, "gemm") == 0   ? 2 * n * n * n
                          : strcmp(kernel, "copy") == 0 ? 8 * n
                                                        : 4 * n;
            g_assert_cmpfloat(fabs(rate - work / seconds / 1e9), <=,
                              1e-9 * rate);
            if (strcmp(kernel, "copy") != 0) {
                double ratio = nl_dat_double(d, ds, r, 9);
                g_assert_cmpfloat(
                    fabs(ratio - rate / nl_dat_double(d, ds, r, 8)), <=,
                    1e-9 * ratio);
            }
        }

    /* a call longer than max_call is skipped, and the line says so (gemm at
     * 512 takes milliseconds even with the blocked reference kernel); the
     * first size too, predicted from a call at n = 128, not made */
    g_autoptr(NlCmd) skip = nl_test_numlab(
        NULL, "bench", "-b", "naive", "-o", dir, "-p", "kernels=gemm", "-p",
        "gemm_sizes=512", "-p", "max_call=0.001", NULL);
    g_assert_cmpint(skip->status, ==, 0);
    g_assert_nonnull(
        strstr(skip->out, "note=skipped:_one_call_would_exceed_max_call"));

    /* a job with batch_invariant on (any spelling the parser takes) is
     * timed against the same backend without it, opened beside it as its
     * peer: one bench-invariant row per kernel and size (softmax too),
     * slowdown = normal rate / invariant rate - 1, with the rounds'
     * spread */
    g_autoptr(NlCmd) inv = nl_test_numlab(
        NULL, "bench", "-b", "openmp:threads=1:batch_invariant=on", "-o", dir,
        "-p", "kernels=sum,gemm,softmax", "-p", "sizes=1000", "-p",
        "gemm_sizes=16", "-p", "softmax_sizes=1000", "-p", "min_time=0.001",
        NULL);
    g_assert_cmpint(inv->status, ==, 0);
    g_autofree char *inv_path =
        g_build_filename(dir, "bench", "bench-invariant.dat", NULL);
    g_autoptr(NlDat) id = nl_dat_read(inv_path);
    g_assert_cmpuint(nl_dat_rows(id, 0), ==, 3);
    const char *inv_kernels[] = {"sum", "gemm", "softmax"};
    for (guint r = 0; r < 3; r++) {
        /* backend kernel n normal_rate invariant_rate unit slowdown spread
         * goal_met */
        g_assert_cmpstr(nl_dat_cell(id, 0, r, 0), ==, "openmp:threads=1");
        g_assert_cmpstr(nl_dat_cell(id, 0, r, 1), ==, inv_kernels[r]);
        double slowdown = nl_dat_double(id, 0, r, 6);
        double want =
            nl_dat_double(id, 0, r, 3) / nl_dat_double(id, 0, r, 4) - 1;
        g_assert_cmpfloat(fabs(slowdown - want), <=, 1e-9 * fabs(want) + 1e-12);
        g_assert_cmpfloat(nl_dat_double(id, 0, r, 7), >=, 0.0);
        g_assert_cmpfloat(nl_dat_double(id, 0, r, 8), ==, slowdown <= 0.03);
    }
    g_assert_nonnull(strstr(inv->out, " slowdown="));
    /* a peer the user names instead is not the mode's cost: no rows */
    g_autoptr(NlCmd) named = nl_test_numlab(
        NULL, "bench", "-b", "openmp:threads=1:batch_invariant=1", "-o", dir,
        "-p", "peer=naive", "-p", "kernels=sum", "-p", "sizes=1000", "-p",
        "min_time=0.001", NULL);
    g_assert_cmpint(named->status, ==, 0);
    g_autoptr(NlDat) nd = nl_dat_read(inv_path);
    for (guint r = 0; r < nl_dat_rows(nd, 0); r++) /* an empty table's row */
        g_assert_cmpstr(nl_dat_cell(nd, 0, r, 0), ==, "");

    /* a peer named by the user is opened beside the job, in the job's own
     * process (whose registry loads its module then): one bench-peers row
     * per measurement, ratio = rate / peer_rate; naive does not split its
     * time, so the split is nan but the wall time is there */
    g_autoptr(NlCmd) peer = nl_test_numlab(
        NULL, "bench", "-b", "naive", "-o", dir, "-p", "peer=openmp:threads=1",
        "-p", "kernels=sum,gemm", "-p", "sizes=1000", "-p", "gemm_sizes=16",
        "-p", "min_time=0.001", NULL);
    g_assert_cmpint(peer->status, ==, 0);
    g_autofree char *peer_path =
        g_build_filename(dir, "bench", "bench-peers.dat", NULL);
    g_autoptr(NlDat) peers = nl_dat_read(peer_path);
    g_assert_cmpuint(nl_dat_rows(peers, 0), ==, 2);
    for (guint r = 0; r < 2; r++) {
        /* backend kernel n threads peer rate peer_rate unit ratio wall
         * compute comm dispatch */
        g_assert_cmpstr(nl_dat_cell(peers, 0, r, 4), ==, "openmp:threads=1");
        double rate = nl_dat_double(peers, 0, r, 5);
        double ratio = nl_dat_double(peers, 0, r, 8);
        g_assert_cmpfloat(fabs(ratio - rate / nl_dat_double(peers, 0, r, 6)),
                          <=, 1e-9 * ratio);
        g_assert_cmpfloat(nl_dat_double(peers, 0, r, 9), >, 0.0);
        g_assert_true(isnan(nl_dat_double(peers, 0, r, 10)));
    }
    /* without a peer there is no such table */
    g_autoptr(NlCmd) none = nl_test_numlab(
        NULL, "bench", "-b", "naive", "-o", dir, "-p", "kernels=sum", "-p",
        "sizes=1000", "-p", "min_time=0.001", NULL);
    g_assert_cmpint(none->status, ==, 0);
    g_assert_false(g_file_test(peer_path, G_FILE_TEST_EXISTS));
    /* a peer that does not exist fails the job in one line */
    g_autoptr(NlCmd) no_peer = nl_test_numlab(
        NULL, "bench", "-b", "naive", "-o", dir, "-p", "peer=nosuch", "-p",
        "kernels=sum", "-p", "sizes=1000", "-p", "min_time=0.001", NULL);
    g_assert_cmpint(no_peer->status, ==, 1);
    g_assert_nonnull(strstr(no_peer->err, "naive: peer nosuch: unknown "
                                          "backend 'nosuch' (known: "));

    g_autoptr(NlCmd) bad = nl_test_numlab(NULL, "bench", "-b", "naive", "-o",
                                          dir, "-p", "kernels=sum,fft", NULL);
    g_assert_cmpint(bad->status, ==, 1);
    assert_one_line_containing(bad->err,
                               "bench: parameter 'kernels': 'fft' is not one "
                               "of sum|dot|gemv|gemm|copy|softmax|sample|"
                               "precision");

    /* every precision against float32: five gemms and three sums per
     * size, each checked exactly (no fault), ratio = rate / f32_rate, and
     * what blas declines (bfloat16 accumulation) said to be the reference */
    g_autoptr(NlCmd) pr = nl_test_numlab(
        NULL, "bench", "-b", "naive,blas", "-o", dir, "-p", "kernels=precision",
        "-p", "precision_gemm_sizes=16,33", "-p", "precision_sum_size=1001",
        "-p", "min_time=0.001", NULL);
    g_assert_cmpint(pr->status, ==, 0);
    g_autofree char *pr_path =
        g_build_filename(dir, "bench", "bench-precision-results.dat", NULL);
    g_autoptr(NlDat) pd = nl_dat_read(pr_path);
    g_assert_cmpuint(pd->datasets->len, ==, 2);
    for (guint ds = 0; ds < 2; ds++) {
        g_assert_cmpuint(nl_dat_rows(pd, ds), ==, 2 * 5 + 3);
        for (guint r = 0; r < nl_dat_rows(pd, ds); r++) {
            double ratio = nl_dat_double(pd, ds, r, 7);
            g_assert_cmpfloat(fabs(ratio - nl_dat_double(pd, ds, r, 4) /
                                               nl_dat_double(pd, ds, r, 6)),
                              <=, 1e-9 * ratio);
            g_assert_cmpint((gint64)nl_dat_double(pd, ds, r, 9), ==, 0);
            double spread = nl_dat_double(pd, ds, r, 10);
            g_assert_true(isfinite(spread) && spread >= 0);
            gboolean pure =
                g_str_equal(nl_dat_cell(pd, ds, r, 2), "bfloat16-pure");
            if (ds == 1)
                g_assert_cmpint(
                    g_str_has_prefix(nl_dat_cell(pd, ds, r, 8), "reference"),
                    ==, pure);
        }
    }
    g_assert_nonnull(strstr(pr->out, "precision=layercast"));
    nl_test_rmtree(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/version-and-help", test_version_and_help);
    g_test_add_func("/cli/list-shows-plugins-and-problems",
                    test_list_shows_plugins_and_problems);
    g_test_add_func("/cli/help", test_help);
    g_test_add_func("/cli/help-every-parameter", test_help_every_parameter);
    g_test_add_func("/cli/params-ignore-locale", test_params_ignore_locale);
    g_test_add_func("/cli/run-writes-results", test_run_writes_results);
    g_test_add_func("/cli/run-request-errors", test_run_request_errors);
    g_test_add_func("/cli/unknown-backend-keeps-others",
                    test_unknown_backend_keeps_others);
    g_test_add_func("/cli/backend-open-failures", test_backend_open_failures);
    g_test_add_func("/cli/crash-isolation", test_crash_isolation);
    g_test_add_func("/cli/crash-at-load", test_crash_at_load);
    g_test_add_func("/cli/scan-cache-forgets", test_scan_cache_forgets);
    g_test_add_func("/cli/hang-at-load", test_hang_at_load);
    g_test_add_func("/cli/crash-in-self-check", test_crash_in_self_check);
    g_test_add_func("/cli/resume", test_resume);
    g_test_add_func("/cli/failed-job-loses-nothing",
                    test_failed_job_loses_nothing);
    g_test_add_func("/cli/unwritable-output", test_unwritable_output);
    g_test_add_func("/cli/backend-labels", test_backend_labels);
    g_test_add_func("/cli/rerun", test_rerun);
    g_test_add_func("/cli/relative-plugin-dir", test_relative_plugin_dir);
    g_test_add_func("/cli/empty-and-unused-options",
                    test_empty_and_unused_options);
    g_test_add_func("/cli/plot", test_plot);
    g_test_add_func("/cli/bench", test_bench);
    g_test_add_func("/cli/print-tables", test_print_tables);
    g_test_add_func("/cli/aliases", test_aliases);
    g_test_add_func("/cli/plot-path", test_plot_path);
    g_test_add_func("/cli/plot-jobs", test_plot_jobs);
    g_test_add_func("/cli/plot-shared-gnuplot", test_plot_shared_gnuplot);
    g_test_add_func("/cli/plot-runs-no-code-from-data",
                    test_plot_runs_no_code_from_data);
    g_test_add_func("/cli/real-backend-options", test_real_backend_options);
    g_test_add_func("/cli/wait-policy", test_wait_policy);
    g_test_add_func("/cli/jobs-side-by-side", test_jobs_side_by_side);
    g_test_add_func("/cli/bench-contention", test_bench_contention);
    return g_test_run();
}
