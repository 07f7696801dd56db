/* plot.c — renders an experiment's figures with the external gnuplot.
 *
 * Each script EXP/NAME.gp of the first plot folder that has EXP's scripts
 * (paths.c: NUMLAB_PLOT_PATH, beside the module, built-in) reads the data
 * in OUTDIR/EXP/ and writes its image(s), only once the folder is one
 * complete result set (resultset.c). Each render writes into a private,
 * locked temporary folder beside the data; only when gnuplot says the
 * script ran without an error are the images renamed into place, so a
 * failing script never leaves a half-written image over a good one, and
 * the next plot removes what a killed one left. Several gnuplots run at
 * once (--jobs), each drawing one render after another; what they print
 * comes in the order of one after another. The data files are only read,
 * and nothing in the data folder is ever executed: gnuplot gets the
 * backend labels (the dataset order, from the manifest) as a quoted
 * string in its commands, not by loading the folder's backends.gp, which
 * anyone who can write there could have replaced with gnuplot commands. */
#include "config.h"

#include "host.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
static char *manifest_backends(const char *manifest, const char *experiment,
                               GError **error)
{
    g_autoptr(GKeyFile) k = g_key_file_new();
    g_autoptr(GError) e = NULL;
    if (!g_key_file_load_from_file(k, manifest, G_KEY_FILE_NONE, &e)) {
        g_set_error(error, NL_ERROR, NL_ERROR_OUTPUT, "cannot plot %s: %s: %s",
                    experiment, manifest, e->message);
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
            g_set_error(error, NL_ERROR, NL_ERROR_OUTPUT,
                        "cannot plot %s: the backend label '%s' holds a "
                        "space or a quote, which the figures cannot show as "
                        "one name (run it again with another spec)",
                        experiment, label);
            return NULL;
        }
        g_string_append_printf(labels, "%s%s", labels->len ? " " : "", label);
    }
    return g_string_free(g_steal_pointer(&labels), FALSE);
}

/* ---- renders: several gnuplots at once, each drawing one after another ----
 *
 * Each (experiment, format, script) is one render, queued in the order in
 * which one gnuplot after another would draw them. Up to `jobs` gnuplots
 * run at once, on a main context of numlab's own. Each stays up and draws
 * render after render, fed on its stdin: `reset session` and `reset
 * errors` (a clean state: settings, variables, functions), the render's
 * variables, `load` of its script, the output closed, and a marker line
 * with GPVAL_ERRNO on its stderr. gnuplot reading a pipe goes on after an
 * error, so the marker always comes: 0 means the images are whole, and
 * anything else fails the render with gnuplot's last line before it,
 * which names the script line at fault. A gnuplot whose render failed is
 * killed and the next render gets a fresh one, so no state of a broken
 * script reaches another; one that exits by itself ends its render by its
 * exit status, as a gnuplot per script did. What `reset session` leaves
 * was checked image by image against a gnuplot per render: a multiplot
 * title's settings (cleared after each render), and what the svg
 * terminal writes depends on what the process drew before, so an svg
 * render gets a gnuplot of its own. png and pdf renders, three quarters
 * of the main job's, share theirs: starting gnuplot and its
 * cairo fonts once instead of once per render saves a quarter of the
 * plots' CPU time (doc/performance-history.md).
 *
 * What a render has to say and an experiment's summary line are kept
 * until everything queued before them is finished, then printed in queue
 * order: the output is the same whatever the number of jobs and whichever
 * gnuplot ends first. */

#define RENDER_END "numlab-render-end"
/* What `reset session` leaves behind: a multiplot title's offset, font
 * and colour carry over into the next multiplot title that names none.
 * Cleared after each render, on the text terminal into /dev/null (a
 * blank page of the render's own terminal would cost a PNG encoding). */
#define MULTIPLOT_RESET                                                        \
    "set terminal push; set terminal dumb; set output '/dev/null'; "           \
    "set multiplot title '' offset 0,0 font '' textcolor default; "            \
    "unset multiplot; set output; set terminal pop\n"

typedef struct Plot Plot;

/* One experiment: what its scripts need, and what its renders came to. */
typedef struct {
    char *name, *datadir; /* datadir as the user gave it, for the summary */
    char *abs_data, *common, *backends;
    GPtrArray *scripts;
    char *refusal; /* why nothing is rendered, the line to print; or NULL */
    GPtrArray *renders;
    guint n_images, printed;
    gboolean ok;
} Experiment;

