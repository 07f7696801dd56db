# b1-softmax.gp — figure B1: softmax probabilities of the lecture's logits.
#
# Data: b1-softmax.dat (index token logit scaled p), the double reference;
# b1-backends.dat, one dataset per backend (index token p bits p_ref ulps).
# Image b1-softmax: one bar per token with its probability in percent and
# its logit; below, each backend's largest distance from the reference.
load common

f = datadir.'/b1-softmax.dat'
stats f using 5 nooutput
N = int(STATS_records)
p_top = STATS_max
T = real(system(sprintf("sed -n 's/^# temperature: //p' '%s'", f)))
# A token of one punctuation character is shown in quotes, as in the lecture.
tok(s) = (strlen(s) == 1 && strstrt('.,;:!?-', s) > 0) ? '"'.s.'"' : s

# Each backend's largest |ulps| (a label in the corner).
fb = datadir.'/b1-backends.dat'
ulp_text = ''
do for [i = 1:n_backends] {
    stats fb index i - 1 using (abs($6)) nooutput
    ulp_text = ulp_text.sprintf("%s%s: %d", (i > 1 ? ',  ' : ''), word(backends, i), int(STATS_max))
}

set output fig('b1-softmax')
set title sprintf(tr('Softmax der Logits bei T = %s: Wahrscheinlichkeit jedes Tokens', \
                     'Softmax of the logits at T = %s: probability of each token'), dec(sprintf('%g', T)))
set ylabel tr('Wahrscheinlichkeit (%)', 'Probability (%)')
set xrange [-0.6 : N - 0.4]
set yrange [0 : p_top * 100 * 1.22]
xtick_font = font(1.15)
set xtics scale 0 font xtick_font
set grid noxtics ytics
unset key
set boxwidth 0.65 relative
set label 1 sprintf(tr("float32-Backends, größte Abweichung von der double-Referenz in ULPs:\n%s", \
                       "float32 backends, largest distance from the double reference in ULPs:\n%s"), ulp_text) \
    at graph 0.99, graph 0.97 right font font(0.9) tc rgb '#555555' noenhanced
plot f using 1:($5 * 100):xtic(tok(strcol(2))) with boxes lt 1 notitle, \
     '' using 1:($5 * 100):(dec(sprintf('%.1f %%', $5 * 100))) with labels offset 0, 0.9 font font(1.1) tc rgb c_text notitle, \
     '' using 1:(0):(sprintf(tr('Logit %s', 'logit %s'), dec(minus(sprintf('%.1f', $3))))) \
        with labels offset 0, 1 font font(0.95) tc rgb '#FFFFFF' notitle
