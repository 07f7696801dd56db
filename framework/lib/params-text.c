/* params-text.c — one parameter's text to its typed value, and the words
 * that describe a type and range to a user.
 *
 * Numbers are read in the C locale whatever the user's, must be finite
 * and lie in the declared range; list items and matrix entries are
 * trimmed of spaces, and none may be empty. A failure is one line: the
 * plugin, the parameter, the item at fault and what is wrong with it.
 * Canonical text: integers (also in lists and ranges) and booleans are
 * rewritten, a double scalar gets its shortest round-trip form, and the
 * items of double lists, matrices and maps keep the text they were given
 * (trimmed), so the header of a data file shows the numbers as the user,
 * or the default, wrote them; a range keeps its form (N, FROM:TO or
 * FROM:TO:STEP).
 * Nothing here knows the other parameters of a table (params.c). */
#include "config.h"

#include "params-private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Most items a list may have when its spec sets no max_items: a bound on
 * what a start:stop:step can make the host allocate. */
#define HOST_MAX_ITEMS (1u << 20)

/* ---- types and ranges in words ---- */

const char *nl_param_type_name(NlParamType type)
{
    switch (type) {
    case NL_PARAM_INT:
        return "int";
    case NL_PARAM_DOUBLE:
        return "double";
    case NL_PARAM_BOOL:
        return "bool";
    case NL_PARAM_STRING:
        return "string";
    case NL_PARAM_INT_LIST:
        return "list of int";
    case NL_PARAM_DOUBLE_LIST:
        return "list of double";
    case NL_PARAM_MATRIX:
        return "matrix of double";
    case NL_PARAM_STRING_LIST:
        return "list of string";
    case NL_PARAM_INT_RANGE:
        return "int range";
    case NL_PARAM_DOUBLE_MAP:
        return "map of name=double";
    }
    return "?";
}

void nl_param_spec_ext(const NlParamSpec *spec, NlParamExt *ext)
{
    memset(ext, 0, sizeof *ext);
    if (spec->ext && spec->ext->struct_size >= sizeof(gsize))
        memcpy(ext, spec->ext, MIN(spec->ext->struct_size, sizeof *ext));
    ext->struct_size = sizeof *ext;
}

guint nl_param_flags(const NlParamSpec *spec)
{
    NlParamExt ext;
    nl_param_spec_ext(spec, &ext);
    return ext.flags;
}

gboolean nl_param_has_range(const NlParamSpec *spec)
{
    const guint exclusive = NL_PARAM_MIN_EXCLUSIVE | NL_PARAM_MAX_EXCLUSIVE;
    return !(spec->min == 0 && spec->max == 0 &&
             !(nl_param_flags(spec) & exclusive));
}

static gboolean integral_type(NlParamType type)
{
    return type == NL_PARAM_INT || type == NL_PARAM_INT_LIST ||
           type == NL_PARAM_INT_RANGE;
}

/* The shortest %g text that reads back to the same double: "1e-07", not
 * "9.9999999999999995e-08"; "10", not "1e+01". */
static char *shortest_text(double v)
{
    char best[G_ASCII_DTOSTR_BUF_SIZE] = "";
    for (int precision = 1; precision <= 17; precision++) {
        char format[8], buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_snprintf(format, sizeof format, "%%.%dg", precision);
        g_ascii_formatd(buf, sizeof buf, format, v);
        if (g_ascii_strtod(buf, NULL) == v &&
            (!best[0] || strlen(buf) < strlen(best)))
            g_strlcpy(best, buf, sizeof best);
    }
    return g_strdup(best);
}

/* A bound as a user would write it: whole for integer types. */
static char *bound_text(const NlParamSpec *spec, double v)
{
    if (integral_type(spec->type) && v == floor(v) && fabs(v) < 0x1p63)
        return g_strdup_printf("%" G_GINT64_FORMAT, (gint64)v);
    return shortest_text(v);
}

