/* test-errata.c — every entry of lecture/errata.ini recomputed: the
 * lecture's printed numbers and stated directions against what numlab
 * computes (doc/errata.md).
 *
 * An entry with `run` is run through the numlab binary, once per distinct
 * command line, and its value read back from the .dat file with a parser
 * of this file's own; it is checked against the entry's independent value
 * (exact or 30-digit arithmetic, written in the file), sign, rank, count
 * or bound. An entry without `run` is arithmetic that no experiment
 * computes; this file computes it (arithmetic_checks below), and an entry
 * of neither kind fails. With `printed`, a correct entry must round to the
 * printed digits and a wrong one must not. Last, every entry must have
 * its paragraph in doc/errata.md. */
#include "config.h"

#include "test-util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ERRATA NL_SRCDIR "/lecture/errata.ini"
#define DOC    NL_SRCDIR "/doc/errata.md"

/* ---- the runs, one per command line ---- */

static GHashTable *runs; /* run string -> output folder */

static const char *run_dir(const char *run)
{
    const char *dir = g_hash_table_lookup(runs, run);
    if (dir)
        return dir;
    char *out = nl_test_tmpdir();
    g_auto(GStrv) words = NULL;
    g_assert_true(g_shell_parse_argv(run, NULL, &words, NULL));
    GPtrArray *args = g_ptr_array_new();
    g_ptr_array_add(args, "run");
    for (char **w = words; *w; w++)
        g_ptr_array_add(args, *w);
    g_ptr_array_add(args, "-o");
    g_ptr_array_add(args, out);
    g_ptr_array_add(args, NULL);
    g_autoptr(NlCmd) c = nl_test_numlab_argv(NULL, (char **)args->pdata);
    g_ptr_array_free(args, TRUE);
    if (c->status != 0)
        g_error("numlab run %s: exit %d: %s", run, c->status, c->err);
    g_hash_table_insert(runs, g_strdup(run), out);
    return out;
}

/* ---- a .dat file, read here: named datasets of named columns ---- */

typedef struct {
    char *name;      /* from "# dataset: NAME", "" for an unnamed one */
    GPtrArray *rows; /* GStrv */
} Dataset;

typedef struct {
    GStrv columns;
    GPtrArray *datasets; /* Dataset* */
} Dat;

static void dataset_free(gpointer p)
{
    Dataset *d = p;
    g_free(d->name);
    g_ptr_array_unref(d->rows);
    g_free(d);
}

static Dataset *dataset_new(const char *name)
{
    Dataset *d = g_new0(Dataset, 1);
    d->name = g_strdup(name);
    d->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    return d;
}

/* The column line is the last comment without a ':' before the first row
 * ("# iteration zhat error ..."); "# dataset: NAME" opens a dataset. */
static Dat *dat_read(const char *path)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        g_error("cannot read %s", path);
    Dat *dat = g_new0(Dat, 1);
    dat->datasets = g_ptr_array_new_with_free_func(dataset_free);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    const char *column_line = NULL;
    Dataset *current = NULL;
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "# dataset: ")) {
            current = dataset_new(*l + strlen("# dataset: "));
            g_ptr_array_add(dat->datasets, current);
        } else if (g_str_has_prefix(*l, "#")) {
            if (!dat->columns && !strchr(*l, ':'))
                column_line = *l + 1;
        } else if (**l) {
            if (!dat->columns) {
                g_assert_nonnull(column_line);
                g_autofree char *names = g_strstrip(g_strdup(column_line));
                dat->columns = g_strsplit(names, " ", -1);
            }
            if (!current) {
                current = dataset_new("");
                g_ptr_array_add(dat->datasets, current);
            }
            char **cells = NULL;
            if (!g_shell_parse_argv(*l, NULL, &cells, NULL))
                g_error("%s: a row that does not parse: %s", path, *l);
            g_ptr_array_add(current->rows, cells);
        }
    }
    return dat;
}

static void dat_free(Dat *dat)
{
    g_strfreev(dat->columns);
    g_ptr_array_unref(dat->datasets);
    g_free(dat);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Dat, dat_free)

static int column_index(const Dat *dat, const char *name, const char *path)
{
    for (int i = 0; dat->columns[i]; i++)
        if (strcmp(dat->columns[i], name) == 0)
            return i;
    g_error("%s has no column '%s'", path, name);
}

