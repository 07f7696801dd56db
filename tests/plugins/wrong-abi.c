/* wrong-abi.c — a plugin built for another ABI version: the loader must
 * reject it after reading only the version field. The rest of the
 * descriptor is deliberately garbage. */
#include <numlab/plugin.h>

#if NL_ABI_VERSION == 99
#error "wrong-abi.c claims ABI 99, which is now this numlab's own"
#endif

static const struct {
    int abi_version;
    const char *junk;
} future = {99, (const char *)0x1};

const NlPlugin *numlab_plugin_entry(void)
{
    return (const NlPlugin *)&future;
}
