/* selfcheck-cases.h — the inputs of the backend self-check and what a
 * correct kernel must return for them (selfcheck-cases.c builds them,
 * selfcheck.c runs them). Host-internal. */
#ifndef NL_SELFCHECK_CASES_H
#define NL_SELFCHECK_CASES_H

#include "../lib/nl-private.h"

G_BEGIN_DECLS

/* Values written after every input (poison: a kernel that reads past its
 * operands gets a NaN) and around every output (sentinels: a kernel that
 * writes past its result is caught). */
#define NL_CHECK_PAD      64
#define NL_CHECK_NAN_BITS 0x7fcadbadu

typedef enum {
    WANT_NEAR, /* |got - exact| <= bound (bound 0: exactly) */
    WANT_NAN,  /* a NaN went in: a NaN must come out */
    WANT_BITS, /* these exact bits: a copy, or a sentinel left alone */
} WantKind;

typedef struct {
    WantKind kind;
    double exact;
    double bound;
    guint32 bits;
} Want;

typedef struct {
    NlKernel kernel;
    char *shape;   /* "n=16", "m=5 n=17 k=33 lda=36 ldb=22 ldc=19" */
    gsize n, m, k; /* gemv: m x n; gemm: (m x k) (k x n) */
    gsize lda, ldb, ldc;
    gsize tile;        /* tiled_sum */
    float temperature; /* softmax */
    gboolean in_place; /* softmax with y = x */
    float *x, *y;      /* operands: vector or A; vector or B */
    gsize x_len, y_len;
    Want *want;    /* out_len expectations, sentinels included */
    gsize out_len; /* 1 for a scalar result */
} CheckCase;

typedef struct {
    GPtrArray *cases;            /* CheckCase*, every kernel, in check order */
    gsize max_x, max_y, max_out; /* the largest of each, for the buffers */
    double seconds; /* what building them and their exact values cost */
} CheckCases;

/* The cases, built on first use and kept for the process: every backend
 * is checked against the same inputs and the same exact values. */
const CheckCases *nl_check_cases(void);

G_END_DECLS

#endif /* NL_SELFCHECK_CASES_H */
