# experiments/gradient-descent/gradient-descent.mk — figures D1–D6.
pkglib_LTLIBRARIES += experiments/gradient-descent/gradient-descent.la
experiments_gradient_descent_gradient_descent_la_SOURCES = \
	experiments/gradient-descent/gd.h \
	experiments/gradient-descent/gradient-descent.c \
	experiments/gradient-descent/config.c \
	experiments/gradient-descent/d1-d3-diagonal.c \
	experiments/gradient-descent/d4-d5-examples.c \
	experiments/gradient-descent/d6-training.c
experiments_gradient_descent_gradient_descent_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_gradient_descent_gradient_descent_la_LIBADD = $(NL_MODULE_LIBADD) -lm
