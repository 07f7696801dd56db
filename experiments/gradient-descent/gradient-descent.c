/* gradient-descent.c — the gradient-descent experiment's descriptor: the
 * lecture's learning examples computed (figures D1–D6).
 *
 * Every input is checked in run_common before anything is computed, so a
 * bad one is one line and no file. D1–D5 and the D6 host runs are double
 * (and float32) arithmetic on the host, in run_common; D6 trains the same
 * softmax regression with each backend's gemm in run_backend, and
 * run_compare sets the runs side by side. */
#include "config.h"

#include "gd.h"

static gboolean run_common(NlRun *run, GError **error)
{
    GdConfig c;
    if (!gd_config_load(nl_run_params(run), &c, error))
        return FALSE;
    gboolean ok = gd_d1(run, &c, error) && gd_d2(run, &c, error) &&
                  gd_d3(run, &c, error) && gd_d4(run, &c, error) &&
                  gd_d5(run, &c, error) && gd_d6_host(run, &c, error);
    gd_config_clear(&c);
    return ok;
}

static gboolean run_backend(NlRun *run, GError **error)
{
    GdConfig c;
    if (!gd_config_load(nl_run_params(run), &c, error))
        return FALSE;
    gboolean ok = gd_d6_backend(run, &c, error);
    gd_config_clear(&c);
    return ok;
}

static gboolean run_compare(NlRun *run, GError **error)
{
    GdConfig c;
    if (!gd_config_load(nl_run_params(run), &c, error))
        return FALSE;
    gboolean ok = gd_d6_compare(run, &c, error);
    gd_config_clear(&c);
    return ok;
}

/* > 0: min 0 excluded, no max */
#define POSITIVE NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE)

/* Measured on the naive backend (AMD EPYC, Zen 4; peak RSS from the
 * manifest's peak_bytes): D6 holds about 12 bytes a sample and input,
 * 8 a sample and class and 40 a sample (data, logits, gradients), and
 * 250 a step and weight of recorded history (six weight tables: float64,
 * float32, the two bfloat16 runs, and the compare phase's reads); D1-D5
 * 150 an iteration. D6's training takes 40 ns (the common phase: float64,
 * float32 and the two emulated bfloat16 runs) and 4 ns (a job) a step,
 * sample, input and class; D1-D5 take microseconds. */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    (void)error;
    double samples = (double)nl_params_get_int(p, "d6_samples");
    double dim = (double)nl_params_get_int(p, "d6_dim");
    double classes = (double)nl_params_get_int(p, "d6_classes");
    double steps = (double)nl_params_get_int(p, "d6_steps");
    gsize n2, n3;
    nl_params_get_double_list(p, "d2_lrs", &n2);
    nl_params_get_double_list(p, "d3_lrs", &n3);
    double iterations =
        (double)nl_params_get_int(p, "iterations") +
        (double)nl_params_get_int(p, "d2_iterations") * (double)n2 +
        (double)nl_params_get_int(p, "d3_iterations") * (double)n3 +
        (double)nl_params_get_int(p, "d5_steps");
    cost->bytes = samples * (12.0 * dim + 8.0 * classes + 40.0) +
                  250.0 * steps * dim * classes + 150.0 * iterations;
    double work = samples * steps * dim * classes;
    cost->common_seconds = 40e-9 * work + 1e-6 * iterations;
    cost->job_seconds = 4e-9 * work;
    return TRUE;
}

