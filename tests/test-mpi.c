/* test-mpi.c — the mpi backend's bits, and its failures.
 *
 * Bits (the backend opened as the host opens it, self-check included):
 *  - one rank is numlab's reference order: sum, dot, gemv, gemm and
 *    softmax at ranks=1 give the bits of nl_ref_* (the naive backend's),
 *    and sum those of the left-to-right sum written in test-util.c;
 *  - invariant=1 gives one result at 1, 2, 3 and 4 ranks and under every
 *    allreduce algorithm, and its sum is the tile tree of chunks written
 *    in test-util.c, bit for bit;
 *  - without it, the rank count changes bits (gemv rows at 2, 3 and 4
 *    ranks against 1) and so does the algorithm at 4 ranks.
 * Failures (numlab run, as a user meets them), each one line and no hang,
 * with the naive job's results written beside: ranks=0; more ranks than
 * the launcher's slots with oversubscribe=0; no launcher; a rank that dies
 * in the middle of a kernel (NUMLAB_MPI_TEST_DIE, worker.c).
 * Figure A8's experiment (devices) on mpi jobs: one rank gives naive's
 * bits, three ranks others, invariant=1 the same at 2 and 3 ranks.
 * The conformance suite (test-conformance.c) checks the kernels against
 * exact values at 1 to 4 ranks. Skips where Open MPI cannot start. */
#include "config.h"

#include "../backends/mpi/protocol.h"
#include "../framework/host/host.h"
#include "test-util.h"

#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

enum { N = 10007, M = 48, K = 3001, GM = 7, GN = 9, GK = 1000, CHUNK = 256 };

static NlRegistry *registry;
static float *x, *y, *a, *b; /* inputs: x, y of N; a of M x K; b of GK x GN */

typedef struct {
    float sum, dot;
    float gemv[M];
    float gemm[GM * GN];
    float softmax[N];
} Results;

static float *normals(guint64 seed, gsize n)
{
    float *v = g_new(float, n);
    NlRng rng;
    nl_rng_init(&rng, seed);
    nl_rng_fill_normal_f32(&rng, v, n);
    return v;
}

static NlBuffer *put(NlBackend *be, const float *v, gsize n)
{
    g_autoptr(GError) error = NULL;
    NlBuffer *buf = nl_backend_new_from(be, v, n, &error);
    g_assert_no_error(error);
    return buf;
}

static void get(NlBackend *be, NlBuffer *buf, float *v, gsize n)
{
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_backend_download(be, buf, v, n, &error));
    g_assert_no_error(error);
    nl_backend_free(be, buf);
}

/* The backend of spec "mpi:..." opened and self-checked; NULL (and the
 * test skipped) where Open MPI cannot start here. */
static NlBackend *open_mpi(const char *spec)
{
    g_autoptr(GError) error = NULL;
    NlBackend *be = nl_backend_open_spec(registry, spec, NULL, &error);
    if (!be) {
        g_test_skip(error->message);
        return NULL;
    }
    return be;
}

/* Every kernel on the inputs; FALSE when skipped. */
static gboolean compute(const char *spec, Results *r)
{
    NlBackend *be = open_mpi(spec);
    if (!be)
        return FALSE;
    g_autoptr(GError) error = NULL;
    NlBuffer *bx = put(be, x, N), *by = put(be, y, N);
    g_assert_true(nl_backend_sum(be, bx, N, &r->sum, &error));
    g_assert_true(nl_backend_dot(be, bx, by, N, &r->dot, &error));
    NlBuffer *ba = put(be, a, (gsize)M * K), *out = put(be, y, M);
    g_assert_true(nl_backend_gemv(be, M, K, ba, K, bx, out, &error));
    get(be, out, r->gemv, M);
    NlBuffer *bb = put(be, b, (gsize)GK * GN), *c = put(be, y, GM * GN);
    g_assert_true(
        nl_backend_gemm(be, GM, GN, GK, ba, K, bb, GN, c, GN, &error));
    get(be, c, r->gemm, GM * GN);
    NlBuffer *sm = put(be, y, N);
    g_assert_true(nl_backend_softmax(be, bx, sm, N, 0.7f, &error));
    g_assert_no_error(error);
    get(be, sm, r->softmax, N);
    nl_backend_free(be, ba);
    nl_backend_free(be, bb);
    nl_backend_free(be, bx);
    nl_backend_free(be, by);
    nl_backend_close(be);
    return TRUE;
}

