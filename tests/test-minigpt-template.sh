#!/bin/sh
# test-minigpt-template.sh — an experiment on the lecture's model as a
# student writes it: install numlab into a temporary root, build the
# installed template-minigpt out of tree with `pkg-config numlab-minigpt`
# only (the .pc read where it was installed, its prefix found from its own
# place), and run it with the installed numlab. Its numbers are checked
# against things it does not compute itself: the first loss of an
# untrained model is log V (a near-uniform guess), and its checkpoint is,
# byte for byte, the one the installed minigpt experiment trains with the
# same seed and steps. Also: the installed libnumlab and core SDK hold no
# model. Prints TAP.
set -u
: "${abs_top_builddir:?}" "${abs_top_srcdir:?}"
MAKE=${MAKE:-make}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
echo "1..6"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-minigpt-template-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log"
fail() { cat "$log" >&2; echo "not ok $1"; exit 0; }

$MAKE -C "$abs_top_builddir" install DESTDIR="$tmp/root" >"$log" 2>&1 ||
    fail "1 - make install into a temporary root"
echo "ok 1 - make install into a temporary root"

pc=$(find "$tmp/root" -name numlab-minigpt.pc | head -n 1)
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
numlab=$(find "$tmp/root" -path '*/bin/numlab' | head -n 1)
template=$(find "$tmp/root" -type d -name template-minigpt | head -n 1)
# numlab-plugin.pc, which numlab-minigpt.pc requires, may still name the
# configured prefix: then a copy pointing at the temporary root goes first.
mkdir "$tmp/pc"
if ! grep -q '^prefix=\${pcfiledir}' "$pcdir/numlab-plugin.pc"; then
    p=$(sed -n 's/^prefix=//p' "$pcdir/numlab-plugin.pc")
    sed "s|^prefix=.*|prefix=$tmp/root$p|" "$pcdir/numlab-plugin.pc" \
        >"$tmp/pc/numlab-plugin.pc"
fi
export PKG_CONFIG_PATH="$tmp/pc:$pcdir"
inc=$($PKG_CONFIG --variable=includedir numlab-minigpt 2>"$log")
lib=$($PKG_CONFIG --variable=libdir numlab-minigpt 2>>"$log")
if [ -n "$pc" ] && grep -q '^prefix=\${pcfiledir}' "$pc" &&
   [ -f "$inc/numlab-minigpt/minigpt.h" ] && [ -f "$inc/numlab-minigpt/lecture.h" ] &&
   [ -f "$lib/libnumlab-minigpt.so" ] &&
   $PKG_CONFIG --cflags --libs numlab-minigpt >>"$log" 2>&1; then
    echo "ok 2 - the installed numlab-minigpt.pc finds the moved tree from its place"
else
    fail "2 - the installed numlab-minigpt.pc finds the moved tree from its place"
fi

# The core: no model symbol in libnumlab, no model header in the SDK.
if ! grep -q nl_gpt_ "$libdir"/libnumlab.so.* &&
   ! grep -rq 'nl_gpt\|numlab-minigpt\|gpt\.h' "$inc/numlab" &&
   [ ! -e "$inc/numlab/gpt.h" ]; then
    echo "ok 3 - libnumlab and numlab/*.h hold no model"
else
    echo "not ok 3 - libnumlab and numlab/*.h hold no model"
fi

cp -R "$template" "$tmp/my-gpt"
chmod -R u+w "$tmp/my-gpt"
if $MAKE -C "$tmp/my-gpt" >"$log" 2>&1 && [ -f "$tmp/my-gpt/my-gpt.so" ]; then
    echo "ok 4 - template-minigpt builds out of tree with pkg-config numlab-minigpt"
else
    fail "4 - template-minigpt builds out of tree with pkg-config numlab-minigpt"
fi

run() {
    LD_LIBRARY_PATH="$libdir" NUMLAB_PLUGIN_PATH="$tmp/my-gpt" \
        "$numlab" --plugin-dir "$libdir/numlab" "$@"
}
# The first data row of a .dat file.
first_row() { awk '!/^#/ && NF { print; exit }' "$1"; }

out="$tmp/results"
if run run my-gpt -b naive -p steps=3 -o "$out" >"$log" 2>&1 &&
   grep -q '^status=ok' "$out/my-gpt/manifest.ini" &&
   first_row "$out/my-gpt/loss.dat" |
       awk '{ d = $2 - $3; if (d < 0) d = -d; exit !(NF == 3 && $1 == 0 && d < 0.1) }' &&
   [ "$(awk '!/^#/ && NF && $4 <= 0' "$out/my-gpt/next-word.dat" | wc -l)" -eq 5 ]; then
    echo "ok 5 - the installed numlab runs it: first loss within 0.1 of log V"
else
    { first_row "$out/my-gpt/loss.dat"; cat "$out/my-gpt/next-word.dat"; } >>"$log" 2>&1
    fail "5 - the installed numlab runs it: first loss within 0.1 of log V"
fi

if run run minigpt -b naive -p steps=3 -o "$out" >"$log" 2>&1 &&
   cmp "$out/minigpt/naive-minigpt.ckpt" "$out/my-gpt/naive-model.ckpt" >>"$log" 2>&1 &&
   [ "$(first_row "$out/minigpt/loss.dat" | awk '{ print $2 }')" = \
     "$(first_row "$out/my-gpt/loss.dat" | awk '{ print $2 }')" ]; then
    echo "ok 6 - its model is the installed minigpt's, byte for byte"
else
    fail "6 - its model is the installed minigpt's, byte for byte"
fi
