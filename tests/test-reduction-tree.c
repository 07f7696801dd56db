/* test-reduction-tree.c — the reduction-tree experiment's numbers against
 * computations made here: the tests' own tile tree (nl_test_tile_tree,
 * level by level, not the experiment's in-place one), sequential prefix
 * sums, MPFR's exact sums, and the FMA chain batch-invariant mode promises;
 * structural facts of the diagrams; and every bad input of the issue,
 * each one line with nothing written. */
#include "config.h"

#include "test-util.h"

#include <numlab/numlab.h>

#include <math.h>
#include <string.h>

#define SEED 7
static char *dir;
static gboolean have_openmp;
static const gsize n_ctx = 600, k7 = 300, n7 = 40;
static const gsize tiles[] = {16, 64, 128};

static NlDat *dat(const char *name)
{
    g_autofree char *path =
        g_strdup_printf("%s/reduction-tree/%s.dat", dir, name);
    return nl_dat_read(path);
}

static guint32 bits_of(const NlDat *d, guint set, guint row, guint col)
{
    return nl_f32_bits((float)nl_dat_double(d, set, row, col));
}

/* The dataset of a job in the per-backend tables, from backends.gp. */
static int dataset_of(const char *label)
{
    g_autofree char *path =
        g_strdup_printf("%s/reduction-tree/backends.gp", dir);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    /* the one line: backends = "a b c" */
    g_auto(GStrv) quoted = g_strsplit(strstr(text, "backends = "), "\"", 3);
    g_assert_nonnull(quoted[1]);
    g_auto(GStrv) words = g_strsplit(quoted[1], " ", -1);
    for (int i = 0; words[i]; i++)
        if (strcmp(words[i], label) == 0)
            return i;
    return -1;
}

static void test_a4_diagrams(void)
{
    g_autoptr(NlDat) nodes = dat("a4-nodes");
    g_autoptr(NlDat) edges = dat("a4-edges");
    g_autoptr(NlDat) back = dat("a4-backends");
    g_autofree float *x = nl_test_normals(SEED, n_ctx);
    const gsize ctx[] = {300, 256}, tile = 64;
    int naive = dataset_of("naive");
    for (guint d = 0; d < G_N_ELEMENTS(ctx); d++) {
        gsize tiles_n = (ctx[d] + tile - 1) / tile;
        g_assert_cmpuint(nl_dat_rows(nodes, d), ==, 2 * tiles_n - 1);
        g_assert_cmpuint(nl_dat_rows(edges, d), ==, 2 * tiles_n - 2);
        guint leaves = 0, roots = 0;
        for (guint r = 0; r < nl_dat_rows(nodes, d); r++) {
            const char *kind = nl_dat_cell(nodes, d, r, 8);
            gsize lo = (gsize)nl_dat_double(nodes, d, r, 4);
            gsize hi = (gsize)nl_dat_double(nodes, d, r, 5);
            float value = (float)nl_dat_double(nodes, d, r, 7);
            if (strcmp(kind, "tile") == 0 || strcmp(kind, "rest") == 0) {
                leaves++;
                g_assert_cmphex(
                    nl_f32_bits(value), ==,
                    nl_f32_bits(nl_test_sum_forward(x + lo, hi - lo)));
                g_assert_cmpint(strcmp(kind, "rest") == 0, ==, hi - lo < tile);
            }
            if (strcmp(kind, "root") == 0) {
                roots++;
                g_assert_cmpuint(lo, ==, 0);
                g_assert_cmpuint(hi, ==, ctx[d]);
                g_assert_cmphex(
                    nl_f32_bits(value), ==,
                    nl_f32_bits(nl_test_tile_tree(x, ctx[d], tile)));
            }
        }
        g_assert_cmpuint(leaves, ==, tiles_n);
        g_assert_cmpuint(roots, ==, 1);
        for (guint r = 0; r < nl_dat_rows(edges, d);
             r++) /* child below parent */
            g_assert_cmpfloat(nl_dat_double(edges, d, r, 2), <,
                              nl_dat_double(edges, d, r, 4));
        /* the naive backend computes exactly the model */
        g_assert_cmphex(bits_of(back, naive, d, 4), ==,
                        nl_f32_bits(nl_test_tile_tree(x, ctx[d], tile)));
        g_assert_cmpint((gint64)nl_dat_double(back, naive, d, 7), ==, 0);
        g_assert_cmphex(bits_of(back, naive, d, 8), ==,
                        nl_f32_bits(nl_test_sum_forward(x, ctx[d])));
        g_assert_cmphex(bits_of(back, naive, d, 10), ==,
                        nl_f32_bits(nl_exact_sum_f32(x, ctx[d])));
    }
    /* 300 = 4 x 64 + 44: the rest tile */
    g_assert_cmpint((gint64)nl_dat_double(back, naive, 0, 3), ==, 44);
}

