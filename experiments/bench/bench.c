/* bench.c — the benchmark: every backend's kernels against this machine's
 * limits, measured in one run (`numlab bench`, or `numlab run bench`).
 *
 *   run_common   this machine's limits for the record: a read-bandwidth
 *                probe (a loop that only loads) at 1 and at all threads for
 *                every size, and cblas_sgemm called directly;
 *   run_backend  each kernel of the job's backend at each size, each timed
 *                *interleaved* with its reference — rounds that alternate
 *                a batch of the kernel with a batch of the reference, the
 *                medians counting (bench_time_pair) — so that the ratio
 *                compares the two under the same machine load (memory
 *                bandwidth here drifts by tens of percent between seconds):
 *                  sum, dot, gemv on a CPU: the read probe over the
 *                    kernel's own bytes, with the backend's thread count
 *                    (run_common's undisturbed probe at that size if the
 *                    interleaved one read less than half of it: then it
 *                    was disturbed);
 *                  sum, dot, gemv on a device: its own copy bandwidth;
 *                  gemm: cblas_sgemm called directly with the backend's
 *                    thread count (a device's gemm has none);
 *                and, with a peer (bench-peer.c), the same kernel on the
 *                peer backend opened beside the job, likewise alternated:
 *                for a job with batch_invariant=1 the same backend
 *                without it (bench-invariant.c), for mpi openmp;
 *   run_compare  gathers the rows into `bench-results`, one dataset per
 *                backend, which `numlab bench` prints as key=value lines,
 *                and reads the peer rows into `bench-invariant`,
 *                `bench-peers` and `bench-scaling`.
 *
 * The medians count, with the rounds' spread beside them: the question is
 * what the kernel can do, and how far this machine let one run say so. A
 * measurement whose single call would take longer than `max_call` seconds
 * (naive gemm at n = 4096) is skipped and says so.
 *
 * Speed is worth nothing if the result is wrong, and the benchmark's sizes
 * lie far beyond the self-check's: its inputs are small integers whose
 * exact results are known (bench-check.c), and the result of each kernel
 * call it times — sum, dot, gemv, gemm, copy — is checked once, after the
 * warm-up call and outside the timing. A wrong one is a backend fault
 * (nl_run_fault): reported, and its row marked (fault = 1). */
#include "config.h"

#include "bench-cblas.h"
#include "bench-check.h"
#include "bench-invariant.h"
#include "bench-peer.h"
#include "bench-precision.h"

#include <numlab/numlab.h>

#include "bench-sampling.h"
#include "bench-sweep.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef enum {
    K_SUM,
    K_DOT,
    K_GEMV,
    K_GEMM,
    K_COPY,
    K_SOFTMAX,
    K_SAMPLE,
    K_PRECISION
} Kernel;

#define MEASUREMENT_COLUMNS                                                    \
    "kernel:str n:int threads:int seconds:f64 rate:f64 unit:str "              \
    "reference:str ref_rate:f64 ratio:f64 note:str fault:int spread:f64 "      \
    "regime:str"
static const char *const kernel_names[] = {
    "sum", "dot", "gemv", "gemm", "copy", "softmax", "sample", "precision"};

/* ---- timing ---- */

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorted in place), and through q1/q3 its
 * quartiles (the middle of each half). */
