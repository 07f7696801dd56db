# tests/tests.mk — the test suite: GTest programs and shell tests under
# automake's TAP driver, and the deliberately broken plugins they load.

LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	abs_top_builddir='$(abs_top_builddir)'; export abs_top_builddir; \
	abs_top_srcdir='$(abs_top_srcdir)'; export abs_top_srcdir; \
	MAKE='$(MAKE)'; export MAKE; \
	NUMLAB_CACHE_DIR='$(abs_top_builddir)/tests/cache'; export NUMLAB_CACHE_DIR; \
	NUMLAB_SELF_CHECK=fresh; export NUMLAB_SELF_CHECK; \
	unset NUMLAB_PLUGIN_PATH NUMLAB_PLOT_PATH NUMLAB_PLOT_DIR NUMLAB_ALIASES;

NL_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(NL_PATH_CPPFLAGS)
NL_TEST_LIBS = framework/libnumlab.la $(GLIB_LIBS) -lm
NL_TEST_HOST_LIBS = framework/libnumlab-host.la $(NL_TEST_LIBS)
# Tests of the lecture model: its headers and libnumlab-minigpt.
NL_GPT_TEST_CPPFLAGS = $(NL_GPT_CPPFLAGS) $(NL_PATH_CPPFLAGS)

nl_unit_tests = \
	tests/test-rng \
	tests/test-error \
	tests/test-exact-ulp \
	tests/test-precision \
	tests/test-params-table \
	tests/test-naive \
	tests/test-conformance \
	tests/test-sample
nl_integration_tests = \
	tests/test-cli \
	tests/test-associativity \
	tests/test-reduction-tree \
	tests/test-temperature \
	tests/test-errata \
	tests/test-gradient-descent \
	tests/test-attention
check_PROGRAMS += $(nl_unit_tests) $(nl_integration_tests)
TESTS += $(nl_unit_tests) $(nl_integration_tests) tests/test-template.sh \
	tests/test-openblas-cores.sh tests/test-blas-symbols.sh \
	tests/test-format.sh
EXTRA_DIST += tests/test-template.sh tests/test-openblas-cores.sh \
	tests/test-blas-symbols.sh tests/test-format.sh

tests_test_rng_SOURCES = tests/test-rng.c
tests_test_rng_LDADD = $(NL_TEST_LIBS)
tests_test_error_SOURCES = tests/test-error.c
tests_test_error_LDADD = $(NL_TEST_LIBS)
tests_test_exact_ulp_SOURCES = tests/test-exact-ulp.c
tests_test_exact_ulp_LDADD = $(NL_TEST_LIBS) $(MPFR_LIBS)
tests_test_precision_SOURCES = tests/test-precision.c
tests_test_precision_LDADD = $(NL_TEST_LIBS)
tests_test_params_table_SOURCES = tests/test-params-table.c
tests_test_params_table_LDADD = $(NL_TEST_LIBS)
tests_test_naive_SOURCES = tests/test-naive.c
tests_test_naive_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_naive_LDADD = $(NL_TEST_HOST_LIBS)

tests_test_conformance_SOURCES = tests/test-conformance.c
tests_test_conformance_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_conformance_LDADD = $(NL_TEST_HOST_LIBS)
# ... in every storage and accumulation precision (the _in kernels).
nl_unit_tests += tests/test-conformance-precision
tests_test_conformance_precision_SOURCES = tests/test-conformance-precision.c
tests_test_conformance_precision_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_conformance_precision_LDADD = $(NL_TEST_HOST_LIBS) $(MPFR_LIBS)
tests_test_sample_SOURCES = tests/test-sample.c
tests_test_sample_LDADD = $(NL_TEST_LIBS)
# MiniGPT (libnumlab-minigpt): gradients, backends, resident weights
# (counted by tests/plugins/counting), checkpoints.
nl_unit_tests += tests/test-gpt
tests_test_gpt_SOURCES = tests/test-gpt.c tests/plugins/counting/counting.h
tests_test_gpt_CPPFLAGS = $(NL_GPT_TEST_CPPFLAGS)
tests_test_gpt_LDADD = $(NL_GPT_LIBADD) $(NL_TEST_HOST_LIBS)
# The lecture model trained once and kept (lecture-cache.c).
nl_unit_tests += tests/test-lecture-cache
tests_test_lecture_cache_SOURCES = tests/test-lecture-cache.c
tests_test_lecture_cache_CPPFLAGS = $(NL_GPT_TEST_CPPFLAGS)
tests_test_lecture_cache_LDADD = $(NL_GPT_LIBADD) $(NL_TEST_LIBS)

