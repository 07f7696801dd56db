# a5-precision.gp — figure A5 in 16 bits: the tile trees of the sweep with
# the values stored in bfloat16 (float16) and every addition rounded to
# it, against the left-to-right sum in the type and the same trees in
# float32.
#
# Data: a5-reference-TYPE.dat (num_ctx sequential exact: the sum of the
# first num_ctx stored values left to right in the type, and exactly) and
# a5-model-TYPE.dat (one dataset per tile: num_ctx tile tree tree_f32
# exact),
# for the 16-bit types the run's `precision` parameter named.
# Image a5-precision: a panel per type; over num_ctx the error of each sum
# (sum − exact, linear): the left-to-right sum in the type (thick red), the
# tree of each tile in the type (thin, one colour per tile) and the tree
# of the largest tile in float32 (black, on the zero line at this scale).
# The key gives each line's largest |error|. In float32 a tile changes the
# last bits (a5-sweep); here it changes the sum by whole units.
load common

# the tiles from small to large, dark to light (viridis); the sum in the
# type left to right in red, the float32 tree in black
array TILE_COLOURS[6] = ['#440154', '#3B528B', '#21908C', '#5DC863', '#A8C81E', '#E0A800']
tile_colour(k) = TILE_COLOURS[(k - 1) % 6 + 1]

array T16[2] = ['bfloat16', 'float16']
array RAN[2] = [0, 0]
do for [i = 1:2] {
    RAN[i] = system(sprintf("test -f '%s/a5-model-%s.dat' && echo 1 || echo 0", datadir, T16[i])) + 0
}
n16 = RAN[1] + RAN[2]
if (n16 > 0) {
    set output fig('a5-precision')
    set multiplot layout 1, n16 title tr( \
        "Dieselben Kachelbäume in 16 Bit: jede Addition im 16-Bit-Typ gerundet\n{/*0.8 Fehler der Summe der ersten num\\_ctx Werte: von links nach rechts, als Baum je Kachelgröße, und als Baum in float32}", \
        "The same tile trees in 16 bits: every addition rounded to the 16-bit type\n{/*0.8 error of the sum of the first num\\_ctx values: left to right, as a tree per tile size, and as a tree in float32}") \
        font bold(1.05)
    do for [i = 1:2] {
        if (RAN[i]) {
            fm = datadir.'/a5-model-'.T16[i].'.dat'
            fr = datadir.'/a5-reference-'.T16[i].'.dat'
            set xrange [*:*]; set yrange [*:*]   # stats obeys the ranges
            stats fm using 1 nooutput
            K = int(STATS_blocks)
            n_lo = STATS_min; n_hi = STATS_max
            array TILE[K]; array MAXE[K]
            do for [k = 1:K] {
                stats fm index k - 1 using (TILE[k] = $2, abs($3 - $5)) nooutput
                MAXE[k] = STATS_max
            }
            stats fr using (abs($2 - $3)) nooutput
            max_seq = STATS_max
            stats fr using ($2 - $3) nooutput
            lo = STATS_min; hi = STATS_max
            stats fm index K - 1 using (abs($4 - $5)) nooutput
            max_f32 = STATS_max
            do for [k = 1:K] {
                stats fm index k - 1 using ($3 - $5) nooutput
                lo = STATS_min < lo ? STATS_min : lo; hi = STATS_max > hi ? STATS_max : hi
            }
            pad = 0.08 * (hi - lo) + 1e-3
            set title T16[i] font bold(1.0)
            set xrange [n_lo : n_hi]
            set yrange [lo - pad : hi + pad]
            set xlabel 'num\_ctx'
            set ylabel tr('Summe − exakt', 'sum − exact')
            set xtics nomirror
            set ytics nomirror
            set grid xtics ytics
            set border 3 back
            key_font = font(0.75)
            set key below maxcols 2 reverse Left samplen 1.5 font key_font
            set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb '#999999' back
            plot for [k = 1:K] fm index k - 1 using 1:($3 - $5) with lines lw 1.2 lc rgb tile_colour(k) \
                     title sprintf(tr('Baum, Kachel %d: max |Fehler| %s', 'tree, tile %d: max |error| %s'), \
                                   TILE[k], dec(sprintf('%.3g', MAXE[k]))), \
                 fr using 1:($2 - $3) with lines lw 3 lc rgb c_bad \
                     title sprintf(tr('links nach rechts: max |Fehler| %s', 'left to right: max |error| %s'), \
                                   dec(sprintf('%.3g', max_seq))), \
                 fm index K - 1 using 1:($4 - $5) with lines lw 1.5 lc rgb 'black' \
                     title sprintf(tr('Baum in float32, Kachel %d: max |Fehler| %s', 'tree in float32, tile %d: max |error| %s'), \
                                   TILE[K], dec(sprintf('%.2g', max_f32)))
            unset arrow 1
        }
    }
    unset multiplot
}
