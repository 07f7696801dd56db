/* test-params-table.c — parameter validation (every kind of bad value gets
 * its one-line error), the table text form (C locale, round-trip), and
 * what a phase keeps for the later ones (nl_run_keep). */
#include "config.h"

#include "../framework/lib/nl-private.h"

#include <locale.h>
#include <math.h>
#include <string.h>

static const NlParamSpec specs[] = {
    {"n", NL_PARAM_INT, "1024", 1, 4096, "count", NULL, NULL},
    {"t", NL_PARAM_DOUBLE, "1.0", 0.05, 5, "temperature", NULL, NULL},
    {"big", NL_PARAM_INT, "0", 0, 0, "unbounded", NULL, NULL},
    {"on", NL_PARAM_BOOL, "0", 0, 0, "flag", NULL, NULL},
    {"mode", NL_PARAM_STRING, "fast", 0, 0, "mode", "fast|slow", NULL},
    {"blocks", NL_PARAM_INT_LIST, "32,64", 1, 512, "blocks", NULL, NULL},
    {"threads", NL_PARAM_INT, NULL, 1, 64, "optional", NULL, NULL},
    NL_PARAM_END,
};

static NlParams *parse1(const char *assignment, GError **error)
{
    char *a[] = {(char *)assignment, NULL};
    return nl_params_parse(specs, "exp", assignment ? a : NULL, error);
}

static void test_defaults_and_values(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) p = parse1(NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpint(nl_params_get_int(p, "n"), ==, 1024);
    g_assert_cmpfloat(nl_params_get_double(p, "t"), ==, 1.0);
    g_assert_false(nl_params_get_bool(p, "on"));
    g_assert_cmpstr(nl_params_get_string(p, "mode"), ==, "fast");
    gsize len;
    const gint64 *b = nl_params_get_int_list(p, "blocks", &len);
    g_assert_cmpuint(len, ==, 2);
    g_assert_cmpint(b[1], ==, 64);
    g_autofree char *text = nl_params_to_string(p);
    g_assert_cmpstr(text, ==,
                    "n=1024 t=1 big=0 on=0 mode=fast blocks=32,64 threads=unset");
    g_assert_false(nl_params_is_set(p, "threads"));
    g_assert_true(nl_params_is_set(p, "n"));
    g_assert_cmpint(nl_params_get_int(p, "threads"), ==, 0);

    char *many[] = {"n=7", "t=0.7", "on=yes", "mode=slow", "blocks=1,2,512",
                    "big=-9223372036854775808", "n=8", "threads=4", NULL};
    g_autoptr(NlParams) q = nl_params_parse(specs, "exp", many, &error);
    g_assert_no_error(error);
    g_assert_cmpint(nl_params_get_int(q, "n"), ==, 8); /* the last one wins */
    g_assert_cmpfloat(nl_params_get_double(q, "t"), ==, 0.7);
    g_assert_true(nl_params_get_bool(q, "on"));
    g_assert_cmpint(nl_params_get_int(q, "big"), ==, G_MININT64);
    g_assert_true(nl_params_is_set(q, "threads"));
    g_assert_cmpint(nl_params_get_int(q, "threads"), ==, 4);
}

/* Each bad value: an error of NL_ERROR_PARAM whose one line names the
 * parameter and says what is wrong. */
static void test_bad_values(void)
{
    static const struct {
        const char *assignment, *expect;
    } cases[] = {
        {"n=abc", "parameter 'n': 'abc' is not an integer"},
        {"n=", "parameter 'n': '' is not an integer"},
        {"n=1.5", "is not an integer"},
        {"n=-5", "parameter 'n': -5 is outside the allowed range 1..4096"},
        {"n=4097", "outside the allowed range 1..4096"},
        {"big=99999999999999999999", "does not fit in a 64-bit integer"},
        {"t=nan", "parameter 't': 'nan' is not a finite number"},
        {"t=inf", "is not a finite number"},
        {"t=-inf", "is not a finite number"},
        {"t=1e999", "is not a finite number"},
        {"t=0", "outside the allowed range 0.05..5"},
        {"t=1,5", "'1,5' is not a number"},
        {"on=maybe", "'maybe' is not a boolean"},
        {"mode=medium", "'medium' is not one of fast|slow"},
        {"blocks=32,,64", "'' is not an integer"},
        {"blocks=0", "outside the allowed range"},
        {"nosuch=1", "unknown parameter 'nosuch' (known: n, t, big, on, mode, blocks, threads)"},
        {"threads=0", "parameter 'threads': 0 is outside the allowed range 1..64"},
        {"n", "'n' is not of the form name=value"},
        {"=3", "is not of the form name=value"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) p = parse1(cases[i].assignment, &error);
        g_assert_null(p);
        g_assert_error(error, NL_ERROR, NL_ERROR_PARAM);
        if (!strstr(error->message, cases[i].expect))
            g_error("%s: got '%s', want '%s'", cases[i].assignment,
                    error->message, cases[i].expect);
        g_assert_null(strchr(error->message, '\n'));
        g_assert_true(g_str_has_prefix(error->message, "exp: "));
    }
}

