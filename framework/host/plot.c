/* plot.c — renders an experiment's figures with the external gnuplot.
 *
 * Each script EXP/NAME.gp of the first plot folder that has EXP's scripts
 * (paths.c: NUMLAB_PLOT_PATH, beside the module, built-in) reads the data
 * in OUTDIR/EXP/ and writes its image(s), only once the folder is one
 * complete result set (resultset.c). gnuplot writes into a private,
 * locked temporary folder beside the data; only when it exits cleanly are
 * the images renamed into place, so a failing script never leaves a
 * half-written image over a good one, and the next plot removes what a
 * killed one left. The data files are only read, and nothing in the data
 * folder is ever executed: gnuplot gets the backend labels (the dataset
 * order, from the manifest) as a quoted string on its command line, not by
 * loading the folder's backends.gp, which anyone who can write there could
 * have replaced with gnuplot commands. */
#include "config.h"

#include "host.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* NUMLAB_GNUPLOT names another gnuplot (a newer build, a wrapper). */
static gboolean find_gnuplot(char **path)
{
    const char *env = g_getenv("NUMLAB_GNUPLOT");
    *path = g_find_program_in_path(env && *env ? env : "gnuplot");
    if (!*path)
        g_printerr("numlab: gnuplot not found: install it (apt-get install "
                   "gnuplot-nox) and run numlab plot again; the data are "
                   "untouched\n");
    return *path != NULL;
}

/* gnuplot string literal in single quotes: no escapes exist in them. */
static gboolean gp_quotable(const char *s)
{
    return strchr(s, '\'') == NULL && strchr(s, '\n') == NULL;
}

/* What the scripts need of every figure of one experiment. */
typedef struct {
    const char *gnuplot, *common, *datadir, *lang;
    const char *backends; /* labels in dataset order, one space apart */
} Figures;

/* A label gnuplot's word() reads back as one word, quoted safely. */
static gboolean gp_word(const char *label)
{
    for (const char *c = label; *c; c++)
        if (g_ascii_isspace(*c) || g_ascii_iscntrl(*c) || *c == '\'' ||
            *c == '"')
            return FALSE;
    return *label != '\0';
}

/* The labels of the jobs whose datasets the .dat files hold, in dataset
 * order: the manifest's [job LABEL] groups with phase=backend and status
 * ok or fault (a job whose results are marked as backend faults wrote its
 * datasets like any other; nl_job_state), as the engine wrote them
 * (results.c, manifest.c). */
static char *manifest_backends(const char *manifest, const char *experiment)
{
    g_autoptr(GKeyFile) k = g_key_file_new();
    g_autoptr(GError) error = NULL;
    if (!g_key_file_load_from_file(k, manifest, G_KEY_FILE_NONE, &error)) {
        g_printerr("numlab: cannot plot %s: %s: %s\n", experiment, manifest,
                   error->message);
        return NULL;
    }
    g_auto(GStrv) groups = g_key_file_get_groups(k, NULL);
    g_autoptr(GString) labels = g_string_new(NULL);
    for (char **g = groups; *g; g++) {
        if (!g_str_has_prefix(*g, "job "))
            continue;
        g_autofree char *phase = g_key_file_get_string(k, *g, "phase", NULL);
        g_autofree char *status = g_key_file_get_string(k, *g, "status", NULL);
        if (g_strcmp0(phase, "backend") != 0 ||
            (g_strcmp0(status, "ok") != 0 && g_strcmp0(status, "fault") != 0))
            continue;
        const char *label = *g + strlen("job ");
        if (!gp_word(label)) {
            g_printerr("numlab: cannot plot %s: the backend label '%s' holds "
                       "a space or a quote, which the figures cannot show "
                       "as one name (run it again with another spec)\n",
                       experiment, label);
            return NULL;
        }
        g_string_append_printf(labels, "%s%s", labels->len ? " " : "", label);
    }
    return g_string_free(g_steal_pointer(&labels), FALSE);
}

