# experiments/attention/attention.mk — figure E.
pkglib_LTLIBRARIES += experiments/attention/attention.la
experiments_attention_attention_la_SOURCES = \
	experiments/attention/attention.h \
	experiments/attention/attention.c \
	experiments/attention/config.c \
	experiments/attention/e-example.c
experiments_attention_attention_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_attention_attention_la_LIBADD = $(NL_MODULE_LIBADD) -lm
