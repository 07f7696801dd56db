/* bench-peer.c — a job's kernels set against a peer backend, and how both
 * scale with threads.
 *
 *   numlab bench -b mpi:ranks=1,mpi:ranks=2
 *
 * times each kernel of an mpi job interleaved (bench_time_pair) with the
 * same kernel on openmp at the same total threads, opened beside the job
 * in its process (nl_run_peer): both see the same machine, so their ratio
 * does not drift. The mpi backend reports where its calls spend their time
 * (nl_backend_times); the row splits each call's mean wall time into rank
 * 0's computing, its time in MPI (communication and waiting for the other
 * ranks) and dispatch, the rest: the request reaching the ranks over their
 * sockets and the answer coming back. run_compare sets every job against
 * the job of the same backend with one thread or rank (bench-scaling).
 *
 * The measurement itself is bench.c's (measure_peer), which owns the
 * kernels' buffers. */
#include "config.h"

#include "bench-peer.h"

#include "bench-invariant.h"

#include <math.h>
#include <string.h>

NlBackend *bench_peer_open(NlRun *run, GError **error)
{
    const char *peer = nl_params_get_string(nl_run_params(run), "peer");
    NlBackend *b = nl_run_backend(run);
    if (strcmp(peer, "none") == 0)
        return NULL;
    g_autofree char *spec = NULL;
    if (strcmp(peer, "auto") != 0)
        spec = g_strdup(peer);
    else if (!(spec = bench_invariant_normal_spec(nl_backend_label(b)))) {
        NlBackendTimes times;
        if (!nl_backend_times(b, &times))
            return NULL; /* not a backend that communicates */
        spec =
            g_strdup_printf("openmp:threads=%d", nl_backend_info(b)->threads);
    }
    NlBackend *opened = nl_run_peer(run, spec, error);
    if (!opened)
        g_prefix_error(error, "peer %s: ", spec);
    return opened;
}

void bench_peer_add_row(NlTable *t, const char *kernel, gsize n, NlBackend *b,
                        NlBackend *peer, double rate, double peer_rate,
                        const char *unit, double spread,
                        const BenchSplit *split)
{
    nl_table_add_str(t, kernel);
    nl_table_add_int(t, (gint64)n);
    nl_table_add_int(t, nl_backend_info(b)->threads);
    nl_table_add_str(t, nl_backend_label(peer));
    nl_table_add_f64(t, rate);
    nl_table_add_f64(t, peer_rate);
    nl_table_add_str(t, unit);
    nl_table_add_f64(t, rate / peer_rate);
    nl_table_add_f64(t, split->wall);
    nl_table_add_f64(t, split->compute);
    nl_table_add_f64(t, split->comm);
    nl_table_add_f64(t, split->dispatch);
    nl_table_add_f64(t, spread);
}

/* The label without its thread or rank count: the jobs of one scaling
 * series share it. */
static char *series_of(const char *label)
{
    g_auto(GStrv) words = g_strsplit(label, ":", -1);
    GString *out = g_string_new(NULL);
    for (char **w = words; *w; w++)
        if (!g_str_has_prefix(*w, "threads=") &&
            !g_str_has_prefix(*w, "ranks="))
            g_string_append_printf(out, "%s%s", out->len ? ":" : "", *w);
    return g_string_free(out, FALSE);
}

/* The row of `t` for kernel at size n, or -1. */
static int find_row(const NlTable *t, const char *kernel, gint64 n)
{
    int c_kernel = nl_table_column(t, "kernel"), c_n = nl_table_column(t, "n");
    for (guint r = 0; r < nl_table_n_rows(t); r++)
        if (strcmp(nl_table_get_str(t, r, (guint)c_kernel), kernel) == 0 &&
            nl_table_get_int(t, r, (guint)c_n) == n)
            return (int)r;
    return -1;
}

/* The job of the same series as `job` whose rows ran on one thread, or
 * -1. */
static int one_thread_job(NlRun *run, guint job)
{
    g_autofree char *series = series_of(nl_run_job_label(run, job));
    for (guint j = 0; j < nl_run_n_jobs(run); j++) {
        const NlTable *t = nl_run_job_table(run, j, "bench-peer");
        g_autofree char *s = series_of(nl_run_job_label(run, j));
        if (t && nl_table_n_rows(t) > 0 && strcmp(s, series) == 0 &&
            nl_table_get_int(t, 0, (guint)nl_table_column(t, "threads")) == 1)
            return (int)j;
    }
    return -1;
}

