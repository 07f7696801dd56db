# experiments/minigpt/minigpt.mk — MiniGPT trained on every backend (the
# model the logprob experiment, lecture figures C, loads).
pkglib_LTLIBRARIES += experiments/minigpt/minigpt.la
experiments_minigpt_minigpt_la_SOURCES = \
	experiments/minigpt/minigpt.h \
	experiments/minigpt/minigpt.c \
	experiments/common/gpt-lecture.h \
	experiments/common/gpt-corpus.c \
	experiments/common/gpt-lecture.c \
	experiments/minigpt/train.c
experiments_minigpt_minigpt_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_minigpt_minigpt_la_LIBADD = $(NL_MODULE_LIBADD) -lm
