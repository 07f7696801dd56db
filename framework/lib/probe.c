/* probe.c — exact probes (numlab/probe.h): integer data uploaded once to a
 * backend, the exact sum of every prefix in integers, and the checks that
 * report a kernel that gets them wrong as a backend fault.
 *
 * The exact prefix sums are kept as 32-bit integers: each is at most
 * 2^24 - 1 in magnitude by construction, so they take 4 bytes a value and
 * give any prefix's exact value in O(1) (A5 probes thousands of
 * prefixes). They are accumulated in 64 bits from the integers drawn,
 * never from floats. Not here: the error bounds (bound.c), which a probe
 * adds to and does not replace. */
#include "config.h"

#include <numlab/alloc.h>
#include <numlab/probe.h>

#include "nl-private.h"
#include <numlab/rng.h>
#include <numlab/run.h>

#define PROBE_SEED G_GUINT64_CONSTANT(0x9e0be5eed)
/* Values come in blocks, each from its own generator seeded with
 * PROBE_SEED + its index, so that a window starts anywhere after fewer
 * than PROBE_BLOCK steps. */
#define PROBE_BLOCK 4096
/* The largest sum of magnitudes: every integer up to it is a float32. */
#define MAGNITUDE_LIMIT ((gint64)(1 << 24) - 1)
/* Exactness needs no cap; it keeps short probes like long ones (small
 * integers, partial sums far below 2^24), and any value a kernel drops
 * still moves the sum by at least 1. */
#define MAGNITUDE_CAP 1024

struct NlProbe {
    NlBackend *backend;
    gsize length;
    NlBuffer *x, *y; /* y only with NL_PROBE_DOT */
    gint32 *sums;    /* sums[n]: the exact sum of x[0..n), n <= length */
    gint32 *dots;    /* dots[n]: the exact sum of x[i] y[i], i < n; or NULL */
};

/* Magnitudes of a probe of `length` values are 1..cap; 0 for a sparse
 * probe (too long for every value to be nonzero). */
static gint64 magnitude_cap(gsize length)
{
    if (length > (gsize)MAGNITUDE_LIMIT)
        return 0;
    return MIN(MAGNITUDE_LIMIT / (gint64)MAX(length, 1), MAGNITUDE_CAP);
}

/* In a sparse probe, whether value i is one of the MAGNITUDE_LIMIT nonzero
 * ones: i is where floor(i * LIMIT / length) steps up (Bresenham's even
 * spread; any prefix of length n holds floor(n * LIMIT / length) of them).
 * (i + 1) * LIMIT < 2^64 for length <= NL_PROBE_MAX_LENGTH. */
static gboolean sparse_nonzero(gsize length, gsize i)
{
    guint64 limit = (guint64)MAGNITUDE_LIMIT;
    return ((guint64)i + 1) * limit / length != (guint64)i * limit / length;
}

/* The generator of a probe's values, from any position on. */
typedef struct {
    NlRng rng;
    gsize length, next; /* the probe's length; the index drawn next */
    gint64 cap;         /* magnitude_cap(length) */
} Draws;

static void draws_start(Draws *d, gsize length, gsize first)
{
    d->length = length;
    d->cap = magnitude_cap(length);
    d->next = first;
    nl_rng_init(&d->rng, PROBE_SEED + first / PROBE_BLOCK);
    for (gsize i = first % PROBE_BLOCK; i > 0; i--)
        nl_rng_next_u64(&d->rng); /* one step per value, whatever it is */
}

/* The next value: x as an integer in [-cap, cap], y = +-1. */
static void draws_next(Draws *d, gint64 *x, gint64 *y)
{
    if (d->next % PROBE_BLOCK == 0)
        nl_rng_init(&d->rng, PROBE_SEED + d->next / PROBE_BLOCK);
    guint64 r = nl_rng_next_u64(&d->rng);
    /* the top 32 bits scaled to [0, cap) (a bias below cap / 2^32 is
     * immaterial here), the lowest two bits for the signs */
    gint64 magnitude = d->cap
                           ? 1 + (gint64)(((r >> 32) * (guint64)d->cap) >> 32)
                           : sparse_nonzero(d->length, d->next);
    *x = r & 1 ? -magnitude : magnitude;
    *y = r & 2 ? -1 : 1;
    d->next++;
}

void nl_probe_values_f32(gsize length, gsize first, gsize count, float *x,
                         float *y)
{
    g_return_if_fail(length <= NL_PROBE_MAX_LENGTH);
    g_return_if_fail(first <= length && count <= length - first);
    Draws d;
    draws_start(&d, length, first);
    gint64 xi, yi;
    for (gsize i = 0; i < count; i++) {
        draws_next(&d, &xi, &yi);
        if (x)
            x[i] = (float)xi; /* |xi| <= 1024: exact */
        if (y)
            y[i] = (float)yi;
    }
}

double nl_probe_bytes(gsize length, NlProbeFlags flags)
{
    double vectors = flags & NL_PROBE_DOT ? 2.0 : 1.0;
    /* per vector: its backend buffer and its prefix sums (4 bytes a value
     * each); then the one staging array the vectors are uploaded from in
     * turn */
    return (vectors * 8.0 + 4.0) * ((double)length + 1.0);
}

