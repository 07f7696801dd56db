/* devices.c — figure A8, "how many GPUs?": the same row of a product, the
 * same sum and the lecture MiniGPT's logits after each prompt, computed
 * on every backend job of the run, and which outputs change from the
 * first job, by how many ULPs, and whether the most likely next word
 * changes.
 *
 * Made for the mpi backend at several rank counts and allreduce
 * algorithms (./quickstart.sh runs mpi:ranks=1 first, then 2, 3, 4, 6, 8,
 * each algorithm, and invariant=1 at each rank count), where every job
 * splits the same reductions differently; any backends can be compared.
 * Common phase: the lecture model trained on the host with the run's
 * seed, and what is the same for every job, computed once: the exact
 * values of the row and the sum in each mode (numlab/exact.h, rounded
 * once) and the host's logits after each prompt (naive order); all kept
 * for the jobs. Per job: row 0 of C = A B (A 1 x k, B k x cols) by gemm,
 * the sum of n values, and the logits after each prompt on the model's
 * weights resident on the backend, against those references. Compare
 * phase: every job against the first.
 *
 * Each mode of the parameter `precision` (MiniGPT's names: float32,
 * layercast, bfloat16, bfloat16-pure, float16) does all of it again with
 * the inputs stored in its activation type, the product's B in its weight
 * type, every sum accumulated in its accumulation precision (the _in
 * kernels) and the outputs stored in the activation type; ULPs are that
 * type's. float32 writes a8-outputs, a8-argmax and a8-jobs; every mode,
 * float32 first, a dataset of a8-precision. */
#include "config.h"

#include <numlab-minigpt/lecture.h>
#include <numlab-minigpt/minigpt.h>
#include <numlab/numlab.h>

#include <math.h>
#include <string.h>

#define fail(error, ...)                                                       \
    nl_fail(error, NL_GPT_ERROR, NL_GPT_ERROR_CONFIG, __VA_ARGS__)

/* ---- common: the model ---- */

typedef struct {
    NlRun *run;
    guint32 steps;
} Training;

static void training_progress(guint32 step, double loss, gpointer data)
{
    const Training *t = data;
    (void)loss;
    if (step % 10 == 0)
        nl_run_progress(t->run, (double)step / t->steps,
                        "training the lecture model");
}

/* The prompts as tokens; FALSE with the prompt that does not encode. */
static gboolean encode(const NlGpt *m, const char *prompt, guint32 **tok,
                       gsize *n, GError **error)
{
    g_autoptr(GError) local = NULL;
    if (!nl_gpt_vocab_encode(m->vocab, prompt, FALSE, tok, n, &local))
        return fail(error, "parameter 'prompts': %s", local->message);
    if (*n == 0 || *n > m->config.context)
        return fail(error,
                    "parameter 'prompts': '%s' has %" G_GSIZE_FORMAT
                    " words; 1 to %u fit",
                    prompt, *n, m->config.context);
    return TRUE;
}

/* What the common phase keeps: the model's checkpoint, per mode the exact
 * row (cols values) and sum as the mode's outputs are rounded, and per
 * prompt the host's V logits after it. */
#define KEPT "(ayauau)" /* floats as their bits: GVariant has no float */

typedef struct {
    GVariant *kept, *exact_v, *host_v;
    NlGpt *model;
    const float *exact; /* per mode: cols row values, then the sum */
    gsize n_exact;
    const float *host; /* per prompt: the host's logits after it */
    gsize n_host;
} Common;

static void common_clear(Common *c);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Common, common_clear)

static void common_clear(Common *c)
{
    g_clear_pointer(&c->model, nl_gpt_free);
    g_clear_pointer(&c->exact_v, g_variant_unref);
    g_clear_pointer(&c->host_v, g_variant_unref);
    g_clear_pointer(&c->kept, g_variant_unref);
}

/* The stored inputs of a mode, drawn from the run's stream: A's row in
 * the activation type, B in the weight type, the n values in the
 * activation type, each a float rounded once to its type. Every phase
 * draws them in the same order from the same seed, so the common phase
 * and each job hold the same values. */
