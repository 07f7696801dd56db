/* lanedrop.c — a test backend whose sum has the lane bug of OpenBLAS
 * 0.3.21's SkylakeX/Cooperlake cblas_ssum: in every full block of 16
 * values, lanes 4-7 and 12-15 are dropped and lanes 8-11 counted three
 * times; the rest after the last full block is added correctly.
 *
 * Options:
 *   drop_above=N  the bug shows only for n > N (default 0: for every
 *                 n >= 16). Above the self-check's largest sum (300007)
 *                 the self-check passes and only an experiment that
 *                 knows the exact value can catch it.
 *   drop_below=N  ... and only for n < N (default 0: no upper limit). The
 *                 self-check sums n <= 4099, 65543 and 300007 values, and
 *                 tiles of at most 5000: drop_above=4099:drop_below=65543
 *                 passes it and drops lanes at the sizes where the error
 *                 bound of standard-normal data is still tight enough to
 *                 tell the lost lanes from rounding (a few thousand
 *                 values; at 10^5 and more, gamma(n-1) * sum |x_i| exceeds
 *                 the error the lost lanes make).
 *   substitute=1  offer a correct sequential sum through substitute();
 *   substitute=2  claim one, but keep the bug (a substitute that fails).
 *   pad_write=1   gemm also writes 0 into C's padding when ldc > n.
 *   bf16=1        sum_in on bfloat16 data with float32 accumulation has
 *                 the same bug (the values widened, then sum_f32); every
 *                 other precision is declined to numlab's reference.
 *
 * tiled_sum sums each tile with the same sum; dot, gemv, gemm and softmax
 * are correct sequential loops, so only sum and tiled_sum fail (and gemm
 * with pad_write=1). */
#include <numlab/numlab.h>

#include <math.h>
#include <string.h>

typedef struct {
    gint64 drop_above, drop_below;
    gint64 offers_substitute;
    gboolean substituted;
    gboolean pad_write;
    gboolean bf16;
    char *order;
} LaneDrop;

static const NlParamSpec options[] = {
    {"drop_above", NL_PARAM_INT, "0", 0, 1e12,
     "the lane bug only for n above this", NULL, NULL},
    {"drop_below", NL_PARAM_INT, "0", 0, 1e12,
     "the lane bug only for n below this (0: no limit)", NULL, NULL},
    {"substitute", NL_PARAM_INT, "0", 0, 2,
     "1: offer a correct sum when the self-check fails; 2: a wrong one", NULL,
     NULL},
    {"pad_write", NL_PARAM_INT, "0", 0, 1,
     "1: gemm writes into C's padding between n and ldc", NULL, NULL},
    {"bf16", NL_PARAM_INT, "0", 0, 1,
     "1: sum_in of bfloat16 data in float32 drops lanes too", NULL, NULL},
    NL_PARAM_END,
};

static float sum_correct(const float *x, gsize n)
{
    float acc = 0.0f;
    for (gsize i = 0; i < n; i++)
        acc += x[i];
    return acc;
}

static float sum_f32(const LaneDrop *self, const float *x, gsize n)
{
    if (self->substituted || n < 16 || (gint64)n <= self->drop_above ||
        (self->drop_below > 0 && (gint64)n >= self->drop_below))
        return sum_correct(x, n);
    float lane[16] = {0};
    gsize i = 0;
    for (; i + 16 <= n; i += 16)
        for (int l = 0; l < 16; l++)
            lane[l] += x[i + l];
    float acc = 0.0f;
    for (int l = 0; l < 4; l++) /* the bug: 0-3 once, 8-11 three times */
        acc += lane[l] + 3.0f * lane[8 + l];
    for (; i < n; i++)
        acc += x[i];
    return acc;
}

static float dot_f32(const float *x, const float *y, gsize y_stride, gsize n)
{
    float acc = 0.0f;
    for (gsize i = 0; i < n; i++)
        acc += x[i] * y[i * y_stride];
    return acc;
}

static gpointer ld_open(const NlParams *opts, GError **error)
{
    (void)error;
    LaneDrop *self = g_new0(LaneDrop, 1);
    self->drop_above = nl_params_get_int(opts, "drop_above");
    self->drop_below = nl_params_get_int(opts, "drop_below");
    self->offers_substitute = nl_params_get_int(opts, "substitute");
    self->pad_write = nl_params_get_int(opts, "pad_write") != 0;
    self->bf16 = nl_params_get_int(opts, "bf16") != 0;
    self->order = g_strdup("sequential, but sum drops lanes (a test)");
    return self;
}

static void ld_close(gpointer p)
{
    LaneDrop *self = p;
    g_free(self->order);
    g_free(self);
}

static void ld_describe(gpointer p, NlBackendInfo *info)
{
    LaneDrop *self = p;
    info->library = "lanedrop test library 1.0";
    info->device = "CPU";
    info->threads = 1;
    info->summation_order = self->order;
}