static void test_numbers_ignore_locale(void)
{
    /* A German user's locale writes 0,5; numlab must still read and write
     * 0.5. Skipped where no such locale is installed. */
    const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", NULL};
    const char *got = NULL;
    for (const char **l = locales; *l && !got; l++)
        got = setlocale(LC_NUMERIC, *l);
    if (!got) {
        g_test_skip("no locale with a decimal comma is installed");
        return;
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) p = parse1("t=0.5", &error);
    g_assert_no_error(error);
    g_assert_cmpfloat(nl_params_get_double(p, "t"), ==, 0.5);
    char buf[64];
    nl_format_f32(buf, sizeof buf, 0.5f);
    g_assert_cmpstr(buf, ==, "0.5");
    setlocale(LC_NUMERIC, "C");
}

static void test_table_text(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlTable) t = nl_table_new("demo", "n:int x:f32 y:f64 b:hex s:str",
                                        &error);
    g_assert_no_error(error);
    nl_table_add_note(t, "note", "replaced");
    nl_table_add_note(t, "no", "a key of its own");
    nl_table_add_note(t, "note", "two\nlines");
    nl_table_add_int(t, -3);
    nl_table_add_f32(t, 0.1f);
    nl_table_add_f64(t, 0.1);
    nl_table_add_hex(t, 0x3f800000);
    nl_table_add_str(t, "Paris \"x\"");
    g_assert_false(nl_table_is_complete(t) == FALSE);
    nl_table_new_dataset(t, "second");
    nl_table_add_int(t, 4);
    g_assert_false(nl_table_is_complete(t));
    nl_table_add_f32(t, 1.0f);
    nl_table_add_f64(t, -2.5);
    nl_table_add_hex(t, 0);
    nl_table_add_str(t, "");
    g_assert_cmpuint(nl_table_n_rows(t), ==, 2);

    g_autoptr(GString) out = g_string_new(NULL);
    nl_table_append_notes(t, out);
    nl_table_append_rows(t, "backend naive", out);
    g_assert_cmpstr(out->str, ==,
                    "# note: two lines\n"
                    "# no: a key of its own\n"
                    "# dataset: backend naive\n"
                    "-3 0.100000001 0.10000000000000001 0x3f800000 \"Paris 'x'\"\n"
                    "\n\n# dataset: backend naive second\n"
                    "4 1 -2.5 0x0 \"\"\n");
    g_assert_cmpint(nl_table_column(t, "y"), ==, 2);
    g_assert_cmpfloat(nl_table_get_f64(t, 1, 2), ==, -2.5);
    g_assert_cmpstr(nl_table_get_str(t, 0, 4), ==, "Paris \"x\"");
}

static void test_table_empty_datasets_keep_their_place(void)
{
    /* gnuplot merges runs of blank lines: an empty dataset would vanish and
     * shift every later `index`, so it is written as one undrawn row. */
    g_autoptr(GError) error = NULL;
    g_autoptr(NlTable) t = nl_table_new("e", "n:int s:str", &error);
    g_autoptr(GString) empty = g_string_new(NULL);
    nl_table_append_rows(t, "backend x", empty);
    g_assert_cmpstr(empty->str, ==, "# dataset: backend x (no rows)\nNaN \"\"\n");
    nl_table_new_dataset(t, "a");
    nl_table_new_dataset(t, "b");
    nl_table_add_int(t, 1);
    nl_table_add_str(t, "x");
    g_autoptr(GString) out = g_string_new(NULL);
    nl_table_append_rows(t, NULL, out);
    g_assert_cmpstr(out->str, ==, "# dataset: a\nNaN \"\"\n\n\n# dataset: b\n1 \"x\"\n");
}

