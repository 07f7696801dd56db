/* test-util.h — what the integration tests share: running the numlab
 * binary of the build tree, temporary folders, and reading .dat files
 * back with a parser of their own (independent of the writer). */
#ifndef NL_TEST_UTIL_H
#define NL_TEST_UTIL_H

#include <glib.h>

typedef struct {
    int status; /* exit status, or -1 if it did not exit normally */
    char *out;  /* stdout */
    char *err;  /* stderr */
} NlCmd;

/* Runs build-tree numlab with args (NULL-terminated); env_extra holds
 * "NAME=VALUE" entries added to the environment (may be NULL). */
NlCmd *nl_test_numlab(char **env_extra, ...) G_GNUC_NULL_TERMINATED;
/* The same with the arguments as a NULL-terminated array. */
NlCmd *nl_test_numlab_argv(char **env_extra, char **args);
void nl_cmd_free(NlCmd *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlCmd, nl_cmd_free)
/* Number of lines in s. */
guint nl_test_count_lines(const char *s);

/* A fresh empty folder under the test tmpdir; removed by nl_test_rmtree. */
char *nl_test_tmpdir(void);
void nl_test_rmtree(const char *dir);

/* A .dat file read back: datasets of rows of text cells. */
typedef struct {
    GPtrArray *comments; /* char*, the "# ..." header lines without "# " */
    GPtrArray *datasets; /* GPtrArray of rows; a row is a GStrv */
} NlDat;

NlDat *nl_dat_read(const char *path);
void nl_dat_free(NlDat *dat);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlDat, nl_dat_free)
/* Cell text (quotes removed) of row r in dataset d, column c. */
const char *nl_dat_cell(const NlDat *dat, guint d, guint r, guint c);
guint nl_dat_rows(const NlDat *dat, guint d);
double nl_dat_double(const NlDat *dat, guint d, guint r, guint c);
/* The header comment line that starts with prefix, or NULL. */
const char *nl_dat_comment(const NlDat *dat, const char *prefix);

/* The first len standard-normal float32 values of numlab's stream of
 * `seed` (numlab/rng.h), in a g_new block: an experiment's inputs. */
float *nl_test_normals(guint64 seed, gsize len);

/* float32 sums in three fixed orders, written here for the tests: left
 * to right, right to left, and pairwise (halves, recursively). */
float nl_test_sum_forward(const float *x, gsize n);
float nl_test_sum_reversed(const float *x, gsize n);
float nl_test_sum_pairwise(const float *x, gsize n);

/* The documented tile tree (numlab/backend.h), written level by level,
 * independently of every backend and experiment: tiles summed left to
 * right, then neighbours added in pairs, an odd last one carried up.
 * 0 for len = 0. */
float nl_test_tile_tree(const float *x, gsize len, gsize tile);

#endif /* NL_TEST_UTIL_H */
