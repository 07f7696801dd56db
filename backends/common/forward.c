/* forward.c — a backend module's hooks that call its companion's
 * (forward.h). */
#include "config.h"

#include "forward.h"

#include <stddef.h>
#include <string.h>

const NlBackendOps *forward_impl;
G_LOCK_DEFINE_STATIC(forward_lock);

/* Every hook a module may forward, by name. */
typedef struct {
    const char *name;
    size_t offset;
} Hook;

/* clang-format off */
#define HOOK(name) {#name, offsetof(NlBackendOps, name)}
static const Hook hooks[] = {
    HOOK(close),   HOOK(describe),   HOOK(alloc),        HOOK(free),
    HOOK(upload),  HOOK(download),   HOOK(sum),          HOOK(dot),
    HOOK(gemv),    HOOK(gemm),       HOOK(softmax),      HOOK(tiled_sum),
    HOOK(copy),    HOOK(substitute), HOOK(sum_in),       HOOK(dot_in),
    HOOK(gemv_in), HOOK(gemm_in),    HOOK(tiled_sum_in), HOOK(times),
};
#undef HOOK
/* clang-format on */

static gboolean has_hook(const NlBackendOps *ops, size_t offset)
{
    void (*hook)(void) = NULL;
    memcpy(&hook, (const char *)ops + offset, sizeof hook);
    return hook != NULL;
}

static gboolean load_locked(const NlBackendOps *module_ops, const char *file,
                            const char *symbol, GError **error)
{
    if (forward_impl)
        return TRUE;
    const NlBackendOps *impl = nl_companion_open(
        (gconstpointer)forward_load, file, symbol, PACKAGE_VERSION, error);
    if (!impl)
        return FALSE;
    if (impl->struct_size != sizeof(NlBackendOps) || !impl->open)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                       "%s: its table is not numlab %s's NlBackendOps; "
                       "rebuild or reinstall numlab",
                       file, PACKAGE_VERSION);
    for (guint i = 0; i < G_N_ELEMENTS(hooks); i++)
        if (has_hook(impl, hooks[i].offset) !=
            has_hook(module_ops, hooks[i].offset))
            return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                           "%s %s %s(), which the module %s: the two halves "
                           "of this backend disagree (a forwarder is "
                           "missing or left over)",
                           file,
                           has_hook(impl, hooks[i].offset) ? "has" : "lacks",
                           hooks[i].name,
                           has_hook(impl, hooks[i].offset) ? "does not forward"
                                                           : "forwards");
    forward_impl = impl;
    return TRUE;
}

gboolean forward_load(const NlBackendOps *module_ops, const char *file,
                      const char *symbol, GError **error)
{
    G_LOCK(forward_lock);
    gboolean ok = load_locked(module_ops, file, symbol, error);
    G_UNLOCK(forward_lock);
    return ok;
}

/* ---- the hooks: the companion's, with its state ---- */

void forward_close(gpointer self)
{
    forward_impl->close(self);
}

void forward_describe(gpointer self, NlBackendInfo *info)
{
    forward_impl->describe(self, info);
}

gboolean forward_alloc(gpointer self, NlBuffer *buf, GError **error)
{
    return forward_impl->alloc(self, buf, error);
}

void forward_free(gpointer self, NlBuffer *buf)
{
    forward_impl->free(self, buf);
}

gboolean forward_upload(gpointer self, NlBuffer *dst, const float *src, gsize n,
                        GError **error)
{
    return forward_impl->upload(self, dst, src, n, error);
}

gboolean forward_download(gpointer self, const NlBuffer *src, float *dst,
                          gsize n, GError **error)
{
    return forward_impl->download(self, src, dst, n, error);
}

gboolean forward_sum(gpointer self, const NlBuffer *x, gsize n, float *result,
                     GError **error)
{
    return forward_impl->sum(self, x, n, result, error);
}

gboolean forward_dot(gpointer self, const NlBuffer *x, const NlBuffer *y,
                     gsize n, float *result, GError **error)
{
    return forward_impl->dot(self, x, y, n, result, error);
}

gboolean forward_gemv(gpointer self, gsize m, gsize n, const NlBuffer *a,
                      gsize lda, const NlBuffer *x, NlBuffer *y, GError **error)
{
    return forward_impl->gemv(self, m, n, a, lda, x, y, error);
}

gboolean forward_gemm(gpointer self, gsize m, gsize n, gsize k,
                      const NlBuffer *a, gsize lda, const NlBuffer *b,
                      gsize ldb, NlBuffer *c, gsize ldc, GError **error)
{
    return forward_impl->gemm(self, m, n, k, a, lda, b, ldb, c, ldc, error);
}

gboolean forward_softmax(gpointer self, const NlBuffer *x, NlBuffer *y, gsize n,
                         float temperature, GError **error)
{
    return forward_impl->softmax(self, x, y, n, temperature, error);
}

gboolean forward_tiled_sum(gpointer self, const NlBuffer *x, gsize n,
                           gsize tile, float *result, GError **error)
{
    return forward_impl->tiled_sum(self, x, n, tile, result, error);
}

gboolean forward_copy(gpointer self, NlBuffer *dst, const NlBuffer *src,
                      gsize n, GError **error)
{
    return forward_impl->copy(self, dst, src, n, error);
}

const char *forward_substitute(gpointer self, const char *kernel)
{
    return forward_impl->substitute(self, kernel);
}

gboolean forward_sum_in(gpointer self, const NlBuffer *x, gsize n,
                        NlPrecision acc, double *result, GError **error)
{
    return forward_impl->sum_in(self, x, n, acc, result, error);
}

gboolean forward_dot_in(gpointer self, const NlBuffer *x, const NlBuffer *y,
                        gsize n, NlPrecision acc, double *result,
                        GError **error)
{
    return forward_impl->dot_in(self, x, y, n, acc, result, error);
}

gboolean forward_gemv_in(gpointer self, gsize m, gsize n, const NlBuffer *a,
                         gsize lda, const NlBuffer *x, NlBuffer *y,
                         NlPrecision acc, GError **error)
{
    return forward_impl->gemv_in(self, m, n, a, lda, x, y, acc, error);
}

gboolean forward_gemm_in(gpointer self, gsize m, gsize n, gsize k,
                         const NlBuffer *a, gsize lda, const NlBuffer *b,
                         gsize ldb, NlBuffer *c, gsize ldc, NlPrecision acc,
                         GError **error)
{
    return forward_impl->gemm_in(self, m, n, k, a, lda, b, ldb, c, ldc, acc,
                                 error);
}

gboolean forward_tiled_sum_in(gpointer self, const NlBuffer *x, gsize n,
                              gsize tile, NlPrecision acc, double *result,
                              GError **error)
{
    return forward_impl->tiled_sum_in(self, x, n, tile, acc, result, error);
}

void forward_times(gpointer self, NlBackendTimes *times)
{
    forward_impl->times(self, times);
}
