/* bench-precision.h — the benchmark in every precision (bench-precision.c),
 * and the timing of bench.c it shares (interleaved, or best of batches). */
#ifndef NL_BENCH_PRECISION_H
#define NL_BENCH_PRECISION_H

#include <numlab/numlab.h>

typedef gboolean (*BenchCall)(gpointer data, GError **error);
/* bench.c: the median seconds per call of a and of b over rounds that
 * alternate them, so that both see the same machine; *spread (may be
 * NULL): the interquartile range of the rounds' ratios over their median.
 * FALSE on error. */
gboolean bench_time_pair(BenchCall a, gpointer a_data, BenchCall b,
                         gpointer b_data, double min_time, double *a_sec,
                         double *b_sec, double *spread, GError **error);
/* bench.c: the best seconds per call of call, in batches of at least a
 * millisecond repeated for min_time; *spread (may be NULL): the
 * interquartile range of the batches' times over their median. < 0 on
 * error. */
double bench_time_best(BenchCall call, gpointer data, double min_time,
                       double *spread, GError **error);
/* A row whose rounds' spread is beyond this says so in its note. */
#define BENCH_SPREAD_NOTE 0.05

/* run_backend: table bench-precision, each precision's gemm and sum
 * against the backend's float32 ones. */
gboolean bench_precision(NlRun *run, double min_time, double max_call,
                         GError **error);
/* run_compare: bench-precision-results, one dataset per backend. */
void bench_precision_results(NlRun *run);

#endif /* NL_BENCH_PRECISION_H */
