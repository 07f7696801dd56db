/* vocab.c — MiniGPT's word vocabulary: words are what lies between
 * spaces (punctuation is written as a word of its own: "sofa ."), token 0
 * is <EOS>. No subwords, no normalisation: the corpus is written lower
 * case, and a word the vocabulary lacks is an error, not an <UNK>. */
#include "config.h"

#include <numlab-minigpt/minigpt.h>
#include <numlab/error.h>

#include <string.h>

G_DEFINE_QUARK(nl - gpt - error - quark, nl_gpt_error)

struct NlGptVocab {
    GPtrArray *words;  /* char*, index = token */
    GHashTable *index; /* word -> token + 1 */
};

void nl_gpt_vocab_free(NlGptVocab *v)
{
    if (!v)
        return;
    g_ptr_array_unref(v->words);
    g_hash_table_unref(v->index);
    g_free(v);
}

/* A word is 1 to NL_GPT_MAX_WORD bytes of UTF-8 without space or any
 * ASCII control character. The error names the rule that failed, never
 * the word's bytes: a rejected word may hold a newline or broken UTF-8,
 * and the message must stay one printable line. */
static gboolean word_ok(const char *w, GError **error)
{
    gsize len = strlen(w);
    const char *why = NULL;
    if (len == 0)
        why = "is empty";
    else if (len > NL_GPT_MAX_WORD)
        why = "is longer than the limit";
    else if (!g_utf8_validate(w, -1, NULL))
        why = "is not UTF-8";
    else
        for (const char *c = w; *c && !why; c++)
            if ((unsigned char)*c <= 0x20 || *c == 0x7f)
                why = "contains a space or a control character";
    if (why) {
        return nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB,
                       "a vocabulary word (%" G_GSIZE_FORMAT " bytes) %s "
                       "(words: 1 to %u bytes of UTF-8, no space, no control "
                       "character)",
                       len, why, NL_GPT_MAX_WORD);
    }
    return TRUE;
}

NlGptVocab *nl_gpt_vocab_new(const char *const *words, guint n, GError **error)
{
    if (n < 2 || n > NL_GPT_MAX_VOCAB || strcmp(words[0], NL_GPT_EOS_WORD)) {
        g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB,
                    "a vocabulary needs 2 to %u words, the first one %s",
                    NL_GPT_MAX_VOCAB, NL_GPT_EOS_WORD);
        return NULL;
    }
    g_autoptr(NlGptVocab) v = g_new0(NlGptVocab, 1);
    v->words = g_ptr_array_new_with_free_func(g_free);
    v->index = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < n; i++) {
        if (!word_ok(words[i], error))
            return NULL;
        char *w = g_strdup(words[i]);
        g_ptr_array_add(v->words, w);
        if (!g_hash_table_insert(v->index, w, GUINT_TO_POINTER(i + 1))) {
            g_set_error(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB,
                        "vocabulary word '%s' appears twice", words[i]);
            return NULL;
        }
    }
    return g_steal_pointer(&v);
}

static int compare_words(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

NlGptVocab *nl_gpt_vocab_new_from_text(const char *text, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    g_auto(GStrv) parts = g_strsplit_set(text, " \t\r\n", -1);
    g_autoptr(GPtrArray) list = g_ptr_array_new();
    for (guint i = 0; parts[i]; i++)
        if (parts[i][0] && strcmp(parts[i], NL_GPT_EOS_WORD) &&
            g_hash_table_add(seen, parts[i]))
            g_ptr_array_add(list, parts[i]);
    g_ptr_array_sort(list, compare_words);
    g_ptr_array_insert(list, 0, (gpointer)NL_GPT_EOS_WORD);
    return nl_gpt_vocab_new((const char *const *)list->pdata, list->len, error);
}

guint nl_gpt_vocab_size(const NlGptVocab *v)
{
    return v->words->len;
}

const char *nl_gpt_vocab_word(const NlGptVocab *v, guint32 token)
{
    return token < v->words->len ? v->words->pdata[token] : "?";
}

gboolean nl_gpt_vocab_encode(const NlGptVocab *v, const char *text,
                             gboolean eos_per_line, guint32 **tokens, gsize *n,
                             GError **error)
{
    g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(guint32));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (guint l = 0; lines[l]; l++) {
        g_auto(GStrv) words = g_strsplit_set(lines[l], " \t\r", -1);
        gsize before = out->len;
        for (guint i = 0; words[i]; i++) {
            if (!words[i][0])
                continue;
            gpointer id = g_hash_table_lookup(v->index, words[i]);
            if (!id) {
                return nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_VOCAB,
                               "the word '%.40s' is not in the vocabulary",
                               words[i]);
            }
            guint32 t = GPOINTER_TO_UINT(id) - 1;
            g_array_append_val(out, t);
        }
        if (eos_per_line && out->len > before) {
            guint32 eos = NL_GPT_EOS;
            g_array_append_val(out, eos);
        }
    }
    *n = out->len;
    *tokens = (guint32 *)(void *)g_array_free(g_steal_pointer(&out), FALSE);
    return TRUE;
}
