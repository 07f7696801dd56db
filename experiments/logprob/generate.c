/* generate.c — figures C1–C3 of one backend job and its logprobs file:
 * the top words after each prompt (C1), greedy generation step by step
 * (C2), generations at several temperatures and seeds and where they
 * leave the greedy path (C3), and every generation as a line of JSON in
 * the shape of Ollama's logprobs. */
#include "config.h"

#include "logprob.h"

#include <math.h>
#include <string.h>

static const char *word(const LpShared *s, guint32 token)
{
    return nl_gpt_vocab_word(s->model->vocab, token);
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_string(GString *out, const char *text)
{
    g_string_append_c(out, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(out, '\\');
        if ((guchar)*p < 0x20) /* checkpoints refuse them; never raw */
            g_string_append_printf(out, "\\u%04x", (guchar)*p);
        else
            g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

static void json_number(GString *out, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.9g", v));
}

/* A token as Ollama shows it: words with the space before them, so that
 * the tokens of a response joined give its text; <EOS> as itself. */
static char *token_text(const LpShared *s, guint32 token)
{
    return token == NL_GPT_EOS ? g_strdup(NL_GPT_EOS_WORD)
                               : g_strconcat(" ", word(s, token), NULL);
}

static void json_token(GString *out, const LpShared *s, guint32 token,
                       double logprob)
{
    g_autofree char *text = token_text(s, token);
    g_string_append(out, "\"token\":");
    json_string(out, text);
    g_string_append(out, ",\"logprob\":");
    json_number(out, logprob);
    g_string_append(out, ",\"bytes\":[");
    for (const char *p = text; *p; p++)
        g_string_append_printf(out, "%s%u", p == text ? "" : ",", (guchar)*p);
    g_string_append_c(out, ']');
}

static void json_generation(GString *out, const LpShared *s,
                            const char *backend, guint prompt, double temp,
                            gint64 seed, const GArray *steps)
{
    const LpStep *st = (const LpStep *)steps->data;
    g_string_append(out, "{\"model\":\"minigpt\",\"backend\":");
    json_string(out, backend);
    g_string_append(out, ",\"prompt\":");
    json_string(out, s->c.prompts[prompt]);
    g_string_append(out, ",\"temperature\":");
    json_number(out, temp);
    g_string_append(out, ",\"seed\":");
    if (seed < 0)
        g_string_append(out, "null");
    else
        g_string_append_printf(out, "%" G_GINT64_FORMAT, seed);
    g_autoptr(GString) response = g_string_new(NULL);
    for (guint i = 0; i < steps->len; i++)
        if (st[i].token != NL_GPT_EOS)
            g_string_append_printf(response, " %s", word(s, st[i].token));
    gboolean stopped = steps->len && st[steps->len - 1].token == NL_GPT_EOS;
    g_string_append(out, ",\"response\":");
    json_string(out, response->str);
    g_string_append_printf(out,
                           ",\"done\":true,\"done_reason\":\"%s\","
                           "\"logprobs\":[",
                           stopped ? "stop" : "length");
    for (guint i = 0; i < steps->len; i++) {
        g_string_append(out, i ? ",{" : "{");
        json_token(out, s, st[i].token, st[i].logprob);
        g_string_append(out, ",\"top_logprobs\":[");
        for (guint r = 0; r < s->c.top; r++) {
            g_string_append(out, r ? ",{" : "{");
            json_token(out, s, st[i].top[r], st[i].top_logprob[r]);
            g_string_append_c(out, '}');
        }
        g_string_append(out, "]}");
    }
    g_string_append(out, "]}\n");
}

/* ---- C1: the top words after each prompt ----------------------------- */

static void c1_top(NlRun *run, const LpShared *s, const LpJobData *job)
{
    NlTable *tt = nl_run_table(run, "c1-top",
                               "prompt:str prompt_index:int rank:int "
                               "word:str logit:f32 prob:f64 logprob:f64");
    nl_table_set_title(tt, "C1: the most likely next words after each "
                           "prompt");
    nl_table_add_note(tt, "prob",
                      "softmax of the logits at T = 1, in "
                      "double");
    NlTable *gt = nl_run_table(run, "c1-gap",
                               "prompt:str prompt_index:int top1:str "
                               "top2:str logit1:f32 logit2:f32 gap:f64 "
                               "class:str");
    nl_table_set_title(gt, "C1: top-1/top-2 logit gap after each prompt");
    nl_table_add_note(gt, "class",
                      "stable: gap > stable_gap; unstable: "
                      "gap < unstable_gap; borderline between (the two "
                      "are in thresholds.dat)");
    g_autofree guint *top = g_new(guint, MAX(s->c.top, 2u));
    for (guint i = 0; i < s->c.n_prompts; i++) {
        const LpSeq *q = &s->seqs[i];
        const float *z = job->logits + (q->pos + q->len - 1) * s->V;
        nl_gpt_top_k(z, s->V, MAX(s->c.top, 2u), top);
        double lse = lp_log_sum_exp(z, s->V);
        for (guint r = 0; r < s->c.top; r++) {
            nl_table_add_str(tt, s->c.prompts[i]);
            nl_table_add_int(tt, i);
            nl_table_add_int(tt, r + 1);
            nl_table_add_str(tt, word(s, top[r]));
            nl_table_add_f32(tt, z[top[r]]);
            nl_table_add_f64(tt, exp(z[top[r]] - lse));
            nl_table_add_f64(tt, z[top[r]] - lse);
        }
        double gap = (double)z[top[0]] - z[top[1]];
        nl_table_add_str(gt, s->c.prompts[i]);
        nl_table_add_int(gt, i);
        nl_table_add_str(gt, word(s, top[0]));
        nl_table_add_str(gt, word(s, top[1]));
        nl_table_add_f32(gt, z[top[0]]);
        nl_table_add_f32(gt, z[top[1]]);
        nl_table_add_f64(gt, gap);
        nl_table_add_str(gt, lp_gap_class(&s->c, gap));
    }
}

/* ---- C2: greedy, step by step ------------------------------------------ */

static void c2_steps(NlRun *run, const LpShared *s, guint prompt,
                     const GArray *steps)
{
    NlTable *t = nl_run_table(run, "c2-steps",
                              "prompt:str prompt_index:int step:int word:str "
                              "logprob:f64 prob:f64 second:str prob2:f64 "
                              "gap:f64 class:str");
    if (nl_table_n_rows(t) == 0) {
        nl_table_set_title(t, "C2: greedy generation step by step");
        nl_table_add_note(t, "word",
                          "the most likely word (the generation "
                          "ends at <EOS>, which is shown)");
        nl_table_add_note(t, "second",
                          "the runner-up, prob2 its "
                          "probability");
        nl_table_add_note(t, "gap",
                          "top-1 minus top-2 logit; class as "
                          "in c1-gap");
    }
    const LpStep *st = (const LpStep *)steps->data;
    for (guint i = 0; i < steps->len; i++) {
        nl_table_add_str(t, s->c.prompts[prompt]);
        nl_table_add_int(t, prompt);
        nl_table_add_int(t, i + 1);
        nl_table_add_str(t, word(s, st[i].token));
        nl_table_add_f64(t, st[i].logprob);
        nl_table_add_f64(t, exp(st[i].logprob));
        nl_table_add_str(t, word(s, st[i].top[1]));
        nl_table_add_f64(t, exp(st[i].top_logprob[1]));
        nl_table_add_f64(t, st[i].gap);
        nl_table_add_str(t, lp_gap_class(&s->c, st[i].gap));
    }
}

/* ---- C3: temperatures and seeds ------------------------------------------ */

static void c3_path(NlRun *run, const LpShared *s, guint prompt, guint path,
                    double temp, gint64 seed, const GArray *steps, gssize part)
{
    NlTable *pt = nl_run_table(run, "c3-paths",
                               "prompt:str prompt_index:int path:int "
                               "temperature:f64 seed:int step:int word:str "
                               "prob_t:f64 parted:int");
    NlTable *st_ = nl_run_table(run, "c3-part",
                                "prompt:str prompt_index:int path:int "
                                "temperature:f64 seed:int part_step:int "
                                "text:str");
    if (nl_table_n_rows(pt) == 0) {
        nl_table_set_title(pt, "C3: generations at several temperatures and "
                               "seeds, word by word");
        nl_table_add_note(pt, "path",
                          "0 is greedy (T = 0); then every "
                          "temperature > 0 with every seed");
        nl_table_add_note(pt, "prob_t",
                          "the probability the word was drawn "
                          "with, softmax(logits / T) (1 for greedy)");
        nl_table_add_note(pt, "parted",
                          "1 from the step where the path "
                          "left the greedy one");
        nl_table_set_title(st_, "C3: where each generation leaves the "
                                "greedy path");
        nl_table_add_note(st_, "part_step",
                          "first step (from 1) whose word "
                          "differs from greedy's (<EOS> counts), -1: never");
        nl_table_add_note(st_, "seed",
                          "-1 for greedy; the draws of a seed "
                          "are the same numbers at every temperature");
    }
    const LpStep *a = (const LpStep *)steps->data;
    g_autoptr(GString) text = g_string_new(s->c.prompts[prompt]);
    for (guint i = 0; i < steps->len; i++) {
        nl_table_add_str(pt, s->c.prompts[prompt]);
        nl_table_add_int(pt, prompt);
        nl_table_add_int(pt, path);
        nl_table_add_f64(pt, temp);
        nl_table_add_int(pt, seed);
        nl_table_add_int(pt, i + 1);
        nl_table_add_str(pt, word(s, a[i].token));
        nl_table_add_f64(pt, a[i].prob_t);
        nl_table_add_int(pt, part >= 0 && i >= (guint)part);
        if (a[i].token != NL_GPT_EOS)
            g_string_append_printf(text, " %s", word(s, a[i].token));
    }
    nl_table_add_str(st_, s->c.prompts[prompt]);
    nl_table_add_int(st_, prompt);
    nl_table_add_int(st_, path);
    nl_table_add_f64(st_, temp);
    nl_table_add_int(st_, seed);
    nl_table_add_int(st_, part < 0 ? -1 : part + 1);
    nl_table_add_str(st_, text->str);
}

gboolean lp_report_generations(NlRun *run, const LpShared *s, NlGptResident *on,
                               LpJobData *job, GError **error)
{
    const char *label = nl_backend_label(nl_run_backend(run));
    LpPlacement alone = {.batch = 1, .pad = 0};
    c1_top(run, s, job);
    g_autoptr(GString) jsonl = g_string_new(NULL);
    for (guint i = 0; i < s->c.n_prompts; i++) {
        g_autoptr(GArray) greedy = g_array_new(FALSE, FALSE, sizeof(LpStep));
        if (!lp_generate(s, on, alone, i, 0, 0, greedy, &job->greedy[i],
                         &job->greedy_len[i], error))
            return FALSE;
        c2_steps(run, s, i, greedy);
        c3_path(run, s, i, 0, 0, -1, greedy, -1);
        json_generation(jsonl, s, label, i, 0, -1, greedy);
        guint path = 1;
        for (gsize t = 0; t < s->c.n_temperatures; t++) {
            double temp = s->c.temperatures[t];
            if (temp == 0)
                continue; /* greedy: path 0 */
            for (gsize k = 0; k < s->c.n_seeds; k++) {
                g_autoptr(GArray) steps =
                    g_array_new(FALSE, FALSE, sizeof(LpStep));
                g_autofree guint32 *w = NULL;
                gsize n;
                if (!lp_generate(s, on, alone, i, temp, s->c.seeds[k], steps,
                                 &w, &n, error))
                    return FALSE;
                c3_path(run, s, i, path++, temp, (gint64)s->c.seeds[k], steps,
                        lp_first_difference(w, n, job->greedy[i],
                                            job->greedy_len[i]));
                json_generation(jsonl, s, label, i, temp, (gint64)s->c.seeds[k],
                                steps);
            }
        }
        nl_run_progress(run, 0.1 + 0.2 * (i + 1) / s->c.n_prompts,
                        "C1-C3 generations");
    }
    return nl_run_artifact(run, "logprobs.jsonl", jsonl->str, jsonl->len,
                           error);
}
