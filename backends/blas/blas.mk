# backends/blas/blas.mk — the OpenBLAS backend.
# blas.la is the module the registry loads in every numlab process: the
# loader (blas.c), which links no BLAS. The backend itself is its
# companion numlab-blas-impl.so (numlab/companion.h), linked with OpenBLAS
# and installed in $(pkglibdir)/blas/, a folder the registry does not
# scan; in the build tree it is backends/blas/impl/.libs/ (impl.h).
pkglib_LTLIBRARIES += backends/blas/blas.la
backends_blas_blas_la_SOURCES = backends/blas/blas.c backends/blas/impl.h \
	backends/common/forward.h backends/common/forward.c
backends_blas_blas_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
backends_blas_blas_la_LIBADD = $(NL_MODULE_LIBADD)

blasimpldir = $(pkglibdir)/blas
blasimpl_LTLIBRARIES = backends/blas/impl/numlab-blas-impl.la
backends_blas_impl_numlab_blas_impl_la_SOURCES = backends/blas/impl.h \
	backends/blas/blas.h backends/blas/impl.c backends/blas/precision.c
backends_blas_impl_numlab_blas_impl_la_CPPFLAGS = $(AM_CPPFLAGS) $(BLAS_CFLAGS)
backends_blas_impl_numlab_blas_impl_la_LDFLAGS = -module -avoid-version \
	-shared -no-undefined -export-symbols-regex '^nl_blas_impl$$'
backends_blas_impl_numlab_blas_impl_la_LIBADD = $(NL_MODULE_LIBADD) \
	$(BLAS_LIBS) -lm
