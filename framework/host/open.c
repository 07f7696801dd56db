/* open.c — the engine's second stage: every backend job's backend opened
 * and self-checked (selfcheck.c) before any phase runs, so that a bad
 * name or option is reported before anything is computed.
 *
 * A backend that does not open fails its job; one that is unavailable (no
 * device) is skipped instead when the user did not name it.
 *
 * A phase may also open a peer, a backend beside its job's (nl_run_peer),
 * the same way; in a job's own process the peer's module is loaded only
 * then, from the paths the runner sent along. */
#include "config.h"

#include "engine.h"

#include <string.h>

/* Opens the backend of a job; on failure sets the job's status. */
static void open_backend(NlRegistry *r, NlJob *j)
{
    g_autoptr(GError) error = NULL;
    j->backend = nl_backend_open_spec(r, j->label, &j->check, &error);
    if (!j->backend) {
        gboolean unavailable = g_error_matches(error, NL_BACKEND_ERROR,
                                               NL_BACKEND_ERROR_UNAVAILABLE);
        g_autofree char *why = g_strdup_printf(
            "%s%s", unavailable ? "unavailable: " : "", error->message);
        nl_job_fail(
            j, unavailable && !j->requested ? NL_JOB_SKIPPED : NL_JOB_FAILED,
            why);
        return;
    }
    nl_self_check_print_once(j->check);
}

/* The backend job, when the run has exactly one. */
static const NlJob *sole_backend_job(const NlEngine *e)
{
    const NlJob *found = NULL;
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        if (j->phase != NL_PHASE_BACKEND)
            continue;
        if (found)
            return NULL;
        found = j;
    }
    return found;
}

/* The trials of every backend job, side by side, before the jobs open
 * one after the other (selfcheck-child.c); a spec that does not parse is
 * left to its open, which says why. */
static void try_backends(NlEngine *e)
{
    g_autoptr(GPtrArray) plugins = g_ptr_array_new();
    g_autoptr(GPtrArray) labels = g_ptr_array_new();
    for (guint i = 0; i < e->jobs->len; i++) {
        const NlJob *j = e->jobs->pdata[i];
        const NlPluginEntry *entry = NULL;
        if (j->phase != NL_PHASE_BACKEND || j->status != NL_JOB_PENDING)
            continue;
        g_autoptr(NlParams) options =
            nl_backend_parse_spec(e->registry, j->label, &entry, NULL);
        if (!options)
            continue;
        g_ptr_array_add(plugins, (gpointer)entry->plugin);
        g_ptr_array_add(labels, j->label);
    }
    nl_self_check_trials((const NlPlugin *const *)plugins->pdata,
                         (const char *const *)labels->pdata, plugins->len);
}

gboolean nl_engine_open(NlEngine *e)
{
    guint n_usable = 0;
    try_backends(e);
    for (guint i = 0; i < e->jobs->len; i++) {
        NlJob *j = e->jobs->pdata[i];
        if (j->phase != NL_PHASE_BACKEND)
            continue;
        if (j->status == NL_JOB_PENDING) /* not failed at plan time */
            open_backend(e->registry, j);
        n_usable += j->status == NL_JOB_PENDING;
    }
    if (nl_engine_hook(e, NL_PHASE_BACKEND) && n_usable == 0) {
        const NlJob *only = sole_backend_job(e);
        if (only) { /* one problem, one line */
            g_printerr("numlab: %s: %s: %s; nothing was run and no file was "
                       "written\n",
                       e->exp->name, only->label, only->reason);
            return FALSE;
        }
        nl_engine_report(e, NULL);
        g_printerr("numlab: %s: no backend could be opened; nothing was run "
                   "and no file was written\n",
                   e->exp->name);
        return FALSE;
    }
    return TRUE;
}

/* ---- peers: nl_run_peer ---- */

typedef struct {
    NlRegistry *registry;
    char **modules; /* "NAME=PATH" of backends not yet loaded, or NULL */
} PeerSource;

static PeerSource peer_source;

static NlBackend *open_peer(const char *spec, gpointer data, GError **error)
{
    PeerSource *src = data;
    g_autofree char *name = g_strndup(spec, strcspn(spec, ":"));
    if (!nl_registry_find(src->registry, NL_PLUGIN_BACKEND, name) &&
        src->modules) {
        g_autoptr(GString) known = g_string_new(NULL);
        for (char **m = src->modules; *m; m++) {
            gsize len = strcspn(*m, "=");
            if (len == strlen(name) && strncmp(*m, name, len) == 0) {
                if (!nl_registry_load(src->registry, *m + len + 1, error))
                    return NULL;
                g_string_truncate(known, 0);
                break;
            }
            g_string_append_printf(known, "%s%.*s", known->len ? ", " : "",
                                   (int)len, *m);
        }
        if (known->len) { /* not among them */
            nl_fail(error, NL_ERROR, NL_ERROR_PLUGIN,
                    "unknown backend '%s' (known: %s)", name, known->str);
            return NULL;
        }
    }
    const NlSelfCheck *check = NULL;
    NlBackend *b = nl_backend_open_spec(src->registry, spec, &check, error);
    if (b)
        nl_self_check_print_once(check);
    return b;
}

void nl_engine_allow_peers(NlRegistry *registry, char **modules)
{
    g_strfreev(peer_source.modules);
    peer_source.registry = registry;
    peer_source.modules = g_strdupv(modules);
    nl_run_set_peer_opener(registry ? open_peer : NULL, &peer_source);
}

char **nl_engine_backend_modules(NlRegistry *registry)
{
    g_autoptr(GPtrArray) list = nl_registry_list(registry, NL_PLUGIN_BACKEND);
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; i < list->len; i++) {
        const NlPluginEntry *e = list->pdata[i];
        g_ptr_array_add(out,
                        g_strdup_printf("%s=%s", e->plugin->name, e->path));
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}
