# a5-one-more.gp — figure A5, "one value more changes the sum": what adding
# the value x[n−1] does to the sum of the first n−1 values, sequentially and
# as a tile tree, and the table of selected context lengths.
#
# Data: a5-reference.dat (num_ctx sequential exact ulps_exact excess_ulps:
# the sequential sum), a5-model.dat (one dataset per tile: num_ctx tile
# tree ulps_seq ulps_exact excess_ulps), a5-table.dat (one dataset per
# backend: num_ctx tile tiles rest tree bits model sequential exact
# ulps_seq ulps_exact ulps_model) and a5-one-more.dat (one dataset per
# backend: num_ctx before tree change added excess excess_ulps
# seq_excess_ulps). excess_ulps = ((S(n) − S(n−1)) − x[n−1]) / ulp(S(n)):
# the change of the sum beyond the value that was added.
# Image a5-one-more:
#   left:      the excess over every num_ctx of the sweep — the sequential
#              sum (grey, top) stays within ±0.5 ULP (one rounding), the
#              tree (blue, below; the table's tile, or the swept tile
#              closest to it) does not: its shape re-rounds the others,
#   right:     the same around the tile boundary next to 1024 (or to the
#              middle of the sweep), one point per num_ctx,
# Image a5-table: the table for table_ctx at table_tile, from the naive
#              backend (the model) or else the first backend: the tree's
#              sum, its distance from the sequential and the exact sum,
#              and the excess of one value more for tree and sequential;
#              below it the 1024-against-1023 line spelled out.
# Backend faults (the tables' last column, fault = 1: a tree sum beyond the
# error bound of every correct order, or by a tiled_sum that gets the
# exact probe of the same num_ctx and tile wrong): the table is taken
# from a backend without any where naive did not run; a faulty row of it
# says so in red instead of its ULPs, and a red note under the title
# names every backend with faults in these tables.
load common

fr = datadir.'/a5-reference.dat'
fm = datadir.'/a5-model.dat'
ft = datadir.'/a5-table.dat'
fo = datadir.'/a5-one-more.dat'
nb = n_backends

# --- backend faults in a5-table and a5-one-more ------------------------------
array BFAULT[nb]
faulty = ''
do for [b = 1:nb] {
    stats ft index b - 1 using (strcol(13) eq '1' ? 1 : 0) nooutput
    f_table = STATS_sum
    stats fo index b - 1 using (strcol(9) eq '1' ? 1 : 0) nooutput
    BFAULT[b] = f_table + STATS_sum > 0
    if (BFAULT[b]) { faulty = faulty.(faulty eq '' ? '' : ', ').esc(word(backends, b)) }
}

# --- the reference backend: naive (= the model) where it ran, else the
# first without faults, else the first ---------------------------------------
ib = 0
do for [b = nb:1:-1] { if (word(backends, b) eq 'naive') { ib = b } }
if (ib == 0) { do for [b = nb:1:-1] { if (!BFAULT[b]) { ib = b } } }
if (ib == 0) { ib = 1 }
ref_name = word(backends, ib)

# --- the table ----------------------------------------------------------------
stats ft index ib - 1 using 1 nooutput
R = int(STATS_records)
array TN[R]; array TT[R]; array TTILES[R]; array TREST[R]; array TTREE[R]
array TUS[R]; array TUE[R]
stats ft index ib - 1 using (r = int($0) + 1, TN[r] = $1, TT[r] = $2, TTILES[r] = $3, \
    TREST[r] = $4, TTREE[r] = strcol(5), TUS[r] = $10, TUE[r] = $11, 0) nooutput
array OCHANGE[R]; array OADDED[R]; array OEXCESS[R]; array OXU[R]; array OSXU[R]
stats fo index ib - 1 using (r = int($0) + 1, OCHANGE[r] = $4, \
    OADDED[r] = strcol(5), OEXCESS[r] = $6, OXU[r] = $7, OSXU[r] = $8, 0) nooutput
# A row is faulty when its tree sum or the sum before it is.
array TFAULT[R]
stats ft index ib - 1 using (r = int($0) + 1, TFAULT[r] = (strcol(13) eq '1'), 0) nooutput
stats fo index ib - 1 using (r = int($0) + 1, TFAULT[r] = TFAULT[r] || (strcol(9) eq '1'), 0) nooutput
table_tile = TT[1]

