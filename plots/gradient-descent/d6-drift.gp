# d6-drift.gp — figure D6: one training run, float32 against float64 and
# backend against backend.
#
# Data: d6-compare.dat, one dataset per backend (step dw_ref dloss_ref
# dw_f32 dloss_f32 dw_first dloss_first); d6-host.dat (step dw dloss), the
# float32 host loops against the float64 reference; d6-ref-loss.dat.
# Image d6-drift: left, the largest weight difference from the float64
# reference per step (log; a difference of 0 is not drawn); right, the
# loss difference; the float64 loss curve is in the left panel's title.
load common

fc = datadir.'/d6-compare.dat'
fh = datadir.'/d6-host.dat'
stats datadir.'/d6-ref-loss.dat' using 2 nooutput
L0 = STATS_max
L1 = STATS_min

set output fig('d6-drift')
set multiplot layout 1,2 title sprintf(tr('Dasselbe Training (Softmax-Regression) in float32 und float64: Verlust %s → %s', \
                                          'The same training (softmax regression) in float32 and float64: loss %s → %s'), \
                                       dec(sprintf('%.3f', L0)), dec(sprintf('%.4f', L1))) \
    font font(1.25)
set xlabel tr('Schritt', 'step')
set logscale y
set format y '10^{%L}'
set key bottom right
set ylabel tr('größtes |Δw| zur float64-Referenz', 'largest |Δw| from the float64 reference')
plot for [i = 1:n_backends] fc index i - 1 using 1:($2 > 0 ? $2 : NaN) with lines lt i lw (i < 3 ? 4 - i : 1) title word(backends, i) noenhanced, \
     fh using 1:($2 > 0 ? $2 : NaN) with lines lc rgb '#000000' lw 1.5 dt 2 title tr('float32 Host-Schleifen (gleiche Reihenfolge wie naive)', 'float32 host loops (the order of naive)')
set ylabel tr('|ΔVerlust| zur float64-Referenz', '|Δloss| from the float64 reference')
plot for [i = 1:n_backends] fc index i - 1 using 1:($3 > 0 ? $3 : NaN) with lines lt i lw (i < 3 ? 4 - i : 1) title word(backends, i) noenhanced, \
     fh using 1:($3 > 0 ? $3 : NaN) with lines lc rgb '#000000' lw 1.5 dt 2 title tr('float32 Host-Schleifen (gleiche Reihenfolge wie naive)', 'float32 host loops (the order of naive)')
unset multiplot
