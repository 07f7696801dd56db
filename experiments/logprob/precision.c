/* precision.c — figure C5: what precision does to reproducibility.
 *
 * C4 asks whether float32 noise (another backend, batch or padding) can
 * change what the lecture MiniGPT says. C5 asks it again in the
 * precisions LLMs are served in (parameter `precisions`, the modes of
 * NlGptPrecision): float32, LayerCast (bfloat16 weights, float32
 * arithmetic), bfloat16 with float32 accumulation, pure bfloat16, and
 * float16. Per mode, on the job's backend:
 *  - "float32": the mode's logits of the evaluation set, each sequence
 *    alone, against the host's float32 logits: what the precision itself
 *    changes (flips of the most likely word, the largest |Δlogit|), and
 *    how many greedy generations of the prompts leave the float32 ones;
 *  - "batch=B", "pad=P": the same sequences in batches and with padding
 *    against the mode's own logits alone: the nondeterminism of serving
 *    in that precision, as C4 measures it in float32.
 * Per position, c5-scatter keeps the gap (top-1 minus top-2 of the host's
 * float32 logits), the mode's distance from float32 and from itself;
 * c5-example keeps, per mode, the first prompt whose greedy words change
 * (a batch first, else the precision itself), the words side by side. */
#include "config.h"

#include "logprob.h"

#include <math.h>
#include <string.h>

typedef struct {
    guint32 **words;
    gsize *len;
    guint n;
} Gens;

static void gens_clear(Gens *g)
{
    for (guint i = 0; g->words && i < g->n; i++)
        g_free(g->words[i]);
    g_free(g->words);
    g_free(g->len);
    memset(g, 0, sizeof *g);
}

static gboolean greedy_all(const LpShared *s, NlGptResident *on, LpPlacement pl,
                           Gens *g, GError **error)
{
    g->n = s->c.n_prompts;
    g->words = g_new0(guint32 *, g->n);
    g->len = g_new0(gsize, g->n);
    for (guint i = 0; i < g->n; i++)
        if (!lp_greedy(s, on, pl, i, &g->words[i], &g->len[i], error))
            return FALSE;
    return TRUE;
}

/* How many prompts' generations differ from the reference's, and the
 * earliest step (from 1; -1: none) and prompt where one does. */
static guint diverging(const Gens *a, guint32 *const *ref, const gsize *ref_len,
                       gssize *first, guint *prompt)
{
    guint n = 0;
    *first = -1;
    for (guint i = 0; i < a->n; i++) {
        gssize d =
            lp_first_difference(a->words[i], a->len[i], ref[i], ref_len[i]);
        if (d < 0)
            continue;
        n++;
        if (*first < 0 || d + 1 < *first) {
            *first = d + 1;
            *prompt = i;
        }
    }
    return n;
}

static char *words_text(const LpShared *s, const guint32 *w, gsize n)
{
    GString *t = g_string_new(NULL);
    for (gsize i = 0; i < n; i++)
        g_string_append_printf(t, "%s%s", i ? " " : "",
                               nl_gpt_vocab_word(s->model->vocab, w[i]));
    return g_string_free(t, FALSE);
}

static NlTable *cases_table(NlRun *run)
{
    NlTable *t = nl_run_table(run, "c5-cases",
                              "precision:str case:str kind:str size:int "
                              "reference:str positions:int differing:int "
                              "max_abs_delta:f64 flips:int flip_gap:f64 "
                              "prompts:int diverging:int first_step:int");
    if (nl_table_n_rows(t) > 0)
        return t;
    nl_table_set_title(t, "C5: the same logits in each precision, against "
                          "float32 and against themselves in batches and "
                          "with padding");
    nl_table_add_note(t, "precision",
                      "float32; layercast: bfloat16 weights, float32 "
                      "activations and arithmetic; bfloat16: bfloat16 "
                      "weights and activations, float32 accumulation; "
                      "bfloat16-pure: bfloat16 accumulation too; float16: "
                      "float16 weights and activations, float32 "
                      "accumulation");
    nl_table_add_note(t, "case",
                      "float32: this precision alone vs the host's "
                      "float32 logits; batch=B, pad=P: in batches of B or "
                      "with P <EOS> appended vs this precision alone");
    nl_table_add_note(t, "flips",
                      "positions whose most likely word changed; "
                      "flip_gap: the largest reference gap among them");
    nl_table_add_note(t, "diverging",
                      "greedy generations of the prompts that differ from "
                      "the reference's; first_step: the earliest step "
                      "(from 1) where one does, -1: none");
    return t;
}

