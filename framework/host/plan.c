/* plan.c — the engine's first stage: the request checked and turned into
 * jobs, before anything is opened or computed.
 *
 * A problem found here concerns every job (an unknown experiment, a bad
 * parameter, an output folder that cannot be written): it is said in one
 * line and the run stops with no file touched. Backend names are not
 * checked here but when they are opened (open.c), so that one bad name
 * fails only its job. */
#include "config.h"

#include "engine.h"

#include <string.h>

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

static NlJob *find_backend_job(GPtrArray *jobs, const char *label)
{
    for (guint i = 0; i < jobs->len; i++) {
        NlJob *j = jobs->pdata[i];
        if (j->phase == NL_PHASE_BACKEND && strcmp(j->label, label) == 0)
            return j;
    }
    return NULL;
}

/* The label of a -b spec: its words without the blanks around them, so
 * "openmp: threads= 1" is the job "openmp:threads=1", the same job as the
 * spec written without blanks. */
static char *canonical_spec(const char *spec)
{
    g_auto(GStrv) words = g_strsplit(spec, ":", -1);
    for (char **w = words; *w; w++) {
        char *eq = strchr(*w, '=');
        if (!eq) {
            g_strstrip(*w);
            continue;
        }
        *eq = '\0';
        char *joined =
            g_strconcat(g_strstrip(*w), "=", g_strstrip(eq + 1), NULL);
        g_free(*w);
        *w = joined;
    }
    return g_strjoinv(":", words);
}

/* A label every file can name: a manifest group, a .dat comment, a
 * figure's legend word, an artifact's file name. */
static gboolean label_is_safe(const char *label)
{
    for (const char *c = label; *c; c++)
        if (g_ascii_isspace(*c) || g_ascii_iscntrl(*c) || strchr("'\"[]", *c))
            return FALSE;
    return TRUE;
}

/* A backend job for a spec that cannot be its label: failed from the
 * start, under the spec with each unsafe character made '_'. */
static NlJob *unsafe_job(const char *spec)
{
    g_autofree char *label = g_strdup(spec);
    for (char *c = label; *c; c++)
        if (!label_is_safe((char[]){*c, '\0'}))
            *c = '_';
    NlJob *j = nl_job_new(label, NL_PHASE_BACKEND);
    g_autofree char *shown = g_strescape(spec, NULL);
    g_autofree char *why = g_strdup_printf(
        "backend spec '%s' holds a space, a quote, a bracket or a control "
        "character, which its results could not be labelled with",
        shown);
    nl_job_fail(j, NL_JOB_FAILED, why);
    return j;
}

/* One job per backend spec, in the order given; "all" adds every backend
 * not listed yet but those flagged NL_PLUGIN_NOT_IN_ALL. A spec given twice is
 * one job ("-b naive,naive"), and a backend named explicitly is `requested`
 * even when "all" added it. */
static void plan_backend_jobs(NlRegistry *r, char **values, GPtrArray *jobs)
{
    g_autoptr(GPtrArray) specs = split_backend_specs(values);
    if (specs->len == 0)
        g_ptr_array_add(specs, g_strdup("all"));
    for (guint i = 0; i < specs->len; i++) {
        g_autofree char *spec = canonical_spec(specs->pdata[i]);
        if (!label_is_safe(spec)) {
            NlJob *j = unsafe_job(spec);
            j->requested = TRUE;
            g_ptr_array_add(jobs, j);
            continue;
        }
        if (strcmp(spec, "all") == 0) {
            g_autoptr(GPtrArray) list = nl_registry_list(r, NL_PLUGIN_BACKEND);
            for (guint b = 0; b < list->len; b++) {
                const NlPluginEntry *entry = list->pdata[b];
                if (NL_FIELD(entry->plugin, flags) & NL_PLUGIN_NOT_IN_ALL)
                    continue;
                if (!find_backend_job(jobs, entry->plugin->name))
                    g_ptr_array_add(jobs, nl_job_new(entry->plugin->name,
                                                     NL_PHASE_BACKEND));
            }
            continue;
        }
        NlJob *j = find_backend_job(jobs, spec);
        if (!j) {
            j = nl_job_new(spec, NL_PHASE_BACKEND);
            g_ptr_array_add(jobs, j);
        }
        j->requested = TRUE;
    }
}

