/* numlab/plugin.h — the plugin ABI: the one descriptor every module exports.
 *
 * A numlab module is a shared object that exports exactly one function,
 * numlab_plugin_entry(), returning a pointer to a static const NlPlugin.
 * The host reads abi_version first and nothing else until it matches
 * NL_ABI_VERSION. Fields are only ever appended to the structures of this
 * SDK, never reordered or removed; a NULL hook means "not provided".
 *
 * This header deliberately holds no behaviour: the kernels a backend
 * provides are in numlab/backend.h, the hooks of an experiment in
 * numlab/experiment.h. */
#ifndef NUMLAB_PLUGIN_H
#define NUMLAB_PLUGIN_H

#include <glib.h>

G_BEGIN_DECLS

/* Bumped whenever a structure of the SDK changes in a way an old module
 * could misread. Appending a field to the end of NlBackendOps or
 * NlExperimentOps does not bump it: the host treats a missing tail as NULL
 * because every descriptor carries its own size in struct_size. */
#define NL_ABI_VERSION 1

/* The name of the one exported symbol. */
#define NL_PLUGIN_ENTRY_SYMBOL "numlab_plugin_entry"

typedef enum {
    NL_PLUGIN_BACKEND = 1,
    NL_PLUGIN_EXPERIMENT = 2,
} NlPluginKind;

typedef struct NlBackendOps NlBackendOps;
typedef struct NlExperimentOps NlExperimentOps;

typedef struct NlPlugin {
    int abi_version;     /* NL_ABI_VERSION; first, always */
    NlPluginKind kind;   /* which of the two pointers below is set */
    const char *name;    /* unique, [a-z0-9_-]+, used on the command line */
    const char *version; /* the plugin's own version */
    const char *summary; /* one line for `numlab list` */
    const NlBackendOps *backend;       /* kind == NL_PLUGIN_BACKEND */
    const NlExperimentOps *experiment; /* kind == NL_PLUGIN_EXPERIMENT */
} NlPlugin;

typedef const NlPlugin *(*NlPluginEntryFunc)(void);

#if defined(__GNUC__)
#define NL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define NL_PLUGIN_EXPORT
#endif

/* Declared here so that modules build cleanly with -Wmissing-prototypes. */
NL_PLUGIN_EXPORT const NlPlugin *numlab_plugin_entry(void);

/* NL_PLUGIN_DEFINE(descriptor) writes the module's single export:
 *
 *     static const NlPlugin plugin = { .abi_version = NL_ABI_VERSION, ... };
 *     NL_PLUGIN_DEFINE(plugin)
 */
#define NL_PLUGIN_DEFINE(descriptor)                                           \
    const NlPlugin *numlab_plugin_entry(void) { return &(descriptor); }

G_END_DECLS

#endif /* NUMLAB_PLUGIN_H */
