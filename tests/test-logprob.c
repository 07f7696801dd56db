/* test-logprob.c — the logprob experiment (C1–C4) run by the built numlab,
 * its numbers checked against computations made here.
 *
 * Three runs, each checked the same way:
 * - "default": no parameters (the lecture model trained on the host, seed
 *   42) on naive, blas and, where built, openmp:batch_invariant=1 and
 *   plain openmp. Beside it, `numlab run minigpt -b naive` with its
 *   defaults: logprob's model.ckpt must be its checkpoint byte for byte.
 * - "checkpoint": model=that minigpt checkpoint, naive and blas, top=1,
 *   gen_words=3, other thresholds, temperatures and seeds, a prompt of
 *   exactly the context (generation slides the window) and one with
 *   spaces around it.
 * - "tiny": a small random model written here whose vocabulary lacks most
 *   corpus words (skipped sentences) and whose context cuts the others.
 *
 * What is computed here, independently of the experiment's code: the
 * evaluation set (prompts, then every corpus sentence the vocabulary
 * covers, cut to the context); every sequence's logits alone on the host
 * (nl_gpt_logits with NULL) and on each job's backend, opened here (the
 * model's weights resident there, nl_gpt_resident_new); the
 * batches (B sequences per pass, the last batch filled up from the start,
 * padded with <EOS> to the batch's longest) and paddings; rankings,
 * log-softmax and softmax at T in long double; greedy and sampled
 * generations (a fresh NlRng per path, one nl_sampler_draw per step) with
 * the context window and the batch companions that
 * experiments/logprob/logprob.h describes. (The backends opened here are
 * the jobs' own libraries with the same options and thread counts, so the
 * same shapes give the same bits as in numlab's process.)
 * Then every table cell is compared: words and float32 logits bit for bit,
 * probabilities and logprobs within 1e-12 relative (1e-14 absolute: a
 * logprob near 0 is a difference of two numbers near 5), gaps exactly,
 * classes against thresholds.dat, every C4 count and largest delta
 * exactly, every c4-scatter row, every pair of c4-jobs. The JSON lines
 * files are parsed by a small strict JSON reader here.
 *
 * Note: c4-scatter's noise is the largest |logit - host| and self_noise the
 * largest |logit - alone|; self_noise may exceed noise (the alone and
 * batched errors can have opposite signs), but never 2 x noise.
 *
 * Bad input: each is one line on stderr naming the problem, exit status 1,
 * and no file written (the folder absent or empty; a previous result in
 * the folder unchanged). A checkpoint with a NaN or infinite weight is
 * refused by the loader itself ("weight N is not a finite number"); the
 * experiment's own "logits after ... are not finite" is reached with
 * finite weights that overflow, in every logit or only in corpus
 * sentences. */
#include "config.h"

#include "test-util.h"
#include "../framework/host/host.h"
#include <numlab-minigpt/lecture.h>
#include <numlab/sample.h>

#include <float.h>
#include <math.h>
#include <string.h>

#define MAX_TOP 20
#define REL_TOL 1e-12
#define ABS_TOL 1e-14

static char *tmp;
static NlRegistry *registry;

/* ---- small helpers ------------------------------------------------------ */

static gboolean close_to(double a, double b, double rel, double abs_)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= rel * MAX(fabs(a), fabs(b)) + abs_;
}

#define assert_close(a, b, rel, abs_, ...)                                     \
    do {                                                                       \
        double a_ = (a), b_ = (b);                                             \
        if (!close_to(a_, b_, rel, abs_)) {                                    \
            g_autofree char *where_ = g_strdup_printf(__VA_ARGS__);            \
            g_error("%s: %.17g, expected %.17g", where_, a_, b_);              \
        }                                                                      \
    } while (0)

static gint64 dat_int(const NlDat *d, guint set, guint r, guint c)
{
    double v = nl_dat_double(d, set, r, c);
    g_assert_cmpfloat(v, ==, floor(v));
    return (gint64)v;
}

static guint32 f32_bits(float f)
{
    guint32 u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static gboolean same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static GBytes *read_bytes(const char *path)
{
    char *data = NULL;
    gsize len;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &data, &len, &error))
        g_error("%s", error->message);
    return g_bytes_new_take(data, len);
}

static const char *word_of(const NlGpt *m, guint32 t)
{
    return nl_gpt_vocab_word(m->vocab, t);
}

/* The k largest of z, largest first; ties: the lower index first. A plain
 * selection, k passes over z. */
static void rank_top(const float *z, guint V, guint k, guint *out)
{
    for (guint r = 0; r < k; r++) {
        gint best = -1;
        for (guint v = 0; v < V; v++) {
            gboolean taken = FALSE;
            for (guint q = 0; q < r; q++)
                taken |= out[q] == v;
            if (!taken && (best < 0 || z[v] > z[best]))
                best = (gint)v;
        }
        out[r] = (guint)best;
    }
}

/* log sum exp(z) in long double. */
static double log_sum_exp(const float *z, guint V)
{
    long double m = z[0], s = 0;
    for (guint v = 1; v < V; v++)
        m = MAX(m, (long double)z[v]);
    for (guint v = 0; v < V; v++)
        s += expl((long double)z[v] - m);
    return (double)(m + logl(s));
}

/* softmax(z / T)[i] in long double. */
static double prob_at(const float *z, guint V, double T, guint i)
{
    long double m = z[0], s = 0;
    for (guint v = 1; v < V; v++)
        m = MAX(m, (long double)z[v]);
    for (guint v = 0; v < V; v++)
        s += expl(((long double)z[v] - m) / T);
    return (double)(expl(((long double)z[i] - m) / T) / s);
}

static guint argmax(const float *z, guint V)
{
    guint b = 0;
    for (guint v = 1; v < V; v++)
        if (z[v] > z[b])
            b = v;
    return b;
}

static double gap_of(const float *z, guint V)
{
    guint t[2];
    rank_top(z, V, 2, t);
    return (double)z[t[0]] - (double)z[t[1]];
}

/* ---- a minimal strict JSON reader ---------------------------------------- */

typedef enum { JS_NULL, JS_BOOL, JS_NUM, JS_STR, JS_ARR, JS_OBJ } JsKind;

typedef struct Js {
    JsKind kind;
    gboolean truth;   /* JS_BOOL */
    double num;       /* JS_NUM */
    char *text;       /* JS_STR: decoded; JS_NUM: as written */
    GPtrArray *items; /* JS_ARR, JS_OBJ: the values */
    GPtrArray *keys;  /* JS_OBJ: the keys, in order */
} Js;

static void js_free(gpointer p)
{
    Js *j = p;
    if (!j)
        return;
    g_free(j->text);
    if (j->items)
        g_ptr_array_unref(j->items);
    if (j->keys)
        g_ptr_array_unref(j->keys);
    g_free(j);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Js, js_free)

