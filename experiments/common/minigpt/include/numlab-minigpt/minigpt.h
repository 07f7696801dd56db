/* numlab-minigpt/minigpt.h — MiniGPT, the lecture's model, as a library
 * of its own (libnumlab-minigpt, `pkg-config numlab-minigpt`): a tiny
 * decoder-only transformer, its word vocabulary, training
 * (backpropagation + AdamW) and checkpoints. Not part of the core plugin
 * SDK (numlab/numlab.h): an experiment that uses the model includes this
 * header and links this library; the lecture's corpus and defaults are in
 * numlab-minigpt/lecture.h.
 *
 * The model: token + position embeddings, n_layer blocks of pre-LayerNorm
 * causal multi-head attention and a GELU MLP, each with a residual
 * connection, a final LayerNorm and an (untied) LM head. Everything is
 * float32.
 *
 * Where the arithmetic runs: the forward pass runs on a backend or on the
 * host. On a backend its matrix products (every linear layer, Q·Kᵀ and
 * the attention-weighted sum of V per head, the LM head), the attention
 * softmaxes and the LayerNorm reductions (row sums as a product with a
 * ones vector) are backend calls (nl_backend_gemm / nl_backend_softmax);
 * only element-wise work (adding biases and residuals, GELU, normalising
 * with the mean and variance the backend summed) stays in host loops. The
 * weight matrices stay resident on the backend (NlGptResident): they are
 * uploaded once per model, or once per training step, and only
 * activations travel per product. Without a backend the same pass runs in
 * host loops that sum in the naive backend's order. Training runs that
 * forward pass and the backward pass and AdamW in host loops: vectorised
 * kernels, dispatched at run time to the CPU's widest instruction set,
 * on one host thread or as many as nl_gpt_trainer_set_threads says, each
 * result element summed by one thread in the order of a plain sequential
 * loop.
 * So the backward pass's bits depend neither on the CPU's vector width
 * nor on the thread count: given the seed and the backend (and its
 * thread count, where the backend's own sums depend on it), a training
 * run is bit-for-bit repeatable.
 *
 * Weight matrices are stored (in, out), row-major, so a layer is
 * out = in · W + b, which is the backend's gemm without a transpose.
 *
 * Not here: dropout, mixed precision, a KV cache (generation recomputes
 * the whole window: contexts are a few dozen tokens). */
#ifndef NUMLAB_MINIGPT_H
#define NUMLAB_MINIGPT_H

#include <glib.h>
#include <numlab/backend.h>
#include <numlab/rng.h>

G_BEGIN_DECLS

#define NL_GPT_ERROR (nl_gpt_error_quark())
GQuark nl_gpt_error_quark(void);

typedef enum {
    NL_GPT_ERROR_CONFIG,     /* a configuration that cannot be built */
    NL_GPT_ERROR_VOCAB,      /* an unknown word, a bad vocabulary */
    NL_GPT_ERROR_CHECKPOINT, /* a checkpoint that is not valid */
    NL_GPT_ERROR_IO,         /* a file that cannot be read */
    NL_GPT_ERROR_NOMEM,      /* memory refused */
} NlGptError;

/* Limits a configuration must respect (also when read from a file). */
#define NL_GPT_MAX_VOCAB   65536u
#define NL_GPT_MAX_CONTEXT 4096u
#define NL_GPT_MAX_DMODEL  4096u
#define NL_GPT_MAX_LAYERS  64u
#define NL_GPT_MAX_WORD    255u       /* bytes of one vocabulary word */
#define NL_GPT_MAX_PARAMS  (1u << 28) /* float32 values: 1 GiB */
#define NL_GPT_MAX_BATCH   65536u     /* sequences in one forward pass */

/* ---- vocabulary (vocab.c) -------------------------------------------- */

/* Word-level: text is split at spaces and newlines; token 0 is "<EOS>",
 * which ends every sentence (line) of a corpus. */
#define NL_GPT_EOS      0u
#define NL_GPT_EOS_WORD "<EOS>"

