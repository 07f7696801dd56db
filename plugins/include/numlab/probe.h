/* numlab/probe.h — exact probes: a backend's sum, tiled_sum and dot run on
 * integer data whose every correct result is exact, at the experiment's
 * own sizes, to tell a wrong kernel from rounding where the error bound
 * cannot.
 *
 * Why. The error bound of numlab/bound.h, gamma(n-1) * sum |x_i|, is a
 * worst case: on standard-normal data it grows like n^2 (gamma(n-1) is
 * about n 2^-24, sum |x_i| about 0.8 n), while the error of a kernel that
 * drops a lane grows like sqrt(n). At A6's n = 10^6 (seed 42) the bound
 * is 50 517 while a sum with the lane bug of OpenBLAS 0.3.21's SkylakeX
 * cblas_ssum is off by 155: well inside it. The host's self-check
 * (doc/self-check.md) stops at n = 300 007, so a kernel wrong only for
 * larger n passes both. A probe closes that gap: the same kernel, at the
 * same n (and tile), on data where any error at all is a fault.
 *
 * The data. A probe of `length` values holds float32 integers with
 * random signs, drawn from numlab's NlRng with fixed seeds (one per block
 * of 4096 values; the same bits on every machine), such that
 * sum |x_i| <= 2^24 - 1:
 *   - length <= 2^24 - 1: every value nonzero, magnitudes 1 .. cap with
 *     cap = min(floor((2^24 - 1) / length), 1024);
 *   - longer: 2^24 - 1 positions spread evenly over the length are +-1,
 *     the rest 0.
 * The values are never all equal (a constant vector hides a dropped lane:
 * every lane holds the same sum). The dot probe adds y, random +-1.
 *
 * Why every correct order is exact. Any partial sum a kernel forms —
 * sequentially, in blocks, in any tree, across threads — is a sum of some
 * of the x_i (or of the products x_i y_i = +-x_i), so it is an integer of
 * magnitude at most sum |x_i| < 2^24. Every such integer is a float32
 * (24-bit significand), so every addition and every product is exact: no
 * rounding happens anywhere, with or without fused multiply-adds, in
 * float32 or in any wider format, and compensation terms (Kahan) are 0.
 * The same holds for every prefix x[0..n), n <= length, since its sum of
 * magnitudes is no larger. So a correct sum, tiled_sum (any tile) or
 * dot of any prefix returns exactly its integer sum, which numlab computes
 * in 64-bit integers, independently of any float code. A result that
 * differs by even 1 is no rounding: the kernel is wrong at that size.
 *
 * What it does not do. It checks sizes, not values: a kernel that rounds
 * in the wrong direction, accumulates in fewer bits than float32 but
 * still enough for these integers, or mishandles only some data (tiny,
 * huge, non-integer values) is exact here. The error bound checks
 * (nl_run_check_bound) stay for those; a probe adds to them. It does not
 * check gemv or gemm. */
#ifndef NUMLAB_PROBE_H
#define NUMLAB_PROBE_H

#include <glib.h>
#include <numlab/backend.h>
#include <numlab/experiment.h>

G_BEGIN_DECLS

/* The longest probe: beyond it the even spread of the +-1 values would
 * overflow its 64-bit arithmetic. */
#define NL_PROBE_MAX_LENGTH (G_GUINT64_CONSTANT(1) << 40)

typedef enum {
    NL_PROBE_SUM = 0,      /* x, for sum and tiled_sum */
    NL_PROBE_DOT = 1 << 0, /* x and y, for dot as well */
} NlProbeFlags;

typedef struct NlProbe NlProbe; /* a probe uploaded to one backend */

/* Values first .. first + count - 1 of a probe of `length` values, into x
 * and (if not NULL) the dot probe's y; either may be NULL. The whole probe
 * lives on a backend (nl_probe_new); this is for tests and checks on the
 * host, in windows so that long probes need little memory (a window
 * starts anywhere at the cost of at most 4095 generator steps). */
void nl_probe_values_f32(gsize length, gsize first, gsize count, float *x,
                         float *y);

/* The most memory a probe of `length` values takes, in bytes: its buffers
 * on the backend, its exact prefix sums on the host, and the staging array
 * while it is uploaded (for memory estimates before a run). */
double nl_probe_bytes(gsize length, NlProbeFlags flags);

/* Generates a probe of `length` values, uploads it once into buffers of
 * `backend` and computes the exact sum (and with NL_PROBE_DOT the exact
 * dot product) of every prefix. NULL with an error when it does not fit
 * (NL_ALLOC_ERROR, or the backend's buffer error) or length exceeds
 * NL_PROBE_MAX_LENGTH (NL_BACKEND_ERROR_ARGUMENT). */
NlProbe *nl_probe_new(NlBackend *backend, gsize length, NlProbeFlags flags,
                      GError **error);
void nl_probe_free(NlProbe *probe);
gsize nl_probe_length(const NlProbe *probe);
/* The exact sum of x[0..n) and dot product of x[0..n) with y[0..n),
 * n <= length; the dot only for a probe with NL_PROBE_DOT. */
gint64 nl_probe_exact_sum(const NlProbe *probe, gsize n);
gint64 nl_probe_exact_dot(const NlProbe *probe, gsize n);

/* Runs the backend's sum (tile 0) or tiled_sum (tile > 0) on the first n
 * values of the probe and sets *exact (may be NULL) to whether it returned
 * the exact sum. When it did not, reports a backend fault (nl_run_fault)
 * on one line, "CONTEXT: sum of N probe integers (exact in any order)
 * gives G, exact E, error bound 0: the backend's sum is wrong at this
 * size", so that the experiment marks its own result of the same kernel
 * at the same n and tile as a fault. Returns FALSE with an error only when
 * the probe could not run (the kernel failed or is unusable); a wrong
 * result is TRUE with *exact FALSE. `run` is the job whose backend holds
 * the probe; context (may be NULL) names the figure, e.g. "A6". */
gboolean nl_probe_check_sum(NlRun *run, const NlProbe *probe, gsize n,
                            gsize tile, const char *context, gboolean *exact,
                            GError **error);
/* The same for the backend's dot of x[0..n) and y[0..n); the probe needs
 * NL_PROBE_DOT. */
gboolean nl_probe_check_dot(NlRun *run, const NlProbe *probe, gsize n,
                            const char *context, gboolean *exact,
                            GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlProbe, nl_probe_free)

G_END_DECLS

#endif /* NUMLAB_PROBE_H */
