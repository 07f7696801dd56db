/* engine.c — runs one experiment: validates the request, opens backends,
 * runs the phases, and writes what succeeded.
 *
 * Everything that can be checked before computing is checked first: the
 * experiment, its parameters, the output folder, and every backend's name
 * and options (all backends are opened before any phase runs). A problem
 * with one backend fails that job only; the others run and their results
 * are written. Problems that concern every job stop the run before any
 * file is touched: an unknown experiment, a bad parameter, an output
 * folder that cannot be written, a common phase that fails, or no backend
 * job succeeding — the previous result set then stays as it was. */
#include "config.h"

#include "host.h"

#include <stdio.h>
#include <string.h>

typedef enum { JOB_PENDING, JOB_OK, JOB_FAILED, JOB_SKIPPED } JobStatus;

typedef struct {
    char *label;         /* "naive", "blas:threads=2"; phase name otherwise */
    const char *phase;   /* "common", "backend" or "compare" */
    gboolean requested;  /* named explicitly: unavailable is a failure */
    NlBackend *backend;
    const NlSelfCheck *check; /* the backend's self-check; owned by selfcheck.c */
    NlRun *run;
    JobStatus status;
    char *reason;
    double seconds;
} Job;

static const char *const status_names[] = {"pending", "ok", "failed",
                                           "skipped"};

/* "ok", "failed", "skipped", or "fault": the job ran and its results
 * are written, but its backend returned values no rounding explains. */
static const char *job_state(const Job *j)
{
    if (j->status == JOB_OK && j->run && nl_run_n_faults(j->run))
        return "fault";
    return status_names[j->status];
}

static void job_free(gpointer p)
{
    Job *j = p;
    nl_run_free(j->run);
    nl_backend_close(j->backend);
    g_free(j->label);
    g_free(j->reason);
    g_free(j);
}

static Job *job_new(const char *label, const char *phase)
{
    Job *j = g_new0(Job, 1);
    j->label = g_strdup(label);
    j->phase = phase;
    return j;
}

static void job_fail(Job *j, JobStatus status, const char *reason)
{
    j->status = status;
    g_free(j->reason);
    j->reason = g_strdup(reason);
}

/* Splits the -b values into one spec per backend. A comma-separated word
 * with '=' but no ':' continues the options of the backend before it, so
 * "blas:threads=2,batch_invariant=1,naive" is two backends. */
static GPtrArray *split_backend_specs(char **values)
{
    GPtrArray *specs = g_ptr_array_new_with_free_func(g_free);
    for (char **v = values; v && *v; v++) {
        g_auto(GStrv) words = g_strsplit(*v, ",", -1);
        for (char **w = words; *w; w++) {
            char *word = g_strstrip(*w);
            if (!*word)
                continue;
            if (strchr(word, '=') && !strchr(word, ':') && specs->len) {
                char **last = (char **)&specs->pdata[specs->len - 1];
                char *joined = g_strconcat(*last, ":", word, NULL);
                g_free(*last);
                *last = joined;
            } else {
                g_ptr_array_add(specs, g_strdup(word));
            }
        }
    }
    return specs;
}

/* Opens the backend of a job; on failure sets the job's status. */
static void open_backend(NlRegistry *r, Job *j)
{
    g_autoptr(GError) error = NULL;
    j->backend = nl_backend_open_spec(r, j->label, &j->check, &error);
    if (!j->backend) {
        gboolean unavailable = g_error_matches(error, NL_BACKEND_ERROR,
                                               NL_BACKEND_ERROR_UNAVAILABLE);
        g_autofree char *why = g_strdup_printf(
            "%s%s", unavailable ? "unavailable: " : "", error->message);
        job_fail(j, unavailable && !j->requested ? JOB_SKIPPED : JOB_FAILED,
                 why);
        return;
    }
    nl_self_check_print_once(j->check);
}

