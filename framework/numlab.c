/* numlab.c — the `numlab` command: list, help, run, plot, and the
 * commands defined in data (host/aliases.c: `numlab bench` is `numlab run
 * bench --print bench-results,bench-invariant`).
 *
 * Each subcommand has its own GOption context, so `numlab run --help`
 * shows only what `run` takes. All real work is in host/; this file turns
 * the command line into calls and exit statuses (0 only when everything
 * that was asked for succeeded). It knows no experiment's tables. */
#include "config.h"

#include "host/host.h"
#include "host/selfcheck-cases.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static char **plugin_dirs;         /* --plugin-dir after the command */
static char **leading_plugin_dirs; /* --plugin-dir before it */

static GOptionEntry common_entries[] = {
    {"plugin-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_dirs,
     "Also load plugins from DIR (searched first; repeatable)", "DIR"},
    G_OPTION_ENTRY_NULL};

/* The commands; an alias may not take their names. */
static const char *const commands[] = {"list", "help",   "run", "rerun",
                                       "plot", "report", NULL};

/* The command list of `numlab --help`: the commands, then the aliases. */
static char *usage_summary(GPtrArray *aliases)
{
    GString *s = g_string_new(
        "Commands:\n"
        "  list                 list the plugins found and whether backends "
        "are available\n"
        "  help PLUGIN          describe an experiment's parameters or a "
        "backend's options\n"
        "  run EXP|all          run an experiment on backends, write data to "
        "OUTDIR/EXP/\n"
        "  rerun DIR            repeat a result set from its manifest and "
        "compare\n"
        "  plot EXP|all         render figures from the data with gnuplot\n"
        "  report               write one HTML page of a results folder\n");
    for (guint i = 0; i < aliases->len; i++) {
        const NlAlias *a = aliases->pdata[i];
        g_string_append_printf(s, "  %-20s %s\n", a->name, a->summary);
    }
    g_string_append(s, "\nRun 'numlab COMMAND --help' for a command's options. "
                       "See numlab(1).");
    return g_string_free(s, FALSE);
}

/* Parses the options of one subcommand; prints the one-line error itself. */
static gboolean parse(const char *command, const char *params,
                      const char *summary, GOptionEntry *entries, int *argc,
                      char ***argv)
{
    /* argv[0] is the command already: the usage line reads "run [OPTION…]
     * EXP|all". */
    g_autoptr(GOptionContext) ctx = g_option_context_new(params);
    g_option_context_set_summary(ctx, summary);
    if (entries)
        g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_add_main_entries(ctx, common_entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &error)) {
        g_printerr("numlab %s: %s\n", command, error->message);
        return FALSE;
    }
    return TRUE;
}

/* A plugin folder is searched by absolute path only: a relative one would
 * load whatever modules lie in the folder numlab happens to run in. */
static gboolean absolute_folder(const char *where, const char *dir)
{
    if (g_path_is_absolute(dir))
        return TRUE;
    g_autofree char *abs = g_canonicalize_filename(dir, NULL);
    g_printerr("numlab: %s '%s' is a relative folder; give it as an "
               "absolute path (%s)\n",
               where, dir, abs);
    return FALSE;
}

/* NULL, said in one line, when a plugin folder is relative. */
static NlRegistry *load_registry(gboolean show_problems)
{
    g_auto(GStrv) dirs = g_strdupv(leading_plugin_dirs);
    for (char **d = plugin_dirs; d && *d; d++) {
        guint n = dirs ? g_strv_length(dirs) : 0;
        dirs = g_renew(char *, dirs, n + 2);
        dirs[n] = g_strdup(*d);
        dirs[n + 1] = NULL;
    }
    for (char **d = dirs; d && *d; d++)
        if (!absolute_folder("--plugin-dir", *d))
            return NULL;
    const char *env = g_getenv("NUMLAB_PLUGIN_PATH");
    g_auto(GStrv) env_dirs =
        g_strsplit(env ? env : "", G_SEARCHPATH_SEPARATOR_S, -1);
    for (char **d = env_dirs; *d; d++)
        if (**d && !absolute_folder("NUMLAB_PLUGIN_PATH", *d))
            return NULL;
    NlRegistry *r = nl_registry_default(dirs);
    if (show_problems)
        for (guint i = 0; i < r->problems->len; i++)
            g_printerr("numlab: warning: %s\n", (char *)r->problems->pdata[i]);
    return r;
}

