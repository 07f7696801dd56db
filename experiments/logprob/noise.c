/* noise.c — figure C4: float noise against the top-1/top-2 gap.
 *
 * A job computes the logits of the whole evaluation set (the prompts and
 * the corpus sentences, every position) on its backend, each sequence
 * alone; that is compared with the host (the naive order). Then the same
 * sequences go through the backend in batches of B (each sequence padded
 * with <EOS> to its batch's longest, as a static batcher does) and alone
 * with P <EOS> tokens appended, and each is compared with the backend's
 * own result alone: mathematically the logits are the same (causal
 * attention never looks at later tokens), so every difference is the
 * backend's arithmetic depending on the shape of the products. Greedy
 * generations of the prompts are rerun in each case and compared. The
 * compare phase puts every pair of jobs side by side. */
#include "config.h"

#include "logprob.h"

#include <math.h>
#include <string.h>

static void job_data_free(LpJobData *j)
{
    if (!j)
        return;
    for (guint i = 0; j->greedy && i < j->n_prompts; i++)
        g_free(j->greedy[i]);
    g_free(j->greedy);
    g_free(j->greedy_len);
    nl_free(j->logits);
    g_free(j);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LpJobData, job_data_free)

/* What a job keeps for run_compare: its logits and greedy words. */
#define LP_JOB_KEPT "(ayaau)"

static GBytes *job_to_bytes(const LpShared *s, const LpJobData *j)
{
    GVariant *parts[] = {
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, j->logits,
                                  s->n_positions * s->V * sizeof(float), 1),
        lp_words_to_variant(j->greedy, j->greedy_len, j->n_prompts),
    };
    g_autoptr(GVariant) v =
        g_variant_ref_sink(g_variant_new_tuple(parts, G_N_ELEMENTS(parts)));
    return g_variant_get_data_as_bytes(v);
}

/* A job's kept bytes read back; NULL when they have another shape. */
static LpJobData *job_from_bytes(const LpShared *s, GBytes *bytes)
{
    if (!bytes)
        return NULL;
    g_autoptr(GVariant) v = g_variant_ref_sink(
        g_variant_new_from_bytes(G_VARIANT_TYPE(LP_JOB_KEPT), bytes, FALSE));
    g_autoptr(GVariant) logits = g_variant_get_child_value(v, 0);
    g_autoptr(GVariant) greedy = g_variant_get_child_value(v, 1);
    gsize len;
    const guint8 *data = g_variant_get_fixed_array(logits, &len, 1);
    if (len != s->n_positions * s->V * sizeof(float) ||
        g_variant_n_children(greedy) != s->c.n_prompts)
        return NULL;
    g_autoptr(LpJobData) j = g_new0(LpJobData, 1);
    j->n_prompts = s->c.n_prompts;
    j->logits = nl_alloc_f32(s->n_positions * s->V, NULL);
    if (!j->logits)
        return NULL;
    memcpy(j->logits, data, len);
    lp_words_from_variant(greedy, j->n_prompts, &j->greedy, &j->greedy_len);
    return g_steal_pointer(&j);
}

double lp_gap_of(const float *z, guint V, guint *best)
{
    guint top[2];
    nl_gpt_top_k(z, V, 2, top);
    if (best)
        *best = top[0];
    return (double)z[top[0]] - z[top[1]];
}

/* Compares every row of a with ref. Where not NULL, noise[i] and self[i]
 * take the largest |a - host| and |a - ref| of row i if larger, and
 * flip[i] is set when a's argmax differs from the host's. */
LpDiff lp_diff_rows(const LpShared *s, const float *a, const float *ref,
                    double *noise, double *self, gboolean *flip)
{
    LpDiff d = {.flip_gap = NAN};
    guint V = s->V;
    for (gsize i = 0; i < s->n_positions; i++) {
        const float *x = a + i * V, *r = ref + i * V, *h = s->host + i * V;
        if (memcmp(x, r, V * sizeof *x) != 0)
            d.differing++;
        double m = 0, mh = 0;
        for (guint v = 0; v < V; v++) {
            m = MAX(m, fabs((double)x[v] - r[v]));
            mh = MAX(mh, fabs((double)x[v] - h[v]));
        }
        d.max_delta = MAX(d.max_delta, m);
        guint bx, br, bh;
        lp_gap_of(x, V, &bx);
        double g = lp_gap_of(r, V, &br);
        lp_gap_of(h, V, &bh);
        if (bx != br) {
            d.flips++;
            d.flip_gap = isnan(d.flip_gap) ? g : MAX(d.flip_gap, g);
        }
        if (noise)
            noise[i] = MAX(noise[i], mh);
        if (self)
            self[i] = MAX(self[i], m);
        if (flip)
            flip[i] |= bx != bh;
    }
    return d;
}

