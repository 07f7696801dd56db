/* worker-precision.c — the mpi backend's kernels on buffers of any
 * precision (NLM_*_IN): what numlab/backend.h calls sum_in, dot_in,
 * gemv_in, gemm_in and tiled_sum_in, split across the ranks as the
 * float32 kernels are (worker.c).
 *
 * Each rank computes its slice of the reduction with numlab's reference
 * in that precision (numlab/reference.h: every product and addition
 * rounded once to the accumulation precision `acc`), so one rank gives the
 * reference's bits. The partials travel as doubles, which hold every
 * value of every acc exactly, and are added by MPI_Allreduce with an
 * operation of numlab's own that adds two of them as acc adds (in float,
 * rounded once more for bfloat16 and float16, as the reference does): the
 * allreduce's order is Open MPI's, every addition numlab's arithmetic. An
 * output array gets each result rounded once more, to its own precision.
 * invariant=1 and tiled_sum_in combine chunk partials in the tile tree
 * with the same addition (worker_tree_reduce). */
#include "config.h"

#include "worker.h"

#include <numlab/reference.h>

#include <mpi.h>
#include <string.h>

/* The accumulation precision of the request being served: what the MPI
 * operation reads (one request at a time, one thread). */
static NlPrecision current_acc;

/* a + b as acc adds, both values of acc. */
static double acc_add(NlPrecision acc, double a, double b)
{
    switch (acc) {
    case NL_PRECISION_F64:
        return a + b;
    case NL_PRECISION_F32:
        return (float)a + (float)b;
    default: /* the float sum of two 16-bit values, rounded once more */
        return nl_precision_round(acc, (double)((float)a + (float)b));
    }
}

static void add_in(double *d, const double *x, gsize n, NlPrecision acc)
{
    for (gsize i = 0; i < n; i++)
        d[i] = acc_add(acc, d[i], x[i]);
}

/* MPI's side of add_in: inout[i] = in[i] + inout[i] in current_acc. */
static void mpi_add_in(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type; /* MPI_DOUBLE */
    add_in(inout, in, (gsize)*len, current_acc);
}

/* v[0..n) summed over the ranks, each addition in acc. */
static void allreduce_in(Worker *w, double *v, gsize n, NlPrecision acc)
{
    static MPI_Op op = MPI_OP_NULL;
    if (op == MPI_OP_NULL)
        MPI_Op_create(mpi_add_in, 1, &op); /* commutative, as any + is */
    current_acc = acc;
    double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_DOUBLE,
                  acc == NL_PRECISION_F64 ? MPI_SUM : op, MPI_COMM_WORLD);
    w->comm += MPI_Wtime() - t0;
}

/* Buffer `id` from element `from` on, as the reference reads arrays. */
static NlArray array_at(const Worker *w, guint64 id, gsize from)
{
    const WorkerBuffer *b = worker_buffer(w, id);
    return (NlArray){b->type,
                     (const char *)b->data + from * nl_precision_size(b->type)};
}

/* ---- one rank's part: columns (or elements) [lo, hi) of the reduction,
 * into cells doubles ---- */

typedef struct {
    const Worker *w;
    const NlmRequest *q;
    NlPrecision acc;
    gsize size; /* elements a chunk (invariant=1, tiled_sum_in) */
} Part;

static void part(const Part *p, gsize lo, gsize hi, double *out)
{
    const NlmRequest *q = p->q;
    const Worker *w = p->w;
    switch ((NlmOp)q->op) {
    case NLM_SUM_IN:
    case NLM_TILED_SUM_IN:
        out[0] = nl_ref_sum_in(p->acc, array_at(w, q->id[0], lo), hi - lo);
        return;
    case NLM_DOT_IN:
        out[0] = nl_ref_dot_in(p->acc, array_at(w, q->id[0], lo),
                               array_at(w, q->id[1], lo), hi - lo);
        return;
    case NLM_GEMV_IN:
    case NLM_GEMM_IN: {
        gboolean gemv = q->op == NLM_GEMV_IN;
        gsize m = q->m, n = gemv ? 1 : q->n, cells = m * n;
        /* the partial in acc's own type, then widened: exact */
        gsize size = nl_precision_size(p->acc);
        void *own = g_malloc(MAX(cells, 1) * size);
        if (gemv)
            nl_ref_gemv_in(p->acc, m, hi - lo, array_at(w, q->id[0], lo),
                           q->lda, array_at(w, q->id[1], lo), p->acc, own);
        else
            nl_ref_gemm_in(p->acc, m, n, hi - lo, array_at(w, q->id[0], lo),
                           q->lda, array_at(w, q->id[1], lo * q->ldb), q->ldb,
                           p->acc, own, n);
        for (gsize i = 0; i < cells; i++)
            out[i] = nl_array_get((NlArray){p->acc, own}, i);
        g_free(own);
        return;
    }
    default:
        return;
    }
}

/* WorkerTree.add: in the request's acc. */
static void part_add(void *dst, const void *src, gsize n, const void *ctx)
{
    add_in(dst, src, n, ((const Part *)ctx)->acc);
}

static void part_chunks(const void *ctx, gsize first, gsize count, void *rows)
{
    const Part *p = ctx;
    const NlmRequest *q = p->q;
    gboolean product = q->op == NLM_GEMV_IN || q->op == NLM_GEMM_IN;
    gsize cells = !product ? 1 : q->op == NLM_GEMV_IN ? q->m : q->m * q->n;
    gsize n = q->op == NLM_GEMM_IN ? q->k : q->n;
    for (gsize c = first; c < first + count; c++)
        part(p, c * p->size, MIN(n, (c + 1) * p->size),
             (double *)rows + (c - first) * cells);
}

gboolean worker_serve_in(Worker *w, const NlmRequest *q, double *value,
                         char *why, gsize why_len)
{
    if (q->precision >= NL_N_PRECISIONS) {
        g_snprintf(why, why_len, "no precision %u", q->precision);
        return FALSE;
    }
    NlPrecision acc = q->precision;
    gboolean product = q->op == NLM_GEMV_IN || q->op == NLM_GEMM_IN;
    gsize cells = !product ? 1 : q->op == NLM_GEMV_IN ? q->m : q->m * q->n;
    gsize n = q->op == NLM_GEMM_IN ? q->k : q->n; /* the reduction */
    gsize size = q->op == NLM_TILED_SUM_IN ? q->k : w->chunk;
    double *sums = worker_scratch(w, SCRATCH_RESULT, MAX(cells, 1) * 8);
    Part p = {w, q, acc, size};
    if (size == 0) { /* a slice per rank, the slices' partials allreduced */
        gsize lo, hi;
        worker_share(w, n, w->rank, &lo, &hi);
        part(&p, lo, hi, sums);
        worker_maybe_die(w, q);
        allreduce_in(w, sums, cells, acc);
    } else {
        WorkerTree t = {cells, sizeof(double), part_chunks, part_add, &p};
        worker_tree_reduce(w, (n + size - 1) / size, &t, q, sums);
    }
    if (!product) {
        *value = sums[0];
        return TRUE;
    }
    const WorkerBuffer *out = worker_buffer(w, q->id[2]);
    if (q->op == NLM_GEMV_IN)
        for (gsize i = 0; i < q->m; i++)
            nl_array_set(out->type, out->data, i, sums[i]);
    else
        for (gsize i = 0; i < q->m; i++)
            for (gsize j = 0; j < q->n; j++)
                nl_array_set(out->type, out->data, i * q->ldc + j,
                             sums[i * q->n + j]);
    return TRUE;
}