static void draw_inputs(NlRng *rng, NlGptPrecision mode, float *a, gsize k,
                        float *bm, gsize cols, float *x, gsize n)
{
    nl_rng_fill_normal_f32(rng, a, k);
    nl_rng_fill_normal_f32(rng, bm, k * cols);
    nl_rng_fill_normal_f32(rng, x, n);
    for (gsize i = 0; i < k; i++)
        a[i] = (float)nl_precision_round(mode.acts, a[i]);
    for (gsize i = 0; i < k * cols; i++)
        bm[i] = (float)nl_precision_round(mode.weights, bm[i]);
    for (gsize i = 0; i < n; i++)
        x[i] = (float)nl_precision_round(mode.acts, x[i]);
}

/* The exact value rounded once to the output's type: MPFR-exact
 * (numlab/exact.h) to float32, or to float64 and then to the 16-bit type
 * (once, but in a tie of the type beyond float64's bits). */
static float exact_in(NlPrecision acts, double exact_f64, float exact_f32)
{
    return acts == NL_PRECISION_F32
               ? exact_f32
               : (float)nl_precision_round(acts, exact_f64);
}

/* Per mode, the exact row and sum, appended to `out`. */
static void exact_values(NlRun *run, GArray *out)
{
    const NlParams *p = nl_run_params(run);
    gsize k = (gsize)nl_params_get_int(p, "k");
    gsize cols = (gsize)nl_params_get_int(p, "cols");
    gsize n = (gsize)nl_params_get_int(p, "n");
    gsize n_modes;
    const char *const *modes =
        nl_params_get_string_list(p, "precision", &n_modes);
    g_autofree float *a = g_new(float, k);
    g_autofree float *bm = g_new(float, k *cols);
    g_autofree float *x = g_new(float, n);
    for (gsize i = 0; i < n_modes; i++) {
        NlGptPrecision mode;
        nl_gpt_precision_from_name(modes[i], &mode); /* checked: choices */
        draw_inputs(nl_run_rng(run), mode, a, k, bm, cols, x, n);
        for (gsize j = 0; j < cols; j++) {
            float e = exact_in(
                mode.acts,
                mode.acts == NL_PRECISION_F32
                    ? 0.0
                    : nl_exact_dot_strided_f32_as_f64(a, bm + j, cols, k),
                mode.acts == NL_PRECISION_F32
                    ? nl_exact_dot_strided_f32(a, bm + j, cols, k)
                    : 0.0f);
            g_array_append_val(out, e);
        }
        float e = exact_in(
            mode.acts,
            mode.acts == NL_PRECISION_F32 ? 0.0 : nl_exact_sum_f32_as_f64(x, n),
            mode.acts == NL_PRECISION_F32 ? nl_exact_sum_f32(x, n) : 0.0f);
        g_array_append_val(out, e);
    }
}

static gboolean run_common(NlRun *run, GError **error)
{
    NlGptConfig mc;
    NlGptTrainConfig tc;
    nl_gpt_lecture_config(0, nl_run_seed(run), &mc, &tc);
    Training progress = {run, tc.steps};
    g_autoptr(NlGpt) m = nl_gpt_lecture_model(
        nl_run_seed(run), training_progress, &progress, NULL, error);
    if (!m)
        return FALSE;
    const char *const *prompts =
        nl_params_get_string_list(nl_run_params(run), "prompts", NULL);
    guint V = m->config.vocab_size;
    g_autoptr(GArray) host = g_array_new(FALSE, FALSE, sizeof(float));
    for (guint i = 0; prompts[i]; i++) { /* said before any job starts */
        g_autofree guint32 *tok = NULL;
        gsize n;
        if (!encode(m, prompts[i], &tok, &n, error))
            return FALSE;
        g_autofree float *z = g_new(float, n *V);
        if (!nl_gpt_logits(m, NULL, tok, n, z, error))
            return FALSE;
        g_array_append_vals(host, z + (n - 1) * V, V);
    }
    nl_run_progress(run, 0.9, "exact values");
    g_autoptr(GArray) exact = g_array_new(FALSE, FALSE, sizeof(float));
    exact_values(run, exact);
    gsize len;
    g_autofree guint8 *ckpt = nl_gpt_save_bytes(m, &len);
    GVariant *parts[] = {
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, ckpt, len, 1),
        g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, exact->data,
                                  exact->len, sizeof(float)),
        g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, host->data, host->len,
                                  sizeof(float)),
    };
    g_autoptr(GVariant) v =
        g_variant_ref_sink(g_variant_new_tuple(parts, G_N_ELEMENTS(parts)));
    g_autoptr(GBytes) kept = g_variant_get_data_as_bytes(v);
    nl_run_keep_bytes(run, kept);
    return TRUE;
}

