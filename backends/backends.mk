# backends/backends.mk — one libtool module per backend.
include backends/naive/naive.mk
