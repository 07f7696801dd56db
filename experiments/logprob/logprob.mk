# experiments/logprob/logprob.mk — figures C1–C5: logprob stability of the
# lecture's MiniGPT (libnumlab-minigpt) across backends, batches and padding.
pkglib_LTLIBRARIES += experiments/logprob/logprob.la
experiments_logprob_logprob_la_SOURCES = \
	experiments/logprob/logprob.h \
	experiments/logprob/logprob.c \
	experiments/logprob/model.c \
	experiments/logprob/generate.c \
	experiments/logprob/noise.c \
	experiments/logprob/precision.c
experiments_logprob_logprob_la_CPPFLAGS = $(NL_GPT_CPPFLAGS)
experiments_logprob_logprob_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_logprob_logprob_la_LIBADD = $(NL_GPT_LIBADD) $(NL_MODULE_LIBADD) -lm
