/* table.c — typed result tables and their text form.
 *
 * Cells are kept typed (not as text) so that run_compare and the tests can
 * read values back; they are formatted only when the host writes the file.
 * Numbers are printed with g_ascii_formatd, which ignores the user's
 * locale: a German LC_NUMERIC would otherwise write 0,5 and gnuplot would
 * read garbage. %.9g and %.17g are the shortest fixed precisions that read
 * back to the same float and double bits. */
#include "config.h"

#include "nl-private.h"

#include <string.h>

typedef enum { COL_INT, COL_F32, COL_F64, COL_HEX, COL_STR } ColType;

typedef struct {
    char *name;
    ColType type;
} Column;

typedef union {
    gint64 i;
    double d;
    guint64 u;
    char *s;
} Cell;

typedef struct {
    char *label;
    guint first_row;
    gboolean implicit; /* made by the first cell, not by the experiment */
} Dataset;

struct NlTable {
    char *name;
    char *title;
    char *spec;
    GArray *columns;   /* Column */
    GArray *cells;     /* Cell, row-major */
    GArray *datasets;  /* Dataset; the first starts at row 0 */
    GPtrArray *notes;  /* "key: value" */
    guint next_column; /* column of the next cell */
};

static const struct {
    const char *name;
    ColType type;
} col_types[] = {
    {"int", COL_INT}, {"f32", COL_F32}, {"f64", COL_F64},
    {"hex", COL_HEX}, {"str", COL_STR},
};

static gboolean valid_name(const char *s)
{
    if (!*s)
        return FALSE;
    for (; *s; s++)
        if (!(g_ascii_isalnum(*s) || *s == '_' || *s == '-' || *s == '.'))
            return FALSE;
    return TRUE;
}

NlTable *nl_table_new(const char *name, const char *columns, GError **error)
{
    if (!valid_name(name)) {
        g_set_error(error, NL_ERROR, NL_ERROR_JOB,
                    "table name '%s' is not a plain file name", name);
        return NULL;
    }
    NlTable *t = g_new0(NlTable, 1);
    t->name = g_strdup(name);
    t->spec = g_strdup(columns);
    t->columns = g_array_new(FALSE, FALSE, sizeof(Column));
    t->cells = g_array_new(FALSE, FALSE, sizeof(Cell));
    t->datasets = g_array_new(FALSE, FALSE, sizeof(Dataset));
    t->notes = g_ptr_array_new_with_free_func(g_free);

    g_auto(GStrv) words = g_strsplit_set(columns, " \t", -1);
    for (char **w = words; *w; w++) {
        if (!**w)
            continue;
        const char *colon = strrchr(*w, ':');
        gboolean ok = FALSE;
        Column c = {0};
        if (colon && colon != *w) {
            for (guint k = 0; k < G_N_ELEMENTS(col_types); k++)
                if (strcmp(colon + 1, col_types[k].name) == 0) {
                    c.type = col_types[k].type;
                    ok = TRUE;
                }
        }
        if (!ok) {
            g_set_error(error, NL_ERROR, NL_ERROR_JOB,
                        "table '%s': column '%s' is not name:type with type "
                        "int, f32, f64, hex or str",
                        name, *w);
            nl_table_free(t);
            return NULL;
        }
        c.name = g_strndup(*w, colon - *w);
        g_array_append_val(t->columns, c);
    }
    if (t->columns->len == 0) {
        g_set_error(error, NL_ERROR, NL_ERROR_JOB, "table '%s' has no columns",
                    name);
        nl_table_free(t);
        return NULL;
    }
    return t;
}

void nl_table_free(NlTable *t)
{
    if (!t)
        return;
    for (guint i = 0; i < t->cells->len; i++) {
        guint col = i % t->columns->len;
        if (g_array_index(t->columns, Column, col).type == COL_STR)
            g_free(g_array_index(t->cells, Cell, i).s);
    }
    for (guint i = 0; i < t->columns->len; i++)
        g_free(g_array_index(t->columns, Column, i).name);
    for (guint i = 0; i < t->datasets->len; i++)
        g_free(g_array_index(t->datasets, Dataset, i).label);
    g_array_unref(t->columns);
    g_array_unref(t->cells);
    g_array_unref(t->datasets);
    g_ptr_array_unref(t->notes);
    g_free(t->name);
    g_free(t->title);
    g_free(t->spec);
    g_free(t);
}

