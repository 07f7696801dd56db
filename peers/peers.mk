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