static void run_phase(Job *j, const NlPlugin *exp, const NlParams *params,
                      guint64 seed, gboolean (*hook)(NlRun *, GError **),
                      GPtrArray *done_jobs, NlRun *common)
{
    g_autofree char *progress = g_strdup_printf("%s/%s", exp->name, j->label);
    j->run = nl_run_new(params, seed, j->backend, progress);
    if (done_jobs)
        nl_run_set_jobs(j->run, done_jobs);
    nl_run_set_common(j->run, common);
    g_autoptr(GError) error = NULL;
    double t0 = nl_time_now();
    gboolean ok = hook(j->run, &error);
    j->seconds = nl_time_now() - t0;
    nl_run_progress_done(j->run);
    if (!ok) {
        job_fail(j, JOB_FAILED, error ? error->message
                                      : "the experiment failed without a reason");
        return;
    }
    for (guint i = 0; i < nl_run_tables(j->run)->len; i++) {
        NlTable *t = nl_run_tables(j->run)->pdata[i];
        if (!nl_table_is_complete(t)) {
            g_autofree char *why = g_strdup_printf(
                "table '%s' ends in the middle of a row", nl_table_name(t));
            job_fail(j, JOB_FAILED, why);
            return;
        }
    }
    j->status = JOB_OK;
}

/* ---- writing ---- */

static char *backend_line(const Job *j)
{
    const NlBackendInfo *info = nl_backend_info(j->backend);
    return g_strdup_printf("%s %s | %s | %s | threads %d | order: %s | "
                           "self-check: %s", j->label,
                           nl_backend_plugin(j->backend)->version, info->library,
                           info->device, info->threads, info->summation_order,
                           j->check->summary);
}

static void append_header(GString *out, const NlPlugin *exp,
                          const NlRunRequest *req, const char *params_text,
                          const char *date, const NlTable *first,
                          GPtrArray *owners)
{
    g_string_append_printf(out, "# numlab %s\n", PACKAGE_VERSION);
    g_string_append_printf(out, "# experiment: %s (%s)\n", exp->name,
                           exp->experiment->title);
    g_string_append_printf(out, "# table: %s%s%s\n", nl_table_name(first),
                           nl_table_title(first) ? " — " : "",
                           nl_table_title(first) ? nl_table_title(first) : "");
    g_string_append_printf(out, "# parameters: %s\n", params_text);
    g_string_append_printf(out, "# seed: %" G_GUINT64_FORMAT "\n", req->seed);
    g_string_append_printf(out, "# cpu: %s\n", nl_host_cpu_model());
    g_string_append_printf(out, "# date: %s\n", date);
    for (guint i = 0; i < owners->len; i++) {
        const Job *j = owners->pdata[i];
        if (j->backend) {
            g_autofree char *line = backend_line(j);
            g_string_append_printf(out, "# backend: %s\n", line);
        }
    }
    nl_table_append_notes(first, out);
    g_autofree char *names = nl_table_column_names(first);
    g_string_append_printf(out, "# %s\n", names);
}

/* Writes one .dat per table name, merging the jobs' tables into datasets.
 * Returns the names of the files written. */
