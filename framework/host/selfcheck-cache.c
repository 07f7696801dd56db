/* selfcheck-cache.c — a backend's self-check verdict kept between runs,
 * under a key made of everything that decides it.
 *
 * The self-check proves a backend's kernels on this machine with these
 * libraries (selfcheck.c). The verdict cannot change while none of its
 * causes does, so a trial's outcome is kept in the cache folder
 * (NUMLAB_CACHE_DIR, else ~/.cache/numlab; self-check/KEY.ini) and the
 * next process that opens the same backend adopts it instead of starting
 * a trial: the main job opens 30 backends, and an mpi backend's trial
 * costs 1-2.6 s of starting ranks and round trips on a 2-core machine.
 *
 * The key is the SHA-256 of a text that lists, one line each:
 *   - numlab's version and the stamp (device, inode, size, mtime) of the
 *     executable that holds the check's cases and exact values;
 *   - the backend label with its options, the module, and every file in
 *     the module's folder (and in its parent when that is libtool's .libs:
 *     the build tree), which covers programs the backend starts, such as
 *     mpi's worker;
 *   - every shared object loaded in this process (OpenBLAS, libgomp,
 *     MPFR, libnumlab, ...), by path and stamp, but the other plugins'
 *     modules, which cannot change this backend's verdict;
 *   - the CPU as /proc/cpuinfo names it (vendor, family, model, stepping,
 *     microcode, flags), the number of processors and the host name;
 *   - the environment the libraries read: PATH, LD_*, OPENBLAS_*, GOTO_*,
 *     OMP_*, GOMP_*, KMP_*, MKL_*, OMPI_*, OPAL_*, PMIX_*, PRTE_*, CUDA_*,
 *     NVIDIA_*, NUMLAB_*, NL_* and G_*;
 *   - the stamp of dpkg's status file, which every package installation
 *     or upgrade changes (a new Open MPI under mpi's worker, say).
 * A change to any of them is a new key, and the backend is checked again.
 * A backend may load libraries only when it is opened (blas and cuda load
 * their companion, and with it OpenBLAS or cuBLAS: numlab/companion.h),
 * which the key, made before, cannot list. So the trial also writes every
 * library its process has loaded once the backend opened into the
 * verdict (nl_self_check_libraries_save), and a verdict whose libraries
 * changed since (an OpenBLAS swapped by update-alternatives, say) is not
 * adopted but checked again.
 * Only verdicts of backends that opened are kept: a trial that failed,
 * crashed or hung runs again each time. Processes that need the same
 * verdict at once (the main job's experiments side by side) take turns
 * on KEY.lock: the first runs the trial, the others wait and adopt its
 * verdict instead of running the same trial beside it. NUMLAB_SELF_CHECK=fresh
 * checks anyway (and keeps the new verdict); NUMLAB_SELF_CHECK=explain prints
 * each key's lines, to see why a verdict was not reused; NUMLAB_CACHE_DIR=off
 * keeps none. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include "config.h"

#include "host.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define FORMAT "numlab self-check verdict 1"

/* For g_ptr_array_sort, which hands over pointers to the elements. */
static gint by_text(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_stamp(GPtrArray *lines, const char *what, const char *path)
{
    g_autofree char *stamp = nl_file_stamp(path);
    g_ptr_array_add(lines, g_strdup_printf("%s %s %s", what, path,
                                           stamp ? stamp : "missing"));
}

/* Every regular file in `dir`, sorted. */
static void add_folder(GPtrArray *lines, const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    if (!d) {
        g_ptr_array_add(lines, g_strdup_printf("folder %s unreadable", dir));
        return;
    }
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n; (n = g_dir_read_name(d));)
        g_ptr_array_add(names, g_build_filename(dir, n, NULL));
    g_ptr_array_sort(names, by_text);
    for (guint i = 0; i < names->len; i++)
        if (g_file_test(names->pdata[i], G_FILE_TEST_IS_REGULAR))
            add_stamp(lines, "file", names->pdata[i]);
}

static int add_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    GPtrArray *objects = data;
    if (info->dlpi_name && info->dlpi_name[0] == '/')
        g_ptr_array_add(objects, g_strdup(info->dlpi_name));
    return 0;
}

/* Whether `path` is a plugin's module: another backend's or an
 * experiment's code cannot change this backend's verdict, and a student
 * rebuilding an experiment should not have every backend checked again. */