char *nl_param_range_string(const NlParamSpec *spec)
{
    if (!nl_param_has_range(spec))
        return g_strdup("");
    guint flags = nl_param_flags(spec);
    gboolean lo_open = flags & NL_PARAM_MIN_EXCLUSIVE;
    gboolean hi_open = flags & NL_PARAM_MAX_EXCLUSIVE;
    g_autofree char *lo = bound_text(spec, spec->min);
    g_autofree char *hi = bound_text(spec, spec->max);
    gboolean has_lo = spec->min > -INFINITY, has_hi = spec->max < INFINITY;
    if (has_lo && has_hi)
        return g_strdup_printf("%c%s, %s%c", lo_open ? '(' : '[', lo, hi,
                               hi_open ? ')' : ']');
    if (has_lo)
        return g_strdup_printf("%s %s", lo_open ? ">" : ">=", lo);
    if (has_hi)
        return g_strdup_printf("%s %s", hi_open ? "<" : "<=", hi);
    return g_strdup("");
}

/* "in [1, 4096]", "> 0", or "" */
static char *range_words(const NlParamSpec *spec)
{
    g_autofree char *range = nl_param_range_string(spec);
    if (!*range)
        return g_strdup("");
    return g_strdup_printf(
        "%s%s", range[0] == '[' || range[0] == '(' ? "in " : "", range);
}

/* "", "2 or more ", "4 ", "up to 100000 ", "2 to 8 " */
static char *count_words(const NlParamExt *ext)
{
    guint lo = ext->min_items, hi = ext->max_items;
    if (lo > 1 && lo == hi)
        return g_strdup_printf("%u ", lo);
    if (lo > 1 && hi)
        return g_strdup_printf("%u to %u ", lo, hi);
    if (lo > 1)
        return g_strdup_printf("%u or more ", lo);
    if (hi)
        return g_strdup_printf("up to %u ", hi);
    return g_strdup("");
}

/* The type and range in words, without ", may be empty". */
static char *describe_type(const NlParamSpec *spec, const NlParamExt *ext)
{
    g_autofree char *range = range_words(spec);
    g_autofree char *count = count_words(ext);
    const char *sep = *range ? " " : "";
    switch (spec->type) {
    case NL_PARAM_INT:
    case NL_PARAM_DOUBLE:
        return g_strdup_printf("%s%s%s", nl_param_type_name(spec->type), sep,
                               range);
    case NL_PARAM_BOOL:
        return g_strdup("bool (0 or 1)");
    case NL_PARAM_STRING:
        return spec->choices ? g_strdup_printf("one of %s", spec->choices)
                             : g_strdup("string");
    case NL_PARAM_INT_LIST:
    case NL_PARAM_DOUBLE_LIST:
        return g_strdup_printf(
            "list of %s%s%s%s%s", count,
            spec->type == NL_PARAM_INT_LIST ? "int" : "double",
            ext->flags & NL_PARAM_STEPS ? " (or start:stop:step)" : "",
            *range ? ", each " : "", range);
    case NL_PARAM_MATRIX: {
        g_autofree char *shape =
            ext->rows && ext->cols
                ? g_strdup_printf("%ux%u ", ext->rows, ext->cols)
            : ext->rows ? g_strdup_printf("%u-row ", ext->rows)
            : ext->cols ? g_strdup_printf("%u-column ", ext->cols)
                        : g_strdup("");
        return g_strdup_printf("%smatrix of double (rows ';', entries ',')"
                               "%s%s",
                               shape, *range ? ", each " : "", range);
    }
    case NL_PARAM_STRING_LIST: {
        g_autofree char *between =
            ext->separator
                ? g_strdup_printf(" separated by '%s'", ext->separator)
                : g_strdup("");
        return g_strdup_printf("list of %sdistinct string%s%s%s", count,
                               between, spec->choices ? ", each one of " : "",
                               spec->choices ? spec->choices : "");
    }
    case NL_PARAM_INT_RANGE:
        return g_strdup_printf("int range (N, FROM:TO or FROM:TO:STEP)%s%s",
                               *range ? ", " : "", range);
    case NL_PARAM_DOUBLE_MAP:
        return g_strdup_printf("list of %sname=double, names distinct%s%s%s%s",
                               count, spec->choices ? ", each one of " : "",
                               spec->choices ? spec->choices : "",
                               *range ? ", values " : "", range);
    }
    return g_strdup("?");
}