const char *nl_table_name(const NlTable *t)
{
    g_return_val_if_fail(t != NULL, NULL);
    return t->name;
}

const char *nl_table_title(const NlTable *t)
{
    return t->title;
}
const char *nl_table_columns_spec(const NlTable *t)
{
    return t->spec;
}

guint nl_table_n_rows(const NlTable *t)
{
    g_return_val_if_fail(t != NULL, 0);
    return t->cells->len / t->columns->len;
}

void nl_table_set_title(NlTable *t, const char *title)
{
    g_return_if_fail(t != NULL);
    g_free(t->title);
    t->title = g_strdup(title);
}

void nl_table_add_note(NlTable *t, const char *key, const char *value)
{
    g_return_if_fail(t != NULL && key != NULL && value != NULL);
    g_autofree char *flat = g_strdup(value);
    g_strdelimit(flat, "\r\n", ' '); /* a note stays one comment line */
    char *note = g_strdup_printf("%s: %s", key, flat);
    gsize key_len = strlen(key);
    for (guint i = 0; i < t->notes->len; i++) {
        const char *old = t->notes->pdata[i];
        if (strncmp(old, key, key_len) == 0 && old[key_len] == ':' &&
            old[key_len + 1] == ' ') {
            g_free(t->notes->pdata[i]); /* a key has one note: the last */
            t->notes->pdata[i] = note;
            return;
        }
    }
    g_ptr_array_add(t->notes, note);
}

void nl_table_new_dataset(NlTable *t, const char *label)
{
    g_return_if_fail(t != NULL);
    if (t->next_column != 0)
        g_critical("table '%s': new dataset in the middle of a row", t->name);
    Dataset d = {g_strdup(label), nl_table_n_rows(t), FALSE};
    if (t->datasets->len == 1 && d.first_row == 0 &&
        g_array_index(t->datasets, Dataset, 0).implicit) {
        g_free(g_array_index(t->datasets, Dataset, 0).label);
        g_array_index(t->datasets, Dataset, 0) = d;
        return;
    }
    g_array_append_val(t->datasets, d);
}

static void add_cell(NlTable *t, ColType type, Cell cell)
{
    const Column *c = &g_array_index(t->columns, Column, t->next_column);
    if (c->type != type) {
        g_critical("table '%s': column '%s' has another type than the value "
                   "added",
                   t->name, c->name);
        if (type == COL_STR)
            g_free(cell.s);
        return;
    }
    if (t->datasets->len == 0) {
        nl_table_new_dataset(t, NULL);
        g_array_index(t->datasets, Dataset, 0).implicit = TRUE;
    }
    g_array_append_val(t->cells, cell);
    t->next_column = (t->next_column + 1) % t->columns->len;
}

void nl_table_add_int(NlTable *t, gint64 v)
{
    g_return_if_fail(t != NULL);
    add_cell(t, COL_INT, (Cell){.i = v});
}

void nl_table_add_f32(NlTable *t, float v)
{
    g_return_if_fail(t != NULL);
    add_cell(t, COL_F32, (Cell){.d = v});
}

void nl_table_add_f64(NlTable *t, double v)
{
    g_return_if_fail(t != NULL);
    add_cell(t, COL_F64, (Cell){.d = v});
}

void nl_table_add_hex(NlTable *t, guint64 v)
{
    g_return_if_fail(t != NULL);
    add_cell(t, COL_HEX, (Cell){.u = v});
}

void nl_table_add_str(NlTable *t, const char *v)
{
    g_return_if_fail(t != NULL && v != NULL);
    add_cell(t, COL_STR, (Cell){.s = g_strdup(v)});
}

int nl_table_column(const NlTable *t, const char *name)
{
    g_return_val_if_fail(t != NULL && name != NULL, -1);
    for (guint i = 0; i < t->columns->len; i++)
        if (strcmp(g_array_index(t->columns, Column, i).name, name) == 0)
            return (int)i;
    return -1;
}

static const Cell *cell_at(const NlTable *t, guint row, guint col)
{
    g_return_val_if_fail(t != NULL, NULL);
    g_return_val_if_fail(col < t->columns->len && row < nl_table_n_rows(t),
                         NULL);
    return &g_array_index(t->cells, Cell, row * t->columns->len + col);
}

