/* test-selfcheck.c — the backend self-check (framework/host/selfcheck*.c).
 *
 *  - Its cases are what they claim: the integer cases' exact values agree
 *    with MPFR, and any order of additions (left to right, right to left,
 *    pairwise) gives them exactly; every mixed-magnitude sum lies within
 *    its bound in three orders.
 *  - Every in-tree backend that opens here passes or substitutes; none
 *    has a kernel left unusable (blas on an AVX-512 CPU substitutes sum,
 *    tiled_sum and softmax; elsewhere it passes).
 *  - It catches a broken kernel: the lanedrop test backend (the lane bug
 *    of OpenBLAS 0.3.21's SkylakeX cblas_ssum) gets sum and tiled_sum
 *    marked unusable with the one line the issue asks for, and their
 *    calls fail with it; a gemm that writes into C's padding is caught;
 *    a substitute that works is used and said; one that does not is
 *    caught too; the result is recalled for a second instance.
 *  - From the command line: the failing line once, the other backends'
 *    results written, `numlab list` shows every backend's result. */
#include "config.h"

#include "../framework/host/host.h"
#include "../framework/host/selfcheck-cases.h"
#include "test-util.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#define TEST_PLUGINS NL_BUILDDIR "/tests/plugins/.libs"

static NlRegistry *registry;

/* NULL only for a backend that is unavailable here (cuda without a GPU). */
static NlBackend *open_label(const char *label, const NlSelfCheck **check)
{
    g_autoptr(GError) error = NULL;
    NlBackend *b = nl_backend_open_spec(registry, label, check, &error);
    if (!b &&
        !g_error_matches(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE))
        g_error("%s: %s", label, error->message);
    return b;
}

/* ---- the cases themselves ---- */

static void test_cases_are_right(void)
{
    const CheckCases *cc = nl_check_cases();
    guint n_int = 0, n_mixed = 0;
    for (guint i = 0; i < cc->cases->len; i++) {
        const CheckCase *c = cc->cases->pdata[i];
        if (c->kernel != NL_KERNEL_SUM && c->kernel != NL_KERNEL_TILED_SUM)
            continue;
        const Want *w = &c->want[0];
        if (w->kind != WANT_NEAR || isinf(w->exact))
            continue;
        double mpfr = nl_exact_sum_f32_as_f64(c->x, c->n);
        g_assert_cmpfloat(mpfr, ==, w->exact);
        const float orders[] = {nl_test_sum_forward(c->x, c->n),
                                nl_test_sum_reversed(c->x, c->n),
                                nl_test_sum_pairwise(c->x, c->n)};
        for (guint o = 0; o < G_N_ELEMENTS(orders); o++) {
            if (w->bound == 0.0) /* integers: exact in every order */
                g_assert_cmpfloat((double)orders[o], ==, w->exact);
            else
                g_assert_cmpfloat(fabs(orders[o] - w->exact), <=, w->bound);
        }
        if (w->bound == 0.0)
            n_int++;
        else
            n_mixed++;
        /* the data are not constant: a dropped lane changes the sum */
        if (c->n >= 16) {
            gboolean varied = FALSE;
            for (gsize k = 1; k < c->n && !varied; k++)
                varied = c->x[k] != c->x[0];
            g_assert_true(varied);
        }
    }
    g_assert_cmpuint(n_int, >=, 65);
    g_assert_cmpuint(n_mixed, >=, 65);
    /* every length from 0 to 64 is a sum case */
    for (gsize n = 0; n <= 64; n++) {
        gboolean found = FALSE;
        for (guint i = 0; i < cc->cases->len && !found; i++) {
            const CheckCase *c = cc->cases->pdata[i];
            found = c->kernel == NL_KERNEL_SUM && c->n == n;
        }
        g_assert_true(found);
    }
}

/* ---- in-tree backends ---- */

