/* test-sample.c — libnumlab's sampling (numlab/sample.h) against answers
 * worked out by hand: inverse-CDF tokens of small distributions with
 * dyadic probabilities, top-k/top-p sets, argmax ties, closed forms and
 * table values of the chi-square p-value, convergence of frequencies,
 * and the rejection of every kind of bad input with one line. */
#include "config.h"

#include <numlab/numlab.h>

#include <math.h>
#include <string.h>

static NlSampler *sampler(const double *w, gsize n)
{
    g_autoptr(GError) error = NULL;
    NlSampler *s = nl_sampler_new(w, n, &error);
    g_assert_no_error(error);
    return s;
}

static void test_inverse_cdf_by_hand(void)
{
    /* weights 1 2 1: cdf 0.25 0.75 1 */
    const double w[] = {1, 2, 1};
    g_autoptr(NlSampler) s = sampler(w, 3);
    g_assert_cmpfloat(nl_sampler_prob(s, 1), ==, 0.5);
    g_assert_cmpuint(nl_sampler_inverse_cdf(s, 0.0), ==, 0);
    g_assert_cmpuint(nl_sampler_inverse_cdf(s, 0.25 - 0x1p-53), ==, 0);
    g_assert_cmpuint(nl_sampler_inverse_cdf(s, 0.25), ==,
                     1); /* u < cdf, strict */
    g_assert_cmpuint(nl_sampler_inverse_cdf(s, 0.75 - 0x1p-53), ==, 1);
    g_assert_cmpuint(nl_sampler_inverse_cdf(s, 0.75), ==, 2);
    g_assert_cmpuint(nl_sampler_inverse_cdf(s, 1.0 - 0x1p-53), ==, 2);

    /* zeros are never drawn, not even at the ends: cdf 0 .5 .5 1 1 */
    const double z[] = {0, 1, 0, 1, 0};
    g_autoptr(NlSampler) sz = sampler(z, 5);
    g_assert_cmpuint(nl_sampler_inverse_cdf(sz, 0.0), ==, 1);
    g_assert_cmpuint(nl_sampler_inverse_cdf(sz, 0.5 - 0x1p-53), ==, 1);
    g_assert_cmpuint(nl_sampler_inverse_cdf(sz, 0.5), ==, 3);
    g_assert_cmpuint(nl_sampler_inverse_cdf(sz, 1.0 - 0x1p-53), ==, 3);

    /* one token */
    const double one[] = {0.3};
    g_autoptr(NlSampler) s1 = sampler(one, 1);
    g_assert_cmpuint(nl_sampler_inverse_cdf(s1, 0.999), ==, 0);
}

/* The guide table must not change any answer: a large skewed
 * distribution, every token's boundary and its neighbours, against a
 * plain scan of a cumulative sum computed here. */
static void test_guide_matches_scan(void)
{
    const gsize n = 50257;
    g_autofree double *w = g_new(double, n);
    g_autofree double *cdf = g_new(double, n);
    NlRng rng;
    nl_rng_init(&rng, 5);
    double total = 0;
    for (gsize i = 0; i < n; i++) {
        double u = nl_rng_uniform(&rng);
        w[i] = i % 7 == 3 ? 0.0 : u * u * u * u; /* skewed, with zeros */
        total += w[i];
    }
    double run = 0;
    for (gsize i = 0; i < n; i++) {
        run += w[i];
        cdf[i] = run / total;
    }
    g_autoptr(NlSampler) s = sampler(w, n);
    for (gsize i = 0; i + 1 < n; i += 13) {
        double us[] = {cdf[i], nextafter(cdf[i], 0), nextafter(cdf[i], 1)};
        for (guint k = 0; k < 3; k++) {
            double u = us[k];
            if (!(u < 1.0))
                continue;
            gsize want = 0;
            while (want < n - 1 && !(u < cdf[want]))
                want++;
            while (w[want] == 0.0) /* the last zeros: cdf clamped to 1 */
                want--;
            g_assert_cmpuint(nl_sampler_inverse_cdf(s, u), ==, want);
        }
    }
    /* draw() is the inverse CDF of the generator's top 53 bits */
    NlRng a, b;
    nl_rng_init(&a, 11);
    nl_rng_init(&b, 11);
    for (int k = 0; k < 10000; k++) {
        double u = (double)(nl_rng_next_u64(&b) >> 11) * 0x1p-53;
        g_assert_cmpuint(nl_sampler_draw(s, &a), ==,
                         nl_sampler_inverse_cdf(s, u));
    }
    /* draw_n gives the same tokens as single draws */
    guint32 out[1000];
    nl_rng_init(&a, 12);
    nl_rng_init(&b, 12);
    nl_sampler_draw_n(s, &a, out, 1000);
    for (int k = 0; k < 1000; k++)
        g_assert_cmpuint(out[k], ==, nl_sampler_draw(s, &b));
}

