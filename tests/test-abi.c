/* test-abi.c — the plugin ABI is what numlab/plugin.h says it is.
 *
 *  - Every public struct's size and field offsets, and every public enum's
 *    values, are recorded below for one NL_ABI_VERSION and must match what
 *    the headers compile to. A layout change fails here until
 *    NL_ABI_VERSION is bumped and the table recorded again, together; a
 *    struct that carries struct_size may only gain fields at its end, and
 *    then the table records them under the same version
 *    (doc/writing-plugins.md, "ABI rules").
 *  - libnumlab's soname, read from the library this test runs with, is
 *    libnumlab.so.(NL_ABI_VERSION - 1).
 *  - NL_PLUGIN_DEFINE fills abi_version and struct_size itself.
 *  - The loader refuses every defect of a descriptor with one line that
 *    names the field to set: on descriptors built here, and on modules
 *    (tests/plugins/wrong-abi.c, tests/plugins/bad-descriptor.c). */
#define _GNU_SOURCE /* dladdr */
#include "config.h"

#include "../framework/host/host.h"

#include <dlfcn.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#define TEST_PLUGINS NL_BUILDDIR "/tests/plugins/.libs"
#define BAD_PLUGINS  NL_BUILDDIR "/tests/plugins/bad/.libs"

/* ---- the recorded layout -------------------------------------------------
 *
 * The ABI this table describes. Change a number below only together with
 * NL_ABI_VERSION (and so the soname), except where a struct_size struct
 * gains fields at its end: those are recorded under the same version.
 * Measured for LP64 (x86-64, aarch64): 8-byte pointers, gsize, guint64 and
 * double, 4-byte int and enum. */
#define NL_ABI_RECORDED 2

typedef enum {
    EXACT,  /* must stay as recorded within the ABI */
    APPEND, /* may grow at its end, never shrink: a struct_size struct,
               or one only the host allocates (NlCost) */
} Rule;

typedef struct {
    const char *what;
    gint64 recorded;
    gint64 actual;
    Rule rule;
} Fact;

#define SIZE(T, n, rule)                                                       \
    {                                                                          \
        "sizeof(" #T ")", n, (gint64)sizeof(T), rule                           \
    }
#define AT(T, f, n)                                                            \
    {                                                                          \
        "offsetof(" #T ", " #f ")", n, (gint64)offsetof(T, f), EXACT           \
    }
#define VALUE(e, n)                                                            \
    {                                                                          \
#e, n, (gint64)(e), EXACT                                              \
    }

