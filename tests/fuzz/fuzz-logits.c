/* fuzz-logits.c — libFuzzer target for the temperature experiment's
 * logits-file reader (experiments/temperature/config.c): the input is the
 * content of the file given as `-p logits_file=FILE`.
 *
 * The experiment's own parameter table and configuration code are
 * compiled in (tests/fuzz/fuzz.mk), and every other parameter keeps its
 * default, as in `numlab run temperature -p logits_file=FILE`. It checks
 * that a refusal is one line, that an accepted file gives distinct
 * non-empty tokens with finite logits, and that the softmax the experiment
 * computes first (B1, at b1_temperature) is a probability distribution.
 * The figures themselves are not computed. */
#include "config.h"

#include "../../experiments/temperature/temperature.h"
#include "../../framework/lib/nl-private.h"
#include "fuzz-util.h"

#include <float.h>
#include <math.h>

static NlParams *params;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    const NlPlugin *plugin = numlab_plugin_entry();
    g_autofree char *file =
        g_strconcat("logits_file=", fuzz_file((const uint8_t *)"", 0), NULL);
    char *assignments[] = {file, NULL};
    g_autoptr(GError) error = NULL;
    params = nl_params_parse(plugin->experiment->params, plugin->name,
                             assignments, &error);
    FUZZ_CHECK(params != NULL, "%s", error->message);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file(data, size);
    TempConfig c;
    g_autoptr(GError) error = NULL;
    if (!temp_config_load(params, &c, &error)) {
        FUZZ_CHECK_ONE_LINE(error);
        return 0;
    }
    FUZZ_CHECK(error == NULL, "an error beside a result: %s", error->message);
    FUZZ_CHECK(c.n >= 1 && c.tokens[c.n] == NULL, "%" G_GSIZE_FORMAT " tokens",
               c.n);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (gsize i = 0; i < c.n; i++) {
        FUZZ_CHECK(c.tokens[i][0] != '\0' &&
                       !g_hash_table_contains(seen, c.tokens[i]),
                   "token %" G_GSIZE_FORMAT " '%s'", i, c.tokens[i]);
        g_hash_table_add(seen, c.tokens[i]);
        FUZZ_CHECK(isfinite(c.logits[i]) && isfinite(c.b4_logits[i]),
                   "logit %" G_GSIZE_FORMAT, i);
    }
    g_autofree double *probs = g_new(double, c.n);
    double t = nl_params_get_double(params, "b1_temperature");
    if (temp_softmax(&c, c.logits, t, probs, &error)) {
        double sum = 0.0;
        for (gsize i = 0; i < c.n; i++) {
            FUZZ_CHECK(probs[i] >= 0.0 && probs[i] <= 1.0,
                       "p[%" G_GSIZE_FORMAT "] = %g", i, probs[i]);
            sum += probs[i];
        }
        /* n roundings in the total, one in each quotient, n in this sum */
        FUZZ_CHECK(fabs(sum - 1.0) <= 3.0 * (double)c.n * DBL_EPSILON + 1e-15,
                   "the probabilities sum to %.17g", sum);
    } else {
        FUZZ_CHECK_ONE_LINE(error);
    }
    temp_config_clear(&c);
    return 0;
}
