#!/bin/sh
# test-blas-symbols.sh — configure promises only what links: the BLAS
# functions it checks in the chosen OpenBLAS (NL_BLAS_FUNCTIONS in config.h,
# from configure.ac) are exactly those numlab's built modules call. A call
# added without the check, or a check left behind, fails here. Prints TAP.
set -u
: "${abs_top_builddir:?}"
echo "1..2"
if ! command -v nm >/dev/null 2>&1; then
    echo "ok 1 # SKIP nm (binutils) is not installed"
    echo "ok 2 # SKIP nm (binutils) is not installed"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-blas-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

sed -n 's/^#define NL_BLAS_FUNCTIONS "\(.*\)"$/\1/p' \
    "$abs_top_builddir/config.h" | tr ' ' '\n' | sed '/^$/d' | sort -u \
    >"$tmp/checked"
find "$abs_top_builddir" -path "$abs_top_builddir/tests" -prune -o \
    -path '*/.libs/*.so' -type f -print >"$tmp/modules"
: >"$tmp/called"
while read -r m; do
    nm -D --undefined-only "$m" | awk '{print $NF}' |
        grep -E '^(cblas|openblas)_' >>"$tmp/called"
done <"$tmp/modules"
sort -u -o "$tmp/called" "$tmp/called"

if [ -s "$tmp/checked" ] && [ -s "$tmp/called" ] &&
   grep -q 'blas/impl/\.libs/numlab-blas-impl\.so$' "$tmp/modules"; then
    echo "ok 1 - the modules call BLAS functions and configure checks some"
else
    echo "not ok 1 - the modules call BLAS functions and configure checks some"
    exit 0
fi
if cmp -s "$tmp/checked" "$tmp/called"; then
    echo "ok 2 - configure checks exactly the BLAS functions the modules call"
else
    echo "# called by a module but not checked by configure:"
    comm -13 "$tmp/checked" "$tmp/called" | sed 's/^/#   /'
    echo "# checked by configure but called by no module:"
    comm -23 "$tmp/checked" "$tmp/called" | sed 's/^/#   /'
    echo "not ok 2 - configure checks exactly the BLAS functions the modules call"
fi
