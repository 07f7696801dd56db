/* isolate.c — a job in a process of its own: what a plugin's crash, abort,
 * exit() or runaway takes down is that job, never the run.
 *
 * The runner starts each phase's job as a child by fork+exec of itself,
 * `numlab __job` (never a bare fork: OpenBLAS's, libgomp's and CUDA's
 * state does not survive one). The channel is two pipes, no file: the
 * request goes to the child's stdin, its result comes back on its fd 3.
 * Both are versioned GVariants. The request (REQUEST_WIRE) holds a key
 * file (the experiment's and backend's modules, the parameters as the
 * user gave them, the seed, the backend's self-check verdict, adopted
 * rather than repeated) and the results of the phases this one reads:
 * the common phase's, and for run_compare every succeeded job's. The
 * child loads only those two modules, runs the phase exactly as the
 * runner would (nl_phase_call) and sends its result (RESULT_WIRE).
 *
 * The runner feeds and drains the pipes in a main context while it waits,
 * so neither side can block the other, and one context serves every job
 * that runs at the time (phases.c runs backend jobs side by side); it kills the
 * child at the job's time limit or once its result passes NL_JOB_WIRE_MAX
 * bytes, and checks what comes back as untrusted data. A child that died by a
 * signal, exited without a result or ran past a limit fails its job with the
 * cause in one line ("job killed by SIGSEGV (Segmentation fault)"). */
#define _GNU_SOURCE /* sigabbrev_np */
#include "config.h"

#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* 2: a table's strings as one NUL-separated byte array (table.c) */
#define WIRE_VERSION 2u
/* magic, version, the key file, the common phase's run, the jobs' runs */
#define REQUEST_MAGIC "numlab-job-request"
#define REQUEST_WIRE  "(suaym" NL_RUN_WIRE "a(s" NL_RUN_WIRE "))"
/* magic, version, ok, reason, hook seconds, fallback, peak RSS, the run */
#define RESULT_MAGIC "numlab-job-result"
#define RESULT_WIRE  "(subsdmst" NL_RUN_WIRE ")"
/* The child's end of the result pipe. */
#define RESULT_FD 3

/* ---- the runner's side ---- */

static const char *module_path(NlRegistry *r, NlPluginKind kind,
                               const char *name)
{
    const NlPluginEntry *entry = nl_registry_find(r, kind, name);
    return entry ? entry->path : NULL;
}

/* What the job is: the request's key file. */
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
    g_key_file_set_string_list(kf, g, "parameters", (const char *const *)params,
                               params ? g_strv_length(params) : 0);
    if (j->backend) {
        const char *plugin = nl_backend_plugin(j->backend)->name;
        g_key_file_set_string(kf, g, "backend", plugin);
        g_key_file_set_string(
            kf, g, "backend_module",
            module_path(e->registry, NL_PLUGIN_BACKEND, plugin));
        nl_self_check_save(j->check, kf, "self-check");
        g_auto(GStrv) modules = nl_engine_backend_modules(e->registry);
        g_key_file_set_string_list(kf, g, "peer_modules",
                                   (const char *const *)modules,
                                   g_strv_length(modules));
    }
    return g_key_file_to_data(kf, NULL, NULL);
}

/* The whole request: the key file and the runs this phase reads. */
static GBytes *request_bytes(NlEngine *e, const NlJob *j)
{
    g_autofree char *text = request_text(e, j);
    GVariant *common = NULL;
    GVariantBuilder jobs;
    g_variant_builder_init(&jobs, G_VARIANT_TYPE("a(s" NL_RUN_WIRE ")"));
    for (guint i = 0; j->phase != NL_PHASE_COMMON && i < e->jobs->len; i++) {
        const NlJob *o = e->jobs->pdata[i];
        /* runs that came back from a process: they keep no pointer */
        if (o->phase == NL_PHASE_COMMON && o->status == NL_JOB_OK)
            common = nl_run_to_variant(o->run, NULL);
        if (j->phase == NL_PHASE_COMPARE && nl_job_backend_ok(o))
            g_variant_builder_add(&jobs, "(s@" NL_RUN_WIRE ")", o->label,
                                  nl_run_to_variant(o->run, NULL));
    }
    g_autoptr(GVariant) v = g_variant_ref_sink(g_variant_new(
        "(su@aym@" NL_RUN_WIRE "@a(s" NL_RUN_WIRE "))", REQUEST_MAGIC,
        WIRE_VERSION, g_variant_new_bytestring(text), common,
        g_variant_builder_end(&jobs)));
    return g_variant_get_data_as_bytes(v);
}

