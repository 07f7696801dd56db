/* selfcheck.c — no backend computes a result before it has proved its
 * kernels on this machine.
 *
 * Every backend the host opens runs the cases of selfcheck-cases.c through
 * the same nl_backend_* calls the experiments make, so in-tree, CUDA and
 * out-of-tree backends are all checked alike. A kernel that fails is
 * offered to the backend's substitute() hook; the substitute is checked
 * again. What still fails is marked unusable in the NlBackend, and every
 * later call of it fails with the reason, so a job that needs it fails and
 * the other jobs run. The result is kept per backend label for the life of
 * the process: `numlab run all` checks each backend once, and a backend
 * opened again gets the same substitutions and marks without a rerun.
 *
 * A kernel the backend lacks runs as libnumlab's reference kernel when its
 * buffers are host memory (lib/backend.c). It is checked too, through the
 * same calls: the reference is right, but only if the backend's buffers
 * really hold their values in host memory. It is listed as "reference".
 * copy on host memory is the exception, as before: a memmove, covered by
 * the buffers' round trip, and not checked.
 *
 * It checks values, not speed, and it cannot catch a kernel that is wrong
 * only beyond the sizes it tries; experiments that know the exact value
 * guard against that themselves (nl_run_fault). */
#include "config.h"

#include "host.h"
#include "selfcheck-cases.h"

#include <math.h>
#include <stdio.h>

/* ---- one case ---- */

typedef struct {
    NlBuffer *x, *y, *out; /* each holds the largest case plus padding */
    float *scratch;        /* host staging, as large as the largest */
    float *got;
} Workspace;

