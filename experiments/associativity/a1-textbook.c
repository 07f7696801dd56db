/* a1-textbook.c — figure A1: the classic non-associativity cases.
 *
 * Values come from parameters at run time, so the compiler cannot fold
 * them, and the file is built with -ffp-contract=off like all of numlab:
 * each + below is one IEEE rounding in the stated type. The lecture's
 * float32 case (1, 1e-7, 1e-7) gives the *same* result in both orders —
 * 1e-7 is more than half an ulp of 1 (2^-24 = 5.96e-8), so each addition
 * rounds up — which is why a second case below that threshold is shown.
 *
 * In bfloat16 and float16 (parameter `precision`) the same cases and
 * counters run with numlab's exact emulation of the type: each addition
 * is computed in double and rounded once to it (nl_precision_round), which
 * is the IEEE operation of the type. Half an ulp of 1 is 2^-8 in bfloat16
 * and 2^-11 in float16, so 1 + 2^-8 + 2^-8 keeps 1 in one order and gains
 * 2^-7 in the other; the counters stall at 2^8 = 256 and 2^11 = 2048,
 * where s + 1 is a tie that rounds back to the even s. */
#include "config.h"

#include "associativity.h"

#include <math.h>
#include <string.h>

/* "s eeeeeeee mmm...": the IEEE fields of a float32 or float64. */
static char *binary_fields(guint64 bits, int exp_bits, int man_bits)
{
    GString *s = g_string_new(NULL);
    int total = 1 + exp_bits + man_bits;
    for (int i = total - 1; i >= 0; i--) {
        g_string_append_c(s, (bits >> i) & 1 ? '1' : '0');
        if (i == total - 1 || i == man_bits)
            g_string_append_c(s, ' ');
    }
    return g_string_free(s, FALSE);
}

/* One row: the value (a float32 value is exact as a double), its bits and
 * its IEEE fields. */
static void add_row(NlTable *t, const char *case_name, const char *type,
                    const char *order, double value, guint64 bits, int exp_bits,
                    int man_bits, double exact)
{
    g_autofree char *bin = binary_fields(bits, exp_bits, man_bits);
    nl_table_add_str(t, case_name);
    nl_table_add_str(t, type);
    nl_table_add_str(t, order);
    nl_table_add_f64(t, value);
    nl_table_add_f64(t, exact);
    nl_table_add_hex(t, bits);
    nl_table_add_str(t, bin);
}

static void add_f32_row(NlTable *t, const char *case_name, const char *order,
                        float value, double exact)
{
    add_row(t, case_name, "float32", order, value, nl_f32_bits(value), 8, 23,
            exact);
}

static void add_f64_row(NlTable *t, const char *case_name, const char *order,
                        double value, double exact)
{
    add_row(t, case_name, "float64", order, value, nl_f64_bits(value), 11, 52,
            exact);
}

static void float_case(NlTable *t, float small)
{
    float a = 1.0f, b = small, c = small;
    float abc[3] = {a, b, c};
    double exact = nl_exact_sum_f32_as_f64(abc, 3);
    char sbuf[32];
    g_snprintf(sbuf, sizeof sbuf, "%g",
               (double)small); /* as typed, not as stored */
    g_autofree char *name = g_strdup_printf("a=1, b=c=%s", sbuf);
    add_f32_row(t, name, "(a+b)+c", (a + b) + c, exact);
    add_f32_row(t, name, "a+(b+c)", a + (b + c), exact);
}

/* A 16-bit value's bits and fields, from its value. */
static void add_16_row(NlTable *t, NlPrecision p, const char *case_name,
                       const char *order, double value, double exact)
{
    gboolean bf = p == NL_PRECISION_BF16;
    guint64 bits = bf ? nl_bf16_from_f64(value) : nl_f16_from_f64(value);
    add_row(t, case_name, nl_precision_name(p), order, value, bits, bf ? 8 : 5,
            bf ? 7 : 10, exact);
}

/* 1 + small + small in a 16-bit type, small half an ulp of 1 (2^-8 or
 * 2^-11): every operation rounded once to the type. */
static void half_case(NlTable *t, NlPrecision p)
{
    double a = 1.0, b = ldexp(1.0, -(int)nl_precision_digits(p)), c = b;
    g_autofree char *name =
        g_strdup_printf("a=1, b=c=2^-%u", nl_precision_digits(p));
    double left = nl_precision_round(p, nl_precision_round(p, a + b) + c);
    double right = nl_precision_round(p, a + nl_precision_round(p, b + c));
    add_16_row(t, p, name, "(a+b)+c", left, a + b + c); /* exact in double */
    add_16_row(t, p, name, "a+(b+c)", right, a + b + c);
}

/* The counter s += 1 in a 16-bit type, emulated: every step up to four
 * times the stall at 2^digits, sampled every steps/256 and every step
 * around the stall. Table a1-counter-TYPE. */
