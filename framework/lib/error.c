/* error.c — nl_fail, nl_failv: set a one-line GError and return FALSE. */
#include "config.h"

#include <numlab/error.h>

gboolean nl_failv(GError **error, GQuark domain, gint code, const char *format,
                  va_list args)
{
    /* g_propagate_error, like g_set_error, warns of an error set twice */
    if (error)
        g_propagate_error(error,
                          g_error_new_valist(domain, code, format, args));
    return FALSE;
}

gboolean nl_fail(GError **error, GQuark domain, gint code, const char *format,
                 ...)
{
    va_list args;
    va_start(args, format);
    nl_failv(error, domain, code, format, args);
    va_end(args);
    return FALSE;
}
