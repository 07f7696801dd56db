# a2-blocked.gp — figure A2: one float32 array, summed sequentially and as
# blocked trees with different block sizes.
#
# Data: a2-blocked.dat, one dataset per backend (index i-1 is
# word(backends, i)), one row per summation: sequential, block 32 … 512,
# the backend's own sum, the exact sum (MPFR, rounded to float32); the last
# column, fault, is 1 for a sum beyond the error bound of every order, or
# by a kernel that gets the exact probe of the same n and block wrong.
# Image a2-blocked: grouped bars, one colour per backend —
#   top:    distance from the exact sum in ULPs (right axis: the float32 value),
#   bottom: distance from the same backend's sequential sum in ULPs;
# a backend fault is a red hatched bar to the edge of the panel with its
# true distance, off the scale of the rounding the others show.
load common

f = datadir.'/a2-blocked.dat'
nb = n_backends

# Rows of one dataset and their labels (the same in every dataset).
stats f index 0 using 1 nooutput
G = int(STATS_records)
array LABEL[G]
stats f index 0 using (LABEL[int($0) + 1] = strcol(2), 0) nooutput

# n: the sequential row sums all values in one block, so the largest block
# is the array length.
stats f using 1 nooutput
n_values = int(STATS_max)

# Ranges of both panels over every backend, with room for the value labels;
# faulty rows do not count (the sequential and exact rows never fault).
fault(c) = strcol(8) eq '1'
stats f using (fault(0) ? NaN : $7) nooutput
e_lo = STATS_min < 0 ? STATS_min : 0
e_hi = STATS_max > 0 ? STATS_max : 0
stats f using (fault(0) ? NaN : $6) nooutput
s_lo = STATS_min < 0 ? STATS_min : 0
s_hi = STATS_max > 0 ? STATS_max : 0
# The faulty bars, one by one: group, backend, ULPs from exact and from
# sequential.
stats f using (fault(0) ? 1 : 0) nooutput
n_fault = int(STATS_sum)
if (n_fault > 0) {
    array FG[n_fault]; array FB[n_fault]; array FE[n_fault]; array FS[n_fault]
    k = 0
    do for [i = 1:nb] {
        stats f index i - 1 using (fault(0) ? (k = k + 1, FG[k] = int($0), FB[k] = i, \
            FE[k] = $7, FS[k] = $6, 0) : 0) nooutput
    }
}
# ULP axis steps 1, 2, 5, 10, … with at most about eight intervals.
tic_step(span) = span <= 8 ? 1 : span <= 16 ? 2 : span <= 40 ? 5 \
               : 10**floor(log10(span / 4.0)) * (span / 10**floor(log10(span / 4.0)) <= 80 ? 1 : 2)
pad(lo, hi) = (nb <= 4 ? 0.18 : 0.3) * (hi - lo > 0 ? hi - lo : 1) + 0.5

# The float32 value beside the ULP axis: within one binade a sum is
# exact + ulps * ulp. Take the exact float32 value and its ulp from the
# first row: its sum minus its distance from the exact sum.
stats f index 0 every ::0::0 using 3 nooutput
v0 = STATS_min
stats f index 0 every ::0::0 using 7 nooutput
u0 = STATS_min
ulp_at(x) = x == 0 ? 2.0**-149 : 2.0**(floor(log(abs(x)) / log(2)) - 23)
ulp = ulp_at(v0)
exact_value = v0 - u0 * ulp
# The sum axis holds only where every sum drawn lies in the binade of the
# first: there one ULP is one step of the same size. Otherwise the exact
# value is written above the panel instead.
stats f using (fault(0) ? NaN : $3) nooutput
one_binade = ulp_at(STATS_min) == ulp && ulp_at(STATS_max) == ulp

# Row labels in the lecture's language, in two lines where they are long
# (they share the width with the other rows).
row_de(s) = s eq 'sequential' ? 'sequentiell' \
          : s[1:6] eq 'block ' ? 'Block '.s[7:] \
          : s eq 'backend sum' ? "Backend-\nSumme" \
          : s eq 'exact (MPFR)' ? "exakt\n(MPFR)" : s
row_en(s) = s eq 'backend sum' ? "backend\nsum" \
          : s eq 'exact (MPFR)' ? "exact\n(MPFR)" : s
row(s) = tr(row_de(s), row_en(s))

# Bar i of nb in a group: narrow enough that all backends fit in 0.8.
bw = 0.8 / nb
bx(g, i) = g + (i - (nb + 1) / 2.0) * bw
label_font = font(nb <= 2 ? 1.0 : 0.9)
# Every bar has its value; beyond four backends the bars are too narrow
# for a label side by side, so it stands upright above (or below) the bar.
nl = nb
rot = nb <= 4 ? 0 : 90
# Value label just beyond the end of the bar (upright ones need more room).
lab_y(v, p) = v + (v >= 0 ? 1 : -1) * p * (rot ? 0.55 : 0.35)
# A faulty bar reaches the panel's edge on the side of its error; its
# label, the true distance, stands just inside that edge.
edge(v, lo, hi) = v < 0 ? lo : hi
set style textbox 2 opaque fillcolor rgb 'white' noborder margins 0.5, 0.5
# Sets labels 50.. for the faulty bars of one panel (FE or FS by `top`).
set_fault_labels = 'do for [k = 1:n_fault] { v = top ? FE[k] : FS[k]; \
    set label 50 + k sprintf("✗ %s", thousands(v)) at first bx(FG[k], FB[k]), first edge(v, y_lo, y_hi) \
        center offset 0, (v < 0 ? 0.8 : -0.8) front boxed bs 2 font bold(nb <= 2 ? 0.95 : 0.8) tc rgb c_fault }'
