/* numlab/companion.h — a module's companion library: the part of a plugin
 * that needs a heavy library, loaded only when the plugin is used.
 *
 * Every numlab command loads every module (numlab help, list and plot
 * too), so whatever a module links is paid by every command: OpenBLAS
 * costs about 5 ms at load, cuBLAS 70 ms and 210 MiB. A plugin keeps such
 * libraries out of its module by moving the code that calls them into a
 * companion library and opening it where it is first needed, in a
 * backend's open() or an experiment's run(). backends/blas and
 * backends/cuda are built this way.
 *
 * A companion exports one function, named by the plugin, of type
 * NlCompanionFunc: it returns what the plugin needs from it (a table of
 * hooks or of functions) and the numlab version it was built as, which
 * must be the plugin's own: both halves come from one build.
 *
 * Where it lies: beside the module, in a folder named after it. Installed,
 * the companion FILE of PKGLIBDIR/blas.so is PKGLIBDIR/blas/FILE; in a
 * build tree, where libtool keeps the module in DIR/.libs/, it is
 * DIR/impl/.libs/FILE (build it as DIR/impl/FILE.la). The registry scans
 * neither folder for modules. See doc/writing-plugins.md. */
#ifndef NUMLAB_COMPANION_H
#define NUMLAB_COMPANION_H

#include <glib.h>

G_BEGIN_DECLS

/* The function a companion exports: its table, and in *version the
 * PACKAGE_VERSION it was built as. */
typedef gconstpointer (*NlCompanionFunc)(const char **version);

/* Loads the companion `file` of the module that holds `anchor` (the
 * address of any function of that module), once per process, and returns
 * what its function `symbol` returns. NULL with an error when it cannot
 * be found or loaded (NL_BACKEND_ERROR_UNAVAILABLE: a library it needs is
 * missing), lacks `symbol` or was built as another version than `version`
 * (NL_BACKEND_ERROR_FAILED: rebuild or reinstall). The library stays
 * loaded until the process ends, as modules do. Thread-safe. */
gconstpointer nl_companion_open(gconstpointer anchor, const char *file,
                                const char *symbol, const char *version,
                                GError **error);

G_END_DECLS

#endif /* NUMLAB_COMPANION_H */