static ColType col_type(const NlTable *t, guint col)
{
    return g_array_index(t->columns, Column, col).type;
}

gint64 nl_table_get_int(const NlTable *t, guint row, guint col)
{
    const Cell *c = cell_at(t, row, col);
    if (!c)
        return 0;
    switch (col_type(t, col)) {
    case COL_INT:
        return c->i;
    case COL_HEX:
        return (gint64)c->u;
    case COL_F32:
    case COL_F64:
        return (gint64)c->d;
    case COL_STR:
        break;
    }
    g_critical("table '%s': column %u is text", t->name, col);
    return 0;
}

double nl_table_get_f64(const NlTable *t, guint row, guint col)
{
    const Cell *c = cell_at(t, row, col);
    if (!c)
        return 0;
    switch (col_type(t, col)) {
    case COL_INT:
        return (double)c->i;
    case COL_HEX:
        return (double)c->u;
    case COL_F32:
    case COL_F64:
        return c->d;
    case COL_STR:
        break;
    }
    g_critical("table '%s': column %u is text", t->name, col);
    return 0;
}

const char *nl_table_get_str(const NlTable *t, guint row, guint col)
{
    const Cell *c = cell_at(t, row, col);
    if (!c)
        return "";
    if (col_type(t, col) != COL_STR) {
        g_critical("table '%s': column %u is not text", t->name, col);
        return "";
    }
    return c->s;
}

/* ---- text form ---- */

void nl_format_f32(char *buf, gsize len, float v)
{
    g_ascii_formatd(buf, (int)len, "%.9g", (double)v);
}

void nl_format_f64(char *buf, gsize len, double v)
{
    g_ascii_formatd(buf, (int)len, "%.17g", v);
}

const char *nl_format_g(NlNumText *text, double v, int digits)
{
    char format[8];
    g_snprintf(format, sizeof format, "%%.%dg", CLAMP(digits, 1, 17));
    return g_ascii_formatd(text->s, sizeof text->s, format, v);
}

char *nl_table_column_names(const NlTable *t)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < t->columns->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "",
                               g_array_index(t->columns, Column, i).name);
    return g_string_free(s, FALSE);
}

void nl_table_append_notes(const NlTable *t, GString *out)
{
    for (guint i = 0; i < t->notes->len; i++)
        g_string_append_printf(out, "# %s\n", (char *)t->notes->pdata[i]);
}

static void append_quoted(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (; *s; s++) /* gnuplot has no escape for '"': keep the column whole */
        g_string_append_c(out, *s == '"' ? '\'' : (*s == '\n' ? ' ' : *s));
    g_string_append_c(out, '"');
}

/* A row that gnuplot reads but does not draw: it keeps an empty dataset
 * from vanishing, which would shift every later `index`. */
static void append_placeholder(const NlTable *t, GString *out)
{
    for (guint c = 0; c < t->columns->len; c++)
        g_string_append(out, col_type(t, c) == COL_STR ? (c ? " \"\"" : "\"\"")
                                                       : (c ? " NaN" : "NaN"));
    g_string_append_c(out, '\n');
}

