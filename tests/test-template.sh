#!/bin/sh
# test-template.sh — the plugin SDK as a student uses it: install numlab
# into a temporary root, build plugins/template out of tree with
# `pkg-config numlab-plugin` and plain make, then let the installed runner
# list and run it through NUMLAB_PLUGIN_PATH. Prints TAP.
set -u
: "${abs_top_builddir:?}" "${abs_top_srcdir:?}"
MAKE=${MAKE:-make}
echo "1..4"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-template-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log"

if $MAKE -C "$abs_top_builddir" install DESTDIR="$tmp/root" >"$log" 2>&1; then
    echo "ok 1 - make install into a temporary root"
else
    cat "$log" >&2; echo "not ok 1 - make install into a temporary root"; exit 0
fi
prefix=$(sed -n 's/^prefix=//p' "$abs_top_builddir/plugins/numlab-plugin.pc")
root="$tmp/root$prefix"
libdir=$(sed -n 's/^libdir=//p' "$abs_top_builddir/plugins/numlab-plugin.pc" | sed "s|\${exec_prefix}|$prefix|; s|\${prefix}|$prefix|")

cp -R "$root/share/numlab/template" "$tmp/my-plugin"
chmod -R u+w "$tmp/my-plugin"
# The installed .pc names the configured prefix; a copy points at the
# temporary root instead (libdir and includedir derive from prefix).
mkdir "$tmp/pc"
sed "s|^prefix=.*|prefix=$root|" "$tmp/root$libdir/pkgconfig/numlab-plugin.pc" \
    >"$tmp/pc/numlab-plugin.pc"
if PKG_CONFIG_PATH="$tmp/pc" $MAKE -C "$tmp/my-plugin" >"$log" 2>&1 &&
   ls "$tmp/my-plugin"/*.so >/dev/null 2>&1; then
    echo "ok 2 - the template builds out of tree with pkg-config"
else
    cat "$log" >&2; echo "not ok 2 - the template builds out of tree with pkg-config"; exit 0
fi

run() {
    LD_LIBRARY_PATH="$tmp/root$libdir" NUMLAB_PLUGIN_PATH="$tmp/my-plugin" \
        "$root/bin/numlab" --plugin-dir "$tmp/root$libdir/numlab" "$@"
}
if run list >"$log" 2>&1 && grep -q '^  my-experiment' "$log" && grep -q '^  naive' "$log"; then
    echo "ok 3 - the installed numlab lists the template plugin"
else
    cat "$log" >&2; echo "not ok 3 - the installed numlab lists the template plugin"
fi
if run run my-experiment -b naive -o "$tmp/results" >"$log" 2>&1 &&
   ls "$tmp/results/my-experiment/"*.dat >/dev/null 2>&1 &&
   grep -q '^status=ok' "$tmp/results/my-experiment/manifest.ini"; then
    echo "ok 4 - the installed numlab runs the template plugin"
else
    cat "$log" >&2; echo "not ok 4 - the installed numlab runs the template plugin"
fi
