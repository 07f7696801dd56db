/* bench-sampling.c — numlab bench's measurements for the temperature
 * experiment: softmax over a vocabulary on each backend, and libnumlab's
 * inverse-CDF sampler (numlab/sample.h) in draws per second on one core.
 *
 * Goals (issue 5), printed as the reference of each row so that ratio >= 1
 * means "met": sampling 100 million draws/s at V = 6 and 10 million at
 * V = 50257; softmax over 50257 logits in 40 us (the goal is the OpenMP
 * backend's; the other backends are shown against the same line). The
 * logits are standard normal, T = 1; the best of repeated batches counts,
 * as in the rest of the benchmark (bench_time_best), and each row's spread
 * is that of its batches: a goal is not a measurement to alternate with. */
#include "config.h"

#include "bench-sampling.h"

#include "bench-peer.h"
#include "bench-precision.h"

#include <math.h>

static double *normal_logits(gsize n, guint64 seed)
{
    double *x = g_new(double, n);
    NlRng rng;
    nl_rng_init(&rng, seed);
    for (gsize i = 0; i < n; i++)
        x[i] = nl_rng_normal(&rng);
    return x;
}

/* ---- sampling ---- */

#define DRAWS_PER_CALL 65536

typedef struct {
    NlSampler *sampler;
    NlRng rng;
    guint32 *out;
} Draws;

static gboolean draws_call(gpointer data, GError **error)
{
    (void)error;
    Draws *d = data;
    nl_sampler_draw_n(d->sampler, &d->rng, d->out, DRAWS_PER_CALL);
    return TRUE;
}

gboolean bench_sampling(NlRun *run, double min_time, GError **error)
{
    gsize n_sizes;
    const gint64 *sizes =
        nl_params_get_int_list(nl_run_params(run), "sample_sizes", &n_sizes);
    NlTable *t = nl_run_table(run, "bench-sampling",
                              "kernel:str n:int threads:int seconds:f64 "
                              "rate:f64 unit:str reference:str ref_rate:f64 "
                              "ratio:f64 note:str spread:f64");
    nl_table_set_title(t, "libnumlab's inverse-CDF sampler on one core");
    for (gsize k = 0; k < n_sizes; k++) {
        gsize n = (gsize)sizes[k];
        g_autofree double *logits = normal_logits(n, nl_run_seed(run));
        g_autofree double *p = g_new(double, n);
        if (!nl_sample_softmax(logits, n, 1.0, p, error))
            return FALSE;
        Draws d = {.sampler = nl_sampler_new(p, n, error)};
        if (!d.sampler)
            return FALSE;
        nl_rng_init(&d.rng, nl_run_seed(run));
        d.out = g_new(guint32, DRAWS_PER_CALL);
        double spread = NAN;
        double s = bench_time_best(draws_call, &d, min_time, &spread, error) /
                   DRAWS_PER_CALL;
        nl_sampler_free(d.sampler);
        g_free(d.out);
        double goal = n <= 6 ? 100.0 : 10.0; /* million draws per second */
        nl_table_add_str(t, "sample");
        nl_table_add_int(t, (gint64)n);
        nl_table_add_int(t, 1);
        nl_table_add_f64(t, s);
        nl_table_add_f64(t, 1e-6 / s);
        nl_table_add_str(t, "Mdraws/s");
        nl_table_add_str(t, "goal");
        nl_table_add_f64(t, goal);
        nl_table_add_f64(t, 1e-6 / s / goal);
        nl_table_add_str(t, "normal logits, T = 1, draw_n into a buffer");
        nl_table_add_f64(t, spread);
    }
    return TRUE;
}

void bench_sampling_results(NlRun *run, NlTable *results)
{
    const NlTable *own = nl_run_common_table(run, "bench-sampling");
    if (!own || nl_table_n_rows(own) == 0)
        return;
    nl_table_new_dataset(results, "libnumlab");
    for (guint r = 0; r < nl_table_n_rows(own); r++) {
        nl_table_add_str(results, "libnumlab");
        nl_table_add_str(results, nl_table_get_str(own, r, 0));
        nl_table_add_int(results, nl_table_get_int(own, r, 1));
        nl_table_add_int(results, nl_table_get_int(own, r, 2));
        nl_table_add_f64(results, nl_table_get_f64(own, r, 3));
        nl_table_add_f64(results, nl_table_get_f64(own, r, 4));
        nl_table_add_str(results, nl_table_get_str(own, r, 5));
        nl_table_add_str(results, nl_table_get_str(own, r, 6));
        nl_table_add_f64(results, nl_table_get_f64(own, r, 7));
        nl_table_add_f64(results, nl_table_get_f64(own, r, 8));
        nl_table_add_str(results, nl_table_get_str(own, r, 9));
        nl_table_add_int(results, 0); /* on no backend: nothing to check */
        nl_table_add_f64(results, nl_table_get_f64(own, r, 10));
        nl_table_add_str(results, "compute");
    }
}

