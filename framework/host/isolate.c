/* isolate.c — a job in a process of its own: what a plugin's crash, abort,
 * exit() or runaway takes down is that job, never the run.
 *
 * The runner starts each phase's job as a child by fork+exec of itself,
 * `numlab __job REQUEST RESULT` (never a bare fork: OpenBLAS's, libgomp's
 * and CUDA's state does not survive one). The request is a key file in the
 * staging folder's .scratch/: the experiment's and backend's modules, the
 * parameters as the user gave them, the seed, the backend's self-check
 * verdict (adopted, not repeated) and the result files of the phases this
 * one reads. The child loads only those two modules, runs the phase
 * exactly as the runner would (nl_phase_call) and writes its result, a
 * versioned GVariant (JOB_WIRE), to RESULT.tmp, then renames it.
 *
 * The runner waits, killing the child at the job's time limit, and reads
 * the result back: at most JOB_RESULT_MAX bytes, of the right form and
 * version, checked as untrusted data. A child that died by a signal,
 * exited without a result or ran past its limit fails its job with the
 * cause in one line ("job killed by SIGSEGV (Segmentation fault)"). */
#define _GNU_SOURCE /* sigabbrev_np, O_CLOEXEC */
#include "config.h"

#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* magic, version, ok, reason, hook seconds, fallback, the run */
#define JOB_MAGIC "numlab-job-result"
#define JOB_VERSION 1u
#define JOB_WIRE "(subsdms" NL_RUN_WIRE ")"
/* What the runner reads back from one job: a table this large is already
 * a figure no one can draw. */
#define JOB_RESULT_MAX (G_GUINT64_CONSTANT(4) << 30)

/* ---- the runner's side ---- */

static const char *module_path(NlRegistry *r, NlPluginKind kind,
                               const char *name)
{
    const NlPluginEntry *entry = nl_registry_find(r, kind, name);
    return entry ? entry->path : NULL;
}

/* The request for job `index`, REQUEST's contents. */
static char *request_text(NlEngine *e, const NlJob *j)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    const char *g = "job";
    g_key_file_set_string(kf, g, "experiment", e->exp->name);
    g_key_file_set_string(
        kf, g, "experiment_module",
        module_path(e->registry, NL_PLUGIN_EXPERIMENT, e->exp->name));
    g_key_file_set_string(kf, g, "label", j->label);
    g_key_file_set_string(kf, g, "phase", nl_phase_name(j->phase));
    g_key_file_set_uint64(kf, g, "seed", e->req->seed);
    char **params = e->req->params;
    g_key_file_set_string_list(kf, g, "parameters",
                               (const char *const *)params,
                               params ? g_strv_length(params) : 0);
    if (j->backend) {
        const char *plugin = nl_backend_plugin(j->backend)->name;
        g_key_file_set_string(kf, g, "backend", plugin);
        g_key_file_set_string(
            kf, g, "backend_module",
            module_path(e->registry, NL_PLUGIN_BACKEND, plugin));
        nl_self_check_save(j->check, kf, "self-check");
    }
    g_autoptr(GPtrArray) inputs = g_ptr_array_new();
    g_autoptr(GPtrArray) labels = g_ptr_array_new();
    for (guint i = 0; j->phase != NL_PHASE_COMMON && i < e->jobs->len; i++) {
        const NlJob *o = e->jobs->pdata[i];
        if (o->phase == NL_PHASE_COMMON && o->status == NL_JOB_OK)
            g_key_file_set_string(kf, g, "common", o->result_path);
        if (j->phase == NL_PHASE_COMPARE && nl_job_backend_ok(o)) {
            g_ptr_array_add(inputs, o->result_path);
            g_ptr_array_add(labels, o->label);
        }
    }
    if (j->phase == NL_PHASE_COMPARE) {
        g_key_file_set_string_list(kf, g, "jobs",
                                   (const char *const *)inputs->pdata,
                                   inputs->len);
        g_key_file_set_string_list(kf, g, "job_labels",
                                   (const char *const *)labels->pdata,
                                   labels->len);
    }
    return g_key_file_to_data(kf, NULL, NULL);
}

/* Runs in the child between fork and exec: only async-signal-safe calls. */
static void limit_memory(gpointer data)
{
    const guint64 *bytes = data;
    if (*bytes) {
        struct rlimit lim = {(rlim_t)*bytes, (rlim_t)*bytes};
        setrlimit(RLIMIT_DATA, &lim);
    }
}

typedef struct {
    GMainLoop *loop;
    int status;
    gboolean exited, timed_out;
    GPid pid;
} Waiting;

