/* worker.c — numlab-mpi-worker, one rank of the mpi backend's pool: an MPI
 * program that mpiexec starts N times and that serves the kernel requests
 * of one numlab process (protocol.h).
 *
 *   numlab-mpi-worker HOST:PORT TOKEN CHUNK
 *
 * Every buffer is held whole by every rank, as a tensor-parallel layer's
 * activations are; a kernel reads only its rank's part of the reduction.
 * With CHUNK 0 that part is one contiguous slice of n (or K) per rank,
 * summed left to right in numlab's reference order, and the N partials
 * are added by MPI_Allreduce with whichever algorithm Open MPI runs: the
 * bits depend on N and on the algorithm, as on N GPUs. With CHUNK c > 0
 * (invariant=1) the reduction is cut into chunks of c elements whatever N
 * is, rank r sums chunks [r*nc/N, (r+1)*nc/N) the same way and combines
 * the whole subtrees of the tile tree (numlab/backend.h) among them; the
 * subtrees' values reach every rank (MPI_Allgatherv, which moves values
 * without adding them), and every rank finishes the tree: one result for
 * every N and every algorithm — sum is then nl_ref_tiled_sum_f32 with
 * tile c, bit for bit.
 *
 * Buffers of any other precision and their kernels (the _in requests)
 * are worker-precision.c's; worker.h is what the two share.
 *
 * For the tests, NUMLAB_MPI_TEST_DIE=KERNEL:RANK:N makes that rank die
 * (SIGKILL) in the middle of every such kernel over N elements (gemm:
 * k = N), after its own part and before the collective; N = 0: any. */
#define _GNU_SOURCE /* getaddrinfo, SOCK_CLOEXEC under -std=c11 */
#include "config.h"

#include "protocol.h"
#include "worker.h"

#include <numlab/reference.h>

#include <glib.h>
#include <math.h>
#include <mpi.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Scratch slot `slot` with room for `bytes`, its contents undefined. */
void *worker_scratch(Worker *w, int slot, gsize bytes)
{
    if (w->scratch_n[slot] < bytes) {
        free(w->scratch[slot]);
        if (posix_memalign(&w->scratch[slot], 64, bytes))
            g_error("numlab-mpi-worker: out of memory for %" G_GSIZE_FORMAT
                    " bytes",
                    bytes);
        w->scratch_n[slot] = bytes;
    }
    return w->scratch[slot];
}

WorkerBuffer *worker_buffer(const Worker *w, guint64 id)
{
    return g_hash_table_lookup(w->buffers, &id);
}

/* A float32 buffer's values (the float32 kernels get no other). */
static float *floats(const Worker *w, guint64 id)
{
    WorkerBuffer *b = worker_buffer(w, id);
    return b ? b->data : NULL;
}

static const char *op_name(uint32_t op)
{
    static const char *const names[] = {
        [NLM_SUM] = "sum",           [NLM_DOT] = "dot",
        [NLM_GEMV] = "gemv",         [NLM_GEMM] = "gemm",
        [NLM_SOFTMAX] = "softmax",   [NLM_TILED_SUM] = "tiled_sum",
        [NLM_COPY] = "copy",         [NLM_UPLOAD] = "upload",
        [NLM_DOWNLOAD] = "download", [NLM_SUM_IN] = "sum_in",
        [NLM_DOT_IN] = "dot_in",     [NLM_GEMV_IN] = "gemv_in",
        [NLM_GEMM_IN] = "gemm_in",   [NLM_TILED_SUM_IN] = "tiled_sum_in"};
    return op < G_N_ELEMENTS(names) && names[op] ? names[op] : "";
}

/* ---- the connection to numlab ---- */

static gboolean read_all(int fd, void *buf, gsize len)
{
    char *p = buf;
    while (len) {
        ssize_t got = read(fd, p, len);
        if (got <= 0)
            return FALSE;
        p += got;
        len -= (gsize)got;
    }
    return TRUE;
}

