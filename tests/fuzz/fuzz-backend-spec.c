/* fuzz-backend-spec.c — libFuzzer target for the backend-spec parser
 * (nl_backend_parse_spec, framework/host/selfcheck.c): the input is one -b
 * spec, "NAME" or "NAME:key=value:...".
 *
 * The registry holds the backend modules of this build tree (naive, blas,
 * openmp where built), loaded once as numlab loads them uninstalled, so
 * every option table is a real one. It checks that a refusal is one line,
 * and that an accepted spec names a registered backend whose entry comes
 * back. Nothing is opened (the self-check would dominate every run), and
 * the comma-separated -b list that plan.c splits into specs is not part of
 * this target. */
#include "config.h"

#include "../../framework/host/host.h"
#include "fuzz-util.h"

static NlRegistry *registry;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    registry = nl_registry_new();
    nl_registry_scan(registry, NL_BUILDDIR "/backends", TRUE);
    FUZZ_CHECK(nl_registry_find(registry, NL_PLUGIN_BACKEND, "naive"),
               "the naive backend is not built in %s/backends", NL_BUILDDIR);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *spec = fuzz_text(data, size);
    g_autoptr(GError) error = NULL;
    const NlPluginEntry *entry = NULL;
    g_autoptr(NlParams) options =
        nl_backend_parse_spec(registry, spec, &entry, &error);
    if (!options) {
        FUZZ_CHECK_ONE_LINE(error);
        return 0;
    }
    FUZZ_CHECK(error == NULL, "an error beside a result: %s", error->message);
    FUZZ_CHECK(entry != NULL && entry->plugin->backend != NULL,
               "'%s' parsed without its backend", spec);
    g_auto(GStrv) parts = g_strsplit(spec, ":", 2);
    FUZZ_CHECK(strcmp(parts[0], entry->plugin->name) == 0,
               "'%s' gave backend %s", spec, entry->plugin->name);
    g_autofree char *text = nl_params_to_string(options);
    FUZZ_CHECK(strchr(text, '\n') == NULL, "'%s': options '%s'", spec, text);
    return 0;
}
