/* registry.c — finds plugin modules and loads them safely.
 *
 * The order of checks follows GStreamer's loader: open with local binding,
 * find the one entry symbol, read the ABI version and compare it before
 * any other field is touched, then struct_size, then every field. Every
 * failure becomes one line that names the file and the field to set.
 * Modules are made resident and never unloaded: closing an OpenMP module
 * and then loading another crashes libgomp here. Directories are searched
 * by absolute path only: the runner refuses a relative --plugin-dir or
 * NUMLAB_PLUGIN_PATH entry, so the current folder is never searched. */
#define _DEFAULT_SOURCE /* realpath */
#include "config.h"

#include "host.h"

#include <stdlib.h>
#include <string.h>

static void entry_free(gpointer p)
{
    NlPluginEntry *e = p;
    g_free(e->path);
    g_free(e);
}

NlRegistry *nl_registry_new(void)
{
    NlRegistry *r = g_new0(NlRegistry, 1);
    r->entries = g_ptr_array_new_with_free_func(entry_free);
    r->problems = g_ptr_array_new_with_free_func(g_free);
    r->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return r;
}

void nl_registry_free(NlRegistry *r)
{
    if (!r)
        return;
    g_ptr_array_unref(r->entries);
    g_ptr_array_unref(r->problems);
    g_hash_table_unref(r->seen);
    g_free(r);
}

/* "a backend", "an experiment" */
static const char *kind_name(NlPluginKind kind)
{
    return kind == NL_PLUGIN_BACKEND ? "a backend" : "an experiment";
}

static gboolean valid_plugin_name(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return FALSE;
    for (; *s; s++)
        if (!(g_ascii_islower(*s) || g_ascii_isdigit(*s) || *s == '-' ||
              *s == '_'))
            return FALSE;
    return TRUE;
}

