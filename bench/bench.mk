# bench/bench.mk — comparison scripts (run by hand, shipped in the tarball).
EXTRA_DIST += bench/temperature.py
EXTRA_DIST += bench/reduction-tree.py
