/* numlab/params.h — typed, validated parameters.
 *
 * An experiment (and a backend, for its options) declares a table of
 * NlParamSpec. The host parses every user value against it — type, range,
 * finiteness — and fills an NlParams, so plugin code only ever reads values
 * that are known to be valid. Asking for a name that was not declared is a
 * programming error (a g_critical), not a user error. */
#ifndef NUMLAB_PARAMS_H
#define NUMLAB_PARAMS_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    NL_PARAM_INT = 1, /* 64-bit signed integer */
    NL_PARAM_DOUBLE,  /* finite double */
    NL_PARAM_BOOL,    /* 0/1, true/false, yes/no */
    NL_PARAM_STRING,  /* free text, or one of `choices` when set */
    NL_PARAM_INT_LIST /* comma-separated integers, each within the range */
} NlParamType;

/* What a parameter spec says beyond its fixed fields. NlParamSpec is an
 * array element, so it can never grow: every later parameter feature is a
 * field appended here instead. The record carries its own size, and the
 * host reads a field only when struct_size covers it, so appending needs no
 * ABI bump; a field left out (or beyond an older module's struct_size)
 * must mean "as before", with 0 or NULL. Write it with NL_PARAM_EXT. */
typedef struct NlParamExt {
    gsize struct_size; /* sizeof(NlParamExt) as compiled (NL_PARAM_EXT) */
} NlParamExt;

/* A pointer to a static NlParamExt with struct_size filled in, for the
 * `ext` field of a spec: NL_PARAM_EXT(.field = value, ...). */
#define NL_PARAM_EXT(...)                                                      \
    (&(const NlParamExt){.struct_size = sizeof(NlParamExt), __VA_ARGS__})

/* One row of a spec table. Its layout is fixed for good: the host steps
 * through a module's table with its own sizeof(NlParamSpec), so a longer
 * row would be misread from the second row on, and rows are written
 * positionally, so a new field would touch every table. ext is the last
 * field this struct will ever get. */
typedef struct {
    const char *name;          /* [a-z0-9_]+ */
    NlParamType type;
    const char *default_value; /* text, parsed like user input; NULL: the
                                  parameter is optional and unset until
                                  given (see nl_params_is_set) */
    double min, max;           /* inclusive range for numbers and list items;
                                  min == max == 0 means no range */
    const char *help;          /* one line */
    const char *choices;       /* NL_PARAM_STRING: "a|b|c", or NULL */
    const NlParamExt *ext;     /* NL_PARAM_EXT(...) or NULL; always last */
} NlParamSpec;

/* Terminates a spec table. */
#define NL_PARAM_END { NULL, (NlParamType)0, NULL, 0, 0, NULL, NULL, NULL }

typedef struct NlParams NlParams;

gint64 nl_params_get_int(const NlParams *params, const char *name);
double nl_params_get_double(const NlParams *params, const char *name);
gboolean nl_params_get_bool(const NlParams *params, const char *name);
const char *nl_params_get_string(const NlParams *params, const char *name);
/* Returns the items; *n_items receives their number (at least 1). */
const gint64 *nl_params_get_int_list(const NlParams *params, const char *name,
                                     gsize *n_items);

/* FALSE for an optional parameter (default NULL) the user did not give;
 * its getter then returns 0, FALSE or "". */
gboolean nl_params_is_set(const NlParams *params, const char *name);

/* The canonical text of every value, "a=1 b=2" in spec order. */
char *nl_params_to_string(const NlParams *params);

G_END_DECLS

#endif /* NUMLAB_PARAMS_H */
