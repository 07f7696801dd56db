# experiments/minigpt/minigpt.mk — MiniGPT trained on every backend (the
# model the logprob experiment, lecture figures C, loads). The model, its
# corpus and training loop are libnumlab-minigpt (experiments/common/minigpt).
pkglib_LTLIBRARIES += experiments/minigpt/minigpt.la
experiments_minigpt_minigpt_la_SOURCES = \
	experiments/minigpt/minigpt.h \
	experiments/minigpt/minigpt.c \
	experiments/minigpt/train.c
experiments_minigpt_minigpt_la_CPPFLAGS = $(NL_GPT_CPPFLAGS)
experiments_minigpt_minigpt_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_minigpt_minigpt_la_LIBADD = $(NL_GPT_LIBADD) $(NL_MODULE_LIBADD) -lm
