# d4-softmax.gp — figure D4: softmax + cross-entropy at the output layer.
#
# Data: d4-softmax.dat (class z p y p_minus_y), one dataset per case;
# d4-gradient.dat (class input grad step), one dataset per case;
# d4-loss.dat (case target p_target loss); d4-curve.dat (p loss);
# d4-lecture.dat (case what class input printed erratum: the lecture's
# wrong numbers, for its own examples only; else one empty row).
# Image d4-softmax: top, p and p − y per class for both cases (the target
# class marked), every bar with its value; bottom, the gradient matrices
# (p − y)·xᵀ as numbers. Where the lecture prints another number for a
# loss or a gradient entry, it stands beside ours in dark red
# ("Vorlesung: 0,3639").
# Image d4-log-curve: L = −log p with the two cases' targets on it.
load common

fs = datadir.'/d4-softmax.dat'
fg = datadir.'/d4-gradient.dat'
fl = datadir.'/d4-loss.dat'

# The lecture's printed numbers that differ (d4-lecture.dat).
flec = datadir.'/d4-lecture.dat'
NLEC = 0
# (strcol: a NaN column would make the empty table's row invalid, and
# stats warn about a file without a valid point)
stats flec using (strcol(1) ne 'NaN' ? (NLEC = NLEC + 1) : 0, 0) nooutput
array LC[NLEC > 0 ? NLEC : 1]; array LW[NLEC > 0 ? NLEC : 1]; array LI[NLEC > 0 ? NLEC : 1]
array LJ[NLEC > 0 ? NLEC : 1]; array LP[NLEC > 0 ? NLEC : 1]
k = 0
stats flec using (strcol(1) ne 'NaN' ? (k = k + 1, LC[k] = int($1), LW[k] = strcol(2), LI[k] = int($3), LJ[k] = int($4), LP[k] = strcol(5)) : 0, 0) nooutput

set output fig('d4-softmax')
set multiplot layout 2,2 title tr('Softmax + Kreuzentropie: p, p − y und der Gradient (p − y)·xᵀ', \
                                  'Softmax + cross-entropy: p, p − y and the gradient (p − y)·xᵀ') font font(1.25)
set key top right
set boxwidth 0.36 absolute
set style fill solid 0.85 border -1
set xzeroaxis lt -1 lc rgb '#444444'
f_val = font(0.95)
val(v) = dec(minus(sprintf('%.3f', v)))
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
    flag = ''
    do for [k = 1:NLEC] { if (LC[k] == c + 1 && LW[k] eq 'loss') { flag = LP[k] } }
    set title sprintf(tr('Fall %d: Verlust −log p_{Ziel} = %s', 'case %d: loss −log p_{target} = %s'), c + 1, dec(sprintf('%.4f', L)))
    unset label 7
    if (flag ne '' && fixed(L, 3) ne flag) {
        set label 7 sprintf('%s: %s', lecture_word, dec(flag)) at graph 0.99, graph 1.02 right font bold(0.9) tc rgb c_lecture
    }
    set xrange [0.4 : 0.6 + (c == 0 ? 3 : 4)]
    plot fs index c using ($1 - 0.2):3:xtic(sprintf('%d%s', $1, $4 == 1 ? tr(' (Ziel)', ' (target)') : '')) with boxes lt 1 title 'p', \
         '' index c using ($1 + 0.2):5 with boxes lt 2 title 'p − y', \
         '' index c using ($1 - 0.2):($3 + 0.12):(val($3)) with labels font f_val tc rgb c_text notitle, \
         '' index c using ($1 + 0.2):($5 + ($5 >= 0 ? 0.12 : -0.12)):(val($5)) with labels font f_val tc rgb c_text notitle
}
unset label 7
set xrange [*:*]
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
# A cell the lecture prints otherwise: our value above, the lecture's below.
flagged(cc, i, j) = NLEC == 0 ? 0 : sum [k = 1:NLEC] ((LC[k] == cc && LW[k] eq 'grad' && LI[k] == i && LJ[k] == j) ? 1 : 0)
do for [c = 0:1] {
    set title sprintf(tr('Fall %d: Gradient von W_{out}', 'case %d: gradient of W_{out}'), c + 1)
    set xtics 1
    set ytics 1
    unset label
    do for [k = 1:NLEC] {
        if (LC[k] == c + 1 && LW[k] eq 'grad') {
            set label (10 + k) sprintf('%s: %s', lecture_word, dec(LP[k])) at LJ[k], LI[k] + 0.2 \
                center font bold(0.85) tc rgb c_lecture front
        }
    }
    plot fg index c using 2:1:3 with image notitle, \
         '' index c using 2:($1 - (flagged(c + 1, $1, $2) ? 0.17 : 0)):(dec(minus(sprintf('%.4f', $3)))) \
            with labels font font(1.0) notitle
}
unset label
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