static double median_sorted(double *v, gsize n, double *q1, double *q3)
{
    qsort(v, n, sizeof *v, compare_double);
    if (q1)
        *q1 = v[(n - 1) / 4];
    if (q3)
        *q3 = v[n - 1 - (n - 1) / 4];
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Best seconds per call, or < 0 on error. Calls are timed in batches of
 * at least a millisecond, so that a call of a few hundred nanoseconds is
 * not measured in clock resolution, nor in a thread team's wake-up; at
 * least three batches, and until min_time has passed. *spread (may be
 * NULL) is the interquartile range of the batches' times over their
 * median: how far the kernel's own batches agree, for a row timed against
 * a fixed goal, which has no reference to alternate with. */
double bench_time_best(BenchCall call, gpointer data, double min_time,
                       double *spread, GError **error)
{
    double t0 = nl_time_now();
    if (!call(data, error)) /* warm-up: page faults, caches, thread team */
        return -1;
    double first = MAX(nl_time_now() - t0, 1e-9);
    int batch = first >= 1e-3 ? 1 : (int)MIN(1e-3 / first + 1, 1e6);
    g_autoptr(GArray) times = g_array_new(FALSE, FALSE, sizeof(double));
    double best = G_MAXDOUBLE, start = nl_time_now();
    for (int reps = 0; reps < 3 || nl_time_now() - start < min_time; reps++) {
        double t = nl_time_now();
        for (int b = 0; b < batch; b++)
            if (!call(data, error))
                return -1;
        double per_call = (nl_time_now() - t) / batch;
        best = MIN(best, per_call);
        g_array_append_val(times, per_call);
    }
    if (spread) {
        double q1, q3;
        double mid =
            median_sorted((double *)(void *)times->data, times->len, &q1, &q3);
        *spread = (q3 - q1) / mid;
    }
    return best;
}

#define MAX_ROUNDS 64
/* The least seconds of one batch of a round: long enough that a timer
 * tick or another process's slice does not decide a round (1 ms batches
 * gave rounds 10-30 % apart on an idle machine). */
#define BATCH_SECONDS 0.005

/* a and b timed in rounds: each round a batch of each (calls of at least
 * BATCH_SECONDS together), a first in even rounds and b first in odd ones,
 * back to back: since numlab's and OpenBLAS's threads sleep when they
 * wait (framework/numlab.c), neither pool spins into the other's batch,
 * and a pause between them only let the CPU's clock and caches drift.
 *
 * The order a b | b a | a b ... makes every other batch the first after a
 * switch of kernel, and that batch can run slower as a whole: two
 * kernels with working sets that fit in L3 one at a time but not
 * together (4 MB each on the build VM) ran 1.5-2x slower in their first
 * batch after the switch than in the next, so each kernel's rounds fell
 * into two clusters and the median of each landed on either; an identical
 * kernel timed against itself read up to 40 % slower. The rounds
 * therefore count in pairs (an even round and the odd one after it), in
 * which each kernel has one batch in each position: a kernel's time in a
 * pair is the geometric mean of its two, and *a_sec and *b_sec are the
 * medians of those over the pairs. At least three pairs (two when one
 * round takes longer than min_time), and until 2 min_time have passed.
 * *spread (may be NULL) is the interquartile range of the pairs' ratios
 * b/a over their median: how far the pairs agree on how the two compare.
 * A drift of the machine that slows both alike cancels in each pair's
 * ratio. FALSE on error. */
gboolean bench_time_pair(BenchCall a, gpointer a_data, BenchCall b,
                         gpointer b_data, double min_time, double *a_sec,
                         double *b_sec, double *spread, GError **error)
{
    BenchCall calls[2] = {a, b};
    gpointer data[2] = {a_data, b_data};
    int batch[2];
    for (int k = 0; k < 2; k++) { /* warm-up, and the batch size */
        double t0 = nl_time_now();
        if (!calls[k](data[k], error))
            return FALSE;
        double first = MAX(nl_time_now() - t0, 1e-9);
        batch[k] = first >= BATCH_SECONDS
                       ? 1
                       : (int)MIN(BATCH_SECONDS / first + 1, 1e7);
    }
    double t[2][2], pair[2][MAX_ROUNDS / 2], ratio[MAX_ROUNDS / 2];
    gsize rounds = 0, pairs = 0;
    double start = nl_time_now();
    while (rounds < MAX_ROUNDS) {
        double round_start = nl_time_now();
        for (int i = 0; i < 2; i++) {
            int k = (int)(rounds % 2) ^ i;
            double t0 = nl_time_now();
            for (int c = 0; c < batch[k]; c++)
                if (!calls[k](data[k], error))
                    return FALSE;
            t[k][rounds % 2] = (nl_time_now() - t0) / batch[k];
        }
        rounds++;
        gboolean slow = nl_time_now() - round_start > min_time;
        if (rounds % 2)
            continue;
        for (int k = 0; k < 2; k++)
            pair[k][pairs] = sqrt(t[k][0] * t[k][1]);
        ratio[pairs] = pair[1][pairs] / pair[0][pairs];
        pairs++;
        if (pairs >= (slow ? 2u : 3u) && nl_time_now() - start >= 2 * min_time)
            break;
    }
    *a_sec = median_sorted(pair[0], pairs, NULL, NULL);
    *b_sec = median_sorted(pair[1], pairs, NULL, NULL);
    double q1, q3, mid = median_sorted(ratio, pairs, &q1, &q3);
    if (spread)
        *spread = (q3 - q1) / mid;
    return TRUE;
}

/* ---- references ---- */

/* What the read probe loads: up to three ranges of words, read one after
 * the other (a gemv's A, x and y; a dot's x and y), by `threads`. */
typedef struct {
    const guint64 *range[3];
    gsize range_words[3];
    int n_ranges;
    int threads;
    volatile guint64 sink;
} Probe;

/* A probe of the one range w[0..n). */
static Probe probe_one(const guint64 *w, gsize n, int threads)
{
    return (Probe){
        .range = {w}, .range_words = {n}, .n_ranges = 1, .threads = threads};
}

static double probe_bytes(const Probe *p)
{
    double words = 0;
    for (int r = 0; r < p->n_ranges; r++)
        words += (double)p->range_words[r];
    return 8 * words;
}

/* Loads every byte once, as two streams (the two halves of the range, as
 * a dot product reads x and y) of 64 bytes per iteration each, into four
 * independent 32-byte accumulators (AVX2 on x86-64-v3): limited by memory,
 * not by the core, so no reduction kernel should read faster. */
typedef guint64 v4du __attribute__((vector_size(32), aligned(8)));

static guint64 probe_range(const guint64 *w, gsize n)
{
    gsize half = n / 2 / 8 * 8; /* each stream a multiple of 8 words */
    const guint64 *u = w, *v = w + half;
    v4du a = {0, 0, 0, 0}, b = a, c = a, d = a;
    for (gsize i = 0; i < half; i += 8) {
        a ^= *(const v4du *)(u + i);
        b ^= *(const v4du *)(u + i + 4);
        c ^= *(const v4du *)(v + i);
        d ^= *(const v4du *)(v + i + 4);
    }
    v4du x = a ^ b ^ c ^ d;
    guint64 r = x[0] ^ x[1] ^ x[2] ^ x[3];
    for (gsize i = 2 * half; i < n; i++)
        r ^= w[i];
    return r;
}

/* w[0..n) loaded by `threads` threads; their words' XOR. */
static guint64 probe_words(const guint64 *w, gsize n, int threads)
{
#ifdef _OPENMP
    /* Below 1 MiB waking a thread team costs more than the read itself:
     * one thread is this machine's limit there. */
    if (threads == 1 || n < (1u << 17))
        return probe_range(w, n);
    guint64 x = 0;
#pragma omp parallel num_threads(threads) reduction(^ : x)
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        gsize lines = (n + 15) / 16; /* 128-byte aligned chunks */
        gsize s = MIN(n, lines * t / nt * 16);
        gsize e = MIN(n, lines * (t + 1) / nt * 16);
        x ^= probe_range(w + s, e - s);
    }
    return x;
#else
    (void)threads;
    return probe_range(w, n);
#endif
}

static gboolean probe_call(gpointer data, GError **error)
{
    (void)error;
    Probe *p = data;
    guint64 x = 0;
    for (int r = 0; r < p->n_ranges; r++)
        x ^= probe_words(p->range[r], p->range_words[r], p->threads);
    p->sink = x;
    return TRUE;
}

const BenchCblas *bench_cblas(GError **error)
{
    static gsize loaded;
    static const BenchCblas *table;
    static char *failed;
    if (g_once_init_enter(&loaded)) {
        g_autoptr(GError) local = NULL;
        table =
            nl_companion_open((gconstpointer)bench_cblas, NL_BENCH_CBLAS_FILE,
                              NL_BENCH_CBLAS_SYMBOL, PACKAGE_VERSION, &local);
        if (!table)
            failed = g_strdup(local->message);
        g_once_init_leave(&loaded, 1);
    }
    if (!table)
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                    "bench: no direct cblas_sgemm (%s)", failed);
    return table;
}

typedef struct {
    const BenchCblas *cblas;
    int n;
    int threads; /* OpenBLAS threads for the call; 0: as set */
    const float *a, *b;
    float *c;
} DirectGemm;

/* The size of the gemm call that predicts the first one (n^3), so that a
 * first size whose call would pass max_call (naive at n = 32768: hours)
 * is skipped like the later ones instead of being made. */
#define GEMM_PROBE_N 128

static gboolean direct_gemm_call(gpointer data, GError **error)
{
    (void)error;
    DirectGemm *g = data;
    g->cblas->sgemm(g->n, g->a, g->b, g->c);
    return TRUE;
}

/* Three n x n matrices for a direct cblas_sgemm, A and B uniform in
 * [-1, 1) (the timing does not depend on the values). */
static gboolean direct_gemm_setup(DirectGemm *g, gsize n, int threads,
                                  guint64 seed, GError **error)
{
    const BenchCblas *cblas = bench_cblas(error);
    if (!cblas)
        return FALSE;
    float *m[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3; i++)
        if (!(m[i] = nl_alloc_f32(n * n, error))) {
            nl_free(m[0]);
            nl_free(m[1]);
            return FALSE;
        }
    NlRng rng;
    nl_rng_init(&rng, seed);
    for (gsize i = 0; i < 2 * n * n; i++)
        m[i / (n * n)][i % (n * n)] = (float)(2.0 * nl_rng_uniform(&rng) - 1.0);
    *g = (DirectGemm){cblas, (int)n, threads, m[0], m[1], m[2]};
    return TRUE;
}