static const Fact layout[] = {
    /* plugin.h: filled by the module, read by the host */
    SIZE(NlPlugin, 64, APPEND),
    AT(NlPlugin, abi_version, 0),
    AT(NlPlugin, kind, 4),
    AT(NlPlugin, struct_size, 8),
    AT(NlPlugin, name, 16),
    AT(NlPlugin, version, 24),
    AT(NlPlugin, summary, 32),
    AT(NlPlugin, backend, 40),
    AT(NlPlugin, experiment, 48),
    AT(NlPlugin, flags, 56),
    VALUE(NL_PLUGIN_BACKEND, 1),
    VALUE(NL_PLUGIN_EXPERIMENT, 2),

    /* backend.h */
    SIZE(NlBackendOps, 184, APPEND),
    AT(NlBackendOps, struct_size, 0),
    AT(NlBackendOps, options, 8),
    AT(NlBackendOps, open, 16),
    AT(NlBackendOps, close, 24),
    AT(NlBackendOps, describe, 32),
    AT(NlBackendOps, alloc, 40),
    AT(NlBackendOps, free, 48),
    AT(NlBackendOps, upload, 56),
    AT(NlBackendOps, download, 64),
    AT(NlBackendOps, sum, 72),
    AT(NlBackendOps, dot, 80),
    AT(NlBackendOps, gemv, 88),
    AT(NlBackendOps, gemm, 96),
    AT(NlBackendOps, softmax, 104),
    AT(NlBackendOps, tiled_sum, 112),
    AT(NlBackendOps, copy, 120),
    AT(NlBackendOps, substitute, 128),
    AT(NlBackendOps, sum_in, 136), /* the precision axis, appended */
    AT(NlBackendOps, dot_in, 144),
    AT(NlBackendOps, gemv_in, 152),
    AT(NlBackendOps, gemm_in, 160),
    AT(NlBackendOps, tiled_sum_in, 168),
    AT(NlBackendOps, times, 176), /* where the time goes, appended */
    /* filled by times(), allocated by the host: a later field takes over
     * a reserved word */
    SIZE(NlBackendTimes, 64, EXACT),
    AT(NlBackendTimes, calls, 0),
    AT(NlBackendTimes, compute_seconds, 8),
    AT(NlBackendTimes, comm_seconds, 16),
    AT(NlBackendTimes, reserved, 24),
    /* allocated by the host, filled by the backend: fixed size */
    SIZE(NlBuffer, 64, EXACT),
    AT(NlBuffer, n, 0),
    AT(NlBuffer, host, 8),
    AT(NlBuffer, device, 16),
    AT(NlBuffer, backend, 24),
    /* fields that took over reserved words at their offsets (the
     * precision axis): what follows them moved by as much */
    AT(NlBuffer, type, 32),
    AT(NlBuffer, reserved, 40),
    SIZE(NlBackendInfo, 96, EXACT),
    AT(NlBackendInfo, library, 0),
    AT(NlBackendInfo, device, 8),
    AT(NlBackendInfo, threads, 16),
    AT(NlBackendInfo, summation_order, 24),
    AT(NlBackendInfo, precisions, 32),
    AT(NlBackendInfo, reserved, 64),
    VALUE(NL_BACKEND_ERROR_UNAVAILABLE, 0),
    VALUE(NL_BACKEND_ERROR_ARGUMENT, 1),
    VALUE(NL_BACKEND_ERROR_UNSUPPORTED, 2),
    VALUE(NL_BACKEND_ERROR_FAILED, 3),
    VALUE(NL_BACKEND_ERROR_UNUSABLE, 4),

    /* experiment.h */
    SIZE(NlExperimentOps, 64, APPEND),
    AT(NlExperimentOps, struct_size, 0),
    AT(NlExperimentOps, title, 8),
    AT(NlExperimentOps, description, 16),
    AT(NlExperimentOps, params, 24),
    AT(NlExperimentOps, run_common, 32),
    AT(NlExperimentOps, run_backend, 40),
    AT(NlExperimentOps, run_compare, 48),
    AT(NlExperimentOps, estimate, 56),
    SIZE(NlCost, 32, APPEND),
    AT(NlCost, bytes, 0),
    AT(NlCost, common_seconds, 8),
    AT(NlCost, job_seconds, 16),
    AT(NlCost, result_bytes, 24),

    /* params.h: an array element, fixed for good; its extension record */
    SIZE(NlParamSpec, 64, EXACT),
    AT(NlParamSpec, name, 0),
    AT(NlParamSpec, type, 8),
    AT(NlParamSpec, default_value, 16),
    AT(NlParamSpec, min, 24),
    AT(NlParamSpec, max, 32),
    AT(NlParamSpec, help, 40),
    AT(NlParamSpec, choices, 48),
    AT(NlParamSpec, ext, 56),
    SIZE(NlParamExt, 40, APPEND),
    AT(NlParamExt, struct_size, 0),
    AT(NlParamExt, flags, 8),
    AT(NlParamExt, min_items, 12),
    AT(NlParamExt, max_items, 16),
    AT(NlParamExt, rows, 20),
    AT(NlParamExt, cols, 24),
    AT(NlParamExt, separator, 32),
    VALUE(NL_PARAM_INT, 1),
    VALUE(NL_PARAM_DOUBLE, 2),
    VALUE(NL_PARAM_BOOL, 3),
    VALUE(NL_PARAM_STRING, 4),
    VALUE(NL_PARAM_INT_LIST, 5),
    VALUE(NL_PARAM_DOUBLE_LIST, 6),
    VALUE(NL_PARAM_MATRIX, 7),
    VALUE(NL_PARAM_STRING_LIST, 8),
    VALUE(NL_PARAM_INT_RANGE, 9),
    VALUE(NL_PARAM_DOUBLE_MAP, 10),
    VALUE(NL_PARAM_MIN_EXCLUSIVE, 1),
    VALUE(NL_PARAM_MAX_EXCLUSIVE, 2),
    VALUE(NL_PARAM_STEPS, 4),
    VALUE(NL_PARAM_MAY_BE_EMPTY, 8),
    VALUE(NL_PLUGIN_NOT_IN_ALL, 1),

    /* rng.h: on the plugin's stack, written by libnumlab: fixed size */
    SIZE(NlRng, 80, EXACT),
    AT(NlRng, s, 0),
    AT(NlRng, spare, 32),
    AT(NlRng, has_spare, 40),
    AT(NlRng, reserved, 48),

    /* the other public enums */
    VALUE(NL_ALLOC_ERROR_OVERFLOW, 0),
    VALUE(NL_ALLOC_ERROR_NOMEM, 1),
    VALUE(NL_PROBE_SUM, 0),
    VALUE(NL_PROBE_DOT, 1),
    VALUE(NL_SAMPLE_ERROR_INPUT, 0),
    VALUE(NL_SAMPLE_ERROR_NOMEM, 1),
    VALUE(NL_PRECISION_F32, 0),
    VALUE(NL_PRECISION_F64, 1),
    VALUE(NL_PRECISION_BF16, 2),
    VALUE(NL_PRECISION_F16, 3),
    VALUE(NL_N_PRECISIONS, 4),
};

