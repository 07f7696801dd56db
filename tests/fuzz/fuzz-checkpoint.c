/* fuzz-checkpoint.c — libFuzzer target for the MiniGPT checkpoint loader
 * (experiments/common/minigpt/checkpoint.c, doc/checkpoint-format.md): the
 * input is the checkpoint's bytes.
 *
 * Each input is loaded twice, from memory (nl_gpt_load_bytes) and as a
 * file (nl_gpt_load_file, which sizes its read from the header), and
 * checked: both agree, a refusal is one line, and an accepted checkpoint
 * is written back by nl_gpt_save_bytes as exactly the input (the format
 * has one encoding of a model). The model is not run. */
#include "config.h"

#include <numlab-minigpt/minigpt.h>

#include "fuzz-util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL, file_error = NULL;
    g_autoptr(NlGpt) m = nl_gpt_load_bytes(data, size, &error);
    g_autoptr(NlGpt) f = nl_gpt_load_file(fuzz_file(data, size), &file_error);
    FUZZ_CHECK(!m == !f, "from memory: %s; from a file: %s",
               error ? error->message : "loaded",
               file_error ? file_error->message : "loaded");
    if (!m) {
        FUZZ_CHECK_ONE_LINE(error);
        FUZZ_CHECK_ONE_LINE(file_error);
        /* the file says the same, after its name */
        FUZZ_CHECK(g_str_has_suffix(file_error->message, error->message),
                   "from memory: %s; from a file: %s", error->message,
                   file_error->message);
        return 0;
    }
    FUZZ_CHECK(error == NULL && file_error == NULL, "an error beside a model");
    gsize n = 0;
    g_autofree guint8 *again = nl_gpt_save_bytes(m, &n);
    FUZZ_CHECK(n == size && memcmp(again, data, size) == 0,
               "%zu bytes load and save as %" G_GSIZE_FORMAT " other bytes",
               size, n);
    g_autofree guint8 *from_file = nl_gpt_save_bytes(f, &n);
    FUZZ_CHECK(n == size && memcmp(from_file, data, size) == 0,
               "the file's model saves differently");
    return 0;
}
