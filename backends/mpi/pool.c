/* pool.c — the mpi backend's ranks, started and watched from numlab's
 * process (pool.h).
 *
 * numlab listens on a TCP port, runs `mpiexec -n N numlab-mpi-worker
 * ADDRESS TOKEN CHUNK` in a process group of its own, and waits until
 * every rank has connected and sent its hello with the token. From then
 * on a call writes its request to every rank and waits for rank 0's
 * reply, watching at the same time every other rank's socket (a rank
 * that dies closes it) and mpiexec's output (which ends when mpiexec
 * does). So a dead rank fails the call in one line instead of leaving
 * numlab waiting in a collective, which a process inside MPI could not
 * avoid. When numlab goes away, every rank reads the end of its socket
 * and finishes. mpiexec's output is read by numlab, never shown: what it
 * says when a start fails or a rank dies becomes the error's text. */
#define _GNU_SOURCE /* accept4, pipe2, environ */
#include "config.h"

#include "pool.h"

#include <numlab/numlab.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct NlmPool {
    int ranks;
    int *sock; /* per rank, -1 before its hello */
    int listen_fd;
    int output;      /* mpiexec's stdout and stderr; -1 at its end */
    pid_t pid;       /* mpiexec, leader of its process group; 0 once reaped */
    GString *said;   /* everything mpiexec printed */
    NlmHello hello;  /* rank 0's */
    char *broken;    /* why the pool is gone, once it is */
    uint32_t posted; /* the last request posted since the last reply, or 0 */
    char *session;   /* mpiexec's own session folder base, or NULL */
    pid_t owner;     /* the process that started it */
};

/* ---- mpiexec's output ---- */

/* Reads what mpiexec printed so far; FALSE at its end. */
static gboolean drain(NlmPool *p)
{
    char buf[4096];
    while (p->output >= 0) {
        ssize_t got = read(p->output, buf, sizeof buf);
        if (got > 0) {
            if (p->said->len < 65536)
                g_string_append_len(p->said, buf, got);
            continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            return TRUE;
        close(p->output);
        p->output = -1;
    }
    return FALSE;
}

/* What mpiexec said, as one line: its messages are paragraphs in boxes
 * of dashes. The one that names a rank ("mpiexec noticed that process
 * rank 1 ... exited on signal 9") is the cause; otherwise the first. */
static char *mpiexec_reason(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GString) para = g_string_new(NULL);
    char *first = NULL;
    for (char **l = lines;; l++) {
        char *line = *l ? g_strstrip(*l) : NULL;
        gboolean rule = line && *line && strspn(line, "-=*") == strlen(line);
        if (line && *line && !rule) {
            if (!strstr(para->str, line)) /* each rank may say the same */
                g_string_append_printf(para, "%s%s", para->len ? " " : "",
                                       line);
            continue;
        }
        if (para->len) {
            while (para->len && strchr(":.", para->str[para->len - 1]))
                g_string_truncate(para, para->len - 1);
            if (strstr(para->str, " rank ")) {
                g_free(first);
                return g_strdup(para->str);
            }
            if (!first)
                first = g_strdup(para->str);
            g_string_truncate(para, 0);
        }
        if (!line)
            return first;
    }
}

/* Waits up to `seconds` for mpiexec to end, then kills its group. */
static void reap(NlmPool *p, double seconds)
{
    if (p->pid <= 0)
        return;
    double until = nl_time_now() + seconds;
    int status;
    while (waitpid(p->pid, &status, WNOHANG) == 0) {
        if (nl_time_now() > until) {
            kill(-p->pid, SIGKILL);
            waitpid(p->pid, &status, 0);
            break;
        }
        if (p->output >= 0) {
            struct pollfd pfd = {.fd = p->output, .events = POLLIN};
            poll(&pfd, 1, 20);
            drain(p);
        } else {
            g_usleep(10000);
        }
    }
    p->pid = 0;
    drain(p);
}

