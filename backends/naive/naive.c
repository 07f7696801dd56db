/* naive.c — the reference backend: plain sequential loops on host memory.
 *
 * Every other backend is judged against this one, so it is written to be
 * obviously right rather than fast: one accumulator, left to right, in
 * float32, one rounding per operation. The project compiles it with
 * -ffp-contract=off and never with fast-math, so `acc += x[i] * y[i]` is a
 * multiply and an add, each rounded, on every machine and with any -march.
 * It deliberately has no vectorization, blocking or threads. */
#include "config.h"

#include <numlab/numlab.h>

#include <math.h>

#define NL_NAIVE_VERSION PACKAGE_VERSION

/* ---- kernels ---- */

static float sum_sequential_f32(const float *x, gsize n)
{
    float acc = 0.0f;
    for (gsize i = 0; i < n; i++)
        acc += x[i];
    return acc;
}

static float dot_sequential_f32(const float *x, const float *y, gsize n,
                                gsize y_stride)
{
    float acc = 0.0f;
    for (gsize i = 0; i < n; i++)
        acc += x[i] * y[i * y_stride];
    return acc;
}

/* The tile tree of numlab/backend.h: sequential tiles, then adjacent pairs
 * level by level. partials has room for ceil(n / tile) values. */
static float sum_tiled_f32(const float *x, gsize n, gsize tile,
                           float *partials)
{
    gsize n_tiles = (n + tile - 1) / tile;
    if (n_tiles == 0)
        return 0.0f;
    /* Each tile is summed left to right, alone. Four full tiles are walked
     * side by side only so that their four independent chains of
     * additions overlap in the CPU; no tile's order changes. */
    gsize t = 0;
    for (; t + 4 <= n / tile; t += 4) {
        const float *a = x + t * tile, *b = a + tile, *c = b + tile, *d = c + tile;
        float sa = 0.0f, sb = 0.0f, sc = 0.0f, sd = 0.0f;
        for (gsize i = 0; i < tile; i++) {
            sa += a[i];
            sb += b[i];
            sc += c[i];
            sd += d[i];
        }
        partials[t] = sa;
        partials[t + 1] = sb;
        partials[t + 2] = sc;
        partials[t + 3] = sd;
    }
    for (; t < n_tiles; t++) {
        gsize start = t * tile;
        partials[t] = sum_sequential_f32(x + start, MIN(tile, n - start));
    }
    for (gsize stride = 1; stride < n_tiles; stride *= 2)
        for (gsize i = 0; i + stride < n_tiles; i += 2 * stride)
            partials[i] += partials[i + stride];
    return partials[0];
}

/* y = softmax(x / T). Subtracting the maximum first keeps every exp() at
 * most 1, so no logit can overflow; it does not change the result in exact
 * arithmetic. The normalizer is summed in float, left to right. */
static void softmax_f32(const float *x, float *y, gsize n, float temperature)
{
    if (n == 0)
        return;
    float max = x[0] / temperature;
    for (gsize i = 1; i < n; i++)
        max = fmaxf(max, x[i] / temperature);
    float total = 0.0f;
    for (gsize i = 0; i < n; i++) {
        y[i] = expf(x[i] / temperature - max);
        total += y[i];
    }
    for (gsize i = 0; i < n; i++)
        y[i] /= total;
}

/* ---- the backend ---- */

typedef struct {
    char *library;
} Naive;

static gpointer naive_open(const NlParams *options, GError **error)
{
    (void)options;
    (void)error;
    Naive *self = g_new0(Naive, 1);
    self->library = g_strdup_printf("numlab %s, C loops, -ffp-contract=off",
                                    NL_NAIVE_VERSION);
    return self;
}

static void naive_close(gpointer p)
{
    Naive *self = p;
    g_free(self->library);
    g_free(self);
}

static void naive_describe(gpointer p, NlBackendInfo *info)
{
    Naive *self = p;
    info->library = self->library;
    info->device = "CPU";
    info->threads = 1;
    info->summation_order =
        "sequential left to right, one float32 accumulator, no FMA";
}

/* Buffers: numlab's host memory (no alloc, free, upload, download). */

static gboolean naive_sum(gpointer self, const NlBuffer *x, gsize n,
                          float *result, GError **error)
{
    (void)self;
    (void)error;
    *result = sum_sequential_f32(x->host, n);
    return TRUE;
}

static gboolean naive_dot(gpointer self, const NlBuffer *x, const NlBuffer *y,
                          gsize n, float *result, GError **error)
{
    (void)self;
    (void)error;
    *result = dot_sequential_f32(x->host, y->host, n, 1);
    return TRUE;
}

static gboolean naive_gemv(gpointer self, gsize m, gsize n, const NlBuffer *a,
                           gsize lda, const NlBuffer *x, NlBuffer *y,
                           GError **error)
{
    (void)self;
    (void)error;
    for (gsize i = 0; i < m; i++)
        y->host[i] = dot_sequential_f32(a->host + i * lda, x->host, n, 1);
    return TRUE;
}

static gboolean naive_gemm(gpointer self, gsize m, gsize n, gsize k,
                           const NlBuffer *a, gsize lda, const NlBuffer *b,
                           gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    (void)self;
    (void)error;
    /* Every c[i][j] is 0 + a[i][0] b[0][j] + a[i][1] b[1][j] + ..., added
     * left to right, each product rounded first: the order of
     * dot_sequential_f32. The loops run over p before j only so that a
     * row of B is read contiguously; no element's order changes. */
    for (gsize i = 0; i < m; i++) {
        float *restrict row = c->host + i * ldc;
        for (gsize j = 0; j < n; j++)
            row[j] = 0.0f;
        for (gsize p = 0; p < k; p++) {
            float aip = a->host[i * lda + p];
            const float *restrict bp = b->host + p * ldb;
            for (gsize j = 0; j < n; j++)
                row[j] += aip * bp[j];
        }
    }
    return TRUE;
}

static gboolean naive_softmax(gpointer self, const NlBuffer *x, NlBuffer *y,
                              gsize n, float temperature, GError **error)
{
    (void)self;
    (void)error;
    softmax_f32(x->host, y->host, n, temperature);
    return TRUE;
}

static gboolean naive_tiled_sum(gpointer self, const NlBuffer *x, gsize n,
                                gsize tile, float *result, GError **error)
{
    (void)self;
    gsize n_tiles = n / tile + (n % tile != 0);
    g_autofree float *partials = g_try_new(float, MAX(n_tiles, 1));
    if (!partials) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                    "no memory for %" G_GSIZE_FORMAT " tile partials",
                    n_tiles);
        return FALSE;
    }
    *result = sum_tiled_f32(x->host, n, tile, partials);
    return TRUE;
}

static const NlBackendOps naive_ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = NULL,
    .open = naive_open,
    .close = naive_close,
    .describe = naive_describe,
    .sum = naive_sum,
    .dot = naive_dot,
    .gemv = naive_gemv,
    .gemm = naive_gemm,
    .softmax = naive_softmax,
    .tiled_sum = naive_tiled_sum,
};

NL_PLUGIN_DEFINE(
    .kind = NL_PLUGIN_BACKEND,
    .name = "naive",
    .version = NL_NAIVE_VERSION,
    .summary = "reference: sequential float32 loops, no FMA, no threads",
    .backend = &naive_ops,
)
