/* bench-cblas.c — the bench's companion library: cblas_sgemm and
 * OpenBLAS's thread count, called directly (bench-cblas.h). */
#include "config.h"

#include "bench-cblas.h"

#include <cblas.h>

static void sgemm(int n, const float *a, const float *b, float *c)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n,
                b, n, 0.0f, c, n);
}

static void set_threads(int threads)
{
    openblas_set_num_threads(threads);
}

gconstpointer nl_bench_cblas(const char **version)
{
    static const BenchCblas table = {
        .sgemm = sgemm,
        .get_threads = openblas_get_num_threads,
        .set_threads = set_threads,
    };
    *version = PACKAGE_VERSION;
    return &table;
}
