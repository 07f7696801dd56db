# d1-iterations.gp — figure D1: gradient descent on the diagonal of W_Q.
#
# Data: d1-iterations.dat (iteration zhat error loss w1 … wn), the state
# before each update; notes `lr` and `target`.
# Image d1-iterations: left, the prediction ẑ approaching the target z
# (dashed, above the axis) with the loss ½(ẑ − z)² on a log axis; right,
# the diagonal weights w11 … wnn per iteration. A weight that follows an
# earlier one exactly (w33 = w11 for the lecture's x = [1, 2, 1, 0]) is
# drawn dashed over it and named so in the key.
load common

f = datadir.'/d1-iterations.dat'
lr = real(system(sprintf("sed -n 's/^# lr: //p' '%s'", f)))
target = real(system(sprintf("sed -n 's/^# target: //p' '%s'", f)))
ncols = int(system(sprintf("grep -v '^#' '%s' | awk 'NF {print NF; exit}'", f)))
nw = ncols - 4

# same_as[k]: the first earlier weight whose column equals column k in
# every row (0: none)
array same_as[nw]
do for [k = 1:nw] {
    same_as[k] = 0
    do for [j = k - 1:1:-1] {
        stats f using (abs(column(4 + k) - column(4 + j))) nooutput
        if (STATS_max == 0) { same_as[k] = j }
    }
}
stats f using 2 nooutput
zmax = STATS_max
wname(k) = sprintf('w_{%d%d}', k, k)
wtitle(k) = same_as[k] == 0 ? wname(k) \
          : wname(k).sprintf(tr(' = %s (deckungsgleich)', ' = %s (coincide)'), wname(same_as[k]))

set output fig('d1-iterations')
set multiplot layout 1,2 title sprintf(tr('Gradientenabstieg auf der Diagonale von W_Q (Lernrate %s)', \
                                          'Gradient descent on the diagonal of W_Q (learning rate %s)'), dec(sprintf('%g', lr))) \
    font font(1.25) margins 0.07, 0.97, 0.11, 0.88 spacing 0.16, 0
set yrange [0 : zmax * 1.08]
set xlabel tr('Iteration', 'iteration')
set ylabel tr('Vorhersage ẑ', 'prediction ẑ')
set y2label tr('Verlust ½(ẑ − z)² (log)', 'loss ½(ẑ − z)² (log)')
set logscale y2
set format y2 '10^{%L}'
set y2tics nomirror
set key top right
plot f using 1:2 with linespoints lt 1 title 'ẑ', \
     target with lines dt 2 lw 2 lc rgb c_text title sprintf(tr('Ziel z = %s', 'target z = %s'), dec(sprintf('%g', target))), \
     '' using 1:4 axes x1y2 with linespoints lt 2 title tr('Verlust', 'loss')
unset y2label
unset y2tics
unset logscale y2
set ylabel tr('Gewicht', 'weight')
set autoscale y
set key at graph 0.98, graph 0.9 right top
plot for [k = 1:nw] f using 1:(same_as[k] ? NaN : column(4 + k)) \
         with linespoints lt k title (same_as[k] ? '' : wtitle(k)), \
     for [k = 1:nw] f using 1:(same_as[k] ? column(4 + k) : NaN) \
         with linespoints lt k dt 2 pt 6 ps 1.8 title (same_as[k] ? wtitle(k) : '')
unset multiplot