/* One render: `script` drawing its images in `format`. */
typedef struct {
    Plot *plot;
    Experiment *exp;
    const char *script, *format;
    char *tmpl; /* its private folder, locked by `lock` while it runs */
    int lock;
    GString *says; /* what to print for it, once it is its turn */
    gboolean done;
} Render;

/* One gnuplot process and the render it draws. */
typedef struct {
    Plot *plot;
    GPid pid;          /* 0: none */
    int in_fd;         /* its stdin: the commands; -1 once closed */
    int err_fd;        /* its stderr, read as it comes; -1 at its end */
    GString *err;      /* what it printed since its render began */
    Render *render;    /* NULL: idle */
    gboolean retiring; /* no new render: it is on its way out */
    gboolean exited;
    int wait_status;
} Gnuplot;

struct Plot {
    const char *gnuplot, *lang;
    GMainContext *context;
    GPtrArray *experiments; /* in the order of their summary lines */
    GPtrArray *queue;       /* every render, in the order they print */
    Gnuplot *slots;         /* `jobs` of them */
    guint started, jobs, printed;
};

static void experiment_free(Experiment *e)
{
    g_free(e->name);
    g_free(e->datadir);
    g_free(e->abs_data);
    g_free(e->common);
    g_free(e->backends);
    g_free(e->refusal);
    g_clear_pointer(&e->scripts, g_ptr_array_unref);
    g_ptr_array_unref(e->renders);
    g_free(e);
}

static void render_free(Render *r)
{
    g_free(r->tmpl);
    g_string_free(r->says, TRUE);
    g_free(r);
}

/* Moves every file of the render's folder into the data folder, then
 * removes the folder. */
static void publish(Render *r)
{
    g_autoptr(GDir) d = g_dir_open(r->tmpl, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *from = g_build_filename(r->tmpl, name, NULL);
        g_autofree char *to = g_build_filename(r->exp->abs_data, name, NULL);
        if (g_rename(from, to) != 0) {
            g_string_append_printf(r->says,
                                   "numlab: cannot move %s to %s: %s\n", from,
                                   to, g_strerror(errno));
            g_unlink(from);
            r->exp->ok = FALSE;
        } else {
            r->exp->n_images++;
        }
    }
    g_rmdir(r->tmpl);
}

/* The render failed: one line naming the script and the format, and
 * whatever gnuplot had drawn removed. */
static void render_failed(Render *r, const char *why)
{
    g_string_append_printf(r->says, "numlab: %s (%s): gnuplot failed: %s\n",
                           r->script, r->format, why);
    g_autoptr(GDir) d = g_dir_open(r->tmpl, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *image = g_build_filename(r->tmpl, name, NULL);
        g_unlink(image);
    }
    g_rmdir(r->tmpl);
    r->exp->ok = FALSE;
}

static void render_done(Render *r)
{
    if (r->lock >= 0)
        close(r->lock);
    r->lock = -1;
    r->done = TRUE;
}

/* The slot's render is over: its images go into the data folder if `ok`
 * (what gnuplot printed shown: warnings are usually real), and nowhere if
 * not (gnuplot's last line says why). */
static void finish_render(Gnuplot *g, gboolean ok, const char *said)
{
    Render *r = g->render;
    g->render = NULL;
    if (ok) {
        g_string_append(r->says, said);
        publish(r);
    } else {
        g_autofree char *msg = g_strstrip(g_strdup(said));
        const char *last = strrchr(msg, '\n');
        render_failed(r, last ? last + 1 : (*msg ? msg : "no message"));
    }
    render_done(r);
}

/* The process has exited and its stderr ended: a render it was drawing
 * ends by its exit status; the slot is free for a fresh gnuplot. */
static void gnuplot_gone(Gnuplot *g)
{
    if (g->render)
        finish_render(g, g_spawn_check_wait_status(g->wait_status, NULL),
                      g->err->str);
    if (g->in_fd >= 0)
        close(g->in_fd);
    g->in_fd = -1;
    g->pid = 0;
    g->retiring = g->exited = FALSE;
    g_string_truncate(g->err, 0);
}

static void on_gnuplot_exit(GPid pid, int wait_status, gpointer data)
{
    Gnuplot *g = data;
    g_spawn_close_pid(pid);
    g->wait_status = wait_status;
    g->exited = TRUE;
    if (g->err_fd < 0)
        gnuplot_gone(g);
}

