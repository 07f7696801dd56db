/* bench-sweep.h — the benchmark's two sweeps: `main`, the default, sized
 * for the main job (./quickstart.sh), and `full`, every size from the
 * first cache level to main memory. A size parameter given with -p wins
 * over either sweep. */
#ifndef NL_BENCH_SWEEP_H
#define NL_BENCH_SWEEP_H

#include <numlab/numlab.h>

/* The list parameter `name` (sizes, gemm_sizes, precision_gemm_sizes):
 * as given, or the sweep's. */
const gint64 *bench_sweep_list(const NlParams *p, const char *name, gsize *n);
/* The integer parameter `name` (precision_sum_size), likewise. */
gint64 bench_sweep_int(const NlParams *p, const char *name);

#endif /* NL_BENCH_SWEEP_H */
