# backends/backends.mk — one libtool module per backend.
include backends/naive/naive.mk
include backends/blas/blas.mk
include backends/openmp/openmp.mk
include backends/cuda/cuda.mk
include backends/mpi/mpi.mk