/* ---- list ---- */

static int cmd_list(int argc, char **argv)
{
    if (!parse("list", "", "List every plugin numlab finds.", NULL, &argc,
               &argv))
        return 2;
    g_autoptr(NlRegistry) r = load_registry(TRUE);
    if (!r)
        return 2;
    g_autoptr(GPtrArray) backends = nl_registry_list(r, NL_PLUGIN_BACKEND);
    g_autoptr(GPtrArray) experiments =
        nl_registry_list(r, NL_PLUGIN_EXPERIMENT);
    g_autoptr(GPtrArray) plugins = g_ptr_array_new();
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (guint i = 0; i < backends->len; i++) {
        const NlPluginEntry *e = backends->pdata[i];
        g_ptr_array_add(plugins, (gpointer)e->plugin);
        g_ptr_array_add(names, (gpointer)e->plugin->name);
    }
    nl_self_check_trials((const NlPlugin *const *)plugins->pdata,
                         (const char *const *)names->pdata, plugins->len);
    printf("Backends:\n");
    gboolean checked_now = FALSE;
    for (guint i = 0; i < backends->len; i++) {
        const NlPluginEntry *e = backends->pdata[i];
        const NlBackendOps *ops = e->plugin->backend;
        g_autoptr(GError) error = NULL;
        g_autoptr(NlParams) opts =
            nl_params_parse(ops->options, e->plugin->name, NULL, &error);
        const NlSelfCheck *check = NULL;
        NlBackend *b = opts ? nl_backend_open_checked(e->plugin, NULL, opts,
                                                      &check, &error)
                            : NULL;
        g_autofree char *state = NULL;
        if (b) {
            const NlBackendInfo *info = nl_backend_info(b);
            char ms[G_ASCII_DTOSTR_BUF_SIZE];
            g_ascii_formatd(ms, sizeof ms, "%.1f", check->seconds * 1e3);
            checked_now |= !check->kept;
            g_autofree char *when =
                check->kept ? g_strdup_printf("kept from %s (%s ms then)",
                                              check->kept, ms)
                            : g_strdup_printf("in %s ms", ms);
            state = g_strdup_printf(
                "available (%s, %d thread%s)\n  %-12s %s\n  %-12s self-check "
                "%s: %s\n  %-12s precisions: %s",
                info->device, info->threads, info->threads == 1 ? "" : "s", "",
                info->library, "", when, check->summary, "",
                *check->summary_in ? check->summary_in : "none checked");
            nl_backend_close(b);
        } else {
            state = g_strdup_printf("unavailable: %s",
                                    error ? error->message : "open() failed");
        }
        printf("  %-12s %-8s %s\n  %-12s %s\n  %-12s %s\n", e->plugin->name,
               e->plugin->version, e->plugin->summary, "", state, "", e->path);
    }
    if (checked_now) { /* kept verdicts need no cases */
        const CheckCases *cases = nl_check_cases();
        char ms[G_ASCII_DTOSTR_BUF_SIZE];
        g_ascii_formatd(ms, sizeof ms, "%.1f", cases->seconds * 1e3);
        printf("  (self-check: %u cases, their exact values computed once "
               "per process in %s ms)\n",
               cases->cases->len, ms);
    }
    printf("Experiments:\n");
    for (guint i = 0; i < experiments->len; i++) {
        const NlPluginEntry *e = experiments->pdata[i];
        printf("  %-16s %-8s %s\n  %-16s %s\n", e->plugin->name,
               e->plugin->version, e->plugin->summary, "", e->path);
    }
    return 0;
}

/* ---- help ---- */

/* What the backend states per storage precision (describe()), when it
 * opens here with its default options. */
static void print_precisions(const NlPlugin *plugin)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlParams) opts =
        nl_params_parse(plugin->backend->options, plugin->name, NULL, &error);
    NlBackend *b =
        opts ? nl_backend_open_checked(plugin, NULL, opts, NULL, &error) : NULL;
    if (!b) {
        printf("\nPrecisions: not known here (%s)\n",
               error ? error->message : "open() failed");
        return;
    }
    printf("\nPrecisions (storage: how the _in kernels compute):\n");
    const NlBackendInfo *info = nl_backend_info(b);
    for (int p = 0; p < NL_N_PRECISIONS; p++)
        printf("  %-9s %s\n", nl_precision_name((NlPrecision)p),
               info->precisions[p] ? info->precisions[p]
                                   : "not stated: numlab's reference runs");
    nl_backend_close(b);
}