static float nan_bits(guint32 bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* v[0..n) followed by NL_CHECK_PAD poison values. */
static gboolean upload_padded(NlBackend *b, NlBuffer *buf, float *scratch,
                              const float *v, gsize n, GError **error)
{
    if (n)
        memcpy(scratch, v, n * sizeof(float));
    for (gsize i = 0; i < NL_CHECK_PAD; i++)
        scratch[n + i] = nan_bits(NL_CHECK_NAN_BITS);
    return nl_backend_upload(b, buf, scratch, n + NL_CHECK_PAD, error);
}

static gboolean call_kernel(NlBackend *b, Workspace *w, const CheckCase *c,
                            GError **error)
{
    NlBuffer *out = c->in_place ? w->x : w->out;
    switch (c->kernel) {
    case NL_KERNEL_SUM:
        return nl_backend_sum(b, w->x, c->n, &w->got[0], error);
    case NL_KERNEL_DOT:
        return nl_backend_dot(b, w->x, w->y, c->n, &w->got[0], error);
    case NL_KERNEL_GEMV:
        return nl_backend_gemv(b, c->m, c->n, w->x, c->lda, w->y, out, error);
    case NL_KERNEL_GEMM:
        return nl_backend_gemm(b, c->m, c->n, c->k, w->x, c->lda, w->y, c->ldb,
                               out, c->ldc, error);
    case NL_KERNEL_SOFTMAX:
        return nl_backend_softmax(b, w->x, out, c->n, c->temperature, error);
    case NL_KERNEL_TILED_SUM:
        return nl_backend_tiled_sum(b, w->x, c->n, c->tile, &w->got[0], error);
    case NL_KERNEL_COPY:
        return nl_backend_copy(b, out, w->x, c->n, error);
    case NL_N_KERNELS:
        break;
    }
    g_assert_not_reached();
}

/* ": y[3] ", ": c[2][5] ", ": p[7] ", or " " for a scalar result: what
 * follows the case's shape in a message. */
static char *element_name(const CheckCase *c, gsize i)
{
    switch (c->kernel) {
    case NL_KERNEL_GEMV:
        return g_strdup_printf(": y[%zu] ", i);
    case NL_KERNEL_GEMM:
        return g_strdup_printf(": c[%zu][%zu] ", i / c->ldc, i % c->ldc);
    case NL_KERNEL_SOFTMAX:
        return g_strdup_printf(": p[%zu] ", i);
    case NL_KERNEL_COPY:
        return g_strdup_printf(": dst[%zu] ", i);
    default:
        return g_strdup(" ");
    }
}

/* NULL when every result is what it must be; else the first that is not.
 * Numbers are written with a decimal point whatever the locale. */
static char *judge(const CheckCase *c, const float *got)
{
    for (gsize i = 0; i < c->out_len; i++) {
        const Want *w = &c->want[i];
        float g = got[i];
        g_autofree char *what = NULL;
        NlNumText gt, et, bt;
        switch (w->kind) {
        case WANT_NEAR:
            if (nl_within_bound(g, w->exact, w->bound))
                continue;
            what = element_name(c, i);
            if (w->bound == 0.0)
                return g_strdup_printf("%s%sgives %s, exact %s (exact in "
                                       "every order)",
                                       c->shape, what, nl_format_g(&gt, g, 9),
                                       nl_format_g(&et, w->exact, 9));
            return g_strdup_printf("%s%sgives %s, exact %s, error bound %s",
                                   c->shape, what, nl_format_g(&gt, g, 9),
                                   nl_format_g(&et, w->exact, 9),
                                   nl_format_g(&bt, w->bound, 2));
        case WANT_NAN:
            if (isnan(g))
                continue;
            what = element_name(c, i);
            return g_strdup_printf("%s%sgives %s, not the NaN of its input",
                                   c->shape, what, nl_format_g(&gt, g, 9));
        case WANT_BITS:
            if (nl_f32_bits(g) == w->bits)
                continue;
            what = element_name(c, i);
            if (w->bits == NL_CHECK_NAN_BITS)
                return g_strdup_printf("%s%swas written (%s): it lies "
                                       "outside the result",
                                       c->shape, what, nl_format_g(&gt, g, 9));
            return g_strdup_printf("%s%sis %s, the source holds %s", c->shape,
                                   what, nl_format_g(&gt, g, 9),
                                   nl_format_g(&et, nan_bits(w->bits), 9));
        }
    }
    return NULL;
}

static char *run_case(NlBackend *b, Workspace *w, const CheckCase *c)
{
    g_autoptr(GError) error = NULL;
    gboolean ok =
        upload_padded(b, w->x, w->scratch, c->x, c->x_len, &error) &&
        (!c->y || upload_padded(b, w->y, w->scratch, c->y, c->y_len, &error));
    if (ok && c->out_len > 1 && !c->in_place) {
        for (gsize i = 0; i < c->out_len; i++)
            w->scratch[i] = nan_bits(NL_CHECK_NAN_BITS);
        ok = nl_backend_upload(b, w->out, w->scratch, c->out_len, &error);
    }
    if (!ok)
        return g_strdup_printf("%s: its buffers cannot be filled: %s", c->shape,
                               error->message);
    w->got[0] = nan_bits(NL_CHECK_NAN_BITS);
    if (!call_kernel(b, w, c, &error))
        return g_strdup_printf("%s: the kernel fails: %s", c->shape,
                               error ? error->message : "no reason given");
    if (c->out_len > 1 && !nl_backend_download(b, c->in_place ? w->x : w->out,
                                               w->got, c->out_len, &error))
        return g_strdup_printf("%s: its result cannot be read: %s", c->shape,
                               error->message);
    return judge(c, w->got);
}

/* The first failure among the kernel's cases, or NULL. */
static char *check_kernel(NlBackend *b, Workspace *w, NlKernel kernel,
                          guint *n_run)
{
    const CheckCases *cc = nl_check_cases();
    for (guint i = 0; i < cc->cases->len; i++) {
        const CheckCase *c = cc->cases->pdata[i];
        if (c->kernel != kernel)
            continue;
        (*n_run)++;
        char *failure = run_case(b, w, c);
        if (failure)
            return failure;
    }
    return NULL;
}

/* Uploads n values and downloads them again: the same bits, or why not. */
static char *round_trip(NlBackend *b, Workspace *w, const float *src, gsize n)
{
    g_autoptr(GError) error = NULL;
    if (!nl_backend_upload(b, w->x, src, n, &error) ||
        !nl_backend_download(b, w->x, w->scratch, n, &error))
        return g_strdup_printf("its buffers fail: n=%zu: %s", n,
                               error->message);
    for (gsize i = 0; i < n; i++) {
        if (nl_f32_bits(w->scratch[i]) == nl_f32_bits(src[i]))
            continue;
        NlNumText back, up;
        return g_strdup_printf("its buffers do not keep their values: n=%zu: "
                               "element %zu comes back as %s, uploaded %s",
                               n, i, nl_format_g(&back, w->scratch[i], 9),
                               nl_format_g(&up, src[i], 9));
    }
    return NULL;
}

/* Every length to 64, and a long one, must come back as it went in:
 * otherwise no kernel's result can be trusted. */
static char *check_buffers(NlBackend *b, Workspace *w)
{
    gsize cap = MIN(nl_check_cases()->max_x, (gsize)65543);
    NlRng rng;
    nl_rng_init(&rng, 7);
    g_autofree float *src = g_new(float, cap);
    nl_rng_fill_normal_f32(&rng, src, cap);
    char *failure = NULL;
    for (gsize n = 1; n <= MIN(cap, 64) && !failure; n++)
        failure = round_trip(b, w, src, n);
    return failure ? failure : round_trip(b, w, src, cap);
}

static gboolean workspace_open(NlBackend *b, Workspace *w, GError **error)
{
    const CheckCases *cc = nl_check_cases();
    gsize most = MAX(MAX(cc->max_x, cc->max_y), cc->max_out) + NL_CHECK_PAD;
    w->scratch = g_new(float, most);
    w->got = g_new(float, most);
    w->x = nl_backend_alloc(b, cc->max_x + NL_CHECK_PAD, error);
    w->y = w->x ? nl_backend_alloc(b, cc->max_y + NL_CHECK_PAD, error) : NULL;
    w->out =
        w->y ? nl_backend_alloc(b, cc->max_out + NL_CHECK_PAD, error) : NULL;
    return w->out != NULL;
}

static void workspace_close(NlBackend *b, Workspace *w)
{
    nl_backend_free(b, w->x);
    nl_backend_free(b, w->y);
    nl_backend_free(b, w->out);
    g_free(w->scratch);
    g_free(w->got);
}

/* ---- one backend ---- */

static void self_check_free(gpointer p)
{
    NlSelfCheck *sc = p;
    for (int k = 0; k < NL_N_KERNELS; k++) {
        g_free(sc->failure[k]);
        g_free(sc->substitute[k]);
        for (int a = 0; a < NL_N_PRECISIONS; a++)
            g_free(sc->failure_in[k][a]);
    }
    g_free(sc->summary);
    g_free(sc->summary_in);
    g_free(sc->unavailable);
    g_free(sc->kept);
    g_ptr_array_unref(sc->lines);
    g_free(sc);
}

/* "this CPU (AMD EPYC; OpenBLAS 0.3.21, core Cooperlake, ...)" or
 * "this device (NVIDIA ...; CUDA ...)": where the verdict holds. */
static char *where(const NlBackend *b)
{
    const NlBackendInfo *info = nl_backend_info(b);
    if (g_strcmp0(info->device, "CPU") == 0)
        return g_strdup_printf("this CPU (%s; %s)", nl_host_cpu_model(),
                               info->library);
    return g_strdup_printf("this device (%s; %s)", info->device, info->library);
}

/* The one-line result: "passed: sum dot ...; substituted: ...". */
static char *summarize(const NlSelfCheck *sc)
{
    GString *s = g_string_new(NULL);
    for (int state = NL_CHECK_PASSED; state <= NL_CHECK_UNUSABLE; state++) {
        GString *names = g_string_new(NULL);
        const char *detail = NULL;
        for (int k = 0; k < NL_N_KERNELS; k++)
            if ((int)sc->state[k] == state) {
                g_string_append_printf(names, "%s%s", names->len ? " " : "",
                                       nl_kernel_name(k));
                if (!detail)
                    detail = state == NL_CHECK_SUBSTITUTED ? sc->substitute[k]
                                                           : sc->failure[k];
            }
        if (names->len) {
            static const char *const heads[] = {
                [NL_CHECK_PASSED] = "passed",
                [NL_CHECK_REFERENCE] = "reference",
                [NL_CHECK_SUBSTITUTED] = "substituted",
                [NL_CHECK_UNUSABLE] = "unusable",
            };
            g_string_append_printf(s, "%s%s: %s", s->len ? "; " : "",
                                   heads[state], names->str);
            if (state > NL_CHECK_REFERENCE && detail)
                g_string_append_printf(s, " (%s)", detail);
        }
        g_string_free(names, TRUE);
    }
    if (!s->len)
        g_string_append(s, "no kernels");
    return g_string_free(s, FALSE);
}

/* Marks the unusable kernels and re-reads describe(): what the jobs see. */
static void apply(NlBackend *b, const NlSelfCheck *sc)
{
    for (int k = 0; k < NL_N_KERNELS; k++)
        if (sc->state[k] == NL_CHECK_UNUSABLE) {
            g_autofree char *why = where(b);
            g_autofree char *reason = g_strdup_printf(
                "it fails its self-check on %s: %s", why, sc->failure[k]);
            nl_backend_set_unusable(b, k, reason);
        }
    for (int k = 0; k < NL_N_KERNELS; k++)
        for (int p = 0; p < NL_N_PRECISIONS; p++)
            if (sc->state_in[k][p] == NL_CHECK_UNUSABLE) {
                g_autofree char *why = where(b);
                g_autofree char *reason =
                    g_strdup_printf("it fails its self-check on %s: %s", why,
                                    sc->failure_in[k][p]);
                nl_backend_set_unusable_in(b, k, (NlPrecision)p, reason);
            }
    nl_backend_redescribe(b);
}

static NlSelfCheck *check_fresh(NlBackend *b)
{
    NlSelfCheck *sc = g_new0(NlSelfCheck, 1);
    sc->lines = g_ptr_array_new_with_free_func(g_free);
    nl_check_cases(); /* built once per process, not this backend's cost */
    double t0 = nl_time_now();
    g_autoptr(GError) error = NULL;
    Workspace w = {0};
    char *broken = NULL; /* a failure that concerns every kernel */
    if (!workspace_open(b, &w, &error) &&
        g_error_matches(error, NL_BACKEND_ERROR,
                        NL_BACKEND_ERROR_UNAVAILABLE)) {
        workspace_close(b, &w);
        sc->unavailable = g_strdup(error->message);
        sc->summary = g_strdup("unavailable");
        sc->summary_in = g_strdup("");
        sc->seconds = nl_time_now() - t0;
        return sc;
    }
    if (error)
        broken = g_strdup_printf("the self-check cannot allocate its "
                                 "buffers: %s",
                                 error->message);
    else
        broken = check_buffers(b, &w);

    gboolean on_host =
        w.x && w.x->host && (!w.y || w.y->host) && (!w.out || w.out->host);
    for (int k = 0; k < NL_N_KERNELS; k++) {
        if (nl_backend_provides(b, k)) {
            sc->failure[k] = broken ? g_strdup(broken)
                                    : check_kernel(b, &w, k, &sc->n_cases);
            sc->state[k] = sc->failure[k] ? NL_CHECK_UNUSABLE : NL_CHECK_PASSED;
        } else if (on_host && k != NL_KERNEL_COPY) {
            g_autofree char *failure =
                broken ? g_strdup(broken)
                       : check_kernel(b, &w, k, &sc->n_cases);
            if (failure)
                sc->failure[k] = g_strdup_printf(
                    "libnumlab's reference on the backend's buffers: %s",
                    failure);
            sc->state[k] = failure ? NL_CHECK_UNUSABLE : NL_CHECK_REFERENCE;
        } else {
            sc->state[k] = NL_CHECK_ABSENT;
        }
    }
    /* Every kernel as the module shipped it is judged before any
     * substitution changes what another one runs. */
    gboolean substituted = FALSE;
    for (int k = 0; k < NL_N_KERNELS && !broken; k++) {
        if (sc->state[k] != NL_CHECK_UNUSABLE || !nl_backend_provides(b, k))
            continue;
        const char *sub = nl_backend_substitute(b, k);
        if (!sub)
            continue;
        sc->substitute[k] = g_strdup(sub);
        sc->state[k] = NL_CHECK_SUBSTITUTED;
        substituted = TRUE;
    }
    /* A substitute may share code with kernels checked before it: after
     * any substitution, every kernel is checked again as it now runs. */
    for (int k = 0; substituted && k < NL_N_KERNELS; k++) {
        if (sc->state[k] != NL_CHECK_PASSED &&
            sc->state[k] != NL_CHECK_SUBSTITUTED)
            continue;
        char *again = check_kernel(b, &w, k, &sc->n_cases);
        if (!again)
            continue;
        if (sc->state[k] == NL_CHECK_SUBSTITUTED) {
            char *both =
                g_strdup_printf("%s; its substitute (%s) fails too: "
                                "%s",
                                sc->failure[k], sc->substitute[k], again);
            g_free(sc->failure[k]);
            g_free(again);
            sc->failure[k] = both;
        } else {
            sc->failure[k] = again;
        }
        sc->state[k] = NL_CHECK_UNUSABLE;
    }
    workspace_close(b, &w);
    if (!broken)
        nl_self_check_precisions(b, on_host, sc);
    else
        sc->summary_in = g_strdup("");
    g_free(broken);
    sc->seconds = nl_time_now() - t0;

    apply(b, sc);
    g_autofree char *place = where(b);
    for (int k = 0; k < NL_N_KERNELS; k++) {
        if (sc->state[k] == NL_CHECK_SUBSTITUTED)
            g_ptr_array_add(
                sc->lines,
                g_strdup_printf(
                    "%s: %s fails its self-check on %s: %s; substituted: %s, "
                    "which passes",
                    nl_backend_label(b), nl_kernel_name(k), place,
                    sc->failure[k], sc->substitute[k]));
        else if (sc->state[k] == NL_CHECK_UNUSABLE)
            g_ptr_array_add(sc->lines,
                            g_strdup_printf("%s: %s fails its self-check on "
                                            "%s: %s; it is unusable, and "
                                            "the jobs that need it fail",
                                            nl_backend_label(b),
                                            nl_kernel_name(k), place,
                                            sc->failure[k]));
    }
    for (int k = 0; k < NL_N_KERNELS; k++)
        for (int a = 0; a < NL_N_PRECISIONS; a++)
            if (sc->state_in[k][a] == NL_CHECK_UNUSABLE)
                g_ptr_array_add(
                    sc->lines,
                    g_strdup_printf("%s: %s in %s fails its self-check on "
                                    "%s: %s; it is unusable, and the jobs "
                                    "that need it fail",
                                    nl_backend_label(b), nl_kernel_name(k),
                                    nl_precision_name((NlPrecision)a), place,
                                    sc->failure_in[k][a]));
    sc->summary = summarize(sc);
    return sc;
}

/* The same result on a new instance of the backend: the substitutions
 * again, the same kernels unusable. */
static void recall(NlBackend *b, NlSelfCheck *sc)
{
    for (int k = 0; k < NL_N_KERNELS; k++)
        if (sc->state[k] == NL_CHECK_SUBSTITUTED &&
            !nl_backend_substitute(b, k)) {
            /* the module changed its mind: never compute with the original */
            sc->state[k] = NL_CHECK_UNUSABLE;
            g_free(sc->summary);
            sc->summary = summarize(sc);
        }
    apply(b, sc);
}

/* The verdicts of this process: "plugin\nlabel" -> NlSelfCheck. */
static GHashTable *verdicts(void)
{
    static GHashTable *done;
    if (!done)
        done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     self_check_free);
    return done;
}