/* Runs in the child between fork and exec: only async-signal-safe calls.
 * The runner ignores SIGPIPE; the job gets the default back. */
static void child_setup(gpointer data)
{
    const guint64 *bytes = data;
    signal(SIGPIPE, SIG_DFL);
    if (*bytes) {
        struct rlimit lim = {(rlim_t)*bytes, (rlim_t)*bytes};
        setrlimit(RLIMIT_DATA, &lim);
    }
}

/* One child's pipes and end, served by the sources of a main context
 * that may serve other children too. */
typedef struct {
    GPid pid;
    int status;
    gboolean exited, timed_out, too_big;
    GBytes *request; /* to the child's stdin */
    gsize written;
    int to_child;       /* -1 once all is written or the child left */
    GByteArray *result; /* from its fd 3 */
    int from_child;     /* -1 at end of file */
    GSource *sources[4];
} Exchange;

static gboolean exchange_done(const Exchange *x)
{
    return x->exited && x->from_child < 0;
}

static gboolean feed(gint fd, GIOCondition cond, gpointer data)
{
    Exchange *x = data;
    gsize len;
    const guint8 *bytes = g_bytes_get_data(x->request, &len);
    while (!(cond & G_IO_ERR) && x->written < len) {
        ssize_t n = write(fd, bytes + x->written, len - x->written);
        if (n > 0) {
            x->written += (gsize)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return G_SOURCE_CONTINUE;
        break; /* EPIPE: the child is gone; its end says why */
    }
    close(fd);
    x->to_child = -1;
    return G_SOURCE_REMOVE;
}

static gboolean drain(gint fd, GIOCondition cond, gpointer data)
{
    (void)cond;
    Exchange *x = data;
    guint8 buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            if (x->result->len + (guint64)n > NL_JOB_WIRE_MAX) {
                x->too_big = TRUE;
                kill(x->pid, SIGKILL);
                break;
            }
            g_byte_array_append(x->result, buf, (guint)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return G_SOURCE_CONTINUE;
        break; /* end of file, or an error: nothing more comes */
    }
    close(fd);
    x->from_child = -1;
    return G_SOURCE_REMOVE;
}

static void child_ended(GPid pid, gint status, gpointer data)
{
    (void)pid;
    Exchange *x = data;
    x->status = status;
    x->exited = TRUE;
}

static gboolean time_is_up(gpointer data)
{
    Exchange *x = data;
    x->timed_out = TRUE;
    kill(x->pid, SIGKILL); /* child_ended then reaps it */
    return G_SOURCE_REMOVE;
}

static GSource *attach(GSource *source, GMainContext *ctx)
{
    g_source_attach(source, ctx);
    return source;
}

/* Lets ctx feed the request, drain the result and see the child's end,
 * killing it at `seconds` (0: never). */
static void exchange_attach(Exchange *x, GMainContext *ctx, double seconds)
{
    g_unix_set_fd_nonblocking(x->to_child, TRUE, NULL);
    g_unix_set_fd_nonblocking(x->from_child, TRUE, NULL);
    x->sources[0] =
        attach(g_unix_fd_source_new(x->to_child, G_IO_OUT | G_IO_ERR), ctx);
    g_source_set_callback(x->sources[0], (GSourceFunc)(void (*)(void))feed, x,
                          NULL);
    x->sources[1] = attach(
        g_unix_fd_source_new(x->from_child, G_IO_IN | G_IO_HUP | G_IO_ERR),
        ctx);
    g_source_set_callback(x->sources[1], (GSourceFunc)(void (*)(void))drain, x,
                          NULL);
    x->sources[2] = attach(g_child_watch_source_new(x->pid), ctx);
    g_source_set_callback(x->sources[2],
                          (GSourceFunc)(void (*)(void))child_ended, x, NULL);
    if (seconds > 0) {
        x->sources[3] = attach(
            g_timeout_source_new((guint)MIN(seconds * 1000.0, G_MAXUINT)), ctx);
        g_source_set_callback(x->sources[3], time_is_up, x, NULL);
    }
}

/* Once the exchange is done: its sources gone, the request's pipe closed. */
static void exchange_detach(Exchange *x)
{
    for (guint i = 0; i < G_N_ELEMENTS(x->sources); i++)
        if (x->sources[i]) {
            g_source_destroy(x->sources[i]);
            g_source_unref(x->sources[i]);
            x->sources[i] = NULL;
        }
    if (x->to_child >= 0)
        close(x->to_child);
    x->to_child = -1;
}

/* Why a child ended without a usable result. */
static char *death_cause(const NlEngine *e, const Exchange *x)
{
    if (x->timed_out)
        return g_strdup_printf("job killed at its time limit of %g s",
                               e->req->job_seconds);
    if (x->too_big)
        return g_strdup_printf(
            "job killed: its results passed the %" G_GUINT64_FORMAT
            " bytes a job may send",
            NL_JOB_WIRE_MAX);
    if (WIFSIGNALED(x->status)) {
        int sig = WTERMSIG(x->status);
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
                           WEXITSTATUS(x->status));
}

/* The child's result read into the job; FALSE with the reason. */
static gboolean read_result(NlEngine *e, NlJob *j, GBytes *bytes,
                            GError **error)
{
    g_autoptr(GVariant) v = g_variant_ref_sink(
        g_variant_new_from_bytes(G_VARIANT_TYPE(RESULT_WIRE), bytes, FALSE));
    const char *magic, *reason, *fallback;
    guint32 version;
    gboolean ok;
    double seconds;
    guint64 peak;
    g_autoptr(GVariant) run = NULL;
    g_variant_get(v, "(&sub&sdm&st@" NL_RUN_WIRE ")", &magic, &version, &ok,
                  &reason, &seconds, &fallback, &peak, &run);
    if (strcmp(magic, RESULT_MAGIC) != 0 || version != WIRE_VERSION)
        return nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                       "they are not numlab job results of version %u",
                       WIRE_VERSION);
    j->run = nl_run_from_variant(e->params, e->req->seed, j->label, run, error);
    if (!j->run)
        return FALSE;
    j->seconds = seconds;
    j->fallback = g_strdup(fallback);
    j->peak_bytes = peak;
    if (ok)
        j->status = NL_JOB_OK;
    else
        nl_job_fail(j, NL_JOB_FAILED, reason);
    return TRUE;
}

