/* lib-bench.c — libnumlab's fast paths against their slow definitions,
 * side by side in one run (`make bench-lib`; never installed).
 *
 * Each row times a libnumlab call and its peer in interleaved rounds
 * (peer, numlab, peer, numlab, ...) and prints the median time of each,
 * the ratio of the medians and the spread of the per-round ratios. The
 * peers compute the same bits the slow way, and the bench checks that
 * they do:
 *  - exact sum and dot: MPFR, the terms added with mpfr_sum in blocks of
 *    4096 into a wide accumulator (what exact.c did before its
 *    fixed-point accumulator);
 *  - normals: nl_rng_normal one value at a time (the batched fill takes
 *    its logarithms in lanes);
 *  - the reference gemm: the plain loop, one chain per element in the
 *    order of k (the reference keeps 4 x 16 blocks in vector registers). */
#include "config.h"

#include <numlab/numlab.h>

#include <math.h>
#include <mpfr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 5

/* ---- the peers ---- */

static double mpfr_exact(const float *x, const float *y, gsize n)
{
    enum { BLOCK = 4096 };
    mpfr_t acc, block, t[BLOCK];
    mpfr_ptr ptr[BLOCK];
    mpfr_init2(acc, 640);
    mpfr_init2(block, 640);
    mpfr_set_zero(acc, 1);
    for (gsize i = 0; i < BLOCK; i++) {
        mpfr_init2(t[i], 48);
        ptr[i] = t[i];
    }
    for (gsize start = 0; start < n; start += BLOCK) {
        gsize count = MIN((gsize)BLOCK, n - start);
        for (gsize i = 0; i < count; i++) {
            mpfr_set_flt(t[i], x[start + i], MPFR_RNDN);
            if (y)
                mpfr_mul_d(t[i], t[i], (double)y[start + i], MPFR_RNDN);
        }
        mpfr_sum(block, ptr, count, MPFR_RNDN);
        mpfr_add(acc, acc, block, MPFR_RNDN);
    }
    double d = mpfr_get_d(acc, MPFR_RNDN);
    for (gsize i = 0; i < BLOCK; i++)
        mpfr_clear(t[i]);
    mpfr_clear(acc);
    mpfr_clear(block);
    return d;
}

static void gemm_plain(gsize m, gsize n, gsize k, const float *a,
                       const float *b, float *c)
{
    for (gsize i = 0; i < m; i++)
        for (gsize j = 0; j < n; j++) {
            float s = 0.0f;
            for (gsize p = 0; p < k; p++)
                s += a[i * k + p] * b[p * n + j];
            c[i * n + j] = s;
        }
}

/* ---- the rows ---- */

typedef struct {
    const char *name, *unit;
    double per; /* elements (or flops) a call handles */
    void (*peer)(gpointer), (*numlab)(gpointer);
    gboolean (*same)(gpointer); /* the two results have the same bits */
} Row;

typedef struct {
    gsize n, m, nn, k;
    float *x, *y, *a, *b, *c_peer, *c_numlab, *z_peer, *z_numlab;
    double r_peer, r_numlab;
} Data;

