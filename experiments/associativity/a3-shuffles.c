/* a3-shuffles.c — figure A3: the same numbers, many orders, many sums.
 *
 * For each size the values are the first ones of the seeded normal stream;
 * a second stream (seed + 1) draws the orders. Each order is summed twice
 * in float32: plainly, left to right, and with Neumaier's compensated
 * summation, which carries the rounding error of every addition along and
 * so nearly always lands on the correctly rounded sum whatever the order.
 * The histogram's x axis is the distance from the exact sum in ulps, which
 * names each distinct result uniquely. */
#include "config.h"

#include "associativity.h"

#include <math.h>
#include <string.h>

/* Neumaier's variant of Kahan summation: correct also when a term is
 * larger than the running sum. */
static float sum_compensated_f32(const float *x, gsize n)
{
    float s = 0.0f, c = 0.0f;
    for (gsize i = 0; i < n; i++) {
        float t = s + x[i];
        if (fabsf(s) >= fabsf(x[i]))
            c += (s - t) + x[i];
        else
            c += (x[i] - t) + s;
        s = t;
    }
    return s + c;
}

typedef float (*SumFunc)(const float *x, gsize n);

static const struct {
    const char *name;
    SumFunc sum;
} methods[] = {
    {"plain", nl_ref_sum_f32}, /* left to right: the reference order */
    {"compensated", sum_compensated_f32},
};

typedef struct {
    gint64 ulps; /* signed distance from the exact sum */
    float sum;
    guint count;
} Outcome;

static gint compare_outcomes(gconstpointer a, gconstpointer b)
{
    gint64 x = ((const Outcome *)a)->ulps, y = ((const Outcome *)b)->ulps;
    return (x > y) - (x < y);
}

/* Sums `shuffles` random orders of x with `sum`; returns the distinct
 * results sorted by their distance from `exact`. */
static GArray *count_outcomes(NlRun *run, const float *x, gsize n, float exact,
                              gint64 shuffles, SumFunc sum,
                              double progress_base, double progress_span,
                              GError **error)
{
    float *work = nl_alloc_f32(n, error);
    if (!work)
        return NULL;
    memcpy(work, x, n * sizeof(float));
    /* The same orders for every method: restart the order stream. */
    NlRng orders;
    nl_rng_init(&orders, nl_run_seed(run) + 1);
    g_autoptr(GHashTable) counts =
        g_hash_table_new(g_direct_hash, g_direct_equal);
    for (gint64 s = 0; s < shuffles; s++) {
        nl_rng_shuffle_f32(&orders, work, n);
        gpointer key = GUINT_TO_POINTER(nl_f32_bits(sum(work, n)));
        guint seen = GPOINTER_TO_UINT(g_hash_table_lookup(counts, key));
        g_hash_table_insert(counts, key, GUINT_TO_POINTER(seen + 1));
        if ((s & 1023) == 0)
            nl_run_progress(run, progress_base + progress_span * s / shuffles,
                            "A3 shuffles");
    }
    nl_free(work);

    GArray *outcomes = g_array_new(FALSE, FALSE, sizeof(Outcome));
    GHashTableIter it;
    gpointer key, count;
    g_hash_table_iter_init(&it, counts);
    while (g_hash_table_iter_next(&it, &key, &count)) {
        guint32 bits = GPOINTER_TO_UINT(key);
        Outcome o = {.count = GPOINTER_TO_UINT(count)};
        memcpy(&o.sum, &bits, sizeof o.sum);
        o.ulps = nl_ulp_diff_f32(exact, o.sum);
        g_array_append_val(outcomes, o);
    }
    g_array_sort(outcomes, compare_outcomes);
    return outcomes;
}

gboolean assoc_shuffles(NlRun *run, GError **error)
{
    const NlParams *p = nl_run_params(run);
    gint64 shuffles = nl_params_get_int(p, "shuffles");
    gsize n_sizes;
    const gint64 *sizes = nl_params_get_int_list(p, "shuffle_sizes", &n_sizes);

    NlTable *distinct = nl_run_table(run, "a3-distinct",
                                     "n:int method:str shuffles:int "
                                     "distinct:int min_ulps:int max_ulps:int");
    nl_table_set_title(distinct, "distinct sums of the same values in "
                                 "random orders");
    NlTable *hist =
        nl_run_table(run, "a3-histogram", "ulps:int sum:f32 count:int");
    nl_table_set_title(hist, "how often each sum appears; one dataset per "
                             "size and method, in a3-distinct's row order");

    for (gsize k = 0; k < n_sizes; k++) {
        gsize n = (gsize)sizes[k];
        float *x = nl_normal_values_f32(nl_run_seed(run), n, error);
        if (!x)
            return FALSE;
        float exact = nl_exact_sum_f32(x, n);
        for (gsize m = 0; m < G_N_ELEMENTS(methods); m++) {
            double span = 1.0 / (n_sizes * G_N_ELEMENTS(methods));
            g_autoptr(GArray) outcomes = count_outcomes(
                run, x, n, exact, shuffles, methods[m].sum,
                (k * G_N_ELEMENTS(methods) + m) * span, span, error);
            if (!outcomes) {
                nl_free(x);
                return FALSE;
            }
            g_autofree char *label =
                g_strdup_printf("n=%" G_GSIZE_FORMAT " %s", n, methods[m].name);
            nl_table_new_dataset(hist, label);
            for (guint i = 0; i < outcomes->len; i++) {
                const Outcome *o = &g_array_index(outcomes, Outcome, i);
                nl_table_add_int(hist, o->ulps);
                nl_table_add_f32(hist, o->sum);
                nl_table_add_int(hist, o->count);
            }
            nl_table_add_int(distinct, (gint64)n);
            nl_table_add_str(distinct, methods[m].name);
            nl_table_add_int(distinct, shuffles);
            nl_table_add_int(distinct, outcomes->len);
            nl_table_add_int(distinct,
                             g_array_index(outcomes, Outcome, 0).ulps);
            nl_table_add_int(
                distinct,
                g_array_index(outcomes, Outcome, outcomes->len - 1).ulps);
        }
        nl_free(x);
    }
    return TRUE;
}