static void test_layout_is_recorded(void)
{
    if (sizeof(void *) != 8 || sizeof(int) != 4 || sizeof(NlPluginKind) != 4 ||
        alignof(guint64) != 8 || alignof(double) != 8) {
        g_test_skip("the layout is recorded for LP64 only");
        return;
    }
    if (NL_ABI_VERSION != NL_ABI_RECORDED) {
        g_test_fail_printf("NL_ABI_VERSION is %d but tests/test-abi.c records "
                           "the layout of ABI %d: record this ABI's layout "
                           "there (NL_ABI_RECORDED and every number)",
                           NL_ABI_VERSION, NL_ABI_RECORDED);
        return;
    }
    GString *wrong = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(layout); i++) {
        const Fact *f = &layout[i];
        if (f->actual == f->recorded)
            continue;
        const char *fix =
            f->rule == APPEND && f->actual > f->recorded
                ? "fields appended to a struct_size struct: record them "
                  "and its size here, under the same ABI"
                : "a layout change: bump NL_ABI_VERSION in numlab/plugin.h "
                  "(the soname follows) and record the new layout here";
        g_string_append_printf(wrong,
                               "\n  %s is %" G_GINT64_FORMAT
                               ", ABI %d recorded %" G_GINT64_FORMAT ": %s",
                               f->what, f->actual, NL_ABI_RECORDED, f->recorded,
                               fix);
    }
    if (wrong->len)
        g_test_fail_printf("the public layout changed:%s", wrong->str);
    g_string_free(wrong, TRUE);
}

/* The file the dynamic linker opened for libnumlab is named by its
 * soname (DT_NEEDED), so its basename is the soname itself. */
static void test_soname_follows_abi(void)
{
    Dl_info info;
    g_assert_true(dladdr((void *)nl_rng_init, &info) != 0);
    g_assert_nonnull(info.dli_fname);
    g_autofree char *file = g_path_get_basename(info.dli_fname);
    g_autofree char *want =
        g_strdup_printf("libnumlab.so.%d", NL_ABI_VERSION - 1);
    if (strcmp(file, want) != 0)
        g_test_fail_printf("libnumlab is %s, but NL_ABI_VERSION %d needs %s: "
                           "configure reads plugin.h (rerun ./configure)",
                           file, NL_ABI_VERSION, want);
}

/* ---- descriptors ---- */

static gboolean never(NlRun *run, GError **error)
{
    (void)run;
    (void)error;
    return TRUE;
}

static gpointer no_open(const NlParams *options, GError **error)
{
    (void)options;
    (void)error;
    return NULL;
}

static const NlParamSpec good_params[] = {
    {"n", NL_PARAM_INT, "1", 1, 8, "n", NULL, NL_PARAM_EXT()},
    {"m", NL_PARAM_INT, "1", 1, 8, "m", NULL, NULL},
    NL_PARAM_END,
};

static const NlExperimentOps good_ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "t",
    .description = "d",
    .params = good_params,
    .run_common = never,
};

static const NlBackendOps good_backend_ops = {
    .struct_size = sizeof(NlBackendOps),
    .open = no_open,
};

/* This test program's own export, as a module writes it. */
NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT, .name = "abi-test",
                 .version = "1", .summary = "s", .experiment = &good_ops, )

static void test_define_fills_versions(void)
{
    const NlPlugin *p = numlab_plugin_entry();
    g_assert_cmpint(p->abi_version, ==, NL_ABI_VERSION);
    g_assert_cmpuint(p->struct_size, ==, sizeof(NlPlugin));
    g_assert_cmpstr(p->name, ==, "abi-test");
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_registry_check_plugin(p, "x.so", &error));
    g_assert_no_error(error);

    /* NL_PARAM_EXT sizes its record; NL_FIELD reads by that size: a field
     * beyond an older module's record reads as 0 */
    g_assert_cmpuint(good_params[0].ext->struct_size, ==, sizeof(NlParamExt));
    const NlParamExt full = {.struct_size = sizeof(NlParamExt), .flags = 3};
    const NlParamExt older = {.struct_size = G_STRUCT_OFFSET(NlParamExt, flags),
                              .flags = 3};
    g_assert_cmpuint(NL_FIELD(&full, flags), ==, 3);
    g_assert_cmpuint(NL_FIELD(&older, flags), ==, 0);
}