static gboolean same_bits(const float *p, const float *q, gsize n)
{
    return memcmp(p, q, n * sizeof(float)) == 0;
}

static guint rows_differing(const float *p, const float *q, gsize n)
{
    guint count = 0;
    for (gsize i = 0; i < n; i++)
        count += memcmp(&p[i], &q[i], sizeof(float)) != 0;
    return count;
}

static void test_one_rank_is_reference(void)
{
    Results r;
    if (!compute("mpi:ranks=1", &r))
        return;
    g_assert_cmpfloat(r.sum, ==, nl_ref_sum_f32(x, N));
    g_assert_cmpfloat(r.sum, ==, nl_test_sum_forward(x, N));
    g_assert_cmpfloat(r.dot, ==, nl_ref_dot_f32(x, y, N));
    float gemv[M], gemm[GM * GN];
    static float softmax[N];
    nl_ref_gemv_f32(M, K, a, K, x, gemv);
    nl_ref_gemm_f32(GM, GN, GK, a, K, b, GN, gemm, GN);
    nl_ref_softmax_f32(x, softmax, N, 0.7f);
    g_assert_true(same_bits(r.gemv, gemv, M));
    g_assert_true(same_bits(r.gemm, gemm, GM * GN));
    g_assert_true(same_bits(r.softmax, softmax, N));
}

/* Small integers: every order of their sum is exact, so any split of it
 * across ranks gives the integer sum, and a rank whose copy is wrong or
 * missing changes it. */
static float *small_integers(gsize n, double *sum)
{
    float *v = g_new(float, n);
    *sum = 0.0;
    for (gsize i = 0; i < n; i++) {
        v[i] = (float)((int)(i * 2654435761u % 17u) - 8);
        *sum += v[i];
    }
    return v;
}

/* Buffers as the protocol moves them (protocol.h): an upload small
 * enough to reach every rank directly and one large enough to be
 * broadcast from rank 0 both arrive whole at every rank of three; an
 * allocation that no rank can make fails the next call, which does not
 * run, and names itself; the pool goes on, and a kernel on the buffer
 * that was never made fails in one line without harming a rank. */
static void test_buffers(void)
{
    NlBackend *be = open_mpi("mpi:ranks=3");
    if (!be)
        return;
    g_autoptr(GError) error = NULL;
    const gsize sizes[] = {1000, NLM_SMALL_BYTES / sizeof(float) + 4099};
    for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
        double exact;
        g_autofree float *v = small_integers(sizes[i], &exact);
        NlBuffer *buf = put(be, v, sizes[i]);
        float sum = NAN;
        g_assert_true(nl_backend_sum(be, buf, sizes[i], &sum, &error));
        g_assert_no_error(error);
        g_assert_cmpfloat(sum, ==, exact);
        nl_backend_free(be, buf);
    }
    /* 2^60 bytes: more than any address space */
    NlBuffer *huge = nl_backend_alloc(be, (gsize)1 << 58, &error);
    g_assert_no_error(error); /* posted: it fails at the next call */
    g_assert_nonnull(huge);
    double exact;
    g_autofree float *v = small_integers(100, &exact);
    NlBuffer *small = put(be, v, 100);
    float sum = NAN;
    g_assert_false(nl_backend_sum(be, small, 100, &sum, &error));
    g_assert_nonnull(strstr(error->message, "cannot allocate"));
    g_assert_nonnull(strstr(error->message, "sum did not run"));
    g_assert_true(isnan(sum));
    g_clear_error(&error);
    g_assert_false(nl_backend_sum(be, huge, 100, &sum, &error));
    g_assert_nonnull(strstr(error->message, "no buffer"));
    g_clear_error(&error);
    g_assert_true(nl_backend_sum(be, small, 100, &sum, &error));
    g_assert_no_error(error);
    g_assert_cmpfloat(sum, ==, exact);
    nl_backend_free(be, huge);
    nl_backend_free(be, small);
    nl_backend_close(be);
}

