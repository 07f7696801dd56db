/* numlab/plugin.h — the plugin ABI: the one descriptor every module exports.
 *
 * A numlab module is a shared object that exports exactly one function,
 * numlab_plugin_entry(), returning a pointer to a static const NlPlugin.
 * NL_PLUGIN_DEFINE writes both and fills the version fields itself. The
 * host reads abi_version first and nothing else until it matches
 * NL_ABI_VERSION; then struct_size, then the rest.
 *
 * The ABI rules (doc/writing-plugins.md, "ABI rules", says why):
 *  - Descriptors a plugin fills and only the host reads (NlPlugin,
 *    NlBackendOps, NlExperimentOps, NlParamExt) carry struct_size. Fields
 *    are appended to them without a bump; the host treats what lies beyond
 *    a module's struct_size as NULL, so every appended field must mean
 *    "not provided" when NULL or 0.
 *  - Structs whose memory one side allocates and the other reads or writes
 *    (NlRng, NlBuffer, NlBackendInfo) never change size within an ABI: a
 *    new field takes over reserved words at their offset.
 *  - NlParamSpec is an array element and never grows: new parameter
 *    features go into its NlParamExt.
 *  - Everything else a plugin sees is opaque (NlBackend, NlRun, NlParams,
 *    NlTable, NlSampler, NlProbe) and may change freely.
 *  - Enum values are appended, never renumbered.
 * Any other change to a public layout — a field removed, reordered,
 * retyped, or a struct that grows where the rules above do not allow it —
 * bumps NL_ABI_VERSION, and with it the soname of libnumlab (configure.ac
 * derives one from the other). tests/test-abi.c holds the layout of every
 * public struct under the current NL_ABI_VERSION and fails `make check`
 * when one changes without the bump.
 *
 * This header deliberately holds no behaviour: the kernels a backend
 * provides are in numlab/backend.h, the hooks of an experiment in
 * numlab/experiment.h. */
#ifndef NUMLAB_PLUGIN_H
#define NUMLAB_PLUGIN_H

#include <glib.h>

G_BEGIN_DECLS

/* The plugin ABI. configure.ac reads this line (keep it a bare number)
 * and makes libnumlab's soname libnumlab.so.(NL_ABI_VERSION - 1). History: 1,
 * the first; 2, NlPlugin gained struct_size, NlParamSpec ext,
 * NlRng/NlBuffer/NlBackendInfo their reserved words. */
#define NL_ABI_VERSION 2

/* The name of the one exported symbol. */
#define NL_PLUGIN_ENTRY_SYMBOL "numlab_plugin_entry"

typedef enum {
    NL_PLUGIN_BACKEND = 1,
    NL_PLUGIN_EXPERIMENT = 2,
} NlPluginKind;

/* NlPlugin.flags. */
typedef enum {
    /* `-b all` leaves this backend out; it runs where a -b names it. For a
     * backend that costs more than a device of this machine: mpi starts
     * processes, and each of its kernels is a round trip to them. */
    NL_PLUGIN_NOT_IN_ALL = 1 << 0,
    /* An experiment whose results are times: each of its backend jobs runs
     * with no other job beside it. Without it, `numlab run` runs backend
     * jobs side by side, one per core (--jobs), which changes no bit of a
     * result. */
    NL_PLUGIN_JOBS_ALONE = 1 << 1,
} NlPluginFlags;

typedef struct NlBackendOps NlBackendOps;
typedef struct NlExperimentOps NlExperimentOps;

typedef struct NlPlugin {
    int abi_version;     /* NL_ABI_VERSION; first, always (NL_PLUGIN_DEFINE) */
    NlPluginKind kind;   /* which of the two pointers below is set */
    gsize struct_size;   /* sizeof(NlPlugin) as compiled (NL_PLUGIN_DEFINE) */
    const char *name;    /* unique, [a-z0-9_-]+, used on the command line */
    const char *version; /* the plugin's own version */
    const char *summary; /* one line for `numlab list` */
    const NlBackendOps *backend;       /* kind == NL_PLUGIN_BACKEND */
    const NlExperimentOps *experiment; /* kind == NL_PLUGIN_EXPERIMENT */
    /* Appended fields go here; NULL or 0 must mean "not provided". */
    guint flags; /* NlPluginFlags; appended within ABI 2 */
} NlPlugin;

typedef const NlPlugin *(*NlPluginEntryFunc)(void);

#if defined(__GNUC__)
#define NL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define NL_PLUGIN_EXPORT
#endif

/* Declared here so that modules build cleanly with -Wmissing-prototypes. */
NL_PLUGIN_EXPORT const NlPlugin *numlab_plugin_entry(void);

/* NL_PLUGIN_DEFINE(fields...) writes the module's descriptor and its single
 * export. Give every field but the two version fields, which the macro
 * fills from the headers the module is compiled against:
 *
 *     NL_PLUGIN_DEFINE(
 *         .kind = NL_PLUGIN_EXPERIMENT,
 *         .name = "my-experiment",
 *         .version = "0.1.0",
 *         .summary = "one line for numlab list",
 *         .experiment = &ops,
 *     )
 *
 * Setting .abi_version or .struct_size here as well is an error under
 * -Wextra (-Woverride-init). A field left out is zero, and the host names
 * it when the module loads (".summary is not set"). */
#define NL_PLUGIN_DEFINE(...)                                                  \
    static const NlPlugin nl_plugin_descriptor_ = {                            \
        .abi_version = NL_ABI_VERSION,                                         \
        .struct_size = sizeof(NlPlugin),                                       \
        __VA_ARGS__};                                                          \
    const NlPlugin *numlab_plugin_entry(void)                                  \
    {                                                                          \
        return &nl_plugin_descriptor_;                                         \
    }

G_END_DECLS

#endif /* NUMLAB_PLUGIN_H */
