# e-next-token.gp — figure E: the next token after the attention step.
#
# Data: e-next-token.dat (index token logit p).
# Image e-next-token: one bar per candidate with its probability in
# percent and its logit W_out·o.
load common

f = datadir.'/e-next-token.dat'
stats f using 4 nooutput
N = int(STATS_records)
top = STATS_max
set output fig('e-next-token')
set title tr('Nächstes Token: Logits W_{out}·o und ihre Wahrscheinlichkeiten', \
             'Next token: logits W_{out}·o and their probabilities')
set ylabel tr('Wahrscheinlichkeit (%)', 'probability (%)')
set xrange [-0.6 : N - 0.4]
set yrange [0 : top * 100 * 1.25]
xtick_font = font(1.15)
set xtics scale 0 font xtick_font
set grid noxtics ytics
unset key
set boxwidth 0.65 relative
plot f using 1:($4 * 100):xtic(strcol(2)) with boxes lt 2 notitle, \
     '' using 1:($4 * 100):(sprintf('%.1f %%', $4 * 100)) with labels offset 0, 0.9 font font(1.1) notitle, \
     '' using 1:(0):(sprintf(tr('Logit %s', 'logit %s'), minus(sprintf('%.3f', $3)))) with labels offset 0, 1 font font(0.95) tc rgb '#FFFFFF' notitle
