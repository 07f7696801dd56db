/* test-params-table.c — parameter validation (every type, every kind of
 * bad value gets its one-line error; exclusive bounds, list lengths,
 * matrix shapes, start:stop:step; specs a plugin can get wrong), the words
 * `numlab help` shows for a type and range, the table text form (C
 * locale, round-trip), and what a phase keeps for the later ones
 * (nl_run_keep). */
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
    g_assert_cmpstr(
        text, ==, "n=1024 t=1 big=0 on=0 mode=fast blocks=32,64 threads=unset");
    g_assert_false(nl_params_is_set(p, "threads"));
    g_assert_true(nl_params_is_set(p, "n"));
    g_assert_cmpint(nl_params_get_int(p, "threads"), ==, 0);

    char *many[] = {"n=7",       "t=0.7",          "on=yes",
                    "mode=slow", "blocks=1,2,512", "big=-9223372036854775808",
                    "n=8",       "threads=4",      NULL};
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
        {"n=-5", "parameter 'n': -5 is not in [1, 4096]"},
        {"n=4097", "4097 is not in [1, 4096]"},
        {"big=99999999999999999999", "does not fit in a 64-bit integer"},
        {"t=nan", "parameter 't': 'nan' is not a finite number"},
        {"t=inf", "is not a finite number"},
        {"t=-inf", "is not a finite number"},
        {"t=1e999", "is not a finite number"},
        {"t=0", "0 is not in [0.05, 5]"},
        {"t=1,5", "'1,5' is not a number"},
        {"on=maybe", "'maybe' is not a boolean"},
        {"mode=medium", "'medium' is not one of fast|slow"},
        {"blocks=32,,64", "parameter 'blocks': entry 2 is empty"},
        {"blocks=32,x", "parameter 'blocks': entry 2: 'x' is not an integer"},
        {"blocks=0", "entry 1: 0 is not in [1, 512]"},
        {"blocks=", "parameter 'blocks': the list is empty"},
        {"nosuch=1", "unknown parameter 'nosuch' (known: n, t, big, on, mode, "
                     "blocks, threads)"},
        {"threads=0", "parameter 'threads': 0 is not in [1, 64]"},
        {"n", "'n' is not of the form name=value"},
        {"=3", "is not of the form name=value"},
        /* what the user typed is quoted with its control characters
         * escaped, so the message stays one line (tests/fuzz found a
         * newline in an option name printed as two) */
        {"n=1\n2", "parameter 'n': '1\\n2' is not an integer"},
        {"blocks=32,\033[31m", "entry 2: '\\x1b[31m' is not an integer"},
        {"no\rsuch=1", "unknown parameter 'no\\rsuch'"},
        {"n\n", "'n\\n' is not of the form name=value"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) p = parse1(cases[i].assignment, &error);
        g_assert_null(p);
        g_assert_error(error, NL_ERROR, NL_ERROR_PARAM);
        if (!strstr(error->message, cases[i].expect))
            g_error("%s: got '%s', want '%s'", cases[i].assignment,
                    error->message, cases[i].expect);
        for (const char *c = error->message; *c; c++)
            g_assert_false(g_ascii_iscntrl(*c));
        g_assert_true(g_str_has_prefix(error->message, "exp: "));
    }
}

/* ---- the types beyond scalars ---- */

static const NlParamSpec typed[] = {
    {"lr", NL_PARAM_DOUBLE, "0.1", 0, 10, "rate", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
    {"p", NL_PARAM_DOUBLE, "0.5", 0, 1, "open", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE | NL_PARAM_MAX_EXCLUSIVE)},
    {"pos", NL_PARAM_INT, "1", 0, INFINITY, "positive", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
    {"below", NL_PARAM_DOUBLE, "-1", -INFINITY, 0, "negative", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MAX_EXCLUSIVE)},
    {"lrs", NL_PARAM_DOUBLE_LIST, "0.02,0.1", 0, INFINITY, "rates", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
    {"x", NL_PARAM_DOUBLE_LIST, "1,2.0,1e-7", 0, 0, "vector", NULL,
     NL_PARAM_EXT(.min_items = 2, .max_items = 4)},
    {"v3", NL_PARAM_DOUBLE_LIST, "1,2,3", 0, 0, "fixed", NULL,
     NL_PARAM_EXT(.min_items = 3, .max_items = 3)},
    {"temps", NL_PARAM_DOUBLE_LIST, "0.05:1:0.05", 0, INFINITY, "steps", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_STEPS, .max_items = 1000)},
    {"w", NL_PARAM_MATRIX, "1,0.5;0,1", 0, 0, "matrix", NULL, NULL},
    {"sq", NL_PARAM_MATRIX, "1,0;0,1", -1, 1, "2x2", NULL,
     NL_PARAM_EXT(.rows = 2, .cols = 2)},
    {"names", NL_PARAM_STRING_LIST, "a,b,c", 0, 0, "names", NULL, NULL},
    {"kinds", NL_PARAM_STRING_LIST, "sum", 0, 0, "kinds", "sum|dot", NULL},
    {"opt", NL_PARAM_DOUBLE_LIST, NULL, 0, 0, "optional list", NULL, NULL},
    NL_PARAM_END,
};

