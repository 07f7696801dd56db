/* plugin-log.c — a plugin's programming errors, caught while its phase
 * runs.
 *
 * The SDK reports a plugin's bugs with g_critical (g_return_if_fail, a
 * wrong parameter getter, a cell of the wrong type) and returns a dummy
 * value; a warning is no better. Printed and forgotten, such a message
 * would leave a run that says status=ok beside data that contradict its
 * parameters. So while a phase runs the engine keeps every critical and
 * warning instead, and fails the job with the first one.
 *
 * GLib sends every message, from g_log() and from structured logging
 * alike, through one writer function per process (g_log_set_writer_func,
 * which may be called only once): this file installs it on the first
 * phase. It is process-wide rather than per thread because a plugin may
 * log from OpenMP workers; the engine runs one phase at a time, so every
 * message between begin and end belongs to that phase. Outside a phase,
 * and for every other level, it writes as GLib's default writer does. A
 * level made fatal (G_DEBUG=fatal-criticals or fatal-warnings) is still
 * printed by that writer, and GLib then aborts as a developer expects. */
#include "config.h"

#include "engine.h"

#include <string.h>

#define NL_BUG_LEVELS (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)

static GMutex lock;
static gboolean capturing;          /* between begin and end */
static GLogLevelFlags fatal_levels; /* what GLib aborts on after writing */
static char *first;                 /* the first message, one line */
static guint count;                 /* messages kept since begin */

/* "DOMAIN: MESSAGE" of a log record, on one line. */
static char *message_line(const GLogField *fields, gsize n_fields)
{
    const char *domain = NULL;
    g_autofree char *message = NULL;
    for (gsize i = 0; i < n_fields; i++) {
        const GLogField *f = &fields[i];
        if (strcmp(f->key, "MESSAGE") == 0 && !message)
            message = f->length < 0 ? g_strdup(f->value)
                                    : g_strndup(f->value, f->length);
        else if (strcmp(f->key, "GLIB_DOMAIN") == 0 && f->length < 0)
            domain = f->value;
    }
    char *line =
        g_strdup_printf("%s%s%s", domain ? domain : "", domain ? ": " : "",
                        message ? message : "(no message)");
    g_strdelimit(line, "\r\n", ' ');
    return g_strchomp(line);
}

/* Keeps a critical or warning logged during a phase; FALSE outside a
 * phase. `*fatal`: GLib aborts after the writer returns. */
static gboolean keep(GLogLevelFlags level, const GLogField *fields,
                     gsize n_fields, gboolean *fatal)
{
    g_mutex_lock(&lock);
    gboolean kept = capturing;
    *fatal = (level & G_LOG_FLAG_FATAL) || (level & fatal_levels);
    if (kept) {
        if (!first)
            first = message_line(fields, n_fields);
        count++;
    }
    g_mutex_unlock(&lock);
    return kept;
}

static GLogWriterOutput write_log(GLogLevelFlags level, const GLogField *fields,
                                  gsize n_fields, gpointer data)
{
    gboolean fatal = FALSE;
    if ((level & NL_BUG_LEVELS) && keep(level, fields, n_fields, &fatal) &&
        !fatal)
        return G_LOG_WRITER_HANDLED; /* the job's failure will say it */
    return g_log_writer_default(level, fields, n_fields, data);
}

void nl_plugin_log_begin(void)
{
    static gsize installed;
    if (g_once_init_enter(&installed)) {
        g_log_set_writer_func(write_log, NULL, NULL);
        g_once_init_leave(&installed, 1);
    }
    /* Messages that come through g_log() reach the writer without their
     * fatal flag: read what G_DEBUG or the program made fatal (there is
     * no getter; GLib reads it the same way). */
    GLogLevelFlags always_fatal = g_log_set_always_fatal(G_LOG_FATAL_MASK);
    g_log_set_always_fatal(always_fatal);

    g_mutex_lock(&lock);
    g_clear_pointer(&first, g_free);
    count = 0;
    fatal_levels = always_fatal & NL_BUG_LEVELS;
    capturing = TRUE;
    g_mutex_unlock(&lock);
}

char *nl_plugin_log_end(void)
{
    g_mutex_lock(&lock);
    capturing = FALSE;
    char *line = count > 1 ? g_strdup_printf("%s (and %u more critical or "
                                             "warning messages)",
                                             first, count - 1)
                           : g_strdup(first);
    g_clear_pointer(&first, g_free);
    g_mutex_unlock(&lock);
    return line;
}