static void child_ended(GPid pid, gint status, gpointer data)
{
    (void)pid;
    Waiting *w = data;
    w->status = status;
    w->exited = TRUE;
    g_main_loop_quit(w->loop);
}

static gboolean time_is_up(gpointer data)
{
    Waiting *w = data;
    w->timed_out = TRUE;
    kill(w->pid, SIGKILL); /* child_ended then reaps it */
    return G_SOURCE_REMOVE;
}

/* Waits for the child, killing it after `seconds` (0: never); its wait
 * status, and whether the limit killed it. */
static int wait_for(GPid pid, double seconds, gboolean *timed_out)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
    Waiting w = {g_main_loop_new(ctx, FALSE), 0, FALSE, FALSE, pid};
    GSource *watch = g_child_watch_source_new(pid);
    g_source_set_callback(watch, (GSourceFunc)(void (*)(void))child_ended, &w,
                          NULL);
    g_source_attach(watch, ctx);
    GSource *timer = NULL;
    if (seconds > 0) {
        timer = g_timeout_source_new((guint)MIN(seconds * 1000.0, G_MAXUINT));
        g_source_set_callback(timer, time_is_up, &w, NULL);
        g_source_attach(timer, ctx);
    }
    g_main_loop_run(w.loop);
    if (timer) {
        g_source_destroy(timer);
        g_source_unref(timer);
    }
    g_source_destroy(watch);
    g_source_unref(watch);
    g_main_loop_unref(w.loop);
    g_main_context_pop_thread_default(ctx);
    *timed_out = w.timed_out;
    return w.status;
}

/* Why a child that left no result ended as it did. */
static char *death_cause(const NlEngine *e, int status, gboolean timed_out)
{
    if (timed_out)
        return g_strdup_printf("job killed at its time limit of %g s",
                               e->req->job_seconds);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        g_autofree char *memory =
            e->req->job_memory
                ? g_strdup_printf("; its memory limit was %" G_GUINT64_FORMAT
                                  " MiB",
                                  e->req->job_memory >> 20)
                : NULL;
        return g_strdup_printf("job killed by SIG%s (%s)%s",
                               abbrev ? abbrev : "?", g_strsignal(sig),
                               memory ? memory : "");
    }
    return g_strdup_printf("job ended with exit status %d before sending its "
                           "results (a plugin called exit()?)",
                           WEXITSTATUS(status));
}

/* Reads a child's result back into the job; FALSE with the reason. */
static gboolean read_result(NlEngine *e, NlJob *j, GError **error)
{
    g_autoptr(GMappedFile) file = g_mapped_file_new(j->result_path, FALSE,
                                                    error);
    if (!file)
        return FALSE;
    if ((guint64)g_mapped_file_get_length(file) > JOB_RESULT_MAX)
        return nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                       "its results are %" G_GSIZE_FORMAT " bytes, beyond the "
                       "%" G_GUINT64_FORMAT " a job may send",
                       g_mapped_file_get_length(file), JOB_RESULT_MAX);
    g_autoptr(GBytes) bytes = g_mapped_file_get_bytes(file);
    g_autoptr(GVariant) v =
        g_variant_ref_sink(g_variant_new_from_bytes(G_VARIANT_TYPE(JOB_WIRE),
                                                    bytes, FALSE));
    const char *magic, *reason, *fallback;
    guint32 version;
    gboolean ok;
    double seconds;
    g_autoptr(GVariant) run = NULL;
    g_variant_get(v, "(&sub&sdm&s@" NL_RUN_WIRE ")", &magic, &version, &ok,
                  &reason, &seconds, &fallback, &run);
    if (strcmp(magic, JOB_MAGIC) != 0 || version != JOB_VERSION)
        return nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                       "its results are not numlab job results of version %u",
                       JOB_VERSION);
    j->run = nl_run_from_variant(e->params, e->req->seed, j->label, run, error);
    if (!j->run)
        return FALSE;
    j->seconds = seconds;
    j->fallback = g_strdup(fallback);
    if (ok)
        j->status = NL_JOB_OK;
    else
        nl_job_fail(j, NL_JOB_FAILED, reason);
    return TRUE;
}

