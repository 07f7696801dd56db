# experiments/bench/bench.mk — the benchmark (numlab bench). OpenMP, when
# available, lets the read-bandwidth probe use every core; x86-64-v3 gives
# it 32-byte loads. The module links no BLAS: its direct cblas_sgemm is in
# the companion numlab-bench-cblas.so (bench-cblas.h), installed in
# $(pkglibdir)/bench/ and in the build tree in experiments/bench/impl/.
pkglib_LTLIBRARIES += experiments/bench/bench.la
experiments_bench_bench_la_SOURCES = experiments/bench/bench.c \
	experiments/bench/bench-cblas.h \
	experiments/bench/bench-check.h \
	experiments/bench/bench-check.c \
	experiments/bench/bench-invariant.h \
	experiments/bench/bench-invariant.c \
	experiments/bench/bench-peer.h \
	experiments/bench/bench-peer.c \
	experiments/bench/bench-sampling.h \
	experiments/bench/bench-sampling.c \
	experiments/bench/bench-precision.h \
	experiments/bench/bench-precision.c \
	experiments/bench/bench-sweep.h \
	experiments/bench/bench-sweep.c
experiments_bench_bench_la_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS) -O3 \
	$(OPENMP_ARCH_CFLAGS)
experiments_bench_bench_la_LDFLAGS = $(NL_MODULE_LDFLAGS) $(OPENMP_CFLAGS)
experiments_bench_bench_la_LIBADD = $(NL_MODULE_LIBADD) -lm

benchcblasdir = $(pkglibdir)/bench
benchcblas_LTLIBRARIES = experiments/bench/impl/numlab-bench-cblas.la
experiments_bench_impl_numlab_bench_cblas_la_SOURCES = \
	experiments/bench/bench-cblas.h experiments/bench/bench-cblas.c
experiments_bench_impl_numlab_bench_cblas_la_CPPFLAGS = $(AM_CPPFLAGS) \
	$(BLAS_CFLAGS)
experiments_bench_impl_numlab_bench_cblas_la_LDFLAGS = -module \
	-avoid-version -shared -no-undefined \
	-export-symbols-regex '^nl_bench_cblas$$'
experiments_bench_impl_numlab_bench_cblas_la_LIBADD = $(NL_MODULE_LIBADD) \
	$(BLAS_LIBS)