static void js_ws(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
        (*p)++;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int d = g_ascii_xdigit_value(p[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static char *js_string(const char **p)
{
    if (**p != '"')
        return NULL;
    (*p)++;
    g_autoptr(GString) s = g_string_new(NULL);
    for (;;) {
        guchar c = (guchar) * *p;
        if (c == '"') {
            (*p)++;
            break;
        }
        if (c < 0x20) /* the end of the text, or a raw control character */
            return NULL;
        if (c != '\\') {
            g_string_append_c(s, (char)c);
            (*p)++;
            continue;
        }
        char e = (*p)[1];
        *p += 2;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            g_string_append_c(s, "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]);
            continue;
        }
        if (e != 'u')
            return NULL;
        int u = hex4(*p);
        if (u < 0)
            return NULL;
        *p += 4;
        if (u >= 0xd800 && u < 0xdc00) {
            if ((*p)[0] != '\\' || (*p)[1] != 'u')
                return NULL;
            int lo = hex4(*p + 2);
            if (lo < 0xdc00 || lo >= 0xe000)
                return NULL;
            *p += 6;
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        } else if (u >= 0xdc00 && u < 0xe000) {
            return NULL;
        }
        g_string_append_unichar(s, (gunichar)u);
    }
    if (!g_utf8_validate(s->str, (gssize)s->len, NULL) ||
        strlen(s->str) != s->len)
        return NULL;
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static Js *js_value(const char **p, int depth);

static Js *js_number(const char **p)
{
    const char *s = *p, *q = s;
    if (*q == '-')
        q++;
    if (*q == '0')
        q++;
    else if (*q >= '1' && *q <= '9')
        while (g_ascii_isdigit(*q))
            q++;
    else
        return NULL;
    if (*q == '.') {
        q++;
        if (!g_ascii_isdigit(*q))
            return NULL;
        while (g_ascii_isdigit(*q))
            q++;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!g_ascii_isdigit(*q))
            return NULL;
        while (g_ascii_isdigit(*q))
            q++;
    }
    Js *j = g_new0(Js, 1);
    j->kind = JS_NUM;
    j->text = g_strndup(s, (gsize)(q - s));
    j->num = g_ascii_strtod(j->text, NULL);
    *p = q;
    return j;
}

static Js *js_container(const char **p, int depth, gboolean object)
{
    g_autoptr(Js) j = g_new0(Js, 1);
    j->kind = object ? JS_OBJ : JS_ARR;
    j->items = g_ptr_array_new_with_free_func(js_free);
    if (object)
        j->keys = g_ptr_array_new_with_free_func(g_free);
    (*p)++;
    js_ws(p);
    if (**p == (object ? '}' : ']')) {
        (*p)++;
        return g_steal_pointer(&j);
    }
    for (;;) {
        js_ws(p);
        if (object) {
            char *key = js_string(p);
            if (!key)
                return NULL;
            for (guint i = 0; i < j->keys->len; i++)
                if (strcmp(j->keys->pdata[i], key) == 0) { /* duplicate */
                    g_free(key);
                    return NULL;
                }
            g_ptr_array_add(j->keys, key);
            js_ws(p);
            if (**p != ':')
                return NULL;
            (*p)++;
        }
        Js *v = js_value(p, depth + 1);
        if (!v)
            return NULL;
        g_ptr_array_add(j->items, v);
        js_ws(p);
        if (**p == ',') {
            (*p)++;
            continue;
        }
        if (**p != (object ? '}' : ']'))
            return NULL;
        (*p)++;
        return g_steal_pointer(&j);
    }
}

static Js *js_value(const char **p, int depth)
{
    if (depth > 32)
        return NULL;
    js_ws(p);
    static const struct {
        const char *word;
        JsKind kind;
        gboolean truth;
    } literals[] = {{"null", JS_NULL, FALSE},
                    {"true", JS_BOOL, TRUE},
                    {"false", JS_BOOL, FALSE}};
    for (guint i = 0; i < G_N_ELEMENTS(literals); i++)
        if (g_str_has_prefix(*p, literals[i].word)) {
            *p += strlen(literals[i].word);
            Js *j = g_new0(Js, 1);
            j->kind = literals[i].kind;
            j->truth = literals[i].truth;
            return j;
        }
    if (**p == '"') {
        char *s = js_string(p);
        if (!s)
            return NULL;
        Js *j = g_new0(Js, 1);
        j->kind = JS_STR;
        j->text = s;
        return j;
    }
    if (**p == '{' || **p == '[')
        return js_container(p, depth, **p == '{');
    return js_number(p);
}

/* One whole document, nothing after it; NULL if it is not valid JSON. */
static Js *js_parse(const char *text)
{
    const char *p = text;
    Js *j = js_value(&p, 0);
    if (!j)
        return NULL;
    js_ws(&p);
    if (*p) {
        js_free(j);
        return NULL;
    }
    return j;
}

static Js *js_get(const Js *obj, const char *key)
{
    g_assert_cmpint(obj->kind, ==, JS_OBJ);
    for (guint i = 0; i < obj->keys->len; i++)
        if (strcmp(obj->keys->pdata[i], key) == 0)
            return obj->items->pdata[i];
    g_error("JSON object without key '%s'", key);
}

static Js *js_kind(Js *j, JsKind kind)
{
    g_assert_nonnull(j);
    g_assert_cmpint(j->kind, ==, kind);
    return j;
}

static void js_keys_are(const Js *obj, const char *const *keys)
{
    g_assert_cmpint(obj->kind, ==, JS_OBJ);
    guint n = 0;
    while (keys[n])
        n++;
    g_assert_cmpuint(obj->keys->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpstr(obj->keys->pdata[i], ==, keys[i]);
}

static void test_json_reader(void)
{
    g_autoptr(Js) ok =
        js_parse(" {\"a\":[1,-2.5e3,\"x\\u00e4\\\"\"],\"b\":null,"
                 "\"c\":true} ");
    g_assert_nonnull(ok);
    Js *a = js_kind(js_get(ok, "a"), JS_ARR);
    g_assert_cmpuint(a->items->len, ==, 3);
    g_assert_cmpfloat(((Js *)a->items->pdata[1])->num, ==, -2500);
    g_assert_cmpstr(((Js *)a->items->pdata[2])->text, ==, "x\xc3\xa4\"");
    const char *bad[] = {"{\"a\":1,}",  "{\"a\":1,\"a\":2}",
                         "[1 2]",       "[01]",
                         "{\"a\":1} x", "\"\x01\"",
                         "[1.]",        "{a:1}",
                         "[",           ""};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        Js *j = js_parse(bad[i]);
        if (j)
            g_error("accepted %s", bad[i]);
    }
}

/* ---- one run of the experiment, and what is computed here for it ------- */

typedef struct {
    gsize off, len, pos;
} Seq;

typedef struct {
    guint32 token;
    double logprob; /* at T = 1 */
    double prob_t;  /* at the path's temperature (1 for greedy) */
    double gap;
    guint top[MAX_TOP];
    double top_lp[MAX_TOP];
} Step;

typedef struct {
    char *label;
    NlBackend *be;
    float *alone;          /* (positions, V) each sequence alone */
    GArray ***paths;       /* [prompt][path]: Step, path 0 greedy */
    float **cases;         /* per case: (positions, V) placed */
    GArray ***case_greedy; /* [case][prompt]: Step */
} Job;

typedef struct {
    const char *name;
    char *dir;        /* RESULTS/logprob */
    char *model_path; /* NULL: trained */
    NlGpt *model;
    guint V, T;
    char **prompts; /* stripped */
    guint n_prompts;
    guint top, gen_words;
    double stable, unstable;
    double temps[8];
    guint n_temps;
    guint64 seeds[8];
    guint n_seeds;
    guint batches[8], n_batches, pads[8], n_pads;
    /* the evaluation set */
    guint32 *tokens;
    Seq *seqs;
    gsize n_seqs, n_positions, n_skipped;
    float *host;
    GArray **host_greedy;
    GPtrArray *jobs;
} Run;

static guint n_cases(const Run *r)
{
    return r->n_batches + r->n_pads;
}

static guint n_paths(const Run *r)
{
    guint n = 1;
    for (guint t = 0; t < r->n_temps; t++)
        n += r->temps[t] > 0 ? r->n_seeds : 0;
    return n;
}

static void path_params(const Run *r, guint path, double *temp, gint64 *seed)
{
    *temp = 0;
    *seed = -1;
    guint k = 0;
    for (guint t = 0; t < r->n_temps; t++)
        for (guint s = 0; r->temps[t] > 0 && s < r->n_seeds; s++)
            if (++k == path) {
                *temp = r->temps[t];
                *seed = (gint64)r->seeds[s];
            }
}

static NlDat *run_dat(const Run *r, const char *table)
{
    g_autofree char *path = g_strdup_printf("%s/%s.dat", r->dir, table);
    return nl_dat_read(path);
}

/* As the host opens it: with its self-check and its substitutes. */
static NlBackend *open_backend(const char *label)
{
    g_autoptr(GError) error = NULL;
    NlBackend *b = nl_backend_open_spec(registry, label, NULL, &error);
    if (!b)
        g_error("%s: %s", label, error->message);
    return b;
}

/* The evaluation set as logprob.h describes it. */
static void build_eval_set(Run *r)
{
    GArray *tokens = g_array_new(FALSE, FALSE, sizeof(guint32));
    GArray *seqs = g_array_new(FALSE, FALSE, sizeof(Seq));
    gsize pos = 0, n_corpus;
    const char *const *corpus = nl_gpt_lecture_sentences(&n_corpus);
    for (gsize i = 0; i < r->n_prompts + n_corpus; i++) {
        const char *text =
            i < r->n_prompts ? r->prompts[i] : corpus[i - r->n_prompts];
        g_autofree guint32 *t = NULL;
        gsize n = 0;
        g_autoptr(GError) error = NULL;
        if (!nl_gpt_vocab_encode(r->model->vocab, text, FALSE, &t, &n,
                                 &error)) {
            g_assert_cmpuint(i, >=, r->n_prompts);
            r->n_skipped++;
            continue;
        }
        g_assert_cmpuint(n, >, 0);
        n = MIN(n, r->T);
        Seq q = {tokens->len, n, pos};
        g_array_append_vals(tokens, t, (guint)n);
        g_array_append_val(seqs, q);
        pos += n;
    }
    r->n_seqs = seqs->len;
    r->n_positions = pos;
    r->tokens = (guint32 *)g_array_free(tokens, FALSE);
    r->seqs = (Seq *)g_array_free(seqs, FALSE);
}

/* Every sequence alone, on the resident weights (NULL: host). */
static float *logits_alone(const Run *r, NlGptResident *on)
{
    float *out = g_new(float, r->n_positions * r->V);
    for (gsize i = 0; i < r->n_seqs; i++) {
        const Seq *q = &r->seqs[i];
        g_autoptr(GError) error = NULL;
        if (!nl_gpt_logits(r->model, on, r->tokens + q->off, q->len,
                           out + q->pos * r->V, &error))
            g_error("%s", error->message);
    }
    return out;
}

/* Every sequence in batches of B (padded with <EOS> to the batch's
 * longest, plus pad, up to the context; the last batch filled up with
 * sequences from the start). */
static float *logits_placed(const Run *r, NlGptResident *on, guint B, guint pad)
{
    gsize V = r->V;
    float *out = g_new(float, r->n_positions *V);
    g_autofree guint32 *rows = g_new(guint32, B * r->T);
    g_autofree float *z = g_new(float, B * r->T * V);
    for (gsize g = 0; g < r->n_seqs; g += B) {
        gsize longest = 0;
        for (gsize b = 0; b < B; b++)
            longest = MAX(longest, r->seqs[(g + b) % r->n_seqs].len);
        gsize len = MIN(longest + pad, r->T);
        for (gsize b = 0; b < B; b++) {
            const Seq *q = &r->seqs[(g + b) % r->n_seqs];
            for (gsize t = 0; t < len; t++)
                rows[b * len + t] =
                    t < q->len ? r->tokens[q->off + t] : NL_GPT_EOS;
        }
        g_autoptr(GError) error = NULL;
        if (!nl_gpt_logits_batch(r->model, on, rows, B, len, z, &error))
            g_error("%s", error->message);
        for (gsize b = 0; b < B && g + b < r->n_seqs; b++) {
            const Seq *q = &r->seqs[g + b];
            memcpy(out + q->pos * V, z + b * len * V, q->len * V * sizeof *z);
        }
    }
    return out;
}

/* The logits after ctx[0..n) (its last T words), alone or last in a batch
 * of B whose companions are the corpus sentences in order, with pad <EOS>
 * appended. */
static void next_logits(const Run *r, NlGptResident *on, guint B, guint pad,
                        const guint32 *ctx, gsize n, float *out)
{
    gsize V = r->V;
    if (n > r->T) {
        ctx += n - r->T;
        n = r->T;
    }
    g_autoptr(GError) error = NULL;
    if (B == 1 && pad == 0) {
        g_autofree float *z = g_new(float, n *V);
        if (!nl_gpt_logits(r->model, on, ctx, n, z, &error))
            g_error("%s", error->message);
        memcpy(out, z + (n - 1) * V, V * sizeof *out);
        return;
    }
    gsize len = MIN(n + pad, r->T);
    gsize n_corpus = r->n_seqs - r->n_prompts;
    g_assert_cmpuint(n_corpus, >, 0);
    g_autofree guint32 *rows = g_new(guint32, B * len);
    for (gsize b = 0; b < B; b++) {
        const guint32 *src = ctx;
        gsize have = n;
        if (b + 1 < B) {
            const Seq *q = &r->seqs[r->n_prompts + b % n_corpus];
            src = r->tokens + q->off;
            have = q->len;
        }
        for (gsize t = 0; t < len; t++)
            rows[b * len + t] = t < have ? src[t] : NL_GPT_EOS;
    }
    g_autofree float *z = g_new(float, B *len *V);
    if (!nl_gpt_logits_batch(r->model, on, rows, B, len, z, &error))
        g_error("%s", error->message);
    memcpy(out, z + ((B - 1) * len + n - 1) * V, V * sizeof *out);
}

/* Continues prompt p: greedy at temp 0, else drawn with a fresh generator
 * seeded with seed from softmax(logits / temp) in double. */
static GArray *generate(const Run *r, NlGptResident *on, guint B, guint pad,
                        guint p, double temp, guint64 seed)
{
    const Seq *q = &r->seqs[p];
    guint V = r->V, k = MAX(r->top, 2u);
    GArray *steps = g_array_new(FALSE, TRUE, sizeof(Step));
    g_autofree guint32 *ctx = g_new(guint32, q->len + r->gen_words);
    memcpy(ctx, r->tokens + q->off, q->len * sizeof *ctx);
    gsize n = q->len;
    g_autofree float *z = g_new(float, V);
    g_autofree double *zd = g_new(double, V);
    g_autofree double *probs = g_new(double, V);
    NlRng rng;
    nl_rng_init(&rng, seed);
    for (guint w = 0; w < r->gen_words; w++) {
        next_logits(r, on, B, pad, ctx, n, z);
        Step st = {0};
        rank_top(z, V, k, st.top);
        g_assert_cmpuint(st.top[0], ==, argmax(z, V));
        st.token = st.top[0];
        st.prob_t = 1;
        if (temp > 0) {
            for (guint v = 0; v < V; v++)
                zd[v] = z[v];
            g_autoptr(GError) error = NULL;
            g_assert_true(nl_sample_softmax(zd, V, temp, probs, &error));
            g_autoptr(NlSampler) smp = nl_sampler_new(probs, V, &error);
            g_assert_no_error(error);
            st.token = (guint32)nl_sampler_draw(smp, &rng);
            st.prob_t = prob_at(z, V, temp, st.token);
        }
        double lse = log_sum_exp(z, V);
        st.logprob = (double)z[st.token] - lse;
        st.gap = (double)z[st.top[0]] - (double)z[st.top[1]];
        for (guint i = 0; i < k; i++)
            st.top_lp[i] = (double)z[st.top[i]] - lse;
        g_array_append_val(steps, st);
        if (st.token == NL_GPT_EOS)
            break;
        ctx[n++] = st.token;
    }
    return steps;
}

static void prepare_job(Run *r, Job *j)
{
    j->be = open_backend(j->label);
    g_autoptr(GError) error = NULL;
    g_autoptr(NlGptResident) on = nl_gpt_resident_new(r->model, j->be, &error);
    g_assert_no_error(error);
    j->alone = logits_alone(r, on);
    guint P = r->n_prompts, np = n_paths(r);
    j->paths = g_new0(GArray **, P);
    for (guint p = 0; p < P; p++) {
        j->paths[p] = g_new0(GArray *, np);
        for (guint k = 0; k < np; k++) {
            double temp;
            gint64 seed;
            path_params(r, k, &temp, &seed);
            j->paths[p][k] =
                generate(r, on, 1, 0, p, temp, seed < 0 ? 0 : (guint64)seed);
        }
    }
    guint nc = n_cases(r);
    j->cases = g_new0(float *, nc);
    j->case_greedy = g_new0(GArray **, nc);
    for (guint c = 0; c < nc; c++) {
        guint B = c < r->n_batches ? r->batches[c] : 1;
        guint pad = c < r->n_batches ? 0 : r->pads[c - r->n_batches];
        j->cases[c] = logits_placed(r, on, B, pad);
        j->case_greedy[c] = g_new0(GArray *, P);
        for (guint p = 0; p < P; p++)
            j->case_greedy[c][p] = generate(r, on, B, pad, p, 0, 0);
    }
}

/* Reads the job labels (dataset order) from backends.gp. */
static void read_labels(Run *r)
{
    g_autofree char *path = g_strdup_printf("%s/backends.gp", r->dir);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    const char *line = strstr(text, "backends = \"");
    g_assert_nonnull(line);
    g_auto(GStrv) quoted = g_strsplit(line, "\"", 3);
    g_auto(GStrv) words = g_strsplit(quoted[1], " ", -1);
    r->jobs = g_ptr_array_new();
    for (guint i = 0; words[i]; i++) {
        Job *j = g_new0(Job, 1);
        j->label = g_strdup(words[i]);
        g_ptr_array_add(r->jobs, j);
    }
}

static void prepare_run(Run *r, const char *expected_jobs)
{
    if (!r->model) {
        g_autofree char *ckpt = g_strdup_printf("%s/model.ckpt", r->dir);
        g_autoptr(GError) error = NULL;
        r->model = nl_gpt_load_file(ckpt, &error);
        g_assert_no_error(error);
    }
    r->V = r->model->config.vocab_size;
    r->T = r->model->config.context;
    build_eval_set(r);
    r->host = logits_alone(r, NULL);
    r->host_greedy = g_new0(GArray *, r->n_prompts);
    for (guint p = 0; p < r->n_prompts; p++)
        r->host_greedy[p] = generate(r, NULL, 1, 0, p, 0, 0);
    read_labels(r);
    g_auto(GStrv) want = g_strsplit(expected_jobs, ",", -1);
    g_assert_cmpuint(g_strv_length(want), ==, r->jobs->len);
    for (guint i = 0; i < r->jobs->len; i++) {
        Job *j = r->jobs->pdata[i];
        g_assert_cmpstr(j->label, ==, want[i]);
        prepare_job(r, j);
    }
}

/* Frees what prepare_run computed (and the model, when the run owns it):
 * the runs live until the checks have run. */
static void run_clear(Run *r, gboolean owns_model)
{
    guint P = r->n_prompts, np = n_paths(r), nc = n_cases(r);
    for (guint i = 0; r->jobs && i < r->jobs->len; i++) {
        Job *j = r->jobs->pdata[i];
        for (guint p = 0; p < P; p++) {
            for (guint k = 0; k < np; k++)
                g_array_unref(j->paths[p][k]);
            g_free(j->paths[p]);
        }
        for (guint c = 0; c < nc; c++) {
            for (guint p = 0; p < P; p++)
                g_array_unref(j->case_greedy[c][p]);
            g_free(j->case_greedy[c]);
            g_free(j->cases[c]);
        }
        g_free(j->paths);
        g_free(j->case_greedy);
        g_free(j->cases);
        g_free(j->alone);
        nl_backend_close(j->be);
        g_free(j->label);
        g_free(j);
    }
    if (r->jobs)
        g_ptr_array_unref(r->jobs);
    for (guint p = 0; r->host_greedy && p < P; p++)
        g_array_unref(r->host_greedy[p]);
    g_free(r->host_greedy);
    g_free(r->host);
    g_free(r->tokens);
    g_free(r->seqs);
    g_free(r->dir);
    if (owns_model)
        nl_gpt_free(r->model);
}

static const char *gap_class(const Run *r, double gap)
{
    return gap > r->stable     ? "stable"
           : gap < r->unstable ? "unstable"
                               : "borderline";
}

static gboolean is_naive(const Job *j)
{
    return strcmp(j->label, "naive") == 0;
}

static gboolean is_invariant(const Job *j)
{
    return is_naive(j) || strstr(j->label, "batch_invariant=1") != NULL;
}

/* ---- the model and the evaluation set ---------------------------------- */

static void test_model(gconstpointer data)
{
    const Run *r = data;
    g_autoptr(NlDat) m = run_dat(r, "model");
    g_assert_cmpuint(nl_dat_rows(m, 0), ==, 1);
    const NlGptConfig *c = &r->model->config;
    g_assert_cmpstr(nl_dat_cell(m, 0, 0, 0), ==,
                    r->model_path ? r->model_path : "trained");
    g_assert_cmpint(dat_int(m, 0, 0, 1), ==, (gint64)r->model->n_params);
    g_assert_cmpint(dat_int(m, 0, 0, 2), ==, c->vocab_size);
    g_assert_cmpint(dat_int(m, 0, 0, 3), ==, c->context);
    g_assert_cmpint(dat_int(m, 0, 0, 4), ==, c->d_model);
    g_assert_cmpint(dat_int(m, 0, 0, 5), ==, c->n_layer);
    g_assert_cmpint(dat_int(m, 0, 0, 6), ==, c->n_head);
    if (r->model_path) {
        g_assert_cmpint(dat_int(m, 0, 0, 7), ==, -1);
        g_assert_true(isnan(nl_dat_double(m, 0, 0, 8)));
        g_assert_true(isnan(nl_dat_double(m, 0, 0, 9)));
        g_autofree char *ckpt = g_strdup_printf("%s/model.ckpt", r->dir);
        g_assert_false(g_file_test(ckpt, G_FILE_TEST_EXISTS));
    } else {
        g_assert_cmpint(dat_int(m, 0, 0, 7), ==, 42);
        double loss = nl_dat_double(m, 0, 0, 8);
        g_assert_cmpfloat(loss, >, 0);
        g_assert_cmpfloat(loss, <, 0.5 * log(c->vocab_size));
        g_assert_cmpfloat(nl_dat_double(m, 0, 0, 9), >, 0);
    }
    g_assert_cmpint(dat_int(m, 0, 0, 10), ==, (gint64)r->n_seqs);
    g_assert_cmpint(dat_int(m, 0, 0, 11), ==, (gint64)r->n_positions);
    g_assert_cmpint(dat_int(m, 0, 0, 12), ==, (gint64)r->n_skipped);
    g_autoptr(NlDat) t = run_dat(r, "thresholds");
    g_assert_cmpfloat(nl_dat_double(t, 0, 0, 0), ==, r->stable);
    g_assert_cmpfloat(nl_dat_double(t, 0, 0, 1), ==, r->unstable);
    /* one dataset per job in every per-backend table */
    const char *per_job[] = {"c1-top",  "c1-gap",   "c2-steps",  "c3-paths",
                             "c3-part", "c4-cases", "c4-scatter"};
    for (guint i = 0; i < G_N_ELEMENTS(per_job); i++) {
        g_autoptr(NlDat) d = run_dat(r, per_job[i]);
        g_assert_cmpuint(d->datasets->len, ==, r->jobs->len);
    }
}

/* logprob's own model is minigpt's naive checkpoint, byte for byte. */
static char *minigpt_ckpt;

static void test_same_model(gconstpointer data)
{
    const Run *r = data;
    g_autofree char *path = g_strdup_printf("%s/model.ckpt", r->dir);
    g_autoptr(GBytes) a = read_bytes(path);
    g_autoptr(GBytes) b = read_bytes(minigpt_ckpt);
    g_assert_cmpuint(g_bytes_get_size(a), ==, g_bytes_get_size(b));
    g_assert_true(g_bytes_equal(a, b));
    /* and it is the model this test computes with */
    gsize len;
    g_autofree guint8 *again = nl_gpt_save_bytes(r->model, &len);
    g_assert_cmpmem(again, len, g_bytes_get_data(a, NULL), g_bytes_get_size(a));
}

/* ---- C1 ------------------------------------------------------------------ */

static void test_c1(gconstpointer data)
{
    const Run *r = data;
    g_autoptr(NlDat) top = run_dat(r, "c1-top");
    g_autoptr(NlDat) gap = run_dat(r, "c1-gap");
    guint V = r->V, k = MAX(r->top, 2u);
    for (guint d = 0; d < r->jobs->len; d++) {
        const Job *j = r->jobs->pdata[d];
        g_assert_cmpuint(nl_dat_rows(top, d), ==, r->n_prompts * r->top);
        g_assert_cmpuint(nl_dat_rows(gap, d), ==, r->n_prompts);
        for (guint p = 0; p < r->n_prompts; p++) {
            const Seq *q = &r->seqs[p];
            const float *z = j->alone + (q->pos + q->len - 1) * V;
            if (is_naive(j)) /* the naive order is the host's */
                g_assert_cmpmem(z, V * sizeof *z,
                                r->host + (q->pos + q->len - 1) * V,
                                V * sizeof *z);
            guint t[MAX_TOP];
            rank_top(z, V, k, t);
            double lse = log_sum_exp(z, V);
            for (guint i = 0; i < r->top; i++) {
                guint row = p * r->top + i;
                g_assert_cmpstr(nl_dat_cell(top, d, row, 0), ==, r->prompts[p]);
                g_assert_cmpint(dat_int(top, d, row, 1), ==, p);
                g_assert_cmpint(dat_int(top, d, row, 2), ==, i + 1);
                g_assert_cmpstr(nl_dat_cell(top, d, row, 3), ==,
                                word_of(r->model, t[i]));
                g_assert_cmphex(f32_bits((float)nl_dat_double(top, d, row, 4)),
                                ==, f32_bits(z[t[i]]));
                double lp = (double)z[t[i]] - lse;
                assert_close(nl_dat_double(top, d, row, 5), exp(lp), REL_TOL,
                             ABS_TOL, "%s c1-top %s prompt %u rank %u prob",
                             r->name, j->label, p, i + 1);
                assert_close(nl_dat_double(top, d, row, 6), lp, REL_TOL,
                             ABS_TOL, "%s c1-top %s prompt %u rank %u logprob",
                             r->name, j->label, p, i + 1);
            }
            double g = (double)z[t[0]] - (double)z[t[1]];
            g_assert_cmpstr(nl_dat_cell(gap, d, p, 0), ==, r->prompts[p]);
            g_assert_cmpint(dat_int(gap, d, p, 1), ==, p);
            g_assert_cmpstr(nl_dat_cell(gap, d, p, 2), ==,
                            word_of(r->model, t[0]));
            g_assert_cmpstr(nl_dat_cell(gap, d, p, 3), ==,
                            word_of(r->model, t[1]));
            g_assert_cmphex(f32_bits((float)nl_dat_double(gap, d, p, 4)), ==,
                            f32_bits(z[t[0]]));
            g_assert_cmphex(f32_bits((float)nl_dat_double(gap, d, p, 5)), ==,
                            f32_bits(z[t[1]]));
            g_assert_cmpfloat(nl_dat_double(gap, d, p, 6), ==, g);
            g_assert_cmpstr(nl_dat_cell(gap, d, p, 7), ==, gap_class(r, g));
        }
    }
}

/* ---- C2 ------------------------------------------------------------------ */

static void test_c2(gconstpointer data)
{
    const Run *r = data;
    g_autoptr(NlDat) c2 = run_dat(r, "c2-steps");
    for (guint d = 0; d < r->jobs->len; d++) {
        const Job *j = r->jobs->pdata[d];
        guint row = 0;
        for (guint p = 0; p < r->n_prompts; p++) {
            const GArray *g = j->paths[p][0];
            if (is_naive(j)) { /* the host's greedy words, step by step */
                const GArray *h = r->host_greedy[p];
                g_assert_cmpuint(g->len, ==, h->len);
                for (guint i = 0; i < g->len; i++)
                    g_assert_cmpuint(g_array_index(g, Step, i).token, ==,
                                     g_array_index(h, Step, i).token);
            }
            const Step *last = &g_array_index(g, Step, g->len - 1);
            g_assert_true(last->token == NL_GPT_EOS || g->len == r->gen_words);
            for (guint i = 0; i < g->len; i++, row++) {
                const Step *st = &g_array_index(g, Step, i);
                g_assert_cmpuint(row, <, nl_dat_rows(c2, d));
                g_assert_cmpstr(nl_dat_cell(c2, d, row, 0), ==, r->prompts[p]);
                g_assert_cmpint(dat_int(c2, d, row, 1), ==, p);
                g_assert_cmpint(dat_int(c2, d, row, 2), ==, i + 1);
                g_assert_cmpstr(nl_dat_cell(c2, d, row, 3), ==,
                                word_of(r->model, st->token));
                assert_close(nl_dat_double(c2, d, row, 4), st->logprob, REL_TOL,
                             ABS_TOL, "%s c2 %s prompt %u step %u logprob",
                             r->name, j->label, p, i + 1);
                assert_close(nl_dat_double(c2, d, row, 5), exp(st->logprob),
                             REL_TOL, ABS_TOL,
                             "%s c2 %s prompt %u step %u prob", r->name,
                             j->label, p, i + 1);
                g_assert_cmpstr(nl_dat_cell(c2, d, row, 6), ==,
                                word_of(r->model, st->top[1]));
                assert_close(nl_dat_double(c2, d, row, 7), exp(st->top_lp[1]),
                             REL_TOL, ABS_TOL,
                             "%s c2 %s prompt %u step %u prob2", r->name,
                             j->label, p, i + 1);
                g_assert_cmpfloat(nl_dat_double(c2, d, row, 8), ==, st->gap);
                g_assert_cmpstr(nl_dat_cell(c2, d, row, 9), ==,
                                gap_class(r, st->gap));
            }
        }
        g_assert_cmpuint(row, ==, nl_dat_rows(c2, d));
    }
}

/* ---- C3 ------------------------------------------------------------------ */

static void test_c3(gconstpointer data)
{
    const Run *r = data;
    g_autoptr(NlDat) paths = run_dat(r, "c3-paths");
    g_autoptr(NlDat) part = run_dat(r, "c3-part");
    guint np = n_paths(r);
    for (guint d = 0; d < r->jobs->len; d++) {
        const Job *j = r->jobs->pdata[d];
        guint row = 0, prow = 0;
        for (guint p = 0; p < r->n_prompts; p++) {
            /* the greedy words as c3-paths shows them (path 0) */
            g_autoptr(GPtrArray) greedy = g_ptr_array_new();
            for (guint k = 0; k < np; k++, prow++) {
                const GArray *st = j->paths[p][k];
                double temp;
                gint64 seed;
                path_params(r, k, &temp, &seed);
                g_autoptr(GPtrArray) words = g_ptr_array_new();
                gssize part_step = -1;
                g_autoptr(GString) text = g_string_new(r->prompts[p]);
                for (guint i = 0; i < st->len; i++, row++) {
                    const Step *s = &g_array_index(st, Step, i);
                    g_assert_cmpuint(row, <, nl_dat_rows(paths, d));
                    g_assert_cmpstr(nl_dat_cell(paths, d, row, 0), ==,
                                    r->prompts[p]);
                    g_assert_cmpint(dat_int(paths, d, row, 1), ==, p);
                    g_assert_cmpint(dat_int(paths, d, row, 2), ==, k);
                    g_assert_cmpfloat(nl_dat_double(paths, d, row, 3), ==,
                                      temp);
                    g_assert_cmpint(dat_int(paths, d, row, 4), ==, seed);
                    g_assert_cmpint(dat_int(paths, d, row, 5), ==, i + 1);
                    const char *w = nl_dat_cell(paths, d, row, 6);
                    g_assert_cmpstr(w, ==, word_of(r->model, s->token));
                    if (k == 0) {
                        g_assert_cmpfloat(nl_dat_double(paths, d, row, 7), ==,
                                          1);
                    } else {
                        assert_close(nl_dat_double(paths, d, row, 7), s->prob_t,
                                     REL_TOL, ABS_TOL,
                                     "%s c3 %s prompt %u path %u "
                                     "step %u prob_t",
                                     r->name, j->label, p, k, i + 1);
                    }
                    g_ptr_array_add(words, (gpointer)w);
                    if (k == 0)
                        g_ptr_array_add(greedy, (gpointer)w);
                    /* part_step from the table's own words */
                    if (part_step < 0 &&
                        (i >= greedy->len || strcmp(w, greedy->pdata[i]) != 0))
                        part_step = i + 1;
                    g_assert_cmpint(dat_int(paths, d, row, 8), ==,
                                    part_step > 0 &&
                                        (gssize)i + 1 >= part_step);
                    if (s->token != NL_GPT_EOS)
                        g_string_append_printf(text, " %s", w);
                }
                /* a path shorter than greedy parts where it ended */
                if (part_step < 0 && words->len < greedy->len)
                    part_step = words->len + 1;
                g_assert_cmpstr(nl_dat_cell(part, d, prow, 0), ==,
                                r->prompts[p]);
                g_assert_cmpint(dat_int(part, d, prow, 1), ==, p);
                g_assert_cmpint(dat_int(part, d, prow, 2), ==, k);
                g_assert_cmpfloat(nl_dat_double(part, d, prow, 3), ==, temp);
                g_assert_cmpint(dat_int(part, d, prow, 4), ==, seed);
                g_assert_cmpint(dat_int(part, d, prow, 5), ==, part_step);
                g_assert_cmpstr(nl_dat_cell(part, d, prow, 6), ==, text->str);
                if (k == 0)
                    g_assert_cmpint(part_step, ==, -1);
            }
        }
        g_assert_cmpuint(row, ==, nl_dat_rows(paths, d));
        g_assert_cmpuint(prow, ==, nl_dat_rows(part, d));
    }
}

/* ---- C4 ------------------------------------------------------------------ */

typedef struct {
    gint64 differing, flips;
    double max_delta, flip_gap;
} Diff;

static Diff diff(const Run *r, const float *x, const float *ref)
{
    Diff d = {0, 0, 0, NAN};
    guint V = r->V;
    for (gsize i = 0; i < r->n_positions; i++) {
        const float *a = x + i * V, *b = ref + i * V;
        gboolean differs = FALSE;
        for (guint v = 0; v < V; v++) {
            differs |= f32_bits(a[v]) != f32_bits(b[v]);
            d.max_delta = MAX(d.max_delta, fabs((double)a[v] - (double)b[v]));
        }
        d.differing += differs;
        if (argmax(a, V) != argmax(b, V)) {
            d.flips++;
            double g = gap_of(b, V);
            d.flip_gap = isnan(d.flip_gap) ? g : MAX(d.flip_gap, g);
        }
    }
    return d;
}

/* The first step where greedy generations a and ref part, over the
 * prompts (the first prompt at the earliest step). */
typedef struct {
    gssize step; /* from 1, -1: never */
    guint prompt;
    guint32 from, to;
} Split;

static Split split(const Run *r, GArray **a, GArray **ref)
{
    Split s = {-1, 0, 0, 0};
    for (guint p = 0; p < r->n_prompts; p++) {
        guint n = MAX(a[p]->len, ref[p]->len);
        for (guint i = 0; i < n; i++) {
            guint32 x =
                i < a[p]->len ? g_array_index(a[p], Step, i).token : NL_GPT_EOS;
            guint32 y = i < ref[p]->len ? g_array_index(ref[p], Step, i).token
                                        : NL_GPT_EOS;
            if (x != y) {
                if (s.step < 0 || (gssize)i + 1 < s.step)
                    s = (Split){(gssize)i + 1, p, y, x};
                break;
            }
        }
    }
    return s;
}

static void check_diff_row(const Run *r, const NlDat *t, guint d, guint row,
                           guint col, Diff want, Split sp, const char *what)
{
    if (dat_int(t, d, row, col) != want.differing ||
        nl_dat_double(t, d, row, col + 1) != want.max_delta ||
        dat_int(t, d, row, col + 2) != want.flips ||
        !same_double(nl_dat_double(t, d, row, col + 3), want.flip_gap))
        g_error("%s %s: differing %s max %s flips %s flip_gap %s; computed "
                "here %" G_GINT64_FORMAT " %.17g %" G_GINT64_FORMAT " %.17g",
                r->name, what, nl_dat_cell(t, d, row, col),
                nl_dat_cell(t, d, row, col + 1),
                nl_dat_cell(t, d, row, col + 2),
                nl_dat_cell(t, d, row, col + 3), want.differing, want.max_delta,
                want.flips, want.flip_gap);
    g_assert_cmpstr(nl_dat_cell(t, d, row, col + 4), ==,
                    sp.step < 0 ? "" : r->prompts[sp.prompt]);
    g_assert_cmpint(dat_int(t, d, row, col + 5), ==, sp.step);
    g_assert_cmpstr(nl_dat_cell(t, d, row, col + 6), ==,
                    sp.step < 0 ? "" : word_of(r->model, sp.from));
    g_assert_cmpstr(nl_dat_cell(t, d, row, col + 7), ==,
                    sp.step < 0 ? "" : word_of(r->model, sp.to));
}

static GArray **greedy_of(const Job *j, guint P)
{
    GArray **g = g_new(GArray *, P);
    for (guint p = 0; p < P; p++)
        g[p] = j->paths[p][0];
    return g;
}

static void test_c4_cases(gconstpointer data)
{
    const Run *r = data;
    g_autoptr(NlDat) t = run_dat(r, "c4-cases");
    for (guint d = 0; d < r->jobs->len; d++) {
        const Job *j = r->jobs->pdata[d];
        g_autofree GArray **greedy = greedy_of(j, r->n_prompts);
        g_assert_cmpuint(nl_dat_rows(t, d), ==, 1 + n_cases(r));
        g_assert_cmpstr(nl_dat_cell(t, d, 0, 0), ==, "backend");
        g_assert_cmpstr(nl_dat_cell(t, d, 0, 1), ==, "backend");
        g_assert_cmpint(dat_int(t, d, 0, 2), ==, 0);
        g_assert_cmpstr(nl_dat_cell(t, d, 0, 3), ==, "host");
        g_assert_cmpint(dat_int(t, d, 0, 4), ==, (gint64)r->n_positions);
        Diff want = diff(r, j->alone, r->host);
        g_autofree char *what =
            g_strdup_printf("c4-cases %s backend", j->label);
        check_diff_row(r, t, d, 0, 5, want, split(r, greedy, r->host_greedy),
                       what);
        if (is_naive(j)) { /* the host loops are the naive order */
            g_assert_cmpint(dat_int(t, d, 0, 5), ==, 0);
            g_assert_cmpfloat(nl_dat_double(t, d, 0, 6), ==, 0);
        }
        for (guint c = 0; c < n_cases(r); c++) {
            guint row = c + 1;
            gboolean batch = c < r->n_batches;
            guint size = batch ? r->batches[c] : r->pads[c - r->n_batches];
            g_autofree char *name =
                g_strdup_printf("%s=%u", batch ? "batch" : "pad", size);
            g_assert_cmpstr(nl_dat_cell(t, d, row, 0), ==, name);
            g_assert_cmpstr(nl_dat_cell(t, d, row, 1), ==,
                            batch ? "batch" : "pad");
            g_assert_cmpint(dat_int(t, d, row, 2), ==, size);
            g_assert_cmpstr(nl_dat_cell(t, d, row, 3), ==, "alone");
            g_assert_cmpint(dat_int(t, d, row, 4), ==, (gint64)r->n_positions);
            Diff dc = diff(r, j->cases[c], j->alone);
            g_autofree char *w =
                g_strdup_printf("c4-cases %s %s", j->label, name);
            check_diff_row(r, t, d, row, 5, dc,
                           split(r, j->case_greedy[c], greedy), w);
            if (is_invariant(j)) {
                /* promised: the same bits in any batch, with any padding */
                g_assert_cmpmem(j->cases[c],
                                r->n_positions * r->V * sizeof(float), j->alone,
                                r->n_positions * r->V * sizeof(float));
                g_assert_cmpint(dat_int(t, d, row, 5), ==, 0);
                g_assert_cmpint(dat_int(t, d, row, 10), ==, -1);
            }
        }
    }
}

static void test_c4_scatter(gconstpointer data)
{
    const Run *r = data;
    g_autoptr(NlDat) t = run_dat(r, "c4-scatter");
    guint V = r->V;
    for (guint d = 0; d < r->jobs->len; d++) {
        const Job *j = r->jobs->pdata[d];
        g_assert_cmpuint(nl_dat_rows(t, d), ==, r->n_positions);
        guint row = 0;
        for (gsize s = 0; s < r->n_seqs; s++)
            for (gsize k = 0; k < r->seqs[s].len; k++, row++) {
                gsize pos = r->seqs[s].pos + k;
                const float *h = r->host + pos * V;
                double noise = 0, self = 0;
                gboolean flip = FALSE;
                guint hb = argmax(h, V);
                for (guint c = 0; c <= n_cases(r); c++) {
                    const float *x = (c ? j->cases[c - 1] : j->alone) + pos * V;
                    const float *a = j->alone + pos * V;
                    for (guint v = 0; v < V; v++) {
                        noise = MAX(noise, fabs((double)x[v] - (double)h[v]));
                        self = MAX(self, fabs((double)x[v] - (double)a[v]));
                    }
                    flip |= argmax(x, V) != hb;
                }
                g_assert_cmpint(dat_int(t, d, row, 0), ==, (gint64)s);
                g_assert_cmpint(dat_int(t, d, row, 1), ==, (gint64)k + 1);
                g_assert_cmpfloat(nl_dat_double(t, d, row, 2), ==,
                                  gap_of(h, V));
                g_assert_cmpfloat(nl_dat_double(t, d, row, 3), ==, noise);
                g_assert_cmpfloat(nl_dat_double(t, d, row, 4), ==, self);
                g_assert_cmpint(dat_int(t, d, row, 5), ==, flip);
                g_assert_cmpfloat(self, <=, 2 * noise);
                if (is_naive(j)) {
                    g_assert_cmpfloat(noise, ==, 0);
                    g_assert_cmpfloat(self, ==, 0);
                }
                if (is_invariant(j))
                    g_assert_cmpfloat(self, ==, 0);
            }
    }
}

/* C5 of the default run: per job and precision, the row against float32
 * recomputed here (the mode's logits alone on the job's backend, each
 * greedy generation), naive's batches and paddings without a bit of
 * difference in every precision (its order is the same whatever the
 * shape), every case's flips among its differing positions, float32's
 * batches and paddings the same as C4's, and the scatter consistent with
 * the rows. */
static const char *const c5_modes[] = {"float32", "layercast", "bfloat16",
                                       "bfloat16-pure", "float16"};

static guint diverging_from_host(const Run *r, GArray **g)
{
    guint n = 0;
    for (guint p = 0; p < r->n_prompts; p++) {
        GArray *h = r->host_greedy[p];
        gboolean same = g[p]->len == h->len;
        for (guint i = 0; same && i < h->len; i++)
            same = g_array_index(g[p], Step, i).token ==
                   g_array_index(h, Step, i).token;
        n += !same;
    }
    return n;
}

static void test_c5(gconstpointer data)
{
    const Run *r = data;
    g_autoptr(NlDat) t = run_dat(r, "c5-cases");
    g_autoptr(NlDat) sc = run_dat(r, "c5-scatter");
    g_autoptr(NlDat) c4 = run_dat(r, "c4-cases");
    guint M = G_N_ELEMENTS(c5_modes), rows = 1 + n_cases(r);
    for (guint d = 0; d < r->jobs->len; d++) {
        const Job *j = r->jobs->pdata[d];
        g_assert_cmpuint(nl_dat_rows(t, d), ==, M * rows);
        g_assert_cmpuint(nl_dat_rows(sc, d), ==, M * r->n_positions);
        for (guint m = 0; m < M; m++) {
            guint row = m * rows;
            g_assert_cmpstr(nl_dat_cell(t, d, row, 0), ==, c5_modes[m]);
            g_assert_cmpstr(nl_dat_cell(t, d, row, 1), ==, "float32");
            NlGptPrecision prec;
            g_assert_true(nl_gpt_precision_from_name(c5_modes[m], &prec));
            g_autoptr(GError) error = NULL;
            g_autoptr(NlGptResident) on =
                nl_gpt_resident_new_as(r->model, j->be, prec, &error);
            g_assert_no_error(error);
            g_autofree float *x = logits_alone(r, on);
            Diff want = diff(r, x, r->host);
            g_assert_cmpint(dat_int(t, d, row, 6), ==, want.differing);
            g_assert_cmpfloat(nl_dat_double(t, d, row, 7), ==, want.max_delta);
            g_assert_cmpint(dat_int(t, d, row, 8), ==, want.flips);
            g_autofree GArray **g = g_new0(GArray *, r->n_prompts);
            for (guint p = 0; p < r->n_prompts; p++)
                g[p] = generate(r, on, 1, 0, p, 0, 0);
            g_assert_cmpint(dat_int(t, d, row, 11), ==,
                            diverging_from_host(r, g));
            for (guint p = 0; p < r->n_prompts; p++)
                g_array_unref(g[p]);
            if (m == 0 && is_naive(j))
                g_assert_cmpint(want.differing, ==, 0);
            if (m > 0) /* every other precision changes some logit */
                g_assert_cmpint(want.differing, >, 0);
            gint64 flips = 0;
            double noise = 0;
            for (gsize k = 0; k < r->n_positions; k++) {
                guint sr = m * (guint)r->n_positions + (guint)k;
                g_assert_cmpstr(nl_dat_cell(sc, d, sr, 0), ==, c5_modes[m]);
                flips += dat_int(sc, d, sr, 4);
                noise = MAX(noise, nl_dat_double(sc, d, sr, 2));
            }
            g_assert_cmpint(flips, ==, want.flips);
            g_assert_cmpfloat(noise, ==, want.max_delta);
            for (guint c = 1; c < rows; c++) {
                g_assert_cmpint(dat_int(t, d, row + c, 8), <=,
                                dat_int(t, d, row + c, 6));
                if (m == 0) { /* float32's cases are C4's, measured once */
                    g_assert_cmpstr(nl_dat_cell(t, d, row + c, 1), ==,
                                    nl_dat_cell(c4, d, c, 0));
                    g_assert_cmpint(dat_int(t, d, row + c, 6), ==,
                                    dat_int(c4, d, c, 5));
                    g_assert_cmpfloat(nl_dat_double(t, d, row + c, 7), ==,
                                      nl_dat_double(c4, d, c, 6));
                    g_assert_cmpint(dat_int(t, d, row + c, 8), ==,
                                    dat_int(c4, d, c, 7));
                }
                if (is_naive(j)) {
                    g_assert_cmpint(dat_int(t, d, row + c, 6), ==, 0);
                    g_assert_cmpint(dat_int(t, d, row + c, 11), ==, 0);
                }
            }
        }
    }
}

static void test_c4_jobs(gconstpointer data)
{
    const Run *r = data;
    g_autoptr(NlDat) t = run_dat(r, "c4-jobs");
    g_autoptr(NlDat) cases = run_dat(r, "c4-cases");
    guint n = r->jobs->len, row = 0;
    if (n < 2) { /* no pair: the writer's placeholder row for no rows */
        g_assert_cmpuint(t->datasets->len, ==, 1);
        g_assert_cmpuint(nl_dat_rows(t, 0), ==, 1);
        g_assert_cmpstr(nl_dat_cell(t, 0, 0, 0), ==, "NaN");
        return;
    }
    g_assert_cmpuint(nl_dat_rows(t, 0), ==, n * (n - 1) / 2);
    for (guint a = 0; a < n; a++)
        for (guint b = a + 1; b < n; b++, row++) {
            const Job *ja = r->jobs->pdata[a], *jb = r->jobs->pdata[b];
            g_autofree GArray **ga = greedy_of(ja, r->n_prompts);
            g_autofree GArray **gb = greedy_of(jb, r->n_prompts);
            g_assert_cmpint(dat_int(t, 0, row, 0), ==, a);
            g_assert_cmpint(dat_int(t, 0, row, 1), ==, b);
            g_assert_cmpstr(nl_dat_cell(t, 0, row, 2), ==, ja->label);
            g_assert_cmpstr(nl_dat_cell(t, 0, row, 3), ==, jb->label);
            Diff want = diff(r, jb->alone, ja->alone);
            g_autofree char *what =
                g_strdup_printf("c4-jobs %s %s", ja->label, jb->label);
            check_diff_row(r, t, 0, row, 5, want, split(r, gb, ga), what);
            g_assert_cmpint(dat_int(t, 0, row, 4), ==, want.differing == 0);
            /* naive is the host: the pair says what b's backend row says */
            if (is_naive(ja)) {
                g_assert_cmpint(dat_int(t, 0, row, 5), ==,
                                dat_int(cases, b, 0, 5));
                g_assert_cmpfloat(nl_dat_double(t, 0, row, 6), ==,
                                  nl_dat_double(cases, b, 0, 6));
                g_assert_cmpint(dat_int(t, 0, row, 4), ==,
                                dat_int(cases, b, 0, 5) == 0);
            }
        }
}

/* ---- the logprobs files ------------------------------------------------- */

static void check_token(const Run *r, Js *o, guint32 token, double logprob,
                        const char *where)
{
    static const char *const keys[] = {"token", "logprob", "bytes", NULL};
    static const char *const keys_top[] = {"token", "logprob", "bytes",
                                           "top_logprobs", NULL};
    js_keys_are(o, o->keys->len == 3 ? keys : keys_top);
    const char *text = js_kind(js_get(o, "token"), JS_STR)->text;
    g_autofree char *want =
        token == NL_GPT_EOS ? g_strdup("<EOS>")
                            : g_strconcat(" ", word_of(r->model, token), NULL);
    g_assert_cmpstr(text, ==, want);
    /* %.9g: within 5e-9 relative of the value */
    assert_close(js_kind(js_get(o, "logprob"), JS_NUM)->num, logprob, 1e-8,
                 ABS_TOL, "%s: logprob of '%s'", where, text);
    Js *bytes = js_kind(js_get(o, "bytes"), JS_ARR);
    g_autoptr(GString) decoded = g_string_new(NULL);
    for (guint i = 0; i < bytes->items->len; i++) {
        Js *b = js_kind(bytes->items->pdata[i], JS_NUM);
        g_assert_true(b->num == floor(b->num) && b->num >= 1 && b->num <= 255);
        g_string_append_c(decoded, (char)(guchar)b->num);
    }
    g_assert_cmpstr(decoded->str, ==, text);
}

static void check_jsonl(const Run *r, const Job *j, guint d, const NlDat *c2)
{
    g_autofree char *file = g_strdup_printf("%s-logprobs.jsonl", j->label);
    g_strdelimit(file, ":=,/", '_');
    g_autofree char *path = g_build_filename(r->dir, file, NULL);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_true(g_str_has_suffix(text, "\n"));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    guint np = n_paths(r), line = 0, c2_row = 0;
    g_assert_cmpuint(g_strv_length(lines), ==, r->n_prompts * np + 1);
    for (guint p = 0; p < r->n_prompts; p++)
        for (guint k = 0; k < np; k++, line++) {
            g_autofree char *where =
                g_strdup_printf("%s line %u", file, line + 1);
            g_autoptr(Js) o = js_parse(lines[line]);
            if (!o)
                g_error("%s is not valid JSON: %.300s", where, lines[line]);
            static const char *const keys[] = {
                "model",    "backend", "prompt",      "temperature", "seed",
                "response", "done",    "done_reason", "logprobs",    NULL};
            js_keys_are(o, keys);
            double temp;
            gint64 seed;
            path_params(r, k, &temp, &seed);
            const GArray *st = j->paths[p][k];
            g_assert_cmpstr(js_kind(js_get(o, "model"), JS_STR)->text, ==,
                            "minigpt");
            g_assert_cmpstr(js_kind(js_get(o, "backend"), JS_STR)->text, ==,
                            j->label);
            g_assert_cmpstr(js_kind(js_get(o, "prompt"), JS_STR)->text, ==,
                            r->prompts[p]);
            assert_close(js_kind(js_get(o, "temperature"), JS_NUM)->num, temp,
                         1e-8, 0, "%s: temperature", where);
            Js *js_seed = js_get(o, "seed");
            if (seed < 0) {
                js_kind(js_seed, JS_NULL);
            } else {
                g_autofree char *s = g_strdup_printf("%" G_GINT64_FORMAT, seed);
                g_assert_cmpstr(js_kind(js_seed, JS_NUM)->text, ==, s);
            }
            g_assert_true(js_kind(js_get(o, "done"), JS_BOOL)->truth);
            const Step *last = &g_array_index(st, Step, st->len - 1);
            g_assert_cmpstr(js_kind(js_get(o, "done_reason"), JS_STR)->text, ==,
                            last->token == NL_GPT_EOS ? "stop" : "length");
            if (last->token != NL_GPT_EOS)
                g_assert_cmpuint(st->len, ==, r->gen_words);
            Js *lps = js_kind(js_get(o, "logprobs"), JS_ARR);
            g_assert_cmpuint(lps->items->len, ==, st->len);
            g_autoptr(GString) joined = g_string_new(NULL);
            for (guint i = 0; i < st->len; i++) {
                const Step *s = &g_array_index(st, Step, i);
                Js *tok = js_kind(lps->items->pdata[i], JS_OBJ);
                g_autofree char *w =
                    g_strdup_printf("%s token %u", where, i + 1);
                check_token(r, tok, s->token, s->logprob, w);
                const char *t = js_get(tok, "token")->text;
                if (strcmp(t, "<EOS>") != 0)
                    g_string_append(joined, t);
                if (k == 0) { /* greedy: the c2-steps row, to %.9g */
                    char buf[G_ASCII_DTOSTR_BUF_SIZE];
                    g_ascii_formatd(buf, sizeof buf, "%.9g",
                                    nl_dat_double(c2, d, c2_row++, 4));
                    g_assert_cmpstr(js_get(tok, "logprob")->text, ==, buf);
                }
                Js *tops = js_kind(js_get(tok, "top_logprobs"), JS_ARR);
                g_assert_cmpuint(tops->items->len, ==, r->top);
                double prev = INFINITY;
                for (guint q = 0; q < r->top; q++) {
                    Js *e = js_kind(tops->items->pdata[q], JS_OBJ);
                    g_assert_cmpuint(e->keys->len, ==, 3);
                    check_token(r, e, s->top[q], s->top_lp[q], w);
                    double lp = js_get(e, "logprob")->num;
                    g_assert_cmpfloat(lp, <=, prev);
                    prev = lp;
                    if (s->top[q] == s->token) /* the same number twice */
                        g_assert_cmpstr(js_get(e, "logprob")->text, ==,
                                        js_get(tok, "logprob")->text);
                }
                if (k == 0)
                    g_assert_cmpuint(s->top[0], ==, s->token);
            }
            g_assert_cmpstr(js_kind(js_get(o, "response"), JS_STR)->text, ==,
                            joined->str);
        }
    g_assert_cmpstr(lines[line], ==, "");
}

static void test_jsonl(gconstpointer data)
{
    const Run *r = data;
    g_autoptr(NlDat) c2 = run_dat(r, "c2-steps");
    for (guint d = 0; d < r->jobs->len; d++)
        check_jsonl(r, r->jobs->pdata[d], d, c2);
}

/* ---- bad input ------------------------------------------------------------
 */

static const char *good_ckpt; /* a valid checkpoint for the cases below */

/* No regular file anywhere under dir. */
static gboolean no_files(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_DIR) ||
            g_file_test(path, G_FILE_TEST_IS_SYMLINK) || !no_files(path))
            return FALSE;
    }
    return TRUE;
}