/* Marks the pool gone with `what` and mpiexec's reason; the error. */
static gboolean fail_pool(NlmPool *p, const char *what, GError **error)
{
    if (!p->broken) {
        reap(p, 5.0); /* let mpiexec say which rank and why */
        g_autofree char *why = mpiexec_reason(p->said->str);
        p->broken = why ? g_strdup_printf("%s: %s", what, why)
                        : g_strdup_printf("%s (mpiexec said nothing)", what);
    }
    return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED, "mpi: %s",
                   p->broken);
}

/* ---- starting ---- */

static int listen_on(gboolean everywhere, char **address)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(everywhere ? INADDR_ANY : INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (everywhere) {
        char host[256];
        if (gethostname(host, sizeof host) != 0)
            g_strlcpy(host, "localhost", sizeof host);
        host[sizeof host - 1] = '\0';
        *address = g_strdup_printf("%s:%u", host, ntohs(sa.sin_port));
    } else {
        *address = g_strdup_printf("127.0.0.1:%u", ntohs(sa.sin_port));
    }
    return fd;
}

/* A variable that an enclosing mpirun set for the process it started:
 * passed on, it would make our mpiexec believe it is that process. */
static gboolean launcher_variable(const char *entry)
{
    static const char *const mca[] = {"OMPI_MCA_orte_",
                                      "OMPI_MCA_ess",
                                      "OMPI_MCA_pmix",
                                      "OMPI_MCA_initial_wdir",
                                      "OMPI_MCA_shmem_RUNTIME_QUERY_hint",
                                      "OMPI_MCA_mpi_oversubscribe"};
    if (g_str_has_prefix(entry, "PMIX_"))
        return TRUE;
    if (!g_str_has_prefix(entry, "OMPI_") ||
        g_str_has_prefix(entry, "OMPI_ALLOW_RUN_AS_ROOT"))
        return FALSE;
    if (!g_str_has_prefix(entry, "OMPI_MCA_"))
        return TRUE;
    for (guint i = 0; i < G_N_ELEMENTS(mca); i++)
        if (g_str_has_prefix(entry, mca[i]))
            return TRUE;
    return FALSE;
}

static char **child_environment(const NlmPoolConfig *c)
{
    gboolean enclosed =
        g_getenv("PMIX_RANK") || g_getenv("OMPI_COMM_WORLD_SIZE");
    GPtrArray *env = g_ptr_array_new();
    for (char **e = environ; *e; e++)
        if ((!enclosed || !launcher_variable(*e)) &&
            !(c->library_dir && g_str_has_prefix(*e, "LD_LIBRARY_PATH=")))
            g_ptr_array_add(env, g_strdup(*e));
    if (c->library_dir) {
        const char *old = g_getenv("LD_LIBRARY_PATH");
        g_ptr_array_add(
            env, g_strdup_printf("LD_LIBRARY_PATH=%s%s%s", c->library_dir,
                                 old && *old ? ":" : "", old ? old : ""));
    }
    /* Open MPI refuses root unless told; numlab's ranks are its own
     * processes, run as the user who runs numlab (containers, CI) */
    if (geteuid() == 0) {
        g_ptr_array_add(env, g_strdup("OMPI_ALLOW_RUN_AS_ROOT=1"));
        g_ptr_array_add(env, g_strdup("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"));
    }
    g_ptr_array_add(env, NULL);
    return (char **)g_ptr_array_free(env, FALSE);
}

