/* halves.c — a backend module built like blas and cuda, a loader and its
 * companion (numlab/companion.h, backends/common/forward.h), whose two
 * halves disagree: the companion (halves-impl.c) sets dot, which this
 * module does not forward. Opening it must fail in one line that names
 * the hook (tests/test-companions.sh), not run with dot quietly taken
 * for missing. */
#include "config.h"

#include "../../../backends/common/forward.h"

#include <numlab/numlab.h>

static const NlBackendOps halves_ops;

static gpointer halves_open(const NlParams *opts, GError **error)
{
    if (!forward_load(&halves_ops, "numlab-halves-impl.so", "halves_impl",
                      error))
        return NULL;
    return forward_impl->open(opts, error);
}

/* dot is missing on purpose. */
static const NlBackendOps halves_ops = {
    .struct_size = sizeof(NlBackendOps),
    .open = halves_open,
    .close = forward_close,
    .describe = forward_describe,
    .sum = forward_sum,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_BACKEND, .name = "halves",
                 .version = PACKAGE_VERSION,
                 .summary = "test: a loader that does not forward its "
                            "companion's dot",
                 .backend = &halves_ops, )
