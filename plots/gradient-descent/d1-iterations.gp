# d1-iterations.gp — figure D1: gradient descent on the diagonal of W_Q.
#
# Data: d1-iterations.dat (iteration zhat error loss w1 … wn), the state
# before each update; notes `lr` and `target`.
# Image d1-iterations: left, the prediction ẑ approaching the target z
# (dashed, above the axis) with the loss ½(ẑ − z)² on a log axis; right,
# the diagonal weights w11 … wnn per iteration. A weight that follows an
# earlier one exactly (w33 = w11 for the lecture's x = [1, 2, 1, 0]) is
# drawn dashed over it and named so in the key.
load common

f = datadir.'/d1-iterations.dat'
lr = real(system(sprintf("sed -n 's/^# lr: //p' '%s'", f)))
target = real(system(sprintf("sed -n 's/^# target: //p' '%s'", f)))
ncols = int(system(sprintf("grep -v '^#' '%s' | awk 'NF {print NF; exit}'", f)))
nw = ncols - 4

# same_as[k]: the first earlier weight whose column equals column k in
# every row (0: none)
array same_as[nw]
do for [k = 1:nw] {
    same_as[k] = 0
    do for [j = k - 1:1:-1] {
        stats f using (abs(column(4 + k) - column(4 + j))) nooutput
        if (STATS_max == 0) { same_as[k] = j }
    }
}
stats f using 2 nooutput
zmax = STATS_max
wname(k) = sprintf('w_{%d%d}', k, k)
wtitle(k) = same_as[k] == 0 ? wname(k) \
          : wname(k).sprintf(tr(' = %s (deckungsgleich)', ' = %s (coincide)'), wname(same_as[k]))

set output fig('d1-iterations')
set multiplot layout 1,2 title sprintf(tr('Gradientenabstieg auf der Diagonale von W_Q (Lernrate %s)', \
                                          'Gradient descent on the diagonal of W_Q (learning rate %s)'), dec(sprintf('%g', lr))) \
    font font(1.25) margins 0.07, 0.97, 0.11, 0.88 spacing 0.16, 0
set yrange [0 : zmax * 1.08]
set xlabel tr('Iteration', 'iteration')
set ylabel tr('Vorhersage ẑ', 'prediction ẑ')
set y2label tr('Verlust ½(ẑ − z)² (log)', 'loss ½(ẑ − z)² (log)')
set logscale y2
set format y2 '10^{%L}'
set y2tics nomirror
set key top right
plot f using 1:2 with linespoints lt 1 title 'ẑ', \
     target with lines dt 2 lw 2 lc rgb c_text title sprintf(tr('Ziel z = %s', 'target z = %s'), dec(sprintf('%g', target))), \
     '' using 1:4 axes x1y2 with linespoints lt 2 title tr('Verlust', 'loss')
unset y2label
unset y2tics
unset logscale y2
set ylabel tr('Gewicht', 'weight')
set autoscale y
set key at graph 0.98, graph 0.9 right top
plot for [k = 1:nw] f using 1:(same_as[k] ? NaN : column(4 + k)) \
         with linespoints lt k title (same_as[k] ? '' : wtitle(k)), \
     for [k = 1:nw] f using 1:(same_as[k] ? column(4 + k) : NaN) \
         with linespoints lt k dt 2 pt 6 ps 1.8 title (same_as[k] ? wtitle(k) : '')
unset multiplot
