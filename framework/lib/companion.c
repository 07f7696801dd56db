/* companion.c — a module's companion library, found beside the module and
 * loaded when the plugin first needs it (numlab/companion.h). */
#define _GNU_SOURCE /* dladdr */
#include "config.h"

#include <numlab/numlab.h>

#include <dlfcn.h>
#include <gmodule.h>
#include <string.h>

/* Where the companion `file` of `module` (a path) lies: DIR/impl/.libs/
 * in a build tree, where libtool keeps the module in DIR/.libs/; else in
 * the folder named after the module beside it. */
static char *companion_path(const char *module, const char *file)
{
    g_autofree char *dir = g_path_get_dirname(module);
    g_autofree char *base = g_path_get_basename(dir);
    if (strcmp(base, ".libs") == 0) {
        g_autofree char *up = g_path_get_dirname(dir);
        return g_build_filename(up, "impl", ".libs", file, NULL);
    }
    g_autofree char *name = g_path_get_basename(module);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    return g_build_filename(dir, name, file, NULL);
}

gconstpointer nl_companion_open(gconstpointer anchor, const char *file,
                                const char *symbol, const char *version,
                                GError **error)
{
    g_return_val_if_fail(anchor && file && symbol && version, NULL);
    Dl_info info;
    if (!dladdr(anchor, &info) || !info.dli_fname || !*info.dli_fname) {
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                "cannot tell which module holds %p (dladdr), so not where "
                "its companion %s lies",
                anchor, file);
        return NULL;
    }
    g_autofree char *path = companion_path(info.dli_fname, file);
    g_autoptr(GError) local = NULL;
    /* Local binding: a companion's symbols cannot clash with another's. */
    GModule *module = g_module_open_full(path, G_MODULE_BIND_LOCAL, &local);
    if (!module) {
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                "cannot load %s (%s)", file, local->message);
        return NULL;
    }
    /* Never closed, even when refused: like the modules, it stays until
     * the process ends (CUDA's libraries are not made to be unloaded). */
    g_module_make_resident(module);
    gpointer sym = NULL;
    if (!g_module_symbol(module, symbol, &sym) || !sym) {
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                "%s has no %s(): not the companion this module expects; "
                "rebuild or reinstall numlab",
                path, symbol);
        return NULL;
    }
    NlCompanionFunc func = (NlCompanionFunc)(void (*)(void))sym;
    const char *built = NULL;
    gconstpointer table = func(&built);
    if (!table || g_strcmp0(built, version) != 0) {
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                "%s was built as numlab %s, its module as %s: rebuild or "
                "reinstall numlab",
                path, built ? built : "(no version)", version);
        return NULL;
    }
    return table;
}
