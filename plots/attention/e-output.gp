# e-output.gp — figure E: the output vector of the attention step, the
# lecture's highlighted result.
#
# Data: e-output.dat (component o lecture_o).
# Image e-output: one bar per component of o = Σ α_j v_j with its value;
# where the lecture script prints another value (lecture_o; E12 of
# doc/errata.md: 0.339 for 0.399), that value in red beside it.
load common

f = datadir.'/e-output.dat'
stats f using 2 nooutput
N = int(STATS_records)
top = STATS_max
stats f using (lecture_differs($2, $3, 3) ? 1 : 0) nooutput
n_flags = int(STATS_sum)
set output fig('e-output')
set title tr('Ausgabe der Attention für „von“: o = Σ_j α_j v_j', \
             'Attention output for “von”: o = Σ_j α_j v_j')
set ylabel tr('Komponente von o', 'component of o')
set xrange [0.4 : N + 0.6]
set yrange [0 : top * 1.3]
xtick_font = font(1.15)
set xtics 1 scale 0 font xtick_font
set format x tr('o_%g', 'o_%g')
set grid noxtics ytics
unset key
set boxwidth 0.6 relative
if (n_flags > 0) {
    set label 1 tr(sprintf('Rot: was das Skript der Vorlesung druckt, wo es abweicht (doc/errata.md, E12)'), \
                   sprintf('Red: what the lecture script prints where it differs (doc/errata.md, E12)')) \
        at graph 0.01, graph -0.09 left font font(0.9) tc rgb c_lecture
    set bmargin 5
}
plot f using 1:2 with boxes lt 1 notitle, \
     '' using 1:2:(dec(fixed($2, 3))) with labels offset 0, 0.9 font font(1.2) notitle, \
     '' using ($1 - 0.3):(lecture_differs($2, $3, 3) ? $3 : NaN):(0.6):(0) \
        with vectors nohead lw 3 dt 2 lc rgb c_lecture notitle, \
     '' using 1:(lecture_differs($2, $3, 3) ? $2 : NaN):(sprintf('%s: %s', lecture_word, dec(fixed($3, 3)))) \
        with labels offset 0, 2.4 font font(1.1) tc rgb c_lecture notitle