static NlParams *parse_typed(const char *assignment, GError **error)
{
    char *a[] = {(char *)assignment, NULL};
    return nl_params_parse(typed, "exp", assignment ? a : NULL, error);
}

static void test_typed_defaults(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) p = parse_typed(NULL, &error);
    g_assert_no_error(error);
    /* list items keep their text (2.0, 1e-7): a data file's header shows
     * what the default or the user wrote */
    g_autofree char *text = nl_params_to_string(p);
    g_assert_cmpstr(text, ==,
                    "lr=0.1 p=0.5 pos=1 below=-1 lrs=0.02,0.1 x=1,2.0,1e-7 "
                    "v3=1,2,3 temps=0.05:1:0.05 w=1,0.5;0,1 sq=1,0;0,1 "
                    "names=a,b,c kinds=sum opt=unset");
    gsize n, rows, cols;
    const double *x = nl_params_get_double_list(p, "x", &n);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpfloat(x[1], ==, 2.0);
    g_assert_cmpfloat(x[2], ==, 1e-7);
    const double *w = nl_params_get_matrix(p, "w", &rows, &cols);
    g_assert_cmpuint(rows, ==, 2);
    g_assert_cmpuint(cols, ==, 2);
    g_assert_cmpfloat(w[1], ==, 0.5); /* row-major: row 0, column 1 */
    g_assert_cmpfloat(w[2], ==, 0.0);
    const char *const *names = nl_params_get_string_list(p, "names", &n);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpstr(names[2], ==, "c");
    g_assert_null(names[3]);
    g_assert_false(nl_params_is_set(p, "opt"));
    g_assert_null(nl_params_get_double_list(p, "opt", &n));
    g_assert_cmpuint(n, ==, 0);

    /* start:stop:step: 0.05, 0.10, ... 1 — stop included although
     * 19 * 0.05 rounds a hair away from 0.95 */
    const double *t = nl_params_get_double_list(p, "temps", &n);
    g_assert_cmpuint(n, ==, 20);
    for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat(t[i], ==, 0.05 + (double)i * 0.05);
    g_assert_cmpfloat(fabs(t[19] - 1.0), <, 1e-15);
}

static void test_typed_values(void)
{
    static const struct {
        const char *assignment, *canonical;
    } cases[] = {
        /* spaces around items go; nothing else changes */
        {"x= 1 , -2.5 ", "x=1,-2.5"},
        {"w= 1, 2 ; 3 ,4 ", "w=1,2;3,4"},
        {"w=1,2,3", "w=1,2,3"}, /* one row: a vector */
        {"names= a , b ", "names=a,b"},
        {"kinds=dot,sum", "kinds=dot,sum"},
        {"temps=1", "temps=1"},
        {"temps=0:2:0.5", "temps=0:2:0.5"},
        {"lr=10", "lr=10"}, /* the closed side */
        {"p=0.999", "p=0.999"},
        {"pos=9223372036854775807", "pos=9223372036854775807"},
        {"below=-1e-300", "below=-1e-300"},
        {"lrs=1e-300", "lrs=1e-300"},
        {"lrs=4e-324", "lrs=4e-324"}, /* subnormal: a double, if a poor one */
        {"x=0,-0", "x=0,-0"},         /* zero written as zero is fine */
        {"x=1,2,3,4", "x=1,2,3,4"},
        {"sq=-1,1;1,-1", "sq=-1,1;1,-1"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) p = parse_typed(cases[i].assignment, &error);
        g_assert_no_error(error);
        g_autofree char *text = nl_params_to_string(p);
        if (!strstr(text, cases[i].canonical))
            g_error("%s: got '%s'", cases[i].assignment, text);
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) p = parse_typed("temps=0:2:0.5", &error);
    gsize n;
    const double *t = nl_params_get_double_list(p, "temps", &n);
    g_assert_cmpuint(n, ==, 5);
    g_assert_cmpfloat(t[4], ==, 2.0);
}

