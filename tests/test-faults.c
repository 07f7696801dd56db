/* test-faults.c — a backend that is wrong only beyond the self-check's
 * sizes is caught by the experiments that know the exact value.
 *
 * tests/plugins/lanedrop.c with drop_above=4099:drop_below=5600 drops
 * lanes in sum and in each tile of tiled_sum only for 4100..5599 values:
 * the self-check (sums to 4099, 65543 and 300007, tiles of at most 5000,
 * none of 4100..5599 values) passes it, and associativity and
 * reduction-tree, run here at a few thousand values, where the bound is
 * tight enough to tell lost lanes from rounding, must report it: exit
 * status 1, one
 * `backend fault:` line per kept fault, `status=fault` and `faults=` in
 * the manifest, and fault = 1 in exactly the rows whose value lies beyond
 * the error bound gamma(n-1) * sum |x_i| — which this file decides by
 * itself, with its own double-double exact sums and its own bound. Each
 * such result is reported twice: beyond its bound, and by the exact probe
 * of the same kernel at the same size (numlab/probe.h). The naive job's
 * rows are written and unmarked. With the bug moved beyond every size
 * used (drop_above=1000000) the same runs are clean.
 *
 * Where the bound is too loose — lanedrop:drop_above=400000 at A6's
 * default 10^6 values, A2 and A5 at 4·10^5 and more, A7's default sum of
 * 2^20 — the probes alone catch it: every fault line is a probe's, the
 * result is inside its bound (checked here), and still its row is marked,
 * while naive, blas and openmp stay unmarked. The benchmark, whose integer
 * inputs make every correct result exact, catches the bug at 4·10^5
 * values, beyond the self-check's largest sum. */
#include "config.h"

#include "test-util.h"

#include <numlab/numlab.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PLUGINS        NL_BUILDDIR "/tests/plugins/.libs"
#define FAULTY         "lanedrop:drop_above=4099:drop_below=5600"
#define CORRECT        "lanedrop:drop_above=1000000"
#define SEED           42                             /* numlab's default */
#define A7_SEED_OFFSET G_GUINT64_CONSTANT(0xa7a7a7a7) /* a7-batch.c's */

static const gsize n_assoc = 5000, tile_faulty = 4500, reduce_n = 5000;

/* Whether lanedrop (FAULTY) drops lanes in a sum of len values. */
static gboolean in_window(gsize len)
{
    return len > 4099 && len < 5600;
}

/* ... in its tiled_sum of the first n values: in a full tile or in the
 * shorter rest. */
static gboolean dropped(gsize n, gsize tile)
{
    return (n >= tile && in_window(tile)) || in_window(n % tile);
}

/* ---- independent references ---- */

/* sum x[i] y[i] (y NULL: sum x[i]) in double-double (Knuth's TwoSum): for
 * a few thousand values within about 2^-100 of the exact value. */
static double exact_dot(const float *x, const float *y, gsize n)
{
    double hi = 0, lo = 0;
    for (gsize i = 0; i < n; i++) {
        double v = y ? (double)x[i] * (double)y[i] : (double)x[i]; /* exact */
        double s = hi + v, bb = s - hi;
        lo += (hi - (s - bb)) + (v - bb);
        hi = s;
    }
    return hi + lo;
}

/* Higham's bound for any order: gamma_k sum |x_i y_i|, k = n - 1 for a
 * sum, n for a dot product. */
static double bound(const float *x, const float *y, gsize n)
{
    double m = 0, u = 0x1p-24, k = y ? (double)n : (double)n - 1;
    for (gsize i = 0; i < n; i++)
        m += fabs(y ? (double)x[i] * (double)y[i] : (double)x[i]);
    return k * u / (1 - k * u) * m;
}

static gboolean beyond(double got, double exact, double b)
{
    return !(fabs(got - exact) <= b);
}

/* ---- reading the results ---- */

static NlDat *dat(const char *dir, const char *exp, const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/%s/%s.dat", dir, exp, name);
    return nl_dat_read(path);
}

/* The index of column `name`: the column line is the last header line
 * before the first "dataset:" comment. */
static guint column(const NlDat *d, const char *name)
{
    for (guint i = d->comments->len; i-- > 0;) {
        const char *line = d->comments->pdata[i];
        if (g_str_has_prefix(line, "dataset:"))
            continue;
        g_auto(GStrv) cols = g_strsplit(line, " ", -1);
        for (guint c = 0; cols[c]; c++)
            if (strcmp(cols[c], name) == 0)
                return c;
        g_error("no column '%s' in '%s'", name, line);
    }
    g_error("no column line");
}

static int cell_int(const NlDat *d, guint set, guint row, const char *name)
{
    return (int)nl_dat_double(d, set, row, column(d, name));
}

