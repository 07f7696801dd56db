# d4-softmax.gp — figure D4: softmax + cross-entropy at the output layer.
#
# Data: d4-softmax.dat (class z p y p_minus_y), one dataset per case;
# d4-gradient.dat (class input grad step), one dataset per case;
# d4-loss.dat (case target p_target loss); d4-curve.dat (p loss).
# Image d4-softmax: top, p and p − y per class for both cases (the target
# class marked); bottom, the gradient matrices (p − y)·xᵀ as numbers.
# Image d4-log-curve: L = −log p with the two cases' targets on it.
load common

fs = datadir.'/d4-softmax.dat'
fg = datadir.'/d4-gradient.dat'
fl = datadir.'/d4-loss.dat'

set output fig('d4-softmax')
set multiplot layout 2,2 title tr('Softmax + Kreuzentropie: p, p − y und der Gradient (p − y)·xᵀ', \
                                  'Softmax + cross-entropy: p, p − y and the gradient (p − y)·xᵀ') font font(1.25)
set style data histograms
set style histogram clustered gap 1
set key top right
# The losses first: stats obeys the yrange, and a loss can exceed it.
array LOSS[2]
do for [c = 0:1] {
    stats fl every ::c::c using 4 nooutput
    LOSS[c + 1] = STATS_min
}
set yrange [-1:1]   # p in [0, 1], p - y down to -1
set xlabel tr('Klasse (ab 1 gezählt)', 'class (counted from 1)')
do for [c = 0:1] {
    L = LOSS[c + 1]
    set title sprintf(tr('Fall %d: Verlust −log p_{Ziel} = %s', 'case %d: loss −log p_{target} = %s'), c + 1, dec(sprintf('%.4f', L)))
    plot fs index c using 3:xtic(sprintf('%d%s', $1, $4 == 1 ? tr(' (Ziel)', ' (target)') : '')) lt 1 title 'p', \
         '' index c using 5 lt 2 title 'p − y'
}
set style data points
unset xlabel
unset key
set autoscale fix
set offsets 0, 0, 0, 0
set yrange [*:*] reverse
set xlabel tr('Eingabe j', 'input j')
set ylabel tr('Klasse i', 'class i')
set cbrange [-1:1]   # |p - y| <= 1; |x_j| may stretch it: gradients beyond saturate
set palette defined (-1 '#D55E00', 0 '#FFFFFF', 1 '#0072B2')
unset colorbox
set grid noxtics noytics
do for [c = 0:1] {
    set title sprintf(tr('Fall %d: Gradient von W_{out}', 'case %d: gradient of W_{out}'), c + 1)
    set xtics 1
    set ytics 1
    plot fg index c using 2:1:3 with image notitle, \
         '' index c using 2:1:(dec(minus(sprintf('%.4f', $3)))) with labels font font(1.0) notitle
}
unset multiplot

reset
load common
set output fig('d4-log-curve')
set title tr('Kreuzentropie L = −log p: kleine Wahrscheinlichkeit der richtigen Klasse, großer Verlust', \
             'Cross-entropy L = −log p: a small probability for the right class is a large loss')
set xlabel tr('p der richtigen Klasse', 'p of the right class')
set ylabel 'L = −log p'
set xrange [0:1]
set yrange [0:5]
set key top right
# the two cases lie close together: both labelled above the curve, the
# first to the left with a leader line, the second to the right; '; '
# between the numbers, which may carry a decimal comma
case_label(c, p, l) = sprintf(tr('Fall %d: p = %s; L = %s', 'case %d: p = %s; L = %s'), \
                              c, dec(sprintf('%.3f', p)), dec(sprintf('%.3f', l)))
plot datadir.'/d4-curve.dat' using 1:2 with lines lt 1 title 'L = −log p', \
     fl using 3:4 with points pt 7 ps 2 lt 2 title tr('die beiden Fälle', 'the two cases'), \
     fl using 3:($1 == 1 ? $4 : NaN):(case_label($1, $3, $4)) with labels offset -0.5, 5 right font font(1.1) notitle, \
     fl using 3:($1 == 1 ? $4 : NaN):(0):(0.66) with vectors nohead lc rgb c_faint notitle, \
     fl using 3:($1 == 1 ? NaN : $4):(case_label($1, $3, $4)) with labels offset 1, 2.2 left font font(1.1) notitle