static void print_specs(const NlParamSpec *specs, const char *heading)
{
    if (!specs || !specs->name) {
        printf("%s: none\n", heading);
        return;
    }
    /* name, then type and range and default, then help:
     *   lr             double > 0; default 0.1
     *                  D1: the learning rate */
    int width = 14;
    for (const NlParamSpec *s = specs; s->name; s++)
        width = MAX(width, (int)strlen(s->name));
    printf("%s:\n", heading);
    for (const NlParamSpec *s = specs; s->name; s++) {
        g_autofree char *type = nl_param_describe(s);
        g_autofree char *dflt =
            s->default_value
                ? g_strdup_printf("default %s", *s->default_value
                                                    ? s->default_value
                                                    : "empty")
                : g_strdup("unset by default");
        printf("  %-*s %s; %s\n  %-*s %s\n", width, s->name, type, dflt, width,
               "", s->help ? s->help : "");
    }
}

static int cmd_help(int argc, char **argv)
{
    if (!parse("help", "PLUGIN", "Describe a plugin and its parameters.", NULL,
               &argc, &argv))
        return 2;
    if (argc != 2) {
        g_printerr("numlab help: name one experiment or backend (see numlab "
                   "list)\n");
        return 2;
    }
    g_autoptr(NlRegistry) r = load_registry(TRUE);
    if (!r)
        return 2;
    const NlPluginEntry *e = nl_registry_find(r, NL_PLUGIN_EXPERIMENT, argv[1]);
    if (e) {
        const NlExperimentOps *ops = e->plugin->experiment;
        printf("%s %s — %s\n\n", e->plugin->name, e->plugin->version,
               ops->title);
        printf("%s\n\n", ops->description);
        print_specs(ops->params, "Parameters (-p name=value)");
        printf("\nExample: numlab run %s -b naive -p ...=...\n",
               e->plugin->name);
        return 0;
    }
    e = nl_registry_find(r, NL_PLUGIN_BACKEND, argv[1]);
    if (e) {
        printf("%s %s — backend: %s\n\n", e->plugin->name, e->plugin->version,
               e->plugin->summary);
        print_specs(e->plugin->backend->options,
                    "Options (-b NAME:key=value:key=value)");
        print_precisions(e->plugin);
        return 0;
    }
    g_printerr("numlab help: no experiment or backend named '%s' (see numlab "
               "list)\n",
               argv[1]);
    return 1;
}

/* ---- run, and the aliases ---- */

/* What --print asked for, and which of those tables were written. */
typedef struct {
    char **patterns;
    GHashTable *seen; /* the names of every table written */
    gboolean printed; /* one of them matched */
} PrintTables;

/* One line per row of a table --print names: "backend=blas kernel=gemm
 * n=1024 ... ratio=0.982", for people and for grep. Numbers are printed
 * with 4 digits, integers whole, text with '_' for spaces; an empty text
 * cell is left out. */
static void print_key_values(const char *job, const NlTable *t, gpointer data)
{
    PrintTables *pt = data;
    (void)job;
    g_hash_table_add(pt->seen, g_strdup(nl_table_name(t)));
    if (!nl_table_name_matches(pt->patterns, nl_table_name(t)))
        return;
    pt->printed = TRUE;
    g_auto(GStrv) cols = g_strsplit(nl_table_columns_spec(t), " ", -1);
    for (guint r = 0; r < nl_table_n_rows(t); r++) {
        GString *line = g_string_new(NULL);
        for (guint c = 0; cols[c]; c++) {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];
            char *colon = strchr(cols[c], ':');
            const char *type = colon + 1, *text;
            if (strcmp(type, "f64") == 0 || strcmp(type, "f32") == 0)
                text = g_ascii_formatd(buf, sizeof buf, "%.4g",
                                       nl_table_get_f64(t, r, c));
            else if (strcmp(type, "str") == 0)
                text = nl_table_get_str(t, r, c);
            else
                text = g_ascii_formatd(buf, sizeof buf, "%.0f",
                                       nl_table_get_f64(t, r, c));
            if (!*text)
                continue;
            g_autofree char *value = g_strdup(text);
            g_strdelimit(value, " ", '_'); /* one field per key */
            g_string_append_printf(line, "%s%.*s=%s", line->len ? " " : "",
                                   (int)(colon - cols[c]), cols[c], value);
        }
        printf("%s\n", line->str);
        g_string_free(line, TRUE);
    }
    fflush(stdout);
}