/* Logits of every sequence in batches of B (padded to the batch's
 * longest) or alone with `pad` <EOS> appended, into out (n_positions, V).
 * The last batch is filled up with sequences from the start, so that
 * every sequence shares its pass with B - 1 others. */
gboolean lp_logits_placed(const LpShared *s, NlGptResident *on, LpPlacement pl,
                          float *out, GError **error)
{
    gsize B = pl.batch, V = s->V, longest = MIN(s->max_len + pl.pad, s->T);
    g_autofree guint32 *rows = g_new(guint32, B * longest);
    float *z = nl_alloc_f32(B * longest * V, error);
    gboolean ok = z != NULL;
    for (gsize g = 0; ok && g < s->n_seqs; g += B) {
        gsize len = 0;
        for (gsize b = 0; b < B; b++)
            len = MAX(len, s->seqs[(g + b) % s->n_seqs].len);
        len = MIN(len + pl.pad, s->T);
        for (gsize b = 0; b < B; b++) {
            const LpSeq *q = &s->seqs[(g + b) % s->n_seqs];
            for (gsize t = 0; t < len; t++)
                rows[b * len + t] =
                    t < q->len ? s->tokens[q->off + t] : NL_GPT_EOS;
        }
        ok = nl_gpt_logits_batch(s->model, on, rows, B, len, z, error);
        for (gsize b = 0; ok && b < B && g + b < s->n_seqs; b++) {
            const LpSeq *q = &s->seqs[g + b];
            memcpy(out + q->pos * V, z + b * len * V, q->len * V * sizeof *z);
            ok = lp_logits_finite(s, out + q->pos * V, q->len * V,
                                  s->tokens + q->off, q->len, error);
        }
    }
    nl_free(z);
    return ok;
}

/* The first greedy word that changes against the reference generations,
 * over all prompts: the prompt, the step (from 1; -1: none) and the two
 * words. */
typedef struct {
    gssize step;
    guint prompt;
    guint32 from, to;
} LpSplit;

static LpSplit first_split(const LpShared *s, guint32 *const *a,
                           const gsize *na, guint32 *const *ref,
                           const gsize *nref)
{
    LpSplit sp = {.step = -1};
    for (guint i = 0; i < s->c.n_prompts; i++) {
        gssize d = lp_first_difference(a[i], na[i], ref[i], nref[i]);
        if (d >= 0 && (sp.step < 0 || d < sp.step)) {
            sp.step = d;
            sp.prompt = i;
            sp.to = (gsize)d < na[i] ? a[i][d] : NL_GPT_EOS;
            sp.from = (gsize)d < nref[i] ? ref[i][d] : NL_GPT_EOS;
        }
    }
    return sp;
}

static void add_split(NlTable *t, const LpShared *s, LpSplit sp)
{
    const NlGptVocab *v = s->model->vocab;
    nl_table_add_str(t, sp.step < 0 ? "" : s->c.prompts[sp.prompt]);
    nl_table_add_int(t, sp.step < 0 ? -1 : sp.step + 1);
    nl_table_add_str(t, sp.step < 0 ? "" : nl_gpt_vocab_word(v, sp.from));
    nl_table_add_str(t, sp.step < 0 ? "" : nl_gpt_vocab_word(v, sp.to));
}

static NlTable *cases_table(NlRun *run)
{
    NlTable *t = nl_run_table(run, "c4-cases",
                              "case:str kind:str size:int reference:str "
                              "positions:int differing:int "
                              "max_abs_delta:f64 flips:int flip_gap:f64 "
                              "greedy_prompt:str greedy_step:int "
                              "greedy_from:str greedy_to:str");
    if (nl_table_n_rows(t) > 0)
        return t;
    nl_table_set_title(t, "C4: the same logits computed another way, per "
                          "case");
    nl_table_add_note(t, "case",
                      "backend: this backend alone vs the host "
                      "(naive order); batch=B: in batches of B vs this "
                      "backend alone; pad=P: P <EOS> appended vs alone");
    nl_table_add_note(t, "differing",
                      "positions (rows of logits) with any "
                      "bit different from the reference");
    nl_table_add_note(t, "flips",
                      "positions whose most likely word "
                      "changed; flip_gap: the largest reference gap among "
                      "them (nan: no flip)");
    nl_table_add_note(t, "greedy_step",
                      "first step (from 1) where a greedy "
                      "generation of a prompt changed, -1: none; "
                      "greedy_from is the reference's word there, greedy_to "
                      "this case's (a generation in a batch shares it with "
                      "the first corpus sentences, cut or padded to its "
                      "length)");
    return t;
}