static char **mpiexec_argv(const NlmPoolConfig *c, const char *session,
                           const char *address, const char *token)
{
    GPtrArray *a = g_ptr_array_new();
#define ARG(s) g_ptr_array_add(a, g_strdup(s))
    ARG(c->mpiexec);
    ARG("-n");
    g_ptr_array_add(a, g_strdup_printf("%d", c->ranks));
    if (c->oversubscribe)
        ARG("--oversubscribe");
    if (c->hostfile) {
        ARG("--hostfile");
        ARG(c->hostfile);
        if (c->library_dir) { /* a build tree on a shared folder */
            ARG("-x");
            ARG("LD_LIBRARY_PATH");
        }
    } else {
        /* one host: shared memory, without probing network libraries
         * (UCX, libfabric), which costs a quarter of a second a start */
        ARG("--mca");
        ARG("pml");
        ARG("ob1");
        ARG("--mca");
        ARG("btl");
        ARG("self,vader");
    }
    if (session) { /* see session_folder() */
        ARG("--mca");
        ARG("orte_tmpdir_base");
        ARG(session);
    }
    /* the ranks share the cores with numlab and each other */
    ARG("--bind-to");
    ARG("none");
    /* so a rank that waits in a collective yields its core instead of
     * spinning on it: Open MPI yields by itself only where it counts more
     * ranks than cores, but numlab's own process needs a core too. On
     * two cores it takes the trial's self-check at 2 ranks from 2.3 s to
     * 1.0 s; with yielding off, 4 and 8 ranks take 41 and 114 s instead
     * of 1.6 and 2.0 (doc/performance-history.md). The user's setting wins. */
    if (!c->hostfile && !g_getenv("OMPI_MCA_mpi_yield_when_idle")) {
        ARG("--mca");
        ARG("mpi_yield_when_idle");
        ARG("1");
    }
    if (c->algorithm > 0) {
        ARG("--mca");
        ARG("coll_tuned_use_dynamic_rules");
        ARG("1");
        ARG("--mca");
        ARG("coll_tuned_allreduce_algorithm");
        g_ptr_array_add(a, g_strdup_printf("%d", c->algorithm));
    }
    ARG(c->worker);
    ARG(address);
    ARG(token);
    g_ptr_array_add(a, g_strdup_printf("%" G_GSIZE_FORMAT, c->chunk));
#undef ARG
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

/* ---- mpiexec's session folder ---- */

/* mpiexec keeps a session folder while its ranks run: its contact file,
 * PMIx's store and the ranks' shared-memory segments, 8 MB at 2 ranks.
 * Open MPI puts them in TMPDIR/ompi.HOST.UID/pid.N/ and removes them when
 * mpiexec ends normally, but not when it is ended by a signal: as numlab
 * leaves (SIGTERM, PR_SET_PDEATHSIG in spawn()) with a pool still open,
 * say a test that exits without closing its backends, or when numlab
 * kills it. After the test runs of a few days a machine here had 3,612
 * of them, 29 GB of /tmp, and every mpiexec that starts looks at each:
 * it took 0.2-0.3 s longer a start. So each pool gives its mpiexec a
 * folder of its own, TMPDIR/numlab-mpi-PID-XXXXXX (PID: this process),
 * and removes it once mpiexec has ended, however it ended; pools left
 * open are stopped when the process exits (stop_open_pools). Folders of
 * processes that died without either, killed, are removed by the next
 * pool that starts (sweep_session_folders). Only where the ranks run on
 * this host (no hostfile), with Open MPI 4's variable, and never against
 * the user's own OMPI_MCA_orte_tmpdir_base. */

#define SESSION_PREFIX "numlab-mpi-"

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0; /* go on: remove what can be removed */
}

static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes the session folders of numlab processes that no longer exist:
 * this user's, named with a PID that kill(PID, 0) says is gone, and
 * untouched for an hour (a folder is written when its mpiexec starts; the
 * hour keeps a folder of a process in another PID namespace that shares
 * this TMPDIR, whose PID means nothing here, from going while it is
 * new). */
static void sweep_session_folders(void)
{
    const char *tmp = g_get_tmp_dir();
    g_autoptr(GDir) d = g_dir_open(tmp, 0, NULL);
    gint64 hour_ago = g_get_real_time() / G_USEC_PER_SEC - 3600;
    for (const char *n; d && (n = g_dir_read_name(d));) {
        if (!g_str_has_prefix(n, SESSION_PREFIX))
            continue;
        char *end = NULL;
        gint64 pid = g_ascii_strtoll(n + strlen(SESSION_PREFIX), &end, 10);
        if (pid <= 0 || pid > G_MAXINT || !end || *end != '-' ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        g_autofree char *path = g_build_filename(tmp, n, NULL);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
            st.st_uid == geteuid() && st.st_mtime < hour_ago)
            remove_tree(path);
    }
}

