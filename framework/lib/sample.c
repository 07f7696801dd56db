/* sample.c — softmax with temperature, greedy and top-k/top-p filters,
 * inverse-CDF sampling and goodness-of-fit statistics (numlab/sample.h).
 *
 * All in double, on the host: these are the reference and the sampling
 * rule, not a kernel under study. What it deliberately does not do: the
 * alias method (O(1) per draw, but not the inverse-CDF answer, so a draw
 * could not be checked by hand against the cumulative table), and any
 * libm-free portability — exp() and log2() come from the C library, so a
 * probability may differ in its last bit between C libraries; the draws
 * only change if a uniform lands within that bit of a cdf boundary. */
#include "config.h"

#include <numlab/error.h>
#include <numlab/sample.h>

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(nl - sample - error - quark, nl_sample_error)

/* One line, FALSE: numlab/error.h. */
#define input_error(error, ...)                                                \
    nl_fail(error, NL_SAMPLE_ERROR, NL_SAMPLE_ERROR_INPUT, __VA_ARGS__)

/* ---- validation ---- */

static gboolean check_finite(const double *x, gsize n, const char *what,
                             GError **error)
{
    if (n == 0)
        return input_error(error, "no %ss: the vocabulary is empty", what);
    for (gsize i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return input_error(error, "%s %" G_GSIZE_FORMAT " is %s", what, i,
                               isnan(x[i]) ? "NaN" : "infinite");
    return TRUE;
}

/* Weights: finite, >= 0, a positive finite total; *total receives it. */
static gboolean check_weights(const double *w, gsize n, double *total,
                              GError **error)
{
    if (!check_finite(w, n, "probability", error))
        return FALSE;
    double sum = 0.0;
    for (gsize i = 0; i < n; i++) {
        if (w[i] < 0.0)
            return input_error(
                error, "probability %" G_GSIZE_FORMAT " is negative (%g)", i,
                w[i]);
        sum += w[i];
    }
    if (!(sum > 0.0) || !isfinite(sum))
        return input_error(error,
                           "the probabilities sum to %g, not to a "
                           "positive finite number",
                           sum);
    *total = sum;
    return TRUE;
}

/* ---- distributions ---- */

gboolean nl_sample_argmax(const double *values, gsize n, gsize *index,
                          GError **error)
{
    g_return_val_if_fail((values != NULL || n == 0) && index != NULL, FALSE);
    if (!check_finite(values, n, "logit", error))
        return FALSE;
    gsize best = 0;
    for (gsize i = 1; i < n; i++)
        if (values[i] > values[best]) /* strict: the first maximum wins */
            best = i;
    *index = best;
    return TRUE;
}

gboolean nl_sample_softmax(const double *logits, gsize n, double temperature,
                           double *probs, GError **error)
{
    g_return_val_if_fail((logits != NULL && probs != NULL) || n == 0, FALSE);
    if (isnan(temperature) || isinf(temperature) || temperature < 0.0)
        return input_error(error,
                           "temperature %g is not a finite number "
                           ">= 0 (0 means greedy)",
                           temperature);
    gsize top;
    if (!nl_sample_argmax(logits, n, &top, error))
        return FALSE;
    if (temperature == 0.0) { /* greedy: all mass on the argmax */
        for (gsize i = 0; i < n; i++)
            probs[i] = i == top ? 1.0 : 0.0;
        return TRUE;
    }
    /* (x - max) / T rather than x / T - max: the subtraction of two logits
     * is exact for nearby values, and the result is the same in exact
     * arithmetic. Every exponent is <= 0, so nothing overflows. */
    double max = logits[top], total = 0.0;
    for (gsize i = 0; i < n; i++) {
        probs[i] = exp((logits[i] - max) / temperature);
        total += probs[i];
    }
    for (gsize i = 0; i < n; i++)
        probs[i] /= total;
    return TRUE;
}

typedef struct {
    double p;
    gsize index;
} Ranked;

/* Higher probability first; equal probabilities by index, lower first. */
static int compare_ranked(const void *a, const void *b)
{
    const Ranked *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* The tokens in rank order, or NULL (error set). */
static Ranked *rank_tokens(const double *probs, gsize n, GError **error)
{
    Ranked *r = g_try_new(Ranked, n);
    if (!r) {
        g_set_error(error, NL_SAMPLE_ERROR, NL_SAMPLE_ERROR_NOMEM,
                    "no memory to rank %" G_GSIZE_FORMAT " tokens", n);
        return NULL;
    }
    for (gsize i = 0; i < n; i++)
        r[i] = (Ranked){probs[i], i};
    qsort(r, n, sizeof *r, compare_ranked);
    return r;
}

/* out = the first `keep` ranked tokens, renormalized; the rest 0. */
static void keep_ranked(const Ranked *r, gsize n, gsize keep, double *out)
{
    double kept = 0.0;
    for (gsize j = 0; j < keep; j++)
        kept += r[j].p;
    for (gsize i = 0; i < n; i++)
        out[i] = 0.0;
    for (gsize j = 0; j < keep; j++)
        out[r[j].index] = r[j].p / kept;
}

gboolean nl_sample_top_k(const double *probs, gsize n, gsize k, double *out,
                         GError **error)
{
    g_return_val_if_fail((probs != NULL && out != NULL) || n == 0, FALSE);
    double total;
    if (k == 0)
        return input_error(error, "top-k needs k >= 1 (k = 0 keeps no token)");
    if (!check_weights(probs, n, &total, error))
        return FALSE;
    Ranked *r = rank_tokens(probs, n, error);
    if (!r)
        return FALSE;
    gsize keep = MIN(k, n);
    while (keep > 1 && r[keep - 1].p == 0.0) /* never keep a zero */
        keep--;
    keep_ranked(r, n, keep, out);
    g_free(r);
    return TRUE;
}

gboolean nl_sample_top_p(const double *probs, gsize n, double p, double *out,
                         GError **error)
{
    g_return_val_if_fail((probs != NULL && out != NULL) || n == 0, FALSE);
    double total;
    if (!(p > 0.0 && p <= 1.0))
        return input_error(error, "top-p needs p in (0, 1], not %g", p);
    if (!check_weights(probs, n, &total, error))
        return FALSE;
    Ranked *r = rank_tokens(probs, n, error);
    if (!r)
        return FALSE;
    /* The mass is summed in rank order, relative to the total; the set
     * stops at the first prefix whose mass reaches p, or where only zeros
     * remain (p = 1 with a rounded total). */
    gsize keep = 0;
    double mass = 0.0;
    while (keep < n && r[keep].p > 0.0) {
        mass += r[keep].p;
        keep++;
        if (mass / total >= p)
            break;
    }
    keep_ranked(r, n, keep, out);
    g_free(r);
    return TRUE;
}

/* ---- statistics ---- */

double nl_sample_entropy_bits(const double *probs, gsize n)
{
    g_return_val_if_fail(probs != NULL || n == 0, 0.0);
    double h = 0.0;
    for (gsize i = 0; i < n; i++)
        if (probs[i] > 0.0)
            h -= probs[i] * log2(probs[i]);
    return h;
}

double nl_sample_total_variation(const double *p, const double *q, gsize n)
{
    g_return_val_if_fail((p != NULL && q != NULL) || n == 0, 0.0);
    double d = 0.0;
    for (gsize i = 0; i < n; i++)
        d += fabs(p[i] - q[i]);
    return 0.5 * d;
}

/* Enough terms for either expansion: near x = a both need about 9 sqrt(a)
 * before a term falls below 1e-17 of the sum (a vocabulary of 200,000
 * tokens has a = 10^5: about 2,900 terms). */
static long gamma_terms(double a)
{
    return 100 + (long)(20.0 * sqrt(MIN(a, 1e12)));
}

/* P(a, x) by its power series, for x < a + 1:
 * P = e^-x x^a / Gamma(a + 1) * sum_k x^k / ((a+1)...(a+k)). */
static double gamma_p_series(double a, double x)
{
    double term = 1.0 / a, sum = term, ap = a;
    for (long k = 0, terms = gamma_terms(a); k < terms; k++) {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if (fabs(term) < fabs(sum) * 1e-17)
            break;
    }
    return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Q(a, x) by its continued fraction, for x >= a + 1:
 * Q = e^-x x^a / Gamma(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...)))
 * evaluated front to back with the modified Lentz method. */
static double gamma_q_fraction(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (long k = 1, terms = gamma_terms(a); k < terms; k++) {
        double an = -(double)k * ((double)k - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) < 1e-16)
            break;
    }
    return h * exp(-x + a * log(x) - lgamma(a));
}

