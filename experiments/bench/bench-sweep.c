/* bench-sweep.c — the sizes of the full sweep (bench-sweep.h). The main
 * sweep's are the parameters' defaults in bench.c: the reductions at 10^3,
 * 10^5 and 10^7 elements (first-level cache, second-level cache, past the
 * last level), gemm at n = 256 and 1024, the precisions at n = 256 and
 * 10^6 values. The full sweep adds every decade up to 10^8 and gemm at
 * n = 4096: about five times the time. */
#include "config.h"

#include "bench-sweep.h"

#include <string.h>

static const gint64 full_sizes[] = {1000,    10000,    100000,
                                    1000000, 10000000, 100000000};
static const gint64 full_gemm[] = {256, 1024, 4096};
static const gint64 full_precision_gemm[] = {256, 1024};

static gboolean full(const NlParams *p)
{
    return strcmp(nl_params_get_string(p, "sweep"), "full") == 0;
}

const gint64 *bench_sweep_list(const NlParams *p, const char *name, gsize *n)
{
    if (nl_params_is_set(p, name) || !full(p))
        return nl_params_get_int_list(p, name, n);
    if (strcmp(name, "sizes") == 0) {
        *n = G_N_ELEMENTS(full_sizes);
        return full_sizes;
    }
    if (strcmp(name, "gemm_sizes") == 0) {
        *n = G_N_ELEMENTS(full_gemm);
        return full_gemm;
    }
    g_assert(strcmp(name, "precision_gemm_sizes") == 0);
    *n = G_N_ELEMENTS(full_precision_gemm);
    return full_precision_gemm;
}

gint64 bench_sweep_int(const NlParams *p, const char *name)
{
    if (nl_params_is_set(p, name) || !full(p))
        return nl_params_get_int(p, name);
    g_assert(strcmp(name, "precision_sum_size") == 0);
    return 10000000;
}
