/* params.c — a plugin's parameter table: "name=value" assignments
 * matched against its specs, defaults filled in, every value parsed
 * (params-text.c) and read back through the typed getters.
 *
 * A spec that cannot be right (an empty range, an attribute its type
 * does not have) is the plugin's bug and fails the run with a line that
 * says so; so does a default that does not parse. */
#include "config.h"

#include "params-private.h"

#include <string.h>

G_DEFINE_QUARK(nl - error - quark, nl_error)

struct NlParams {
    GArray *values; /* NlParamValue, in spec order */
};

static void value_clear(gpointer p)
{
    nl_param_value_clear(p);
}

void nl_params_free(NlParams *params)
{
    if (!params)
        return;
    g_array_unref(params->values);
    g_free(params);
}

static gboolean spec_fail(const char *owner, const NlParamSpec *spec,
                          GError **error, const char *what)
{
    return nl_fail(error, NL_ERROR, NL_ERROR_PARAM,
                   "%s: parameter '%s': invalid spec (a bug in the plugin): %s",
                   owner, spec->name, what);
}

/* What a plugin's spec can get wrong that no user value would reveal. */
static gboolean check_spec(const NlParamSpec *s, const char *owner,
                           GError **error)
{
    const guint known = NL_PARAM_MIN_EXCLUSIVE | NL_PARAM_MAX_EXCLUSIVE |
                        NL_PARAM_STEPS | NL_PARAM_MAY_BE_EMPTY;
    gboolean list =
        s->type == NL_PARAM_INT_LIST || s->type == NL_PARAM_DOUBLE_LIST ||
        s->type == NL_PARAM_STRING_LIST || s->type == NL_PARAM_DOUBLE_MAP;
    if (!*s->name || strspn(s->name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
                         strlen(s->name))
        return spec_fail(owner, s, error, "the name is not [a-z0-9_]+");
    if (s->type < NL_PARAM_INT || s->type > NL_PARAM_DOUBLE_MAP)
        return spec_fail(owner, s, error, "unknown type");
    if (s->ext && s->ext->struct_size < sizeof(gsize))
        return spec_fail(owner, s, error,
                         "ext->struct_size is not set (use "
                         "NL_PARAM_EXT)");
    NlParamExt e;
    nl_param_spec_ext(s, &e);
    if (e.flags & ~known)
        return spec_fail(owner, s, error, "unknown flags");
    if ((e.flags & NL_PARAM_STEPS) && s->type != NL_PARAM_DOUBLE_LIST)
        return spec_fail(owner, s, error,
                         "NL_PARAM_STEPS is for "
                         "NL_PARAM_DOUBLE_LIST");
    if ((e.flags & NL_PARAM_MAY_BE_EMPTY) && !list)
        return spec_fail(owner, s, error,
                         "NL_PARAM_MAY_BE_EMPTY is for lists and maps");
    if (s->choices && s->type != NL_PARAM_STRING &&
        s->type != NL_PARAM_STRING_LIST && s->type != NL_PARAM_DOUBLE_MAP)
        return spec_fail(owner, s, error,
                         "choices are for strings and map names");
    if (e.separator && s->type != NL_PARAM_STRING_LIST)
        return spec_fail(owner, s, error,
                         "separator is for NL_PARAM_STRING_LIST");
    if (e.separator &&
        (strlen(e.separator) != 1 || !g_ascii_ispunct(e.separator[0])))
        return spec_fail(owner, s, error,
                         "the separator is not one punctuation character");
    if (nl_param_has_range(s) &&
        (!(s->min <= s->max) ||
         (s->min == s->max &&
          (e.flags & (NL_PARAM_MIN_EXCLUSIVE | NL_PARAM_MAX_EXCLUSIVE)))))
        return spec_fail(owner, s, error,
                         "the range is empty (an open "
                         "side is -INFINITY or INFINITY)");
    if ((e.min_items || e.max_items) && !list)
        return spec_fail(owner, s, error,
                         "min_items and max_items are for "
                         "lists");
    if (e.max_items && e.min_items > e.max_items)
        return spec_fail(owner, s, error, "min_items > max_items");
    if ((e.rows || e.cols) && s->type != NL_PARAM_MATRIX)
        return spec_fail(owner, s, error,
                         "rows and cols are for "
                         "NL_PARAM_MATRIX");
    return TRUE;
}

NlParams *nl_params_parse(const NlParamSpec *specs, const char *owner,
                          char **assignments, GError **error)
{
    g_autoptr(NlParams) params = g_new0(NlParams, 1);
    params->values = g_array_new(FALSE, TRUE, sizeof(NlParamValue));
    g_array_set_clear_func(params->values, value_clear);

    guint n_specs = 0;
    for (const NlParamSpec *s = specs; s && s->name; s++) {
        if (!check_spec(s, owner, error))
            return NULL;
        n_specs++;
    }
    g_autofree const char **given = g_new0(const char *, n_specs + 1);

    for (char **a = assignments; a && *a; a++) {
        const char *eq = strchr(*a, '=');
        if (!eq || eq == *a) {
            nl_fail(error, NL_ERROR, NL_ERROR_PARAM,
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
            nl_fail(error, NL_ERROR, NL_ERROR_PARAM,
                    "%s: unknown parameter '%s' (known: %s)", owner, name,
                    n_specs ? known->str : "none");
            g_string_free(known, TRUE);
            return NULL;
        }
        given[k] = eq + 1; /* a later assignment overrides an earlier one */
    }

    for (guint k = 0; k < n_specs; k++) {
        NlParamValue v = {.spec = &specs[k]};
        nl_param_spec_ext(&specs[k], &v.ext);
        if (!given[k] && !specs[k].default_value) {
            v.unset = TRUE;
            v.text = g_strdup("unset");
            g_array_append_val(params->values, v);
            continue;
        }
        const char *text = given[k] ? given[k] : specs[k].default_value;
        if (!nl_param_value_parse(&v, owner, text, error)) {
            nl_param_value_clear(&v);
            if (!given[k] && error && *error) /* a plugin's own bug */
                g_prefix_error(error, "invalid default: ");
            return NULL;
        }
        g_array_append_val(params->values, v);
    }
    return g_steal_pointer(&params);
}

static const NlParamValue *find(const NlParams *params, const char *name)
{
    for (guint i = 0; i < params->values->len; i++) {
        const NlParamValue *v = &g_array_index(params->values, NlParamValue, i);
        if (strcmp(v->spec->name, name) == 0)
            return v;
    }
    g_critical("no parameter '%s' was declared", name);
    return NULL;
}

/* "a" or "an" before a type's name. */
static const char *article(const char *word)
{
    return strchr("aeiou", word[0]) ? "an" : "a";
}

/* The value of `name` when it was declared with `type`; else a critical
 * (a programming error in the plugin) and NULL. */
static const NlParamValue *lookup(const NlParams *params, const char *name,
                                  NlParamType type)
{
    g_return_val_if_fail(params != NULL && name != NULL, NULL);
    const NlParamValue *v = find(params, name);
    if (v && v->spec->type != type) {
        const char *is = nl_param_type_name(v->spec->type);
        const char *wanted = nl_param_type_name(type);
        g_critical("parameter '%s' is %s %s, not %s %s", name, article(is), is,
                   article(wanted), wanted);
        return NULL;
    }
    return v;
}

gint64 nl_params_get_int(const NlParams *params, const char *name)
{
    const NlParamValue *v = lookup(params, name, NL_PARAM_INT);
    return v ? v->i : 0;
}

double nl_params_get_double(const NlParams *params, const char *name)
{
    const NlParamValue *v = lookup(params, name, NL_PARAM_DOUBLE);
    return v ? v->d : 0.0;
}

gboolean nl_params_get_bool(const NlParams *params, const char *name)
{
    const NlParamValue *v = lookup(params, name, NL_PARAM_BOOL);
    return v ? v->i != 0 : FALSE;
}

const char *nl_params_get_string(const NlParams *params, const char *name)
{
    const NlParamValue *v = lookup(params, name, NL_PARAM_STRING);
    return v && !v->unset ? v->text : "";
}

gboolean nl_params_is_set(const NlParams *params, const char *name)
{
    g_return_val_if_fail(params != NULL && name != NULL, FALSE);
    const NlParamValue *v = find(params, name);
    return v && !v->unset;
}

/* The items of a list of `type`, or NULL with *n_items 0. */
static gconstpointer items(const NlParams *params, const char *name,
                           NlParamType type, gsize *n_items)
{
    const NlParamValue *v = lookup(params, name, type);
    if (n_items)
        *n_items = v && v->items ? v->items->len : 0;
    return v && v->items ? v->items->data : NULL;
}

const gint64 *nl_params_get_int_list(const NlParams *params, const char *name,
                                     gsize *n_items)
{
    return items(params, name, NL_PARAM_INT_LIST, n_items);
}

const double *nl_params_get_double_list(const NlParams *params,
                                        const char *name, gsize *n_items)
{
    return items(params, name, NL_PARAM_DOUBLE_LIST, n_items);
}

const double *nl_params_get_matrix(const NlParams *params, const char *name,
                                   gsize *rows, gsize *cols)
{
    const NlParamValue *v = lookup(params, name, NL_PARAM_MATRIX);
    gboolean set = v && v->items;
    if (rows)
        *rows = set ? v->rows : 0;
    if (cols)
        *cols = set ? v->cols : 0;
    return set ? (const double *)(gconstpointer)v->items->data : NULL;
}

const char *const *nl_params_get_string_list(const NlParams *params,
                                             const char *name, gsize *n_items)
{
    return items(params, name, NL_PARAM_STRING_LIST, n_items);
}

void nl_params_get_int_range(const NlParams *params, const char *name,
                             gint64 *from, gint64 *to, gint64 *step)
{
    const NlParamValue *v = lookup(params, name, NL_PARAM_INT_RANGE);
    gboolean set = v && !v->unset;
    if (from)
        *from = set ? v->from : 0;
    if (to)
        *to = set ? v->to : 0;
    if (step)
        *step = set ? v->step : 1;
}

const double *nl_params_get_double_map(const NlParams *params, const char *name,
                                       const char *const **keys, gsize *n_items)
{
    const NlParamValue *v = lookup(params, name, NL_PARAM_DOUBLE_MAP);
    gboolean set = v && v->items;
    if (keys)
        *keys = set ? (const char *const *)(gconstpointer)v->keys->data : NULL;
    if (n_items)
        *n_items = set ? v->items->len : 0;
    return set ? (const double *)(gconstpointer)v->items->data : NULL;
}

void nl_params_canonical(const NlParams *params, char ***names, char ***values)
{
    GPtrArray *n = g_ptr_array_new(), *v = g_ptr_array_new();
    for (guint i = 0; i < params->values->len; i++) {
        const NlParamValue *p = &g_array_index(params->values, NlParamValue, i);
        if (p->unset)
            continue;
        g_ptr_array_add(n, g_strdup(p->spec->name));
        g_ptr_array_add(v, g_strdup(p->text));
    }
    g_ptr_array_add(n, NULL);
    g_ptr_array_add(v, NULL);
    *names = (char **)g_ptr_array_free(n, FALSE);
    *values = (char **)g_ptr_array_free(v, FALSE);
}

char *nl_params_to_string(const NlParams *params)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < params->values->len; i++) {
        const NlParamValue *v = &g_array_index(params->values, NlParamValue, i);
        g_string_append_printf(s, "%s%s=%s", i ? " " : "", v->spec->name,
                               v->text);
    }
    return g_string_free(s, FALSE);
}