typedef struct NlGptVocab NlGptVocab;

/* "<EOS>", then every distinct word of `text` in byte order. */
NlGptVocab *nl_gpt_vocab_new_from_text(const char *text, GError **error);
/* From a word list (words[0] must be "<EOS>"); every word non-empty, at
 * most NL_GPT_MAX_WORD bytes of UTF-8 without spaces, and unique. */
NlGptVocab *nl_gpt_vocab_new(const char *const *words, guint n, GError **error);
void nl_gpt_vocab_free(NlGptVocab *vocab);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlGptVocab, nl_gpt_vocab_free)
guint nl_gpt_vocab_size(const NlGptVocab *vocab);
const char *nl_gpt_vocab_word(const NlGptVocab *vocab, guint32 token);
/* Tokens of the words of `text`; with `eos_per_line`, an <EOS> after each
 * non-empty line. An unknown word is a one-line error naming it. Free
 * *tokens with g_free. */
gboolean nl_gpt_vocab_encode(const NlGptVocab *vocab, const char *text,
                             gboolean eos_per_line, guint32 **tokens, gsize *n,
                             GError **error);

/* ---- the model (model.c) ---------------------------------------------- */

typedef struct NlGptConfig {
    guint32 vocab_size; /* V: words, <EOS> included */
    guint32 context;    /* T: positions, the longest input */
    guint32 d_model;    /* C: the width of the residual stream */
    guint32 n_layer;    /* L: transformer blocks */
    guint32 n_head;     /* H: attention heads; C % H == 0, head size C/H */
} NlGptConfig;

/* The tensors, in this order, in one contiguous float block (and in the
 * checkpoint). Per-layer tensors are stacked over the L layers. */
typedef struct NlGptWeights {
    float *wte;    /* (V, C)     token embedding */
    float *wpe;    /* (T, C)     position embedding */
    float *ln1_g;  /* (L, C)     LayerNorm before attention: gain */
    float *ln1_b;  /* (L, C)     ... and bias */
    float *w_qkv;  /* (L, C, 3C) x·w_qkv = [q | k | v], heads side by side */
    float *b_qkv;  /* (L, 3C) */
    float *w_proj; /* (L, C, C)  attention output projection */
    float *b_proj; /* (L, C) */
    float *ln2_g;  /* (L, C)     LayerNorm before the MLP */
    float *ln2_b;  /* (L, C) */
    float *w_fc;   /* (L, C, 4C) MLP up-projection, then GELU */
    float *b_fc;   /* (L, 4C) */
    float *w_fc2;  /* (L, 4C, C) MLP down-projection */
    float *b_fc2;  /* (L, C) */
    float *lnf_g;  /* (C)        final LayerNorm */
    float *lnf_b;  /* (C) */
    float *w_lm;   /* (C, V)     LM head: logits = x · w_lm */
} NlGptWeights;

#define NL_GPT_N_TENSORS 17

typedef struct NlGpt {
    NlGptConfig config;
    NlGptVocab *vocab; /* owned; its size is config.vocab_size */
    float *params;     /* (n_params) every tensor, in the order above */
    gsize n_params;
    NlGptWeights w; /* pointers into params */
} NlGpt;

/* Checks a configuration against the limits above; one line naming the
 * field. On success *n_params is its number of float32 values. */
gboolean nl_gpt_config_check(const NlGptConfig *config, gsize *n_params,
                             GError **error);
/* A model with zero weights; takes ownership of vocab (also on failure),
 * whose size must be config->vocab_size. */
NlGpt *nl_gpt_new(const NlGptConfig *config, NlGptVocab *vocab, GError **error);
void nl_gpt_free(NlGpt *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlGpt, nl_gpt_free)
/* GPT-2 style initialisation from the seed: N(0, 0.02) matrices and
 * embeddings (the residual projections scaled by 1/sqrt(2L)), LayerNorm
 * gains 1, biases 0. */
void nl_gpt_init(NlGpt *model, guint64 seed);
/* Name and number of values of tensor i (0 <= i < NL_GPT_N_TENSORS), and
 * its pointer in `w`. */
