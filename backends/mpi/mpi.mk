# backends/mpi/mpi.mk — the MPI backend, built when configure finds Open
# MPI (pkg-config ompi-c, Debian's libopenmpi-dev). The module does not
# link MPI: it starts numlab-mpi-worker with mpiexec and talks to its ranks
# over sockets (pool.c); only the worker is an MPI program. The worker is
# installed beside the modules, where the module looks for it.
if HAVE_MPI
pkglib_LTLIBRARIES += backends/mpi/mpi.la
backends_mpi_mpi_la_SOURCES = \
	backends/mpi/protocol.h \
	backends/mpi/pool.h \
	backends/mpi/pool.c \
	backends/mpi/mpi.c
backends_mpi_mpi_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DNL_MPI_VERSION='"$(MPI_VERSION)"'
backends_mpi_mpi_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
backends_mpi_mpi_la_LIBADD = $(NL_MODULE_LIBADD) -ldl

# automake has no pkglib_PROGRAMS: a folder variable of its own says it
mpiworkerdir = $(pkglibdir)
mpiworker_PROGRAMS = backends/mpi/numlab-mpi-worker
backends_mpi_numlab_mpi_worker_SOURCES = \
	backends/mpi/protocol.h \
	backends/mpi/worker.h \
	backends/mpi/worker.c \
	backends/mpi/worker-precision.c
backends_mpi_numlab_mpi_worker_CPPFLAGS = $(AM_CPPFLAGS) $(MPI_CFLAGS)
backends_mpi_numlab_mpi_worker_LDADD = framework/libnumlab.la $(MPI_LIBS) \
	$(GLIB_LIBS) -lm
endif
