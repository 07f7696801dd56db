/* error.c — nl_fail, nl_failv: set a one-line GError and return FALSE.
 *
 * A message quotes what the user gave ("'%s' is not an integer"), and that
 * may hold a newline or a terminal escape: every control character becomes
 * an escape (\n, \r, \t, \x1b), so the message stays one line whatever
 * it quotes. */
#include "config.h"

#include <numlab/error.h>

/* message with its control characters escaped; message itself (not a
 * copy) when it has none, the usual case. */
static char *one_line(char *message)
{
    const char *p = message;
    while (*p && !g_ascii_iscntrl(*p))
        p++;
    if (!*p)
        return message;
    GString *s = g_string_new_len(message, p - message);
    for (; *p; p++) {
        if (*p == '\n')
            g_string_append(s, "\\n");
        else if (*p == '\r')
            g_string_append(s, "\\r");
        else if (*p == '\t')
            g_string_append(s, "\\t");
        else if (g_ascii_iscntrl(*p))
            g_string_append_printf(s, "\\x%02x", (guchar)*p);
        else
            g_string_append_c(s, *p);
    }
    g_free(message);
    return g_string_free(s, FALSE);
}

gboolean nl_failv(GError **error, GQuark domain, gint code, const char *format,
                  va_list args)
{
    if (!error)
        return FALSE;
    GError *e = g_error_new_valist(domain, code, format, args);
    e->message = one_line(e->message);
    /* g_propagate_error, like g_set_error, warns of an error set twice */
    g_propagate_error(error, e);
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
