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
 * Every run in jobs of their own keeps a journal: one with --resume takes
 * it over when run.ini matches; otherwise the journal is emptied and made
 * this run's when its first job finishes, so that a run stopped before
 * that (bad input) changes nothing on disk. The journal is locked with
 * flock() while its run uses it (a second run of the same experiment into
 * the same folder goes without one), and removed once the set is
 * committed. Writing it is best effort: a journal entry
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
    char *identity; /* run.ini's contents */
    int lock;       /* -1 until the journal is used */
    gboolean fresh; /* emptied for this run (on its first entry) */
};

static char *identity(const NlEngine *e)
{
    return g_strdup_printf(
        "[run]\nnumlab=%s\nexperiment=%s\n"
        "experiment_version=%s\nparameters=%s\nseed=%" G_GUINT64_FORMAT "\n",
        PACKAGE_VERSION, e->exp->name, e->exp->version, e->params_text,
        e->req->seed);
}

/* Removes every file of the journal folder. */
static void clear(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_unlink(path);
    }
}

/* Locks the folder (made if need be); FALSE when another run holds it. */
static gboolean take(NlJournal *jr)
{
    if (jr->lock >= 0)
        return TRUE;
    if (g_mkdir(jr->dir, 0700) != 0 && errno != EEXIST)
        return FALSE;
    int fd = open(jr->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return FALSE;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return FALSE;
    }
    jr->lock = fd;
    return TRUE;
}

NlJournal *nl_journal_open(const NlEngine *e, gboolean resume)
{
    g_autofree char *outdir = g_path_get_dirname(e->dir);
    g_autofree char *name = g_strdup_printf(".%s.journal", e->exp->name);
    NlJournal *jr = g_new0(NlJournal, 1);
    jr->dir = g_build_filename(outdir, name, NULL);
    jr->identity = identity(e);
    jr->lock = -1;
    if (!resume) /* nothing on disk changes until a job has finished */
        return jr;
    g_autofree char *id_path = g_build_filename(jr->dir, "run.ini", NULL);
    g_autofree char *old_id = NULL;
    gboolean found = g_file_get_contents(id_path, &old_id, NULL, NULL);
    const char *why = NULL;
    if (!found)
        why = "no journal of an interrupted run there";
    else if (strcmp(old_id, jr->identity) != 0)
        why = "the journal there is of a run with other parameters, seed or "
              "versions";
    else if (!take(jr))
        why = "another run holds the journal there";
    if (why)
        g_printerr("numlab: %s: --resume: %s; running every job\n",
                   e->exp->name, why);
    else
        jr->fresh = TRUE; /* its entries are this run's */
    return jr;
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
    if (!jr || !jr->fresh) /* only a journal this run resumes is read */
        return NULL;
    g_autofree char *path = entry_path(jr, job);
    g_autoptr(GMappedFile) file = g_mapped_file_new(path, FALSE, NULL);
    return file ? g_mapped_file_get_bytes(file) : NULL;
}

void nl_journal_record(NlJournal *jr, const NlJob *job, GBytes *result)
{
    if (!jr)
        return;
    if (!jr->fresh) { /* the first entry: the journal becomes this run's */
        if (!take(jr))
            return; /* another run's: this one goes without */
        clear(jr->dir);
        g_autofree char *id_path = g_build_filename(jr->dir, "run.ini", NULL);
        if (!g_file_set_contents(id_path, jr->identity, -1, NULL))
            return;
        jr->fresh = TRUE;
    }
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
    if (finished && jr->fresh) {
        clear(jr->dir);
        g_rmdir(jr->dir);
    }
    if (jr->lock >= 0)
        close(jr->lock);
    g_free(jr->dir);
    g_free(jr->identity);
    g_free(jr);
}
