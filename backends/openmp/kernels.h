/* kernels.h — the OpenMP backend's kernels: float32 (kernels.c, gemv.c and
 * gemv-avx512.c, gemm.c and gemm-avx512.c, softmax.c) and every other
 * precision (the same files, bf16.c for AVX512-BF16, precision.c for the
 * dispatch of the _in hooks).
 *
 * Built for x86-64-v3 (AVX2 + FMA + F16C); openmp.c checks the CPU before
 * any of these run, bf16.c's kernels run only where the CPU has
 * AVX512-BF16, and gemm-avx512.c's and gemv-avx512.c's only where it has
 * AVX-512F. Every kernel's order of operations depends only on the sizes,
 * on the thread count, on the mode and on the precisions, never on
 * scheduling, so a run repeats bit for bit. In batch-invariant mode it
 * depends on the sizes alone: not on the thread count, and for a row of a
 * matrix product not on how many other rows are computed with it. */
#ifndef NL_OPENMP_KERNELS_H
#define NL_OPENMP_KERNELS_H

#include <glib.h>
#include <numlab/reference.h>

/* Below this many elements (1 MiB of floats, about an L2 cache) a
 * reduction runs on one thread: one core reads cache-resident data faster
 * than two threads can be woken and joined. */
#define PAR_PARALLEL_MIN 262144

/* Batch-invariant reductions cut the vector into blocks of this many
 * elements whatever the thread count, and add the block partials left to
 * right. */
#define PAR_FIXED_BLOCK 65536

/* How a kernel may divide its work, and what the CPU offers it. */
typedef struct {
    int threads;              /* threads a kernel may use */
    gboolean batch_invariant; /* one order whatever threads and batch */
    gboolean bf16_native;     /* AVX512-BF16: bfloat16 x bfloat16 products
                                 run on vdpbf16ps (bf16.c) */
    gboolean avx512;          /* AVX-512F: the float32 gemm's 12 x 32
                                 micro-kernel (gemm-avx512.c) */
} ParMode;

/* ---- Reductions (kernels.c) ---- */

/* One chunk of a reduction: the partial result of elements [start, start
 * + len), in the accumulation's precision (a float32 one is returned as
 * the double it is). ctx is the caller's. */
typedef double (*ParChunk)(const void *ctx, gsize start, gsize len);

/* Chunks of n elements combined in the mode's order (kernels.c), every
 * addition of partials rounded to acc (float32 or float64). */
double par_reduce(ParChunk chunk, const void *ctx, gsize n, NlPrecision acc,
                  ParMode mode);
/* The tile tree of numlab/backend.h: tiles of `tile` elements summed by
 * `chunk`, their partials (room for n / tile + 1 of them) combined in
 * acc. */
double par_tiled(ParChunk chunk, const void *ctx, gsize n, gsize tile,
                 NlPrecision acc, double *partials, ParMode mode);

/* One thread's share: 32 lanes, folded pairwise, tail left to right. */
float par_sum_chunk(const float *x, gsize n);
float par_dot_chunk(const float *x, const float *y, gsize n);
/* The same on float32, bfloat16 or float16 values, widened exactly: the
 * bits of the float32 chunk on the widened values. */
float par_sum_chunk_in(NlArray x, gsize start, gsize n);
float par_dot_chunk_in(NlArray x, NlArray y, gsize start, gsize n);
/* In float64, on values of any type: 16 lanes (four 4-wide vectors),
 * dot products with FMA, folded pairwise, tail left to right. */
double par_sum_chunk_f64(NlArray x, gsize start, gsize n);
double par_dot_chunk_f64(NlArray x, NlArray y, gsize start, gsize n);

float par_sum_f32(const float *x, gsize n, ParMode mode);
float par_dot_f32(const float *x, const float *y, gsize n, ParMode mode);
void par_softmax_f32(const float *x, float *y, gsize n, float temperature,
                     ParMode mode);

/* ---- Matrix-vector products (gemv.c) ---- */

/* Rows [i0, i1) of y = A x in one order; x and y are float or double as
 * the order's accumulation is. */
typedef void (*ParRows)(gsize i0, gsize i1, gsize n, NlArray a, gsize lda,
                        const void *x, void *y);
/* All m rows, in ranges of `group` rows shared among threads, the last
 * range taking the rows left over (so every range has `group` rows or
 * more, unless m has fewer); one thread, one range, below
 * PAR_PARALLEL_MIN elements of A. */
void par_run_rows(ParRows rows, gsize group, gsize m, gsize n, NlArray a,
                  gsize lda, const void *x, void *y, ParMode mode);

/* y = A x, A is m x n with row stride lda. */
void par_gemv_f32(gsize m, gsize n, const float *a, gsize lda, const float *x,
                  float *y, ParMode mode);
/* The same with A of float32, bfloat16 or float16, widened exactly: the
 * float32 order on the widened values. */
void par_gemv_in(gsize m, gsize n, NlArray a, gsize lda, const float *x,
                 float *y, ParMode mode);
/* In float64, A of any type. */
void par_gemv_f64(gsize m, gsize n, NlArray a, gsize lda, const double *x,
                  double *y, ParMode mode);

/* ---- Matrix products (gemm.c) ---- */

