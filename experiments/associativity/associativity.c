/* associativity.c — the associativity experiment's descriptor: why the
 * order of a float sum changes its value (lecture figures A1, A2, A3, A6).
 *
 * Backend-independent arithmetic (A1, A3) runs once in run_common, and so
 * do the exact sums A2 and A6 are measured against; the blocked sums (A2)
 * and the plain sum of a large array (A6) run on every backend;
 * run_compare says which backends agree bit for bit. */
#include "config.h"

#include "associativity.h"

#include <string.h>

/* The values A2 and A6 sum: the first MAX(n, a6_n) of the seeded normal
 * stream (A2 takes the first n, A6 the first a6_n). */
static float *values(NlRun *run, GError **error)
{
    const NlParams *p = nl_run_params(run);
    gint64 n = MAX(nl_params_get_int(p, "n"), nl_params_get_int(p, "a6_n"));
    return nl_normal_values_f32(nl_run_seed(run), (gsize)n, error);
}

static gboolean run_common(NlRun *run, GError **error)
{
    if (!assoc_textbook(run, error) || !assoc_shuffles(run, error))
        return FALSE;
    /* A2's and A6's exact sums, once for every job */
    float *x = values(run, error);
    if (!x)
        return FALSE;
    AssocCommon *common = g_new(AssocCommon, 1);
    assoc_common_values(nl_run_params(run), x, common);
    nl_free(x);
    g_autoptr(GBytes) kept = g_bytes_new_take(common, sizeof *common);
    nl_run_keep_bytes(run, kept);
    return TRUE;
}

static gboolean run_backend(NlRun *run, GError **error)
{
    GBytes *kept = nl_run_common_bytes(run);
    AssocCommon common;
    if (!kept || g_bytes_get_size(kept) != sizeof common)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                       "the common phase left no exact sums");
    memcpy(&common, g_bytes_get_data(kept, NULL), sizeof common);
    float *x = values(run, error);
    if (!x)
        return FALSE;
    gboolean ok = assoc_blocked(run, x, &common, error) &&
                  assoc_backend_sum(run, x, &common, error) &&
                  assoc_backend_sum_16(run, x, &common, error);
    nl_free(x);
    return ok;
}

/* Measured on the naive backend (AMD EPYC, Zen 4, one job each, peak RSS
 * from the manifest's peak_bytes): a job holds the values throughout, and
 * A2 16 bytes a value more (the backend's copy, the exact probe: 80 MB at
 * n = 4000000), A6 16 in all (95 MB at a6_n = 6000000), A3 8 of its
 * largest size;
 * A1's counter takes 1 ns a step, A3 18 ns a shuffled value; the exact
 * sums, once in the common phase, 70 ns a value of A2 and 180 of A6 (the
 * float32 one twice rounded, each 16-bit type's); a job 80 ns a value of
 * A2 (its tiled sums and their probes) and 30 of A6. */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    (void)error;
    gsize n_sizes;
    const gint64 *sizes = nl_params_get_int_list(p, "shuffle_sizes", &n_sizes);
    double largest = 0.0, shuffled = 0.0;
    for (gsize i = 0; i < n_sizes; i++) {
        largest = MAX(largest, (double)sizes[i]);
        shuffled += (double)sizes[i];
    }
    shuffled *= (double)nl_params_get_int(p, "shuffles");
    double n = (double)nl_params_get_int(p, "n");
    double a6_n = (double)nl_params_get_int(p, "a6_n");
    cost->bytes = MAX(8.0 * largest,
                      MAX(4.0 * MAX(n, a6_n) + 16.0 * n, 16.0 * MAX(n, a6_n)));
    cost->common_seconds =
        1e-9 * (double)nl_params_get_int(p, "counter_steps") +
        18e-9 * shuffled + 70e-9 * n + 180e-9 * a6_n;
    cost->job_seconds = 80e-9 * n + 30e-9 * a6_n;
    return TRUE;
}

static const NlParamSpec params[] = {
    {"a1_small", NL_PARAM_DOUBLE, "1e-7", 0, 1,
     "A1: b = c in the float32 case (a + b) + c vs a + (b + c), a = 1", NULL,
     NULL},
    {"a1_small_alt", NL_PARAM_DOUBLE, "5e-8", 0, 1,
     "A1: a second b = c, below half an ulp of 1, where the orders differ",
     NULL, NULL},
    {"counter_steps", NL_PARAM_INT, "33554432", 1, 1e10,
     "A1: how often the float32 counter adds 1 (default 2^25)", NULL, NULL},
    {"precision", NL_PARAM_STRING_LIST, "float32,bfloat16,float16", 0, 0,
     "A1: the precisions of the 1 + small cases and the counters (float32 "
     "natively, bfloat16 and float16 emulated exactly; float64 has its own "
     "case); A6: each 16-bit type also summed by every backend, in float32 "
     "and in the type",
     "float32|bfloat16|float16", NULL},
    {"n", NL_PARAM_INT, "1024", 1, 268435456,
     "A2: number of standard-normal float32 values", NULL, NULL},
    {"blocks", NL_PARAM_INT_LIST, "32,64,128,256,512", 1, 268435456,
     "A2: block (tile) sizes of the tree sums", NULL, NULL},
    {"shuffles", NL_PARAM_INT, "10000", 1, 10000000,
     "A3: random orders summed per size", NULL, NULL},
    {"shuffle_sizes", NL_PARAM_INT_LIST, "8,128,1024", 2, 1048576,
     "A3: how many values are shuffled (one study per size)", NULL, NULL},
    {"a6_n", NL_PARAM_INT, "1000000", 1, 268435456,
     "A6: number of values every backend sums", NULL, NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "Float addition is not associative: order changes the sum",
    .description =
        "A1: the textbook cases, with values and bits, and counters that "
        "stop growing at 2^24 in float32, 256 in bfloat16 and 2048 in "
        "float16. A2: n standard-normal float32 "
        "values summed sequentially and as blocked trees (sequential within "
        "blocks, pairwise across blocks), against the exact MPFR sum. A3: "
        "the same values in `shuffles` random orders: how many different "
        "sums appear, for plain and for compensated (Neumaier) summation. "
        "A6: one array summed by every selected backend, side by side, with "
        "the pairs that agree bit for bit, and for each 16-bit type of "
        "`precision` the same values rounded to it, summed in float32 and in "
        "the type. Inputs are the first values of "
        "numlab's seeded normal stream, identical on every backend.",
    .params = params,
    .run_common = run_common,
    .run_backend = run_backend,
    .run_compare = assoc_compare_backends,
    .estimate = estimate,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_EXPERIMENT, .name = "associativity",
        .version = PACKAGE_VERSION,
        .summary =
            "A1-A3, A6: non-associativity, blocked sums, shuffles, backends",
        .experiment = &ops, )
