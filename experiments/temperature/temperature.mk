# experiments/temperature/temperature.mk — figures B1–B5.
pkglib_LTLIBRARIES += experiments/temperature/temperature.la
experiments_temperature_temperature_la_SOURCES = \
	experiments/temperature/temperature.h \
	experiments/temperature/temperature.c \
	experiments/temperature/config.c \
	experiments/temperature/b1-b2-softmax.c \
	experiments/temperature/b3-draws.c \
	experiments/temperature/b4-b5-decoding.c
experiments_temperature_temperature_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_temperature_temperature_la_LIBADD = $(NL_MODULE_LIBADD) -lm
