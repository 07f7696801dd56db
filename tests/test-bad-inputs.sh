#!/bin/sh
# test-bad-inputs.sh — every bad input gets one line on stderr, exit status
# 1 or 2, and changes nothing on disk. TAP output, one test per input, and
# a last line with the tally the reliability audit reports:
#   N bad inputs: N clean, N accepted, N noisy, N crashed, N hung
# (accepted: exit 0; noisy: more or less than one stderr line, or a file
# written; crashed: killed by a signal; hung: still running after 120 s).
#
# The inputs are a fixed list of command lines, and for every parameter
# of every experiment (read from `numlab help EXP`) values its type must
# refuse: text for a number, overflow, underflow, NaN, an empty value, an
# empty list item, a reversed range, a word not among its choices.
set -u
builddir=${abs_top_builddir:-$(pwd)}
numlab="$builddir/framework/numlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/results"
mkdir -p "$out"
# a set already there must survive every bad input untouched
"$numlab" run gradient-descent -b naive -o "$out" >/dev/null 2>&1 ||
    { echo "Bail out! cannot write the reference set"; exit 1; }
# every file with its size and time, every folder by name (a folder's
# time changes with a staging folder made and removed in it)
snapshot() {
    (cd "$out" && find . \( -type f -printf '%p %s %T@\n' \) -o -printf '%p/\n' |
        sort)
}
before=$(snapshot)

n=0 clean=0 accepted=0 noisy=0 crashed=0 hung=0
try() { # DESCRIPTION ARGS...: one bad input
    what=$1
    shift
    timeout 120 "$numlab" "$@" </dev/null >"$work/stdout" 2>"$work/stderr"
    rc=$?
    lines=$(wc -l <"$work/stderr")
    now=$(snapshot)
    n=$((n + 1))
    if [ $rc -eq 124 ]; then
        hung=$((hung + 1)) class="hung"
    elif [ $rc -gt 128 ]; then
        crashed=$((crashed + 1)) class="crashed (exit $rc)"
    elif [ $rc -eq 0 ]; then
        accepted=$((accepted + 1)) class="silently accepted"
    elif [ "$lines" -ne 1 ] || [ "$now" != "$before" ] ||
        { [ $rc -ne 1 ] && [ $rc -ne 2 ]; }; then
        noisy=$((noisy + 1))
        class="noisy: exit $rc, $lines lines$([ "$now" != "$before" ] && echo ', files changed')"
    else
        clean=$((clean + 1))
        echo "ok $n - $what: $(cat "$work/stderr")"
        return
    fi
    echo "not ok $n - $what: $class: $(head -c 300 "$work/stderr" | tr '\n' '|')"
    # put the disk back for the next input
    rm -rf "$out"
    mkdir -p "$out"
    "$numlab" run gradient-descent -b naive -o "$out" >/dev/null 2>&1
    before=$(snapshot)
}

o="$out"
# ---- the command line
try "no command"
try "unknown command" frobnicate
try "unknown option" --frobnicate
try "run without experiment" run
try "run with two experiments" run attention temperature -o "$o"
try "unknown experiment" run nosuch -o "$o"
try "unknown option of run" run attention --frobnicate -o "$o"
try "negative seed" run attention --seed -1 -o "$o"
try "seed not a number" run attention --seed abc -o "$o"
try "seed overflows" run attention --seed 99999999999999999999999 -o "$o"
try "empty -o" run attention -o ""
try "empty -b" run gradient-descent -b "" -o "$o"
try "-b of commas" run gradient-descent -b ",," -o "$o"
try "unknown backend" run gradient-descent -b nosuch -o "$o/new"
try "unknown backend, experiment without a backend phase" run attention -b nosuch -o "$o/new"
try "unknown backend option" run gradient-descent -b naive:frobnicate=1 -o "$o/new"
try "bad backend option value" run gradient-descent -b blas:threads=abc -o "$o/new"
try "backend option out of range" run gradient-descent -b blas:threads=0 -o "$o/new"
try "backend spec with a quote" run gradient-descent -b "nai've" -o "$o/new"
try "backend spec with a space" run gradient-descent -b "na ive" -o "$o/new"
try "output through a file" run attention -o "$out/gradient-descent/manifest.ini/x"
try "parameter without =" run attention -p scale -o "$o/new"
try "unknown parameter" run attention -p nosuch=1 -o "$o/new"
try "-p with all" run all -p scale=1 -o "$o/new"
try "--except without all" run attention --except bench -o "$o/new"
try "--except of an unknown experiment" run all --except nosuch -o "$o/new"
try "relative plugin folder" --plugin-dir=. list
try "relative --plugin-dir after the command" run attention -o "$o/new" --plugin-dir relative
try "help without a name" help
try "help of an unknown plugin" help nosuch
try "plot without experiment" plot
try "plot of an unknown experiment" plot nosuch -o "$o"
try "plot without results" plot attention -o "$o/new"
try "plot in an unknown format" plot gradient-descent --format gif -o "$o"
try "plot in an unknown language" plot gradient-descent --lang fr -o "$o"
try "rerun without a set" rerun
try "rerun of no set" rerun "$o/new"
try "rerun over itself" rerun "$out/gradient-descent" -o "$out"
try "bench with an argument" bench extra -o "$o/new"

# ---- every parameter of every experiment, with values its type refuses
# (NL_BAD_INPUTS=fixed leaves them out: tests/sanitize.sh does, since the
# parameter parser's fuzz target covers them under the sanitizers)
experiments=$("$numlab" list 2>/dev/null | awk '/^Experiments:/ { e = 1; next }
    e && /^  [a-z]/ { print $1 }')
for exp in $experiments; do
    "$numlab" help "$exp" | awk '/^Parameters/ { p = 1; next }
        p && /^  [a-z_0-9]+ / { name = $1; $1 = ""; print name "\t" $0 }' |
        while IFS="$(printf '\t')" read -r name type; do
            case $type in
            " int range"*) values="abc 99999999999999999999 5:1 1:9:0" ;;
            " list of name=double"*) values="abc =1 a=1e400" ;;
            " list of"*" int"*) values="1.5 99999999999999999999 1,,2" ;;
            " list of"*" double"*) values="abc 1e400 1e-400 1,,2" ;;
            " matrix of double"*) values="abc nan" ;;
            " int"*) values="abc 1.5 99999999999999999999" ;;
            " double"*) values="abc 1e400 1e-400 nan" ;;
            " one of"*) values="nosuch" ;;
            *) values="" ;; # strings: any text may be valid
            esac
            for v in $values; do
                echo "$exp $name $v"
            done
        done
done >"$work/params"
[ "${NL_BAD_INPUTS-}" = fixed ] && : >"$work/params"
while read -r exp name v; do
    try "$exp -p $name=$v" run "$exp" -b naive -p "$name=$v" -o "$o/new"
done <"$work/params"

echo "# $n bad inputs: $clean clean, $accepted accepted, $noisy noisy, $crashed crashed, $hung hung"
echo "1..$n"
