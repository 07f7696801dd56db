/* test-memory.c — nl_memory_available and nl_memory_check
 * (framework/lib/memory.c) on fake /proc and /sys/fs/cgroup trees: the
 * smaller of MemAvailable and the room under each cgroup limit, v1 and
 * v2, namespaced or not, cache counted as free; and on this machine. */
#include "config.h"

#include "../framework/lib/nl-private.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define GiB (G_GUINT64_CONSTANT(1) << 30)

static void put(const char *root, const char *path, const char *text)
{
    g_autofree char *file = g_build_filename(root, path, NULL);
    g_autofree char *dir = g_path_get_dirname(file);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(file, text, -1, NULL));
}

static char *fake_root(guint64 mem_available_kib)
{
    char *root = g_dir_make_tmp("test-memory-XXXXXX", NULL);
    g_autofree char *meminfo =
        g_strdup_printf("MemTotal:       24000000 kB\nMemFree:        1000 kB\n"
                        "MemAvailable:   %" G_GUINT64_FORMAT " kB\n",
                        mem_available_kib);
    put(root, "proc/meminfo", meminfo);
    return root;
}

/* No cgroup file: MemAvailable. */
static void test_meminfo_only(void)
{
    g_autofree char *root = fake_root(8 * 1024 * 1024);
    g_assert_cmpuint(nl_memory_available_at(root), ==, 8 * GiB);
    nl_test_rmtree(root);
}

/* v2: the tightest limit on the way up, inactive file pages free. */
static void test_cgroup_v2(void)
{
    g_autofree char *root = fake_root(20 * 1024 * 1024);
    put(root, "proc/self/cgroup", "0::/user.slice/job\n");
    put(root, "sys/fs/cgroup/user.slice/job/memory.max", "max\n");
    put(root, "sys/fs/cgroup/user.slice/job/memory.current", "1073741824\n");
    put(root, "sys/fs/cgroup/user.slice/memory.max", "4294967296\n");
    put(root, "sys/fs/cgroup/user.slice/memory.current", "3221225472\n");
    put(root, "sys/fs/cgroup/user.slice/memory.stat",
        "anon 1\nactive_file 5\ninactive_file 1073741824\nfile 9\n");
    /* 4 GiB - (3 GiB - 1 GiB of inactive cache) */
    g_assert_cmpuint(nl_memory_available_at(root), ==, 2 * GiB);
    nl_test_rmtree(root);
}

/* v1 in a cgroup namespace: the group's path does not exist under the
 * mount, whose root is the group; "no limit" is 2^63 rounded. */
static void test_cgroup_v1_namespaced(void)
{
    g_autofree char *root = fake_root(20 * 1024 * 1024);
    put(root, "proc/self/cgroup",
        "9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n");
    put(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "6442450944\n");
    put(root, "sys/fs/cgroup/memory/memory.usage_in_bytes", "2147483648\n");
    put(root, "sys/fs/cgroup/memory/memory.stat",
        "cache 5\ntotal_inactive_file 0\n");
    g_assert_cmpuint(nl_memory_available_at(root), ==, 4 * GiB);
    put(root, "sys/fs/cgroup/memory/memory.limit_in_bytes",
        "9223372036854771712\n");
    g_assert_cmpuint(nl_memory_available_at(root), ==, 20 * GiB);
    nl_test_rmtree(root);
}

/* A limit below the usage leaves nothing; MemAvailable wins when lower. */
static void test_edges(void)
{
    g_autofree char *root = fake_root(1024 * 1024);
    put(root, "proc/self/cgroup", "0::/\n");
    put(root, "sys/fs/cgroup/memory.max", "8589934592\n");
    put(root, "sys/fs/cgroup/memory.current", "1024\n");
    g_assert_cmpuint(nl_memory_available_at(root), ==, GiB);
    put(root, "sys/fs/cgroup/memory.max", "1000\n");
    g_assert_cmpuint(nl_memory_available_at(root), ==, 0);
    nl_test_rmtree(root);
    g_autofree char *empty = g_dir_make_tmp("test-memory-XXXXXX", NULL);
    g_assert_cmpuint(nl_memory_available_at(empty), ==, G_MAXUINT64);
    g_rmdir(empty);
}

/* This machine: something between nothing and its RAM; the check says
 * in one line what does not fit. */
static void test_this_machine(void)
{
    guint64 avail = nl_memory_available();
    g_assert_cmpuint(avail, >, 0);
    double ram = (double)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
    g_assert_cmpfloat((double)avail, <=, ram);
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_memory_check(1e6, "a small table", &error));
    g_assert_false(nl_memory_check(ram * 2, "its values", &error));
    g_assert_error(error, NL_ALLOC_ERROR, NL_ALLOC_ERROR_NOMEM);
    g_assert_true(g_str_has_prefix(error->message, "its values need about "));
    g_assert_nonnull(strstr(error->message, "is available here"));
    g_assert_null(strchr(error->message, '\n'));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/meminfo-only", test_meminfo_only);
    g_test_add_func("/memory/cgroup-v2", test_cgroup_v2);
    g_test_add_func("/memory/cgroup-v1-namespaced", test_cgroup_v1_namespaced);
    g_test_add_func("/memory/edges", test_edges);
    g_test_add_func("/memory/this-machine", test_this_machine);
    return g_test_run();
}
