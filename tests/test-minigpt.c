/* test-minigpt.c — the minigpt experiment run by the built numlab.
 *
 * - The default run (on blas, the fastest CPU backend) ends with a loss
 *   below half the unigram entropy; its checkpoint loads, has the default
 *   configuration, and the loaded model's next word after each prompt,
 *   recomputed here on the host, is the table's top-1 word.
 * - The same with --seed 3 (a seed under which a wrong blas sum once gave
 *   NaN logits).
 * - A small run, twice with the same seed: each backend's checkpoint is
 *   the same bytes both times; the naive backend's logits equal the host
 *   reference exactly (max |delta| 0).
 * - Bad parameters: one line, exit status 1, no file.
 * Each test runs numlab itself when it starts, so `-p /minigpt/default-run`
 * costs one training (tests/test-openblas-cores.sh runs it per core). */
#include "config.h"

#include "test-util.h"

#include <numlab-minigpt/minigpt.h>

#include <math.h>
#include <string.h>

static char *dir;

static char *path_in(const char *run, const char *file)
{
    return g_build_filename(dir, run, "minigpt", file, NULL);
}

/* Runs numlab once into dir/NAME, the first time NAME is asked for. */
static void ensure_run(const char *name, ...) G_GNUC_NULL_TERMINATED;

static void ensure_run(const char *name, ...)
{
    g_autofree char *out = g_build_filename(dir, name, NULL);
    if (g_file_test(out, G_FILE_TEST_IS_DIR))
        return;
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    g_ptr_array_add(args, "run");
    g_ptr_array_add(args, "minigpt");
    g_ptr_array_add(args, "-o");
    g_ptr_array_add(args, out);
    va_list ap;
    va_start(ap, name);
    for (const char *a = va_arg(ap, const char *); a;
         a = va_arg(ap, const char *))
        g_ptr_array_add(args, (gpointer)a);
    va_end(ap);
    g_ptr_array_add(args, NULL);
    g_autoptr(NlCmd) run = nl_test_numlab_argv(NULL, (char **)args->pdata);
    if (run->status != 0)
        g_error("numlab run minigpt (%s) failed: %s", name, run->err);
}

static NlDat *dat(const char *run, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.dat", name);
    g_autofree char *path = path_in(run, file);
    return nl_dat_read(path);
}

/* The run's final loss is below half the unigram entropy. */
static void assert_learned(const char *run)
{
    g_autoptr(NlDat) s = dat(run, "train-summary");
    double final = nl_dat_double(s, 0, 0, 3), uni = nl_dat_double(s, 0, 0, 4);
    g_test_message("%s: trained in %.1f s: loss %.3f, unigram %.3f", run,
                   nl_dat_double(s, 0, 0, 1), final, uni);
    g_assert_cmpfloat(final, <, 0.5 * uni);
}