/* Lets the slot's gnuplot go: its stdin closed, it exits. */
static void gnuplot_retire(Gnuplot *g)
{
    close(g->in_fd);
    g->in_fd = -1;
    g->retiring = TRUE;
}

/* The marker line that ends the current render, if it has come: what was
 * printed before it goes to *said, and its GPVAL_ERRNO to *errno_out. */
static gboolean find_render_end(GString *err, char **said, int *errno_out)
{
    const char *at = err->str;
    for (;;) {
        const char *m = strstr(at, RENDER_END " ");
        if (!m)
            return FALSE;
        const char *eol = strchr(m, '\n');
        if (!eol)
            return FALSE; /* the rest of the line is still to come */
        if (m == err->str || m[-1] == '\n') {
            *errno_out = atoi(m + strlen(RENDER_END " "));
            *said = g_strndup(err->str, (gsize)(m - err->str));
            g_string_erase(err, 0, (gssize)(eol + 1 - err->str));
            return TRUE;
        }
        at = eol + 1;
    }
}

static gboolean on_stderr(int fd, G_GNUC_UNUSED GIOCondition condition,
                          gpointer data)
{
    Gnuplot *g = data;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
        g_string_append_len(g->err, buf, n);
        g_autofree char *said = NULL;
        int gp_errno;
        if (g->render && find_render_end(g->err, &said, &gp_errno)) {
            gboolean svg = strcmp(g->render->format, "svg") == 0;
            finish_render(g, gp_errno == 0, said);
            if (gp_errno != 0) { /* nothing of a broken script lives on */
                kill(g->pid, SIGKILL);
                g->retiring = TRUE;
            } else if (svg) {
                gnuplot_retire(g);
            }
        }
        return G_SOURCE_CONTINUE;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return G_SOURCE_CONTINUE;
    close(fd); /* end of file */
    g->err_fd = -1;
    if (g->exited)
        gnuplot_gone(g);
    return G_SOURCE_REMOVE;
}

/* In gnuplot's process before the exec: it dies with numlab, so a killed
 * plot leaves no gnuplot writing into a folder that the next plot
 * removes. */
static void die_with_numlab(G_GNUC_UNUSED gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts a gnuplot in the slot, reading its commands from a pipe. */
static gboolean gnuplot_start(Gnuplot *g, GError **error)
{
    Plot *p = g->plot;
    const char *argv[] = {p->gnuplot, NULL};
    if (!g_spawn_async_with_pipes(
            NULL, (char **)argv, NULL,
            G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
            die_with_numlab, NULL, &g->pid, &g->in_fd, NULL, &g->err_fd, error))
        return FALSE;
    GSource *watch = g_child_watch_source_new(g->pid);
    g_source_set_callback(watch, G_SOURCE_FUNC(on_gnuplot_exit), g, NULL);
    g_source_attach(watch, p->context);
    g_source_unref(watch);
    GSource *err = g_unix_fd_source_new(g->err_fd, G_IO_IN | G_IO_HUP);
    g_source_set_callback(err, G_SOURCE_FUNC(on_stderr), g, NULL);
    g_source_attach(err, p->context);
    g_source_unref(err);
    return TRUE;
}

/* Writes all of text to fd; FALSE when the reader is gone. */
static gboolean write_all(int fd, const char *text)
{
    for (gsize len = strlen(text); len > 0;) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        text += n;
        len -= (gsize)n;
    }
    return TRUE;
}

/* Gives the render to the slot's gnuplot (started if there is none), its
 * images going into a private folder, locked while it runs: a crash
 * leaves the folder to the next plot. */
static void render_start(Gnuplot *g, Render *r)
{
    Plot *p = r->plot;
    const Experiment *e = r->exp;
    g_autoptr(GError) error = NULL;
    r->lock = nl_temp_folder_new(e->abs_data, ".plot-", &r->tmpl, &error);
    if (r->lock < 0) {
        g_string_append_printf(r->says, "numlab: cannot write images: %s\n",
                               error->message);
        r->exp->ok = FALSE;
        r->done = TRUE;
        return;
    }
    if (g->pid == 0 && !gnuplot_start(g, &error)) {
        render_failed(r, error->message);
        render_done(r);
        return;
    }
    g_autofree char *commands = g_strdup_printf(
        "reset session\nreset errors\n"
        "datadir='%s'; outdir='%s'; fmt='%s'; lang='%s'; "
        "common='%s'; backends='%s'\n"
        "load '%s'\n"
        "unset multiplot; set output; set print\n"
        "print sprintf('" RENDER_END " %%d', GPVAL_ERRNO)\n" MULTIPLOT_RESET,
        e->abs_data, r->tmpl, r->format, p->lang, e->common, e->backends,
        r->script);
    g_string_truncate(g->err, 0);
    g->render = r;
    if (!write_all(g->in_fd, commands)) { /* it died: its exit ends it */
        kill(g->pid, SIGKILL);
        g->retiring = TRUE;
    }
}

