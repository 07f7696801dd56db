/* openmp.c — the OpenMP backend: numlab's own vectorized, cache-blocked,
 * multi-threaded kernels (kernels.c, gemv.c, gemm.c; precision.c and
 * bf16.c in other precisions) on host memory.
 *
 * It exists to be fast *and* predictable: describe() states how partial
 * results are combined, so a reader can tell in advance when 1 and 2
 * threads give different bits. The kernels are compiled for x86-64-v3
 * (AVX2 + FMA + F16C); on an older CPU the backend reports itself
 * unavailable instead of executing an illegal instruction. bfloat16
 * products run on AVX512-BF16 where the CPU has it (bf16.c), and are
 * widened to float32 where it has not. */
#include "config.h"

#include "kernels.h"

#include <numlab/numlab.h>

#include <cpuid.h>
#include <omp.h>
#include <string.h>

typedef struct {
    ParMode mode;
    char *library;
    char *order;
    char *precisions[NL_N_PRECISIONS]; /* describe()'s lines */
} Omp;

static const NlParamSpec options[] = {
    {"threads", NL_PARAM_INT, NULL, 1, 1024,
     "OpenMP threads (default: omp_get_max_threads(), all cores)", NULL, NULL},
    {"batch_invariant", NL_PARAM_BOOL, "0", 0, 1,
     "1: one summation order whatever the thread count and the batch size "
     "(reductions in fixed blocks, gemv in gemm's order)",
     NULL, NULL},
    {"avx512", NL_PARAM_BOOL, "1", 0, 1,
     "1: the float32 gemm on a 12x32 AVX-512F micro-kernel and the "
     "batch-invariant float32 gemv 16 rows a vector, where the CPU has "
     "AVX-512F; 0: both on AVX2 (the same bits either way)",
     NULL, NULL},
    {"avx512bf16", NL_PARAM_BOOL, "1", 0, 1,
     "1: bfloat16 x bfloat16 products on vdpbf16ps where the CPU has "
     "AVX512-BF16; 0: widened to float32 like other 16-bit operands",
     NULL, NULL},
    NL_PARAM_END,
};

/* describe()'s part for accumulation in the 16-bit type `type`; `how`:
 * how a float is rounded to it. */
static char *rounded_line(const char *type, const char *how)
{
    return g_strdup_printf(
        "%s accumulation: gemm natively in numlab's reference order (each "
        "element left to right over k, every product and every sum rounded "
        "to %s, no FMA: the reference's bits), 16 columns at a time, %s; "
        "sum, dot, gemv and tiled_sum: numlab's reference (exact emulation)",
        type, type, how);
}

/* describe()'s line per storage precision. */
static void describe_precisions(Omp *self, gboolean has_bf16)
{
    const char *f64 =
        "float64 accumulation: values widened exactly to double, then AVX2 "
        "FMA in double: sum/dot 16 lanes (four 4-wide vectors), folded "
        "pairwise, the tail left to right, in chunks or blocks as in "
        "float32; gemm (6x8 micro-kernel) and batch-invariant gemv one FMA "
        "chain over k per element; normal gemv one 16-lane dot per row";
    const char *exact =
        " (a product of two values narrower than float64 is exact in "
        "double, so on such operands gemm and batch-invariant gemv have the "
        "reference's bits)";
    const char *widen32 = "then the float32 orders above (FMA)";
    g_autofree char *rounded_bf16 = rounded_line(
        "bfloat16",
        "rounded by Veltkamp's split (3 float operations) where no value "
        "can be subnormal (A's and B's least exponents add to -112 or "
        "more), a tile that ends non-finite again on the bit pattern, "
        "other products on the bit pattern (8 integer operations)");
    g_autofree char *rounded_f16 =
        rounded_line("float16", "rounded by F16C's vcvtps2ph and vcvtph2ps");
    self->precisions[NL_PRECISION_F32] = g_strdup_printf(
        "float32 accumulation: the orders above; %s%s; an output of another "
        "precision gets each result rounded once",
        f64, exact);
    self->precisions[NL_PRECISION_F64] = g_strdup(f64);
    if (self->mode.bf16_native)
        self->precisions[NL_PRECISION_BF16] = g_strdup_printf(
            "float32 accumulation: dot, gemv and gemm of two bfloat16 "
            "operands on vdpbf16ps (native AVX512-BF16): each lane adds a "
            "pair's odd product, then its even one, both exact, rounded to "
            "float32, subnormal inputs and results flushed to zero; dot 64 "
            "lanes (four 16-lane vectors), zero-padded to 128 values, "
            "folded pairwise, in chunks or blocks as in float32; gemm "
            "(12x32 micro-kernel) and batch-invariant gemv one chain per "
            "element over k = 1, 0, 3, 2, 5, 4, ...; normal gemv one 64-lane "
            "dot per row; sum, tiled_sum and bfloat16 with a float32 or "
            "float16 operand: widened exactly (bits << 16), %s; %s%s; %s",
            widen32, f64, exact, rounded_bf16);
    else
        self->precisions[NL_PRECISION_BF16] = g_strdup_printf(
            "float32 accumulation: widened exactly (bits << 16; %s), %s; "
            "%s%s; %s",
            has_bf16 ? "vdpbf16ps switched off, avx512bf16=0"
                     : "this CPU lacks AVX512-BF16",
            widen32, f64, exact, rounded_bf16);
    self->precisions[NL_PRECISION_F16] = g_strdup_printf(
        "float32 accumulation: widened exactly by F16C (vcvtph2ps), %s (a "
        "product of two float16 values is exact in float32, so gemm and "
        "batch-invariant gemv of two float16 operands have the reference's "
        "bits); %s%s; %s",
        widen32, f64, exact, rounded_f16);
}

