/* numlab/rng.h — the one random generator of numlab.
 *
 * xoshiro256** (Blackman & Vigna, 2018), its 256-bit state filled from the
 * 64-bit seed with splitmix64. Uniform doubles take the top 53 bits.
 * Normal deviates use Marsaglia's polar method with nl_log_portable(), a
 * logarithm built from IEEE basic operations only, so the stream is the
 * same bits on every platform and C library (no libm call is involved).
 * Not for cryptography. A NULL generator is a programming error (a
 * g_critical; the call returns 0). */
#ifndef NUMLAB_RNG_H
#define NUMLAB_RNG_H

#include <glib.h>

G_BEGIN_DECLS

/* The layout is public so that a generator can live on a plugin's stack
 * and be copied (the copy continues the same stream). Read and advance it
 * only through nl_rng_*: its size is fixed within an ABI, and a field
 * added later takes over reserved words, which nl_rng_init zeroes. */
typedef struct NlRng {
    guint64 s[4];
    double spare; /* the polar method makes normals in pairs */
    gboolean has_spare;
    guint64 reserved[4];
} NlRng;

void nl_rng_init(NlRng *rng, guint64 seed);
guint64 nl_rng_next_u64(NlRng *rng);
/* Uniform in [0, 1), 53 random bits. */
double nl_rng_uniform(NlRng *rng);
/* Uniform integer in [0, bound), bound > 0, without modulo bias. */
guint64 nl_rng_below(NlRng *rng, guint64 bound);
/* Standard normal, mean 0, variance 1. */
double nl_rng_normal(NlRng *rng);
/* Fills x[0..n) with standard-normal values rounded to float32. */
void nl_rng_fill_normal_f32(NlRng *rng, float *x, gsize n);
/* Fisher–Yates shuffle of x[0..n). */
void nl_rng_shuffle_f32(NlRng *rng, float *x, gsize n);
/* The first n standard-normal float32 values of the stream of `seed`, in
 * a new nl_alloc_f32 block (free with nl_free): the inputs an experiment
 * hands every backend. NULL with an NL_ALLOC_ERROR if they do not fit. */
float *nl_normal_values_f32(guint64 seed, gsize n, GError **error);

/* Natural logarithm of a positive finite x from +, -, *, / alone; within
 * 1 ulp of the true value. */
double nl_log_portable(double x);

G_END_DECLS

#endif /* NUMLAB_RNG_H */
