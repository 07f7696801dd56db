/* test-fallback.c — a backend that lacks a kernel (framework/lib/backend.c,
 * tests/plugins/fewkernels.c, which has only a right-to-left sum).
 *
 *  - On host memory (fewkernels) the kernels it lacks run as libnumlab's
 *    reference kernels, bit for bit, while its own sum still runs; the
 *    self-check checks them and lists them as "reference"; the backend
 *    records which kernels fell back, and not the self-check's calls.
 *  - On device memory (fewdevice) they are unsupported, as before.
 *  - A backend whose host pointers do not hold its values
 *    (fewdevice:stale_host=1) is caught by the self-check: its reference
 *    kernels are unusable.
 *  - Buffers of other precisions: upload_values rounds once, the
 *    float32 calls refuse them with one line, an accumulation that
 *    cannot hold the inputs is refused; naive's _in kernels are the
 *    reference; fewkernels has none, so the reference runs on its host
 *    buffers and is recorded as "sum:bfloat16"; fewdevice allocates its
 *    own buffers and has no _in kernels, so it is never given another
 *    precision than float32: numlab holds those buffers itself.
 *  - A backend like cuda without _in kernels (tests/plugins/devicef32):
 *    mixed calls download its float32 operands for the reference and
 *    upload the output; reduction-tree's precision parts run on it.
 *  - From the command line: the manifest records the fallback per job
 *    (fallback=softmax), and the fallback's results are naive's. */
#include "config.h"

#include "../framework/host/host.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

#define TEST_PLUGINS NL_BUILDDIR "/tests/plugins/.libs"

static NlRegistry *registry;

static NlBackend *open_label(const char *label, const NlSelfCheck **check)
{
    g_autoptr(GError) error = NULL;
    NlBackend *b = nl_backend_open_spec(registry, label, check, &error);
    g_assert_no_error(error);
    return b;
}

static NlBuffer *buffer_of(NlBackend *b, const float *x, gsize n)
{
    g_autoptr(GError) error = NULL;
    NlBuffer *buf = nl_backend_new_from(b, x, n, &error);
    g_assert_no_error(error);
    return buf;
}

static void assert_fallbacks(NlBackend *b, const char *want)
{
    g_autofree char *got = nl_backend_fallbacks(b);
    g_assert_cmpstr(got, ==, want);
}

