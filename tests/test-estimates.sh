#!/bin/sh
# test-estimates.sh — every experiment's estimate of a job's memory
# (its `estimate` hook plus the host's base, framework/host/budget.c) is
# within 1.5 times of the peak RSS its jobs measured (the manifest's
# estimated_bytes against the largest peak_bytes), at settings where the
# experiment's own arrays dominate; and a run that would not fit, or
# would take hours, is refused in one line before anything is written.
# TAP output.
set -u
builddir=${abs_top_builddir:-$(pwd)}
numlab="$builddir/framework/numlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# EXP PARAM...: one naive run, then estimate / peak
check() {
    exp=$1
    shift
    if [ -n "${ASAN_OPTIONS:-}" ]; then # its shadow memory is in every RSS
        ok "# SKIP $exp: peak RSS under AddressSanitizer"
        return
    fi
    args=""
    for p in "$@"; do args="$args -p $p"; done
    # shellcheck disable=SC2086
    if ! "$numlab" run "$exp" -b naive -o "$work/out" $args >/dev/null 2>"$work/err"; then
        not_ok "$exp $*: the run failed: $(head -1 "$work/err")"
        return
    fi
    ratio=$(awk -F= '/^estimated_bytes=/ { e = $2 }
        /^peak_bytes=/ { if ($2 > p) p = $2 }
        END { if (e && p) printf "%.3f %.1f %.1f", e / p, e / 1048576, p / 1048576 }' \
        "$work/out/$exp/manifest.ini")
    set -- $ratio
    if [ $# -eq 3 ] && awk -v r="$1" 'BEGIN { exit !(r >= 1 / 1.5 && r <= 1.5) }'; then
        ok "$exp $args: estimated $2 MiB, peak $3 MiB"
    else
        not_ok "$exp $args: estimated ${2:-?} MiB, peak ${3:-?} MiB (ratio ${1:-none})"
    fi
}

check attention
check associativity n=4000000
check associativity a6_n=6000000
check gradient-descent d6_samples=300000
check gradient-descent d6_steps=2000 d6_dim=40
check temperature runs=500 b5_tokens=1000
check temperature temperature=0.01:60:0.001
check reduction-tree batch=1:128
check reduction-tree num_ctx=1:2000000:100000
check bench sizes=20000000 kernels=sum,dot gemm_sizes=256 min_time=0.01
check bench sizes=1000 kernels=gemm gemm_sizes=1024 min_time=0.01
check logprob batches=200
check devices k=8192 cols=1024 n=8000000
check minigpt d_model=96 n_layer=3 batch=48 context=32 steps=3

# refused before anything is written: one line, exit 1, no folder
refused() { # WHAT PATTERN EXP PARAM...
    what=$1 pattern=$2 exp=$3
    shift 3
    args=""
    for p in "$@"; do args="$args -p $p"; done
    # shellcheck disable=SC2086
    "$numlab" run "$exp" -b naive -o "$work/refused" $args >/dev/null 2>"$work/err"
    rc=$?
    if [ $rc -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
        grep -q "$pattern" "$work/err" && [ ! -e "$work/refused" ]; then
        ok "$what: $(cat "$work/err")"
    else
        not_ok "$what: exit $rc: $(cat "$work/err")"
    fi
}
refused "hours of training ask for --force" "add --force to start it anyway" \
    minigpt d_model=256 n_layer=8 batch=256 context=64
refused "10^13 shuffled additions ask for --force" "would take about" \
    associativity shuffles=10000000 shuffle_sizes=1048576
refused "an OpenBLAS gemm at n = 32768 within max_call: too long, or too large here" \
    "add --force\\|is available here" bench kernels=gemm gemm_sizes=32768 sizes=1000 max_call=3600
refused "more memory than there is" "is available here" \
    reduction-tree num_ctx=1:1000000000000
refused "tables beyond what a job may send back" "a job may send back" \
    temperature runs=10000 b5_tokens=10000

echo "1..$n"
