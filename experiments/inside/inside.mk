# experiments/inside/inside.mk — figures F1–F4: the lecture MiniGPT
# (libnumlab-minigpt) from the inside, and the determinism recipe on it.
pkglib_LTLIBRARIES += experiments/inside/inside.la
experiments_inside_inside_la_SOURCES = \
	experiments/inside/inside.h \
	experiments/inside/inside.c \
	experiments/inside/common.c \
	experiments/inside/jobs.c
experiments_inside_inside_la_CPPFLAGS = $(NL_GPT_CPPFLAGS)
experiments_inside_inside_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_inside_inside_la_LIBADD = $(NL_GPT_LIBADD) $(NL_MODULE_LIBADD) -lm
