/* bench-invariant.h — the cost of batch-invariant mode (bench-invariant.c). */
#ifndef NL_BENCH_INVARIANT_H
#define NL_BENCH_INVARIANT_H

#include <numlab/numlab.h>

/* In run_compare: pairs every job run with batch_invariant=1 with the job
 * of the same backend and options without it, and writes the table
 * bench-invariant: per kernel and size, how much slower the mode is. */
void bench_invariant_costs(NlRun *run);

#endif /* NL_BENCH_INVARIANT_H */