static void test_a5_sweep(void)
{
    g_autoptr(NlDat) sweep = dat("a5-sweep");
    g_autoptr(NlDat) model = dat("a5-model");
    g_autoptr(NlDat) ref = dat("a5-reference");
    g_autofree float *x = nl_test_normals(SEED, n_ctx);
    int naive = dataset_of("naive");
    g_assert_cmpuint(nl_dat_rows(sweep, naive), ==,
                     n_ctx * G_N_ELEMENTS(tiles));
    g_assert_cmpuint(nl_dat_rows(ref, 0), ==, n_ctx);
    float seq = 0.0f;
    for (gsize n = 1; n <= n_ctx; n++) {
        seq += x[n - 1];
        g_assert_cmphex(bits_of(ref, 0, n - 1, 1), ==, nl_f32_bits(seq));
        /* one rounding per step: the sequential sum never moves by more
         * than half an ulp beyond the value it adds */
        g_assert_cmpfloat(fabs(nl_dat_double(ref, 0, n - 1, 4)), <=, 0.5);
        if (n % 37 == 0 || n == n_ctx)
            g_assert_cmphex(bits_of(ref, 0, n - 1, 2), ==,
                            nl_f32_bits(nl_exact_sum_f32(x, n)));
    }
    for (guint t = 0; t < G_N_ELEMENTS(tiles); t++)
        for (gsize n = 1; n <= n_ctx; n++) {
            guint r = (guint)(t * n_ctx + n - 1);
            g_assert_cmpint((gint64)nl_dat_double(sweep, naive, r, 1), ==,
                            tiles[t]);
            float want = nl_test_tile_tree(x, n, tiles[t]);
            g_assert_cmphex(bits_of(sweep, naive, r, 2), ==, nl_f32_bits(want));
            g_assert_cmphex(bits_of(model, t, (guint)(n - 1), 2), ==,
                            nl_f32_bits(want));
            g_assert_cmpint((gint64)nl_dat_double(sweep, naive, r, 5), ==, 0);
            if (n <= tiles[t]) /* one tile: the tree is the sequential sum */
                g_assert_cmpint((gint64)nl_dat_double(sweep, naive, r, 3), ==,
                                0);
        }
    g_autoptr(NlDat) summary = dat("a5-summary");
    g_assert_cmpuint(nl_dat_rows(summary, naive), ==, G_N_ELEMENTS(tiles));
    g_assert_cmpint((gint64)nl_dat_double(summary, naive, 0, 1), ==, n_ctx);
    g_assert_cmpint((gint64)nl_dat_double(summary, naive, 0, 7), ==, 0);
}

static void test_a5_table(void)
{
    g_autoptr(NlDat) t = dat("a5-table");
    g_autoptr(NlDat) more = dat("a5-one-more");
    g_autofree float *x = nl_test_normals(SEED, n_ctx);
    const gsize ctx[] = {100, 127, 128, 129, 600}, tile = 64;
    int naive = dataset_of("naive");
    g_assert_cmpuint(nl_dat_rows(t, naive), ==, G_N_ELEMENTS(ctx));
    for (guint r = 0; r < G_N_ELEMENTS(ctx); r++) {
        gsize n = ctx[r];
        g_assert_cmpint((gint64)nl_dat_double(t, naive, r, 2), ==,
                        (n + tile - 1) / tile);
        g_assert_cmpint((gint64)nl_dat_double(t, naive, r, 3), ==, n % tile);
        g_assert_cmphex(bits_of(t, naive, r, 4), ==,
                        nl_f32_bits(nl_test_tile_tree(x, n, tile)));
        float before = (float)nl_dat_double(more, naive, r, 1);
        float now = (float)nl_dat_double(more, naive, r, 2);
        g_assert_cmphex(nl_f32_bits(before), ==,
                        nl_f32_bits(nl_test_tile_tree(x, n - 1, tile)));
        g_assert_cmpfloat(nl_dat_double(more, naive, r, 3), ==,
                          (double)now - before);
        g_assert_cmphex(bits_of(more, naive, r, 4), ==, nl_f32_bits(x[n - 1]));
        g_assert_cmpfloat(nl_dat_double(more, naive, r, 5), ==,
                          (double)now - before - x[n - 1]);
    }
}

