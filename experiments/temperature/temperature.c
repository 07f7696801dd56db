/* temperature.c — the temperature experiment's descriptor: how softmax
 * with temperature turns logits into probabilities, and how decoding
 * (greedy, sampling, top-k, top-p, seeds) turns those into tokens
 * (lecture figures B1–B5).
 *
 * Every input is checked in run_common before anything is computed, so a
 * bad one is one line and no file. The softmax runs on every backend
 * (run_backend) beside the double reference; sampling is host code in
 * libnumlab (numlab/sample.h) and runs once, in run_common. */
#include "config.h"

#include "temperature.h"

static gboolean run_common(NlRun *run, GError **error)
{
    TempConfig c;
    if (!temp_config_load(nl_run_params(run), &c, error))
        return FALSE;
    gboolean ok = temp_b1(run, &c, error) && temp_b2(run, &c, error) &&
                  temp_b3(run, &c, error) && temp_b4(run, &c, error) &&
                  temp_b5(run, &c, error);
    temp_config_clear(&c);
    return ok;
}

static gboolean run_backend(NlRun *run, GError **error)
{
    TempConfig c;
    if (!temp_config_load(nl_run_params(run), &c, error))
        return FALSE;
    gboolean ok = temp_b1_backend(run, &c, error);
    temp_config_clear(&c);
    return ok;
}

static double list_length(const NlParams *p, const char *name)
{
    gsize n;
    nl_params_get_double_list(p, name, &n);
    return (double)n;
}

/* Measured on the naive backend (AMD EPYC, Zen 4; peak RSS from the
 * manifest's peak_bytes): 70 bytes a word and temperature of B1/B2/B4's
 * tables, 110 a run and token of B5's, and a logits file's text about 16
 * times over as words and logits. B3 takes 7 ns a draw, B5 0.8 us a
 * token, the tables 0.1 us a word and temperature. */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    double words = list_length(p, "logits"), file_bytes = 0.0;
    if (nl_params_is_set(p, "logits_file")) {
        gint64 size;
        if (!temp_check_file(nl_params_get_string(p, "logits_file"), &size,
                             error))
            return FALSE;
        file_bytes = (double)size;
        words = file_bytes / 8.0; /* "w 1.25\n": 8 bytes a line or more */
    }
    double temperatures =
        list_length(p, "temperature") + list_length(p, "b2_temperatures") +
        list_length(p, "b2_table") + list_length(p, "b4_temperatures");
    double tokens = (double)nl_params_get_int(p, "runs") *
                    (double)nl_params_get_int(p, "b5_tokens");
    gsize n_sizes;
    const gint64 *sizes = nl_params_get_int_list(p, "b3_sizes", &n_sizes);
    double draws = (double)nl_params_get_int(p, "draws");
    for (gsize i = 0; i < n_sizes; i++)
        draws += (double)sizes[i] * (double)nl_params_get_int(p, "b3_repeats");
    cost->result_bytes = 70.0 * words * temperatures + 110.0 * tokens;
    cost->bytes = cost->result_bytes + 16.0 * file_bytes;
    cost->common_seconds =
        7e-9 * draws + 8e-7 * tokens + 1e-7 * words * temperatures;
    cost->job_seconds = 1e-7 * words * list_length(p, "temperature");
    return TRUE;
}

/* A temperature list: a,b,c or start:stop:step, at most 100000 values. */
#define TEMPERATURES NL_PARAM_EXT(.flags = NL_PARAM_STEPS, .max_items = 100000)

