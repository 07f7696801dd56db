/* forward.h — the hooks of a backend module whose kernels live in its
 * companion library (numlab/companion.h), as backends/blas and
 * backends/cuda are built: the module answers the plugin ABI (descriptor,
 * options, open()), and every other hook it lists calls the companion's
 * hook of the same name with the companion's own state.
 *
 * A module's open() calls forward_load() before it calls the companion's
 * open(); its ops table lists forward_HOOK for exactly the hooks the
 * companion sets, which forward_load() checks. Compiled into each such
 * module: each has its own companion. */
#ifndef NL_BACKENDS_FORWARD_H
#define NL_BACKENDS_FORWARD_H

#include <numlab/numlab.h>

/* The companion's table once forward_load() succeeded, else NULL. */
extern const NlBackendOps *forward_impl;

/* Loads the companion `file` of the module whose table is `module_ops`
 * (once; thread-safe) and checks that the module forwards exactly the
 * hooks the companion sets: a hook without its forwarder would make the
 * host take that kernel for missing. */
gboolean forward_load(const NlBackendOps *module_ops, const char *file,
                      const char *symbol, GError **error);

void forward_close(gpointer self);
void forward_describe(gpointer self, NlBackendInfo *info);
gboolean forward_alloc(gpointer self, NlBuffer *buf, GError **error);
void forward_free(gpointer self, NlBuffer *buf);
gboolean forward_upload(gpointer self, NlBuffer *dst, const float *src, gsize n,
                        GError **error);
gboolean forward_download(gpointer self, const NlBuffer *src, float *dst,
                          gsize n, GError **error);
gboolean forward_sum(gpointer self, const NlBuffer *x, gsize n, float *result,
                     GError **error);
gboolean forward_dot(gpointer self, const NlBuffer *x, const NlBuffer *y,
                     gsize n, float *result, GError **error);
gboolean forward_gemv(gpointer self, gsize m, gsize n, const NlBuffer *a,
                      gsize lda, const NlBuffer *x, NlBuffer *y,
                      GError **error);
gboolean forward_gemm(gpointer self, gsize m, gsize n, gsize k,
                      const NlBuffer *a, gsize lda, const NlBuffer *b,
                      gsize ldb, NlBuffer *c, gsize ldc, GError **error);
gboolean forward_softmax(gpointer self, const NlBuffer *x, NlBuffer *y, gsize n,
                         float temperature, GError **error);
gboolean forward_tiled_sum(gpointer self, const NlBuffer *x, gsize n,
                           gsize tile, float *result, GError **error);
gboolean forward_copy(gpointer self, NlBuffer *dst, const NlBuffer *src,
                      gsize n, GError **error);
const char *forward_substitute(gpointer self, const char *kernel);
gboolean forward_sum_in(gpointer self, const NlBuffer *x, gsize n,
                        NlPrecision acc, double *result, GError **error);
gboolean forward_dot_in(gpointer self, const NlBuffer *x, const NlBuffer *y,
                        gsize n, NlPrecision acc, double *result,
                        GError **error);
gboolean forward_gemv_in(gpointer self, gsize m, gsize n, const NlBuffer *a,
                         gsize lda, const NlBuffer *x, NlBuffer *y,
                         NlPrecision acc, GError **error);
gboolean forward_gemm_in(gpointer self, gsize m, gsize n, gsize k,
                         const NlBuffer *a, gsize lda, const NlBuffer *b,
                         gsize ldb, NlBuffer *c, gsize ldc, NlPrecision acc,
                         GError **error);
gboolean forward_tiled_sum_in(gpointer self, const NlBuffer *x, gsize n,
                              gsize tile, NlPrecision acc, double *result,
                              GError **error);
void forward_times(gpointer self, NlBackendTimes *times);

#endif /* NL_BACKENDS_FORWARD_H */
