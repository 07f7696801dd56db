# d6-precision.gp — figure D6 in other precisions: the same training in
# float64, float32, bfloat16 with float32 master weights, and pure
# bfloat16, all on the host.
#
# Data: d6-precision.dat (one dataset per precision: float32,
# bfloat16-mixed, bfloat16-pure; step loss dw dloss, dw the largest
# |w - w_f64| over the weights), d6-ref-loss.dat (the float64 run).
# Image d6-precision: left, the loss curves (float64 dashed beneath);
# right, the weights' distance from float64 over the steps, log y, with
# the unit roundoffs of float32 and bfloat16 times the largest weight as
# dotted scales.
load common

fp = datadir.'/d6-precision.dat'
fr = datadir.'/d6-ref-loss.dat'
stats datadir.'/d6-ref-weights.dat' using (abs($3)) nooutput
W_max = STATS_max
array PNAME[3] = ['float32', 'bfloat16-mixed', 'bfloat16-pure']
array PLAB[3]
PLAB[1] = 'float32'
PLAB[2] = tr('bfloat16, float32-Master-Gewichte', 'bfloat16, float32 master weights')
PLAB[3] = tr('bfloat16 rein', 'pure bfloat16')
array PCOL[3] = ['#0072B2', '#E69F00', '#D55E00']

set output fig('d6-precision')
set multiplot title tr('Dasselbe Training in float64, float32 und bfloat16', \
                       'The same training in float64, float32 and bfloat16') font font(1.25)
set xlabel tr('Schritt', 'step')
set tmargin at screen 0.82; set bmargin at screen 0.13
key_font = font(0.95)
set key top right font key_font samplen 2

set lmargin at screen 0.08; set rmargin at screen 0.46
set title tr('Verlust', 'loss') font font(1.1)
set ylabel tr('Kreuzentropie', 'cross-entropy')
plot fr using 1:2 with lines lw 5 lc rgb '#BBBBBB' title 'float64', \
     for [i = 1:3] fp index i - 1 using 1:2 with lines lw 2 lc rgb PCOL[i] title PLAB[i]

set lmargin at screen 0.58; set rmargin at screen 0.97
set title tr('Gewichte: größter Abstand zu float64', 'weights: largest distance from float64') font font(1.1)
set ylabel tr('größtes |Δw|', 'largest |Δw|')
set logscale y
set format y '10^{%L}'
u32 = W_max * 2.0**-24
u16 = W_max * 2.0**-8
set label 1 tr('u(float32)·max|w|', 'u(float32)·max|w|') at graph 0.02, first u32 offset 0, 0.6 font font(0.85) tc rgb '#555555'
set label 2 tr('u(bfloat16)·max|w|', 'u(bfloat16)·max|w|') at graph 0.02, first u16 offset 0, 0.6 font font(0.85) tc rgb '#555555'
set key right center
plot for [i = 1:3] fp index i - 1 using 1:($3 > 0 ? $3 : NaN) with lines lw 2 lc rgb PCOL[i] title PLAB[i], \
     u32 with lines dt 3 lw 1.5 lc rgb '#555555' notitle, \
     u16 with lines dt 3 lw 1.5 lc rgb '#555555' notitle
unset multiplot
