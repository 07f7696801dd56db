/* rerun.c — `numlab rerun DIR`: a result set repeated from its manifest
 * (the experiment, every parameter, the backend jobs, the seed) and
 * compared with the original file by file.
 *
 * The repeat is an ordinary run (engine.c) into a locked temporary folder
 * beside DIR, removed afterwards, or into OUTDIR/EXP when -o is given.
 * Files are compared byte for byte except the `# date:` line of the .dat
 * headers; the manifests are not compared (their date, timings and
 * command differ by nature). On the machine that made the set every file
 * should be identical; elsewhere the differing ones are named. */
#include "config.h"

#include "host.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What the manifest says to run. */
typedef struct {
    char *experiment;
    guint64 seed;
    GPtrArray *params;   /* "name=value" */
    GPtrArray *backends; /* the backend jobs' labels, in order */
    char **files;        /* the set's [files] */
} Recipe;

static void recipe_clear(Recipe *r)
{
    g_free(r->experiment);
    if (r->params)
        g_ptr_array_unref(r->params);
    if (r->backends)
        g_ptr_array_unref(r->backends);
    g_strfreev(r->files);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Recipe, recipe_clear)

static gboolean read_recipe(const char *dir, Recipe *r, GError **error)
{
    g_autofree char *path = g_build_filename(dir, "manifest.ini", NULL);
    gboolean exists;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "'%s' is no result set (it has no manifest.ini)", dir);
    if (!nl_result_set_check(dir, &exists, error))
        return FALSE;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local))
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT, "%s: %s", path,
                       local->message);
    r->experiment = g_key_file_get_string(kf, "run", "experiment", NULL);
    g_autofree char *seed = g_key_file_get_value(kf, "run", "seed", NULL);
    if (!r->experiment || !seed ||
        !g_ascii_string_to_unsigned(seed, 10, 0, G_MAXUINT64, &r->seed, NULL))
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "%s: [run] lacks the experiment or the seed", path);
    if (!g_key_file_has_group(kf, "parameters"))
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "%s has no [parameters] group (an older numlab wrote "
                       "it); repeat it with numlab run and the parameters "
                       "of its [run] line",
                       path);
    r->params = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) keys = g_key_file_get_keys(kf, "parameters", NULL, NULL);
    for (char **k = keys; *k; k++) {
        g_autofree char *v = g_key_file_get_string(kf, "parameters", *k, NULL);
        g_ptr_array_add(r->params, g_strdup_printf("%s=%s", *k, v ? v : ""));
    }
    g_ptr_array_add(r->params, NULL);
    /* every backend job but the skipped ones (not requested, unavailable) */
    r->backends = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
    for (char **g = groups; *g; g++) {
        g_autofree char *phase = g_key_file_get_string(kf, *g, "phase", NULL);
        g_autofree char *status = g_key_file_get_string(kf, *g, "status", NULL);
        if (g_str_has_prefix(*g, "job ") && g_strcmp0(phase, "backend") == 0 &&
            g_strcmp0(status, "skipped") != 0)
            g_ptr_array_add(r->backends, g_strdup(*g + strlen("job ")));
    }
    g_ptr_array_add(r->backends, NULL);
    r->files = g_key_file_get_string_list(kf, "files", "files", NULL, NULL);
    if (!r->files)
        r->files = g_new0(char *, 1);
    return TRUE;
}

/* A .dat file's lines, split into its # header and its data. */
static void split_dat(const char *text, gsize len, GString *header,
                      GString *data)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        g_string_append_len(*p == '#' ? header : data, p, next - p);
        p = next;
    }
}

/* The first line where a and b differ, and (into *what) a's line. */
static gsize first_difference(const GString *a, const GString *b, char **what)
{
    gsize line = 1, i = 0, start = 0;
    for (; i < a->len && i < b->len && a->str[i] == b->str[i]; i++)
        if (a->str[i] == '\n') {
            line++;
            start = i + 1;
        }
    if (what) {
        const char *nl = memchr(a->str + start, '\n', a->len - start);
        *what = g_strndup(a->str + start,
                          nl ? (gsize)(nl - a->str) - start : a->len - start);
    }
    return line;
}

/* How a/NAME and b/NAME compare: SAME, HEADER (a .dat file whose data are
 * the same but whose header is not: a timing note, say; the date line
 * aside) or DIFFERENT; *how says where, or is NULL. */
typedef enum { SAME, HEADER, DIFFERENT } Comparison;

