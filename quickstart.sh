#!/bin/sh
# quickstart.sh — from a fresh clone (Debian 12) to results, or to tests.
#
#   ./quickstart.sh          install what is missing, build, run every
#                            experiment on every available backend, render
#                            every figure into results/EXP/ (German and
#                            English), and write the report page
#                            results/index.html (and index.en.html)
#   ./quickstart.sh check    install what is missing, build with -Werror,
#                            run the whole test suite (make check, then
#                            make distcheck), then the suite again under
#                            AddressSanitizer + UBSan (tests/sanitize.sh)
#                            and each fuzz target for 60 s
#                            (tests/fuzz/run.sh); doc/testing.md
#
# Installing needs root or sudo; packages already present are not touched.
set -eu
cd "$(dirname "$0")"
mode=${1:-main}
case $mode in
main|check) ;;
*) echo "usage: $0 [check]" >&2; exit 2 ;;
esac

# ---- what the build, the tests and the plots need (Debian package names)
packages="build-essential autoconf automake libtool pkg-config
libglib2.0-dev libopenblas-dev libmpfr-dev libgmp-dev gnuplot-nox locales
openmpi-bin libopenmpi-dev"
# the test suite also checks the code's format (tests/test-format.sh);
# the fuzz targets need clang and its libFuzzer runtime, which Debian 12's
# clang only recommends (apt-get install --no-install-recommends skips it)
# and the report's test loads the page in Debian's chromium, headless
[ "$mode" = check ] && packages="$packages clang-format clang libclang-rt-14-dev chromium"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "quickstart: installing:$missing"
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends $missing >/dev/null
fi
# A locale with a decimal comma lets the tests prove numbers ignore it.
if ! locale -a 2>/dev/null | grep -qi '^de_DE.utf-\?8$'; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    if [ -f /etc/locale.gen ]; then
        $sudo sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' /etc/locale.gen
        $sudo locale-gen >/dev/null 2>&1 || echo "quickstart: locale-gen failed (a test will skip)"
    fi
fi

# ---- build
jobs=$(nproc 2>/dev/null || echo 2)
[ -x configure ] || ./autogen.sh >/dev/null
if [ "$mode" = check ]; then
    ./configure -q --enable-werror
else
    [ -f Makefile ] || ./configure -q
fi
make -s -j"$jobs"

if [ "$mode" = check ]; then
    # Each stage says how long it took. .ci/run tallies the automake
    # summary of the first (make check); the sanitizer and fuzz stages
    # print only their own lines, and any finding fails the run.
    stage() { # LABEL COMMAND...
        label=$1 t0=$(date +%s)
        shift
        "$@"
        echo "quickstart: $label: $(($(date +%s) - t0)) s"
    }
    stage "make check" make -s -j"$jobs" check
    stage "make distcheck" make -s -j"$jobs" distcheck \
        DISTCHECK_CONFIGURE_FLAGS=--enable-werror
    stage "sanitizers" tests/sanitize.sh
    stage "fuzzing" tests/fuzz/run.sh 60
    exit 0
fi

# ---- the main job: all experiments, all backends, all figures
# Each experiment runs once, with the backends its figures need. The
# lecture model is trained once and kept (~/.cache/numlab; NUMLAB_CACHE_DIR).
numlab=./framework/numlab
started=$(date +%s)
backends=$($numlab list)
printf '%s\n' "$backends"
available() { printf '%s\n' "$backends" | grep -A1 "^  $1 " | grep -q '^ *available'; }
# Figure A6 also puts OpenBLAS and OpenMP at one thread beside their default;
# figures A7 and C4 set the backends at one and two threads, with and
# without batch_invariant=1, side by side (the GPU's when there is one)
a6="all,blas:threads=1,openmp:threads=1"
a7="all,blas:threads=1,openmp:threads=1,openmp:batch_invariant=1,openmp:threads=1:batch_invariant=1"
if available cuda; then a7="$a7,cuda:batch_invariant=1"; fi
# Figure A8 puts 1 to 8 Open MPI ranks, three allreduce algorithms and the
# rank-count-invariant mode side by side (mpi is never in -b all); doc/figures.md
# has the run with every rank count and algorithm
a8=all
if available mpi; then
    a8="mpi:ranks=1,mpi:ranks=2,mpi:ranks=4,mpi:ranks=8"
    for alg in basic_linear ring rabenseifner; do a8="$a8,mpi:ranks=4:algorithm=$alg"; done
    a8="$a8,mpi:ranks=2:invariant=1,mpi:ranks=8:invariant=1"
fi
# The bench's results are times: it runs first, with nothing beside it.
# Then the other experiments run side by side, as their jobs do within
# each (their bits do not depend on it; numlab's waiting threads sleep,
# so the processes share the cores); one that fails fails the main job
# once the others are written.
$numlab run bench -o results
pids=""
beside() { "$@" & pids="$pids $!"; }
beside $numlab run all -b all --except bench,associativity,reduction-tree,logprob,devices -o results
beside $numlab run associativity -b "$a6" -o results
beside $numlab run reduction-tree -b "$a7" -o results
beside $numlab run logprob -b "$a7" -o results
beside $numlab run devices -b "$a8" -o results
failed=0
for pid in $pids; do wait "$pid" || failed=1; done
[ "$failed" -eq 0 ] || { echo "quickstart: an experiment reported a problem (above)" >&2; exit 1; }
$numlab plot all -o results --format png,svg,pdf
$numlab plot all -o results --lang en
# One page with every figure, the jobs and the lecture's values beside these
$numlab report -o results
$numlab report -o results --lang en
echo
echo "quickstart: the main job took $(($(date +%s) - started)) s after the build"
echo "quickstart: data (.dat), figures (.png .svg .pdf; English: NAME.en.png) and manifests are in results/<experiment>/"
echo "quickstart: the report: $PWD/results/index.html (English: $PWD/results/index.en.html)"
