/* numlab/table.h — result tables: named, typed columns and rows.
 *
 * An experiment never writes files: it fills tables, and the host writes
 * each one as a gnuplot-ready .dat file (see doc/output-format.md). Columns are
 * declared once as "name:type" words:
 *
 *     int   64-bit integer            f32  float, printed %.9g (round-trips)
 *     f64   double, printed %.17g     hex  unsigned bits, printed 0x...
 *     str   text, written quoted      (gnuplot reads "..." as one column)
 *
 * Rows are filled cell by cell, left to right:
 *
 *     NlTable *t = nl_run_table(run, "a2-blocked", "block:int sum:f32");
 *     nl_table_add_int(t, 32); nl_table_add_f32(t, s);
 *
 * nl_table_new_dataset() starts a new gnuplot dataset (two blank lines in
 * the file, addressed with `index`). Adding a cell of the wrong type, or
 * passing a NULL table, is a programming error and is reported with
 * g_critical; in a phase, it fails the job. */
#ifndef NUMLAB_TABLE_H
#define NUMLAB_TABLE_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct NlTable NlTable;

void nl_table_set_title(NlTable *table, const char *title);
/* A "# key: value" line in the file's header; a second note for the same
 * key replaces the first. */
void nl_table_add_note(NlTable *table, const char *key, const char *value);
/* Starts a new dataset; `label` is written as a comment above it. */
void nl_table_new_dataset(NlTable *table, const char *label);

void nl_table_add_int(NlTable *table, gint64 value);
void nl_table_add_f32(NlTable *table, float value);
void nl_table_add_f64(NlTable *table, double value);
void nl_table_add_hex(NlTable *table, guint64 bits);
void nl_table_add_str(NlTable *table, const char *value);

/* Reading, for run_compare and tests. */
const char *nl_table_name(const NlTable *table);
guint nl_table_n_rows(const NlTable *table);
/* Index of a column by name, or -1. */
int nl_table_column(const NlTable *table, const char *name);
gint64 nl_table_get_int(const NlTable *table, guint row, guint column);
double nl_table_get_f64(const NlTable *table, guint row, guint column);
const char *nl_table_get_str(const NlTable *table, guint row, guint column);

G_END_DECLS

#endif /* NUMLAB_TABLE_H */
