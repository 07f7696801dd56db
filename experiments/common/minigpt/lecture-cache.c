/* lecture-cache.c — the lecture model, trained once and kept on disk.
 *
 * Four experiments (inside, logprob, devices, and out-of-tree ones) need
 * the lecture model trained on the host with the run's seed; each ran the
 * same 400 steps again, in every run. nl_gpt_lecture_model now looks in a
 * cache first. An entry is keyed by everything that determines the model's
 * bits:
 *   - the seed, the model configuration and every training setting;
 *   - the corpus (its SHA-256);
 *   - the code that computes them: the SHA-256 of the files of
 *     libnumlab-minigpt, libnumlab and libm as loaded in this process
 *     (a rebuilt library is another key, even if only its order changed);
 *   - the vector units the CPU offers (libm chooses its code by them).
 * Two processes that need the same model at once do not both train it:
 * the entry's lock file (flock) makes the second wait for the first and
 * then read what it wrote. An entry is written whole (a temporary file
 * renamed into place), and a file that does not load is trained again and
 * replaced. NUMLAB_CACHE_DIR names the folder (default: the user's cache
 * folder, ~/.cache/numlab); "off" or an empty value turns the cache off.
 * A folder that cannot be written costs only the training, never the
 * run. */
#define _GNU_SOURCE /* dladdr */
#include "config.h"

#include <numlab-minigpt/lecture.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <numlab/reference.h>

#define CACHE_FORMAT 1 /* of the key text and the .ini beside each entry */

/* SHA-256 of the file that holds the code at `symbol`, or "?" when it
 * cannot be found (then every run trains: no key could be trusted). */
static char *file_digest(const void *symbol)
{
    Dl_info info;
    if (!symbol || !dladdr(symbol, &info) || !info.dli_fname)
        return NULL;
    g_autofree char *bytes = NULL;
    gsize len;
    if (!g_file_get_contents(info.dli_fname, &bytes, &len, NULL))
        return NULL;
    return g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)bytes, len);
}

/* The key: one line per input of the model's bits. NULL when the code's
 * files cannot be read. */
