/* protocol.h — what the mpi backend (mpi.c and pool.c, in numlab's process)
 * and its ranks (worker.c, one MPI program started by mpiexec) say to each
 * other over one TCP connection per rank.
 *
 * Every rank connects back to the address it is given, sends an NlmHello
 * and then waits on its socket, not in MPI, so an idle pool costs no CPU.
 * A request (NlmRequest) goes to every rank. Its data (an upload) follows
 * on every rank's connection when it is small (NLM_SMALL_BYTES), else on
 * rank 0's only, and rank 0 passes it on with MPI_Bcast. Rank 0 alone
 * answers (NlmReply), with a download's data after it. The
 * other ranks never write after their hello, so their socket becoming
 * readable means that the rank has gone. Both ends run on machines of one
 * architecture: the structs cross as they are laid out in memory.
 *
 * ALLOC, FREE and UPLOAD are posted: numlab sends them and goes on, and
 * no reply comes (a kernel call's buffers cost no round trips). Rank 0
 * adds their times to the next reply, and the first of them that failed
 * (every rank knows it alike) takes the place of the next request, which
 * is not run: that reply has ok = 0 and `earlier` = 1.
 *
 * A small buffer costs no collective, neither to allocate nor to upload:
 * a collective is where a rank waits for the others, and on a busy
 * machine every such wait costs a time slice (milliseconds). Each rank
 * allocates a small buffer alone, and one that cannot (its host is out
 * of memory) ends the job with its reason; the ranks agree on a larger
 * allocation (MPI_Allreduce), so that one too large fails alone. */
#ifndef NUMLAB_MPI_PROTOCOL_H
#define NUMLAB_MPI_PROTOCOL_H

#include <stdint.h>

#define NLM_MAGIC     0x314d4c4eu /* "NLM1" on a little-endian machine */
#define NLM_TOKEN_LEN 32          /* hex digits: the pool's password */

/* A buffer of at most this many bytes is allocated without agreement and
 * uploaded to every rank directly (above). */
#define NLM_SMALL_BYTES ((uint64_t)1 << 20)

typedef enum {
    NLM_QUIT = 1, /* MPI_Finalize and exit */
    NLM_ALLOC,    /* id[0] = n values of `precision`, on every rank */
    NLM_FREE,
    NLM_UPLOAD,    /* id[0][0..n) = the n values of `precision` after the
                      request */
    NLM_DOWNLOAD,  /* rank 0 answers with id[0][0..n) */
    NLM_SUM,       /* value = id[0][0..n) summed */
    NLM_DOT,       /* value = id[0] . id[1] over n */
    NLM_GEMV,      /* id[2] = A(id[0], m x n, lda) x(id[1]) */
    NLM_GEMM,      /* id[2] = A(id[0], m x k, lda) B(id[1], k x n, ldb), ldc */
    NLM_SOFTMAX,   /* id[1] = softmax(id[0] / temperature) over n */
    NLM_TILED_SUM, /* value = the tile tree over tiles of k elements */
    NLM_COPY,      /* id[0][0..n) = id[1][0..n) */
    /* on buffers of any precision, accumulating in `precision`
     * (numlab/reference.h's arithmetic): */
    NLM_SUM_IN,       /* value = id[0][0..n) summed */
    NLM_DOT_IN,       /* value = id[0] . id[1] over n */
    NLM_GEMV_IN,      /* id[2] = A(id[0], m x n, lda) x(id[1]) */
    NLM_GEMM_IN,      /* id[2] = A(id[0]) B(id[1]), m, n, k, lda, ldb, ldc */
    NLM_TILED_SUM_IN, /* value = the tile tree over tiles of k elements */
} NlmOp;

typedef struct {
    uint32_t magic;
    int32_t rank, size;
    char token[NLM_TOKEN_LEN];
    /* coll tuned's allreduce algorithm as the rank's MPI reads it (MPI_T):
     * -1 when it cannot be read, 0 when Open MPI chooses by size */
    int32_t algorithm;
} NlmHello;

typedef struct {
    uint32_t op;        /* NlmOp */
    uint32_t precision; /* NlPrecision: NLM_ALLOC's and NLM_UPLOAD's
                           buffer, an _IN request's accumulation */
    uint64_t id[3];     /* buffers */
    uint64_t m, n, k, lda, ldb, ldc;
    float temperature;
    uint32_t pad2;
} NlmRequest;

typedef struct {
    int32_t ok;             /* 1, or 0 with message */
    uint32_t earlier;       /* 1: the message is a posted request's, and this
                               one did not run */
    double value;           /* a scalar result (a float, exactly) */
    double compute_seconds; /* rank 0's time in its own part (not in MPI,
                               nor reading an upload from numlab), the
                               posted requests' since the last reply
                               included */
    double comm_seconds;    /* rank 0's time in MPI calls, likewise */
    char message[200];
} NlmReply;

#endif /* NUMLAB_MPI_PROTOCOL_H */
