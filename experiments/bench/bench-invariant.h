/* bench-invariant.h — the cost of batch-invariant mode (bench-invariant.c). */
#ifndef NL_BENCH_INVARIANT_H
#define NL_BENCH_INVARIANT_H

#include <numlab/numlab.h>

/* The backend spec `label` names with its batch_invariant (mpi:
 * invariant) option left out, when that option is on; NULL when it is
 * off or absent. Free with g_free. */
char *bench_invariant_normal_spec(const char *label);

/* In run_compare: the table bench-invariant, from the bench-peer rows of
 * every job with the mode on whose peer is the same backend with it off:
 * per kernel and size, how much slower the mode is (empty when no job
 * had the mode on). */
void bench_invariant_costs(NlRun *run);

#endif /* NL_BENCH_INVARIANT_H */
