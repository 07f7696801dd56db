/* my-experiment.c — a copy-me numlab experiment: how far a float32 dot
 * product lands from the exact one as the vectors grow.
 *
 * For every length n in the parameter `sizes` it draws `trials` pairs of
 * vectors x, y of n standard-normal float32 values, lets the job's backend
 * compute x·y in float32 (nl_backend_dot), computes the correctly rounded
 * value with MPFR (nl_exact_dot_f32), and records how many float32 values
 * lie between the two (ULPs). Run it on several backends at once (-b all,
 * or -b naive,blas) and each one sums the same inputs in its own order, so
 * each gets its own rounding errors; run_compare says which agree bit for
 * bit.
 *
 * This is the template of doc/writing-plugins.md: copy the folder, rename,
 * and change the parts marked "YOUR EXPERIMENT". It deliberately does no
 * timing and never opens a file: the host writes the tables it emits.
 *
 * Build and run (see README.md):
 *     make
 *     NUMLAB_PLUGIN_PATH=$PWD numlab run my-experiment -b naive -o results
 */
#include <numlab/numlab.h> /* the whole SDK: plugin, run, table, rng, ... */

#include <math.h> /* isfinite, fabs */

/* ---- errors ----------------------------------------------------------- */

/* Failures go back to the host as a GError: one line that names the
 * problem, which numlab prints as "numlab: my-experiment: naive: <line>"
 * and stores in the manifest. An experiment's own failures get their own
 * error domain, a quark. (G_DEFINE_QUARK would define a non-static
 * function and so need a prototype under -Wmissing-prototypes; a static
 * function is simpler in a one-file plugin.) */
static GQuark my_experiment_error_quark(void)
{
    return g_quark_from_static_string("my-experiment-error-quark");
}
#define MY_EXPERIMENT_ERROR (my_experiment_error_quark())

enum {
    MY_EXPERIMENT_ERROR_NOT_FINITE, /* a backend returned Inf or NaN */
    MY_EXPERIMENT_ERROR_NO_TABLE, /* a job lacks the table run_compare reads */
};

/* The names of the tables, written once so that run_backend and
 * run_compare cannot drift apart. A table becomes OUTDIR/EXP/NAME.dat. */
#define TABLE_ERRORS    "dot-error"
#define TABLE_AGREEMENT "dot-agreement"

/* ---- run_backend: one call per backend job ---------------------------- */

/* The host calls this once for every backend given with -b, each time
 * with the same parameters and a random generator seeded the same way.
 * Everything that depends on the hardware happens here. */