/* "a,b" "c" -> {"a", "b", "c"}. */
static char **split_commas(char **args)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new();
    for (char **a = args; a && *a; a++) {
        g_auto(GStrv) words = g_strsplit(*a, ",", -1);
        for (char **w = words; *w; w++)
            if (**w)
                g_ptr_array_add(out, g_strdup(*w));
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

/* `numlab run EXP|all`, and `numlab ALIAS` = the alias's experiment with
 * its tables printed (`alias` set). */
/* -o "": a typo or an unset shell variable, not the current folder. */
static gboolean output_given(const char *command, const char *outdir)
{
    if (!outdir || *outdir)
        return TRUE;
    g_printerr("numlab %s: -o is empty (leave it out for 'results')\n",
               command);
    return FALSE;
}

/* -b "" or "-b ,": no backend named, which is not "every backend". */
static gboolean backends_given(const char *command, char **backends)
{
    for (char **b = backends; b && *b; b++)
        if (strspn(*b, " ,\t") == strlen(*b)) {
            g_printerr("numlab %s: -b '%s' names no backend (leave -b out "
                       "for every available one)\n",
                       command, *b);
            return FALSE;
        }
    return TRUE;
}

static int cmd_run(int argc, char **argv, const char *command_line,
                   const NlAlias *alias)
{
    const char *command = alias ? alias->name : "run";
    char **backends = NULL, **params = NULL, **print = NULL, **except = NULL;
    char *outdir = NULL;
    gint64 seed = 42;
    gboolean in_process = FALSE, resume = FALSE, force = FALSE;
    double job_seconds = 0.0;
    gint64 job_mib = 0, jobs = 0;
    GOptionEntry entries[] = {
        {"backend", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &backends,
         "Backends, comma-separated, with options as NAME:key=value; "
         "'all' (the default) is every available one",
         "LIST"},
        {"param", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &params,
         "Set a parameter (repeatable; see numlab help EXP)", "NAME=VALUE"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &outdir,
         "Results folder; data go to DIR/EXP/ (default: results)", "DIR"},
        {"seed", 0, 0, G_OPTION_ARG_INT64, &seed,
         "Seed of the random inputs (default 42)", "N"},
        {"print", 0, 0, G_OPTION_ARG_STRING_ARRAY, &print,
         alias ? "Print these tables' rows as key=value lines instead "
                 "(comma-separated names, * and ? match)"
               : "Also print these tables' rows as key=value lines on "
                 "stdout (comma-separated names, * and ? match)",
         "TABLES"},
        {"force", 0, 0, G_OPTION_ARG_NONE, &force,
         "Start a run that the experiment estimates to take more than ten "
         "minutes",
         NULL},
        {"resume", 0, 0, G_OPTION_ARG_NONE, &resume,
         "Reuse the jobs that an interrupted run of the same experiment, "
         "parameters and seed into the same folder finished; run the rest",
         NULL},
        {"in-process", 0, 0, G_OPTION_ARG_NONE, &in_process,
         "Run every job, and open and self-check every backend, in this "
         "process, not each in its own (for debugging: a crashing plugin "
         "then ends the whole run)",
         NULL},
        {"job-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &job_seconds,
         "Kill a job that runs longer than this, and fail it (default: no "
         "limit)",
         "SECONDS"},
        {"job-memory", 0, 0, G_OPTION_ARG_INT64, &job_mib,
         "Limit each job's memory to this many MiB (default: no limit)", "MIB"},
        {"jobs", 'j', 0, G_OPTION_ARG_INT64, &jobs,
         "Run up to N backend jobs at once, each in its own process "
         "(default: one per core; 1: one after another)",
         "N"},
        {"except", 0, alias ? G_OPTION_FLAG_HIDDEN : 0,
         G_OPTION_ARG_STRING_ARRAY, &except,
         "With all: leave out these experiments (comma-separated)", "LIST"},
        G_OPTION_ENTRY_NULL};
    if (!parse(command, alias ? "" : "EXP|all",
               alias ? alias->description
                     : "Run an experiment on backends with identical inputs.",
               entries, &argc, &argv))
        return 2;
    g_auto(GStrv) b = backends, p = params, pr = print, ex = except;
    g_autofree char *o = outdir;
    if (argc != (alias ? 1 : 2)) {
        if (alias)
            g_printerr("numlab %s: takes no arguments besides options\n",
                       command);
        else
            g_printerr("numlab run: name one experiment, or all (see numlab "
                       "list)\n");
        return 2;
    }
    if (seed < 0) {
        g_printerr("numlab %s: --seed must be 0 or more\n", command);
        return 2;
    }
    if (!(job_seconds >= 0.0 && job_seconds <= 1e7) || job_mib < 0 ||
        job_mib > (G_GINT64_CONSTANT(1) << 40)) {
        g_printerr("numlab %s: --job-timeout must be 0 to 1e7 seconds and "
                   "--job-memory 0 to 2^40 MiB\n",
                   command);
        return 2;
    }
    if (jobs < 0 || jobs > 4096) {
        g_printerr("numlab %s: --jobs must be 1 to 4096 (0: one per core)\n",
                   command);
        return 2;
    }
    if (in_process && (job_seconds > 0.0 || job_mib > 0 || resume)) {
        g_printerr("numlab %s: --job-timeout, --job-memory and --resume need "
                   "each job in its own process, not --in-process\n",
                   command);
        return 2;
    }
    if (!output_given(command, outdir) || !backends_given(command, backends))
        return 2;
    g_auto(GStrv) patterns =
        print ? split_commas(print) : g_strdupv(alias ? alias->print : NULL);
    g_autoptr(GHashTable) seen =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    PrintTables pt = {patterns, seen, FALSE};
    g_autoptr(NlRegistry) r = load_registry(TRUE);
    if (!r)
        return 2;
    if (in_process) /* a crash in a backend's self-check, too, ends it */
        nl_self_check_set_checker(NULL);
    NlRunRequest req = {
        .experiment = alias ? alias->experiment : argv[1],
        .backends = backends,
        .params = params,
        .outdir = outdir ? outdir : "results",
        .seed = (guint64)seed,
        .command_line = command_line,
        .on_table = patterns && *patterns ? print_key_values : NULL,
        .on_table_data = &pt,
        .job_runner = in_process ? NULL : nl_host_executable(),
        .job_seconds = job_seconds,
        .resume = resume,
        .force = force,
        .job_memory = (guint64)job_mib << 20,
        .jobs = (guint)jobs,
    };
    if (except && strcmp(req.experiment, "all") != 0) {
        g_printerr("numlab %s: --except leaves experiments out of all; it "
                   "needs all\n",
                   command);
        return 2;
    }
    if (strcmp(req.experiment, "all") != 0) {
        gboolean ok = nl_engine_run(r, &req);
        /* A --print that matched nothing is a typo, not a quiet success. */
        if (ok && print && patterns[0] && !pt.printed) {
            g_autofree char *want = g_strjoinv(",", patterns);
            GList *names = g_list_sort(g_hash_table_get_keys(seen),
                                       (GCompareFunc)g_strcmp0);
            GString *have = g_string_new(NULL);
            for (GList *n = names; n; n = n->next)
                g_string_append_printf(have, "%s%s", have->len ? ", " : "",
                                       (char *)n->data);
            g_list_free(names);
            g_printerr("numlab %s: --print: %s wrote no table matching '%s' "
                       "(its tables: %s)\n",
                       command, req.experiment, want, have->str);
            g_string_free(have, TRUE);
            return 1;
        }
        return ok ? 0 : 1;
    }
    if (params) {
        g_printerr("numlab run: -p needs one experiment, not all\n");
        return 2;
    }
    g_auto(GStrv) left_out = except ? split_commas(except) : NULL;
    for (char **e = left_out; e && *e; e++)
        if (!nl_registry_find(r, NL_PLUGIN_EXPERIMENT, *e)) {
            g_printerr("numlab run: --except: unknown experiment '%s' (see "
                       "numlab list)\n",
                       *e);
            return 2;
        }
    gboolean ok = TRUE;
    g_autoptr(GPtrArray) list = nl_registry_list(r, NL_PLUGIN_EXPERIMENT);
    for (guint i = 0; i < list->len; i++) {
        req.experiment = ((NlPluginEntry *)list->pdata[i])->plugin->name;
        if (left_out &&
            g_strv_contains((const char *const *)left_out, req.experiment))
            continue;
        ok &= nl_engine_run(r, &req);
    }
    return ok ? 0 : 1;
}

/* ---- rerun ---- */

static int cmd_rerun(int argc, char **argv, const char *command_line)
{
    char *outdir = NULL;
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &outdir,
         "Keep the repeat as DIR/EXP/ (default: a temporary folder, removed "
         "after the comparison)",
         "DIR"},
        G_OPTION_ENTRY_NULL};
    if (!parse("rerun", "RESULTS/EXP",
               "Repeat a result set with the experiment, parameters, "
               "backends and seed of its manifest, and compare the files. "
               "Exit status 0 when every file is identical.",
               entries, &argc, &argv))
        return 2;
    g_autofree char *o = outdir;
    if (argc != 2) {
        g_printerr("numlab rerun: name one result set, such as "
                   "results/associativity\n");
        return 2;
    }
    if (!output_given("rerun", outdir))
        return 2;
    g_autoptr(NlRegistry) r = load_registry(TRUE);
    if (!r)
        return 2;
    return nl_rerun(r, argv[1], outdir, command_line) ? 0 : 1;
}

