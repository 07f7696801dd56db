# d5-regression.gp — figure D5: one-weight linear regression.
#
# Data: d5-regression.dat (step w yhat error loss grad); note `setting`.
# Image d5-regression: the weight w approaching y/x (dashed and labelled,
# with room above it), and the loss ½(ŷ − y)² on a log axis.
load common

f = datadir.'/d5-regression.dat'
setting = system(sprintf("sed -n 's/^# setting: //p' '%s'", f))
set output fig('d5-regression')
set title sprintf(tr('Lineare Regression mit einem Gewicht: %s', 'One-weight linear regression: %s'), dec_text(setting)) noenhanced
set xlabel tr('Schritt', 'step')
set ylabel tr('Gewicht w', 'weight w')
set y2label tr('Verlust ½(ŷ − y)² (log)', 'loss ½(ŷ − y)² (log)')
set logscale y2
set format y2 '10^{%L}'
set y2tics nomirror
set key center right
# w's range and the solution y/x = w − error/x (x = ŷ/w), with room above
# and below so that the solution line is not the border.
stats f using 2 nooutput
w_lo = STATS_min; w_hi = STATS_max
stats f every ::0::0 using ($2 - $4 / ($3 / $2)) nooutput
sol = STATS_min
lo = w_lo < sol ? w_lo : sol; hi = w_hi > sol ? w_hi : sol
pad = 0.1 * (hi - lo > 0 ? hi - lo : 1)
set yrange [lo - pad : hi + pad]
set label 1 sprintf('w = y/x = %s', dec(sprintf('%g', sol))) at graph 0.55, first sol offset 0, 0.9 center font font(1.0) tc rgb c_text
plot f using 1:2 with linespoints lt 1 title 'w', \
     '' using 1:($2 - $4 / ($3 / $2)) with lines dt 2 lc rgb c_text title tr('Lösung w = y/x', 'solution w = y/x'), \
     '' using 1:5 axes x1y2 with linespoints lt 2 title tr('Verlust', 'loss')