static double cell(const NlDat *d, guint set, guint row, const char *name)
{
    return nl_dat_double(d, set, row, column(d, name));
}

/* The dataset of a job, from backends.gp. */
static guint dataset_of(const char *dir, const char *exp, const char *label)
{
    g_autofree char *path = g_strdup_printf("%s/%s/backends.gp", dir, exp);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_auto(GStrv) quoted = g_strsplit(strstr(text, "backends = "), "\"", 3);
    g_auto(GStrv) words = g_strsplit(quoted[1], " ", -1);
    for (guint i = 0; words[i]; i++)
        if (strcmp(words[i], label) == 0)
            return i;
    g_error("no dataset for %s", label);
}

static GKeyFile *manifest(const char *dir, const char *exp)
{
    g_autofree char *path = g_strdup_printf("%s/%s/manifest.ini", dir, exp);
    GKeyFile *kf = g_key_file_new();
    g_assert_true(g_key_file_load_from_file(kf, path, 0, NULL));
    return kf;
}

/* Every column named "fault" or "fault_*" of every dataset but `skip`
 * (G_MAXUINT: none) is 0. */
static void assert_unmarked_except(const char *dir, const char *exp,
                                   const char *name, guint skip)
{
    g_autoptr(NlDat) d = dat(dir, exp, name);
    guint found = 0;
    for (guint i = d->comments->len; i-- > 0 && !found;) {
        const char *line = d->comments->pdata[i];
        if (g_str_has_prefix(line, "dataset:"))
            continue;
        g_auto(GStrv) cols = g_strsplit(line, " ", -1);
        for (guint c = 0; cols[c]; c++) {
            if (strcmp(cols[c], "fault") != 0 &&
                !g_str_has_prefix(cols[c], "fault_"))
                continue;
            found++;
            for (guint s = 0; s < d->datasets->len; s++)
                for (guint r = 0; s != skip && r < nl_dat_rows(d, s); r++)
                    if (nl_dat_double(d, s, r, c) != 0)
                        g_error("%s.dat: %s = %s in dataset %u, row %u", name,
                                cols[c], nl_dat_cell(d, s, r, c), s, r);
        }
    }
    if (!found)
        g_error("%s.dat has no fault column", name);
}

static void assert_unmarked(const char *dir, const char *exp, const char *name)
{
    assert_unmarked_except(dir, exp, name, G_MAXUINT);
}

/* The faulty job's part of the manifest and of stderr; the jobs of
 * `correct` (NULL-terminated) are ok and have no faults. */
static guint assert_reported_of(const NlCmd *run, const char *dir,
                                const char *exp, const char *faulty,
                                const char *const *correct)
{
    g_assert_cmpint(run->status, ==, 1);
    g_autoptr(GKeyFile) kf = manifest(dir, exp);
    g_autofree char *status = g_key_file_get_string(kf, "run", "status", NULL);
    g_assert_cmpstr(status, ==, "fault");
    for (guint i = 0; correct[i]; i++) {
        g_autofree char *group = g_strdup_printf("job %s", correct[i]);
        g_autofree char *ok = g_key_file_get_string(kf, group, "status", NULL);
        g_assert_cmpstr(ok, ==, "ok");
        g_assert_false(g_key_file_has_key(kf, group, "faults", NULL));
    }
    g_autofree char *group = g_strdup_printf("job %s", faulty);
    g_autofree char *job = g_key_file_get_string(kf, group, "status", NULL);
    g_assert_cmpstr(job, ==, "fault");
    guint faults = (guint)g_key_file_get_integer(kf, group, "faults", NULL);
    g_assert_cmpuint(faults, >, 0);
    gsize kept;
    g_auto(GStrv) list =
        g_key_file_get_string_list(kf, group, "fault", &kept, NULL);
    g_assert_cmpuint(kept, ==, MIN(faults, 5));

    /* stderr: one line per kept fault, in the manifest's words, and the
     * count of the rest */
    g_autofree char *prefix =
        g_strdup_printf("numlab: %s: %s: backend fault: ", exp, faulty);
    g_auto(GStrv) lines = g_strsplit(run->err, "\n", -1);
    guint shown = 0;
    for (guint i = 0; lines[i]; i++)
        if (g_str_has_prefix(lines[i], prefix)) {
            g_assert_cmpuint(shown, <, kept);
            g_assert_cmpstr(lines[i] + strlen(prefix), ==, list[shown]);
            g_assert_nonnull(strstr(lines[i], " gives "));
            g_assert_nonnull(strstr(lines[i], ", error bound "));
            shown++;
        }
    g_assert_cmpuint(shown, ==, kept);
    if (faults > kept) {
        g_autofree char *more =
            g_strdup_printf("numlab: %s: %s: %" G_GSIZE_FORMAT " more "
                            "backend faults",
                            exp, faulty, (gsize)faults - kept);
        g_assert_nonnull(strstr(run->err, more));
    }
    return faults;
}