/* Moves every file of tmp into dir, then removes tmp. */
static gboolean publish(const char *tmp, const char *dir, guint *n_images)
{
    gboolean ok = TRUE;
    g_autoptr(GDir) d = g_dir_open(tmp, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *from = g_build_filename(tmp, name, NULL);
        g_autofree char *to = g_build_filename(dir, name, NULL);
        if (g_rename(from, to) != 0) {
            g_printerr("numlab: cannot move %s to %s: %s\n", from, to,
                       g_strerror(errno));
            g_unlink(from);
            ok = FALSE;
        } else {
            (*n_images)++;
        }
    }
    g_rmdir(tmp);
    return ok;
}

/* gnuplot runs `script` with its images going into the folder tmpl, which
 * then moves them into the data folder, or removes them if it failed. */
static gboolean render_into(const Figures *f, const char *script,
                            const char *format, const char *tmpl,
                            guint *n_images)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *setup = g_strdup_printf(
        "datadir='%s'; outdir='%s'; fmt='%s'; lang='%s'; "
        "common='%s'; backends='%s'",
        f->datadir, tmpl, format, f->lang, f->common, f->backends);
    const char *argv[] = {f->gnuplot, "-e", setup, script, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int wait_status = 0;
    gboolean spawned =
        g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &wait_status, &error);
    if (!spawned || !g_spawn_check_wait_status(wait_status, NULL)) {
        /* Keep gnuplot's last line: it names the script line at fault. */
        g_autofree char *msg = g_strstrip(g_strdup(err ? err : ""));
        const char *last = strrchr(msg, '\n');
        g_printerr("numlab: %s (%s): gnuplot failed: %s\n", script, format,
                   !spawned ? error->message
                            : (last ? last + 1 : (*msg ? msg : "no message")));
        g_autoptr(GDir) d = g_dir_open(tmpl, 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *image = g_build_filename(tmpl, name, NULL);
            g_unlink(image);
        }
        g_rmdir(tmpl);
        return FALSE;
    }
    if (err && *err) /* warnings: show them, they are usually real */
        g_printerr("%s", err);
    return publish(tmpl, f->datadir, n_images);
}

static gboolean render(const Figures *f, const char *script, const char *format,
                       guint *n_images)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *tmpl = NULL;
    /* locked while gnuplot runs: a crash leaves it to the next plot */
    int lock = nl_temp_folder_new(f->datadir, ".plot-", &tmpl, &error);
    if (lock < 0) {
        g_printerr("numlab: cannot write images: %s\n", error->message);
        return FALSE;
    }
    gboolean ok = render_into(f, script, format, tmpl, n_images);
    close(lock);
    return ok;
}

/* "A/LEAF, B/LEAF, C/LEAF": where a plot file or folder was looked for. */
static char *searched(const char *module_path, const char *leaf)
{
    g_autoptr(GPtrArray) dirs = nl_host_plot_search(module_path);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < dirs->len; i++) {
        g_autofree char *d = g_build_filename(dirs->pdata[i], leaf, NULL);
        g_string_append_printf(s, "%s%s", i ? ", " : "", d);
    }
    return g_string_free(s, FALSE);
}

/* `all_mode`: plotting every experiment, where one without scripts (a
 * student's plugin) is passed over instead of being an error. */