static void assert_probs(const double *got, const double *want, gsize n)
{
    for (gsize i = 0; i < n; i++)
        if (fabs(got[i] - want[i]) > 1e-15)
            g_error("p[%zu] = %.17g, want %.17g", i, got[i], want[i]);
}

static void test_top_k(void)
{
    const double p[] = {0.125, 0.5, 0.125, 0.25};
    double out[4];
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_sample_top_k(p, 4, 2, out, &error));
    assert_probs(out, (double[]){0, 2.0 / 3, 0, 1.0 / 3}, 4);
    /* k = 3: tokens 0 and 2 tie at 0.125; the lower index is kept */
    g_assert_true(nl_sample_top_k(p, 4, 3, out, &error));
    assert_probs(out, (double[]){0.125 / 0.875, 0.5 / 0.875, 0, 0.25 / 0.875},
                 4);
    g_assert_true(nl_sample_top_k(p, 4, 9, out, &error));
    assert_probs(out, p, 4);
    g_assert_true(nl_sample_top_k(p, 4, 1, out, &error));
    assert_probs(out, (double[]){0, 1, 0, 0}, 4);
    g_assert_false(nl_sample_top_k(p, 4, 0, out, &error));
    g_assert_error(error, NL_SAMPLE_ERROR, NL_SAMPLE_ERROR_INPUT);
}

static void test_top_p(void)
{
    const double p[] = {0.125, 0.5, 0.125, 0.25};
    double out[4];
    g_autoptr(GError) error = NULL;
    g_assert_true(
        nl_sample_top_p(p, 4, 0.5, out, &error)); /* 0.5 reaches 0.5 */
    assert_probs(out, (double[]){0, 1, 0, 0}, 4);
    g_assert_true(nl_sample_top_p(p, 4, 0.6, out, &error));
    assert_probs(out, (double[]){0, 2.0 / 3, 0, 1.0 / 3}, 4);
    g_assert_true(nl_sample_top_p(p, 4, 0.75, out, &error)); /* exactly */
    assert_probs(out, (double[]){0, 2.0 / 3, 0, 1.0 / 3}, 4);
    g_assert_true(nl_sample_top_p(p, 4, 0.8, out, &error)); /* tie: index 0 */
    assert_probs(out, (double[]){1.0 / 7, 4.0 / 7, 0, 2.0 / 7}, 4);
    g_assert_true(nl_sample_top_p(p, 4, 1.0, out, &error));
    assert_probs(out, p, 4);
    /* unnormalized weights: the mass is relative to the total */
    const double w[] = {1, 4, 1, 2};
    g_assert_true(nl_sample_top_p(w, 4, 0.6, out, &error));
    assert_probs(out, (double[]){0, 2.0 / 3, 0, 1.0 / 3}, 4);
    /* zeros stay out even at p = 1 */
    const double z[] = {0, 0.5, 0, 0.5};
    g_assert_true(nl_sample_top_p(z, 4, 1.0, out, &error));
    assert_probs(out, z, 4);
    const double bad_p[] = {0.0, -0.1, 1.0000001, NAN};
    for (guint i = 0; i < G_N_ELEMENTS(bad_p); i++) {
        g_assert_false(nl_sample_top_p(p, 4, bad_p[i], out, &error));
        g_assert_error(error, NL_SAMPLE_ERROR, NL_SAMPLE_ERROR_INPUT);
        g_clear_error(&error);
    }
}