static gboolean run_backend(NlRun *run, GError **error)
{
    NlBackend *backend = nl_run_backend(run); /* this job's backend */
    const NlParams *params = nl_run_params(run);

    /* Parameters were validated by the host against `params` below (type
     * and range), so these values are known to be good: no checks here.
     * The names must be the ones declared in the spec table. */
    gsize n_sizes;
    const gint64 *sizes = nl_params_get_int_list(params, "sizes", &n_sizes);
    gint64 trials = nl_params_get_int(params, "trials");

    /* Allocate once for the largest n and reuse the memory for every row:
     * allocation is not what this experiment measures. */
    gsize max_n = 0;
    for (gsize i = 0; i < n_sizes; i++)
        max_n = MAX(max_n, (gsize)sizes[i]);

    gboolean ok = FALSE;
    float *x = NULL, *y = NULL;      /* host copies, (max_n) each */
    NlBuffer *bx = NULL, *by = NULL; /* the same values on the backend */

    /* nl_alloc_f32 fails with a GError instead of aborting, as g_malloc
     * would: the size came from the user. */
    x = nl_alloc_f32(max_n, error);
    if (!x)
        goto out;
    y = nl_alloc_f32(max_n, error);
    if (!y)
        goto out;
    /* Kernels work on backend buffers, not host arrays: a GPU backend keeps
     * them in device memory. The naive backend just wraps host memory. */
    bx = nl_backend_alloc(backend, max_n, error);
    if (!bx)
        goto out;
    by = nl_backend_alloc(backend, max_n, error);
    if (!by)
        goto out;

    /* The table is created with its columns, "name:type" words (int, f32,
     * f64, hex, str). Every backend job emits a table of the same name
     * and columns; the host writes them into ONE file, one gnuplot dataset
     * per backend, in the order of -b. So this job adds exactly one
     * dataset (it never calls nl_table_new_dataset): in the file, index 0
     * is the first backend, index 1 the second, and so on. */
    NlTable *t = nl_run_table(run, TABLE_ERRORS,
                              "n:int trial:int dot:f32 exact:f64 ulps:int "
                              "abs_error:f64");
    nl_table_set_title(t, "float32 dot products of normal vectors against "
                          "the exact value");
    nl_table_add_note(t, "ulps",
                      "signed distance in float32 ULPs from the "
                      "correctly rounded dot product; positive "
                      "means the backend's value is larger");
    nl_table_add_note(t, "exact",
                      "the exact dot product of the float32 "
                      "inputs, rounded once to float64 (MPFR)");

    /* The run's generator is fresh in every phase and seeded with --seed,
     * so every backend job draws exactly the same x and y, in the same
     * order: the only difference between the datasets is the backend.
     * Never let a result decide what is drawn next, or the streams of two
     * backends would part. */
    NlRng *rng = nl_run_rng(run);

    for (gsize s = 0; s < n_sizes; s++) {
        gsize n = (gsize)sizes[s];
        for (gint64 trial = 0; trial < trials; trial++) {
            /* YOUR EXPERIMENT: inputs. Standard-normal values, the same
             * bits on every platform (numlab/rng.h). */
            nl_rng_fill_normal_f32(rng, x, n);
            nl_rng_fill_normal_f32(rng, y, n);

            /* Upload, then run the kernel. Each nl_backend_* call checks
             * its arguments (sizes against buffer capacities) and fails
             * with a GError that names the bad one; pass it on as is. */
            float dot;
            if (!nl_backend_upload(backend, bx, x, n, error) ||
                !nl_backend_upload(backend, by, y, n, error) ||
                !nl_backend_dot(backend, bx, by, n, &dot, error))
                goto out;

            /* Sums of normal values cannot overflow float32 at these
             * sizes: a non-finite result means a broken backend. Say which
             * backend and which input, in one line. */
            if (!isfinite(dot)) {
                g_set_error(error, MY_EXPERIMENT_ERROR,
                            MY_EXPERIMENT_ERROR_NOT_FINITE,
                            "backend '%s' returned %g for a dot product of "
                            "%" G_GSIZE_FORMAT
                            " normal values (trial %" G_GINT64_FORMAT ")",
                            nl_backend_label(backend), (double)dot, n, trial);
                goto out;
            }

            /* The yardstick: MPFR rounds the true dot product once. The
             * float32 reference comes from its own call rather than from
             * (float)exact, which would round twice and can miss the
             * correctly rounded float by one ULP. */
            float exact_f32 = nl_exact_dot_f32(x, y, n);
            double exact = nl_exact_dot_f32_as_f64(x, y, n);

            /* One row: one cell per column, left to right, in the declared
             * types. A half-filled row makes the host fail the job. */
            nl_table_add_int(t, (gint64)n);
            nl_table_add_int(t, trial);
            nl_table_add_f32(t, dot);
            nl_table_add_f64(t, exact);
            nl_table_add_int(t, nl_ulp_diff_f32(exact_f32, dot));
            nl_table_add_f64(t, fabs((double)dot - exact));
        }
        /* Shown on stderr when it is a terminal; costs nothing otherwise. */
        nl_run_progress(run, (double)(s + 1) / (double)n_sizes, "dot products");
    }
    ok = TRUE;

out:
    /* One exit frees everything; both free calls accept NULL. */
    nl_backend_free(backend, bx);
    nl_backend_free(backend, by);
    nl_free(x);
    nl_free(y);
    return ok;
}

/* ---- run_compare: once, after all backend jobs -------------------------- */

/* Puts the backends side by side: how many of each backend's dot products
 * have the same bits as those of the first backend, and the largest
 * distance. It reads the tables the jobs emitted; it has no backend of its
 * own (nl_run_backend returns NULL here). Only jobs that succeeded are
 * listed, so with -b naive there is one row: naive against itself. */