/* One refused run: logprob on naive with -p a [-p b] into out. */
typedef struct {
    char *needle, *a, *b, *out;
    NlCmd *cmd;
} Bad;

static void bad_free(gpointer p)
{
    Bad *x = p;
    g_free(x->needle);
    g_free(x->a);
    g_free(x->b);
    g_free(x->out);
    nl_cmd_free(x->cmd);
    g_free(x);
}

static void bad_run(gpointer data, gpointer user)
{
    (void)user;
    Bad *x = data;
    x->cmd = nl_test_numlab(NULL, "run", "logprob", "-b", "naive", "-o", x->out,
                            "-p", x->a, x->b ? "-p" : NULL, x->b, NULL);
}

/* The refusal must be one line containing the needle, exit status 1. */
static void bad_check(const Bad *x)
{
    const NlCmd *c = x->cmd;
    if (c->status != 1 || nl_test_count_lines(c->err) != 1 ||
        !g_str_has_suffix(c->err, "\n") || !strstr(c->err, x->needle))
        g_error("-p %s%s%s: exit %d, expected 1 and one line with '%s'; "
                "stderr:\n%s",
                x->a, x->b ? " -p " : "", x->b ? x->b : "", c->status,
                x->needle, c->err);
}

static GPtrArray *pending; /* Bad*, run together by run_refused */

