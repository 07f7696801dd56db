/* b3-draws.c — figure B3: seeded draws against the theoretical softmax.
 *
 * `draws` tokens (3000) are drawn at `b3_temperature` (1.2) from the run's
 * seed with libnumlab's inverse-CDF sampler; their frequencies are set
 * against the probabilities with Pearson's chi-square test and the
 * total-variation distance. Then `b3_repeats` independent streams (the
 * first is the run's seed itself, so it passes through the histogram's
 * draws; stream r > 0 is seeded with seed + r) keep drawing, and the
 * distance is recorded at every count of `b3_sizes`: it shrinks like
 * 1/sqrt(N), and the expected distance under the normal approximation,
 * sum_i sqrt(p_i (1 - p_i) / (2 pi N)), is written beside it. */
#include "config.h"

#include "temperature.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The distance of counts (of `draws` draws) from p. */
static double distance(const guint64 *counts, const double *p, gsize n,
                       gint64 draws)
{
    double d = 0;
    for (gsize i = 0; i < n; i++)
        d += fabs((double)counts[i] / (double)draws - p[i]);
    return 0.5 * d;
}

static double expected_distance(const double *p, gsize n, gint64 draws)
{
    double d = 0;
    for (gsize i = 0; i < n; i++)
        d += sqrt(p[i] * (1 - p[i]) / (2 * G_PI * (double)draws));
    return d;
}

static gboolean histogram(NlRun *run, const TempConfig *c, const double *p,
                          const NlSampler *s, double t, GError **error)
{
    gint64 draws = nl_params_get_int(nl_run_params(run), "draws");
    g_autofree guint64 *counts = g_new0(guint64, c->n);
    NlRng rng;
    nl_rng_init(&rng, nl_run_seed(run));
    nl_sampler_count(s, &rng, counts, (gsize)draws);
    double x2, pv;
    gsize dof;
    if (!nl_sample_chi_square(counts, p, c->n, &x2, &pv, &dof, error))
        return FALSE;
    NlTable *tab = nl_run_table(run, "b3-frequencies",
                                "index:int token:str p:f64 count:int "
                                "frequency:f64 expected:f64");
    nl_table_set_title(tab, "seeded draws against the softmax probabilities");
    for (gsize i = 0; i < c->n; i++) {
        nl_table_add_int(tab, (gint64)i);
        nl_table_add_str(tab, c->tokens[i]);
        nl_table_add_f64(tab, p[i]);
        nl_table_add_int(tab, (gint64)counts[i]);
        nl_table_add_f64(tab, (double)counts[i] / (double)draws);
        nl_table_add_f64(tab, p[i] * (double)draws);
    }
    char buf[64];
    g_snprintf(buf, sizeof buf, "%g", t);
    nl_table_add_note(tab, "temperature", buf);
    g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, draws);
    nl_table_add_note(tab, "draws", buf);
    g_snprintf(buf, sizeof buf, "%.17g", x2);
    nl_table_add_note(tab, "chi2", buf);
    g_snprintf(buf, sizeof buf, "%" G_GSIZE_FORMAT, dof);
    nl_table_add_note(tab, "dof", buf);
    g_snprintf(buf, sizeof buf, "%.17g", pv);
    nl_table_add_note(tab, "p_value", buf);
    g_snprintf(buf, sizeof buf, "%.17g", distance(counts, p, c->n, draws));
    nl_table_add_note(tab, "tv", buf);
    nl_table_add_note(tab, "sampler",
                      "inverse CDF of one 53-bit uniform per "
                      "draw from the run's seed (xoshiro256**)");
    return TRUE;
}

static int compare_gint64(const void *a, const void *b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return (x > y) - (x < y);
}

static gboolean convergence(NlRun *run, const TempConfig *c, const double *p,
                            const NlSampler *s, GError **error)
{
    const NlParams *params = nl_run_params(run);
    gsize n_sizes;
    const gint64 *given = nl_params_get_int_list(params, "b3_sizes", &n_sizes);
    g_autofree gint64 *sizes = g_memdup2(given, n_sizes * sizeof(gint64));
    qsort(sizes, n_sizes, sizeof *sizes, compare_gint64);
    gint64 repeats = nl_params_get_int(params, "b3_repeats");
    g_autofree double *tv = g_new(double, n_sizes *(gsize)repeats);
    g_autofree double *p_value = g_new(double, n_sizes);
    g_autofree guint64 *counts = g_new(guint64, c->n);

    NlTable *paths = nl_run_table(run, "b3-paths", "draws:int tv:f64");
    nl_table_set_title(paths, "distance from the theory as one stream keeps "
                              "drawing; one dataset per stream");
    for (gint64 r = 0; r < repeats; r++) {
        NlRng rng;
        nl_rng_init(&rng, nl_run_seed(run) + (guint64)r);
        memset(counts, 0, c->n * sizeof *counts);
        gint64 done = 0;
        g_autofree char *label = g_strdup_printf("stream %" G_GINT64_FORMAT, r);
        nl_table_new_dataset(paths, label);
        for (gsize j = 0; j < n_sizes; j++) {
            nl_sampler_count(s, &rng, counts, (gsize)(sizes[j] - done));
            done = sizes[j];
            tv[j * repeats + r] = distance(counts, p, c->n, done);
            nl_table_add_int(paths, done);
            nl_table_add_f64(paths, tv[j * repeats + r]);
            if (r == 0) {
                double x2;
                gsize dof;
                if (!nl_sample_chi_square(counts, p, c->n, &x2, &p_value[j],
                                          &dof, error))
                    return FALSE;
            }
        }
        nl_run_progress(run, (double)(r + 1) / repeats, "B3 draws");
    }

    NlTable *tab = nl_run_table(run, "b3-convergence",
                                "draws:int tv_mean:f64 tv_min:f64 tv_max:f64 "
                                "tv_expected:f64 tv_seed:f64 p_value_seed:f64");
    nl_table_set_title(tab, "total-variation distance from the theory by "
                            "number of draws");
    nl_table_add_note(tab, "tv_expected",
                      "sum_i sqrt(p_i (1 - p_i) / (2 pi N)) "
                      "(normal approximation)");
    nl_table_add_note(tab, "tv_seed",
                      "the stream of the run's seed (its first "
                      "draws are b3-frequencies')");
    for (gsize j = 0; j < n_sizes; j++) {
        double sum = 0, lo = G_MAXDOUBLE, hi = 0;
        for (gint64 r = 0; r < repeats; r++) {
            double d = tv[j * repeats + r];
            sum += d;
            lo = MIN(lo, d);
            hi = MAX(hi, d);
        }
        nl_table_add_int(tab, sizes[j]);
        nl_table_add_f64(tab, sum / repeats);
        nl_table_add_f64(tab, lo);
        nl_table_add_f64(tab, hi);
        nl_table_add_f64(tab, expected_distance(p, c->n, sizes[j]));
        nl_table_add_f64(tab, tv[j * repeats]);
        nl_table_add_f64(tab, p_value[j]);
    }
    return TRUE;
}

gboolean temp_b3(NlRun *run, const TempConfig *c, GError **error)
{
    double t = nl_params_get_double(nl_run_params(run), "b3_temperature");
    g_autofree double *p = g_new(double, c->n);
    if (!temp_softmax(c, c->logits, t, p, error))
        return FALSE;
    g_autoptr(NlSampler) s = nl_sampler_new(p, c->n, error);
    return s && histogram(run, c, p, s, t, error) &&
           convergence(run, c, p, s, error);
}