const char *nl_gpt_tensor_name(guint i);
gsize nl_gpt_tensor_size(const NlGptConfig *config, guint i);
float *nl_gpt_tensor(const NlGptWeights *w, guint i);

/* ---- weights resident on a backend (resident.c) ---------------------- */

/* The model's weight matrices (w_qkv, w_proj, w_fc, w_fc2 of every layer
 * and w_lm) and a ones vector in buffers of one backend: each uploaded
 * once, here, and again only by nl_gpt_resident_sync. The model is
 * borrowed and must outlive it; free it before the backend closes. The
 * embeddings, biases and LayerNorm gains stay on the host, where the
 * element-wise work that uses them runs. */
typedef struct NlGptResident NlGptResident;

NlGptResident *nl_gpt_resident_new(const NlGpt *model, NlBackend *backend,
                                   GError **error);
void nl_gpt_resident_free(NlGptResident *resident);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlGptResident, nl_gpt_resident_free)
/* Uploads the weight matrices again, after the model's weights changed
 * (the trainer does this itself, once per step). */
gboolean nl_gpt_resident_sync(NlGptResident *resident, GError **error);
NlBackend *nl_gpt_resident_backend(const NlGptResident *resident);

/* ---- precision of a forward pass (API 1.3) ----------------------------
 *
 * How a forward pass on resident weights computes: the weight matrices
 * stored in `weights`; every activation, each tensor one operation hands
 * to the next, rounded to `acts`; every matrix product and LayerNorm row
 * sum accumulated in `acc` (the _in kernels of numlab/backend.h). The
 * element-wise work (embedding sum, bias, residual, GELU, LayerNorm's
 * scaling, softmax) computes in float32 on values of `acts` and rounds its
 * result to `acts`; LayerNorm's mean and variance stay float32, as in
 * mixed-precision frameworks. All float32 is the model's own arithmetic,
 * bit for bit. */
typedef struct {
    NlPrecision weights, acts, acc;
} NlGptPrecision;

/* The named modes: "float32"; "layercast" (bfloat16 weights, float32
 * activations and arithmetic: Yuan et al.'s fix); "bfloat16" (bfloat16
 * weights and activations, float32 accumulation: tensor cores,
 * vdpbf16ps); "bfloat16-pure" (bfloat16 accumulation too, every product
 * and sum rounded); "float16" (float16 weights and activations, float32
 * accumulation). FALSE for another name. */
gboolean nl_gpt_precision_from_name(const char *name, NlGptPrecision *p);
/* The mode's name, or NULL for a combination without one. */
const char *nl_gpt_precision_name(NlGptPrecision p);
/* nl_gpt_resident_new with the weights stored, and every pass on them
 * computed, in `precision`. */
NlGptResident *nl_gpt_resident_new_as(const NlGpt *model, NlBackend *backend,
                                      NlGptPrecision precision, GError **error);
NlGptPrecision nl_gpt_resident_precision(const NlGptResident *resident);

/* ---- the forward pass (model.c) --------------------------------------- */

/* logits (n, V) for the sequence tokens[0..n), 1 <= n <= T: row t is the
 * distribution of the token after tokens[0..t]. `on` is where the
 * products run: the model's resident weights on a backend, or NULL for
 * host loops in the naive backend's order. */
gboolean nl_gpt_logits(const NlGpt *model, NlGptResident *on,
                       const guint32 *tokens, gsize n, float *logits,
                       GError **error);
/* The same for a batch: tokens (batch, n), one sequence of n tokens per
 * row, logits (batch, n, V). The rows go through every matrix product
 * together (batch * n rows per linear layer), as a server batches
 * requests; attention stays within each row. Mathematically each row's
 * logits are those of nl_gpt_logits on it alone; in floating point they
 * are equal only where the backend's products do not depend on the
 * number of rows. */
gboolean nl_gpt_logits_batch(const NlGpt *model, NlGptResident *on,
                             const guint32 *tokens, gsize batch, gsize n,
                             float *logits, GError **error);

