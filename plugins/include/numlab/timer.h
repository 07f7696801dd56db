/* numlab/timer.h — wall-clock timing for benchmarks (CLOCK_MONOTONIC). */
#ifndef NUMLAB_TIMER_H
#define NUMLAB_TIMER_H

#include <glib.h>

G_BEGIN_DECLS

/* Seconds since an arbitrary fixed point, nanosecond resolution. */
double nl_time_now(void);

G_END_DECLS

#endif /* NUMLAB_TIMER_H */
