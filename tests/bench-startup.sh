#!/bin/sh
# bench-startup.sh — what starting numlab costs: the median wall time and
# peak resident memory of commands that load the plugins but open no
# backend (numlab help EXP, numlab plot EXP), and of --version, which loads
# none. Issue 19 asks for at most 20 ms and 20 MiB without a GPU; the blas,
# cuda and bench modules keep OpenBLAS and CUDA out of these commands in
# companion libraries (numlab/companion.h).
#
# A measurement, not a test: it asserts nothing and is not part of
# `make check` (`make bench-startup` runs it). tests/startup-timer starts
# each command once to warm the page cache and the plugin scan cache
# (scan.c), then NUMLAB_BENCH_RUNS times (20 by default), with posix_spawn
# and wait4 and nothing else in between. The build tree's binary runs
# directly, not through libtool's wrapper script, as an installed numlab
# would. /bin/true, timed the same way first, is the floor: what starting
# any process costs on this machine; the last column is each command's
# time above it.
set -u
: "${abs_top_builddir:?}"
runs=${NUMLAB_BENCH_RUNS:-20}
timer=$abs_top_builddir/tests/startup-timer
numlab=$abs_top_builddir/framework/.libs/numlab
[ -x "$numlab" ] || numlab=$abs_top_builddir/framework/numlab
LD_LIBRARY_PATH=$abs_top_builddir/framework/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
unset NUMLAB_PLUGIN_PATH NUMLAB_PLOT_PATH NUMLAB_PLOT_DIR NUMLAB_ALIASES
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-startup-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# measure LABEL STATUS PROGRAM ARGS...: one line of the table, for a
# command that exits with STATUS.
measure() {
    label=$1 status=$2
    shift 2
    out=$("$timer" -s "$status" "$runs" "$@") || exit 1
    set -- $out
    [ -n "${floor:-}" ] || floor=$1
    printf '%-32s %8.1f ms %8.1f MiB %8.1f ms\n' "$label" "$1" \
        "$(awk -v k="$2" 'BEGIN { print k / 1024 }')" \
        "$(awk -v a="$1" -v b="$floor" 'BEGIN { print a - b }')"
}

echo "numlab start-up, median of $runs runs ($numlab)"
printf '%-32s %11s %12s %11s\n' command "wall" "max RSS" "above floor"
measure "/bin/true (the floor)" 0 /bin/true
measure "numlab --version" 0 "$numlab" --version
measure "numlab help associativity" 0 "$numlab" help associativity
# every plugin loaded, then "no results for associativity": the start-up
# of a plot, without gnuplot
measure "numlab plot associativity" 1 "$numlab" plot associativity -o "$tmp/results"