/* The k largest of logits[0..V) (k <= V), their indices largest first
 * into out; equal values keep the lower index first. */
void nl_gpt_top_k(const float *logits, guint V, guint k, guint *out);

/* ---- continuing a prompt (generate.c) -------------------------------- */

/* One step of a generation, as nl_gpt_generate hands it to its callback:
 * the context so far, the logits after it, the distribution the word was
 * drawn from and the word. Valid only during the call. */
typedef struct NlGptStep {
    guint step;             /* 0 for the first word after the prompt */
    const guint32 *context; /* the prompt and the words so far */
    gsize n;                /* their number */
    const float *logits;    /* (V) the logits after context[0..n) */
    const double *probs;    /* (V) softmax(logits / temperature) in double;
                               NULL at temperature 0 (greedy) */
    guint32 next;           /* the word chosen; NL_GPT_EOS ends the run */
} NlGptStep;

/* The logits (V floats into `logits`) after context[0..n). */
typedef gboolean (*NlGptLogitsFunc)(const guint32 *context, gsize n,
                                    float *logits, gpointer data,
                                    GError **error);
/* Called once per step, after the word is chosen; FALSE (with error set)
 * stops the generation and makes it fail. */
typedef gboolean (*NlGptStepFunc)(const NlGptStep *step, gpointer data,
                                  GError **error);

/* Continues prompt[0..n) (n >= 1) by at most max_words words, stopping
 * after <EOS>. Each step's logits come from logits_func, or, where it is
 * NULL, from nl_gpt_logits on `on` over the model's window (the last T
 * words). At temperature 0 the word is the first largest logit;
 * otherwise it is drawn from softmax(logits / temperature), computed in
 * double, with one draw of rng (nl_sampler_draw). step_func (optional)
 * sees every step, the one that chose <EOS> included. The words after
 * the prompt, <EOS> not included, go into *words (g_free) and *n_words,
 * each optional. */
gboolean nl_gpt_generate(const NlGpt *model, NlGptResident *on,
                         const guint32 *prompt, gsize n, guint max_words,
                         double temperature, NlRng *rng,
                         NlGptLogitsFunc logits_func, NlGptStepFunc step_func,
                         gpointer data, guint32 **words, gsize *n_words,
                         GError **error);

/* ---- a look inside one forward pass (model.c) ----------------------- */

/* What the pass of one sequence computes on its way to the logits, for
 * figures that show the inside of the model (the lecture's notebook
 * "Transformer Blocks & Wiederholbarkeit"). C = d_model, L = n_layer,
 * H = n_head, V = vocab_size. */
typedef struct NlGptTrace {
    gsize n;       /* tokens */
    float *embed;  /* (n, C)       token embeddings wte[token], no position */
    float *x0;     /* (n, C)       the first block's input: + wpe[t] */
    float *blocks; /* (L, n, C)    each block's output, the residual stream */
    float *attention; /* (L, H, n, n) attention weights; row t over 0..t */
    float *logits;    /* (n, V)       bit for bit those of nl_gpt_logits */
    /* (n, V) the blocks skipped: the final LayerNorm and the LM head on x0,
     * on the same backend */
    float *logits_skip;
} NlGptTrace;

/* The forward pass of tokens[0..n), 1 <= n <= T, on `on` (NULL: host
 * loops), with everything above kept. */
NlGptTrace *nl_gpt_trace(const NlGpt *model, NlGptResident *on,
                         const guint32 *tokens, gsize n, GError **error);
void nl_gpt_trace_free(NlGptTrace *trace);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlGptTrace, nl_gpt_trace_free)

/* ---- training (train.c) ---------------------------------------------- */

typedef struct NlGptTrainConfig {
    guint32 batch; /* B: windows per step */
    guint32 steps;
    double lr; /* AdamW: peak learning rate (cosine decay to 10%) */
    double beta1, beta2, eps, weight_decay;
    guint64 seed; /* draws the windows */
} NlGptTrainConfig;