static void test_invariant(void)
{
    static const char *const specs[] = {
        "mpi:ranks=1:invariant=1",
        "mpi:ranks=2:invariant=1",
        "mpi:ranks=3:invariant=1",
        "mpi:ranks=4:invariant=1",
        "mpi:ranks=4:invariant=1:algorithm=ring",
        "mpi:ranks=3:invariant=1:algorithm=basic_linear",
        "mpi:ranks=3:invariant=1:algorithm=recursive_doubling",
    };
    static Results first, r;
    for (guint i = 0; i < G_N_ELEMENTS(specs); i++) {
        if (!compute(specs[i], i ? &r : &first))
            return;
        if (i == 0) {
            /* the chunk tree, as test-util.c writes it */
            g_assert_cmpfloat(first.sum, ==, nl_test_tile_tree(x, N, CHUNK));
            /* and for the products, element by element: each chunk of K
             * in the reference order, the partials in libnumlab's tile
             * tree */
            enum {
                KC = (K + CHUNK - 1) / CHUNK,
                GKC = (GK + CHUNK - 1) / CHUNK
            };
            float part[KC][M], column[KC], gpart[GKC][GM * GN];
            for (gsize c = 0; c < KC; c++)
                nl_ref_gemv_f32(M, MIN(K, (c + 1) * CHUNK) - c * CHUNK,
                                a + c * CHUNK, K, x + c * CHUNK, part[c]);
            for (gsize row = 0; row < M; row++) {
                for (gsize c = 0; c < KC; c++)
                    column[c] = part[c][row];
                g_assert_cmpfloat(first.gemv[row], ==,
                                  nl_ref_tile_tree_f32(column, KC));
            }
            for (gsize c = 0; c < GKC; c++)
                nl_ref_gemm_f32(GM, GN, MIN(GK, (c + 1) * CHUNK) - c * CHUNK,
                                a + c * CHUNK, K, b + c * CHUNK * GN, GN,
                                gpart[c], GN);
            for (gsize e = 0; e < GM * GN; e++) {
                for (gsize c = 0; c < GKC; c++)
                    column[c] = gpart[c][e];
                g_assert_cmpfloat(first.gemm[e], ==,
                                  nl_ref_tile_tree_f32(column, GKC));
            }
            continue;
        }
        g_test_message("%s", specs[i]);
        g_assert_cmpfloat(r.sum, ==, first.sum);
        g_assert_cmpfloat(r.dot, ==, first.dot);
        g_assert_true(same_bits(r.gemv, first.gemv, M));
        g_assert_true(same_bits(r.gemm, first.gemm, GM * GN));
        g_assert_true(same_bits(r.softmax, first.softmax, N));
    }
}

static void test_rank_count_changes_bits(void)
{
    static Results one, r;
    if (!compute("mpi:ranks=1", &one))
        return;
    for (int ranks = 2; ranks <= 4; ranks++) {
        g_autofree char *spec = g_strdup_printf("mpi:ranks=%d", ranks);
        if (!compute(spec, &r))
            return;
        guint differ = rows_differing(r.gemv, one.gemv, M);
        g_test_message("%s: %u of %d gemv rows differ from 1 rank", spec,
                       differ, M);
        g_assert_cmpuint(differ, >, 0);
        g_assert_cmpuint(differ, <, M); /* the same sums, reassociated */
    }
}

static void test_algorithm_changes_bits(void)
{
    static Results ring, r;
    if (!compute("mpi:ranks=4:algorithm=ring", &ring))
        return;
    static const char *const others[] = {
        "mpi:ranks=4:algorithm=basic_linear",
        "mpi:ranks=4:algorithm=recursive_doubling"};
    for (guint i = 0; i < G_N_ELEMENTS(others); i++) {
        if (!compute(others[i], &r))
            return;
        guint differ = rows_differing(r.gemv, ring.gemv, M) +
                       rows_differing(r.gemm, ring.gemm, GM * GN);
        g_test_message("%s: %u of %d outputs differ from ring", others[i],
                       differ, M + GM * GN);
        g_assert_cmpuint(differ, >, 0);
    }
}

/* ---- failures, as numlab run meets them ---- */

/* numlab run associativity with the naive job and `spec`, a6_n = 777. */
static NlCmd *run_with(const char *dir, const char *spec, char **env)
{
    g_autofree char *backends = g_strdup_printf("naive,%s", spec);
    return nl_test_numlab(env, "run", "associativity", "-b", backends, "-p",
                          "a6_n=777", "--job-timeout", "60", "-o", dir, NULL);
}

/* The run failed the mpi job alone, in one line that says `why`, and
 * wrote the naive job's results. */
