#!/bin/sh
# bench-repeat.sh — is the benchmark repeatable? Runs `numlab bench` (the
# default sweep, every available backend) NUMLAB_BENCH_REPEATS times (3 by
# default) in a row and prints, for every measurement with a reference,
# each run's ratio, the largest deviation from their median, and the
# spread the last run measured within itself. Issue 19 asks that three
# consecutive default runs agree within 5 % on every ratio, or that the row
# says why not: a row beyond 5 % is marked and says which moved between
# the runs, the kernel's own rate or its reference's, with the run's note.
#
#   bench-repeat.sh [NUMLAB BENCH ARGS...]   run the benches, then compare
#   bench-repeat.sh --from FILE FILE...      compare saved outputs of
#                                            `numlab bench` (its stdout)
#
# A measurement, not a test: it asserts nothing and is not part of
# `make check` (`make bench-repeat` runs it; tests/test-bench-repeat.sh
# checks its comparison). Extra arguments go to each numlab bench call
# (-b, -p ...).
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-repeat-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ "${1:-}" = --from ]; then
    shift
    [ $# -ge 2 ] || { echo "bench-repeat: --from needs two or more files of numlab bench output" >&2; exit 2; }
    repeats=$#
    i=1
    for f in "$@"; do
        [ -r "$f" ] || { echo "bench-repeat: cannot read $f" >&2; exit 2; }
        cp "$f" "$tmp/run$i"
        i=$((i + 1))
    done
else
    : "${abs_top_builddir:?}"
    repeats=${NUMLAB_BENCH_REPEATS:-3}
    numlab=$abs_top_builddir/framework/numlab
    i=1
    while [ "$i" -le "$repeats" ]; do
        if ! "$numlab" bench -o "$tmp/out" "$@" >"$tmp/run$i" 2>"$tmp/err$i"; then
            echo "bench-repeat: run $i failed:" >&2
            cat "$tmp/err$i" >&2
            exit 1
        fi
        i=$((i + 1))
    done
fi
# key=value lines -> "backend kernel n precision|- ratio spread rate
# ref_rate unit reference note" (a missing field as "nan" or "-"; the
# note last, as it may be empty)
for f in "$tmp"/run*; do
    grep '^backend=' "$f" | awk '{
        delete v
        for (i = 1; i <= NF; i++) {
            k = substr($i, 1, index($i, "=") - 1); v[k] = substr($i, index($i, "=") + 1)
        }
        if (!("ratio" in v) || v["ratio"] == "nan" || (("reference" in v) && v["reference"] == "none")) next
        p = ("precision" in v) ? v["precision"] : "-"
        note = ("note" in v) ? v["note"] : ""
        # a precision row is set against the same kernel in float32
        ref = ("ref_rate" in v) ? v["ref_rate"] : ("f32_rate" in v) ? v["f32_rate"] : "nan"
        what = ("reference" in v) ? v["reference"] : ("f32_rate" in v) ? "float32" : "-"
        print v["backend"], v["kernel"], v["n"], p, v["ratio"], \
            ("spread" in v ? v["spread"] : "nan"), \
            ("rate" in v ? v["rate"] : "nan"), ref, \
            ("unit" in v ? v["unit"] : "-"), what, note
    }' >"$f.rows"
done
# A ratio is the kernel's rate over its reference's, both measured in
# each run: a row beyond 5 % says which of the two moved between the
# runs (each rate's largest deviation from its median), and with it why
# the ratio did. A reference that moved while the kernel held is the
# machine's level (its read bandwidth, OpenBLAS's gemm) changing between
# runs under a kernel limited by something else; a kernel that moved
# under a steady reference is the kernel's own speed; both moving
# together is the whole machine.
echo "numlab bench, $repeats runs in a row: each ratio, its largest deviation from the median of the runs, and the last run's spread of rounds"
echo "(beyond 5 %: how far the kernel's own rate and its reference's moved between the runs, and the run's note)"
printf '%-24s %-8s %9s %-22s %-26s %7s %7s  %s\n' backend kernel n precision ratios dev spread ""
awk -v runs="$repeats" '
    # largest deviation of v[1..c] from their median
    function deviation(v, c,    a, i, j, t, med, d, dev) {
        for (i = 1; i <= c; i++) a[i] = v[i] + 0
        for (i = 2; i <= c; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
        med = c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
        dev = 0
        for (i = 1; i <= c; i++) {
            d = med > 0 ? (v[i] - med) / med : 0; if (d < 0) d = -d
            if (d > dev) dev = d
        }
        return dev
    }
    function span(v, c,    i, lo, hi) {
        lo = hi = v[1] + 0
        for (i = 2; i <= c; i++) { if (v[i] + 0 < lo) lo = v[i] + 0; if (v[i] + 0 > hi) hi = v[i] + 0 }
        return sprintf("%.3g–%.3g", lo, hi)
    }
    { key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
      if (!(key in seen)) { seen[key] = 1; order[++n] = key }
      c = ++cnt[key]
      r[key, c] = $5; rate[key, c] = $7; ref[key, c] = $8
      sp[key] = $6; unit[key] = $9; what[key] = $10; nt[key] = $11 }
    END {
        over = 0
        for (o = 1; o <= n; o++) {
            key = order[o]; split(key, f, SUBSEP); c = cnt[key]
            delete v; delete kv; delete rv
            list = ""
            for (i = 1; i <= c; i++) {
                v[i] = r[key, i]; kv[i] = rate[key, i]; rv[i] = ref[key, i]
                list = list (i > 1 ? " " : "") sprintf("%.3g", r[key, i])
            }
            dev = deviation(v, c)
            mark = dev > 0.05 ? "> 5 %" : ""
            why = ""
            if (dev > 0.05) {
                over++
                dk = deviation(kv, c); dr = deviation(rv, c)
                who = dr > 0.05 && dk <= 0.05 ? "the reference moved" \
                    : dk > 0.05 && dr <= 0.05 ? "the kernel moved" \
                    : dk <= 0.05 ? "each within 5 %, their ratio not" \
                    : dr > 2 * dk ? "both moved, the reference more" \
                    : dk > 2 * dr ? "both moved, the kernel more" \
                    : "both moved"
                why = sprintf("kernel %s %s (%.0f %%), %s %s (%.0f %%): %s", \
                              span(kv, c), unit[key], 100 * dk, what[key], span(rv, c), 100 * dr, who)
                if (nt[key] != "") { t = nt[key]; gsub(/_/, " ", t); why = why "; " t }
            }
            printf "%-24s %-8s %9s %-22s %-26s %6.1f%% %6.1f%%  %s %s\n", f[1], f[2], f[3], f[4], list, 100 * dev, 100 * sp[key], mark, why
        }
        printf "%d of %d ratios agree within 5 %% over %d runs\n", n - over, n, runs
    }' "$tmp"/run*.rows
