# experiments/reduction-tree/reduction-tree.mk — figures A4, A5, A7.
pkglib_LTLIBRARIES += experiments/reduction-tree/reduction-tree.la
experiments_reduction_tree_reduction_tree_la_SOURCES = \
	experiments/reduction-tree/reduction-tree.h \
	experiments/reduction-tree/reduction-tree.c \
	experiments/reduction-tree/tree.c \
	experiments/reduction-tree/a4-diagrams.c \
	experiments/reduction-tree/a5-sweep.c \
	experiments/reduction-tree/a5-precision.c \
	experiments/reduction-tree/a7-batch.c
experiments_reduction_tree_reduction_tree_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_reduction_tree_reduction_tree_la_LIBADD = $(NL_MODULE_LIBADD) -lm
