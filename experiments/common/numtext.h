/* numtext.h — numbers, vectors and matrices written as parameter text
 * ("1,2,1,0", "1,0.5;0,1"), parsed and checked for the gradient-descent,
 * attention, temperature and logprob experiments. Every failure is one
 * line that names the parameter; the shape rules between two parameters
 * are the caller's. */
#ifndef NL_NUMTEXT_H
#define NL_NUMTEXT_H

#include <glib.h>

#define NT_ERROR (nt_error_quark())
GQuark nt_error_quark(void);

/* A dense row-major matrix; a vector is one row. */
typedef struct {
    double *v;   /* rows * cols */
    gsize rows, cols;
} NtMatrix;

/* One finite number: all of `text`, spaces around allowed. */
gboolean nt_parse_number(const char *text, double *out);
/* "a,b,c": finite numbers; `want` > 0 demands exactly that many entries,
 * and `why` (may be NULL) says where that count comes from. */
gboolean nt_parse_vector(const char *name, const char *text, gsize want,
                         const char *why, NtMatrix *out, GError **error);
/* "a,b;c,d": rows separated by ';', every row as long as the first. */
gboolean nt_parse_matrix(const char *name, const char *text, NtMatrix *out,
                         GError **error);
/* "a,b,c" of learning rates: each finite and > 0. */
gboolean nt_parse_rates(const char *name, const char *text, NtMatrix *out,
                        GError **error);
/* Comma-separated names, none empty, none twice. */
gboolean nt_parse_names(const char *name, const char *text, char ***out,
                        gsize *n, GError **error);
/* The index of `token` in names, or -1. */
gssize nt_find(char **names, gsize n, const char *token);
/* A learning rate: finite and > 0. */
gboolean nt_check_rate(const char *name, double lr, GError **error);
void nt_matrix_clear(NtMatrix *m);

/* Sets *error to a one-line message; returns FALSE. */
gboolean nt_fail(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

#endif /* NL_NUMTEXT_H */