void nl_table_append_rows(const NlTable *t, const char *dataset_prefix,
                          GString *out)
{
    guint ncol = t->columns->len, nrow = nl_table_n_rows(t);
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    if (t->datasets->len == 0) { /* nothing at all: one empty dataset */
        if (dataset_prefix)
            g_string_append_printf(out, "# dataset: %s (no rows)\n",
                                   dataset_prefix);
        append_placeholder(t, out);
        return;
    }
    for (guint d = 0; d < t->datasets->len; d++) {
        const Dataset *ds = &g_array_index(t->datasets, Dataset, d);
        guint end = d + 1 < t->datasets->len
                        ? g_array_index(t->datasets, Dataset, d + 1).first_row
                        : nrow;
        if (d > 0)
            g_string_append(out, "\n\n");
        if (dataset_prefix || ds->label)
            g_string_append_printf(out, "# dataset: %s%s%s\n",
                                   dataset_prefix ? dataset_prefix : "",
                                   dataset_prefix && ds->label ? " " : "",
                                   ds->label ? ds->label : "");
        if (ds->first_row == end)
            append_placeholder(t, out);
        for (guint r = ds->first_row; r < end; r++) {
            for (guint c = 0; c < ncol; c++) {
                const Cell *cell = cell_at(t, r, c);
                if (c)
                    g_string_append_c(out, ' ');
                switch (col_type(t, c)) {
                case COL_INT:
                    g_string_append_printf(out, "%" G_GINT64_FORMAT, cell->i);
                    break;
                case COL_F32:
                    nl_format_f32(buf, sizeof buf, (float)cell->d);
                    g_string_append(out, buf);
                    break;
                case COL_F64:
                    nl_format_f64(buf, sizeof buf, cell->d);
                    g_string_append(out, buf);
                    break;
                case COL_HEX:
                    g_string_append_printf(out, "0x%" G_GINT64_MODIFIER "x",
                                           cell->u);
                    break;
                case COL_STR:
                    append_quoted(out, cell->s);
                    break;
                }
            }
            g_string_append_c(out, '\n');
        }
    }
}

gboolean nl_table_is_complete(const NlTable *t)
{
    return t->next_column == 0;
}

/* ---- the wire form (a job's tables crossing from its process) ----
 *
 * (name, title, spec, notes, datasets, ints, doubles, strings): the cells
 * in row-major order, split by type, int and hex cells in `ints` (hex as
 * its bits), f32 and f64 in `doubles` (their bits kept exactly: a NaN's
 * payload too), str in `strings`: one byte array of the strings, each
 * ended by its NUL. Not an `as`: reading an array of strings from
 * untrusted data costs GLib 2.74 time quadratic in their number (its
 * offsets are checked again from the start for every child); 8000 rows
 * took 3.5 s to read. */

GVariant *nl_table_to_variant(const NlTable *t)
{
    GVariantBuilder datasets;
    g_variant_builder_init(&datasets, G_VARIANT_TYPE("a(msub)"));
    for (guint i = 0; i < t->datasets->len; i++) {
        const Dataset *d = &g_array_index(t->datasets, Dataset, i);
        g_variant_builder_add(&datasets, "(msub)", d->label, d->first_row,
                              d->implicit);
    }
    /* the cells by type into plain arrays, each one fixed array on the
     * wire: no GVariant per cell */
    g_autoptr(GArray) ints = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_autoptr(GArray) doubles = g_array_new(FALSE, FALSE, sizeof(double));
    g_autoptr(GByteArray) strings = g_byte_array_new();
    for (guint i = 0; i < t->cells->len; i++) {
        const Cell *c = &g_array_index(t->cells, Cell, i);
        switch (col_type(t, i % t->columns->len)) {
        case COL_INT:
        case COL_HEX:
            g_array_append_val(ints, c->i);
            break;
        case COL_F32:
        case COL_F64:
            g_array_append_val(doubles, c->d);
            break;
        case COL_STR:
            g_byte_array_append(strings, (const guint8 *)c->s,
                                (guint)strlen(c->s) + 1);
            break;
        }
    }
    return g_variant_new(
        "(smss@as@a(msub)@ax@ad@ay)", t->name, t->title, t->spec,
        g_variant_new_strv((const char *const *)t->notes->pdata, t->notes->len),
        g_variant_builder_end(&datasets),
        g_variant_new_fixed_array(G_VARIANT_TYPE_INT64, ints->data, ints->len,
                                  sizeof(gint64)),
        g_variant_new_fixed_array(G_VARIANT_TYPE_DOUBLE, doubles->data,
                                  doubles->len, sizeof(double)),
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, strings->data,
                                  strings->len, 1));
}

/* The strings of a table's wire form: each ended by a NUL, valid UTF-8;
 * a vector of pointers into `blob` (NULL-terminated, *n of them), or
 * NULL if the blob is not such a sequence. */
static const char **strings_from_blob(const char *blob, gsize len, gsize *n)
{
    if (len > 0 && blob[len - 1] != '\0')
        return NULL;
    gsize count = 0;
    for (gsize i = 0; i < len; i++)
        count += blob[i] == '\0';
    const char **sv = g_new(const char *, count + 1);
    gsize at = 0;
    for (gsize k = 0; k < count; k++) {
        gsize l = strlen(blob + at);
        if (!g_utf8_validate(blob + at, (gssize)l, NULL)) {
            g_free(sv);
            return NULL;
        }
        sv[k] = blob + at;
        at += l + 1;
    }
    sv[count] = NULL;
    *n = count;
    return sv;
}