void nl_job_run_isolated(NlEngine *e, NlJob *j, guint index)
{
    double t0 = nl_time_now();
    g_autoptr(GError) error = NULL;
    const char *dir = nl_result_set_scratch(e->set, &error);
    g_autofree char *request = g_strdup_printf("%s/%u.request", dir, index);
    j->result_path = g_strdup_printf("%s/%u.result", dir, index);
    g_autofree char *text = dir ? request_text(e, j) : NULL;
    GPid pid = 0;
    if (!dir || !g_file_set_contents(request, text, -1, &error)) {
        g_autofree char *why =
            g_strdup_printf("cannot start the job: %s", error->message);
        nl_job_fail(j, NL_JOB_FAILED, why);
        return;
    }
    char *argv[] = {(char *)e->req->job_runner, "__job", request,
                    j->result_path, NULL};
    guint64 memory = e->req->job_memory;
    if (!g_spawn_async(NULL, argv, NULL,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CHILD_INHERITS_STDIN,
                       memory ? limit_memory : NULL, &memory, &pid, &error)) {
        g_autofree char *why =
            g_strdup_printf("cannot start the job: %s", error->message);
        nl_job_fail(j, NL_JOB_FAILED, why);
        return;
    }
    gboolean timed_out;
    int status = wait_for(pid, e->req->job_seconds, &timed_out);
    g_spawn_close_pid(pid);
    gboolean clean = !timed_out && WIFEXITED(status) &&
                     WEXITSTATUS(status) == 0 &&
                     g_file_test(j->result_path, G_FILE_TEST_IS_REGULAR);
    if (!clean) {
        g_autofree char *why = death_cause(e, status, timed_out);
        nl_job_fail(j, NL_JOB_FAILED, why);
    } else if (!read_result(e, j, &error)) {
        g_autofree char *why =
            g_strdup_printf("job results unreadable: %s", error->message);
        nl_run_free(g_steal_pointer(&j->run));
        nl_job_fail(j, NL_JOB_FAILED, why);
    }
    j->isolation_seconds = MAX(0.0, nl_time_now() - t0 - j->seconds);
}

/* ---- the job's side ---- */

typedef struct {
    GKeyFile *kf;
    NlRegistry *registry;
    const NlPlugin *exp;
    NlParams *params;
    NlBackend *backend;
    guint64 seed;
    NlPhase phase;
    char *label;
    NlRun *common;
    GPtrArray *jobs; /* NlRun*, owned */
} Child;

static void child_clear(Child *c)
{
    nl_run_free(c->common);
    if (c->jobs)
        g_ptr_array_unref(c->jobs);
    nl_backend_close(c->backend);
    nl_params_free(c->params);
    if (c->registry)
        nl_registry_free(c->registry);
    if (c->kf)
        g_key_file_unref(c->kf);
    g_free(c->label);
}

/* A phase's result file read back as the run it was. */
static NlRun *load_run(Child *c, const char *path, const char *label,
                       GError **error)
{
    g_autoptr(GMappedFile) file = g_mapped_file_new(path, FALSE, error);
    if (!file)
        return NULL;
    g_autoptr(GBytes) bytes = g_mapped_file_get_bytes(file);
    g_autoptr(GVariant) v = g_variant_ref_sink(
        g_variant_new_from_bytes(G_VARIANT_TYPE(JOB_WIRE), bytes, FALSE));
    g_autoptr(GVariant) run = g_variant_get_child_value(v, 6);
    return nl_run_from_variant(c->params, c->seed, label, run, error);
}

static gboolean parse_phase(const char *name, NlPhase *phase)
{
    for (NlPhase p = NL_PHASE_COMMON; p <= NL_PHASE_COMPARE; p++)
        if (g_strcmp0(name, nl_phase_name(p)) == 0) {
            *phase = p;
            return TRUE;
        }
    return FALSE;
}

