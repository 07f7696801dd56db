/* journal.c — what a run has finished so far, so that `numlab run
 * --resume` after a kill reruns only the rest.
 *
 * OUTDIR/.EXP.journal/ holds `run.ini`, what identifies the run (numlab's
 * version, the experiment and its version, the canonical parameters, the
 * seed), and one file per job that succeeded: the exact result its
 * process sent (isolate.c), written whole (a temporary, fsync, rename),
 * named by a hash of the job's label and its backend's version. A
 * resumed job is read back from those bytes as if its process had just
 * sent them, so a resumed set is bit for bit the set an uninterrupted run
 * writes.
 *
 * Every run in jobs of their own keeps a journal: a run without --resume
 * starts it empty, one with --resume keeps it when run.ini matches. The
 * journal is locked with flock() while its run lives (a second run of the
 * same experiment into the same folder goes without one), and removed
 * once the set is committed. Writing it is best effort: a journal entry
 * that cannot be written costs a rerun, never the run. */
#define _GNU_SOURCE /* O_DIRECTORY, O_CLOEXEC */
#include "config.h"

#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct NlJournal {
    char *dir;
    int lock;
};

static char *identity(const NlEngine *e)
{
    return g_strdup_printf(
        "[run]\nnumlab=%s\nexperiment=%s\n"
        "experiment_version=%s\nparameters=%s\nseed=%" G_GUINT64_FORMAT "\n",
        PACKAGE_VERSION, e->exp->name, e->exp->version, e->params_text,
        e->req->seed);
}

/* Empties the journal folder but for nothing. */
static void clear(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_unlink(path);
    }
}

NlJournal *nl_journal_open(const NlEngine *e, gboolean resume)
{
    g_autofree char *outdir = g_path_get_dirname(e->dir);
    g_autofree char *name = g_strdup_printf(".%s.journal", e->exp->name);
    g_autofree char *dir = g_build_filename(outdir, name, NULL);
    if (g_mkdir(dir, 0700) != 0 && errno != EEXIST)
        return NULL;
    int lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock < 0)
        return NULL;
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) { /* a live run's */
        close(lock);
        if (resume)
            g_printerr("numlab: %s: --resume: another run of %s into this "
                       "folder holds its journal; running every job\n",
                       e->exp->name, e->exp->name);
        return NULL;
    }
    g_autofree char *id = identity(e);
    g_autofree char *id_path = g_build_filename(dir, "run.ini", NULL);
    g_autofree char *old_id = NULL;
    gboolean same = resume &&
                    g_file_get_contents(id_path, &old_id, NULL, NULL) &&
                    strcmp(old_id, id) == 0;
    if (resume && !same)
        g_printerr("numlab: %s: --resume: %s; running every job\n",
                   e->exp->name,
                   old_id ? "the journal there is of a run with other "
                            "parameters, seed or versions"
                          : "no journal of an interrupted run there");
    if (!same) {
        clear(dir);
        g_file_set_contents(id_path, id, -1, NULL);
    }
    NlJournal *j = g_new0(NlJournal, 1);
    j->dir = g_steal_pointer(&dir);
    j->lock = lock;
    return j;
}

/* DIR/HASH.result for a job: its label and its backend's version. */
static char *entry_path(const NlJournal *jr, const NlJob *job)
{
    g_autofree char *key = g_strdup_printf(
        "%s\n%s", job->label,
        job->backend ? nl_backend_plugin(job->backend)->version : "");
    g_autofree char *hash =
        g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
    g_autofree char *file = g_strdup_printf("%s.result", hash);
    return g_build_filename(jr->dir, file, NULL);
}

GBytes *nl_journal_lookup(NlJournal *jr, const NlJob *job)
{
    if (!jr)
        return NULL;
    g_autofree char *path = entry_path(jr, job);
    g_autoptr(GMappedFile) file = g_mapped_file_new(path, FALSE, NULL);
    if (!file)
        return NULL;
    return g_mapped_file_get_bytes(file);
}

void nl_journal_record(NlJournal *jr, const NlJob *job, GBytes *result)
{
    if (!jr)
        return;
    g_autofree char *path = entry_path(jr, job);
    g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
    gsize len;
    const char *data = g_bytes_get_data(result, &len);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    gboolean ok = fd >= 0;
    for (gsize done = 0; ok && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        done += ok ? (gsize)n : 0;
    }
    ok = ok && fsync(fd) == 0;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    if (!ok || g_rename(tmp, path) != 0)
        g_unlink(tmp); /* a rerun, then, never a torn entry */
}

void nl_journal_close(NlJournal *jr, gboolean finished)
{
    if (!jr)
        return;
    if (finished) {
        clear(jr->dir);
        g_rmdir(jr->dir);
    }
    close(jr->lock);
    g_free(jr->dir);
    g_free(jr);
}
