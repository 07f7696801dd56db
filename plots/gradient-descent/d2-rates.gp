# d2-rates.gp — figure D2: the D1 descent at several learning rates.
#
# Data: d2-rates.dat, one dataset per rate (iteration zhat error loss),
# notes `lrs` and `kinds` (slow good overshooting diverging, in dataset
# order); d2-summary.dat (lr factor kind final_loss).
# Image d2-rates: left, the error ẑ − z per iteration (a diverging run is
# cut at the frame); right, the loss on a log axis.
load common

f = datadir.'/d2-rates.dat'
lrs = system(sprintf("sed -n 's/^# lrs: //p' '%s'", f))
kinds = system(sprintf("sed -n 's/^# kinds: //p' '%s'", f))
n = words(lrs)
de_kind(k) = k eq 'slow' ? 'langsam' : k eq 'good' ? 'gut' : k eq 'overshooting' ? 'überschießend' : 'divergent'
label(i) = sprintf(tr('η = %s (%s)', 'η = %s (%s)'), dec(word(lrs, i)), tr(de_kind(word(kinds, i)), word(kinds, i)))

set output fig('d2-rates')
set multiplot layout 1,2 title tr('Dieselbe Aufgabe mit verschiedenen Lernraten η', \
                                  'The same task at different learning rates η') font font(1.25)
set xlabel tr('Iteration', 'iteration')
set ylabel tr('Fehler ẑ − z', 'error ẑ − z')
# the starting error, whatever x, w0 and the target are, with room above
stats f index 0 every ::0::0 using 3 nooutput
e0 = abs(STATS_min) > 0 ? abs(STATS_min) : 1
set yrange [-1.7 * e0 : 1.7 * e0]
set key bottom right
plot for [i = 1:n] f index i - 1 using 1:3 with linespoints lt i title label(i)
set yrange [*:*]
set logscale y
set format y '10^{%L}'
set ylabel tr('Verlust (log)', 'loss (log)')
set key bottom left
plot for [i = 1:n] f index i - 1 using 1:4 with linespoints lt i title label(i)
unset multiplot
