/* manifest.c — manifest.ini, written last: the run, every job's phase,
 * status and reason, each backend's description and self-check, and the
 * files written (doc/output-format.md#manifestini).
 *
 * One function per group of keys: a new key for every job goes into
 * set_job, one for backend jobs into set_backend. */
#include "config.h"

#include "engine.h"

/* The job's backend self-check: its summary, its cost, and per kernel
 * that did not simply pass, what failed and what runs instead; the same
 * for the _in kernels per accumulation precision. */
static void set_self_check(GKeyFile *kf, const char *group,
                           const NlSelfCheck *sc)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_key_file_set_string(kf, group, "self_check", sc->summary);
    g_key_file_set_value(kf, group, "self_check_seconds",
                         g_ascii_formatd(buf, sizeof buf, "%.6f", sc->seconds));
    if (sc->kept) /* reached by an earlier process (selfcheck-cache.c) */
        g_key_file_set_string(kf, group, "self_check_kept", sc->kept);
    for (int k = 0; k < NL_N_KERNELS; k++) {
        g_autofree char *key =
            g_strdup_printf("self_check_%s", nl_kernel_name(k));
        g_autofree char *value = NULL;
        if (sc->state[k] == NL_CHECK_SUBSTITUTED)
            value = g_strdup_printf("substituted: %s; it failed: %s",
                                    sc->substitute[k], sc->failure[k]);
        else if (sc->state[k] == NL_CHECK_UNUSABLE)
            value = g_strdup_printf("unusable: %s", sc->failure[k]);
        if (value)
            g_key_file_set_string(kf, group, key, value);
        for (int p = 0; p < NL_N_PRECISIONS; p++)
            if (sc->state_in[k][p] == NL_CHECK_UNUSABLE) {
                g_autofree char *key_in =
                    g_strdup_printf("self_check_%s_in_%s", nl_kernel_name(k),
                                    nl_precision_name((NlPrecision)p));
                g_autofree char *why =
                    g_strdup_printf("unusable: %s", sc->failure_in[k][p]);
                g_key_file_set_string(kf, group, key_in, why);
            }
    }
    if (sc->summary_in && *sc->summary_in)
        g_key_file_set_string(kf, group, "self_check_precisions",
                              sc->summary_in);
}

/* What an opened backend is: version, library, device, threads, order. */
static void set_backend(GKeyFile *kf, const char *group, const NlJob *j)
{
    const NlBackendInfo *info = nl_backend_info(j->backend);
    g_key_file_set_string(kf, group, "backend_version",
                          nl_backend_plugin(j->backend)->version);
    g_key_file_set_string(kf, group, "library", info->library);
    g_key_file_set_string(kf, group, "device", info->device);
    g_key_file_set_integer(kf, group, "threads", info->threads);
    g_key_file_set_string(kf, group, "summation_order", info->summation_order);
    set_self_check(kf, group, j->check);
    if (j->fallback) /* kernels that ran as libnumlab's reference */
        g_key_file_set_string(kf, group, "fallback", j->fallback);
}

static void set_faults(GKeyFile *kf, const char *group, NlRun *run)
{
    GPtrArray *faults = nl_run_faults(run);
    g_key_file_set_integer(kf, group, "faults",
                           (int)MIN(nl_run_n_faults(run), G_MAXINT));
    g_key_file_set_string_list(kf, group, "fault",
                               (const char *const *)faults->pdata, faults->len);
}

/* [job LABEL] */
static void set_job(GKeyFile *kf, const NlJob *j)
{
    g_autofree char *group = g_strdup_printf("job %s", j->label);
    g_key_file_set_string(kf, group, "phase", nl_phase_name(j->phase));
    g_key_file_set_string(kf, group, "status", nl_job_state(j));
    if (j->reason)
        g_key_file_set_string(kf, group, "reason", j->reason);
    if (j->run && nl_run_n_faults(j->run))
        set_faults(kf, group, j->run);
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    if (j->status == NL_JOB_OK || j->status == NL_JOB_FAILED) {
        g_key_file_set_value(
            kf, group, "seconds",
            g_ascii_formatd(buf, sizeof buf, "%.6f", j->seconds));
    }
    if (j->resumed)
        g_key_file_set_boolean(kf, group, "resumed", TRUE);
    if (j->peak_bytes)
        g_key_file_set_uint64(kf, group, "peak_bytes", j->peak_bytes);
    if (j->own_process)
        g_key_file_set_value(
            kf, group, "process_seconds",
            g_ascii_formatd(buf, sizeof buf, "%.6f", j->isolation_seconds));
    if (j->backend)
        set_backend(kf, group, j);
}

/* "failed" if a job failed or a table was left out, else "fault" if a
 * backend faulted, else "ok". */
static const char *run_status(const NlEngine *e)
{
    gboolean failed = e->tables_missing, faulted = FALSE;
    for (guint i = 0; i < e->jobs->len; i++) {
        const char *state = nl_job_state(e->jobs->pdata[i]);
        failed |= g_str_equal(state, "failed");
        faulted |= g_str_equal(state, "fault");
    }
    return failed ? "failed" : faulted ? "fault" : "ok";
}

/* [run] */
static void set_run(GKeyFile *kf, const NlEngine *e)
{
    g_key_file_set_string(kf, "run", "numlab", PACKAGE_VERSION);
    g_key_file_set_string(kf, "run", "experiment", e->exp->name);
    g_key_file_set_string(kf, "run", "experiment_version", e->exp->version);
    g_key_file_set_string(kf, "run", "parameters", e->params_text);
    g_key_file_set_uint64(kf, "run", "seed", e->req->seed);
    g_key_file_set_string(kf, "run", "date", e->date);
    g_key_file_set_string(kf, "run", "cpu", nl_host_cpu_model());
    if (e->req->command_line)
        g_key_file_set_string(kf, "run", "command", e->req->command_line);
    g_key_file_set_string(kf, "run", "status", run_status(e));
    if (e->most_at_once) /* phases.c: beside each other, jobs take longer */
        g_key_file_set_uint64(kf, "run", "jobs_at_once", e->most_at_once);
    if (e->estimated_bytes > 0) { /* budget.c */
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_key_file_set_uint64(kf, "run", "estimated_bytes",
                              (guint64)e->estimated_bytes);
        g_key_file_set_value(
            kf, "run", "estimated_seconds",
            g_ascii_formatd(buf, sizeof buf, "%.3g", e->estimated_seconds));
    }
}

/* [parameters]: one key per parameter, its canonical value, so that
 * `numlab rerun` can give them back one by one (the [run] line cannot be
 * split where a value holds a space). */
static void set_parameters(GKeyFile *kf, const NlEngine *e)
{
    g_auto(GStrv) names = NULL, values = NULL;
    nl_params_canonical(e->params, &names, &values);
    for (guint i = 0; names[i]; i++)
        g_key_file_set_string(kf, "parameters", names[i], values[i]);
}

gboolean nl_engine_write_manifest(NlEngine *e, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    set_run(kf, e);
    set_parameters(kf, e);
    for (guint i = 0; i < e->jobs->len; i++)
        set_job(kf, e->jobs->pdata[i]);
    g_key_file_set_string_list(kf, "files", "files",
                               (const char *const *)e->files->pdata,
                               e->files->len);
    gsize len;
    g_autofree char *text = g_key_file_to_data(kf, &len, NULL);
    return nl_result_set_add(e->set, "manifest.ini", text, len, error);
}