static void direct_gemm_clear(DirectGemm *g)
{
    nl_free((gpointer)g->a);
    nl_free((gpointer)g->b);
    nl_free(g->c);
    g->a = g->b = g->c = NULL;
}

static int max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

static void wanted_kernels(const NlParams *p, gboolean *want);

static gboolean run_common(NlRun *run, GError **error)
{
    gboolean want[G_N_ELEMENTS(kernel_names)] = {FALSE};
    wanted_kernels(nl_run_params(run), want);
#ifdef __AVX2__
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2")) {
        return nl_fail(
            error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNSUPPORTED,
            "the benchmark is built for x86-64-v3 and this CPU lacks "
            "AVX2");
    }
#endif
    const NlParams *p = nl_run_params(run);
    double min_time = nl_params_get_double(p, "min_time");
    gsize n_sizes, n_gemm;
    const gint64 *sizes = bench_sweep_list(p, "sizes", &n_sizes);
    const gint64 *gemm_sizes = bench_sweep_list(p, "gemm_sizes", &n_gemm);
    NlTable *t = nl_run_table(run, "bench-references",
                              "reference:str n:int threads:int seconds:f64 "
                              "rate:f64 unit:str");
    nl_table_set_title(t, "this machine's limits, measured in the same run");

    gsize largest = 0;
    for (gsize i = 0; i < n_sizes; i++)
        largest = MAX(largest, (gsize)sizes[i]);
    /* 2 floats per word: the probe reads as many bytes as sum does */
    guint64 *words = nl_alloc((largest + 1) / 2, sizeof(guint64), error);
    if (!words)
        return FALSE;
    memset(words, 1, (largest + 1) / 2 * sizeof(guint64));
    const int thread_counts[] = {1, max_threads()};
    for (gsize i = 0; i < n_sizes; i++)
        for (int k = 0; k < (thread_counts[1] > 1 ? 2 : 1); k++) {
            Probe probe =
                probe_one(words, ((gsize)sizes[i] + 1) / 2, thread_counts[k]);
            double s =
                bench_time_best(probe_call, &probe, min_time, NULL, error);
            nl_table_add_str(t, "read");
            nl_table_add_int(t, sizes[i]);
            nl_table_add_int(t, thread_counts[k]);
            nl_table_add_f64(t, s);
            nl_table_add_f64(t, probe_bytes(&probe) / s / 1e9);
            nl_table_add_str(t, "GB/s");
            nl_run_progress(run, 0.5 * (i + 1) / n_sizes, "read bandwidth");
        }
    nl_free(words);

    double max_call = nl_params_get_double(p, "max_call");
    double last_seconds = 0, last_n = 0;
    const BenchCblas *cblas = n_gemm ? bench_cblas(error) : NULL;
    if (n_gemm && !cblas)
        return FALSE;
    if (n_gemm && gemm_sizes[0] > GEMM_PROBE_N) {
        DirectGemm g;
        if (!direct_gemm_setup(&g, GEMM_PROBE_N, 0, nl_run_seed(run), error))
            return FALSE;
        double t0 = nl_time_now();
        gboolean ok = direct_gemm_call(&g, error);
        last_seconds = nl_time_now() - t0;
        last_n = GEMM_PROBE_N;
        direct_gemm_clear(&g);
        if (!ok)
            return FALSE;
    }
    for (gsize i = 0; i < n_gemm; i++) {
        gsize n = (gsize)gemm_sizes[i];
        /* like measure(): a call predicted (n^3) to exceed max_call is
         * not made */
        if (last_n > 0 && last_seconds * pow(n / last_n, 3) > max_call) {
            nl_table_add_str(t, "cblas_sgemm");
            nl_table_add_int(t, (gint64)n);
            nl_table_add_int(t, cblas->get_threads());
            nl_table_add_f64(t, NAN);
            nl_table_add_f64(t, NAN);
            nl_table_add_str(t, "GFLOP/s");
            continue;
        }
        DirectGemm g;
        if (!direct_gemm_setup(&g, n, 0, nl_run_seed(run), error))
            return FALSE;
        double s = bench_time_best(direct_gemm_call, &g, min_time, NULL, error);
        last_seconds = s;
        last_n = (double)n;
        nl_table_add_str(t, "cblas_sgemm");
        nl_table_add_int(t, (gint64)n);
        nl_table_add_int(t, cblas->get_threads());
        nl_table_add_f64(t, s);
        nl_table_add_f64(t, 2.0 * n * n * n / s / 1e9);
        nl_table_add_str(t, "GFLOP/s");
        direct_gemm_clear(&g);
        nl_run_progress(run, 0.5 + 0.5 * (i + 1) / n_gemm,
                        "direct cblas_sgemm");
    }
    return !want[K_SAMPLE] || bench_sampling(run, min_time, error);
}

/* ---- one backend ---- */

typedef struct {
    NlBackend *b;
    Kernel kernel;
    gsize m, n; /* matrices: m x n; vectors: n */
    NlBuffer *x, *y, *a, *c;
    float result; /* sum, dot: the last call's */
} Job;

static gboolean kernel_call(gpointer data, GError **error)
{
    Job *j = data;
    switch (j->kernel) {
    case K_SUM:
        return nl_backend_sum(j->b, j->x, j->n, &j->result, error);
    case K_DOT:
        return nl_backend_dot(j->b, j->x, j->y, j->n, &j->result, error);
    case K_GEMV:
        return nl_backend_gemv(j->b, j->m, j->n, j->a, j->n, j->x, j->y, error);
    case K_GEMM:
        return nl_backend_gemm(j->b, j->n, j->n, j->n, j->a, j->n, j->x, j->n,
                               j->c, j->n, error);
    case K_COPY:
        return nl_backend_copy(j->b, j->y, j->x, j->n, error);
    case K_SOFTMAX:
    case K_SAMPLE:
    case K_PRECISION:
        break; /* bench-sampling.c */
    }
    return FALSE;
}

/* Bytes moved (reductions, copy) or flops (gemm) of one call. */
static double work_of(const Job *j)
{
    double n = (double)j->n, m = (double)j->m;
    switch (j->kernel) {
    case K_SUM:
        return 4 * n;
    case K_DOT:
        return 8 * n;
    case K_GEMV:
        return 4 * (m * n + n + m);
    case K_GEMM:
        return 2 * n * n * n;
    case K_COPY:
        return 8 * n; /* read + write */
    case K_SOFTMAX:
    case K_SAMPLE:
    case K_PRECISION:
        break;
    }
    return 0;
}

/* The size of the CPU's cache of `level` that the first core uses, from
 * sysfs (what the OS was told; a virtual machine's may differ from the
 * host's), or 0 where it says nothing. */
