# a5-sweep.gp — figure A5, the sweep: how far the tile tree's sum lies from
# the sequential sum, for every context length and several tile sizes.
#
# Data: a5-model.dat (the tile tree model, one dataset per tile: num_ctx
# tile tree ulps_seq ulps_exact excess_ulps; ulps_seq = tree − sequential,
# ulps_exact = tree − exact, in float32 ULPs) and a5-reference.dat
# (num_ctx sequential exact ulps_exact excess_ulps; ulps_exact =
# sequential − exact).
# Image a5-sweep: one strip per tile size, all on the same axes —
#   grey area:     |sequential − exact|, the same in every strip,
#   coloured line: |tree − sequential| for that tile,
#   right:         the largest and the mean |tree − sequential| and
#                  |tree − exact| over the sweep, and at how many num_ctx
#                  the tree differs from the sequential sum at all.
# The tree follows the grey area: it differs from the sequential sum mostly
# because the sequential sum drifts from the exact one, while the tree
# stays within a few ULPs of it. The model is backend-independent (the
# naive backend's order); a5-sweep.dat holds each backend's own sums.
# Where a backend's sums there are faults (column 8, fault = 1: beyond the
# error bound of every correct order, or by a tiled_sum that gets the
# exact probe of the same num_ctx and tile wrong), a red note under the
# title names the backend and how many: they are not drawn, and no curve
# here is theirs.
load common

fm = datadir.'/a5-model.dat'
fr = datadir.'/a5-reference.dat'
fs = datadir.'/a5-sweep.dat'
nb = n_backends

# --- backend faults in the backends' own sweeps --------------------------------
# a5-summary.dat counts them per backend and tile (its column 9 the rows of
# a5-sweep.dat with fault = 1, column 2 all its rows): a few lines to read
# instead of the whole sweep once per backend.
fsum = datadir.'/a5-summary.dat'
faulty = ''
do for [b = 1:nb] {
    stats fsum index b - 1 using 9 nooutput
    if (STATS_sum > 0) {
        n_faults = STATS_sum
        stats fsum index b - 1 using 2 nooutput
        faulty = faulty.(faulty eq '' ? '' : ', ').sprintf(tr('%s bei %s von %s Summen', '%s at %s of %s sums'), \
            esc(word(backends, b)), thousands(n_faults), thousands(STATS_sum))
    }
}

# --- tiles and their statistics ----------------------------------------------
stats fm using 1 nooutput
K = int(STATS_blocks)
n_lo = STATS_min; n_hi = STATS_max
array TILE[K]; array MAXS[K]; array MEANS[K]; array MAXE[K]; array MEANE[K]; array DIFF[K]
array NPTS[K]
do for [k = 1:K] {
    stats fm index k - 1 using (TILE[k] = $2, abs($4)) nooutput
    MAXS[k] = STATS_max; MEANS[k] = STATS_mean; NPTS[k] = int(STATS_records)
    stats fm index k - 1 using (abs($5)) nooutput
    MAXE[k] = STATS_max; MEANE[k] = STATS_mean
    stats fm index k - 1 using ($4 != 0 ? 1 : 0) nooutput
    DIFF[k] = int(STATS_sum)
}
stats fr using (abs($4)) nooutput
max_ref = STATS_max; mean_ref = STATS_mean
n_points = int(STATS_records)
y_max = max_ref
do for [k = 1:K] { y_max = MAXS[k] > y_max ? MAXS[k] : y_max }
y_max = y_max < 1 ? 1 : y_max

# --- layout -------------------------------------------------------------------
y_t = 0.80; y_b = 0.10; gap = 0.03
strip_h = (y_t - y_b - (K - 1) * gap) / K
x_l = 0.085; x_r = 0.755
# ULP axis: steps 1, 2, 5, 10, … with at most four intervals per strip
# (fewer where the strips are low).
max_int = strip_h > 0.12 ? 4 : strip_h > 0.07 ? 3 : 2
tic_step(span) = span <= max_int ? 1 : span <= 2 * max_int ? 2 : span <= 5 * max_int ? 5 \
               : span <= 10 * max_int ? 10 : span <= 20 * max_int ? 20 : span <= 50 * max_int ? 50 : 100
y_step = tic_step(y_max)
y_top = y_max * 1.12
# Few points are drawn as points too, many as a line.
style_points = n_points <= 80
k_side = strip_h > 0.1 ? 0.9 : strip_h > 0.07 ? 0.8 : 0.7

set output fig('a5-sweep')
set multiplot title tr("Baum gegen sequentielle Summe: die ersten num\\_ctx Werte, für jede Kachelgröße\n{/*0.8 |Baum − sequentiell| in ULPs (Farbe) und |sequentiell − exakt| (grau); Baum: Kacheln von links nach rechts, dann paarweise (Modell)}", \
                       "Tree against sequential sum: the first num\\_ctx values, for every tile size\n{/*0.8 |tree − sequential| in ULPs (colour) and |sequential − exact| (grey); tree: tiles left to right, then in pairs (model)}") \
    font font(1.2)
if (faulty ne '') {
    set label 98 sprintf(tr("✗ Backend-Fehler: %s\n{/*0.9 %s}\n{/*0.9 (a5-sweep.dat); nicht gezeichnet: jede Kurve hier ist das Modell}", \
                            "✗ backend fault: %s\n{/*0.9 %s}\n{/*0.9 (a5-sweep.dat); not drawn: every curve here is the model}"), \
                         faulty, fault_why) at screen 0.5, screen 0.905 center font font(0.85) tc rgb c_fault
}