static void test_default_run(void)
{
    ensure_run("default", "-b", "blas", NULL);
    assert_learned("default");
    g_autoptr(NlDat) c = dat("default", "corpus");
    g_autoptr(NlDat) s = dat("default", "train-summary");
    double uni = nl_dat_double(c, 0, 0, 3);
    g_assert_cmpfloat(nl_dat_double(s, 0, 0, 4), ==, uni);
    g_assert_cmpfloat(uni, <, nl_dat_double(c, 0, 0, 4)); /* < log V */
    g_autoptr(NlDat) l = dat("default", "loss");
    g_assert_cmpuint(nl_dat_rows(l, 0), ==, 400);
    /* the first loss is close to a uniform guess, log V */
    g_assert_cmpfloat(
        fabs(nl_dat_double(l, 0, 0, 1) - nl_dat_double(c, 0, 0, 4)), <, 0.2);

    g_autofree char *ckpt = path_in("default", "blas-minigpt.ckpt");
    g_autoptr(GError) error = NULL;
    g_autoptr(NlGpt) m = nl_gpt_load_file(ckpt, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(m->config.context, ==, 16);
    g_assert_cmpuint(m->config.d_model, ==, 48);
    g_assert_cmpuint(m->config.n_layer, ==, 2);
    g_assert_cmpuint(m->config.n_head, ==, 4);
    g_assert_cmpint(m->config.vocab_size, ==, nl_dat_double(c, 0, 0, 2));

    g_autoptr(NlDat) d = dat("default", "logits-delta");
    g_autoptr(NlDat) g = dat("default", "generations");
    g_assert_cmpuint(nl_dat_rows(d, 0), ==, 3);
    g_assert_cmpuint(nl_dat_rows(g, 0), ==, 6);
    const char *prompts[] = {"die katze", "der hund", "das kind spielt"};
    gsize V = m->config.vocab_size;
    for (guint p = 0; p < 3; p++) {
        g_assert_cmpstr(nl_dat_cell(d, 0, p, 0), ==, prompts[p]);
        g_autofree guint32 *t = NULL;
        gsize n;
        g_assert_true(
            nl_gpt_vocab_encode(m->vocab, prompts[p], FALSE, &t, &n, &error));
        g_autofree float *logits = g_new(float, n *V);
        g_assert_true(nl_gpt_logits(m, NULL, t, n, logits, &error));
        gsize best = 0;
        for (gsize v = 1; v < V; v++)
            best =
                logits[(n - 1) * V + v] > logits[(n - 1) * V + best] ? v : best;
        g_assert_cmpstr(nl_gpt_vocab_word(m->vocab, (guint32)best), ==,
                        nl_dat_cell(d, 0, p, 3));
        /* blas against the host: float noise only */
        g_assert_cmpfloat(nl_dat_double(d, 0, p, 1), <, 1e-4);
        /* the greedy continuation starts with the prompt, then that word,
         * and every word is one of the vocabulary */
        const char *text = nl_dat_cell(g, 0, 2 * p, 2);
        g_assert_cmpstr(nl_dat_cell(g, 0, 2 * p, 1), ==, "greedy");
        g_assert_true(g_str_has_prefix(text, prompts[p]));
        g_autofree char *after = g_strdup_printf(
            "%s %s", prompts[p], nl_gpt_vocab_word(m->vocab, (guint32)best));
        g_assert_true(g_str_has_prefix(text, after));
        g_autofree guint32 *all = NULL;
        g_assert_true(
            nl_gpt_vocab_encode(m->vocab, text, FALSE, &all, &n, &error));
        g_test_message("%s", text);
    }
}

static GBytes *file_bytes(const char *run, const char *name)
{
    g_autofree char *path = path_in(run, name);
    g_autofree char *data = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    return g_bytes_new_take(g_steal_pointer(&data), len);
}

static void test_seed_3(void)
{
    ensure_run("seed-3", "-b", "blas", "--seed", "3", NULL);
    assert_learned("seed-3");
    g_autoptr(NlDat) d = dat("seed-3", "logits-delta");
    for (guint p = 0; p < nl_dat_rows(d, 0); p++)
        g_assert_cmpfloat(nl_dat_double(d, 0, p, 1), <, 1e-4);
}

static void test_repeatable(void)
{
    for (int i = 0; i < 2; i++)
        ensure_run(i ? "small-b" : "small-a", "-b", "naive,blas", "-p",
                   "steps=40", "-p", "d_model=16", "-p", "n_head=2", "-p",
                   "context=8", "-p", "batch=4", "--seed", "7", NULL);
    const char *names[] = {"naive-minigpt.ckpt", "blas-minigpt.ckpt"};
    for (guint i = 0; i < 2; i++) {
        g_autoptr(GBytes) a = file_bytes("small-a", names[i]);
        g_autoptr(GBytes) b = file_bytes("small-b", names[i]);
        g_assert_true(g_bytes_equal(a, b));
    }
    /* naive sums in the host reference's order: exactly 0 */
    g_autoptr(NlDat) d = dat("small-a", "logits-delta");
    g_assert_cmpuint(d->datasets->len, ==, 2);
    for (guint p = 0; p < nl_dat_rows(d, 0); p++)
        g_assert_cmpfloat(nl_dat_double(d, 0, p, 1), ==, 0);
    g_autoptr(NlDat) l = dat("small-a", "loss");
    g_assert_cmpuint(nl_dat_rows(l, 0), ==, 40);
}

/* Training in pure bfloat16: every weight of the checkpoint lies on the
 * bfloat16 grid (no float32 master copy); in mixed bfloat16 most do not,
 * and the two runs differ. The tables say how they were trained. */
static void test_precision(void)
{
    const char *modes[] = {"bfloat16-pure", "bfloat16"};
    const char *runs[] = {"pure", "mixed"};
    for (guint i = 0; i < 2; i++) {
        g_autofree char *p = g_strdup_printf("precision=%s", modes[i]);
        ensure_run(runs[i], "-b", "naive", "-p", "steps=40", "-p", "d_model=16",
                   "-p", "n_head=2", "-p", "context=8", "-p", "batch=4",
                   "--seed", "7", "-p", p, NULL);
        g_autofree char *path = path_in(runs[i], "naive-minigpt.ckpt");
        g_autoptr(GError) error = NULL;
        g_autoptr(NlGpt) m = nl_gpt_load_file(path, &error);
        g_assert_no_error(error);
        gsize off_grid = 0;
        for (gsize k = 0; k < m->n_params; k++)
            off_grid += nl_precision_round(NL_PRECISION_BF16, m->params[k]) !=
                        m->params[k];
        if (i == 0)
            g_assert_cmpuint(off_grid, ==, 0);
        else
            g_assert_cmpuint(off_grid, >, m->n_params / 2);
        g_autoptr(NlDat) summary = dat(runs[i], "train-summary");
        g_autofree char *want =
            g_strdup_printf("precision: trained in %s", modes[i]);
        g_assert_nonnull(nl_dat_comment(summary, want));
    }
    g_autoptr(GBytes) a = file_bytes("pure", "naive-minigpt.ckpt");
    g_autoptr(GBytes) b = file_bytes("mixed", "naive-minigpt.ckpt");
    g_assert_false(g_bytes_equal(a, b));
}

static void expect_refused(const char *param, const char *needle)
{
    g_autofree char *out = g_build_filename(dir, "bad", NULL);
    g_autoptr(NlCmd) run = nl_test_numlab(NULL, "run", "minigpt", "-b", "naive",
                                          "-o", out, "-p", param, NULL);
    if (run->status != 1 || nl_test_count_lines(run->err) != 1 ||
        !strstr(run->err, needle))
        g_error("-p %s: exit %d, stderr:\n%s", param, run->status, run->err);
    g_autofree char *exp_dir = g_build_filename(out, "minigpt", NULL);
    if (g_file_test(exp_dir, G_FILE_TEST_EXISTS)) {
        g_autoptr(GDir) d = g_dir_open(exp_dir, 0, NULL);
        g_assert_null(g_dir_read_name(d));
    }
}

static void test_bad_inputs(void)
{
    expect_refused("n_head=5", "'n_head'");
    expect_refused("lr=0", "'lr'");
    expect_refused("lr=nan", "'lr'");
    expect_refused("temperature=0", "'temperature'");
    expect_refused("prompts=die giraffe", "'giraffe'");
    expect_refused("prompts=", "parameter 'prompts': the list is empty");
    expect_refused("prompts=die katze|",
                   "parameter 'prompts': entry 2 is empty");
    expect_refused("prompts=der hund|der hund", "'der hund' appears twice");
    expect_refused("context=3", "'context'");
    expect_refused("steps=0", "'steps'");
    expect_refused("precision=bf16", "parameter 'precision': 'bf16' is not "
                                     "one of float32|layercast|bfloat16|"
                                     "bfloat16-pure|float16");
    expect_refused(
        "prompts=die katze schläft am morgen auf dem sofa . der hund "
        "bellt im garten . das kind spielt",
        "longer than the context");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dir = nl_test_tmpdir();
    g_test_add_func("/minigpt/default-run", test_default_run);
    g_test_add_func("/minigpt/seed-3", test_seed_3);
    g_test_add_func("/minigpt/repeatable", test_repeatable);
    g_test_add_func("/minigpt/precision", test_precision);
    g_test_add_func("/minigpt/bad-inputs", test_bad_inputs);
    int rc = g_test_run();
    nl_test_rmtree(dir);
    g_free(dir);
    return rc;
}