static void test_in_tree_backends(void)
{
    const char *names[] = {"naive", "blas", "openmp", "openmp:threads=1",
                           "cuda"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_auto(GStrv) name = g_strsplit(names[i], ":", 2);
        if (!nl_registry_find(registry, NL_PLUGIN_BACKEND, name[0]))
            continue;
        const NlSelfCheck *sc = NULL;
        NlBackend *b = open_label(names[i], &sc);
        if (!b) /* cuda without a GPU */
            continue;
        for (int k = 0; k < NL_N_KERNELS; k++)
            if (sc->state[k] == NL_CHECK_UNUSABLE)
                g_error("%s: %s is unusable: %s", names[i], nl_kernel_name(k),
                        sc->failure[k]);
        g_assert_cmpint(sc->state[NL_KERNEL_GEMM], ==, NL_CHECK_PASSED);
        g_assert_cmpuint(sc->n_cases, >, 300);
        g_test_message("%s: %s (%u kernel calls, %.1f ms)", names[i],
                       sc->summary, sc->n_cases, sc->seconds * 1e3);
        nl_backend_close(b);
    }
}

/* ---- a broken backend ---- */

static void test_lanedrop_unusable(void)
{
    const NlSelfCheck *sc = NULL;
    gboolean fresh = FALSE;
    NlBackend *b = open_label("lanedrop", &sc);
    g_assert_nonnull(b);
    g_assert_cmpint(sc->state[NL_KERNEL_SUM], ==, NL_CHECK_UNUSABLE);
    g_assert_cmpint(sc->state[NL_KERNEL_TILED_SUM], ==, NL_CHECK_UNUSABLE);
    const NlKernel good[] = {NL_KERNEL_DOT, NL_KERNEL_GEMV, NL_KERNEL_GEMM,
                             NL_KERNEL_SOFTMAX};
    for (guint i = 0; i < G_N_ELEMENTS(good); i++)
        g_assert_cmpint(sc->state[good[i]], ==, NL_CHECK_PASSED);
    g_assert_cmpint(sc->state[NL_KERNEL_COPY], ==, NL_CHECK_ABSENT);
    /* the bug needs a full block of 16: n = 16 is the first failure */
    g_assert_true(g_str_has_prefix(sc->failure[NL_KERNEL_SUM],
                                   "n=16 (mixed magnitudes) gives "));
    g_autofree char *line_start = g_strdup_printf(
        "lanedrop: sum fails its self-check on this CPU (%s; lanedrop test "
        "library 1.0): n=16 (mixed magnitudes) gives ",
        nl_host_cpu_model());
    g_assert_cmpuint(sc->lines->len, ==, 2);
    g_assert_true(g_str_has_prefix(sc->lines->pdata[0], line_start));
    g_assert_true(g_str_has_suffix(sc->lines->pdata[0],
                                   "; it is unusable, and the jobs that need "
                                   "it fail"));

    /* the kernel's calls now fail with that reason; dot still runs */
    float x[32];
    for (int i = 0; i < 32; i++)
        x[i] = (float)(i % 7) - 3.0f;
    g_autoptr(GError) error = NULL;
    NlBuffer *buf = nl_backend_new_from(b, x, 32, &error);
    float got = 0.0f;
    g_assert_false(nl_backend_sum(b, buf, 32, &got, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNUSABLE);
    g_assert_nonnull(strstr(error->message,
                            "sum on backend 'lanedrop' is "
                            "unusable: it fails its self-check"));
    g_clear_error(&error);
    g_assert_true(nl_backend_dot(b, buf, buf, 32, &got, &error));
    nl_backend_free(b, buf);
    nl_backend_close(b);

    /* a second instance gets the same result without a second check */
    NlBackend *again = open_label("lanedrop", NULL);
    const NlSelfCheck *sc2 = nl_self_check(again, &fresh);
    g_assert_false(fresh);
    g_assert_true(sc2 == sc);
    buf = nl_backend_new_from(again, x, 32, &error);
    g_assert_false(nl_backend_tiled_sum(again, buf, 32, 4, &got, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNUSABLE);
    nl_backend_free(again, buf);
    nl_backend_close(again);
}

/* The _in kernels are checked per accumulation precision: lanedrop's
 * bfloat16 sum in float32 has the lane bug; what it declines runs as
 * the reference and is listed so. */
static void test_lanedrop_bf16(void)
{
    const NlSelfCheck *sc = NULL;
    NlBackend *b = open_label("lanedrop:bf16=1", &sc);
    g_assert_cmpint(sc->state_in[NL_KERNEL_SUM][NL_PRECISION_F32], ==,
                    NL_CHECK_UNUSABLE);
    g_assert_true(
        g_str_has_prefix(sc->failure_in[NL_KERNEL_SUM][NL_PRECISION_F32],
                         "bfloat16 data n=16 gives "));
    g_assert_cmpint(sc->state_in[NL_KERNEL_SUM][NL_PRECISION_F64], ==,
                    NL_CHECK_REFERENCE);
    g_assert_cmpint(sc->state_in[NL_KERNEL_DOT][NL_PRECISION_BF16], ==,
                    NL_CHECK_REFERENCE);
    g_assert_cmpstr(sc->summary_in, ==,
                    "in float32: reference: dot gemv gemm tiled_sum; "
                    "unusable: sum | in float64: reference: sum dot gemv "
                    "gemm tiled_sum | in bfloat16: reference: sum dot gemv "
                    "gemm tiled_sum | in float16: reference: sum dot gemv "
                    "gemm tiled_sum");
    g_assert_cmpuint(sc->lines->len, ==, 3);
    g_autofree char *line_start = g_strdup_printf(
        "lanedrop:bf16=1: sum in float32 fails its self-check on this CPU "
        "(%s; lanedrop test library 1.0): bfloat16 data n=16 gives ",
        nl_host_cpu_model());
    g_assert_true(g_str_has_prefix(sc->lines->pdata[2], line_start));

    double v[32], got;
    for (int i = 0; i < 32; i++)
        v[i] = (i % 7) - 3;
    g_autoptr(GError) error = NULL;
    NlBuffer *buf = nl_backend_new_as(b, NL_PRECISION_BF16, v, 32, &error);
    g_assert_false(
        nl_backend_sum_in(b, buf, 32, NL_PRECISION_F32, &got, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNUSABLE);
    g_assert_nonnull(strstr(error->message,
                            "sum in float32 on backend 'lanedrop:bf16=1' is "
                            "unusable: it fails its self-check on this CPU"));
    g_clear_error(&error);
    /* in float64 the reference runs, and is right */
    g_assert_true(
        nl_backend_sum_in(b, buf, 32, NL_PRECISION_F64, &got, &error));
    g_assert_cmpfloat(got, ==, -6); /* four full periods of 7 sum to 0 */
    nl_backend_free(b, buf);
    nl_backend_close(b);
}

static void test_lanedrop_substituted(void)
{
    const NlSelfCheck *sc = NULL;
    NlBackend *b = open_label("lanedrop:substitute=1", &sc);
    g_assert_cmpint(sc->state[NL_KERNEL_SUM], ==, NL_CHECK_SUBSTITUTED);
    g_assert_cmpint(sc->state[NL_KERNEL_TILED_SUM], ==, NL_CHECK_SUBSTITUTED);
    g_assert_cmpstr(sc->substitute[NL_KERNEL_SUM], ==,
                    "the lane-dropping sum replaced by a sequential loop");
    g_assert_true(g_str_has_suffix(sc->lines->pdata[0],
                                   "; substituted: the lane-dropping sum "
                                   "replaced by a sequential loop, which "
                                   "passes"));
    /* describe() was read again: the order says what runs now */
    g_assert_cmpstr(nl_backend_info(b)->summation_order, ==,
                    "sequential (the lane-dropping sum substituted)");
    g_assert_nonnull(strstr(sc->summary, "substituted: sum tiled_sum"));
    float x[40];
    for (int i = 0; i < 40; i++)
        x[i] = (float)(i * 37 % 11) - 5.0f;
    g_autoptr(GError) error = NULL;
    NlBuffer *buf = nl_backend_new_from(b, x, 40, &error);
    float got = NAN;
    g_assert_true(nl_backend_sum(b, buf, 40, &got, &error));
    g_assert_cmpfloat(got, ==, nl_exact_sum_f32(x, 40));
    nl_backend_free(b, buf);
    nl_backend_close(b);
}

static void test_substitute_that_fails(void)
{
    const NlSelfCheck *sc = NULL;
    NlBackend *b = open_label("lanedrop:substitute=2", &sc);
    g_assert_cmpint(sc->state[NL_KERNEL_SUM], ==, NL_CHECK_UNUSABLE);
    g_assert_nonnull(strstr(sc->failure[NL_KERNEL_SUM],
                            "; its substitute (the lane-dropping sum replaced "
                            "by a sequential loop) fails too: n=16"));
    nl_backend_close(b);
}

static void test_bug_beyond_the_sizes(void)
{
    const NlSelfCheck *sc = NULL;
    NlBackend *b = open_label("lanedrop:drop_above=400000", &sc);
    g_assert_cmpint(sc->state[NL_KERNEL_SUM], ==, NL_CHECK_PASSED);
    g_assert_cmpuint(sc->lines->len, ==, 0);
    nl_backend_close(b);
}

static void test_gemm_writing_padding(void)
{
    const NlSelfCheck *sc = NULL;
    NlBackend *b = open_label("lanedrop:pad_write=1", &sc);
    g_assert_cmpint(sc->state[NL_KERNEL_GEMM], ==, NL_CHECK_UNUSABLE);
    g_assert_nonnull(
        strstr(sc->failure[NL_KERNEL_GEMM], "lies outside the result"));
    nl_backend_close(b);
}

/* ---- from the command line ---- */

static char *read_text(const char *path)
{
    char *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    return text;
}

static void test_cli_failing_kernel(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) c = nl_test_numlab(
        NULL, "run", "associativity", "--plugin-dir", TEST_PLUGINS, "-b",
        "naive,lanedrop,openmp", "-p", "counter_steps=1000", "-p",
        "shuffles=50", "-p", "a6_n=1000", "-o", dir, NULL);
    g_assert_cmpint(c->status, ==, 1);
    /* the one line per failing kernel, exactly once */
    const char *want =
        "numlab: lanedrop: sum fails its self-check on this CPU (";
    const char *first = strstr(c->err, want);
    g_assert_nonnull(first);
    g_assert_null(strstr(first + 1, want));
    g_assert_nonnull(strstr(c->err, "numlab: lanedrop: tiled_sum fails its "
                                    "self-check on this CPU ("));
    /* the job that needs it fails with that reason */
    g_assert_nonnull(strstr(c->err, "numlab: associativity: lanedrop: "));
    g_assert_nonnull(strstr(c->err, "on backend 'lanedrop' is unusable: it "
                                    "fails its self-check on this CPU"));
    /* the others ran and are written */
    g_assert_nonnull(strstr(c->out, "naive:ok lanedrop:failed openmp:ok"));
    g_autofree char *a6 =
        g_build_filename(dir, "associativity", "a6-backends.dat", NULL);
    g_autoptr(NlDat) dat = nl_dat_read(a6);
    g_assert_cmpuint(dat->datasets->len, ==, 2);
    g_assert_cmpstr(nl_dat_cell(dat, 0, 0, 0), ==, "naive");
    g_assert_cmpstr(nl_dat_cell(dat, 1, 0, 0), ==, "openmp");
    const char *header = nl_dat_comment(dat, "backend: naive ");
    g_assert_nonnull(header);
    g_assert_nonnull(strstr(header, "| self-check: passed: sum dot gemv "
                                    "gemm softmax tiled_sum"));
    g_autofree char *manifest_path =
        g_build_filename(dir, "associativity", "manifest.ini", NULL);
    g_autofree char *manifest = read_text(manifest_path);
    g_assert_nonnull(strstr(manifest, "[job lanedrop]\nphase=backend\n"
                                      "status=failed\n"));
    g_assert_nonnull(strstr(manifest, "self_check_sum=unusable: n=16"));
    nl_test_rmtree(dir);
}

/* A verdict is kept between processes (selfcheck-cache.c) under a key
 * of what decides it, failures included; NUMLAB_SELF_CHECK=fresh, a
 * changed variable the libraries read, a damaged file or
 * NUMLAB_CACHE_DIR=off each check again. */
static const char *lanedrop_check_line(const NlCmd *c)
{
    const char *ld = strstr(c->out, "\n  lanedrop ");
    g_assert_nonnull(ld);
    const char *check = strstr(ld, "self-check ");
    g_assert_nonnull(check);
    const char *verdict = "passed: dot gemv gemm softmax; unusable: sum "
                          "tiled_sum (n=16";
    g_assert_true(strstr(check, verdict) &&
                  strstr(check, verdict) < strchr(check, '\n'));
    return check;
}

static NlCmd *list_with(const char *cache, const char *self_check,
                        const char *extra)
{
    g_autofree char *cache_env = g_strdup_printf("NUMLAB_CACHE_DIR=%s", cache);
    g_autofree char *check_env =
        g_strdup_printf("NUMLAB_SELF_CHECK=%s", self_check);
    char *env[] = {cache_env, check_env, (char *)extra, NULL};
    NlCmd *c = nl_test_numlab(env, "list", "--plugin-dir", TEST_PLUGINS, NULL);
    g_assert_cmpint(c->status, ==, 0);
    return c;
}

static guint count_verdicts(const char *cache)
{
    g_autofree char *dir = g_build_filename(cache, "self-check", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    guint n = 0;
    for (const char *name; d && (name = g_dir_read_name(d));)
        n += g_str_has_suffix(name, ".ini"); /* not the KEY.lock files */
    return n;
}

static gpointer list_in_thread(gpointer cache)
{
    return list_with(cache, "", NULL);
}

/* Two processes that need the same verdicts at once (the main job's
 * experiments side by side) take turns: each backend's trial runs in one
 * of them, and the other adopts its verdict. */
static void test_cli_trial_once(void)
{
    g_autofree char *cache = nl_test_tmpdir();
    GThread *a = g_thread_new("list-a", list_in_thread, cache);
    GThread *b = g_thread_new("list-b", list_in_thread, cache);
    g_autoptr(NlCmd) ca = g_thread_join(a);
    g_autoptr(NlCmd) cb = g_thread_join(b);
    gboolean a_checked =
        g_str_has_prefix(lanedrop_check_line(ca), "self-check in ");
    gboolean b_checked =
        g_str_has_prefix(lanedrop_check_line(cb), "self-check in ");
    g_assert_true(a_checked != b_checked);
    g_assert_true(g_str_has_prefix(lanedrop_check_line(a_checked ? cb : ca),
                                   "self-check kept from "));
    nl_test_rmtree(cache);
}

static void test_cli_verdict_kept(void)
{
    g_autofree char *cache = nl_test_tmpdir();
    g_autoptr(NlCmd) first = list_with(cache, "", NULL);
    g_assert_true(
        g_str_has_prefix(lanedrop_check_line(first), "self-check in "));
    g_assert_nonnull(strstr(first->out, "exact values computed once"));
    guint kept = count_verdicts(cache);
    g_assert_cmpuint(kept, >=, 4); /* lanedrop, naive, blas, openmp, ... */

    g_autoptr(NlCmd) again = list_with(cache, "", NULL);
    g_assert_true(
        g_str_has_prefix(lanedrop_check_line(again), "self-check kept from "));
    g_assert_null(strstr(again->out, "self-check in "));
    g_assert_null(strstr(again->out, "exact values computed once"));
    g_assert_cmpuint(count_verdicts(cache), ==, kept);

    g_autoptr(NlCmd) fresh = list_with(cache, "fresh", NULL);
    g_assert_true(
        g_str_has_prefix(lanedrop_check_line(fresh), "self-check in "));
    g_assert_cmpuint(count_verdicts(cache), ==, kept);

    /* a variable OpenBLAS reads: every backend's key changes */
    g_autoptr(NlCmd) other = list_with(cache, "", "OPENBLAS_VERBOSE=0");
    g_assert_true(
        g_str_has_prefix(lanedrop_check_line(other), "self-check in "));
    g_assert_cmpuint(count_verdicts(cache), ==, 2 * kept);

    /* a damaged verdict is checked again, and replaced */
    g_autofree char *dir = g_build_filename(cache, "self-check", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    for (const char *n; (n = g_dir_read_name(d));) {
        g_autofree char *path = g_build_filename(dir, n, NULL);
        g_assert_true(g_file_set_contents(path,
                                          "[trial]\noutcome=opened\n"
                                          "[kept]\nchecked=x\n",
                                          -1, NULL));
    }
    g_autoptr(NlCmd) damaged = list_with(cache, "", NULL);
    g_assert_true(
        g_str_has_prefix(lanedrop_check_line(damaged), "self-check in "));
    g_autoptr(NlCmd) mended = list_with(cache, "", NULL);
    g_assert_true(
        g_str_has_prefix(lanedrop_check_line(mended), "self-check kept from "));

    /* a verdict lists the libraries its trial had loaded once the backend
     * opened, those blas loads at open() too (its companion, OpenBLAS);
     * one that changed since has every verdict checked again */
    g_autoptr(GDir) again_dir = g_dir_open(dir, 0, NULL);
    gboolean companion_seen = FALSE;
    for (const char *n; (n = g_dir_read_name(again_dir));) {
        if (!g_str_has_suffix(n, ".ini"))
            continue;
        g_autofree char *path = g_build_filename(dir, n, NULL);
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_assert_true(
            g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL));
        g_autofree char *outcome =
            g_key_file_get_string(kf, "trial", "outcome", NULL);
        if (g_strcmp0(outcome, "opened") != 0 ||
            !g_key_file_has_group(kf, "self-check"))
            continue; /* not loaded in its trial, or damaged above */
        g_auto(GStrv) libs =
            g_key_file_get_string_list(kf, "trial", "libraries", NULL, NULL);
        g_assert_nonnull(libs);
        gboolean impl = FALSE, openblas = FALSE;
        for (char **l = libs; *l; l++) {
            impl |= g_str_has_suffix(*l, "/numlab-blas-impl.so");
            openblas |= strstr(*l, "/libopenblas") != NULL;
        }
        companion_seen |= impl && openblas;
        /* libc's stamp as it was before, say, an upgrade */
        for (char **l = libs; *l; l++)
            if (strstr(*l, "/libc.so")) {
                char *space = strchr(*l, ' ');
                g_autofree char *moved = g_strconcat("0:0:0:0.0", space, NULL);
                g_free(*l);
                *l = g_steal_pointer(&moved);
            }
        g_key_file_set_string_list(kf, "trial", "libraries",
                                   (const char *const *)libs,
                                   g_strv_length(libs));
        g_assert_true(g_key_file_save_to_file(kf, path, NULL));
    }
    g_assert_true(companion_seen);
    g_autoptr(NlCmd) moved = list_with(cache, "explain", NULL);
    g_assert_true(
        g_str_has_prefix(lanedrop_check_line(moved), "self-check in "));
    g_assert_nonnull(strstr(moved->err, "/libc.so.6 changed since its "
                                        "verdict; checking again"));
    g_autoptr(NlCmd) settled = list_with(cache, "", NULL);
    g_assert_true(g_str_has_prefix(lanedrop_check_line(settled),
                                   "self-check kept from "));
    nl_test_rmtree(cache);

    /* what the key is made of: the backend's own module and the files
     * beside it, the libraries, never another plugin's module */
    g_autofree char *explain_cache = nl_test_tmpdir();
    g_autoptr(NlCmd) explained = list_with(explain_cache, "explain", NULL);
    g_auto(GStrv) lines = g_strsplit(explained->err, "\n", -1);
    const char *prefix = NULL; /* "numlab: self-check key HEX: " */
    for (char **l = lines; *l && !prefix; l++)
        if (g_str_has_suffix(*l, ": backend lanedrop"))
            prefix = *l;
    g_assert_nonnull(prefix);
    gsize prefix_len = strlen(prefix) - strlen("backend lanedrop");
    gboolean module_seen = FALSE, libc_seen = FALSE;
    for (char **l = lines; *l; l++) {
        if (strncmp(*l, prefix, prefix_len) != 0)
            continue;
        const char *what = *l + prefix_len;
        module_seen |= g_str_has_prefix(what, "module ") &&
                       strstr(what, "/lanedrop.so ") != NULL;
        libc_seen |= g_str_has_prefix(what, "loaded ") &&
                     strstr(what, "/libc.so") != NULL;
        /* another backend's module, an experiment's: not in the key */
        g_assert_false(
            g_str_has_prefix(what, "loaded ") &&
            (strstr(what, "/naive.so ") || strstr(what, "/associativity.so ")));
    }
    g_assert_true(module_seen);
    g_assert_true(libc_seen);
    nl_test_rmtree(explain_cache);

    g_autoptr(NlCmd) off = list_with("off", "", NULL);
    g_autoptr(NlCmd) off_again = list_with("off", "", NULL);
    g_assert_true(
        g_str_has_prefix(lanedrop_check_line(off_again), "self-check in "));
    g_assert_false(g_file_test("off", G_FILE_TEST_EXISTS));
}

/* The failing line quotes numbers as the data files do, with a decimal
 * point, also under a locale with a decimal comma. */
static void test_cli_locale(void)
{
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8")) {
        g_test_skip("no de_DE.UTF-8 locale here (quickstart.sh makes one)");
        return;
    }
    setlocale(LC_NUMERIC, "C");
    char *env[] = {"LC_ALL=de_DE.UTF-8", NULL};
    g_autoptr(NlCmd) c =
        nl_test_numlab(env, "list", "--plugin-dir", TEST_PLUGINS, NULL);
    g_autoptr(GRegex) number_list = g_regex_new(
        "lanedrop .*\\n.*\\n.*\\n *self-check in [0-9]+\\.[0-9] ms: .*"
        "\\(n=16 \\(mixed magnitudes\\) gives -?[0-9.e+-]+, exact "
        "-?[0-9.e+-]+, error bound [0-9.e+-]+\\)",
        0, 0, NULL);
    if (!g_regex_match(number_list, c->out, 0, NULL))
        g_error("numbers with a decimal comma under de_DE:\n%s", c->out);
}

static void test_cli_list(void)
{
    g_autoptr(NlCmd) c =
        nl_test_numlab(NULL, "list", "--plugin-dir", TEST_PLUGINS, NULL);
    g_assert_cmpint(c->status, ==, 0);
    const char *ld = strstr(c->out, "\n  lanedrop ");
    g_assert_nonnull(ld);
    const char *check = strstr(ld, "self-check in ");
    g_assert_nonnull(check);
    g_assert_nonnull(strstr(check, "ms: passed: dot gemv gemm softmax; "
                                   "unusable: sum tiled_sum (n=16"));
    const char *naive = strstr(c->out, "\n  naive ");
    g_assert_nonnull(naive);
    g_assert_nonnull(strstr(naive, "ms: passed: sum dot gemv gemm softmax "
                                   "tiled_sum\n"));
}

/* A -b spec is parsed before anything is opened: an unknown or empty
 * backend name and a bad option are each one error. "" once passed NULL
 * to strcmp (found by tests/fuzz/fuzz-backend-spec). */
static void test_parse_spec(void)
{
    static const char *const bad[] = {
        "", ":", ":threads=2", "nosuch", "naive:threads=2", "lanedrop:x"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        const NlPluginEntry *entry = NULL;
        g_autoptr(NlParams) options =
            nl_backend_parse_spec(registry, bad[i], &entry, &error);
        g_assert_null(options);
        g_assert_true(entry == NULL || i >= 4); /* set for a known name */
        g_assert_nonnull(error);
        g_assert_null(strchr(error->message, '\n'));
    }
    g_autoptr(GError) error = NULL;
    const NlPluginEntry *entry = NULL;
    g_autoptr(NlParams) options = nl_backend_parse_spec(
        registry, "lanedrop:drop_above=1000000", &entry, &error);
    g_assert_no_error(error);
    g_assert_nonnull(options);
    g_assert_cmpstr(entry->plugin->name, ==, "lanedrop");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    registry = nl_registry_new();
    nl_registry_scan(registry, NL_BUILDDIR "/backends", TRUE);
    g_autoptr(GError) error = NULL;
    if (!nl_registry_load(registry, TEST_PLUGINS "/lanedrop.so", &error))
        g_error("%s", error->message);
    g_test_add_func("/selfcheck/cases", test_cases_are_right);
    g_test_add_func("/selfcheck/parse-spec", test_parse_spec);
    g_test_add_func("/selfcheck/in-tree-backends", test_in_tree_backends);
    g_test_add_func("/selfcheck/lanedrop/unusable", test_lanedrop_unusable);
    g_test_add_func("/selfcheck/lanedrop/bf16", test_lanedrop_bf16);
    g_test_add_func("/selfcheck/lanedrop/substituted",
                    test_lanedrop_substituted);
    g_test_add_func("/selfcheck/lanedrop/substitute-fails",
                    test_substitute_that_fails);
    g_test_add_func("/selfcheck/lanedrop/beyond-its-sizes",
                    test_bug_beyond_the_sizes);
    g_test_add_func("/selfcheck/lanedrop/gemm-padding",
                    test_gemm_writing_padding);
    g_test_add_func("/selfcheck/cli/failing-kernel", test_cli_failing_kernel);
    g_test_add_func("/selfcheck/cli/list", test_cli_list);
    g_test_add_func("/selfcheck/cli/verdict-kept", test_cli_verdict_kept);
    g_test_add_func("/selfcheck/cli/trial-once", test_cli_trial_once);
    g_test_add_func("/selfcheck/cli/locale", test_cli_locale);
    int status = g_test_run();
    nl_registry_free(registry);
    return status;
}