/* A7: the observed row is the first row of A7's own stream after B. */
static void test_a7_batch(void)
{
    g_autoptr(NlDat) batch = dat("a7-batch");
    g_autoptr(NlDat) row = dat("a7-row");
    g_autofree float *b =
        nl_test_normals(SEED + G_GUINT64_CONSTANT(0xa7a7a7a7), k7 * n7 + k7);
    const float *xrow = b + k7 * n7; /* the stream continues with the pool */
    int naive = dataset_of("naive");
    for (guint r = 0; r < nl_dat_rows(batch, naive); r++) {
        /* naive: one sequential order for gemm and gemv, any batch */
        g_assert_cmpint((gint64)nl_dat_double(batch, naive, r, 1), ==, 0);
        g_assert_cmpint((gint64)nl_dat_double(batch, naive, r, 3), ==, 0);
    }
    for (gsize j = 0; j < n7; j++) {
        float s = 0.0f;
        for (gsize p = 0; p < k7; p++)
            s += xrow[p] * b[p * n7 + j];
        g_assert_cmphex(bits_of(row, naive, (guint)j, 1), ==, nl_f32_bits(s));
    }
    if (!have_openmp) {
        g_test_skip("openmp is unavailable here");
        return;
    }
    const char *inv[] = {"openmp:threads=1:batch_invariant=1",
                         "openmp:threads=2:batch_invariant=1"};
    for (guint i = 0; i < G_N_ELEMENTS(inv); i++) {
        int d = dataset_of(inv[i]);
        g_assert_cmpint(d, >=, 0);
        for (guint r = 0; r < nl_dat_rows(batch, d); r++) {
            g_assert_cmpint((gint64)nl_dat_double(batch, d, r, 1), ==, 0);
            g_assert_cmpint((gint64)nl_dat_double(batch, d, r, 3), ==, 0);
        }
        for (gsize j = 0; j < n7; j++) { /* the promised FMA chain */
            float acc = 0.0f;
            for (gsize p = 0; p < k7; p++)
                acc = fmaf(xrow[p], b[p * n7 + j], acc);
            g_assert_cmphex(bits_of(row, d, (guint)j, 1), ==, nl_f32_bits(acc));
            g_assert_cmphex(bits_of(row, d, (guint)j, 2), ==, nl_f32_bits(acc));
        }
    }
    /* across jobs: the two batch-invariant jobs agree on all four kernels */
    g_autoptr(NlDat) jobs = dat("a7-jobs");
    int a = dataset_of(inv[0]), c = dataset_of(inv[1]);
    g_assert_cmpint((gint64)nl_dat_double(jobs, a, c, 8), ==, 4);
    /* plain openmp's gemv is a 32-lane dot product, not gemm's chain: of
     * 40 outputs of length 300 some differ (describe() says so) */
    int plain = dataset_of("openmp:threads=1");
    g_assert_cmpint((gint64)nl_dat_double(batch, plain, 0, 3), >, 0);
}

/* A5 in bfloat16 and float16: the left-to-right sum in the type computed
 * here, and every tree against libnumlab's nl_ref_tiled_sum_in on the
 * same values (another implementation: chunked, combined as the tiles
 * arrive), and its float32 tree against nl_ref_tiled_sum_f32. */