static void expect_refused(const char *needle, const char *a, const char *b)
{
    Bad *x = g_new0(Bad, 1);
    x->needle = g_strdup(needle);
    x->a = g_strdup(a);
    x->b = g_strdup(b);
    g_autofree char *name = g_strdup_printf("bad-%u", pending->len);
    x->out = g_build_filename(tmp, name, NULL);
    g_ptr_array_add(pending, x);
}

/* Runs the pending refusals, as many at a time as there are processors
 * (each numlab start loads every plugin: about half a second), then checks
 * each: one line, status 1, and no file under its (fresh) folder. */
static void run_refused(void)
{
    g_autoptr(GError) error = NULL;
    GThreadPool *pool = g_thread_pool_new(
        bad_run, NULL, (gint)MAX(g_get_num_processors(), 1u), TRUE, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < pending->len; i++)
        g_thread_pool_push(pool, pending->pdata[i], NULL);
    g_thread_pool_free(pool, FALSE, TRUE);
    for (guint i = 0; i < pending->len; i++) {
        const Bad *x = pending->pdata[i];
        bad_check(x);
        if (!no_files(x->out))
            g_error("-p %s: a file was written under %s", x->a, x->out);
        nl_test_rmtree(x->out);
    }
    g_ptr_array_set_size(pending, 0);
}