# The OpenMP backend's exp, compiled as the backend compiles it.
if BUILD_OPENMP_BACKEND
nl_unit_tests += tests/test-openmp-exp
tests_test_openmp_exp_SOURCES = tests/test-openmp-exp.c \
	backends/openmp/softmax.c backends/openmp/kernels.c
tests_test_openmp_exp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backends/openmp
tests_test_openmp_exp_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS) -O3 \
	$(OPENMP_ARCH_CFLAGS) -ffp-contract=off
tests_test_openmp_exp_LDADD = $(NL_TEST_LIBS) $(OPENMP_CFLAGS)
endif

# The OpenMP backend's 16-bit gemm against the reference, bit for bit.
if BUILD_OPENMP_BACKEND
nl_unit_tests += tests/test-openmp-gemm16
tests_test_openmp_gemm16_SOURCES = tests/test-openmp-gemm16.c
tests_test_openmp_gemm16_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_openmp_gemm16_LDADD = $(NL_TEST_HOST_LIBS)
endif

nl_test_util = tests/test-util.c tests/test-util.h
tests_test_cli_SOURCES = tests/test-cli.c $(nl_test_util)
tests_test_cli_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_cli_LDADD = $(NL_TEST_LIBS)
tests_test_associativity_SOURCES = tests/test-associativity.c $(nl_test_util)
tests_test_associativity_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_reduction_tree_SOURCES = tests/test-reduction-tree.c $(nl_test_util)
tests_test_reduction_tree_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_reduction_tree_LDADD = $(NL_TEST_LIBS)
tests_test_associativity_LDADD = $(NL_TEST_LIBS)
tests_test_errata_SOURCES = tests/test-errata.c $(nl_test_util)
tests_test_errata_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_errata_LDADD = $(NL_TEST_LIBS)
tests_test_temperature_SOURCES = tests/test-temperature.c $(nl_test_util)
tests_test_temperature_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_temperature_LDADD = $(NL_TEST_LIBS)
tests_test_gradient_descent_SOURCES = tests/test-gradient-descent.c $(nl_test_util)
tests_test_gradient_descent_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_gradient_descent_LDADD = $(NL_TEST_LIBS)
tests_test_attention_SOURCES = tests/test-attention.c $(nl_test_util)
tests_test_attention_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_attention_LDADD = $(NL_TEST_LIBS)

# The broken plugins; -rpath makes libtool build them as shared modules.
NL_TEST_MODULE_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += \
	tests/plugins/no-entry.la \
	tests/plugins/wrong-abi.la \
	tests/plugins/nodevice.la \
	tests/plugins/openfails.la \
	tests/plugins/failing-exp.la \
	tests/plugins/misuse.la \
	tests/plugins/lanedrop.la \
	tests/plugins/fewkernels.la \
	tests/plugins/fewdevice.la \
	tests/plugins/dup/dup-naive.la \
	tests/plugins/counting/counting.la \
	tests/plugins/devicef32/devicef32.la \
	tests/plugins/crashload/crash-at-load.la \
	tests/plugins/crashcheck/crash-in-check.la
tests_plugins_no_entry_la_SOURCES = tests/plugins/no-entry.c
tests_plugins_no_entry_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_wrong_abi_la_SOURCES = tests/plugins/wrong-abi.c
tests_plugins_wrong_abi_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_nodevice_la_SOURCES = tests/plugins/broken-backends.c
tests_plugins_nodevice_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_NAME='"nodevice"' -DBROKEN_UNAVAILABLE
tests_plugins_nodevice_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_nodevice_la_LIBADD = $(NL_MODULE_LIBADD)
tests_plugins_openfails_la_SOURCES = tests/plugins/broken-backends.c
tests_plugins_openfails_la_CPPFLAGS = $(AM_CPPFLAGS) -DBROKEN_NAME='"openfails"'
tests_plugins_openfails_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_openfails_la_LIBADD = $(NL_MODULE_LIBADD)
tests_plugins_failing_exp_la_SOURCES = tests/plugins/failing-exp.c
tests_plugins_failing_exp_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_failing_exp_la_LIBADD = $(NL_MODULE_LIBADD)
tests_plugins_misuse_la_SOURCES = tests/plugins/misuse.c
tests_plugins_misuse_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_misuse_la_LIBADD = $(NL_MODULE_LIBADD)
tests_plugins_lanedrop_la_SOURCES = tests/plugins/lanedrop.c
tests_plugins_lanedrop_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_lanedrop_la_LIBADD = $(NL_MODULE_LIBADD)
tests_plugins_fewkernels_la_SOURCES = tests/plugins/fewkernels.c
tests_plugins_fewkernels_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_fewkernels_la_LIBADD = $(NL_MODULE_LIBADD)
tests_plugins_fewdevice_la_SOURCES = tests/plugins/fewkernels.c
tests_plugins_fewdevice_la_CPPFLAGS = $(AM_CPPFLAGS) -DFEW_DEVICE
tests_plugins_fewdevice_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_fewdevice_la_LIBADD = $(NL_MODULE_LIBADD)
tests_plugins_dup_dup_naive_la_SOURCES = tests/plugins/dup-naive.c
tests_plugins_dup_dup_naive_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_dup_dup_naive_la_LIBADD = $(NL_MODULE_LIBADD)
# A backend with memory of its own and float32 kernels only, as cuda
# without _in kernels (its own folder, as counting's); test-fallback runs
# the precision experiments on it.
tests_plugins_devicef32_devicef32_la_SOURCES = \
	tests/plugins/devicef32/devicef32.c
