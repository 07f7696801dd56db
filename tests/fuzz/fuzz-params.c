/* fuzz-params.c — libFuzzer target for the parameter parser
 * (nl_params_parse, framework/lib/params.c and params-text.c).
 *
 * The input is what a user passes as -p: one "name=value" assignment per
 * line, parsed against a table with every NlParamType, ranges open and
 * closed, exclusive bounds, list lengths, a fixed matrix shape, a
 * separator, choices, optional parameters and NL_PARAM_STEPS /
 * NL_PARAM_MAY_BE_EMPTY. It checks what the parser promises:
 *  - a refusal is a GError of one line;
 *  - every value read back lies within its spec (range, item count, shape,
 *    FROM <= TO, STEP >= 1, choices);
 *  - the canonical values round-trip: nl_params_canonical()'s
 *    "name=value" parse again to the same values and the same
 *    nl_params_to_string() (what `numlab rerun` relies on).
 * It does not check what a value means to an experiment. */
#include "config.h"

#include "../../framework/lib/nl-private.h"
#include "fuzz-util.h"

#include <math.h>

#define VOCAB  "Paris|Berlin|Rom|Frankreich|.|<EOS>"
#define KERNEL "sum|dot|gemv|gemm|softmax"

static const NlParamSpec specs[] = {
    {"n", NL_PARAM_INT, "1000", 1, 1e9, "values summed", NULL, NULL},
    {"offset", NL_PARAM_INT, "0", 0, 0, "no range", NULL, NULL},
    {"threads", NL_PARAM_INT, NULL, 1, 64, "optional", NULL, NULL},
    {"scale", NL_PARAM_DOUBLE, "1", 0, INFINITY, "> 0", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
    {"p", NL_PARAM_DOUBLE, "0.9", 0, 1, "in (0, 1)", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE | NL_PARAM_MAX_EXCLUSIVE)},
    {"tiny", NL_PARAM_DOUBLE, NULL, 0, 0, "optional, no range", NULL, NULL},
    {"verbose", NL_PARAM_BOOL, "0", 0, 0, "flag", NULL, NULL},
    {"mode", NL_PARAM_STRING, "fast", 0, 0, "choice", "fast|exact|both", NULL},
    {"label", NL_PARAM_STRING, NULL, 0, 0, "free text", NULL, NULL},
    {"sizes", NL_PARAM_INT_LIST, "1,2,4", 1, 1048576, "sizes", NULL,
     NL_PARAM_EXT(.max_items = 64)},
    {"pair", NL_PARAM_INT_LIST, "3,4", -100, 100, "exactly two", NULL,
     NL_PARAM_EXT(.min_items = 2, .max_items = 2)},
    {"temperature", NL_PARAM_DOUBLE_LIST, "0.05:5:0.05", 0, INFINITY,
     "list or start:stop:step", NULL, NL_PARAM_EXT(.flags = NL_PARAM_STEPS)},
    {"weights", NL_PARAM_DOUBLE_LIST, "", -1000, 1000, "may be empty", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MAY_BE_EMPTY, .max_items = 16)},
    {"a", NL_PARAM_MATRIX, "1,0;0,1", 0, 0, "2x2", NULL,
     NL_PARAM_EXT(.rows = 2, .cols = 2)},
    {"m", NL_PARAM_MATRIX, "1", -1, 1, "any shape", NULL, NULL},
    {"vocabulary", NL_PARAM_STRING_LIST, "Paris,Berlin,Rom", 0, 0, "words",
     NULL, NULL},
    {"kernels", NL_PARAM_STRING_LIST, "sum|dot", 0, 0, "kernels", KERNEL,
     NL_PARAM_EXT(.separator = "|", .max_items = 5)},
    {"num_ctx", NL_PARAM_INT_RANGE, "1:64:2", 1, 1e9, "range", NULL, NULL},
    {"steps", NL_PARAM_INT_RANGE, NULL, 0, 0, "optional range", NULL, NULL},
    {"changes", NL_PARAM_DOUBLE_MAP, "Paris=1.6,.=1.4", 0, 0, "map", VOCAB,
     NL_PARAM_EXT(.flags = NL_PARAM_MAY_BE_EMPTY)},
    {"mix", NL_PARAM_DOUBLE_MAP, NULL, 0, 1, "optional map", NULL,
     NL_PARAM_EXT(.max_items = 8)},
    NL_PARAM_END,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) p = nl_params_parse(specs, "fuzz", NULL, &error);
    FUZZ_CHECK(p != NULL, "the fuzzer's own table: %s", error->message);
    return 0;
}