static void test_typed_bad_values(void)
{
    static const struct {
        const char *assignment, *expect;
    } cases[] = {
        /* exclusive bounds */
        {"lr=0", "parameter 'lr': 0 is not in (0, 10]"},
        {"lr=10.000001", "10.000001 is not in (0, 10]"},
        {"p=0", "0 is not in (0, 1)"},
        {"p=1", "1 is not in (0, 1)"},
        {"pos=0", "parameter 'pos': 0 is not > 0"},
        {"pos=-9223372036854775808", "is not > 0"},
        {"below=0", "parameter 'below': 0 is not < 0"},
        /* lists of doubles */
        {"lrs=", "parameter 'lrs': the list is empty"},
        {"lrs= ", "the list is empty"},
        {"lrs=1,,2", "parameter 'lrs': entry 2 is empty"},
        {"lrs=1,2,", "entry 3 is empty"},
        {"lrs=,1", "entry 1 is empty"},
        {"lrs=0.1,0", "parameter 'lrs': entry 2: 0 is not > 0"},
        {"lrs=0.1,-0", "entry 2: -0 is not > 0"},
        {"lrs=nan", "entry 1: 'nan' is not a finite number"},
        {"lrs=0.1,inf", "entry 2: 'inf' is not a finite number"},
        {"lrs=1e400", "entry 1: '1e400' is not a finite number"},
        {"lrs=1e-400", "entry 1: 1e-400 is below the smallest double "
                       "(4.94066e-324) and would read as 0"},
        {"below=-1e-400", "parameter 'below': -1e-400 is below the smallest"},
        {"lrs=1x", "entry 1: '1x' is not a number"},
        {"lrs=0,5", "entry 1: 0 is not > 0"},
        {"lrs=1;2", "'1;2' is not a number"},
        {"lrs=0.1:1:0.1", "'0.1:1:0.1' is not a number"}, /* no STEPS */
        {"x=1", "parameter 'x': has 1 entry, expected at least 2"},
        {"x=1,2,3,4,5", "has 5 entries, at most 4 are allowed"},
        {"v3=1,2", "parameter 'v3': has 2 entries, expected 3"},
        {"v3=1,2,3,4", "has 4 entries, expected 3"},
        /* start:stop:step */
        {"temps=1:0:0.1", "'1:0:0.1' needs step > 0 and stop >= start"},
        {"temps=0:1:0", "needs step > 0"},
        {"temps=0:1:-0.1", "needs step > 0"},
        {"temps=0:1", "'0:1' is neither a list a,b,c nor start:stop:step"},
        {"temps=0:1:2:3", "is neither a list"},
        {"temps=0:1:x", "'0:1:x' is not start:stop:step of finite numbers"},
        {"temps=0:inf:1", "is not start:stop:step of finite numbers"},
        {"temps=0::1", "is not start:stop:step of finite numbers"},
        {"temps=0:1e9:1e-9", "'0:1e9:1e-9' has more than 1000 values"},
        {"temps=-1:1:0.5", "entry 1 of -1:1:0.5: -1 is not >= 0"},
        {"temps=0.5,1:2:1", "entry 2: '1:2:1' is not a number"},
        /* matrices */
        {"w=", "parameter 'w': the matrix is empty"},
        {"w=1,2;3", "parameter 'w': row 2 has 1 entry, row 1 has 2 (rows are "
                    "separated by ';')"},
        {"w=1,2;3,4,5", "row 2 has 3 entries, row 1 has 2"},
        {"w=1,2;", "parameter 'w': row 2 is empty"},
        {"w=;1", "row 1 is empty"},
        {"w=1,,2", "parameter 'w': row 1, entry 2 is empty"},
        {"w=1,2;3,", "row 2, entry 2 is empty"},
        {"w=1,2;3,inf", "parameter 'w': row 2, entry 2: 'inf' is not a finite "
                        "number"},
        {"w=1,2;nan,1", "row 2, entry 1: 'nan' is not a finite number"},
        {"w=1,2;1e400,1", "row 2, entry 1: '1e400' is not a finite number"},
        {"sq=1,0,0;0,1,0", "parameter 'sq': has 3 columns, expected 2"},
        {"sq=1,0", "parameter 'sq': has 1 row, expected 2"},
        {"sq=2,0;0,1", "row 1, entry 1: 2 is not in [-1, 1]"},
        /* lists of names */
        {"names=", "parameter 'names': the list is empty"},
        {"names=a,,b", "parameter 'names': entry 2 is empty"},
        {"names=a,b,", "entry 3 is empty"},
        {"names=a,b,a", "parameter 'names': 'a' appears twice"},
        {"names=a, a", "'a' appears twice"},
        {"names=a\tb", "control characters are not allowed"},
        {"kinds=sum,fft", "parameter 'kinds': 'fft' is not one of sum|dot"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) p = parse_typed(cases[i].assignment, &error);
        if (p || !error || !strstr(error->message, cases[i].expect))
            g_error("%s: got '%s', want '%s'", cases[i].assignment,
                    error ? error->message : "no error", cases[i].expect);
        g_assert_error(error, NL_ERROR, NL_ERROR_PARAM);
        g_assert_null(strchr(error->message, '\n'));
        g_assert_true(g_str_has_prefix(error->message, "exp: parameter '"));
    }
}

