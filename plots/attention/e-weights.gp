# e-weights.gp — figure E: the attention weights of the worked example.
#
# Data: e-scores.dat (index token dot score alpha), note `query`.
# Image e-weights: one bar per key token with its weight α in percent and
# its score q·k/√d_k.
load common

f = datadir.'/e-scores.dat'
query = system(sprintf("sed -n 's/^# query: \\([^;]*\\);.*/\\1/p' '%s'", f))
stats f using 5 nooutput
N = int(STATS_records)
top = STATS_max
set output fig('e-weights')
set title sprintf(tr('Aufmerksamkeit von „%s“: Gewichte α = softmax(q·k/√d)', \
                     'Attention of "%s": weights α = softmax(q·k/√d)'), query) noenhanced
set ylabel tr('Gewicht α (%)', 'weight α (%)')
set xrange [-0.6 : N - 0.4]
set yrange [0 : top * 100 * 1.25]
xtick_font = font(1.15)
set xtics scale 0 font xtick_font
set grid noxtics ytics
unset key
set boxwidth 0.65 relative
plot f using 1:($5 * 100):xtic(strcol(2)) with boxes lt 1 notitle, \
     '' using 1:($5 * 100):(dec(sprintf('%.1f %%', $5 * 100))) with labels offset 0, 0.9 font font(1.1) notitle, \
     '' using 1:(0):(sprintf('q·k/√d = %s', dec(minus(sprintf('%.3g', $4))))) with labels offset 0, 1 font font(0.95) tc rgb '#FFFFFF' notitle
