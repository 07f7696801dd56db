# d3-landscape.gp — figure D3: the loss landscape over two weights.
#
# Data: d3-landscape.dat (w11 w22 loss), one dataset per grid row (the
# script squeezes the double blank lines with `cat -s` to make one grid);
# d3-path.dat (iteration w11 w22 loss), one dataset per learning rate.
# Image d3-landscape: the loss as colour (log scale) on a 121 x 121 grid,
# the valley floor (the least loss of each grid row, and the straight line
# through those points, dashed: the minimum is a whole line, w11 + 2·w22
# = const), and the descent paths from the start with their first steps
# numbered, so that the jump across the valley and back shows. Beside the
# map, what the paths show.
load common

fg = '< cat -s '."'".datadir.'/d3-landscape.dat'."'"
fp = datadir.'/d3-path.dat'
lrs = system(sprintf("grep '^# dataset:' '%s' | sed 's/^# dataset: lr //' | tr '\\n' ' '", fp))
NL = words(lrs)

# The paths' points, per learning rate, for the arrows and the numbers.
stats fp index 0 using 1 nooutput
NP = int(STATS_records)
array PX[NL * NP]; array PY[NL * NP]
do for [i = 1:NL] {
    stats fp index i - 1 using (PX[(i - 1) * NP + int($0) + 1] = $2, PY[(i - 1) * NP + int($0) + 1] = $3, 0) nooutput
}
stats fg using 1:2 nooutput
x_lo = STATS_min_x; x_hi = STATS_max_x; y_lo = STATS_min_y; y_hi = STATS_max_y

# The valley floor: in each grid row the point of least loss, and the
# straight line through them (the minimum is a line, not a point).
stats fg using (column(-1)) nooutput
NR = int(STATS_max) + 1
array VMIN[NR]; array VX[NR]; array VY[NR]
do for [r = 1:NR] { VMIN[r] = 1e300 }
stats fg using (r = int(column(-1)) + 1, ($3 < VMIN[r] ? (VMIN[r] = $3, VX[r] = $1, VY[r] = $2) : 0), 0) nooutput
set print $valley
do for [r = 1:NR] { print sprintf('%.17g %.17g', VX[r], VY[r]) }
set print
stats $valley using 1:2 nooutput
v_slope = STATS_slope; v_icept = STATS_intercept

set output fig('d3-landscape')
set label 89 tr('Verlustlandschaft über w_{11} und w_{22} mit dem Weg des Gradientenabstiegs', \
               'Loss landscape over w_{11} and w_{22} with the path of gradient descent') \
    at screen 0.5, screen 0.95 center font font(1.25)
# One unit is as long on both axes (the path meets the valley at a right
# angle): the map's width follows from its height.
map_h = 0.78
map_w = map_h * 720 / 1280.0 * (x_hi - x_lo) / (y_hi - y_lo)
map_w = map_w > 0.5 ? 0.5 : map_w
set size ratio -1
set lmargin at screen 0.08; set rmargin at screen 0.08 + map_w
set tmargin at screen 0.88; set bmargin at screen 0.88 - map_h
cb_x = 0.08 + map_w + 0.03; t_x = cb_x + 0.1
set xrange [x_lo:x_hi]; set yrange [y_lo:y_hi]
f_axis = font(1.1)
set xlabel 'w_{11}' font f_axis
set ylabel 'w_{22}' font f_axis
set logscale cb
set format cb '10^{%L}'
set colorbox user origin screen cb_x, screen 0.2 size screen 0.015, screen 0.6
unset cblabel
set label 90 tr('Verlust', 'loss') at screen cb_x + 0.0075, screen 0.84 center font font(1.0) tc rgb c_text
set palette defined (0 '#FFFFFF', 1 '#C6DBEF', 2 '#6BAED6', 3 '#08519C')
f_key = font(1.0)
set key at screen t_x, screen 0.86 left top Left reverse box opaque font f_key
# The first four steps of the last rate's path numbered: they alternate
# sides of the valley.
f_num = bold(1.0)
do for [i = NL:NL] {
    do for [t = 2:5] {
        k = (i - 1) * NP + t
        if (t <= NP) {
            set label (i * 100 + t) sprintf('%d', t - 1) at PX[k], PY[k] \
                offset 1.1, 0 font f_num tc rgb (i == 1 ? '#D55E00' : '#007A5A') front
        }
    }
}
set label 91 tr("Das Tal (gestrichelt): jeder Punkt darauf\nhat den Verlust 0, eine Gerade, kein Punkt.", \
                "The valley (dashed): every point on it\nhas loss 0, a line, not a point.") \
    at screen t_x, screen 0.55 left font font(1.0) tc rgb c_text
set label 92 sprintf(tr("Lernrate %s: jeder Schritt halbiert\nden Fehler, von einer Seite her.", \
                        "learning rate %s: each step halves\nthe error, from one side."), dec(word(lrs, 1))) \
    at screen t_x, screen 0.42 left font font(1.0) tc rgb '#D55E00'
if (NL > 1) {
    set label 93 sprintf(tr("Lernrate %s: springt über das Tal\nund zurück (Schritte 1, 2, 3, 4).", \
                            "learning rate %s: jumps across the\nvalley and back (steps 1, 2, 3, 4)."), dec(word(lrs, 2))) \
        at screen t_x, screen 0.29 left font font(1.0) tc rgb '#007A5A'
}
set samples 200
plot fg using 1:2:($3 + 1e-6) with image notitle, \
     v_icept + v_slope * x with lines dt 2 lw 2 lc rgb '#333333' title tr('Tal: Verlust 0', 'valley: loss 0'), \
     for [i = 1:NL] fp index i - 1 using 2:3 with linespoints pt (i == 1 ? 5 : 9) ps 1.3 lw 1.5 \
         lc rgb (i == 1 ? '#D55E00' : '#009E73') title sprintf(tr('Lernrate %s', 'learning rate %s'), dec(word(lrs, i))), \
     fp index 0 every ::0::0 using 2:3 with points pt 7 ps 2.2 lc rgb c_text title tr('Start', 'start')
