/* params.c — parsing and validating parameters against their specs.
 *
 * Every value a plugin reads went through here: numbers are parsed in the
 * C locale, must be finite, must fit their type and lie in the declared
 * range. A failure is one line: which plugin, which parameter, what was
 * wrong with the text given. */
#include "config.h"

#include "nl-private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(nl-error-quark, nl_error)

typedef struct {
    const NlParamSpec *spec;
    char *text; /* canonical text of the value */
    gint64 i;
    double d;
    GArray *list; /* gint64, NL_PARAM_INT_LIST */
    gboolean unset; /* optional, not given */
} Value;

struct NlParams {
    GArray *values; /* Value, in spec order */
};

const char *nl_param_type_name(NlParamType type)
{
    switch (type) {
    case NL_PARAM_INT: return "int";
    case NL_PARAM_DOUBLE: return "double";
    case NL_PARAM_BOOL: return "bool";
    case NL_PARAM_STRING: return "string";
    case NL_PARAM_INT_LIST: return "int list";
    }
    return "?";
}

static gboolean has_range(const NlParamSpec *spec)
{
    return !(spec->min == 0 && spec->max == 0);
}

char *nl_param_range_string(const NlParamSpec *spec)
{
    if (spec->type == NL_PARAM_BOOL)
        return g_strdup("0 or 1");
    if (spec->type == NL_PARAM_STRING)
        return g_strdup(spec->choices ? spec->choices : "");
    if (!has_range(spec))
        return g_strdup("");
    char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(lo, sizeof lo, "%.10g", spec->min);
    g_ascii_formatd(hi, sizeof hi, "%.10g", spec->max);
    return g_strdup_printf("%s..%s", lo, hi);
}

static gboolean out_of_range(const NlParamSpec *spec, double v)
{
    return has_range(spec) && (v < spec->min || v > spec->max);
}

static gboolean range_error(const NlParamSpec *spec, const char *owner,
                            const char *text, GError **error)
{
    g_autofree char *range = nl_param_range_string(spec);
    g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                "%s: parameter '%s': %s is outside the allowed range %s",
                owner, spec->name, text, range);
    return FALSE;
}

static gboolean parse_int(const NlParamSpec *spec, const char *owner,
                          const char *text, gint64 *out, GError **error)
{
    const char *s = text;
    while (g_ascii_isspace(*s))
        s++;
    char *end = NULL;
    errno = 0;
    gint64 v = g_ascii_strtoll(s, &end, 10);
    if (end == s || *end != '\0') {
        g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                    "%s: parameter '%s': '%s' is not an integer", owner,
                    spec->name, text);
        return FALSE;
    }
    if (errno == ERANGE) {
        g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                    "%s: parameter '%s': %s does not fit in a 64-bit integer",
                    owner, spec->name, text);
        return FALSE;
    }
    /* The range is held as double: compare in a way that cannot round a
     * too-large integer into range. */
    if (has_range(spec) && ((double)v < spec->min || (double)v > spec->max ||
                            (spec->max < 0x1p63 && v > (gint64)spec->max)))
        return range_error(spec, owner, text, error);
    *out = v;
    return TRUE;
}

static gboolean parse_double(const NlParamSpec *spec, const char *owner,
                             const char *text, double *out, GError **error)
{
    char *end = NULL;
    errno = 0;
    double v = g_ascii_strtod(text, &end);
    if (end == text || *end != '\0' || text[0] == '\0') {
        g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                    "%s: parameter '%s': '%s' is not a number", owner,
                    spec->name, text);
        return FALSE;
    }
    if (!isfinite(v)) {
        g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                    "%s: parameter '%s': '%s' is not a finite number", owner,
                    spec->name, text);
        return FALSE;
    }
    if (out_of_range(spec, v))
        return range_error(spec, owner, text, error);
    *out = v;
    return TRUE;
}

/* The shortest %g text that reads back to the same double: "1e-07", not
 * "9.9999999999999995e-08". */
