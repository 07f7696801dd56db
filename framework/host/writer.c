/* writer.c — result files that are never torn.
 *
 * Every file is written to a temporary name in its own folder, flushed,
 * and renamed over the old one (g_file_set_contents_full with
 * G_FILE_SET_CONTENTS_CONSISTENT): a crash or a full disk leaves either
 * the complete old file or the complete new one. */
#include "config.h"

#include "host.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

gboolean nl_write_atomic(const char *path, const char *contents, gssize len,
                         GError **error)
{
    g_autoptr(GError) local = NULL;
    if (!g_file_set_contents_full(path, contents, len,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                  &local)) {
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT, "%s", local->message);
    }
    return TRUE;
}

gboolean nl_output_dir_prepare(const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        int e = errno;
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "cannot create output folder '%s': %s", dir,
                       g_strerror(e));
    }
    /* Probe with the same kind of file the writers create. */
    g_autofree char *probe =
        g_build_filename(dir, ".numlab-probe-XXXXXX", NULL);
    int fd = g_mkstemp(probe);
    if (fd < 0) {
        int e = errno;
        return nl_fail(error, NL_ERROR, NL_ERROR_OUTPUT,
                       "cannot write to output folder '%s': %s", dir,
                       g_strerror(e));
    }
    close(fd);
    g_unlink(probe);
    return TRUE;
}