/* ---- plot ---- */

static int cmd_plot(int argc, char **argv)
{
    char *outdir = NULL, *formats = NULL, *lang = NULL;
    gint jobs = G_MININT; /* not given: one per processor */
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &outdir,
         "Results folder holding EXP/ (default: results)", "DIR"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &formats,
         "Image formats, comma-separated: png, svg, pdf (default: png)",
         "LIST"},
        {"lang", 0, 0, G_OPTION_ARG_STRING, &lang,
         "Label language: de (the lecture's) or en (default: de)", "de|en"},
        {"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
         "Run up to N gnuplots at once (default: one per processor)", "N"},
        G_OPTION_ENTRY_NULL};
    if (!parse("plot", "EXP|all",
               "Render an experiment's figures from its data with gnuplot.",
               entries, &argc, &argv))
        return 2;
    g_autofree char *o = outdir, *f = formats, *l = lang;
    if (argc != 2) {
        g_printerr("numlab plot: name one experiment, or all\n");
        return 2;
    }
    if (jobs != G_MININT && (jobs < 1 || jobs > 1024)) {
        g_printerr("numlab plot: --jobs must be 1 to 1024\n");
        return 2;
    }
    if (!output_given("plot", outdir))
        return 2;
    g_autoptr(NlRegistry) r = load_registry(TRUE);
    if (!r)
        return 2;
    return nl_plot(r, argv[1], outdir ? outdir : "results",
                   formats ? formats : "png", lang ? lang : "de",
                   jobs == G_MININT ? 0 : (guint)jobs)
               ? 0
               : 1;
}

