/* numlab/sample.h — turning logits into tokens: softmax with temperature
 * in double, greedy argmax, top-k and top-p (nucleus) filtering, seeded
 * inverse-CDF sampling, and the statistics that compare draws with
 * theory (entropy, total-variation distance, chi-square goodness of fit).
 *
 * Everything here is host code in double precision: the reference the
 * backends' float32 softmax is measured against, and the sampling rule a
 * language model applies after it. Every function that takes user data
 * validates it first — NaN, Inf, negative probabilities, an empty vector,
 * a temperature below 0 — and fails with one line in a GError
 * (NL_SAMPLE_ERROR) instead of returning index 0 or NaN probabilities.
 *
 * A NULL array (with n > 0), sampler or generator is a programming error,
 * not an input error: a g_critical, and the call returns FALSE, 0 or NULL.
 *
 * Ties are broken by token index everywhere: argmax returns the lowest
 * index among equal maxima, and top-k / top-p rank equal probabilities
 * by index, lower first. */
#ifndef NUMLAB_SAMPLE_H
#define NUMLAB_SAMPLE_H

#include <glib.h>
#include <numlab/rng.h>

G_BEGIN_DECLS

#define NL_SAMPLE_ERROR (nl_sample_error_quark())
GQuark nl_sample_error_quark(void);

typedef enum {
    NL_SAMPLE_ERROR_INPUT, /* NaN/Inf, negative, empty, out of range */
    NL_SAMPLE_ERROR_NOMEM, /* the vocabulary is too large for memory */
} NlSampleError;

/* ---- distributions ---- */

/* probs[i] = exp((logits[i] - max) / T) / sum, with the max subtracted so
 * that no exp() overflows. temperature == 0 is greedy decoding: a one-hot
 * vector at the argmax (explicitly, not as a limit). Fails for n == 0, a
 * NaN or infinite logit, and a temperature below 0, NaN or infinite. */
gboolean nl_sample_softmax(const double *logits, gsize n, double temperature,
                           double *probs, GError **error);

/* The index of the largest value, the lowest index among ties. Fails for
 * n == 0 and for a NaN or infinite value. */
gboolean nl_sample_argmax(const double *values, gsize n, gsize *index,
                          GError **error);

/* Keeps the k most probable tokens (ties: lower index first), sets the
 * rest to 0 and renormalizes into out (which may alias probs). Fails for
 * k == 0 or invalid probabilities (see nl_sampler_new); k >= n keeps all. */
gboolean nl_sample_top_k(const double *probs, gsize n, gsize k, double *out,
                         GError **error);

/* Nucleus sampling's filter: keeps the smallest set of most probable
 * tokens (ranked as in top-k) whose probability mass is at least p, and
 * renormalizes. p must lie in (0, 1]; p = 1 keeps every token of nonzero
 * probability. */
gboolean nl_sample_top_p(const double *probs, gsize n, double p, double *out,
                         GError **error);

/* ---- statistics ---- */

/* Shannon entropy -sum p log2 p in bits (0 log 0 = 0). */
double nl_sample_entropy_bits(const double *probs, gsize n);
/* Total-variation distance (1/2) sum |p - q|, in [0, 1]. */
double nl_sample_total_variation(const double *p, const double *q, gsize n);

/* Pearson's chi-square goodness-of-fit test of observed counts against
 * probs: statistic = sum (count - N p)^2 / (N p) over tokens with p > 0,
 * degrees of freedom = (tokens with p > 0) - 1, p-value = Q(dof/2,
 * statistic/2). A count where p == 0 gives an infinite statistic and a
 * p-value of 0; with one possible token the p-value is 1. Fails when the
 * counts sum to 0 or probs is invalid. The chi-square approximation is
 * poor when expected counts are below about 5. */
gboolean nl_sample_chi_square(const guint64 *counts, const double *probs,
                              gsize n, double *statistic, double *p_value,
                              gsize *dof, GError **error);

/* The regularized upper incomplete gamma function Q(a, x) =
 * Gamma(a, x) / Gamma(a) for a > 0, x >= 0 (series for x < a + 1,
 * continued fraction beyond); NaN for arguments outside that domain.
 * Relative accuracy about 1e-14 for small a, 1e-9 at a = 10^6 (the
 * prefactor e^(a log x - x - lgamma(a)) cancels in its exponent). */
double nl_gamma_q(double a, double x);

/* ---- the sampler ---- */

/* A prepared distribution: the cumulative table is built once, and each
 * draw takes one uniform u in [0, 1) with 53 random bits from the NlRng
 * and returns the inverse-CDF answer, the smallest i with u < cdf[i],
 * where cdf[i] = (w[0] + ... + w[i]) / (w[0] + ... + w[n-1]) summed in
 * double. cdf is set to exactly 1 from the last token of nonzero weight
 * on, so a token of zero weight is never drawn. A guide table (Chen and
 * Asau's method: for each of m = 2^k equal slices of [0, 1), the first
 * token whose cdf exceeds the slice's start) starts the search close to
 * the answer; the answer is the same as a plain search's. */
typedef struct NlSampler NlSampler;

/* weights: finite, >= 0, at least one > 0 (need not sum to 1); n up to
 * 2^32 - 1. */
NlSampler *nl_sampler_new(const double *weights, gsize n, GError **error);
void nl_sampler_free(NlSampler *sampler);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlSampler, nl_sampler_free)

/* The normalized probability of token i. */
double nl_sampler_prob(const NlSampler *sampler, gsize i);
/* The token for a given u in [0, 1): the inverse CDF itself. */
gsize nl_sampler_inverse_cdf(const NlSampler *sampler, double u);
/* One draw; consumes exactly one nl_rng_next_u64() of rng. */
gsize nl_sampler_draw(const NlSampler *sampler, NlRng *rng);
/* n draws into out, the same tokens as n calls of nl_sampler_draw. */
void nl_sampler_draw_n(const NlSampler *sampler, NlRng *rng, guint32 *out,
                       gsize n);
/* n draws added to counts[0..size) (not cleared first). */
void nl_sampler_count(const NlSampler *sampler, NlRng *rng, guint64 *counts,
                      gsize n);

G_END_DECLS

#endif /* NUMLAB_SAMPLE_H */
