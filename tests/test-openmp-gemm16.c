/* test-openmp-gemm16.c — the OpenMP backend's gemm in bfloat16 and
 * float16 accumulation gives numlab's reference bits (nl_ref_gemm_in),
 * bit for bit, on every path it has.
 *
 * bfloat16 has two kernels (backends/openmp/gemm.c): one rounds on the
 * bit pattern, the fast one in float arithmetic (Veltkamp's split), which
 * is the same rounding only for normal floats and zero while it stays
 * finite. So the data here are chosen to reach each path and each edge:
 *  - normal values, and values spread over 2^-50 .. 2^20 (products down
 *    to 2^-100): the fast kernel;
 *  - tiny values whose products and sums fall below 2^-126: the backend
 *    must choose the rounding kernel (the fast one gives other bits);
 *  - huge values whose chains overflow, and infinities and NaNs: the fast
 *    kernel's tiles must be computed again by the rounding one.
 * The first test checks the split itself against the rounding on the bit
 * pattern, for all 2^32 floats. */
#include "config.h"

#include "../framework/host/host.h"

#include <math.h>
#include <string.h>

static NlBackend *backends[2]; /* threads=1, threads=2 */

/* ---- the rounding ---- */

static guint32 bits_of(float v)
{
    guint32 u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static float float_of(guint32 u)
{
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* To nearest even on the bit pattern (numlab's definition, for the
 * values where it is defined without a NaN case). */
static guint32 round_bits(guint32 u)
{
    return (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
}

/* Veltkamp's split at 16 bits, as the kernel computes it (the test is
 * built with -ffp-contract=off, so no multiply-add is fused). */
static float split(float v)
{
    float c = v * 65537.0f;
    return c - (c - v);
}

/* Over the 4096 floats from u0: *finite counts the normal ones and
 * zeros whose split is finite; the result is how many of those differ
 * from the rounding on the bit pattern. Branch-free, so that it runs in
 * vector lanes (all 2^32 floats take seconds, not minutes). */
__attribute__((optimize("O3"))) static guint32 split_block(guint32 u0,
                                                           guint32 *finite)
{
    guint32 wrong = 0, count = 0;
    for (guint32 i = 0; i < 4096; i++) {
        guint32 u = u0 + i, e = (u >> 23) & 0xffu;
        guint32 r = bits_of(split(float_of(u)));
        guint32 in = (e != 0 && e != 0xffu) | ((u & 0x7fffffffu) == 0);
        guint32 counted = in & ((r & 0x7f800000u) != 0x7f800000u);
        count += counted;
        wrong += counted & (r != round_bits(u));
    }
    *finite = count;
    return wrong;
}

static void test_split(void)
{
    guint64 wrong = 0, finite = 0;
    for (guint64 u0 = 0; u0 <= G_MAXUINT32; u0 += 4096) {
        guint32 f;
        wrong += split_block((guint32)u0, &f);
        finite += f;
    }
    g_assert_cmpuint(wrong, ==, 0);
    /* at least every normal float below 2^111 in magnitude, and 0, -0 */
    g_assert_cmpuint(finite, >=, 2 * (guint64)(111 + 126) * (1u << 23) + 2);
    /* a subnormal is where it is wrong: the reason for the range check */
    g_assert_cmphex(bits_of(split(float_of(1))), !=, round_bits(1));
}

/* ---- the kernels ---- */

typedef enum { NORMAL, SPREAD, TINY, HUGE, SPECIAL } Data;

static const char *const data_names[] = {"normal", "spread", "tiny", "huge",
                                         "special"};

/* n values of `data`, rounded to `type`, for operand `which` (0: A). */
static double *values(Data data, NlPrecision type, int which, guint64 seed,
                      gsize n)
{
    double *v = g_new(double, MAX(n, 1));
    NlRng rng;
    nl_rng_init(&rng, seed);
    for (gsize i = 0; i < n; i++) {
        double x = nl_rng_normal(&rng);
        switch (data) {
        case NORMAL:
            break;
        case SPREAD: /* 2^-50 .. 2^20 */
            x = ldexp(x, (int)nl_rng_below(&rng, 71) - 50);
            break;
        case TINY: /* products near 2^-126 and below: subnormal sums */
            x = ldexp(x, which == 0 ? -60 : -64);
            break;
        case HUGE: /* products near 2^124: some chains overflow */
            x = ldexp(x, 62);
            break;
        case SPECIAL: /* a few infinities and NaNs among normal values */
            if (nl_rng_below(&rng, 97) == 0)
                x = nl_rng_below(&rng, 2) ? INFINITY : -INFINITY;
            else if (nl_rng_below(&rng, 97) == 0)
                x = NAN;
            break;
        }
        v[i] = nl_precision_round(type, x);
    }
    return v;
}

typedef struct {
    NlPrecision type;
    Data data;
} Case;

/* C = A B in `type` accumulation on each backend, against the reference,
 * for shapes with fringe tiles and k across KC slices (256). */
static void test_gemm(gconstpointer p)
{
    const Case *c = p;
    static const gsize shapes[][3] = {
        {1, 1, 1},     {6, 16, 7},    {7, 17, 33},
        {13, 37, 300}, {40, 70, 600}, {64, 64, 256},
    };
    for (guint s = 0; s < G_N_ELEMENTS(shapes); s++) {
        gsize m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        gsize lda = k + 3, ldb = n + 2, ldc = n + 1;
        gsize la = (m - 1) * lda + k, lb = (k - 1) * ldb + n;
        g_autofree double *a = values(c->data, c->type, 0, 100 + s, la);
        g_autofree double *b = values(c->data, c->type, 1, 200 + s, lb);
        /* the reference on the same stored values */
        gsize size = nl_precision_size(c->type);
        g_autofree char *sa = g_malloc(la * size), *sb = g_malloc(lb * size);
        for (gsize i = 0; i < la; i++)
            nl_array_set(c->type, sa, i, a[i]);
        for (gsize i = 0; i < lb; i++)
            nl_array_set(c->type, sb, i, b[i]);
        g_autofree float *want = g_new0(float, m *ldc);
        nl_ref_gemm_in(c->type, m, n, k, (NlArray){c->type, sa}, lda,
                       (NlArray){c->type, sb}, ldb, NL_PRECISION_F32, want,
                       ldc);
        for (guint t = 0; t < G_N_ELEMENTS(backends); t++) {
            NlBackend *be = backends[t];
            g_autoptr(GError) error = NULL;
            NlBuffer *ba = nl_backend_new_as(be, c->type, a, la, &error);
            NlBuffer *bb = nl_backend_new_as(be, c->type, b, lb, &error);
            NlBuffer *bc = nl_backend_alloc(be, m * ldc, &error);
            g_assert_no_error(error);
            g_assert_true(nl_backend_gemm_in(be, m, n, k, ba, lda, bb, ldb, bc,
                                             ldc, c->type, &error));
            g_assert_no_error(error);
            g_assert_false(nl_backend_last_was_reference(be));
            g_autofree float *got = g_new0(float, m *ldc);
            g_assert_true(nl_backend_download(be, bc, got, m * ldc, &error));
            for (gsize i = 0; i < m; i++)
                for (gsize j = 0; j < n; j++) {
                    float g = got[i * ldc + j], w = want[i * ldc + j];
                    if ((isnan(g) && isnan(w)) || bits_of(g) == bits_of(w))
                        continue;
                    g_error("%s %s %s m=%zu n=%zu k=%zu: c[%zu][%zu] = %a, "
                            "the reference's %a",
                            nl_backend_label(be), nl_precision_name(c->type),
                            data_names[c->data], m, n, k, i, j, g, w);
                }
            nl_backend_free(be, ba);
            nl_backend_free(be, bb);
            nl_backend_free(be, bc);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_autoptr(NlRegistry) r = nl_registry_new();
    nl_registry_scan(r, NL_BUILDDIR "/backends", TRUE);
    g_test_add_func("/openmp-gemm16/split", test_split);
    g_autofree char *why = NULL;
    static const char *const specs[] = {"openmp:threads=1", "openmp:threads=2"};
    if (!nl_registry_find(r, NL_PLUGIN_BACKEND, "openmp"))
        why = g_strdup("the openmp backend is not built");
    for (guint t = 0; !why && t < G_N_ELEMENTS(specs); t++) {
        g_autoptr(GError) error = NULL;
        backends[t] = nl_backend_open_spec(r, specs[t], NULL, &error);
        if (!backends[t]) /* a CPU without AVX2 and FMA */
            why = g_strdup_printf("%s: %s", specs[t], error->message);
    }
    if (why) {
        g_test_add_data_func_full("/openmp-gemm16/gemm", g_steal_pointer(&why),
                                  (GTestDataFunc)g_test_skip, g_free);
        int rc = g_test_run();
        if (backends[0])
            nl_backend_close(backends[0]);
        return rc;
    }
    static const Case cases[] = {
        {NL_PRECISION_BF16, NORMAL},  {NL_PRECISION_BF16, SPREAD},
        {NL_PRECISION_BF16, TINY},    {NL_PRECISION_BF16, HUGE},
        {NL_PRECISION_BF16, SPECIAL}, {NL_PRECISION_F16, NORMAL},
        {NL_PRECISION_F16, SPREAD},   {NL_PRECISION_F16, SPECIAL},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf(
            "/openmp-gemm16/%s/%s", nl_precision_name(cases[i].type),
            data_names[cases[i].data]);
        g_test_add_data_func(path, &cases[i], test_gemm);
    }
    int rc = g_test_run();
    for (guint t = 0; t < G_N_ELEMENTS(backends); t++)
        nl_backend_close(backends[t]);
    return rc;
}