/* ---- softmax on a backend ---- */

typedef struct {
    NlBackend *b;
    NlBuffer *x, *y;
    gsize n;
} Softmax;

/* One softmax call, as bench_time_best and bench_time_pair call it. */
static gboolean softmax_once(gpointer data, GError **error)
{
    Softmax *s = data;
    return nl_backend_softmax(s->b, s->x, s->y, s->n, 1.0f, error);
}

/* x[0..n) on b, and room for y: a Softmax ready to call, or FALSE. */
static gboolean softmax_setup(Softmax *s, NlBackend *b, const float *x, gsize n,
                              GError **error)
{
    *s = (Softmax){b, nl_backend_new_from(b, x, n, error), NULL, n};
    s->y = s->x ? nl_backend_alloc(b, n, error) : NULL;
    if (!s->y)
        nl_backend_free(b, s->x);
    return s->y != NULL;
}

static void softmax_clear(Softmax *s)
{
    nl_backend_free(s->b, s->x);
    nl_backend_free(s->b, s->y);
}

/* The job's softmax against the peer's, in alternating rounds: one row of
 * bench-peer (the split of its time is the wall time alone). */
static gboolean softmax_peer(Softmax *job, NlBackend *peer, NlTable *t,
                             const float *x, double min_time, GError **error)
{
    Softmax p;
    if (!softmax_setup(&p, peer, x, job->n, error))
        return FALSE;
    double sec = NAN, peer_sec = NAN, spread = NAN;
    gboolean ok = bench_time_pair(softmax_once, job, softmax_once, &p, min_time,
                                  &sec, &peer_sec, &spread, error);
    softmax_clear(&p);
    if (!ok)
        return FALSE;
    BenchSplit split = {sec, NAN, NAN, NAN};
    bench_peer_add_row(t, "softmax", job->n, job->b, peer, job->n / sec / 1e9,
                       job->n / peer_sec / 1e9, "Gelem/s", spread, &split);
    return TRUE;
}

gboolean bench_softmax(NlRun *run, NlTable *t, NlBackend *peer,
                       NlTable *peer_table, double min_time, GError **error)
{
    NlBackend *b = nl_run_backend(run);
    gsize n_sizes;
    const gint64 *sizes =
        nl_params_get_int_list(nl_run_params(run), "softmax_sizes", &n_sizes);
    for (gsize k = 0; k < n_sizes; k++) {
        gsize n = (gsize)sizes[k];
        g_autofree double *logits = normal_logits(n, nl_run_seed(run));
        float *x = nl_alloc_f32(n, error);
        if (!x)
            return FALSE;
        for (gsize i = 0; i < n; i++)
            x[i] = (float)logits[i];
        Softmax s;
        if (!softmax_setup(&s, b, x, n, error)) {
            nl_free(x);
            return FALSE;
        }
        double spread = NAN;
        double sec =
            bench_time_best(softmax_once, &s, min_time, &spread, error);
        gboolean ok = sec >= 0;
        if (ok && peer)
            ok = softmax_peer(&s, peer, peer_table, x, min_time, error);
        softmax_clear(&s);
        nl_free(x);
        if (!ok)
            return FALSE;
        double goal = 40e-6 * n / 50257.0; /* 40 us at V = 50257 */
        nl_table_add_str(t, "softmax");
        nl_table_add_int(t, (gint64)n);
        nl_table_add_int(t, nl_backend_info(b)->threads);
        nl_table_add_f64(t, sec);
        nl_table_add_f64(t, n / sec / 1e9);
        nl_table_add_str(t, "Gelem/s");
        nl_table_add_str(t, "goal_40us_at_50257");
        nl_table_add_f64(t, n / goal / 1e9);
        nl_table_add_f64(t, goal / sec);
        g_autofree char *note =
            spread > BENCH_SPREAD_NOTE
                ? g_strdup_printf("spread %.0f %%: the batches disagree (the "
                                  "machine is busy)",
                                  100 * spread)
                : NULL;
        nl_table_add_str(t, note ? note : "");
        nl_table_add_int(t, 0);      /* not checked (bench-check.c says why) */
        nl_table_add_f64(t, spread); /* its batches': a goal is no reference */
        nl_table_add_str(t, "compute");
    }
    return TRUE;
}
