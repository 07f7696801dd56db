# common.gp — shared setup for every numlab figure script.
#
# numlab runs each script as
#   gnuplot -e "datadir='…'; outdir='…'; fmt='png|svg|pdf'; lang='de|en';
#               common='…/common.gp'" plots/EXP/NAME.gp
# and the script starts with `load common`. This file sets the terminal for
# fmt, the helpers fig() and tr(), and one colour scheme for all figures.
# numlab also passes `backends`: the backend labels in the order of the
# per-backend datasets of the .dat files, taken from the manifest. Nothing
# in datadir is ever loaded: a results folder holds data, never code.

# Defaults so that a script can also be run by hand from gnuplot.
if (!exists("fmt"))     fmt = 'png'
if (!exists("lang"))    lang = 'de'
if (!exists("datadir")) datadir = '.'
if (!exists("outdir"))  outdir = '.'

# --- terminal ---------------------------------------------------------------
# The three terminals are sized so that text takes the same share of the
# figure in each: 1280x720 px (16:9, a slide) for PNG and SVG, 8.89in x 5in for the
# PDF. pngcairo draws a point larger than an SVG pixel, hence 12 against 16.
# SVG gets the CSS generic families: a browser knows no font called 'Sans'.
font_pt = (fmt eq 'svg') ? 16 : (fmt eq 'pdf') ? 11 : 12
sans_family = (fmt eq 'svg') ? 'sans-serif' : 'Sans'
mono_family = (fmt eq 'svg') ? 'monospace' : 'Monospace'
# font(k): the base font scaled by k, for titles and small print; mono(k)
# for bits and digits that must line up. The bold variants work only in
# enhanced text (the svg terminal ignores ':Bold' in noenhanced labels), so
# a label using them escapes its data with esc() instead of `noenhanced`.
font(k) = sprintf("%s,%g", sans_family, font_pt * k)
bold(k) = sprintf("%s:Bold,%g", sans_family, font_pt * k)
mono(k) = sprintf("%s,%g", mono_family, font_pt * k)
monobold(k) = sprintf("%s:Bold,%g", mono_family, font_pt * k)
term_font = font(1)
if (fmt eq 'png') {
    set terminal pngcairo size 1280,720 enhanced font term_font linewidth 1.5
} else { if (fmt eq 'svg') {
    set terminal svg size 1280,720 dynamic enhanced font term_font linewidth 1.5 background "white"
} else { if (fmt eq 'pdf') {
    set terminal pdfcairo size 8.89in,5in enhanced font term_font linewidth 1.5
} else {
    print sprintf("common.gp: unknown format '%s' (png, svg, pdf)", fmt)
    exit status 1
}}}
set encoding utf8
# Data are read without a SIGFPE handler set up and torn down around every
# `using` expression: gnuplot does that with two signal calls and a
# setjmp per evaluation, which was half of the CPU time of the sweeps'
# figures (a5-precision: 500,000 system calls). Floating-point exceptions
# are masked, so only an integer division by zero could raise SIGFPE, and
# gnuplot's own division and modulo check for a zero divisor first.
set datafile nofpe_trap

# Image file for figure `name`: a script does `set output fig('a2-blocked')`.
# German images are NAME.FMT, English ones NAME.en.FMT, so that both
# languages can sit side by side in one results folder.
fig(name) = outdir.'/'.name.((lang eq 'en') ? '.en' : '').'.'.fmt

# Label in the lecture's language: German unless lang='en'.
tr(de, en) = (lang eq 'en') ? en : de

# Numbers in the language's convention: a decimal comma in German, for
# tic labels (decimalsign) and for labels made with sprintf: dec('0.339')
# gives '0,339' in German and '0.339' in English.
if (lang ne 'en') set decimalsign ','
dec(s) = (lang eq 'en' || strstrt(s, '.') == 0) ? s \
       : s[1:strstrt(s, '.') - 1].','.s[strstrt(s, '.') + 1:]

# Number with a proper minus sign (U+2212) instead of the hyphen.
# subst(s, a, b): every a in s replaced by b (a must not be empty).
subst(s, a, b) = strstrt(s, a) == 0 ? s \
               : s[1:strstrt(s, a) - 1].b.subst(s[strstrt(s, a) + strlen(a):], a, b)
# dec_text(s): a text of several numbers in the language's convention; in
# German "; " separates them, since "," is the decimal sign.
dec_text(s) = lang eq 'en' ? s : subst(subst(s, ', ', '; '), '.', ',')
minus(s) = (strlen(s) > 0 && s[1:1] eq '-') ? '−'.s[2:] : s
signed(n) = (n == 0) ? '0' : minus(sprintf('%+d', n))