# --- the sweep: which model dataset has the table's tile ---------------------
stats fm using 1 nooutput
K = int(STATS_blocks)
n_lo = STATS_min; n_hi = STATS_max
# The table's tile if the sweep has it, else the sweep's tile closest to it.
km = 1; best = 1e300
do for [k = 1:K] {
    stats fm index k - 1 every ::0::0 using 2 nooutput
    dist = abs(log(STATS_min / real(table_tile)))
    if (dist < best) { km = k; best = dist }
}
stats fm index km - 1 every ::0::0 using 2 nooutput
sweep_tile = int(STATS_min)
stats fm index km - 1 using (abs($6)) nooutput
max_tree = STATS_max; n_points = int(STATS_records)
stats fm index km - 1 using (abs($6) > 0.5 ? 1 : 0) nooutput
n_beyond = int(STATS_sum)
stats fr using (abs($5)) nooutput
max_seq = STATS_max
y_m = (max_tree > max_seq ? max_tree : max_seq)
y_m = y_m < 1 ? 1 : y_m
y_m = y_m * 1.15

# The zoom: about 25 num_ctx either side of the tile boundary closest to
# 1024, kept inside the sweep; none if the sweep is that short anyway.
target = (n_lo <= 1024 && 1024 <= n_hi) ? 1024 : (n_lo + n_hi) / 2.0
centre = sweep_tile * floor(target / sweep_tile + 0.5)
centre = centre < n_lo ? n_lo : centre > n_hi ? n_hi : centre
z_half = 24
z_lo = centre - z_half < n_lo ? n_lo : centre - z_half
z_hi = z_lo + 2 * z_half > n_hi ? n_hi : z_lo + 2 * z_half
z_lo = z_hi - 2 * z_half < n_lo ? n_lo : z_hi - 2 * z_half
zoom = n_hi - n_lo > 6 * z_half

# The row spelled out below the table: num_ctx 1024 if the table has it,
# otherwise the row whose excess is largest.
# A faulty row is not spelled out: the largest excess among the others is.
r_line = 0
do for [r = 1:R] { if (TN[r] == 1024 && !TFAULT[r]) { r_line = r } }
if (r_line == 0) {
    do for [r = 1:R] { if (!TFAULT[r] && (r_line == 0 || abs(OXU[r]) > abs(OXU[r_line]))) { r_line = r } }
}

ulps_word(n) = abs(n) == 1 ? 'ULP' : 'ULPs'
fmt_ulps(v) = dec(minus(sprintf('%+.2f', v)))
# A number in scientific notation with a proper exponent: 3.86·10⁻⁶, in
# Unicode superscripts (enhanced-text superscripts lose the spaces beside
# them in the svg terminal).
sup_digit(c) = c eq '-' ? '⁻' : word('⁰ ¹ ² ³ ⁴ ⁵ ⁶ ⁷ ⁸ ⁹', int(c) + 1)
sup(t) = strlen(t) == 0 ? '' : sup_digit(t[1:1]).sup(t[2:])
sci(v) = v == 0 ? '0' : dec(minus(sprintf('%.3g', v / 10**floor(log10(abs(v)))))).'·10'.sup(sprintf('%d', floor(log10(abs(v)))))

set output fig('a5-one-more')
set multiplot title sprintf(tr("Ein Wert mehr ändert die Summe: S(n) − S(n−1) − x[n−1] in ULPs von S(n)\n{/*0.8 sequentiell höchstens ±0,5 ULP (eine Rundung), Baum mit Kachel %d: die neue Form rundet die anderen Werte neu}", \
                               "One value more changes the sum: S(n) − S(n−1) − x[n−1] in ULPs of S(n)\n{/*0.8 sequential at most ±0.5 ULP (one rounding); tree with tile %d: its new shape re-rounds the other values}"), \
                            sweep_tile) font font(1.2)
if (faulty ne '') {
    set label 98 sprintf(tr("✗ Backend-Fehler in a5-table.dat / a5-one-more.dat: %s\n{/*0.9 Baumsummen %s;}\n{/*0.9 oben ist das Modell gezeichnet}", \
                            "✗ backend fault in a5-table.dat / a5-one-more.dat: %s\n{/*0.9 tree sums %s;}\n{/*0.9 the model is drawn above}"), \
                         faulty, fault_why) at screen 0.5, screen 0.905 center font font(0.85) tc rgb c_fault
}