static gboolean fail(GError **error, const char *path, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean fail(GError **error, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nl_failv(error, NL_ERROR, NL_ERROR_PLUGIN, fmt, ap);
    va_end(ap);
    g_prefix_error(error, "%s: ", path);
    return FALSE;
}

/* What parsing a value does not check in a spec table: every extension
 * record comes from NL_PARAM_EXT, with its struct_size set. */
static gboolean check_specs(const NlParamSpec *specs, const char *path,
                            const char *owner, GError **error)
{
    for (const NlParamSpec *s = specs; s && s->name; s++)
        if (s->ext && s->ext->struct_size == 0)
            return fail(error, path,
                        "%s: parameter '%s': .ext->struct_size "
                        "is not set: write .ext = NL_PARAM_EXT(...)",
                        owner, s->name);
    return TRUE;
}

static gboolean check_backend(const NlPlugin *p, const char *path,
                              const char *owner, GError **error)
{
    const NlBackendOps *ops = p->backend;
    if (!ops)
        return fail(error, path, "%s: .backend is not set", owner);
    if (p->experiment)
        return fail(error, path,
                    "%s: .experiment is set in a backend: "
                    "set only .backend",
                    owner);
    if (!ops->struct_size)
        return fail(error, path,
                    "%s: .struct_size of its NlBackendOps is "
                    "not set: write .struct_size = sizeof(NlBackendOps)",
                    owner);
    if (ops->struct_size < G_STRUCT_OFFSET(NlBackendOps, sum))
        return fail(error, path,
                    "%s: .struct_size of its NlBackendOps is %" G_GSIZE_FORMAT
                    ", too short for any numlab: write "
                    ".struct_size = sizeof(NlBackendOps)",
                    owner, ops->struct_size);
    if (!ops->open)
        return fail(error, path, "%s: .open of its NlBackendOps is not set",
                    owner);
    return check_specs(ops->options, path, owner, error);
}

static gboolean check_experiment(const NlPlugin *p, const char *path,
                                 const char *owner, GError **error)
{
    const NlExperimentOps *ops = p->experiment;
    if (!ops)
        return fail(error, path, "%s: .experiment is not set", owner);
    if (p->backend)
        return fail(error, path,
                    "%s: .backend is set in an experiment: "
                    "set only .experiment",
                    owner);
    if (!ops->struct_size)
        return fail(error, path,
                    "%s: .struct_size of its NlExperimentOps is "
                    "not set: write .struct_size = sizeof(NlExperimentOps)",
                    owner);
    if (ops->struct_size < G_STRUCT_OFFSET(NlExperimentOps, run_common))
        return fail(error, path,
                    "%s: .struct_size of its NlExperimentOps is "
                    "%" G_GSIZE_FORMAT ", too short for any numlab: write "
                    ".struct_size = sizeof(NlExperimentOps)",
                    owner, ops->struct_size);
    if (!ops->title)
        return fail(error, path,
                    "%s: .title of its NlExperimentOps is not "
                    "set",
                    owner);
    if (!ops->description)
        return fail(error, path,
                    "%s: .description of its NlExperimentOps is "
                    "not set",
                    owner);
    if (!NL_FIELD(ops, run_common) && !NL_FIELD(ops, run_backend) &&
        !NL_FIELD(ops, run_compare))
        return fail(error, path,
                    "%s: none of .run_common, .run_backend, "
                    ".run_compare is set",
                    owner);
    return check_specs(ops->params, path, owner, error);
}

/* The smallest descriptor of this ABI: every field NlPlugin had when
 * NL_ABI_VERSION last changed. Fields appended later are read only where
 * a module's struct_size covers them. */
#define NL_PLUGIN_MIN_SIZE                                                     \
    (G_STRUCT_OFFSET(NlPlugin, experiment) + sizeof(const NlExperimentOps *))

gboolean nl_registry_check_plugin(const NlPlugin *p, const char *path,
                                  GError **error)
{
    /* abi_version first, alone: under another ABI nothing else is known. */
    if (p->abi_version == 0)
        return fail(error, path,
                    "abi_version is not set: write the "
                    "descriptor with NL_PLUGIN_DEFINE");
    if (p->abi_version != NL_ABI_VERSION)
        return fail(error, path,
                    "built against another numlab ABI (%d, this "
                    "numlab has %d): rebuild it",
                    p->abi_version, NL_ABI_VERSION);
    if (p->struct_size == 0)
        return fail(error, path,
                    "struct_size is not set: write the "
                    "descriptor with NL_PLUGIN_DEFINE");
    if (p->struct_size < NL_PLUGIN_MIN_SIZE)
        return fail(error, path,
                    "struct_size is %" G_GSIZE_FORMAT ", less "
                    "than the %" G_GSIZE_FORMAT " bytes of an ABI %d "
                    "descriptor: write it with NL_PLUGIN_DEFINE",
                    p->struct_size, (gsize)NL_PLUGIN_MIN_SIZE, NL_ABI_VERSION);
    if (!p->name || !*p->name)
        return fail(error, path, ".name is not set");
    if (!valid_plugin_name(p->name)) {
        g_autofree char *shown = g_strescape(p->name, NULL);
        return fail(error, path,
                    ".name '%s' is not a plugin name: use 1 to "
                    "64 characters of [a-z0-9_-]",
                    shown);
    }
    g_autofree char *owner =
        g_strdup_printf("%s '%s'",
                        p->kind == NL_PLUGIN_BACKEND      ? "backend"
                        : p->kind == NL_PLUGIN_EXPERIMENT ? "experiment"
                                                          : "plugin",
                        p->name);
    if (p->kind == 0)
        return fail(error, path,
                    "%s: .kind is not set: use "
                    "NL_PLUGIN_BACKEND or NL_PLUGIN_EXPERIMENT",
                    owner);
    if (p->kind != NL_PLUGIN_BACKEND && p->kind != NL_PLUGIN_EXPERIMENT)
        return fail(error, path,
                    "%s: .kind %d is unknown: use "
                    "NL_PLUGIN_BACKEND or NL_PLUGIN_EXPERIMENT",
                    owner, (int)p->kind);
    if (!p->version)
        return fail(error, path, "%s: .version is not set", owner);
    if (!p->summary)
        return fail(error, path, "%s: .summary is not set", owner);
    return p->kind == NL_PLUGIN_BACKEND
               ? check_backend(p, path, owner, error)
               : check_experiment(p, path, owner, error);
}

gboolean nl_registry_load(NlRegistry *r, const char *path, GError **error)
{
    g_autofree char *canonical = g_canonicalize_filename(path, NULL);
    char *real = realpath(canonical, NULL);
    g_autofree char *key = g_strdup(real ? real : canonical);
    free(real);
    if (g_hash_table_contains(r->seen, key))
        return TRUE; /* the same file reached through another directory */
    g_hash_table_add(r->seen, g_strdup(key));

    g_autoptr(GError) local = NULL;
    GModule *module = g_module_open_full(
        canonical, G_MODULE_BIND_LOCAL | G_MODULE_BIND_LAZY, &local);
    if (!module) {
        /* dlerror repeats the path; keep only its reason. */
        /* dlerror says "PATH: reason"; keep the whole reason ("undefined
         * symbol: x", "invalid ELF header"). */
        const char *why = local->message;
        if (g_str_has_prefix(why, canonical) && why[strlen(canonical)] == ':')
            why += strlen(canonical) + 1;
        while (*why == ' ')
            why++;
        return fail(error, canonical, "not a loadable module (%s)", why);
    }
    g_module_make_resident(module);

    gpointer sym = NULL;
    if (!g_module_symbol(module, NL_PLUGIN_ENTRY_SYMBOL, &sym) || !sym)
        return fail(error, canonical,
                    "no %s() entry point: not a numlab plugin",
                    NL_PLUGIN_ENTRY_SYMBOL);
    const NlPlugin *plugin = ((NlPluginEntryFunc)(void (*)(void))sym)();
    if (!plugin)
        return fail(error, canonical, "%s() returned NULL",
                    NL_PLUGIN_ENTRY_SYMBOL);
    if (!nl_registry_check_plugin(plugin, canonical, error))
        return FALSE;

    const NlPluginEntry *twin = nl_registry_find(r, plugin->kind, plugin->name);
    if (twin)
        return fail(error, canonical,
                    "%s named '%s' is already loaded from %s; this one is "
                    "ignored",
                    kind_name(plugin->kind), plugin->name, twin->path);

    NlPluginEntry *e = g_new0(NlPluginEntry, 1);
    e->path = g_steal_pointer(&canonical);
    e->plugin = plugin;
    g_ptr_array_add(r->entries, e);
    return TRUE;
}

gint nl_compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.so files directly in dir, sorted so the load order is stable. */
static GPtrArray *modules_in(const char *dir)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, ".so"))
            g_ptr_array_add(files, g_build_filename(dir, name, NULL));
    g_ptr_array_sort(files, nl_compare_strings);
    return files;
}