char *nl_param_describe(const NlParamSpec *spec)
{
    NlParamExt ext;
    nl_param_spec_ext(spec, &ext);
    g_autofree char *type = describe_type(spec, &ext);
    return g_strdup_printf("%s%s", type,
                           ext.flags & NL_PARAM_MAY_BE_EMPTY ? ", may be empty"
                                                             : "");
}

/* ---- failures ---- */

/* Where in a value the parser is: "" for a scalar, "entry 3: ", "row 2,
 * entry 1: ". */
typedef struct {
    const NlParamSpec *spec;
    const char *owner;
    char where[256]; /* ample for three numbers of a start:stop:step */
} Ctx;

static gboolean fail(const Ctx *c, GError **error, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

/* One nl_fail for the whole line: `where` quotes the user's text too, and
 * nl_fail keeps what it quotes on one line. */
static gboolean fail(const Ctx *c, GError **error, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    g_autofree char *what = g_strdup_vprintf(format, ap);
    va_end(ap);
    return nl_fail(error, NL_ERROR, NL_ERROR_PARAM, "%s: parameter '%s': %s%s",
                   c->owner, c->spec->name, c->where, what);
}

static gboolean range_fail(const Ctx *c, const char *text, GError **error)
{
    g_autofree char *range = nl_param_range_string(c->spec);
    return fail(c, error, "%s is not %s%s", text,
                range[0] == '[' || range[0] == '(' ? "in " : "", range);
}

static gboolean out_of_range(const NlParamSpec *spec, double v)
{
    if (!nl_param_has_range(spec))
        return FALSE;
    guint flags = nl_param_flags(spec);
    if (flags & NL_PARAM_MIN_EXCLUSIVE ? !(v > spec->min) : !(v >= spec->min))
        return TRUE;
    return flags & NL_PARAM_MAX_EXCLUSIVE ? !(v < spec->max)
                                          : !(v <= spec->max);
}

/* ---- numbers ---- */

/* `text` is trimmed; any 64-bit integer. */
static gboolean read_int(const Ctx *c, const char *text, gint64 *out,
                         GError **error)
{
    char *end = NULL;
    errno = 0;
    gint64 v = g_ascii_strtoll(text, &end, 10);
    if (end == text || *end != '\0')
        return fail(c, error, "'%s' is not an integer", text);
    if (errno == ERANGE)
        return fail(c, error, "%s does not fit in a 64-bit integer", text);
    *out = v;
    return TRUE;
}

/* `text` is trimmed; an integer within the spec's range. */
static gboolean parse_int(const Ctx *c, const char *text, gint64 *out,
                          GError **error)
{
    gint64 v;
    if (!read_int(c, text, &v, error))
        return FALSE;
    /* The range is held as double: compare in a way that cannot round a
     * too-large integer into range. */
    const NlParamSpec *s = c->spec;
    if (out_of_range(s, (double)v) ||
        (nl_param_has_range(s) && s->max < 0x1p63 && v > (gint64)s->max))
        return range_fail(c, text, error);
    *out = v;
    return TRUE;
}

/* `text` is trimmed. */
static gboolean parse_double(const Ctx *c, const char *text, double *out,
                             GError **error)
{
    char *end = NULL;
    errno = 0;
    double v = g_ascii_strtod(text, &end);
    if (text[0] == '\0' || end == text || *end != '\0')
        return fail(c, error, "'%s' is not a number", text);
    if (!isfinite(v))
        return fail(c, error, "'%s' is not a finite number", text);
    if (errno == ERANGE && v == 0.0) /* not silently 0 */
        return fail(c, error,
                    "%s is below the smallest double (%g) and would read "
                    "as 0",
                    text, 0x1p-1074);
    if (out_of_range(c->spec, v))
        return range_fail(c, text, error);
    *out = v;
    return TRUE;
}

/* ---- integer ranges ---- */

/* "N", "FROM:TO" or "FROM:TO:STEP"; the canonical text keeps the form
 * given, with each number rewritten as for NL_PARAM_INT. */
static gboolean parse_int_range(Ctx *c, NlParamValue *value, const char *text,
                                GString *canon, GError **error)
{
    static const char *const part[] = {"FROM", "TO", "STEP"};
    g_autofree char *t = g_strstrip(g_strdup(text));
    g_auto(GStrv) parts = g_strsplit(t, ":", -1);
    guint n = g_strv_length(parts);
    if (n < 1 || n > 3)
        return fail(c, error, "'%s' is not N, FROM:TO or FROM:TO:STEP", t);
    gint64 v[3] = {0, 0, 1};
    for (guint i = 0; i < n; i++) {
        g_strstrip(parts[i]);
        if (n > 1)
            g_snprintf(c->where, sizeof c->where, "%s of %s: ", part[i], t);
        if (!(i < 2 ? parse_int(c, parts[i], &v[i], error)
                    : read_int(c, parts[i], &v[i], error)))
            return FALSE;
        g_string_append_printf(canon, "%s%" G_GINT64_FORMAT, i ? ":" : "",
                               v[i]);
    }
    c->where[0] = '\0';
    if (n == 1)
        v[1] = v[0];
    if (v[2] < 1)
        return fail(c, error,
                    "the step of %s is %" G_GINT64_FORMAT ", not >= 1", t,
                    v[2]);
    if (v[1] < v[0])
        return fail(c, error,
                    "the range %s is empty (%" G_GINT64_FORMAT
                    " > %" G_GINT64_FORMAT ")",
                    t, v[0], v[1]);
    value->from = v[0];
    value->to = v[1];
    value->step = v[2];
    return TRUE;
}

/* ---- lists ---- */

/* The items of "a,b,c", trimmed; an empty or blank text has none. */
static char **split_items(const char *text, const char *separator)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    char **items = g_strsplit(s, separator, -1);
    for (char **it = items; *it; it++)
        g_strstrip(*it);
    return items;
}