/* One refusal into an existing folder. */
static void refused_into(const char *out, const char *needle, const char *a,
                         const char *b)
{
    Bad x = {(char *)needle, (char *)a, (char *)b, (char *)out, NULL};
    bad_run(&x, NULL);
    bad_check(&x);
    nl_cmd_free(x.cmd);
}

/* A copy of the good checkpoint changed by `edit`, written to name. */
static char *damaged(const char *name, void (*edit)(GByteArray *))
{
    g_autoptr(GBytes) b = read_bytes(good_ckpt);
    g_autoptr(GByteArray) a = g_bytes_unref_to_array(g_bytes_ref(b));
    edit(a);
    char *path = g_build_filename(tmp, name, NULL);
    g_assert_true(g_file_set_contents(path, (char *)a->data, a->len, NULL));
    return path;
}

static void cut_tail(GByteArray *a)
{
    g_byte_array_set_size(a, a->len - 1000);
}
static void cut_header(GByteArray *a)
{
    g_byte_array_set_size(a, 20);
}
static void flip_magic(GByteArray *a)
{
    a->data[0] ^= 0x20;
}
static void flip_version(GByteArray *a)
{
    a->data[8] = 2;
}
static void bad_n_head(GByteArray *a)
{
    a->data[28] = 5;
} /* 48 % 5 != 0 */
static void huge_vocab(GByteArray *a)
{
    memset(a->data + 12, 0xff, 4);
}

