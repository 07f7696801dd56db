/* resident.c — a model's weight matrices resident on one backend.
 *
 * Every linear layer of the forward pass is a product of an activation
 * with a weight matrix. Uploading the matrix with each product would make
 * a device backend's "kernel time" a PCIe copy time, and would copy the
 * same bytes once per generated word. So the matrices live in backend
 * buffers beside the model: uploaded here once, and again only when the
 * caller says the weights changed (the trainer, once per step). One
 * buffer per matrix and layer, because a kernel takes whole buffers: the
 * product then reads exactly the values, and runs exactly the gemm, it
 * ran when the matrix was uploaded for it. In another precision
 * (nl_gpt_resident_new_as) the matrices are stored in prec.weights, each
 * value rounded once, and the ones vector in prec.acts. */
#include "config.h"

#include "private.h"

#include <string.h>

/* Matrix i (GPT_MAT order, w_lm last) of the model: its host values and
 * size. */
static const float *matrix(const NlGpt *m, gsize i, gsize *size)
{
    gsize C = m->config.d_model, L = m->config.n_layer;
    if (i == GPT_MAT(L, 0)) {
        *size = C * m->config.vocab_size;
        return m->w.w_lm;
    }
    gsize l = i / GPT_MATS_PER_LAYER;
    switch (i % GPT_MATS_PER_LAYER) {
    case GPT_QKV:
        *size = C * 3 * C;
        return m->w.w_qkv + l * *size;
    case GPT_PROJ:
        *size = C * C;
        return m->w.w_proj + l * *size;
    case GPT_FC:
        *size = C * 4 * C;
        return m->w.w_fc + l * *size;
    default:
        *size = 4 * C * C;
        return m->w.w_fc2 + l * *size;
    }
}

NlGptResident *nl_gpt_resident_new_as(const NlGpt *model, NlBackend *backend,
                                      NlGptPrecision prec, GError **error)
{
    g_return_val_if_fail(model != NULL && backend != NULL, NULL);
    g_return_val_if_fail(nl_precision_name(prec.weights) &&
                             nl_precision_name(prec.acts) &&
                             nl_precision_name(prec.acc),
                         NULL);
    g_autoptr(NlGptResident) r = g_new0(NlGptResident, 1);
    r->model = model;
    r->backend = backend;
    r->prec = prec;
    r->n_mats = GPT_MAT(model->config.n_layer, 1);
    r->mats = g_new0(NlBuffer *, r->n_mats);
    for (gsize i = 0; i < r->n_mats; i++) {
        gsize size;
        matrix(model, i, &size);
        if (!(r->mats[i] =
                  nl_backend_alloc_as(backend, prec.weights, size, error)))
            return NULL;
    }
    gsize C = model->config.d_model;
    g_autofree float *ones = g_new(float, C);
    for (gsize j = 0; j < C; j++)
        ones[j] = 1.0f;
    if (!(r->ones = nl_backend_alloc_as(backend, prec.acts, C, error)) ||
        !nl_backend_upload_rounded(backend, r->ones, ones, C, error) ||
        !nl_gpt_resident_sync(r, error))
        return NULL;
    return g_steal_pointer(&r);
}

NlGptResident *nl_gpt_resident_new(const NlGpt *model, NlBackend *backend,
                                   GError **error)
{
    NlGptPrecision f32 = {NL_PRECISION_F32, NL_PRECISION_F32, NL_PRECISION_F32};
    return nl_gpt_resident_new_as(model, backend, f32, error);
}

NlGptPrecision nl_gpt_resident_precision(const NlGptResident *r)
{
    NlGptPrecision f32 = {NL_PRECISION_F32, NL_PRECISION_F32, NL_PRECISION_F32};
    g_return_val_if_fail(r != NULL, f32);
    return r->prec;
}

static const struct {
    const char *name;
    NlGptPrecision p;
} modes[] = {
    {"float32", {NL_PRECISION_F32, NL_PRECISION_F32, NL_PRECISION_F32}},
    {"layercast", {NL_PRECISION_BF16, NL_PRECISION_F32, NL_PRECISION_F32}},
    {"bfloat16", {NL_PRECISION_BF16, NL_PRECISION_BF16, NL_PRECISION_F32}},
    {"bfloat16-pure",
     {NL_PRECISION_BF16, NL_PRECISION_BF16, NL_PRECISION_BF16}},
    {"float16", {NL_PRECISION_F16, NL_PRECISION_F16, NL_PRECISION_F32}},
};

gboolean nl_gpt_precision_from_name(const char *name, NlGptPrecision *p)
{
    g_return_val_if_fail(name != NULL && p != NULL, FALSE);
    for (guint i = 0; i < G_N_ELEMENTS(modes); i++)
        if (strcmp(name, modes[i].name) == 0) {
            *p = modes[i].p;
            return TRUE;
        }
    return FALSE;
}

const char *nl_gpt_precision_name(NlGptPrecision p)
{
    for (guint i = 0; i < G_N_ELEMENTS(modes); i++)
        if (modes[i].p.weights == p.weights && modes[i].p.acts == p.acts &&
            modes[i].p.acc == p.acc)
            return modes[i].name;
    return NULL;
}

void nl_gpt_resident_free(NlGptResident *r)
{
    if (!r)
        return;
    gpt_pass_cache_free(r->cache);
    for (gsize i = 0; r->mats && i < r->n_mats; i++)
        nl_backend_free(r->backend, r->mats[i]);
    nl_backend_free(r->backend, r->ones);
    g_free(r->mats);
    g_free(r);
}

gboolean nl_gpt_resident_sync(NlGptResident *r, GError **error)
{
    g_return_val_if_fail(r != NULL, FALSE);
    for (gsize i = 0; i < r->n_mats; i++) {
        gsize size;
        const float *w = matrix(r->model, i, &size);
        if (!(r->prec.weights == NL_PRECISION_F32
                  ? nl_backend_upload(r->backend, r->mats[i], w, size, error)
                  : nl_backend_upload_rounded(r->backend, r->mats[i], w, size,
                                              error)))
            return FALSE;
    }
    return TRUE;
}

NlBackend *nl_gpt_resident_backend(const NlGptResident *r)
{
    g_return_val_if_fail(r != NULL, NULL);
    return r->backend;
}