static gboolean is_plugin_module(const char *path)
{
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle)
        return FALSE;
    gboolean plugin = dlsym(handle, NL_PLUGIN_ENTRY_SYMBOL) != NULL;
    dlclose(handle);
    return plugin;
}

#define LIBRARIES "libraries"

void nl_self_check_libraries_save(GKeyFile *kf, const char *group)
{
    g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func(g_free);
    dl_iterate_phdr(add_object, objects);
    g_ptr_array_sort(objects, by_text);
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < objects->len; i++) {
        g_autofree char *stamp = nl_file_stamp(objects->pdata[i]);
        if (stamp)
            g_ptr_array_add(lines, g_strdup_printf("%s %s", stamp,
                                                   (char *)objects->pdata[i]));
    }
    g_key_file_set_string_list(kf, group, LIBRARIES,
                               (const char *const *)lines->pdata, lines->len);
}

gboolean nl_self_check_libraries_unchanged(GKeyFile *kf, const char *group,
                                           char **changed)
{
    gsize n = 0;
    g_auto(GStrv) lines =
        g_key_file_get_string_list(kf, group, LIBRARIES, &n, NULL);
    for (gsize i = 0; i < n; i++) {
        /* "STAMP PATH": the stamp has no space (nl_file_stamp) */
        const char *path = strchr(lines[i], ' ');
        g_autofree char *kept =
            path ? g_strndup(lines[i], path - lines[i]) : NULL;
        g_autofree char *stamp = path ? nl_file_stamp(path + 1) : NULL;
        if (!path || g_strcmp0(kept, stamp) != 0) {
            *changed = g_strdup(path ? path + 1 : lines[i]);
            return FALSE;
        }
    }
    return TRUE;
}

static void add_loaded(GPtrArray *lines, const char *module)
{
    g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func(g_free);
    dl_iterate_phdr(add_object, objects);
    g_ptr_array_sort(objects, by_text);
    for (guint i = 0; i < objects->len; i++)
        if (strcmp(objects->pdata[i], module) == 0 ||
            !is_plugin_module(objects->pdata[i]))
            add_stamp(lines, "loaded", objects->pdata[i]);
}

/* The first processor's identity from /proc/cpuinfo. */
static void add_cpu(GPtrArray *lines)
{
    static const char *const fields[] = {
        "vendor_id", "cpu family", "model", "model name",
        "stepping",  "microcode",  "flags"};
    g_autofree char *text = NULL;
    if (g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL)) {
        char *end = strstr(text, "\n\n");
        if (end)
            *end = '\0';
        g_auto(GStrv) rows = g_strsplit(text, "\n", -1);
        for (char **r = rows; *r; r++) {
            g_autofree char *name = g_strstrip(g_strndup(*r, strcspn(*r, ":")));
            for (guint f = 0; f < G_N_ELEMENTS(fields); f++)
                if (strcmp(name, fields[f]) == 0)
                    g_ptr_array_add(lines, g_strdup_printf("cpu %s", *r));
        }
    }
    g_ptr_array_add(lines,
                    g_strdup_printf("processors %u", g_get_num_processors()));
    g_ptr_array_add(lines, g_strdup_printf("host %s", g_get_host_name()));
}

static gboolean library_reads(const char *name)
{
    static const char *const prefixes[] = {
        "LD_",     "OPENBLAS_", "GOTO_", "OMP_",  "GOMP_", "KMP_",
        "MKL_",    "OMPI_",     "OPAL_", "PMIX_", "PRTE_", "CUDA_",
        "NVIDIA_", "NUMLAB_",   "NL_",   "G_"};
    if (strcmp(name, "PATH") == 0)
        return TRUE;
    if (strcmp(name, "NUMLAB_CACHE_DIR") == 0 ||
        strcmp(name, "NUMLAB_SELF_CHECK") == 0)
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(prefixes); i++)
        if (g_str_has_prefix(name, prefixes[i]))
            return TRUE;
    return FALSE;
}

static void add_environment(GPtrArray *lines)
{
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GPtrArray) kept = g_ptr_array_new();
    for (char **e = env; *e; e++) {
        g_autofree char *name = g_strndup(*e, strcspn(*e, "="));
        if (library_reads(name))
            g_ptr_array_add(kept, *e);
    }
    g_ptr_array_sort(kept, by_text);
    for (guint i = 0; i < kept->len; i++)
        g_ptr_array_add(lines,
                        g_strdup_printf("env %s", (char *)kept->pdata[i]));
}

