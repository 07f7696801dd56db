#!/bin/sh
# bench-startup.sh — what starting numlab costs: the median wall time and
# peak resident memory of commands that load the plugins but open no
# backend (numlab help EXP, numlab plot EXP), and of --version, which loads
# none. Issue 19 asks for at most 20 ms and 20 MiB without a GPU; the blas,
# cuda and bench modules keep OpenBLAS and CUDA out of these commands in
# companion libraries (numlab/companion.h).
#
# A measurement, not a test: it asserts nothing and is not part of
# `make check` (`make bench-startup` runs it). Each command runs once to
# warm the page cache and the plugin scan cache (scan.c), then
# NUMLAB_BENCH_RUNS times (20 by default). The build tree's binary runs
# directly, not through libtool's wrapper script, as an installed numlab
# would; the wall time includes starting /usr/bin/time. /bin/true, timed
# the same way first, is the floor: what starting any process costs on
# this machine (17.6 ms on the Zen 5 VM of doc/performance.md); the last
# column is each command's time above it.
set -u
: "${abs_top_builddir:?}"
runs=${NUMLAB_BENCH_RUNS:-20}
if [ ! -x /usr/bin/time ]; then
    echo "bench-startup: needs GNU time (/usr/bin/time: apt-get install time)" >&2
    exit 1
fi
numlab=$abs_top_builddir/framework/.libs/numlab
[ -x "$numlab" ] || numlab=$abs_top_builddir/framework/numlab
LD_LIBRARY_PATH=$abs_top_builddir/framework/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
unset NUMLAB_PLUGIN_PATH NUMLAB_PLOT_PATH NUMLAB_PLOT_DIR NUMLAB_ALIASES
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-startup-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# median FILE: the middle value of a column of numbers.
median() {
    sort -n "$1" | awk '{v[NR] = $1} END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure LABEL ARGS...: one warm-up, then $runs timed runs.
measure() { # LABEL PROGRAM ARGS...
    label=$1
    shift
    "$@" >/dev/null 2>&1
    : >"$tmp/ms"
    : >"$tmp/kib"
    i=0
    while [ "$i" -lt "$runs" ]; do
        t0=$(date +%s%N)
        /usr/bin/time -o "$tmp/rss" -f %M "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000)) >>"$tmp/ms"
        tail -n 1 "$tmp/rss" >>"$tmp/kib"
        i=$((i + 1))
    done
    ms=$(median "$tmp/ms" | awk '{print $1 / 1000}')
    [ -n "${floor:-}" ] || floor=$ms
    printf '%-32s %8.1f ms %8.1f MiB %8.1f ms\n' "$label" "$ms" \
        "$(median "$tmp/kib" | awk '{print $1 / 1024}')" \
        "$(awk -v a="$ms" -v b="$floor" 'BEGIN { print a - b }')"
}

echo "numlab start-up, median of $runs runs ($numlab)"
printf '%-32s %11s %12s %11s\n' command "wall" "max RSS" "above floor"
measure "/bin/true (the floor)" /bin/true
measure "numlab --version" "$numlab" --version
measure "numlab help associativity" "$numlab" help associativity
measure "numlab plot associativity" "$numlab" plot associativity -o "$tmp/results"
