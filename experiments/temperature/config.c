/* config.c — the temperature experiment's inputs, read and checked once
 * per phase: vocabulary and logits (parameters, or a file of `token
 * logit` lines), the B4 changes, and the temperature lists.
 *
 * The host has checked each parameter (the temperature lists too: lists
 * or start:stop:step, each >= 0); here are the logits file, the B4
 * token=logit changes, and what must fit together: as many logits as
 * tokens, and float32 range for what the backends get. Every failure is
 * one line that names the parameter, or FILE:LINE for the logits file.
 * Nothing here computes. */
#include "config.h"

#include "temperature.h"

#include <float.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK(temperature - error - quark, temp_error)

#define MAX_TOKENS 16777216
/* A logits file is read whole: a bound, so that /dev/zero or a wrong
 * multi-gigabyte file is refused instead of filling the memory. */
#define MAX_FILE_BYTES (G_GINT64_CONSTANT(256) << 20)

/* One line, FALSE: numlab/error.h. */
#define fail(error, ...) nl_fail(error, TEMP_ERROR, 0, __VA_ARGS__)

/* One finite number, all of `text` but spaces around it, C locale. */
static gboolean parse_number(const char *text, double *out)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    char *end = NULL;
    double v = g_ascii_strtod(s, &end);
    if (*s == '\0' || end == s || *end != '\0' || !isfinite(v))
        return FALSE;
    *out = v;
    return TRUE;
}

static TempList temperatures(const NlParams *p, const char *name)
{
    TempList list;
    list.t = nl_params_get_double_list(p, name, &list.n);
    return list;
}

static gssize find_token(const TempConfig *c, const char *token)
{
    for (gsize i = 0; i < c->n; i++)
        if (strcmp(c->tokens[i], token) == 0)
            return (gssize)i;
    return -1;
}

/* `vocabulary` and `logits`: one logit per token. */
static gboolean load_params(const NlParams *p, TempConfig *c, GError **error)
{
    c->tokens =
        g_strdupv((char **)nl_params_get_string_list(p, "vocabulary", &c->n));
    gsize n;
    const double *logits = nl_params_get_double_list(p, "logits", &n);
    if (n != c->n)
        return fail(error,
                    "parameter 'logits': %" G_GSIZE_FORMAT " values for "
                    "the %" G_GSIZE_FORMAT " tokens of 'vocabulary'",
                    n, c->n);
    c->logits = g_memdup2(logits, n * sizeof(double));
    c->source = "parameters";
    return TRUE;
}

gboolean temp_check_file(const char *path, gint64 *size, GError **error)
{
    GStatBuf st;
    if (g_stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return fail(error, "parameter 'logits_file': %s is not a regular file",
                    path);
    if (g_stat(path, &st) == 0 && st.st_size > MAX_FILE_BYTES)
        return fail(error,
                    "parameter 'logits_file': %s has %" G_GINT64_FORMAT
                    " bytes, more than the %" G_GINT64_FORMAT
                    " a logits file may have",
                    path, (gint64)st.st_size, MAX_FILE_BYTES);
    if (size)
        *size = g_stat(path, &st) == 0 ? (gint64)st.st_size : 0;
    return TRUE;
}

/* A file of `token logit` lines; blank lines and # comments allowed. */
static gboolean load_file(const char *path, TempConfig *c, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) io = NULL;
    if (!temp_check_file(path, NULL, error))
        return FALSE;
    if (!g_file_get_contents(path, &text, NULL, &io))
        return fail(error, "parameter 'logits_file': %s", io->message);
    GPtrArray *tokens = g_ptr_array_new();
    GArray *logits = g_array_new(FALSE, FALSE, sizeof(double));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    gboolean ok = TRUE;
    for (gsize l = 0; ok && lines[l]; l++) {
        char *line = g_strstrip(lines[l]); /* also a CR of CRLF files */
        if (*line == '\0' || *line == '#')
            continue;
        g_auto(GStrv) f = g_strsplit_set(line, " \t", -1);
        char *fields[3] = {NULL, NULL, NULL};
        int nf = 0;
        for (char **w = f; *w; w++)
            if (**w) {
                if (nf < 3)
                    fields[nf] = *w;
                nf++;
            }
        double v;
        if (nf != 2)
            ok = fail(error,
                      "%s:%" G_GSIZE_FORMAT ": expected 'token logit', "
                      "found %d fields",
                      path, l + 1, nf);
        else if (!parse_number(fields[1], &v))
            ok = fail(error,
                      "%s:%" G_GSIZE_FORMAT ": logit '%s' of token "
                      "'%s' is not a finite number",
                      path, l + 1, fields[1], fields[0]);
        else if (tokens->len >= MAX_TOKENS)
            ok = fail(error, "%s:%" G_GSIZE_FORMAT ": more than %d tokens",
                      path, l + 1, MAX_TOKENS);
        else {
            g_ptr_array_add(tokens, g_strdup(fields[0]));
            g_array_append_val(logits, v);
        }
    }
    if (ok && tokens->len == 0)
        ok = fail(error, "%s: no tokens (every line is blank or a comment)",
                  path);
    g_ptr_array_add(tokens, NULL);
    c->n = logits->len;
    c->tokens = (char **)g_ptr_array_free(tokens, FALSE);
    c->logits = (double *)g_array_free(logits, FALSE);
    c->source = path;
    if (!ok)
        return FALSE;
    /* duplicates: reported with both line numbers would need a map; the
     * token name is enough to find them */
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (gsize i = 0; i < c->n; i++) {
        if (g_hash_table_contains(seen, c->tokens[i]))
            return fail(error, "%s: token '%s' appears twice", path,
                        c->tokens[i]);
        g_hash_table_add(seen, c->tokens[i]);
    }
    return TRUE;
}