static void assert_mpi_job_failed(const NlCmd *cmd, const char *dir,
                                  const char *why)
{
    g_test_message("stderr: %s", cmd->err);
    g_assert_cmpint(cmd->status, ==, 1);
    g_assert_cmpuint(nl_test_count_lines(cmd->err), ==, 1);
    g_assert_nonnull(strstr(cmd->err, why));
    g_autofree char *dat =
        g_build_filename(dir, "associativity", "a6-backends.dat", NULL);
    g_autoptr(NlDat) d = nl_dat_read(dat);
    g_assert_nonnull(d);
    g_assert_cmpuint(d->datasets->len, ==, 1);
    g_assert_cmpuint(nl_dat_rows(d, 0), >, 0);
}

static gboolean mpi_starts_here(void)
{
    g_autoptr(GError) error = NULL;
    NlBackend *be = nl_backend_open_spec(registry, "mpi:ranks=1", NULL, &error);
    if (!be) {
        g_test_skip(error->message);
        return FALSE;
    }
    nl_backend_close(be);
    return TRUE;
}

static void test_bad_ranks(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) cmd = run_with(dir, "mpi:ranks=0", NULL);
    assert_mpi_job_failed(cmd, dir, "'ranks': 0 is not in [1, 1024]");
    nl_test_rmtree(dir);
}

static void test_beyond_slots(void)
{
    if (!mpi_starts_here())
        return;
    g_autofree char *dir = nl_test_tmpdir();
    /* Open MPI gives a host one slot per core: four per CPU thread is more
     * than it allows, whatever the machine */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    g_autofree char *spec = g_strdup_printf("mpi:ranks=%ld:oversubscribe=0",
                                            MIN(4 * cpus + 1, 1024));
    g_autoptr(NlCmd) cmd = run_with(dir, spec, NULL);
    assert_mpi_job_failed(cmd, dir, "not enough slots");
    g_assert_nonnull(strstr(cmd->err, "unavailable: mpi: Open MPI could not "
                                      "start"));
    nl_test_rmtree(dir);
}

static void test_no_launcher(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    char *env[] = {"NUMLAB_MPIEXEC=numlab-test-no-such-launcher", NULL};
    g_autoptr(NlCmd) cmd = run_with(dir, "mpi", env);
    assert_mpi_job_failed(cmd, dir,
                          "unavailable: mpi: no numlab-test-no-such-launcher "
                          "in PATH");
    nl_test_rmtree(dir);
}

static void test_rank_dies(void)
{
    if (!mpi_starts_here())
        return;
    g_autofree char *dir = nl_test_tmpdir();
    /* rank 1 dies in A6's sum of 777 values, after the self-check (whose
     * sums have other lengths) has passed */
    char *env[] = {"NUMLAB_MPI_TEST_DIE=sum:1:777", NULL};
    g_autoptr(NlCmd) cmd = run_with(dir, "mpi:ranks=3", env);
    assert_mpi_job_failed(cmd, dir, "mpi: a rank of 3 died during sum");
    g_assert_nonnull(strstr(cmd->err, "process rank 1"));
    nl_test_rmtree(dir);
}

/* ---- mpiexec's session folders (pool.c) ---- */

/* The subprocess: a pool started (one sum), and the process exits with
 * its backend open, as a test or a plugin that forgets to close does.
 * The backend and its buffer stay reachable (static) until the exit, so
 * that LeakSanitizer, under tests/sanitize.sh, sees nothing lost. */
static void session_left_open_child(void)
{
    static NlBackend *left_open;
    static NlBuffer *buffer;
    if (!g_test_subprocess()) {
        g_test_skip("run by /mpi/session-folders");
        return;
    }
    left_open = open_mpi("mpi:ranks=2");
    if (!left_open)
        return;
    g_autoptr(GError) error = NULL;
    buffer = put(left_open, x, N);
    float sum;
    g_assert_true(nl_backend_sum(left_open, buffer, N, &sum, &error));
    exit(0);
}

/* What the test leaves in `tmp`, or NULL for nothing. */
static char *left_in(const char *tmp)
{
    g_autoptr(GDir) d = g_dir_open(tmp, 0, NULL);
    g_assert_nonnull(d);
    const char *name = g_dir_read_name(d);
    return g_strdup(name);
}