static const char *entries(gsize n)
{
    return n == 1 ? "entry" : "entries";
}

static gboolean check_count(const Ctx *c, const NlParamExt *ext, guint n,
                            GError **error)
{
    guint max = ext->max_items ? ext->max_items : HOST_MAX_ITEMS;
    if (ext->min_items && ext->min_items == ext->max_items &&
        n != ext->min_items)
        return fail(c, error, "has %u %s, expected %u", n, entries(n),
                    ext->min_items);
    if (n < MAX(ext->min_items, 1u))
        return fail(c, error, "has %u %s, expected at least %u", n, entries(n),
                    ext->min_items);
    if (n > max)
        return fail(c, error, "has %u entries, at most %u are allowed", n, max);
    return TRUE;
}

/* "start:stop:step", each part finite; the values are start + i * step,
 * computed from i, so no error accumulates. */
static gboolean parse_steps(Ctx *c, const NlParamExt *ext, const char *text,
                            GArray *out, GString *canon, GError **error)
{
    g_auto(GStrv) parts = split_items(text, ":");
    double v[3];
    if (g_strv_length(parts) != 3)
        return fail(c, error,
                    "'%s' is neither a list a,b,c nor "
                    "start:stop:step",
                    text);
    for (int i = 0; i < 3; i++) {
        char *end = NULL;
        v[i] = g_ascii_strtod(parts[i], &end);
        if (!*parts[i] || *end || !isfinite(v[i]))
            return fail(c, error,
                        "'%s' is not start:stop:step of finite "
                        "numbers",
                        text);
    }
    double a = v[0], b = v[1], step = v[2];
    if (!(step > 0) || b < a)
        return fail(c, error, "'%s' needs step > 0 and stop >= start", text);
    guint max = ext->max_items ? ext->max_items : HOST_MAX_ITEMS;
    if ((b - a) / step + 1 > max)
        return fail(c, error, "'%s' has more than %u values", text, max);
    gsize count = (gsize)floor((b - a) / step + 1e-6) + 1;
    if (!check_count(c, ext, (guint)count, error))
        return FALSE;
    for (gsize i = 0; i < count; i++) {
        double x = a + (double)i * step;
        if (out_of_range(c->spec, x)) {
            g_autofree char *t = shortest_text(x);
            g_snprintf(c->where, sizeof c->where,
                       "entry %" G_GSIZE_FORMAT " of %s: ", i + 1, text);
            return range_fail(c, t, error);
        }
        g_array_append_val(out, x);
    }
    g_string_append_printf(canon, "%s:%s:%s", parts[0], parts[1], parts[2]);
    return TRUE;
}