static guint busy_slots(const Plot *p)
{
    guint n = 0;
    for (guint i = 0; i < p->jobs; i++)
        n += p->slots[i].render != NULL;
    return n;
}

/* Prints what is finished and has nothing unprinted queued before it. */
static void print_finished(Plot *p)
{
    for (; p->printed < p->experiments->len; p->printed++) {
        Experiment *e = p->experiments->pdata[p->printed];
        for (; e->printed < e->renders->len; e->printed++) {
            const Render *r = e->renders->pdata[e->printed];
            if (!r->done)
                return;
            if (r->says->len)
                g_printerr("%s", r->says->str);
        }
        if (e->refusal)
            g_printerr("%s", e->refusal);
        else
            printf("%s: %u %s in %s\n", e->name, e->n_images,
                   e->n_images == 1 ? "image" : "images", e->datadir);
    }
}

/* Runs every queued render, `jobs` at a time, then lets the gnuplots go
 * (their stdin closed, they exit) and waits for them. */
static void run_renders(Plot *p)
{
    for (;;) {
        for (guint i = 0; i < p->jobs && p->started < p->queue->len; i++) {
            Gnuplot *g = &p->slots[i];
            /* a gnuplot on its way out is gone before its slot draws */
            if (g->render || g->retiring)
                continue;
            Render *next = p->queue->pdata[p->started];
            if (g->pid != 0 && strcmp(next->format, "svg") == 0) {
                gnuplot_retire(g); /* svg: in a gnuplot of its own */
                continue;
            }
            render_start(g, next);
            p->started++;
        }
        print_finished(p);
        gboolean waiting = busy_slots(p) > 0;
        for (guint i = 0; !waiting && i < p->jobs; i++)
            waiting = p->slots[i].retiring;
        if (!waiting && p->started == p->queue->len)
            break;
        if (waiting)
            g_main_context_iteration(p->context, TRUE);
    }
    for (guint i = 0; i < p->jobs; i++) {
        Gnuplot *g = &p->slots[i];
        if (g->in_fd >= 0)
            close(g->in_fd);
        g->in_fd = -1;
    }
    for (guint i = 0; i < p->jobs; i++)
        while (p->slots[i].pid != 0)
            g_main_context_iteration(p->context, TRUE);
    print_finished(p);
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

/* Checks e's results and scripts (in scripts_dir), removes what a killed
 * plot left in its data folder, and queues its renders. */
static gboolean queue_renders(Plot *p, Experiment *e,
                              const NlPluginEntry *entry,
                              const char *scripts_dir, const char *outdir,
                              char **formats, GError **error)
{
    g_autofree char *manifest =
        g_build_filename(e->datadir, "manifest.ini", NULL);
    if (!g_file_test(manifest, G_FILE_TEST_EXISTS))
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "no results for %s in %s (run 'numlab run %s -o %s' "
                       "first)",
                       e->name, e->datadir, e->name, outdir);
    nl_temp_folders_clean(e->datadir, ".plot-"); /* a killed plot's */
    gboolean exists;
    if (!nl_result_set_check(e->datadir, &exists, error)) {
        g_prefix_error(error, "cannot plot %s: ", e->name);
        return FALSE;
    }
    if (!scripts_dir) {
        g_autofree char *where = searched(entry->path, e->name);
        return nl_fail(error, NL_ERROR, NL_ERROR_TOOL,
                       "%s has no plot scripts (looked in %s)", e->name, where);
    }
    e->common = nl_host_plot_common(entry->path);
    if (!e->common) {
        g_autofree char *where = searched(entry->path, "common.gp");
        return nl_fail(error, NL_ERROR, NL_ERROR_TOOL,
                       "common.gp not found (looked for %s)", where);
    }
    e->scripts = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(scripts_dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, ".gp"))
            g_ptr_array_add(e->scripts,
                            g_build_filename(scripts_dir, name, NULL));
    g_ptr_array_sort(e->scripts, nl_compare_strings);
    e->abs_data = g_canonicalize_filename(e->datadir, NULL);
    if (!gp_quotable(e->abs_data) || !gp_quotable(scripts_dir) ||
        !gp_quotable(e->common))
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "cannot plot into '%s': gnuplot paths may not "
                       "contain a single quote",
                       e->abs_data);
    e->backends = manifest_backends(manifest, e->name, error);
    if (!e->backends)
        return FALSE;
    for (guint i = 0; i < e->scripts->len; i++)
        if (!gp_quotable(e->scripts->pdata[i]))
            return nl_fail(error, NL_ERROR, NL_ERROR_TOOL,
                           "cannot plot with '%s': gnuplot paths may not "
                           "contain a single quote",
                           (char *)e->scripts->pdata[i]);
    for (char **f = formats; *f; f++)
        for (guint i = 0; i < e->scripts->len; i++) {
            Render *r = g_new0(Render, 1);
            *r = (Render){.plot = p,
                          .exp = e,
                          .script = e->scripts->pdata[i],
                          .format = *f,
                          .lock = -1,
                          .says = g_string_new(NULL)};
            g_ptr_array_add(e->renders, r);
            g_ptr_array_add(p->queue, r);
        }
    return TRUE;
}

