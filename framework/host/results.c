/* results.c — the engine's writing stage, before the manifest: one .dat
 * per table name, the artifacts, and backends.gp, from the jobs that
 * succeeded (doc/output-format.md describes the files).
 *
 * A table that several jobs emit becomes one file with one dataset per
 * job, in job order. The files go into the run's staging folder
 * (resultset.c); the first one that cannot be written stops the stage,
 * and the old result set stays as it was. */
#include "config.h"

#include "engine.h"

#include <string.h>

/* One dataset of a .dat file: the job and the table it emitted. */
typedef struct {
    const NlJob *job;
    const NlTable *table;
} Dataset;

static gboolean write_file(const NlEngine *e, const char *file,
                           const char *contents, gssize len, GError **error)
{
    if (!nl_result_set_add(e->set, file, contents, len, error))
        return FALSE;
    g_ptr_array_add(e->files, g_strdup(file));
    return TRUE;
}

static const NlTable *job_table(const NlJob *j, const char *name)
{
    GPtrArray *tables = nl_run_tables(j->run);
    for (guint t = 0; t < tables->len; t++)
        if (strcmp(nl_table_name(tables->pdata[t]), name) == 0)
            return tables->pdata[t];
    return NULL;
}

/* The names of the succeeded jobs' tables, each once, in the order they
 * first appear. */
static GPtrArray *table_names(const NlEngine *e)
{
    GPtrArray *names = g_ptr_array_new();
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        if (j->status != NL_JOB_OK)
            continue;
        GPtrArray *tables = nl_run_tables(j->run);
        for (guint t = 0; t < tables->len; t++) {
            const char *name = nl_table_name(tables->pdata[t]);
            if (!g_ptr_array_find_with_equal_func(names, name, g_str_equal,
                                                  NULL))
                g_ptr_array_add(names, (gpointer)name);
        }
    }
    return names;
}

/* The datasets of table `name`, in job order. A per-backend table (one a
 * backend job emitted) has one dataset for every backend job that
 * succeeded, in backends.gp order, even if a job did not emit it: that
 * job's is a table without rows, kept in `blanks`. `first` receives the
 * first table emitted, whose title, notes and columns the file gets. */
static GArray *table_datasets(const NlEngine *e, const char *name,
                              GPtrArray *blanks, const NlTable **first)
{
    gboolean per_backend = FALSE;
    *first = NULL;
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        const NlTable *t = j->status == NL_JOB_OK ? job_table(j, name) : NULL;
        if (t && !*first)
            *first = t;
        per_backend |= t && j->phase == NL_PHASE_BACKEND;
    }
    GArray *datasets = g_array_new(FALSE, FALSE, sizeof(Dataset));
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        if (j->status != NL_JOB_OK)
            continue;
        Dataset d = {j, job_table(j, name)};
        if (!d.table && per_backend && j->phase == NL_PHASE_BACKEND) {
            NlTable *blank =
                nl_table_new(name, nl_table_columns_spec(*first), NULL);
            g_ptr_array_add(blanks, blank);
            d.table = blank;
        }
        if (d.table)
            g_array_append_val(datasets, d);
    }
    return datasets;
}

static char *backend_line(const NlJob *j)
{
    const NlBackendInfo *info = nl_backend_info(j->backend);
    return g_strdup_printf("%s %s | %s | %s | threads %d | order: %s | "
                           "self-check: %s",
                           j->label, nl_backend_plugin(j->backend)->version,
                           info->library, info->device, info->threads,
                           info->summation_order, j->check->summary);
}

static void append_header(GString *out, const NlEngine *e, const NlTable *first,
                          GArray *datasets)
{
    const char *title = nl_table_title(first);
    g_string_append_printf(out, "# numlab %s\n", PACKAGE_VERSION);
    g_string_append_printf(out, "# experiment: %s (%s)\n", e->exp->name,
                           e->exp->experiment->title);
    g_string_append_printf(out, "# table: %s%s%s\n", nl_table_name(first),
                           title ? " — " : "", title ? title : "");
    g_string_append_printf(out, "# parameters: %s\n", e->params_text);
    g_string_append_printf(out, "# seed: %" G_GUINT64_FORMAT "\n",
                           e->req->seed);
    g_string_append_printf(out, "# cpu: %s\n", nl_host_cpu_model());
    g_string_append_printf(out, "# date: %s\n", e->date);
    for (guint i = 0; i < datasets->len; i++) {
        const NlJob *j = g_array_index(datasets, Dataset, i).job;
        if (j->backend) {
            g_autofree char *line = backend_line(j);
            g_string_append_printf(out, "# backend: %s\n", line);
        }
    }
    nl_table_append_notes(first, out);
    g_autofree char *names = nl_table_column_names(first);
    g_string_append_printf(out, "# %s\n", names);
}