static void test_a5_precision(void)
{
    g_autofree float *x = nl_test_normals(SEED, n_ctx);
    const NlPrecision types[] = {NL_PRECISION_BF16, NL_PRECISION_F16};
    for (guint t = 0; t < G_N_ELEMENTS(types); t++) {
        NlPrecision p = types[t];
        g_autofree char *ref_name =
            g_strdup_printf("a5-reference-%s", nl_precision_name(p));
        g_autofree char *model_name =
            g_strdup_printf("a5-model-%s", nl_precision_name(p));
        g_autoptr(NlDat) ref = dat(ref_name);
        g_autoptr(NlDat) model = dat(model_name);
        g_autofree float *xp = g_new(float, n_ctx);
        for (gsize i = 0; i < n_ctx; i++)
            xp[i] = (float)nl_precision_round(p, x[i]);
        g_assert_cmpuint(nl_dat_rows(ref, 0), ==, n_ctx);
        float seq = 0.0f;
        for (gsize i = 0; i < n_ctx; i++) {
            seq = (float)nl_precision_round(p, (double)seq + xp[i]);
            g_assert_cmphex(bits_of(ref, 0, (guint)i, 1), ==, nl_f32_bits(seq));
        }
        g_autofree guint16 *bits = g_new(guint16, n_ctx);
        for (gsize i = 0; i < n_ctx; i++)
            bits[i] = p == NL_PRECISION_BF16 ? nl_bf16_from_f32(xp[i])
                                             : nl_f16_from_f32(xp[i]);
        NlArray a = {p, bits};
        g_assert_cmpuint(model->datasets->len, ==, G_N_ELEMENTS(tiles));
        for (guint d = 0; d < G_N_ELEMENTS(tiles); d++)
            for (gsize n = 1; n <= n_ctx; n += 7) {
                guint r = (guint)(n - 1);
                g_assert_cmpuint((gsize)nl_dat_double(model, d, r, 0), ==, n);
                g_assert_cmpuint((gsize)nl_dat_double(model, d, r, 1), ==,
                                 tiles[d]);
                g_assert_cmphex(
                    bits_of(model, d, r, 2), ==,
                    nl_f32_bits((float)nl_ref_tiled_sum_in(p, a, n, tiles[d])));
                g_assert_cmphex(
                    bits_of(model, d, r, 3), ==,
                    nl_f32_bits(nl_ref_tiled_sum_f32(xp, n, tiles[d])));
            }
    }
}

/* A7 in bfloat16 and float16 (the defaults of `precision`): the naive
 * row is the sequential float32 sum of the products of the values rounded
 * to the type (exact in float32), rounded once to the type; naive never
 * changes a row with its batch; a7-precision sums the per-precision
 * tables up. */
static void test_a7_precision(void)
{
    g_autofree float *b =
        nl_test_normals(SEED + G_GUINT64_CONSTANT(0xa7a7a7a7), k7 * n7 + k7);
    const float *xrow = b + k7 * n7;
    int naive = dataset_of("naive");
    const NlPrecision types[] = {NL_PRECISION_BF16, NL_PRECISION_F16};
    g_autoptr(NlDat) summary = dat("a7-precision");
    g_assert_cmpuint(summary->datasets->len, ==, 3);
    for (guint t = 0; t < G_N_ELEMENTS(types); t++) {
        NlPrecision p = types[t];
        g_autofree char *row_name =
            g_strdup_printf("a7-row-%s", nl_precision_name(p));
        g_autofree char *batch_name =
            g_strdup_printf("a7-batch-%s", nl_precision_name(p));
        g_autoptr(NlDat) row = dat(row_name);
        g_autoptr(NlDat) batch = dat(batch_name);
        for (gsize j = 0; j < n7; j++) {
            float s = 0.0f;
            for (gsize q = 0; q < k7; q++)
                s += (float)nl_precision_round(p, xrow[q]) *
                     (float)nl_precision_round(p, b[q * n7 + j]);
            double want = nl_precision_round(p, s);
            g_assert_cmpfloat(nl_dat_double(row, naive, (guint)j, 1), ==, want);
            g_assert_cmpfloat(nl_dat_double(row, naive, (guint)j, 2), ==, want);
        }
        gint64 all = 0;
        for (guint r = 0; r < nl_dat_rows(batch, naive); r++) {
            g_assert_cmpint((gint64)nl_dat_double(batch, naive, r, 1), ==, 0);
            g_assert_cmpint((gint64)nl_dat_double(batch, naive, r, 7), ==, 0);
            all += (gint64)nl_dat_double(batch, naive, r, 0) * (gint64)n7;
        }
        /* the summary's dataset of this precision, the naive job's row */
        guint set = t + 1;
        g_assert_cmpstr(nl_dat_cell(summary, set, (guint)naive, 0), ==,
                        nl_precision_name(p));
        g_assert_cmpint((gint64)nl_dat_double(summary, set, (guint)naive, 11),
                        ==, all);
        g_assert_cmpint((gint64)nl_dat_double(summary, set, (guint)naive, 12),
                        ==, 0);
    }
    /* float32 first */
    g_assert_cmpstr(nl_dat_cell(summary, 0, 0, 0), ==, "float32");
}

