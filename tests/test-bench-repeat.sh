#!/bin/sh
# test-bench-repeat.sh — tests/bench-repeat.sh's comparison of runs: three
# made-up outputs of `numlab bench` whose rows agree, or move in the
# kernel, in the reference or in both, must be told apart; then two real
# runs of a tiny bench must be compared. TAP output.
set -u
srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
repeat="$srcdir/tests/bench-repeat.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# one line of `numlab bench` output
row() { # KERNEL N RATE REF_RATE [NOTE]
    ratio=$(awk -v a="$3" -v b="$4" 'BEGIN { printf "%.6g", a / b }')
    note=${5:+ note=$5}
    echo "backend=naive kernel=$1 n=$2 threads=1 seconds=1e-3 rate=$3 unit=GB/s reference=read_bw ref_rate=$4 ratio=$ratio$note fault=0 spread=0.01 regime=L2"
}
for k in 1 2 3; do
    {
        echo "# a made-up run $k"
        row sum 1000 10 100                       # steady
        case $k in 1) r=50 ;; 2) r=100 ;; 3) r=100 ;; esac
        row dot 1000 5 $r                         # the reference moves
        case $k in 1) v=20 ;; 2) v=30 ;; 3) v=30 ;; esac
        row gemv 1000 $v 100                      # the kernel moves
        case $k in 1) v=20 r=50 ;; 2) v=30 r=100 ;; 3) v=30 r=100 ;; esac
        row copy 1000 $v $r spread_9_%:_busy      # both, with a note
        case $k in 1) v=10.4 r=96 ;; 2) v=10 r=100 ;; 3) v=9.6 r=104 ;; esac
        row sum 100000 $v $r                      # each within 5 %, not the ratio
        case $k in 1) v=9.4 r=50 ;; 2) v=10 r=100 ;; 3) v=10 r=100 ;; esac
        row dot 100000 $v $r                      # both, the reference more
        echo "backend=naive kernel=softmax n=50257 rate=1 ref_rate=nan ratio=nan reference=none"
        # a precision row: set against float32, without a reference= field
        case $k in 1) r=40 ;; *) r=50 ;; esac
        echo "backend=naive kernel=gemm precision=float16 n=256 rate=10 unit=GFLOP/s f32_rate=$r ratio=$(awk -v r=$r 'BEGIN { print 10 / r }') fault=0"
    } >"$work/run$k"
done
if ! sh "$repeat" --from "$work/run1" "$work/run2" "$work/run3" >"$work/out" 2>"$work/err"; then
    not_ok "--from: failed: $(head -1 "$work/err")"
else
    line() { grep "^naive  *$1  *$2 " "$work/out"; }
    expect() { # KERNEL N WHAT PATTERN
        if line "$1" "$2" | grep -q -- "$4"; then
            ok "$3"
        else
            not_ok "$3: $(line "$1" "$2")"
        fi
    }
    if line sum 1000 | grep -q '> 5 %'; then
        not_ok "a steady row is marked: $(line sum 1000)"
    else
        ok "a steady row is not marked"
    fi
    expect dot 1000 "a moving reference is named" 'kernel 5–5 GB/s (0 %), read_bw 50–100 (50 %): the reference moved'
    expect gemv 1000 "a moving kernel is named" 'kernel 20–30 GB/s (33 %), read_bw 100–100 (0 %): the kernel moved'
    expect copy 1000 "both moving, with the run's note" 'both moved; spread 9 %: busy'
    expect sum 100000 "rates within 5 % whose ratio is not" 'each within 5 %, their ratio not'
    expect dot 100000 "both moving, one far more" 'kernel 9.4–10 GB/s (6 %), read_bw 50–100 (50 %): both moved, the reference more'
    if grep -q softmax "$work/out"; then
        not_ok "a row without a reference is compared"
    else
        ok "a row without a reference is left out"
    fi
    if grep "^naive  *gemm  *256 float16 " "$work/out" | grep -q 'float32 40–50 (20 %): the reference moved'; then
        ok "a precision row's reference is float32"
    else
        not_ok "a precision row: $(grep "^naive  *gemm" "$work/out")"
    fi
    if grep -qx '1 of 7 ratios agree within 5 % over 3 runs' "$work/out"; then
        ok "the count of agreeing ratios"
    else
        not_ok "the count: $(tail -1 "$work/out")"
    fi
fi
if sh "$repeat" --from "$work/run1" >/dev/null 2>"$work/err"; then
    not_ok "--from one file is accepted"
else
    ok "--from one file: $(cat "$work/err")"
fi

# two real runs of a tiny bench
if [ -n "${abs_top_builddir:-}" ]; then
    if NUMLAB_BENCH_REPEATS=2 sh "$repeat" -b naive -p kernels=sum -p sizes=1000 \
        -p min_time=0.001 -p peer=none >"$work/real" 2>"$work/err" &&
        grep -q '^naive  *sum  *1000 ' "$work/real" &&
        grep -qx '[01] of 1 ratios agree within 5 % over 2 runs' "$work/real"; then
        ok "two real runs compared"
    else
        not_ok "two real runs: $(cat "$work/err" "$work/real" | head -3)"
    fi
else
    ok "# SKIP two real runs: abs_top_builddir is not set"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
