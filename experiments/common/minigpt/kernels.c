/* kernels.c — the model's hot host loops, compiled for speed whatever
 * CFLAGS the library is built with, and dispatched at run time to the
 * widest instruction set the CPU has.
 *
 * The pragma below gives this file -O3 even in a -O0 or -O2 build, and
 * keeps fp-contract=off (no FMA: a product is rounded before it is added)
 * even where CFLAGS ask for contraction; errno is not set by sqrtf here
 * (no-math-errno changes no result, it lets sqrtf vectorise). Clang
 * takes only the fp-contract part (its -ffp-contract=fast, which nobody
 * should give numlab, overrides even that). Each kernel
 * is built three times (kernels-impl.h): for avx512f, avx2 and the
 * x86-64 baseline, and the first call picks one with
 * __builtin_cpu_supports, so one binary runs on any x86-64 CPU. On other
 * architectures the portable version is the only one.
 *
 * Threads split the rows of an output, never one element's sum, so the
 * bits do not depend on the thread count. Not here: FMA, fast-math,
 * anything whose order depends on the vector width. */
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma GCC optimize("O3", "fp-contract=off", "no-math-errno")
#endif
#include "config.h"

#include "kernels.h"

#include <numlab-minigpt/minigpt.h>

#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define K_X86 1
#endif

#ifdef K_X86
#define K_NAME(f) f##_avx512
#define K_ATTR    __attribute__((target("avx512f")))
#define K_VW      16
#include "kernels-impl.h"
#undef K_NAME
#undef K_ATTR
#undef K_VW
#define K_NAME(f) f##_avx2
#define K_ATTR    __attribute__((target("avx2")))
#define K_VW      8
#include "kernels-impl.h"
#undef K_NAME
#undef K_ATTR
#undef K_VW
#endif
#define K_NAME(f) f##_base
#define K_ATTR
#define K_VW 4
#include "kernels-impl.h"
#undef K_NAME
#undef K_ATTR
#undef K_VW

typedef struct {
    const char *name;
    void (*gemm)(gsize m, gsize n, gsize k, const float *a, gsize rsa,
                 gsize csa, const float *b, gsize ldb, float *c, gsize ldc,
                 gboolean acc);
    void (*adamw)(gsize n, float *w, const float *g, float *m1, float *m2,
                  const GptAdamW *o);
    void (*gelu)(gsize n, const float *x, float *y, float *th);
    gsize width; /* floats per vector: gelu's n is a multiple */
} Kernels;

static const Kernels *kernels(void)
{
    static const Kernels base = {"sse2", gemm_base, adamw_base, gelu_base, 4};
#ifdef K_X86
    static const Kernels avx2 = {"avx2", gemm_avx2, adamw_avx2, gelu_avx2, 8};
    static const Kernels avx512 = {"avx512f", gemm_avx512, adamw_avx512,
                                   gelu_avx512, 16};
    static const Kernels *chosen;
    const Kernels *k = g_atomic_pointer_get(&chosen);
    if (!k) {
        __builtin_cpu_init();
        k = __builtin_cpu_supports("avx512f") ? &avx512
            : __builtin_cpu_supports("avx2")  ? &avx2
                                              : &base;
        g_atomic_pointer_set(&chosen, k);
    }
    return k;
#else
    return &base;
#endif
}

const char *gpt_kernels_describe(void)
{
    static char text[200];
    if (!text[0]) {
#ifdef K_X86
        const char *set = "avx512f, avx2, sse2";
#else
        const char *set = "portable C";
#endif
#ifdef _OPENMP
        g_snprintf(text, sizeof text,
                   "%s (runtime dispatch: %s), -O3 -ffp-contract=off, "
                   "OpenMP threads",
                   kernels()->name, set);
#else
        g_snprintf(text, sizeof text,
                   "%s (runtime dispatch: %s), -O3 -ffp-contract=off, "
                   "one thread (built without OpenMP)",
                   kernels()->name, set);
#endif
    }
    return text;
}

void gpt_parallel(guint threads, gsize n, void (*fn)(gsize i, gpointer data),
                  gpointer data)
{
#ifdef _OPENMP
    if (threads > 1 && n > 1) {
#pragma omp parallel for schedule(static) num_threads(threads)
        for (gsize i = 0; i < n; i++)
            fn(i, data);
        return;
    }
#else
    (void)threads;
#endif
    for (gsize i = 0; i < n; i++)
        fn(i, data);
}

/* A product split into `parts` bands of rows (multiples of 8 rows, so
 * that the kernel's row tiles stay whole). */