/* The lines the key digests. */
static GPtrArray *key_lines(const char *module, const char *label)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(lines, g_strdup(FORMAT));
    g_ptr_array_add(lines, g_strdup("numlab " PACKAGE_VERSION));
    const char *exe = nl_host_executable();
    add_stamp(lines, "checker", exe ? exe : "/proc/self/exe");
    g_ptr_array_add(lines, g_strdup_printf("backend %s", label));
    add_stamp(lines, "module", module);
    g_autofree char *dir = g_path_get_dirname(module);
    add_folder(lines, dir);
    g_autofree char *base = g_path_get_basename(dir);
    if (strcmp(base, ".libs") == 0) {
        g_autofree char *up = g_path_get_dirname(dir);
        add_folder(lines, up);
    }
    add_loaded(lines, module);
    add_cpu(lines);
    add_environment(lines);
    add_stamp(lines, "packages", "/var/lib/dpkg/status");
    return lines;
}

char *nl_self_check_cache_key(const char *module, const char *label)
{
    g_autofree char *dir = nl_host_cache_path("self-check");
    if (!dir)
        return NULL;
    g_autoptr(GPtrArray) lines = key_lines(module, label);
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    for (guint i = 0; i < lines->len; i++) {
        g_checksum_update(sum, lines->pdata[i], strlen(lines->pdata[i]));
        g_checksum_update(sum, (const guchar *)"\n", 1);
    }
    if (g_strcmp0(g_getenv("NUMLAB_SELF_CHECK"), "explain") == 0)
        for (guint i = 0; i < lines->len; i++)
            g_printerr("numlab: self-check key %.12s: %s\n",
                       g_checksum_get_string(sum), (char *)lines->pdata[i]);
    return g_strdup(g_checksum_get_string(sum));
}

static char *verdict_path(const char *key)
{
    g_autofree char *dir = nl_host_cache_path("self-check");
    if (!dir)
        return NULL;
    g_autofree char *name = g_strdup_printf("%s.ini", key);
    return g_build_filename(dir, name, NULL);
}

char *nl_self_check_cache_load(const char *key)
{
    if (g_strcmp0(g_getenv("NUMLAB_SELF_CHECK"), "fresh") == 0)
        return NULL;
    g_autofree char *path = verdict_path(key);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (!path || !g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
        return NULL;
    g_autofree char *outcome =
        g_key_file_get_string(kf, "trial", "outcome", NULL);
    g_autofree char *checked =
        g_key_file_get_string(kf, "kept", "checked", NULL);
    if (g_strcmp0(outcome, "opened") != 0 || !checked)
        return NULL;
    g_key_file_set_string(kf, "self-check", "kept", checked);
    return g_key_file_to_data(kf, NULL, NULL);
}

void nl_self_check_cache_store(const char *key, const char *trial_out)
{
    g_autofree char *path = verdict_path(key);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (!path || !g_key_file_load_from_data(kf, trial_out, (gsize)-1,
                                            G_KEY_FILE_NONE, NULL))
        return;
    g_autofree char *outcome =
        g_key_file_get_string(kf, "trial", "outcome", NULL);
    if (g_strcmp0(outcome, "opened") != 0)
        return;
    g_autoptr(GDateTime) now = g_date_time_new_now_local();
    g_autofree char *date = g_date_time_format(now, "%Y-%m-%d %H:%M");
    g_key_file_set_string(kf, "kept", "checked", date);
    g_key_file_set_comment(kf, "kept", NULL,
                           " a self-check verdict numlab keeps; delete the "
                           "file to check again",
                           NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *data = g_key_file_to_data(kf, NULL, NULL);
    if (g_mkdir_with_parents(dir, 0755) == 0)
        g_file_set_contents(path, data, -1, NULL);
}

int nl_self_check_cache_lock(const char *key)
{
    if (g_strcmp0(g_getenv("NUMLAB_SELF_CHECK"), "fresh") == 0)
        return -1; /* nothing to share: every process checks */
    g_autofree char *ini = verdict_path(key);
    if (!ini)
        return -1;
    g_autofree char *dir = g_path_get_dirname(ini);
    g_autofree char *path =
        g_strdup_printf("%.*s.lock", (int)(strlen(ini) - 4), ini);
    if (g_mkdir_with_parents(dir, 0755) != 0)
        return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX) != 0)
        if (errno != EINTR) {
            close(fd);
            return -1; /* no lock: the trial runs anyway */
        }
    return fd;
}