static gsize read_cache_bytes(int level)
{
    for (int index = 0; index < 8; index++) {
        g_autofree char *dir = g_strdup_printf(
            "/sys/devices/system/cpu/cpu0/cache/index%d", index);
        g_autofree char *lv = NULL, *type = NULL, *size = NULL;
        g_autofree char *p_lv = g_build_filename(dir, "level", NULL);
        g_autofree char *p_type = g_build_filename(dir, "type", NULL);
        g_autofree char *p_size = g_build_filename(dir, "size", NULL);
        if (!g_file_get_contents(p_lv, &lv, NULL, NULL))
            break;
        if (atoi(lv) != level ||
            !g_file_get_contents(p_type, &type, NULL, NULL) ||
            g_str_has_prefix(type, "Instruction") ||
            !g_file_get_contents(p_size, &size, NULL, NULL))
            continue;
        char *end;
        guint64 v = g_ascii_strtoull(size, &end, 10);
        return *end == 'K' ? v << 10 : *end == 'M' ? v << 20 : v;
    }
    return 0;
}

/* read_cache_bytes, read once per process (a job's rows ask per row). */
static gsize cache_bytes(int level)
{
    static gsize known[4];
    static gboolean read[4];
    g_return_val_if_fail(level >= 0 && level < 4, 0);
    if (!read[level]) {
        known[level] = read_cache_bytes(level);
        read[level] = TRUE;
    }
    return known[level];
}

/* Where the bytes a memory-bound kernel reads come from: "L2" when they
 * fit the private caches of the threads, "L3" when they fit the shared
 * cache, "memory" beyond; "compute" for gemm. By the sizes the OS
 * reports: a row near a boundary may sit in either. */
static const char *regime(const Job *j)
{
    if (j->kernel == K_GEMM)
        return "compute";
    double bytes = j->kernel == K_COPY ? work_of(j) / 2 : work_of(j);
    int threads = MAX(1, nl_backend_info(j->b)->threads);
    gsize l2 = cache_bytes(2), l3 = cache_bytes(3);
    if (l2 && bytes <= (double)l2 * threads)
        return "L2";
    if (l3 && bytes <= (double)l3)
        return "L3";
    return l3 ? "memory" : "unknown";
}

/* Small integers whose results are exact in any order (bench-check.c);
 * the timings do not depend on the values, and they are much cheaper to
 * draw than normal ones at 10^8. */
static NlBuffer *filled(NlBackend *b, gsize n, guint64 seed, GError **error)
{
    float *host = nl_alloc_f32(n, error);
    if (!host)
        return NULL;
    bench_fill_exact(host, n, seed);
    NlBuffer *buf = nl_backend_new_from(b, host, n, error);
    nl_free(host);
    return buf;
}

static void job_clear(Job *j)
{
    nl_backend_free(j->b, j->x);
    nl_backend_free(j->b, j->y);
    nl_backend_free(j->b, j->a);
    nl_backend_free(j->b, j->c);
    j->x = j->y = j->a = j->c = NULL;
}

/* Sets up the buffers of one measurement: size is the element count of
 * the vector (sum, dot, copy), of the matrix (gemv: square), or the
 * dimension (gemm). */
static gboolean job_setup(Job *j, gsize size, guint64 seed, GError **error)
{
    switch (j->kernel) {
    case K_SUM:
    case K_DOT:
    case K_COPY:
        j->n = size;
        j->x = filled(j->b, size, seed, error);
        if (j->x && j->kernel != K_SUM)
            j->y = filled(j->b, size, seed + 1, error);
        return j->x && (j->kernel == K_SUM || j->y);
    case K_GEMV:
        j->m = j->n = MAX((gsize)llround(sqrt((double)size)), 1);
        j->a = filled(j->b, j->m * j->n, seed, error);
        j->x = j->a ? filled(j->b, j->n, seed + 1, error) : NULL;
        j->y = j->x ? filled(j->b, j->m, seed + 2, error) : NULL;
        return j->y != NULL;
    case K_GEMM:
        j->n = size;
        j->a = filled(j->b, size * size, seed, error);
        j->x = j->a ? filled(j->b, size * size, seed + 1, error) : NULL;
        j->c = j->x ? filled(j->b, size * size, seed + 2, error) : NULL;
        return j->c != NULL;
    case K_SOFTMAX:
    case K_SAMPLE:
    case K_PRECISION:
        break;
    }
    return FALSE;
}

/* Which kernels `kernels` names (the host has checked the names). */
static void wanted_kernels(const NlParams *p, gboolean *want)
{
    gsize n;
    const char *const *names = nl_params_get_string_list(p, "kernels", &n);
    for (gsize i = 0; i < n; i++)
        for (guint k = 0; k < G_N_ELEMENTS(kernel_names); k++)
            if (strcmp(names[i], kernel_names[k]) == 0)
                want[k] = TRUE;
}

/* ---- the check of a result ---- */

/* The first n values of buf in host memory: the backend's own where it
 * computes on host memory, else downloaded into *copy (nl_free it). */
static const float *host_view(NlBackend *b, const NlBuffer *buf, gsize n,
                              float **copy, GError **error)
{
    if (buf->host)
        return buf->host;
    *copy = nl_alloc_f32(n, error);
    if (!*copy || !nl_backend_download(b, buf, *copy, n, error))
        return NULL;
    return *copy;
}

/* Checks the result of the call just made against the exact one; *fault
 * is set when it differs. FALSE only when a download fails. */
static gboolean check_result(NlRun *run, const Job *j, gboolean *fault,
                             GError **error)
{
    float *copies[3] = {NULL, NULL, NULL};
    const float *p, *q, *r;
    gboolean ok = TRUE, exact = TRUE;
    switch (j->kernel) {
    case K_SUM:
        ok = (p = host_view(j->b, j->x, j->n, &copies[0], error)) != NULL;
        exact = !ok || bench_check_sum(run, p, j->n, j->result);
        break;
    case K_DOT:
        ok = (p = host_view(j->b, j->x, j->n, &copies[0], error)) &&
             (q = host_view(j->b, j->y, j->n, &copies[1], error));
        exact = !ok || bench_check_dot(run, p, q, j->n, j->result);
        break;
    case K_GEMV:
        ok = (p = host_view(j->b, j->a, j->m * j->n, &copies[0], error)) &&
             (q = host_view(j->b, j->x, j->n, &copies[1], error)) &&
             (r = host_view(j->b, j->y, j->m, &copies[2], error));
        exact = !ok || bench_check_gemv(run, p, q, r, j->m, j->n);
        break;
    case K_GEMM:
        ok = (p = host_view(j->b, j->a, j->n * j->n, &copies[0], error)) &&
             (q = host_view(j->b, j->x, j->n * j->n, &copies[1], error)) &&
             (r = host_view(j->b, j->c, j->n * j->n, &copies[2], error));
        exact = !ok || bench_check_gemm(run, p, q, r, j->n);
        break;
    case K_COPY:
        ok = (p = host_view(j->b, j->x, j->n, &copies[0], error)) &&
             (q = host_view(j->b, j->y, j->n, &copies[1], error));
        exact = !ok || bench_check_copy(run, p, q, j->n);
        break;
    case K_SOFTMAX:
    case K_SAMPLE:
    case K_PRECISION:
        break;
    }
    for (guint i = 0; i < G_N_ELEMENTS(copies); i++)
        nl_free(copies[i]);
    *fault = !exact;
    return ok;
}

