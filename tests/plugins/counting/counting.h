/* counting.h — the test hook of tests/plugins/counting.c: what was
 * uploaded to that backend. Shared by the plugin and tests/test-gpt.c. */
#ifndef NL_TEST_COUNTING_H
#define NL_TEST_COUNTING_H

#include <gmodule.h>

/* One nl_backend_upload: where the values came from, and how many. */
typedef struct {
    const float *src;
    gsize n;
} CountingUpload;

/* The uploads since the previous call, oldest first (a GArray of
 * CountingUpload the caller unrefs); the log starts again empty. */
typedef GArray *(*CountingTakeLog)(void);
G_MODULE_EXPORT GArray *counting_take_log(void);

#endif /* NL_TEST_COUNTING_H */