struct NlJobChild {
    NlJob *job;
    Exchange x;
    double t0;
};

NlJobChild *nl_job_child_start(NlEngine *e, NlJob *j, GMainContext *ctx)
{
    static gsize sigpipe_ignored;
    if (g_once_init_enter(&sigpipe_ignored)) {
        /* a child that dies before reading its request must not take the
         * runner with it: its write then fails with EPIPE */
        signal(SIGPIPE, SIG_IGN);
        g_once_init_leave(&sigpipe_ignored, 1);
    }
    g_autoptr(GBytes) saved = nl_journal_lookup(e->journal, j);
    if (saved && read_result(e, j, saved, NULL)) {
        j->resumed = TRUE;
        return NULL;
    }
    nl_run_free(g_steal_pointer(&j->run));
    double t0 = nl_time_now();
    j->own_process = TRUE;
    g_autoptr(GError) error = NULL;
    int request[2], result[2];
    if (!g_unix_open_pipe(request, FD_CLOEXEC, &error) ||
        !g_unix_open_pipe(result, FD_CLOEXEC, &error)) {
        g_autofree char *why =
            g_strdup_printf("cannot start the job: %s", error->message);
        nl_job_fail(j, NL_JOB_FAILED, why);
        return NULL;
    }
    char *argv[] = {(char *)e->req->job_runner, "__job", NULL};
    guint64 memory = e->req->job_memory;
    int source_fds[] = {result[1]}, target_fds[] = {RESULT_FD};
    GPid pid;
    gboolean started = g_spawn_async_with_pipes_and_fds(
        NULL, (const char *const *)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
        child_setup, &memory, request[0], -1, -1, source_fds, target_fds, 1,
        &pid, NULL, NULL, NULL, &error);
    close(request[0]);
    close(result[1]);
    if (!started) {
        close(request[1]);
        close(result[0]);
        g_autofree char *why =
            g_strdup_printf("cannot start the job: %s", error->message);
        nl_job_fail(j, NL_JOB_FAILED, why);
        return NULL;
    }
    NlJobChild *c = g_new0(NlJobChild, 1);
    c->job = j;
    c->t0 = t0;
    c->x.pid = pid;
    c->x.to_child = request[1];
    c->x.from_child = result[0];
    c->x.request = request_bytes(e, j);
    c->x.result = g_byte_array_new();
    exchange_attach(&c->x, ctx, e->req->job_seconds);
    return c;
}