static void expect_bad(const char *param, const char *message)
{
    g_autofree char *out = nl_test_tmpdir();
    g_autoptr(NlCmd) c = nl_test_numlab(NULL, "run", "reduction-tree", "-b",
                                        "naive", "-o", out, "-p", param, NULL);
    g_assert_cmpint(c->status, ==, 1);
    if (!strstr(c->err, message))
        g_error("%s: stderr lacks '%s':\n%s", param, message, c->err);
    g_assert_cmpuint(nl_test_count_lines(c->err), ==, 1);
    /* nothing at all: at most the empty folder the writability probe made */
    g_autofree char *folder = g_build_filename(out, "reduction-tree", NULL);
    g_autoptr(GDir) d = g_dir_open(folder, 0, NULL);
    if (d && g_dir_read_name(d))
        g_error("%s: a file was written into %s", param, folder);
    nl_test_rmtree(out);
}

static void test_bad_input(void)
{
    expect_bad("tiles=0", "parameter 'tiles': entry 1: 0 is not in [1, ");
    expect_bad("tiles=32,5000",
               "tile 5000 is larger than the largest num_ctx, 4096");
    expect_bad("num_ctx=0",
               "parameter 'num_ctx': 0 is not in [1, 1099511627776]");
    expect_bad("num_ctx=1:1000000000000",
               "parameter 'num_ctx': its values, probe and sweep rows need "
               "about 1.1 PB, but only ");
    expect_bad("reduce_n=4294967296", "parameter 'reduce_n': its vectors and "
                                      "probe need about 120.3 GB, but only ");
    expect_bad("num_ctx=1:x",
               "parameter 'num_ctx': TO of 1:x: 'x' is not an integer");
    expect_bad("num_ctx=4096:1",
               "parameter 'num_ctx': the range 4096:1 is empty");
    expect_bad("batch=64:1", "parameter 'batch': the range 64:1 is empty");
    expect_bad("batch=0", "parameter 'batch': 0 is not in [1, 1048576]");
    expect_bad("batch=1:8:0", "parameter 'batch': the step of 1:8:0 is 0");
    expect_bad("batch=1:2:3:4", "'1:2:3:4' is not N, FROM:TO or FROM:TO:STEP");
    expect_bad("diagram_tile=2000", "tile 2000 is larger than num_ctx 1024");
    expect_bad("precision=float32",
               "parameter 'precision': 'float32' is not one of "
               "bfloat16|float16|float64");
    expect_bad("precision=float16,float16",
               "parameter 'precision': 'float16' appears twice");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dir = nl_test_tmpdir();
    g_autofree char *p_ctx =
        g_strdup_printf("num_ctx=1:%" G_GSIZE_FORMAT, n_ctx);
    g_autofree char *p_k = g_strdup_printf("a7_k=%" G_GSIZE_FORMAT, k7);
    g_autofree char *p_n = g_strdup_printf("a7_n=%" G_GSIZE_FORMAT, n7);
    g_autoptr(NlCmd) run = nl_test_numlab(
        NULL, "run", "reduction-tree", "-o", dir, "--seed", G_STRINGIFY(SEED),
        "-b",
        "naive,openmp:threads=1,openmp:threads=1:batch_invariant=1,"
        "openmp:threads=2:batch_invariant=1",
        "-p", p_ctx, "-p", "tiles=16,64,128", "-p",
        "table_ctx=100,127,128,129,600", "-p", "table_tile=64", "-p",
        "diagram_ctx=300,256", "-p", "diagram_tile=64", "-p", "batch=1:12",
        "-p", p_k, "-p", p_n, "-p", "reduce_n=300000", NULL);
    if (run->status != 0)
        g_error("numlab run failed: %s", run->err);
    have_openmp = !strstr(run->err, "openmp");
    g_test_add_func("/reduction-tree/a4-diagrams", test_a4_diagrams);
    g_test_add_func("/reduction-tree/a5-sweep", test_a5_sweep);
    g_test_add_func("/reduction-tree/a5-table", test_a5_table);
    g_test_add_func("/reduction-tree/a5-precision", test_a5_precision);
    g_test_add_func("/reduction-tree/a7-batch", test_a7_batch);
    g_test_add_func("/reduction-tree/a7-precision", test_a7_precision);
    g_test_add_func("/reduction-tree/bad-input", test_bad_input);
    int rc = g_test_run();
    nl_test_rmtree(dir);
    g_free(dir);
    return rc;
}