# --- left: the whole sweep, sequential above, tree below ------------------
p_top = 0.83; p_bot = 0.14; p_gap = 0.07
strip_h = (p_top - p_bot - p_gap) / 2
set lmargin at screen 0.085
set rmargin at screen (zoom ? 0.60 : 0.97)
set xrange [n_lo - 0.5 : n_hi + 0.5]
set yrange [-y_m : y_m]
f_tics = font(1.0)
set xtics nomirror font f_tics
set ytics nomirror font f_tics
set ytics 1
set mytics 2
set grid xtics ytics mytics back ls 100, ls 100
set border 3 back ls 101
unset key
# pdfcairo draws points larger against the page than pngcairo and svg.
ps_k = fmt eq 'pdf' ? 0.55 : 1
ps_all = ps_k * (n_points > 1000 ? 0.35 : n_points > 200 ? 0.6 : 0.9)
# The ±0.5 band: what one rounding can do.
set object 1 rect from graph 0, first -0.5 to graph 1, first 0.5 behind fc rgb '#E6F4EE' fs solid 1.0 noborder
set arrow 1 from graph 0, first 0.5 to graph 1, first 0.5 nohead front dt 2 lw 1.5 lc rgb c_good
set arrow 2 from graph 0, first -0.5 to graph 1, first -0.5 nohead front dt 2 lw 1.5 lc rgb c_good
if (zoom) {
    set object 2 rect from first z_lo - 0.5, graph 0 to first z_hi + 0.5, graph 1 behind fc rgb '#FFF3D6' fs solid 1.0 noborder
}
set style textbox 1 opaque fillcolor rgb 'white' noborder margins 1, 1
set tmargin at screen p_top; set bmargin at screen p_top - strip_h
set format x ''
set label 1 tr('{/:Bold sequentiell}: immer innerhalb ±0,5', '{/:Bold sequential}: always within ±0.5') \
    at graph 0.01, graph 0.93 left front boxed bs 1 font font(1.0) tc rgb c_text
set label 2 tr('Überschuss (ULPs)', 'excess (ULPs)') at screen 0.02, screen (p_top + p_bot) / 2 center rotate by 90 \
    font f_tics tc rgb c_text
plot fr using 1:5 with points pt 7 ps ps_all lc rgb '#666666'
unset label 98
set tmargin at screen p_bot + strip_h; set bmargin at screen p_bot
set format x '%.0f'
set xlabel 'num\_ctx' font f_tics offset 0, 0.5
set label 1 sprintf(tr('{/:Bold Baum (Modell), Kachel %d}: |Überschuss| > 0,5 bei %s von %s num\_ctx', \
                       '{/:Bold tree (model), tile %d}: |excess| > 0.5 at %s of %s num\_ctx'), \
                    sweep_tile, thousands(n_beyond), thousands(n_points)) \
    at graph 0.01, graph 0.93 left front boxed bs 1 font font(1.0) tc rgb c_text
unset label 2
plot fm index km - 1 using 1:6 with points pt 7 ps ps_all lc rgb '#0072B2'
unset object 1; unset object 2; unset label 1; unset arrow

# --- right: the zoom ----------------------------------------------------------
if (zoom) {
    set lmargin at screen 0.68; set rmargin at screen 0.97
    set xrange [z_lo - 0.5 : z_hi + 0.5]
    set xtics 10
    set ytics 0.5
    unset mytics
    # Tile boundaries: where a new tile (and possibly a new level) begins.
    set object 1 rect from graph 0, first -0.5 to graph 1, first 0.5 behind fc rgb '#E6F4EE' fs solid 1.0 noborder
    set object 2 rect from graph 0, graph 0 to graph 1, graph 1 behind fc rgb '#FFF3D6' fs solid 1.0 noborder
    tb = 0
    do for [m = int(ceil(z_lo / real(sweep_tile))):int(floor(z_hi / real(sweep_tile)))] {
        tb = tb + 1
        set arrow (10 + tb) from first m * sweep_tile, graph 0 to first m * sweep_tile, graph 1 nohead \
            dt 2 lc rgb '#555555' lw 1.2 back
        set label (10 + tb) sprintf('%d = %d·%d', m * sweep_tile, m, sweep_tile) at first m * sweep_tile, graph 1 \
            center offset 0, 0.7 font font(0.9) tc rgb '#555555'
    }
    set tmargin at screen p_top; set bmargin at screen p_bot
    set arrow 1 from graph 0, first 0.5 to graph 1, first 0.5 nohead front dt 2 lw 1.5 lc rgb c_good
    set arrow 2 from graph 0, first -0.5 to graph 1, first -0.5 nohead front dt 2 lw 1.5 lc rgb c_good
    set label 1 tr('Ausschnitt: Baum (blau), sequentiell (grau)', 'zoom: tree (blue), sequential (grey)') \
        at graph 0.02, graph 0.04 left font font(0.95) tc rgb '#8A6A00'
    plot fm index km - 1 using 1:($1 >= z_lo && $1 <= z_hi ? $6 : NaN) with impulses lw 2 lc rgb '#0072B2', \
         '' index km - 1 using 1:($1 >= z_lo && $1 <= z_hi ? $6 : NaN) with points pt 7 ps 0.9 * ps_k lc rgb '#0072B2', \
         fr using ($1 >= z_lo && $1 <= z_hi ? $1 + 0.25 : NaN):5 with impulses lw 2 lc rgb '#888888', \
         fr using ($1 >= z_lo && $1 <= z_hi ? $1 + 0.25 : NaN):5 with points pt 7 ps 0.7 * ps_k lc rgb '#888888'
    unset arrow; unset label; unset object 1; unset object 2
}
unset multiplot
set output