/* The good model with weights changed: POISON_NAN / POISON_INF put one
 * non-finite weight in the LM head (the loader refuses those); with
 * POISON_HUGE every weight stays finite but the final LayerNorm's first
 * gain and the LM head's first row are FLT_MAX, so every logit overflows;
 * POISON_WORD makes the embedding of the vocabulary's last word FLT_MAX,
 * which overflows only the corpus sentences that contain it; POISON_LAST
 * the embedding of the last position, which no corpus sentence reaches:
 * only a generation from a long prompt does. */
typedef enum {
    POISON_NAN,
    POISON_INF,
    POISON_HUGE,
    POISON_WORD,
    POISON_LAST
} Poison;

static char *poisoned(const char *name, Poison how)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(NlGpt) m = nl_gpt_load_file(good_ckpt, &error);
    g_assert_no_error(error);
    guint V = m->config.vocab_size, C = m->config.d_model;
    switch (how) {
    case POISON_NAN:
        m->w.w_lm[0] = NAN;
        break;
    case POISON_INF:
        m->w.w_lm[0] = INFINITY;
        break;
    case POISON_HUGE:
        m->w.lnf_g[0] = FLT_MAX;
        for (guint v = 0; v < V; v++)
            m->w.w_lm[v] = FLT_MAX;
        break;
    case POISON_WORD:
        for (guint c = 0; c < C; c++)
            m->w.wte[(gsize)(V - 1) * C + c] = FLT_MAX;
        break;
    case POISON_LAST:
        for (guint c = 0; c < C; c++)
            m->w.wpe[(gsize)(m->config.context - 1) * C + c] = FLT_MAX;
        break;
    }
    gsize len;
    g_autofree guint8 *bytes = nl_gpt_save_bytes(m, &len);
    g_autoptr(NlGpt) again = nl_gpt_load_bytes(bytes, len, &error);
    /* only finite weights load: the others the experiment must refuse */
    g_assert_true((again != NULL) == (how >= POISON_HUGE));
    char *path = g_build_filename(tmp, name, NULL);
    g_assert_true(g_file_set_contents(path, (char *)bytes, (gssize)len, NULL));
    return path;
}

