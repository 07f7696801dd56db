/* associativity.h — the parts of the associativity experiment, one file
 * per lecture figure (A1, A2, A3, A6). */
#ifndef NL_ASSOCIATIVITY_H
#define NL_ASSOCIATIVITY_H

#include <numlab/numlab.h>

/* What every job compares with: the exact sums (MPFR), error bounds and
 * the sequential sum of A2's and A6's values, the same for every backend.
 * run_common computes them once and keeps them as bytes
 * (nl_run_keep_bytes); each job reads them back (associativity.c). */
typedef struct {
    double a2_exact_f32; /* A2: the exact sum rounded to float32 */
    double a2_exact;     /* ... rounded to double */
    double a2_bound;     /* nl_sum_bound_f32 */
    double a2_sequential;
    double a6_exact_f32, a6_exact, a6_bound; /* A6, the same */
    /* A6 in each 16-bit type, by NlPrecision: the values rounded to it,
     * their exact sum (rounded to double) and the sum of their |x| */
    double a6_16_exact[NL_N_PRECISIONS], a6_16_abs[NL_N_PRECISIONS];
} AssocCommon;

/* A2 and A6 read their values from the job's x, the first
 * MAX(n, a6_n) values of the seeded normal stream: A2 the first n, A6 the
 * first a6_n. */

/* A1: the textbook cases and the float32 counter that stalls at 2^24. */
gboolean assoc_textbook(NlRun *run, GError **error);
/* A2: sequential vs blocked tree sums, on the job's backend. */
gboolean assoc_blocked(NlRun *run, const float *x, const AssocCommon *common,
                       GError **error);
/* A3: the same values in many random orders, plain and compensated. */
gboolean assoc_shuffles(NlRun *run, GError **error);
/* A6: one array summed by each backend; run_compare pairs them. */
gboolean assoc_backend_sum(NlRun *run, const float *x,
                           const AssocCommon *common, GError **error);
/* A6 in bfloat16 and float16: float32 and 16-bit accumulation. */
gboolean assoc_backend_sum_16(NlRun *run, const float *x,
                              const AssocCommon *common, GError **error);
/* run_common: A2's and A6's exact sums and bounds, from the same x. */
void assoc_common_values(const NlParams *params, const float *x,
                         AssocCommon *common);
gboolean assoc_compare_backends(NlRun *run, GError **error);

#endif /* NL_ASSOCIATIVITY_H */
