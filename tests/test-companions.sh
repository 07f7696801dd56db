#!/bin/sh
# test-companions.sh — OpenBLAS is loaded only where it is used (issue 19;
# numlab/companion.h). The blas backend and the bench keep their OpenBLAS
# calls in companion libraries, opened by the backend's open() and by a
# bench run (its direct cblas_sgemm). The dynamic loader's log of every process
# a command starts (LD_DEBUG=libs, one file per process) must not name
# libopenblas for commands that load the modules but open no blas backend;
# opening blas does load it, through numlab-blas-impl.so, and the bench
# through numlab-bench-cblas.so. A module whose
# companion is missing or foreign fails its jobs in one line, and the
# other backends of the run still run. test-cuda-loader.sh checks the same
# for cuda. A functional check; start-up time is measured by
# `make bench-startup`, never asserted. Prints TAP.
set -u
: "${abs_top_builddir:?}"
numlab=$abs_top_builddir/framework/numlab
module=$abs_top_builddir/backends/blas/.libs/blas.so
other=$abs_top_builddir/experiments/bench/impl/.libs/numlab-bench-cblas.so
echo "1..8"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-companions-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/results"
small="-p counter_steps=1000 -p shuffles=50 -p a6_n=1000"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    [ -n "${2:-}" ] && echo "$2" | sed 's/^/#   /'
    sed 's/^/#   stderr: /' "$tmp/$name.err" | head -n 10
}

# run NAME [VAR=VALUE...] numlab ARGS...: with the library log of each of
# its processes in $tmp/NAME/, its output in $tmp/NAME.out and .err.
run() {
    name=$1
    shift
    mkdir "$tmp/$name"
    env LD_DEBUG=libs LD_DEBUG_OUTPUT="$tmp/$name/ld" "$@" \
        >"$tmp/$name.out" 2>"$tmp/$name.err"
}

# expect_none NAME WHAT: no process of run NAME loaded OpenBLAS, and the
# log is real (it shows the blas module being loaded).
expect_none() {
    if ! grep -q 'calling init: .*/blas\.so$' "$tmp/$1"/ld.* 2>/dev/null; then
        not_ok "$2" "the blas module is not in the library log"
    elif grep -q 'calling init: .*libopenblas' "$tmp/$1"/ld.*; then
        not_ok "$2" "$(grep -h 'calling init: .*libopenblas' "$tmp/$1"/ld.* |
            sed 1q)"
    else
        ok "$2"
    fi
}

run help "$numlab" help associativity
expect_none help "numlab help EXP loads the blas and bench modules, not OpenBLAS"

run plot "$numlab" plot associativity -o "$tmp/results"
expect_none plot "numlab plot loads no OpenBLAS"

# shellcheck disable=SC2086 # $small is several words
run naive "$numlab" run associativity -b naive -o "$tmp/results" $small
expect_none naive "a run on naive loads OpenBLAS in none of its processes"

# shellcheck disable=SC2086
run blas "$numlab" run associativity -b blas:threads=1 -o "$tmp/results" $small
if grep -q 'calling init: .*/numlab-blas-impl\.so$' "$tmp"/blas/ld.* &&
    grep -q 'calling init: .*libopenblas' "$tmp"/blas/ld.* &&
    grep -q 'blas:threads=1:ok' "$tmp/blas.out"; then
    ok "a run on blas loads its companion and OpenBLAS"
else
    not_ok "a run on blas loads its companion and OpenBLAS" \
        "$(cat "$tmp/blas.out")"
fi

# A copy of the module, first on the plugin path, without its companion
# (beside it in blas/), then with a foreign one.
mkdir "$tmp/modules"
cp "$module" "$tmp/modules/blas.so"
# one_line NAME WHAT PATTERN: the run failed blas alone, in one line that
# matches PATTERN, and naive still ran.
one_line() {
    # shellcheck disable=SC2086
    run "$1" NUMLAB_PLUGIN_PATH="$tmp/modules" "$numlab" run associativity \
        -b blas,naive -o "$tmp/results/$1" $small
    if [ "$(grep -c 'associativity: blas: ' "$tmp/$1.err")" -eq 1 ] &&
        grep -q "associativity: blas: .*$3" "$tmp/$1.err" &&
        grep -q 'blas:failed naive:ok' "$tmp/$1.out"; then
        ok "$2"
    else
        not_ok "$2" "$(cat "$tmp/$1.out")"
    fi
}
one_line missing "a module without its companion: blas fails in one line" \
    'cannot load numlab-blas-impl\.so'
mkdir "$tmp/modules/blas"
cp "$other" "$tmp/modules/blas/numlab-blas-impl.so"
one_line foreign "a foreign companion: blas fails in one line" \
    'has no nl_blas_impl(): not the companion this module expects'

# A module that does not forward a hook its companion sets is refused in
# one line that names the hook (tests/plugins/halves/).
one_line_halves() {
    # shellcheck disable=SC2086
    run halves NUMLAB_PLUGIN_PATH="$abs_top_builddir/tests/plugins/halves/.libs" \
        "$numlab" run associativity -b halves,naive -o "$tmp/results/halves" $small
    if [ "$(grep -c 'associativity: halves: ' "$tmp/halves.err")" -eq 1 ] &&
        grep -q "associativity: halves: numlab-halves-impl\.so has dot(), which the module does not forward" \
            "$tmp/halves.err" &&
        grep -q 'halves:failed naive:ok' "$tmp/halves.out"; then
        ok "$1"
    else
        not_ok "$1" "$(cat "$tmp/halves.out")"
    fi
}
one_line_halves "a companion with a hook the module does not forward: one line"

# The bench measures cblas_sgemm directly, through its own companion.
run bench "$numlab" bench -b naive -p kernels=sum -p sizes=1000 \
    -p gemm_sizes=64 -p min_time=0.001 -o "$tmp/results"
if grep -q 'calling init: .*/numlab-bench-cblas\.so$' "$tmp"/bench/ld.* &&
    grep -E -q '^"cblas_sgemm" 64 [0-9]+ [0-9.e-]+ [0-9]' \
        "$tmp/results/bench/bench-references.dat"; then
    ok "numlab bench times cblas_sgemm through its companion"
else
    not_ok "numlab bench times cblas_sgemm through its companion" \
        "$(grep cblas "$tmp/results/bench/bench-references.dat")"
fi