static char *verdict_key(const char *plugin, const char *label)
{
    return g_strdup_printf("%s\n%s", plugin, label);
}

const NlSelfCheck *nl_self_check(NlBackend *b, gboolean *fresh)
{
    GHashTable *done = verdicts();
    g_autofree char *key =
        verdict_key(nl_backend_plugin(b)->name, nl_backend_label(b));
    NlSelfCheck *sc = g_hash_table_lookup(done, key);
    if (fresh)
        *fresh = sc == NULL;
    if (sc) {
        recall(b, sc);
        return sc;
    }
    sc = check_fresh(b);
    nl_backend_clear_fallbacks(b); /* its calls are not a job's */
    g_hash_table_insert(done, g_steal_pointer(&key), sc);
    return sc;
}

gboolean nl_self_check_known(const char *plugin, const char *label)
{
    g_autofree char *key = verdict_key(plugin, label);
    return g_hash_table_contains(verdicts(), key);
}

NlBackend *nl_backend_open_checked(const NlPlugin *plugin, const char *label,
                                   const NlParams *options,
                                   const NlSelfCheck **check, GError **error)
{
    if (!nl_self_check_in_child(plugin, label ? label : plugin->name, error))
        return NULL;
    gpointer self = plugin->backend->open(options, error);
    if (!self)
        return NULL;
    NlBackend *b = nl_backend_wrap(plugin, label, self);
    const NlSelfCheck *sc = nl_self_check(b, NULL);
    if (sc->unavailable) {
        nl_backend_close(b);
        nl_fail(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_UNAVAILABLE, "%s",
                sc->unavailable);
        return NULL;
    }
    if (check)
        *check = sc;
    return b;
}