/* mpiexec's session folder (its shared-memory segments: megabytes) is
 * gone after a process exits with a pool open, where Open MPI alone left
 * TMPDIR/ompi.HOST.UID/pid.N/ behind; and the folder of a numlab that was
 * killed, with a PID that is gone and an hour old, goes when the next
 * pool starts. */
static void test_session_folders(void)
{
    if (!mpi_starts_here())
        return;
    g_autofree char *tmp = nl_test_tmpdir();
    g_autofree char *saved = g_strdup(g_getenv("TMPDIR"));
    g_setenv("TMPDIR", tmp, TRUE);
    g_test_trap_subprocess("/mpi/session-folders/subprocess", 0,
                           G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();
    g_autofree char *left = left_in(tmp);
    g_assert_cmpstr(left, ==, NULL);

    /* a folder of a killed numlab: a PID that has ended */
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    g_assert_cmpint(waitpid(gone, NULL, 0), ==, gone);
    g_autofree char *stale_name =
        g_strdup_printf("numlab-mpi-%d-AbCdEf", (int)gone);
    g_autofree char *stale = g_build_filename(tmp, stale_name, NULL);
    g_autofree char *inside = g_build_filename(stale, "ompi.host.0", NULL);
    g_assert_cmpint(g_mkdir_with_parents(inside, 0700), ==, 0);
    g_autofree char *young_name =
        g_strdup_printf("numlab-mpi-%d-GhIjKl", (int)gone);
    g_autofree char *young = g_build_filename(tmp, young_name, NULL);
    g_assert_cmpint(g_mkdir_with_parents(young, 0700), ==, 0);
    struct utimbuf two_hours_ago = {time(NULL) - 7200, time(NULL) - 7200};
    g_assert_cmpint(utime(stale, &two_hours_ago), ==, 0);
    g_test_trap_subprocess("/mpi/session-folders/subprocess", 0,
                           G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();
    g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(young, G_FILE_TEST_IS_DIR)); /* too new */

    if (saved)
        g_setenv("TMPDIR", saved, TRUE);
    else
        g_unsetenv("TMPDIR");
    nl_test_rmtree(tmp);
}

/* Figure A8's experiment on mpi jobs and naive: one rank is naive's bits,
 * three ranks change the row and the sum, and invariant=1 at 2 and 3
 * ranks gives one result. */
static void test_devices(void)
{
    if (!mpi_starts_here())
        return;
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) cmd =
        nl_test_numlab(NULL, "run", "devices", "-b",
                       "mpi:ranks=1,mpi:ranks=3,mpi:ranks=2:invariant=1,"
                       "mpi:ranks=3:invariant=1,naive",
                       "-p", "k=2000", "-p", "cols=16", "-p", "n=30000", "-p",
                       "precision=float32,bfloat16-pure", "--job-timeout",
                       "120", "-o", dir, NULL);
    g_assert_cmpint(cmd->status, ==, 0);
    g_autofree char *path =
        g_build_filename(dir, "devices", "a8-jobs.dat", NULL);
    g_autoptr(NlDat) d = nl_dat_read(path);
    g_assert_nonnull(d);
    g_assert_cmpuint(nl_dat_rows(d, 0), ==, 5);
    /* columns: job label row_differ row_max_ulps sum_ulps logits_differ
     * logits_max_ulps argmax_flips row_outputs logits_outputs same_as */
    g_assert_cmpstr(nl_dat_cell(d, 0, 1, 1), ==, "mpi:ranks=3");
    g_assert_cmpint((int)nl_dat_double(d, 0, 1, 2), >, 0);
    g_assert_cmpint((int)nl_dat_double(d, 0, 1, 10), ==, -1);
    g_assert_cmpint((int)nl_dat_double(d, 0, 3, 10), ==, 2); /* = #3 */
    g_assert_cmpint((int)nl_dat_double(d, 0, 4, 10), ==, 0); /* naive */
    for (guint c = 2; c <= 7; c++)
        g_assert_cmpfloat(nl_dat_double(d, 0, 4, c), ==, 0.0);
    g_assert_cmpfloat(nl_dat_double(d, 0, 0, 8), ==, 16.0);
    /* the same in bfloat16 throughout: a8-precision's second dataset
     * (its columns: precision, then a8-jobs's, then rel_change) */
    g_autofree char *prec =
        g_build_filename(dir, "devices", "a8-precision.dat", NULL);
    g_autoptr(NlDat) p = nl_dat_read(prec);
    g_assert_nonnull(p);
    g_assert_cmpuint(p->datasets->len, ==, 2);
    g_assert_cmpstr(nl_dat_cell(p, 1, 0, 0), ==, "bfloat16-pure");
    g_assert_cmpint((int)nl_dat_double(p, 1, 1, 3), >, 0);  /* 3 ranks */
    g_assert_cmpfloat(nl_dat_double(p, 1, 1, 12), >, 1e-3); /* by % */
    g_assert_cmpint((int)nl_dat_double(p, 1, 3, 11), ==, 2);
    g_assert_cmpint((int)nl_dat_double(p, 1, 4, 11), ==, 0); /* naive */
    /* both figures draw from these data, in German and English */
    const char *langs[] = {"de", "en"};
    for (guint i = 0; i < G_N_ELEMENTS(langs); i++) {
        g_autoptr(NlCmd) plot = nl_test_numlab(NULL, "plot", "devices", "-o",
                                               dir, "--lang", langs[i], NULL);
        g_assert_cmpint(plot->status, ==, 0);
        g_assert_null(strstr(plot->err, "gnuplot"));
        const char *figures[] = {"a8-ranks", "a8-precision"};
        for (guint f = 0; f < G_N_ELEMENTS(figures); f++) {
            g_autofree char *png = g_strdup_printf("%s/devices/%s%s.png", dir,
                                                   figures[f], i ? ".en" : "");
            g_assert_true(g_file_test(png, G_FILE_TEST_EXISTS));
        }
    }
    nl_test_rmtree(dir);
}