# ---- d1-table ----------------------------------------------------------------
# The iteration table as the lecture shows it (iterations 0-5): numlab's
# values, each rounded to the digits the lecture prints; where the lecture
# prints another value (d1-lecture.dat: E38, E39 of doc/errata.md), that
# value in red under it. Without the lecture's table (other parameters),
# three decimals.
reset
load common
f = datadir.'/d1-iterations.dat'
fl = datadir.'/d1-lecture.dat'
ncols = int(system(sprintf("grep -v '^#' '%s' | awk 'NF {print NF; exit}'", f)))
nw = ncols - 4
R = 6
C = 2 + nw                       # ẑ, error, w11 … wnn
array V[R * C]
array L[R * C]
do for [i = 1:R * C] { V[i] = NaN; L[i] = '' }
stats f every ::0::R-1 using (r = int($1), V[r * C + 1] = $2, V[r * C + 2] = $3, 0) nooutput
do for [k = 1:nw] {
    stats f every ::0::R-1 using (V[int($1) * C + 2 + k] = column(4 + k), 0) nooutput
}
# an empty table is one row of NaN (doc/output-format.md)
n_lecture = int(system(sprintf("awk '!/^#/ && NF && $1 != \"NaN\"' '%s' | wc -l", fl)))
if (n_lecture > 0) {
    do for [c = 1:C] {
        stats fl using ($1 == $1 && $1 < R ? L[int($1) * C + c] = strcol(1 + c) : 0, 0) nooutput
    }
}
decimals(s) = strstrt(s, '.') ? strlen(s) - strstrt(s, '.') : 0
shown(i) = L[i] eq '' ? fixed(V[i], 3) : fixed(V[i], decimals(L[i]))
differs(i) = L[i] ne '' && shown(i) ne fixed(real(L[i]), decimals(L[i]))
# '-0.000' is 0; a minus sign in place of the hyphen
tidy(s) = (s[1:1] eq '-' && real(s) == 0) ? s[2:] : minus(s)

set output fig('d1-table')
set title n_lecture > 0 ? tr('Die Iterationstabelle der Vorlesung, nachgerechnet', \
                            'The lecture''s iteration table, recomputed') \
                        : tr('Die Iterationstabelle, die ersten sechs Schritte', \
                             'The iteration table, the first six steps')
unset border; unset tics; unset grid; unset key
set xrange [0:1]; set yrange [0 : R + 1.8]
x0 = 0.07; dx = (0.96 - x0) / C
colx(c) = x0 + dx * (c - 0.5)
set label 1 tr('Iteration', 'iteration') at 0.04, R + 1.1 center font bold(1.15) tc rgb c_text
set label 2 'ẑ' at colx(1), R + 1.1 center font bold(1.15) tc rgb c_text
set label 3 tr('Fehler ẑ − z', 'error ẑ − z') at colx(2), R + 1.1 center font bold(1.15) tc rgb c_text
do for [k = 1:nw] {
    set label 3 + k sprintf('w_{%d%d}', k, k) at colx(2 + k), R + 1.1 center font bold(1.15) tc rgb c_text
}
set arrow 1 from graph 0.01, first R + 0.55 to graph 0.99, first R + 0.55 nohead ls 101
n_differ = 0
do for [r = 0:R - 1] {
    y = R - r
    set label 100 + 20 * r sprintf('%d', r) at 0.04, y center font mono(1.3) tc rgb c_text
    do for [c = 1:C] {
        i = r * C + c
        if (V[i] == V[i]) {
            set label 100 + 20 * r + c dec(tidy(shown(i))) at colx(c), y + (differs(i) ? 0.17 : 0) center font mono(1.3)
            if (differs(i)) {
                n_differ = n_differ + 1
                set label 1000 + 20 * r + c sprintf('%s: %s', lecture_word, dec(tidy(L[i]))) \
                    at colx(c), y - 0.25 center font font(0.95) tc rgb c_lecture
            }
        }
    }
}
note = n_lecture > 0 \
     ? tr('Gerundet auf die Stellen der Vorlesung. Rot: was das Skript druckt, wo es abweicht (doc/errata.md, E38, E39).', \
          'Rounded to the lecture''s digits. Red: what the script prints where it differs (doc/errata.md, E38, E39).') \
     : tr('Andere Parameter als das Beispiel der Vorlesung: drei Nachkommastellen.', \
          'Other parameters than the lecture''s example: three decimals.')
set label 2000 note at graph 0.01, graph 0.02 left font font(0.95) tc rgb (n_differ > 0 ? c_lecture : c_text)
plot blank notitle
