/* numlab/error.h — failing with a one-line GError in one statement.
 *
 *     if (n == 0)
 *         return nl_fail(error, MY_ERROR, MY_ERROR_INPUT, "'%s' is empty",
 * name);
 *
 * sets *error (when error is not NULL) and returns FALSE. Every message is
 * one line that names the problem (writing-plugins, section 10); a control
 * character in it, say a newline in the user's text it quotes, is written
 * as an escape (\n, \x1b). A file
 * whose failures share a domain wraps it in a macro of its own, e.g.
 * #define fail(error, ...) nl_fail(error, MY_ERROR, 0, __VA_ARGS__) */
#ifndef NUMLAB_ERROR_H
#define NUMLAB_ERROR_H

#include <glib.h>
#include <stdarg.h>

G_BEGIN_DECLS

gboolean nl_fail(GError **error, GQuark domain, gint code, const char *format,
                 ...) G_GNUC_PRINTF(4, 5);

/* nl_fail with a va_list, for a helper of one's own that puts context in
 * front of the message (g_prefix_error) after this has set it:
 *
 *     va_start(args, format);
 *     nl_failv(error, MY_ERROR, MY_ERROR_INPUT, format, args);
 *     va_end(args);
 *     g_prefix_error(error, "%s: line %u: ", path, line);
 *     return FALSE;
 *
 * A context that is a string literal needs no helper: the file's macro
 * puts it in front of the format, "checkpoint: " __VA_ARGS__. */
gboolean nl_failv(GError **error, GQuark domain, gint code, const char *format,
                  va_list args) G_GNUC_PRINTF(4, 0);

G_END_DECLS

#endif /* NUMLAB_ERROR_H */
