/* numlab/alloc.h — checked size arithmetic and allocation.
 *
 * A size that comes from the user can never overflow or abort numlab:
 * these return FALSE/NULL with a GError that names the size instead, and
 * nl_memory_check says before allocating when it will not fit. */
#ifndef NUMLAB_ALLOC_H
#define NUMLAB_ALLOC_H

#include <glib.h>

G_BEGIN_DECLS

#define NL_ALLOC_ERROR (nl_alloc_error_quark())
GQuark nl_alloc_error_quark(void);

typedef enum {
    NL_ALLOC_ERROR_OVERFLOW, /* the size does not fit in size_t */
    NL_ALLOC_ERROR_NOMEM,    /* the system refused the memory */
} NlAllocError;

/* *result = a * b; FALSE when it overflows (or, a programming error,
 * result is NULL). */
gboolean nl_size_mul(gsize a, gsize b, gsize *result);
gboolean nl_size_add(gsize a, gsize b, gsize *result);

/* 64-byte aligned memory for n values of elem_size bytes, zeroed; large
 * blocks are advised to use transparent huge pages. Free with nl_free. */
gpointer nl_alloc(gsize n, gsize elem_size, GError **error);
float *nl_alloc_f32(gsize n, GError **error);
double *nl_alloc_f64(gsize n, GError **error);
void nl_free(gpointer p);

/* The memory this process may still use, in bytes: the smaller of the
 * kernel's MemAvailable and the room under every memory cgroup limit
 * above it (v2 or v1), reclaimable file cache counted as free;
 * G_MAXUINT64 when none of it can be read. Not total RAM: a container's
 * limit, or a machine already half full, is what an allocation meets. */
guint64 nl_memory_available(void);
/* FALSE with a one-line NL_ALLOC_ERROR_NOMEM error, "WHAT need about
 * 6.2 GB, but only 3.1 GB is available here ...", when `bytes` (an
 * experiment's estimate of its peak use, from its parameters) exceed
 * nl_memory_available(). Check before allocating, so that a size too
 * large is one line instead of an OOM kill minutes later. */
gboolean nl_memory_check(double bytes, const char *what, GError **error);

G_END_DECLS

#endif /* NUMLAB_ALLOC_H */
