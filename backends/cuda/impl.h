/* impl.h — the contract between the cuda module and its implementation.
 *
 * cuda.so (cuda.c), the module the registry loads in every numlab process,
 * links no CUDA library. The backend itself — impl.c with kernels.cu and
 * gemm.cu, linked with the CUDA runtime and cuBLAS — is the library
 * numlab-cuda-impl.so, the module's companion (numlab/companion.h), which
 * cuda.c opens only when the backend is opened on a machine whose driver
 * has a device. It exports one function, nl_cuda_impl(), and lies where
 * the registry does not look for modules:
 * installed, in $(pkglibdir)/cuda/; in the build tree, in
 * backends/cuda/impl/.libs/. Both halves are built from one tree, so the
 * loader accepts only the implementation of its own numlab version. */
#ifndef NL_CUDA_IMPL_H
#define NL_CUDA_IMPL_H

#include <numlab/numlab.h>

/* The library's file name, and its one exported symbol. */
#define NL_CUDA_IMPL_FILE   "numlab-cuda-impl.so"
#define NL_CUDA_IMPL_SYMBOL "nl_cuda_impl"

/* The backend's hooks (an NlBackendOps; its options stay cuda.c's).
 * Defined in impl.c; the library exports nothing else
 * (-export-symbols-regex in cuda.mk). */
gconstpointer nl_cuda_impl(const char **version);

#endif /* NL_CUDA_IMPL_H */