/* Whether v is within s's range (the parser's own rule, restated). */
static gboolean in_range(const NlParamSpec *s, double v)
{
    NlParamExt e;
    nl_param_spec_ext(s, &e);
    if (s->min == 0 && s->max == 0 &&
        !(e.flags & (NL_PARAM_MIN_EXCLUSIVE | NL_PARAM_MAX_EXCLUSIVE)))
        return TRUE;
    gboolean lo = e.flags & NL_PARAM_MIN_EXCLUSIVE ? v > s->min : v >= s->min;
    gboolean hi = e.flags & NL_PARAM_MAX_EXCLUSIVE ? v < s->max : v <= s->max;
    return lo && hi;
}

static gboolean is_choice(const char *choices, const char *word)
{
    g_auto(GStrv) all = g_strsplit(choices, "|", -1);
    return g_strv_contains((const char *const *)all, word);
}

/* Every getter's result against its spec. */
static void check_values(const NlParams *p)
{
    for (const NlParamSpec *s = specs; s->name; s++) {
        NlParamExt e;
        nl_param_spec_ext(s, &e);
        guint max = e.max_items ? e.max_items : G_MAXUINT;
        guint min = e.flags & NL_PARAM_MAY_BE_EMPTY ? 0 : MAX(e.min_items, 1);
        gboolean set = nl_params_is_set(p, s->name);
        gsize n = 0, rows = 0, cols = 0;
        switch (s->type) {
        case NL_PARAM_INT: {
            gint64 v = nl_params_get_int(p, s->name);
            FUZZ_CHECK(!set || in_range(s, (double)v), "%s=%" G_GINT64_FORMAT,
                       s->name, v);
            break;
        }
        case NL_PARAM_DOUBLE: {
            double v = nl_params_get_double(p, s->name);
            FUZZ_CHECK(isfinite(v) && (!set || in_range(s, v)), "%s=%g",
                       s->name, v);
            break;
        }
        case NL_PARAM_BOOL:
            (void)nl_params_get_bool(p, s->name);
            break;
        case NL_PARAM_STRING: {
            const char *v = nl_params_get_string(p, s->name);
            FUZZ_CHECK(!set || !s->choices || is_choice(s->choices, v), "%s=%s",
                       s->name, v);
            break;
        }
        case NL_PARAM_INT_LIST: {
            const gint64 *v = nl_params_get_int_list(p, s->name, &n);
            for (gsize i = 0; i < n; i++)
                FUZZ_CHECK(in_range(s, (double)v[i]), "%s[%" G_GSIZE_FORMAT "]",
                           s->name, i);
            break;
        }
        case NL_PARAM_DOUBLE_LIST: {
            const double *v = nl_params_get_double_list(p, s->name, &n);
            for (gsize i = 0; i < n; i++)
                FUZZ_CHECK(isfinite(v[i]) && in_range(s, v[i]),
                           "%s[%" G_GSIZE_FORMAT "]=%g", s->name, i, v[i]);
            break;
        }
        case NL_PARAM_MATRIX: {
            const double *v = nl_params_get_matrix(p, s->name, &rows, &cols);
            FUZZ_CHECK(!set || (rows >= 1 && cols >= 1), "%s shape", s->name);
            FUZZ_CHECK(!e.rows || rows == e.rows, "%s rows", s->name);
            FUZZ_CHECK(!e.cols || cols == e.cols, "%s cols", s->name);
            for (gsize i = 0; i < rows * cols; i++)
                FUZZ_CHECK(isfinite(v[i]) && in_range(s, v[i]), "%s entry",
                           s->name);
            continue; /* no item count */
        }
        case NL_PARAM_STRING_LIST: {
            const char *const *v = nl_params_get_string_list(p, s->name, &n);
            for (gsize i = 0; i < n; i++) {
                FUZZ_CHECK(v[i] && *v[i], "%s: empty item", s->name);
                FUZZ_CHECK(!s->choices || is_choice(s->choices, v[i]), "%s: %s",
                           s->name, v[i]);
                for (gsize j = 0; j < i; j++)
                    FUZZ_CHECK(strcmp(v[i], v[j]) != 0, "%s: %s twice", s->name,
                               v[i]);
            }
            FUZZ_CHECK(!v || v[n] == NULL, "%s: not NULL-terminated", s->name);
            break;
        }
        case NL_PARAM_INT_RANGE: {
            gint64 from, to, step;
            nl_params_get_int_range(p, s->name, &from, &to, &step);
            FUZZ_CHECK(from <= to && step >= 1, "%s", s->name);
            FUZZ_CHECK(
                !set || (in_range(s, (double)from) && in_range(s, (double)to)),
                "%s", s->name);
            continue; /* no item count */
        }
        case NL_PARAM_DOUBLE_MAP: {
            const char *const *keys;
            const double *v = nl_params_get_double_map(p, s->name, &keys, &n);
            for (gsize i = 0; i < n; i++) {
                FUZZ_CHECK(keys[i] && *keys[i], "%s: empty name", s->name);
                FUZZ_CHECK(isfinite(v[i]) && in_range(s, v[i]), "%s: %s=%g",
                           s->name, keys[i], v[i]);
                FUZZ_CHECK(!s->choices || is_choice(s->choices, keys[i]),
                           "%s: %s", s->name, keys[i]);
                for (gsize j = 0; j < i; j++)
                    FUZZ_CHECK(strcmp(keys[i], keys[j]) != 0, "%s: %s twice",
                               s->name, keys[i]);
            }
            break;
        }
        default:
            continue;
        }
        if (s->type >= NL_PARAM_INT_LIST && set)
            FUZZ_CHECK(n >= min && n <= max,
                       "%s: %" G_GSIZE_FORMAT " items, spec %u..%u", s->name, n,
                       min, max);
    }
}

