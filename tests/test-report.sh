#!/bin/sh
# test-report.sh — numlab report (framework/host/report.c): one HTML page
# per results folder, German and English, with every set's status, the
# lecture's values beside the run's, and every figure; then the page in a
# real browser, Debian's chromium, headless: it loads, every image
# resolves, the console stays empty, and a screenshot is taken
# (tests/report-screenshot.png in the build tree). TAP output; the browser
# checks are skipped where chromium is missing, the figures where gnuplot
# is.
set -u
builddir=${abs_top_builddir:-$(pwd)}
numlab="$builddir/framework/numlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/results"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
check() { # DESCRIPTION COMMAND...
    what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

for exp in attention gradient-descent; do
    "$numlab" run "$exp" -b naive -o "$out" >/dev/null 2>"$work/err" ||
        { echo "Bail out! numlab run $exp: $(cat "$work/err")"; exit 1; }
done
have_gnuplot=no
if command -v gnuplot >/dev/null 2>&1; then
    have_gnuplot=yes
    for exp in attention gradient-descent; do
        for lang in de en; do
            "$numlab" plot "$exp" -o "$out" --lang "$lang" >/dev/null \
                2>"$work/err" ||
                { echo "Bail out! numlab plot: $(cat "$work/err")"; exit 1; }
        done
    done
fi
images_de=$(ls "$out"/*/*.png 2>/dev/null | grep -vc '\.en\.png$')
images_en=$(ls "$out"/*/*.en.png 2>/dev/null | wc -l)

# ---- the pages
"$numlab" report -o "$out" >"$work/stdout" 2>"$work/stderr"
rc=$?
page="$out/index.html"
check "report writes index.html, exit 0, nothing on stderr" \
    test $rc -eq 0 -a -s "$page" -a ! -s "$work/stderr"
check "it says where: $(cat "$work/stdout")" \
    grep -q "^report: 2 result sets, $images_de figures: $page\$" "$work/stdout"
check "a section per result set" \
    sh -c "grep -q '<h2 id=\"attention\">' '$page' && grep -q '<h2 id=\"gradient-descent\">' '$page'"
check "the lecture's 0.339 beside this run's 0,399 (E12), in German number style" \
    sh -c "grep -q '<td>E12<br>' '$page' && grep -q '<td class=\"lecture\">0.339</td><td>0,399<br>' '$page'"
check "the wrong iteration 4 of D1 beside the run's 0.090 (E38)" \
    grep -q '<td class="lecture">0.90</td><td>0,09<br>' "$page"
# the key numbers, read from this run's tables: D4's case 2 loss is
# -ln(exp(3.52) / sum exp(z)) = 0.368243 (doc/errata.md, E50)
check "the run's key numbers: D4's loss of case 2, 0,3682 nats" \
    sh -c "grep -q '<h3>Kennzahlen dieses Laufs</h3>' '$page' &&
           grep -q 'D4, Fall 2: Verlust −log p_Ziel</td><td class=\"num\">0,3682 nats</td>' '$page'"
check "… and the probability of Frankreich, 0,4403" \
    grep -q 'als nächstes Wort</td><td class="num">0,4403</td>' "$page"
check "the jobs and their self-check" \
    grep -q 'Selbsttest: passed:' "$page"
if [ $have_gnuplot = yes ]; then
    check "every German image with its id and caption ($images_de)" \
        test "$(grep -o '<figure><img src="[a-z-]*/[a-z0-9-]*\.png"' "$page" | wc -l)" -eq "$images_de"
    check "figure E with its caption" \
        grep -q '<figcaption><b>E</b>Das Attention-Beispiel' "$page"
else
    skip "gnuplot is not installed: no figures"
    skip "gnuplot is not installed: no figures"
fi
"$numlab" report -o "$out" --lang en >"$work/stdout" 2>"$work/stderr"
page_en="$out/index.en.html"
check "--lang en writes index.en.html beside index.html" \
    sh -c "[ -s '$page_en' ] && [ -s '$page' ] && grep -q '<html lang=\"en\">' '$page_en'"
check "the English page: the run's 0.399 beside the lecture's 0.339" \
    grep -q '<td class="lecture">0.339</td><td>0.399<br>' "$page_en"
check "the English key numbers in English number style (0.3682 nats)" \
    grep -q 'D4, case 2: loss −log p_target</td><td class="num">0.3682 nats</td>' "$page_en"
if [ $have_gnuplot = yes ]; then
    check "the English page shows the English images ($images_en)" \
        test "$(grep -o '<img src="[a-z-]*/[a-z0-9-]*\.en\.png"' "$page_en" | wc -l)" -eq "$images_en"
else
    skip "gnuplot is not installed: no figures"
fi

# ---- a set that is not a complete result set is named and left out
mkdir "$out/torn<set>"
printf '[run]\nexperiment=x\n[files]\nfiles=gone.dat;\n' >"$out/torn<set>/manifest.ini"
"$numlab" report -o "$out" >/dev/null 2>&1
check "a torn set is named, escaped, and the others still shown" \
    sh -c "grep -q 'torn&lt;set&gt;' '$page' && ! grep -q 'torn<set>' '$page' && grep -q 'kein vollständiger Ergebnissatz' '$page' && grep -q '<h2 id=\"attention\">' '$page'"
rm -rf "$out/torn<set>"

# ---- images the catalogue does not list: a numbered one (more prompts
# than the catalogue names) takes its sibling's id, another its own name
if [ $have_gnuplot = yes ]; then
    gd="$out/gradient-descent"
    cp "$gd/d4-softmax.png" "$gd/d4-softmax-7.png"
    cp "$gd/d4-softmax.png" "$gd/my-own.png"
    "$numlab" report -o "$out" >/dev/null 2>&1
    check "an unlisted d4-softmax-7 is shown as D4, an unlisted my-own as itself" \
        sh -c "grep -q 'src=\"gradient-descent/d4-softmax-7.png\" alt=\"D4\"' '$page' && grep -q 'alt=\"my-own\"' '$page'"
    rm -f "$gd/d4-softmax-7.png" "$gd/my-own.png"
else
    skip "gnuplot is not installed: no figures"
fi
"$numlab" report -o "$out" >/dev/null 2>&1 # the page the browser loads

# ---- bad input: one line, exit 1 or 2
for args in "-o $work/nosuch" "-o $out --lang fr" "-o $out extra" "-o ''"; do
    eval "\"$numlab\" report $args" >/dev/null 2>"$work/err"
    rc=$?
    lines=$(wc -l <"$work/err")
    check "report $args: exit $rc, one line: $(head -1 "$work/err")" \
        test \( $rc -eq 1 -o $rc -eq 2 \) -a "$lines" -eq 1
done

# ---- the page in a browser
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    for i in 1 2 3; do skip "chromium is not installed"; done
else
    flags="--headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0"
    # shellcheck disable=SC2086
    timeout 120 "$browser" $flags --virtual-time-budget=10000 --dump-dom \
        "file://$page" >"$work/dom" 2>"$work/browser" </dev/null
    loaded=$(sed -n 's/.*data-images="\([0-9]*\/[0-9]*\)".*/\1/p' "$work/dom" | head -1)
    check "chromium loads the page and resolves every image: $loaded" \
        test -n "$loaded" -a "${loaded%/*}" = "${loaded#*/}"
    check "no console message" sh -c "! grep -q ':CONSOLE' '$work/browser'"
    shot="$builddir/tests/report-screenshot.png"
    rm -f "$shot"
    # shellcheck disable=SC2086
    timeout 120 "$browser" $flags --window-size=1280,2400 --virtual-time-budget=5000 \
        --screenshot="$shot" "file://$page" >/dev/null 2>&1 </dev/null
    check "a screenshot: $shot" \
        sh -c "[ \"\$(head -c 4 '$shot' | od -An -c | tr -d ' ')\" = '211PNG' ]"
fi
echo "1..$n"
