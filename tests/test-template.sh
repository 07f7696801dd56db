#!/bin/sh
# test-template.sh — the plugin SDK as a student uses it: install numlab
# into a temporary root, MOVE the installed tree elsewhere (the .pc file
# names its prefix relative to itself), build plugins/template out of tree
# with `pkg-config numlab-plugin` and plain make, let the installed runner
# list and run it through NUMLAB_PLUGIN_PATH, and plot it with the script
# that lies beside the plugin, or one on NUMLAB_PLOT_PATH, without
# touching the installed plots folder. Prints TAP.
set -u
: "${abs_top_builddir:?}" "${abs_top_srcdir:?}"
MAKE=${MAKE:-make}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
echo "1..8"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numlab-template-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log"
tmp=$(cd "$tmp" && pwd -P)

if $MAKE -C "$abs_top_builddir" install DESTDIR="$tmp/root" >"$log" 2>&1; then
    echo "ok 1 - make install into a temporary root"
else
    cat "$log" >&2; echo "not ok 1 - make install into a temporary root"; exit 0
fi

# Move the whole installed prefix: nothing may still point at the old place.
prefix=$(sed -n 's/^prefix = //p' "$abs_top_builddir/Makefile")
mkdir "$tmp/moved"
mv "$tmp/root$prefix" "$tmp/moved/numlab"
rm -rf "$tmp/root"
moved="$tmp/moved/numlab"
pc=$(find "$moved" -name numlab-plugin.pc)
export PKG_CONFIG_PATH="${pc%/*}"
pcprefix=$($PKG_CONFIG --variable=prefix numlab-plugin 2>"$log")
if grep -q '^prefix=${pcfiledir}/' "$pc" &&
   [ -n "$pcprefix" ] && [ "$(cd "$pcprefix" && pwd -P)" = "$moved" ]; then
    echo "ok 2 - the moved numlab-plugin.pc names the moved prefix (\${pcfiledir})"
else
    cat "$log" "$pc" >&2
    echo "not ok 2 - the moved numlab-plugin.pc names the moved prefix (\${pcfiledir})"; exit 0
fi
libdir=$($PKG_CONFIG --variable=libdir numlab-plugin)
pkglibdir=$($PKG_CONFIG --variable=pkglibdir numlab-plugin)
templatedir=$($PKG_CONFIG --variable=templatedir numlab-plugin)
plotdir=$($PKG_CONFIG --variable=pkgdatadir numlab-plugin)/plots

# The student's make, not make check's: without its -s (the build log
# must show the compiler's flags) or its jobserver.
unset MAKEFLAGS MFLAGS
cp -R "$templatedir" "$tmp/my-plugin"
chmod -R u+w "$tmp/my-plugin"
if $MAKE -C "$tmp/my-plugin" >"$log" 2>&1 &&
   ls "$tmp/my-plugin"/*.so >/dev/null 2>&1 &&
   grep -q -- "-I$pcprefix/include" "$log"; then
    echo "ok 3 - the template builds out of tree with pkg-config, from the moved prefix"
else
    cat "$log" >&2; echo "not ok 3 - the template builds out of tree with pkg-config, from the moved prefix"; exit 0
fi

# The runner's compiled-in folders are gone with the move (it warns that
# its plugin folder is missing): it is told its plugins (--plugin-dir) and
# built-in plots (NUMLAB_PLOT_DIR).
export LD_LIBRARY_PATH="$libdir" NUMLAB_PLUGIN_PATH="$tmp/my-plugin" \
    NUMLAB_PLOT_DIR="$plotdir"
numlab="$moved/bin/numlab --plugin-dir $pkglibdir"
# blas opens only with its companion, found in the installed layout
# ($pkglibdir/blas/numlab-blas-impl.so; numlab/companion.h).
if $numlab list >"$log" 2>&1 && grep -q '^  my-experiment' "$log" && grep -q '^  naive' "$log" &&
   sed -n '/^  blas /,/^  [a-z]/p' "$log" | grep -q '^ *available (CPU'; then
    echo "ok 4 - the installed numlab lists the template plugin, and blas with its companion"
else
    cat "$log" >&2; echo "not ok 4 - the installed numlab lists the template plugin, and blas with its companion"
fi
if $MAKE -C "$tmp/my-plugin" run NUMLAB="$numlab" RUN_ARGS="-p sizes=10,1000" >"$log" 2>&1 &&
   ls "$tmp/my-plugin/results/my-experiment/"*.dat >/dev/null 2>&1 &&
   grep -q '^status=ok' "$tmp/my-plugin/results/my-experiment/manifest.ini"; then
    echo "ok 5 - the installed numlab runs the template plugin"
else
    cat "$log" >&2; echo "not ok 5 - the installed numlab runs the template plugin"
fi

if ! command -v gnuplot >/dev/null 2>&1; then
    for i in 6 7 8; do echo "ok $i # SKIP gnuplot is not installed"; done
    exit 0
fi
listing() { (cd "$plotdir" && find . -type f -exec cksum {} + | sort); }
before=$(listing)
results="$tmp/my-plugin/results/my-experiment"
if $MAKE -C "$tmp/my-plugin" plot NUMLAB="$numlab" >"$log" 2>&1 &&
   grep -q '^my-experiment: 1 image in ' "$log" && ! grep -q '\.gp" line' "$log" &&
   [ "$(head -c 4 "$results/dot-error.png" | od -An -c | tr -d ' ')" = '211PNG' ]; then
    echo "ok 6 - make plot renders the script beside the plugin (plots/my-experiment/)"
else
    cat "$log" >&2; echo "not ok 6 - make plot renders the script beside the plugin (plots/my-experiment/)"
fi

# NUMLAB_PLOT_PATH is searched first, and replaces (not merges with) the
# scripts beside the plugin; an empty entry is not the current folder.
mkdir -p "$tmp/extra/my-experiment"
cat >"$tmp/extra/my-experiment/agreement.gp" <<'GP'
load common
set output fig('agreement')
plot datadir.'/dot-error.dat' index 0 using 1:5 with points title 'ulps'
GP
rm -f "$results/dot-error.png"
if NUMLAB_PLOT_PATH=":$tmp/nowhere:$tmp/extra" $numlab plot my-experiment \
       -o "$tmp/my-plugin/results" >"$log" 2>&1 &&
   [ -f "$results/agreement.png" ] && [ ! -e "$results/dot-error.png" ]; then
    echo "ok 7 - NUMLAB_PLOT_PATH is searched before the folder beside the plugin"
else
    cat "$log" >&2; echo "not ok 7 - NUMLAB_PLOT_PATH is searched before the folder beside the plugin"
fi
if [ "$(listing)" = "$before" ] && [ ! -e "$plotdir/my-experiment" ]; then
    echo "ok 8 - the installed plots folder is untouched"
else
    echo "not ok 8 - the installed plots folder is untouched"
fi