static gboolean parse_number(const char *s, double *v)
{
    char *end = NULL;
    *v = g_ascii_strtod(s, &end);
    return end != s && *end == '\0';
}

/* Whether cell equals want: as numbers when both are numbers. */
static gboolean cell_matches(const char *cell, const char *want)
{
    double a, b;
    if (parse_number(cell, &a) && parse_number(want, &b))
        return fabs(a - b) <= 1e-12 * MAX(1.0, fabs(b));
    return strcmp(cell, want) == 0;
}

static gboolean row_selected(const Dat *dat, GStrv row, GStrv conditions,
                             const char *path)
{
    for (char **c = conditions; c && *c; c++) {
        const char *eq = strchr(*c, '=');
        g_assert_nonnull(eq);
        g_autofree char *name = g_strndup(*c, eq - *c);
        if (!cell_matches(row[column_index(dat, name, path)], eq + 1))
            return FALSE;
    }
    return TRUE;
}

/* ---- one entry ---- */

typedef struct {
    const char *id;
    GKeyFile *kf;
} Entry;

static char *get(const Entry *e, const char *key)
{
    return g_key_file_get_string(e->kf, e->id, key, NULL);
}

/* printed's digits after the point (0 for an integer). */
static int decimals(const char *printed)
{
    const char *point = strchr(printed, '.');
    return point ? (int)strlen(point + 1) : 0;
}

/* A correct entry rounds to what the lecture printed, a wrong one not. */
static void check_printed(const Entry *e, double value)
{
    g_autofree char *printed = get(e, "printed");
    g_autofree char *verdict = get(e, "verdict");
    if (!printed || g_strcmp0(verdict, "imprecise") == 0)
        return;
    double p;
    g_assert_true(parse_number(printed, &p));
    g_autofree char *rounded =
        g_strdup_printf("%.*f", decimals(printed), value);
    g_autofree char *as_printed = g_strdup_printf("%.*f", decimals(printed), p);
    gboolean same =
        strcmp(rounded, as_printed) == 0 || (value == 0.0 && p == 0.0);
    if (g_strcmp0(verdict, "correct") == 0 && !same)
        g_error("%s: marked correct, but numlab's %s is not the printed %s",
                e->id, rounded, printed);
    if (g_strcmp0(verdict, "wrong") == 0 && same)
        g_error("%s: marked wrong, but numlab's %s is the printed %s", e->id,
                rounded, printed);
}

static void check_run(const Entry *e)
{
    g_autofree char *run = get(e, "run");
    g_autofree char *file = get(e, "file");
    g_autofree char *dataset = get(e, "dataset");
    g_autofree char *row = get(e, "row");
    g_autofree char *column = get(e, "column");
    g_assert_nonnull(file);
    g_autofree char *path = g_build_filename(run_dir(run), file, NULL);
    g_autoptr(Dat) dat = dat_read(path);
    const Dataset *d = NULL;
    for (guint i = 0; i < dat->datasets->len && !d; i++) {
        const Dataset *x = dat->datasets->pdata[i];
        if (!dataset || strcmp(x->name, dataset) == 0)
            d = x;
    }
    if (!d)
        g_error("%s: %s has no dataset '%s'", e->id, path, dataset);
    g_auto(GStrv) conditions = row ? g_strsplit(row, ";", -1) : NULL;
    GStrv selected = NULL;
    guint count = 0;
    for (guint r = 0; r < d->rows->len; r++)
        if (row_selected(dat, d->rows->pdata[r], conditions, path)) {
            selected = selected ? selected : d->rows->pdata[r];
            count++;
        }

    gboolean checked = FALSE;
    if (g_key_file_has_key(e->kf, e->id, "count", NULL)) {
        gint64 want = g_key_file_get_int64(e->kf, e->id, "count", NULL);
        g_assert_cmpint(count, ==, want);
        check_printed(e, (double)count);
        checked = TRUE;
    }
    if (!column) {
        g_assert_true(checked);
        return;
    }
    if (!selected)
        g_error("%s: no row of %s matches %s", e->id, path, row);
    int c = column_index(dat, column, path);
    const char *cell = selected[c];
    g_autofree char *text = get(e, "text");
    if (text) {
        g_assert_cmpstr(cell, ==, text);
        checked = TRUE;
    }
    double v = 0.0;
    gboolean numeric = parse_number(cell, &v);
    g_autofree char *want = get(e, "value");
    if (want) {
        double w, tol = 5e-7;
        g_assert_true(numeric);
        g_assert_true(parse_number(want, &w));
        if (g_key_file_has_key(e->kf, e->id, "tolerance", NULL))
            tol = g_key_file_get_double(e->kf, e->id, "tolerance", NULL);
        if (!(fabs(v - w) <= tol))
            g_error("%s: numlab computes %.17g, the independent value is %s "
                    "(tolerance %g)",
                    e->id, v, want, tol);
        check_printed(e, v);
        checked = TRUE;
    }
    g_autofree char *sign = get(e, "sign");
    if (sign) {
        g_assert_true(numeric);
        g_assert_true(strcmp(sign, "+") == 0 ? v > 0 : v < 0);
        checked = TRUE;
    }
    g_autofree char *rank = get(e, "rank");
    if (rank) {
        for (guint r = 0; r < d->rows->len; r++) {
            double o;
            g_assert_true(parse_number(((GStrv)d->rows->pdata[r])[c], &o));
            g_assert_true(strcmp(rank, "min") == 0 ? v <= o : v >= o);
        }
        checked = TRUE;
    }
    if (g_key_file_has_key(e->kf, e->id, "abs_below", NULL)) {
        double bound = g_key_file_get_double(e->kf, e->id, "abs_below", NULL);
        g_assert_cmpfloat(fabs(v), <, bound);
        checked = TRUE;
    }
    if (!checked)
        g_error("%s: says what numlab computes but checks nothing", e->id);
}