/* What `numlab help` prints for a type and range. */
static void test_describe(void)
{
    static const struct {
        const char *name, *want;
    } cases[] = {
        {"lr", "double in (0, 10]"},
        {"p", "double in (0, 1)"},
        {"pos", "int > 0"},
        {"below", "double < 0"},
        {"lrs", "list of double, each > 0"},
        {"x", "list of 2 to 4 double"},
        {"v3", "list of 3 double"},
        {"temps", "list of up to 1000 double (or start:stop:step), each >= 0"},
        {"w", "matrix of double (rows ';', entries ',')"},
        {"sq", "2x2 matrix of double (rows ';', entries ','), each in [-1, 1]"},
        {"names", "list of distinct string"},
        {"kinds", "list of distinct string, each one of sum|dot"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        const NlParamSpec *s = typed;
        while (strcmp(s->name, cases[i].name) != 0)
            s++;
        g_autofree char *got = nl_param_describe(s);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
    static const struct {
        guint index;
        const char *want;
    } scalars[] = {
        {0, "int in [1, 4096]"},
        {1, "double in [0.05, 5]"},
        {2, "int"},
        {3, "bool (0 or 1)"},
        {4, "one of fast|slow"},
        {5, "list of int, each in [1, 512]"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(scalars); i++) {
        g_autofree char *got = nl_param_describe(&specs[scalars[i].index]);
        g_assert_cmpstr(got, ==, scalars[i].want);
    }
}

/* ---- ranges, maps, separators, empty lists ---- */

static const NlParamSpec shaped[] = {
    {"ctx", NL_PARAM_INT_RANGE, "1:4096", 1, G_GINT64_CONSTANT(1) << 40,
     "sizes", NULL, NULL},
    {"m", NL_PARAM_INT_RANGE, "64", 0, 0, "any", NULL, NULL},
    {"changes", NL_PARAM_DOUBLE_MAP, "Paris=1.6,.=1.4", 0, 0, "logits", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MAY_BE_EMPTY)},
    {"weights", NL_PARAM_DOUBLE_MAP, "a=1", 0, INFINITY, "weights", "a|b|c=d",
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE, .max_items = 2)},
    {"prompts", NL_PARAM_STRING_LIST, "die katze|der hund", 0, 0, "prompts",
     NULL, NL_PARAM_EXT(.separator = "|")},
    {"opt_ids", NL_PARAM_INT_LIST, "", 1, 9, "ids", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MAY_BE_EMPTY)},
    {"opt_range", NL_PARAM_INT_RANGE, NULL, 1, 9, "optional", NULL, NULL},
    NL_PARAM_END,
};

static NlParams *parse_shaped(const char *assignment, GError **error)
{
    char *a[] = {(char *)assignment, NULL};
    return nl_params_parse(shaped, "exp", assignment ? a : NULL, error);
}

static void expect_range(const NlParams *p, const char *name, gint64 from,
                         gint64 to, gint64 step)
{
    gint64 f = -7, t = -7, s = -7;
    nl_params_get_int_range(p, name, &f, &t, &s);
    if (f != from || t != to || s != step)
        g_error("%s: %" G_GINT64_FORMAT ":%" G_GINT64_FORMAT
                ":%" G_GINT64_FORMAT,
                name, f, t, s);
}

