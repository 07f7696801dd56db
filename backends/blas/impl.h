/* impl.h — the contract between the blas module and its companion.
 *
 * blas.so (blas.c), the module the registry loads in every numlab
 * process, links no BLAS library. The backend itself — impl.c and
 * precision.c, linked with OpenBLAS — is the companion library
 * numlab-blas-impl.so (numlab/companion.h), which blas.c opens when the
 * backend is opened. Installed, it lies in $(pkglibdir)/blas/; in the
 * build tree, in backends/blas/impl/.libs/. */
#ifndef NL_BLAS_IMPL_H
#define NL_BLAS_IMPL_H

#include <numlab/numlab.h>

/* The library's file name, and its one exported symbol. */
#define NL_BLAS_IMPL_FILE   "numlab-blas-impl.so"
#define NL_BLAS_IMPL_SYMBOL "nl_blas_impl"

/* The backend's hooks (an NlBackendOps); impl.c. The library exports
 * nothing else (-export-symbols-regex in blas.mk). */
gconstpointer nl_blas_impl(const char **version);

#endif /* NL_BLAS_IMPL_H */
