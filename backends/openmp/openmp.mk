# backends/openmp/openmp.mk — numlab's own OpenMP kernels, built when the
# compiler supports OpenMP. x86-64-v3 (AVX2, FMA, F16C) for the kernels;
# bf16.c raises its own target to AVX512-BF16, gemm-avx512.c and
# gemv-avx512.c to AVX-512F with a pragma, and each runs only where the CPU has it. FMA
# is used on purpose here and stated in describe(). The -O3 below is
# only a default: automake puts the user's CFLAGS (by default -g -O2)
# after it, so the kernels are written with explicit vectors and
# force-inline their hot helpers rather than rely on the optimization
# level.
if BUILD_OPENMP_BACKEND
pkglib_LTLIBRARIES += backends/openmp/openmp.la
backends_openmp_openmp_la_SOURCES = \
	backends/openmp/kernels.h \
	backends/openmp/typed.h \
	backends/openmp/kernels.c \
	backends/openmp/gemv.c \
	backends/openmp/gemv-avx512.c \
	backends/openmp/gemm.c \
	backends/openmp/gemm-avx512.c \
	backends/openmp/bf16.c \
	backends/openmp/precision.c \
	backends/openmp/softmax.c \
	backends/openmp/openmp.c
backends_openmp_openmp_la_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS) -O3 \
	$(OPENMP_ARCH_CFLAGS) -ffp-contract=off
backends_openmp_openmp_la_LDFLAGS = $(NL_MODULE_LDFLAGS) $(OPENMP_CFLAGS)
backends_openmp_openmp_la_LIBADD = $(NL_MODULE_LIBADD) -lm
endif
