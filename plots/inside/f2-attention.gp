# f2-attention.gp — figure F2: self-attention of each block for one
# prompt, the heads averaged: which earlier word each word draws from.
#
# Data: f2-attention.dat (one dataset per block: query key weight
# query_word key_word; weight NaN where the key comes after the query,
# masked), model.dat (the model's size), from the common phase on the
# host.
# Image f2-attention: one heat map per block (up to four side by side),
# query down, key across, white 0 to dark blue 1 as in the notebook, every
# cell with its weight and the masked cells grey with a dash.
load common

fa = datadir.'/f2-attention.dat'
stats datadir.'/model.dat' using (L = $6, H = $7, 0) nooutput
stats fa index 0 using 1 nooutput
N = int(sqrt(STATS_records) + 0.5)
array WORD[N]
stats fa index 0 using (WORD[int($2) + 1] = strcol(5), 0) nooutput
prompt = WORD[1]
do for [i = 2:N] { prompt = prompt.' '.WORD[i] }
P = L > 4 ? 4 : L
num(x) = dec(fixed(x, 2))
f_tick = font(1.05); f_cell = font(N <= 5 ? 1.05 : 0.85)

set output fig('f2-attention')
set multiplot title sprintf(tr('Self-Attention in jedem Block für „%s“ (Mittel über %d Köpfe)', \
                               'Self-attention in each block for “%s” (mean over %d heads)'), prompt, H) \
    font font(1.35) offset 0, -0.3
set key off
unset grid
set border 0
set palette defined (0 '#FFFFFF', 0.5 '#6BAED6', 1 '#08306B')
set cbrange [0:1]
unset colorbox
set xrange [-0.5:N - 0.5]
set yrange [N - 0.5:-0.5]
set xtics ('' 0) scale 0 rotate by 35 right font f_tick
set ytics ('' 0) scale 0 font f_tick
do for [i = 1:N] { set xtics add (WORD[i] i - 1); set ytics add (WORD[i] i - 1) }
set size ratio -1
gap = 0.05
pw = (0.86 - (P - 1) * gap) / P
do for [l = 1:P] {
    x0 = 0.06 + (l - 1) * (pw + gap)
    set lmargin at screen x0 + 0.04; set rmargin at screen x0 + pw
    set tmargin at screen 0.82; set bmargin at screen 0.20
    set title sprintf('Block %d', l) font font(1.2)
    set xlabel tr('Key: worauf geschaut wird', 'key: looked at') font font(1.0)
    set ylabel (l == 1 ? tr('Query: wer schaut', 'query: who looks') : '') font font(1.0)
    set object 1 rect from -0.5, -0.5 to N - 0.5, N - 0.5 behind fc rgb '#E6E6E6' fs solid 1.0 noborder
    plot fa index l - 1 using 2:1:3 with image, \
         '' index l - 1 using 2:1:(strcol(3) eq 'nan' ? '–' : num($3)):(strcol(3) ne 'nan' && $3 > 0.55 ? 0xFFFFFF : 0x333333) \
            with labels tc rgb variable font f_cell
}
unset object 1
set colorbox user origin screen 0.935, 0.25 size screen 0.015, 0.5
f_cb = font(0.95)
set cbtics 0.25 font f_cb
set cblabel tr('Gewicht', 'weight') font font(1.0)
unset title; unset xlabel; unset ylabel; unset xtics; unset ytics
set lmargin at screen 0.90; set rmargin at screen 0.905
set tmargin at screen 0.82; set bmargin at screen 0.20
plot fa index 0 using 2:1:(NaN) with image
set size noratio
set label 1 tr('Jede Zeile summiert sich zu 1. Grau: Zukunft, durch die kausale Maske verborgen. Auf dem Host gerechnet.', \
               'Each row sums to 1. Grey: the future, hidden by the causal mask. Computed on the host.') \
    at screen 0.5, 0.04 center font font(0.95) tc rgb c_text
plot NaN notitle
unset multiplot
set output
