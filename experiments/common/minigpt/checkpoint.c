/* checkpoint.c — MiniGPT checkpoints: the byte format of
 * doc/checkpoint-format.md, written and read.
 *
 * Reading trusts nothing: the header is checked (magic, version, every
 * configuration field against the limits of minigpt.h) before any size
 * derived from it is used, the file's length must be exactly what the
 * header implies, and every weight must be finite. Each failure is one
 * line; nothing is allocated from an unchecked size. */
#include "config.h"

#include <numlab-minigpt/minigpt.h>
#include <numlab/error.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HEADER_BYTES 36u /* magic 8, version, 5 config fields, vocab bytes */

static void put_u32(GByteArray *out, guint32 v)
{
    guint32 le = GUINT32_TO_LE(v);
    g_byte_array_append(out, (const guint8 *)&le, 4);
}

static guint32 get_u32(const guint8 *p)
{
    guint32 v;
    memcpy(&v, p, 4);
    return GUINT32_FROM_LE(v);
}

guint8 *nl_gpt_save_bytes(const NlGpt *m, gsize *length)
{
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, (const guint8 *)NL_GPT_CKPT_MAGIC, 8);
    put_u32(out, NL_GPT_CKPT_VERSION);
    put_u32(out, m->config.vocab_size);
    put_u32(out, m->config.context);
    put_u32(out, m->config.d_model);
    put_u32(out, m->config.n_layer);
    put_u32(out, m->config.n_head);
    guint32 vocab_bytes = 0;
    for (guint i = 0; i < m->config.vocab_size; i++)
        vocab_bytes += 1 + (guint32)strlen(nl_gpt_vocab_word(m->vocab, i));
    put_u32(out, vocab_bytes);
    for (guint i = 0; i < m->config.vocab_size; i++) {
        const char *w = nl_gpt_vocab_word(m->vocab, i);
        guint8 len = (guint8)strlen(w);
        g_byte_array_append(out, &len, 1);
        g_byte_array_append(out, (const guint8 *)w, len);
    }
    for (gsize k = 0; k < m->n_params; k++) {
        guint32 bits;
        memcpy(&bits, &m->params[k], 4);
        put_u32(out, bits);
    }
    *length = out->len;
    return g_byte_array_free(out, FALSE);
}

/* One line, FALSE (numlab/error.h); every format is a literal. */
#define fail(error, ...)                                                       \
    nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CHECKPOINT,                      \
            "checkpoint: " __VA_ARGS__)

/* Checks the header; *expected is the exact length of the whole file. */
static gboolean check_header(const guint8 *d, gsize length, NlGptConfig *c,
                             guint32 *vocab_bytes, gsize *n_params,
                             gsize *expected, GError **error)
{
    if (length < 8 || memcmp(d, NL_GPT_CKPT_MAGIC, 8))
        return fail(error, "not a MiniGPT checkpoint (no magic '%s')",
                    NL_GPT_CKPT_MAGIC);
    if (length < HEADER_BYTES)
        return fail(error,
                    "truncated: %" G_GSIZE_FORMAT " bytes, shorter "
                    "than the %u-byte header",
                    length, HEADER_BYTES);
    guint32 version = get_u32(d + 8);
    if (version != NL_GPT_CKPT_VERSION)
        return fail(error, "format version %u, this numlab reads version %u",
                    version, NL_GPT_CKPT_VERSION);
    c->vocab_size = get_u32(d + 12);
    c->context = get_u32(d + 16);
    c->d_model = get_u32(d + 20);
    c->n_layer = get_u32(d + 24);
    c->n_head = get_u32(d + 28);
    *vocab_bytes = get_u32(d + 32);
    g_autoptr(GError) local = NULL;
    if (!nl_gpt_config_check(c, n_params, &local))
        return fail(error, "%s", local->message);
    /* each word is 1 length byte + 1..255 bytes */
    if (*vocab_bytes < 2u * c->vocab_size ||
        *vocab_bytes > (NL_GPT_MAX_WORD + 1) * c->vocab_size)
        return fail(error, "a vocabulary of %u bytes cannot hold %u words",
                    *vocab_bytes, c->vocab_size);
    /* below 2^32 + 2^24 + 2^30: no overflow in 64 bits */
    *expected = HEADER_BYTES + (gsize)*vocab_bytes + 4 * *n_params;
    if (length < *expected)
        return fail(error,
                    "truncated: %" G_GSIZE_FORMAT " bytes, the header "
                    "promises %" G_GSIZE_FORMAT,
                    length, *expected);
    if (length > *expected)
        return fail(error, "%" G_GSIZE_FORMAT " bytes after the last tensor",
                    length - *expected);
    return TRUE;
}

