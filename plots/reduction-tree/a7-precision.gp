# a7-precision.gp — figure A7 in every precision: how often, and by how
# much, a batch change alters a product's outputs when the same values are
# stored in float32, bfloat16 or float16.
#
# Data: a7-precision.dat (one dataset per precision, float32 first, then
# those of the run's `precision` parameter; one row per job: precision job
# backend batches changed max_differ outputs max_ulps max_rel gemv_differ
# fault all_outputs all_changed mean_change scale rel_change). all_changed
# counts, over every row of every batch M, the outputs whose bits differ
# from the same row computed alone; rel_change is their mean |change| over
# the mean |output| of the observed row (scale).
# Image a7-precision: two panels with a group of bars per job, one bar per
# precision. Left: the share of all outputs that a batch change alters
# (logarithmic; a job that never changes one gets a "0" on the axis).
# The number of changed outputs stands on each bar. Right: the mean
# |change| of those outputs against the mean |output| of the row
# (logarithmic), its value on the bar. Float32 changes many outputs by a
# few float32 steps; bfloat16 and float16 change few, those where the
# float32 accumulator's change crosses a rounding boundary of the type,
# each by a whole step of it: hundreds of times more. A job with a backend
# fault gets its bars hatched in red.
load common

file = datadir.'/a7-precision.dat'
nb = n_backends
stats file using 2 nooutput
np = int(STATS_blocks)
array PREC[np]
do for [q = 1:np] {
    stats file index q - 1 every ::0::0 using (PREC[q] = strcol(1), 0) nooutput
}
stats file index 0 every ::0::0 using (n_all = $12, k_inner = 0, 0) nooutput
# colours per precision: float32 blue as in every figure, bfloat16 orange,
# float16 purple, float64 grey
prec_colour(s) = s eq 'float32' ? '#0072B2' : s eq 'bfloat16' ? '#D55E00' \
               : s eq 'float16' ? '#CC79A7' : '#777777'
array COL[np]
do for [q = 1:np] { COL[q] = prec_colour(PREC[q]) }

# a fault anywhere in a job, in any precision
array FAULT[nb]
do for [b = 1:nb] { FAULT[b] = 0 }
stats file using (FAULT[int($2) + 1] = FAULT[int($2) + 1] || $11 != 0, 0) nooutput
faulty = ''
do for [b = 1:nb] { if (FAULT[b]) { faulty = faulty.(faulty eq '' ? '' : ', ').esc(word(backends, b)) } }

# bar geometry: group b at x = b, bar q at b + (q - (np + 1) / 2) * w
w = 0.8 / np
bx(b, q) = b + (q - (np + 1) / 2.0) * w

# job names below the groups, long ones split after their last ':'
last_colon(t, i) = i < 1 ? 0 : t[i:i] eq ':' ? i : last_colon(t, i - 1)
wrap_at(t) = strlen(t) > 14 ? last_colon(t, strlen(t) - 1) : 0
job_name(b) = wrap_at(word(backends, b)) > 1 \
    ? word(backends, b)[1:wrap_at(word(backends, b))]."\n".word(backends, b)[wrap_at(word(backends, b)) + 1:] \
    : word(backends, b)

floor_share = 0.2 / n_all
stats file using 13 nooutput
none_changed = STATS_max == 0
none_text = tr("keine Ausgabe ändert sich mit dem Batch:\nalle Jobs sind hier batch-invariant, in jeder Genauigkeit", \
               "no output changes with the batch:\nevery job is batch invariant here, in every precision")
floor_change = 1e-9