static void test_shaped_values(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) p = parse_shaped(NULL, &error);
    g_assert_no_error(error);
    g_autofree char *text = nl_params_to_string(p);
    g_assert_cmpstr(text, ==,
                    "ctx=1:4096 m=64 changes=Paris=1.6,.=1.4 weights=a=1 "
                    "prompts=die katze|der hund opt_ids= opt_range=unset");
    expect_range(p, "ctx", 1, 4096, 1);
    expect_range(p, "m", 64, 64, 1); /* N is N:N:1 */
    expect_range(p, "opt_range", 0, 0, 1);
    nl_params_get_int_range(p, "ctx", NULL, NULL, NULL); /* any may be NULL */

    const char *const *keys;
    gsize n;
    const double *v = nl_params_get_double_map(p, "changes", &keys, &n);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpstr(keys[0], ==, "Paris");
    g_assert_cmpstr(keys[1], ==, ".");
    g_assert_null(keys[2]);
    g_assert_cmpfloat(v[0], ==, 1.6);
    g_assert_cmpfloat(v[1], ==, 1.4);
    const char *const *prompts = nl_params_get_string_list(p, "prompts", &n);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpstr(prompts[1], ==, "der hund");
    nl_params_get_int_list(p, "opt_ids", &n); /* empty, and allowed */
    g_assert_cmpuint(n, ==, 0);
    g_assert_true(nl_params_is_set(p, "opt_ids"));

    static const struct {
        const char *assignment, *canonical;
    } cases[] = {
        {"ctx= 1 : 2 : 3 ", "ctx=1:2:3"}, /* the form given stays */
        {"ctx=+8:0010", "ctx=8:10"},      /* numbers as for an int */
        {"ctx=1099511627776", "ctx=1099511627776"},
        {"m=-5:5:5", "m=-5:5:5"}, /* no range: any integers */
        {"changes=", "changes="},
        {"changes= a = 1 , b=2.50 ", "changes=a=1,b=2.50"},
        {"changes=x==1", "changes=x==1"}, /* the name may hold '=' */
        {"weights=c=d=0.5,b=1e-300", "weights=c=d=0.5,b=1e-300"},
        {"prompts= a, b | c ", "prompts=a, b|c"}, /* commas are text */
        {"opt_ids=3,4", "opt_ids=3,4"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(NlParams) q = parse_shaped(cases[i].assignment, &error);
        g_assert_no_error(error);
        g_autofree char *t = nl_params_to_string(q);
        g_autofree char *want = g_strconcat(cases[i].canonical, " ", NULL);
        g_autofree char *padded = g_strconcat(t, " ", NULL);
        if (!strstr(padded, want))
            g_error("%s: got '%s'", cases[i].assignment, t);
    }
    g_autoptr(NlParams) q = parse_shaped("ctx=3:100:7", &error);
    expect_range(q, "ctx", 3, 100, 7);
    g_autoptr(NlParams) e = parse_shaped("changes=", &error);
    nl_params_get_double_map(e, "changes", &keys, &n);
    g_assert_cmpuint(n, ==, 0);
    g_assert_nonnull(keys); /* an empty map still ends in NULL */
    g_assert_null(keys[0]);
    g_autoptr(NlParams) w = parse_shaped("changes=x==1", &error);
    nl_params_get_double_map(w, "changes", &keys, &n);
    g_assert_cmpstr(keys[0], ==, "x=");

    /* the wrong getter: a critical, and the empty value */
    g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL,
                          "parameter 'changes' is a map of name=double, not "
                          "an int range");
    expect_range(w, "changes", 0, 0, 1);
    g_test_assert_expected_messages();
    g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL,
                          "parameter 'ctx' is an int range, not a map of "
                          "name=double");
    g_assert_null(nl_params_get_double_map(w, "ctx", &keys, &n));
    g_test_assert_expected_messages();
    g_assert_null(keys);
    g_assert_cmpuint(n, ==, 0);
}