/* ---- report ---- */

static int cmd_report(int argc, char **argv)
{
    char *outdir = NULL, *lang = NULL;
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &outdir,
         "Results folder (default: results)", "DIR"},
        {"lang", 0, 0, G_OPTION_ARG_STRING, &lang,
         "Language of the page: de (the lecture's) or en (default: de)",
         "de|en"},
        G_OPTION_ENTRY_NULL};
    if (!parse("report", "",
               "Write one HTML page for a results folder: every result "
               "set's status and figures, and the lecture's values beside "
               "this run's (DIR/index.html, or index.en.html).",
               entries, &argc, &argv))
        return 2;
    g_autofree char *o = outdir, *l = lang;
    if (argc != 1) {
        g_printerr("numlab report: takes no arguments besides options\n");
        return 2;
    }
    if (!output_given("report", outdir))
        return 2;
    return nl_report(outdir ? outdir : "results", lang ? lang : "de", NULL) ? 0
                                                                            : 1;
}

/* OpenMP threads that wait at a barrier sleep at once instead of spinning
 * (libgomp spins for up to a few milliseconds by default). Where cores are
 * shared -- with another program, with OpenBLAS's threads, with MiniGPT's
 * host threads beside a backend's -- a spinning thread holds the core that
 * the thread it waits for needs: with one of two cores taken, the openmp
 * gemm at n = 256 fell to 0.02 of OpenBLAS spinning and stays at 0.8
 * passive (doc/performance.md, "Contention"). Set before any module loads
 * libgomp, which reads it once; the user's OMP_WAIT_POLICY or
 * GOMP_SPINCOUNT wins. Jobs and trials are numlab too and inherit it. */