/* One row of numbers into out, its canonical text onto canon. */
static gboolean parse_numbers(Ctx *c, char **items, gsize row, GArray *out,
                              GString *canon, GError **error)
{
    gboolean ints = c->spec->type == NL_PARAM_INT_LIST;
    for (gsize i = 0; items[i]; i++) {
        char entry[48];
        if (row)
            g_snprintf(entry, sizeof entry,
                       "row %" G_GSIZE_FORMAT ", entry %" G_GSIZE_FORMAT, row,
                       i + 1);
        else
            g_snprintf(entry, sizeof entry, "entry %" G_GSIZE_FORMAT, i + 1);
        c->where[0] = '\0';
        if (!*items[i])
            return fail(c, error, "%s is empty", entry);
        g_snprintf(c->where, sizeof c->where, "%s: ", entry);
        if (ints) {
            gint64 v;
            if (!parse_int(c, items[i], &v, error))
                return FALSE;
            g_array_append_val(out, v);
            g_string_append_printf(canon, "%s%" G_GINT64_FORMAT, i ? "," : "",
                                   v);
        } else {
            double v;
            if (!parse_double(c, items[i], &v, error))
                return FALSE;
            g_array_append_val(out, v);
            g_string_append_printf(canon, "%s%s", i ? "," : "", items[i]);
        }
    }
    c->where[0] = '\0';
    return TRUE;
}

/* FALSE for a list with no items: an error, unless the spec allows it
 * (*error stays unset and the empty value is complete). */
static gboolean has_items(const Ctx *c, const NlParamValue *value, char **items,
                          GError **error)
{
    if (items[0])
        return TRUE;
    if (!(value->ext.flags & NL_PARAM_MAY_BE_EMPTY))
        fail(c, error, "the list is empty");
    return FALSE;
}

/* TRUE when has_items() said no without an error. */
static gboolean empty_ok(const NlParamValue *value, char **items)
{
    return !items[0] && (value->ext.flags & NL_PARAM_MAY_BE_EMPTY);
}

static gboolean parse_list(Ctx *c, NlParamValue *value, const char *text,
                           GString *canon, GError **error)
{
    gboolean ints = c->spec->type == NL_PARAM_INT_LIST;
    value->items =
        g_array_new(FALSE, FALSE, ints ? sizeof(gint64) : sizeof(double));
    g_auto(GStrv) items = split_items(text, ",");
    if (!has_items(c, value, items, error))
        return empty_ok(value, items);
    if ((value->ext.flags & NL_PARAM_STEPS) && !items[1] &&
        strchr(items[0], ':'))
        return parse_steps(c, &value->ext, items[0], value->items, canon,
                           error);
    return check_count(c, &value->ext, g_strv_length(items), error) &&
           parse_numbers(c, items, 0, value->items, canon, error);
}