NlProbe *nl_probe_new(NlBackend *backend, gsize length, NlProbeFlags flags,
                      GError **error)
{
    if (length > NL_PROBE_MAX_LENGTH) {
        g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT,
                    "a probe of %" G_GSIZE_FORMAT " values is longer than "
                    "the longest, 2^40",
                    length);
        return NULL;
    }
    g_autoptr(NlProbe) probe = g_new0(NlProbe, 1);
    probe->backend = backend;
    probe->length = length;
    gboolean dot = (flags & NL_PROBE_DOT) != 0;
    float *staging = nl_alloc_f32(MAX(length, 1), error);
    if (!staging)
        return NULL;
    if (!(probe->sums = nl_alloc(length + 1, sizeof(gint32), error)) ||
        (dot && !(probe->dots = nl_alloc(length + 1, sizeof(gint32), error)))) {
        nl_free(staging);
        return NULL;
    }

    Draws d;
    draws_start(&d, length, 0);
    gint64 xi, yi, sum = 0, dot_sum = 0;
    for (gsize i = 0; i < length; i++) {
        draws_next(&d, &xi, &yi);
        staging[i] = (float)xi;
        probe->sums[i + 1] = (gint32)(sum += xi);
        if (dot)
            probe->dots[i + 1] = (gint32)(dot_sum += xi * yi);
    }
    /* an empty probe still gets a buffer: backends need not allocate 0 */
    gsize capacity = MAX(length, 1);
    gboolean ok = (probe->x = nl_backend_new_from(backend, staging, capacity,
                                                  error)) != NULL;
    if (ok && dot) { /* y through the same staging array */
        nl_probe_values_f32(length, 0, length, NULL, staging);
        ok = (probe->y = nl_backend_new_from(backend, staging, capacity,
                                             error)) != NULL;
    }
    nl_free(staging);
    return ok ? g_steal_pointer(&probe) : NULL;
}

void nl_probe_free(NlProbe *probe)
{
    if (!probe)
        return;
    if (probe->x)
        nl_backend_free(probe->backend, probe->x);
    if (probe->y)
        nl_backend_free(probe->backend, probe->y);
    nl_free(probe->sums);
    nl_free(probe->dots);
    g_free(probe);
}

gsize nl_probe_length(const NlProbe *probe)
{
    return probe->length;
}

gint64 nl_probe_exact_sum(const NlProbe *probe, gsize n)
{
    g_return_val_if_fail(n <= probe->length, 0);
    return probe->sums[n];
}

gint64 nl_probe_exact_dot(const NlProbe *probe, gsize n)
{
    g_return_val_if_fail(probe->dots && n <= probe->length, 0);
    return probe->dots[n];
}

/* Sets *exact, and reports a fault when got is not want. `what` names
 * the computation, `kernel` the backend kernel that did it. */
static void judge(NlRun *run, float got, gint64 want, const char *context,
                  const char *what, const char *kernel, gboolean *exact)
{
    /* |want| < 2^24: both are exact doubles; a NaN is unequal */
    gboolean equal = (double)got == (double)want;
    if (exact)
        *exact = equal;
    NlNumText g;
    if (!equal)
        nl_run_fault(run,
                     "%s%s%s (exact in any order) gives %s, exact "
                     "%" G_GINT64_FORMAT ", error bound 0: the backend's %s "
                     "is wrong at this size",
                     context ? context : "", context ? ": " : "", what,
                     nl_format_g(&g, got, 9), want, kernel);
}

/* "the first " unless the prefix is the whole probe */
static const char *prefix_words(const NlProbe *probe, gsize n)
{
    return n < probe->length ? "the first " : "";
}

gboolean nl_probe_check_sum(NlRun *run, const NlProbe *probe, gsize n,
                            gsize tile, const char *context, gboolean *exact,
                            GError **error)
{
    g_return_val_if_fail(run && probe, FALSE);
    g_return_val_if_fail(nl_run_backend(run) == probe->backend, FALSE);
    g_return_val_if_fail(n <= probe->length, FALSE);
    float got;
    gboolean ran =
        tile ? nl_backend_tiled_sum(probe->backend, probe->x, n, tile, &got,
                                    error)
             : nl_backend_sum(probe->backend, probe->x, n, &got, error);
    if (!ran)
        return FALSE;
    g_autofree char *what =
        tile ? g_strdup_printf("tiled_sum of %s%" G_GSIZE_FORMAT
                               " probe integers, tile %" G_GSIZE_FORMAT,
                               prefix_words(probe, n), n, tile)
             : g_strdup_printf("sum of %s%" G_GSIZE_FORMAT " probe integers",
                               prefix_words(probe, n), n);
    judge(run, got, probe->sums[n], context, what, tile ? "tiled_sum" : "sum",
          exact);
    return TRUE;
}

gboolean nl_probe_check_dot(NlRun *run, const NlProbe *probe, gsize n,
                            const char *context, gboolean *exact,
                            GError **error)
{
    g_return_val_if_fail(run && probe, FALSE);
    g_return_val_if_fail(nl_run_backend(run) == probe->backend, FALSE);
    g_return_val_if_fail(probe->y && n <= probe->length, FALSE);
    float got;
    if (!nl_backend_dot(probe->backend, probe->x, probe->y, n, &got, error))
        return FALSE;
    g_autofree char *what = g_strdup_printf("dot product of %s%" G_GSIZE_FORMAT
                                            " probe integers with +-1",
                                            prefix_words(probe, n), n);
    judge(run, got, probe->dots[n], context, what, "dot", exact);
    return TRUE;
}
