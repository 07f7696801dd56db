/* report.c — `numlab report`: one HTML page for a results folder,
 * OUTDIR/index.html (German) or OUTDIR/index.en.html (English).
 *
 * The page shows, for every result set in the folder, its status and
 * jobs (backend, library, threads, self-check, faults), the lecture's
 * printed values beside this run's where the two differ
 * (lecture/errata.ini, the entries whose parameters this run used), the
 * run's key numbers, read from its own tables (plots/key-numbers.ini),
 * and every figure `numlab plot` rendered, in the catalogue's order with
 * its id and caption (plots/figures.ini). It needs nothing outside the
 * folder: the style sheet is inline, the images are the folder's own
 * files, linked relative to the page, and a few lines of inline script
 * mark an image that does not load (the browser test reads the count
 * from the body's data-images attribute). Sets that are not complete
 * result sets are named and left out; nothing in the folder is executed. */
#include "config.h"

#include "host.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *lang;
    GString *html;
    GKeyFile *figures; /* plots/figures.ini, may be empty */
    GKeyFile *errata;  /* lecture/errata.ini, may be empty */
    GKeyFile *keys;    /* plots/key-numbers.ini, may be empty */
    guint n_images, n_sets;
} Page;

static const char *tr(const Page *p, const char *de, const char *en)
{
    return strcmp(p->lang, "en") == 0 ? en : de;
}

/* Appends printf-style text with every %s argument HTML-escaped. */
static void add(Page *p, const char *format, ...) G_GNUC_PRINTF(2, 3);

static void add(Page *p, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    g_autofree char *text = g_markup_vprintf_escaped(format, ap);
    va_end(ap);
    g_string_append(p->html, text);
}

/* ---- a .dat file, for the values of the lecture's entries ---- */

typedef struct {
    GStrv columns;
    GPtrArray *names; /* char*, one per dataset */
    GPtrArray *sets;  /* GPtrArray of GStrv rows, one per dataset */
} Dat;

static void dat_free(Dat *d)
{
    if (!d)
        return;
    g_strfreev(d->columns);
    g_ptr_array_unref(d->names);
    g_ptr_array_unref(d->sets);
    g_free(d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Dat, dat_free)

static GPtrArray *rows_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
}

/* numlab's .dat layout (doc/output-format.md): the column line is the
 * last comment without ':' before the first row; "# dataset: NAME" opens
 * a dataset. NULL when the file cannot be read. */
static Dat *dat_read(const char *path)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    Dat *d = g_new0(Dat, 1);
    d->names = g_ptr_array_new_with_free_func(g_free);
    d->sets = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    const char *column_line = NULL;
    GPtrArray *rows = NULL;
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "# dataset: ")) {
            g_ptr_array_add(d->names, g_strdup(*l + strlen("# dataset: ")));
            g_ptr_array_add(d->sets, rows = rows_new());
        } else if (**l == '#') {
            if (!d->columns && !strchr(*l, ':'))
                column_line = *l + 1;
        } else if (**l) {
            char **cells = NULL;
            if (!column_line || !g_shell_parse_argv(*l, NULL, &cells, NULL))
                continue;
            if (!d->columns) {
                g_autofree char *names = g_strstrip(g_strdup(column_line));
                d->columns = g_strsplit(names, " ", -1);
            }
            if (!rows) {
                g_ptr_array_add(d->names, g_strdup(""));
                g_ptr_array_add(d->sets, rows = rows_new());
            }
            g_ptr_array_add(rows, cells);
        }
    }
    return d;
}

static int dat_column(const Dat *d, const char *name)
{
    for (int i = 0; d->columns && d->columns[i]; i++)
        if (strcmp(d->columns[i], name) == 0)
            return i;
    return -1;
}

static gboolean number(const char *s, double *v)
{
    char *end = NULL;
    *v = g_ascii_strtod(s, &end);
    return end != s && *end == '\0';
}