static void add_case(NlRun *run, const LpShared *s, const char *name,
                     const char *kind, guint size, const char *reference,
                     LpDiff d, LpSplit split)
{
    NlTable *t = cases_table(run);
    nl_table_add_str(t, name);
    nl_table_add_str(t, kind);
    nl_table_add_int(t, size);
    nl_table_add_str(t, reference);
    nl_table_add_int(t, (gint64)s->n_positions);
    nl_table_add_int(t, (gint64)d.differing);
    nl_table_add_f64(t, d.max_delta);
    nl_table_add_int(t, (gint64)d.flips);
    nl_table_add_f64(t, d.flip_gap);
    add_split(t, s, split);
}

LpPlacement lp_case_placement(const LpShared *s, gsize i)
{
    return i < s->c.n_batches
               ? (LpPlacement){.batch = s->c.batches[i], .pad = 0}
               : (LpPlacement){.batch = 1,
                               .pad = s->c.paddings[i - s->c.n_batches]};
}

/* One of C4's cases; f32 (or NULL) measures it for C5's float32 mode. */
static gboolean run_case(NlRun *run, const LpShared *s, NlGptResident *on,
                         LpJobData *job, LpPlacement pl, float *buf,
                         double *noise, double *self_noise, gboolean *flip,
                         LpModeCases *f32, GError **error)
{
    if (!lp_logits_placed(s, on, pl, buf, error))
        return FALSE;
    LpDiff d = lp_diff_rows(s, buf, job->logits, noise, self_noise, flip);
    guint P = s->c.n_prompts;
    g_autofree guint32 **greedy = g_new0(guint32 *, P);
    g_autofree gsize *len = g_new0(gsize, P);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < P; i++)
        ok = lp_greedy(s, on, pl, i, &greedy[i], &len[i], error);
    if (ok) {
        g_autofree char *name = pl.batch > 1
                                    ? g_strdup_printf("batch=%u", pl.batch)
                                    : g_strdup_printf("pad=%u", pl.pad);
        add_case(run, s, name, pl.batch > 1 ? "batch" : "pad",
                 pl.batch > 1 ? pl.batch : pl.pad, "alone", d,
                 first_split(s, greedy, len, job->greedy, job->greedy_len));
        if (f32)
            lp_mode_cases_placed(f32, s, pl, buf, greedy, len);
    }
    for (guint i = 0; i < P; i++)
        g_free(greedy[i]);
    return ok;
}

static void scatter_table(NlRun *run, const LpShared *s, const double *noise,
                          const double *self_noise, const gboolean *flip)
{
    NlTable *t = nl_run_table(run, "c4-scatter",
                              "sequence:int position:int gap:f64 noise:f64 "
                              "self_noise:f64 flip:int");
    nl_table_set_title(t, "C4: float noise against the gap, every position "
                          "of the evaluation set");
    nl_table_add_note(t, "gap", "top-1 minus top-2 logit on the host");
    nl_table_add_note(t, "noise",
                      "largest |logit - host logit| over the "
                      "words and every case of this job (alone, batches, "
                      "paddings)");
    nl_table_add_note(t, "self_noise",
                      "the same against this backend "
                      "alone: batches and paddings only (0: invariant)");
    nl_table_add_note(t, "flip",
                      "1 if some case's most likely word differs "
                      "from the host's");
    for (gsize i = 0; i < s->n_seqs; i++) {
        const LpSeq *q = &s->seqs[i];
        for (gsize k = 0; k < q->len; k++) {
            gsize p = q->pos + k;
            nl_table_add_int(t, (gint64)i);
            nl_table_add_int(t, (gint64)k + 1);
            nl_table_add_f64(t, lp_gap_of(s->host + p * s->V, s->V, NULL));
            nl_table_add_f64(t, noise[p]);
            nl_table_add_f64(t, self_noise[p]);
            nl_table_add_int(t, flip[p]);
        }
    }
}