static void test_greedy(void)
{
    const double x[] = {1, 3, 3, 2};
    gsize i = 99;
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_sample_argmax(x, 4, &i, &error));
    g_assert_cmpuint(i, ==, 1); /* first of the tie */
    double p[4];
    g_assert_true(nl_sample_softmax(x, 4, 0.0, p, &error));
    assert_probs(p, (double[]){0, 1, 0, 0}, 4);
    const double neg[] = {-5, -2, -2};
    g_assert_true(nl_sample_argmax(neg, 3, &i, &error));
    g_assert_cmpuint(i, ==, 1);
}

static void test_softmax_by_hand(void)
{
    /* exp of the logits are 1, 2, 3: probabilities 1/6, 2/6, 3/6 */
    const double x[] = {0, log(2), log(3)};
    double p[3];
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_sample_softmax(x, 3, 1.0, p, &error));
    assert_probs(p, (double[]){1.0 / 6, 2.0 / 6, 3.0 / 6}, 3);
    /* T = 2 halves the logits: e^0, e^(ln 4 / 2) = 2 */
    const double y[] = {0, 2 * log(4)};
    g_assert_true(nl_sample_softmax(y, 2, 4.0, p, &error));
    assert_probs(p, (double[]){1.0 / 3, 2.0 / 3}, 2);
    /* huge logits do not overflow: the max is subtracted */
    const double big[] = {1000, 1001};
    g_assert_true(nl_sample_softmax(big, 2, 1.0, p, &error));
    assert_probs(p, (double[]){1 / (1 + G_E), G_E / (1 + G_E)}, 2);
    /* entropy: uniform over 8 is 3 bits, one-hot 0 */
    const double u8[] = {.125, .125, .125, .125, .125, .125, .125, .125};
    g_assert_cmpfloat(nl_sample_entropy_bits(u8, 8), ==, 3.0);
    g_assert_cmpfloat(nl_sample_entropy_bits((double[]){0, 1}, 2), ==, 0.0);
    g_assert_cmpfloat(
        nl_sample_total_variation(u8, (double[]){1, 0, 0, 0, 0, 0, 0, 0}, 8),
        ==, 0.875);
}

static void assert_rel(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * fabs(want)))
        g_error("%.17g, want %.17g (relative tolerance %g)", got, want, tol);
}