static gboolean cell_is(const char *cell, const char *want)
{
    double a, b;
    if (number(cell, &a) && number(want, &b))
        return fabs(a - b) <= 1e-12 * MAX(1.0, fabs(b));
    return strcmp(cell, want) == 0;
}

/* The cell an errata entry names, as text; NULL if the data lack it. */
static char *entry_cell(GKeyFile *kf, const char *id, const char *setdir)
{
    g_autofree char *file = g_key_file_get_string(kf, id, "file", NULL);
    g_autofree char *dataset = g_key_file_get_string(kf, id, "dataset", NULL);
    g_autofree char *row = g_key_file_get_string(kf, id, "row", NULL);
    g_autofree char *column = g_key_file_get_string(kf, id, "column", NULL);
    const char *slash = file ? strchr(file, '/') : NULL;
    if (!slash || !column)
        return NULL;
    g_autofree char *path = g_build_filename(setdir, slash + 1, NULL);
    g_autoptr(Dat) d = dat_read(path);
    int c = d ? dat_column(d, column) : -1;
    if (c < 0)
        return NULL;
    g_auto(GStrv) conditions = row ? g_strsplit(row, ";", -1) : NULL;
    for (guint s = 0; s < d->sets->len; s++) {
        if (dataset && strcmp(d->names->pdata[s], dataset) != 0)
            continue;
        GPtrArray *rows = d->sets->pdata[s];
        for (guint r = 0; r < rows->len; r++) {
            GStrv cells = rows->pdata[r];
            gboolean match = g_strv_length(cells) > (guint)c;
            for (char **k = conditions; match && k && *k; k++) {
                const char *eq = strchr(*k, '=');
                g_autofree char *name = eq ? g_strndup(*k, eq - *k) : NULL;
                int at = name ? dat_column(d, name) : -1;
                match = at >= 0 && at < (int)g_strv_length(cells) &&
                        cell_is(cells[at], eq + 1);
            }
            if (match)
                return g_strdup(cells[c]);
        }
        return NULL; /* only the first dataset, or the named one */
    }
    return NULL;
}

/* Whether the set was run with every `-p NAME=VALUE` of the entry's run. */
static gboolean same_parameters(GKeyFile *kf, const char *id,
                                GKeyFile *manifest)
{
    g_autofree char *run = g_key_file_get_string(kf, id, "run", NULL);
    g_auto(GStrv) words = NULL;
    if (!run || !g_shell_parse_argv(run, NULL, &words, NULL))
        return FALSE;
    for (char **w = words; *w; w++) {
        if (strcmp(*w, "-p") != 0 || !w[1])
            continue;
        const char *eq = strchr(w[1], '=');
        g_autofree char *name = eq ? g_strndup(w[1], eq - w[1]) : NULL;
        g_autofree char *have =
            name ? g_key_file_get_string(manifest, "parameters", name, NULL)
                 : NULL;
        if (!have || strcmp(have, eq + 1) != 0)
            return FALSE;
        w++;
    }
    return TRUE;
}

/* ---- the page ---- */

static const char style[] =
    "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 "
    "1em;color:#222;line-height:1.4}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-top:1em}"
    "table{border-collapse:collapse;margin:.5em 0 1em}"
    "td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;"
    "vertical-align:top}th{background:#f2f2f2}"
    ".ok{color:#1a7f37}.failed,.faulted{color:#b42318}.skipped{color:#8a6d00}"
    ".lecture{color:#b42318}.small{font-size:.85em;color:#555}"
    "figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}"
    "figcaption{margin-top:.3em}figcaption b{margin-right:.5em}"
    "img.broken{outline:3px solid #b42318}"
    ".num{text-align:right;font-variant-numeric:tabular-nums}"
    "code{font-size:.9em}";

/* Marks images that fail to load and counts them for the browser test. */
static const char script[] =
    "window.addEventListener('load',function(){var i=document.images,ok=0;"
    "for(var k=0;k<i.length;k++){if(i[k].complete&&i[k].naturalWidth>0)ok++;"
    "else i[k].className+=' broken';}"
    "document.body.setAttribute('data-images',ok+'/'+i.length);});";