static gboolean parse_matrix(Ctx *c, NlParamValue *value, const char *text,
                             GString *canon, GError **error)
{
    value->items = g_array_new(FALSE, FALSE, sizeof(double));
    g_auto(GStrv) rows = split_items(text, ";");
    if (!rows[0])
        return fail(c, error, "the matrix is empty");
    gsize n_rows = g_strv_length(rows), n_cols = 0;
    for (gsize r = 0; r < n_rows; r++) {
        if (!*rows[r])
            return fail(c, error, "row %" G_GSIZE_FORMAT " is empty", r + 1);
        g_auto(GStrv) items = split_items(rows[r], ",");
        gsize k = g_strv_length(items);
        if (r == 0)
            n_cols = k;
        else if (k != n_cols)
            return fail(c, error,
                        "row %" G_GSIZE_FORMAT " has %" G_GSIZE_FORMAT
                        " %s, row 1 has %" G_GSIZE_FORMAT
                        " (rows are separated by ';')",
                        r + 1, k, entries(k), n_cols);
        if (r)
            g_string_append_c(canon, ';');
        if (!parse_numbers(c, items, r + 1, value->items, canon, error))
            return FALSE;
    }
    if (value->ext.rows && n_rows != value->ext.rows)
        return fail(c, error, "has %" G_GSIZE_FORMAT " row%s, expected %u",
                    n_rows, n_rows == 1 ? "" : "s", value->ext.rows);
    if (value->ext.cols && n_cols != value->ext.cols)
        return fail(c, error, "has %" G_GSIZE_FORMAT " column%s, expected %u",
                    n_cols, n_cols == 1 ? "" : "s", value->ext.cols);
    value->rows = n_rows;
    value->cols = n_cols;
    return TRUE;
}

/* ---- text ---- */

static gboolean check_text(const Ctx *c, const char *text, GError **error)
{
    for (const char *p = text; *p; p++)
        if (g_ascii_iscntrl(*p)) /* it would break the .dat header */
            return fail(c, error, "control characters are not allowed");
    return TRUE;
}

static gboolean check_choice(const Ctx *c, const char *text, GError **error)
{
    if (!c->spec->choices)
        return TRUE;
    g_auto(GStrv) choices = g_strsplit(c->spec->choices, "|", -1);
    if (!g_strv_contains((const char *const *)choices, text))
        return fail(c, error, "'%s' is not one of %s", text, c->spec->choices);
    return TRUE;
}

/* GArray hands its clear function a pointer to the element. */
static void free_string(gpointer element)
{
    g_free(*(char **)element);
}

static gboolean parse_strings(Ctx *c, NlParamValue *value, const char *text,
                              GString *canon, GError **error)
{
    const char *separator = value->ext.separator ? value->ext.separator : ",";
    value->items = g_array_new(TRUE, TRUE, sizeof(char *));
    g_array_set_clear_func(value->items, free_string);
    g_auto(GStrv) items = split_items(text, separator);
    if (!has_items(c, value, items, error))
        return empty_ok(value, items);
    if (!check_text(c, text, error) ||
        !check_count(c, &value->ext, g_strv_length(items), error))
        return FALSE;
    /* seen in a hash set: a list of thousands of entries (attention's
     * tokens) would otherwise be compared pair by pair */
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; items[i]; i++) {
        if (!*items[i])
            return fail(c, error, "entry %u is empty", i + 1);
        if (!check_choice(c, items[i], error))
            return FALSE;
        if (!g_hash_table_add(seen, items[i]))
            return fail(c, error, "'%s' appears twice", items[i]);
        char *item = g_strdup(items[i]);
        g_array_append_val(value->items, item);
        g_string_append_printf(canon, "%s%s", i ? separator : "", item);
    }
    return TRUE;
}

/* "a=1,b=2.5": the values into items, the names into keys; the canonical
 * text keeps each value as written (trimmed), as a double list does. */