static char *run_b_dir; /* a finished run whose files must stay */

static GHashTable *snapshot(const char *dir)
{
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_bytes_unref);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    const char *name;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_hash_table_insert(h, g_strdup(name), read_bytes(path));
    }
    return h;
}

static void test_bad_input(void)
{
    g_autofree char *m = g_strdup_printf("model=%s", good_ckpt);
    /* checkpoints */
    expect_refused("/nonexistent", "model=/nonexistent", NULL);
    expect_refused("the path is empty", "model=", NULL);
    g_autofree char *dir_model = g_strdup_printf("model=%s", tmp);
    expect_refused(tmp, dir_model, NULL);
    struct {
        const char *name, *needle;
        void (*edit)(GByteArray *);
    } damages[] = {
        {"cut.ckpt", "truncated", cut_tail},
        {"header.ckpt", "truncated", cut_header},
        {"magic.ckpt", "not a MiniGPT checkpoint", flip_magic},
        {"version.ckpt", "format version 2", flip_version},
        {"heads.ckpt", "n_head", bad_n_head},
        {"vocab.ckpt", "vocab", huge_vocab},
    };
    for (guint i = 0; i < G_N_ELEMENTS(damages); i++) {
        g_autofree char *path = damaged(damages[i].name, damages[i].edit);
        g_autofree char *p = g_strdup_printf("model=%s", path);
        expect_refused(damages[i].needle, p, NULL);
        if (i == 0) /* and the file is named */
            expect_refused(path, p, NULL);
    }
    g_autofree char *dat = g_strdup_printf("model=%s/model.dat", run_b_dir);
    expect_refused("not a MiniGPT checkpoint", dat, NULL);
    const struct {
        const char *name, *needle;
        Poison how;
    } poisons[] = {
        {"nan.ckpt", "is not a finite number", POISON_NAN},
        {"inf.ckpt", "is not a finite number", POISON_INF},
        {"huge.ckpt", "are not finite (", POISON_HUGE},
        {"word.ckpt", "are not finite (", POISON_WORD},
    };
    for (guint i = 0; i < G_N_ELEMENTS(poisons); i++) {
        g_autofree char *path = poisoned(poisons[i].name, poisons[i].how);
        g_autofree char *p = g_strdup_printf("model=%s", path);
        expect_refused(poisons[i].needle, p, NULL);
    }
    /* the last position: the evaluation set is fine, the greedy
     * generation from a 15-word prompt that ends mid-sentence is not (its
     * second word sees position 16); nothing may be written with a NaN */
    g_autofree char *last = poisoned("last.ckpt", POISON_LAST);
    g_autofree char *lp = g_strdup_printf("model=%s", last);
    expect_refused("are not finite (", lp,
                   "prompts=die katze schläft am morgen auf dem sofa . der "
                   "hund bellt im garten und");
    /* prompts */
    expect_refused("'prompts': entry 2 is empty", m,
                   "prompts=die katze||der hund");
    expect_refused("'prompts': entry 2 is empty", m, "prompts=die katze|");
    expect_refused("'prompts': the list is empty", m, "prompts= ");
    expect_refused("'prompts': the list is empty", m, "prompts=");
    expect_refused("'prompts': 'der hund' appears twice", m,
                   "prompts=der hund|die katze|der hund");
    expect_refused("'giraffe'", m, "prompts=die giraffe");
    expect_refused("'giraffe'", m, "prompts=der hund|die giraffe");
    expect_refused("has 17 words; the model's context is 16", m,
                   "prompts=die katze schläft am morgen auf dem sofa . der "
                   "hund bellt im garten . das kind");
    /* numbers */
    expect_refused("'top'", m, "top=0");
    expect_refused("'top'", m, "top=21");
    expect_refused("'gen_words'", m, "gen_words=0");
    expect_refused("'stable_gap'", m, "stable_gap=0.1");
    expect_refused("'stable_gap'", m, "stable_gap=0.05");
    expect_refused("'unstable_gap'", m, "unstable_gap=-1");
    expect_refused("'temperatures'", m, "temperatures=-1");
    expect_refused("'temperatures'", m, "temperatures=abc");
    expect_refused("'temperatures'", m, "temperatures=0,101");
    expect_refused("'temperatures'", m, "temperatures=nan");
    expect_refused("'batches'", m, "batches=1");
    expect_refused("'paddings'", m, "paddings=0");
    expect_refused("'seeds'", m, "seeds=-1");
    run_refused();
    /* a refused run leaves an earlier result alone */
    g_autoptr(GHashTable) before = snapshot(run_b_dir);
    g_autofree char *parent = g_path_get_dirname(run_b_dir);
    refused_into(parent, "'giraffe'", m, "prompts=die giraffe");
    refused_into(parent, "'stable_gap'", "stable_gap=0", NULL);
    g_autoptr(GHashTable) after = snapshot(run_b_dir);
    g_assert_cmpuint(g_hash_table_size(after), ==, g_hash_table_size(before));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, before);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        GBytes *now = g_hash_table_lookup(after, k);
        if (!now || !g_bytes_equal(now, v))
            g_error("a refused run changed %s/%s", run_b_dir, (char *)k);
    }
}