static void add_jobs(Page *p, GKeyFile *m)
{
    add(p, "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
        tr(p, "Job", "Job"), tr(p, "Status", "Status"),
        tr(p, "Bibliothek, Gerät, Threads", "Library, device, threads"),
        tr(p, "Selbsttest und Hinweise", "Self-check and notes"));
    g_auto(GStrv) groups = g_key_file_get_groups(m, NULL);
    for (char **g = groups; *g; g++) {
        if (!g_str_has_prefix(*g, "job "))
            continue;
        g_autofree char *status = g_key_file_get_string(m, *g, "status", NULL);
        g_autofree char *reason = g_key_file_get_string(m, *g, "reason", NULL);
        g_autofree char *library =
            g_key_file_get_string(m, *g, "library", NULL);
        g_autofree char *device = g_key_file_get_string(m, *g, "device", NULL);
        g_autofree char *threads =
            g_key_file_get_string(m, *g, "threads", NULL);
        g_autofree char *check =
            g_key_file_get_string(m, *g, "self_check", NULL);
        g_autofree char *fallback =
            g_key_file_get_string(m, *g, "fallback", NULL);
        g_auto(GStrv) faults =
            g_key_file_get_string_list(m, *g, "fault", NULL, NULL);
        const char *state = status ? status : "?";
        add(p, "<tr><td><code>%s</code></td><td class=\"%s\">%s", *g + 4, state,
            state);
        if (reason)
            add(p, "<br><span class=\"small\">%s</span>", reason);
        add(p, "</td><td>");
        if (library)
            add(p, "%s<br><span class=\"small\">%s, %s %s</span>", library,
                device ? device : "", threads ? threads : "?",
                tr(p, "Thread(s)", "thread(s)"));
        add(p, "</td><td>");
        if (check)
            add(p, "%s: %s", tr(p, "Selbsttest", "self-check"), check);
        if (fallback)
            add(p, "<br>%s: %s",
                tr(p, "Referenz-Kernel statt eigener",
                   "reference kernels instead of its own"),
                fallback);
        for (char **f = faults; f && *f; f++)
            add(p, "<br><span class=\"faulted\">%s: %s</span>",
                tr(p, "Backend-Fehler", "backend fault"), *f);
        add(p, "</td></tr>\n");
    }
    add(p, "</table>\n");
}

static char *format_number(const Page *p, double v, int digits);
static char *localise(const Page *p, const char *text);