static void sum_peer(gpointer d_)
{
    Data *d = d_;
    d->r_peer = mpfr_exact(d->x, NULL, d->n);
}
static void sum_numlab(gpointer d_)
{
    Data *d = d_;
    d->r_numlab = nl_exact_sum_f32_as_f64(d->x, d->n);
}
static void dot_peer(gpointer d_)
{
    Data *d = d_;
    d->r_peer = mpfr_exact(d->x, d->y, d->n);
}
static void dot_numlab(gpointer d_)
{
    Data *d = d_;
    d->r_numlab = nl_exact_dot_f32_as_f64(d->x, d->y, d->n);
}
static gboolean same_value(gpointer d_)
{
    Data *d = d_;
    return memcmp(&d->r_peer, &d->r_numlab, sizeof(double)) == 0;
}
static void normal_peer(gpointer d_)
{
    Data *d = d_;
    NlRng rng;
    nl_rng_init(&rng, 42);
    for (gsize i = 0; i < d->n; i++)
        d->z_peer[i] = (float)nl_rng_normal(&rng);
}
static void normal_numlab(gpointer d_)
{
    Data *d = d_;
    NlRng rng;
    nl_rng_init(&rng, 42);
    nl_rng_fill_normal_f32(&rng, d->z_numlab, d->n);
}
static gboolean same_normals(gpointer d_)
{
    Data *d = d_;
    return memcmp(d->z_peer, d->z_numlab, d->n * sizeof(float)) == 0;
}
static void gemm_peer(gpointer d_)
{
    Data *d = d_;
    gemm_plain(d->m, d->nn, d->k, d->a, d->b, d->c_peer);
}
static void gemm_numlab(gpointer d_)
{
    Data *d = d_;
    nl_ref_gemm_f32(d->m, d->nn, d->k, d->a, d->k, d->b, d->nn, d->c_numlab,
                    d->nn);
}
static gboolean same_gemm(gpointer d_)
{
    Data *d = d_;
    return memcmp(d->c_peer, d->c_numlab, d->m * d->nn * sizeof(float)) == 0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int main(void)
{
    Data d = {.n = 1u << 20, .m = 64, .nn = 512, .k = 2048};
    NlRng rng;
    nl_rng_init(&rng, 7);
    d.x = g_new(float, d.n);
    d.y = g_new(float, d.n);
    d.z_peer = g_new(float, d.n);
    d.z_numlab = g_new(float, d.n);
    d.a = g_new(float, d.m *d.k);
    d.b = g_new(float, d.k *d.nn);
    d.c_peer = g_new(float, d.m *d.nn);
    d.c_numlab = g_new(float, d.m *d.nn);
    nl_rng_fill_normal_f32(&rng, d.x, d.n);
    nl_rng_fill_normal_f32(&rng, d.y, d.n);
    nl_rng_fill_normal_f32(&rng, d.a, d.m * d.k);
    nl_rng_fill_normal_f32(&rng, d.b, d.k * d.nn);
    const Row rows[] = {
        {"exact sum, 2^20 floats", "ns/value", (double)d.n, sum_peer,
         sum_numlab, same_value},
        {"exact dot, 2^20 pairs", "ns/pair", (double)d.n, dot_peer, dot_numlab,
         same_value},
        {"normals, 2^20", "ns/value", (double)d.n, normal_peer, normal_numlab,
         same_normals},
        {"reference gemm 64x512x2048", "ns/MAC", (double)(d.m * d.nn * d.k),
         gemm_peer, gemm_numlab, same_gemm},
    };
    printf("%-28s %10s %12s %12s %8s %14s\n", "what", "unit", "peer", "numlab",
           "ratio", "ratio spread");
    int failed = 0;
    for (guint r = 0; r < G_N_ELEMENTS(rows); r++) {
        const Row *row = &rows[r];
        double tp[ROUNDS], tn[ROUNDS], ratio[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            double t0 = nl_time_now();
            row->peer(&d);
            double t1 = nl_time_now();
            row->numlab(&d);
            double t2 = nl_time_now();
            tp[i] = (t1 - t0) * 1e9 / row->per;
            tn[i] = (t2 - t1) * 1e9 / row->per;
            ratio[i] = tp[i] / tn[i];
        }
        gboolean same = row->same(&d);
        failed |= !same;
        double lo = ratio[0], hi = ratio[0];
        for (int i = 1; i < ROUNDS; i++) {
            lo = MIN(lo, ratio[i]);
            hi = MAX(hi, ratio[i]);
        }
        double mp = median(tp, ROUNDS), mn = median(tn, ROUNDS);
        printf("%-28s %10s %12.3f %12.3f %7.1fx %6.1f-%.1fx%s\n", row->name,
               row->unit, mp, mn, mp / mn, lo, hi,
               same ? "" : "  RESULTS DIFFER");
    }
    printf("(medians of %d interleaved rounds; ratio = peer / numlab, the "
           "same bits checked)\n",
           ROUNDS);
    return failed;
}
