# d5-regression.gp — figure D5: one-weight linear regression.
#
# Data: d5-regression.dat (step w yhat error loss grad); note `setting`.
# Image d5-regression: the weight w approaching y/x (dashed), and the loss
# ½(ŷ − y)² on a log axis.
load common

f = datadir.'/d5-regression.dat'
setting = system(sprintf("sed -n 's/^# setting: //p' '%s'", f))
set output fig('d5-regression')
set title sprintf(tr('Lineare Regression mit einem Gewicht: %s', 'One-weight linear regression: %s'), setting) noenhanced
set xlabel tr('Schritt', 'step')
set ylabel tr('Gewicht w', 'weight w')
set y2label tr('Verlust ½(ŷ − y)² (log)', 'loss ½(ŷ − y)² (log)')
set logscale y2
set format y2 '10^{%L}'
set y2tics nomirror
set key center right
stats f using 3 nooutput
plot f using 1:2 with linespoints lt 1 title 'w', \
     '' using 1:($2 - $4 / ($3 / $2)) with lines dt 2 lc rgb c_text title tr('Lösung w = y/x', 'solution w = y/x'), \
     '' using 1:5 axes x1y2 with linespoints lt 2 title tr('Verlust', 'loss')