/* The lecture's printed values that this set's data disagree with. */
static void add_errata(Page *p, const char *experiment, const char *setdir,
                       GKeyFile *manifest)
{
    g_auto(GStrv) ids = g_key_file_get_groups(p->errata, NULL);
    guint shown = 0, agree = 0;
    for (char **id = ids; *id; id++) {
        g_autofree char *file =
            g_key_file_get_string(p->errata, *id, "file", NULL);
        g_autofree char *prefix = g_strdup_printf("%s/", experiment);
        if (!file || !g_str_has_prefix(file, prefix) ||
            !same_parameters(p->errata, *id, manifest))
            continue;
        g_autofree char *cell = entry_cell(p->errata, *id, setdir);
        if (!cell)
            continue;
        g_autofree char *verdict =
            g_key_file_get_string(p->errata, *id, "verdict", NULL);
        if (g_strcmp0(verdict, "correct") == 0) {
            agree++;
            continue;
        }
        g_autofree char *claim =
            g_key_file_get_string(p->errata, *id, "claim", NULL);
        g_autofree char *printed =
            g_key_file_get_string(p->errata, *id, "printed", NULL);
        g_autofree char *why_de =
            g_key_file_get_string(p->errata, *id, "why_de", NULL);
        g_autofree char *why_en =
            g_key_file_get_string(p->errata, *id, "why", NULL);
        const char *why =
            strcmp(p->lang, "de") == 0 && why_de ? why_de : why_en;
        g_autofree char *line =
            g_key_file_get_string(p->errata, *id, "line", NULL);
        g_autofree char *source =
            g_key_file_get_string(p->errata, *id, "source", NULL);
        if (!shown++)
            add(p,
                "<h3>%s</h3>\n<table><tr><th>%s</th><th>%s</th><th>%s</th>"
                "<th>%s</th><th>%s</th></tr>\n",
                tr(p, "Die Vorlesung und dieser Lauf",
                   "The lecture and this run"),
                tr(p, "Eintrag", "Entry"), tr(p, "Die Vorlesung", "Lecture"),
                tr(p, "gedruckt", "printed"), tr(p, "dieser Lauf", "this run"),
                tr(p, "warum", "why"));
        double v;
        g_autofree char *shown_value = NULL;
        gboolean numeric = number(cell, &v);
        if (printed && numeric) {
            const char *point = strchr(printed, '.');
            shown_value =
                format_number(p, v, point ? (int)strlen(point + 1) : 0);
        }
        if (numeric) { /* the full value, too, in the page's number style */
            char *local = localise(p, cell);
            g_free(cell);
            cell = local;
        }
        add(p,
            "<tr><td>%s<br><span class=\"small\">%s %s</span></td>"
            "<td>%s</td><td class=\"lecture\">%s</td><td>%s",
            *id, source ? source : "", line ? line : "", claim ? claim : "",
            printed ? printed : "–", shown_value ? shown_value : cell);
        if (shown_value)
            add(p, "<br><span class=\"small\">%s</span>", cell);
        add(p, "</td><td>%s</td></tr>\n", why ? why : "");
    }
    if (shown)
        add(p, "</table>\n");
    if (agree)
        add(p, "<p class=\"small\">%u %s</p>\n", agree,
            tr(p,
               "weitere gedruckte Werte der Vorlesung stimmen mit diesem "
               "Lauf überein (doc/errata.md).",
               "more printed values of the lecture agree with this run "
               "(doc/errata.md)."));
}

/* A number as the page shows it: `digits` decimals (negative: three
 * significant digits, as 1.23·10^-6 where it is small or large), the
 * decimal comma in German, a real minus sign (plain text: the page
 * escapes it). */
static char *format_number(const Page *p, double v, int digits)
{
    g_autofree char *text = NULL;
    if (digits >= 0) {
        text = g_strdup_printf("%.*f", digits, v);
    } else if (v == floor(v) && fabs(v) < 1e15) {
        text = g_strdup_printf("%.0f", v);
    } else if (v != 0 && (fabs(v) < 1e-3 || fabs(v) >= 1e6)) {
        int e = (int)floor(log10(fabs(v)));
        g_autofree char *m = g_strdup_printf("%.2f", v / pow(10, e));
        static const char *const sup[] = {"⁰", "¹", "²", "³", "⁴",
                                          "⁵", "⁶", "⁷", "⁸", "⁹"};
        GString *power = g_string_new(e < 0 ? "⁻" : "");
        g_autofree char *digits_text = g_strdup_printf("%d", ABS(e));
        for (const char *d = digits_text; *d; d++)
            g_string_append(power, sup[*d - '0']);
        g_autofree char *pw = g_string_free(power, FALSE);
        text = g_strdup_printf("%s·10%s", m, pw);
    } else {
        text = g_strdup_printf("%.3g", v);
    }
    return localise(p, text);
}

/* A number's text with the decimal comma in German and a real minus sign. */
static char *localise(const Page *p, const char *text)
{
    GString *out = g_string_new(NULL);
    for (const char *c = text; *c; c++) {
        if (*c == '.' && strcmp(p->lang, "de") == 0)
            g_string_append_c(out, ',');
        else if (*c == '-' && c == text)
            g_string_append(out, "−");
        else
            g_string_append_c(out, *c);
    }
    return g_string_free(out, FALSE);
}

