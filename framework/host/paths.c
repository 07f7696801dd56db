/* paths.c — where the runner finds its plugins, its plot scripts and its
 * cache folder.
 *
 * Run from the build tree (make check, or ./framework/numlab after make),
 * the runner uses the freshly built modules and the source tree's plots/
 * with no variable to set; installed, it uses $(pkglibdir) and
 * $(pkgdatadir)/plots. It decides by where its own executable lives.
 *
 * Plot scripts are searched, for each experiment, in the folders of
 * NUMLAB_PLOT_PATH, then beside the experiment's module (MODULEDIR/plots,
 * MODULEDIR being the folder above .libs/ for a libtool module), then in
 * the built-in folder: a plugin brings its figures without
 * touching numlab's installed plots. */
#include "config.h"

#include "host.h"

#include <stdio.h>
#include <string.h>

const char *nl_host_executable(void)
{
    static char *exe;
    if (!exe)
        exe = g_file_read_link("/proc/self/exe", NULL);
    return exe;
}

char *nl_host_cache_path(const char *name)
{
    const char *env = g_getenv("NUMLAB_CACHE_DIR");
    if (env && (!*env || strcmp(env, "off") == 0))
        return NULL;
    if (env)
        return g_build_filename(env, name, NULL);
    return g_build_filename(g_get_user_cache_dir(), "numlab", name, NULL);
}

gboolean nl_host_uninstalled(void)
{
    static gint cached = -1;
    if (cached < 0) {
        g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
        g_autofree char *dir = exe ? g_path_get_dirname(exe) : NULL;
        cached = dir && (strcmp(dir, NL_BUILDDIR "/framework") == 0 ||
                         strcmp(dir, NL_BUILDDIR "/framework/.libs") == 0);
    }
    return cached;
}

const char *nl_host_plot_dir(void)
{
    const char *env = g_getenv("NUMLAB_PLOT_DIR");
    if (env && *env)
        return env;
    return nl_host_uninstalled() ? NL_SRCDIR "/plots" : NL_PKGDATADIR "/plots";
}

const char *nl_host_lecture_dir(void)
{
    return nl_host_uninstalled() ? NL_SRCDIR "/lecture"
                                 : NL_PKGDATADIR "/lecture";
}

GPtrArray *nl_host_plot_search(const char *module_path)
{
    GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
    const char *env = g_getenv("NUMLAB_PLOT_PATH");
    if (env && *env) {
        g_auto(GStrv) parts = g_strsplit(env, G_SEARCHPATH_SEPARATOR_S, -1);
        for (char **d = parts; *d; d++)
            if (**d) /* an empty entry is not the current folder */
                g_ptr_array_add(dirs, g_strdup(*d));
    }
    if (module_path) {
        /* A libtool module lies in .libs/ below the folder its .la names. */
        g_autofree char *moddir = g_path_get_dirname(module_path);
        g_autofree char *base = g_path_get_basename(moddir);
        if (strcmp(base, ".libs") == 0) {
            char *parent = g_path_get_dirname(moddir);
            g_free(moddir);
            moddir = parent;
        }
        g_ptr_array_add(dirs, g_build_filename(moddir, "plots", NULL));
    }
    g_ptr_array_add(dirs, g_strdup(nl_host_plot_dir()));
    return dirs;
}

static gboolean has_gp_file(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, ".gp"))
            return TRUE;
    return FALSE;
}

char *nl_host_plot_scripts(const char *experiment, const char *module_path)
{
    g_autoptr(GPtrArray) dirs = nl_host_plot_search(module_path);
    for (guint i = 0; i < dirs->len; i++) {
        char *d = g_build_filename(dirs->pdata[i], experiment, NULL);
        if (has_gp_file(d))
            return d;
        g_free(d);
    }
    return NULL;
}

char *nl_host_plot_common(const char *module_path)
{
    g_autoptr(GPtrArray) dirs = nl_host_plot_search(module_path);
    for (guint i = 0; i < dirs->len; i++) {
        char *f = g_build_filename(dirs->pdata[i], "common.gp", NULL);
        if (g_file_test(f, G_FILE_TEST_IS_REGULAR))
            return f;
        g_free(f);
    }
    return NULL;
}

const char *nl_host_cpu_model(void)
{
    static char *model;
    if (model)
        return model;
    g_autofree char *info = NULL;
    if (g_file_get_contents("/proc/cpuinfo", &info, NULL, NULL)) {
        g_auto(GStrv) lines = g_strsplit(info, "\n", -1);
        for (char **l = lines; *l && !model; l++)
            if (g_str_has_prefix(*l, "model name")) {
                const char *colon = strchr(*l, ':');
                if (colon)
                    model = g_strstrip(g_strdup(colon + 1));
            }
    }
    if (!model)
        model = g_strdup("unknown CPU");
    return model;
}