static void test_shaped_bad_values(void)
{
    static const struct {
        const char *assignment, *expect;
    } cases[] = {
        {"ctx=0", "parameter 'ctx': 0 is not in [1, 1099511627776]"},
        {"ctx=1099511627777", "1099511627777 is not in"},
        {"ctx=1:0", "TO of 1:0: 0 is not in [1, 1099511627776]"},
        {"ctx=5:4", "parameter 'ctx': the range 5:4 is empty (5 > 4)"},
        {"ctx=1:8:0", "the step of 1:8:0 is 0, not >= 1"},
        {"ctx=1:8:-2", "the step of 1:8:-2 is -2, not >= 1"},
        {"ctx=1:x", "parameter 'ctx': TO of 1:x: 'x' is not an integer"},
        {"ctx=1:2:3:4", "'1:2:3:4' is not N, FROM:TO or FROM:TO:STEP"},
        {"ctx=", "'' is not N, FROM:TO or FROM:TO:STEP"},
        {"ctx=1::2", "TO of 1::2: '' is not an integer"},
        {"ctx=1.5", "'1.5' is not an integer"},
        {"ctx=1:99999999999999999999", "does not fit in a 64-bit integer"},
        {"changes=a", "parameter 'changes': entry 1, 'a', is not name=value"},
        {"changes=a=1,,b=2", "entry 2 is empty"},
        {"changes==1", "entry 1 has no name before '='"},
        {"changes=a=1,a=2", "parameter 'changes': 'a' appears twice"},
        {"changes=a=", "parameter 'changes': 'a': '' is not a number"},
        {"changes=a=nan", "'a': 'nan' is not a finite number"},
        {"changes=a=1\tb=2", "control characters are not allowed"},
        {"weights=a=0", "parameter 'weights': 'a': 0 is not > 0"},
        {"weights=z=1", "'z' is not one of a|b|c=d"},
        {"weights=a=1,b=1,c=d=1", "has 3 entries, at most 2 are allowed"},
        {"weights=", "parameter 'weights': the list is empty"},
        {"prompts=", "parameter 'prompts': the list is empty"},
        {"prompts=a||b", "parameter 'prompts': entry 2 is empty"},
        {"prompts=a|b |a", "'a' appears twice"},
        {"opt_ids=0", "entry 1: 0 is not in [1, 9]"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) p = parse_shaped(cases[i].assignment, &error);
        if (p || !error || !strstr(error->message, cases[i].expect))
            g_error("%s: got '%s', want '%s'", cases[i].assignment,
                    error ? error->message : "no error", cases[i].expect);
        g_assert_null(strchr(error->message, '\n'));
        g_assert_true(g_str_has_prefix(error->message, "exp: parameter '"));
    }
}