/* The kernels on buffers of any precision: bfloat16 data, accumulated
 * in float32 and in bfloat16 itself, the product written as bfloat16. */
typedef struct {
    double sum, dot, tiled;
    double gemv[M], gemm[GM * GN];
} ResultsIn;

static NlBuffer *put_as(NlBackend *be, NlPrecision type, const float *v,
                        gsize n)
{
    g_autoptr(GError) error = NULL;
    g_autofree double *d = g_new(double, n);
    for (gsize i = 0; i < n; i++)
        d[i] = v[i];
    NlBuffer *buf = nl_backend_new_as(be, type, d, n, &error);
    g_assert_no_error(error);
    return buf;
}

static gboolean compute_in(const char *spec, NlPrecision acc, ResultsIn *r)
{
    NlBackend *be = open_mpi(spec);
    if (!be)
        return FALSE;
    g_autoptr(GError) error = NULL;
    const NlPrecision bf = NL_PRECISION_BF16;
    NlBuffer *bx = put_as(be, bf, x, N), *by = put_as(be, bf, y, N);
    NlBuffer *ba = put_as(be, bf, a, (gsize)M * K);
    NlBuffer *bb = put_as(be, bf, b, (gsize)GK * GN);
    NlBuffer *out = put_as(be, bf, y, M), *c = put_as(be, bf, y, GM * GN);
    g_assert_true(nl_backend_sum_in(be, bx, N, acc, &r->sum, &error));
    g_assert_true(nl_backend_dot_in(be, bx, by, N, acc, &r->dot, &error));
    g_assert_true(
        nl_backend_tiled_sum_in(be, bx, N, 300, acc, &r->tiled, &error));
    g_assert_true(nl_backend_gemv_in(be, M, K, ba, K, bx, out, acc, &error));
    g_assert_true(
        nl_backend_gemm_in(be, GM, GN, GK, ba, K, bb, GN, c, GN, acc, &error));
    g_assert_true(nl_backend_download_values(be, out, r->gemv, M, &error));
    g_assert_true(nl_backend_download_values(be, c, r->gemm, GM * GN, &error));
    g_assert_no_error(error);
    /* the backend's own kernels, not numlab's reference in their place */
    g_assert_false(nl_backend_last_was_reference(be));
    NlBuffer *bufs[] = {bx, by, ba, bb, out, c};
    for (guint i = 0; i < G_N_ELEMENTS(bufs); i++)
        nl_backend_free(be, bufs[i]);
    nl_backend_close(be);
    return TRUE;
}

/* The same values in bfloat16, as the reference reads them. */
static void *bf16_of(const float *v, gsize n)
{
    nl_bf16 *out = g_new(nl_bf16, n);
    for (gsize i = 0; i < n; i++)
        out[i] = nl_bf16_from_f32(v[i]);
    return out;
}

