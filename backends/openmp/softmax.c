/* softmax.c — the OpenMP backend's softmax with temperature.
 *
 * The max of x / T is subtracted first, so every exp() is at most 1 and
 * nothing overflows; the normalizer is summed by par_sum_f32 in the
 * backend's mode, so in batch-invariant mode the probabilities do not
 * depend on the thread count either. */
#include "config.h"

#include "kernels.h"

#include <math.h>
#include <omp.h>

void par_softmax_f32(const float *x, float *y, gsize n, float temperature,
                     ParMode mode)
{
    if (n == 0)
        return;
    int t = n < PAR_PARALLEL_MIN ? 1 : mode.threads;
    float max = -INFINITY;
#pragma omp parallel for num_threads(t) reduction(max : max) schedule(static)
    for (gsize i = 0; i < n; i++)
        max = fmaxf(max, x[i] / temperature);
#pragma omp parallel for num_threads(t) schedule(static)
    for (gsize i = 0; i < n; i++)
        y[i] = expf(x[i] / temperature - max);
    float total = par_sum_f32(y, n, mode);
#pragma omp parallel for num_threads(t) schedule(static)
    for (gsize i = 0; i < n; i++)
        y[i] /= total;
}
