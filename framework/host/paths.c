/* paths.c — where the runner finds its plugins and plot scripts.
 *
 * Run from the build tree (make check, or ./framework/numlab after make),
 * the runner uses the freshly built modules and the source tree's plots/
 * with no variable to set; installed, it uses $(pkglibdir) and
 * $(pkgdatadir)/plots. It decides by where its own executable lives. */
#include "config.h"

#include "host.h"

#include <stdio.h>
#include <string.h>

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
