/* test-table-wire.c — a table's wire form (framework/lib/table.c), how a
 * job's tables cross from its process to numlab's: every cell comes back
 * with its bits (NaN payloads, signed zeros, empty and non-ASCII
 * strings), many string rows included, and a damaged strings blob (no
 * final NUL, invalid UTF-8) or cells that do not fill whole rows are
 * refused with an error, never read past. */
#include "config.h"

#include "../framework/lib/nl-private.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

static NlTable *sample(guint rows)
{
    g_autoptr(GError) error = NULL;
    NlTable *t = nl_table_new("wire", "name:str n:int x:f64 note:str", &error);
    g_assert_no_error(error);
    double nan_payload;
    guint64 bits = G_GUINT64_CONSTANT(0x7ff8000000012345);
    memcpy(&nan_payload, &bits, sizeof bits);
    const double xs[] = {-0.0, nan_payload, INFINITY, 0x1p-1074, 1.0 / 3};
    for (guint r = 0; r < rows; r++) {
        g_autofree char *name = g_strdup_printf("k%u", r);
        nl_table_add_str(t, name);
        nl_table_add_int(t, G_MININT64 + r);
        nl_table_add_f64(t, xs[r % G_N_ELEMENTS(xs)]);
        nl_table_add_str(t, r % 3 == 0 ? "" : r % 3 == 1 ? "Größe ≤ 5" : "x");
    }
    return t;
}

static void assert_same(const NlTable *a, const NlTable *b)
{
    g_assert_cmpuint(nl_table_n_rows(a), ==, nl_table_n_rows(b));
    for (guint r = 0; r < nl_table_n_rows(a); r++) {
        g_assert_cmpstr(nl_table_get_str(a, r, 0), ==,
                        nl_table_get_str(b, r, 0));
        g_assert_cmpint(nl_table_get_int(a, r, 1), ==,
                        nl_table_get_int(b, r, 1));
        double x = nl_table_get_f64(a, r, 2), y = nl_table_get_f64(b, r, 2);
        g_assert_cmpmem(&x, sizeof x, &y, sizeof y);
        g_assert_cmpstr(nl_table_get_str(a, r, 3), ==,
                        nl_table_get_str(b, r, 3));
    }
}

static GVariant *from_bytes(GVariant *v)
{
    /* as the parent gets it: serialised bytes, untrusted */
    g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes(v);
    return g_variant_new_from_bytes(G_VARIANT_TYPE(NL_TABLE_WIRE), bytes,
                                    FALSE);
}

static void test_round_trip(void)
{
    for (guint rows = 0; rows <= 20000; rows = rows ? rows * 10 : 2) {
        g_autoptr(NlTable) t = sample(rows);
        g_autoptr(GVariant) v = g_variant_ref_sink(nl_table_to_variant(t));
        g_autoptr(GVariant) wire = g_variant_ref_sink(from_bytes(v));
        g_autoptr(GError) error = NULL;
        g_autoptr(NlTable) back = nl_table_from_variant(wire, &error);
        g_assert_no_error(error);
        assert_same(t, back);
    }
}

/* The table's fields with the strings blob replaced. */
static GVariant *with_strings(GVariant *v, const char *blob, gsize len)
{
    const char *name, *title, *spec;
    g_autoptr(GVariant) notes = NULL, datasets = NULL, ints = NULL,
                        doubles = NULL, strings = NULL;
    g_variant_get(v, "(&sm&s&s@as@a(msub)@ax@ad@ay)", &name, &title, &spec,
                  &notes, &datasets, &ints, &doubles, &strings);
    return g_variant_ref_sink(g_variant_new(
        "(smss@as@a(msub)@ax@ad@ay)", name, title, spec, notes, datasets, ints,
        doubles, g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, blob, len, 1)));
}

static void test_damaged(void)
{
    g_autoptr(NlTable) t = sample(2); /* strings: k0, "", k1, "Größe ≤ 5" */
    g_autoptr(GVariant) v = g_variant_ref_sink(nl_table_to_variant(t));
    static const struct {
        const char *blob;
        gsize len;
        const char *says;
    } cases[] = {
        {"k0\0\0k1\0x", 8, "not NUL-ended UTF-8"},          /* no final NUL */
        {"k0\0\0k1\0\xff\0", 9, "not NUL-ended UTF-8"},     /* not UTF-8 */
        {"k0\0\0k1\0", 7, "do not fill whole rows"},        /* a string short */
        {"k0\0\0k1\0a\0b\0", 11, "do not fill whole rows"}, /* one more */
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GVariant) bad = with_strings(v, cases[i].blob, cases[i].len);
        g_autoptr(GVariant) wire = g_variant_ref_sink(from_bytes(bad));
        g_autoptr(GError) error = NULL;
        g_autoptr(NlTable) back = nl_table_from_variant(wire, &error);
        g_assert_null(back);
        g_assert_nonnull(error);
        if (!strstr(error->message, cases[i].says))
            g_error("case %u: '%s' does not say '%s'", i, error->message,
                    cases[i].says);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/table-wire/round-trip", test_round_trip);
    g_test_add_func("/table-wire/damaged", test_damaged);
    return g_test_run();
}