set lmargin at screen x_l; set rmargin at screen x_r
set xrange [n_lo - (n_hi > n_lo ? 0 : 1) : n_hi + (n_hi > n_lo ? 0 : 1)]
set yrange [0 : y_top]
f_ytics = font(0.85)
set ytics nomirror font f_ytics
set ytics 0, y_step
set grid xtics ytics back ls 100
set border 3 back ls 101
unset key
set style fill solid 1.0 noborder

# A key for the whole figure, above the strips, and the header of the
# summary columns on the right.
set label 90 tr('|sequentiell − exakt|', '|sequential − exact|') at screen x_l + 0.035, screen y_t + 0.045 \
    left font font(0.9) tc rgb c_text
set object 90 rect from screen x_l, screen y_t + 0.035 to screen x_l + 0.028, screen y_t + 0.055 \
    fc rgb '#D0D0D0' fs solid 1.0 noborder
n_key = K < 8 ? K : 8
do for [k = 1:n_key] {
    set arrow (90 + k) from screen x_l + 0.25 + (k - 1) * 0.016, screen y_t + 0.045 \
        rto screen 0.013, screen 0 nohead lt k lw 3
}
set label 91 tr('|Baum − sequentiell|, eine Farbe je Kachelgröße', '|tree − sequential|, one colour per tile size') \
    at screen x_l + 0.26 + n_key * 0.016, screen y_t + 0.045 left font font(0.9) tc rgb c_text
# Summary columns: the tree minus the sequential and minus the exact sum.
k_tab = strip_h > 0.1 ? 0.85 : strip_h > 0.07 ? 0.78 : 0.7
c_name = x_r + 0.015; c_max = x_r + 0.165; c_mean = x_r + 0.235
set label 95 tr('{/:Bold Baum − … (ULPs)}', '{/:Bold tree − … (ULPs)}') at screen c_name, screen y_t + 0.012 left font font(k_tab) tc rgb c_text
set label 96 tr('{/:Bold max.}', '{/:Bold max}') at screen c_max, screen y_t + 0.012 right font font(k_tab) tc rgb c_text
set label 97 tr('{/:Bold Mittel}', '{/:Bold mean}') at screen c_mean, screen y_t + 0.012 right font font(k_tab) tc rgb c_text
set style textbox 1 opaque fillcolor rgb 'white' noborder margins 1, 1

do for [k = 1:K] {
    s_top = y_t - (k - 1) * (strip_h + gap)
    set tmargin at screen s_top; set bmargin at screen s_top - strip_h
    if (k == K) {
        set format x '%.0f'
        f_xtics = font(0.9)
        set xtics nomirror font f_xtics
        f_xlabel = font(1.0)
        set xlabel 'num\_ctx' font f_xlabel offset 0, 0.3
    } else {
        set format x ''
        unset xlabel
    }
    # Tile size at the strip's top left, the sweep's summary beside it
    # (|distances| in ULPs over all num_ctx).
    set label 1 sprintf(tr('{/:Bold Kachel %d}', '{/:Bold tile %d}'), TILE[k]) \
        at graph 0.01, graph 0.93 left front boxed bs 1 font font(k_side) tc rgb c_text
    lh = 0.024 * k_tab
    y_mid = s_top - strip_h / 2
    set label 2 tr('sequentiell', 'sequential') at screen c_name, screen y_mid + lh left front font font(k_tab) tc rgb c_text
    set label 3 sprintf('%d', MAXS[k]) at screen c_max, screen y_mid + lh right front font font(k_tab) tc rgb c_text
    set label 4 dec(sprintf('%.1f', MEANS[k])) at screen c_mean, screen y_mid + lh right front font font(k_tab) tc rgb c_text
    set label 5 tr('exakt', 'exact') at screen c_name, screen y_mid left front font font(k_tab) tc rgb c_text
    set label 6 sprintf('%d', MAXE[k]) at screen c_max, screen y_mid right front font font(k_tab) tc rgb c_text
    set label 7 dec(sprintf('%.1f', MEANE[k])) at screen c_mean, screen y_mid right front font font(k_tab) tc rgb c_text
    set label 8 sprintf(tr('≠ sequentiell: %s von %s', '≠ sequential: %s of %s'), thousands(DIFF[k]), thousands(NPTS[k])) \
        at screen c_name, screen y_mid - lh left front font font(k_tab * 0.9) tc rgb c_text
    set ylabel 'ULPs' font f_ytics offset 1, 0
    if (style_points) {
        plot fr using 1:(abs($4)) with boxes fc rgb '#D0D0D0', \
             fm index k - 1 using 1:(abs($4)) with linespoints lt k lw 2 pt 7 ps 0.6
    } else {
        plot fr using 1:(abs($4)) with filledcurves y1=0 fc rgb '#D0D0D0', \
             fm index k - 1 using 1:(abs($4)) with lines lt k lw 1.2
    }
    do for [l = 1:8] { unset label l }
    unset label 90; unset label 91; unset label 95; unset label 96; unset label 97; unset label 98; unset object 90
    unset arrow
}
unset multiplot
