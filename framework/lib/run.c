/* run.c — NlRun: one phase of an experiment (common, one backend job, or
 * compare) and everything it produced.
 *
 * The run only collects: tables and artifacts stay in memory until the
 * host decides the phase succeeded and writes them, so a phase that fails
 * half-way leaves no file behind. */
#include "config.h"

#include "nl-private.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct NlRun {
    const NlParams *params;
    guint64 seed;
    NlBackend *backend;
    NlRng rng;
    GPtrArray *tables;         /* NlTable */
    GPtrArray *artifact_names; /* char* */
    GHashTable *artifacts;     /* name -> GBytes */
    GPtrArray *jobs;           /* NlRun*, borrowed (compare phase) */
    NlRun *common;             /* borrowed (compare phase), or NULL */
    gpointer kept;             /* nl_run_keep: for the later phases */
    GDestroyNotify kept_destroy;
    GBytes *kept_bytes; /* nl_run_keep_bytes: the same, able to travel */
    char *label;        /* a run read back: its job's label */
    guint n_faults;     /* nl_run_fault calls */
    GPtrArray *faults;  /* the first NL_RUN_KEPT_FAULTS messages */
    char *progress_label;
    gboolean progress_shown;
    double progress_last;
    GHashTable *peers; /* nl_run_peer: spec -> NlBackend*, opened */
};

/* How nl_run_peer opens a backend: the host's, set once per process. */
static NlPeerOpener peer_opener;
static gpointer peer_opener_data;

void nl_run_set_peer_opener(NlPeerOpener opener, gpointer data)
{
    peer_opener = opener;
    peer_opener_data = data;
}

NlRun *nl_run_new(const NlParams *params, guint64 seed, NlBackend *backend,
                  const char *progress_label)
{
    NlRun *run = g_new0(NlRun, 1);
    run->params = params;
    run->seed = seed;
    run->backend = backend;
    nl_rng_init(&run->rng, seed);
    run->tables = g_ptr_array_new_with_free_func((GDestroyNotify)nl_table_free);
    run->artifact_names = g_ptr_array_new_with_free_func(g_free);
    run->faults = g_ptr_array_new_with_free_func(g_free);
    run->artifacts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)g_bytes_unref);
    run->progress_label = g_strdup(progress_label);
    run->progress_last = -1.0;
    return run;
}

void nl_run_close_peers(NlRun *run)
{
    g_clear_pointer(&run->peers, g_hash_table_unref);
}

NlBackend *nl_run_peer(NlRun *run, const char *spec, GError **error)
{
    g_return_val_if_fail(run != NULL && spec != NULL, NULL);
    NlBackend *b = run->peers ? g_hash_table_lookup(run->peers, spec) : NULL;
    if (b)
        return b;
    if (!peer_opener) {
        nl_fail(error, NL_ERROR, NL_ERROR_PLUGIN,
                "no backend can be opened beside the job's here");
        return NULL;
    }
    b = peer_opener(spec, peer_opener_data, error);
    if (!b)
        return NULL;
    if (!run->peers)
        run->peers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)nl_backend_close);
    g_hash_table_insert(run->peers, g_strdup(spec), b);
    return b;
}

void nl_run_free(NlRun *run)
{
    if (!run)
        return;
    nl_run_close_peers(run);
    nl_run_progress_done(run);
    g_ptr_array_unref(run->tables);
    g_ptr_array_unref(run->artifact_names);
    g_ptr_array_unref(run->faults);
    g_hash_table_unref(run->artifacts);
    if (run->jobs)
        g_ptr_array_unref(run->jobs);
    if (run->kept_destroy)
        run->kept_destroy(run->kept);
    if (run->kept_bytes)
        g_bytes_unref(run->kept_bytes);
    g_free(run->label);
    g_free(run->progress_label);
    g_free(run);
}

NlBackend *nl_run_backend(NlRun *run)
{
    g_return_val_if_fail(run != NULL, NULL);
    return run->backend;
}

const NlParams *nl_run_params(NlRun *run)
{
    g_return_val_if_fail(run != NULL, NULL);
    return run->params;
}

guint64 nl_run_seed(NlRun *run)
{
    g_return_val_if_fail(run != NULL, 0);
    return run->seed;
}

NlRng *nl_run_rng(NlRun *run)
{
    g_return_val_if_fail(run != NULL, NULL);
    return &run->rng;
}

GPtrArray *nl_run_tables(NlRun *run)
{
    return run->tables;
}
GPtrArray *nl_run_artifact_names(NlRun *run)
{
    return run->artifact_names;
}

GBytes *nl_run_artifact_data(NlRun *run, const char *name)
{
    return g_hash_table_lookup(run->artifacts, name);
}

static NlTable *find_table(GPtrArray *tables, const char *name)
{
    for (guint i = 0; i < tables->len; i++)
        if (strcmp(nl_table_name(tables->pdata[i]), name) == 0)
            return tables->pdata[i];
    return NULL;
}

