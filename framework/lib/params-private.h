/* params-private.h — what params.c (the table of values) and
 * params-text.c (one value's text) share inside libnumlab. */
#ifndef NL_PARAMS_PRIVATE_H
#define NL_PARAMS_PRIVATE_H

#include "nl-private.h"

/* One parsed value. Lists, maps and matrices keep their items in `items`:
 * gint64 (INT_LIST), double (DOUBLE_LIST, MATRIX row-major, DOUBLE_MAP) or
 * char * (a NULL-terminated STRING_LIST); a map's names are in `keys`. */
typedef struct {
    const NlParamSpec *spec;
    NlParamExt ext;        /* spec->ext as far as it was compiled, else zeros */
    char *text;            /* canonical text of the value */
    gint64 i;              /* INT, BOOL */
    double d;              /* DOUBLE */
    gint64 from, to, step; /* INT_RANGE */
    GArray *items;
    GArray *keys;     /* DOUBLE_MAP: char *, NULL-terminated */
    gsize rows, cols; /* MATRIX */
    gboolean unset;   /* optional, not given */
} NlParamValue;

/* Parses `text` into value (whose spec and ext are set); one line naming
 * owner and parameter on failure. */
gboolean nl_param_value_parse(NlParamValue *value, const char *owner,
                              const char *text, GError **error);
void nl_param_value_clear(NlParamValue *value);

#endif /* NL_PARAMS_PRIVATE_H */