static gboolean write_tables(const char *dir, const NlPlugin *exp,
                             const NlRunRequest *req, const char *params_text,
                             const char *date, GPtrArray *jobs,
                             GPtrArray *files)
{
    gboolean ok = TRUE;
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (guint i = 0; i < jobs->len; i++) {
        Job *j = jobs->pdata[i];
        if (j->status != JOB_OK)
            continue;
        GPtrArray *tables = nl_run_tables(j->run);
        for (guint t = 0; t < tables->len; t++) {
            const char *name = nl_table_name(tables->pdata[t]);
            if (!g_ptr_array_find_with_equal_func(names, name, g_str_equal, NULL))
                g_ptr_array_add(names, (gpointer)name);
        }
    }
    for (guint n = 0; n < names->len; n++) {
        const char *name = names->pdata[n];
        g_autoptr(GPtrArray) owners = g_ptr_array_new();
        g_autoptr(GPtrArray) tables = g_ptr_array_new();
        gboolean per_backend = FALSE;
        for (guint i = 0; i < jobs->len; i++) {
            Job *j = jobs->pdata[i];
            if (j->status != JOB_OK)
                continue;
            GPtrArray *jt = nl_run_tables(j->run);
            for (guint t = 0; t < jt->len; t++)
                if (strcmp(nl_table_name(jt->pdata[t]), name) == 0) {
                    g_ptr_array_add(owners, j);
                    g_ptr_array_add(tables, jt->pdata[t]);
                    per_backend |= j->backend != NULL;
                }
        }
        const NlTable *first = tables->pdata[0];
        /* A per-backend table has one dataset for every backend that ran,
         * in backends.gp order, even if a job did not emit it. */
        g_autoptr(GPtrArray) blanks =
            g_ptr_array_new_with_free_func((GDestroyNotify)nl_table_free);
        if (per_backend)
            for (guint i = 0, k = 0; i < jobs->len; i++) {
                Job *j = jobs->pdata[i];
                if (j->status != JOB_OK || !j->backend)
                    continue;
                while (k < owners->len && !((Job *)owners->pdata[k])->backend)
                    k++;
                if (k < owners->len && owners->pdata[k] == j) {
                    k++;
                    continue;
                }
                NlTable *blank = nl_table_new(name, nl_table_columns_spec(first),
                                              NULL);
                g_ptr_array_add(blanks, blank);
                g_ptr_array_insert(owners, k, j);
                g_ptr_array_insert(tables, k, blank);
                k++;
            }
        gboolean same = TRUE;
        for (guint i = 1; i < tables->len; i++)
            same &= strcmp(nl_table_columns_spec(first),
                           nl_table_columns_spec(tables->pdata[i])) == 0;
        if (!same) {
            g_printerr("numlab: %s: table '%s' has different columns in "
                       "different jobs; not written\n", exp->name, name);
            ok = FALSE;
            continue;
        }
        if (req->on_table)
            for (guint i = 0; i < tables->len; i++)
                req->on_table(((Job *)owners->pdata[i])->label,
                              tables->pdata[i], req->on_table_data);
        g_autoptr(GString) out = g_string_new(NULL);
        append_header(out, exp, req, params_text, date, first, owners);
        for (guint i = 0; i < tables->len; i++) {
            const Job *j = owners->pdata[i];
            g_autofree char *prefix =
                j->backend ? g_strdup_printf("backend %s", j->label) : NULL;
            if (i > 0)
                g_string_append(out, "\n\n");
            nl_table_append_rows(tables->pdata[i], prefix, out);
        }
        g_autofree char *file = g_strconcat(name, ".dat", NULL);
        g_autofree char *path = g_build_filename(dir, file, NULL);
        g_autoptr(GError) error = NULL;
        if (!nl_write_atomic(path, out->str, out->len, &error)) {
            g_printerr("numlab: %s\n", error->message);
            ok = FALSE;
            continue;
        }
        g_ptr_array_add(files, g_steal_pointer(&file));
    }
    return ok;
}

static gboolean write_artifacts(const char *dir, GPtrArray *jobs,
                                GPtrArray *files)
{
    gboolean ok = TRUE;
    for (guint i = 0; i < jobs->len; i++) {
        Job *j = jobs->pdata[i];
        if (j->status != JOB_OK)
            continue;
        GPtrArray *names = nl_run_artifact_names(j->run);
        for (guint a = 0; a < names->len; a++) {
            const char *name = names->pdata[a];
            /* Per-backend artifacts get the backend's label in front. */
            g_autofree char *file =
                j->backend ? g_strdup_printf("%s-%s", j->label, name)
                           : g_strdup(name);
            g_strdelimit(file, ":=,/", '_');
            GBytes *data = nl_run_artifact_data(j->run, name);
            g_autofree char *path = g_build_filename(dir, file, NULL);
            g_autoptr(GError) error = NULL;
            gsize len;
            const char *bytes = g_bytes_get_data(data, &len);
            if (!nl_write_atomic(path, bytes ? bytes : "", len, &error)) {
                g_printerr("numlab: %s\n", error->message);
                ok = FALSE;
                continue;
            }
            g_ptr_array_add(files, g_steal_pointer(&file));
        }
    }
    return ok;
}

/* backends.gp: the dataset order for the plot scripts. */
static gboolean write_gnuplot_include(const char *dir, GPtrArray *jobs,
                                      GPtrArray *files)
{
    g_autoptr(GString) labels = g_string_new(NULL);
    for (guint i = 0; i < jobs->len; i++) {
        Job *j = jobs->pdata[i];
        if (j->backend && j->status == JOB_OK)
            g_string_append_printf(labels, "%s%s", labels->len ? " " : "",
                                   j->label);
    }
    g_autofree char *text = g_strdup_printf(
        "# Written by numlab: the backends whose datasets the .dat files\n"
        "# hold, in dataset order (index 0 is the first word).\n"
        "backends = \"%s\"\n", labels->str);
    g_autofree char *path = g_build_filename(dir, "backends.gp", NULL);
    g_autoptr(GError) error = NULL;
    if (!nl_write_atomic(path, text, -1, &error)) {
        g_printerr("numlab: %s\n", error->message);
        return FALSE;
    }
    g_ptr_array_add(files, g_strdup("backends.gp"));
    return TRUE;
}

