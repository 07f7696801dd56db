/* blas.h — what the OpenBLAS backend's two files share: its state, the
 * float32 sum every sum of it goes through (impl.c), and the hooks of the
 * other precisions (precision.c). Internal to the
 * companion library (impl.h). */
#ifndef NL_BLAS_H
#define NL_BLAS_H

#include <numlab/numlab.h>

#include <cblas.h>

/* OpenBLAS's bfloat16 kernels (bfloat16 in, float32 out), when the
 * library was built with them (BUILD_BFLOAT16): looked up at open, since
 * cblas.h declares them either way and Debian's 0.3.21 lacks them. */
typedef float (*BlasSbdot)(blasint n, const bfloat16 *x, blasint incx,
                           const bfloat16 *y, blasint incy);
typedef void (*BlasSbgemv)(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans,
                           blasint m, blasint n, float alpha, const bfloat16 *a,
                           blasint lda, const bfloat16 *x, blasint incx,
                           float beta, float *y, blasint incy);
typedef void (*BlasSbgemm)(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta,
                           enum CBLAS_TRANSPOSE tb, blasint m, blasint n,
                           blasint k, float alpha, const bfloat16 *a,
                           blasint lda, const bfloat16 *b, blasint ldb,
                           float beta, float *c, blasint ldc);

typedef struct {
    int threads;
    char *library;
    char *order;
    float *ones; /* ROW ones once substitute() replaced cblas_ssum, or NULL */
    BlasSbdot sbdot; /* NULL where this OpenBLAS lacks them */
    BlasSbgemv sbgemv;
    BlasSbgemm sbgemm;
    char *precisions[NL_N_PRECISIONS]; /* describe()'s lines */
    gpointer scratch[3]; /* precision.c: widened operands, result */
    gsize scratch_bytes[3];
} Blas;

/* OpenBLAS takes int sizes; the host has checked the rest. */
gboolean blas_fits_int(gsize n, const char *what, GError **error);
/* OpenBLAS's thread count is process-wide: set this backend's. */
void blas_use_threads(Blas *self);
/* Every float32 sum of the backend: cblas_ssum, or its substitute. */
gboolean blas_sum_f32(const Blas *self, const float *x, gsize n, float *result,
                      GError **error);

/* precision.c */
void blas_precisions_open(Blas *self);
void blas_precisions_close(Blas *self);
gboolean blas_sum_in(gpointer self, const NlBuffer *x, gsize n, NlPrecision acc,
                     double *result, GError **error);
gboolean blas_dot_in(gpointer self, const NlBuffer *x, const NlBuffer *y,
                     gsize n, NlPrecision acc, double *result, GError **error);
gboolean blas_gemv_in(gpointer self, gsize m, gsize n, const NlBuffer *a,
                      gsize lda, const NlBuffer *x, NlBuffer *y,
                      NlPrecision acc, GError **error);
gboolean blas_gemm_in(gpointer self, gsize m, gsize n, gsize k,
                      const NlBuffer *a, gsize lda, const NlBuffer *b,
                      gsize ldb, NlBuffer *c, gsize ldc, NlPrecision acc,
                      GError **error);
gboolean blas_tiled_sum_in(gpointer self, const NlBuffer *x, gsize n,
                           gsize tile, NlPrecision acc, double *result,
                           GError **error);

#endif /* NL_BLAS_H */