/* What the common phase kept, read back in a job: FALSE with an error
 * when it is missing or has another shape. */
static gboolean common_from_run(NlRun *run, Common *c, GError **error)
{
    GBytes *bytes = nl_run_common_bytes(run);
    if (!bytes)
        return fail(error, "the common phase left no model");
    c->kept = g_variant_ref_sink(
        g_variant_new_from_bytes(G_VARIANT_TYPE(KEPT), bytes, FALSE));
    g_autoptr(GVariant) ckpt = g_variant_get_child_value(c->kept, 0);
    c->exact_v = g_variant_get_child_value(c->kept, 1);
    c->host_v = g_variant_get_child_value(c->kept, 2);
    gsize len;
    const guint8 *data = g_variant_get_fixed_array(ckpt, &len, 1);
    c->model = nl_gpt_load_bytes(data, len, error);
    if (!c->model)
        return FALSE;
    c->exact =
        g_variant_get_fixed_array(c->exact_v, &c->n_exact, sizeof(float));
    c->host = g_variant_get_fixed_array(c->host_v, &c->n_host, sizeof(float));
    const NlParams *p = nl_run_params(run);
    gsize n_modes, n_prompts;
    nl_params_get_string_list(p, "precision", &n_modes);
    nl_params_get_string_list(p, "prompts", &n_prompts);
    gsize cols = (gsize)nl_params_get_int(p, "cols");
    if (c->n_exact != n_modes * (cols + 1) ||
        c->n_host != n_prompts * c->model->config.vocab_size)
        return fail(error, "the common phase's values have another shape");
    return TRUE;
}

/* ---- a job ---- */

/* The signed distance from b to a in ULPs of `type` (float32, bfloat16
 * or float16; a and b are values of it). */
static gint64 ulps_in(NlPrecision type, float a, float b)
{
    switch (type) {
    case NL_PRECISION_BF16:
        return (a < b ? -1 : 1) *
               nl_ulp_distance_bf16(nl_bf16_from_f32(a), nl_bf16_from_f32(b));
    case NL_PRECISION_F16:
        return (a < b ? -1 : 1) *
               nl_ulp_distance_f16(nl_f16_from_f32(a), nl_f16_from_f32(b));
    default:
        return nl_ulp_diff_f32(a, b);
    }
}

static void add_output(NlTable *t, NlPrecision type, const char *kind,
                       gint64 item, gint64 index, float value, float reference)
{
    nl_table_add_str(t, kind);
    nl_table_add_int(t, item);
    nl_table_add_int(t, index);
    nl_table_add_f32(t, value);
    nl_table_add_f32(t, reference);
    nl_table_add_int(t, ulps_in(type, value, reference));
}

/* Row 0 of A B and the sum in `mode` (the i-th), against the exact
 * values the common phase computed. */