/* The datasets of a table read back: labels as given, first rows rising
 * from 0 and within the rows. */
static gboolean datasets_from_variant(NlTable *t, GVariant *v, guint n_rows)
{
    GVariantIter it;
    g_variant_iter_init(&it, v);
    const char *label;
    guint32 first;
    gboolean implicit;
    guint32 last = 0;
    while (g_variant_iter_next(&it, "(m&sub)", &label, &first, &implicit)) {
        gboolean first_one = t->datasets->len == 0;
        if ((first_one && first != 0) || (!first_one && first < last) ||
            first > n_rows)
            return FALSE;
        Dataset d = {g_strdup(label), first, implicit};
        g_array_append_val(t->datasets, d);
        last = first;
    }
    return n_rows == 0 || t->datasets->len > 0;
}

NlTable *nl_table_from_variant(GVariant *v, GError **error)
{
    if (!g_variant_is_of_type(v, G_VARIANT_TYPE(NL_TABLE_WIRE))) {
        nl_fail(error, NL_ERROR, NL_ERROR_JOB, "a table of another form");
        return NULL;
    }
    const char *name, *title, *spec;
    g_autoptr(GVariant) notes = NULL, datasets = NULL;
    g_autoptr(GVariant) ints = NULL, doubles = NULL, strings = NULL;
    g_variant_get(v, "(&sm&s&s@as@a(msub)@ax@ad@ay)", &name, &title, &spec,
                  &notes, &datasets, &ints, &doubles, &strings);
    g_autoptr(NlTable) t = nl_table_new(name, spec, error);
    if (!t)
        return NULL;
    t->title = g_strdup(title);
    g_autofree const char **note = g_variant_get_strv(notes, NULL);
    for (const char **n = note; *n; n++)
        g_ptr_array_add(t->notes, g_strdup(*n));

    gsize n_int, n_double, n_str;
    const gint64 *iv = g_variant_get_fixed_array(ints, &n_int, sizeof *iv);
    const double *dv =
        g_variant_get_fixed_array(doubles, &n_double, sizeof *dv);
    gsize blob_len;
    const char *blob = g_variant_get_fixed_array(strings, &blob_len, 1);
    g_autofree const char **sv = strings_from_blob(blob, blob_len, &n_str);
    if (!sv) {
        nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                "table '%s': its strings are not NUL-ended UTF-8", name);
        return NULL;
    }
    guint n_cols = t->columns->len;
    gsize per_row[COL_STR + 1] = {0};
    for (guint c = 0; c < n_cols; c++)
        per_row[col_type(t, c)]++;
    gsize with_ints = per_row[COL_INT] + per_row[COL_HEX];
    gsize with_doubles = per_row[COL_F32] + per_row[COL_F64];
    gsize n_cells = n_int + n_double + n_str;
    gsize n_rows = n_cells / n_cols;
    if (n_cells % n_cols || n_rows > G_MAXUINT32 ||
        n_int != n_rows * with_ints || n_double != n_rows * with_doubles ||
        n_str != n_rows * per_row[COL_STR]) {
        nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                "table '%s': its cells do not fill whole rows", name);
        return NULL;
    }
    if (!datasets_from_variant(t, datasets, (guint)n_rows)) {
        nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                "table '%s': its datasets do not divide its rows", name);
        return NULL;
    }
    g_array_set_size(t->cells, n_cells);
    gsize i_at = 0, d_at = 0, s_at = 0;
    for (gsize i = 0; i < n_cells; i++) {
        Cell *c = &g_array_index(t->cells, Cell, i);
        switch (col_type(t, i % n_cols)) {
        case COL_INT:
        case COL_HEX:
            c->i = iv[i_at++];
            break;
        case COL_F32:
        case COL_F64:
            c->d = dv[d_at++];
            break;
        case COL_STR:
            c->s = g_strdup(sv[s_at++]);
            break;
        }
    }
    return g_steal_pointer(&t);
}