static gboolean run_compare(NlRun *run, GError **error)
{
    guint jobs = nl_run_n_jobs(run);
    if (jobs == 0)
        return TRUE; /* no backend succeeded; the host already said so */

    const NlTable *ref = nl_run_job_table(run, 0, TABLE_ERRORS);
    NlTable *t = nl_run_table(run, TABLE_AGREEMENT,
                              "backend:str reference:str rows:int "
                              "same_bits:int max_ulps:int");
    nl_table_set_title(t, "each backend's dot products against the first "
                          "backend's, bit for bit");

    for (guint j = 0; j < jobs; j++) {
        const NlTable *other = nl_run_job_table(run, j, TABLE_ERRORS);
        if (!ref || !other) {
            g_set_error(error, MY_EXPERIMENT_ERROR,
                        MY_EXPERIMENT_ERROR_NO_TABLE,
                        "backend job '%s' has no table '%s'",
                        nl_run_job_label(run, ref ? j : 0), TABLE_ERRORS);
            return FALSE;
        }
        /* Look columns up by name: the table's layout stays in one place. */
        int col_ref = nl_table_column(ref, "dot");
        int col_other = nl_table_column(other, "dot");
        /* Same parameters and seed, so the same rows; MIN is only care. */
        guint rows = MIN(nl_table_n_rows(ref), nl_table_n_rows(other));
        gint64 same = 0, max_ulps = 0;
        for (guint r = 0; r < rows; r++) {
            /* An f32 cell reads back as the double that holds the float
             * exactly, so the cast back to float loses nothing. */
            float a = (float)nl_table_get_f64(ref, r, (guint)col_ref);
            float b = (float)nl_table_get_f64(other, r, (guint)col_other);
            same += nl_f32_bits(a) == nl_f32_bits(b);
            max_ulps = MAX(max_ulps, nl_ulp_distance_f32(a, b));
        }
        nl_table_add_str(t, nl_run_job_label(run, j));
        nl_table_add_str(t, nl_run_job_label(run, 0));
        nl_table_add_int(t, rows);
        nl_table_add_int(t, same);
        nl_table_add_int(t, max_ulps);
    }
    return TRUE;
}

/* ---- the descriptor: what `numlab list` and `numlab help` show -------- */

/* Every parameter the experiment reads: name ([a-z0-9_]+), type, default
 * (as text, parsed like user input), inclusive range (min == max == 0: no
 * range; for a list, each item), one line of help, then the choices of a
 * string parameter and an extension record (both NULL here; see
 * numlab/params.h). The host rejects a value outside the range before
 * any phase runs, with a message naming the parameter, and prints this
 * table for `numlab help my-experiment`.
 * The largest size is capped because MPFR holds every product of the
 * exact reference in memory (tens of bytes each). */
static const NlParamSpec params[] = {
    {"sizes", NL_PARAM_INT_LIST, "10,100,1000,10000,100000,1000000", 1,
     16777216, "vector lengths n, comma-separated (rows for each n)", NULL,
     NULL},
    {"trials", NL_PARAM_INT, "5", 1, 1000,
     "independent pairs of vectors drawn for each length", NULL, NULL},
    NL_PARAM_END,
};

static const NlExperimentOps ops = {
    .struct_size = sizeof(NlExperimentOps), /* lets the SDK grow safely */
    .title = "How far a float32 dot product lands from the exact one",
    .description =
        "For each length n in `sizes`, `trials` pairs of standard-normal "
        "float32 vectors are drawn from numlab's seeded stream (identical on "
        "every backend); each backend computes their dot product in float32 "
        "and the result is set against the correctly rounded value from "
        "MPFR, in float32 ULPs. dot-error.dat holds one dataset per backend; "
        "dot-agreement.dat says how many results each backend shares bit for "
        "bit with the first one.",
    .params = params,
    .run_common = NULL, /* nothing here is independent of the backend */
    .run_backend = run_backend,
    .run_compare = run_compare,
};

/* The descriptor and the module's one exported symbol, numlab_plugin_entry().
 * The macro fills in abi_version and struct_size itself. */
NL_PLUGIN_DEFINE(
        .kind = NL_PLUGIN_EXPERIMENT,
        .name = "my-experiment", /* YOUR EXPERIMENT: [a-z0-9_-]+, unique */
        .version = "0.1.0",
        .summary = "template: float32 dot products against the exact value",
        .experiment = &ops, )