NlTable *nl_run_table(NlRun *run, const char *name, const char *columns)
{
    g_return_val_if_fail(run != NULL && name != NULL && columns != NULL, NULL);
    NlTable *t = find_table(run->tables, name);
    if (t) {
        if (strcmp(nl_table_columns_spec(t), columns) != 0)
            g_critical("table '%s' was created before with other columns",
                       name);
        return t;
    }
    g_autoptr(GError) error = NULL;
    t = nl_table_new(name, columns, &error);
    if (!t) {
        g_critical("%s", error->message); /* the plugin's bug, not the user's */
        return NULL;
    }
    g_ptr_array_add(run->tables, t);
    return t;
}

gboolean nl_run_artifact(NlRun *run, const char *filename, gconstpointer data,
                         gsize length, GError **error)
{
    g_return_val_if_fail(run != NULL && filename != NULL, FALSE);
    g_return_val_if_fail(data != NULL || length == 0, FALSE);
    if (!*filename || strchr(filename, '/') || filename[0] == '.' ||
        g_str_has_suffix(filename, ".dat") ||
        strcmp(filename, "manifest.ini") == 0 ||
        strcmp(filename, "backends.gp") == 0) {
        return nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                       "artifact name '%s' is not a plain file name of its own",
                       filename);
    }
    if (!g_hash_table_contains(run->artifacts, filename))
        g_ptr_array_add(run->artifact_names, g_strdup(filename));
    g_hash_table_replace(run->artifacts, g_strdup(filename),
                         g_bytes_new(data, length));
    return TRUE;
}

void nl_run_fault(NlRun *run, const char *format, ...)
{
    g_return_if_fail(run != NULL && format != NULL);
    run->n_faults++;
    if (run->faults->len >= NL_RUN_KEPT_FAULTS)
        return;
    va_list ap;
    va_start(ap, format);
    g_ptr_array_add(run->faults, g_strdup_vprintf(format, ap));
    va_end(ap);
}

gboolean nl_run_check_bound(NlRun *run, double got, double exact, double bound,
                            const char *format, ...)
{
    g_return_val_if_fail(run != NULL && format != NULL, FALSE);
    if (nl_within_bound(got, exact, bound))
        return TRUE;
    va_list ap;
    va_start(ap, format);
    g_autofree char *what = g_strdup_vprintf(format, ap);
    va_end(ap);
    NlNumText g, e, b;
    nl_run_fault(run, "%s gives %s, exact %s, error bound %s", what,
                 nl_format_g(&g, got, 9), nl_format_g(&e, exact, 9),
                 nl_format_g(&b, bound, 2));
    return FALSE;
}

guint nl_run_n_faults(NlRun *run)
{
    return run->n_faults;
}
GPtrArray *nl_run_faults(NlRun *run)
{
    return run->faults;
}

void nl_run_progress(NlRun *run, double fraction, const char *what)
{
    g_return_if_fail(run != NULL);
    if (!isatty(STDERR_FILENO))
        return;
    /* Redraw at most every percent: progress must not cost time. */
    if (fraction < 1.0 && fraction - run->progress_last < 0.01)
        return;
    run->progress_last = fraction;
    fprintf(stderr, "\r\033[K%s: %3.0f%% %s", run->progress_label,
            100.0 * CLAMP(fraction, 0.0, 1.0), what ? what : "");
    run->progress_shown = TRUE;
}

void nl_run_progress_done(NlRun *run)
{
    if (run->progress_shown)
        fputs("\r\033[K", stderr);
    run->progress_shown = FALSE;
}

void nl_run_set_jobs(NlRun *run, GPtrArray *job_runs)
{
    if (run->jobs)
        g_ptr_array_unref(run->jobs);
    run->jobs = g_ptr_array_ref(job_runs);
}

void nl_run_set_common(NlRun *run, NlRun *common)
{
    run->common = common;
}

const NlTable *nl_run_common_table(NlRun *run, const char *name)
{
    g_return_val_if_fail(run != NULL && name != NULL, NULL);
    return run->common ? find_table(run->common->tables, name) : NULL;
}

void nl_run_keep(NlRun *run, gpointer data, GDestroyNotify destroy)
{
    g_return_if_fail(run != NULL);
    if (data != run->kept && run->kept_destroy)
        run->kept_destroy(run->kept);
    run->kept = data;
    run->kept_destroy = destroy;
}

void nl_run_keep_bytes(NlRun *run, GBytes *bytes)
{
    g_return_if_fail(run != NULL && bytes != NULL);
    g_bytes_ref(bytes);
    if (run->kept_bytes)
        g_bytes_unref(run->kept_bytes);
    run->kept_bytes = bytes;
}

GBytes *nl_run_common_bytes(NlRun *run)
{
    g_return_val_if_fail(run != NULL, NULL);
    return run->common ? run->common->kept_bytes : NULL;
}

GBytes *nl_run_job_bytes(NlRun *run, guint job)
{
    g_return_val_if_fail(run != NULL && job < nl_run_n_jobs(run), NULL);
    return ((NlRun *)run->jobs->pdata[job])->kept_bytes;
}

gconstpointer nl_run_common_data(NlRun *run)
{
    g_return_val_if_fail(run != NULL, NULL);
    return run->common ? run->common->kept : NULL;
}