gboolean lp_run_backend(NlRun *run, GError **error)
{
    g_autoptr(LpShared) s = lp_shared_from_run(run, error);
    if (!s)
        return FALSE;
    /* the weights go to the job's backend once, for every case below */
    g_autoptr(NlGptResident) on =
        nl_gpt_resident_new(s->model, nl_run_backend(run), error);
    if (!on)
        return FALSE;
    g_autoptr(LpJobData) job = g_new0(LpJobData, 1);
    job->n_prompts = s->c.n_prompts;
    job->logits = nl_alloc_f32(s->n_positions * s->V, error);
    if (!job->logits)
        return FALSE;
    LpPlacement alone = {.batch = 1, .pad = 0};
    if (!lp_logits_placed(s, on, alone, job->logits, error))
        return FALSE;
    job->greedy = g_new0(guint32 *, s->c.n_prompts);
    job->greedy_len = g_new0(gsize, s->c.n_prompts);
    nl_run_progress(run, 0.1, "C1-C3 generations");
    if (!lp_report_generations(run, s, on, job, error))
        return FALSE;

    g_autofree double *noise = g_new0(double, s->n_positions);
    g_autofree double *self_noise = g_new0(double, s->n_positions);
    g_autofree gboolean *flip = g_new0(gboolean, s->n_positions);
    LpDiff d = lp_diff_rows(s, job->logits, s->host, noise, NULL, flip);
    add_case(run, s, "backend", "backend", 0, "host", d,
             first_split(s, job->greedy, job->greedy_len, s->host_greedy,
                         s->host_greedy_len));

    /* C5's float32 mode is these very passes: measured here, once */
    g_autoptr(LpModeCases) f32 =
        s->c.n_precisions > 0 &&
                g_strv_contains((const char *const *)s->c.precisions, "float32")
            ? lp_mode_cases_new(s, job->logits, job->greedy, job->greedy_len)
            : NULL;
    float *buf = nl_alloc_f32(s->n_positions * s->V, error);
    gboolean ok = buf != NULL;
    gsize n_cases = s->c.n_batches + s->c.n_paddings;
    for (gsize i = 0; ok && i < n_cases; i++) {
        ok = run_case(run, s, on, job, lp_case_placement(s, i), buf, noise,
                      self_noise, flip, f32, error);
        nl_run_progress(run, 0.3 + 0.7 * (double)(i + 1) / n_cases,
                        "C4 batches and paddings");
    }
    nl_free(buf);
    if (!ok)
        return FALSE;
    scatter_table(run, s, noise, self_noise, flip);
    if (!lp_precision_job(run, s, f32, error))
        return FALSE;
    g_autoptr(GBytes) kept = job_to_bytes(s, job);
    nl_run_keep_bytes(run, kept);
    return TRUE;
}

/* ---- across jobs ----------------------------------------------------------
 */

gboolean lp_run_compare(NlRun *run, GError **error)
{
    if (!nl_run_common_bytes(run))
        return TRUE; /* no common phase result: nothing to compare */
    g_autoptr(LpShared) s = lp_shared_from_run(run, error);
    if (!s)
        return FALSE;
    guint n = nl_run_n_jobs(run);
    g_autoptr(GPtrArray) jobs =
        g_ptr_array_new_with_free_func((GDestroyNotify)job_data_free);
    for (guint i = 0; i < n; i++)
        g_ptr_array_add(jobs, job_from_bytes(s, nl_run_job_bytes(run, i)));
    NlTable *t = nl_run_table(run, "c4-jobs",
                              "a:int b:int job_a:str job_b:str "
                              "identical:int differing:int "
                              "max_abs_delta:f64 flips:int flip_gap:f64 "
                              "greedy_prompt:str greedy_step:int "
                              "greedy_from:str greedy_to:str");
    nl_table_set_title(t, "C4: every pair of jobs (backends, thread counts, "
                          "modes), each sequence alone");
    nl_table_add_note(t, "identical",
                      "1 if every logit of the evaluation "
                      "set is the same bit for bit");
    nl_table_add_note(t, "differing", "positions with any bit different");
    nl_table_add_note(t, "flips",
                      "positions whose most likely word differs; "
                      "flip_gap: the largest gap of job a among them");
    nl_table_add_note(t, "greedy_step",
                      "first step (from 1) where the two "
                      "jobs' greedy generations part, -1: never "
                      "(greedy_from: job a's word, greedy_to: job b's)");
    for (guint a = 0; a < n; a++)
        for (guint b = a + 1; b < n; b++) {
            const LpJobData *ja = jobs->pdata[a];
            const LpJobData *jb = jobs->pdata[b];
            if (!ja || !jb)
                continue;
            LpDiff d =
                lp_diff_rows(s, jb->logits, ja->logits, NULL, NULL, NULL);
            nl_table_add_int(t, a);
            nl_table_add_int(t, b);
            nl_table_add_str(t, nl_run_job_label(run, a));
            nl_table_add_str(t, nl_run_job_label(run, b));
            nl_table_add_int(t, d.differing == 0);
            nl_table_add_int(t, (gint64)d.differing);
            nl_table_add_f64(t, d.max_delta);
            nl_table_add_int(t, (gint64)d.flips);
            nl_table_add_f64(t, d.flip_gap);
            add_split(t, s,
                      first_split(s, jb->greedy, jb->greedy_len, ja->greedy,
                                  ja->greedy_len));
        }
    return TRUE;
}