# --- a5-table: the table -------------------------------------------------------------
# Laid out in screen coordinates over an empty plot.
set output fig('a5-table')
set multiplot title sprintf(tr("Kachel-Summe bei ausgewählten num\\_ctx: Baum gegen sequentiell und exakt, und ein Wert mehr\n{/*0.8 float32; ULPs der Baumsumme; Überschuss = S(n) − S(n−1) − x[n−1] in ULPs von S(n)}", \
                               "The tiled sum at selected num\\_ctx: tree against sequential and exact, and one value more\n{/*0.8 float32; ULPs of the tree sum; excess = S(n) − S(n−1) − x[n−1] in ULPs of S(n)}")) font font(1.2)
if (faulty ne '') {
    set label 98 sprintf(tr("✗ Backend-Fehler in a5-table.dat / a5-one-more.dat: %s\n{/*0.9 Baumsummen %s}", \
                            "✗ backend fault in a5-table.dat / a5-one-more.dat: %s\n{/*0.9 tree sums %s}"), \
                         faulty, fault_why) at screen 0.5, screen 0.86 center font font(0.85) tc rgb c_fault
}
set lmargin at screen 0; set rmargin at screen 1
set tmargin at screen 1; set bmargin at screen 0
unset border; unset tics; unset grid; unset xlabel; unset ylabel
set xrange [0 : 1]; set yrange [0 : 1]
k_t = R <= 6 ? 1.25 : R <= 9 ? 1.1 : R <= 14 ? 0.95 : 0.8
lh = 0.042 * k_t
# Columns: right edges (numbers align on their last digit).
c_n = 0.13; c_tiles = 0.32; c_tree = 0.455; c_seq = 0.565; c_ex = 0.65; c_xt = 0.83; c_xs = 0.96
# The table's block (headings, rows, the line below) centred in the page.
y0 = 0.47 + (R + 6.5) * lh / 2
y0 = y0 > (faulty ne '' ? 0.74 : 0.8) ? (faulty ne '' ? 0.74 : 0.8) : y0
set label 1 sprintf(tr('{/:Bold Kachel %d, Backend %s%s}', '{/:Bold tile %d, backend %s%s}'), table_tile, esc(ref_name), \
    ref_name eq 'naive' ? tr(' (= Modell)', ' (= model)') : '') at screen 0.03, screen y0 left font font(k_t) tc rgb c_text
set label 2 tr('{/:Bold Baum − … (ULPs)}', '{/:Bold tree − … (ULPs)}') at screen c_ex, screen y0 right font font(k_t * 0.9) tc rgb c_text
set label 3 tr('{/:Bold ein Wert mehr: Überschuss (ULPs)}', '{/:Bold one value more: excess (ULPs)}') \
    at screen c_xs, screen y0 right font font(k_t * 0.9) tc rgb c_text
yh = y0 - lh * 1.1
set label 4 'num\_ctx' at screen c_n, screen yh right font font(k_t) tc rgb c_text
set label 5 tr('Kacheln', 'tiles') at screen c_tiles, screen yh right font font(k_t) tc rgb c_text
set label 6 tr('Baum (float32)', 'tree (float32)') at screen c_tree, screen yh right font font(k_t) tc rgb c_text
set label 7 tr('sequentiell', 'sequential') at screen c_seq, screen yh right font font(k_t) tc rgb c_text
set label 8 tr('exakt', 'exact') at screen c_ex, screen yh right font font(k_t) tc rgb c_text
set label 9 tr('Baum', 'tree') at screen c_xt, screen yh right font font(k_t) tc rgb c_text
set label 10 tr('sequentiell', 'sequential') at screen c_xs, screen yh right font font(k_t) tc rgb c_text
set arrow 1 from screen 0.03, screen yh - lh * 0.55 to screen 0.97, screen yh - lh * 0.55 nohead lc rgb '#999999' lw 1
tiles_text(r) = TREST[r] > 0 ? sprintf(tr('%d (%d voll + Rest %d)', '%d (%d full + rest %d)'), TTILES[r], TTILES[r] - 1, TREST[r]) \
                             : sprintf('%d', TTILES[r])