/* F16C from CPUID leaf 1 (ECX bit 29): clang 14's __builtin_cpu_supports
 * knows no "f16c", and the fuzz stage builds with clang. The AVX2 check
 * beside it already covers the OS saving the YMM state. */
static gboolean cpu_has_f16c(void)
{
    unsigned eax, ebx, ecx, edx;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C);
}

/* How libgomp's threads wait, from what it read at its start: numlab
 * sets OMP_WAIT_POLICY=passive unless the user chose (framework/numlab.c);
 * a host program of its own may not. */
static const char *wait_policy(void)
{
    const char *policy = g_getenv("OMP_WAIT_POLICY");
    if (g_getenv("GOMP_SPINCOUNT"))
        return "spin GOMP_SPINCOUNT times, then sleep";
    if (policy && g_ascii_strcasecmp(policy, "passive") == 0)
        return "sleep (OMP_WAIT_POLICY=passive)";
    if (policy && g_ascii_strcasecmp(policy, "active") == 0)
        return "spin (OMP_WAIT_POLICY=active)";
    return "spin a while, then sleep (libgomp's default)";
}

static gpointer openmp_open(const NlParams *opts, GError **error)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") ||
        !cpu_has_f16c()) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                    "this CPU lacks AVX2/FMA/F16C (the kernels are built for "
                    "x86-64-v3)");
        return NULL;
    }
    Omp *self = g_new0(Omp, 1);
    self->mode.threads = nl_params_is_set(opts, "threads")
                             ? (int)nl_params_get_int(opts, "threads")
                             : omp_get_max_threads();
    self->mode.batch_invariant = nl_params_get_bool(opts, "batch_invariant");
    gboolean has_bf16 = __builtin_cpu_supports("avx512f") &&
                        __builtin_cpu_supports("avx512bw") &&
                        __builtin_cpu_supports("avx512bf16");
    self->mode.bf16_native = has_bf16 && nl_params_get_bool(opts, "avx512bf16");
    self->mode.avx512 =
        __builtin_cpu_supports("avx512f") && nl_params_get_bool(opts, "avx512");
    self->library = g_strdup_printf(
        "numlab %s kernels, OpenMP %d, AVX2+FMA, float32 gemm %s "
        "micro-kernel%s%s; waiting threads %s",
        PACKAGE_VERSION, _OPENMP, self->mode.avx512 ? "12x32 AVX-512F" : "6x16",
        self->mode.avx512 && self->mode.batch_invariant
            ? ", batch-invariant gemv 16 rows a vector (AVX-512F)"
            : "",
        self->mode.bf16_native ? "; AVX512-BF16, bfloat16 gemm 12x32" : "",
        wait_policy());
    if (self->mode.batch_invariant)
        self->order = g_strdup_printf(
            "batch-invariant: sum/dot: 32 lanes (FMA for dot), folded "
            "pairwise, in blocks of %d elements added left to right, "
            "whatever the thread count; gemm and gemv: one FMA chain over k "
            "per element, independent of m and threads",
            PAR_FIXED_BLOCK);
    else
        self->order = g_strdup_printf(
            "sum/dot: 32 lanes (FMA for dot), folded pairwise, then the "
            "partials of %d contiguous per-thread chunks in thread order "
            "(one chunk below %d elements); gemm: one FMA chain over k per "
            "element, independent of m and threads; gemv: one 32-lane dot "
            "per row, not gemm's order",
            self->mode.threads, PAR_PARALLEL_MIN);
    describe_precisions(self, has_bf16);
    return self;
}

static void openmp_close(gpointer p)
{
    Omp *self = p;
    g_free(self->library);
    g_free(self->order);
    for (int t = 0; t < NL_N_PRECISIONS; t++)
        g_free(self->precisions[t]);
    g_free(self);
}

static void openmp_describe(gpointer p, NlBackendInfo *info)
{
    Omp *self = p;
    info->library = self->library;
    info->device = "CPU";
    info->threads = self->mode.threads;
    info->summation_order = self->order;
    for (int t = 0; t < NL_N_PRECISIONS; t++)
        info->precisions[t] = self->precisions[t];
}

