/* error.c — nl_fail: set a one-line GError and return FALSE. */
#include "config.h"

#include <numlab/error.h>

gboolean nl_fail(GError **error, GQuark domain, gint code, const char *format,
                 ...)
{
    if (!error)
        return FALSE;
    va_list ap;
    va_start(ap, format);
    g_autofree char *message = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_set_error_literal(error, domain, code, message);
    return FALSE;
}