/* A blocked product's micro-kernel and how its operands are packed. */
typedef struct {
    gsize mr, nr;     /* the micro-tile: mr rows by nr columns of C */
    gsize kc, mc, nc; /* block sizes: multiples of kstep, mr, nr */
    gsize kstep;      /* 1, or 2 when the kernel takes k in pairs */
    gsize elem;       /* bytes of a packed value */
    gsize acc;        /* bytes of an element of C: float or double */
    /* kc values of k (zero-padded to a multiple of kstep) of mr rows of
     * A from a's element `at`, or of nr columns of B, into a panel */
    void (*pack_a)(gsize kc, gsize mr, NlArray a, gsize at, gsize lda,
                   void *dst);
    void (*pack_b)(gsize kc, gsize nr, NlArray b, gsize at, gsize ldb,
                   void *dst);
    /* the full micro-tile at c (+)= A panel x B panel over kc; `first`:
     * start the chains at zero instead of at the values in c */
    void (*kernel)(gsize kc, const void *ap, const void *bp, void *c, gsize ldc,
                   gboolean first);
} ParGemmKind;

/* C = A B with `kind`, C of kind->acc bytes an element; FALSE if the
 * packing buffers cannot be allocated. Each c[i][j] is one chain over k
 * (the kernel's), so its bits depend on k alone. */
gboolean par_gemm_run(const ParGemmKind *kind, gsize m, gsize n, gsize k,
                      NlArray a, gsize lda, NlArray b, gsize ldb, void *c,
                      gsize ldc, int threads);
/* The float32 kind (6 x 16, FMA): operands of float32, bfloat16 or
 * float16, widened as they are packed. */
extern const ParGemmKind par_gemm_f32_kind;
/* The same chains, so the same bits, on AVX-512F: 12 x 32, its
 * micro-kernel in gemm-avx512.c. */
extern const ParGemmKind par_gemm_f32_avx512_kind;
void par_kernel_f32_12x32(gsize kc, const void *ap, const void *bp, void *c,
                          gsize ldc, gboolean first);
/* The float32 kind the mode runs for n columns: the AVX-512 one where
 * mode.avx512 and n > 16. */
const ParGemmKind *par_gemm_f32_kind_for(ParMode mode, gsize n);
/* The float64 kind (6 x 8, FMA): operands of any type. */
extern const ParGemmKind par_gemm_f64_kind;
/* Accumulation in bfloat16 or float16 (6 x 16, operands of that type):
 * numlab's reference order, every product and sum rounded, no FMA; C
 * holds the accumulators as floats. */
extern const ParGemmKind par_gemm_bf16_rounded_kind;
extern const ParGemmKind par_gemm_f16_rounded_kind;
/* The same bits as par_gemm_bf16_rounded_kind, its rounding done in float
 * arithmetic (about twice as fast), where no chain can hold a subnormal:
 * the least exponents of A's and B's nonzero values add to at least -112
 * (par_gemm_any checks it). */
extern const ParGemmKind par_gemm_bf16_split_kind;
/* C = A B on float32, in par_gemm_f32_kind's order in both modes, with
 * mode.threads threads; a single contiguous column by the batch-invariant
 * gemv, which computes the same chains. */
gboolean par_gemm_f32(gsize m, gsize n, gsize k, const float *a, gsize lda,
                      const float *b, gsize ldb, float *c, gsize ldc,
                      ParMode mode);

/* Rows [i0, i1) of y = A x on float32 in batch-invariant order, sixteen
 * at a time on AVX-512F (gemv-avx512.c): returns the first row left, fewer
 * than sixteen before i1. */
gsize par_chain_rows_f32_avx512(gsize i0, gsize i1, gsize n, const float *a,
                                gsize lda, const float *x, float *y);

/* ---- bfloat16 on AVX512-BF16 (bf16.c) ---- */

/* x·y: 64 lanes of pairs (four 16-lane vdpbf16ps accumulators). */
float par_dot_chunk_bf16(const nl_bf16 *x, const nl_bf16 *y, gsize n);
/* y = A x; normal mode one such dot per row, batch-invariant mode
 * par_gemm_bf16_kind's chain per row. */
void par_gemv_bf16(gsize m, gsize n, const nl_bf16 *a, gsize lda,
                   const nl_bf16 *x, float *y, ParMode mode);
/* The bfloat16 kind (12 x 32, vdpbf16ps, k in pairs): bfloat16 operands. */
extern const ParGemmKind par_gemm_bf16_kind;

/* ---- The _in hooks (precision.c) ----
 * Each computes its kernel on arrays of the given precisions, accumulating
 * in acc, or returns FALSE with NL_BACKEND_ERROR_UNSUPPORTED for an acc it
 * does not compute (or another error when memory runs out). Outputs of
 * another precision than acc's receive each result rounded once. */

gboolean par_sum_in(NlArray x, gsize n, NlPrecision acc, ParMode mode,
                    double *result, GError **error);
gboolean par_dot_in(NlArray x, NlArray y, gsize n, NlPrecision acc,
                    ParMode mode, double *result, GError **error);
gboolean par_tiled_sum_in(NlArray x, gsize n, gsize tile, NlPrecision acc,
                          ParMode mode, double *result, GError **error);
gboolean par_gemv_any(gsize m, gsize n, NlArray a, gsize lda, NlArray x,
                      NlPrecision y_type, gpointer y, NlPrecision acc,
                      ParMode mode, GError **error);
gboolean par_gemm_any(gsize m, gsize n, gsize k, NlArray a, gsize lda,
                      NlArray b, gsize ldb, NlPrecision c_type, gpointer c,
                      gsize ldc, NlPrecision acc, ParMode mode, GError **error);

#endif /* NL_OPENMP_KERNELS_H */
