/* worker.h — what the two halves of numlab-mpi-worker share: the rank's
 * state and buffers, how a reduction is shared out, and the chunk tree of
 * invariant=1 (worker.c); the kernels on buffers of any precision live in
 * worker-precision.c. */
#ifndef NUMLAB_MPI_WORKER_H
#define NUMLAB_MPI_WORKER_H

#include "protocol.h"

#include <glib.h>
#include <numlab/precision.h>

/* working memory kept from request to request (worker_scratch): a
 * product's result, and the chunk tree's partials, combined blocks and
 * gathered blocks */
enum {
    SCRATCH_RESULT,
    SCRATCH_ROWS,
    SCRATCH_BLOCKS,
    SCRATCH_ALL,
    SCRATCH_SLOTS
};

/* A buffer as every rank holds it: n values of one precision. */
typedef struct {
    NlPrecision type;
    gsize n;
    void *data;
} WorkerBuffer;

typedef struct {
    int rank, size;
    int sock;
    gsize chunk;         /* 0: one slice per rank */
    GHashTable *buffers; /* id -> WorkerBuffer */
    double comm;         /* seconds in MPI during this request */
    double io;           /* seconds reading numlab's data in this request */
    /* the posted requests since the last reply (protocol.h): the first
     * failure, as "alloc: why" ("" when none), and rank 0's seconds */
    char failed[200];
    double posted_compute, posted_comm;
    const char *die_kernel;
    int die_rank;
    guint64 die_n;
    /* fresh pages for every kernel call cost page faults that a small
     * product notices */
    void *scratch[SCRATCH_SLOTS];
    gsize scratch_n[SCRATCH_SLOTS];
} Worker;

WorkerBuffer *worker_buffer(const Worker *w, guint64 id);
/* Scratch slot `slot` with room for `bytes`, its contents undefined. */
void *worker_scratch(Worker *w, int slot, gsize bytes);
/* Rank r's share [lo, hi) of `count` items. */
void worker_share(const Worker *w, gsize count, int r, gsize *lo, gsize *hi);
/* The test hook NUMLAB_MPI_TEST_DIE: dies here when it names this rank
 * and kernel (after the rank's own part, before the collective). */
void worker_maybe_die(const Worker *w, const NlmRequest *q);

/* The chunk tree of invariant=1: nc chunk partials, each `cells` values of
 * `size` bytes, computed by `chunks` (chunks first .. first + count - 1
 * into consecutive rows) and added by `add` (dst[i] = dst[i] + src[i],
 * rounded as the precision says), combined in the tile tree of
 * numlab/backend.h across the ranks; the root goes to out on every rank. */
typedef struct {
    gsize cells, size;
    void (*chunks)(const void *ctx, gsize first, gsize count, void *rows);
    void (*add)(void *dst, const void *src, gsize n, const void *ctx);
    const void *ctx; /* handed to chunks and add */
} WorkerTree;
void worker_tree_reduce(Worker *w, gsize nc, const WorkerTree *tree,
                        const NlmRequest *q, void *out);
/* WorkerTree.add for float32 partials. */
void worker_add_f32(void *dst, const void *src, gsize n, const void *ctx);

/* ---- worker-precision.c ---- */
/* Serves NLM_*_IN, the kernels on buffers of any precision; *value gets a
 * scalar result. FALSE with `why` when the request is wrong. */
gboolean worker_serve_in(Worker *w, const NlmRequest *q, double *value,
                         char *why, gsize why_len);

#endif /* NUMLAB_MPI_WORKER_H */