/* The run's key numbers (plots/key-numbers.ini), from its own tables. */
static void add_key_numbers(Page *p, const char *experiment, const char *setdir)
{
    g_auto(GStrv) ids = g_key_file_get_groups(p->keys, NULL);
    guint shown = 0;
    for (char **id = ids; *id; id++) {
        g_autofree char *exp =
            g_key_file_get_string(p->keys, *id, "experiment", NULL);
        if (g_strcmp0(exp, experiment) != 0)
            continue;
        g_autofree char *cell = entry_cell(p->keys, *id, setdir);
        if (!cell)
            continue;
        g_autofree char *what =
            g_key_file_get_string(p->keys, *id, p->lang, NULL);
        g_autofree char *unit =
            g_key_file_get_string(p->keys, *id, "unit", NULL);
        GError *none = NULL;
        int digits = g_key_file_get_integer(p->keys, *id, "digits", &none);
        if (none) {
            digits = -1;
            g_error_free(none);
        }
        double v;
        g_autofree char *value =
            number(cell, &v) ? format_number(p, v, digits) : g_strdup(cell);
        if (!shown++)
            add(p, "<h3>%s</h3>\n<table>\n",
                tr(p, "Kennzahlen dieses Laufs", "Key numbers of this run"));
        add(p, "<tr><td>%s</td><td class=\"num\">%s%s%s</td></tr>\n",
            what ? what : *id, value, unit && *unit ? " " : "",
            unit ? unit : "");
    }
    if (shown)
        add(p, "</table>\n");
}

/* The image of figure `name` in the page's language, if rendered. */
static char *image_of(const Page *p, const char *experiment, const char *name,
                      const char *setdir)
{
    g_autofree char *leaf = g_strdup_printf(
        "%s%s.png", name, strcmp(p->lang, "en") == 0 ? ".en" : "");
    g_autofree char *path = g_build_filename(setdir, leaf, NULL);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return NULL;
    return g_strdup_printf("%s/%s", experiment, leaf);
}

static void add_figure(Page *p, const char *src, const char *id,
                       const char *caption)
{
    add(p,
        "<figure><img src=\"%s\" alt=\"%s\" loading=\"lazy\">"
        "<figcaption><b>%s</b>%s</figcaption></figure>\n",
        src, *caption ? caption : id, id, caption);
    p->n_images++;
}

/* The figure id of a numbered image the catalogue does not list, such as
 * c3-paths-4 of a run with more prompts: that of STEM-1 or STEM, where the
 * catalogue lists one for the same experiment; else NULL. */
static char *sibling_id(const Page *p, const char *experiment, const char *name)
{
    const char *dash = strrchr(name, '-');
    if (!dash || !dash[1] || strspn(dash + 1, "0123456789") != strlen(dash + 1))
        return NULL;
    g_autofree char *stem = g_strndup(name, (gsize)(dash - name));
    g_autofree char *first = g_strconcat(stem, "-1", NULL);
    const char *candidates[] = {first, stem};
    for (guint i = 0; i < G_N_ELEMENTS(candidates); i++) {
        g_autofree char *exp = g_key_file_get_string(p->figures, candidates[i],
                                                     "experiment", NULL);
        if (g_strcmp0(exp, experiment) == 0)
            return g_key_file_get_string(p->figures, candidates[i], "id", NULL);
    }
    return NULL;
}