static gboolean plot_one(const char *gnuplot, const NlPluginEntry *entry,
                         const char *outdir, char **formats, const char *lang,
                         gboolean all_mode)
{
    const char *experiment = entry->plugin->name;
    g_autofree char *scripts_dir =
        nl_host_plot_scripts(experiment, entry->path);
    g_autofree char *datadir = g_build_filename(outdir, experiment, NULL);
    g_autofree char *manifest = g_build_filename(datadir, "manifest.ini", NULL);
    if (all_mode && !scripts_dir)
        return TRUE;
    if (!g_file_test(manifest, G_FILE_TEST_EXISTS)) {
        g_printerr("numlab: no results for %s in %s (run 'numlab run %s -o %s' "
                   "first)\n",
                   experiment, datadir, experiment, outdir);
        return FALSE;
    }
    nl_temp_folders_clean(datadir, ".plot-"); /* a killed plot's */
    g_autoptr(GError) error = NULL;
    gboolean exists;
    if (!nl_result_set_check(datadir, &exists, &error)) {
        g_printerr("numlab: cannot plot %s: %s\n", experiment, error->message);
        return FALSE;
    }
    if (!scripts_dir) {
        g_autofree char *where = searched(entry->path, experiment);
        g_printerr("numlab: %s has no plot scripts (looked in %s)\n",
                   experiment, where);
        return FALSE;
    }
    g_autofree char *common = nl_host_plot_common(entry->path);
    if (!common) {
        g_autofree char *where = searched(entry->path, "common.gp");
        g_printerr("numlab: common.gp not found (looked for %s)\n", where);
        return FALSE;
    }
    g_autoptr(GPtrArray) scripts = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(scripts_dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, ".gp"))
            g_ptr_array_add(scripts, g_build_filename(scripts_dir, name, NULL));
    g_ptr_array_sort(scripts, nl_compare_strings);
    g_autofree char *abs_data = g_canonicalize_filename(datadir, NULL);
    if (!gp_quotable(abs_data) || !gp_quotable(scripts_dir) ||
        !gp_quotable(common)) {
        g_printerr("numlab: cannot plot into '%s': gnuplot paths may not "
                   "contain a single quote\n",
                   abs_data);
        return FALSE;
    }
    g_autofree char *backends = manifest_backends(manifest, experiment);
    if (!backends)
        return FALSE;
    const Figures figures = {.gnuplot = gnuplot,
                             .common = common,
                             .datadir = abs_data,
                             .lang = lang,
                             .backends = backends};
    gboolean ok = TRUE;
    guint n_images = 0;
    for (char **f = formats; *f; f++)
        for (guint i = 0; i < scripts->len; i++)
            ok &= render(&figures, scripts->pdata[i], *f, &n_images);
    printf("%s: %u images in %s\n", experiment, n_images, datadir);
    return ok;
}

gboolean nl_plot(NlRegistry *r, const char *experiment, const char *outdir,
                 const char *formats, const char *lang)
{
    g_auto(GStrv) fmts = g_strsplit(formats, ",", -1);
    static const char *const known[] = {"png", "svg", "pdf", NULL};
    for (char **f = fmts; *f; f++)
        if (!g_strv_contains(known, *f)) {
            g_printerr("numlab: unknown image format '%s' (known: png, svg, "
                       "pdf)\n",
                       *f);
            return FALSE;
        }
    if (strcmp(lang, "de") != 0 && strcmp(lang, "en") != 0) {
        g_printerr("numlab: unknown label language '%s' (known: de, en)\n",
                   lang);
        return FALSE;
    }
    g_autofree char *gnuplot = NULL;
    if (!find_gnuplot(&gnuplot))
        return FALSE;
    if (strcmp(experiment, "all") != 0) {
        const NlPluginEntry *e =
            nl_registry_find(r, NL_PLUGIN_EXPERIMENT, experiment);
        if (!e) {
            g_printerr("numlab: unknown experiment '%s'\n", experiment);
            return FALSE;
        }
        return plot_one(gnuplot, e, outdir, fmts, lang, FALSE);
    }
    gboolean ok = TRUE;
    g_autoptr(GPtrArray) list = nl_registry_list(r, NL_PLUGIN_EXPERIMENT);
    for (guint i = 0; i < list->len; i++)
        ok &= plot_one(gnuplot, list->pdata[i], outdir, fmts, lang, TRUE);
    return ok;
}
