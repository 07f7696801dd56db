/* temperature.h — the parts of the temperature experiment (lecture figures
 * B1–B5): the validated configuration every phase reads, and one function
 * per figure. */
#ifndef NL_TEMPERATURE_H
#define NL_TEMPERATURE_H

#include <numlab/numlab.h>

#define TEMP_ERROR (temp_error_quark())
GQuark temp_error_quark(void);

/* A list of temperatures: "1", "0.5,1,2" or "start:stop:step", owned by
 * the run's NlParams. */
typedef struct {
    const double *t;
    gsize n;
} TempList;

/* Everything the parameters say, checked: the vocabulary and its logits
 * (from `vocabulary` and `logits`, or from `logits_file`), the B4 logits,
 * the temperature lists. */
typedef struct {
    gsize n;            /* tokens */
    char **tokens;      /* n names, NULL-terminated */
    double *logits;     /* n */
    double *b4_logits;  /* n: logits with `b4_changes` applied */
    gssize b4_true;     /* index of `b4_true`, -1 if empty */
    const char *source; /* "parameters" or the file name */
    TempList sweep;     /* `temperature` */
    TempList b2_bars, b2_table, b4_temps;
} TempConfig;

/* Reads the parameters (the host has checked each one), the logits file,
 * and checks what must fit together; one line naming the parameter (or
 * FILE:LINE) on failure. */
gboolean temp_config_load(const NlParams *p, TempConfig *c, GError **error);
/* FALSE with the one-line error of numlab's size limit when a logits file
 * is no regular file or too large; its size in *size (may be NULL). */
gboolean temp_check_file(const char *path, gint64 *size, GError **error);
void temp_config_clear(TempConfig *c);

/* probs = softmax(logits / T) in double; T = 0 is greedy. */
gboolean temp_softmax(const TempConfig *c, const double *logits, double t,
                      double *probs, GError **error);

/* B1: the softmax at one temperature (common) and on each backend. */
gboolean temp_b1(NlRun *run, const TempConfig *c, GError **error);
gboolean temp_b1_backend(NlRun *run, const TempConfig *c, GError **error);
/* B2: bars at a few temperatures, the p_max/entropy table and sweep. */
gboolean temp_b2(NlRun *run, const TempConfig *c, GError **error);
/* B3: draws against theory; the distance as draws grow. */
gboolean temp_b3(NlRun *run, const TempConfig *c, GError **error);
/* B4: true vs probable — argmax and a few draws at three temperatures. */
gboolean temp_b4(NlRun *run, const TempConfig *c, GError **error);
/* B5: the determinism recipe, runs side by side. */
gboolean temp_b5(NlRun *run, const TempConfig *c, GError **error);

#endif /* NL_TEMPERATURE_H */