static gboolean reductions(NlRun *run, const Common *c, gsize i, NlTable *t,
                           NlGptPrecision mode, GError **error)
{
    const NlParams *p = nl_run_params(run);
    gsize k = (gsize)nl_params_get_int(p, "k");
    gsize cols = (gsize)nl_params_get_int(p, "cols");
    gsize n = (gsize)nl_params_get_int(p, "n");
    NlBackend *b = nl_run_backend(run);
    g_autofree float *a = g_new(float, k);
    g_autofree float *bm = g_new(float, k *cols);
    g_autofree float *x = g_new(float, n);
    g_autofree float *row = g_new(float, cols);
    draw_inputs(nl_run_rng(run), mode, a, k, bm, cols, x, n);
    NlPrecision acts = mode.acts;
    NlBuffer *ba = nl_backend_alloc_as(b, acts, k, error);
    NlBuffer *bb =
        ba ? nl_backend_alloc_as(b, mode.weights, k * cols, error) : NULL;
    NlBuffer *bc = bb ? nl_backend_alloc_as(b, acts, cols, error) : NULL;
    NlBuffer *bx = bc ? nl_backend_alloc_as(b, acts, n, error) : NULL;
    g_autofree double *values = g_new(double, MAX(MAX(k * cols, n), 1));
    double sum = 0.0;
    gboolean ok = bx != NULL;
    /* the stored floats, exactly, into the buffers of their types */
    for (gsize j = 0; ok && j < k; j++)
        values[j] = a[j];
    ok = ok && nl_backend_upload_values(b, ba, values, k, error);
    for (gsize j = 0; ok && j < k * cols; j++)
        values[j] = bm[j];
    ok = ok && nl_backend_upload_values(b, bb, values, k * cols, error);
    for (gsize j = 0; ok && j < n; j++)
        values[j] = x[j];
    ok = ok && nl_backend_upload_values(b, bx, values, n, error) &&
         nl_backend_gemm_in(b, 1, cols, k, ba, k, bb, cols, bc, cols, mode.acc,
                            error) &&
         nl_backend_download_values(b, bc, values, cols, error) &&
         nl_backend_sum_in(b, bx, n, mode.acc, &sum, error);
    for (gsize j = 0; ok && j < cols; j++)
        row[j] = (float)values[j];
    nl_backend_free(b, ba);
    nl_backend_free(b, bb);
    nl_backend_free(b, bc);
    nl_backend_free(b, bx);
    if (!ok)
        return FALSE;
    const float *exact = c->exact + i * (cols + 1);
    for (gsize j = 0; j < cols; j++)
        add_output(t, acts, "row", 0, (gint64)j, row[j], exact[j]);
    /* a scalar result is the accumulator's value; stored, it would be
     * rounded to the activation type */
    float stored_sum = (float)nl_precision_round(acts, sum);
    add_output(t, acts, "sum", 0, 0, stored_sum, exact[cols]);
    return TRUE;
}

/* The logits after each prompt on the backend in `mode`, against the
 * host's in float32 (rounded to the mode's activation type). */
static gboolean logits(NlRun *run, const Common *c, NlTable *t, NlTable *top,
                       NlGptPrecision mode, GError **error)
{
    const NlGpt *m = c->model;
    g_autoptr(NlGptResident) on =
        nl_gpt_resident_new_as(m, nl_run_backend(run), mode, error);
    if (!on)
        return FALSE;
    const char *const *prompts =
        nl_params_get_string_list(nl_run_params(run), "prompts", NULL);
    guint V = m->config.vocab_size;
    for (guint i = 0; prompts[i]; i++) {
        g_autofree guint32 *tok = NULL;
        gsize n;
        if (!encode(m, prompts[i], &tok, &n, error))
            return FALSE;
        g_autofree float *z = g_new(float, n *V);
        if (!nl_gpt_logits(m, on, tok, n, z, error))
            return FALSE;
        const float *last = z + (n - 1) * V, *hlast = c->host + i * V;
        for (guint v = 0; v < V; v++)
            add_output(t, mode.acts, "logits", i, v, last[v],
                       (float)nl_precision_round(mode.acts, hlast[v]));
        guint best, hbest;
        nl_gpt_top_k(last, V, 1, &best);
        nl_gpt_top_k(hlast, V, 1, &hbest);
        nl_table_add_str(top, prompts[i]);
        nl_table_add_int(top, best);
        nl_table_add_str(top, nl_gpt_vocab_word(m->vocab, best));
        nl_table_add_int(top, hbest);
    }
    return TRUE;
}