static const NlParamSpec params[] = {
    {"x", NL_PARAM_DOUBLE_LIST, "1,2,1,0", 0, 0,
     "D1-D3: the input x (D3 draws the loss over w11 and w22)", NULL,
     NL_PARAM_EXT(.min_items = 2)},
    {"w0", NL_PARAM_DOUBLE_LIST, "1,1,1,1", 0, 0,
     "D1-D3: the diagonal of W_Q at the start, one entry per entry of x", NULL},
    {"target", NL_PARAM_DOUBLE, "0.5", 0, 0, "D1-D3: the target z", NULL},
    {"lr", NL_PARAM_DOUBLE, "0.1", 0, INFINITY, "D1: the learning rate", NULL,
     POSITIVE},
    {"iterations", NL_PARAM_INT, "10", 1, 100000, "D1: updates", NULL},
    {"d2_lrs", NL_PARAM_DOUBLE_LIST, "0.02,0.1,0.3,0.4", 0, INFINITY,
     "D2: learning rates; the defaults are slow, good, overshooting, "
     "diverging for x = 1,2,1,0",
     NULL, POSITIVE},
    {"d2_iterations", NL_PARAM_INT, "20", 1, 100000, "D2: updates per rate",
     NULL},
    {"d3_lrs", NL_PARAM_DOUBLE_LIST, "0.1,0.35", 0, INFINITY,
     "D3: learning rates of the paths over (w11, w22)", NULL, POSITIVE},
    {"d3_iterations", NL_PARAM_INT, "12", 1, 100000, "D3: updates per path",
     NULL},
    {"d4_z", NL_PARAM_DOUBLE_LIST, "2.0,1.0,0.1", 0, 0,
     "D4 case 1: the logits z", NULL, NL_PARAM_EXT(.min_items = 2)},
    {"d4_x", NL_PARAM_DOUBLE_LIST, "1.5,0.5", 0, 0,
     "D4 case 1: the input x of W_out", NULL},
    {"d4_target", NL_PARAM_INT, "1", 1, 1000000,
     "D4 case 1: the target class, counted from 1 (1 = the first logit)", NULL},
    {"d4b_z", NL_PARAM_DOUBLE_LIST, "3.52,2.37,1.185,0.07", 0, 0,
     "D4 case 2: the logits z", NULL, NL_PARAM_EXT(.min_items = 2)},
    {"d4b_x", NL_PARAM_DOUBLE_LIST, "1.2,0.8,0.5", 0, 0,
     "D4 case 2: the input x of W_out", NULL},
    {"d4b_target", NL_PARAM_INT, "1", 1, 1000000,
     "D4 case 2: the target class, counted from 1", NULL},
    {"d4_lr", NL_PARAM_DOUBLE, "0.1", 0, INFINITY,
     "D4: the learning rate of the step -lr (p - y) x^T", NULL, POSITIVE},
    {"d5_x", NL_PARAM_DOUBLE, "2", 0, 0, "D5: the input x", NULL},
    {"d5_y", NL_PARAM_DOUBLE, "4", 0, 0, "D5: the target y", NULL},
    {"d5_w0", NL_PARAM_DOUBLE, "0.5", 0, 0, "D5: the weight at the start",
     NULL},
    {"d5_lr", NL_PARAM_DOUBLE, "0.1", 0, INFINITY, "D5: the learning rate",
     NULL, POSITIVE},
    {"d5_steps", NL_PARAM_INT, "25", 1, 100000, "D5: steps", NULL},
    {"d6_samples", NL_PARAM_INT, "300", 2, 1000000,
     "D6: samples of the synthetic data set", NULL, NULL},
    {"d6_dim", NL_PARAM_INT, "6", 1, 1024,
     "D6: dimensions of the data (a bias feature is added)", NULL, NULL},
    {"d6_classes", NL_PARAM_INT, "3", 2, 256, "D6: classes (clusters)", NULL,
     NULL},
    {"d6_steps", NL_PARAM_INT, "50", 0, 100000, "D6: full-batch steps", NULL},
    {"d6_lr", NL_PARAM_DOUBLE, "0.5", 0, INFINITY, "D6: the learning rate",
     NULL, POSITIVE},
    {"d6_spread", NL_PARAM_DOUBLE, "2", 0, 1000,
     "D6: the spread of the cluster centres (in units of the clusters' "
     "standard deviation)",
     NULL, NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "Gradient descent: the lecture's learning examples, computed",
    .description =
        "D1: gradient descent on the diagonal of W_Q (x = 1,2,1,0, target "
        "0.5, lr 0.1, W_Q = I, loss (zhat - z)^2 / 2): zhat, error and the "
        "weights per iteration. D2: the same at several learning rates, each "
        "classed by the error factor 1 - lr |x|^2 (slow, good, overshooting, "
        "diverging). D3: the loss over (w11, w22) as a grid, with the descent "
        "paths. D4: softmax + cross-entropy at W_out for two cases: p, p - y, "
        "the gradient (p - y) x^T, the loss, and the curve L = -log p; "
        "target classes count from 1 (class 1 = the first logit). D5: "
        "one-weight linear regression (x = 2, y = 4, w0 = 0.5, lr 0.1, 25 "
        "steps). D6: a softmax regression on seeded Gaussian clusters, "
        "trained in float64 and float32 on the host and in float32 with "
        "every backend's gemm; per step the largest weight difference and "
        "the loss difference.",
    .params = params,
    .run_common = run_common,
    .run_backend = run_backend,
    .run_compare = run_compare,
    .estimate = estimate,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT, .name = "gradient-descent",
                 .version = PACKAGE_VERSION,
                 .summary =
                     "D1-D6: gradient descent, learning rates, softmax + "
                     "cross-entropy, float32 vs float64 training",
                 .experiment = &ops, )