/* The reference of one measurement (see the top of this file). */
typedef struct {
    const char *name; /* "read_bw", "device_copy", "cblas_sgemm", "none" */
    BenchCall call;
    gpointer data;
    double work; /* bytes or flops of one call */
    Probe probe;
    DirectGemm gemm;
    Job copy;
    guint64 *words;
} Reference;

static gboolean device_copy_call(gpointer data, GError **error)
{
    return kernel_call(data, error);
}

/* Direct cblas_sgemm with the backend's thread count, restored after. */
static gboolean direct_gemm_threads_call(gpointer data, GError **error)
{
    DirectGemm *g = data;
    int saved = g->cblas->get_threads();
    if (saved != g->threads)
        g->cblas->set_threads(g->threads);
    gboolean ok = direct_gemm_call(g, error);
    if (saved != g->threads)
        g->cblas->set_threads(saved);
    return ok;
}

static gboolean reference_setup(Reference *ref, const Job *j, guint64 seed,
                                GError **error)
{
    const NlBackendInfo *info = nl_backend_info(j->b);
    gboolean cpu = strcmp(info->device, "CPU") == 0;
    memset(ref, 0, sizeof *ref);
    ref->name = "none";
    if (j->kernel == K_COPY)
        return TRUE;
    if (j->kernel == K_GEMM) {
        if (!cpu)
            return TRUE;
        gsize n = j->n;
        if (!direct_gemm_setup(&ref->gemm, n, info->threads, seed, error))
            return FALSE;
        ref->name = "cblas_sgemm";
        ref->call = direct_gemm_threads_call;
        ref->data = &ref->gemm;
        ref->work = 2.0 * n * n * n;
        return TRUE;
    }
    if (!cpu) { /* a device's reductions: its own copy bandwidth */
        ref->copy = (Job){.b = j->b, .kernel = K_COPY};
        if (!job_setup(&ref->copy, j->kernel == K_GEMV ? j->m * j->n : j->n,
                       seed, error))
            return FALSE;
        ref->name = "device_copy";
        ref->call = device_copy_call;
        ref->data = &ref->copy;
        ref->work = work_of(&ref->copy);
        return TRUE;
    }
    /* the kernel's own buffers, so that probe and kernel read the same
     * bytes and find the same caches */
    const NlBuffer *own[3] = {NULL, NULL, NULL};
    gsize own_n[3] = {j->n, j->n, 0};
    switch (j->kernel) {
    case K_GEMV:
        own[0] = j->a, own[1] = j->x, own[2] = j->y;
        own_n[0] = j->m * j->n, own_n[2] = j->m;
        break;
    case K_DOT:
        own[0] = j->x, own[1] = j->y;
        break;
    default: /* sum */
        own[0] = j->x;
    }
    gboolean on_host = TRUE;
    for (int r = 0; r < 3; r++)
        on_host = on_host && (!own[r] || own[r]->host);
    ref->probe = (Probe){.threads = info->threads};
    if (on_host) {
        for (int r = 0; r < 3 && own[r]; r++) {
            int k = ref->probe.n_ranges++;
            ref->probe.range[k] = (const guint64 *)own[r]->host;
            ref->probe.range_words[k] = own_n[r] * sizeof(float) / 8;
        }
    } else { /* a CPU backend whose buffers are not host memory */
        gsize words = (gsize)(work_of(j) / 8) + 1;
        ref->words = nl_alloc(words, sizeof(guint64), error);
        if (!ref->words)
            return FALSE;
        memset(ref->words, 1, words * sizeof(guint64));
        ref->probe = probe_one(ref->words, words, info->threads);
    }
    ref->name = "read_bw";
    ref->call = probe_call;
    ref->data = &ref->probe;
    ref->work = probe_bytes(&ref->probe);
    return TRUE;
}

static void reference_clear(Reference *ref)
{
    nl_free(ref->words);
    direct_gemm_clear(&ref->gemm);
    if (ref->copy.b)
        job_clear(&ref->copy);
}

/* The read bandwidth run_common measured, undisturbed, at this size and
 * thread count; 0 when it has none. Interleaving keeps the reference
 * honest under drifting load, but OpenBLAS's idle threads spin for tens
 * of milliseconds after each call and can steal a core from the probe. */
static double machine_read_bw(NlRun *run, gsize size, int threads)
{
    const NlTable *refs = nl_run_common_table(run, "bench-references");
    for (guint r = 0; refs && r < nl_table_n_rows(refs); r++)
        if (strcmp(nl_table_get_str(refs, r, 0), "read") == 0 &&
            nl_table_get_int(refs, r, 1) == (gint64)size &&
            nl_table_get_int(refs, r, 2) == threads)
            return nl_table_get_f64(refs, r, 4);
    return 0;
}

static gboolean probe_gemm(NlRun *run, double *seconds, GError **error)
{
    Job j = {.b = nl_run_backend(run), .kernel = K_GEMM};
    if (!job_setup(&j, GEMM_PROBE_N, nl_run_seed(run), error)) {
        job_clear(&j);
        return FALSE;
    }
    double t0 = nl_time_now();
    gboolean ok = kernel_call(&j, error);
    *seconds = nl_time_now() - t0;
    job_clear(&j);
    return ok;
}

/* Mean seconds per call of j's kernel, split as its backend accounts for
 * them (nl_backend_times); compute, comm and dispatch NAN when it does
 * not. Timed for half of min_time, at least 3 calls. */
static gboolean time_split(Job *j, double min_time, BenchSplit *split,
                           GError **error)
{
    NlBackendTimes before, after;
    gboolean told = nl_backend_times(j->b, &before);
    int calls = 0;
    double t0 = nl_time_now();
    do {
        if (!kernel_call(j, error))
            return FALSE;
        calls++;
    } while (calls < 3 || nl_time_now() - t0 < min_time / 2);
    split->wall = (nl_time_now() - t0) / calls;
    nl_backend_times(j->b, &after);
    split->compute = split->comm = split->dispatch = NAN;
    if (told) {
        split->compute =
            (after.compute_seconds - before.compute_seconds) / calls;
        split->comm = (after.comm_seconds - before.comm_seconds) / calls;
        split->dispatch = split->wall - split->compute - split->comm;
    }
    return TRUE;
}

/* The kernel j has just been measured with (its buffers set up) against
 * the same kernel and size on `peer`, in alternating rounds
 * (bench_time_pair): one row of bench-peer. Half the time with j's
 * buffers allocated before the peer's, half with them allocated anew
 * after: of two identical kernels on buffers of 4 MB (L3), the one whose
 * buffers were allocated first ran 5-35 % slower on the build VM, and
 * which one that was followed the order of allocation, not of timing.
 * Each kernel's time is the geometric mean of its two halves; the spread
 * is the larger of the halves' spreads. */
