#!/bin/sh
# test-openblas-cores.sh — the blas backend under every OpenBLAS core type
# this CPU can execute, whatever the caller's environment says.
#
# A DYNAMIC_ARCH OpenBLAS (Debian's) picks its kernels per CPU at load
# time; OPENBLAS_CORETYPE forces a choice. Debian's 0.3.21 has a broken
# cblas_ssum under SkylakeX and Cooperlake, the cores it picks on every
# AVX-512 CPU, and some machines set OPENBLAS_CORETYPE=Haswell, which hides
# it. So for the CPU's own choice (the variable unset) and for each core
# whose instruction set the CPU has (from /proc/cpuinfo), this checks that
# OpenBLAS really runs that core (numlab list names it), then runs the
# blas conformance tests and the MiniGPT training test (seeds 42 and 3)
# with it. Core types of CPUs without today's instructions (3DNow!, SSE4a,
# FMA4: the AMD K8 to Excavator families, VIA Nano) are left out: their
# kernels stop with SIGILL on CPUs without them. NL_OPENBLAS_CORES, when
# set, replaces the list of forced cores (empty: the CPU's own choice
# only; tests/sanitize.sh sets it, as OpenBLAS is not instrumented and
# twelve MiniGPT trainings under the sanitizers would double that stage).
# Prints TAP.
set -u
: "${abs_top_builddir:?}"
numlab="$abs_top_builddir/framework/numlab"
tests="$abs_top_builddir/tests"

flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*://')
has() { # has FLAG...: every flag is in /proc/cpuinfo
    for f; do
        case " $flags " in *" $f "*) ;; *) return 1 ;; esac
    done
}
avx512="avx512f avx512cd avx512bw avx512dq avx512vl"
cores=""
has pni && cores="$cores Prescott"
has ssse3 && cores="$cores Core2 Atom"
has sse4_1 && cores="$cores Penryn Dunnington"
has sse4_2 && cores="$cores Nehalem"
has avx && cores="$cores Sandybridge"
has avx2 fma && cores="$cores Haswell Zen"
has $avx512 && cores="$cores SkylakeX"
has $avx512 avx512_bf16 && cores="$cores Cooperlake"
[ -n "${NL_OPENBLAS_CORES+set}" ] && cores=${NL_OPENBLAS_CORES:+ $NL_OPENBLAS_CORES}

set -- unset $cores
echo "1..$(($# * 3))"
echo "# CPU: $(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//')"
echo "# caller's OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE-unset}; cores checked:$cores"

with_core() { # with_core CORE COMMAND...: run with that core forced, or unset
    core=$1
    shift
    if [ "$core" = unset ]; then
        env -u OPENBLAS_CORETYPE "$@"
    else
        env OPENBLAS_CORETYPE="$core" "$@"
    fi
}

log=$(mktemp "${TMPDIR:-/tmp}/numlab-cores-XXXXXX")
trap 'rm -f "$log"' EXIT
n=0
for core; do
    # 1. OpenBLAS runs the core asked for; the blas self-check's result
    n=$((n + 1))
    blas=$(with_core "$core" "$numlab" list 2>"$log" | sed -n '/^  blas /,/^  [a-z]/p')
    picked=$(echo "$blas" | sed -n 's/.*OpenBLAS [^,]*, core \([A-Za-z0-9_]*\),.*/\1/p')
    echo "# $core: OpenBLAS runs core ${picked:-?};$(echo "$blas" | sed -n 's/^ *self-check/ self-check/p')"
    if [ -z "$picked" ]; then
        cat "$log" >&2
        echo "not ok $n - $core: numlab list names no OpenBLAS core"
    elif [ "$core" != unset ] && [ "$picked" != "$core" ] &&
         ! echo "$blas" | grep -q DYNAMIC_ARCH; then
        echo "ok $n - $core # SKIP OpenBLAS without DYNAMIC_ARCH: one core only ($picked)"
    elif [ "$core" != unset ] && [ "$picked" != "$core" ]; then
        echo "not ok $n - $core: OPENBLAS_CORETYPE=$core runs $picked"
    else
        echo "ok $n - $core: OpenBLAS runs core $picked"
    fi

    # 2. every blas kernel against exact values, as the host uses it
    n=$((n + 1))
    if with_core "$core" "$tests/test-conformance" -p /conformance/blas >"$log" 2>&1; then
        echo "ok $n - $core: blas conformance"
    else
        sed 's/^/# /' "$log"
        echo "not ok $n - $core: blas conformance"
    fi

    # 3. MiniGPT trained on blas learns (seed 42 and seed 3)
    n=$((n + 1))
    if with_core "$core" "$tests/test-minigpt" -p /minigpt/default-run \
        -p /minigpt/seed-3 >"$log" 2>&1; then
        echo "ok $n - $core: MiniGPT on blas, seeds 42 and 3$(sed -n 's/^# \([a-z0-9-]*\): trained in [0-9.]* s: \(loss [0-9.]*\).*/; \1 \2/p' "$log" | tr -d '\n')"
    else
        sed 's/^/# /' "$log"
        echo "not ok $n - $core: MiniGPT on blas, seeds 42 and 3"
    fi
done