static void test_table_round_trip(void)
{
    /* %.9g and %.17g read back to the same bits, for any value. */
    g_autoptr(GError) error = NULL;
    g_autoptr(NlTable) t = nl_table_new("rt", "x:f32 y:f64", &error);
    NlRng rng;
    nl_rng_init(&rng, 1);
    float xs[2000];
    double ys[2000];
    for (int i = 0; i < 2000; i++) {
        guint64 r = nl_rng_next_u64(&rng);
        guint32 fb = (guint32)r;
        memcpy(&xs[i], &fb, 4);
        memcpy(&ys[i], &r, 8);
        if (isnan(xs[i]))
            xs[i] = 1.5f;
        if (isnan(ys[i]))
            ys[i] = 2.5;
        nl_table_add_f32(t, xs[i]);
        nl_table_add_f64(t, ys[i]);
    }
    g_autoptr(GString) out = g_string_new(NULL);
    nl_table_append_rows(t, NULL, out);
    g_auto(GStrv) lines = g_strsplit(out->str, "\n", -1);
    for (int i = 0; i < 2000; i++) {
        char *end;
        float x = (float)g_ascii_strtod(lines[i], &end);
        double y = g_ascii_strtod(end, NULL);
        g_assert_cmphex(nl_f32_bits(x), ==, nl_f32_bits(xs[i]));
        g_assert_cmphex(nl_f64_bits(y), ==, nl_f64_bits(ys[i]));
    }
}

static void test_table_bad_columns(void)
{
    g_autoptr(GError) error = NULL;
    g_assert_null(nl_table_new("t", "x:float", &error));
    g_assert_error(error, NL_ERROR, NL_ERROR_JOB);
    g_clear_error(&error);
    g_assert_null(nl_table_new("../evil", "x:int", &error));
    g_assert_error(error, NL_ERROR, NL_ERROR_JOB);
}

static int destroyed[3];

static void count_destroy(gpointer data)
{
    destroyed[GPOINTER_TO_INT(data)]++;
}

/* What run_common keeps reaches the jobs and compare, what a job keeps
 * reaches compare; keeping again destroys the old object at once, and
 * freeing a run destroys its object whether the phase succeeded or not. */
static void test_run_keep(void)
{
    NlRun *common = nl_run_new(NULL, 1, NULL, "common");
    NlRun *job = nl_run_new(NULL, 1, NULL, "job");
    NlRun *compare = nl_run_new(NULL, 1, NULL, "compare");
    nl_run_keep(common, GINT_TO_POINTER(0), count_destroy);
    nl_run_keep(job, GINT_TO_POINTER(1), count_destroy);
    nl_run_keep(job, GINT_TO_POINTER(2), count_destroy);
    g_assert_cmpint(destroyed[1], ==, 1);
    g_assert_cmpint(destroyed[2], ==, 0);
    nl_run_set_common(job, common);
    g_assert_true(nl_run_common_data(job) == GINT_TO_POINTER(0));
    g_autoptr(GPtrArray) jobs = g_ptr_array_new();
    g_ptr_array_add(jobs, job);
    nl_run_set_jobs(compare, jobs);
    nl_run_set_common(compare, common);
    g_assert_cmpuint(nl_run_n_jobs(compare), ==, 1);
    g_assert_true(nl_run_job_data(compare, 0) == GINT_TO_POINTER(2));
    g_assert_true(nl_run_common_data(compare) == GINT_TO_POINTER(0));
    g_assert_null(nl_run_common_data(common)); /* no common of its own */
    nl_run_free(compare);
    nl_run_free(job);
    nl_run_free(common);
    g_assert_cmpint(destroyed[0], ==, 1);
    g_assert_cmpint(destroyed[1], ==, 1);
    g_assert_cmpint(destroyed[2], ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/params/defaults-and-values", test_defaults_and_values);
    g_test_add_func("/params/bad-values", test_bad_values);
    g_test_add_func("/params/numbers-ignore-locale", test_numbers_ignore_locale);
    g_test_add_func("/table/text", test_table_text);
    g_test_add_func("/table/round-trip", test_table_round_trip);
    g_test_add_func("/table/empty-datasets-keep-their-place",
                    test_table_empty_datasets_keep_their_place);
    g_test_add_func("/table/bad-columns", test_table_bad_columns);
    g_test_add_func("/run/keep", test_run_keep);
    return g_test_run();
}