/* The loader's verdict on p: NULL when accepted, else its message. */
static char *verdict(const NlPlugin *p)
{
    g_autoptr(GError) error = NULL;
    if (nl_registry_check_plugin(p, "x.so", &error))
        return NULL;
    g_assert_error(error, NL_ERROR, NL_ERROR_PLUGIN);
    g_assert_null(strchr(error->message, '\n'));
    return g_strdup(error->message);
}

#define ASSERT_REFUSED(p, message)                                             \
    do {                                                                       \
        g_autofree char *got_ = verdict(p);                                    \
        g_assert_cmpstr(got_, ==, message);                                    \
    } while (0)

static void test_versions_refused(void)
{
    NlPlugin p = *numlab_plugin_entry();
    p.abi_version = 0;
    ASSERT_REFUSED(&p, "x.so: abi_version is not set: write the descriptor "
                       "with NL_PLUGIN_DEFINE");
    p.abi_version = NL_ABI_VERSION - 1;
    g_autofree char *older = g_strdup_printf(
        "x.so: built against another numlab ABI (%d, this numlab has %d): "
        "rebuild it",
        NL_ABI_VERSION - 1, NL_ABI_VERSION);
    ASSERT_REFUSED(&p, older);

    p = *numlab_plugin_entry();
    p.struct_size = 0;
    ASSERT_REFUSED(&p, "x.so: struct_size is not set: write the descriptor "
                       "with NL_PLUGIN_DEFINE");
    p.struct_size = 8;
    g_autofree char *small = g_strdup_printf(
        "x.so: struct_size is 8, less than the %" G_GSIZE_FORMAT " bytes of "
        "an ABI %d descriptor: write it with NL_PLUGIN_DEFINE",
        G_STRUCT_OFFSET(NlPlugin, flags), NL_ABI_VERSION); /* ABI 2's first */
    ASSERT_REFUSED(&p, small);
    /* a module from a later numlab of this ABI, with fields appended */
    p.struct_size = sizeof(NlPlugin) + 16;
    ASSERT_REFUSED(&p, NULL);
}

static void test_fields_refused(void)
{
    NlPlugin p = *numlab_plugin_entry();
    p.name = NULL;
    ASSERT_REFUSED(&p, "x.so: .name is not set");
    p.name = "";
    ASSERT_REFUSED(&p, "x.so: .name is not set");
    p.name = "My Experiment";
    ASSERT_REFUSED(&p, "x.so: .name 'My Experiment' is not a plugin name: "
                       "use 1 to 64 characters of [a-z0-9_-]");
    p.name = "two\nlines";
    ASSERT_REFUSED(&p, "x.so: .name 'two\\nlines' is not a plugin name: "
                       "use 1 to 64 characters of [a-z0-9_-]");

    p = *numlab_plugin_entry();
    p.kind = 0;
    ASSERT_REFUSED(&p, "x.so: plugin 'abi-test': .kind is not set: use "
                       "NL_PLUGIN_BACKEND or NL_PLUGIN_EXPERIMENT");
    p.kind = 7;
    ASSERT_REFUSED(&p, "x.so: plugin 'abi-test': .kind 7 is unknown: use "
                       "NL_PLUGIN_BACKEND or NL_PLUGIN_EXPERIMENT");

    p = *numlab_plugin_entry();
    p.version = NULL;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': .version is not set");
    p = *numlab_plugin_entry();
    p.summary = NULL;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': .summary is not set");
    p = *numlab_plugin_entry();
    p.experiment = NULL;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': .experiment is not set");
    p.experiment = &good_ops;
    p.backend = &good_backend_ops;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': .backend is set in an "
                       "experiment: set only .experiment");
}