/* Defaults: B 16, 300 steps, lr 3e-3, betas 0.9/0.99, eps 1e-8, decay 0.01. */
void nl_gpt_train_config_default(NlGptTrainConfig *tc);

typedef struct NlGptTrainer NlGptTrainer;

/* A trainer over the token stream data[0..n) (windows of T+1 tokens are
 * drawn from it); n must exceed the model's context. */
NlGptTrainer *nl_gpt_trainer_new(NlGpt *model, const NlGptTrainConfig *tc,
                                 const guint32 *data, gsize n, GError **error);
void nl_gpt_trainer_free(NlGptTrainer *trainer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlGptTrainer, nl_gpt_trainer_free)
/* One step: draws B windows, forward on the backend (NULL: host), backward,
 * AdamW. *loss is the batch's mean cross-entropy before the update. On a
 * backend the trainer keeps the weights resident there and uploads them
 * once per step, before its forward pass. */
gboolean nl_gpt_trainer_step(NlGptTrainer *trainer, NlBackend *backend,
                             double *loss, GError **error);

/* Trains from the next step on in `precision`: the forward pass is
 * computed as nl_gpt_resident_new_as computes it (weights and activations
 * rounded to their types, products accumulated in acc), the backward
 * pass and AdamW stay float32 on the host, from the forward pass's
 * (rounded) activations. Mixed precision ("bfloat16", "float16",
 * "layercast") keeps float32 master weights: AdamW updates them and the
 * next step rounds them again. A pure mode ("bfloat16-pure": weights and
 * acc the same 16-bit type) has no master copy: the weights are rounded
 * to their type now and after every update, so an update smaller than
 * half a step of the type is lost. A precision other than float32 needs
 * a backend at every step. */
gboolean nl_gpt_trainer_set_precision(NlGptTrainer *trainer,
                                      NlGptPrecision precision, GError **error);

/* Host threads for the trainer's backward pass, loss and AdamW (and its
 * forward pass's element-wise work), 1 by default (API 1.5). The bits do
 * not depend on it: every element is summed by one thread, in one order.
 * Beside a backend with threads of its own (OpenBLAS, OpenMP) use it
 * with OMP_WAIT_POLICY=PASSIVE: two pools of spinning threads on the same
 * cores slow each other down many times (doc/performance-history.md). */
void nl_gpt_trainer_set_threads(NlGptTrainer *trainer, guint threads);

/* Mean cross-entropy (nats) of predicting targets[b*T + t] from
 * inputs[b*T .. b*T+t], batch rows of length T = n_tokens (<= context),
 * with the gradient of every weight in grads (n_params values, overwritten)
 * when grads is not NULL. Host loops only: the gradient check's entry. */
gboolean nl_gpt_loss_and_grad(NlGpt *model, const guint32 *inputs,
                              const guint32 *targets, gsize batch,
                              gsize n_tokens, double *loss, float *grads,
                              GError **error);

/* What the library's hot host loops (the backward pass, AdamW, the host
 * forward pass's products) were compiled for and which version this CPU
 * runs, one line, e.g. "avx512f (runtime dispatch: avx512f, avx2, sse2),
 * -O3 -ffp-contract=off, OpenMP threads" (API 1.5). */
const char *nl_gpt_build_info(void);

/* ---- checkpoints (checkpoint.c), format in doc/checkpoint-format.md -- */

#define NL_GPT_CKPT_MAGIC   "NLMINGPT"
#define NL_GPT_CKPT_VERSION 1u

/* The checkpoint as bytes (free with g_free). */
guint8 *nl_gpt_save_bytes(const NlGpt *model, gsize *length);
/* Parses and validates a checkpoint; every failure is one line. */
NlGpt *nl_gpt_load_bytes(const guint8 *data, gsize length, GError **error);
/* Reads the file (refusing one larger than any valid checkpoint) and
 * parses it; errors name the file. */
NlGpt *nl_gpt_load_file(const char *path, GError **error);

G_END_DECLS

#endif /* NUMLAB_MINIGPT_H */