static void test_shaped_describe(void)
{
    static const struct {
        const char *name, *want;
    } cases[] = {
        {"ctx", "int range (N, FROM:TO or FROM:TO:STEP), in [1, "
                "1099511627776]"},
        {"m", "int range (N, FROM:TO or FROM:TO:STEP)"},
        {"changes", "list of name=double, names distinct, may be empty"},
        {"weights", "list of up to 2 name=double, names distinct, each one "
                    "of a|b|c=d, values > 0"},
        {"prompts", "list of distinct string separated by '|'"},
        {"opt_ids", "list of int, each in [1, 9], may be empty"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        const NlParamSpec *s = shaped;
        while (strcmp(s->name, cases[i].name) != 0)
            s++;
        g_autofree char *got = nl_param_describe(s);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
}

/* Specs that cannot be right (NL_PARAM_EXT needs file scope). */
static const NlParamSpec bad_specs[][2] = {
    {{"a", NL_PARAM_DOUBLE, "1", 0, 0, "", NULL,
      NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
     NL_PARAM_END},
    {{"a", NL_PARAM_DOUBLE, "1", 2, 1, "", NULL, NULL}, NL_PARAM_END},
    {{"a", NL_PARAM_DOUBLE, "1", NAN, 1, "", NULL, NULL}, NL_PARAM_END},
    {{"a", NL_PARAM_INT_LIST, "1", 0, 0, "", NULL,
      NL_PARAM_EXT(.flags = NL_PARAM_STEPS)},
     NL_PARAM_END},
    {{"a", NL_PARAM_DOUBLE, "1", 0, 0, "", NULL, NL_PARAM_EXT(.flags = 1 << 7)},
     NL_PARAM_END},
    {{"a", NL_PARAM_DOUBLE_LIST, "1", 0, 0, "", "x|y", NULL}, NL_PARAM_END},
    {{"a", NL_PARAM_INT, "1", 0, 0, "", NULL, NL_PARAM_EXT(.min_items = 2)},
     NL_PARAM_END},
    {{"a", NL_PARAM_DOUBLE_LIST, "1", 0, 0, "", NULL, NL_PARAM_EXT(.rows = 2)},
     NL_PARAM_END},
    {{"a", NL_PARAM_DOUBLE_LIST, "1", 0, 0, "", NULL,
      NL_PARAM_EXT(.min_items = 3, .max_items = 2)},
     NL_PARAM_END},
    {{"a", NL_PARAM_DOUBLE_LIST, "1", 0, 0, "", NULL, &(const NlParamExt){0}},
     NL_PARAM_END},
    {{"A b", NL_PARAM_INT, "1", 0, 0, "", NULL, NULL}, NL_PARAM_END},
    {{"a", (NlParamType)99, "1", 0, 0, "", NULL, NULL}, NL_PARAM_END},
    {{"a", NL_PARAM_MATRIX, "1", 0, 0, "", NULL,
      NL_PARAM_EXT(.flags = NL_PARAM_MAY_BE_EMPTY)},
     NL_PARAM_END},
    {{"a", NL_PARAM_INT_RANGE, "1", 0, 0, "", NULL,
      NL_PARAM_EXT(.flags = NL_PARAM_MAY_BE_EMPTY)},
     NL_PARAM_END},
    {{"a", NL_PARAM_INT_LIST, "1", 0, 0, "", NULL,
      NL_PARAM_EXT(.separator = "|")},
     NL_PARAM_END},
    {{"a", NL_PARAM_STRING_LIST, "x", 0, 0, "", NULL,
      NL_PARAM_EXT(.separator = "||")},
     NL_PARAM_END},
    {{"a", NL_PARAM_STRING_LIST, "x", 0, 0, "", NULL,
      NL_PARAM_EXT(.separator = "x")},
     NL_PARAM_END},
    {{"a", NL_PARAM_INT_RANGE, "1", 0, 0, "", "x|y", NULL}, NL_PARAM_END},
    {{"a", NL_PARAM_INT_RANGE, "1", 0, 0, "", NULL,
      NL_PARAM_EXT(.max_items = 2)},
     NL_PARAM_END},
};

/* A spec that cannot be right fails every parse with a line that blames
 * the plugin, before any value is read. */
static void test_bad_specs(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(bad_specs); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) p =
            nl_params_parse(bad_specs[i], "exp", NULL, &error);
        g_assert_null(p);
        g_assert_error(error, NL_ERROR, NL_ERROR_PARAM);
        if (!strstr(error->message, "invalid spec (a bug in the plugin)"))
            g_error("spec %u: %s", i, error->message);
    }
    /* a default that does not parse is the plugin's bug too */
    static const NlParamSpec bad_default[] = {
        {"a", NL_PARAM_MATRIX, "1,2;3", 0, 0, "", NULL}, NL_PARAM_END};
    g_autoptr(GError) error = NULL;
    g_assert_null(nl_params_parse(bad_default, "exp", NULL, &error));
    g_assert_nonnull(strstr(error->message, "invalid default: exp: parameter "
                                            "'a': row 2 has 1 entry"));
}

/* An ext compiled against an older, shorter NlParamExt: the host
 * reads only what it has and takes zeros for the rest. */
static void test_short_ext(void)
{
    /* struct_size ends after min_items: max_items = 1 is not read */
    static const NlParamExt old = {.struct_size =
                                       G_STRUCT_OFFSET(NlParamExt, max_items),
                                   .min_items = 2,
                                   .max_items = 1};
    static const NlParamSpec s[] = {
        {"a", NL_PARAM_DOUBLE_LIST, "1,2,3", 0, 0, "", NULL, &old},
        NL_PARAM_END};
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) p = nl_params_parse(s, "exp", NULL, &error);
    g_assert_no_error(error);
    char *one[] = {"a=1", NULL};
    g_autoptr(NlParams) q = nl_params_parse(s, "exp", one, &error);
    g_assert_null(q);
    g_assert_nonnull(strstr(error->message, "expected at least 2"));
}

/* Asking with the wrong getter is the plugin's bug: a critical, and an
 * empty value. */
static void test_wrong_getter(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) p = parse_typed(NULL, &error);
    gsize rows = 7, cols = 7, n = 7;
    g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL,
                          "parameter 'x' is a list of double, not a matrix of "
                          "double");
    g_assert_null(nl_params_get_matrix(p, "x", &rows, &cols));
    g_test_assert_expected_messages();
    g_assert_cmpuint(rows + cols, ==, 0);
    g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL,
                          "parameter 'names' is a list of string, not a "
                          "string");
    g_assert_cmpstr(nl_params_get_string(p, "names"), ==, "");
    g_test_assert_expected_messages();
    g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL,
                          "no parameter 'nosuch' was declared");
    g_assert_null(nl_params_get_string_list(p, "nosuch", &n));
    g_test_assert_expected_messages();
    g_assert_cmpuint(n, ==, 0);
}