static gboolean measure_peer(NlRun *run, NlTable *t, Job *j, NlBackend *peer,
                             gsize size, double min_time, GError **error)
{
    guint64 seed = nl_run_seed(run);
    Job p = {.b = peer, .kernel = j->kernel};
    double sec[2] = {NAN, NAN}, peer_sec[2] = {NAN, NAN}, half[2] = {NAN, NAN};
    BenchSplit split;
    gboolean ok = job_setup(&p, size, seed, error);
    for (int order = 0; ok && order < 2; order++) {
        if (order) { /* the peer's buffers first, then j's */
            job_clear(&p);
            job_clear(j);
            ok = job_setup(&p, size, seed, error) &&
                 job_setup(j, size, seed, error);
        }
        ok = ok && bench_time_pair(kernel_call, j, kernel_call, &p,
                                   min_time / 2, &sec[order], &peer_sec[order],
                                   &half[order], error);
    }
    ok = ok && time_split(j, min_time, &split, error);
    double rate = work_of(j) / sqrt(sec[0] * sec[1]) / 1e9;
    double peer_rate = work_of(&p) / sqrt(peer_sec[0] * peer_sec[1]) / 1e9;
    job_clear(&p);
    if (!ok)
        return FALSE;
    bench_peer_add_row(t, kernel_names[j->kernel], size, j->b, peer, rate,
                       peer_rate, j->kernel == K_GEMM ? "GFLOP/s" : "GB/s",
                       MAX(half[0], half[1]), &split);
    return TRUE;
}

/* `predicted`: seconds one call is expected to take from a smaller size
 * (gemm: n^3 scaling), or 0; beyond max_call the call is not even made. */
static gboolean measure(NlRun *run, NlTable *t, Job *j, gsize size,
                        double min_time, double max_call, double *predicted,
                        NlBackend *peer, NlTable *peer_table, GError **error)
{
    double seconds = NAN, ref_seconds = NAN, spread = NAN;
    const char *note = "";
    g_autofree char *spread_note = NULL;
    gboolean fault = FALSE;
    Reference ref = {.name = "none"};
    if (*predicted > max_call) {
        note = "skipped: one call would exceed max_call";
        j->n = j->m = size;
    } else {
        if (!job_setup(j, size, nl_run_seed(run), error) ||
            !reference_setup(&ref, j, nl_run_seed(run), error)) {
            job_clear(j);
            reference_clear(&ref);
            return FALSE;
        }
        double t0 = nl_time_now();
        gboolean ok = kernel_call(j, error);
        *predicted = nl_time_now() - t0;
        ok = ok && check_result(run, j, &fault, error);
        if (ok && *predicted > max_call)
            note = "skipped: one call exceeds max_call";
        else if (ok && ref.call)
            ok = bench_time_pair(kernel_call, j, ref.call, ref.data, min_time,
                                 &seconds, &ref_seconds, &spread, error);
        else if (ok)
            ok = (seconds = bench_time_best(kernel_call, j, min_time, &spread,
                                            error)) >= 0;
        /* the next size is predicted from the median call: the first
         * call alone can be far slower (mpi: ranks that were asleep), and
         * then skipped the next size for nothing */
        if (ok && seconds > 0)
            *predicted = seconds;
        if (ok && peer && !*note)
            ok = measure_peer(run, peer_table, j, peer, size, min_time, error);
        if (!ok) {
            job_clear(j);
            reference_clear(&ref);
            return FALSE;
        }
    }
    double rate = work_of(j) / seconds / 1e9;
    double ref_rate = ref.work / ref_seconds / 1e9;
    if (strcmp(ref.name, "read_bw") == 0) {
        /* Below half of what the same probe read undisturbed in run_common,
         * the interleaved probe was disturbed (see machine_read_bw); any
         * smaller difference is the machine's drift, which interleaving is
         * there to share between kernel and reference. */
        double calm = machine_read_bw(run, size, ref.probe.threads);
        if (ref_rate < 0.5 * calm)
            ref_rate = calm;
    }
    if (!*note && spread > BENCH_SPREAD_NOTE) {
        spread_note = g_strdup_printf(
            "spread %.0f %%: the rounds disagree (the machine is busy%s)",
            100 * spread,
            j->kernel == K_GEMM ? "" : ", or its bandwidth changed");
        note = spread_note;
    }
    nl_table_add_str(t, kernel_names[j->kernel]);
    nl_table_add_int(t, (gint64)size);
    nl_table_add_int(t, nl_backend_info(j->b)->threads);
    nl_table_add_f64(t, seconds);
    nl_table_add_f64(t, rate);
    nl_table_add_str(t, j->kernel == K_GEMM ? "GFLOP/s" : "GB/s");
    nl_table_add_str(t, ref.name);
    nl_table_add_f64(t, ref_rate);
    nl_table_add_f64(t, rate / ref_rate);
    nl_table_add_str(t, note);
    nl_table_add_int(t, fault);
    nl_table_add_f64(t, spread);
    nl_table_add_str(t, regime(j));
    job_clear(j);
    reference_clear(&ref);
    return TRUE;
}

/* ---- contention: other processes that each keep a core busy ---- */

/* `n` processes that spin on arithmetic until killed (and die with this
 * one): a core taken by another program while the kernels run, the
 * situation in which a thread pool that spins on its barrier loses
 * (-p contention=1). Between fork and the loop only async-signal-safe
 * calls: the job's process may have threads. The pids go to `pids`. */
static gboolean contention_start(guint n, pid_t *pids, GError **error)
{
    pid_t parent = getpid();
    for (guint i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(0);
            volatile double x = 1.0;
            for (;;)
                x = x * 1.0000001 + 1e-9;
        }
        if (pids[i] < 0) {
            int e = errno;
            while (i-- > 0)
                kill(pids[i], SIGKILL), waitpid(pids[i], NULL, 0);
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                        "bench: contention: fork: %s", g_strerror(e));
            return FALSE;
        }
    }
    return TRUE;
}

static void contention_stop(guint n, const pid_t *pids)
{
    for (guint i = 0; i < n; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
    }
}

static gboolean run_backend_kernels(NlRun *run, GError **error);

static gboolean run_backend(NlRun *run, GError **error)
{
    guint n = (guint)nl_params_get_int(nl_run_params(run), "contention");
    pid_t pids[64];
    if (!contention_start(n, pids, error))
        return FALSE;
    gboolean ok = run_backend_kernels(run, error);
    contention_stop(n, pids);
    return ok;
}

