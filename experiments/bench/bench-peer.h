/* bench-peer.h — a job's kernels against the same kernels on a peer
 * backend in the same process, and where the job's time goes
 * (bench-peer.c). */
#ifndef NL_BENCH_PEER_H
#define NL_BENCH_PEER_H

#include <numlab/numlab.h>

/* The columns of the table bench-peer, one row per kernel and size. */
#define BENCH_PEER_COLUMNS                                                     \
    "kernel:str n:int threads:int peer:str rate:f64 peer_rate:f64 unit:str "   \
    "ratio:f64 wall:f64 compute:f64 comm:f64 dispatch:f64 spread:f64"

/* In run_backend: the peer the parameter `peer` names for this job's
 * backend, opened (nl_run_peer), or NULL with *error unset when there is
 * none. "auto" is, for a backend with batch_invariant=1 (mpi:
 * invariant=1), the same backend with the mode off (bench-invariant.c);
 * for another backend that splits its time (mpi), openmp with as many
 * threads as it has (ranks), the same total threads; for the rest, none.
 * NULL with *error set when it cannot be opened. */
NlBackend *bench_peer_open(NlRun *run, GError **error);

/* Where a backend's calls spend their time, mean seconds per call. */
typedef struct {
    double wall, compute, comm, dispatch; /* NAN: the backend does not say */
} BenchSplit;

/* One row of bench-peer: kernel at size n on b (the job's backend)
 * against peer; spread as bench_time_pair gives it. */
void bench_peer_add_row(NlTable *t, const char *kernel, gsize n, NlBackend *b,
                        NlBackend *peer, double rate, double peer_rate,
                        const char *unit, double spread,
                        const BenchSplit *split);

/* In run_compare: the table bench-peers, every job's bench-peer rows
 * with its label, and bench-scaling: every peer row's rate against the
 * same kernel and size with one thread (rank) of the same backend, and
 * the peer's likewise: speedup and parallel efficiency. */
void bench_peer_results(NlRun *run);

#endif /* NL_BENCH_PEER_H */
