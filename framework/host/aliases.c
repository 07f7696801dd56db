/* aliases.c — commands defined in data: `numlab NAME` = `numlab run EXP
 * --print TABLES`.
 *
 * The runner knows no experiment's tables. `numlab bench` is a group of
 * framework/aliases.ini, compiled into numlab (so a moved or partial
 * installation keeps it); the files named by NUMLAB_ALIASES add to it and
 * come first. Each group is one alias:
 *
 *   [NAME]  experiment=EXP  print=TABLE,PATTERN*,...  summary=...
 * description=...
 *
 * It deliberately holds no options, parameters or backends: an alias
 * names what to run and what to show, the user still chooses the rest. */
#include "config.h"

#include "host.h"

#include <string.h>

/* framework/aliases.ini as one C string (made by framework.mk). */
static const char builtin_aliases[] =
#include "framework/aliases-ini.h"
    ;

static void alias_free(gpointer p)
{
    NlAlias *a = p;
    g_free(a->name);
    g_free(a->experiment);
    g_strfreev(a->print);
    g_free(a->summary);
    g_free(a->description);
    g_free(a->source);
    g_free(a);
}

static gboolean valid_name(const char *name)
{
    if (!*name || name[0] == '-')
        return FALSE;
    for (const char *c = name; *c; c++)
        if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && *c != '-' &&
            *c != '_')
            return FALSE;
    return TRUE;
}

/* "a, b ,c" -> {"a", "b", "c"} without empty words. */
static char **split_list(const char *text)
{
    g_auto(GStrv) words = g_strsplit(text ? text : "", ",", -1);
    GPtrArray *out = g_ptr_array_new();
    for (char **w = words; *w; w++) {
        g_strstrip(*w);
        if (**w)
            g_ptr_array_add(out, g_strdup(*w));
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static void add_file(GPtrArray *aliases, GKeyFile *kf, const char *source,
                     const char *const *reserved, GPtrArray *problems)
{
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
    for (char **g = groups; *g; g++) {
        g_autofree char *experiment =
            g_key_file_get_string(kf, *g, "experiment", NULL);
        if (!valid_name(*g) || g_strv_contains(reserved, *g)) {
            g_ptr_array_add(
                problems,
                g_strdup_printf("%s: alias '%s' ignored: %s", source, *g,
                                valid_name(*g) ? "a command of that name exists"
                                               : "names are [a-z0-9_-]+"));
            continue;
        }
        if (!experiment || !*experiment) {
            g_ptr_array_add(
                problems, g_strdup_printf(
                              "%s: alias '%s' ignored: it names no experiment",
                              source, *g));
            continue;
        }
        if (nl_aliases_find(aliases, *g))
            continue; /* the first definition wins */
        NlAlias *a = g_new0(NlAlias, 1);
        a->name = g_strdup(*g);
        a->experiment = g_steal_pointer(&experiment);
        g_autofree char *print = g_key_file_get_string(kf, *g, "print", NULL);
        a->print = split_list(print);
        a->summary = g_key_file_get_string(kf, *g, "summary", NULL);
        if (!a->summary)
            a->summary =
                g_strdup_printf("run %s and print its tables", a->experiment);
        a->description = g_key_file_get_string(kf, *g, "description", NULL);
        if (!a->description)
            a->description = g_strdup_printf(
                "numlab run %s, printing the rows of its tables %s.",
                a->experiment, print ? print : "(none)");
        a->source = g_strdup(source);
        g_ptr_array_add(aliases, a);
    }
}

GPtrArray *nl_aliases_load(const char *const *reserved, GPtrArray *problems)
{
    GPtrArray *aliases = g_ptr_array_new_with_free_func(alias_free);
    const char *env = g_getenv("NUMLAB_ALIASES");
    g_auto(GStrv) files =
        g_strsplit(env ? env : "", G_SEARCHPATH_SEPARATOR_S, -1);
    for (char **f = files; *f; f++) {
        if (!**f)
            continue;
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        if (!g_key_file_load_from_file(kf, *f, G_KEY_FILE_NONE, &error)) {
            g_ptr_array_add(problems,
                            g_strdup_printf("%s: cannot read aliases: %s", *f,
                                            error->message));
            continue;
        }
        add_file(aliases, kf, *f, reserved, problems);
    }
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) error = NULL;
    if (g_key_file_load_from_data(kf, builtin_aliases, -1, G_KEY_FILE_NONE,
                                  &error))
        add_file(aliases, kf, "built-in aliases", reserved, problems);
    else /* framework/aliases.ini is checked by make check */
        g_ptr_array_add(
            problems, g_strdup_printf("built-in aliases: %s", error->message));
    return aliases;
}

const NlAlias *nl_aliases_find(GPtrArray *aliases, const char *name)
{
    for (guint i = 0; i < aliases->len; i++) {
        const NlAlias *a = aliases->pdata[i];
        if (strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}

gboolean nl_table_name_matches(char **patterns, const char *table)
{
    for (char **p = patterns; p && *p; p++)
        if (g_pattern_match_simple(*p, table))
            return TRUE;
    return FALSE;
}
