/* test-util.c — helpers of the integration tests (see test-util.h). */
#include "config.h"

#include "test-util.h"

#include <numlab/rng.h>

#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>

NlCmd *nl_test_numlab(char **env_extra, ...)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    va_list ap;
    va_start(ap, env_extra);
    const char *a;
    while ((a = va_arg(ap, const char *)))
        g_ptr_array_add(args, (gpointer)a);
    va_end(ap);
    g_ptr_array_add(args, NULL);
    return nl_test_numlab_argv(env_extra, (char **)args->pdata);
}

NlCmd *nl_test_numlab_argv(char **env_extra, char **args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, NL_BUILDDIR "/framework/numlab");
    for (char **a = args; *a; a++)
        g_ptr_array_add(argv, *a);
    g_ptr_array_add(argv, NULL);

    g_auto(GStrv) env = g_get_environ();
    /* A developer's own settings must not change what the tests see. */
    static const char *const unset[] = {
        "NUMLAB_PLUGIN_PATH",      "NUMLAB_PLOT_PATH",   "NUMLAB_PLOT_DIR",
        "NUMLAB_ALIASES",          "OMP_WAIT_POLICY",    "GOMP_SPINCOUNT",
        "OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT"};
    for (guint i = 0; i < G_N_ELEMENTS(unset); i++)
        env = g_environ_unsetenv(env, unset[i]);
    for (char **e = env_extra; e && *e; e++) {
        g_auto(GStrv) kv = g_strsplit(*e, "=", 2);
        env = g_environ_setenv(env, kv[0], kv[1] ? kv[1] : "", TRUE);
    }
    NlCmd *cmd = g_new0(NlCmd, 1);
    int wait_status;
    g_autoptr(GError) error = NULL;
    if (!g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL,
                      NULL, &cmd->out, &cmd->err, &wait_status, &error))
        g_error("cannot run numlab: %s", error->message);
    cmd->status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
    if (g_test_verbose())
        g_printerr("numlab exit %d\nstdout:\n%sstderr:\n%s", cmd->status,
                   cmd->out, cmd->err);
    return cmd;
}

void nl_cmd_free(NlCmd *cmd)
{
    if (!cmd)
        return;
    g_free(cmd->out);
    g_free(cmd->err);
    g_free(cmd);
}

guint nl_test_count_lines(const char *s)
{
    guint n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

char *nl_test_tmpdir(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("numlab-test-XXXXXX", &error);
    g_assert_no_error(error);
    return dir;
}

void nl_test_rmtree(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
            !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            nl_test_rmtree(path);
        else
            g_unlink(path);
    }
    g_rmdir(dir);
}

/* Splits a data line into cells; "..." is one cell without its quotes. */
static GStrv split_cells(const char *line)
{
    GPtrArray *cells = g_ptr_array_new();
    const char *p = line;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *start = p;
        if (*p == '"') {
            start = ++p;
            while (*p && *p != '"')
                p++;
            g_ptr_array_add(cells, g_strndup(start, p - start));
            if (*p)
                p++;
        } else {
            while (*p && *p != ' ' && *p != '\t')
                p++;
            g_ptr_array_add(cells, g_strndup(start, p - start));
        }
    }
    g_ptr_array_add(cells, NULL);
    return (GStrv)g_ptr_array_free(cells, FALSE);
}

NlDat *nl_dat_read(const char *path)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error))
        g_error("%s", error->message);
    NlDat *dat = g_new0(NlDat, 1);
    dat->comments = g_ptr_array_new_with_free_func(g_free);
    dat->datasets =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *current = NULL;
    guint blank = 0;
    for (char **l = lines; *l; l++) {
        if (**l == '\0') {
            blank++;
            continue;
        }
        if (**l == '#') {
            if (dat->datasets->len == 0)
                g_ptr_array_add(dat->comments, g_strdup(*l + 2));
            continue;
        }
        if (!current || blank >= 2) {
            current =
                g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
            g_ptr_array_add(dat->datasets, current);
        }
        blank = 0;
        g_ptr_array_add(current, split_cells(*l));
    }
    return dat;
}

void nl_dat_free(NlDat *dat)
{
    if (!dat)
        return;
    g_ptr_array_unref(dat->comments);
    g_ptr_array_unref(dat->datasets);
    g_free(dat);
}

guint nl_dat_rows(const NlDat *dat, guint d)
{
    g_assert_cmpuint(d, <, dat->datasets->len);
    return ((GPtrArray *)dat->datasets->pdata[d])->len;
}

const char *nl_dat_cell(const NlDat *dat, guint d, guint r, guint c)
{
    g_assert_cmpuint(r, <, nl_dat_rows(dat, d));
    GStrv row = ((GPtrArray *)dat->datasets->pdata[d])->pdata[r];
    g_assert_cmpuint(c, <, g_strv_length(row));
    return row[c];
}

double nl_dat_double(const NlDat *dat, guint d, guint r, guint c)
{
    const char *s = nl_dat_cell(dat, d, r, c);
    char *end;
    double v = g_ascii_strtod(s, &end);
    g_assert_true(end != s && *end == '\0');
    return v;
}

const char *nl_dat_comment(const NlDat *dat, const char *prefix)
{
    for (guint i = 0; i < dat->comments->len; i++)
        if (g_str_has_prefix(dat->comments->pdata[i], prefix))
            return dat->comments->pdata[i];
    return NULL;
}

float nl_test_tile_tree(const float *x, gsize len, gsize tile)
{
    g_autoptr(GArray) level = g_array_new(FALSE, FALSE, sizeof(float));
    for (gsize start = 0; start < len; start += tile) {
        float s = 0.0f;
        for (gsize i = start; i < MIN(len, start + tile); i++)
            s += x[i];
        g_array_append_val(level, s);
    }
    while (level->len > 1) {
        g_autoptr(GArray) next = g_array_new(FALSE, FALSE, sizeof(float));
        for (guint i = 0; i < level->len; i += 2) {
            float v = g_array_index(level, float, i);
            if (i + 1 < level->len)
                v += g_array_index(level, float, i + 1);
            g_array_append_val(next, v);
        }
        g_array_unref(level);
        level = g_steal_pointer(&next);
    }
    return level->len ? g_array_index(level, float, 0) : 0.0f;
}

float *nl_test_normals(guint64 seed, gsize len)
{
    float *x = g_new(float, MAX(len, 1));
    NlRng rng;
    nl_rng_init(&rng, seed);
    nl_rng_fill_normal_f32(&rng, x, len);
    return x;
}

float nl_test_sum_forward(const float *x, gsize n)
{
    float s = 0.0f;
    for (gsize i = 0; i < n; i++)
        s += x[i];
    return s;
}

float nl_test_sum_reversed(const float *x, gsize n)
{
    float s = 0.0f;
    for (gsize i = n; i-- > 0;)
        s += x[i];
    return s;
}

float nl_test_sum_pairwise(const float *x, gsize n)
{
    if (n <= 2)
        return n == 0 ? 0.0f : n == 1 ? x[0] : x[0] + x[1];
    return nl_test_sum_pairwise(x, n / 2) +
           nl_test_sum_pairwise(x + n / 2, n - n / 2);
}