/* Everything the phase needs, from the request. */
static gboolean child_prepare(Child *c, const char *request, GError **error)
{
    const char *g = "job";
    c->kf = g_key_file_new();
    if (!g_key_file_load_from_file(c->kf, request, G_KEY_FILE_NONE, error))
        return FALSE;
    g_autofree char *exp_module =
        g_key_file_get_string(c->kf, g, "experiment_module", error);
    g_autofree char *exp_name =
        exp_module ? g_key_file_get_string(c->kf, g, "experiment", error) : NULL;
    c->label = exp_name ? g_key_file_get_string(c->kf, g, "label", error) : NULL;
    g_autofree char *phase = g_key_file_get_string(c->kf, g, "phase", NULL);
    if (!c->label)
        return FALSE;
    if (!parse_phase(phase, &c->phase))
        return nl_fail(error, NL_ERROR, NL_ERROR_JOB, "no phase '%s'", phase);
    c->seed = g_key_file_get_uint64(c->kf, g, "seed", NULL);
    c->registry = nl_registry_new();
    if (!nl_registry_load(c->registry, exp_module, error))
        return FALSE;
    const NlPluginEntry *entry =
        nl_registry_find(c->registry, NL_PLUGIN_EXPERIMENT, exp_name);
    if (!entry)
        return nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                       "'%s' is not the experiment %s", exp_module, exp_name);
    c->exp = entry->plugin;
    g_auto(GStrv) params =
        g_key_file_get_string_list(c->kf, g, "parameters", NULL, NULL);
    c->params = nl_params_parse(c->exp->experiment->params, c->exp->name,
                                params, error);
    if (!c->params)
        return FALSE;

    if (c->phase == NL_PHASE_BACKEND) {
        g_autofree char *plugin =
            g_key_file_get_string(c->kf, g, "backend", error);
        g_autofree char *module =
            plugin ? g_key_file_get_string(c->kf, g, "backend_module", error)
                   : NULL;
        if (!module || !nl_registry_load(c->registry, module, error) ||
            !nl_self_check_adopt(c->kf, "self-check", plugin, c->label, error))
            return FALSE;
        c->backend = nl_backend_open_spec(c->registry, c->label, NULL, error);
        if (!c->backend)
            return FALSE;
    }
    g_autofree char *common = g_key_file_get_string(c->kf, g, "common", NULL);
    if (common && !(c->common = load_run(c, common, "common", error)))
        return FALSE;
    c->jobs = g_ptr_array_new_with_free_func((GDestroyNotify)nl_run_free);
    gsize n_jobs = 0, n_labels = 0;
    g_auto(GStrv) jobs =
        g_key_file_get_string_list(c->kf, g, "jobs", &n_jobs, NULL);
    g_auto(GStrv) labels =
        g_key_file_get_string_list(c->kf, g, "job_labels", &n_labels, NULL);
    if (n_jobs != n_labels)
        return nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                       "%" G_GSIZE_FORMAT " jobs, %" G_GSIZE_FORMAT " labels",
                       n_jobs, n_labels);
    for (gsize i = 0; i < n_jobs; i++) {
        NlRun *run = load_run(c, jobs[i], labels[i], error);
        if (!run)
            return FALSE;
        g_ptr_array_add(c->jobs, run);
    }
    return TRUE;
}

/* Writes RESULT whole (through RESULT.tmp and a rename): a result file
 * that exists is complete. */
static gboolean write_result(const char *path, GVariant *v, GError **error)
{
    g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
    g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes(v);
    gsize len;
    const char *data = g_bytes_get_data(bytes, &len);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    gboolean ok = fd >= 0;
    for (gsize done = 0; ok && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        done += ok ? (gsize)n : 0;
    }
    int err = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = FALSE;
        err = errno;
    }
    if (ok && rename(tmp, path) == 0)
        return TRUE;
    err = ok ? errno : err;
    unlink(tmp);
    return nl_fail(error, G_FILE_ERROR, g_file_error_from_errno(err),
                   "cannot write '%s': %s", path, g_strerror(err));
}

int nl_job_child_main(int argc, char **argv)
{
    if (argc != 4) {
        g_printerr("numlab __job: runs one job for numlab run; not a command "
                   "to call\n");
        return 2;
    }
    Child c = {0};
    g_autoptr(GError) error = NULL;
    g_autofree char *failure = NULL;
    double seconds = 0.0;
    g_autofree char *progress = NULL;
    NlRun *run = NULL;
    if (child_prepare(&c, argv[2], &error)) {
        progress = g_strdup_printf("%s/%s", c.exp->name, c.label);
        run = nl_run_new(c.params, c.seed, c.backend, progress);
        nl_run_set_jobs(run, c.jobs);
        nl_run_set_common(run, c.common);
        failure = nl_phase_call(c.exp, c.phase, run, &seconds);
    } else {
        failure = g_strdup(error->message);
        g_clear_error(&error);
        run = nl_run_new(NULL, 0, NULL, "");
    }
    GVariant *wire = nl_run_to_variant(run, &error); /* floating */
    if (!wire) { /* it kept a pointer: the phase's results cannot travel */
        if (!failure)
            failure = g_strdup(error->message);
        g_clear_error(&error);
        nl_run_free(run);
        run = nl_run_new(NULL, 0, NULL, "");
        wire = nl_run_to_variant(run, NULL);
    }
    g_autofree char *fallback = c.backend ? nl_backend_fallbacks(c.backend)
                                          : NULL;
    g_autoptr(GVariant) result = g_variant_ref_sink(g_variant_new(
        "(subsdm&s@" NL_RUN_WIRE ")", JOB_MAGIC, JOB_VERSION, failure == NULL,
        failure ? failure : "", seconds, fallback, wire));
    gboolean written = write_result(argv[3], result, &error);
    if (!written)
        g_printerr("numlab: %s\n", error->message);
    nl_run_free(run);
    child_clear(&c);
    return written ? 0 : 1;
}