/* One rank is numlab's reference in every accumulation precision;
 * invariant=1 gives one result at 1, 2 and 3 ranks; three ranks without it
 * change bfloat16-accumulated rows. */
static void test_precisions(void)
{
    g_autofree nl_bf16 *xb = bf16_of(x, N), *yb = bf16_of(y, N);
    g_autofree nl_bf16 *ab = bf16_of(a, (gsize)M * K);
    g_autofree nl_bf16 *bb = bf16_of(b, (gsize)GK * GN);
    const NlPrecision bf = NL_PRECISION_BF16;
    NlArray X = {bf, xb}, Y = {bf, yb}, A = {bf, ab}, B = {bf, bb};
    const NlPrecision accs[] = {NL_PRECISION_F32, NL_PRECISION_BF16};
    for (guint i = 0; i < G_N_ELEMENTS(accs); i++) {
        NlPrecision acc = accs[i];
        static ResultsIn one, r, inv;
        if (!compute_in("mpi:ranks=1", acc, &one))
            return;
        g_assert_cmpfloat(one.sum, ==, nl_ref_sum_in(acc, X, N));
        g_assert_cmpfloat(one.dot, ==, nl_ref_dot_in(acc, X, Y, N));
        g_assert_cmpfloat(one.tiled, ==, nl_ref_tiled_sum_in(acc, X, N, 300));
        nl_bf16 gemv[M], gemm[GM * GN];
        nl_ref_gemv_in(acc, M, K, A, K, X, bf, gemv);
        nl_ref_gemm_in(acc, GM, GN, GK, A, K, B, GN, bf, gemm, GN);
        for (gsize k = 0; k < M; k++)
            g_assert_cmpfloat(one.gemv[k], ==, nl_bf16_to_f32(gemv[k]));
        for (gsize k = 0; k < GM * GN; k++)
            g_assert_cmpfloat(one.gemm[k], ==, nl_bf16_to_f32(gemm[k]));
        /* tiled_sum_in is the tile tree at any rank count */
        if (!compute_in("mpi:ranks=3", acc, &r))
            return;
        g_assert_cmpfloat(r.tiled, ==, one.tiled);
        if (acc == NL_PRECISION_BF16) { /* every addition rounded: visible */
            guint differ = 0;
            for (gsize k = 0; k < M; k++)
                differ += r.gemv[k] != one.gemv[k];
            g_test_message("bfloat16 in bfloat16: %u of %d gemv rows differ "
                           "between 1 and 3 ranks",
                           differ, M);
            g_assert_cmpuint(differ, >, 0);
        }
        static const char *const invariant[] = {
            "mpi:ranks=1:invariant=1", "mpi:ranks=2:invariant=1",
            "mpi:ranks=3:invariant=1:algorithm=ring"};
        for (guint s = 0; s < G_N_ELEMENTS(invariant); s++) {
            if (!compute_in(invariant[s], acc, s ? &r : &inv))
                return;
            if (s == 0) { /* the chunk tree of 256 */
                g_assert_cmpfloat(inv.sum, ==,
                                  nl_ref_tiled_sum_in(acc, X, N, CHUNK));
                continue;
            }
            g_assert_cmpfloat(r.sum, ==, inv.sum);
            g_assert_cmpfloat(r.dot, ==, inv.dot);
            g_assert_true(memcmp(r.gemv, inv.gemv, sizeof r.gemv) == 0);
            g_assert_true(memcmp(r.gemm, inv.gemm, sizeof r.gemm) == 0);
        }
    }
}

/* numlab bench on mpi: each kernel against openmp at the same total
 * threads (the peer), the time of a call split into rank 0's computing,
 * its MPI time and dispatch; the scaling table from one rank to two; and
 * invariant=1 set against the same job without it. */
