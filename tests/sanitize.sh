#!/bin/sh
# tests/sanitize.sh — the whole test suite under AddressSanitizer and
# UndefinedBehaviorSanitizer; exit status 0 only with no finding at all.
#
#   tests/sanitize.sh            copy the source tree, build it with
#                                -fsanitize=address,undefined, make check
#
# The copy is made because a configured source tree refuses a second
# (VPATH) build beside it: the files git knows of (tracked, and new files
# it does not ignore), so uncommitted edits are tested too; from an
# unpacked tarball without git, the whole unconfigured folder. Every
# sanitizer report goes to a file of its own (log_path): a finding in a
# child whose stderr a test swallows still counts. Only this script's own
# lines are printed, never automake's summary, which .ci/run tallies from
# the plain make check.
#
# ASAN_OPTIONS: allocator_may_return_null=1 because test-exact-ulp asks for
# 2^60 bytes on purpose and wants NULL. Leaks are found with ASan's fast
# frame-pointer unwinding: its full unwinder (fast_unwind_on_malloc=0)
# made every allocation about 15 times dearer (MPFR allocates per value:
# test-conformance-precision took 243 s instead of 17); with fast
# unwinding the suite here took 1195 s instead of 2389 (2 cores). A
# leak whose stack stops in a library built without frame pointers
# (OpenBLAS) is still reported; rerun its test with
# ASAN_OPTIONS=fast_unwind_on_malloc=0 for the whole stack.
# handle_segv=0 and the like because the tests crash plugins on purpose
# and expect them to die by the signal, not by a sanitizer report (a real
# crash still fails its test).
# tests/test-openblas-cores.sh checks only the CPU's own OpenBLAS core here
# (NL_OPENBLAS_CORES empty, unless set): the other cores run the same
# numlab code through an uninstrumented OpenBLAS, and would double the time.
# Set NL_JOBS to bound make's parallelism (default: the CPU count); set
# NL_SANITIZE_KEEP=1 to keep the build folder.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=${NL_JOBS:-$(nproc 2>/dev/null || echo 2)}
work=$(mktemp -d "${TMPDIR:-/tmp}/numlab-sanitize.XXXXXX")
keep=${NL_SANITIZE_KEEP:-0}
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "sanitize: $*"; }

# ---- a fresh copy of the sources
mkdir "$work/src"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -c -o --exclude-standard |
        while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
        tar -cf - -T -) | tar -xf - -C "$work/src"
elif [ -f "$src/config.status" ]; then
    say "$src is configured and not a git checkout: run 'make distclean' first" >&2
    exit 1
else
    cp -R "$src/." "$work/src"
fi
cd "$work/src"

# ---- build with the sanitizers
san="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
start=$(date +%s)
./autogen.sh >"$work/autogen.log" 2>&1 || { cat "$work/autogen.log" >&2; exit 1; }
./configure -q CFLAGS="$san" LDFLAGS="$san" >"$work/configure.log" 2>&1 ||
    { cat "$work/configure.log" >&2; exit 1; }
make -s -j"$jobs" >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; exit 1; }
built=$(date +%s)
say "built with $san in $((built - start)) s"

# ---- the test suite
mkdir "$work/reports"
ASAN_OPTIONS="allocator_may_return_null=1:detect_leaks=1"
ASAN_OPTIONS="$ASAN_OPTIONS:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0"
ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$work/reports/asan"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$work/reports/ubsan"
NL_OPENBLAS_CORES=${NL_OPENBLAS_CORES-}
# test-bad-inputs.sh: its fixed command lines only; the ~300 generated
# parameter values exercise the parser that fuzz-params covers
NL_BAD_INPUTS=${NL_BAD_INPUTS-fixed}
export ASAN_OPTIONS UBSAN_OPTIONS NL_OPENBLAS_CORES NL_BAD_INPUTS
rc=0
make -s -j"$jobs" check >"$work/check.log" 2>&1 || rc=$?
done_at=$(date +%s)
tally=$(awk '/^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):/ {
            sub(/^# /, ""); gsub(/[ \t]/, ""); printf "%s%s", sep, $0; sep = ", " }
         /^# ERROR:/ { exit }' "$work/check.log")
say "make check in $((done_at - built)) s: ${tally:-no summary}"

# A report file is a finding when it holds a sanitizer's error, not only a
# warning (a refused 2^60-byte allocation may leave one).
findings=0
for f in "$work"/reports/*; do
    [ -e "$f" ] || continue
    if grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f"; then
        findings=$((findings + 1))
        say "finding in $(basename "$f"):" >&2
        sed -n '1,40p' "$f" >&2
    fi
done
if [ "$rc" -ne 0 ]; then
    say "make check failed (status $rc); the failing tests' logs:" >&2
    for t in $(sed -n 's/^\(FAIL\|ERROR\|XPASS\): \([^ ]*\).*/\2/p' "$work/check.log" | sort -u); do
        log="${t%.sh}.log" # automake's name: tests/test-x.sh -> tests/test-x.log
        echo "---- $log" >&2
        { grep -E '^(not ok|Bail out)' "$log"; tail -n 15 "$log"; } >&2 2>/dev/null || true
    done
fi
say "$findings sanitizer finding(s)"
[ "$rc" -eq 0 ] && [ "$findings" -eq 0 ]
