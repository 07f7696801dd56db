/* bench-cblas.h — the bench's direct OpenBLAS calls, kept in a companion
 * library (numlab/companion.h) so that loading the bench module does not
 * load OpenBLAS: every numlab command loads every module, and OpenBLAS
 * costs about 5 ms at load.
 *
 * The companion is numlab-bench-cblas.so (bench-cblas.c, linked with
 * OpenBLAS): installed in $(pkglibdir)/bench/, in the build tree in
 * experiments/bench/impl/.libs/. bench.c opens it when a run measures
 * gemm (bench_cblas()). */
#ifndef NL_BENCH_CBLAS_H
#define NL_BENCH_CBLAS_H

#include <numlab/numlab.h>

#define NL_BENCH_CBLAS_FILE   "numlab-bench-cblas.so"
#define NL_BENCH_CBLAS_SYMBOL "nl_bench_cblas"

typedef struct {
    /* C = A B for row-major n x n matrices, by cblas_sgemm */
    void (*sgemm)(int n, const float *a, const float *b, float *c);
    int (*get_threads)(void);         /* openblas_get_num_threads */
    void (*set_threads)(int threads); /* openblas_set_num_threads */
} BenchCblas;

/* The companion's table (a BenchCblas); bench-cblas.c. */
gconstpointer nl_bench_cblas(const char **version);

/* The table, the companion loaded on the first call; NULL with the error
 * when it cannot be. bench.c. */
const BenchCblas *bench_cblas(GError **error);

#endif /* NL_BENCH_CBLAS_H */