static void test_gamma_q(void)
{
    /* closed forms: Q(1, y) = e^-y, Q(2, y) = e^-y (1 + y),
     * Q(1/2, y) = erfc(sqrt y) — both branches (y < a + 1 and beyond) */
    const double ys[] = {1e-3, 0.1, 0.7, 1.5, 2.9, 5, 20, 100, 600};
    for (guint i = 0; i < G_N_ELEMENTS(ys); i++) {
        double y = ys[i];
        assert_rel(nl_gamma_q(1, y), exp(-y), 1e-13);
        assert_rel(nl_gamma_q(2, y), exp(-y) * (1 + y), 1e-13);
        assert_rel(nl_gamma_q(0.5, y), erfc(sqrt(y)), 1e-12);
    }
    /* chi-square critical values from the tables: P(X > x) for dof k is
     * Q(k/2, x/2) */
    assert_rel(nl_gamma_q(0.5, 3.841458820694124 / 2), 0.05, 1e-12);
    assert_rel(nl_gamma_q(2.5, 11.070497693516351 / 2), 0.05, 1e-12);
    assert_rel(nl_gamma_q(5, 23.209251158954356 / 2), 0.01, 1e-12);
    assert_rel(nl_gamma_q(50, 124.34211340400407 / 2), 0.05, 1e-9);
    /* large a, where both expansions need thousands of terms (a chi-square
     * test over a vocabulary of 2a + 1 tokens): Q(a, a) = 1/2 -
     * 1/(3 sqrt(2 pi a)) + O(a^-3/2); beyond a + 1 (the other expansion)
     * Q(a, a + 2) = Q(a, a) - the density's integral over [a, a + 2]:
     * f(a + t) = f(a) (1 - t/a - t^2/(2a) + O(a^-2)) and f(a) = (1 -
     * 1/(12a)) / sqrt(2 pi a) give 2 (1 - 7/(4a)) / sqrt(2 pi a) */
    const double as[] = {1e4, 1e5, 1e6};
    for (guint i = 0; i < G_N_ELEMENTS(as); i++) {
        double a = as[i], f = 1.0 / sqrt(2.0 * G_PI * a);
        double q = 0.5 - f / 3.0;
        g_assert_cmpfloat(fabs(nl_gamma_q(a, a) - q), <, 1e-8);
        g_assert_cmpfloat(
            fabs(nl_gamma_q(a, a + 2) - (q - 2.0 * f * (1 - 1.75 / a))), <,
            1e-7);
    }
    g_assert_cmpfloat(nl_gamma_q(3, 0), ==, 1.0);
    g_assert_true(isnan(nl_gamma_q(0, 1)));
    g_assert_true(isnan(nl_gamma_q(1, -1)));
}

static void test_chi_square(void)
{
    g_autoptr(GError) error = NULL;
    double x2, pv;
    gsize dof;
    const double p[] = {1.0 / 6, 2.0 / 6, 3.0 / 6};
    const guint64 exact[] = {10, 20, 30};
    g_assert_true(nl_sample_chi_square(exact, p, 3, &x2, &pv, &dof, &error));
    g_assert_cmpfloat(fabs(x2), <, 1e-12);
    g_assert_cmpuint(dof, ==, 2);
    assert_rel(pv, 1.0, 1e-12);
    /* 30 : 10 against 1/2 : 1/2: (10^2 / 20) * 2 = 10, dof 1 */
    const double half[] = {0.5, 0.5};
    g_assert_true(nl_sample_chi_square((guint64[]){30, 10}, half, 2, &x2, &pv,
                                       &dof, &error));
    assert_rel(x2, 10.0, 1e-15);
    assert_rel(pv, erfc(sqrt(5.0)), 1e-12);
    /* a zero-probability cell: it does not count as a cell ... */
    const double pz[] = {0.5, 0, 0.5};
    g_assert_true(nl_sample_chi_square((guint64[]){5, 0, 5}, pz, 3, &x2, &pv,
                                       &dof, &error));
    g_assert_cmpuint(dof, ==, 1);
    /* ... and drawing it is impossible: p-value 0 */
    g_assert_true(nl_sample_chi_square((guint64[]){5, 1, 5}, pz, 3, &x2, &pv,
                                       &dof, &error));
    g_assert_true(isinf(x2));
    g_assert_cmpfloat(pv, ==, 0.0);
    g_assert_false(nl_sample_chi_square((guint64[]){0, 0}, half, 2, &x2, &pv,
                                        &dof, &error));
    g_assert_error(error, NL_SAMPLE_ERROR, NL_SAMPLE_ERROR_INPUT);
}

/* The lecture's distribution at T = 1: 10^6 seeded draws land close to
 * it (total variation ~ 1e-3 expected), and the chi-square test does not
 * reject it. */
