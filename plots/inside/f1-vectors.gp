# f1-vectors.gp — figure F1, first half: the prompt's words become vectors,
# and the last word's vector grows through the transformer blocks.
#
# Data: f1-embedding.dat (position word token_norm input_norm), f1-blocks.dat
# (block norm: 0 the first block's input, b the output of block b, for the
# prompt's last token), both from the common phase on the host.
# Image f1-vectors: left the norm of each word's token embedding (the
# notebook's first panel), right the last token's norm before the first
# block and after each block; every bar with its value.
load common

fe = datadir.'/f1-embedding.dat'
fb = datadir.'/f1-blocks.dat'
stats fe using 3 nooutput
N = int(STATS_records); e_max = STATS_max
array WORD[N]
stats fe using (WORD[int($1) + 1] = strcol(2), 0) nooutput
prompt = WORD[1]
do for [i = 2:N] { prompt = prompt.' '.WORD[i] }
stats fb using 2 nooutput
B = int(STATS_records); b_max = STATS_max
num(x, d) = dec(fixed(x, d))
f_tick = font(1.15); f_lab = font(1.05)

set output fig('f1-vectors')
set multiplot title sprintf(tr('Inferenz-Pipeline für „%s“: Wörter werden Vektoren', \
                               'Inference pipeline for “%s”: words become vectors'), prompt) \
    font font(1.35) offset 0, -0.3
set key off
set grid ytics
unset xtics
set style fill solid 0.9 border -1
set boxwidth 0.6

set lmargin at screen 0.08; set rmargin at screen 0.46
set tmargin at screen 0.80; set bmargin at screen 0.16
set title tr('1. Embedding: jedes Wort ein Vektor', '1. Embedding: each word a vector') font font(1.15)
set ylabel tr('Norm des Token-Embeddings', 'norm of the token embedding') font font(1.05)
set yrange [0:e_max * 1.25]
set xrange [-0.6:N - 0.4]
set xtics ('' 0) scale 0 font f_tick
do for [i = 1:N] { set xtics add (WORD[i] i - 1) }
plot fe using 1:3 with boxes lc rgb '#0072B2', \
     '' using 1:3:(num($3, 2)) with labels offset 0, 0.9 font f_lab tc rgb c_text

set lmargin at screen 0.57; set rmargin at screen 0.97
set title sprintf(tr('2. Das letzte Wort „%s“ durch die Blöcke', \
                     '2. The last word “%s” through the blocks'), WORD[N]) font font(1.15)
set ylabel tr('Norm (letztes Wort)', 'norm (last word)') font font(1.05)
set yrange [0:b_max * 1.25]
set xrange [-0.6:B - 0.4]
set xtics ('' 0)
set xtics add (tr('Eingabe', 'input') 0)
do for [i = 1:B - 1] { set xtics add (sprintf('Block %d', i) i) }
set label 1 tr('Eingabe: Token-Embedding + Positions-Embedding, der Vektor, der in Block 1 geht. Alles auf dem Host gerechnet (naive Reihenfolge).', \
                'input: token embedding + position embedding, the vector that enters block 1. All computed on the host (naive order).') \
    at screen 0.5, 0.05 center font font(0.95) tc rgb c_text
plot fb using 1:2:($1 == 0 ? 0xA8A8A8 : 0xD55E00) with boxes lc rgb variable, \
     '' using 1:2:(num($2, 2)) with labels offset 0, 0.9 font f_lab tc rgb c_text

unset multiplot
set output