static void test_experiment_ops_refused(void)
{
    NlPlugin p = *numlab_plugin_entry();
    NlExperimentOps ops = good_ops;
    p.experiment = &ops;
    ops.struct_size = 0;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': .struct_size of its "
                       "NlExperimentOps is not set: write .struct_size = "
                       "sizeof(NlExperimentOps)");
    ops.struct_size = 16;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': .struct_size of its "
                       "NlExperimentOps is 16, too short for any numlab: "
                       "write .struct_size = sizeof(NlExperimentOps)");
    ops = good_ops;
    ops.title = NULL;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': .title of its "
                       "NlExperimentOps is not set");
    ops = good_ops;
    ops.description = NULL;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': .description of its "
                       "NlExperimentOps is not set");
    ops = good_ops;
    ops.run_common = NULL;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': none of .run_common, "
                       ".run_backend, .run_compare is set");
    /* a hook beyond a module's struct_size is not there */
    ops.run_backend = never;
    ops.struct_size = offsetof(NlExperimentOps, run_backend);
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': none of .run_common, "
                       ".run_backend, .run_compare is set");
    ops.struct_size = offsetof(NlExperimentOps, run_compare);
    ASSERT_REFUSED(&p, NULL);

    static const NlParamExt unsized = {0};
    const NlParamSpec bad_params[] = {
        {"n", NL_PARAM_INT, "1", 1, 8, "n", NULL, NULL},
        {"k", NL_PARAM_INT, "1", 1, 8, "k", NULL, &unsized},
        NL_PARAM_END,
    };
    ops = good_ops;
    ops.params = bad_params;
    ASSERT_REFUSED(&p, "x.so: experiment 'abi-test': parameter 'k': "
                       ".ext->struct_size is not set: write .ext = "
                       "NL_PARAM_EXT(...)");
}

static void test_backend_refused(void)
{
    NlPlugin p = *numlab_plugin_entry();
    NlBackendOps ops = good_backend_ops;
    p.kind = NL_PLUGIN_BACKEND;
    p.experiment = NULL;
    p.backend = &ops;
    ASSERT_REFUSED(&p, NULL);
    p.backend = NULL;
    ASSERT_REFUSED(&p, "x.so: backend 'abi-test': .backend is not set");
    p.backend = &ops;
    p.experiment = &good_ops;
    ASSERT_REFUSED(&p, "x.so: backend 'abi-test': .experiment is set in a "
                       "backend: set only .backend");
    p.experiment = NULL;
    ops.struct_size = 0;
    ASSERT_REFUSED(&p, "x.so: backend 'abi-test': .struct_size of its "
                       "NlBackendOps is not set: write .struct_size = "
                       "sizeof(NlBackendOps)");
    ops.struct_size = 24;
    ASSERT_REFUSED(&p, "x.so: backend 'abi-test': .struct_size of its "
                       "NlBackendOps is 24, too short for any numlab: write "
                       ".struct_size = sizeof(NlBackendOps)");
    ops = good_backend_ops;
    ops.open = NULL;
    ASSERT_REFUSED(&p, "x.so: backend 'abi-test': .open of its NlBackendOps "
                       "is not set");
}

/* The same messages from real modules, through the loader. */
static void assert_module_refused(const char *dir, const char *file,
                                  const char *why)
{
    g_autoptr(NlRegistry) r = nl_registry_new();
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autoptr(GError) error = NULL;
    g_assert_false(nl_registry_load(r, path, &error));
    g_autofree char *want = g_strdup_printf("%s: %s", path, why);
    g_assert_cmpstr(error->message, ==, want);
    g_assert_cmpuint(r->entries->len, ==, 0);
}

static void test_modules_refused(void)
{
    g_autofree char *other = g_strdup_printf(
        "built against another numlab ABI (99, this numlab has %d): "
        "rebuild it",
        NL_ABI_VERSION);
    assert_module_refused(TEST_PLUGINS, "wrong-abi.so", other);
    assert_module_refused(BAD_PLUGINS, "noabi.so",
                          "abi_version is not set: write the descriptor with "
                          "NL_PLUGIN_DEFINE");
    assert_module_refused(BAD_PLUGINS, "nosummary.so",
                          "backend 'nosummary': .summary is not set");
    assert_module_refused(BAD_PLUGINS, "noopsize.so",
                          "backend 'noopsize': .struct_size of its "
                          "NlBackendOps is not set: write .struct_size = "
                          "sizeof(NlBackendOps)");
    assert_module_refused(BAD_PLUGINS, "badext.so",
                          "backend 'badext': parameter 'threads': "
                          ".ext->struct_size is not set: write .ext = "
                          "NL_PARAM_EXT(...)");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/abi/layout-is-recorded", test_layout_is_recorded);
    g_test_add_func("/abi/soname-follows-abi", test_soname_follows_abi);
    g_test_add_func("/abi/define-fills-versions", test_define_fills_versions);
    g_test_add_func("/abi/versions-refused", test_versions_refused);
    g_test_add_func("/abi/fields-refused", test_fields_refused);
    g_test_add_func("/abi/experiment-ops-refused", test_experiment_ops_refused);
    g_test_add_func("/abi/backend-refused", test_backend_refused);
    g_test_add_func("/abi/modules-refused", test_modules_refused);
    return g_test_run();
}