static void test_frequencies_converge(void)
{
    const double logits[] = {2.4, 1.2, 0.3, 2.0, 0.1, -0.5};
    double p[6], freq[6];
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_sample_softmax(logits, 6, 1.0, p, &error));
    g_autoptr(NlSampler) s = sampler(p, 6);
    NlRng rng;
    nl_rng_init(&rng, 42);
    guint64 counts[6] = {0};
    const gsize n = 1000000;
    nl_sampler_count(s, &rng, counts, n);
    for (int i = 0; i < 6; i++)
        freq[i] = (double)counts[i] / n;
    g_assert_cmpfloat(nl_sample_total_variation(freq, p, 6), <, 0.005);
    double x2, pv;
    gsize dof;
    g_assert_true(nl_sample_chi_square(counts, p, 6, &x2, &pv, &dof, &error));
    g_assert_cmpuint(dof, ==, 5);
    g_assert_cmpfloat(pv, >, 1e-4);
    /* and a wrong theory is rejected: swap the two largest */
    double q[6];
    memcpy(q, p, sizeof q);
    q[0] = p[3];
    q[3] = p[0];
    g_assert_true(nl_sample_chi_square(counts, q, 6, &x2, &pv, &dof, &error));
    g_assert_cmpfloat(pv, <, 1e-100);
}

static void assert_one_line_error(GError *error)
{
    g_assert_nonnull(error);
    g_assert_true(error->domain == NL_SAMPLE_ERROR);
    g_assert_null(strchr(error->message, '\n'));
    g_assert_cmpuint(strlen(error->message), >, 10);
}

static void test_bad_input(void)
{
    double p[3];
    gsize i;
    const double nan_logits[] = {1, NAN, 2}, inf_logits[] = {1, INFINITY, 2},
                 ninf_logits[] = {-INFINITY, 1, 2}, ok[] = {1, 2, 3};
    const double *bad_logits[] = {nan_logits, inf_logits, ninf_logits};
    for (guint k = 0; k < G_N_ELEMENTS(bad_logits); k++) {
        GError *error = NULL;
        g_assert_false(nl_sample_softmax(bad_logits[k], 3, 1.0, p, &error));
        assert_one_line_error(error);
        g_clear_error(&error);
        g_assert_false(nl_sample_argmax(bad_logits[k], 3, &i, &error));
        assert_one_line_error(error);
        g_clear_error(&error);
    }
    const double bad_t[] = {-0.5, NAN, INFINITY, -INFINITY};
    for (guint k = 0; k < G_N_ELEMENTS(bad_t); k++) {
        GError *error = NULL;
        g_assert_false(nl_sample_softmax(ok, 3, bad_t[k], p, &error));
        assert_one_line_error(error);
        g_clear_error(&error);
    }
    GError *error = NULL;
    g_assert_false(nl_sample_softmax(ok, 0, 1.0, p, &error)); /* empty */
    assert_one_line_error(error);
    g_clear_error(&error);
    const double neg[] = {0.5, -0.1, 0.6}, zeros[] = {0, 0, 0},
                 nanp[] = {0.5, NAN, 0.5};
    const double *bad_w[] = {neg, zeros, nanp};
    for (guint k = 0; k < G_N_ELEMENTS(bad_w); k++) {
        g_assert_null(nl_sampler_new(bad_w[k], 3, &error));
        assert_one_line_error(error);
        g_clear_error(&error);
        g_assert_false(nl_sample_top_k(bad_w[k], 3, 1, p, &error));
        assert_one_line_error(error);
        g_clear_error(&error);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sample/inverse-cdf-by-hand", test_inverse_cdf_by_hand);
    g_test_add_func("/sample/guide-matches-scan", test_guide_matches_scan);
    g_test_add_func("/sample/top-k", test_top_k);
    g_test_add_func("/sample/top-p", test_top_p);
    g_test_add_func("/sample/greedy-ties", test_greedy);
    g_test_add_func("/sample/softmax-by-hand", test_softmax_by_hand);
    g_test_add_func("/sample/gamma-q", test_gamma_q);
    g_test_add_func("/sample/chi-square", test_chi_square);
    g_test_add_func("/sample/frequencies-converge", test_frequencies_converge);
    g_test_add_func("/sample/bad-input", test_bad_input);
    return g_test_run();
}