gboolean nl_job_child_done(const NlJobChild *c)
{
    return exchange_done(&c->x);
}

void nl_job_child_finish(NlEngine *e, NlJobChild *c)
{
    NlJob *j = c->job;
    Exchange *x = &c->x;
    exchange_detach(x);
    g_spawn_close_pid(x->pid);
    g_bytes_unref(x->request);
    g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes(x->result);
    g_autoptr(GError) error = NULL;
    gboolean clean = !x->timed_out && !x->too_big && WIFEXITED(x->status) &&
                     WEXITSTATUS(x->status) == 0 && g_bytes_get_size(bytes);
    if (!clean) {
        g_autofree char *why = death_cause(e, x);
        nl_job_fail(j, NL_JOB_FAILED, why);
    } else if (!read_result(e, j, bytes, &error)) {
        g_autofree char *why =
            g_strdup_printf("job results unreadable: %s", error->message);
        nl_run_free(g_steal_pointer(&j->run));
        nl_job_fail(j, NL_JOB_FAILED, why);
    } else if (j->status == NL_JOB_OK) {
        nl_journal_record(e->journal, j, bytes);
    }
    j->isolation_seconds = MAX(0.0, nl_time_now() - c->t0 - j->seconds);
    g_free(c);
}

void nl_job_run_isolated(NlEngine *e, NlJob *j)
{
    g_autoptr(GMainContext) ctx = g_main_context_new();
    NlJobChild *c = nl_job_child_start(e, j, ctx);
    if (!c)
        return;
    while (!nl_job_child_done(c))
        g_main_context_iteration(ctx, TRUE);
    nl_job_child_finish(e, c);
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
    nl_engine_allow_peers(NULL, NULL);
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

/* All of stdin, at most NL_JOB_WIRE_MAX bytes; NULL with an error. */
static GBytes *read_request(GError **error)
{
    g_autoptr(GByteArray) all = g_byte_array_new();
    guint8 buf[65536];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                    "cannot read the request: %s", g_strerror(err));
            return NULL;
        }
        if (n == 0)
            break;
        if (all->len + (guint64)n > NL_JOB_WIRE_MAX) {
            nl_fail(error, NL_ERROR, NL_ERROR_JOB, "the request is too large");
            return NULL;
        }
        g_byte_array_append(all, buf, (guint)n);
    }
    return g_byte_array_free_to_bytes(g_steal_pointer(&all));
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

/* The modules, parameters and backend the key file names. */
static gboolean child_open(Child *c, GError **error)
{
    const char *g = "job";
    g_autofree char *exp_module =
        g_key_file_get_string(c->kf, g, "experiment_module", error);
    g_autofree char *exp_name =
        exp_module ? g_key_file_get_string(c->kf, g, "experiment", error)
                   : NULL;
    c->label =
        exp_name ? g_key_file_get_string(c->kf, g, "label", error) : NULL;
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
    if (c->phase != NL_PHASE_BACKEND)
        return TRUE;
    g_autofree char *plugin = g_key_file_get_string(c->kf, g, "backend", error);
    g_autofree char *module =
        plugin ? g_key_file_get_string(c->kf, g, "backend_module", error)
               : NULL;
    if (!module || !nl_registry_load(c->registry, module, error) ||
        !nl_self_check_adopt(c->kf, "self-check", plugin, c->label, TRUE,
                             error))
        return FALSE;
    c->backend = nl_backend_open_spec(c->registry, c->label, NULL, error);
    g_auto(GStrv) peers =
        g_key_file_get_string_list(c->kf, g, "peer_modules", NULL, NULL);
    nl_engine_allow_peers(c->registry, peers);
    return c->backend != NULL;
}