static guint assert_reported(const NlCmd *run, const char *dir, const char *exp)
{
    const char *const naive[] = {"naive", NULL};
    return assert_reported_of(run, dir, exp, FAULTY, naive);
}

/* An image that assert_plotted rendered names the fault in red. */
static void assert_fault_drawn(const char *dir, const char *exp,
                               const char *image)
{
    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (!gnuplot)
        return;
    g_autofree char *name = g_strdup_printf("%s.svg", image);
    g_autofree char *path = g_build_filename(dir, exp, name, NULL);
    g_autofree char *svg = NULL;
    g_assert_true(g_file_get_contents(path, &svg, NULL, NULL));
    g_assert_nonnull(strstr(svg, "Backend-Fehler"));
}

/* The figures of a run with a faulty job: rendered like any other (the
 * faulty job's datasets are in the tables, so its label must reach the
 * scripts), with no gnuplot warning, and the fault named in red. */
static void assert_plotted(const char *dir, const char *exp, const char *image)
{
    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (!gnuplot) {
        g_test_message("gnuplot is not installed: the figures not rendered");
        return;
    }
    g_autoptr(NlCmd) p =
        nl_test_numlab(NULL, "plot", exp, "-o", dir, "--format", "svg", NULL);
    g_assert_cmpint(p->status, ==, 0);
    g_assert_cmpstr(p->err, ==, "");
    assert_fault_drawn(dir, exp, image);
}

/* ---- associativity ---- */

static NlCmd *run_associativity(const char *dir, const char *lanedrop)
{
    g_autofree char *backends = g_strdup_printf("naive,%s", lanedrop);
    g_autofree char *p_n = g_strdup_printf("n=%zu", n_assoc);
    g_autofree char *p_a6 = g_strdup_printf("a6_n=%zu", n_assoc);
    g_autofree char *p_blocks = g_strdup_printf("blocks=64,%zu", tile_faulty);
    return nl_test_numlab(NULL, "run", "associativity", "--plugin-dir", PLUGINS,
                          "-b", backends, "-o", dir, "-p", p_n, "-p", p_a6,
                          "-p", p_blocks, "-p", "shuffles=10", "-p",
                          "shuffle_sizes=8", "-p", "counter_steps=1000", NULL);
}

static void test_associativity(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) run = run_associativity(dir, FAULTY);
    /* the block 4500 tree, the backend sum (A2) and the A6 sum, each
     * beyond its bound and wrong on its probe */
    g_assert_cmpuint(assert_reported(run, dir, "associativity"), ==, 6);
    g_autoptr(GKeyFile) kf = manifest(dir, "associativity");
    g_auto(GStrv) list =
        g_key_file_get_string_list(kf, "job " FAULTY, "fault", NULL, NULL);
    g_assert_true(g_str_has_prefix(
        list[0], "A2: tiled_sum of 5000 values, block 4500 gives "));
    g_assert_true(g_str_has_prefix(
        list[1], "A2: tiled_sum of 5000 probe integers, tile 4500 (exact in "
                 "any order) gives "));
    g_assert_true(g_str_has_prefix(list[2], "A2: sum of 5000 values gives "));
    g_assert_true(g_str_has_prefix(list[3], "A2: sum of 5000 probe integers "
                                            "(exact in any order) gives "));
    g_assert_true(g_str_has_prefix(list[4], "A6: sum of 5000 values gives "));

    g_autofree float *x = nl_test_normals(SEED, n_assoc);
    double exact = exact_dot(x, NULL, n_assoc), b = bound(x, NULL, n_assoc);
    g_autoptr(NlDat) a2 = dat(dir, "associativity", "a2-blocked");
    guint naive = dataset_of(dir, "associativity", "naive");
    guint bad = dataset_of(dir, "associativity", FAULTY);
    g_assert_cmpuint(nl_dat_rows(a2, naive), ==, 5);
    g_assert_cmpuint(nl_dat_rows(a2, bad), ==, 5);
    for (guint r = 0; r < 5; r++) {
        gint64 block = (gint64)cell(a2, bad, r, "block");
        gboolean from_backend = block >= 0 && block != (gint64)n_assoc;
        g_assert_cmpint(cell_int(a2, naive, r, "fault"), ==, 0);
        /* the mark is where this file finds the value beyond the bound */
        gboolean want =
            from_backend && beyond(cell(a2, bad, r, "sum"), exact, b);
        g_assert_cmpint(cell_int(a2, bad, r, "fault"), ==, want);
        /* and where lanedrop drops lanes: its tile of 4500, its sum of 5000 */
        g_assert_cmpint(want, ==, block == (gint64)tile_faulty || block == 0);
        if (!want) /* an unmarked row is lanedrop's correct loop: naive's bits
                    */
            g_assert_cmpstr(nl_dat_cell(a2, bad, r, column(a2, "bits")), ==,
                            nl_dat_cell(a2, naive, r, column(a2, "bits")));
    }

    g_autoptr(NlDat) a6 = dat(dir, "associativity", "a6-backends");
    g_assert_cmpint(cell_int(a6, naive, 0, "fault"), ==, 0);
    g_assert_false(beyond(cell(a6, naive, 0, "sum"), exact, b));
    g_assert_cmpint(cell_int(a6, bad, 0, "fault"), ==, 1);
    g_assert_true(beyond(cell(a6, bad, 0, "sum"), exact, b));
    assert_plotted(dir, "associativity", "a6-backends");
    nl_test_rmtree(dir);
}