/* "name=value" for every parameter given or defaulted, from
 * nl_params_canonical(): what a manifest records and `numlab rerun` passes
 * back. */
static GStrv canonical_assignments(const NlParams *p)
{
    g_auto(GStrv) names = NULL, values = NULL;
    nl_params_canonical(p, &names, &values);
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    for (guint i = 0; names[i]; i++) {
        FUZZ_CHECK(values[i] != NULL, "%s has no value", names[i]);
        g_autofree char *a = g_strconcat(names[i], "=", values[i], NULL);
        g_strv_builder_add(b, a);
    }
    return g_strv_builder_end(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *input = fuzz_text(data, size);
    g_auto(GStrv) lines = g_strsplit(input, "\n", -1);
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) p = nl_params_parse(specs, "fuzz", lines, &error);
    if (!p) {
        FUZZ_CHECK_ONE_LINE(error);
        return 0;
    }
    FUZZ_CHECK(error == NULL, "an error beside a result: %s", error->message);
    check_values(p);

    g_autofree char *text = nl_params_to_string(p);
    g_auto(GStrv) again = canonical_assignments(p);
    g_autoptr(NlParams) q = nl_params_parse(specs, "fuzz", again, &error);
    FUZZ_CHECK(q != NULL, "the canonical text '%s' does not parse: %s", text,
               error->message);
    g_autofree char *text2 = nl_params_to_string(q);
    FUZZ_CHECK(strcmp(text, text2) == 0,
               "canonical text '%s' reads back as '%s'", text, text2);
    g_auto(GStrv) again2 = canonical_assignments(q);
    FUZZ_CHECK(
        g_strv_equal((const char *const *)again, (const char *const *)again2),
        "the canonical values of '%s' change when read back", text);
    return 0;
}