static char *shortest_text(double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    for (int precision = 1; precision < 17; precision++) {
        char format[8];
        g_snprintf(format, sizeof format, "%%.%dg", precision);
        g_ascii_formatd(buf, sizeof buf, format, v);
        if (g_ascii_strtod(buf, NULL) == v)
            return g_strdup(buf);
    }
    return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.17g", v));
}

static gboolean parse_value(Value *value, const char *owner, const char *text,
                            GError **error)
{
    const NlParamSpec *spec = value->spec;
    switch (spec->type) {
    case NL_PARAM_INT:
        if (!parse_int(spec, owner, text, &value->i, error))
            return FALSE;
        value->text = g_strdup_printf("%" G_GINT64_FORMAT, value->i);
        return TRUE;
    case NL_PARAM_DOUBLE:
        if (!parse_double(spec, owner, text, &value->d, error))
            return FALSE;
        value->text = shortest_text(value->d);
        return TRUE;
    case NL_PARAM_BOOL: {
        static const char *const yes[] = {"1", "true", "yes", "on", NULL};
        static const char *const no[] = {"0", "false", "no", "off", NULL};
        if (g_strv_contains(yes, text))
            value->i = 1;
        else if (g_strv_contains(no, text))
            value->i = 0;
        else {
            g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                        "%s: parameter '%s': '%s' is not a boolean (use 0 or 1)",
                        owner, spec->name, text);
            return FALSE;
        }
        value->text = g_strdup(value->i ? "1" : "0");
        return TRUE;
    }
    case NL_PARAM_STRING:
        for (const char *c = text; *c; c++)
            if (g_ascii_iscntrl(*c)) { /* it would break the .dat header */
                g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                            "%s: parameter '%s': control characters are not "
                            "allowed", owner, spec->name);
                return FALSE;
            }
        if (spec->choices) {
            g_auto(GStrv) choices = g_strsplit(spec->choices, "|", -1);
            if (!g_strv_contains((const char *const *)choices, text)) {
                g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                            "%s: parameter '%s': '%s' is not one of %s", owner,
                            spec->name, text, spec->choices);
                return FALSE;
            }
        }
        value->text = g_strdup(text);
        return TRUE;
    case NL_PARAM_INT_LIST: {
        g_auto(GStrv) items = g_strsplit(text, ",", -1);
        if (items[0] == NULL) {
            g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                        "%s: parameter '%s': the list is empty", owner,
                        spec->name);
            return FALSE;
        }
        value->list = g_array_new(FALSE, FALSE, sizeof(gint64));
        GString *canon = g_string_new(NULL);
        for (char **it = items; *it; it++) {
            gint64 v;
            if (!parse_int(spec, owner, *it, &v, error)) {
                g_string_free(canon, TRUE);
                return FALSE;
            }
            g_array_append_val(value->list, v);
            g_string_append_printf(canon, "%s%" G_GINT64_FORMAT,
                                   canon->len ? "," : "", v);
        }
        value->text = g_string_free(canon, FALSE);
        return TRUE;
    }
    }
    g_return_val_if_reached(FALSE);
}

static void value_clear(gpointer p)
{
    Value *v = p;
    g_free(v->text);
    if (v->list)
        g_array_unref(v->list);
}

void nl_params_free(NlParams *params)
{
    if (!params)
        return;
    g_array_unref(params->values);
    g_free(params);
}