typedef struct {
    const Kernels *k;
    gsize m, n, kk, rsa, csa, ldb, ldc, band;
    const float *a, *b;
    float *c;
    gboolean acc;
} Band;

static void band_run(gsize p, gpointer data)
{
    const Band *s = data;
    gsize i0 = p * s->band, rows = MIN(s->band, s->m - i0);
    s->k->gemm(rows, s->n, s->kk, s->a + i0 * s->rsa, s->rsa, s->csa, s->b,
               s->ldb, s->c + i0 * s->ldc, s->ldc, s->acc);
}

static void product(guint threads, gsize m, gsize n, gsize k, const float *a,
                    gsize rsa, gsize csa, const float *b, gsize ldb, float *c,
                    gsize ldc, gboolean acc)
{
    Band s = {kernels(), m, n, k, rsa, csa, ldb, ldc, m, a, b, c, acc};
    /* below ~64k products a second thread costs more than it saves */
    if (threads <= 1 || m < 16 || m * n * k < 65536) {
        band_run(0, &s);
        return;
    }
    s.band = (m + threads - 1) / threads;
    s.band = (s.band + 7) / 8 * 8;
    gpt_parallel(threads, (m + s.band - 1) / s.band, band_run, &s);
}

void gpt_gemm(guint threads, gsize m, gsize n, gsize k, const float *a,
              gsize lda, const float *b, gsize ldb, float *c, gsize ldc)
{
    product(threads, m, n, k, a, lda, 1, b, ldb, c, ldc, FALSE);
}

void gpt_gemm_tn_acc(guint threads, gsize m, gsize n, gsize k, const float *a,
                     gsize lda, const float *b, gsize ldb, float *c, gsize ldc)
{
    product(threads, m, n, k, a, 1, lda, b, ldb, c, ldc, TRUE);
}

void gpt_colsum_acc(guint threads, gsize n, gsize k, const float *b, gsize ldb,
                    float *c)
{
    /* a product with a row of ones: 1 * b is b exactly */
    static const float ones[1] = {1.0f};
    (void)threads; /* one row of output: not worth a thread */
    kernels()->gemm(1, n, k, ones, 0, 0, b, ldb, c, n, TRUE);
}

typedef struct {
    const Kernels *k;
    gsize n, band;
    float *w, *m1, *m2;
    const float *g;
    const GptAdamW *o;
} AdamBand;

static void adam_run(gsize p, gpointer data)
{
    const AdamBand *s = data;
    gsize lo = p * s->band, len = MIN(s->band, s->n - lo);
    s->k->adamw(len, s->w + lo, s->g + lo, s->m1 + lo, s->m2 + lo, s->o);
}

void gpt_adamw(guint threads, gsize n, float *w, const float *g, float *m1,
               float *m2, const GptAdamW *o)
{
    AdamBand s = {kernels(), n, n, w, m1, m2, g, o};
    if (threads > 1 && n >= 16384) {
        s.band = ((n + threads - 1) / threads + 15) / 16 * 16;
        gpt_parallel(threads, (n + s.band - 1) / s.band, adam_run, &s);
    } else {
        adam_run(0, &s);
    }
}

typedef struct {
    const Kernels *k;
    const float *x;
    float *y, *th;
    gsize n, band; /* band: a multiple of the vector width */
} GeluBand;

static void gelu_run(gsize p, gpointer data)
{
    const GeluBand *s = data;
    gsize lo = p * s->band, len = MIN(s->band, s->n - lo);
    gsize w = s->k->width, whole = len / w * w;
    s->k->gelu(whole, s->x + lo, s->y + lo, s->th + lo);
    if (whole < len) { /* the last values, padded to one vector */
        float x[16] = {0}, y[16], th[16];
        memcpy(x, s->x + lo + whole, (len - whole) * sizeof(float));
        s->k->gelu(w, x, y, th);
        memcpy(s->y + lo + whole, y, (len - whole) * sizeof(float));
        memcpy(s->th + lo + whole, th, (len - whole) * sizeof(float));
    }
}

void gpt_gelu(guint threads, gsize n, const float *x, float *y, float *th)
{
    GeluBand s = {kernels(), x, y, th, n, n};
    if (threads > 1 && n >= 8192)
        s.band = ((n + threads - 1) / threads + 15) / 16 * 16;
    gpt_parallel(threads, (n + s.band - 1) / s.band, gelu_run, &s);
}

const char *nl_gpt_build_info(void)
{
    return gpt_kernels_describe();
}