NlGpt *nl_gpt_load_bytes(const guint8 *d, gsize length, GError **error)
{
    NlGptConfig c;
    guint32 vocab_bytes;
    gsize n_params, expected;
    if (!check_header(d, length, &c, &vocab_bytes, &n_params, &expected, error))
        return NULL;
    const guint8 *p = d + HEADER_BYTES, *end = p + vocab_bytes;
    g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < c.vocab_size; i++) {
        if (p >= end || p + 1 + *p > end) {
            fail(error,
                 "vocabulary word %u runs past the vocabulary's %u "
                 "bytes",
                 i, vocab_bytes);
            return NULL;
        }
        g_ptr_array_add(words, g_strndup((const char *)p + 1, *p));
        if (strlen(words->pdata[i]) != *p) {
            fail(error, "vocabulary word %u contains a NUL byte", i);
            return NULL;
        }
        p += 1 + *p;
    }
    if (p != end) {
        fail(error, "%" G_GSIZE_FORMAT " unused bytes after the vocabulary",
             (gsize)(end - p));
        return NULL;
    }
    g_autoptr(GError) local = NULL;
    NlGptVocab *vocab = nl_gpt_vocab_new((const char *const *)words->pdata,
                                         c.vocab_size, &local);
    if (!vocab) {
        fail(error, "%s", local->message);
        return NULL;
    }
    g_autoptr(NlGpt) m = nl_gpt_new(&c, vocab, error);
    if (!m)
        return NULL;
    for (gsize k = 0; k < n_params; k++) {
        guint32 bits = get_u32(end + 4 * k);
        memcpy(&m->params[k], &bits, 4);
        if (!isfinite(m->params[k])) {
            fail(error, "weight %" G_GSIZE_FORMAT " is not a finite number", k);
            return NULL;
        }
    }
    return g_steal_pointer(&m);
}

NlGpt *nl_gpt_load_file(const char *path, GError **error)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_IO, "%s: %s", path,
                    g_strerror(e));
        return NULL;
    }
    guint8 head[HEADER_BYTES];
    gsize got = fread(head, 1, sizeof head, f);
    gboolean seek_ok = fseek(f, 0, SEEK_END) == 0;
    long size = seek_ok ? ftell(f) : -1;
    g_autoptr(GError) local = NULL;
    NlGptConfig c;
    guint32 vb;
    gsize np, expected;
    if (size < 0) {
        fclose(f);
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_IO,
                    "%s: cannot find its size", path);
        return NULL;
    }
    /* the header decides the size; the file's length must match it before
     * anything of that size is allocated */
    if (!check_header(head, got < HEADER_BYTES ? got : (gsize)size, &c, &vb,
                      &np, &expected, &local)) {
        fclose(f);
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CHECKPOINT, "%s: %s",
                    path, local->message);
        return NULL;
    }
    guint8 *data = g_try_malloc(expected);
    gboolean ok = data && fseek(f, 0, SEEK_SET) == 0 &&
                  fread(data, 1, expected, f) == expected;
    fclose(f);
    if (!ok) {
        g_free(data);
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_IO,
                    "%s: cannot read %" G_GSIZE_FORMAT " bytes", path,
                    expected);
        return NULL;
    }
    NlGpt *m = nl_gpt_load_bytes(data, expected, &local);
    g_free(data);
    if (!m)
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_CHECKPOINT, "%s: %s",
                    path, local->message);
    return m;
}