NlParams *nl_backend_parse_spec(NlRegistry *r, const char *spec,
                                const NlPluginEntry **entry, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(spec, ":", -1);
    const char *name = parts[0] ? parts[0] : ""; /* "" splits into nothing */
    const NlPluginEntry *e = nl_registry_find(r, NL_PLUGIN_BACKEND, name);
    if (!e) {
        g_autofree char *known = nl_registry_names(r, NL_PLUGIN_BACKEND);
        nl_fail(error, NL_ERROR, NL_ERROR_PLUGIN,
                "unknown backend '%s' (known: %s)", name,
                *known ? known : "none");
        return NULL;
    }
    if (entry)
        *entry = e;
    return nl_params_parse(e->plugin->backend->options, parts[0], parts + 1,
                           error);
}

NlBackend *nl_backend_open_spec(NlRegistry *r, const char *spec,
                                const NlSelfCheck **check, GError **error)
{
    const NlPluginEntry *e = NULL;
    /* backends read their options in open(); none keeps them */
    g_autoptr(NlParams) options = nl_backend_parse_spec(r, spec, &e, error);
    if (!options)
        return NULL;
    g_autoptr(GError) open_error = NULL;
    NlBackend *b =
        nl_backend_open_checked(e->plugin, spec, options, check, &open_error);
    if (!b) {
        if (open_error)
            g_propagate_error(error, g_steal_pointer(&open_error));
        else
            g_set_error(error, NL_BACKEND_ERROR, NL_BACKEND_ERROR_FAILED,
                        "open() failed without a reason");
    }
    return b;
}