NlParams *nl_params_parse(const NlParamSpec *specs, const char *owner,
                          char **assignments, GError **error)
{
    g_autoptr(NlParams) params = g_new0(NlParams, 1);
    params->values = g_array_new(FALSE, TRUE, sizeof(Value));
    g_array_set_clear_func(params->values, value_clear);

    guint n_specs = 0;
    for (const NlParamSpec *s = specs; s && s->name; s++)
        n_specs++;
    g_autofree const char **given = g_new0(const char *, n_specs + 1);

    for (char **a = assignments; a && *a; a++) {
        const char *eq = strchr(*a, '=');
        if (!eq || eq == *a) {
            g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                        "%s: '%s' is not of the form name=value", owner, *a);
            return NULL;
        }
        g_autofree char *name = g_strndup(*a, eq - *a);
        guint k;
        for (k = 0; k < n_specs; k++)
            if (strcmp(specs[k].name, name) == 0)
                break;
        if (k == n_specs) {
            GString *known = g_string_new(NULL);
            for (guint j = 0; j < n_specs; j++)
                g_string_append_printf(known, "%s%s", j ? ", " : "",
                                       specs[j].name);
            g_set_error(error, NL_ERROR, NL_ERROR_PARAM,
                        "%s: unknown parameter '%s' (known: %s)", owner, name,
                        n_specs ? known->str : "none");
            g_string_free(known, TRUE);
            return NULL;
        }
        given[k] = eq + 1; /* a later assignment overrides an earlier one */
    }

    for (guint k = 0; k < n_specs; k++) {
        Value v = {.spec = &specs[k]};
        if (!given[k] && !specs[k].default_value) {
            v.unset = TRUE;
            v.text = g_strdup("unset");
            g_array_append_val(params->values, v);
            continue;
        }
        const char *text = given[k] ? given[k] : specs[k].default_value;
        if (!parse_value(&v, owner, text ? text : "", error)) {
            value_clear(&v);
            if (!given[k] && error && *error) /* a plugin's own bug */
                g_prefix_error(error, "invalid default: ");
            return NULL;
        }
        g_array_append_val(params->values, v);
    }
    return g_steal_pointer(&params);
}

static const Value *lookup(const NlParams *params, const char *name,
                           NlParamType type)
{
    g_return_val_if_fail(params != NULL && name != NULL, NULL);
    for (guint i = 0; i < params->values->len; i++) {
        const Value *v = &g_array_index(params->values, Value, i);
        if (strcmp(v->spec->name, name) == 0) {
            if (v->spec->type != type) {
                g_critical("parameter '%s' is a %s, not a %s", name,
                           nl_param_type_name(v->spec->type),
                           nl_param_type_name(type));
                return NULL;
            }
            return v;
        }
    }
    g_critical("no parameter '%s' was declared", name);
    return NULL;
}

gint64 nl_params_get_int(const NlParams *params, const char *name)
{
    const Value *v = lookup(params, name, NL_PARAM_INT);
    return v ? v->i : 0;
}

double nl_params_get_double(const NlParams *params, const char *name)
{
    const Value *v = lookup(params, name, NL_PARAM_DOUBLE);
    return v ? v->d : 0.0;
}

gboolean nl_params_get_bool(const NlParams *params, const char *name)
{
    const Value *v = lookup(params, name, NL_PARAM_BOOL);
    return v ? v->i != 0 : FALSE;
}

const char *nl_params_get_string(const NlParams *params, const char *name)
{
    const Value *v = lookup(params, name, NL_PARAM_STRING);
    return v && !v->unset ? v->text : "";
}

gboolean nl_params_is_set(const NlParams *params, const char *name)
{
    g_return_val_if_fail(params != NULL && name != NULL, FALSE);
    for (guint i = 0; i < params->values->len; i++) {
        const Value *v = &g_array_index(params->values, Value, i);
        if (strcmp(v->spec->name, name) == 0)
            return !v->unset;
    }
    g_critical("no parameter '%s' was declared", name);
    return FALSE;
}

const gint64 *nl_params_get_int_list(const NlParams *params, const char *name,
                                     gsize *n_items)
{
    const Value *v = lookup(params, name, NL_PARAM_INT_LIST);
    *n_items = v && v->list ? v->list->len : 0;
    return v && v->list ? (const gint64 *)(gpointer)v->list->data : NULL;
}

char *nl_params_to_string(const NlParams *params)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < params->values->len; i++) {
        const Value *v = &g_array_index(params->values, Value, i);
        g_string_append_printf(s, "%s%s=%s", i ? " " : "", v->spec->name,
                               v->text);
    }
    return g_string_free(s, FALSE);
}
