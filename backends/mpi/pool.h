/* pool.h — the mpi backend's ranks as numlab's process sees them: started
 * with mpiexec, spoken to over one socket each (protocol.h), watched for
 * death, stopped. */
#ifndef NUMLAB_MPI_POOL_H
#define NUMLAB_MPI_POOL_H

#include "protocol.h"

#include <glib.h>

typedef struct {
    const char *mpiexec;     /* the launcher */
    const char *worker;      /* numlab-mpi-worker */
    const char *library_dir; /* put before LD_LIBRARY_PATH, or NULL */
    int ranks;
    int algorithm;        /* coll_tuned_allreduce_algorithm; 0: Open MPI's
                             choice */
    gsize chunk;          /* 0, or invariant=1's chunk */
    const char *hostfile; /* NULL: this host */
    gboolean oversubscribe;
} NlmPoolConfig;

typedef struct NlmPool NlmPool;

/* Starts the ranks and waits until each has said hello, or fails with
 * NL_BACKEND_ERROR_UNAVAILABLE and mpiexec's own reason in one line. */
NlmPool *nlm_pool_start(const NlmPoolConfig *config, GError **error);

/* What rank 0 said in its hello. */
const NlmHello *nlm_pool_hello(const NlmPool *pool);

/* One request to every rank, `data` to rank 0 after it; rank 0's reply
 * in *reply and, for a download, `out_len` bytes into out. A rank that
 * dies or a pool that is gone fails the request, and every later one,
 * with one line naming the rank and mpiexec's reason; a posted request
 * that failed since the last call fails this one, which does not run. */
gboolean nlm_pool_call(NlmPool *pool, const NlmRequest *request,
                       const void *data, gsize data_len, NlmReply *reply,
                       void *out, gsize out_len, GError **error);

/* A posted request (protocol.h: alloc, free, upload): sent to every rank,
 * `data` to rank 0 after it, and not waited for. Its failure, or the
 * death of a rank, fails the next nlm_pool_call. */
gboolean nlm_pool_post(NlmPool *pool, const NlmRequest *request,
                       const void *data, gsize data_len, GError **error);

/* Asks the ranks to finish, waits a few seconds, then kills what is left. */
void nlm_pool_stop(NlmPool *pool);

#endif /* NUMLAB_MPI_POOL_H */