tests_plugins_devicef32_devicef32_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_devicef32_devicef32_la_LIBADD = $(NL_MODULE_LIBADD)
# A backend that logs every upload (its own folder: not one of the broken
# plugins the CLI tests list); test-gpt reads the log.
tests_plugins_counting_counting_la_SOURCES = \
	tests/plugins/counting/counting.c tests/plugins/counting/counting.h
tests_plugins_counting_counting_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_counting_counting_la_LIBADD = $(NL_MODULE_LIBADD) -lm
# A backend module and its companion that disagree on the hooks
# (test-companions.sh; its own folder, which only that test loads). The
# companion lies where nl_companion_open() looks in a build tree.
check_LTLIBRARIES += tests/plugins/halves/halves.la \
	tests/plugins/halves/impl/numlab-halves-impl.la
tests_plugins_halves_halves_la_SOURCES = tests/plugins/halves/halves.c \
	backends/common/forward.h backends/common/forward.c
tests_plugins_halves_halves_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS) \
	-export-symbols-regex '^numlab_plugin_entry$$'
tests_plugins_halves_halves_la_LIBADD = $(NL_MODULE_LIBADD)
tests_plugins_halves_impl_numlab_halves_impl_la_SOURCES = \
	tests/plugins/halves/halves-impl.c
tests_plugins_halves_impl_numlab_halves_impl_la_LDFLAGS = \
	$(NL_TEST_MODULE_LDFLAGS) -export-symbols-regex '^halves_impl$$'
tests_plugins_halves_impl_numlab_halves_impl_la_LIBADD = $(NL_MODULE_LIBADD)
# A module that crashes when loaded (its own folder: only /cli/crash-at-load
# loads it).
tests_plugins_crashload_crash_at_load_la_SOURCES = \
	tests/plugins/crashload/crash-at-load.c
tests_plugins_crashload_crash_at_load_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_crashload_crash_at_load_la_LIBADD = $(NL_MODULE_LIBADD)
# A backend that dies in open() or its self-check (its own folder: only
# /cli/crash-in-self-check loads it).
tests_plugins_crashcheck_crash_in_check_la_SOURCES = \
	tests/plugins/crashcheck/crash-in-check.c
tests_plugins_crashcheck_crash_in_check_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_crashcheck_crash_in_check_la_LIBADD = $(NL_MODULE_LIBADD)

# Result sets replaced whole or not at all: kill -9 and a full disk at
# every file-system call of a run (tests/fault-inject.la, an LD_PRELOAD
# library), and at random moments.
nl_unit_tests += tests/test-memory
tests_test_memory_SOURCES = tests/test-memory.c $(nl_test_util)
tests_test_memory_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_memory_LDADD = $(NL_TEST_LIBS)
nl_unit_tests += tests/test-table-wire
tests_test_table_wire_SOURCES = tests/test-table-wire.c $(nl_test_util)
tests_test_table_wire_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_table_wire_LDADD = $(NL_TEST_LIBS)
nl_unit_tests += tests/test-resultset
tests_test_resultset_SOURCES = tests/test-resultset.c
tests_test_resultset_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_resultset_LDADD = $(NL_TEST_HOST_LIBS)
TESTS += tests/test-result-sets.sh
EXTRA_DIST += tests/test-result-sets.sh
# Every experiment's memory estimate against its jobs' peak RSS, and the
# runs refused before they start.
TESTS += tests/test-estimates.sh
EXTRA_DIST += tests/test-estimates.sh
# Every bad input: one line, exit 1 or 2, nothing changed on disk (about
# 500 command lines, most generated from numlab help's parameter types).
TESTS += tests/test-bad-inputs.sh
EXTRA_DIST += tests/test-bad-inputs.sh
# numlab report: the page, German and English, and in headless chromium
# (its screenshot stays in the build tree).
TESTS += tests/test-report.sh
EXTRA_DIST += tests/test-report.sh
CLEANFILES += tests/report-screenshot.png
check_LTLIBRARIES += tests/fault-inject.la
tests_fault_inject_la_SOURCES = tests/fault-inject.c
tests_fault_inject_la_CPPFLAGS =
tests_fault_inject_la_CFLAGS = $(AM_CFLAGS)
tests_fault_inject_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_fault_inject_la_LIBADD = -ldl