static gboolean write_all(int fd, const void *buf, gsize len)
{
    const char *p = buf;
    while (len) {
        ssize_t put = send(fd, p, len, MSG_NOSIGNAL);
        if (put <= 0)
            return FALSE;
        p += put;
        len -= (gsize)put;
    }
    return TRUE;
}

static int connect_to(const char *address)
{
    g_autofree char *host = g_strdup(address);
    char *colon = strrchr(host, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *found = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &found) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *a = found; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    int one = 1; /* a reply and its data go out at once, not after an ACK */
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* The allreduce algorithm this rank's Open MPI will run, read through the
 * MPI tool interface: what numlab reports is what MPI says, not what it
 * asked for. */
static int read_algorithm(void)
{
    int provided, index, count, value = -1;
    MPI_T_cvar_handle handle;
    if (MPI_T_init_thread(MPI_THREAD_SINGLE, &provided) != MPI_SUCCESS)
        return -1;
    if (MPI_T_cvar_get_index("coll_tuned_use_dynamic_rules", &index) ==
            MPI_SUCCESS &&
        MPI_T_cvar_handle_alloc(index, NULL, &handle, &count) == MPI_SUCCESS) {
        int dynamic = 0;
        MPI_T_cvar_read(handle, &dynamic);
        MPI_T_cvar_handle_free(&handle);
        value = 0;
        if (dynamic &&
            MPI_T_cvar_get_index("coll_tuned_allreduce_algorithm", &index) ==
                MPI_SUCCESS &&
            MPI_T_cvar_handle_alloc(index, NULL, &handle, &count) ==
                MPI_SUCCESS) {
            MPI_T_cvar_read(handle, &value);
            MPI_T_cvar_handle_free(&handle);
        }
    }
    MPI_T_finalize();
    return value;
}

static gboolean say_hello(Worker *w, const char *token)
{
    /* numlab reads rank 0's, and MPI_T_init costs 0.2 s (it registers
     * every component's variables): the others leave it */
    NlmHello hello = {.magic = NLM_MAGIC,
                      .rank = w->rank,
                      .size = w->size,
                      .algorithm = w->rank == 0 ? read_algorithm() : -1};
    memcpy(hello.token, token, MIN(strlen(token), sizeof hello.token));
    return write_all(w->sock, &hello, sizeof hello);
}

/* ---- MPI with its time counted, and counts beyond an int ---- */

enum { MAX_COUNT = 1 << 28 }; /* floats (bytes) per MPI call */

static void allreduce(Worker *w, float *v, gsize n, MPI_Op op)
{
    double t0 = MPI_Wtime();
    for (gsize done = 0; done < n; done += MAX_COUNT)
        MPI_Allreduce(MPI_IN_PLACE, v + done, (int)MIN(n - done, MAX_COUNT),
                      MPI_FLOAT, op, MPI_COMM_WORLD);
    w->comm += MPI_Wtime() - t0;
}

static void bcast(Worker *w, void *v, gsize bytes)
{
    double t0 = MPI_Wtime();
    for (gsize done = 0; done < bytes; done += MAX_COUNT)
        MPI_Bcast((char *)v + done, (int)MIN(bytes - done, MAX_COUNT), MPI_BYTE,
                  0, MPI_COMM_WORLD);
    w->comm += MPI_Wtime() - t0;
}

/* Rank r's share [lo, hi) of `count` items. */
void worker_share(const Worker *w, gsize count, int r, gsize *lo, gsize *hi)
{
    *lo = (gsize)((guint64)count * (guint64)r / (guint64)w->size);
    *hi = (gsize)((guint64)count * (guint64)(r + 1) / (guint64)w->size);
}

/* Every rank's `per` floats for each item of its share of `count`, in
 * `mine`, gathered on every rank into all[count * per] in item order;
 * `mine` may be the rank's own place in `all`. */
static void allgather(Worker *w, const float *mine, gsize count, gsize per,
                      float *all)
{
    double t0 = MPI_Wtime();
    int *counts = g_new(int, w->size), *displs = g_new(int, w->size);
    for (int r = 0; r < w->size; r++) {
        gsize lo, hi;
        worker_share(w, count, r, &lo, &hi);
        counts[r] = (int)((hi - lo) * per);
        displs[r] = (int)(lo * per);
    }
    const void *send = mine == all + displs[w->rank] ? MPI_IN_PLACE : mine;
    MPI_Allgatherv(send, counts[w->rank], MPI_FLOAT, all, counts, displs,
                   MPI_FLOAT, MPI_COMM_WORLD);
    g_free(counts);
    g_free(displs);
    w->comm += MPI_Wtime() - t0;
}

void worker_maybe_die(const Worker *w, const NlmRequest *q)
{
    guint64 n = q->op == NLM_GEMM ? q->k : q->n;
    if (w->die_kernel && w->rank == w->die_rank &&
        strcmp(w->die_kernel, op_name(q->op)) == 0 &&
        (w->die_n == 0 || w->die_n == n))
        raise(SIGKILL);
}

/* ---- the kernels ---- */

/* The chunks of a reduction over n: how many, and chunk c's bounds. */
static gsize n_chunks(const Worker *w, gsize n)
{
    return (n + w->chunk - 1) / w->chunk;
}

static void chunk_bounds(const Worker *w, gsize n, gsize c, gsize *lo,
                         gsize *hi)
{
    *lo = c * w->chunk;
    *hi = MIN(n, *lo + w->chunk);
}

/* A scalar reduction: part(lo, hi) is this rank's left-to-right sum of
 * elements lo..hi; either the slices' partials allreduced or the chunks'
 * partials combined in the tile tree. */
typedef float (*PartFn)(const float *x, const float *y, gsize lo, gsize hi);

static float part_sum(const float *x, const float *y, gsize lo, gsize hi)
{
    (void)y;
    return nl_ref_sum_f32(x + lo, hi - lo);
}

static float part_dot(const float *x, const float *y, gsize lo, gsize hi)
{
    return nl_ref_dot_f32(x + lo, y + lo, hi - lo);
}

/* ---- the tile tree across ranks ----
 *
 * The tile tree over nc chunk partials (numlab/backend.h) adds adjacent
 * pairs level by level: p[i] += p[i + s] for s = 1, 2, 4, ... and i a
 * multiple of 2s. Within an aligned block [h, h + 2^j) that is what the
 * tree does to the block alone, so a rank combines the maximal aligned
 * blocks of its own share of chunks first, and only their values, at most
 * two per level, travel: every rank then finishes the tree over the
 * blocks of all ranks, skipping the pairs inside a block. Each addition is
 * the one the tree makes, so the bits are the tree's whatever the rank
 * count. Partials are vectors of `cells` values (a gemm's C, a gemv's y,
 * or one scalar), combined element by element. */

enum { MAX_NODES = 128 }; /* blocks of one share: two per level at most */

/* The maximal aligned blocks of chunks [lo, hi) out of nc, as heads and
 * lengths (the last block of the tree may be cut at nc); their count. */
static gsize tree_blocks(gsize lo, gsize hi, gsize nc, gsize *head, gsize *len)
{
    gsize count = 0;
    while (lo < hi) {
        gsize size = 1;
        while (size < nc && lo % (2 * size) == 0 &&
               MIN(lo + 2 * size, nc) <= hi)
            size *= 2;
        head[count] = lo;
        len[count] = MIN(lo + size, nc) - lo;
        lo += len[count++];
    }
    return count;
}

/* rows[0] = the tile tree over rows[0..count) of one partial each. */
static void tree_in_place(char *rows, gsize count, const WorkerTree *t)
{
    gsize row = t->cells * t->size;
    for (gsize s = 1; s < count; s *= 2)
        for (gsize i = 0; i + s < count; i += 2 * s)
            t->add(rows + i * row, rows + (i + s) * row, t->cells, t->ctx);
}

void worker_add_f32(void *dst, const void *src, gsize n, const void *ctx)
{
    float *d = dst;
    const float *x = src;
    (void)ctx;
    for (gsize e = 0; e < n; e++)
        d[e] += x[e];
}

void worker_tree_reduce(Worker *w, gsize nc, const WorkerTree *t,
                        const NlmRequest *q, void *out)
{
    gsize cells = t->cells, row = cells * t->size;
    gsize lo, hi, head[MAX_NODES], len[MAX_NODES];
    worker_share(w, nc, w->rank, &lo, &hi);
    gsize mine = tree_blocks(lo, hi, nc, head, len);
    /* this rank's blocks, each combined, packed one after the other */
    gsize widest = 1;
    for (gsize b = 0; b < mine; b++)
        widest = MAX(widest, len[b]);
    char *packed = worker_scratch(w, SCRATCH_BLOCKS, MAX(mine * row, 1));
    char *rows = worker_scratch(w, SCRATCH_ROWS, widest * row);
    for (gsize b = 0; b < mine; b++) {
        t->chunks(t->ctx, head[b], len[b], rows);
        tree_in_place(rows, len[b], t);
        memcpy(packed + b * row, rows, row);
    }
    worker_maybe_die(w, q);

    /* every rank's blocks, in chunk order, on every rank */
    int *counts = g_new(int, w->size), *displs = g_new(int, w->size);
    gsize total = 0;
    for (int r = 0; r < w->size; r++) {
        gsize rlo, rhi, h[MAX_NODES], l[MAX_NODES];
        worker_share(w, nc, r, &rlo, &rhi);
        gsize blocks = tree_blocks(rlo, rhi, nc, h, l);
        counts[r] = (int)(blocks * row);
        displs[r] = (int)(total * row);
        total += blocks;
    }
    char *all = worker_scratch(w, SCRATCH_ALL, MAX(total * row, 1));
    double t0 = MPI_Wtime();
    MPI_Allgatherv(packed, counts[w->rank], MPI_BYTE, all, counts, displs,
                   MPI_BYTE, MPI_COMM_WORLD);
    w->comm += MPI_Wtime() - t0;

    /* the rest of the tree: slot[i] is block i's value where a block
     * starts, block_of[i] the head of the block chunk i lies in */
    char **slot = g_new0(char *, MAX(nc, 1));
    gsize *block_of = g_new(gsize, MAX(nc, 1));
    for (int r = 0, k = 0; r < w->size; r++) {
        gsize rlo, rhi, h[MAX_NODES], l[MAX_NODES];
        worker_share(w, nc, r, &rlo, &rhi);
        gsize blocks = tree_blocks(rlo, rhi, nc, h, l);
        for (gsize b = 0; b < blocks; b++, k++) {
            slot[h[b]] = all + (gsize)k * row;
            for (gsize c = h[b]; c < h[b] + l[b]; c++)
                block_of[c] = h[b];
        }
    }
    for (gsize s = 1; s < nc; s *= 2)
        for (gsize i = 0; i + s < nc; i += 2 * s) {
            if (block_of[i] != block_of[i + s]) /* else added already */
                t->add(slot[i], slot[i + s], cells, t->ctx);
        }
    if (nc)
        memcpy(out, slot[0], row);
    else
        memset(out, 0, row); /* +0 in every precision */
    g_free(slot);
    g_free(block_of);
    g_free(counts);
    g_free(displs);
}

typedef struct {
    PartFn part;
    const float *x, *y;
    gsize n, size;
} ScalarChunks;

static void scalar_chunks(const void *ctx, gsize first, gsize count, void *rows)
{
    const ScalarChunks *s = ctx;
    float *out = rows;
    for (gsize c = first; c < first + count; c++)
        out[c - first] =
            s->part(s->x, s->y, c * s->size, MIN(s->n, (c + 1) * s->size));
}

static float reduce_scalar(Worker *w, PartFn part, const float *x,
                           const float *y, gsize n, gsize tile,
                           const NlmRequest *q)
{
    if (tile == 0 && w->chunk == 0) {
        gsize lo, hi;
        worker_share(w, n, w->rank, &lo, &hi);
        float partial = part(x, y, lo, hi);
        worker_maybe_die(w, q);
        allreduce(w, &partial, 1, MPI_SUM);
        return partial;
    }
    ScalarChunks s = {part, x, y, n, tile ? tile : w->chunk};
    float result;
    WorkerTree t = {1, sizeof(float), scalar_chunks, worker_add_f32, &s};
    worker_tree_reduce(w, (n + s.size - 1) / s.size, &t, q, &result);
    return result;
}

/* C (m x n, packed) = A[:, lo:hi) B[lo:hi, :] in the reference order;
 * gemv is the case n = 1 with B a column (ldb = 1). */
static void partial_product(const NlmRequest *q, const float *a, const float *b,
                            gsize lo, gsize hi, float *c, gboolean gemv)
{
    if (gemv)
        nl_ref_gemv_f32(q->m, hi - lo, a + lo, q->lda, b + lo, c);
    else
        nl_ref_gemm_f32(q->m, q->n, hi - lo, a + lo, q->lda, b + lo * q->ldb,
                        q->ldb, c, q->n);
}

typedef struct {
    const Worker *w;
    const NlmRequest *q;
    const float *a, *b;
    gsize k;
    gboolean gemv;
} ProductChunks;

/* The products over chunks first .. first + count - 1 of K, each alone,
 * packed one after the other. gemv goes through the rows in groups and
 * does every chunk of a group before the next (the same chains, the
 * matrix read once in row order instead of once per chunk in column
 * strips); gemm's blocked kernel reads its strips well. */
static void product_chunks(const void *ctx, gsize first, gsize count,
                           void *rows)
{
    enum { GROUP = 64 }; /* rows */
    const ProductChunks *p = ctx;
    const NlmRequest *q = p->q;
    gsize cells = p->gemv ? q->m : q->m * q->n;
    float *out = rows;
    for (gsize i = 0; p->gemv && i < q->m; i += GROUP)
        for (gsize c = first; c < first + count; c++) {
            gsize from, to;
            chunk_bounds(p->w, p->k, c, &from, &to);
            nl_ref_gemv_f32(MIN((gsize)GROUP, q->m - i), to - from,
                            p->a + i * q->lda + from, q->lda, p->b + from,
                            out + (c - first) * cells + i);
        }
    for (gsize c = first; !p->gemv && c < first + count; c++) {
        gsize from, to;
        chunk_bounds(p->w, p->k, c, &from, &to);
        partial_product(q, p->a, p->b, from, to, out + (c - first) * cells,
                        FALSE);
    }
}

/* gemv and gemm: the reduction over K (gemv's n) split across ranks. */
static void product(Worker *w, const NlmRequest *q, gboolean gemv)
{
    const float *a = floats(w, q->id[0]);
    const float *b = floats(w, q->id[1]);
    float *c = floats(w, q->id[2]);
    gsize m = q->m, n = gemv ? 1 : q->n, k = gemv ? q->n : q->k;
    gsize cells = m * n;
    float *packed =
        worker_scratch(w, SCRATCH_RESULT, MAX(cells, 1) * sizeof(float));
    if (w->chunk == 0) {
        gsize lo, hi;
        worker_share(w, k, w->rank, &lo, &hi);
        partial_product(q, a, b, lo, hi, packed, gemv);
        worker_maybe_die(w, q);
        allreduce(w, packed, cells, MPI_SUM);
    } else {
        ProductChunks pc = {w, q, a, b, k, gemv};
        WorkerTree t = {cells, sizeof(float), product_chunks, worker_add_f32,
                        &pc};
        worker_tree_reduce(w, n_chunks(w, k), &t, q, packed);
    }
    if (gemv)
        memcpy(c, packed, m * sizeof(float));
    else
        for (gsize i = 0; i < m; i++)
            memcpy(c + i * q->ldc, packed + i * n, n * sizeof(float));
}

/* y = softmax(x / T): the global max and normaliser by reduction, each
 * rank's slice of y, then every slice to every rank. The operations per
 * element are nl_ref_softmax_f32's, so one rank gives its bits. */
static void softmax(Worker *w, const NlmRequest *q)
{
    const float *x = floats(w, q->id[0]);
    float *y = floats(w, q->id[1]);
    gsize n = q->n, lo, hi;
    float t = q->temperature;
    if (n == 0)
        return;
    worker_share(w, n, w->rank, &lo, &hi);
    float max = -INFINITY;
    for (gsize i = lo; i < hi; i++)
        max = fmaxf(max, x[i] / t);
    allreduce(w, &max, 1, MPI_MAX); /* exact in any order */
    float *e = g_new(float, MAX(n, 1));
    for (gsize i = lo; i < hi; i++)
        e[i] = expf(x[i] / t - max);
    float total;
    if (w->chunk == 0) {
        total = nl_ref_sum_f32(e + lo, hi - lo);
        worker_maybe_die(w, q);
        allreduce(w, &total, 1, MPI_SUM);
    } else {
        /* the chunks of the normaliser need their exponentials on every
         * rank that sums them: gather e first (values, no sums) */
        allgather(w, e + lo, n, 1, e);
        total = reduce_scalar(w, part_sum, e, NULL, n, 0, q);
    }
    float *mine = g_new(float, MAX(hi - lo, 1));
    for (gsize i = lo; i < hi; i++)
        mine[i - lo] = e[i] / total;
    allgather(w, mine, n, 1, y);
    g_free(mine);
    g_free(e);
}

/* ---- serving ---- */

/* Rank 0's answer r to the request begun at t0, with its times and the
 * posted requests' since the last answer. */
static gboolean answer(Worker *w, NlmReply *r, double t0)
{
    r->compute_seconds = MPI_Wtime() - t0 - w->comm - w->io + w->posted_compute;
    r->comm_seconds = w->comm + w->posted_comm;
    w->posted_compute = w->posted_comm = 0.0;
    return w->rank != 0 || write_all(w->sock, r, sizeof *r);
}

static gboolean reply(Worker *w, gboolean ok, double value, double t0,
                      const char *message)
{
    NlmReply r = {.ok = ok, .value = value};
    if (message)
        g_strlcpy(r.message, message, sizeof r.message);
    return answer(w, &r, t0);
}

static void buffer_free(gpointer p)
{
    WorkerBuffer *b = p;
    free(b->data);
    g_free(b);
}

/* The bytes of a buffer's first n values. */
static gsize bytes_of(const WorkerBuffer *b, gsize n)
{
    return n * nl_precision_size(b->type);
}

/* Every rank allocates; a large buffer is kept by all or by none, and a
 * rank that cannot allocate a small one ends the job (protocol.h). */
static gboolean alloc(Worker *w, const NlmRequest *q, char *why, gsize len)
{
    if (q->precision >= NL_N_PRECISIONS) {
        g_snprintf(why, len, "no precision %u", q->precision);
        return FALSE;
    }
    gsize bytes = MAX(q->n, 1) * nl_precision_size(q->precision);
    void *data = NULL;
    if (posix_memalign(&data, 64, bytes) != 0)
        data = NULL;
    int ok = data != NULL, all_ok = ok;
    if (bytes <= NLM_SMALL_BYTES && !ok) {
        fprintf(stderr,
                "numlab-mpi-worker: rank %d cannot allocate %" G_GSIZE_FORMAT
                " bytes\n",
                w->rank, bytes);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (bytes > NLM_SMALL_BYTES) {
        double t0 = MPI_Wtime();
        MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        w->comm += MPI_Wtime() - t0;
    }
    if (!all_ok) {
        free(data);
        g_snprintf(why, len, "a rank cannot allocate %" G_GSIZE_FORMAT " bytes",
                   bytes);
        return FALSE;
    }
    guint64 *id = g_new(guint64, 1);
    *id = q->id[0];
    WorkerBuffer *b = g_new(WorkerBuffer, 1);
    *b = (WorkerBuffer){q->precision, q->n, data};
    g_hash_table_replace(w->buffers, id, b);
    return TRUE;
}

/* A small upload reaches every rank from numlab; rank 0 reads a larger
 * one and broadcasts it. An upload into no buffer, or beyond it, is read
 * and dropped (every rank knows it alike): FALSE with why. numlab gone
 * in the middle ends the job. */
static gboolean upload(Worker *w, const NlmRequest *q, char *why, gsize len)
{
    WorkerBuffer *x = worker_buffer(w, q->id[0]);
    gboolean fits = x && x->type == q->precision && q->n <= x->n;
    gsize bytes = q->precision < NL_N_PRECISIONS
                      ? q->n * nl_precision_size(q->precision)
                      : 0;
    gboolean small = bytes <= NLM_SMALL_BYTES;
    gboolean reads = w->rank == 0 || small;
    double t0 = MPI_Wtime();
    int ok = TRUE;
    if (reads && fits) {
        ok = read_all(w->sock, x->data, bytes);
    } else if (reads) {
        char drop[4096];
        for (gsize left = bytes; left && ok; left -= MIN(left, sizeof drop))
            ok = read_all(w->sock, drop, MIN(left, sizeof drop));
    }
    w->io = MPI_Wtime() - t0;
    if (reads && (!ok || q->precision >= NL_N_PRECISIONS))
        MPI_Abort(MPI_COMM_WORLD, 1); /* the stream cannot be followed */
    if (!fits) {
        g_snprintf(why, len,
                   x ? "%" G_GUINT64_FORMAT
                       " values do not fit buffer %" G_GUINT64_FORMAT
                     : "%" G_GUINT64_FORMAT
                       " values into no buffer %" G_GUINT64_FORMAT,
                   (guint64)q->n, (guint64)q->id[0]);
        return FALSE;
    }
    worker_maybe_die(w, q);
    if (!small)
        bcast(w, x->data, bytes);
    return TRUE;
}

/* A request that numlab posts without waiting for a reply (protocol.h). */
static gboolean is_posted(uint32_t op)
{
    return op == NLM_ALLOC || op == NLM_FREE || op == NLM_UPLOAD;
}

/* Serves a posted request: its first failure and rank 0's times wait for
 * the next reply. */
static void serve_posted(Worker *w, const NlmRequest *q, double t0)
{
    char why[160] = "";
    gboolean ok = TRUE;
    if (q->op == NLM_ALLOC)
        ok = alloc(w, q, why, sizeof why);
    else if (q->op == NLM_FREE)
        g_hash_table_remove(w->buffers, &q->id[0]);
    else
        ok = upload(w, q, why, sizeof why);
    if (!ok && !w->failed[0])
        g_snprintf(w->failed, sizeof w->failed, "%s: %s", op_name(q->op), why);
    w->posted_compute += MPI_Wtime() - t0 - w->comm - w->io;
    w->posted_comm += w->comm;
}

/* Whether every buffer an answered request names is held (by every rank
 * alike); *missing is the first that is not. */
static gboolean buffers_held(const Worker *w, const NlmRequest *q,
                             guint64 *missing)
{
    int used;
    switch ((NlmOp)q->op) {
    case NLM_DOT:
    case NLM_DOT_IN:
    case NLM_SOFTMAX:
    case NLM_COPY:
        used = 2;
        break;
    case NLM_GEMV:
    case NLM_GEMM:
    case NLM_GEMV_IN:
    case NLM_GEMM_IN:
        used = 3;
        break;
    case NLM_QUIT:
        used = 0;
        break;
    default:
        used = 1;
    }
    for (int i = 0; i < used; i++)
        if (!worker_buffer(w, q->id[i])) {
            *missing = q->id[i];
            return FALSE;
        }
    return TRUE;
}

/* One request; FALSE to stop serving. */
static gboolean serve(Worker *w, const NlmRequest *q)
{
    double t0 = MPI_Wtime(), value = 0.0;
    const float *x = floats(w, q->id[0]);
    const float *y = floats(w, q->id[1]);
    char why[160] = "";
    gboolean ok = TRUE;
    w->comm = w->io = 0.0;
    if (is_posted(q->op)) {
        serve_posted(w, q, t0);
        return TRUE;
    }
    if (w->failed[0] && q->op != NLM_QUIT) { /* this one does not run */
        NlmReply r = {.earlier = 1};
        g_strlcpy(r.message, w->failed, sizeof r.message);
        w->failed[0] = '\0';
        return answer(w, &r, t0);
    }
    guint64 missing;
    if (!buffers_held(w, q, &missing)) {
        g_snprintf(why, sizeof why, "no buffer %" G_GUINT64_FORMAT, missing);
        return reply(w, FALSE, 0.0, t0, why);
    }
    switch ((NlmOp)q->op) {
    case NLM_QUIT:
        return FALSE;
    case NLM_ALLOC:
    case NLM_FREE:
    case NLM_UPLOAD:
        break; /* posted, above */
    case NLM_DOWNLOAD:
        if (!reply(w, TRUE, 0.0, t0, NULL))
            return FALSE;
        return w->rank != 0 ||
               write_all(w->sock, x,
                         bytes_of(worker_buffer(w, q->id[0]), q->n));
    case NLM_SUM:
        value = reduce_scalar(w, part_sum, x, NULL, q->n, 0, q);
        break;
    case NLM_DOT:
        value = reduce_scalar(w, part_dot, x, y, q->n, 0, q);
        break;
    case NLM_TILED_SUM:
        value = reduce_scalar(w, part_sum, x, NULL, q->n, q->k, q);
        break;
    case NLM_GEMV:
    case NLM_GEMM:
        product(w, q, q->op == NLM_GEMV);
        break;
    case NLM_SOFTMAX:
        softmax(w, q);
        break;
    case NLM_COPY:
        memmove(floats(w, q->id[0]), y,
                bytes_of(worker_buffer(w, q->id[0]), q->n));
        break;
    case NLM_SUM_IN:
    case NLM_DOT_IN:
    case NLM_GEMV_IN:
    case NLM_GEMM_IN:
    case NLM_TILED_SUM_IN:
        ok = worker_serve_in(w, q, &value, why, sizeof why);
        break;
    default:
        ok = FALSE;
        g_snprintf(why, sizeof why, "unknown request %u", q->op);
    }
    return reply(w, ok, value, t0, why);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "numlab-mpi-worker: a rank of numlab's mpi backend, "
                        "which starts it; not a command to call\n");
        return 2;
    }
    MPI_Init(&argc, &argv);
    Worker w = {.chunk = (gsize)g_ascii_strtoull(argv[3], NULL, 10)};
    MPI_Comm_rank(MPI_COMM_WORLD, &w.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &w.size);
    w.buffers =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, buffer_free);
    const char *die = g_getenv("NUMLAB_MPI_TEST_DIE");
    g_auto(GStrv) die_parts = die ? g_strsplit(die, ":", 3) : NULL;
    if (die_parts && die_parts[0] && die_parts[1] && die_parts[2]) {
        w.die_kernel = die_parts[0];
        w.die_rank = atoi(die_parts[1]);
        w.die_n = g_ascii_strtoull(die_parts[2], NULL, 10);
    }
    w.sock = connect_to(argv[1]);
    if (w.sock < 0 || !say_hello(&w, argv[2])) {
        fprintf(stderr,
                "numlab-mpi-worker: rank %d cannot reach numlab at "
                "%s\n",
                w.rank, argv[1]);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    NlmRequest q;
    /* numlab gone (end of file) ends every rank's loop alike */
    while (read_all(w.sock, &q, sizeof q) && serve(&w, &q))
        ;
    g_hash_table_destroy(w.buffers);
    close(w.sock);
    MPI_Finalize();
    /* Open MPI 4.1 leaves some of its own allocations to the process's
     * end (its components are unloaded by then); _exit skips the exit
     * handlers, LeakSanitizer's among them, which would report them as
     * this program's under tests/sanitize.sh. Everything numlab's own
     * code allocated is freed above. */
    _exit(0);
}
