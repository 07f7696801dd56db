# peers/peers.mk — scripts that time numlab's peers (the lecture
# notebooks' numpy code) against numlab; run by hand, shipped in the tarball.
EXTRA_DIST += peers/temperature.py
EXTRA_DIST += peers/reduction-tree.py
# The independent computations behind doc/errata.md (python3-numpy and
# python3-mpmath): exact and 30-digit values, the notebooks' cells rerun.
EXTRA_DIST += peers/errata/s1_script.py peers/errata/s2_nb_float.py \
	peers/errata/s3_np2.py peers/errata/s4_tiling.py \
	peers/errata/s5_tree_cell.py peers/errata/s6_sampling.py \
	peers/errata/s7_counters.py peers/errata/s8_misc.py \
	peers/errata/s9_bits.py

# The lecture MiniGPT against PyTorch (python3-torch, optional: the script
# says it skips and exits 0 without it): `make bench-minigpt` builds
# numlab's side, peers/minigpt-bench (never installed), and runs
# peers/minigpt-torch.py. BENCH_MINIGPT_FLAGS passes options to it
# (--rounds 5, --steps 200, ...; --help lists them).
EXTRA_DIST += peers/minigpt-torch.py
EXTRA_PROGRAMS += peers/minigpt-bench peers/lib-bench
CLEANFILES += peers/minigpt-bench peers/lib-bench
peers_minigpt_bench_SOURCES = peers/minigpt-bench.c
peers_minigpt_bench_CPPFLAGS = $(NL_GPT_CPPFLAGS) $(NL_PATH_CPPFLAGS) \
	-I$(top_srcdir)
peers_minigpt_bench_LDADD = $(NL_GPT_LIBADD) framework/libnumlab-host.la \
	framework/libnumlab.la $(GLIB_LIBS) -lm

# Debian's python3-torch is for the system python, whatever python3 comes
# first on PATH: PYTHON3=... chooses another.
PYTHON3 = /usr/bin/python3
bench-minigpt: peers/minigpt-bench
	$(PYTHON3) $(top_srcdir)/peers/minigpt-torch.py \
	    --bench ./peers/minigpt-bench $(BENCH_MINIGPT_FLAGS)
.PHONY: bench-minigpt

# libnumlab's fast paths against their slow definitions, side by side
# (the exact sums against MPFR, the batched normals against one at a
# time, the reference gemm against the plain loop): `make bench-lib`.
peers_lib_bench_SOURCES = peers/lib-bench.c
peers_lib_bench_LDADD = framework/libnumlab.la $(GLIB_LIBS) $(MPFR_LIBS) -lm
bench-lib: peers/lib-bench
	./peers/lib-bench
.PHONY: bench-lib
