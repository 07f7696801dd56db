# backends/naive/naive.mk — the reference backend.
pkglib_LTLIBRARIES += backends/naive/naive.la
backends_naive_naive_la_SOURCES = backends/naive/naive.c
backends_naive_naive_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
backends_naive_naive_la_LIBADD = $(NL_MODULE_LIBADD)
