/* bench-peer.h — a job's kernels against the same kernels on a peer
 * backend in the same process, and where the job's time goes
 * (bench-peer.c). */
#ifndef NL_BENCH_PEER_H
#define NL_BENCH_PEER_H

#include <numlab/numlab.h>

/* The columns of the table bench-peer, one row per kernel and size. */
#define BENCH_PEER_COLUMNS                                                     \
    "kernel:str n:int threads:int peer:str rate:f64 peer_rate:f64 unit:str "   \
    "ratio:f64 wall:f64 compute:f64 comm:f64 dispatch:f64"

/* In run_backend: the peer the parameter `peer` names for this job's
 * backend, opened (nl_run_peer), or NULL with *error unset when there is
 * none: "none", or "auto" for a backend that does not split its time.
 * "auto" is openmp with as many threads as the backend's (for mpi: its
 * ranks), the same total threads. NULL with *error set when it cannot be
 * opened. */
NlBackend *bench_peer_open(NlRun *run, GError **error);

/* Where a backend's calls spend their time, mean seconds per call. */
typedef struct {
    double wall, compute, comm, dispatch; /* NAN: the backend does not say */
} BenchSplit;

/* In run_compare: the table bench-peers, every job's bench-peer rows
 * with its label, and bench-scaling: every peer row's rate against the
 * same kernel and size with one thread (rank) of the same backend, and
 * the peer's likewise: speedup and parallel efficiency. */
void bench_peer_results(NlRun *run);

#endif /* NL_BENCH_PEER_H */