/* Everything the phase needs, from the request. */
static gboolean child_prepare(Child *c, GError **error)
{
    g_autoptr(GBytes) bytes = read_request(error);
    if (!bytes)
        return FALSE;
    g_autoptr(GVariant) v = g_variant_ref_sink(
        g_variant_new_from_bytes(G_VARIANT_TYPE(REQUEST_WIRE), bytes, FALSE));
    const char *magic;
    guint32 version;
    g_autoptr(GVariant) text = NULL, common = NULL, jobs = NULL;
    g_variant_get(v, "(&su@aym@" NL_RUN_WIRE "@a(s" NL_RUN_WIRE "))", &magic,
                  &version, &text, &common, &jobs);
    if (strcmp(magic, REQUEST_MAGIC) != 0 || version != WIRE_VERSION)
        return nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                       "the request is not a numlab job request of version %u",
                       WIRE_VERSION);
    c->kf = g_key_file_new();
    if (!g_key_file_load_from_data(c->kf, g_variant_get_bytestring(text), -1,
                                   G_KEY_FILE_NONE, error) ||
        !child_open(c, error))
        return FALSE;
    if (common && !(c->common = nl_run_from_variant(c->params, c->seed,
                                                    "common", common, error)))
        return FALSE;
    c->jobs = g_ptr_array_new_with_free_func((GDestroyNotify)nl_run_free);
    for (gsize i = 0; i < g_variant_n_children(jobs); i++) {
        const char *label;
        g_autoptr(GVariant) wire = NULL;
        g_variant_get_child(jobs, i, "(&s@" NL_RUN_WIRE ")", &label, &wire);
        NlRun *run =
            nl_run_from_variant(c->params, c->seed, label, wire, error);
        if (!run)
            return FALSE;
        g_ptr_array_add(c->jobs, run);
    }
    return TRUE;
}

/* Sends the result on RESULT_FD, all of it. */
static gboolean send_result(GVariant *v, GError **error)
{
    g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes(v);
    gsize len;
    const char *data = g_bytes_get_data(bytes, &len);
    for (gsize done = 0; done < len;) {
        ssize_t n = write(RESULT_FD, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = errno;
            return nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                           "cannot send the job's results: %s",
                           g_strerror(err));
        }
        done += (gsize)n;
    }
    return close(RESULT_FD) == 0 ||
           nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                   "cannot send the job's results: %s", g_strerror(errno));
}

/* This process's peak resident set since its exec (VmHWM): not
 * getrusage's ru_maxrss, which keeps the runner's, forked before the exec. */
static guint64 peak_rss(void)
{
    g_autofree char *status = NULL;
    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
        return 0;
    const char *hwm = strstr(status, "\nVmHWM:");
    return hwm ? g_ascii_strtoull(hwm + strlen("\nVmHWM:"), NULL, 10) * 1024
               : 0;
}

int nl_job_child_main(int argc, char **argv)
{
    (void)argv;
    if (argc != 2 || fcntl(RESULT_FD, F_GETFD) < 0 || isatty(STDIN_FILENO)) {
        g_printerr("numlab __job: runs one job of numlab run, which starts "
                   "it; not a command to call\n");
        return 2;
    }
    Child c = {0};
    g_autoptr(GError) error = NULL;
    g_autofree char *failure = NULL;
    double seconds = 0.0;
    g_autofree char *progress = NULL;
    NlRun *run = NULL;
    if (child_prepare(&c, &error)) {
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
    g_autofree char *fallback =
        c.backend ? nl_backend_fallbacks(c.backend) : NULL;
    guint64 peak = peak_rss();
    g_autoptr(GVariant) result = g_variant_ref_sink(
        g_variant_new("(subsdm&st@" NL_RUN_WIRE ")", RESULT_MAGIC, WIRE_VERSION,
                      failure == NULL, failure ? failure : "", seconds,
                      fallback, peak, wire));
    gboolean sent = send_result(result, &error);
    if (!sent)
        g_printerr("numlab: %s\n", error->message);
    nl_run_free(run);
    child_clear(&c);
    return sent ? 0 : 1;
}