static gboolean run_backend_kernels(NlRun *run, GError **error)
{
    const NlParams *p = nl_run_params(run);
    gboolean want[G_N_ELEMENTS(kernel_names)] = {FALSE};
    wanted_kernels(p, want);
    double min_time = nl_params_get_double(p, "min_time");
    double max_call = nl_params_get_double(p, "max_call");
    gsize n_sizes, n_gemm;
    const gint64 *sizes = bench_sweep_list(p, "sizes", &n_sizes);
    const gint64 *gemm_sizes = bench_sweep_list(p, "gemm_sizes", &n_gemm);
    NlTable *t = nl_run_table(run, "bench-measurements", MEASUREMENT_COLUMNS);
    nl_table_set_title(t, "each kernel's median time per call, and its "
                          "reference timed interleaved with it");
    nl_table_add_note(t, "spread",
                      "interquartile range of the ratios of the pairs of "
                      "rounds over their median (rounds alternate kernel "
                      "and reference, a pair is a b then b a); a row "
                      "against a goal or with no reference: of its batches' "
                      "times");
    nl_table_add_note(t, "regime",
                      "where a memory-bound kernel's bytes come from, by the "
                      "cache sizes the OS reports: L2 (the threads' private "
                      "caches), L3, memory; gemm: compute");
    nl_table_add_note(t, "fault",
                      "1: the kernel's result differs from the "
                      "exact one, which every correct kernel "
                      "returns on these integer inputs: a "
                      "backend fault (softmax is not checked)");
    NlBackend *peer = bench_peer_open(run, error);
    if (!peer && error && *error)
        return FALSE;
    NlTable *peer_table = NULL;
    if (peer) {
        peer_table = nl_run_table(run, "bench-peer", BENCH_PEER_COLUMNS);
        nl_table_set_title(peer_table,
                           "each kernel against the same kernel on a peer "
                           "backend, timed interleaved in one process; and "
                           "the mean seconds of one call, split as the "
                           "backend accounts for them");
        nl_table_add_note(peer_table, "ratio", "rate / peer_rate");
        nl_table_add_note(peer_table, "comm",
                          "seconds in communication, waiting for the "
                          "other ranks included");
        nl_table_add_note(peer_table, "dispatch",
                          "wall - compute - comm: the request reaching "
                          "the workers and the answer coming back");
    }
    gsize total = 0, done = 0;
    for (guint k = 0; k < G_N_ELEMENTS(kernel_names); k++)
        total += want[k] ? (k == K_GEMM ? n_gemm : n_sizes) : 0;
    for (guint k = 0; k < G_N_ELEMENTS(kernel_names); k++) {
        if (!want[k])
            continue;
        if (k == K_SOFTMAX || k == K_SAMPLE) { /* bench-sampling.c */
            if (k == K_SOFTMAX &&
                !bench_softmax(run, t, peer, peer_table, min_time, error))
                return FALSE;
            continue;
        }
        if (k == K_PRECISION) { /* bench-precision.c */
            if (!bench_precision(run, min_time, max_call, error))
                return FALSE;
            continue;
        }
        gboolean gemm = k == K_GEMM;
        double predicted = 0, last_size = 0;
        if (gemm && n_gemm && gemm_sizes[0] > GEMM_PROBE_N &&
            !probe_gemm(run, &predicted, error))
            return FALSE;
        if (predicted > 0)
            last_size = GEMM_PROBE_N;
        for (gsize i = 0; i < (gemm ? n_gemm : n_sizes); i++) {
            Job j = {.b = nl_run_backend(run), .kernel = k};
            gsize size = (gsize)(gemm ? gemm_sizes[i] : sizes[i]);
            /* time grows as n^3 for gemm, as n for the rest */
            if (last_size > 0)
                predicted *= pow(size / last_size, gemm ? 3 : 1);
            last_size = (double)size;
            if (!measure(run, t, &j, size, min_time, max_call, &predicted, peer,
                         peer_table, error))
                return FALSE;
            nl_run_progress(run, (double)++done / total, kernel_names[k]);
        }
    }
    return TRUE;
}

/* ---- the side-by-side table ---- */

static gboolean run_compare(NlRun *run, GError **error)
{
    (void)error;
    NlTable *t =
        nl_run_table(run, "bench-results", "backend:str " MEASUREMENT_COLUMNS);
    nl_table_set_title(t, "every measurement with its reference; one "
                          "dataset per backend, in backends.gp order");
    for (guint j = 0; j < nl_run_n_jobs(run); j++) {
        const NlTable *own = nl_run_job_table(run, j, "bench-measurements");
        nl_table_new_dataset(t, nl_run_job_label(run, j));
        for (guint r = 0; own && r < nl_table_n_rows(own); r++) {
            nl_table_add_str(t, nl_run_job_label(run, j));
            nl_table_add_str(t, nl_table_get_str(own, r, 0));
            nl_table_add_int(t, nl_table_get_int(own, r, 1));
            nl_table_add_int(t, nl_table_get_int(own, r, 2));
            for (guint c = 3; c <= 4; c++)
                nl_table_add_f64(t, nl_table_get_f64(own, r, c));
            nl_table_add_str(t, nl_table_get_str(own, r, 5));
            nl_table_add_str(t, nl_table_get_str(own, r, 6));
            for (guint c = 7; c <= 8; c++)
                nl_table_add_f64(t, nl_table_get_f64(own, r, c));
            nl_table_add_str(t, nl_table_get_str(own, r, 9));
            nl_table_add_int(t, nl_table_get_int(own, r, 10));
            nl_table_add_f64(t, nl_table_get_f64(own, r, 11));
            nl_table_add_str(t, nl_table_get_str(own, r, 12));
        }
    }
    bench_sampling_results(run, t);
    bench_invariant_costs(run);
    bench_peer_results(run);
    bench_precision_results(run);
    return TRUE;
}

/* Bytes a job holds per value of the largest size, by kernel: the
 * vectors on the host and the backend, and the reference's. */
static double bytes_per_value(const char *kernel)
{
    if (strcmp(kernel, "dot") == 0)
        return 16.0;
    if (strcmp(kernel, "copy") == 0)
        return 12.0;
    if (strcmp(kernel, "sum") == 0 || strcmp(kernel, "gemv") == 0)
        return 8.0;
    return 0.0; /* gemm, softmax, sample: their own sizes */
}