static void default_wait_policy(void)
{
    if (!g_getenv("OMP_WAIT_POLICY") && !g_getenv("GOMP_SPINCOUNT"))
        g_setenv("OMP_WAIT_POLICY", "passive", TRUE);
    /* OpenBLAS's threads likewise, which spin for 2^28 cycles (about
     * 0.1 s) after each call: 2^4 instead. The bench's openmp gemm beside
     * cblas_sgemm went from 0.47-1.3 over three runs to 0.79-0.84 (n =
     * 256) and 0.94-0.96 (1024). OpenBLAS reads it once, when loaded. */
    if (!g_getenv("OPENBLAS_THREAD_TIMEOUT") &&
        !g_getenv("GOTO_THREAD_TIMEOUT"))
        g_setenv("OPENBLAS_THREAD_TIMEOUT", "4", TRUE);
}

int main(int argc, char **argv)
{
    /* Messages may be localized; numbers never are (see table.c). */
    setlocale(LC_ALL, "");
    default_wait_policy();
    /* A job of a run, started by the run itself (isolate.c). */
    if (argc >= 2 && strcmp(argv[1], "__job") == 0)
        return nl_job_child_main(argc, argv);
    /* Trying modules for the runner (scan.c). */
    if (argc >= 2 && strcmp(argv[1], "__scan") == 0)
        return nl_registry_scanner_main(argc, argv);
    /* Trying a backend for the runner (selfcheck-child.c). */
    if (argc >= 2 && strcmp(argv[1], "__check") == 0)
        return nl_self_check_child_main(argc, argv);
    nl_registry_set_scanner(nl_host_executable());
    nl_self_check_set_checker(nl_host_executable());
    g_autofree char *command_line = g_strjoinv(" ", argv);

    /* --plugin-dir may also stand before the command. */
    g_autoptr(GPtrArray) leading_dirs = g_ptr_array_new_with_free_func(g_free);
    while (argc >= 2 && g_str_has_prefix(argv[1], "--plugin-dir")) {
        const char *value = NULL;
        int used = 1;
        if (g_str_has_prefix(argv[1], "--plugin-dir="))
            value = argv[1] + strlen("--plugin-dir=");
        else if (strcmp(argv[1], "--plugin-dir") == 0 && argc >= 3)
            value = argv[2], used = 2;
        else
            break;
        g_ptr_array_add(leading_dirs, g_strdup(value));
        argc -= used;
        memmove(argv + 1, argv + 1 + used, (argc) * sizeof *argv);
    }
    if (leading_dirs->len) {
        g_ptr_array_add(leading_dirs, NULL);
        leading_plugin_dirs = (char **)g_ptr_array_steal(leading_dirs, NULL);
    }

    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("numlab %s (plugin ABI %d)\n", PACKAGE_VERSION, NL_ABI_VERSION);
        return 0;
    }
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) aliases = nl_aliases_load(commands, problems);
    for (guint i = 0; i < problems->len; i++)
        g_printerr("numlab: warning: %s\n", (char *)problems->pdata[i]);
    g_autofree char *summary = usage_summary(aliases);
    if (argc < 2) {
        g_printerr("numlab: no command given; see 'numlab --help'\n");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("Usage: numlab COMMAND [OPTIONS]\n\n%s\n", summary);
        printf("\nOptions:\n  --version            print the version\n"
               "  -h, --help           show this help\n");
        return 0;
    }
    if (argv[1][0] == '-') {
        g_printerr("numlab: unknown option '%s'; see 'numlab --help'\n",
                   argv[1]);
        return 2;
    }
    /* argv[1] is the command; hand the rest to its parser with the command
     * name standing in for the program name. */
    const char *command = argv[1];
    argc--;
    argv++;
    if (strcmp(command, "list") == 0)
        return cmd_list(argc, argv);
    if (strcmp(command, "help") == 0)
        return cmd_help(argc, argv);
    if (strcmp(command, "run") == 0)
        return cmd_run(argc, argv, command_line, NULL);
    if (strcmp(command, "rerun") == 0)
        return cmd_rerun(argc, argv, command_line);
    if (strcmp(command, "plot") == 0)
        return cmd_plot(argc, argv);
    if (strcmp(command, "report") == 0)
        return cmd_report(argc, argv);
    const NlAlias *alias = nl_aliases_find(aliases, command);
    if (alias)
        return cmd_run(argc, argv, command_line, alias);
    g_printerr("numlab: unknown command '%s'; see 'numlab --help'\n", command);
    return 2;
}