/* ---- what no experiment computes ---- */

static double softmax_i(const double *z, int n, int i)
{
    double s = 0.0;
    for (int j = 0; j < n; j++)
        s += exp(z[j]);
    return exp(z[i]) / s;
}

static void check_e10(void) /* Σ e^score */
{
    double s = exp(0.75) + exp(1.0) + exp(0.75) + exp(1.25);
    g_assert_cmpfloat(fabs(s - 10.442625), <, 5e-7);
    g_assert_cmpfloat(fabs(s - 10.45), >, 0.005); /* not 10.45 */
}

/* loss ½(z − ẑ)² of ẑ = Σ w_kk x_k, x = [1, 2, 1, 0], z = 0.5 */
static double d1_loss(double w11, double w22)
{
    double zhat = w11 * 1 + w22 * 2 + 1.0 * 1 + 1.0 * 0;
    return 0.5 * (0.5 - zhat) * (0.5 - zhat);
}

static void check_e28(void) /* a larger ẑ gives a larger error */
{
    double lo = 0.5 * (0.5 - 3.9) * (0.5 - 3.9);
    double at = 0.5 * (0.5 - 4.0) * (0.5 - 4.0);
    double hi = 0.5 * (0.5 - 4.1) * (0.5 - 4.1);
    g_assert_cmpfloat(lo, <, at);
    g_assert_cmpfloat(at, <, hi);
    g_assert_cmpfloat(fabs(hi - 6.48), <, 1e-12);
}

static void check_e32(void) /* raising w22 raises the error */
{
    g_assert_cmpfloat(fabs(d1_loss(1, 1) - 6.125), <, 1e-15);
    g_assert_cmpfloat(d1_loss(1, 1.01), >, d1_loss(1, 1));
    double slope = (d1_loss(1, 1 + 1e-6) - d1_loss(1, 1 - 1e-6)) / 2e-6;
    g_assert_cmpfloat(fabs(slope - 7.0), <, 1e-6);
}

static void check_e52(void) /* ∂p_i/∂z_j = p_i(δ_ij − p_j) */
{
    const double z[3] = {2.0, 1.0, 0.1};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double up[3], down[3];
            memcpy(up, z, sizeof z);
            memcpy(down, z, sizeof z);
            up[j] += 1e-6;
            down[j] -= 1e-6;
            double numeric =
                (softmax_i(up, 3, i) - softmax_i(down, 3, i)) / 2e-6;
            double pi = softmax_i(z, 3, i), pj = softmax_i(z, 3, j);
            double formula = pi * ((i == j) - pj);
            g_assert_cmpfloat(fabs(numeric - formula), <, 1e-9);
        }
}