/* Measured on this machine (AMD EPYC, Zen 4, 2 cores; peak RSS from the
 * manifest's peak_bytes): a job holds 8 to 16 bytes a value of the
 * largest size (bytes_per_value) and 24 a gemm element (three matrices,
 * twice); the common phase 4 a value (its read probe) and 12 a gemm
 * element. A gemm whose call would pass max_call even at 200 GFLOP/s is
 * skipped, so not counted. Time: every point takes at least four
 * min_times (kernel and reference), a naive kernel 20 ns a value over its
 * repeats, naive gemm 1.5 GFLOP/s (skipped beyond max_call), the common
 * phase's OpenBLAS gemm 100 GFLOP/s. */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    (void)error;
    gsize n_kernels, n_sizes, n_gemm;
    const char *const *kernels =
        nl_params_get_string_list(p, "kernels", &n_kernels);
    const gint64 *sizes = bench_sweep_list(p, "sizes", &n_sizes);
    const gint64 *gemm_sizes = bench_sweep_list(p, "gemm_sizes", &n_gemm);
    double min_time = nl_params_get_double(p, "min_time");
    double max_call = nl_params_get_double(p, "max_call");
    gboolean gemm = FALSE, precision = FALSE;
    double linear = 0.0, per_value = 0.0; /* kernels timed over `sizes` */
    for (gsize k = 0; k < n_kernels; k++) {
        gemm |= strcmp(kernels[k], "gemm") == 0;
        precision |= strcmp(kernels[k], "precision") == 0;
        linear += bytes_per_value(kernels[k]) > 0;
        per_value = MAX(per_value, bytes_per_value(kernels[k]));
    }
    double largest = 0.0, total = 0.0;
    for (gsize i = 0; i < n_sizes; i++) {
        largest = MAX(largest, (double)sizes[i]);
        total += (double)sizes[i];
    }
    double gemm_elements = 0.0, naive_gemm = 0.0, blas_gemm = 0.0;
    for (gsize i = 0; i < n_gemm; i++) {
        double n = (double)gemm_sizes[i], flops = 2.0 * n * n * n;
        if (flops / 200e9 > max_call)
            continue; /* skipped on every backend */
        gemm_elements = MAX(gemm_elements, n * n);
        blas_gemm += MAX(3.0 * flops / 100e9, min_time);
        double call = flops / 1.5e9; /* naive; beyond max_call: skipped */
        naive_gemm += call > max_call ? 0.0 : 4.0 * min_time + 4.0 * call;
    }
    cost->bytes = MAX(MAX(per_value, 4.0) * largest,
                      (gemm ? 24.0 : 12.0) * gemm_elements);
    cost->common_seconds = (double)n_sizes * 4.0 * min_time + blas_gemm;
    cost->job_seconds =
        linear * ((double)n_sizes * 4.0 * min_time + 20e-9 * total) +
        (gemm ? naive_gemm : 0.0);
    if (precision) { /* bench-precision.c: five gemms and three sums a
                        size, each against float32; the emulated ones
                        (pure bfloat16 on naive, 1 GFLOP/s) dominate */
        gsize n_pg;
        const gint64 *pg = bench_sweep_list(p, "precision_gemm_sizes", &n_pg);
        double sum_n = (double)bench_sweep_int(p, "precision_sum_size");
        for (gsize i = 0; i < n_pg; i++) {
            double n = (double)pg[i], call = 2.0 * n * n * n / 1e9;
            cost->job_seconds +=
                5.0 * (4.0 * min_time + (call > max_call ? call : 4.0 * call));
            cost->bytes = MAX(cost->bytes, 40.0 * n * n);
        }
        cost->job_seconds += 3.0 * (4.0 * min_time + 40e-9 * sum_n);
        cost->bytes = MAX(cost->bytes, 16.0 * sum_n);
    }
    return TRUE;
}

static const NlParamSpec params[] = {
    {"kernels", NL_PARAM_STRING_LIST,
     "sum,dot,gemv,gemm,copy,softmax,sample,precision", 0, 0,
     "kernels to time (precision: gemm and sum in every precision against "
     "float32)",
     "sum|dot|gemv|gemm|copy|softmax|sample|precision"},
    {"sweep", NL_PARAM_STRING, "main", 0, 0,
     "main: the sizes below, sized for the main job; full: the "
     "reductions at every decade from 10^3 to 10^8, gemm also at 4096, "
     "the precisions at 256 and 1024 and sums of 10^7 (sizes given with "
     "-p win)",
     "main|full"},
    {"sizes", NL_PARAM_INT_LIST, "1000,100000,10000000", 1, 1e9,
     "element counts of the reductions and copies (gemv: of its "
     "square matrix)",
     NULL, NULL},
    {"gemm_sizes", NL_PARAM_INT_LIST, "256,1024", 1, 32768,
     "n of the n x n x n matrix products", NULL, NULL},
    /* 0.05 s: sized for the main job; 0.1 agreed no better over three
     * runs here (make bench-repeat: 21, 21 of 62 against 22, 20) */
    {"min_time", NL_PARAM_DOUBLE, "0.05", 0.001, 60,
     "seconds of timed calls per measurement (at least 3 calls)", NULL, NULL},
    {"max_call", NL_PARAM_DOUBLE, "2", 0.001, 3600,
     "skip a measurement whose one call would take longer (seconds)", NULL,
     NULL},
    {"softmax_sizes", NL_PARAM_INT_LIST, "50257", 1, 1e9,
     "softmax: vocabulary sizes (goal: 40 us at 50257)", NULL, NULL},
    {"sample_sizes", NL_PARAM_INT_LIST, "6,50257", 1, 1e8,
     "sample: vocabulary sizes of libnumlab's sampler (one core)", NULL, NULL},
    {"precision_gemm_sizes", NL_PARAM_INT_LIST, "256", 1, 4096,
     "precision: n of the n x n x n products in each precision", NULL, NULL},
    {"precision_sum_size", NL_PARAM_INT, "1000000", 1, 1e9,
     "precision: values of the sums in each precision", NULL, NULL},
    {"contention", NL_PARAM_INT, "0", 0, 64,
     "processes that each keep one core busy while the backend's kernels "
     "are timed (1 on a 2-core machine: another program took a core)",
     NULL, NULL},
    {"peer", NL_PARAM_STRING, "auto", 0, 0,
     "a backend (-b syntax) to time each kernel against, interleaved in the "
     "job's process (table bench-peer); auto: for a backend with "
     "batch_invariant=1 (mpi: invariant=1) the same backend without it "
     "(table bench-invariant), else openmp at the same total threads for a "
     "backend that splits its time (mpi), else none; none: no peer",
     NULL, NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "Benchmark: every backend against this machine's limits",
    .description =
        "Times sum, dot, gemv and copy from cache-resident sizes to main "
        "memory (10^3, 10^5, 10^7 elements; sweep=full: every decade to "
        "10^8) and gemm at n = 256 and 1024 (full: also 4096) on every "
        "selected backend, "
        "and measures in the same run the references: this machine's read "
        "bandwidth (a loop that only loads, at 1 and at all threads) and "
        "cblas_sgemm called directly. bench-results gives each rate with "
        "its reference and their ratio; a device backend's reductions are "
        "set against its own copy bandwidth. The best of repeated calls "
        "counts.",
    .params = params,
    .run_common = run_common,
    .run_backend = run_backend,
    .run_compare = run_compare,
    .estimate = estimate,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_EXPERIMENT, .name = "bench",
        .version = PACKAGE_VERSION,
        .summary =
            "benchmark of every backend's kernels against machine limits",
        .experiment = &ops,
        /* its results are times: no other job may run beside one */
        .flags = NL_PLUGIN_JOBS_ALONE, )
