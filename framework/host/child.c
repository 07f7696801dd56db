/* child.c — the short-lived helper processes that try something risky
 * before the runner does it itself: the module scanner (scan.c, `numlab
 * __scan`) and the backend trial (selfcheck-child.c, `numlab __check`).
 *
 * A helper is numlab itself, started by fork+exec with its stdout on a
 * pipe. Its stderr is the runner's, so what a plugin prints, and a
 * sanitizer's report, still reach the user. The runner reads what the
 * helper prints and kills it once it has printed nothing for the time
 * limit (NUMLAB_PROBE_TIMEOUT seconds, 60 by default): a module
 * constructor or self-check that never returns is reported as hung, and
 * the command goes on. */
#define _GNU_SOURCE /* sigabbrev_np */
#include "config.h"

#include "host.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_SECONDS 60.0

double nl_child_time_limit(void)
{
    const char *text = g_getenv("NUMLAB_PROBE_TIMEOUT");
    if (!text || !*text)
        return DEFAULT_SECONDS;
    char *end = NULL;
    double seconds = g_ascii_strtod(text, &end);
    /* a bad value must not disable the limit: the default instead */
    return *end == '\0' && seconds > 0.0 && seconds <= 86400.0
               ? seconds
               : DEFAULT_SECONDS;
}

/* Milliseconds left until `deadline` (monotonic µs), at least 0. */
static int ms_until(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();
    return left <= 0 ? 0 : (int)MIN(left / 1000 + 1, G_MAXINT);
}

gboolean nl_child_collect(const char *const *argv, NlChildEnd *end)
{
    memset(end, 0, sizeof *end);
    GPid pid;
    int out_fd = -1;
    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                  NULL, &out_fd, NULL, NULL))
        return FALSE;
    const gint64 limit = (gint64)(nl_child_time_limit() * G_USEC_PER_SEC);
    GString *out = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() + limit;
    for (;;) {
        struct pollfd p = {.fd = out_fd, .events = POLLIN};
        int ready = poll(&p, 1, ms_until(deadline));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0) { /* silent for the whole limit */
            end->hung = TRUE;
            kill(pid, SIGKILL);
            break;
        }
        char buf[4096];
        ssize_t n = read(out_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* end of file: it exited, or closed its stdout */
        g_string_append_len(out, buf, n);
        deadline = g_get_monotonic_time() + limit;
    }
    close(out_fd);
    while (waitpid(pid, &end->status, 0) < 0 && errno == EINTR)
        ;
    g_spawn_close_pid(pid);
    end->out = g_string_free(out, FALSE);
    return TRUE;
}

void nl_child_end_clear(NlChildEnd *end)
{
    g_clear_pointer(&end->out, g_free);
}

gboolean nl_child_ended_well(const NlChildEnd *end)
{
    return !end->hung && WIFEXITED(end->status) &&
           WEXITSTATUS(end->status) == 0;
}

char *nl_child_death(const NlChildEnd *end, const char *when)
{
    if (end->hung)
        return g_strdup_printf("hangs %s (no answer in %g s; killed)", when,
                               nl_child_time_limit());
    if (WIFSIGNALED(end->status)) {
        int sig = WTERMSIG(end->status);
        const char *abbrev = sigabbrev_np(sig);
        return g_strdup_printf("crashes %s (killed by SIG%s, %s)", when,
                               abbrev ? abbrev : "?", g_strsignal(sig));
    }
    return g_strdup_printf("ends the process %s (exit status %d)", when,
                           WEXITSTATUS(end->status));
}