static void add_case(NlRun *run, const LpShared *s, const char *precision,
                     const char *name, const char *kind, guint size,
                     const char *reference, LpDiff d, guint n_div, gssize first)
{
    NlTable *t = cases_table(run);
    nl_table_add_str(t, precision);
    nl_table_add_str(t, name);
    nl_table_add_str(t, kind);
    nl_table_add_int(t, size);
    nl_table_add_str(t, reference);
    nl_table_add_int(t, (gint64)s->n_positions);
    nl_table_add_int(t, (gint64)d.differing);
    nl_table_add_f64(t, d.max_delta);
    nl_table_add_int(t, (gint64)d.flips);
    nl_table_add_f64(t, d.flip_gap);
    nl_table_add_int(t, s->c.n_prompts);
    nl_table_add_int(t, n_div);
    nl_table_add_int(t, first);
}

/* The example of a mode: prompt i's words in float32 (host), in the mode
 * alone and in the case that changed them. */
static void add_example(NlRun *run, const LpShared *s, const char *precision,
                        const char *name, guint i, const Gens *alone,
                        const Gens *placed, gssize step)
{
    NlTable *t = nl_run_table(run, "c5-example",
                              "precision:str case:str prompt:str "
                              "float32:str alone:str placed:str step:int");
    if (nl_table_n_rows(t) == 0) {
        nl_table_set_title(t, "C5: per precision, the first prompt whose "
                              "greedy words change (in a batch or padded "
                              "first, else against float32)");
        nl_table_add_note(t, "placed",
                          "the words in the case named (empty: the case "
                          "is the precision alone)");
    }
    g_autofree char *f32 =
        words_text(s, s->host_greedy[i], s->host_greedy_len[i]);
    g_autofree char *own = words_text(s, alone->words[i], alone->len[i]);
    g_autofree char *other =
        placed ? words_text(s, placed->words[i], placed->len[i]) : g_strdup("");
    nl_table_add_str(t, precision);
    nl_table_add_str(t, name);
    nl_table_add_str(t, s->c.prompts[i]);
    nl_table_add_str(t, f32);
    nl_table_add_str(t, own);
    nl_table_add_str(t, other);
    nl_table_add_int(t, step);
}

static void add_scatter(NlTable *t, const LpShared *s, const char *precision,
                        const float *alone, const double *self_noise,
                        const gboolean *self_flip)
{
    guint V = s->V;
    for (gsize p = 0; p < s->n_positions; p++) {
        const float *x = alone + p * V, *h = s->host + p * V;
        double d = 0;
        for (guint v = 0; v < V; v++)
            d = MAX(d, fabs((double)x[v] - h[v]));
        guint bx, bh;
        lp_gap_of(x, V, &bx);
        nl_table_add_str(t, precision);
        nl_table_add_f64(t, lp_gap_of(h, V, &bh));
        nl_table_add_f64(t, d);
        nl_table_add_f64(t, self_noise[p]);
        nl_table_add_int(t, bx != bh);
        nl_table_add_int(t, self_flip[p]);
    }
}

/* One mode on the job's backend: its rows of c5-cases, c5-scatter and
 * c5-example. */