static Comparison compare_file(const char *a, const char *b, const char *name,
                               char **how)
{
    g_autofree char *pa = g_build_filename(a, name, NULL);
    g_autofree char *pb = g_build_filename(b, name, NULL);
    g_autofree char *ta = NULL, *tb = NULL;
    gsize la = 0, lb = 0;
    gboolean ha = g_file_get_contents(pa, &ta, &la, NULL);
    gboolean hb = g_file_get_contents(pb, &tb, &lb, NULL);
    *how = NULL;
    if (!ha || !hb) {
        *how = g_strdup(ha ? "only in the original" : "only in the rerun");
        return DIFFERENT;
    }
    if (la == lb && memcmp(ta, tb, la) == 0)
        return SAME;
    if (!g_str_has_suffix(name, ".dat")) {
        *how = g_strdup("differs");
        return DIFFERENT;
    }
    g_autoptr(GString) head_a = g_string_new(NULL);
    g_autoptr(GString) data_a = g_string_new(NULL);
    g_autoptr(GString) head_b = g_string_new(NULL);
    g_autoptr(GString) data_b = g_string_new(NULL);
    split_dat(ta, la, head_a, data_a);
    split_dat(tb, lb, head_b, data_b);
    if (!g_string_equal(data_a, data_b)) {
        gsize row = first_difference(data_a, data_b, NULL);
        *how = g_strdup_printf("data differ from row %" G_GSIZE_FORMAT, row);
        return DIFFERENT;
    }
    /* the date line differs in every run: leave it out of the header */
    g_auto(GStrv) lines_a = g_strsplit(head_a->str, "\n", -1);
    g_auto(GStrv) lines_b = g_strsplit(head_b->str, "\n", -1);
    for (guint i = 0, j = 0;; i++, j++) {
        while (lines_a[i] && g_str_has_prefix(lines_a[i], "# date: "))
            i++;
        while (lines_b[j] && g_str_has_prefix(lines_b[j], "# date: "))
            j++;
        if (!lines_a[i] && !lines_b[j])
            break;
        if (!lines_a[i] || !lines_b[j] || strcmp(lines_a[i], lines_b[j])) {
            *how = g_strdup_printf("same data; header differs at '%s'",
                                   lines_a[i] ? lines_a[i] : lines_b[j]);
            return HEADER;
        }
    }
    return SAME;
}

/* The union of both sets' files, sorted. */
static GPtrArray *all_files(char **a, char **b)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (char **f = a; *f; f++)
        g_ptr_array_add(names, g_strdup(*f));
    for (char **f = b; *f; f++)
        if (!g_strv_contains((const char *const *)a, *f))
            g_ptr_array_add(names, g_strdup(*f));
    g_ptr_array_sort(names, nl_compare_strings);
    return names;
}

static gboolean compare_sets(const char *orig, const char *rerun,
                             char **orig_files)
{
    g_autofree char *manifest = g_build_filename(rerun, "manifest.ini", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_auto(GStrv) rerun_files = NULL;
    if (g_key_file_load_from_file(kf, manifest, G_KEY_FILE_NONE, NULL))
        rerun_files =
            g_key_file_get_string_list(kf, "files", "files", NULL, NULL);
    if (!rerun_files)
        rerun_files = g_new0(char *, 1);
    g_autoptr(GPtrArray) names = all_files(orig_files, rerun_files);
    guint same = 0, header = 0;
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *how = NULL;
        Comparison c = compare_file(orig, rerun, names->pdata[i], &how);
        same += c == SAME;
        header += c == HEADER;
        if (how)
            printf("  %s: %s\n", (char *)names->pdata[i], how);
    }
    guint differ = names->len - same - header;
    printf("rerun of %s: %u of %u files identical (date lines aside), %u "
           "with the same data, %u differ\n",
           orig, same, names->len, header, differ);
    return differ == 0;
}

gboolean nl_rerun(NlRegistry *registry, const char *dir, const char *outdir,
                  const char *command_line)
{
    g_autoptr(GError) error = NULL;
    g_auto(Recipe) recipe = {0};
    if (!read_recipe(dir, &recipe, &error)) {
        g_printerr("numlab rerun: %s\n", error->message);
        return FALSE;
    }
    g_autofree char *parent = g_path_get_dirname(dir);
    g_autofree char *tmp = NULL;
    int lock = -1;
    if (outdir) {
        g_autofree char *target =
            g_build_filename(outdir, recipe.experiment, NULL);
        g_autofree char *a = g_canonicalize_filename(target, NULL);
        g_autofree char *b = g_canonicalize_filename(dir, NULL);
        if (g_str_equal(a, b)) {
            g_printerr("numlab rerun: -o %s would replace the set being "
                       "repeated; give another folder\n",
                       outdir);
            return FALSE;
        }
    } else {
        g_autofree char *prefix =
            g_strdup_printf(".%s.rerun-", recipe.experiment);
        nl_temp_folders_clean(parent, prefix);
        lock = nl_temp_folder_new(parent, prefix, &tmp, &error);
        if (lock < 0) {
            g_printerr("numlab rerun: %s\n", error->message);
            return FALSE;
        }
    }
    NlRunRequest req = {
        .experiment = recipe.experiment,
        .backends = (char **)recipe.backends->pdata,
        .params = (char **)recipe.params->pdata,
        .outdir = outdir ? outdir : tmp,
        .seed = recipe.seed,
        .command_line = command_line,
        .job_runner = nl_host_executable(),
    };
    if (!recipe.backends->pdata[0]) /* no backend phase */
        req.backends = NULL;
    nl_engine_run(registry, &req); /* failed jobs: files differ, said below */
    g_autofree char *rerun =
        g_build_filename(req.outdir, recipe.experiment, NULL);
    gboolean same = g_file_test(rerun, G_FILE_TEST_IS_DIR) &&
                    compare_sets(dir, rerun, recipe.files);
    if (tmp) {
        nl_folder_remove(tmp);
        close(lock);
    }
    return same;
}
