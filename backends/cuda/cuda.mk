# backends/cuda/cuda.mk — the CUDA backend, built when configure finds nvcc.
# nvcc refuses -fPIC and libtool swallows -Xcompiler -fPIC, so .cu files
# are compiled through libtool with -prefer-non-pic and the flag passed as
# --compiler-options (see DESIGN.md). The architectures cover Turing to
# Hopper natively and newer GPUs through the compute_90 PTX.
# kernels.cu holds the reductions and softmax, gemm.cu the batch-invariant
# gemm and gemv; their fixed FMA chains are written with __fmaf_rn, so they
# do not depend on nvcc's default -fmad=true contraction.
if HAVE_CUDA
# cuda.la is the module the registry loads in every numlab process: the
# loader (cuda.c), which links no CUDA library. The backend itself is
# numlab-cuda-impl.so, its companion (numlab/companion.h), built with the
# runtime and cuBLAS and installed in $(pkglibdir)/cuda/, a folder the
# registry does not scan; in the build tree it is backends/cuda/impl/.libs/
# (impl.h). nl_companion_open() finds it in either.
pkglib_LTLIBRARIES += backends/cuda/cuda.la
backends_cuda_cuda_la_SOURCES = \
	backends/cuda/cuda.c \
	backends/cuda/impl.h \
	backends/common/forward.h \
	backends/common/forward.c
backends_cuda_cuda_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(CUDA_DIR)/include
backends_cuda_cuda_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
backends_cuda_cuda_la_LIBADD = $(NL_MODULE_LIBADD) -ldl

cudaimpldir = $(pkglibdir)/cuda
cudaimpl_LTLIBRARIES = backends/cuda/impl/numlab-cuda-impl.la
backends_cuda_impl_numlab_cuda_impl_la_SOURCES = \
	backends/cuda/impl.c \
	backends/cuda/impl.h \
	backends/cuda/kernels.h
backends_cuda_impl_numlab_cuda_impl_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(CUDA_DIR)/include
backends_cuda_impl_numlab_cuda_impl_la_LDFLAGS = -module -avoid-version \
	-shared -no-undefined -export-symbols-regex '^nl_cuda_impl$$' \
	-L$(CUDA_DIR)/lib64 -Wl,-rpath,$(CUDA_DIR)/lib64
backends_cuda_impl_numlab_cuda_impl_la_LIBADD = $(NL_MODULE_LIBADD) \
	backends/cuda/kernels.lo backends/cuda/gemm.lo -lcublas -lcudart -lstdc++
EXTRA_backends_cuda_impl_numlab_cuda_impl_la_DEPENDENCIES = \
	backends/cuda/kernels.lo backends/cuda/gemm.lo
CLEANFILES += backends/cuda/kernels.lo backends/cuda/kernels.o \
	backends/cuda/.libs/kernels.o backends/cuda/gemm.lo \
	backends/cuda/gemm.o backends/cuda/.libs/gemm.o
endif
EXTRA_DIST += backends/cuda/kernels.cu backends/cuda/gemm.cu

NVCC_FLAGS = -O3 -std=c++17 \
	-gencode arch=compute_75,code=sm_75 \
	-gencode arch=compute_80,code=sm_80 \
	-gencode arch=compute_90,code=[sm_90,compute_90]

backends/cuda/kernels.lo: backends/cuda/kernels.cu backends/cuda/kernels.h
	$(AM_V_GEN)$(MKDIR_P) backends/cuda && \
	$(LIBTOOL) $(AM_V_lt) --tag=CC --mode=compile $(NVCC) -prefer-non-pic \
	  --compiler-options=-fPIC $(NVCC_FLAGS) -I$(top_builddir) \
	  -I$(top_srcdir)/backends/cuda -c -o $@ $(top_srcdir)/backends/cuda/kernels.cu

backends/cuda/gemm.lo: backends/cuda/gemm.cu backends/cuda/kernels.h
	$(AM_V_GEN)$(MKDIR_P) backends/cuda && \
	$(LIBTOOL) $(AM_V_lt) --tag=CC --mode=compile $(NVCC) -prefer-non-pic \
	  --compiler-options=-fPIC $(NVCC_FLAGS) -I$(top_builddir) \
	  -I$(top_srcdir)/backends/cuda -c -o $@ $(top_srcdir)/backends/cuda/gemm.cu