static gboolean parse_map(Ctx *c, NlParamValue *value, const char *text,
                          GString *canon, GError **error)
{
    value->items = g_array_new(FALSE, FALSE, sizeof(double));
    value->keys = g_array_new(TRUE, TRUE, sizeof(char *));
    g_array_set_clear_func(value->keys, free_string);
    g_auto(GStrv) items = split_items(text, ",");
    if (!has_items(c, value, items, error))
        return empty_ok(value, items);
    if (!check_text(c, text, error) ||
        !check_count(c, &value->ext, g_strv_length(items), error))
        return FALSE;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; items[i]; i++) {
        char *eq = strrchr(items[i], '=');
        if (!*items[i])
            return fail(c, error, "entry %u is empty", i + 1);
        if (!eq)
            return fail(c, error, "entry %u, '%s', is not name=value", i + 1,
                        items[i]);
        *eq = '\0';
        const char *name = g_strstrip(items[i]);
        const char *number = g_strstrip(eq + 1);
        if (!*name)
            return fail(c, error, "entry %u has no name before '='", i + 1);
        if (!check_choice(c, name, error))
            return FALSE;
        if (!g_hash_table_add(seen, (gpointer)name))
            return fail(c, error, "'%s' appears twice", name);
        double v;
        g_snprintf(c->where, sizeof c->where, "'%s': ", name);
        if (!parse_double(c, number, &v, error))
            return FALSE;
        c->where[0] = '\0';
        char *key = g_strdup(name);
        g_array_append_val(value->keys, key);
        g_array_append_val(value->items, v);
        g_string_append_printf(canon, "%s%s=%s", i ? "," : "", name, number);
    }
    return TRUE;
}

/* ---- one value ---- */

gboolean nl_param_value_parse(NlParamValue *value, const char *owner,
                              const char *text, GError **error)
{
    Ctx c = {.spec = value->spec, .owner = owner};
    switch (value->spec->type) {
    case NL_PARAM_INT: {
        g_autofree char *t = g_strstrip(g_strdup(text));
        if (!parse_int(&c, t, &value->i, error))
            return FALSE;
        value->text = g_strdup_printf("%" G_GINT64_FORMAT, value->i);
        return TRUE;
    }
    case NL_PARAM_DOUBLE: {
        g_autofree char *t = g_strstrip(g_strdup(text));
        if (!parse_double(&c, t, &value->d, error))
            return FALSE;
        value->text = shortest_text(value->d);
        return TRUE;
    }
    case NL_PARAM_BOOL: {
        static const char *const yes[] = {"1", "true", "yes", "on", NULL};
        static const char *const no[] = {"0", "false", "no", "off", NULL};
        if (g_strv_contains(yes, text))
            value->i = 1;
        else if (g_strv_contains(no, text))
            value->i = 0;
        else
            return fail(&c, error, "'%s' is not a boolean (use 0 or 1)", text);
        value->text = g_strdup(value->i ? "1" : "0");
        return TRUE;
    }
    case NL_PARAM_STRING:
        if (!check_text(&c, text, error) || !check_choice(&c, text, error))
            return FALSE;
        value->text = g_strdup(text);
        return TRUE;
    case NL_PARAM_INT_LIST:
    case NL_PARAM_DOUBLE_LIST:
    case NL_PARAM_MATRIX:
    case NL_PARAM_STRING_LIST:
    case NL_PARAM_INT_RANGE:
    case NL_PARAM_DOUBLE_MAP: {
        GString *canon = g_string_new(NULL);
        gboolean ok;
        switch (value->spec->type) {
        case NL_PARAM_MATRIX:
            ok = parse_matrix(&c, value, text, canon, error);
            break;
        case NL_PARAM_STRING_LIST:
            ok = parse_strings(&c, value, text, canon, error);
            break;
        case NL_PARAM_INT_RANGE:
            ok = parse_int_range(&c, value, text, canon, error);
            break;
        case NL_PARAM_DOUBLE_MAP:
            ok = parse_map(&c, value, text, canon, error);
            break;
        default:
            ok = parse_list(&c, value, text, canon, error);
        }
        value->text = g_string_free(canon, !ok);
        return ok;
    }
    }
    g_return_val_if_reached(FALSE);
}

void nl_param_value_clear(NlParamValue *value)
{
    g_free(value->text);
    if (value->items)
        g_array_unref(value->items);
    if (value->keys)
        g_array_unref(value->keys);
}