/* Buffers: numlab's host memory (alloc, free, upload, download NULL). */

static NlArray array_of(const NlBuffer *buf)
{
    return (NlArray){buf->type, buf->host};
}

static gboolean kernel_sum(gpointer p, const NlBuffer *x, gsize n,
                           float *result, GError **error)
{
    (void)error;
    *result = par_sum_f32(x->host, n, ((Omp *)p)->mode);
    return TRUE;
}

static gboolean kernel_dot(gpointer p, const NlBuffer *x, const NlBuffer *y,
                           gsize n, float *result, GError **error)
{
    (void)error;
    *result = par_dot_f32(x->host, y->host, n, ((Omp *)p)->mode);
    return TRUE;
}

static gboolean kernel_gemv(gpointer p, gsize m, gsize n, const NlBuffer *a,
                            gsize lda, const NlBuffer *x, NlBuffer *y,
                            GError **error)
{
    (void)error;
    par_gemv_f32(m, n, a->host, lda, x->host, y->host, ((Omp *)p)->mode);
    return TRUE;
}

static gboolean kernel_gemm(gpointer p, gsize m, gsize n, gsize k,
                            const NlBuffer *a, gsize lda, const NlBuffer *b,
                            gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    if (par_gemm_f32(m, n, k, a->host, lda, b->host, ldb, c->host, ldc,
                     ((Omp *)p)->mode))
        return TRUE;
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                   "openmp gemm: no memory for its packing buffers");
}

static gboolean kernel_softmax(gpointer p, const NlBuffer *x, NlBuffer *y,
                               gsize n, float temperature, GError **error)
{
    (void)error;
    par_softmax_f32(x->host, y->host, n, temperature, ((Omp *)p)->mode);
    return TRUE;
}

static gboolean kernel_tiled_sum(gpointer p, const NlBuffer *x, gsize n,
                                 gsize tile, float *result, GError **error)
{
    double r;
    if (!par_tiled_sum_in(array_of(x), n, tile, NL_PRECISION_F32,
                          ((Omp *)p)->mode, &r, error))
        return FALSE;
    *result = (float)r;
    return TRUE;
}

/* ---- Precisions: the _in hooks (precision.c) ---- */

static gboolean kernel_sum_in(gpointer p, const NlBuffer *x, gsize n,
                              NlPrecision acc, double *result, GError **error)
{
    return par_sum_in(array_of(x), n, acc, ((Omp *)p)->mode, result, error);
}

static gboolean kernel_dot_in(gpointer p, const NlBuffer *x, const NlBuffer *y,
                              gsize n, NlPrecision acc, double *result,
                              GError **error)
{
    return par_dot_in(array_of(x), array_of(y), n, acc, ((Omp *)p)->mode,
                      result, error);
}

static gboolean kernel_gemv_in(gpointer p, gsize m, gsize n, const NlBuffer *a,
                               gsize lda, const NlBuffer *x, NlBuffer *y,
                               NlPrecision acc, GError **error)
{
    return par_gemv_any(m, n, array_of(a), lda, array_of(x), y->type, y->host,
                        acc, ((Omp *)p)->mode, error);
}

static gboolean kernel_gemm_in(gpointer p, gsize m, gsize n, gsize k,
                               const NlBuffer *a, gsize lda, const NlBuffer *b,
                               gsize ldb, NlBuffer *c, gsize ldc,
                               NlPrecision acc, GError **error)
{
    return par_gemm_any(m, n, k, array_of(a), lda, array_of(b), ldb, c->type,
                        c->host, ldc, acc, ((Omp *)p)->mode, error);
}

static gboolean kernel_tiled_sum_in(gpointer p, const NlBuffer *x, gsize n,
                                    gsize tile, NlPrecision acc, double *result,
                                    GError **error)
{
    return par_tiled_sum_in(array_of(x), n, tile, acc, ((Omp *)p)->mode, result,
                            error);
}

static const NlBackendOps openmp_ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = openmp_open,
    .close = openmp_close,
    .describe = openmp_describe,
    .sum = kernel_sum,
    .dot = kernel_dot,
    .gemv = kernel_gemv,
    .gemm = kernel_gemm,
    .softmax = kernel_softmax,
    .tiled_sum = kernel_tiled_sum,
    .sum_in = kernel_sum_in,
    .dot_in = kernel_dot_in,
    .gemv_in = kernel_gemv_in,
    .gemm_in = kernel_gemm_in,
    .tiled_sum_in = kernel_tiled_sum_in,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_BACKEND, .name = "openmp", .version = PACKAGE_VERSION,
        .summary =
            "numlab's own AVX2/FMA kernels, cache-blocked, OpenMP threads",
        .backend = &openmp_ops, )