/* A table's name in a mode: float32's plain, the others' suffixed. */
static char *name_in(const char *table, const char *mode)
{
    return strcmp(mode, "float32") == 0 ? g_strdup(table)
                                        : g_strdup_printf("%s-%s", table, mode);
}

static gboolean run_backend(NlRun *run, GError **error)
{
    g_auto(Common) c = {0};
    if (!common_from_run(run, &c, error))
        return FALSE;
    gsize n_modes;
    const char *const *modes =
        nl_params_get_string_list(nl_run_params(run), "precision", &n_modes);
    for (gsize i = 0; i < n_modes; i++) {
        NlGptPrecision mode;
        nl_gpt_precision_from_name(modes[i], &mode); /* checked: choices */
        g_autofree char *outputs = name_in("a8-outputs", modes[i]);
        g_autofree char *argmax = name_in("a8-argmax", modes[i]);
        NlTable *t = nl_run_table(run, outputs,
                                  "kind:str item:int index:int value:f32 "
                                  "reference:f32 ulps:int");
        g_autofree char *title = g_strdup_printf(
            "every output of the job in %s: row 0 of a product and a sum "
            "against their exact values, the logits after each prompt "
            "against the host's",
            modes[i]);
        nl_table_set_title(t, title);
        g_autofree char *ulps =
            g_strdup_printf("signed distance from the reference in %s ULPs",
                            nl_precision_name(mode.acts));
        nl_table_add_note(t, "ulps", ulps);
        NlTable *top = nl_run_table(run, argmax,
                                    "prompt:str argmax:int word:str "
                                    "host_argmax:int");
        nl_table_set_title(top, "the most likely next word after each prompt");
        if (!reductions(run, &c, i, t, mode, error) ||
            !logits(run, &c, t, top, mode, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- compare: every job against the first ---- */

typedef struct {
    guint row_differ, logits_differ, flips;
    gint64 row_max, logits_max, sum_ulps;
    double change, size; /* sums of |change| and of |value| where changed */
} Against;

/* Job `job`'s outputs in one mode (its tables `outputs`, `argmax`, ULPs
 * of `type`) against the first job's. */
static gboolean against_first(NlRun *run, guint job, const char *outputs,
                              const char *argmax, NlPrecision type, Against *r,
                              GError **error)
{
    const NlTable *t0 = nl_run_job_table(run, 0, outputs);
    const NlTable *t = nl_run_job_table(run, job, outputs);
    const NlTable *a0 = nl_run_job_table(run, 0, argmax);
    const NlTable *a = nl_run_job_table(run, job, argmax);
    if (!t0 || !t || !a0 || !a || nl_table_n_rows(t) != nl_table_n_rows(t0) ||
        nl_table_n_rows(a) != nl_table_n_rows(a0))
        return fail(error, "job %s left other outputs than job %s",
                    nl_run_job_label(run, job), nl_run_job_label(run, 0));
    int kind = nl_table_column(t, "kind"), value = nl_table_column(t, "value");
    memset(r, 0, sizeof *r);
    for (guint i = 0; i < nl_table_n_rows(t); i++) {
        float v = (float)nl_table_get_f64(t, i, value);
        float v0 = (float)nl_table_get_f64(t0, i, value);
        gint64 d = ulps_in(type, v, v0);
        const char *k = nl_table_get_str(t, i, kind);
        if (d != 0) {
            r->change += fabs((double)v - v0);
            r->size += fabs((double)v0);
        }
        if (strcmp(k, "row") == 0) {
            r->row_differ += d != 0;
            r->row_max = MAX(r->row_max, ABS(d));
        } else if (strcmp(k, "sum") == 0) {
            r->sum_ulps = d;
        } else {
            r->logits_differ += d != 0;
            r->logits_max = MAX(r->logits_max, ABS(d));
        }
    }
    int best = nl_table_column(a, "argmax");
    for (guint i = 0; i < nl_table_n_rows(a); i++)
        r->flips +=
            nl_table_get_int(a, i, best) != nl_table_get_int(a0, i, best);
    return TRUE;
}

/* Whether jobs i and j give the same bits for every output of a mode. */
static gboolean identical(NlRun *run, guint i, guint j, const char *outputs)
{
    const NlTable *a = nl_run_job_table(run, i, outputs);
    const NlTable *b = nl_run_job_table(run, j, outputs);
    if (!a || !b || nl_table_n_rows(a) != nl_table_n_rows(b))
        return FALSE;
    int value = nl_table_column(a, "value");
    for (guint r = 0; r < nl_table_n_rows(a); r++) {
        float x = (float)nl_table_get_f64(a, r, value);
        float y = (float)nl_table_get_f64(b, r, value);
        if (memcmp(&x, &y, sizeof x) != 0)
            return FALSE;
    }
    return TRUE;
}

#define JOB_COLUMNS                                                            \
    "job:int label:str row_differ:int row_max_ulps:int sum_ulps:int "          \
    "logits_differ:int logits_max_ulps:int argmax_flips:int "                  \
    "row_outputs:int logits_outputs:int same_as:int"

/* One mode's rows: every job against the first, into t (a8-jobs's
 * columns; with `wide`, a8-precision's: the mode first, the mean relative
 * change last). */
static gboolean mode_rows(NlRun *run, NlTable *t, const char *mode,
                          gboolean wide, GError **error)
{
    NlGptPrecision p;
    nl_gpt_precision_from_name(mode, &p);
    g_autofree char *outputs = name_in("a8-outputs", mode);
    g_autofree char *argmax = name_in("a8-argmax", mode);
    const NlTable *t0 = nl_run_job_table(run, 0, outputs);
    guint rows = 0, logit_count = 0;
    for (guint i = 0; t0 && i < nl_table_n_rows(t0); i++) {
        const char *k = nl_table_get_str(t0, i, nl_table_column(t0, "kind"));
        rows += strcmp(k, "row") == 0;
        logit_count += strcmp(k, "logits") == 0;
    }
    for (guint j = 0; j < nl_run_n_jobs(run); j++) {
        Against r;
        if (!against_first(run, j, outputs, argmax, p.acts, &r, error))
            return FALSE;
        if (wide)
            nl_table_add_str(t, mode);
        nl_table_add_int(t, j);
        nl_table_add_str(t, nl_run_job_label(run, j));
        nl_table_add_int(t, r.row_differ);
        nl_table_add_int(t, r.row_max);
        nl_table_add_int(t, r.sum_ulps);
        nl_table_add_int(t, r.logits_differ);
        nl_table_add_int(t, r.logits_max);
        nl_table_add_int(t, r.flips);
        nl_table_add_int(t, rows);
        nl_table_add_int(t, logit_count);
        gint64 same = -1;
        for (guint i = 0; i < j && same < 0; i++)
            if (identical(run, i, j, outputs))
                same = i;
        nl_table_add_int(t, same);
        if (wide)
            nl_table_add_f64(t, r.size > 0 ? r.change / r.size : 0.0);
    }
    return TRUE;
}

static gboolean run_compare(NlRun *run, GError **error)
{
    if (nl_run_n_jobs(run) == 0)
        return TRUE;
    gsize n_modes;
    const char *const *modes =
        nl_params_get_string_list(nl_run_params(run), "precision", &n_modes);
    const char *first = nl_run_job_label(run, 0);
    for (gsize i = 0; i < n_modes; i++)
        if (strcmp(modes[i], "float32") == 0) {
            NlTable *t = nl_run_table(run, "a8-jobs", JOB_COLUMNS);
            nl_table_set_title(
                t, "every job against the first: outputs whose bits "
                   "differ, the largest difference in ULPs, most likely "
                   "words that change; same_as: the first earlier job "
                   "with the very same bits, or -1");
            nl_table_add_note(t, "first job", first);
            if (!mode_rows(run, t, "float32", FALSE, error))
                return FALSE;
        }
    NlTable *t = nl_run_table(run, "a8-precision",
                              "precision:str " JOB_COLUMNS " rel_change:f64");
    nl_table_set_title(t, "a8-jobs in every mode of `precision`, one "
                          "dataset each, float32 first: ULPs of the mode's "
                          "activation type");
    nl_table_add_note(t, "first job", first);
    nl_table_add_note(t, "rel_change",
                      "the outputs that differ: sum of |change| over sum "
                      "of |value| in the first job");
    /* float32 first, then the others in the order given */
    for (int pass = 0; pass < 2; pass++)
        for (gsize i = 0; i < n_modes; i++) {
            if ((strcmp(modes[i], "float32") == 0) != (pass == 0))
                continue;
            nl_table_new_dataset(t, modes[i]);
            if (!mode_rows(run, t, modes[i], TRUE, error))
                return FALSE;
        }
    return TRUE;
}

/* Measured here at the defaults: training the lecture model 6.2 s (the
 * exact values and host logits after it, 0.2 s); a job 0.7-1.1 s a mode; a
 * job's peak 13.5 MB on mpi (the buffers live in the ranks), 21-24 MB on naive,
 * blas and openmp (the inputs and the backend's copy of them, the model), in
 * float32; each mode uploads its values through one array of doubles. */
static gboolean estimate(const NlParams *p, NlCost *cost, GError **error)
{
    (void)error;
    double k = (double)nl_params_get_int(p, "k");
    double cols = (double)nl_params_get_int(p, "cols");
    double n = (double)nl_params_get_int(p, "n");
    gsize modes;
    nl_params_get_string_list(p, "precision", &modes);
    /* and the values uploaded exactly, as doubles */
    cost->bytes = 8.0 * (k * cols + n) + 8.0 * MAX(k * cols, n) + 6e6;
    cost->common_seconds = 8.0;
    cost->job_seconds = (double)modes * (0.5 + 2e-7 * (k * cols + n));
    return TRUE;
}

static const NlParamSpec params[] = {
    {"k", NL_PARAM_INT, "4096", 1, 1 << 24,
     "the product's inner dimension: the reduction split across devices", NULL,
     NULL},
    {"cols", NL_PARAM_INT, "256", 1, 65536, "outputs in the product's row",
     NULL, NULL},
    {"n", NL_PARAM_INT, "1048576", 1, 1 << 28, "values in the sum", NULL, NULL},
    {"prompts", NL_PARAM_STRING_LIST, NL_GPT_LECTURE_PROMPTS, 0, 0,
     "prompts, words of the model's vocabulary", NULL,
     NL_PARAM_EXT(.separator = "|")},
    {"precision", NL_PARAM_STRING_LIST, "float32,bfloat16,bfloat16-pure", 0, 0,
     "modes to compute everything in (MiniGPT's: storage of inputs and "
     "weights, accumulation); a8-jobs is float32's, a8-precision every "
     "mode's",
     "float32|layercast|bfloat16|bfloat16-pure|float16", NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps),
    .title = "How many GPUs? The same row, sum and logits on every job",
    .description =
        "Figure A8. Trains the lecture MiniGPT on the host with the run's "
        "seed (common phase), then per backend job computes row 0 of a "
        "product C = A B (A 1 x k, B k x cols, normal values) by gemm, the "
        "sum of n normal values, and the model's logits after each prompt "
        "on its weights resident on the backend (a8-outputs: each value, "
        "its reference and the signed ULPs between them; the row and the "
        "sum against the exact value rounded once, the logits against the "
        "host's naive order), and the most likely next word (a8-argmax). "
        "The compare phase sets every job against the first (a8-jobs): "
        "how many outputs differ in their bits, the largest difference in "
        "ULPs, the sum's difference, and how many most likely words change. "
        "Run it on the mpi backend at several rank counts and allreduce "
        "algorithms, first mpi:ranks=1, and with invariant=1.",
    .params = params,
    .run_common = run_common,
    .run_backend = run_backend,
    .run_compare = run_compare,
    .estimate = estimate,
};

NL_PLUGIN_DEFINE(.kind = NL_PLUGIN_EXPERIMENT, .name = "devices",
                 .version = PACKAGE_VERSION,
                 .summary = "A8: the same row, sum and logits on 1 to 8 "
                            "devices (MPI ranks)",
                 .experiment = &ops, )
