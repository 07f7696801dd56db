/* memory.c — how much memory this process may still use, for the
 * experiments' checks before they allocate (numlab/alloc.h).
 *
 * The answer is the smaller of the kernel's MemAvailable and the room
 * under every memory cgroup limit from this process's group up to the
 * root, cgroup v2 (memory.max, memory.current) or v1
 * (memory.limit_in_bytes, memory.usage_in_bytes). A cgroup's usage
 * includes the file cache, which the kernel drops before it kills, so
 * its inactive file pages (memory.stat) count as free. Total RAM is not
 * the answer: in a container with a 4 GiB limit on a 256 GiB host, or on
 * a machine already half full, a run sized by it is killed by the OOM
 * killer without a word. */
#include "config.h"

#include "nl-private.h"

#include <string.h>
#include <unistd.h>

/* The first number of a file, or G_MAXUINT64 ("max", missing, garbage). */
static guint64 read_number(const char *dir, const char *file)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *text = NULL;
    guint64 value;
    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        !g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXUINT64,
                                    &value, NULL))
        return G_MAXUINT64;
    return value;
}

/* The value of `key` in a "key value" file (memory.stat), or 0. */
static guint64 read_stat(const char *dir, const char *key)
{
    g_autofree char *path = g_build_filename(dir, "memory.stat", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    size_t n = strlen(key);
    for (char **l = lines; *l; l++)
        if (strncmp(*l, key, n) == 0 && (*l)[n] == ' ')
            return g_ascii_strtoull(*l + n + 1, NULL, 10);
    return 0;
}

/* MemAvailable of ROOT/proc/meminfo in bytes, or G_MAXUINT64. */
static guint64 mem_available(const char *root)
{
    g_autofree char *path = g_build_filename(root, "proc", "meminfo", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return G_MAXUINT64;
    const char *line = strstr(text, "MemAvailable:");
    if (!line)
        return G_MAXUINT64;
    return g_ascii_strtoull(line + strlen("MemAvailable:"), NULL, 10) * 1024;
}

/* The room under the limits of `dir` and its parents up to `top`. */
static guint64 cgroup_room(const char *top, const char *dir, const char *limit,
                           const char *usage, const char *inactive)
{
    guint64 room = G_MAXUINT64;
    g_autofree char *d = g_strdup(dir);
    for (;;) {
        guint64 max = read_number(d, limit), used = read_number(d, usage);
        /* v1 writes "no limit" as a page-rounded 2^63 */
        if (max < (G_GUINT64_CONSTANT(1) << 62) && used != G_MAXUINT64) {
            guint64 reclaimable = MIN(read_stat(d, inactive), used);
            used -= reclaimable;
            room = MIN(room, max > used ? max - used : 0);
        }
        if (strlen(d) <= strlen(top))
            break;
        char *parent = g_path_get_dirname(d);
        g_free(d);
        d = parent;
    }
    return room;
}

/* The folder of this process's group under `base`: base + path, or base
 * itself where a cgroup namespace shows the group as the root. */
static char *group_dir(const char *base, const char *path)
{
    char *dir = g_build_filename(base, path, NULL);
    if (g_file_test(dir, G_FILE_TEST_IS_DIR))
        return dir;
    g_free(dir);
    return g_strdup(base);
}

guint64 nl_memory_available_at(const char *root)
{
    guint64 avail = mem_available(root);
    g_autofree char *cgroups =
        g_build_filename(root, "proc", "self", "cgroup", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(cgroups, &text, NULL, NULL))
        return avail;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_auto(GStrv) f = g_strsplit(*l, ":", 3); /* id:controllers:path */
        if (g_strv_length(f) != 3)
            continue;
        g_auto(GStrv) controllers = g_strsplit(f[1], ",", -1);
        if (g_str_equal(f[0], "0") && !*f[1]) { /* v2 */
            g_autofree char *base =
                g_build_filename(root, "sys", "fs", "cgroup", NULL);
            g_autofree char *dir = group_dir(base, f[2]);
            avail = MIN(avail, cgroup_room(base, dir, "memory.max",
                                           "memory.current", "inactive_file"));
        } else if (g_strv_contains((const char *const *)controllers,
                                   "memory")) { /* v1 */
            g_autofree char *base =
                g_build_filename(root, "sys", "fs", "cgroup", "memory", NULL);
            g_autofree char *dir = group_dir(base, f[2]);
            avail = MIN(avail, cgroup_room(base, dir, "memory.limit_in_bytes",
                                           "memory.usage_in_bytes",
                                           "total_inactive_file"));
        }
    }
    return avail;
}

guint64 nl_memory_available(void)
{
    return nl_memory_available_at("/");
}

/* g_format_size with a plain space: its no-break space is '?' in a C
 * locale's terminal. */
static char *format_size(guint64 bytes)
{
    GString *s = g_string_new(NULL);
    g_autofree char *text = g_format_size(bytes);
    g_string_assign(s, text);
    g_string_replace(s, "\u00a0", " ", 0);
    return g_string_free(s, FALSE);
}

gboolean nl_memory_check(double bytes, const char *what, GError **error)
{
    g_return_val_if_fail(what != NULL, FALSE);
    guint64 avail = nl_memory_available();
    if (avail == G_MAXUINT64 || bytes <= (double)avail)
        return TRUE;
    g_autofree char *need = format_size((guint64)MIN(bytes, 1e19));
    g_autofree char *have = format_size(avail);
    return nl_fail(error, NL_ALLOC_ERROR, NL_ALLOC_ERROR_NOMEM,
                   "%s need about %s, but only %s is available here "
                   "(MemAvailable, and the room under the cgroup's memory "
                   "limit)",
                   what, need, have);
}
