# loss.gp — MiniGPT's training: cross-entropy per step on every backend,
# with the unigram baseline.
#
# Data: loss.dat, one dataset per backend (step loss unigram); the loss is
# the mean over the step's batch, before its update, in nats. Image
# minigpt-loss: the loss curves (log y) and a dashed line at the unigram
# entropy, the loss of the best model that ignores the context; a uniform
# guess starts at log V.
load common

f = datadir.'/loss.dat'
stats f index 0 using 3 nooutput
U = STATS_min

set output fig('minigpt-loss')
set title tr('MiniGPT lernt Deutsch: Verlust pro Trainingsschritt', \
             'MiniGPT learns German: loss per training step') font font(1.25)
set xlabel tr('Trainingsschritt', 'training step')
set ylabel tr('Kreuzentropie (nats, Mittel über den Batch)', 'cross-entropy (nats, batch mean)')
set logscale y
set key top right
set grid ytics mytics lc rgb '#dddddd'
plot for [i = 1:n_backends] f index i - 1 using 1:2 with lines lt i lw 4 - i title word(backends, i) noenhanced, \
     U with lines lc rgb '#000000' lw 1.5 dt 2 title sprintf(tr('Unigramm-Grundlinie %s (Wortfrequenzen ohne Kontext)', \
                                                              'unigram baseline %s (word frequencies, no context)'), dec(sprintf('%.2f', U)))
