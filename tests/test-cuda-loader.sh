#!/bin/sh
# test-cuda-loader.sh — CUDA is loaded only where the cuda backend is
# opened (issue 19; backends/cuda/cuda.c). The dynamic loader's log of
# every process a command starts (LD_DEBUG=libs, one file per process)
# must not name libcublas or libcudart for commands that load the modules
# but open no CUDA backend, nor for `numlab list` where cuda is
# unavailable. With tests/fake-libcuda.la as the driver, which claims a
# device, opening cuda does load them: the loader finds its implementation
# in the build tree. A functional check; start-up time and memory are
# measured by `make bench-startup`, never asserted. Prints TAP.
set -u
: "${abs_top_builddir:?}"
numlab=$abs_top_builddir/framework/numlab
module=$abs_top_builddir/backends/cuda/.libs/cuda.so
fake=$abs_top_builddir/tests/.libs/fake-libcuda.so
total=8
echo "1..$total"
if [ ! -f "$module" ] || [ ! -f "$fake" ]; then
    i=1
    while [ "$i" -le "$total" ]; do
        echo "ok $i # SKIP the cuda backend is not built (no nvcc)"
        i=$((i + 1))
    done
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-cuda-loader-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/driver" "$tmp/results"
ln -s "$fake" "$tmp/driver/libcuda.so.1"
fake_driver="LD_LIBRARY_PATH=$tmp/driver${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

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

# The logs of run NAME that name the CUDA runtime or cuBLAS: loaded, or
# even looked for.
cuda_logs() { grep -l -E 'lib(cublas|cublasLt|cudart)\.so' "$tmp/$1"/ld.* 2>/dev/null; }

# expect_none NAME WHAT: no process of run NAME came near CUDA's
# libraries, and the log is real (it shows libnumlab being loaded).
expect_none() {
    if ! grep -q 'libnumlab\.so' "$tmp/$1"/ld.* 2>/dev/null; then
        not_ok "$2" "no library log: LD_DEBUG had no effect"
    elif [ -n "$(cuda_logs "$1")" ]; then
        not_ok "$2" "$(grep -h -E 'lib(cublas|cublasLt|cudart)\.so' \
            $(cuda_logs "$1") | sed 1q)"
    else
        ok "$2"
    fi
}

run version "$numlab" --version
expect_none version "numlab --version maps no CUDA library"

run help "$numlab" help associativity
if ! grep -q 'calling init: .*/backends/cuda/\.libs/cuda\.so' "$tmp"/help/ld.*; then
    not_ok "numlab help EXP loads the cuda module" "cuda.so is not in the log"
else
    expect_none help "numlab help EXP loads the cuda module and no CUDA library"
fi

run plot "$numlab" plot associativity -o "$tmp/results"
expect_none plot "numlab plot maps no CUDA library"

run naive "$numlab" run associativity -b naive -o "$tmp/results" \
    -p counter_steps=1000 -p shuffles=50 -p a6_n=1000
expect_none naive "a run on naive maps no CUDA library in any of its processes"

run list "$numlab" list
if grep -q 'unavailable: no CUDA device' "$tmp/list.out"; then
    expect_none list "numlab list says cuda is unavailable and maps no CUDA library"
else
    n=$((n + 1))
    echo "ok $n # SKIP cuda is available here: numlab list opens it"
fi

run none "$fake_driver" NUMLAB_FAKE_CUDA_DEVICES=0 "$numlab" help cuda
if grep -q 'no CUDA device (the driver sees none)' "$tmp/none.out"; then
    expect_none none "a driver with no device: unavailable, no CUDA library"
else
    not_ok "a driver with no device: unavailable, no CUDA library" \
        "$(grep Precisions "$tmp/none.out")"
fi

run nodev1 "$fake_driver" "$numlab" run associativity -b cuda:device=1 \
    -o "$tmp/results"
if grep -q 'no CUDA device 1 (this machine has 1)' "$tmp/nodev1.err"; then
    expect_none nodev1 "a device number the driver lacks: no CUDA library"
else
    not_ok "a device number the driver lacks: no CUDA library"
fi

# The fake passes the loader's probe; the runtime then refuses it.
run open "$fake_driver" "$numlab" help cuda
if grep -q -E 'calling init: .*libcublas\.so' "$tmp"/open/ld.* &&
    grep -q 'Precisions: not known here (no CUDA device' "$tmp/open.out"; then
    ok "with a device, opening cuda loads its implementation and cuBLAS"
else
    not_ok "with a device, opening cuda loads its implementation and cuBLAS" \
        "$(grep Precisions "$tmp/open.out")"
fi