/* The job's backend self-check: its summary, its cost, and per kernel
 * that did not simply pass, what failed and what runs instead. */
static void write_self_check(GKeyFile *kf, const char *group,
                             const NlSelfCheck *sc)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_key_file_set_string(kf, group, "self_check", sc->summary);
    g_key_file_set_value(kf, group, "self_check_seconds",
                         g_ascii_formatd(buf, sizeof buf, "%.6f", sc->seconds));
    for (int k = 0; k < NL_N_KERNELS; k++) {
        g_autofree char *key = g_strdup_printf("self_check_%s",
                                               nl_kernel_name(k));
        g_autofree char *value = NULL;
        if (sc->state[k] == NL_CHECK_SUBSTITUTED)
            value = g_strdup_printf("substituted: %s; it failed: %s",
                                    sc->substitute[k], sc->failure[k]);
        else if (sc->state[k] == NL_CHECK_UNUSABLE)
            value = g_strdup_printf("unusable: %s", sc->failure[k]);
        if (value)
            g_key_file_set_string(kf, group, key, value);
    }
}

static gboolean write_manifest(const char *dir, const NlPlugin *exp,
                               const NlRunRequest *req, const char *params_text,
                               const char *date, GPtrArray *jobs,
                               GPtrArray *files, const char *status)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_key_file_set_string(kf, "run", "numlab", PACKAGE_VERSION);
    g_key_file_set_string(kf, "run", "experiment", exp->name);
    g_key_file_set_string(kf, "run", "experiment_version", exp->version);
    g_key_file_set_string(kf, "run", "parameters", params_text);
    g_key_file_set_uint64(kf, "run", "seed", req->seed);
    g_key_file_set_string(kf, "run", "date", date);
    g_key_file_set_string(kf, "run", "cpu", nl_host_cpu_model());
    if (req->command_line)
        g_key_file_set_string(kf, "run", "command", req->command_line);
    g_key_file_set_string(kf, "run", "status", status);
    for (guint i = 0; i < jobs->len; i++) {
        Job *j = jobs->pdata[i];
        g_autofree char *group = g_strdup_printf("job %s", j->label);
        g_key_file_set_string(kf, group, "phase", j->phase);
        g_key_file_set_string(kf, group, "status", job_state(j));
        if (j->reason)
            g_key_file_set_string(kf, group, "reason", j->reason);
        if (j->run && nl_run_n_faults(j->run)) {
            GPtrArray *faults = nl_run_faults(j->run);
            g_key_file_set_integer(kf, group, "faults",
                                   (int)MIN(nl_run_n_faults(j->run), G_MAXINT));
            g_key_file_set_string_list(kf, group, "fault",
                                       (const char *const *)faults->pdata,
                                       faults->len);
        }
        if (j->status == JOB_OK || j->status == JOB_FAILED) {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];
            g_key_file_set_value(kf, group, "seconds",
                                 g_ascii_formatd(buf, sizeof buf, "%.6f",
                                                 j->seconds));
        }
        if (j->backend) {
            const NlBackendInfo *info = nl_backend_info(j->backend);
            g_key_file_set_string(kf, group, "backend_version",
                                  nl_backend_plugin(j->backend)->version);
            g_key_file_set_string(kf, group, "library", info->library);
            g_key_file_set_string(kf, group, "device", info->device);
            g_key_file_set_integer(kf, group, "threads", info->threads);
            g_key_file_set_string(kf, group, "summation_order",
                                  info->summation_order);
            write_self_check(kf, group, j->check);
            g_autofree char *fallback = nl_backend_fallbacks(j->backend);
            if (fallback) /* kernels that ran as libnumlab's reference */
                g_key_file_set_string(kf, group, "fallback", fallback);
        }
    }
    g_key_file_set_string_list(kf, "files", "files",
                               (const char *const *)files->pdata, files->len);
    gsize len;
    g_autofree char *text = g_key_file_to_data(kf, &len, NULL);
    g_autofree char *path = g_build_filename(dir, "manifest.ini", NULL);
    g_autoptr(GError) error = NULL;
    if (!nl_write_atomic(path, text, len, &error)) {
        g_printerr("numlab: %s\n", error->message);
        return FALSE;
    }
    return TRUE;
}