static char *session_folder(const NlmPoolConfig *c)
{
    if (c->hostfile || g_getenv("OMPI_MCA_orte_tmpdir_base"))
        return NULL;
    sweep_session_folders();
    g_autofree char *name =
        g_strdup_printf(SESSION_PREFIX "%d-XXXXXX", (int)getpid());
    return g_dir_make_tmp(name, NULL);
}

/* The pools of this process that are not stopped yet. */
static GList *open_pools;
G_LOCK_DEFINE_STATIC(open_pools);

/* At exit, with the process's own pools only: a forked child that calls
 * exit() must not end its parent's ranks. */
static void stop_open_pools(void)
{
    G_LOCK(open_pools);
    GList *pools = open_pools;
    open_pools = NULL;
    G_UNLOCK(open_pools);
    for (GList *l = pools; l; l = l->next) {
        NlmPool *p = l->data;
        if (p->owner == getpid())
            nlm_pool_stop(p);
    }
    g_list_free(pools);
}

static void remember_pool(NlmPool *p)
{
    static gsize registered;
    if (g_once_init_enter(&registered)) {
        atexit(stop_open_pools);
        g_once_init_leave(&registered, 1);
    }
    G_LOCK(open_pools);
    open_pools = g_list_prepend(open_pools, p);
    G_UNLOCK(open_pools);
}

static void forget_pool(NlmPool *p)
{
    G_LOCK(open_pools);
    open_pools = g_list_remove(open_pools, p);
    G_UNLOCK(open_pools);
}

/* fork + exec of mpiexec; between the two only async-signal-safe calls. */
static gboolean spawn(NlmPool *p, char **argv, char **envp, GError **error)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                       "mpi: pipe: %s", g_strerror(errno));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    close(out[1]);
    if (pid < 0) {
        close(out[0]);
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                       "mpi: fork: %s", g_strerror(errno));
    }
    setpgid(pid, pid); /* either side may win the race; both set it */
    p->pid = pid;
    p->output = out[0];
    fcntl(p->output, F_SETFL, O_NONBLOCK);
    return TRUE;
}

static gboolean read_exactly(int fd, void *buf, gsize len)
{
    char *b = buf;
    while (len) {
        ssize_t got = read(fd, b, len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return FALSE;
        b += got;
        len -= (gsize)got;
    }
    return TRUE;
}

/* One rank's connection: its hello, checked, and its place. */
static gboolean take_hello(NlmPool *p, int fd, const char *token)
{
    NlmHello h;
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (!read_exactly(fd, &h, sizeof h) || h.magic != NLM_MAGIC ||
        memcmp(h.token, token, NLM_TOKEN_LEN) != 0 || h.rank < 0 ||
        h.rank >= p->ranks || h.size != p->ranks || p->sock[h.rank] >= 0)
        return FALSE; /* not one of ours */
    struct timeval none = {0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    p->sock[h.rank] = fd;
    if (h.rank == 0)
        p->hello = h;
    return TRUE;
}

static double start_timeout(void)
{
    const char *s = g_getenv("NUMLAB_MPI_START_TIMEOUT");
    double t = s ? g_ascii_strtod(s, NULL) : 0.0;
    return t > 0.0 ? t : 60.0;
}

/* Accepts until every rank has said hello, mpiexec ends, or time is up. */
static gboolean gather_ranks(NlmPool *p, const char *token, GError **error)
{
    double until = nl_time_now() + start_timeout();
    int missing = p->ranks;
    while (missing > 0) {
        struct pollfd pfd[2] = {{.fd = p->listen_fd, .events = POLLIN},
                                {.fd = p->output, .events = POLLIN}};
        int left_ms = (int)((until - nl_time_now()) * 1000.0);
        if (left_ms <= 0) {
            kill(-p->pid, SIGKILL);
            reap(p, 1.0);
            return nl_fail(error, NL_BACKEND_ERROR,
                           NL_BACKEND_ERROR_UNAVAILABLE,
                           "mpi: %d of %d ranks did not start within %.0f s "
                           "(NUMLAB_MPI_START_TIMEOUT)",
                           missing, p->ranks, start_timeout());
        }
        poll(pfd, p->output >= 0 ? 2 : 1, MIN(left_ms, 200));
        if (pfd[1].revents && !drain(p)) { /* mpiexec has ended */
            reap(p, 1.0);
            g_autofree char *why = mpiexec_reason(p->said->str);
            return nl_fail(error, NL_BACKEND_ERROR,
                           NL_BACKEND_ERROR_UNAVAILABLE,
                           "mpi: Open MPI could not start %d ranks: %s",
                           p->ranks, why ? why : "mpiexec ended silently");
        }
        if (pfd[0].revents & POLLIN) {
            int fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0 && take_hello(p, fd, token))
                missing--;
            else if (fd >= 0)
                close(fd);
        }
    }
    return TRUE;
}

NlmPool *nlm_pool_start(const NlmPoolConfig *c, GError **error)
{
    NlmPool *p = g_new0(NlmPool, 1);
    p->ranks = c->ranks;
    p->sock = g_new(int, c->ranks);
    for (int r = 0; r < c->ranks; r++)
        p->sock[r] = -1;
    p->output = -1;
    p->said = g_string_new(NULL);
    g_autofree char *address = NULL;
    p->listen_fd = listen_on(c->hostfile != NULL, &address);
    if (p->listen_fd < 0) {
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE,
                "mpi: cannot listen for the ranks: %s", g_strerror(errno));
        nlm_pool_stop(p);
        return NULL;
    }
    char token[NLM_TOKEN_LEN + 1];
    for (int i = 0; i < NLM_TOKEN_LEN; i++)
        token[i] = "0123456789abcdef"[g_random_int_range(0, 16)];
    token[NLM_TOKEN_LEN] = '\0';
    p->owner = getpid();
    remember_pool(p);
    p->session = session_folder(c);
    g_auto(GStrv) argv = mpiexec_argv(c, p->session, address, token);
    g_auto(GStrv) envp = child_environment(c);
    if (!spawn(p, argv, envp, error) || !gather_ranks(p, token, error)) {
        nlm_pool_stop(p);
        return NULL;
    }
    close(p->listen_fd);
    p->listen_fd = -1;
    return p;
}