do for [r = 1:R] {
    yr = yh - (r + 0.15) * lh
    hl = r == r_line
    # The spelled-out row on a light band.
    if (hl) {
        set object 3 rect from screen 0.03, screen yr - lh * 0.5 to screen 0.97, screen yr + lh * 0.5 \
            fc rgb '#FFF3D6' fs solid 1.0 noborder behind
    }
    set label (20 + r) sprintf('%d', TN[r]) at screen c_n, screen yr right font font(k_t) tc rgb c_text
    set label (40 + r) tiles_text(r) at screen c_tiles, screen yr right font font(k_t) tc rgb c_text
    if (TFAULT[r]) {
        # The backend's sums, in red; in place of their ULPs what they are.
        set label (60 + r) dec(minus(TTREE[r])) at screen c_tree, screen yr right font font(k_t) tc rgb c_fault
        set label (80 + r) '✗ '.fault_word at screen c_ex, screen yr right font bold(k_t) tc rgb c_fault
        set label (120 + r) '✗' at screen c_xt, screen yr right font bold(k_t) tc rgb c_fault
        set label (140 + r) fmt_ulps(OSXU[r]) at screen c_xs, screen yr right font font(k_t) tc rgb c_text
        continue
    }
    set label (60 + r) dec(minus(TTREE[r])) at screen c_tree, screen yr right font font(k_t) tc rgb c_text
    set label (80 + r) signed(TUS[r]) at screen c_seq, screen yr right font font(k_t) tc rgb c_text
    set label (100 + r) signed(TUE[r]) at screen c_ex, screen yr right font font(k_t) tc rgb c_text
    set label (120 + r) fmt_ulps(OXU[r]) at screen c_xt, screen yr right font font(k_t) \
        tc rgb (abs(OXU[r]) > 0.5 ? c_bad : c_text)
    set label (140 + r) fmt_ulps(OSXU[r]) at screen c_xs, screen yr right font font(k_t) tc rgb c_text
}
# The spelled-out row, or why there is none; the note on faults.
yl = yh - (R + 1.4) * lh
if (r_line == 0) {
    set label 200 '✗ '.fault_word.tr(' in jeder Zeile, daher kein Beispiel:', ' in every row, hence no example:')."\n   ".fault_why \
        at screen 0.03, screen yl left font font(k_t * 0.9) tc rgb c_fault
} else {
    n_l = TN[r_line]
    if ((sum [r = 1:R] TFAULT[r]) > 0) {
        set label 201 '✗ '.fault_note at screen 0.03, screen yl - lh left font font(k_t * 0.9) tc rgb c_fault
    }
    set label 200 sprintf(tr("%d gegen %d: S(%d) − S(%d) = %s, der neue Wert x[%d] = %s;\nÜberschuss %s = %s %s (sequentiell %s)", \
                             "%d against %d: S(%d) − S(%d) = %s, the new value x[%d] = %s;\nexcess %s = %s %s (sequential %s)"), \
                          n_l, n_l - 1, n_l, n_l - 1, dec(minus(sprintf('%.9g', OCHANGE[r_line]))), n_l - 1, dec(minus(OADDED[r_line])), \
                          sci(OEXCESS[r_line]), fmt_ulps(OXU[r_line]), ulps_word(2), fmt_ulps(OSXU[r_line])) \
        at screen 0.03, screen yl left font font(k_t * 0.9) tc rgb c_text
    # Erratum E81: the lecture calls its 1024-against-1023 difference (2.14,
    # on its own data) a different result; it is the value that was added.
    if (n_l == 1024) {
        set label 202 sprintf(tr("%s (E81): „Differenz 1024 vs 1023: 2,14 … anderes Ergebnis“ – das ist x[1023] selbst;\nRundung ist nur der Überschuss, hier %s ULPs", \
                                 "%s (E81): 'difference 1024 vs 1023: 2.14 … a different result' – that is x[1023] itself;\nrounding is only the excess, here %s ULPs"), \
                              lecture_word, fmt_ulps(OXU[r_line])) \
            at screen 0.03, screen yl - 1.8 * lh left font font(k_t * 0.8) tc rgb c_lecture
    }
}
plot blank notitle
unset multiplot
