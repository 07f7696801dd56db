/* numtext.c — parameter text to vectors and matrices, with one-line
 * errors that name the parameter and the entry at fault. Nothing here
 * computes; numlab's parameter types have no list of doubles. */
#include "config.h"

#include "numtext.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK(numlab-numtext-error-quark, nt_error)

gboolean nt_fail(GError **error, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    char *message = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_set_error_literal(error, NT_ERROR, 0, message);
    g_free(message);
    return FALSE;
}

gboolean nt_parse_number(const char *text, double *out)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    char *end = NULL;
    double v = g_ascii_strtod(s, &end);
    if (*s == '\0' || end == s || *end != '\0' || !isfinite(v))
        return FALSE;
    *out = v;
    return TRUE;
}

/* The entries of one row into v (which has room for n). */
static gboolean parse_row(const char *name, char **items, gsize n,
                          gsize row, gboolean matrix, double *v,
                          GError **error)
{
    for (gsize i = 0; i < n; i++)
        if (!nt_parse_number(items[i], &v[i])) {
            g_autofree char *bad = g_strstrip(g_strdup(items[i]));
            if (matrix)
                return nt_fail(error, "parameter '%s': row %" G_GSIZE_FORMAT
                               ", entry %" G_GSIZE_FORMAT " '%s' is not a "
                               "finite number", name, row + 1, i + 1, bad);
            return nt_fail(error, "parameter '%s': entry %" G_GSIZE_FORMAT
                           " '%s' is not a finite number", name, i + 1, bad);
        }
    return TRUE;
}

gboolean nt_parse_vector(const char *name, const char *text, gsize want,
                         const char *why, NtMatrix *out, GError **error)
{
    memset(out, 0, sizeof *out);
    g_autofree char *s = g_strstrip(g_strdup(text));
    if (*s == '\0')
        return nt_fail(error, "parameter '%s' is empty", name);
    g_auto(GStrv) items = g_strsplit(s, ",", -1);
    gsize n = g_strv_length(items);
    if (want > 0 && n != want)
        return nt_fail(error, "parameter '%s' has %" G_GSIZE_FORMAT
                       " entries, expected %" G_GSIZE_FORMAT "%s%s", name, n,
                       want, why ? " " : "", why ? why : "");
    out->v = g_new(double, n);
    out->rows = 1;
    out->cols = n;
    if (!parse_row(name, items, n, 0, FALSE, out->v, error)) {
        nt_matrix_clear(out);
        return FALSE;
    }
    return TRUE;
}

gboolean nt_parse_matrix(const char *name, const char *text, NtMatrix *out,
                         GError **error)
{
    memset(out, 0, sizeof *out);
    g_autofree char *s = g_strstrip(g_strdup(text));
    if (*s == '\0')
        return nt_fail(error, "parameter '%s' is empty", name);
    g_auto(GStrv) rows = g_strsplit(s, ";", -1);
    gsize m = g_strv_length(rows);
    g_auto(GStrv) first = g_strsplit(rows[0], ",", -1);
    gsize n = g_strv_length(first);
    out->v = g_new(double, m * n);
    out->rows = m;
    out->cols = n;
    for (gsize r = 0; r < m; r++) {
        g_auto(GStrv) items = g_strsplit(rows[r], ",", -1);
        gsize k = g_strv_length(items);
        if (k != n) {
            nt_matrix_clear(out);
            return nt_fail(error, "parameter '%s': row %" G_GSIZE_FORMAT
                           " has %" G_GSIZE_FORMAT " entries, row 1 has %"
                           G_GSIZE_FORMAT " (rows are separated by ';')",
                           name, r + 1, k, n);
        }
        if (!parse_row(name, items, n, r, TRUE, out->v + r * n, error)) {
            nt_matrix_clear(out);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean nt_check_rate(const char *name, double lr, GError **error)
{
    if (!(lr > 0) || !isfinite(lr))
        return nt_fail(error, "parameter '%s': learning rate %g must be "
                       "finite and > 0", name, lr);
    return TRUE;
}

gboolean nt_parse_rates(const char *name, const char *text, NtMatrix *out,
                        GError **error)
{
    if (!nt_parse_vector(name, text, 0, NULL, out, error))
        return FALSE;
    for (gsize i = 0; i < out->cols; i++)
        if (!nt_check_rate(name, out->v[i], error)) {
            nt_matrix_clear(out);
            return FALSE;
        }
    return TRUE;
}

gboolean nt_parse_names(const char *name, const char *text, char ***out,
                        gsize *n, GError **error)
{
    *out = NULL;
    *n = 0;
    g_autofree char *s = g_strstrip(g_strdup(text));
    if (*s == '\0')
        return nt_fail(error, "parameter '%s' is empty", name);
    char **names = g_strsplit(s, ",", -1);
    gsize k = g_strv_length(names);
    for (gsize i = 0; i < k; i++) {
        g_strstrip(names[i]);
        if (*names[i] == '\0' || nt_find(names, i, names[i]) >= 0) {
            gboolean empty = *names[i] == '\0';
            g_autofree char *what = g_strdup(names[i]);
            g_strfreev(names);
            if (empty)
                return nt_fail(error, "parameter '%s': name %" G_GSIZE_FORMAT
                               " is empty", name, i + 1);
            return nt_fail(error, "parameter '%s': '%s' appears twice", name,
                           what);
        }
    }
    *out = names;
    *n = k;
    return TRUE;
}

gssize nt_find(char **names, gsize n, const char *token)
{
    for (gsize i = 0; i < n; i++)
        if (strcmp(names[i], token) == 0)
            return (gssize)i;
    return -1;
}

void nt_matrix_clear(NtMatrix *m)
{
    g_free(m->v);
    memset(m, 0, sizeof *m);
}
