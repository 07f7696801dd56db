# d6-drift.gp — figure D6: one training run, float32 against float64 and
# backend against backend.
#
# Data: d6-compare.dat, one dataset per backend (step dw_ref dloss_ref
# dw_f32 dloss_f32 dw_first dloss_first); d6-host.dat (step dw dloss), the
# float32 host loops against the float64 reference; d6-ref-loss.dat and
# d6-ref-weights.dat (the float64 run: the scale of one float32 ULP).
# Image d6-drift, three panels over the steps, log y (a difference of 0
# is not drawn):
#   left:   the largest weight difference from the float64 reference,
#   middle: the loss difference from it,
#   right:  each backend against the first backend (weights),
# each with a dotted line at one float32 ULP of the values compared (of
# the largest |w|, of the final loss), the scale "a few ULPs" refers to;
# one key for all panels above them; the float64 loss curve in the title.
load common

fc = datadir.'/d6-compare.dat'
fh = datadir.'/d6-host.dat'
stats datadir.'/d6-ref-loss.dat' using 2 nooutput
L0 = STATS_max
L1 = STATS_min
stats datadir.'/d6-ref-weights.dat' using (abs($3)) nooutput
W_max = STATS_max
ulp32(x) = x == 0 ? 2.0**-149 : 2.0**(floor(log(abs(x)) / log(2)) - 23)
u_w = ulp32(W_max); u_l = ulp32(L1)
sci(x) = dec(sprintf('%.1f', x / 10**floor(log10(x)))).'·10^{'.minus(sprintf('%d', floor(log10(x)))).'}'

set output fig('d6-drift')
set multiplot title sprintf(tr('Dasselbe Training (Softmax-Regression) in float32 und float64: Verlust %s → %s', \
                               'The same training (softmax regression) in float32 and float64: loss %s → %s'), \
                            dec(sprintf('%.3f', L0)), dec(sprintf('%.4f', L1))) \
    font font(1.25)
set xlabel tr('Schritt', 'step')
set logscale y
set format y '10^{%L}'
set tmargin at screen 0.78; set bmargin at screen 0.12
f_ref = font(0.9); f_title = font(1.1)
host_title = tr('float32 Host-Schleifen (Reihenfolge von naive)', 'float32 host loops (the order of naive)')
# The key above the panels, once: a line sample and a name per series,
# side by side (a gnuplot key belongs to one panel, too narrow for it).
f_key = font(1.0)
unset key
kx = 0.08
do for [i = 1:n_backends + 1] {
    name = i <= n_backends ? word(backends, i) : host_title
    k_lw = i <= n_backends ? (i < 3 ? 4 - i : 1.5) * 1.5 : 2.25
    k_col = i <= n_backends ? word('#0072B2 #D55E00 #009E73 #E69F00 #CC79A7 #56B4E9 #7F7F7F #000000', (i - 1) % 8 + 1) : '#000000'
    k_dt = i <= n_backends ? 1 : 2
    set arrow (90 + i) from screen kx, screen 0.9 to screen kx + 0.03, screen 0.9 nohead lw k_lw lc rgb k_col dt k_dt
    set label (90 + i) name at screen kx + 0.037, screen 0.9 left font f_key noenhanced
    kx = kx + 0.06 + strlen(name) * 0.0075
}

set lmargin at screen 0.08; set rmargin at screen 0.32
set title tr('Gewichte gegen float64', 'weights against float64') font f_title
set ylabel tr('größtes |Δw|', 'largest |Δw|')
set label 1 sprintf(tr('1 ULP bei |w| = %s', '1 ULP at |w| = %s'), dec(sprintf('%.2f', W_max))) \
    at graph 0.02, first u_w offset 0, 0.6 left font f_ref tc rgb '#555555'
plot for [i = 1:n_backends] fc index i - 1 using 1:($2 > 0 ? $2 : NaN) with lines lt i lw (i < 3 ? 4 - i : 1.5) notitle, \
     fh using 1:($2 > 0 ? $2 : NaN) with lines lc rgb '#000000' lw 1.5 dt 2 notitle, \
     u_w with lines dt 3 lw 1.5 lc rgb '#555555' notitle
unset label 1
do for [i = 1:n_backends + 1] { unset arrow (90 + i); unset label (90 + i) }

set lmargin at screen 0.42; set rmargin at screen 0.66
set title tr('Verlust gegen float64', 'loss against float64') font f_title
set ylabel tr('|ΔVerlust|', '|Δloss|')
set label 1 sprintf(tr('1 ULP beim Endverlust %s', '1 ULP at the final loss %s'), dec(sprintf('%.3f', L1))) \
    at graph 0.02, first u_l offset 0, 0.6 left font f_ref tc rgb '#555555'
plot for [i = 1:n_backends] fc index i - 1 using 1:($3 > 0 ? $3 : NaN) with lines lt i lw (i < 3 ? 4 - i : 1.5) notitle, \
     fh using 1:($3 > 0 ? $3 : NaN) with lines lc rgb '#000000' lw 1.5 dt 2 notitle, \
     u_l with lines dt 3 lw 1.5 lc rgb '#555555' notitle
unset label 1

set lmargin at screen 0.76; set rmargin at screen 0.99
set title sprintf(tr('Backend gegen %s (Gewichte)', 'backend against %s (weights)'), word(backends, 1)) font f_title noenhanced
set ylabel tr('größtes |Δw|', 'largest |Δw|')
if (n_backends < 2) {
    # One job: nothing to set beside it.
    unset border; unset tics; unset ylabel; unset xlabel; unset logscale y
    set xrange [0:1]; set yrange [0:1]
    set label 2 sprintf(tr("Nur ein Job gelaufen (%s):\nkein Backend zum Vergleichen", \
                           "Only one job ran (%s):\nno backend to compare"), word(backends, 1)) \
        at graph 0.5, graph 0.55 center font font(1.0) tc rgb '#555555' noenhanced
    plot blank notitle
    unset multiplot
    exit
}
set label 1 sprintf(tr('1 ULP bei |w| = %s', '1 ULP at |w| = %s'), dec(sprintf('%.2f', W_max))) \
    at graph 0.02, first u_w offset 0, 0.6 left font f_ref tc rgb '#555555'
n_same = 0; same_names = ''
do for [i = 2:n_backends] {
    stats fc index i - 1 using 6 nooutput
    if (STATS_max == 0) { n_same = n_same + 1; same_names = same_names.(n_same > 1 ? ', ' : '').word(backends, i) }
}
if (n_same > 0) {
    set label 2 sprintf(tr('%s: bitgleich mit %s', '%s: bitwise equal to %s'), same_names, word(backends, 1)) \
        at graph 0.02, graph 0.06 left font f_ref tc rgb c_good noenhanced
    set label 3 tr('(0: nicht gezeichnet)', '(0: not drawn)') at graph 0.02, graph 0.06 offset 0, -1.1 left font f_ref tc rgb c_good
}
plot for [i = 2:n_backends] fc index i - 1 using 1:($6 > 0 ? $6 : NaN) with lines lt i lw 1.5 notitle, \
     u_w with lines dt 3 lw 1.5 lc rgb '#555555' notitle
unset multiplot