const NlmHello *nlm_pool_hello(const NlmPool *p)
{
    return &p->hello;
}

/* ---- calls ---- */

static gboolean send_all(int fd, const void *buf, gsize len, int flags)
{
    const char *b = buf;
    while (len) {
        ssize_t put = send(fd, b, len, MSG_NOSIGNAL | flags);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return FALSE;
        b += put;
        len -= (gsize)put;
    }
    return TRUE;
}

static const char *request_name(uint32_t op)
{
    static const char *const names[] = {[NLM_QUIT] = "quit",
                                        [NLM_ALLOC] = "alloc",
                                        [NLM_FREE] = "free",
                                        [NLM_UPLOAD] = "upload",
                                        [NLM_DOWNLOAD] = "download",
                                        [NLM_SUM] = "sum",
                                        [NLM_DOT] = "dot",
                                        [NLM_GEMV] = "gemv",
                                        [NLM_GEMM] = "gemm",
                                        [NLM_SOFTMAX] = "softmax",
                                        [NLM_TILED_SUM] = "tiled_sum",
                                        [NLM_COPY] = "copy",
                                        [NLM_SUM_IN] = "sum_in",
                                        [NLM_DOT_IN] = "dot_in",
                                        [NLM_GEMV_IN] = "gemv_in",
                                        [NLM_GEMM_IN] = "gemm_in",
                                        [NLM_TILED_SUM_IN] = "tiled_sum_in"};
    return op < G_N_ELEMENTS(names) && names[op] ? names[op] : "a request";
}

/* Waits until rank 0's socket has data, failing when any rank's socket
 * ends or mpiexec does. */