static void add_figures(Page *p, const char *experiment, const char *setdir)
{
    g_autoptr(GHashTable) listed = g_hash_table_new(g_str_hash, g_str_equal);
    g_auto(GStrv) names = g_key_file_get_groups(p->figures, NULL);
    for (char **n = names; *n; n++) {
        g_autofree char *exp =
            g_key_file_get_string(p->figures, *n, "experiment", NULL);
        if (g_strcmp0(exp, experiment) != 0)
            continue;
        g_hash_table_add(listed, *n);
        g_autofree char *src = image_of(p, experiment, *n, setdir);
        if (!src)
            continue;
        g_autofree char *id = g_key_file_get_string(p->figures, *n, "id", NULL);
        g_autofree char *caption =
            g_key_file_get_string(p->figures, *n, p->lang, NULL);
        add_figure(p, src, id ? id : *n, caption ? caption : "");
    }
    /* images of plot scripts the catalogue does not know (own plugins) */
    g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(setdir, 0, NULL);
    const char *leaf;
    const char *suffix = strcmp(p->lang, "en") == 0 ? ".en.png" : ".png";
    while (d && (leaf = g_dir_read_name(d))) {
        if (!g_str_has_suffix(leaf, suffix) ||
            (strcmp(p->lang, "de") == 0 && g_str_has_suffix(leaf, ".en.png")))
            continue;
        g_autofree char *name = g_strndup(leaf, strlen(leaf) - strlen(suffix));
        if (!g_hash_table_contains(listed, name))
            g_ptr_array_add(others, g_steal_pointer(&name));
    }
    g_ptr_array_sort(others, nl_compare_strings);
    for (guint i = 0; i < others->len; i++) {
        const char *name = others->pdata[i];
        g_autofree char *src =
            g_strdup_printf("%s/%s%s", experiment, name, suffix);
        g_autofree char *id = sibling_id(p, experiment, name);
        add_figure(p, src, id ? id : name, "");
    }
}

static void add_set(Page *p, const char *outdir, const char *experiment)
{
    g_autofree char *setdir = g_build_filename(outdir, experiment, NULL);
    g_autofree char *path = g_build_filename(setdir, "manifest.ini", NULL);
    g_autoptr(GKeyFile) m = g_key_file_new();
    g_autoptr(GError) error = NULL;
    gboolean exists;
    add(p, "<h2 id=\"%s\">%s</h2>\n", experiment, experiment);
    if (!nl_result_set_check(setdir, &exists, &error) ||
        !g_key_file_load_from_file(m, path, G_KEY_FILE_NONE, &error)) {
        add(p, "<p class=\"failed\">%s: %s</p>\n",
            tr(p, "kein vollständiger Ergebnissatz, ausgelassen",
               "not a complete result set, left out"),
            error ? error->message : "");
        return;
    }
    p->n_sets++;
    g_autofree char *status = g_key_file_get_string(m, "run", "status", NULL);
    g_autofree char *date = g_key_file_get_string(m, "run", "date", NULL);
    g_autofree char *seed = g_key_file_get_string(m, "run", "seed", NULL);
    g_autofree char *command = g_key_file_get_string(m, "run", "command", NULL);
    g_autofree char *params =
        g_key_file_get_string(m, "run", "parameters", NULL);
    add(p,
        "<p>%s: <span class=\"%s\">%s</span> · %s %s · seed %s</p>\n"
        "<p class=\"small\">%s: <code>%s</code><br>%s: <code>%s</code></p>\n",
        tr(p, "Status", "Status"), status ? status : "?", status ? status : "?",
        tr(p, "Lauf vom", "run of"), date ? date : "?", seed ? seed : "?",
        tr(p, "Befehl", "Command"), command ? command : "",
        tr(p, "Parameter", "Parameters"), params ? params : "");
    add_jobs(p, m);
    add_key_numbers(p, experiment, setdir);
    add_errata(p, experiment, setdir, m);
    add_figures(p, experiment, setdir);
}

/* Result sets in OUTDIR: the catalogue's experiments in its order, then
 * the others by name. */
static GPtrArray *set_names(const Page *p, const char *outdir)
{
    GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(outdir, 0, NULL);
    const char *leaf;
    while (d && (leaf = g_dir_read_name(d))) {
        g_autofree char *m =
            g_build_filename(outdir, leaf, "manifest.ini", NULL);
        if (*leaf != '.' && g_file_test(m, G_FILE_TEST_EXISTS))
            g_ptr_array_add(found, g_strdup(leaf));
    }
    g_ptr_array_sort(found, nl_compare_strings);
    GPtrArray *ordered = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) names = g_key_file_get_groups(p->figures, NULL);
    for (char **n = names; *n; n++) {
        g_autofree char *exp =
            g_key_file_get_string(p->figures, *n, "experiment", NULL);
        for (guint i = 0; exp && i < found->len; i++)
            if (strcmp(found->pdata[i], exp) == 0)
                g_ptr_array_add(ordered, g_ptr_array_steal_index(found, i));
    }
    for (guint i = 0; i < found->len; i++)
        g_ptr_array_add(ordered, g_strdup(found->pdata[i]));
    g_ptr_array_unref(found);
    return ordered;
}