static void test_bench(void)
{
    if (!mpi_starts_here())
        return;
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) cmd = nl_test_numlab(
        NULL, "bench", "-b", "mpi:ranks=1,mpi:ranks=2,mpi:ranks=2:invariant=1",
        "-p", "kernels=sum,gemm", "-p", "sizes=100000", "-p", "gemm_sizes=64",
        "-p", "min_time=0.01", "--job-timeout", "120", "-o", dir, NULL);
    g_assert_cmpint(cmd->status, ==, 0);
    g_autofree char *path =
        g_build_filename(dir, "bench", "bench-peers.dat", NULL);
    g_autoptr(NlDat) d = nl_dat_read(path);
    g_assert_nonnull(d);
    g_assert_cmpuint(d->datasets->len, ==, 3);
    for (guint job = 0; job < 3; job++) {
        g_assert_cmpuint(nl_dat_rows(d, job), ==, 2);
        for (guint r = 0; r < 2; r++) {
            /* backend kernel n threads peer rate peer_rate unit ratio wall
             * compute comm dispatch */
            /* the invariant job's peer: the same ranks without it */
            const char *peers[] = {"openmp:threads=1", "openmp:threads=2",
                                   "mpi:ranks=2"};
            g_assert_cmpstr(nl_dat_cell(d, job, r, 4), ==, peers[job]);
            double wall = nl_dat_double(d, job, r, 9);
            double compute = nl_dat_double(d, job, r, 10);
            double comm = nl_dat_double(d, job, r, 11);
            g_assert_cmpfloat(compute, >, 0.0);
            g_assert_cmpfloat(comm, >=, 0.0);
            g_assert_cmpfloat(compute + comm, <, wall);
            g_assert_cmpfloat(nl_dat_double(d, job, r, 12), >, 0.0);
            if (job) /* two ranks add their partials */
                g_assert_cmpfloat(comm, >, 0.0);
        }
    }
    /* from one rank to two: a row per kernel for each series that has
     * a one-rank job (not the invariant one) */
    g_autofree char *scaling =
        g_build_filename(dir, "bench", "bench-scaling.dat", NULL);
    g_autoptr(NlDat) s = nl_dat_read(scaling);
    g_assert_cmpuint(nl_dat_rows(s, 0), ==, 4);
    g_assert_cmpstr(nl_dat_cell(s, 0, 2, 0), ==, "mpi:ranks=2");
    g_assert_cmpfloat(nl_dat_double(s, 0, 0, 6), ==, 1.0);
    g_assert_cmpfloat(nl_dat_double(s, 0, 2, 6), >, 0.0);
    g_autofree char *invariant =
        g_build_filename(dir, "bench", "bench-invariant.dat", NULL);
    g_autoptr(NlDat) inv = nl_dat_read(invariant);
    g_assert_cmpuint(nl_dat_rows(inv, 0), ==, 2);
    g_assert_cmpstr(nl_dat_cell(inv, 0, 0, 0), ==, "mpi:ranks=2");
    nl_test_rmtree(dir);
}

static void skip_not_built(void)
{
    g_test_skip("the mpi backend is not built (configure found no Open MPI)");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    registry = nl_registry_new();
    nl_registry_scan(registry, NL_BUILDDIR "/backends", TRUE);
    x = normals(1, N);
    y = normals(2, N);
    a = normals(3, (gsize)M * K);
    b = normals(4, (gsize)GK * GN);
    if (!nl_registry_find(registry, NL_PLUGIN_BACKEND, "mpi")) {
        g_test_add_func("/mpi/not-built", skip_not_built);
        return g_test_run();
    }
    g_test_add_func("/mpi/one-rank-is-reference", test_one_rank_is_reference);
    g_test_add_func("/mpi/invariant", test_invariant);
    g_test_add_func("/mpi/buffers", test_buffers);
    g_test_add_func("/mpi/rank-count-changes-bits",
                    test_rank_count_changes_bits);
    g_test_add_func("/mpi/algorithm-changes-bits", test_algorithm_changes_bits);
    g_test_add_func("/mpi/precisions", test_precisions);
    g_test_add_func("/mpi/devices-a8", test_devices);
    g_test_add_func("/mpi/bench", test_bench);
    g_test_add_func("/mpi/fault/ranks-0", test_bad_ranks);
    g_test_add_func("/mpi/fault/beyond-slots", test_beyond_slots);
    g_test_add_func("/mpi/fault/no-launcher", test_no_launcher);
    g_test_add_func("/mpi/fault/rank-dies", test_rank_dies);
    g_test_add_func("/mpi/session-folders", test_session_folders);
    g_test_add_func("/mpi/session-folders/subprocess", session_left_open_child);
    int status = g_test_run();
    nl_registry_free(registry);
    return status;
}
