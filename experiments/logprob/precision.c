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
                        const char *name, guint i, const guint32 *own,
                        gsize own_len, const guint32 *placed, gsize placed_len,
                        gssize step)
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
    g_autofree char *alone = words_text(s, own, own_len);
    g_autofree char *other =
        placed ? words_text(s, placed, placed_len) : g_strdup("");
    nl_table_add_str(t, precision);
    nl_table_add_str(t, name);
    nl_table_add_str(t, s->c.prompts[i]);
    nl_table_add_str(t, f32);
    nl_table_add_str(t, alone);
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

/* ---- one mode's cases, measured placement by placement ---- */

/* One placement's row of c5-cases. */
typedef struct {
    LpPlacement pl;
    LpDiff d;
    guint n_div;
    gssize first;
} PlacedCase;

struct LpModeCases {
    const float *alone;  /* the mode's logits alone, borrowed */
    guint32 *const *own; /* its greedy words alone, borrowed */
    const gsize *own_len;
    LpDiff against_host; /* the mode alone against the host's float32 */
    guint host_div;
    gssize host_first;
    guint host_prompt;
    GArray *cases; /* PlacedCase */
    double *self_noise;
    gboolean *self_flip;
    /* the first placement that changed a greedy generation */
    gboolean example;
    LpPlacement example_pl;
    guint example_prompt;
    guint32 *example_words;
    gsize example_len;
    gssize example_step;
};

LpModeCases *lp_mode_cases_new(const LpShared *s, const float *alone,
                               guint32 *const *own, const gsize *own_len)
{
    LpModeCases *m = g_new0(LpModeCases, 1);
    m->alone = alone;
    m->own = own;
    m->own_len = own_len;
    m->against_host = lp_diff_rows(s, alone, s->host, NULL, NULL, NULL);
    Gens g = {
        .words = (guint32 **)own, .len = (gsize *)own_len, .n = s->c.n_prompts};
    m->host_div = diverging(&g, s->host_greedy, s->host_greedy_len,
                            &m->host_first, &m->host_prompt);
    m->cases = g_array_new(FALSE, FALSE, sizeof(PlacedCase));
    m->self_noise = g_new0(double, s->n_positions);
    m->self_flip = g_new0(gboolean, s->n_positions);
    return m;
}

void lp_mode_cases_placed(LpModeCases *m, const LpShared *s, LpPlacement pl,
                          const float *placed, guint32 *const *words,
                          const gsize *len)
{
    /* self_noise, and flips against this mode alone (lp_diff_rows'
     * flip compares with the host: kept apart here) */
    PlacedCase c = {.pl = pl};
    c.d = lp_diff_rows(s, placed, m->alone, NULL, m->self_noise, NULL);
    for (gsize p = 0; p < s->n_positions; p++) {
        guint bb, ba;
        lp_gap_of(placed + p * s->V, s->V, &bb);
        lp_gap_of(m->alone + p * s->V, s->V, &ba);
        m->self_flip[p] |= bb != ba;
    }
    Gens g = {
        .words = (guint32 **)words, .len = (gsize *)len, .n = s->c.n_prompts};
    guint prompt = 0;
    c.n_div = diverging(&g, m->own, m->own_len, &c.first, &prompt);
    g_array_append_val(m->cases, c);
    if (c.n_div > 0 && !m->example) {
        m->example = TRUE;
        m->example_pl = pl;
        m->example_prompt = prompt;
        m->example_words =
            g_memdup2(words[prompt], MAX(len[prompt], 1) * sizeof(guint32));
        m->example_len = len[prompt];
        m->example_step = c.first;
    }
}

void lp_mode_cases_free(LpModeCases *m)
{
    if (!m)
        return;
    g_array_unref(m->cases);
    g_free(m->self_noise);
    g_free(m->self_flip);
    g_free(m->example_words);
    g_free(m);
}

static char *case_name(LpPlacement pl)
{
    return pl.batch > 1 ? g_strdup_printf("batch=%u", pl.batch)
                        : g_strdup_printf("pad=%u", pl.pad);
}

/* The mode's rows of c5-cases, c5-example and c5-scatter. */
static void mode_cases_write(NlRun *run, const LpShared *s, const char *name,
                             const LpModeCases *m, NlTable *scatter)
{
    add_case(run, s, name, "float32", "precision", 0, "float32",
             m->against_host, m->host_div, m->host_first);
    for (guint i = 0; i < m->cases->len; i++) {
        const PlacedCase *c = &g_array_index(m->cases, PlacedCase, i);
        g_autofree char *cn = case_name(c->pl);
        add_case(run, s, name, cn, c->pl.batch > 1 ? "batch" : "pad",
                 c->pl.batch > 1 ? c->pl.batch : c->pl.pad, "alone", c->d,
                 c->n_div, c->first);
    }
    guint i = m->example_prompt;
    if (m->example) {
        g_autofree char *cn = case_name(m->example_pl);
        add_example(run, s, name, cn, i, m->own[i], m->own_len[i],
                    m->example_words, m->example_len, m->example_step);
    } else if (m->host_div > 0) { /* no batch changed it: the precision */
        i = m->host_prompt;
        add_example(run, s, name, "float32", i, m->own[i], m->own_len[i], NULL,
                    0, m->host_first);
    }
    add_scatter(scatter, s, name, m->alone, m->self_noise, m->self_flip);
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
    g_autoptr(LpModeCases) m =
        ok ? lp_mode_cases_new(s, alone, own.words, own.len) : NULL;
    gsize n_cases = s->c.n_batches + s->c.n_paddings;
    for (gsize i = 0; ok && i < n_cases; i++) {
        ok = lp_logits_placed(s, on, lp_case_placement(s, i), buf, error) &&
             greedy_all(s, on, lp_case_placement(s, i), &placed, error);
        if (ok)
            lp_mode_cases_placed(m, s, lp_case_placement(s, i), buf,
                                 placed.words, placed.len);
        gens_clear(&placed);
    }
    if (ok)
        mode_cases_write(run, s, name, m, scatter);
    gens_clear(&own);
    return ok;
}

gboolean lp_precision_job(NlRun *run, const LpShared *s, const LpModeCases *f32,
                          GError **error)
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
        const char *name = s->c.precisions[i];
        if (f32 && strcmp(name, "float32") == 0) /* C4's passes, measured */
            mode_cases_write(run, s, name, f32, scatter);
        else
            ok = one_mode(run, s, name, scatter, alone, buf, error);
        nl_run_progress(run, (double)(i + 1) / s->c.n_precisions,
                        "C5 precisions");
    }
    nl_free(alone);
    nl_free(buf);
    return ok;
}