static void counter_16(NlRun *run, NlPrecision p)
{
    g_autofree char *name =
        g_strdup_printf("a1-counter-%s", nl_precision_name(p));
    NlTable *t = nl_run_table(run, name, "step:int counter:f64 lost:int");
    g_autofree char *title = g_strdup_printf(
        "%s counter s += 1 against the true count", nl_precision_name(p));
    nl_table_set_title(t, title);
    gint64 stall = (gint64)1 << nl_precision_digits(p);
    gint64 steps = 4 * stall, every = MAX(steps / 256, 1), stalled_at = -1;
    double s = 0;
    for (gint64 i = 0; i <= steps; i++) {
        if (i % every == 0 || (i > stall - 4 && i < stall + 4) || i == steps) {
            nl_table_add_int(t, i);
            nl_table_add_f64(t, s);
            nl_table_add_int(t, i - (gint64)s);
        }
        double next = nl_precision_round(p, s + 1);
        if (next == s && stalled_at < 0)
            stalled_at = i;
        s = next;
    }
    g_autofree char *note = g_strdup_printf(
        "%" G_GINT64_FORMAT " (s = %.0f = 2^%u; s + 1 rounds back to s)",
        stalled_at, s, nl_precision_digits(p));
    nl_table_add_note(t, "stalls at step", note);
}

/* The float32 counter: s += 1 until s + 1 == s. Samples every
 * steps/32, and every step around the stall. */
static void counter(NlRun *run, gint64 steps)
{
    NlTable *t =
        nl_run_table(run, "a1-counter", "step:int counter:f32 lost:int");
    nl_table_set_title(t, "float32 counter s += 1 against the true count");
    const gint64 stall_zone = 16777216; /* 2^24 */
    gint64 every = MAX(steps / 32, 1);
    float s = 0.0f;
    gint64 stalled_at = -1;
    /* i % every == 0 without a division per step: a countdown to 0 */
    for (gint64 i = 0, to_sample = 0; i <= steps; i++, to_sample--) {
        if (to_sample == 0)
            to_sample = every;
        if (to_sample == every || (i > stall_zone - 4 && i < stall_zone + 4) ||
            i == steps) {
            nl_table_add_int(t, i);
            nl_table_add_f32(t, s);
            nl_table_add_int(t, i - (gint64)s);
        }
        float next = s + 1.0f;
        if (next == s && stalled_at < 0)
            stalled_at = i;
        s = next;
        if ((i & 0xfffff) == 0)
            nl_run_progress(run, (double)i / (double)steps, "A1 counter");
    }
    g_autofree char *note =
        stalled_at >= 0
            ? g_strdup_printf("%" G_GINT64_FORMAT " (s = %.9g = 2^24; s + 1 "
                              "rounds back to s)",
                              stalled_at, (double)s)
            : g_strdup("not within the steps run");
    nl_table_add_note(t, "stalls at step", note);
}

gboolean assoc_textbook(NlRun *run, GError **error)
{
    (void)error;
    const NlParams *p = nl_run_params(run);
    NlTable *t = nl_run_table(run, "a1-cases",
                              "case:str type:str order:str value:f64 "
                              "exact:f64 bits:hex binary:str");
    nl_table_set_title(t, "(a+b)+c against a+(b+c), values and bits");
    float_case(t, (float)nl_params_get_double(p, "a1_small"));
    float_case(t, (float)nl_params_get_double(p, "a1_small_alt"));

    /* double: 0.1 vanishes into 1e20 in one order and survives the other */
    double x = 0.1, big = 1e20;
    double terms[3] = {x, big, -big};
    double exact = nl_exact_sum_f64(terms, 3);
    add_f64_row(t, "0.1, 1e20, -1e20", "(0.1+1e20)-1e20", (x + big) - big,
                exact);
    add_f64_row(t, "0.1, 1e20, -1e20", "0.1+(1e20-1e20)", x + (big - big),
                exact);
    nl_table_add_note(t, "exact",
                      "the real sum of the operands as stored, "
                      "rounded once to float64 (MPFR)");

    gsize n_prec;
    const char *const *precisions =
        nl_params_get_string_list(p, "precision", &n_prec);
    gboolean f32 = FALSE;
    for (gsize i = 0; i < n_prec; i++) {
        NlPrecision q = NL_PRECISION_F32;
        nl_precision_from_name(precisions[i], &q); /* choices: known names */
        if (q == NL_PRECISION_BF16 || q == NL_PRECISION_F16)
            half_case(t, q);
        f32 = f32 || q == NL_PRECISION_F32;
    }
    if (f32)
        counter(run, nl_params_get_int(p, "counter_steps"));
    for (gsize i = 0; i < n_prec; i++) {
        NlPrecision q = NL_PRECISION_F32;
        nl_precision_from_name(precisions[i], &q);
        if (q == NL_PRECISION_BF16 || q == NL_PRECISION_F16)
            counter_16(run, q);
    }
    return TRUE;
}