static const NlParamSpec params[] = {
    {"vocabulary", NL_PARAM_STRING_LIST, "Paris,Berlin,Rom,Frankreich,.,<EOS>",
     0, 0, "the tokens", NULL},
    {"logits", NL_PARAM_DOUBLE_LIST, "2.4,1.2,0.3,2.0,0.1,-0.5", 0, 0,
     "one logit per token", NULL},
    {"logits_file", NL_PARAM_STRING, NULL, 0, 0,
     "a file of 'token logit' lines (# comments, blank lines allowed); "
     "replaces vocabulary and logits",
     NULL},
    {"temperature", NL_PARAM_DOUBLE_LIST, "0.05:5:0.05", 0, INFINITY,
     "B2 curves and the backend sweep: temperatures (0 = greedy)", NULL,
     TEMPERATURES},
    {"b1_temperature", NL_PARAM_DOUBLE, "1", 0, 1e6,
     "B1: the temperature of the bar chart and the backend comparison", NULL},
    {"b2_temperatures", NL_PARAM_DOUBLE_LIST, "0.5,1,2", 0, INFINITY,
     "B2: temperatures of the bars", NULL, TEMPERATURES},
    {"b2_table", NL_PARAM_DOUBLE_LIST, "0.5,1,1.5,2", 0, INFINITY,
     "B2: temperatures of the p_max/entropy table", NULL, TEMPERATURES},
    {"b3_temperature", NL_PARAM_DOUBLE, "1.2", 0, 1e6,
     "B3: the temperature of the draws", NULL, NULL},
    {"draws", NL_PARAM_INT, "3000", 1, 1e9,
     "B3: draws of the histogram (from the run's seed)", NULL, NULL},
    {"b3_sizes", NL_PARAM_INT_LIST,
     "10,20,50,100,200,500,1000,2000,3000,5000,10000,20000,50000,100000,"
     "200000,500000,1000000",
     1, 1e9, "B3: draw counts at which the distance from theory is recorded",
     NULL, NULL},
    {"b3_repeats", NL_PARAM_INT, "20", 1, 1000,
     "B3: independent streams for the distance curve", NULL, NULL},
    {"b4_changes", NL_PARAM_DOUBLE_MAP, "Paris=1.6,Frankreich=2.2,.=1.4", 0, 0,
     "B4: token=logit changes to the logits (empty: none)", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MAY_BE_EMPTY)},
    {"b4_true", NL_PARAM_STRING, "Paris", 0, 0,
     "B4: the true answer, marked in the figure (empty: none)", NULL},
    {"b4_temperatures", NL_PARAM_DOUBLE_LIST, "0.7,1,1.3", 0, INFINITY,
     "B4: temperatures", NULL, TEMPERATURES},
    {"b4_draws", NL_PARAM_INT, "12", 1, 100000,
     "B4: seeded draws at each temperature, shown one by one", NULL, NULL},
    {"b4_tally", NL_PARAM_INT, "10000", 1, 100000000,
     "B4: seeded draws at each temperature, counted", NULL, NULL},
    {"b5_temperature", NL_PARAM_DOUBLE, "0.8", 0, 1e6,
     "B5: the sampling temperature", NULL, NULL},
    {"runs", NL_PARAM_INT, "5", 1, 10000, "B5: runs k of each setting", NULL,
     NULL},
    {"b5_tokens", NL_PARAM_INT, "8", 1, 10000, "B5: tokens drawn in each run",
     NULL, NULL},
    {"top_k", NL_PARAM_INT, "2", 1, 1e9, "B5: k of top-k (at least 1)", NULL,
     NULL},
    {"top_p", NL_PARAM_DOUBLE, "0.9", 0, 1,
     "B5: p of top-p (nucleus; it must hold some probability mass)", NULL,
     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "Temperature and sampling: from logits to tokens",
    .description =
        "B1: softmax of the lecture's logits at T = 1, in double and on "
        "every backend in float32 (ulps from the double reference). B2: the "
        "same at T = 0.5, 1, 2; p_max and entropy at T = 0.5, 1, 1.5, 2 and "
        "over a sweep (T = 0 is greedy: the argmax, explicitly). B3: 3000 "
        "seeded draws at T = 1.2 against theory (chi-square p-value, "
        "total-variation distance), and the distance from 10 to 10^6 draws. "
        "B4: true vs probable - argmax and 12 draws at T = 0.7, 1, 1.3 when "
        "a wrong token is the most probable. B5: the determinism recipe - "
        "greedy, sampling with fresh and with fixed seeds, top-k and top-p, "
        "k runs each. Logits come from parameters or a file of 'token "
        "logit' lines; sampling is libnumlab's inverse-CDF sampler on the "
        "run's seed.",
    .params = params,
    .run_common = run_common,
    .estimate = estimate,
    .run_backend = run_backend,
    .run_compare = NULL,
};

NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_EXPERIMENT, .name = "temperature",
        .version = PACKAGE_VERSION,
        .summary =
            "B1-B5: softmax with temperature, sampling, top-k/top-p, seeds",
        .experiment = &ops, )
