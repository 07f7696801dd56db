/* associativity.h — the parts of the associativity experiment, one file
 * per lecture figure (A1, A2, A3, A6). */
#ifndef NL_ASSOCIATIVITY_H
#define NL_ASSOCIATIVITY_H

#include <numlab/numlab.h>

/* A1: the textbook cases and the float32 counter that stalls at 2^24. */
gboolean assoc_textbook(NlRun *run, GError **error);
/* A2: sequential vs blocked tree sums, on the job's backend. */
gboolean assoc_blocked(NlRun *run, GError **error);
/* A3: the same values in many random orders, plain and compensated. */
gboolean assoc_shuffles(NlRun *run, GError **error);
/* A6: one array summed by each backend; run_compare pairs them. */
gboolean assoc_backend_sum(NlRun *run, GError **error);
/* A6 in bfloat16 and float16: float32 and 16-bit accumulation. */
gboolean assoc_backend_sum_16(NlRun *run, GError **error);
gboolean assoc_compare_backends(NlRun *run, GError **error);

#endif /* NL_ASSOCIATIVITY_H */
