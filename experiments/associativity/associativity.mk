# experiments/associativity/associativity.mk — figures A1, A2, A3, A6.
pkglib_LTLIBRARIES += experiments/associativity/associativity.la
experiments_associativity_associativity_la_SOURCES = \
	experiments/associativity/associativity.h \
	experiments/associativity/associativity.c \
	experiments/associativity/a1-textbook.c \
	experiments/associativity/a2-blocked.c \
	experiments/associativity/a3-shuffles.c \
	experiments/associativity/a6-backends.c
experiments_associativity_associativity_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_associativity_associativity_la_LIBADD = $(NL_MODULE_LIBADD) -lm