/* ---- reduction-tree ---- */

/* A sweep and a table whose points step past the window in both
 * directions: at 5600 the tree of one tile is right again while the sum of
 * one value fewer, from which its excess is taken, is not. */
static const gsize sweep_ctx[] = {4000, 4400, 4800, 5200, 5600, 6000};
static const gsize sweep_tile = 6000, table_ctx[] = {4000, 4200, 5600, 6000};

static NlCmd *run_reduction_tree(const char *dir, const char *lanedrop)
{
    g_autofree char *backends = g_strdup_printf("naive,%s", lanedrop);
    g_autofree char *p_tiles = g_strdup_printf("tiles=64,%zu", sweep_tile);
    g_autofree char *p_table = g_strdup_printf("table_tile=%zu", sweep_tile);
    g_autofree char *p_diagram =
        g_strdup_printf("diagram_tile=%zu", tile_faulty);
    g_autofree char *p_reduce = g_strdup_printf("reduce_n=%zu", reduce_n);
    return nl_test_numlab(
        NULL, "run", "reduction-tree", "--plugin-dir", PLUGINS, "-b", backends,
        "-o", dir, "-p", "num_ctx=4000:6000:400", "-p", p_tiles, "-p",
        "table_ctx=4000,4200,5600,6000", "-p", p_table, "-p",
        "diagram_ctx=6000", "-p", p_diagram, "-p", "batch=1:3", "-p", "a7_k=64",
        "-p", "a7_n=8", "-p", p_reduce, NULL);
}

