/* bench-invariant.c — what batch-invariant mode costs, from one run, and
 * likewise the mpi backend's rank-count-invariant mode (invariant=1).
 *
 *   numlab bench -b openmp,openmp:batch_invariant=1
 *   numlab bench -b mpi:ranks=2,mpi:ranks=2:invariant=1
 *
 * times both jobs; run_compare pairs them (the labels equal once the
 * batch_invariant option is left out) and compares every kernel and size
 * the two measured. The two jobs ran one after the other, seconds apart,
 * and this machine's memory bandwidth drifts by tens of percent in that
 * time; each measurement was therefore timed interleaved with its own
 * reference (the read probe, direct cblas_sgemm), and the slowdown is the
 * ratio of the two drift-corrected figures:
 *
 *   slowdown = (normal rate / its reference) / (invariant rate / its
 *              reference) - 1
 *
 * raw_slowdown is the plain ratio of rates, for comparison. The goal is a
 * slowdown below 15 %. */
#include "config.h"

#include "bench-invariant.h"

#include <math.h>
#include <string.h>

#define GOAL 0.15

/* The label without its batch_invariant (or mpi's invariant) option;
 * *invariant says whether it was on. */
static char *without_mode(const char *label, gboolean *invariant)
{
    g_auto(GStrv) words = g_strsplit(label, ":", -1);
    GString *out = g_string_new(NULL);
    *invariant = FALSE;
    for (char **w = words; *w; w++) {
        const char *mode = g_str_has_prefix(*w, "batch_invariant=")
                               ? "batch_invariant="
                           : g_str_has_prefix(*w, "invariant=") ? "invariant="
                                                                : NULL;
        if (mode) {
            const char *v = *w + strlen(mode);
            /* the spellings numlab's parameter parser reads as true */
            static const char *const yes[] = {"1", "true", "yes", "on", NULL};
            *invariant = g_strv_contains(yes, v);
            continue;
        }
        g_string_append_printf(out, "%s%s", out->len ? ":" : "", *w);
    }
    return g_string_free(out, FALSE);
}

/* The job measured without the mode whose label matches, or -1. */
static int normal_partner(NlRun *run, guint job)
{
    gboolean invariant;
    g_autofree char *base =
        without_mode(nl_run_job_label(run, job), &invariant);
    if (!invariant)
        return -1;
    for (guint j = 0; j < nl_run_n_jobs(run); j++) {
        gboolean other;
        g_autofree char *b = without_mode(nl_run_job_label(run, j), &other);
        if (!other && strcmp(b, base) == 0)
            return (int)j;
    }
    return -1;
}

/* The row of `t` that measured kernel at size n, or -1. */
static int find_row(const NlTable *t, const char *kernel, gint64 n)
{
    for (guint r = 0; r < nl_table_n_rows(t); r++)
        if (strcmp(nl_table_get_str(t, r, nl_table_column(t, "kernel")),
                   kernel) == 0 &&
            nl_table_get_int(t, r, nl_table_column(t, "n")) == n)
            return (int)r;
    return -1;
}

void bench_invariant_costs(NlRun *run)
{
    NlTable *t = nl_run_table(run, "bench-invariant",
                              "backend:str kernel:str n:int normal_rate:f64 "
                              "invariant_rate:f64 unit:str normal_ratio:f64 "
                              "invariant_ratio:f64 slowdown:f64 "
                              "raw_slowdown:f64 goal_met:int");
    nl_table_set_title(
        t, "batch_invariant=1 (mpi: invariant=1) against "
           "the same backend without it: slowdown = drift-corrected relative "
           "time (0.1 = 10 % slower; negative: faster)");
    g_autofree char *goal = g_strdup_printf("slowdown < %g", GOAL);
    nl_table_add_note(t, "goal", goal);
    for (guint i = 0; i < nl_run_n_jobs(run); i++) {
        int j = normal_partner(run, i);
        if (j < 0)
            continue;
        const NlTable *inv = nl_run_job_table(run, i, "bench-measurements");
        const NlTable *nor =
            nl_run_job_table(run, (guint)j, "bench-measurements");
        if (!inv || !nor)
            continue;
        int c_rate = nl_table_column(inv, "rate");
        int c_ratio = nl_table_column(inv, "ratio");
        for (guint r = 0; r < nl_table_n_rows(inv); r++) {
            const char *kernel = nl_table_get_str(inv, r, 0);
            gint64 n = nl_table_get_int(inv, r, nl_table_column(inv, "n"));
            int s = find_row(nor, kernel, n);
            if (s < 0)
                continue;
            double rate_i = nl_table_get_f64(inv, r, (guint)c_rate);
            double rate_n = nl_table_get_f64(nor, (guint)s, (guint)c_rate);
            double ratio_i = nl_table_get_f64(inv, r, (guint)c_ratio);
            double ratio_n = nl_table_get_f64(nor, (guint)s, (guint)c_ratio);
            if (!(rate_i > 0) || !(rate_n > 0)) /* skipped measurements */
                continue;
            double raw = rate_n / rate_i - 1;
            /* without references, the raw ratio is all there is */
            double slowdown =
                ratio_i > 0 && ratio_n > 0 ? ratio_n / ratio_i - 1 : raw;
            nl_table_add_str(t, nl_run_job_label(run, (guint)j));
            nl_table_add_str(t, kernel);
            nl_table_add_int(t, n);
            nl_table_add_f64(t, rate_n);
            nl_table_add_f64(t, rate_i);
            nl_table_add_str(
                t, nl_table_get_str(inv, r, nl_table_column(inv, "unit")));
            nl_table_add_f64(t, ratio_n);
            nl_table_add_f64(t, ratio_i);
            nl_table_add_f64(t, slowdown);
            nl_table_add_f64(t, raw);
            nl_table_add_int(t, slowdown < GOAL);
        }
    }
}