double nl_gamma_q(double a, double x)
{
    if (!(a > 0.0) || !(x >= 0.0) || isinf(a))
        return NAN;
    if (x == 0.0)
        return 1.0;
    if (isinf(x))
        return 0.0;
    if (x < a + 1.0)
        return 1.0 - gamma_p_series(a, x);
    return gamma_q_fraction(a, x);
}

gboolean nl_sample_chi_square(const guint64 *counts, const double *probs,
                              gsize n, double *statistic, double *p_value,
                              gsize *dof, GError **error)
{
    g_return_val_if_fail((counts != NULL && probs != NULL) || n == 0, FALSE);
    g_return_val_if_fail(statistic != NULL && p_value != NULL && dof != NULL,
                         FALSE);
    double total_p;
    if (!check_weights(probs, n, &total_p, error))
        return FALSE;
    double draws = 0.0;
    for (gsize i = 0; i < n; i++)
        draws += (double)counts[i];
    if (draws == 0.0)
        return input_error(error, "chi-square test of no draws");
    double x2 = 0.0;
    gsize cells = 0;
    for (gsize i = 0; i < n; i++) {
        if (probs[i] == 0.0) {
            if (counts[i] > 0)
                x2 = INFINITY; /* drawn although impossible */
            continue;
        }
        double expected = draws * probs[i] / total_p;
        double diff = (double)counts[i] - expected;
        x2 += diff * diff / expected;
        cells++;
    }
    *statistic = x2;
    *dof = cells - 1;
    *p_value = cells <= 1 ? (isinf(x2) ? 0.0 : 1.0)
                          : nl_gamma_q(0.5 * (double)(cells - 1), 0.5 * x2);
    return TRUE;
}