static void test_reduction_tree(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) run = run_reduction_tree(dir, FAULTY);
    guint faults = assert_reported(run, dir, "reduction-tree");
    g_autoptr(GKeyFile) kf = manifest(dir, "reduction-tree");
    g_auto(GStrv) list =
        g_key_file_get_string_list(kf, "job " FAULTY, "fault", NULL, NULL);
    /* A4 runs first: its one diagram, 6000 values in tiles of 4500 (and
     * a rest of 1500) */
    g_assert_true(g_str_has_prefix(
        list[0], "A4: tiled_sum of the first 6000 values, tile 4500 gives "));
    g_assert_true(g_str_has_prefix(
        list[1], "A4: tiled_sum of 6000 probe integers, tile 4500 (exact in "
                 "any order) gives "));

    const gsize n_values = 6000;
    g_autofree float *x = nl_test_normals(SEED, n_values);
    guint naive = dataset_of(dir, "reduction-tree", "naive");
    guint bad = dataset_of(dir, "reduction-tree", FAULTY);

    g_autoptr(NlDat) a4 = dat(dir, "reduction-tree", "a4-backends");
    g_assert_cmpint(cell_int(a4, naive, 0, "fault"), ==, 0);
    g_assert_cmpint(cell_int(a4, bad, 0, "fault"), ==, 1);
    g_assert_true(beyond(cell(a4, bad, 0, "tree"), exact_dot(x, NULL, 6000),
                         bound(x, NULL, 6000)));

    /* A5: every sweep row; the mark also covers a faulty sum of one value
     * fewer, from which the row's excess is taken */
    guint calls = 1; /* faulty tiled_sum calls; A4's first */
    g_autoptr(NlDat) sweep = dat(dir, "reduction-tree", "a5-sweep");
    g_assert_cmpuint(nl_dat_rows(sweep, bad), ==, 2 * G_N_ELEMENTS(sweep_ctx));
    guint marked = 0;
    for (guint r = 0; r < nl_dat_rows(sweep, bad); r++) {
        gsize n = (gsize)cell(sweep, bad, r, "num_ctx");
        gsize tile = (gsize)cell(sweep, bad, r, "tile");
        g_assert_cmpuint(n, ==, sweep_ctx[r % G_N_ELEMENTS(sweep_ctx)]);
        double tree = cell(sweep, bad, r, "tree");
        gboolean off = beyond(tree, exact_dot(x, NULL, n), bound(x, NULL, n));
        g_assert_cmpint(off, ==, dropped(n, tile));
        g_assert_cmpint(cell_int(sweep, bad, r, "fault"), ==,
                        dropped(n, tile) || dropped(n - 1, tile));
        g_assert_cmpint(cell_int(sweep, naive, r, "fault"), ==, 0);
        marked += cell_int(sweep, bad, r, "fault");
        calls +=
            dropped(n, tile) + dropped(n - 1, tile); /* step 400: both called */
    }
    g_assert_cmpuint(marked, ==,
                     4); /* tile 6000 at 4400, 4800, 5200 and 5600 */
    g_autoptr(NlDat) summary = dat(dir, "reduction-tree", "a5-summary");
    for (guint r = 0; r < 2; r++) {
        gsize tile = (gsize)cell(summary, bad, r, "tile");
        g_assert_cmpint(cell_int(summary, bad, r, "faults"), ==,
                        tile == sweep_tile ? 4 : 0);
        g_assert_cmpint(cell_int(summary, naive, r, "faults"), ==, 0);
    }

    g_autoptr(NlDat) table = dat(dir, "reduction-tree", "a5-table");
    g_autoptr(NlDat) more = dat(dir, "reduction-tree", "a5-one-more");
    for (guint r = 0; r < G_N_ELEMENTS(table_ctx); r++) {
        gsize n = (gsize)cell(table, bad, r, "num_ctx");
        g_assert_cmpuint(n, ==, table_ctx[r]);
        g_assert_cmpint(cell_int(table, bad, r, "fault"), ==,
                        dropped(n, sweep_tile));
        g_assert_cmpint(beyond(cell(table, bad, r, "tree"),
                               exact_dot(x, NULL, n), bound(x, NULL, n)),
                        ==, dropped(n, sweep_tile));
        g_assert_cmpint(cell_int(more, bad, r, "fault"), ==,
                        dropped(n, sweep_tile) || dropped(n - 1, sweep_tile));
        g_assert_cmpint(cell_int(table, naive, r, "fault"), ==, 0);
        g_assert_cmpint(cell_int(more, naive, r, "fault"), ==, 0);
        calls += dropped(n, sweep_tile) + dropped(n - 1, sweep_tile);
    }
    /* 5600: the tree is right, the sum of 5599 it is set against is not */
    g_assert_cmpint(cell_int(table, bad, 2, "fault"), ==, 0);
    g_assert_cmpint(cell_int(more, bad, 2, "fault"), ==, 1);

    /* A7: lanedrop's sum of 5000 values is wrong, its dot product and its
     * gemm and gemv rows are not */
    g_autofree float *xy =
        nl_test_normals(SEED + A7_SEED_OFFSET + 1, 2 * reduce_n);
    g_autoptr(NlDat) red = dat(dir, "reduction-tree", "a7-reductions");
    double sum_exact = exact_dot(xy, NULL, reduce_n),
           sum_b = bound(xy, NULL, reduce_n);
    double dot_exact = exact_dot(xy, xy + reduce_n, reduce_n);
    double dot_b = bound(xy, xy + reduce_n, reduce_n);
    g_assert_cmpstr(nl_dat_cell(red, bad, 0, 0), ==, "sum");
    g_assert_true(beyond(cell(red, bad, 0, "value"), sum_exact, sum_b));
    g_assert_cmpint(cell_int(red, bad, 0, "fault"), ==, 1);
    g_assert_false(beyond(cell(red, bad, 1, "value"), dot_exact, dot_b));
    g_assert_cmpint(cell_int(red, bad, 1, "fault"), ==, 0);
    for (guint r = 0; r < 2; r++)
        g_assert_cmpint(cell_int(red, naive, r, "fault"), ==, 0);
    assert_unmarked(dir, "reduction-tree", "a7-row");
    assert_unmarked(dir, "reduction-tree", "a7-batch");

    /* the count: each faulty result twice (its bound, its probe) per call
     * that made it — A4's, the sweep's 3 sums and 4 of one value fewer,
     * the table's 1 and 2, A7's sum */
    calls += 1;
    g_assert_cmpuint(calls, ==, 1 + (3 + 4) + (1 + 2) + 1);
    g_assert_cmpuint(faults, ==, 2 * calls);
    assert_plotted(dir, "reduction-tree", "a4-trees");
    assert_plotted(dir, "reduction-tree", "a5-table");
    assert_fault_drawn(dir, "reduction-tree", "a5-sweep"); /* a5-summary's */
    nl_test_rmtree(dir);
}

/* ---- no fault where there is none ---- */