static const char *ld_substitute(gpointer p, const char *kernel)
{
    LaneDrop *self = p;
    if (!self->offers_substitute ||
        (strcmp(kernel, "sum") != 0 && strcmp(kernel, "tiled_sum") != 0))
        return NULL;
    self->substituted = self->offers_substitute == 1;
    g_free(self->order);
    self->order = g_strdup("sequential (the lane-dropping sum substituted)");
    return "the lane-dropping sum replaced by a sequential loop";
}

static gboolean ld_sum(gpointer p, const NlBuffer *x, gsize n, float *result,
                       GError **error)
{
    (void)error;
    *result = sum_f32(p, x->host, n);
    return TRUE;
}

static gboolean ld_dot(gpointer p, const NlBuffer *x, const NlBuffer *y,
                       gsize n, float *result, GError **error)
{
    (void)p;
    (void)error;
    *result = dot_f32(x->host, y->host, 1, n);
    return TRUE;
}

static gboolean ld_gemv(gpointer p, gsize m, gsize n, const NlBuffer *a,
                        gsize lda, const NlBuffer *x, NlBuffer *y,
                        GError **error)
{
    (void)p;
    (void)error;
    for (gsize i = 0; i < m; i++)
        y->host[i] = dot_f32(a->host + i * lda, x->host, 1, n);
    return TRUE;
}

static gboolean ld_gemm(gpointer p, gsize m, gsize n, gsize k,
                        const NlBuffer *a, gsize lda, const NlBuffer *b,
                        gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    const LaneDrop *self = p;
    (void)error;
    for (gsize i = 0; i < m; i++) {
        for (gsize j = 0; j < n; j++)
            c->host[i * ldc + j] =
                dot_f32(a->host + i * lda, b->host + j, ldb, k);
        if (self->pad_write && ldc > n && i + 1 < m)
            c->host[i * ldc + n] = 0.0f; /* the bug: past the row's end */
    }
    return TRUE;
}

static gboolean ld_softmax(gpointer p, const NlBuffer *x, NlBuffer *y, gsize n,
                           float temperature, GError **error)
{
    (void)p;
    (void)error;
    if (n == 0)
        return TRUE;
    float max = x->host[0] / temperature, total = 0.0f;
    for (gsize i = 1; i < n; i++)
        max = fmaxf(max, x->host[i] / temperature);
    for (gsize i = 0; i < n; i++) {
        y->host[i] = expf(x->host[i] / temperature - max);
        total += y->host[i];
    }
    for (gsize i = 0; i < n; i++)
        y->host[i] /= total;
    return TRUE;
}

static gboolean ld_tiled_sum(gpointer p, const NlBuffer *x, gsize n, gsize tile,
                             float *result, GError **error)
{
    gsize n_tiles = n / tile + (n % tile != 0);
    g_autofree float *partials = g_try_new(float, MAX(n_tiles, 1));
    if (!partials) {
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                       "no memory for the tile partials");
    }
    for (gsize t = 0; t < n_tiles; t++)
        partials[t] = sum_f32(p, x->host + t * tile, MIN(tile, n - t * tile));
    for (gsize stride = 1; stride < n_tiles; stride *= 2)
        for (gsize i = 0; i + stride < n_tiles; i += 2 * stride)
            partials[i] += partials[i + stride];
    *result = n_tiles ? partials[0] : 0.0f;
    return TRUE;
}

/* bfloat16 data in float32: the values widened exactly, then the buggy
 * sum; the rest declined (numlab's reference runs). */
static gboolean ld_sum_in(gpointer p, const NlBuffer *x, gsize n,
                          NlPrecision acc, double *result, GError **error)
{
    const LaneDrop *self = p;
    if (!self->bf16 || x->type != NL_PRECISION_BF16 ||
        acc != NL_PRECISION_F32) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNSUPPORTED,
                    "lanedrop has only a bfloat16 sum in float32");
        return FALSE;
    }
    float *w = g_new(float, MAX(n, 1));
    for (gsize i = 0; i < n; i++)
        w[i] = nl_bf16_to_f32(((const nl_bf16 *)x->host)[i]);
    *result = sum_f32(self, w, n);
    g_free(w);
    return TRUE;
}

static const NlBackendOps ops = {
    .struct_size = sizeof(NlBackendOps),
    .options = options,
    .open = ld_open,
    .close = ld_close,
    .describe = ld_describe,
    .sum = ld_sum,
    .dot = ld_dot,
    .gemv = ld_gemv,
    .gemm = ld_gemm,
    .softmax = ld_softmax,
    .tiled_sum = ld_tiled_sum,
    .substitute = ld_substitute,
    .sum_in = ld_sum_in,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_BACKEND, .name = "lanedrop", .version = "0",
        .summary =
            "a backend whose sum drops lanes like a broken cblas_ssum (test)",
        .backend = &ops, )