static gboolean one_mode(NlRun *run, const LpShared *s, const char *name,
                         NlTable *scatter, float *alone, float *buf,
                         GError **error)
{
    NlGptPrecision prec;
    nl_gpt_precision_from_name(name, &prec); /* the spec's choices */
    g_autoptr(NlGptResident) on =
        nl_gpt_resident_new_as(s->model, nl_run_backend(run), prec, error);
    LpPlacement one = {.batch = 1, .pad = 0};
    Gens own = {0}, placed = {0};
    gboolean ok = on && lp_logits_placed(s, on, one, alone, error) &&
                  greedy_all(s, on, one, &own, error);
    gboolean example = FALSE;
    g_autofree double *self_noise = g_new0(double, s->n_positions);
    g_autofree gboolean *self_flip = g_new0(gboolean, s->n_positions);
    if (ok) {
        LpDiff d = lp_diff_rows(s, alone, s->host, NULL, NULL, NULL);
        gssize first;
        guint prompt = 0;
        guint n = diverging(&own, s->host_greedy, s->host_greedy_len, &first,
                            &prompt);
        add_case(run, s, name, "float32", "precision", 0, "float32", d, n,
                 first);
        (void)prompt;
    }
    gsize n_cases = s->c.n_batches + s->c.n_paddings;
    for (gsize i = 0; ok && i < n_cases; i++) {
        LpPlacement pl =
            i < s->c.n_batches
                ? (LpPlacement){.batch = s->c.batches[i], .pad = 0}
                : (LpPlacement){.batch = 1,
                                .pad = s->c.paddings[i - s->c.n_batches]};
        ok = lp_logits_placed(s, on, pl, buf, error) &&
             greedy_all(s, on, pl, &placed, error);
        if (!ok)
            break;
        /* self_noise, and flips against this mode alone (lp_diff_rows'
         * flip compares with the host: kept apart here) */
        LpDiff d = lp_diff_rows(s, buf, alone, NULL, self_noise, NULL);
        for (gsize p = 0; p < s->n_positions; p++) {
            guint bb, ba;
            lp_gap_of(buf + p * s->V, s->V, &bb);
            lp_gap_of(alone + p * s->V, s->V, &ba);
            self_flip[p] |= bb != ba;
        }
        gssize first;
        guint prompt = 0;
        guint n = diverging(&placed, own.words, own.len, &first, &prompt);
        g_autofree char *case_name = pl.batch > 1
                                         ? g_strdup_printf("batch=%u", pl.batch)
                                         : g_strdup_printf("pad=%u", pl.pad);
        add_case(run, s, name, case_name, pl.batch > 1 ? "batch" : "pad",
                 pl.batch > 1 ? pl.batch : pl.pad, "alone", d, n, first);
        if (n > 0 && !example) {
            add_example(run, s, name, case_name, prompt, &own, &placed, first);
            example = TRUE;
        }
        gens_clear(&placed);
    }
    if (ok && !example) { /* no batch changed it: the precision itself? */
        gssize first;
        guint prompt = 0;
        if (diverging(&own, s->host_greedy, s->host_greedy_len, &first,
                      &prompt) > 0)
            add_example(run, s, name, "float32", prompt, &own, NULL, first);
    }
    if (ok)
        add_scatter(scatter, s, name, alone, self_noise, self_flip);
    gens_clear(&own);
    gens_clear(&placed);
    return ok;
}

gboolean lp_precision_job(NlRun *run, const LpShared *s, GError **error)
{
    if (s->c.n_precisions == 0)
        return TRUE;
    NlTable *scatter = nl_run_table(run, "c5-scatter",
                                    "precision:str gap:f64 noise:f64 "
                                    "self_noise:f64 flip:int self_flip:int");
    nl_table_set_title(scatter, "C5: per precision and position, the "
                                "distance from float32 and from itself "
                                "against the gap");
    nl_table_add_note(scatter, "gap",
                      "top-1 minus top-2 of the host's float32 logits");
    nl_table_add_note(scatter, "noise",
                      "largest |logit - float32 logit| of the precision "
                      "alone");
    nl_table_add_note(scatter, "self_noise",
                      "largest |logit - the precision's own logit alone| "
                      "over its batches and paddings");
    nl_table_add_note(scatter, "flip",
                      "1: the precision alone changes the most likely "
                      "word; self_flip: a batch or padding changes it "
                      "against the precision alone");
    gsize nz = s->n_positions * s->V;
    float *alone = nl_alloc_f32(nz, error);
    float *buf = alone ? nl_alloc_f32(nz, error) : NULL;
    gboolean ok = buf != NULL;
    for (gsize i = 0; ok && i < s->c.n_precisions; i++) {
        ok = one_mode(run, s, s->c.precisions[i], scatter, alone, buf, error);
        nl_run_progress(run, (double)(i + 1) / s->c.n_precisions,
                        "C5 precisions");
    }
    nl_free(alone);
    nl_free(buf);
    return ok;
}
