# e-next-token.gp — figure E: the next token after the attention step.
#
# Data: e-next-token.dat (index token logit p lecture_logit lecture_p).
# Image e-next-token: one bar per candidate with its probability in
# percent and its logit W_out·o; where the lecture script prints another
# logit (E19, E20 of doc/errata.md), that value in red under it.
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
stats f using (lecture_differs($3, $5, 3) ? 1 : 0) nooutput
if (STATS_sum > 0) {
    set label 1 tr('Rot: das Logit, das das Skript der Vorlesung druckt, wo es abweicht (doc/errata.md, E19, E20)', \
                   'Red: the logit the lecture script prints where it differs (doc/errata.md, E19, E20)') \
        at graph 0.01, graph -0.09 left font font(0.9) tc rgb c_lecture
    set bmargin 5
}
set style textbox 1 opaque fillcolor rgb '#FFFFFF' noborder margins 3, 2
plot f using 1:($4 * 100):xtic(strcol(2)) with boxes lt 2 notitle, \
     '' using 1:($4 * 100):(dec(sprintf('%.1f %%', $4 * 100))) with labels offset 0, 0.9 font font(1.1) notitle, \
     '' using 1:(0):(sprintf(tr('Logit %s', 'logit %s'), dec(minus(sprintf('%.3f', $3))))) with labels offset 0, 2.6 font font(1.05) tc rgb '#FFFFFF' notitle, \
     '' using 1:(lecture_differs($3, $5, 3) ? 0 : NaN):(sprintf('%s: %s', lecture_word, dec(minus(fixed($5, 3))))) \
        with labels boxed bs 1 offset 0, 1 font font(1.05) tc rgb c_lecture notitle