/* Loads the files, after a scanner tried those it has no verdict on
 * (scan.c): one that crashed a scanner is skipped, said in `problems`. */
static void load_all(NlRegistry *r, GPtrArray *files)
{
    nl_registry_screen(files, r->problems);
    for (guint i = 0; i < files->len; i++) {
        g_autoptr(GError) error = NULL;
        if (!nl_registry_load(r, files->pdata[i], &error))
            g_ptr_array_add(r->problems, g_strdup(error->message));
    }
}

void nl_registry_scan(NlRegistry *r, const char *dir, gboolean build_tree)
{
    g_autofree char *abs = g_canonicalize_filename(dir, NULL);
    if (!g_file_test(abs, G_FILE_TEST_IS_DIR)) {
        g_ptr_array_add(r->problems,
                        g_strdup_printf("%s: plugin folder not found", abs));
        return;
    }
    if (!build_tree) {
        g_autoptr(GPtrArray) files = modules_in(abs);
        load_all(r, files);
        return;
    }
    /* A libtool build tree keeps each module in FOLDER/NAME/.libs/. */
    g_autoptr(GPtrArray) subdirs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(abs, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        g_ptr_array_add(subdirs, g_build_filename(abs, name, ".libs", NULL));
    g_ptr_array_sort(subdirs, nl_compare_strings);
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < subdirs->len; i++) {
        g_autoptr(GPtrArray) files = modules_in(subdirs->pdata[i]);
        for (guint f = 0; f < files->len; f++)
            g_ptr_array_add(all, g_steal_pointer(&files->pdata[f]));
    }
    load_all(r, all);
}

NlRegistry *nl_registry_default(char **extra_dirs)
{
    NlRegistry *r = nl_registry_new();
    for (char **d = extra_dirs; d && *d; d++)
        nl_registry_scan(r, *d, FALSE);
    const char *env = g_getenv("NUMLAB_PLUGIN_PATH");
    if (env && *env) {
        g_auto(GStrv) dirs = g_strsplit(env, G_SEARCHPATH_SEPARATOR_S, -1);
        for (char **d = dirs; *d; d++)
            if (**d)
                nl_registry_scan(r, *d, FALSE);
    }
    if (nl_host_uninstalled()) {
        nl_registry_scan(r, NL_BUILDDIR "/backends", TRUE);
        nl_registry_scan(r, NL_BUILDDIR "/experiments", TRUE);
    } else {
        nl_registry_scan(r, NL_PKGLIBDIR, FALSE);
    }
    return r;
}

const NlPluginEntry *nl_registry_find(NlRegistry *r, NlPluginKind kind,
                                      const char *name)
{
    for (guint i = 0; i < r->entries->len; i++) {
        const NlPluginEntry *e = r->entries->pdata[i];
        if (e->plugin->kind == kind && strcmp(e->plugin->name, name) == 0)
            return e;
    }
    return NULL;
}

static gint compare_entries(gconstpointer a, gconstpointer b)
{
    const NlPluginEntry *x = *(NlPluginEntry *const *)a;
    const NlPluginEntry *y = *(NlPluginEntry *const *)b;
    return strcmp(x->plugin->name, y->plugin->name);
}

char *nl_registry_names(NlRegistry *r, NlPluginKind kind)
{
    g_autoptr(GPtrArray) list = nl_registry_list(r, kind);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < list->len; i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               ((NlPluginEntry *)list->pdata[i])->plugin->name);
    return g_string_free(s, FALSE);
}

GPtrArray *nl_registry_list(NlRegistry *r, NlPluginKind kind)
{
    GPtrArray *list = g_ptr_array_new();
    for (guint i = 0; i < r->entries->len; i++) {
        NlPluginEntry *e = r->entries->pdata[i];
        if (e->plugin->kind == kind)
            g_ptr_array_add(list, e);
    }
    g_ptr_array_sort(list, compare_entries);
    return list;
}
