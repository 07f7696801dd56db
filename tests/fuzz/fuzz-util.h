/* fuzz-util.h — what the libFuzzer targets in tests/fuzz/ share: a check
 * that aborts (a finding, kept by libFuzzer as a crash), GLib criticals and
 * warnings made fatal (a parser that complains to the log instead of
 * returning its error is a finding too), the input as a C string, and the
 * input as the content of a file. Header-only: each target is one program.
 * Nothing here decides what a target feeds to the code under test. */
#ifndef NL_FUZZ_UTIL_H
#define NL_FUZZ_UTIL_H

#include <glib.h>
#include <glib/gstdio.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold; abort() names it and where. */
#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz finding at %s:%d: %s: ", __FILE__, __LINE__, \
                    #cond);                                                    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* Whether text holds a control character (a newline, a CR, an escape). */
static inline int fuzz_has_control(const char *text)
{
    for (; *text; text++)
        if (g_ascii_iscntrl(*text))
            return 1;
    return 0;
}

/* A failure must be one line with a reason: a GError with a message that
 * is not empty and holds no control character, whatever it quotes. */
#define FUZZ_CHECK_ONE_LINE(error)                                             \
    FUZZ_CHECK((error) != NULL && (error)->message[0] != '\0' &&               \
                   !fuzz_has_control((error)->message),                        \
               "not one line: '%s'",                                           \
               (error) ? (error)->message : "(no error)")

static inline void fuzz_init(void)
{
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* The input up to its first NUL, NUL-terminated; g_free it. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    return g_strndup((const char *)data, size);
}

/* A file in a folder of this process that holds exactly the input; the
 * same path every time (the folder is removed at exit). */
static const char *fuzz_file_dir;

static inline void fuzz_file_cleanup(void)
{
    g_autofree char *path = g_build_filename(fuzz_file_dir, "input", NULL);
    g_remove(path);
    g_rmdir(fuzz_file_dir);
}

static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
    static char *path;
    if (!path) {
        fuzz_file_dir = g_dir_make_tmp("numlab-fuzz-XXXXXX", NULL);
        FUZZ_CHECK(fuzz_file_dir != NULL, "cannot make a temporary folder");
        path = g_build_filename(fuzz_file_dir, "input", NULL);
        atexit(fuzz_file_cleanup);
    }
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL, "cannot write %s", path);
    FUZZ_CHECK(fwrite(data, 1, size, f) == size && fclose(f) == 0,
               "cannot write %s", path);
    return path;
}

#endif /* NL_FUZZ_UTIL_H */