void nl_self_check_print_once(const NlSelfCheck *check)
{
    NlSelfCheck *sc = (NlSelfCheck *)check;
    if (sc->printed)
        return;
    sc->printed = TRUE;
    for (guint i = 0; i < sc->lines->len; i++)
        g_printerr("numlab: %s\n", (char *)sc->lines->pdata[i]);
}

/* ---- a verdict handed to another process ---- */

void nl_self_check_save(const NlSelfCheck *sc, GKeyFile *kf, const char *group)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_key_file_set_string(kf, group, "summary", sc->summary);
    g_key_file_set_value(kf, group, "seconds",
                         g_ascii_dtostr(buf, sizeof buf, sc->seconds));
    g_key_file_set_uint64(kf, group, "cases", sc->n_cases);
    g_key_file_set_string_list(kf, group, "lines",
                               (const char *const *)sc->lines->pdata,
                               sc->lines->len);
    for (int k = 0; k < NL_N_KERNELS; k++) {
        const char *name = nl_kernel_name(k);
        g_autofree char *state = g_strdup_printf("%s_state", name);
        g_key_file_set_integer(kf, group, state, sc->state[k]);
        g_autofree char *failure = g_strdup_printf("%s_failure", name);
        if (sc->failure[k])
            g_key_file_set_string(kf, group, failure, sc->failure[k]);
        g_autofree char *substitute = g_strdup_printf("%s_substitute", name);
        if (sc->substitute[k])
            g_key_file_set_string(kf, group, substitute, sc->substitute[k]);
        for (int p = 0; p < NL_N_PRECISIONS; p++) {
            const char *acc = nl_precision_name((NlPrecision)p);
            g_autofree char *state_in =
                g_strdup_printf("%s_in_%s_state", name, acc);
            g_key_file_set_integer(kf, group, state_in, sc->state_in[k][p]);
            g_autofree char *failure_in =
                g_strdup_printf("%s_in_%s_failure", name, acc);
            if (sc->failure_in[k][p])
                g_key_file_set_string(kf, group, failure_in,
                                      sc->failure_in[k][p]);
        }
    }
    g_key_file_set_string(kf, group, "summary_in", sc->summary_in);
    if (sc->kept)
        g_key_file_set_string(kf, group, "kept", sc->kept);
}

