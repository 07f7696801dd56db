/* numlab/params.h — typed, validated parameters.
 *
 * An experiment (and a backend, for its options) declares a table of
 * NlParamSpec. The host parses every user value against it — type, range,
 * finiteness, list length, matrix shape — and fills an NlParams, so plugin
 * code only ever reads values that are known to be valid. Rules between
 * two parameters (w0 as long as x) stay the plugin's to check. Asking for
 * a name that was not declared, or with the wrong getter, is a programming
 * error (a g_critical), not a user error. */
#ifndef NUMLAB_PARAMS_H
#define NUMLAB_PARAMS_H

#include <glib.h>
#include <math.h> /* INFINITY, for a range open on one side */

G_BEGIN_DECLS

typedef enum {
    NL_PARAM_INT = 1,     /* 64-bit signed integer */
    NL_PARAM_DOUBLE,      /* finite double */
    NL_PARAM_BOOL,        /* 0/1, true/false, yes/no, on/off */
    NL_PARAM_STRING,      /* free text, or one of `choices` when set */
    NL_PARAM_INT_LIST,    /* "1,2,3": integers, each within the range */
    NL_PARAM_DOUBLE_LIST, /* "0.1,2": finite doubles, each within the
                             range; a vector is a double list */
    NL_PARAM_MATRIX,      /* "1,0;0,1": rows separated by ';', entries by
                             ','; every row as long as the first; each
                             entry finite and within the range */
    NL_PARAM_STRING_LIST, /* "a,b,c": names, none empty, none twice; each
                             one of `choices` when set; ext->separator may
                             replace the ',' */
    NL_PARAM_INT_RANGE,   /* "N", "FROM:TO" or "FROM:TO:STEP": integers,
                             FROM <= TO both within the range, STEP >= 1
                             (N is N:N:1) */
    NL_PARAM_DOUBLE_MAP   /* "a=1,b=2.5": names, none empty, none twice,
                             each one of `choices` when set, each with a
                             finite double within the range; a name may
                             hold '=' (the last one separates) */
} NlParamType;

/* NlParamExt.flags */
typedef enum {
    NL_PARAM_MIN_EXCLUSIVE = 1 << 0, /* value > min, not >= min */
    NL_PARAM_MAX_EXCLUSIVE = 1 << 1, /* value < max, not <= max */
    NL_PARAM_STEPS = 1 << 2,         /* NL_PARAM_DOUBLE_LIST: the value may
                                        also be start:stop:step (stop
                                        included when a step reaches it
                                        within a millionth of a step) */
    NL_PARAM_MAY_BE_EMPTY = 1 << 3   /* lists and maps: an empty text is a
                                        value with no items */
} NlParamFlags;

/* What a parameter spec says beyond its fixed fields. NlParamSpec is an
 * array element, so it can never grow: every later parameter feature is a
 * field appended here instead. The record carries its own size, and the
 * host reads only the fields that struct_size covers; a field left out
 * (or beyond an older module's struct_size) is 0: no constraint. Write it
 * with NL_PARAM_EXT. */
typedef struct NlParamExt {
    gsize struct_size;     /* sizeof(NlParamExt) as compiled (NL_PARAM_EXT) */
    guint flags;           /* NlParamFlags */
    guint min_items;       /* lists: at least this many items (0: 1) */
    guint max_items;       /* lists: at most this many (0: the host's limit) */
    guint rows, cols;      /* NL_PARAM_MATRIX: exactly this shape (0: any) */
    const char *separator; /* NL_PARAM_STRING_LIST: the one punctuation
                              character between items, e.g. "|" for items
                              that hold commas (NULL: ",") */
} NlParamExt;

/* A pointer to a static NlParamExt with struct_size filled in, for the
 * `ext` field of a spec in a table at file scope:
 *     NL_PARAM_EXT(.flags = NL_PARAM_MIN_EXCLUSIVE, .min_items = 2) */
#define NL_PARAM_EXT(...)                                                      \
    (&(const NlParamExt){.struct_size = sizeof(NlParamExt), __VA_ARGS__})

/* One row of a spec table. Its layout is fixed for good: the host steps
 * through a module's table with its own sizeof(NlParamSpec), so ext is
 * the last field this struct will ever get. */
typedef struct {
    const char *name; /* [a-z0-9_]+ */
    NlParamType type;
    const char *default_value; /* text, parsed like user input; NULL: the
                                  parameter is optional and unset until
                                  given (see nl_params_is_set) */
    double min, max;           /* the range of a number or of each item,
                                  inclusive unless ext->flags say
                                  otherwise; -INFINITY or INFINITY leaves a
                                  side open; min == max == 0 and no
                                  exclusive flag: no range */
    const char *help;          /* one line */
    const char *choices;       /* STRING, STRING_LIST: "a|b|c", or NULL */
    const NlParamExt *ext;     /* NL_PARAM_EXT(...) or NULL; always last */
} NlParamSpec;

/* Terminates a spec table. */
#define NL_PARAM_END                                                           \
    {                                                                          \
        NULL, (NlParamType)0, NULL, 0, 0, NULL, NULL, NULL                     \
    }

typedef struct NlParams NlParams;

gint64 nl_params_get_int(const NlParams *params, const char *name);
double nl_params_get_double(const NlParams *params, const char *name);
gboolean nl_params_get_bool(const NlParams *params, const char *name);
const char *nl_params_get_string(const NlParams *params, const char *name);
/* The list getters return the items, owned by params; *n_items receives
 * their number (at least 1, unless NL_PARAM_MAY_BE_EMPTY; 0 and NULL for
 * an unset optional list). */
const gint64 *nl_params_get_int_list(const NlParams *params, const char *name,
                                     gsize *n_items);
const double *nl_params_get_double_list(const NlParams *params,
                                        const char *name, gsize *n_items);
/* Row-major, rows x cols entries (both at least 1). */
const double *nl_params_get_matrix(const NlParams *params, const char *name,
                                   gsize *rows, gsize *cols);
/* NULL-terminated as well. */
const char *const *nl_params_get_string_list(const NlParams *params,
                                             const char *name, gsize *n_items);

/* FROM, TO and STEP of an NL_PARAM_INT_RANGE (from <= to, step >= 1);
 * any pointer may be NULL. An unset optional range gives 0, 0, 1. */
void nl_params_get_int_range(const NlParams *params, const char *name,
                             gint64 *from, gint64 *to, gint64 *step);
/* The values of an NL_PARAM_DOUBLE_MAP in the order given; *keys (when not
 * NULL) receives their names, NULL-terminated, owned by params (NULL only
 * for an unset optional map). */
const double *nl_params_get_double_map(const NlParams *params, const char *name,
                                       const char *const **keys,
                                       gsize *n_items);

/* FALSE for an optional parameter (default NULL) the user did not give;
 * its getter then returns 0, FALSE, "" or an empty list. */
gboolean nl_params_is_set(const NlParams *params, const char *name);

/* The canonical text of every value, "a=1 b=2" in spec order. */
char *nl_params_to_string(const NlParams *params);

G_END_DECLS

#endif /* NUMLAB_PARAMS_H */