static void test_correct_backends(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) a = run_associativity(dir, CORRECT);
    g_autoptr(NlCmd) t = run_reduction_tree(dir, CORRECT);
    const NlCmd *runs[] = {a, t};
    const char *exps[] = {"associativity", "reduction-tree"};
    for (guint i = 0; i < 2; i++) {
        if (runs[i]->status != 0)
            g_error("%s: exit %d: %s", exps[i], runs[i]->status, runs[i]->err);
        g_assert_null(strstr(runs[i]->err, "backend fault"));
        g_autoptr(GKeyFile) kf = manifest(dir, exps[i]);
        g_autofree char *status =
            g_key_file_get_string(kf, "run", "status", NULL);
        g_assert_cmpstr(status, ==, "ok");
        g_autofree char *job =
            g_key_file_get_string(kf, "job " CORRECT, "status", NULL);
        g_assert_cmpstr(job, ==, "ok");
        g_assert_false(g_key_file_has_key(kf, "job " CORRECT, "faults", NULL));
    }
    const char *assoc[] = {"a2-blocked", "a6-backends"};
    for (guint i = 0; i < G_N_ELEMENTS(assoc); i++)
        assert_unmarked(dir, "associativity", assoc[i]);
    const char *tree[] = {"a4-backends",  "a5-sweep", "a5-table",
                          "a5-one-more",  "a7-row",   "a7-batch",
                          "a7-reductions"};
    for (guint i = 0; i < G_N_ELEMENTS(tree); i++)
        assert_unmarked(dir, "reduction-tree", tree[i]);
    nl_test_rmtree(dir);
}

/* ---- beyond the bound's reach: the probes alone ---- */

/* lanedrop wrong only above 400000 values: inside the error bound of
 * standard-normal data at every size it is wrong at. */
#define LATE "lanedrop:drop_above=400000"

/* The correct jobs beside it: naive, blas and, where built, openmp. */
static const char *const *correct_jobs(void)
{
    static const char *const with_openmp[] = {"naive", "blas", "openmp", NULL};
    static const char *const without[] = {"naive", "blas", NULL};
    return g_file_test(NL_BUILDDIR "/backends/openmp/.libs/openmp.so",
                       G_FILE_TEST_EXISTS)
               ? with_openmp
               : without;
}

static char *late_backends(void)
{
    g_autofree char *correct = g_strjoinv(",", (char **)correct_jobs());
    return g_strdup_printf("%s,%s", correct, LATE);
}

/* The exact sum of the first n values of a probe of `length`, in 64-bit
 * integers here. */
static gint64 probe_sum(gsize length, gsize n)
{
    g_autofree float *v = g_new(float, n);
    nl_probe_values_f32(length, 0, n, v, NULL);
    gint64 s = 0;
    for (gsize i = 0; i < n; i++)
        s += (gint64)v[i];
    return s;
}

/* A fault line of a probe: "WHAT (exact in any order) gives G, exact E,
 * error bound 0: the backend's KERNEL is wrong at this size", with E the
 * exact sum of the probe's first n values and G another value. */
static void assert_probe_line(const char *line, const char *what,
                              const char *kernel, gsize length, gsize n)
{
    g_autofree char *head =
        g_strdup_printf("%s (exact in any order) gives ", what);
    g_assert_true(g_str_has_prefix(line, head));
    double got;
    gint64 exact;
    int end = 0;
    g_assert_cmpint(sscanf(line + strlen(head),
                           "%lf, exact %" G_GINT64_FORMAT ", error bound 0: %n",
                           &got, &exact, &end),
                    ==, 2);
    g_assert_cmpint(exact, ==, probe_sum(length, n));
    g_assert_cmpfloat(got, !=, (double)exact);
    g_autofree char *tail =
        g_strdup_printf("the backend's %s is wrong at this size", kernel);
    g_assert_cmpstr(line + strlen(head) + end, ==, tail);
}

static const gsize probe_a2_n = 450000, probe_a2_block = 420000,
                   probe_a6_n = 1000000; /* a6_n's default */