/* Every job's bench-peer rows, one dataset per job. */
static void gather(NlRun *run)
{
    NlTable *out =
        nl_run_table(run, "bench-peers", "backend:str " BENCH_PEER_COLUMNS);
    nl_table_set_title(out, "each job's kernels against the same kernels on "
                            "its peer, with the split of one call's time");
    for (guint j = 0; j < nl_run_n_jobs(run); j++) {
        const NlTable *t = nl_run_job_table(run, j, "bench-peer");
        if (!t)
            continue;
        nl_table_new_dataset(out, nl_run_job_label(run, j));
        for (guint r = 0; r < nl_table_n_rows(t); r++) {
            /* BENCH_PEER_COLUMNS, in order */
            nl_table_add_str(out, nl_run_job_label(run, j));
            nl_table_add_str(out, nl_table_get_str(t, r, 0));
            nl_table_add_int(out, nl_table_get_int(t, r, 1));
            nl_table_add_int(out, nl_table_get_int(t, r, 2));
            nl_table_add_str(out, nl_table_get_str(t, r, 3));
            nl_table_add_f64(out, nl_table_get_f64(t, r, 4));
            nl_table_add_f64(out, nl_table_get_f64(t, r, 5));
            nl_table_add_str(out, nl_table_get_str(t, r, 6));
            for (guint c = 7; c <= 12; c++)
                nl_table_add_f64(out, nl_table_get_f64(t, r, c));
        }
    }
}

void bench_peer_results(NlRun *run)
{
    gboolean any = FALSE;
    for (guint j = 0; j < nl_run_n_jobs(run); j++)
        any |= nl_run_job_table(run, j, "bench-peer") != NULL;
    if (!any) /* no job had a peer: no tables */
        return;
    gather(run);
    NlTable *out = nl_run_table(
        run, "bench-scaling",
        "backend:str kernel:str n:int threads:int rate:f64 unit:str "
        "speedup:f64 efficiency:f64 peer:str peer_rate:f64 peer_speedup:f64 "
        "peer_efficiency:f64");
    nl_table_set_title(out, "each job and its peer against the same kernel "
                            "and size on one thread (rank): speedup, and "
                            "efficiency = speedup / threads");
    for (guint i = 0; i < nl_run_n_jobs(run); i++) {
        const NlTable *t = nl_run_job_table(run, i, "bench-peer");
        int base = one_thread_job(run, i);
        if (!t || base < 0)
            continue;
        const NlTable *b = nl_run_job_table(run, (guint)base, "bench-peer");
        int c_rate = nl_table_column(t, "rate");
        int c_peer_rate = nl_table_column(t, "peer_rate");
        int c_threads = nl_table_column(t, "threads");
        for (guint r = 0; r < nl_table_n_rows(t); r++) {
            const char *kernel = nl_table_get_str(t, r, 0);
            gint64 n = nl_table_get_int(t, r, 1);
            int s = find_row(b, kernel, n);
            if (s < 0)
                continue;
            double threads = (double)nl_table_get_int(t, r, (guint)c_threads);
            double rate = nl_table_get_f64(t, r, (guint)c_rate);
            double peer_rate = nl_table_get_f64(t, r, (guint)c_peer_rate);
            double speedup =
                rate / nl_table_get_f64(b, (guint)s, (guint)c_rate);
            double peer_speedup =
                peer_rate / nl_table_get_f64(b, (guint)s, (guint)c_peer_rate);
            nl_table_add_str(out, nl_run_job_label(run, i));
            nl_table_add_str(out, kernel);
            nl_table_add_int(out, n);
            nl_table_add_int(out, (gint64)threads);
            nl_table_add_f64(out, rate);
            nl_table_add_str(
                out, nl_table_get_str(t, r, nl_table_column(t, "unit")));
            nl_table_add_f64(out, speedup);
            nl_table_add_f64(out, speedup / threads);
            nl_table_add_str(
                out, nl_table_get_str(t, r, nl_table_column(t, "peer")));
            nl_table_add_f64(out, peer_rate);
            nl_table_add_f64(out, peer_speedup);
            nl_table_add_f64(out, peer_speedup / threads);
        }
    }
}