gboolean nl_self_check_adopt(GKeyFile *kf, const char *group,
                             const char *plugin, const char *label,
                             gboolean said, GError **error)
{
    NlSelfCheck *sc = g_new0(NlSelfCheck, 1);
    sc->lines = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) lines =
        g_key_file_get_string_list(kf, group, "lines", NULL, NULL);
    for (char **l = lines; l && *l; l++)
        g_ptr_array_add(sc->lines, g_strdup(*l));
    sc->printed = said;
    g_autoptr(GError) local = NULL;
    sc->summary = g_key_file_get_string(kf, group, "summary", &local);
    g_autofree char *seconds = g_key_file_get_value(kf, group, "seconds", NULL);
    sc->seconds = seconds ? g_ascii_strtod(seconds, NULL) : 0.0;
    sc->n_cases = (guint)g_key_file_get_uint64(kf, group, "cases", NULL);
    sc->kept = g_key_file_get_string(kf, group, "kept", NULL);
    for (int k = 0; k < NL_N_KERNELS && !local; k++) {
        const char *name = nl_kernel_name(k);
        g_autofree char *state = g_strdup_printf("%s_state", name);
        int v = g_key_file_get_integer(kf, group, state, &local);
        if (!local && (v < NL_CHECK_ABSENT || v > NL_CHECK_UNUSABLE))
            g_set_error(&local, G_KEY_FILE_ERROR,
                        G_KEY_FILE_ERROR_INVALID_VALUE, "bad %s", state);
        sc->state[k] = v;
        g_autofree char *failure = g_strdup_printf("%s_failure", name);
        sc->failure[k] = g_key_file_get_string(kf, group, failure, NULL);
        g_autofree char *substitute = g_strdup_printf("%s_substitute", name);
        sc->substitute[k] = g_key_file_get_string(kf, group, substitute, NULL);
        if (!local && v >= NL_CHECK_SUBSTITUTED && !sc->failure[k])
            g_set_error(&local, G_KEY_FILE_ERROR,
                        G_KEY_FILE_ERROR_INVALID_VALUE, "%s without a failure",
                        state);
        for (int p = 0; p < NL_N_PRECISIONS && !local; p++) {
            const char *acc = nl_precision_name((NlPrecision)p);
            g_autofree char *state_in =
                g_strdup_printf("%s_in_%s_state", name, acc);
            int w = g_key_file_get_integer(kf, group, state_in, &local);
            if (!local && (w < NL_CHECK_ABSENT || w > NL_CHECK_UNUSABLE))
                g_set_error(&local, G_KEY_FILE_ERROR,
                            G_KEY_FILE_ERROR_INVALID_VALUE, "bad %s", state_in);
            sc->state_in[k][p] = w;
            g_autofree char *failure_in =
                g_strdup_printf("%s_in_%s_failure", name, acc);
            sc->failure_in[k][p] =
                g_key_file_get_string(kf, group, failure_in, NULL);
            if (!local && w == NL_CHECK_UNUSABLE && !sc->failure_in[k][p])
                g_set_error(&local, G_KEY_FILE_ERROR,
                            G_KEY_FILE_ERROR_INVALID_VALUE,
                            "%s without a failure", state_in);
        }
    }
    if (!local)
        sc->summary_in = g_key_file_get_string(kf, group, "summary_in", &local);
    if (local) {
        self_check_free(sc);
        return nl_fail(error, NL_ERROR, NL_ERROR_JOB,
                       "the self-check handed to the job: %s", local->message);
    }
    g_hash_table_replace(verdicts(), verdict_key(plugin, label), sc);
    return TRUE;
}