static void test_probe_associativity(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autofree char *backends = late_backends();
    g_autofree char *p_n = g_strdup_printf("n=%zu", probe_a2_n);
    g_autofree char *p_blocks =
        g_strdup_printf("blocks=64,%zu", probe_a2_block);
    g_autoptr(NlCmd) run = nl_test_numlab(
        NULL, "run", "associativity", "--plugin-dir", PLUGINS, "-b", backends,
        "-o", dir, "-p", p_n, "-p", p_blocks, "-p", "shuffles=10", "-p",
        "shuffle_sizes=8", "-p", "counter_steps=1000", NULL);
    /* A2's block 420000 and backend sum, A6's sum: their probes, and
     * nothing else (no bound sees them) */
    g_assert_cmpuint(
        assert_reported_of(run, dir, "associativity", LATE, correct_jobs()), ==,
        3);
    g_autoptr(GKeyFile) kf = manifest(dir, "associativity");
    g_auto(GStrv) list =
        g_key_file_get_string_list(kf, "job " LATE, "fault", NULL, NULL);
    assert_probe_line(list[0],
                      "A2: tiled_sum of 450000 probe integers, tile "
                      "420000",
                      "tiled_sum", probe_a2_n, probe_a2_n);
    assert_probe_line(list[1], "A2: sum of 450000 probe integers", "sum",
                      probe_a2_n, probe_a2_n);
    assert_probe_line(list[2], "A6: sum of 1000000 probe integers", "sum",
                      probe_a6_n, probe_a6_n);

    /* A6: inside its bound, and marked all the same */
    g_autofree float *x = nl_test_normals(SEED, probe_a6_n);
    guint late = dataset_of(dir, "associativity", LATE);
    g_autoptr(NlDat) a6 = dat(dir, "associativity", "a6-backends");
    g_assert_false(beyond(cell(a6, late, 0, "sum"),
                          exact_dot(x, NULL, probe_a6_n),
                          bound(x, NULL, probe_a6_n)));
    g_assert_cmpint(cell_int(a6, late, 0, "fault"), ==, 1);
    assert_unmarked_except(dir, "associativity", "a6-backends", late);

    /* A2: the block 420000 row and the backend sum (block 0), inside
     * their bound; the others unmarked */
    double exact = exact_dot(x, NULL, probe_a2_n);
    double b = bound(x, NULL, probe_a2_n);
    g_autoptr(NlDat) a2 = dat(dir, "associativity", "a2-blocked");
    g_assert_cmpuint(nl_dat_rows(a2, late), ==, 5);
    for (guint r = 0; r < 5; r++) {
        gint64 block = (gint64)cell(a2, late, r, "block");
        gboolean wrong = block == (gint64)probe_a2_block || block == 0;
        g_assert_cmpint(cell_int(a2, late, r, "fault"), ==, wrong);
        if (wrong)
            g_assert_false(beyond(cell(a2, late, r, "sum"), exact, b));
    }
    assert_unmarked_except(dir, "associativity", "a2-blocked", late);
    nl_test_rmtree(dir);
}

static const gsize probe_tile = 405000, probe_reduce_n = 1048576;

static void test_probe_reduction_tree(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autofree char *backends = late_backends();
    g_autofree char *p_tiles = g_strdup_printf("tiles=64,%zu", probe_tile);
    /* reduce_n: its default, 2^20 */
    g_autoptr(NlCmd) run = nl_test_numlab(
        NULL, "run", "reduction-tree", "--plugin-dir", PLUGINS, "-b", backends,
        "-o", dir, "-p", "num_ctx=400000:420000:10000", "-p", p_tiles, "-p",
        "batch=1:3", "-p", "a7_k=64", "-p", "a7_n=8", NULL);
    /* A5: tile 405000 at 410000 and 420000 values, and at one value fewer
     * each (the sums their excess is taken from); A7: the sum */
    g_assert_cmpuint(
        assert_reported_of(run, dir, "reduction-tree", LATE, correct_jobs()),
        ==, 5);
    g_autoptr(GKeyFile) kf = manifest(dir, "reduction-tree");
    g_auto(GStrv) list =
        g_key_file_get_string_list(kf, "job " LATE, "fault", NULL, NULL);
    const gsize faulty_n[] = {409999, 410000, 419999, 420000};
    for (guint i = 0; i < G_N_ELEMENTS(faulty_n); i++) {
        /* "the first" but for the whole probe */
        g_autofree char *what = g_strdup_printf(
            "A5: tiled_sum of %s%zu probe integers, tile %zu",
            faulty_n[i] < 420000 ? "the first " : "", faulty_n[i], probe_tile);
        assert_probe_line(list[i], what, "tiled_sum", 420000, faulty_n[i]);
    }
    assert_probe_line(list[4], "A7: sum of 1048576 probe integers", "sum",
                      probe_reduce_n, probe_reduce_n);

    /* A5: exactly the rows of tile 405000 from 410000 on, inside their
     * bounds */
    g_autofree float *x = nl_test_normals(SEED, 420000);
    guint late = dataset_of(dir, "reduction-tree", LATE);
    g_autoptr(NlDat) sweep = dat(dir, "reduction-tree", "a5-sweep");
    g_assert_cmpuint(nl_dat_rows(sweep, late), ==, 6);
    for (guint r = 0; r < 6; r++) {
        gsize n = (gsize)cell(sweep, late, r, "num_ctx");
        gsize tile = (gsize)cell(sweep, late, r, "tile");
        gboolean wrong = tile == probe_tile && n >= 410000;
        g_assert_cmpint(cell_int(sweep, late, r, "fault"), ==, wrong);
        if (wrong)
            g_assert_false(beyond(cell(sweep, late, r, "tree"),
                                  exact_dot(x, NULL, n), bound(x, NULL, n)));
    }
    assert_unmarked_except(dir, "reduction-tree", "a5-sweep", late);
    g_autoptr(NlDat) summary = dat(dir, "reduction-tree", "a5-summary");
    for (guint r = 0; r < 2; r++)
        g_assert_cmpint(
            cell_int(summary, late, r, "faults"), ==,
            (gsize)cell(summary, late, r, "tile") == probe_tile ? 2 : 0);

    /* A7: the sum, inside its bound; not the dot product */
    g_autofree float *xy =
        nl_test_normals(SEED + A7_SEED_OFFSET + 1, 2 * probe_reduce_n);
    g_autoptr(NlDat) red = dat(dir, "reduction-tree", "a7-reductions");
    g_assert_cmpstr(nl_dat_cell(red, late, 0, 0), ==, "sum");
    g_assert_false(beyond(cell(red, late, 0, "value"),
                          exact_dot(xy, NULL, probe_reduce_n),
                          bound(xy, NULL, probe_reduce_n)));
    g_assert_cmpint(cell_int(red, late, 0, "fault"), ==, 1);
    g_assert_cmpint(cell_int(red, late, 1, "fault"), ==, 0);
    assert_unmarked_except(dir, "reduction-tree", "a7-reductions", late);
    const char *clean[] = {"a4-backends", "a5-table", "a5-one-more", "a7-row",
                           "a7-batch"};
    for (guint i = 0; i < G_N_ELEMENTS(clean); i++)
        assert_unmarked(dir, "reduction-tree", clean[i]);
    nl_test_rmtree(dir);
}

