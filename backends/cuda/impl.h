/* impl.h — the contract between the cuda module and its implementation.
 *
 * cuda.so (cuda.c), the module the registry loads in every numlab process,
 * links no CUDA library. The backend itself — impl.c with kernels.cu and
 * gemm.cu, linked with the CUDA runtime and cuBLAS — is the library
 * numlab-cuda-impl.so, which cuda.c opens only when the backend is opened
 * on a machine whose driver has a device. It exports one function,
 * nl_cuda_impl(), and lies where the registry does not look for modules:
 * installed, in $(pkglibdir)/cuda/; in the build tree, in
 * backends/cuda/impl/.libs/. Both halves are built from one tree, so the
 * loader accepts only the implementation of its own numlab version. */
#ifndef NL_CUDA_IMPL_H
#define NL_CUDA_IMPL_H

#include <numlab/numlab.h>

/* The library's file name, and its one exported symbol. */
#define NL_CUDA_IMPL_FILE   "numlab-cuda-impl.so"
#define NL_CUDA_IMPL_SYMBOL "nl_cuda_impl"

typedef struct {
    const char *version;     /* PACKAGE_VERSION it was built as */
    const NlBackendOps *ops; /* the backend's hooks; options stay cuda.c's */
} NlCudaImpl;

typedef const NlCudaImpl *(*NlCudaImplFunc)(void);

/* Defined in impl.c; the library exports nothing else
 * (-export-symbols-regex in cuda.mk). */
const NlCudaImpl *nl_cuda_impl(void);

#endif /* NL_CUDA_IMPL_H */
