# bench/bench.mk — comparison scripts (run by hand, shipped in the tarball).
EXTRA_DIST += bench/temperature.py
