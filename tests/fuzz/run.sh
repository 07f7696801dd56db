#!/bin/sh
# tests/fuzz/run.sh — builds the libFuzzer targets and runs each for a
# bounded time from its seed corpus; exit status 0 only when no target
# found anything.
#
#   tests/fuzz/run.sh [SECONDS]    SECONDS per target (default 60)
#
# The targets need a build of their own (clang, ./configure
# --enable-fuzzing: every file instrumented), made here in a copy of the
# sources: the files git knows of, so uncommitted edits are fuzzed too.
# NL_FUZZ_BUILD=DIR keeps that build in DIR and brings it up to date on the
# next run instead of starting afresh; NL_JOBS bounds make's parallelism.
#
# Each target runs on a copy of tests/fuzz/corpus/TARGET with
# tests/fuzz/dict/TARGET.dict; what it learns stays in the temporary
# folder, not in the committed corpus. A crash, a leak, a timeout (10 s
# for one input) or going past 2 GB is a finding: its input is printed in
# hex and kept, to be fixed and then committed to the corpus as a
# regression case. Per target one line: executions, executions per second,
# corpus growth.
set -eu
seconds=${1:-60}
case $seconds in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
src=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${NL_JOBS:-$(nproc 2>/dev/null || echo 2)}
targets="params backend-spec checkpoint logits"
work=$(mktemp -d "${TMPDIR:-/tmp}/numlab-fuzz.XXXXXX")
findings=0
cleanup() { [ "$findings" -ne 0 ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "fuzz: $*"; }

# ---- the instrumented build
build=${NL_FUZZ_BUILD:-$work/build}
mkdir -p "$build"
start=$(date +%s)
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -c -o --exclude-standard |
        while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
        tar -cf - -T -) | tar -xf - -C "$build"
elif [ -f "$src/config.status" ]; then
    say "$src is configured and not a git checkout: run 'make distclean' first" >&2
    exit 1
else
    cp -R "$src/." "$build"
fi
cd "$build"
if [ ! -f config.status ]; then
    ./autogen.sh >"$work/autogen.log" 2>&1 || { cat "$work/autogen.log" >&2; exit 1; }
    ./configure -q --enable-fuzzing CC=clang >"$work/configure.log" 2>&1 ||
        { cat "$work/configure.log" >&2; exit 1; }
fi
make -s -j"$jobs" >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; exit 1; }
say "built with clang $(clang -dumpversion) (-fsanitize=fuzzer,address,undefined) in $(($(date +%s) - start)) s"

# ---- each target for $seconds
ASAN_OPTIONS=detect_leaks=1 # fast unwinding: see tests/sanitize.sh
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
for t in $targets; do
    corpus=$work/corpus/$t
    found=$work/findings/$t
    mkdir -p "$corpus" "$found"
    cp "$src/tests/fuzz/corpus/$t/"* "$corpus/"
    seeds=$(ls "$corpus" | wc -l)
    dict=""
    [ -f "$src/tests/fuzz/dict/$t.dict" ] && dict="-dict=$src/tests/fuzz/dict/$t.dict"
    log=$work/$t.log
    rc=0
    # shellcheck disable=SC2086 # $dict is one word or none
    "$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$found/" \
        $dict "$corpus" >"$log" 2>&1 || rc=$?
    stat_of() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
    runs=$(stat_of number_of_executed_units)
    rate=$(stat_of average_exec_per_sec)
    bad=$(ls "$found" | grep -E '^(crash|leak|timeout|oom)-' || true)
    if [ "$rc" -ne 0 ] || [ -n "$bad" ]; then
        findings=$((findings + 1))
        say "$t: FOUND (status $rc) after ${runs:-?} executions; log and inputs in $work" >&2
        grep -E 'ERROR|runtime error|fuzz finding|SUMMARY|Test unit written' "$log" | head -n 20 >&2 || true
        for f in $bad; do
            echo "---- $f (first 512 bytes, hex):" >&2
            od -A x -t x1z -N 512 "$found/$f" >&2
        done
        continue
    fi
    say "$t: $runs executions in $seconds s ($rate/s), corpus $seeds -> $(ls "$corpus" | wc -l) inputs: no finding"
done
[ "$findings" -eq 0 ] || { say "$findings target(s) with findings" >&2; exit 1; }
