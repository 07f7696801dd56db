/* nl-private.h — libnumlab's interface to the host (not installed).
 *
 * Plugins see NlParams, NlTable, NlRun and NlBackend as opaque; the runner
 * and the tests create, fill and read them through these calls. */
#ifndef NL_PRIVATE_H
#define NL_PRIVATE_H

#include <numlab/numlab.h>

G_BEGIN_DECLS

/* A field of a record that carries its own struct_size (NlPlugin,
 * NlBackendOps, NlExperimentOps, NlParamExt): its value when the module
 * compiled the record with it, else 0 (NULL for a hook). Fields are only
 * ever appended, so an older module's record simply ends before newer
 * fields. The one place that rule is written. */
#define NL_FIELD(rec, field)                                                   \
    ((rec)->struct_size >=                                                     \
             G_STRUCT_OFFSET(__typeof__(*(rec)), field) + sizeof((rec)->field) \
         ? (rec)->field                                                        \
         : 0)

#define NL_ERROR (nl_error_quark())
GQuark nl_error_quark(void);

/* User-facing errors of the host: each message is one line naming the
 * parameter, plugin, file or folder at fault. */
typedef enum {
    NL_ERROR_PARAM,  /* bad parameter name or value */
    NL_ERROR_PLUGIN, /* unknown, duplicate or broken plugin */
    NL_ERROR_OUTPUT, /* output folder or file */
    NL_ERROR_JOB,    /* an experiment phase failed */
    NL_ERROR_TOOL,   /* an external tool (gnuplot) is missing or failed */
} NlError;

/* A hot loop compiled at -O3 and cloned for AVX2 and AVX-512, the clone
 * chosen at load time for the CPU, whatever CFLAGS the library was built
 * with. -ffp-contract=off holds in every clone: no FMA is formed, so each
 * clone computes the bits of the scalar definition (the tests compare). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define NL_VECTORISED                                                          \
    __attribute__((optimize("O3"), target_clones("default", "arch=x86-64-v3",  \
                                                 "arch=x86-64-v4")))
#else
#define NL_VECTORISED
#endif

/* ---- memory.c ---- */
/* nl_memory_available with /proc and /sys/fs/cgroup under `root` (the
 * tests build both). */
guint64 nl_memory_available_at(const char *root);

/* ---- params.c ---- */
/* Parses "name=value" assignments against specs; every spec without an
 * assignment gets its default. `owner` names the plugin in messages. */
NlParams *nl_params_parse(const NlParamSpec *specs, const char *owner,
                          char **assignments, GError **error);
void nl_params_free(NlParams *params);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlParams, nl_params_free)
/* The value of every parameter given or defaulted (not the unset
 * optional ones) as its canonical text, in spec order: names[i] and
 * values[i], NULL-terminated (g_strfreev both). nl_params_parse of
 * "name=value" gives the same values back. */
void nl_params_canonical(const NlParams *params, char ***names, char ***values);
/* ---- params-text.c ---- */
/* "int", "list of double", ... */
const char *nl_param_type_name(NlParamType type);
/* "1..4096", "> 0", or "" when unbounded. */
/* "[1, 4096]", "(0, 10]", "> 0", or "" when unbounded. */
char *nl_param_range_string(const NlParamSpec *spec);
/* Type and range for people: "double in (0, 10]", "list of double, each
 * > 0", "one of first|last". */
char *nl_param_describe(const NlParamSpec *spec);
/* FALSE when min == max == 0 and no bound is exclusive. */
gboolean nl_param_has_range(const NlParamSpec *spec);
/* spec->ext->flags, or 0. */
guint nl_param_flags(const NlParamSpec *spec);
/* spec->ext as far as the plugin compiled it, zeros beyond (and for no
 * ext). */
void nl_param_spec_ext(const NlParamSpec *spec, NlParamExt *ext);

/* ---- table.c ---- */
NlTable *nl_table_new(const char *name, const char *columns, GError **error);
void nl_table_free(NlTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlTable, nl_table_free)
const char *nl_table_title(const NlTable *table);
const char *nl_table_columns_spec(const NlTable *table);
/* Appends the table's header notes, and its datasets as text, to `out`.
 * `dataset_prefix` (the backend) starts every dataset's label, or NULL.
 * A dataset without rows is written as one row of NaN (and "" for text)
 * so that gnuplot's `index` numbers stay aligned with the datasets. */
void nl_table_append_notes(const NlTable *table, GString *out);
void nl_table_append_rows(const NlTable *table, const char *dataset_prefix,
                          GString *out);
/* The column-name line's content: "name name ...". */
char *nl_table_column_names(const NlTable *table);
/* The wire form of a table, for a job's results crossing from the job's
 * process: every cell's bits kept (NL_TABLE_WIRE). from_variant checks
 * the form and that the cells fill whole rows; NULL with an error. */
#define NL_TABLE_WIRE "(smssasa(msub)axaday)"
GVariant *nl_table_to_variant(const NlTable *table);
NlTable *nl_table_from_variant(GVariant *v, GError **error);
/* FALSE while a row is half filled. */
gboolean nl_table_is_complete(const NlTable *table);
/* A number for a message, with `digits` significant digits and a decimal
 * point whatever the user's locale (numlab runs with setlocale(LC_ALL,
 * "")): messages quote values the data files hold. Returns text->s. */
typedef struct {
    char s[G_ASCII_DTOSTR_BUF_SIZE];
} NlNumText;
const char *nl_format_g(NlNumText *text, double v, int digits);
/* Formats a double as the tables do (C locale, round-trip). */
void nl_format_f32(char *buf, gsize len, float value);
void nl_format_f64(char *buf, gsize len, double value);