/* The jobs in run order: the common phase, one per backend, compare; a
 * phase the experiment does not have gets no job. */
static GPtrArray *plan_jobs(const NlEngine *e)
{
    GPtrArray *jobs =
        g_ptr_array_new_with_free_func((GDestroyNotify)nl_job_free);
    if (nl_engine_hook(e, NL_PHASE_COMMON))
        g_ptr_array_add(jobs, nl_job_new("common", NL_PHASE_COMMON));
    if (nl_engine_hook(e, NL_PHASE_BACKEND))
        plan_backend_jobs(e->registry, e->req->backends, jobs);
    if (nl_engine_hook(e, NL_PHASE_COMPARE))
        g_ptr_array_add(jobs, nl_job_new("compare", NL_PHASE_COMPARE));
    return jobs;
}

/* An experiment without a backend phase runs no backend, but the -b it
 * was given (as in "run all -b ...") must still name backends that exist,
 * with options they take: a typo is said, not ignored. */
static gboolean check_unused_backends(NlRegistry *r, const char *experiment,
                                      char **values)
{
    g_autoptr(GPtrArray) specs = split_backend_specs(values);
    for (guint i = 0; i < specs->len; i++) {
        const char *spec = specs->pdata[i];
        if (strcmp(spec, "all") == 0)
            continue;
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) options =
            nl_backend_parse_spec(r, spec, NULL, &error);
        if (!options) {
            g_printerr("numlab: %s: %s: %s\n", experiment, spec,
                       error->message);
            return FALSE;
        }
    }
    return TRUE;
}

static const NlPlugin *find_experiment(NlRegistry *r, const char *name)
{
    const NlPluginEntry *entry =
        nl_registry_find(r, NL_PLUGIN_EXPERIMENT, name);
    if (entry)
        return entry->plugin;
    g_autofree char *known = nl_registry_names(r, NL_PLUGIN_EXPERIMENT);
    g_printerr("numlab: unknown experiment '%s' (known: %s)\n", name,
               *known ? known : "none");
    return NULL;
}

NlEngine *nl_engine_plan(NlRegistry *registry, const NlRunRequest *req)
{
    const NlPlugin *exp = find_experiment(registry, req->experiment);
    if (!exp)
        return NULL;
    g_autoptr(NlEngine) e = g_new0(NlEngine, 1);
    e->registry = registry;
    e->req = req;
    e->exp = exp;
    e->files = g_ptr_array_new_with_free_func(g_free);
    if (!nl_engine_hook(e, NL_PHASE_BACKEND) &&
        !check_unused_backends(registry, exp->name, req->backends))
        return NULL;
    g_autoptr(GError) error = NULL;
    e->params = nl_params_parse(exp->experiment->params, exp->name, req->params,
                                &error);
    e->dir = g_build_filename(req->outdir, exp->name, NULL);
    if (!e->params) {
        g_printerr("numlab: %s\n", error->message);
        return NULL;
    }
    e->jobs = plan_jobs(e);
    if (!nl_engine_budget(e))
        return NULL;
    if (!(e->set = nl_result_set_begin(req->outdir, exp->name, &error))) {
        g_printerr("numlab: %s\n", error->message);
        return NULL;
    }
    e->params_text = nl_params_to_string(e->params);
    if (req->job_runner) /* results that can be kept are a process's */
        e->journal = nl_journal_open(e, req->resume);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    e->date = g_date_time_format_iso8601(now);
    return g_steal_pointer(&e);
}