static GKeyFile *load_catalogue(const char *path)
{
    GKeyFile *kf = g_key_file_new();
    g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL); /* optional */
    return kf;
}

gboolean nl_report(const char *outdir, const char *lang, char **written)
{
    if (strcmp(lang, "de") != 0 && strcmp(lang, "en") != 0) {
        g_printerr("numlab report: unknown language '%s' (known: de, en)\n",
                   lang);
        return FALSE;
    }
    if (!g_file_test(outdir, G_FILE_TEST_IS_DIR)) {
        g_printerr("numlab report: no results folder '%s' (run 'numlab run "
                   "all -o %s' first)\n",
                   outdir, outdir);
        return FALSE;
    }
    g_autofree char *fig_path =
        g_build_filename(nl_host_plot_dir(), "figures.ini", NULL);
    g_autofree char *errata_path =
        g_build_filename(nl_host_lecture_dir(), "errata.ini", NULL);
    g_autofree char *keys_path =
        g_build_filename(nl_host_plot_dir(), "key-numbers.ini", NULL);
    Page p = {.lang = lang,
              .html = g_string_new(NULL),
              .figures = load_catalogue(fig_path),
              .errata = load_catalogue(errata_path),
              .keys = load_catalogue(keys_path)};
    g_autoptr(GPtrArray) sets = set_names(&p, outdir);
    g_autoptr(GDateTime) now = g_date_time_new_now_local();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M");
    add(&p,
        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\">"
        "<title>numlab: %s</title><style>",
        lang, tr(&p, "Ergebnisse", "results"));
    g_string_append(p.html, style);
    add(&p,
        "</style></head>\n<body>\n<h1>numlab: %s</h1>\n"
        "<p>%s %s · numlab %s · %s: %s</p>\n",
        tr(&p, "Ergebnisse der Vorlesung „LLM für den Hausgebrauch“",
           "results of the lecture “LLM für den Hausgebrauch”"),
        tr(&p, "Erstellt", "Written"), stamp, PACKAGE_VERSION,
        tr(&p, "Rechner", "machine"), nl_host_cpu_model());
    if (sets->len == 0)
        add(&p, "<p>%s</p>\n",
            tr(&p, "Dieser Ordner enthält keine Ergebnissätze.",
               "This folder holds no result sets."));
    else {
        add(&p, "<ul>\n");
        for (guint i = 0; i < sets->len; i++)
            add(&p, "<li><a href=\"#%s\">%s</a></li>\n", (char *)sets->pdata[i],
                (char *)sets->pdata[i]);
        add(&p, "</ul>\n");
    }
    for (guint i = 0; i < sets->len; i++)
        add_set(&p, outdir, sets->pdata[i]);
    add(&p, "<script>");
    g_string_append(p.html, script);
    add(&p, "</script>\n</body></html>\n");

    g_autofree char *page = g_build_filename(
        outdir, strcmp(lang, "en") == 0 ? "index.en.html" : "index.html", NULL);
    g_autoptr(GError) error = NULL;
    gboolean ok = g_file_set_contents(page, p.html->str, p.html->len, &error);
    if (!ok)
        g_printerr("numlab report: cannot write %s: %s\n", page,
                   error->message);
    else
        printf("report: %u result sets, %u figures: %s\n", p.n_sets, p.n_images,
               page);
    if (ok && written)
        *written = g_strdup(page);
    g_string_free(p.html, TRUE);
    g_key_file_unref(p.figures);
    g_key_file_unref(p.errata);
    g_key_file_unref(p.keys);
    return ok;
}