/* Adds experiment `entry` to the plot with its renders queued, or with
 * the line that says why it cannot be drawn. `all_mode`: plotting every
 * experiment, where one without scripts (a student's plugin) is passed
 * over instead of being an error. */
static void add_experiment(Plot *p, const NlPluginEntry *entry,
                           const char *outdir, char **formats,
                           gboolean all_mode)
{
    const char *experiment = entry->plugin->name;
    g_autofree char *scripts_dir =
        nl_host_plot_scripts(experiment, entry->path);
    if (all_mode && !scripts_dir)
        return;
    Experiment *e = g_new0(Experiment, 1);
    e->name = g_strdup(experiment);
    e->datadir = g_build_filename(outdir, experiment, NULL);
    e->renders = g_ptr_array_new_with_free_func((GDestroyNotify)render_free);
    g_autoptr(GError) error = NULL;
    e->ok = queue_renders(p, e, entry, scripts_dir, outdir, formats, &error);
    if (!e->ok)
        e->refusal = g_strdup_printf("numlab: %s\n", error->message);
    g_ptr_array_add(p->experiments, e);
}

gboolean nl_plot(NlRegistry *r, const char *experiment, const char *outdir,
                 const char *formats, const char *lang, guint jobs)
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
    Plot p = {
        .gnuplot = gnuplot,
        .lang = lang,
        .context = g_main_context_new(),
        .experiments =
            g_ptr_array_new_with_free_func((GDestroyNotify)experiment_free),
        .queue = g_ptr_array_new(),
        .jobs = jobs ? jobs : (guint)MAX(g_get_num_processors(), 1),
    };
    p.slots = g_new0(Gnuplot, p.jobs);
    for (guint i = 0; i < p.jobs; i++)
        p.slots[i] = (Gnuplot){
            .plot = &p, .in_fd = -1, .err_fd = -1, .err = g_string_new(NULL)};
    /* a gnuplot that dies before reading its commands must not take
     * numlab with it: the write fails with EPIPE instead */
    signal(SIGPIPE, SIG_IGN);
    gboolean ok = TRUE;
    if (strcmp(experiment, "all") != 0) {
        const NlPluginEntry *e =
            nl_registry_find(r, NL_PLUGIN_EXPERIMENT, experiment);
        if (!e) {
            g_printerr("numlab: unknown experiment '%s'\n", experiment);
            ok = FALSE;
        } else {
            add_experiment(&p, e, outdir, fmts, FALSE);
        }
    } else {
        g_autoptr(GPtrArray) list = nl_registry_list(r, NL_PLUGIN_EXPERIMENT);
        for (guint i = 0; i < list->len; i++)
            add_experiment(&p, list->pdata[i], outdir, fmts, TRUE);
    }
    run_renders(&p);
    for (guint i = 0; i < p.experiments->len; i++)
        ok &= ((Experiment *)p.experiments->pdata[i])->ok;
    for (guint i = 0; i < p.jobs; i++)
        g_string_free(p.slots[i].err, TRUE);
    g_free(p.slots);
    g_ptr_array_unref(p.queue);
    g_ptr_array_unref(p.experiments);
    g_main_context_unref(p.context);
    return ok;
}
