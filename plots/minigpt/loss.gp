# loss.gp — MiniGPT's training: cross-entropy per step on every backend,
# with the unigram baseline.
#
# Data: loss.dat, one dataset per backend (step loss unigram); the loss is
# the mean over the step's batch, before its update, in nats. Image
# minigpt-loss: the loss curves (log y) and a dashed line at the unigram
# entropy, the loss of the best model that ignores the context; a uniform
# guess starts at log V. A note says how far apart the backends' curves
# lie at most (they coincide to the eye).
load common

f = datadir.'/loss.dat'
stats f index 0 using 3 nooutput
U = STATS_min

# How far the backends' curves lie apart: the largest |loss − the first
# backend's loss| over the steps they share, said on the figure, since
# the curves lie on top of each other.
stats f index 0 using 1 nooutput
NS = int(STATS_records)
array L1[NS]
stats f index 0 using (L1[int($0) + 1] = $2, 0) nooutput
d_max = 0
do for [b = 2:n_backends] {
    stats f index b - 1 using (int($0) < NS ? abs($2 - L1[int($0) + 1]) : 0) nooutput
    d_max = STATS_max > d_max ? STATS_max : d_max
}
sci(x) = x == 0 ? '0' : dec(sprintf('%.1f', x / 10**floor(log10(x)))).'·10^{'.minus(sprintf('%d', floor(log10(x)))).'}'
if (n_backends > 1) {
    set label 1 sprintf(tr("Die %d Kurven liegen aufeinander:\nsie trennen höchstens %s nats.", \
                           "The %d curves lie on top of each other:\nat most %s nats apart."), n_backends, sci(d_max)) \
        at graph 0.97, graph 0.68 right font font(1.05) tc rgb c_text
}

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