static void test_numbers_ignore_locale(void)
{
    /* A German user's locale writes 0,5; numlab must still read and write
     * 0.5, in lists and matrices too, and describe ranges with a point.
     * Skipped where no such locale is installed. */
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

    char *many[] = {"lrs=0.5,1.25", "w=0.5,1;2,2.5", "temps=0.5:1.5:0.25",
                    "lr=2.5", NULL};
    g_autoptr(NlParams) q = nl_params_parse(typed, "exp", many, &error);
    g_assert_no_error(error);
    gsize n, rows, cols;
    const double *lrs = nl_params_get_double_list(q, "lrs", &n);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpfloat(lrs[1], ==, 1.25);
    const double *w = nl_params_get_matrix(q, "w", &rows, &cols);
    g_assert_cmpfloat(w[3], ==, 2.5);
    const double *t = nl_params_get_double_list(q, "temps", &n);
    g_assert_cmpuint(n, ==, 5);
    g_assert_cmpfloat(t[1], ==, 0.75);
    g_autofree char *text = nl_params_to_string(q);
    g_assert_nonnull(strstr(text, "lr=2.5 "));
    /* "0,5" is a list of two numbers, never one half */
    g_autoptr(NlParams) r = parse1("t=0,5", &error);
    g_assert_null(r);
    g_clear_error(&error);
    g_autoptr(NlParams) u = parse_typed("p=0,5", &error);
    g_assert_null(u);
    g_assert_nonnull(strstr(error->message, "'0,5' is not a number"));
    static const NlParamExt open_min = {.struct_size = sizeof(NlParamExt),
                                        .flags = NL_PARAM_MIN_EXCLUSIVE};
    static const NlParamSpec half[] = {
        {"h", NL_PARAM_DOUBLE, "0.25", 0, 0.5, "", NULL, &open_min},
        NL_PARAM_END};
    g_autofree char *d = nl_param_describe(&half[0]);
    g_assert_cmpstr(d, ==, "double in (0, 0.5]");
    setlocale(LC_NUMERIC, "C");
}

static void test_table_text(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlTable) t =
        nl_table_new("demo", "n:int x:f32 y:f64 b:hex s:str", &error);
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
    g_assert_cmpstr(
        out->str, ==,
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
    g_assert_cmpstr(empty->str, ==,
                    "# dataset: backend x (no rows)\nNaN \"\"\n");
    nl_table_new_dataset(t, "a");
    nl_table_new_dataset(t, "b");
    nl_table_add_int(t, 1);
    nl_table_add_str(t, "x");
    g_autoptr(GString) out = g_string_new(NULL);
    nl_table_append_rows(t, NULL, out);
    g_assert_cmpstr(out->str, ==,
                    "# dataset: a\nNaN \"\"\n\n\n# dataset: b\n1 \"x\"\n");
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
    g_test_add_func("/params/typed-defaults", test_typed_defaults);
    g_test_add_func("/params/typed-values", test_typed_values);
    g_test_add_func("/params/typed-bad-values", test_typed_bad_values);
    g_test_add_func("/params/describe", test_describe);
    g_test_add_func("/params/shaped-values", test_shaped_values);
    g_test_add_func("/params/shaped-bad-values", test_shaped_bad_values);
    g_test_add_func("/params/shaped-describe", test_shaped_describe);
    g_test_add_func("/params/bad-specs", test_bad_specs);
    g_test_add_func("/params/short-ext", test_short_ext);
    g_test_add_func("/params/wrong-getter", test_wrong_getter);
    g_test_add_func("/params/numbers-ignore-locale",
                    test_numbers_ignore_locale);
    g_test_add_func("/table/text", test_table_text);
    g_test_add_func("/table/round-trip", test_table_round_trip);
    g_test_add_func("/table/empty-datasets-keep-their-place",
                    test_table_empty_datasets_keep_their_place);
    g_test_add_func("/table/bad-columns", test_table_bad_columns);
    g_test_add_func("/run/keep", test_run_keep);
    return g_test_run();
}
