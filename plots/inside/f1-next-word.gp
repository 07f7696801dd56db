# f1-next-word.gp — figure F1, second half: from the last vector to the
# next word, scores first (logits), then probabilities (softmax).
#
# Data: f1-top.dat (rank word logit prob entropy_nats: the most likely
# next words after the pipeline prompt, prob the softmax at T = 1 over
# the whole vocabulary), f1-embedding.dat for the prompt's words; both
# from the common phase on the host.
# Image f1-next-word: left the top words' logits as horizontal bars
# (green above 0, vermillion below, as the notebook), right their
# probabilities in percent with the value beside each bar; the entropy
# of the whole distribution in the right panel's title.
load common

ft = datadir.'/f1-top.dat'
fe = datadir.'/f1-embedding.dat'
stats fe using 3 nooutput
N = int(STATS_records)
array WORD[N]
stats fe using (WORD[int($1) + 1] = strcol(2), 0) nooutput
prompt = WORD[1]
do for [i = 2:N] { prompt = prompt.' '.WORD[i] }
stats ft using 3 nooutput
K = int(STATS_records); l_min = STATS_min; l_max = STATS_max
stats ft using 4 nooutput
p_max = STATS_max
stats ft using 5 nooutput
H = STATS_max
array TOP[K]
stats ft using (TOP[int($1)] = strcol(2), 0) nooutput
tok(s) = (strlen(s) == 1 && strstrt('.,;:!?-', s) > 0) ? tr('„'.s.'“', '“'.s.'”') : s
num(x, d) = dec(minus(fixed(x, d)))
f_tick = font(1.1); f_lab = font(1.0)

set output fig('f1-next-word')
set multiplot title sprintf(tr('„%s“ → ?  Vom letzten Vektor zum nächsten Wort', \
                               '“%s” → ?  From the last vector to the next word'), prompt) \
    font font(1.35) offset 0, -0.3
set key off
unset grid
set grid xtics
set style fill solid 0.9 border -1
set boxwidth 0.7
set yrange [K + 0.6:0.4]
set ytics ('' 1) scale 0 font f_tick noenhanced
do for [k = 1:K] { set ytics add (tok(TOP[k]) k) }
set border 3

set lmargin at screen 0.10; set rmargin at screen 0.46
set tmargin at screen 0.80; set bmargin at screen 0.165
set title sprintf(tr('3. Logits: ein Wert pro Wort (Top %d)', '3. Logits: one score per word (top %d)'), K) font font(1.15)
set xlabel tr('Logit', 'logit') font font(1.05)
lo = l_min < 0 ? l_min * 1.15 : 0
set xrange [lo:l_max * 1.22]
plot ft using (0):1:(0):($3):($1 - 0.35):($1 + 0.35):($3 >= 0 ? 0x009E73 : 0xD55E00) with boxxyerror lc rgb variable, \
     '' using 3:1:(num($3, 2)) with labels left offset 0.6, 0 font f_lab tc rgb c_text

set lmargin at screen 0.60; set rmargin at screen 0.95
set title sprintf(tr('4. Softmax: Wahrscheinlichkeiten (Entropie %s nats)', \
                     '4. Softmax: probabilities (entropy %s nats)'), num(H, 2)) font font(1.15)
set xlabel tr('Wahrscheinlichkeit (%)', 'probability (%)') font font(1.05)
set xrange [0:p_max * 100 * 1.25]
set label 1 tr('Softmax über alle Wörter des Vokabulars bei T = 1; die übrigen Wörter teilen sich den Rest. Auf dem Host gerechnet.', \
               'softmax over every word of the vocabulary at T = 1; the other words share the rest. Computed on the host.') \
    at screen 0.5, screen 0.03 center font font(0.95) tc rgb c_text
plot ft using (0):1:(0):($4 * 100):($1 - 0.35):($1 + 0.35):(0x0072B2) with boxxyerror lc rgb variable, \
     '' using ($4 * 100):1:(num($4 * 100, 1).' %') with labels left offset 0.6, 0 font f_lab tc rgb c_text

unset multiplot
set output