# The cuda module loads CUDA only where the backend is opened; a fake
# driver (claims a device, has nothing else) lets the test see the loader
# open the implementation on a machine without a GPU. `make bench-startup`
# measures what starting numlab costs (tests/bench-startup.sh).
TESTS += tests/test-cuda-loader.sh
EXTRA_DIST += tests/test-cuda-loader.sh tests/bench-startup.sh
# OpenBLAS likewise, only where blas is opened or the bench runs: the
# modules keep it in companion libraries (numlab/companion.h).
TESTS += tests/test-companions.sh
EXTRA_DIST += tests/test-companions.sh
if HAVE_CUDA
check_LTLIBRARIES += tests/fake-libcuda.la
tests_fake_libcuda_la_SOURCES = tests/fake-libcuda.c
tests_fake_libcuda_la_CPPFLAGS =
tests_fake_libcuda_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
endif
EXTRA_PROGRAMS = tests/startup-timer
CLEANFILES += tests/startup-timer
tests_startup_timer_SOURCES = tests/startup-timer.c
bench-startup: all tests/startup-timer
	abs_top_builddir='$(abs_top_builddir)' $(SHELL) \
	  $(top_srcdir)/tests/bench-startup.sh
.PHONY: bench-startup

# Three default benchmarks in a row and how far their ratios agree
# (tests/bench-repeat.sh; BENCH_ARGS go to each numlab bench call);
# test-bench-repeat.sh checks how it compares them.
TESTS += tests/test-bench-repeat.sh
EXTRA_DIST += tests/bench-repeat.sh tests/test-bench-repeat.sh
bench-repeat: all
	abs_top_builddir='$(abs_top_builddir)' $(SHELL) \
	  $(top_srcdir)/tests/bench-repeat.sh $(BENCH_ARGS)
.PHONY: bench-repeat

# The ABI: the recorded layout of the public structs, libnumlab's soname,
# and the loader's one-line refusal of every descriptor defect, also from
# modules built from tests/plugins/bad-descriptor.c, one per defect.
nl_unit_tests += tests/test-abi
tests_test_abi_SOURCES = tests/test-abi.c
tests_test_abi_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_abi_LDADD = $(NL_TEST_HOST_LIBS)
check_LTLIBRARIES += \
	tests/plugins/bad/noabi.la \
	tests/plugins/bad/nosummary.la \
	tests/plugins/bad/noopsize.la \
	tests/plugins/bad/badext.la
NL_BAD_SOURCES = tests/plugins/bad-descriptor.c
tests_plugins_bad_noabi_la_SOURCES = $(NL_BAD_SOURCES)
tests_plugins_bad_noabi_la_CPPFLAGS = $(AM_CPPFLAGS) -DBAD_NO_ABI
tests_plugins_bad_noabi_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_bad_nosummary_la_SOURCES = $(NL_BAD_SOURCES)
tests_plugins_bad_nosummary_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DBAD_NAME='"nosummary"' -DBAD_NO_SUMMARY
tests_plugins_bad_nosummary_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_bad_noopsize_la_SOURCES = $(NL_BAD_SOURCES)
tests_plugins_bad_noopsize_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DBAD_NAME='"noopsize"' -DBAD_OPS_SIZE
tests_plugins_bad_noopsize_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)
tests_plugins_bad_badext_la_SOURCES = $(NL_BAD_SOURCES)
tests_plugins_bad_badext_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DBAD_NAME='"badext"' -DBAD_PARAM_EXT
tests_plugins_bad_badext_la_LDFLAGS = $(NL_TEST_MODULE_LDFLAGS)