gconstpointer nl_run_job_data(NlRun *run, guint job)
{
    g_return_val_if_fail(run != NULL && job < nl_run_n_jobs(run), NULL);
    NlRun *j = run->jobs->pdata[job];
    return j->kept;
}

guint nl_run_n_jobs(NlRun *run)
{
    g_return_val_if_fail(run != NULL, 0);
    return run->jobs ? run->jobs->len : 0;
}

const char *nl_run_job_label(NlRun *run, guint job)
{
    g_return_val_if_fail(run != NULL && job < nl_run_n_jobs(run), NULL);
    NlRun *j = run->jobs->pdata[job];
    return j->backend ? nl_backend_label(j->backend) : j->label ? j->label : "";
}

const NlTable *nl_run_job_table(NlRun *run, guint job, const char *name)
{
    g_return_val_if_fail(run != NULL && name != NULL, NULL);
    g_return_val_if_fail(job < nl_run_n_jobs(run), NULL);
    NlRun *j = run->jobs->pdata[job];
    return find_table(j->tables, name);
}

/* ---- the wire form: a phase's results leaving its process ---- */

GVariant *nl_run_to_variant(NlRun *run, GError **error)
{
    if (run->kept) {
        nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                "the experiment keeps an object in memory for its later "
                "phases (nl_run_keep), which cannot leave the job's process; "
                "keep it as bytes (nl_run_keep_bytes), or run with "
                "--in-process");
        return NULL;
    }
    GVariantBuilder tables, artifacts;
    g_variant_builder_init(&tables, G_VARIANT_TYPE("a" NL_TABLE_WIRE));
    for (guint i = 0; i < run->tables->len; i++)
        g_variant_builder_add_value(&tables,
                                    nl_table_to_variant(run->tables->pdata[i]));
    g_variant_builder_init(&artifacts, G_VARIANT_TYPE("a(say)"));
    for (guint i = 0; i < run->artifact_names->len; i++) {
        const char *name = run->artifact_names->pdata[i];
        g_variant_builder_add(
            &artifacts, "(s@ay)", name,
            g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING,
                                     nl_run_artifact_data(run, name), TRUE));
    }
    GVariant *kept = run->kept_bytes
                         ? g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING,
                                                    run->kept_bytes, TRUE)
                         : NULL;
    return g_variant_new(
        "(@a" NL_TABLE_WIRE "@a(say)u@asm@ay)", g_variant_builder_end(&tables),
        g_variant_builder_end(&artifacts), run->n_faults,
        g_variant_new_strv((const char *const *)run->faults->pdata,
                           run->faults->len),
        kept);
}

NlRun *nl_run_from_variant(const NlParams *params, guint64 seed,
                           const char *label, GVariant *v, GError **error)
{
    if (!g_variant_is_of_type(v, G_VARIANT_TYPE(NL_RUN_WIRE))) {
        nl_fail(error, NL_ERROR, NL_ERROR_JOB, "results of another form");
        return NULL;
    }
    NlRun *run = nl_run_new(params, seed, NULL, label);
    run->label = g_strdup(label);
    g_autoptr(GVariant) tables = g_variant_get_child_value(v, 0);
    g_autoptr(GVariant) artifacts = g_variant_get_child_value(v, 1);
    g_autoptr(GVariant) faults = g_variant_get_child_value(v, 3);
    g_autoptr(GVariant) kept = g_variant_get_child_value(v, 4);
    for (gsize i = 0; i < g_variant_n_children(tables); i++) {
        g_autoptr(GVariant) tv = g_variant_get_child_value(tables, i);
        NlTable *t = nl_table_from_variant(tv, error);
        if (!t || find_table(run->tables, nl_table_name(t))) {
            if (t) {
                nl_fail(error, NL_ERROR, NL_ERROR_JOB, "table '%s' twice",
                        nl_table_name(t));
                nl_table_free(t);
            }
            nl_run_free(run);
            return NULL;
        }
        g_ptr_array_add(run->tables, t);
    }
    for (gsize i = 0; i < g_variant_n_children(artifacts); i++) {
        const char *name;
        g_autoptr(GVariant) data = NULL;
        g_variant_get_child(artifacts, i, "(&s@ay)", &name, &data);
        g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes(data);
        if (!nl_run_artifact(run, name, g_bytes_get_data(bytes, NULL),
                             g_bytes_get_size(bytes), error)) {
            nl_run_free(run);
            return NULL;
        }
    }
    g_variant_get_child(v, 2, "u", &run->n_faults);
    gsize n;
    g_autofree const char **messages = g_variant_get_strv(faults, &n);
    for (gsize i = 0; i < MIN(n, NL_RUN_KEPT_FAULTS); i++)
        g_ptr_array_add(run->faults, g_strdup(messages[i]));
    run->n_faults = MAX(run->n_faults, run->faults->len);
    g_autoptr(GVariant) kept_data = g_variant_get_maybe(kept);
    if (kept_data)
        run->kept_bytes = g_variant_get_data_as_bytes(kept_data);
    return run;
}