static void test_host(void)
{
    const NlSelfCheck *sc = NULL;
    NlBackend *b = open_label("fewkernels", &sc);
    g_assert_cmpstr(sc->summary, ==,
                    "passed: sum; reference: dot gemv gemm softmax tiled_sum");
    assert_fallbacks(b, NULL); /* the self-check's own calls are forgotten */

    enum { M = 13, N = 37, K = 21 };
    g_autofree float *x = nl_test_normals(1, N), *y = nl_test_normals(2, N);
    g_autofree float *a = nl_test_normals(3, M * N);
    g_autofree float *bm = nl_test_normals(4, N * K);
    NlBuffer *bx = buffer_of(b, x, N), *by = buffer_of(b, y, N);
    NlBuffer *ba = buffer_of(b, a, M * N), *bb = buffer_of(b, bm, N * K);
    g_autoptr(GError) error = NULL;
    NlBuffer *out = nl_backend_alloc(b, M * K, &error);
    g_assert_no_error(error);
    float got[M * K], want[M * K], r;

    /* its own kernel: right to left, not the reference */
    g_assert_true(nl_backend_sum(b, bx, N, &r, &error));
    g_assert_cmphex(nl_f32_bits(r), ==,
                    nl_f32_bits(nl_test_sum_reversed(x, N)));
    assert_fallbacks(b, NULL);

    g_assert_true(nl_backend_softmax(b, bx, out, N, 0.7f, &error));
    g_assert_true(nl_backend_download(b, out, got, N, &error));
    nl_ref_softmax_f32(x, want, N, 0.7f);
    g_assert_cmpmem(got, N * sizeof(float), want, N * sizeof(float));
    g_assert_true(nl_backend_gemv(b, M, N, ba, N, bx, out, &error));
    g_assert_true(nl_backend_download(b, out, got, M, &error));
    nl_ref_gemv_f32(M, N, a, N, x, want);
    g_assert_cmpmem(got, M * sizeof(float), want, M * sizeof(float));
    assert_fallbacks(b, "gemv,softmax"); /* in kernel order */

    g_assert_true(nl_backend_dot(b, bx, by, N, &r, &error));
    g_assert_cmphex(nl_f32_bits(r), ==, nl_f32_bits(nl_ref_dot_f32(x, y, N)));
    g_assert_true(nl_backend_tiled_sum(b, bx, N, 4, &r, &error));
    g_assert_cmphex(nl_f32_bits(r), ==,
                    nl_f32_bits(nl_test_tile_tree(x, N, 4)));
    g_assert_true(nl_backend_gemm(b, M, K, N, ba, N, bb, K, out, K, &error));
    g_assert_true(nl_backend_download(b, out, got, M * K, &error));
    nl_ref_gemm_f32(M, K, N, a, N, bm, K, want, K);
    g_assert_cmpmem(got, sizeof got, want, sizeof want);
    g_assert_true(nl_backend_copy(b, out, by, N, &error));
    g_assert_true(nl_backend_download(b, out, got, N, &error));
    g_assert_cmpmem(got, N * sizeof(float), y, N * sizeof(float));
    g_assert_no_error(error);
    assert_fallbacks(b, "dot,gemv,gemm,softmax,tiled_sum,copy");
    nl_backend_clear_fallbacks(b);
    assert_fallbacks(b, NULL);

    /* arguments are checked before a fallback as before a hook */
    g_assert_false(nl_backend_gemv(b, M, N, ba, N - 1, bx, out, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_ARGUMENT);
    assert_fallbacks(b, NULL);

    NlBuffer *bufs[] = {bx, by, ba, bb, out};
    for (guint i = 0; i < G_N_ELEMENTS(bufs); i++)
        nl_backend_free(b, bufs[i]);
    nl_backend_close(b);
}

static void test_device(void)
{
    const NlSelfCheck *sc = NULL;
    NlBackend *b = open_label("fewdevice", &sc);
    g_assert_cmpstr(sc->summary, ==, "passed: sum");
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r;
    NlBuffer *bx = buffer_of(b, x, 8);
    g_assert_null(bx->host);
    g_autoptr(GError) error = NULL;
    g_assert_true(nl_backend_sum(b, bx, 8, &r, &error));
    g_assert_cmpfloat(r, ==, 36.0f);
    g_assert_false(nl_backend_gemv(b, 2, 4, bx, 4, bx, bx, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNSUPPORTED);
    g_assert_cmpstr(error->message, ==,
                    "backend 'fewdevice' has no gemv kernel");
    g_clear_error(&error);
    g_assert_false(nl_backend_copy(b, bx, bx, 8, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNSUPPORTED);
    assert_fallbacks(b, NULL);
    nl_backend_free(b, bx);
    nl_backend_close(b);
}

static void test_stale_host(void)
{
    const NlSelfCheck *sc = NULL;
    NlBackend *b = open_label("fewdevice:stale_host=1", &sc);
    g_assert_cmpint(sc->state[NL_KERNEL_SUM], ==, NL_CHECK_PASSED);
    for (int k = NL_KERNEL_DOT; k <= NL_KERNEL_TILED_SUM; k++) {
        g_assert_cmpint(sc->state[k], ==, NL_CHECK_UNUSABLE);
        g_assert_true(g_str_has_prefix(sc->failure[k],
                                       "libnumlab's reference on the "
                                       "backend's buffers: "));
    }
    g_assert_true(g_str_has_prefix(sc->summary, "passed: sum; unusable: dot "
                                                "gemv gemm softmax "
                                                "tiled_sum (libnumlab's "));
    float x[4] = {1, 2, 3, 4}, r;
    NlBuffer *bx = buffer_of(b, x, 4);
    g_autoptr(GError) error = NULL;
    g_assert_false(nl_backend_dot(b, bx, bx, 4, &r, &error));
    g_assert_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNUSABLE);
    assert_fallbacks(b, NULL);
    nl_backend_free(b, bx);
    nl_backend_close(b);
}

/* ---- other precisions ---- */

/* The error, and its message (taken). */
static void assert_error(GError **error, int code, char *message)
{
    g_assert_error(*error, NL_BACKEND_ERROR, code);
    g_assert_cmpstr((*error)->message, ==, message);
    g_clear_error(error);
    g_free(message);
}

static void test_precisions(void)
{
    enum { N = 300 };
    g_autofree float *x = nl_test_normals(7, N);
    double v[N], back[N];
    for (gsize i = 0; i < N; i++)
        v[i] = 1 + x[i] / 1024; /* many ties and near-ties in bfloat16 */
    const char *labels[] = {"naive", "fewkernels"};
    for (guint l = 0; l < G_N_ELEMENTS(labels); l++) {
        NlBackend *b = open_label(labels[l], NULL);
        g_autoptr(GError) error = NULL;
        NlBuffer *bx = nl_backend_new_as(b, NL_PRECISION_BF16, v, N, &error);
        g_assert_no_error(error);
        g_assert_cmpint(nl_backend_buffer_type(bx), ==, NL_PRECISION_BF16);
        g_assert_true(nl_backend_download_values(b, bx, back, N, &error));
        for (gsize i = 0; i < N; i++)
            g_assert_cmpfloat(back[i], ==,
                              nl_precision_round(NL_PRECISION_BF16, v[i]));
        NlArray ax = {NL_PRECISION_BF16, bx->host};
        for (NlPrecision acc = 0; acc < NL_N_PRECISIONS; acc++) {
            double r;
            if (acc == NL_PRECISION_F16) {
                g_assert_false(nl_backend_sum_in(b, bx, N, acc, &r, &error));
                assert_error(&error, NL_BACKEND_ERROR_ARGUMENT,
                             g_strdup_printf(
                                 "sum on backend '%s': float16 accumulation "
                                 "cannot hold bfloat16 values (it must be "
                                 "the inputs' precision, float32 or float64)",
                                 labels[l]));
                continue;
            }
            g_assert_true(nl_backend_sum_in(b, bx, N, acc, &r, &error));
            g_assert_no_error(error);
            g_assert_cmpfloat(r, ==, nl_ref_sum_in(acc, ax, N));
            /* naive computes it itself; fewkernels has no _in kernels */
            g_assert_cmpint(nl_backend_last_was_reference(b), ==, l == 1);
            g_assert_true(nl_backend_dot_in(b, bx, bx, N, acc, &r, &error));
            g_assert_cmpfloat(r, ==, nl_ref_dot_in(acc, ax, ax, N));
        }
        /* the float32 calls take float32 buffers only */
        float f;
        g_assert_false(nl_backend_sum(b, bx, N, &f, &error));
        assert_error(&error, NL_BACKEND_ERROR_ARGUMENT,
                     g_strdup_printf("sum on backend '%s': buffer x holds "
                                     "bfloat16 values; this call takes "
                                     "float32 (its _in form takes any "
                                     "precision)",
                                     labels[l]));
        assert_fallbacks(b, l == 0 ? NULL
                                   : "sum:float32,sum:float64,"
                                     "sum:bfloat16,dot:float32,"
                                     "dot:float64,dot:bfloat16");
        nl_backend_free(b, bx);
        nl_backend_close(b);
    }

    /* fewdevice allocates its own buffers and has no _in kernels: it is
     * never handed another precision; numlab keeps such a buffer in host
     * memory of its own and runs the reference on it */
    NlBackend *b = open_label("fewdevice", NULL);
    g_autoptr(GError) error = NULL;
    NlBuffer *bx = nl_backend_new_as(b, NL_PRECISION_F64, v, N, &error);
    g_assert_no_error(error);
    g_assert_nonnull(bx->host);
    g_assert_null(bx->device);
    double r;
    g_assert_true(nl_backend_sum_in(b, bx, N, NL_PRECISION_F64, &r, &error));
    NlArray ax = {NL_PRECISION_F64, bx->host};
    g_assert_cmpfloat(r, ==, nl_ref_sum_in(NL_PRECISION_F64, ax, N));
    g_assert_true(nl_backend_last_was_reference(b));
    nl_backend_free(b, bx);
    nl_backend_close(b);
}

/* A backend with memory of its own, every float32 kernel and no _in
 * kernel (tests/plugins/devicef32, shaped like cuda): its buffers of
 * other precisions are numlab's host memory; an _in call mixing them
 * with its float32 buffers (LayerCast: bfloat16 weights, float32
 * activations) runs the reference, which downloads the float32 operands
 * and uploads the output; the result is the reference's on the same
 * values. */
static void test_device_precisions(void)
{
    NlBackend *b = open_label("devicef32", NULL);
    enum { M = 5, K = 37, N = 11 };
    g_autofree float *a = nl_test_normals(3, M * K);
    g_autofree float *w = nl_test_normals(4, K * N);
    g_autoptr(GError) error = NULL;
    NlBuffer *da = buffer_of(b, a, M * K); /* float32, the backend's */
    g_assert_null(da->host);
    NlBuffer *dw = nl_backend_alloc_as(b, NL_PRECISION_BF16, K * N, &error);
    g_assert_no_error(error);
    g_assert_nonnull(dw->host);
    g_assert_true(nl_backend_upload_rounded(b, dw, w, K * N, &error));
    NlBuffer *dc = nl_backend_alloc(b, M * N, &error);
    g_assert_no_error(error);
    g_assert_true(nl_backend_gemm_in(b, M, N, K, da, K, dw, N, dc, N,
                                     NL_PRECISION_F32, &error));
    g_assert_no_error(error);
    g_assert_true(nl_backend_last_was_reference(b));
    float got[M * N], want[M * N];
    g_assert_true(nl_backend_download(b, dc, got, M * N, &error));
    NlArray aa = {NL_PRECISION_F32, a}, aw = {NL_PRECISION_BF16, dw->host};
    nl_ref_gemm_in(NL_PRECISION_F32, M, N, K, aa, K, aw, N, NL_PRECISION_F32,
                   want, N);
    g_assert_cmpmem(got, sizeof got, want, sizeof want);
    /* gemv: y (float32, the backend's) = W^T-free row product A x */
    NlBuffer *dx = nl_backend_alloc_as(b, NL_PRECISION_BF16, K, &error);
    g_assert_true(nl_backend_upload_rounded(b, dx, w, K, &error));
    NlBuffer *dy = nl_backend_alloc(b, M, &error);
    g_assert_true(
        nl_backend_gemv_in(b, M, K, da, K, dx, dy, NL_PRECISION_F32, &error));
    g_assert_no_error(error);
    float ygot[M], ywant[M];
    g_assert_true(nl_backend_download(b, dy, ygot, M, &error));
    NlArray ax = {NL_PRECISION_BF16, dx->host};
    nl_ref_gemv_in(NL_PRECISION_F32, M, K, aa, K, ax, NL_PRECISION_F32, ywant);
    g_assert_cmpmem(ygot, sizeof ygot, ywant, sizeof ywant);
    /* sum and dot of a float32 device buffer in float64 */
    double r;
    g_assert_true(
        nl_backend_dot_in(b, da, da, M * K, NL_PRECISION_F64, &r, &error));
    g_assert_cmpfloat(r, ==, nl_ref_dot_in(NL_PRECISION_F64, aa, aa, M * K));
    assert_fallbacks(b, "dot:float64,gemv:float32,gemm:float32");
    NlBuffer *bufs[] = {da, dw, dc, dx, dy};
    for (guint i = 0; i < G_N_ELEMENTS(bufs); i++)
        nl_backend_free(b, bufs[i]);
    nl_backend_close(b);

    /* from the command line: the precision parts of reduction-tree run on
     * it, with the reference's results (naive's), and it is never handed
     * a buffer of another precision (devicef32 would say so at close) */
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) c = nl_test_numlab(
        NULL, "run", "reduction-tree", "-b", "naive,devicef32", "--plugin-dir",
        NL_BUILDDIR "/tests/plugins/devicef32/.libs", "-o", dir, "-p",
        "num_ctx=1:300", "-p", "tiles=16,64", "-p", "table_ctx=100,300", "-p",
        "table_tile=64", "-p", "diagram_ctx=300", "-p", "diagram_tile=64", "-p",
        "batch=1:4", "-p", "a7_k=40", "-p", "a7_n=8", "-p", "reduce_n=500",
        NULL);
    if (c->status != 0)
        g_error("exit %d, stderr:\n%s", c->status, c->err);
    g_assert_null(strstr(c->err, "devicef32:"));
    const char *tables[] = {"a7-row-bfloat16", "a7-row-float16",
                            "a7-reductions-bfloat16"};
    for (guint t = 0; t < G_N_ELEMENTS(tables); t++) {
        g_autofree char *name = g_strdup_printf("%s.dat", tables[t]);
        g_autofree char *path =
            g_build_filename(dir, "reduction-tree", name, NULL);
        g_autoptr(NlDat) dat = nl_dat_read(path);
        g_assert_cmpuint(dat->datasets->len, ==, 2);
        for (guint row = 0; row < nl_dat_rows(dat, 0); row++)
            for (guint col = 0; col < 4; col++)
                g_assert_cmpstr(nl_dat_cell(dat, 1, row, col), ==,
                                nl_dat_cell(dat, 0, row, col));
    }
    g_autofree char *path =
        g_build_filename(dir, "reduction-tree", "manifest.ini", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_assert_true(g_key_file_load_from_file(kf, path, 0, &error));
    g_autofree char *fallback =
        g_key_file_get_string(kf, "job devicef32", "fallback", &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(fallback, "gemm:float32"));
    nl_test_rmtree(dir);
}

/* ---- from the command line ---- */

static void test_manifest(void)
{
    g_autofree char *dir = nl_test_tmpdir();
    g_autoptr(NlCmd) c = nl_test_numlab(
        NULL, "run", "temperature", "-b", "naive,fewkernels", "--plugin-dir",
        TEST_PLUGINS, "-o", dir, "-p", "b3_sizes=10,100", NULL);
    if (c->status != 0)
        g_error("exit %d, stderr:\n%s", c->status, c->err);
    g_assert_nonnull(strstr(c->out, "naive:ok fewkernels:ok"));

    g_autofree char *path =
        g_build_filename(dir, "temperature", "manifest.ini", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) error = NULL;
    g_assert_true(g_key_file_load_from_file(kf, path, 0, &error));
    g_autofree char *fallback =
        g_key_file_get_string(kf, "job fewkernels", "fallback", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(fallback, ==, "softmax");
    g_autofree char *self_check =
        g_key_file_get_string(kf, "job fewkernels", "self_check", NULL);
    g_assert_cmpstr(self_check, ==,
                    "passed: sum; reference: dot gemv gemm softmax "
                    "tiled_sum");
    g_assert_false(g_key_file_has_key(kf, "job naive", "fallback", NULL));

    /* the fallback computes: its softmax is naive's, value for value */
    g_autofree char *b2 =
        g_build_filename(dir, "temperature", "b2-backends.dat", NULL);
    g_autoptr(NlDat) dat = nl_dat_read(b2);
    g_assert_cmpuint(dat->datasets->len, ==, 2);
    g_assert_cmpuint(nl_dat_rows(dat, 0), >, 10);
    g_assert_cmpuint(nl_dat_rows(dat, 1), ==, nl_dat_rows(dat, 0));
    for (guint r = 0; r < nl_dat_rows(dat, 0); r++)
        for (guint col = 0; col < 3; col++)
            g_assert_cmpstr(nl_dat_cell(dat, 1, r, col), ==,
                            nl_dat_cell(dat, 0, r, col));
    const char *header = nl_dat_comment(dat, "backend: fewkernels ");
    g_assert_nonnull(header);
    g_assert_nonnull(strstr(header, "| self-check: passed: sum; reference: "
                                    "dot gemv gemm softmax tiled_sum"));
    nl_test_rmtree(dir);
}

static void test_list(void)
{
    g_autoptr(NlCmd) c =
        nl_test_numlab(NULL, "list", "--plugin-dir", TEST_PLUGINS, NULL);
    g_assert_cmpint(c->status, ==, 0);
    const char *few = strstr(c->out, "\n  fewkernels ");
    g_assert_nonnull(few);
    g_assert_nonnull(strstr(few, "ms: passed: sum; reference: dot gemv gemm "
                                 "softmax tiled_sum\n"));
    const char *dev = strstr(c->out, "\n  fewdevice ");
    g_assert_nonnull(dev);
    g_assert_nonnull(strstr(dev, "ms: passed: sum\n"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    registry = nl_registry_new();
    g_autoptr(GError) error = NULL;
    if (!nl_registry_load(registry,
                          NL_BUILDDIR "/tests/plugins/devicef32/.libs/"
                                      "devicef32.so",
                          &error) ||
        !nl_registry_load(registry, TEST_PLUGINS "/fewkernels.so", &error) ||
        !nl_registry_load(registry, TEST_PLUGINS "/fewdevice.so", &error) ||
        !nl_registry_load(registry,
                          NL_BUILDDIR "/backends/naive/.libs/naive.so", &error))
        g_error("%s", error->message);
    g_test_add_func("/fallback/host", test_host);
    g_test_add_func("/fallback/device", test_device);
    g_test_add_func("/fallback/stale-host", test_stale_host);
    g_test_add_func("/fallback/precisions", test_precisions);
    g_test_add_func("/fallback/device-precisions", test_device_precisions);
    g_test_add_func("/fallback/manifest", test_manifest);
    g_test_add_func("/fallback/list", test_list);
    int rc = g_test_run();
    nl_registry_free(registry);
    return rc;
}