static char *cache_key(guint64 seed, const NlGptConfig *mc,
                       const NlGptTrainConfig *tc)
{
    g_autofree char *text = nl_gpt_lecture_text();
    g_autofree char *corpus =
        g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
    g_autofree char *gpt = file_digest((const void *)nl_gpt_lecture_model);
    g_autofree char *core = file_digest((const void *)nl_ref_gemm_f32);
    g_autofree char *libm = file_digest((const void *)tanhf);
    if (!gpt || !core || !libm)
        return NULL;
    __builtin_cpu_init();
    char lr[G_ASCII_DTOSTR_BUF_SIZE], b1[G_ASCII_DTOSTR_BUF_SIZE],
        b2[G_ASCII_DTOSTR_BUF_SIZE], eps[G_ASCII_DTOSTR_BUF_SIZE],
        wd[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup_printf(
        "format=%d\nseed=%" G_GUINT64_FORMAT "\n"
        "model=V%u T%u C%u L%u H%u\n"
        "train=B%u steps%u lr%s beta1 %s beta2 %s eps%s decay%s\n"
        "corpus=%s\nlibnumlab-minigpt=%s\nlibnumlab=%s\nlibm=%s\n"
        "cpu=sse4.2:%d avx2:%d fma:%d avx512f:%d\n",
        CACHE_FORMAT, seed, mc->vocab_size, mc->context, mc->d_model,
        mc->n_layer, mc->n_head, tc->batch, tc->steps,
        g_ascii_dtostr(lr, sizeof lr, tc->lr),
        g_ascii_dtostr(b1, sizeof b1, tc->beta1),
        g_ascii_dtostr(b2, sizeof b2, tc->beta2),
        g_ascii_dtostr(eps, sizeof eps, tc->eps),
        g_ascii_dtostr(wd, sizeof wd, tc->weight_decay), corpus, gpt, core,
        libm, __builtin_cpu_supports("sse4.2") != 0,
        __builtin_cpu_supports("avx2") != 0, __builtin_cpu_supports("fma") != 0,
        __builtin_cpu_supports("avx512f") != 0);
}

char *nl_gpt_lecture_cache_dir(void)
{
    const char *env = g_getenv("NUMLAB_CACHE_DIR");
    if (env && (!*env || strcmp(env, "off") == 0))
        return NULL;
    if (env)
        return g_build_filename(env, "minigpt", NULL);
    return g_build_filename(g_get_user_cache_dir(), "numlab", "minigpt", NULL);
}

/* The entry of a key: DIR/lecture-SEED-DIGEST (.ckpt, .ini, .lock). */
static char *entry_stem(const char *dir, guint64 seed, const char *key)
{
    g_autofree char *digest =
        g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
    digest[16] = '\0';
    g_autofree char *name =
        g_strdup_printf("lecture-%" G_GUINT64_FORMAT "-%s", seed, digest);
    return g_build_filename(dir, name, NULL);
}

/* The model of an entry, when both files are there, it loads and its
 * .ini names this very key; NULL otherwise. */
static NlGpt *entry_read(const char *stem, const char *key,
                         const NlGptConfig *mc, NlGptLectureSummary *summary)
{
    g_autofree char *ini = g_strconcat(stem, ".ini", NULL);
    g_autofree char *ckpt = g_strconcat(stem, ".ckpt", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (!g_key_file_load_from_file(kf, ini, G_KEY_FILE_NONE, NULL))
        return NULL;
    g_autofree char *stored = g_key_file_get_string(kf, "entry", "key", NULL);
    if (!stored || strcmp(stored, key) != 0)
        return NULL;
    g_autoptr(NlGpt) m = nl_gpt_load_file(ckpt, NULL);
    if (!m || memcmp(&m->config, mc, sizeof *mc) != 0)
        return NULL;
    if (summary) {
        summary->first_loss =
            g_key_file_get_double(kf, "summary", "first_loss", NULL);
        summary->final_loss =
            g_key_file_get_double(kf, "summary", "final_loss", NULL);
        summary->seconds =
            g_key_file_get_double(kf, "summary", "seconds", NULL);
    }
    return g_steal_pointer(&m);
}

/* Writes the checkpoint, then the .ini that makes it valid; each file
 * whole or not at all. A failure only means the next run trains too. */
static void entry_write(const char *stem, const char *key, const NlGpt *m,
                        const NlGptLectureSummary *s)
{
    gsize len;
    g_autofree guint8 *bytes = nl_gpt_save_bytes(m, &len);
    g_autofree char *ckpt = g_strconcat(stem, ".ckpt", NULL);
    g_autofree char *ini = g_strconcat(stem, ".ini", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_key_file_set_string(kf, "entry", "key", key);
    g_key_file_set_double(kf, "summary", "first_loss", s->first_loss);
    g_key_file_set_double(kf, "summary", "final_loss", s->final_loss);
    g_key_file_set_double(kf, "summary", "seconds", s->seconds);
    gsize ini_len;
    g_autofree char *ini_text = g_key_file_to_data(kf, &ini_len, NULL);
    g_unlink(ini); /* no .ini may vouch for a checkpoint being replaced */
    if (!g_file_set_contents(ckpt, (const char *)bytes, (gssize)len, NULL) ||
        !g_file_set_contents(ini, ini_text, (gssize)ini_len, NULL))
        g_unlink(ini);
}

/* The lock of an entry, held until closed; -1 when it cannot be taken
 * (then the caller trains without the cache). */
static int entry_lock(const char *dir, const char *stem)
{
    if (g_mkdir_with_parents(dir, 0755) != 0)
        return -1;
    g_autofree char *path = g_strconcat(stem, ".lock", NULL);
    int fd = g_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX) != 0)
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    return fd;
}

/* Trains the lecture model (nl_gpt_lecture_model without the cache). */
static NlGpt *train(guint64 seed, NlGptLectureStepFn on_step, gpointer user,
                    NlGptLectureSummary *summary, GError **error)
{
    g_autofree char *text = nl_gpt_lecture_text();
    g_autoptr(NlGptVocab) vocab = nl_gpt_vocab_new_from_text(text, error);
    if (!vocab)
        return NULL;
    g_autofree guint32 *data = NULL;
    gsize n_data;
    if (!nl_gpt_vocab_encode(vocab, text, TRUE, &data, &n_data, error))
        return NULL;
    NlGptConfig mc;
    NlGptTrainConfig tc;
    nl_gpt_lecture_config(nl_gpt_vocab_size(vocab), seed, &mc, &tc);
    g_autoptr(NlGpt) m = nl_gpt_new(&mc, g_steal_pointer(&vocab), error);
    if (!m || !nl_gpt_lecture_train(m, &tc, data, n_data, NULL, on_step, user,
                                    summary, error))
        return NULL;
    return g_steal_pointer(&m);
}

NlGpt *nl_gpt_lecture_model(guint64 seed, NlGptLectureStepFn on_step,
                            gpointer user, NlGptLectureSummary *summary,
                            GError **error)
{
    g_autofree char *dir = nl_gpt_lecture_cache_dir();
    if (!dir)
        return train(seed, on_step, user, summary, error);
    /* the configuration needs the vocabulary's size */
    g_autofree char *text = nl_gpt_lecture_text();
    g_autoptr(NlGptVocab) vocab = nl_gpt_vocab_new_from_text(text, error);
    if (!vocab)
        return NULL;
    NlGptConfig mc;
    NlGptTrainConfig tc;
    nl_gpt_lecture_config(nl_gpt_vocab_size(vocab), seed, &mc, &tc);
    g_autofree char *key = cache_key(seed, &mc, &tc);
    if (!key)
        return train(seed, on_step, user, summary, error);
    g_autofree char *stem = entry_stem(dir, seed, key);
    int lock = entry_lock(dir, stem);
    NlGpt *m = lock >= 0 ? entry_read(stem, key, &mc, summary) : NULL;
    if (!m) {
        NlGptLectureSummary s = {NAN, NAN, NAN};
        m = train(seed, on_step, user, &s, error);
        if (m && lock >= 0)
            entry_write(stem, key, m, &s);
        if (summary)
            *summary = s;
    }
    if (lock >= 0)
        close(lock); /* releases the flock */
    return m;
}
