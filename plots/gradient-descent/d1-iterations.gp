# d1-iterations.gp — figure D1: gradient descent on the diagonal of W_Q.
#
# Data: d1-iterations.dat (iteration zhat error loss w1 … wn), the state
# before each update; notes `lr` and `target`.
# Image d1-iterations: left, the prediction ẑ approaching the target z
# (dashed) with the loss ½(ẑ − z)² on a log axis; right, the diagonal
# weights w11 … wnn per iteration.
load common

f = datadir.'/d1-iterations.dat'
lr = real(system(sprintf("sed -n 's/^# lr: //p' '%s'", f)))
target = real(system(sprintf("sed -n 's/^# target: //p' '%s'", f)))
ncols = int(system(sprintf("grep -v '^#' '%s' | awk 'NF {print NF; exit}'", f)))
nw = ncols - 4

set output fig('d1-iterations')
set multiplot layout 1,2 title sprintf(tr('Gradientenabstieg auf der Diagonale von W_Q (Lernrate %g)', \
                                          'Gradient descent on the diagonal of W_Q (learning rate %g)'), lr) \
    font font(1.25)
set xlabel tr('Iteration', 'iteration')
set ylabel tr('Vorhersage ẑ', 'prediction ẑ')
set y2label tr('Verlust ½(ẑ − z)² (log)', 'loss ½(ẑ − z)² (log)')
set logscale y2
set format y2 '10^{%L}'
set y2tics nomirror
set key top right
plot f using 1:2 with linespoints lt 1 title 'ẑ', \
     target with lines dt 2 lc rgb c_text title sprintf(tr('Ziel z = %g', 'target z = %g'), target), \
     '' using 1:4 axes x1y2 with linespoints lt 2 title tr('Verlust', 'loss')
unset y2label
unset y2tics
unset logscale y2
set ylabel tr('Gewicht', 'weight')
plot for [k = 1:nw] f using 1:(column(4 + k)) with linespoints lt k title sprintf('w_{%d%d}', k, k)
unset multiplot