static void check_e69(void) /* float32 carries 24 bits */
{
    double digits = 24 * log10(2.0);
    g_assert_cmpfloat(fabs(digits - 7.2247), <, 1e-4);
    g_assert_cmpint((int)round(digits), ==, 7);
}

static void check_e82(void) /* logprob to probability */
{
    g_assert_cmpfloat(fabs(exp(-0.234) - 0.791362), <, 5e-7);
    g_assert_cmpfloat(fabs(exp(-2.891) - 0.055521), <, 5e-7);
}

static const struct {
    const char *id;
    void (*check)(void);
} arithmetic_checks[] = {
    {"E10", check_e10}, {"E28", check_e28}, {"E32", check_e32},
    {"E52", check_e52}, {"E69", check_e69}, {"E82", check_e82},
};

static void check_arithmetic(const Entry *e)
{
    for (guint i = 0; i < G_N_ELEMENTS(arithmetic_checks); i++)
        if (strcmp(arithmetic_checks[i].id, e->id) == 0) {
            arithmetic_checks[i].check();
            return;
        }
    g_error("%s: no run and no arithmetic check: nothing computes it", e->id);
}

/* ---- the tests ---- */

static GKeyFile *errata(void)
{
    GKeyFile *kf = g_key_file_new();
    g_autoptr(GError) error = NULL;
    if (!g_key_file_load_from_file(kf, ERRATA, G_KEY_FILE_NONE, &error))
        g_error("%s: %s", ERRATA, error->message);
    return kf;
}

static void test_entry(gconstpointer data)
{
    g_autoptr(GKeyFile) kf = errata();
    Entry e = {data, kf};
    g_autofree char *verdict = get(&e, "verdict");
    g_autofree char *source = get(&e, "source");
    g_autofree char *claim = get(&e, "claim");
    g_assert_true(g_strcmp0(verdict, "correct") == 0 ||
                  g_strcmp0(verdict, "wrong") == 0 ||
                  g_strcmp0(verdict, "imprecise") == 0);
    g_assert_nonnull(source);
    g_assert_nonnull(claim);
    /* the reason in both languages of the report page, or in neither */
    g_assert_true(g_key_file_has_key(kf, e.id, "why", NULL) ==
                  g_key_file_has_key(kf, e.id, "why_de", NULL));
    if (g_key_file_has_key(kf, e.id, "run", NULL))
        check_run(&e);
    else
        check_arithmetic(&e);
}

/* doc/errata.md has a paragraph for every entry, "**E12** – ...", whose
 * "**Verdict: ...**" is the file's. */
static void test_documented(void)
{
    g_autoptr(GKeyFile) kf = errata();
    g_autofree char *doc = NULL;
    g_assert_true(g_file_get_contents(DOC, &doc, NULL, NULL));
    g_auto(GStrv) ids = g_key_file_get_groups(kf, NULL);
    for (char **id = ids; *id; id++) {
        g_autofree char *heading = g_strdup_printf("**%s** ", *id);
        const char *entry = strstr(doc, heading);
        if (!entry)
            g_error("doc/errata.md has no entry %s", heading);
        const char *verdict = strstr(entry, "**Verdict: ");
        const char *next = strstr(entry + strlen(heading), "\n**E");
        if (!verdict || (next && verdict > next))
            g_error("doc/errata.md: %s has no verdict", *id);
        g_autofree char *want = g_key_file_get_string(kf, *id, "verdict", NULL);
        if (!g_str_has_prefix(verdict + strlen("**Verdict: "), want))
            g_error("doc/errata.md: %s's verdict is not '%s'", *id, want);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    runs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GKeyFile) kf = errata();
    g_auto(GStrv) ids = g_key_file_get_groups(kf, NULL);
    for (char **id = ids; *id; id++) {
        g_autofree char *name = g_strdup_printf("/errata/%s", *id);
        g_test_add_data_func_full(name, g_strdup(*id), test_entry, g_free);
    }
    g_test_add_func("/errata/documented", test_documented);
    int rc = g_test_run();
    GHashTableIter it;
    gpointer dir;
    g_hash_table_iter_init(&it, runs);
    while (g_hash_table_iter_next(&it, NULL, &dir))
        nl_test_rmtree(dir);
    g_hash_table_unref(runs);
    return rc;
}