/* ---- backend.c ---- */
/* Wraps an opened backend: `self` is what ops->open returned. */
NlBackend *nl_backend_wrap(const NlPlugin *plugin, const char *label,
                           gpointer self);
/* Calls ops->close and frees the wrapper. */
void nl_backend_close(NlBackend *backend);

/* dst[offset + j] = src[j] for j < n in `type`, bfloat16 and float16
 * rounded to nearest even: nl_array_set's bits, a row at a time
 * (reference-precision.c). */
void nl_store_f32_row(NlPrecision type, gpointer dst, gsize offset,
                      const float *src, gsize n);
const NlPlugin *nl_backend_plugin(const NlBackend *backend);

/* The kernels of NlBackendOps, for the self-check (host/selfcheck.c). */
typedef enum {
    NL_KERNEL_SUM,
    NL_KERNEL_DOT,
    NL_KERNEL_GEMV,
    NL_KERNEL_GEMM,
    NL_KERNEL_SOFTMAX,
    NL_KERNEL_TILED_SUM,
    NL_KERNEL_COPY,
    NL_N_KERNELS
} NlKernel;

/* "sum", "tiled_sum", ...: the names substitute() receives. */
const char *nl_kernel_name(NlKernel kernel);
/* Whether the module provides the kernel's hook. */
gboolean nl_backend_provides(const NlBackend *backend, NlKernel kernel);
/* From now on, calls of the kernel fail with NL_BACKEND_ERROR_UNUSABLE
 * and this reason. */
void nl_backend_set_unusable(NlBackend *backend, NlKernel kernel,
                             const char *reason);
/* Whether the module provides the kernel's _in hook (the precision axis). */
gboolean nl_backend_provides_in(const NlBackend *backend, NlKernel kernel);
/* From now on, _in calls of the kernel accumulating in acc fail with
 * NL_BACKEND_ERROR_UNUSABLE and this reason. */
void nl_backend_set_unusable_in(NlBackend *backend, NlKernel kernel,
                                NlPrecision acc, const char *reason);
/* Asks the module for another path of a kernel that failed; its
 * description, or NULL when the module has none. */
const char *nl_backend_substitute(NlBackend *backend, NlKernel kernel);
/* Calls describe() again (after a substitution). */
void nl_backend_redescribe(NlBackend *backend);
/* The kernels the module lacks that ran as libnumlab's reference kernels
 * (numlab/reference.h) on its host buffers since it was opened or the
 * record was last cleared, in NlKernel order: "gemv,softmax"; NULL when
 * none did. Free with g_free. */
char *nl_backend_fallbacks(const NlBackend *backend);
/* Whether kernel k's _in form, accumulating in acc, ran as the reference
 * since the record was last cleared. */
gboolean nl_backend_fell_back_in(const NlBackend *backend, NlKernel kernel,
                                 NlPrecision acc);
/* Forgets that record (the self-check's calls are not a job's). */
void nl_backend_clear_fallbacks(NlBackend *backend);

/* ---- run.c ---- */
typedef struct NlRunTables NlRunTables; /* one phase's output */

NlRun *nl_run_new(const NlParams *params, guint64 seed, NlBackend *backend,
                  const char *progress_label);
void nl_run_free(NlRun *run);
/* Tables and artifacts in creation order; owned by the run. */
GPtrArray *nl_run_tables(NlRun *run);
GPtrArray *nl_run_artifact_names(NlRun *run);
GBytes *nl_run_artifact_data(NlRun *run, const char *name);
/* For run_compare: the successful jobs' runs; for run_backend and
 * run_compare: the common phase's run (NULL if it failed or does not
 * exist). Borrowed. */
void nl_run_set_jobs(NlRun *run, GPtrArray *job_runs);
void nl_run_set_common(NlRun *run, NlRun *common);
/* nl_run_fault: how many, and the first NL_RUN_KEPT_FAULTS messages. */
#define NL_RUN_KEPT_FAULTS 5
guint nl_run_n_faults(NlRun *run);
GPtrArray *nl_run_faults(NlRun *run);
/* How nl_run_peer opens a backend spec ("openmp:threads=2"): the host's
 * open-and-self-check, set once per process (host/open.c). */
typedef NlBackend *(*NlPeerOpener)(const char *spec, gpointer data,
                                   GError **error);
void nl_run_set_peer_opener(NlPeerOpener opener, gpointer data);
/* Closes the backends nl_run_peer opened for this phase; called when the
 * phase's hook returns. */
void nl_run_close_peers(NlRun *run);
/* Ends a progress line on the terminal, if one was drawn. */
void nl_run_progress_done(NlRun *run);
/* What a phase produced, in wire form (NL_RUN_WIRE): its tables, its
 * artifacts, its faults and the bytes it kept. NULL with an error when it
 * kept an object in memory (nl_run_keep), which cannot leave its process. */
#define NL_RUN_WIRE "(a" NL_TABLE_WIRE "a(say)uasmay)"
GVariant *nl_run_to_variant(NlRun *run, GError **error);
/* A finished phase's run read back from its wire form, for the writer and
 * the later phases; `label` is what nl_run_job_label gives for it. */
NlRun *nl_run_from_variant(const NlParams *params, guint64 seed,
                           const char *label, GVariant *v, GError **error);

G_END_DECLS

#endif /* NL_PRIVATE_H */