static gboolean await_rank0(NlmPool *p, uint32_t op, GError **error)
{
    struct pollfd *pfd = g_new(struct pollfd, p->ranks + 1);
    gboolean ready = FALSE;
    while (!ready) {
        for (int r = 0; r < p->ranks; r++)
            pfd[r] = (struct pollfd){.fd = p->sock[r], .events = POLLIN};
        pfd[p->ranks] = (struct pollfd){.fd = p->output, .events = POLLIN};
        if (poll(pfd, p->ranks + 1, -1) < 0 && errno != EINTR)
            break;
        if (pfd[p->ranks].revents && !drain(p))
            break; /* mpiexec has ended */
        int gone = -1;
        for (int r = 1; r < p->ranks && gone < 0; r++)
            if (pfd[r].revents)
                gone = r;
        if (gone >= 0)
            break;
        ready = (pfd[0].revents & POLLIN) != 0;
        if (pfd[0].revents & ~POLLIN)
            break;
    }
    g_free(pfd);
    if (ready)
        return TRUE;
    g_autofree char *what =
        p->posted ? g_strdup_printf("a rank of %d died during %s (or the "
                                    "%s before it)",
                                    p->ranks, request_name(op),
                                    request_name(p->posted))
                  : g_strdup_printf("a rank of %d died during %s", p->ranks,
                                    request_name(op));
    return fail_pool(p, what, error);
}

/* The request to every rank, then its data to every rank when it is
 * small, else to rank 0 (protocol.h). With MSG_MORE (a posted request)
 * the kernel holds it until the next request that is waited for, so the
 * ranks wake once for a kernel call and its buffers. */
static gboolean send_request(NlmPool *p, const NlmRequest *q, const void *data,
                             gsize data_len, int flags, GError **error)
{
    if (p->broken)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                       "mpi: %s", p->broken);
    gboolean sent = TRUE;
    for (int r = 0; r < p->ranks && sent; r++) {
        gboolean gets_data =
            data_len && (r == 0 || data_len <= NLM_SMALL_BYTES);
        sent = send_all(p->sock[r], q, sizeof *q, gets_data ? MSG_MORE : flags);
        if (sent && gets_data)
            sent = send_all(p->sock[r], data, data_len, flags);
    }
    if (sent)
        return TRUE;
    g_autofree char *what = g_strdup_printf("a rank of %d is gone before %s",
                                            p->ranks, request_name(q->op));
    return fail_pool(p, what, error);
}

gboolean nlm_pool_post(NlmPool *p, const NlmRequest *q, const void *data,
                       gsize data_len, GError **error)
{
    if (!send_request(p, q, data, data_len, MSG_MORE, error))
        return FALSE;
    p->posted = q->op;
    return TRUE;
}

gboolean nlm_pool_call(NlmPool *p, const NlmRequest *q, const void *data,
                       gsize data_len, NlmReply *reply, void *out,
                       gsize out_len, GError **error)
{
    if (!send_request(p, q, data, data_len, 0, error) ||
        !await_rank0(p, q->op, error))
        return FALSE;
    p->posted = 0;
    g_autofree char *what = g_strdup_printf("rank 0 of %d died during %s",
                                            p->ranks, request_name(q->op));
    if (!read_exactly(p->sock[0], reply, sizeof *reply) ||
        (reply->ok && out_len && !read_exactly(p->sock[0], out, out_len)))
        return fail_pool(p, what, error);
    reply->message[sizeof reply->message - 1] = '\0';
    if (!reply->ok && reply->earlier)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                       "mpi: %s (an earlier request; %s did not run)",
                       reply->message, request_name(q->op));
    if (!reply->ok)
        return nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                       "mpi: %s: %s", request_name(q->op), reply->message);
    return TRUE;
}

void nlm_pool_stop(NlmPool *p)
{
    if (!p)
        return;
    NlmRequest quit = {.op = NLM_QUIT};
    for (int r = 0; r < p->ranks && !p->broken; r++)
        if (p->sock[r] >= 0)
            send_all(p->sock[r], &quit, sizeof quit, 0);
    for (int r = 0; r < p->ranks; r++)
        if (p->sock[r] >= 0)
            close(p->sock[r]); /* a rank that missed QUIT reads the end */
    reap(p, 10.0);
    if (p->session) {
        remove_tree(p->session);
        g_free(p->session);
    }
    forget_pool(p);
    if (p->listen_fd >= 0)
        close(p->listen_fd);
    if (p->output >= 0)
        close(p->output);
    g_free(p->sock);
    g_free(p->broken);
    g_string_free(p->said, TRUE);
    g_free(p);
}
