/* gd.h — the parts of the gradient-descent experiment (lecture figures
 * D1–D6): the validated configuration every phase reads, and one function
 * per figure or group. D1–D5 are host arithmetic in double (run_common);
 * D6 trains a softmax regression on every backend (run_backend) and sets
 * the runs side by side (run_compare). */
#ifndef NL_GD_H
#define NL_GD_H

#include <numlab/numlab.h>

/* A vector parameter: n entries, owned by the run's NlParams. */
typedef struct {
    const double *v;
    gsize n;
} GdVector;

/* One D4 case: logits z, input x, the target class (0-based here; the
 * parameter is 1-based). */
typedef struct {
    GdVector z, x;
    gsize target;
} GdSoftmaxCase;

typedef struct {
    /* D1–D3: the diagonal of W_Q */
    GdVector x, w0; /* n entries each */
    double target, lr;
    gint64 iterations;
    GdVector d2_lrs; /* D2: one run per rate */
    gint64 d2_iterations;
    GdVector d3_lrs; /* D3: one path per rate over w11, w22 */
    gint64 d3_iterations;
    /* D4 */
    GdSoftmaxCase d4[2];
    double d4_lr;
    /* D5 */
    double d5_x, d5_y, d5_w0, d5_lr;
    gint64 d5_steps;
    /* D6 */
    gint64 d6_samples, d6_dim, d6_classes, d6_steps;
    double d6_lr, d6_spread;
} GdConfig;

/* Reads the parameters and checks the rules between them (the host has
 * checked each one); one line naming the parameters. */
gboolean gd_config_load(const NlParams *p, GdConfig *c, GError **error);
void gd_config_clear(GdConfig *c);
/* Sets *error to a one-line message; returns FALSE (numlab/error.h). */
#define gd_fail(error, ...)                                                    \
    nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT, __VA_ARGS__)

gboolean gd_d1(NlRun *run, const GdConfig *c, GError **error);
gboolean gd_d2(NlRun *run, const GdConfig *c, GError **error);
gboolean gd_d3(NlRun *run, const GdConfig *c, GError **error);
gboolean gd_d4(NlRun *run, const GdConfig *c, GError **error);
gboolean gd_d5(NlRun *run, const GdConfig *c, GError **error);
/* D6: the host runs (float64 reference, float32 naive loops) ... */
gboolean gd_d6_host(NlRun *run, const GdConfig *c, GError **error);
/* ... the same run with the backend's gemm ... */
gboolean gd_d6_backend(NlRun *run, const GdConfig *c, GError **error);
/* ... and every run against the reference and the first backend. */
gboolean gd_d6_compare(NlRun *run, const GdConfig *c, GError **error);

#endif /* NL_GD_H */