/* ---- the sampler ---- */

struct NlSampler {
    gsize n;
    double *prob;   /* normalized probabilities */
    double *cdf;    /* cumulative, exactly 1 from the last nonzero on */
    guint32 *guide; /* guide[j]: first i with cdf[i] > j / 2^guide_bits */
    int guide_bits; /* the guide has 2^guide_bits slices of [0, 1) */
};

void nl_sampler_free(NlSampler *s)
{
    if (!s)
        return;
    g_free(s->prob);
    g_free(s->cdf);
    g_free(s->guide);
    g_free(s);
}

NlSampler *nl_sampler_new(const double *weights, gsize n, GError **error)
{
    g_return_val_if_fail(weights != NULL || n == 0, NULL);
    double total;
    if (!check_weights(weights, n, &total, error))
        return NULL;
    if (n > G_MAXUINT32) {
        input_error(error,
                    "%" G_GSIZE_FORMAT " tokens: the sampler takes at "
                    "most 2^32 - 1",
                    n);
        return NULL;
    }
    /* About one slice per token, a power of two so that the slice of u is
     * its top bits; at least 2^3, at most 2^24 (64 MiB of guide). */
    int bits = 3;
    while (bits < 24 && ((gsize)1 << bits) < n)
        bits++;
    NlSampler *s = g_new0(NlSampler, 1);
    s->n = n;
    s->guide_bits = bits;
    s->prob = g_try_new(double, n);
    s->cdf = g_try_new(double, n);
    s->guide = g_try_new(guint32, (gsize)1 << bits);
    if (!s->prob || !s->cdf || !s->guide) {
        g_set_error(error, NL_SAMPLE_ERROR, NL_SAMPLE_ERROR_NOMEM,
                    "no memory for a sampler over %" G_GSIZE_FORMAT " tokens",
                    n);
        nl_sampler_free(s);
        return NULL;
    }
    double run = 0.0;
    gsize last = 0;
    for (gsize i = 0; i < n; i++) {
        s->prob[i] = weights[i] / total;
        run += weights[i];
        s->cdf[i] = run / total;
        if (weights[i] > 0.0)
            last = i;
    }
    for (gsize i = last; i < n; i++)
        s->cdf[i] = 1.0; /* u < 1 always finds a token, never a zero */
    gsize slices = (gsize)1 << bits, i = 0;
    for (gsize j = 0; j < slices; j++) {
        double start = ldexp((double)j, -bits); /* exact */
        while (s->cdf[i] <= start)
            i++;
        s->guide[j] = (guint32)i;
    }
    return s;
}

double nl_sampler_prob(const NlSampler *s, gsize i)
{
    g_return_val_if_fail(s != NULL && i < s->n, 0.0);
    return s->prob[i];
}

/* The search from the slice's guide entry: guide[j] <= answer because
 * cdf[i] > u >= j / 2^bits implies cdf[i] > the slice's start. */
static inline gsize search_from(const NlSampler *s, gsize j, double u)
{
    gsize i = s->guide[j];
    while (s->cdf[i] <= u)
        i++;
    return i;
}

gsize nl_sampler_inverse_cdf(const NlSampler *s, double u)
{
    g_return_val_if_fail(s != NULL, 0);
    g_return_val_if_fail(u >= 0.0 && u < 1.0, 0);
    return search_from(s, (gsize)ldexp(u, s->guide_bits), u);
}

/* The top 53 bits of one generator output: u = r 2^-53, and its slice is
 * its top guide_bits bits, r >> (53 - guide_bits). */
#define DRAW(s, r)                                                             \
    search_from((s), (r) >> (53 - (s)->guide_bits), (double)(r)*0x1p-53)

gsize nl_sampler_draw(const NlSampler *s, NlRng *rng)
{
    g_return_val_if_fail(s != NULL && rng != NULL, 0);
    guint64 r = nl_rng_next_u64(rng) >> 11;
    return DRAW(s, r);
}

void nl_sampler_draw_n(const NlSampler *s, NlRng *rng, guint32 *out, gsize n)
{
    g_return_if_fail(s != NULL && rng != NULL && (out != NULL || n == 0));
    for (gsize k = 0; k < n; k++) {
        guint64 r = nl_rng_next_u64(rng) >> 11;
        out[k] = (guint32)DRAW(s, r);
    }
}

void nl_sampler_count(const NlSampler *s, NlRng *rng, guint64 *counts, gsize n)
{
    g_return_if_fail(s != NULL && rng != NULL && counts != NULL);
    for (gsize k = 0; k < n; k++) {
        guint64 r = nl_rng_next_u64(rng) >> 11;
        counts[DRAW(s, r)]++;
    }
}