/* A model with more words than `top` allows: the tiny one's 16. */
static char *tiny_ckpt;

static void test_bad_top_for_model(void)
{
    g_autofree char *m = g_strdup_printf("model=%s", tiny_ckpt);
    expect_refused("but the model knows only 16 words", m, "top=17");
    run_refused();
}

/* ---- the runs -------------------------------------------------------------
 */

typedef struct {
    char *out;
    const char *const *args; /* after "run" */
    NlCmd *cmd;
} Spawn;

static gpointer spawn_thread(gpointer data)
{
    Spawn *s = data;
    const char *const *a = s->args;
    s->cmd = nl_test_numlab(NULL, "run", a[0], "-b", a[1], "-o", s->out, NULL);
    return NULL;
}

static NlCmd *run_logprob(const char *out, const char *backends,
                          const char *const *params)
{
    /* nl_test_numlab is variadic: up to 12 parameters */
    const char *p[24] = {0};
    guint n = 0;
    for (; params && params[n / 2]; n += 2) {
        g_assert_cmpuint(n, <, 22);
        p[n] = "-p";
        p[n + 1] = params[n / 2];
    }
    return nl_test_numlab(NULL, "run", "logprob", "-b", backends, "-o", out,
                          p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8],
                          p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16],
                          p[17], p[18], p[19], p[20], p[21], p[22], p[23],
                          NULL);
}

static void register_checks(Run *r)
{
    static const struct {
        const char *name;
        GTestDataFunc func;
    } checks[] = {
        {"model", test_model},
        {"c1", test_c1},
        {"c2", test_c2},
        {"c3", test_c3},
        {"c4-cases", test_c4_cases},
        {"c4-scatter", test_c4_scatter},
        {"c4-jobs", test_c4_jobs},
        {"logprobs-jsonl", test_jsonl},
    };
    if (g_str_equal(r->name, "default")) { /* the others leave C5 out */
        g_autofree char *path = g_strdup_printf("/logprob/%s/c5", r->name);
        g_test_add_data_func(path, r, test_c5);
    }
    for (guint i = 0; i < G_N_ELEMENTS(checks); i++) {
        g_autofree char *path =
            g_strdup_printf("/logprob/%s/%s", r->name, checks[i].name);
        g_test_add_data_func(path, r, checks[i].func);
    }
}

/* The tiny model: its vocabulary is the words of the first ten corpus
 * sentences (the others are skipped), its context 6 (longer sentences are
 * cut), random weights. */
static NlGpt *tiny_model(void)
{
    g_autoptr(GString) text = g_string_new(NULL);
    gsize n_corpus;
    const char *const *corpus = nl_gpt_lecture_sentences(&n_corpus);
    for (guint i = 0; i < 10; i++)
        g_string_append_printf(text, "%s\n", corpus[i]);
    g_autoptr(GError) error = NULL;
    NlGptVocab *v = nl_gpt_vocab_new_from_text(text->str, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(nl_gpt_vocab_size(v), ==, 16);
    NlGptConfig c = {nl_gpt_vocab_size(v), 6, 8, 1, 2};
    NlGpt *m = nl_gpt_new(&c, v, &error);
    g_assert_no_error(error);
    nl_gpt_init(m, 3);
    NlRng rng; /* larger than the init, so that the words differ */
    nl_rng_init(&rng, 4);
    for (gsize k = 0; k < m->n_params; k++)
        m->params[k] += (float)(0.5 * nl_rng_normal(&rng));
    return m;
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    pending = g_ptr_array_new_with_free_func(bad_free);
    gint64 t0 = g_get_monotonic_time();
    tmp = nl_test_tmpdir();
    registry = nl_registry_new();
    nl_registry_scan(registry, NL_BUILDDIR "/backends", TRUE);
    gboolean openmp =
        nl_registry_find(registry, NL_PLUGIN_BACKEND, "openmp") != NULL;
    const char *jobs_a =
        openmp ? "naive,openmp:batch_invariant=1,blas,openmp" : "naive,blas";

    /* default logprob and default minigpt side by side: both train ~10 s */
    g_autofree char *out_a = g_build_filename(tmp, "default", NULL);
    g_autofree char *out_m = g_build_filename(tmp, "minigpt", NULL);
    const char *args_a[] = {"logprob", jobs_a};
    const char *args_m[] = {"minigpt", "naive"};
    Spawn sa = {out_a, args_a, NULL}, sm = {out_m, args_m, NULL};
    GThread *ta = g_thread_new("logprob", spawn_thread, &sa);
    GThread *tm = g_thread_new("minigpt", spawn_thread, &sm);
    g_thread_join(ta);
    g_thread_join(tm);
    if (sa.cmd->status != 0)
        g_error("numlab run logprob failed: %s", sa.cmd->err);
    if (sm.cmd->status != 0)
        g_error("numlab run minigpt failed: %s", sm.cmd->err);
    nl_cmd_free(sa.cmd);
    nl_cmd_free(sm.cmd);
    g_test_message("default logprob and minigpt runs: %.1f s",
                   (g_get_monotonic_time() - t0) / 1e6);
    minigpt_ckpt =
        g_build_filename(out_m, "minigpt", "naive-minigpt.ckpt", NULL);
    good_ckpt = minigpt_ckpt;

    static char *prompts_a[] = {"die katze", "der hund", "das kind spielt",
                                NULL};
    Run a = {
        .name = "default",
        .dir = g_build_filename(out_a, "logprob", NULL),
        .prompts = prompts_a,
        .n_prompts = 3,
        .top = 5,
        .gen_words = 10,
        .stable = 0.5,
        .unstable = 0.1,
        .temps = {0, 0.5, 0.8, 1},
        .n_temps = 4,
        .seeds = {1, 2, 3},
        .n_seeds = 3,
        .batches = {2, 4, 8, 16},
        .n_batches = 4,
        .pads = {1, 4, 8},
        .n_pads = 3,
    };
    prepare_run(&a, jobs_a);
    g_test_message("computed here for the default run: %.1f s",
                   (g_get_monotonic_time() - t0) / 1e6);

    /* from a checkpoint: other parameters, a prompt as long as the context */
    g_autofree char *out_b = g_build_filename(tmp, "checkpoint", NULL);
    g_autofree char *model_b = g_strdup_printf("model=%s", minigpt_ckpt);
    const char *long_prompt = "die katze schläft am morgen auf dem sofa . der "
                              "hund bellt im garten . das";
    g_autofree char *prompts_b =
        g_strdup_printf("prompts=der hund|%s| das kind "
                        "spielt ",
                        long_prompt);
    const char *params_b[] = {model_b,
                              prompts_b,
                              "top=1",
                              "gen_words=3",
                              "stable_gap=0.2",
                              "unstable_gap=0.05",
                              "temperatures=0.7,0,2",
                              "seeds=5,1",
                              "batches=3",
                              "paddings=2,20",
                              "precisions=",
                              NULL};
    g_autoptr(NlCmd) cb = run_logprob(out_b, "naive,blas", params_b);
    if (cb->status != 0)
        g_error("numlab run logprob (checkpoint) failed: %s", cb->err);
    char *prompts_bv[] = {"der hund", (char *)long_prompt, "das kind spielt",
                          NULL};
    Run b = {
        .name = "checkpoint",
        .dir = g_build_filename(out_b, "logprob", NULL),
        .model_path = minigpt_ckpt,
        .prompts = prompts_bv,
        .n_prompts = 3,
        .top = 1,
        .gen_words = 3,
        .stable = 0.2,
        .unstable = 0.05,
        .temps = {0.7, 0, 2},
        .n_temps = 3,
        .seeds = {5, 1},
        .n_seeds = 2,
        .batches = {3},
        .n_batches = 1,
        .pads = {2, 20},
        .n_pads = 2,
    };
    g_autoptr(GError) error = NULL;
    b.model = nl_gpt_load_file(minigpt_ckpt, &error);
    g_assert_no_error(error);
    prepare_run(&b, "naive,blas");
    run_b_dir = b.dir;

    /* a tiny random model */
    g_autoptr(NlGpt) tiny = tiny_model();
    tiny_ckpt = g_build_filename(tmp, "tiny.ckpt", NULL);
    gsize len;
    g_autofree guint8 *bytes = nl_gpt_save_bytes(tiny, &len);
    g_assert_true(
        g_file_set_contents(tiny_ckpt, (char *)bytes, (gssize)len, NULL));
    g_autofree char *out_c = g_build_filename(tmp, "tiny", NULL);
    g_autofree char *model_c = g_strdup_printf("model=%s", tiny_ckpt);
    const char *params_c[] = {model_c,       "prompts=die katze|am morgen",
                              "top=16",      "gen_words=12",
                              "batches=5",   "paddings=3",
                              "precisions=", NULL};
    g_autoptr(NlCmd) cc = run_logprob(out_c, "naive", params_c);
    if (cc->status != 0)
        g_error("numlab run logprob (tiny) failed: %s", cc->err);
    static char *prompts_c[] = {"die katze", "am morgen", NULL};
    Run c = {
        .name = "tiny",
        .dir = g_build_filename(out_c, "logprob", NULL),
        .model_path = tiny_ckpt,
        .model = tiny,
        .prompts = prompts_c,
        .n_prompts = 2,
        .top = 16,
        .gen_words = 12,
        .stable = 0.5,
        .unstable = 0.1,
        .temps = {0, 0.5, 0.8, 1},
        .n_temps = 4,
        .seeds = {1, 2, 3},
        .n_seeds = 3,
        .batches = {5},
        .n_batches = 1,
        .pads = {3},
        .n_pads = 1,
    };
    prepare_run(&c, "naive");
    g_test_message("runs and the computations here: %.1f s",
                   (g_get_monotonic_time() - t0) / 1e6);

    g_test_add_func("/logprob/json-reader", test_json_reader);
    g_test_add_data_func("/logprob/default/same-model-as-minigpt", &a,
                         test_same_model);
    register_checks(&a);
    register_checks(&b);
    register_checks(&c);
    g_test_add_func("/logprob/bad-input", test_bad_input);
    g_test_add_func("/logprob/bad-input/top-beyond-vocabulary",
                    test_bad_top_for_model);
    int rc = g_test_run();
    run_clear(&a, TRUE);
    run_clear(&b, TRUE);
    run_clear(&c, FALSE); /* tiny is freed with its scope */
    nl_test_rmtree(tmp);
    return rc;
}
