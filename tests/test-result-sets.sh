#!/bin/sh
# test-result-sets.sh — a run replaces its result set OUTDIR/EXP whole or
# not at all (framework/host/resultset.c), and the next run removes what a
# killed one left. TAP output.
#
# A set of seed 1 is replaced by a run of seed 2 that is killed (SIGKILL)
# at every file-system call it makes: each open, write, fsync, mkdir,
# rename, renameat2, unlink and rmdir, counted and hit by
# tests/fault-inject.la (LD_PRELOAD). Then the same run meets a full disk
# (ENOSPC) at every write and fsync, and is killed at random moments.
# After each, OUTDIR/EXP must be one complete set, of seed 1 or 2: its
# manifest lists exactly the files there, and every data file has the
# manifest's seed. At most one crashed run's staging folder may exist at
# any time (each run removes the one before), none after a clean run.
# Last, numlab plot is killed while it renders, and the next plot removes
# its temporary folder.
set -u
builddir=${abs_top_builddir:-$(pwd)}
numlab="$builddir/framework/numlab"
shim="$builddir/tests/.libs/fault-inject.so"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exp=attention
out="$work/out"
# Under AddressSanitizer (tests/sanitize.sh) the fault library is loaded
# before ASan's runtime, which ASan refuses unless told it is fine.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
set_dir="$out/$exp"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

run() { # SEED [env assignments...]: one run of the experiment
    seed=$1
    shift
    env "$@" "$numlab" run "$exp" -b naive --seed "$seed" -o "$out" \
        >"$work/stdout" 2>"$work/stderr"
}

