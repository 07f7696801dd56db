# tests/fuzz/fuzz.mk — the libFuzzer targets (tests/fuzz/fuzz-*.c), their
# seed corpora and dictionaries. Built only by a tree configured with
# --enable-fuzzing CC=clang, where every file is instrumented; a normal
# build compiles none of it. tests/fuzz/run.sh configures such a copy,
# builds it and runs each target for a bounded time.

EXTRA_DIST += tests/sanitize.sh tests/fuzz/run.sh tests/fuzz/fuzz-util.h \
	tests/fuzz/corpus tests/fuzz/dict

if NL_FUZZING
noinst_PROGRAMS = \
	tests/fuzz/fuzz-params \
	tests/fuzz/fuzz-backend-spec \
	tests/fuzz/fuzz-checkpoint \
	tests/fuzz/fuzz-logits
endif
# -no-install: a real program, not a libtool wrapper script, for libFuzzer
# to run and re-run.
NL_FUZZ_LINK = -no-install -fsanitize=fuzzer

tests_fuzz_fuzz_params_SOURCES = tests/fuzz/fuzz-params.c
tests_fuzz_fuzz_params_LDFLAGS = $(NL_FUZZ_LINK)
tests_fuzz_fuzz_params_LDADD = $(NL_TEST_LIBS)

tests_fuzz_fuzz_backend_spec_SOURCES = tests/fuzz/fuzz-backend-spec.c
tests_fuzz_fuzz_backend_spec_CPPFLAGS = $(NL_TEST_CPPFLAGS)
tests_fuzz_fuzz_backend_spec_LDFLAGS = $(NL_FUZZ_LINK)
tests_fuzz_fuzz_backend_spec_LDADD = $(NL_TEST_HOST_LIBS)

tests_fuzz_fuzz_checkpoint_SOURCES = tests/fuzz/fuzz-checkpoint.c
tests_fuzz_fuzz_checkpoint_CPPFLAGS = $(NL_GPT_CPPFLAGS)
tests_fuzz_fuzz_checkpoint_LDFLAGS = $(NL_FUZZ_LINK)
tests_fuzz_fuzz_checkpoint_LDADD = $(NL_GPT_LIBADD) $(NL_TEST_LIBS)

# The temperature experiment's sources, compiled in: the module exports
# only its descriptor.
tests_fuzz_fuzz_logits_SOURCES = tests/fuzz/fuzz-logits.c \
	$(experiments_temperature_temperature_la_SOURCES)
tests_fuzz_fuzz_logits_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_fuzz_logits_LDFLAGS = $(NL_FUZZ_LINK)
tests_fuzz_fuzz_logits_LDADD = $(NL_TEST_LIBS)
