/* fault-inject.c — an LD_PRELOAD library that kills numlab, or makes it
 * fail, at one chosen file-system call: the kill points and full disks of
 * tests/test-result-sets.sh, without root and without a real full disk.
 *
 *   NL_FAULT=CALL:N          the Nth call to CALL kills the process (SIGKILL)
 *   NL_FAULT=CALL:N:ENOSPC   the Nth call to CALL fails with ENOSPC, and so
 *                            does every later write (the disk stays full)
 *   NL_FAULT_COUNT=FILE      at exit, appends "CALL COUNT" per call to FILE
 *
 * CALL is one of open, write, fsync, mkdir, rename, renameat2, unlink,
 * rmdir. Only a process whose program is numlab is touched (not the shell
 * of libtool's wrapper script, nor gnuplot, nor a job's own process). The calls
 * counted are those made through the dynamic linker: numlab's own and GLib's,
 * not the ones stdio makes inside libc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { OPEN, WRITE, FSYNC, MKDIR, RENAME, RENAMEAT2, UNLINK, RMDIR, N_CALLS };
static const char *const call_names[N_CALLS] = {
    "open", "write", "fsync", "mkdir", "rename", "renameat2", "unlink", "rmdir",
};

static int active; /* this process is numlab */
static int fault_call = -1;
static long fault_at;   /* 1-based */
static int fault_errno; /* 0: kill */
static int disk_full;   /* after an ENOSPC fault on a write */
static long counts[N_CALLS];

/* A job's process, `numlab __job` (framework/host/isolate.c), and the
 * plugin scanner, `numlab __scan` (scan.c), write no file of the set:
 * what their crashes do is test-cli's to check. glibc passes a
 * constructor the program's arguments; a fixed-size read of
 * /proc/self/cmdline would miss them behind a long build path (distcheck). */
static int is_job(int argc, char **argv)
{
    return argc > 1 && strncmp(argv[1], "__", 2) == 0;
}

__attribute__((constructor)) static void setup(int argc, char **argv)
{
    const char *prog = program_invocation_short_name;
    active = (strcmp(prog, "numlab") == 0 || strcmp(prog, "lt-numlab") == 0) &&
             !is_job(argc, argv);
    const char *spec = getenv("NL_FAULT");
    if (!active || !spec)
        return;
    char name[32];
    char err[32] = "";
    if (sscanf(spec, "%31[a-z0-9]:%ld:%31s", name, &fault_at, err) < 2)
        return;
    for (int c = 0; c < N_CALLS; c++)
        if (strcmp(name, call_names[c]) == 0)
            fault_call = c;
    fault_errno = strcmp(err, "ENOSPC") == 0 ? ENOSPC : 0;
}

__attribute__((destructor)) static void report(void)
{
    const char *file = getenv("NL_FAULT_COUNT");
    if (!active || !file)
        return;
    FILE *f = fopen(file, "a");
    if (!f)
        return;
    for (int c = 0; c < N_CALLS; c++)
        fprintf(f, "%s %ld\n", call_names[c], counts[c]);
    fclose(f);
}

/* 0 to go on with the real call, -1 (errno set) to fail it. */
static int hit(int call)
{
    if (!active)
        return 0;
    long n = ++counts[call];
    if (disk_full && (call == WRITE || call == FSYNC)) {
        errno = ENOSPC;
        return -1;
    }
    if (call != fault_call || n != fault_at)
        return 0;
    if (!fault_errno)
        kill(getpid(), SIGKILL);
    disk_full = call == WRITE || call == FSYNC;
    errno = fault_errno;
    return -1;
}

#define REAL(ret, name, ...)                                                   \
    static ret (*real)(__VA_ARGS__);                                           \
    if (!real)                                                                 \
    real = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

static int open_common(const char *name, const char *path, int flags,
                       mode_t mode)
{
    if (hit(OPEN))
        return -1;
    REAL(int, name, const char *, int, ...);
    return real(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    return open_common("open", path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    return open_common("open64", path, flags, mode);
}

ssize_t write(int fd, const void *buf, size_t len)
{
    /* only files on the disk: not stdout and stderr, which are the
     * user's, nor the pipes to the jobs (a disk does not fill them) */
    struct stat st;
    if (fd > 2 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && hit(WRITE))
        return -1;
    REAL(ssize_t, "write", int, const void *, size_t);
    return real(fd, buf, len);
}

int fsync(int fd)
{
    if (hit(FSYNC))
        return -1;
    REAL(int, "fsync", int);
    return real(fd);
}

int mkdir(const char *path, mode_t mode)
{
    if (hit(MKDIR))
        return -1;
    REAL(int, "mkdir", const char *, mode_t);
    return real(path, mode);
}

int rename(const char *from, const char *to)
{
    if (hit(RENAME))
        return -1;
    REAL(int, "rename", const char *, const char *);
    return real(from, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to,
              unsigned flags)
{
    if (hit(RENAMEAT2))
        return -1;
    REAL(int, "renameat2", int, const char *, int, const char *, unsigned);
    return real(fromfd, from, tofd, to, flags);
}

int unlink(const char *path)
{
    if (hit(UNLINK))
        return -1;
    REAL(int, "unlink", const char *);
    return real(path);
}

int rmdir(const char *path)
{
    if (hit(RMDIR))
        return -1;
    REAL(int, "rmdir", const char *);
    return real(path);
}