/* ---- the benchmark ---- */

static void test_bench(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    const char *label = "lanedrop:drop_above=300007";
    g_autoptr(NlCmd) run = nl_test_numlab(
        NULL, "bench", "--plugin-dir", PLUGINS, "-b",
        "naive,lanedrop:drop_above=300007", "-o", dir, "-p",
        "kernels=sum,dot,gemv,gemm,copy", "-p", "sizes=1000,400000", "-p",
        "gemm_sizes=16,64", "-p", "min_time=0.001", NULL);
    g_assert_cmpint(run->status, ==, 1);
    /* one fault: lanedrop's sum of 400000 values; its dot, gemv, gemm and
     * copy are correct loops, and so is its sum of 1000 */
    g_autoptr(GKeyFile) kf = manifest(dir, "bench");
    g_autofree char *group = g_strdup_printf("job %s", label);
    g_assert_cmpint(g_key_file_get_integer(kf, group, "faults", NULL), ==, 1);
    g_assert_false(g_key_file_has_key(kf, "job naive", "faults", NULL));
    g_autofree char *msg = g_key_file_get_string(kf, group, "fault", NULL);
    /* "sum of 400000 integers (exact in any order) gives G, exact E, error
     * bound 0;": an integer exact value, and a result that is not it */
    double got, exact;
    g_assert_cmpint(
        sscanf(
            msg,
            "sum of 400000 integers (exact in any order) gives %lf, exact %lf,",
            &got, &exact),
        ==, 2);
    g_assert_cmpfloat(exact, ==, floor(exact));
    g_assert_cmpfloat(got, !=, exact);
    g_assert_nonnull(strstr(msg, ", error bound 0;"));
    g_autoptr(NlDat) d = dat(dir, "bench", "bench-results");
    guint marked = 0;
    for (guint s = 0; s < d->datasets->len; s++)
        for (guint r = 0; r < nl_dat_rows(d, s); r++) {
            gboolean want = strcmp(nl_dat_cell(d, s, r, 0), label) == 0 &&
                            strcmp(nl_dat_cell(d, s, r, 1), "sum") == 0 &&
                            cell(d, s, r, "n") == 400000;
            g_assert_cmpint(cell_int(d, s, r, "fault"), ==, want);
            marked += want;
        }
    g_assert_cmpuint(marked, ==, 1);
    g_autofree char *line =
        g_strdup_printf("backend=%s kernel=sum n=400000 ", label);
    const char *at = strstr(run->out, line);
    g_assert_nonnull(at);
    g_autofree char *rest = g_strndup(at, strcspn(at, "\n"));
    g_assert_nonnull(strstr(rest, " fault=1 "));
    nl_test_rmtree(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/faults/associativity", test_associativity);
    g_test_add_func("/faults/reduction-tree", test_reduction_tree);
    g_test_add_func("/faults/correct-backends", test_correct_backends);
    g_test_add_func("/faults/probe/associativity", test_probe_associativity);
    g_test_add_func("/faults/probe/reduction-tree", test_probe_reduction_tree);
    g_test_add_func("/faults/bench", test_bench);
    return g_test_run();
}