/* `b4_changes`: "token=logit,..." applied to a copy of the logits. */
static gboolean load_b4(const NlParams *p, TempConfig *c, GError **error)
{
    c->b4_logits = g_memdup2(c->logits, c->n * sizeof(double));
    const char *const *tokens;
    gsize n_changes;
    const double *logits =
        nl_params_get_double_map(p, "b4_changes", &tokens, &n_changes);
    for (gsize k = 0; k < n_changes; k++) {
        gssize i = find_token(c, tokens[k]);
        if (i < 0)
            return fail(error,
                        "parameter 'b4_changes': no token '%s' in the "
                        "vocabulary (b4_changes= keeps the logits)",
                        tokens[k]);
        c->b4_logits[i] = logits[k];
    }
    const char *truth = nl_params_get_string(p, "b4_true");
    c->b4_true = *truth ? find_token(c, truth) : -1;
    if (*truth && c->b4_true < 0)
        return fail(error,
                    "parameter 'b4_true': no token '%s' in the "
                    "vocabulary (b4_true= marks none)",
                    truth);
    return TRUE;
}

/* The backends compute in float32: a temperature they get must be a
 * normal float (0 stays greedy), and every logit divided by it must stay
 * finite, or their softmax would hold NaN where the double one does not. */
static gboolean check_float_temperature(const char *name, double t,
                                        double max_abs, GError **error)
{
    float f = (float)t;
    if (t == 0.0)
        return TRUE;
    if (!(f >= FLT_MIN) || isinf(f))
        return fail(error,
                    "parameter '%s': temperature %g is not a normal "
                    "float32 (the backends compute in float32: %g to %g)",
                    name, t, (double)FLT_MIN, (double)FLT_MAX);
    if ((double)(float)max_abs / (double)f > FLT_MAX)
        return fail(error,
                    "parameter '%s': the logits divided by %g exceed "
                    "float32's range (largest |logit| %g)",
                    name, t, max_abs);
    return TRUE;
}

/* Logits the backends receive as float32, and the temperatures they use. */
static gboolean check_float_range(const NlParams *p, const TempConfig *c,
                                  GError **error)
{
    double max_abs = 0.0;
    for (gsize i = 0; i < c->n; i++) {
        if (fabs(c->logits[i]) > FLT_MAX)
            return fail(
                error,
                "%s%s%s: logit %g of token '%s' does not fit "
                "in float32 (|logit| at most %g)",
                strcmp(c->source, "parameters") == 0 ? "parameter '" : "",
                strcmp(c->source, "parameters") == 0 ? "logits" : c->source,
                strcmp(c->source, "parameters") == 0 ? "'" : "", c->logits[i],
                c->tokens[i], (double)FLT_MAX);
        max_abs = MAX(max_abs, fabs(c->logits[i]));
    }
    if (!check_float_temperature("b1_temperature",
                                 nl_params_get_double(p, "b1_temperature"),
                                 max_abs, error))
        return FALSE;
    for (gsize k = 0; k < c->sweep.n; k++)
        if (!check_float_temperature("temperature", c->sweep.t[k], max_abs,
                                     error))
            return FALSE;
    return TRUE;
}

gboolean temp_config_load(const NlParams *p, TempConfig *c, GError **error)
{
    memset(c, 0, sizeof *c);
    gboolean ok =
        nl_params_is_set(p, "logits_file")
            ? load_file(nl_params_get_string(p, "logits_file"), c, error)
            : load_params(p, c, error);
    ok = ok && load_b4(p, c, error);
    c->sweep = temperatures(p, "temperature");
    c->b2_bars = temperatures(p, "b2_temperatures");
    c->b2_table = temperatures(p, "b2_table");
    c->b4_temps = temperatures(p, "b4_temperatures");
    ok = ok && check_float_range(p, c, error);
    if (!ok)
        temp_config_clear(c);
    return ok;
}

void temp_config_clear(TempConfig *c)
{
    g_strfreev(c->tokens);
    g_free(c->logits);
    g_free(c->b4_logits);
    memset(c, 0, sizeof *c);
}

gboolean temp_softmax(const TempConfig *c, const double *logits, double t,
                      double *probs, GError **error)
{
    return nl_sample_softmax(logits, c->n, t, probs, error);
}
