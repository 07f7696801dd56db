#!/bin/sh
# bench-repeat.sh — is the benchmark repeatable? Runs `numlab bench` (the
# default sweep, every available backend) NUMLAB_BENCH_REPEATS times (3 by
# default) in a row and prints, for every measurement with a reference,
# each run's ratio, the largest deviation from their median, and the
# spread the last run measured within itself. Issue 19 asks that three
# consecutive default runs agree within 5 % on every ratio, or that the row
# says why not: a row beyond 5 % is marked, and its note (from the run)
# given.
#
# A measurement, not a test: it asserts nothing and is not part of
# `make check` (`make bench-repeat` runs it). Extra arguments go to each
# numlab bench call (-b, -p ...).
set -u
: "${abs_top_builddir:?}"
repeats=${NUMLAB_BENCH_REPEATS:-3}
numlab=$abs_top_builddir/framework/numlab
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-repeat-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
i=1
while [ "$i" -le "$repeats" ]; do
    if ! "$numlab" bench -o "$tmp/out" "$@" >"$tmp/run$i" 2>"$tmp/err$i"; then
        echo "bench-repeat: run $i failed:" >&2
        cat "$tmp/err$i" >&2
        exit 1
    fi
    i=$((i + 1))
done
# key=value lines -> "backend kernel n precision|- ratio spread note"
for f in "$tmp"/run*; do
    grep '^backend=' "$f" | awk '{
        delete v
        for (i = 1; i <= NF; i++) {
            k = substr($i, 1, index($i, "=") - 1); v[k] = substr($i, index($i, "=") + 1)
        }
        if (!("ratio" in v) || v["ratio"] == "nan" || v["reference"] == "none") next
        p = ("precision" in v) ? v["precision"] : "-"
        note = ("note" in v) ? v["note"] : ""
        print v["backend"], v["kernel"], v["n"], p, v["ratio"], ("spread" in v ? v["spread"] : "nan"), note
    }' >"$f.rows"
done
echo "numlab bench, $repeats runs in a row: each ratio, its largest deviation from the median of the runs, and the last run's spread of rounds"
printf '%-24s %-8s %9s %-22s %-26s %7s %7s  %s\n' backend kernel n precision ratios dev spread ""
awk -v runs="$repeats" '
    { key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
      if (!(key in seen)) { seen[key] = 1; order[++n] = key }
      r[key, ++cnt[key]] = $5; sp[key] = $6; nt[key] = $7 }
    END {
        over = 0
        for (o = 1; o <= n; o++) {
            key = order[o]; split(key, f, SUBSEP); c = cnt[key]
            for (i = 1; i <= c; i++) a[i] = r[key, i] + 0
            for (i = 2; i <= c; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
            med = c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
            dev = 0
            list = ""
            for (i = 1; i <= c; i++) {
                d = med > 0 ? (r[key, i] - med) / med : 0; if (d < 0) d = -d
                if (d > dev) dev = d
                list = list (i > 1 ? " " : "") sprintf("%.3g", r[key, i])
            }
            mark = dev > 0.05 ? "> 5 %" : ""
            if (dev > 0.05) over++
            why = mark != "" && nt[key] != "" ? nt[key] : ""
            gsub(/_/, " ", why)
            printf "%-24s %-8s %9s %-22s %-26s %6.1f%% %6.1f%%  %s %s\n", f[1], f[2], f[3], f[4], list, 100 * dev, 100 * sp[key], mark, why
        }
        printf "%d of %d ratios agree within 5 %% over %d runs\n", n - over, n, runs
    }' "$tmp"/run*.rows
