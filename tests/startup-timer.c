/* startup-timer.c — what starting one command costs, for
 * tests/bench-startup.sh: the command runs once to warm the page cache,
 * then RUNS times, each started with posix_spawn and reaped with wait4,
 * its output thrown away. Prints the median wall time from the spawn to
 * the reaping, in milliseconds, and the median of the child's peak
 * resident memory (wait4's ru_maxrss), in KiB:
 *
 *   startup-timer [-s STATUS] RUNS PROGRAM [ARGS...]
 *       ->   "WALL_MS MAXRSS_KIB"
 *
 * Each run must exit with STATUS (0 unless -s says otherwise: `numlab plot
 * EXP` where there are no results exits 1 after loading every plugin).
 * Nothing else is timed: no shell, no date(1), no /usr/bin/time. A shell
 * loop that took the time with `date +%s%N` around `/usr/bin/time` forked
 * three processes per run and measured 15 ms for /bin/true on the Zen 5 VM,
 * where starting /bin/true takes under 2 ms. Exit 1 if the command cannot
 * be started or exits otherwise, 2 on a bad command line. */
#define _DEFAULT_SOURCE /* wait4 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One run of argv: its wall seconds and peak RSS (KiB); 0, or -1 with a
 * message. */
static int run_once(char **argv, int expected_status, double *seconds,
                    long *maxrss_kib)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    double t0 = now_seconds();
    int err = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
        fprintf(stderr, "startup-timer: cannot start %s: %s\n", argv[0],
                strerror(err));
        return -1;
    }
    int status;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0)
        if (errno != EINTR) {
            perror("startup-timer: wait4");
            return -1;
        }
    *seconds = now_seconds() - t0;
    *maxrss_kib = usage.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != expected_status) {
        fprintf(stderr, "startup-timer: %s did not exit %d\n", argv[0],
                expected_status);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char *end = "";
    long expected = 0;
    if (argc >= 3 && strcmp(argv[1], "-s") == 0) {
        expected = strtol(argv[2], &end, 10);
        argc -= 2;
        argv += 2;
    }
    long runs = argc >= 3 && *end == '\0' ? strtol(argv[1], &end, 10) : 0;
    if (argc < 3 || *end != '\0' || runs < 1 || runs > 100000 || expected < 0 ||
        expected > 255) {
        fprintf(stderr,
                "usage: startup-timer [-s STATUS] RUNS PROGRAM [ARGS...]\n");
        return 2;
    }
    double seconds;
    long kib;
    if (run_once(argv + 2, (int)expected, &seconds, &kib) < 0) /* the warm-up */
        return 1;
    double *wall = malloc(sizeof *wall * (size_t)runs);
    double *rss = malloc(sizeof *rss * (size_t)runs);
    if (!wall || !rss) {
        fprintf(stderr, "startup-timer: out of memory\n");
        return 1;
    }
    for (long i = 0; i < runs; i++) {
        if (run_once(argv + 2, (int)expected, &seconds, &kib) < 0)
            return 1;
        wall[i] = seconds * 1e3;
        rss[i] = (double)kib;
    }
    printf("%.2f %.0f\n", median(wall, (int)runs), median(rss, (int)runs));
    free(wall);
    free(rss);
    return 0;
}