# The plot commands, built per precision: only series with a bar in them
# (gnuplot warns of a series whose points are all undefined); keyentry
# names every precision in the key, changed or not.
array ANY[np]; array ANYF[np]; array ANYZ[np]
do for [q = 1:np] {
    stats file index q - 1 using ($13 == 0 ? 1 : 0) nooutput
    ANYZ[q] = STATS_sum > 0
    stats file index q - 1 using ($13 > 0 ? 1 : 0) nooutput
    ANY[q] = STATS_sum > 0
    stats file index q - 1 using ($13 > 0 && $11 != 0 ? 1 : 0) nooutput
    ANYF[q] = STATS_sum > 0
}
series(q, y) = sprintf("file index %d using (bx($2 + 1, %d)):($13 > 0 ? %s : 1/0)", q - 1, q, y)
faulty_series(q, y) = sprintf("file index %d using (bx($2 + 1, %d)):($13 > 0 && $11 != 0 ? %s : 1/0)", q - 1, q, y)
left_plot = 'plot'; right_plot = 'plot'
do for [q = 1:np] {
    sep = q > 1 ? ', ' : ' '
    left_plot = left_plot.sep.sprintf("keyentry with boxes lc rgb '%s' title '%s'", COL[q], PREC[q])
    right_plot = right_plot.sep.'keyentry notitle'
}
do for [q = 1:np] {
    if (ANY[q]) {
        left_plot = left_plot.', '.series(q, '$13 / $12').sprintf(" with boxes lc rgb '%s' notitle", COL[q]) \
            .', '.series(q, '$13 / $12').sprintf(":(thousands($13)) with labels offset 0, 0.7 font font(0.7) tc rgb '%s' rotate by 90 left notitle", COL[q])
        right_plot = right_plot.', '.series(q, '$16').sprintf(" with boxes lc rgb '%s' notitle", COL[q]) \
            .', '.series(q, '$16').sprintf(":(sprintf('%%.0e', $16)) with labels offset 0, 0.7 font font(0.7) tc rgb '%s' rotate by 90 left notitle", COL[q])
    }
    if (ANYF[q]) {
        left_plot = left_plot.', '.faulty_series(q, '$13 / $12').' with boxes fs pattern fault_pattern lc rgb c_fault notitle'
        right_plot = right_plot.', '.faulty_series(q, '$16').' with boxes fs pattern fault_pattern lc rgb c_fault notitle'
    }
    if (ANYZ[q]) { # a job that changes nothing: "0" on the axis, no bar
        zeros = sprintf("file index %d using (bx($2 + 1, %d)):($13 == 0 ? %%s : 1/0):('0') with labels font font(0.8) tc rgb '%s' notitle", q - 1, q, COL[q])
        left_plot = left_plot.', '.sprintf(zeros, 'floor_share * 1.6')
        right_plot = right_plot.', '.sprintf(zeros, 'floor_change * 1.6')
    }
}

set output fig('a7-precision')
set multiplot title sprintf(tr( \
    "Batch-Invarianz in jeder Genauigkeit: wie oft und wie stark ändert ein anderer Batch die Ausgaben?\n{/*0.8 %s Ausgaben: jede Zeile jedes Batches M, gegen dieselbe Zeile allein; Produkte in float32 summiert, Ausgaben im Typ gespeichert}", \
    "Batch invariance in every precision: how often, and by how much, does another batch change the outputs?\n{/*0.8 %s outputs: every row of every batch M, against the same row alone; products summed in float32, outputs stored in the type}"), \
    thousands(n_all)) font bold(1.05)
if (faulty ne '') {
    set label 98 sprintf(tr("✗ Backend-Fehler: %s (rot schraffiert)", "✗ backend fault: %s (hatched in red)"), faulty) \
        at screen 0.5, screen 0.855 center font font(0.85) tc rgb c_fault
}

set xrange [0.4 : nb + 0.6]
set xtics scale 0 nomirror ()
# up to four jobs: names wrapped under their groups; more: slanted
if (nb <= 4) {
    do for [b = 1:nb] { set xtics add (job_name(b) b) }
    tic_font = font(0.85)
    set xtics font tic_font noenhanced
} else {
    do for [b = 1:nb] { set xtics add (word(backends, b) b) }
    tic_font = font(0.72)
    set xtics font tic_font noenhanced rotate by 30 right offset 1.5, 0
}
set logscale y
set format y '10^{%T}'
set ytics nomirror
set grid ytics
set border 3 back
set style fill solid 0.85 border -1
set boxwidth w * 0.92 absolute
key_font = font(0.9)
set key at screen 0.5, screen 0.9 center horizontal samplen 1.5 font key_font
set bmargin (nb <= 4 ? 4.5 : 8)
set tmargin 7

# --- left: share of outputs changed --------------------------------------------
set lmargin at screen 0.08; set rmargin at screen 0.49
set yrange [floor_share : 2]
set title tr('Anteil der Ausgaben, die ein anderer Batch ändert', 'Share of outputs that another batch changes') font bold(0.95)
set ylabel tr('Anteil (logarithmisch)', 'share (logarithmic)')
if (faulty ne '') {
    set label 98 sprintf(tr("✗ Backend-Fehler: %s (rot schraffiert)", "✗ backend fault: %s (hatched in red)"), faulty) \
        at screen 0.5, screen 0.855 center font font(0.85) tc rgb c_fault
}
if (none_changed) {
    set label 97 none_text at graph 0.5, graph 0.55 center font font(0.95) tc rgb c_good
}
eval left_plot
unset label 97

# --- right: mean size of a change, against the outputs' mean size ---------------
unset label
set lmargin at screen 0.57; set rmargin at screen 0.98
set yrange [floor_change : 1]
set title tr('mittlere Größe einer Änderung', 'mean size of a change') font bold(0.95)
set ylabel tr('|Änderung| / mittlerer |Ausgabewert| (logarithmisch)', '|change| / mean |output| (logarithmic)')
unset key
if (none_changed) {
    set label 97 none_text at graph 0.5, graph 0.55 center font font(0.95) tc rgb c_good
}
eval right_plot
unset multiplot
