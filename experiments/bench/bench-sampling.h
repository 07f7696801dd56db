/* bench-sampling.h — numlab bench's softmax and sampling measurements
 * (bench-sampling.c), called from bench.c's phases. */
#ifndef NL_BENCH_SAMPLING_H
#define NL_BENCH_SAMPLING_H

#include <numlab/numlab.h>

/* run_common: libnumlab's sampler, draws per second on one core for each
 * vocabulary size of `sample_sizes`; table bench-sampling. */
gboolean bench_sampling(NlRun *run, double min_time, GError **error);
/* run_backend: the backend's softmax at each size of `softmax_sizes`,
 * rows of bench-measurements (t) against the 40 us goal at V = 50257;
 * with a peer (may be NULL), also against the peer's softmax in
 * alternating rounds, rows of peer_table (bench-peer). */
gboolean bench_softmax(NlRun *run, NlTable *t, NlBackend *peer,
                       NlTable *peer_table, double min_time, GError **error);
/* run_compare: bench-sampling's rows as a "libnumlab" dataset of
 * bench-results (the `backend` column says libnumlab). */
void bench_sampling_results(NlRun *run, NlTable *results);

#endif /* NL_BENCH_SAMPLING_H */
