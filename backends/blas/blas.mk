# backends/blas/blas.mk — the OpenBLAS backend.
pkglib_LTLIBRARIES += backends/blas/blas.la
backends_blas_blas_la_SOURCES = backends/blas/blas.h backends/blas/blas.c \
	backends/blas/precision.c
backends_blas_blas_la_CPPFLAGS = $(AM_CPPFLAGS) $(BLAS_CFLAGS)
backends_blas_blas_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
backends_blas_blas_la_LIBADD = $(NL_MODULE_LIBADD) $(BLAS_LIBS) -lm