# --- style ------------------------------------------------------------------
# Okabe–Ito colours (distinguishable with colour blindness); linetype i is
# the i-th backend, or the i-th series of a figure.
set linetype 1 lc rgb '#0072B2' lw 2 pt 7 ps 1.2   # blue
set linetype 2 lc rgb '#D55E00' lw 2 pt 5 ps 1.2   # vermillion
set linetype 3 lc rgb '#009E73' lw 2 pt 9 ps 1.2   # green
set linetype 4 lc rgb '#E69F00' lw 2 pt 11 ps 1.2  # orange
set linetype 5 lc rgb '#CC79A7' lw 2 pt 13 ps 1.2  # purple
set linetype 6 lc rgb '#56B4E9' lw 2 pt 3 ps 1.2   # sky blue
set linetype 7 lc rgb '#7F7F7F' lw 2 pt 2 ps 1.2   # grey
set linetype 8 lc rgb '#000000' lw 2 pt 1 ps 1.2   # black
set linetype cycle 8

# Fixed colours for meanings, not series.
c_good  = '#009E73'   # equal / exact
c_bad   = '#D55E00'   # differs / lost
c_text  = '#333333'
c_faint = '#BBBBBB'

# Where the lecture prints another value than numlab computes (a table's
# `lecture_*` column; doc/errata.md): that value, in c_lecture, beside
# numlab's. lecture_differs(v, l, d): l is a number and differs from v at
# the d decimals the lecture prints.
c_lecture = '#A50F15'
lecture_word = tr('Vorlesung', 'lecture')
fixed(v, d) = sprintf(sprintf('%%.%df', d), v)
lecture_differs(v, l, d) = (l == l) && fixed(v, d) ne fixed(l, d)

# A backend fault (a table's `fault` column = 1): a result beyond the error
# bound of every correct kernel, or one of a kernel that gets the exact
# probe of the same size wrong (numlab/probe.h: integers every correct
# order sums exactly), so no rounding explains it. Figures draw it in
# c_fault, hatched (fill pattern fault_pattern) or crossed, off the
# rounding scale, and name it with fault_word and fault_note; fault_why
# is the note without its first word, for a line under a title; its two
# halves, fault_bound and fault_probe, serve notes on two lines.
c_fault = '#C00000'
fault_pattern = 4
fault_word = tr('Backend-Fehler', 'backend fault')
fault_bound = tr('jenseits der Fehlerschranke jeder korrekten Rundung', \
                 'beyond the error bound of every correct rounding')
fault_probe = tr('oder derselbe Kernel rechnet exakte Ganzzahldaten dieser Größe falsch', \
                 'or the same kernel gets exact integer data wrong at this size')
fault_why = fault_bound.', '.fault_probe
fault_note = fault_word.': '.fault_why

set style line 100 lc rgb '#DDDDDD' lw 0.8 dt solid   # grid
set style line 101 lc rgb '#555555' lw 1              # border
set grid back ls 100
set border 3 back ls 101
set tics nomirror out scale 0.6 textcolor rgb c_text
set key top left Left reverse noautotitle samplen 2 spacing 1.2 box lc rgb '#DDDDDD' opaque
set style fill solid 0.85 border -1
set boxwidth 0.8 relative
set title font font(1.25)
set minussign

# --- backends ---------------------------------------------------------------
# By hand: gnuplot -e "backends='naive blas'; datadir='…'" SCRIPT (the
# labels are in the result set's backends.gp).
if (!exists("backends")) backends = 'naive'
n_backends = words(backends)

# --- small helpers ----------------------------------------------------------
# Digits grouped by thin spaces: 16777216 -> "16 777 216" (an integer or
# integer string; a leading '-' becomes a minus sign).
thin = "\342\200\211"   # U+2009 THIN SPACE in UTF-8
group3(s) = strlen(s) <= 3 ? s : group3(s[1:strlen(s)-3]).thin.s[strlen(s)-2:]
thousands(n) = (n < 0) ? '−'.group3(sprintf('%.0f', -n)) : group3(sprintf('%.0f', n))

# A data string made safe for enhanced text (backend names may hold '_').
esc(s) = strlen(s) == 0 ? '' \
       : (strstrt('_^{}@&~', s[1:1]) > 0 ? '\'.s[1:1] : s[1:1]).esc(s[2:])

# An empty plot command for figures that are drawn only with labels and
# objects: the curve lies outside any range the script sets.
blank = -1e300