# The backend self-check, against in-tree backends and tests/plugins/lanedrop.
nl_integration_tests += tests/test-selfcheck
tests_test_selfcheck_SOURCES = tests/test-selfcheck.c $(nl_test_util)
tests_test_selfcheck_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_selfcheck_LDADD = $(NL_TEST_HOST_LIBS)

# The reference kernels (numlab/reference.h) against MPFR and fixed
# orders; the fallback to them for a backend that lacks a kernel
# (tests/plugins/fewkernels.c).
nl_unit_tests += tests/test-reference
tests_test_reference_SOURCES = tests/test-reference.c $(nl_test_util)
tests_test_reference_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_reference_LDADD = $(NL_TEST_LIBS)
# ... and in every precision, against MPFR emulating bfloat16 and float16.
nl_unit_tests += tests/test-reference-precision
tests_test_reference_precision_SOURCES = tests/test-reference-precision.c
tests_test_reference_precision_LDADD = $(NL_TEST_LIBS) $(MPFR_LIBS)
nl_integration_tests += tests/test-fallback
tests_test_fallback_SOURCES = tests/test-fallback.c $(nl_test_util)
tests_test_fallback_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_fallback_LDADD = $(NL_TEST_HOST_LIBS)

# The exact probes (numlab/probe.h): their values, and their checks on the
# naive backend and tests/plugins/lanedrop.la.
nl_integration_tests += tests/test-probe
tests_test_probe_SOURCES = tests/test-probe.c $(nl_test_util)
tests_test_probe_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_probe_LDADD = $(NL_TEST_HOST_LIBS)

# A plugin's programming errors (tests/plugins/misuse.la) fail its job.
nl_integration_tests += tests/test-misuse
tests_test_misuse_SOURCES = tests/test-misuse.c $(nl_test_util)
tests_test_misuse_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_misuse_LDADD = $(NL_TEST_LIBS)

# The minigpt experiment (MiniGPT trained per backend).
nl_integration_tests += tests/test-minigpt
tests_test_minigpt_SOURCES = tests/test-minigpt.c $(nl_test_util)
tests_test_minigpt_CPPFLAGS = $(NL_GPT_TEST_CPPFLAGS)
tests_test_minigpt_LDADD = $(NL_GPT_LIBADD) $(NL_TEST_LIBS)
# The inside experiment (F1-F4) against a double-precision forward pass.
nl_integration_tests += tests/test-inside
tests_test_inside_SOURCES = tests/test-inside.c $(nl_test_util)
tests_test_inside_CPPFLAGS = $(NL_GPT_TEST_CPPFLAGS)
tests_test_inside_LDADD = $(NL_GPT_LIBADD) $(NL_TEST_LIBS)
# Backend faults: a backend wrong only beyond the self-check's sizes
# (tests/plugins/lanedrop.la) is reported by the experiments that know the
# exact value.
nl_integration_tests += tests/test-faults
tests_test_faults_SOURCES = tests/test-faults.c $(nl_test_util)
tests_test_faults_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_faults_LDADD = $(NL_TEST_LIBS)
# The mpi backend: its bits at 1-4 ranks and its failures (test-mpi.c).
nl_integration_tests += tests/test-mpi
tests_test_mpi_SOURCES = tests/test-mpi.c $(nl_test_util)
tests_test_mpi_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_test_mpi_LDADD = $(NL_TEST_HOST_LIBS)
# The logprob experiment (C1-C4), checked against computations made here.
nl_integration_tests += tests/test-logprob
tests_test_logprob_SOURCES = tests/test-logprob.c $(nl_test_util)
tests_test_logprob_CPPFLAGS = $(NL_GPT_TEST_CPPFLAGS)
tests_test_logprob_LDADD = $(NL_GPT_LIBADD) $(NL_TEST_HOST_LIBS)

# An experiment on the lecture model built out of tree against the
# installed libnumlab-minigpt (`pkg-config numlab-minigpt` only) and run by
# the installed numlab.
TESTS += tests/test-minigpt-template.sh
EXTRA_DIST += tests/test-minigpt-template.sh

# test-template.sh runs `make install`, whose libtool relinking touches the
# build tree: let it start only when the tests that run numlab are done.
# test-minigpt-template.sh installs too: after test-template, never beside.
# (Last in this file: make expands a rule's prerequisites where it reads it.)
tests/test-template.log: $(nl_unit_tests:=.log) $(nl_integration_tests:=.log) \
	tests/test-openblas-cores.log tests/test-cuda-loader.log
tests/test-minigpt-template.log: tests/test-template.log

# The lecture model's cache of the tests (NUMLAB_CACHE_DIR above).
clean-local:
	-rm -rf tests/cache