static gboolean same_columns(const NlTable *first, GArray *datasets)
{
    for (guint i = 0; i < datasets->len; i++) {
        const NlTable *t = g_array_index(datasets, Dataset, i).table;
        if (strcmp(nl_table_columns_spec(first), nl_table_columns_spec(t)) != 0)
            return FALSE;
    }
    return TRUE;
}

/* NAME.dat: the header, then every dataset, two blank lines between. A
 * table whose jobs disagree on its columns is left out, said on stderr,
 * and fails the run (e->tables_missing). */
static gboolean write_table(NlEngine *e, const char *name, GError **error)
{
    g_autoptr(GPtrArray) blanks =
        g_ptr_array_new_with_free_func((GDestroyNotify)nl_table_free);
    const NlTable *first;
    g_autoptr(GArray) datasets = table_datasets(e, name, blanks, &first);
    if (!same_columns(first, datasets)) {
        g_printerr("numlab: %s: table '%s' has different columns in "
                   "different jobs; not written\n",
                   e->exp->name, name);
        e->tables_missing = TRUE;
        return TRUE;
    }
    g_autoptr(GString) out = g_string_new(NULL);
    append_header(out, e, first, datasets);
    for (guint i = 0; i < datasets->len; i++) {
        const Dataset *d = &g_array_index(datasets, Dataset, i);
        if (e->req->on_table)
            e->req->on_table(d->job->label, d->table, e->req->on_table_data);
        g_autofree char *prefix =
            d->job->backend ? g_strdup_printf("backend %s", d->job->label)
                            : NULL;
        if (i > 0)
            g_string_append(out, "\n\n");
        nl_table_append_rows(d->table, prefix, out);
    }
    g_autofree char *file = g_strconcat(name, ".dat", NULL);
    return write_file(e, file, out->str, out->len, error);
}

static gboolean write_tables(NlEngine *e, GError **error)
{
    g_autoptr(GPtrArray) names = table_names(e);
    for (guint n = 0; n < names->len; n++)
        if (!write_table(e, names->pdata[n], error))
            return FALSE;
    return TRUE;
}

static gboolean write_artifacts(const NlEngine *e, GError **error)
{
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        if (j->status != NL_JOB_OK)
            continue;
        GPtrArray *names = nl_run_artifact_names(j->run);
        for (guint a = 0; a < names->len; a++) {
            const char *name = names->pdata[a];
            /* Per-backend artifacts get the backend's label in front. */
            g_autofree char *file =
                j->backend ? g_strdup_printf("%s-%s", j->label, name)
                           : g_strdup(name);
            g_strdelimit(file, ":=,/", '_');
            gsize len;
            const char *bytes =
                g_bytes_get_data(nl_run_artifact_data(j->run, name), &len);
            if (!write_file(e, file, bytes ? bytes : "", len, error))
                return FALSE;
        }
    }
    return TRUE;
}

/* backends.gp: the dataset order for the plot scripts. */
static gboolean write_gnuplot_include(const NlEngine *e, GError **error)
{
    g_autoptr(GString) labels = g_string_new(NULL);
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        if (nl_job_backend_ok(j))
            g_string_append_printf(labels, "%s%s", labels->len ? " " : "",
                                   j->label);
    }
    g_autofree char *text = g_strdup_printf(
        "# Written by numlab: the backends whose datasets the .dat files\n"
        "# hold, in dataset order (index 0 is the first word).\n"
        "backends = \"%s\"\n",
        labels->str);
    return write_file(e, "backends.gp", text, -1, error);
}

gboolean nl_engine_write_results(NlEngine *e, GError **error)
{
    return write_tables(e, error) && write_artifacts(e, error) &&
           write_gnuplot_include(e, error);
}