unset_fault_labels = 'do for [k = 1:n_fault] { unset label 50 + k }'

set output fig('a2-blocked')
set multiplot title sprintf(tr('Dieselben %d float32-Werte (standardnormalverteilt): sequentiell gegen blockweise Baumsummen', \
                               'The same %d float32 values (standard normal): sequential against blocked tree sums'), \
                            n_values) font font(1.25)

set lmargin at screen 0.085; set rmargin at screen 0.885
set xrange [-0.6 : G - 0.4]
set xtics scale 0
set grid noxtics ytics
set style fill solid 0.85 border lc rgb '#444444'
set boxwidth bw * 0.9 absolute
set xzeroaxis lt -1 lc rgb '#444444' lw 1

# --- top: distance from the exact sum --------------------------------------
p = pad(e_lo, e_hi)
set tmargin at screen 0.875; set bmargin at screen 0.40
set yrange [e_lo - p : e_hi + p]
set ytics tic_step(e_hi - e_lo)
set ylabel tr('ULPs vom exakten Wert', 'ULPs from the exact sum')
unset xtics    # the row labels go under the bottom panel only
set ytics nomirror
# 9 significant digits tell float32 values apart; fixed decimals align them.
y2_dec = 8 - int(floor(log10(abs(exact_value) > 0 ? abs(exact_value) : 1)))
y2_fmt = sprintf('%%.%df', y2_dec < 0 ? 0 : y2_dec)
if (one_binade) {
    set y2tics nomirror
    set link y2 via exact_value + y * ulp inverse (y - exact_value) / ulp
    set format y2 y2_fmt
    # Axis title above the value axis rather than beside it: rotated beside
    # the wide tick labels it would leave the SVG canvas.
    set label 1 tr('Summe (float32)', 'Sum (float32)') at graph 1, graph 1 left offset 1, 1.2 tc rgb c_text
    set border 11 back ls 101
} else {
    set label 1 sprintf(tr('exakt: %s', 'exact: %s'), dec(minus(sprintf(y2_fmt, exact_value)))) \
        at graph 1, graph 1 right offset 0, 1.2 tc rgb c_text
    set border 3 back ls 101
}
# The key above the panel, where it cannot cover a bar.
set key at screen 0.085, screen 0.94 left top horizontal Left reverse noopaque nobox
y_lo = e_lo - p; y_hi = e_hi + p; top = 1
if (n_fault > 0) {
    eval set_fault_labels
    set label 3 '✗ '.fault_word.': '.fault_bound.",\n   ".fault_probe.tr(' (nicht maßstäblich)', ' (not to scale)') \
        at screen 0.085, screen 0.036 left font font(0.85) tc rgb c_fault
}
plot for [i = 1:nb] f index i - 1 using (bx($0, i)):(fault(0) ? NaN : $7) with boxes lt i title word(backends, i) noenhanced, \
     for [i = 1:nl] f index i - 1 using (bx($0, i)):(fault(0) ? NaN : lab_y($7, p)):(signed($7)) \
         with labels font label_font rotate by rot tc rgb c_text notitle, \
     for [i = 1:(n_fault > 0 ? nb : 0)] f index i - 1 using (bx($0, i)):(fault(0) ? edge($7, y_lo, y_hi) : NaN) \
         with boxes fs pattern fault_pattern border lc rgb c_fault lw 2 lc rgb c_fault notitle

# --- bottom: distance from the sequential sum ------------------------------
unset y2tics; unset link y2; unset label 1
if (n_fault > 0) { eval unset_fault_labels }
set border 3 back ls 101
p = pad(s_lo, s_hi)
set tmargin at screen 0.36; set bmargin at screen 0.10
set yrange [s_lo - p : s_hi + p]
# the lower panel is half as tall: half as many tick marks
set ytics tic_step(2 * (s_hi - s_lo))
set ylabel tr("ULPs vom\nsequentiellen Wert", "ULPs from the\nsequential sum")
set xtics scale 0 nomirror
do for [g = 1:G] { set xtics add (row(LABEL[g]) g - 1) }
tick_font = font(1.05)
set xtics font tick_font
unset key
y_lo = s_lo - p; y_hi = s_hi + p; top = 0
if (n_fault > 0) { eval set_fault_labels }
plot for [i = 1:nb] f index i - 1 using (bx($0, i)):(fault(0) ? NaN : $6) with boxes lt i notitle, \
     for [i = 1:nl] f index i - 1 using (bx($0, i)):(fault(0) ? NaN : lab_y($6, p)):(signed($6)) \
         with labels font label_font rotate by rot tc rgb c_text notitle, \
     for [i = 1:(n_fault > 0 ? nb : 0)] f index i - 1 using (bx($0, i)):(fault(0) ? edge($6, y_lo, y_hi) : NaN) \
         with boxes fs pattern fault_pattern border lc rgb c_fault lw 2 lc rgb c_fault notitle
unset multiplot