# Prints the seed of the complete set in $set_dir, or a reason it is not one.
set_state() {
    [ -f "$set_dir/manifest.ini" ] || { echo "no manifest"; return; }
    listed=$(sed -n 's/^files=//p' "$set_dir/manifest.ini" | tr ';' '\n' |
        sed '/^$/d' | sort)
    present=$(ls -A "$set_dir" | grep -vx manifest.ini | sort)
    [ "$listed" = "$present" ] || { echo "files differ from the manifest"; return; }
    seed=$(sed -n 's/^seed=//p' "$set_dir/manifest.ini")
    for f in "$set_dir"/*.dat; do
        grep -qx "# seed: $seed" "$f" || { echo "$(basename "$f") is not of seed $seed"; return; }
    done
    echo "seed $seed"
}

staging_count() { ls -A "$out" | grep -c "^\.$exp\.new-"; }

check_after() { # WHAT ALLOWED-SEEDS...: the state after a disturbed run
    what=$1
    shift
    state=$(set_state)
    good=no
    for s in "$@"; do [ "$state" = "seed $s" ] && good=yes; done
    left=$(staging_count)
    if [ $good = yes ] && [ "$left" -le 1 ]; then
        ok "$what: a complete set ($state), $left leftover"
    else
        not_ok "$what: $state, $left leftovers"
    fi
}

if [ ! -f "$shim" ]; then
    echo "1..0 # SKIP $shim not built"
    exit 0
fi

# ---- the calls of one run replacing a set
run 1 || { echo "Bail out! the first run failed: $(cat "$work/stderr")"; exit 1; }
counts="$work/counts"
run 2 LD_PRELOAD="$shim" NL_FAULT_COUNT="$counts"
[ "$(set_state)" = "seed 2" ] && ok "a run under the fault library writes a set" ||
    not_ok "a run under the fault library: $(set_state)"
run 1
count_of() { awk -v c="$1" '$1 == c { print $2 }' "$counts"; }
# one process counted: the runner, not its jobs nor the plugin scanner
counters=$(grep -c '^open ' "$counts")
[ "$counters" = 1 ] && ok "the fault library counts the runner's calls alone" ||
    not_ok "the fault library counted $counters processes, not the runner alone"

# ---- kill -9 at every file-system call
points=0
for call in open write fsync mkdir rename renameat2 unlink rmdir; do
    total=$(count_of $call)
    i=1
    while [ "$i" -le "${total:-0}" ]; do
        before=$(set_state | sed 's/seed //')
        new=$((3 - before))
        run "$new" LD_PRELOAD="$shim" NL_FAULT="$call:$i"
        rc=$?
        if [ $rc -ne 137 ] && [ $rc -ne 0 ]; then
            not_ok "killed at $call $i: exit status $rc: $(head -1 "$work/stderr")"
        else
            check_after "killed at $call #$i of $total" "$before" "$new"
        fi
        points=$((points + 1))
        i=$((i + 1))
    done
done
[ $points -ge 20 ] && ok "$points kill points" || not_ok "only $points kill points"

# ---- a full disk at every write and fsync: one line, the old set unchanged
for call in write fsync; do
    total=$(count_of $call)
    i=1
    while [ "$i" -le "${total:-0}" ]; do
        before=$(set_state | sed 's/seed //')
        run $((3 - before)) LD_PRELOAD="$shim" NL_FAULT="$call:$i:ENOSPC"
        rc=$?
        lines=$(wc -l <"$work/stderr")
        if [ $call = fsync ] && [ "$i" -eq "$total" ]; then
            # the last fsync is the output folder's, after the swap: the
            # new set is in place, and the run says nothing
            [ $rc -eq 0 ] && [ "$lines" -eq 0 ] &&
                check_after "disk full at the output folder's fsync, after the swap" $((3 - before)) ||
                not_ok "disk full at the last fsync: exit $rc: $(head -2 "$work/stderr")"
        elif [ $rc -eq 1 ] && [ "$lines" -eq 1 ] &&
            grep -q "No space left on device; the previous results there are unchanged" "$work/stderr"; then
            check_after "disk full at $call #$i of $total (one line, exit 1)" "$before"
        else
            not_ok "disk full at $call $i: exit $rc, $lines lines: $(head -2 "$work/stderr")"
        fi
        i=$((i + 1))
    done
done

# ---- kill -9 at random moments of a run
i=1
while [ $i -le 10 ]; do
    before=$(set_state | sed 's/seed //')
    new=$((3 - before))
    "$numlab" run "$exp" -b naive --seed "$new" -o "$out" >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(awk -v s="$i" 'BEGIN { srand(s); printf "%03d", rand() * 999 }')"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    check_after "killed at a random moment ($i)" "$before" "$new"
    i=$((i + 1))
done

# ---- --resume after a kill at a random moment writes the set an
# uninterrupted run writes, bit for bit (date lines aside)
rexp=associativity
rparams="-p a6_n=3000000 -p counter_steps=200000000" # jobs of 0.3-0.7 s
same_data() { # A B: the data files of two sets agree, date lines aside
    for f in "$1"/*.dat; do
        grep -v '^# date:' "$f" >"$work/a"
        grep -v '^# date:' "$2/$(basename "$f")" >"$work/b" 2>/dev/null || return 1
        cmp -s "$work/a" "$work/b" || return 1
    done
}
# odd kills fall between a fifth and four fifths of an uninterrupted
# run's time, on this machine as it is now (slower under sanitizers); even
# ones as soon as the journal holds a finished job, so that some resumed
# runs take jobs from it however loaded the machine is. The run is timed
# the second time: the first may also try new modules in the plugin
# scanner (a cold cache), which no later run repeats.
# shellcheck disable=SC2086
"$numlab" run $rexp $rparams -b naive,blas,openmp --seed 5 -o "$work/whole" >/dev/null 2>&1
start=$(date +%s.%N)
# shellcheck disable=SC2086
"$numlab" run $rexp $rparams -b naive,blas,openmp --seed 5 -o "$work/whole" >/dev/null 2>&1
whole=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
resumed_any=0
i=1
while [ $i -le 6 ]; do
    rm -rf "$work/resumed"
    # shellcheck disable=SC2086
    "$numlab" run $rexp $rparams -b naive,blas,openmp --seed 5 -o "$work/resumed" >/dev/null 2>&1 &
    pid=$!
    if [ $((i % 2)) -eq 1 ]; then
        sleep "$(awk -v s="$((i + 20))" -v d="$whole" 'BEGIN { srand(s); printf "%.2f", d * (0.2 + rand() * 0.6) }')"
    else # as soon as the journal holds a finished job, whatever the load
        waited=0
        while [ -z "$(ls "$work/resumed/.$rexp.journal" 2>/dev/null | grep '\.result$')" ] &&
            [ $waited -lt 600 ] && kill -0 $pid 2>/dev/null; do
            sleep 0.05
            waited=$((waited + 1))
        done
    fi
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    # shellcheck disable=SC2086
    "$numlab" run $rexp $rparams -b naive,blas,openmp --seed 5 -o "$work/resumed" --resume \
        >"$work/stdout" 2>"$work/stderr"
    rc=$?
    grep -q "resumed)" "$work/stdout" && resumed_any=$((resumed_any + 1))
    if [ $rc -eq 0 ] && same_data "$work/whole/$rexp" "$work/resumed/$rexp" &&
        [ ! -e "$work/resumed/.$rexp.journal" ]; then
        took=$(grep -o '[0-9]* jobs* resumed' "$work/stdout" || echo "no job resumed")
        ok "resumed after a kill ($i): the uninterrupted set's data; $took"
    else
        not_ok "resumed after a kill ($i): exit $rc: $(head -1 "$work/stderr")"
    fi
    i=$((i + 1))
done
[ $resumed_any -ge 1 ] && ok "$resumed_any of 6 resumed runs took jobs from the journal" ||
    not_ok "no resumed run took a job from the journal: the kills came too early or too late"

# ---- a clean run removes every leftover
run 1
if [ "$(set_state)" = "seed 1" ] && [ "$(staging_count)" -eq 0 ]; then
    ok "a clean run leaves one set and no staging folder"
else
    not_ok "after a clean run: $(set_state), $(staging_count) staging folders"
fi

# ---- a foreign file in the set's folder is never deleted
echo "my notes" >"$set_dir/notes.txt"
run 2
rc=$?
if [ $rc -eq 1 ] && [ -f "$set_dir/notes.txt" ] && [ "$(wc -l <"$work/stderr")" -eq 1 ] &&
    grep -q "holds 'notes.txt', which its manifest does not list" "$work/stderr"; then
    ok "a set folder holding a foreign file is refused in one line and kept"
else
    not_ok "foreign file: exit $rc: $(cat "$work/stderr")"
fi
rm -f "$set_dir/notes.txt"

# ---- numlab plot killed while gnuplot renders; the next plot cleans up
if command -v gnuplot >/dev/null 2>&1; then
    run 1
    i=1
    while [ $i -le 3 ]; do
        "$numlab" plot "$exp" -o "$out" >/dev/null 2>&1 &
        pid=$!
        sleep "0.$((i * 2))"
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        i=$((i + 1))
    done
    "$numlab" plot "$exp" -o "$out" >"$work/stdout" 2>"$work/stderr"
    rc=$?
    left=$(ls -A "$set_dir" | grep -c '^\.plot-')
    if [ $rc -eq 0 ] && [ "$left" -eq 0 ]; then
        ok "the plot after three killed ones leaves no temporary folder"
    else
        not_ok "plot after kills: exit $rc, $left temporary folders: $(head -1 "$work/stderr")"
    fi
    # a set whose files do not match its manifest is not drawn
    echo "0 0" >"$set_dir/e-stray.dat"
    if "$numlab" plot "$exp" -o "$out" >/dev/null 2>"$work/stderr"; then
        not_ok "a set with a file its manifest does not list was drawn"
    else
        grep -q "holds 'e-stray.dat', which its manifest does not list" "$work/stderr" &&
            ok "a set with a file its manifest does not list is not drawn" ||
            not_ok "stray file: $(cat "$work/stderr")"
    fi
else
    ok "# SKIP gnuplot not installed: plot kills not tried"
fi

echo "1..$n"
[ $failed -eq 0 ]