/* One line per failed or skipped job, and per backend fault kept (with
 * the count of the rest); FALSE if any job failed or faulted. */
static gboolean report_jobs(const NlPlugin *exp, GPtrArray *jobs)
{
    gboolean ok = TRUE;
    for (guint i = 0; i < jobs->len; i++) {
        Job *j = jobs->pdata[i];
        guint n_faults = j->run ? nl_run_n_faults(j->run) : 0;
        if (j->status == JOB_FAILED) {
            g_printerr("numlab: %s: %s: %s\n", exp->name, j->label, j->reason);
            ok = FALSE;
        } else if (j->status == JOB_OK && n_faults) {
            GPtrArray *faults = nl_run_faults(j->run);
            for (guint f = 0; f < faults->len; f++)
                g_printerr("numlab: %s: %s: backend fault: %s\n", exp->name,
                           j->label, (char *)faults->pdata[f]);
            if (n_faults > faults->len)
                g_printerr("numlab: %s: %s: %u more backend faults (the "
                           "tables mark them)\n", exp->name, j->label,
                           n_faults - faults->len);
            ok = FALSE;
        } else if (j->status == JOB_SKIPPED) {
            g_printerr("numlab: %s: backend %s skipped: %s\n", exp->name,
                       j->label, j->reason);
        }
    }
    return ok;
}

/* ---- the run ---- */

static GPtrArray *plan_backend_jobs(NlRegistry *r, char **values)
{
    GPtrArray *jobs = g_ptr_array_new_with_free_func(job_free);
    g_autoptr(GPtrArray) specs = split_backend_specs(values);
    if (specs->len == 0)
        g_ptr_array_add(specs, g_strdup("all"));
    for (guint i = 0; i < specs->len; i++) {
        const char *spec = specs->pdata[i];
        if (strcmp(spec, "all") == 0) {
            g_autoptr(GPtrArray) list = nl_registry_list(r, NL_PLUGIN_BACKEND);
            for (guint b = 0; b < list->len; b++) {
                const char *name = ((NlPluginEntry *)list->pdata[b])->plugin->name;
                gboolean dup = FALSE;
                for (guint k = 0; k < jobs->len; k++)
                    dup |= strcmp(((Job *)jobs->pdata[k])->label, name) == 0;
                if (!dup)
                    g_ptr_array_add(jobs, job_new(name, "backend"));
            }
            continue;
        }
        gboolean dup = FALSE; /* "-b naive,naive": one job */
        for (guint k = 0; k < jobs->len; k++)
            if (strcmp(((Job *)jobs->pdata[k])->label, spec) == 0) {
                ((Job *)jobs->pdata[k])->requested = TRUE;
                dup = TRUE;
            }
        if (dup)
            continue;
        Job *j = job_new(spec, "backend");
        j->requested = TRUE;
        g_ptr_array_add(jobs, j);
    }
    return jobs;
}

gboolean nl_engine_run(NlRegistry *r, const NlRunRequest *req)
{
    const NlPluginEntry *entry =
        nl_registry_find(r, NL_PLUGIN_EXPERIMENT, req->experiment);
    if (!entry) {
        g_autofree char *known = nl_registry_names(r, NL_PLUGIN_EXPERIMENT);
        g_printerr("numlab: unknown experiment '%s' (known: %s)\n",
                   req->experiment, *known ? known : "none");
        return FALSE;
    }
    const NlPlugin *exp = entry->plugin;
    const NlExperimentOps *ops = exp->experiment;

    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) params =
        nl_params_parse(ops->params, exp->name, req->params, &error);
    if (!params) {
        g_printerr("numlab: %s\n", error->message);
        return FALSE;
    }
    g_autofree char *dir = g_build_filename(req->outdir, exp->name, NULL);
    if (!nl_output_dir_prepare(dir, &error)) {
        g_printerr("numlab: %s\n", error->message);
        return FALSE;
    }
    g_autofree char *params_text = nl_params_to_string(params);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *date = g_date_time_format_iso8601(now);

    /* All jobs in run order: common, one per backend, compare. */
    g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func(job_free);
    if (NL_EXPERIMENT_HOOK(ops, run_common))
        g_ptr_array_add(jobs, job_new("common", "common"));
    g_autoptr(GPtrArray) backend_jobs = NULL;
    if (NL_EXPERIMENT_HOOK(ops, run_backend)) {
        backend_jobs = plan_backend_jobs(r, req->backends);
        for (guint i = 0; i < backend_jobs->len; i++)
            g_ptr_array_add(jobs, backend_jobs->pdata[i]);
        g_ptr_array_set_free_func(backend_jobs, NULL); /* jobs owns them */
    }

    /* Open every backend first: a bad name or option is reported before
     * anything is computed. */
    guint n_usable = 0;
    for (guint i = 0; i < jobs->len; i++) {
        Job *j = jobs->pdata[i];
        if (strcmp(j->phase, "backend") == 0) {
            open_backend(r, j);
            n_usable += j->status == JOB_PENDING;
        }
    }
    if (NL_EXPERIMENT_HOOK(ops, run_backend) && n_usable == 0) {
        report_jobs(exp, jobs);
        g_printerr("numlab: %s: no backend could be opened; nothing was run "
                   "and no file was written\n", exp->name);
        return FALSE;
    }
    NlRun *common = NULL; /* the common phase's run, once it succeeded */
    for (guint i = 0; i < jobs->len; i++) {
        Job *j = jobs->pdata[i];
        if (strcmp(j->phase, "backend") == 0) {
            if (j->status == JOB_PENDING)
                run_phase(j, exp, params, req->seed, ops->run_backend, NULL,
                          common);
            continue;
        }
        run_phase(j, exp, params, req->seed, ops->run_common, NULL, NULL);
        if (j->status != JOB_OK) {
            /* one line for the failure: the skips and failures of the
             * backends (opened before) are reported first, on lines of
             * their own */
            JobStatus status = j->status;
            j->status = JOB_PENDING;
            report_jobs(exp, jobs);
            j->status = status;
            g_printerr("numlab: %s: %s (no file was written)\n", exp->name,
                       j->reason);
            return FALSE;
        }
        common = j->run;
    }
    if (NL_EXPERIMENT_HOOK(ops, run_compare)) {
        g_autoptr(GPtrArray) done = g_ptr_array_new();
        for (guint i = 0; i < jobs->len; i++) {
            Job *j = jobs->pdata[i];
            if (j->status == JOB_OK && j->backend)
                g_ptr_array_add(done, j->run);
        }
        Job *j = job_new("compare", "compare");
        g_ptr_array_add(jobs, j);
        run_phase(j, exp, params, req->seed, ops->run_compare, done, common);
    }

    gboolean all_ok = report_jobs(exp, jobs);
    guint n_backends_ok = 0;
    for (guint i = 0; i < jobs->len; i++) {
        Job *j = jobs->pdata[i];
        n_backends_ok += j->backend && j->status == JOB_OK;
    }
    if (NL_EXPERIMENT_HOOK(ops, run_backend) && n_backends_ok == 0) {
        /* Writing now would replace a good result set with a partial one
         * (common tables, an empty backends.gp): keep the old one. */
        g_printerr("numlab: %s: no backend job succeeded; no file was "
                   "written\n", exp->name);
        return FALSE;
    }

    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    gboolean written = write_tables(dir, exp, req, params_text, date, jobs, files) &
                       write_artifacts(dir, jobs, files) &
                       write_gnuplot_include(dir, jobs, files);
    gboolean failed = !written, faulted = FALSE;
    for (guint i = 0; i < jobs->len; i++) {
        const char *state = job_state(jobs->pdata[i]);
        failed |= g_str_equal(state, "failed");
        faulted |= g_str_equal(state, "fault");
    }
    written &= write_manifest(dir, exp, req, params_text, date, jobs, files,
                              failed ? "failed" : faulted ? "fault" : "ok");

    GString *summary = g_string_new(NULL);
    for (guint i = 0; i < jobs->len; i++) {
        Job *j = jobs->pdata[i];
        if (strcmp(j->phase, "backend") == 0)
            g_string_append_printf(summary, " %s:%s", j->label, job_state(j));
    }
    printf("%s: %u files in %s;%s\n", exp->name, files->len, dir,
           summary->len ? summary->str : " no backend jobs");
    g_string_free(summary, TRUE);
    return all_ok && written;
}
