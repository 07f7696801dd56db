# c2-greedy.gp — figure C2: greedy generation step by step, and how close
# each step came to another word.
#
# Data: c2-steps.dat (one dataset per job: prompt prompt_index step word
# logprob prob second prob2 gap class — at each step the word chosen, its
# probability at T = 1, the runner-up and its probability, the top-1 minus
# top-2 logit gap and its class; the last step is usually <EOS>),
# thresholds.dat (stable_gap unstable_gap).
# The figure shows the dataset of the job `naive` (the reference order),
# or of the first job where naive did not run.
# Image c2-greedy: one band per prompt, headed by the prompt (left) and
# the text generated from it (right): above, per step, the probability of
# the chosen word (blue) beside the runner-up's (grey), the chosen word
# and, in parentheses, the runner-up as tick labels; below, the gap per
# step as a bar (log scale) in the colour of its class (stable green,
# borderline orange, unstable red, as in every C figure) with dashed lines
# at the two thresholds. Steps line up across the bands.
load common

f = datadir.'/c2-steps.dat'

# The reference job: naive if it ran, else the first.
ref = 1
do for [b = n_backends:1:-1] { if (word(backends, b) eq 'naive') { ref = b } }
ref_name = word(backends, ref)

# The class thresholds and the class colours shared by the C figures.
stats datadir.'/thresholds.dat' using (stable_gap = $1, unstable_gap = $2, 0) nooutput
cls_rgb(c) = c eq 'stable' ? 0x009E73 : c eq 'unstable' ? 0xD55E00 : 0xE69F00
c_p1 = 0x0072B2      # the chosen word's probability
c_p2 = 0xB8B8B8      # the runner-up's

tok(s) = (strlen(s) == 1 && strstrt('.,;:!?-', s) > 0) ? '"'.s.'"' : esc(s)

# --- the data of the reference job --------------------------------------------
stats f index ref - 1 using 3 nooutput
N = int(STATS_records)
S = int(STATS_max)            # the most steps of any prompt
array SP[N]; array ST[N]; array W1[N]; array W2[N]
stats f index ref - 1 using (i = int($0) + 1, SP[i] = int($2) + 1, ST[i] = int($3), \
    W1[i] = strcol(4), W2[i] = strcol(7), 0) nooutput
stats f index ref - 1 using 2 nooutput
P = int(STATS_max) + 1
array PROMPT[P]; array TEXT[P]
do for [p = 1:P] { TEXT[p] = '' }
stats f index ref - 1 using (p = int($2) + 1, PROMPT[p] = strcol(1), \
    TEXT[p] = TEXT[p].' '.(strcol(4) eq '<EOS>' ? '' : strcol(4)), 0) nooutput
# The gap axis: whole decades around the gaps and the thresholds above 0
# (a log axis has no 0: a gap of exactly 0 draws no bar, an unstable_gap
# of 0 no line).
stats f index ref - 1 using ($9 > 0 ? $9 : 1e300) nooutput
g_lo = STATS_min < stable_gap ? STATS_min : stable_gap
g_lo = unstable_gap > 0 && unstable_gap < g_lo ? unstable_gap : g_lo
stats f index ref - 1 using 9 nooutput
g_hi = STATS_max > stable_gap ? STATS_max : stable_gap
g_lo = 10 ** floor(log10(g_lo))
g_hi = 10 ** ceil(log10(g_hi))

# --- layout -------------------------------------------------------------------------
# Per band: a heading line, the probability panel, two lines of tick labels,
# the gap panel, some space. Fewer prompts do not grow the bands past
# three prompts'.
# At most three prompts to an image: more go on further pages,
# c2-greedy-2, c2-greedy-3, ...
per_page = 3
pages = int(ceil(P / real(per_page)))
y_t0 = 0.89; y_b = 0.085
band = (y_t0 - y_b) / per_page
k_txt = 1.0
# The tick labels need two lines of text whatever the band's height.
h_head = 0.12 * band; h_tics = 0.068 * k_txt
h_rest = band * 0.81 - h_tics
h_prob = 0.45 * h_rest; h_gap = 0.55 * h_rest
# A tick every decade where a decade has 22 px (of 720), else every other.
g_step = h_gap * 720 / log10(g_hi / g_lo) < 22 ? 100 : 10
x_l = 0.08; x_r = 0.98

do for [pg = 1:pages] {
p_first = (pg - 1) * per_page + 1
p_last = pg * per_page < P ? pg * per_page : P
y_t = y_t0 - ((y_t0 - y_b) - band * (p_last - p_first + 1)) / 2
set output fig(pg == 1 ? 'c2-greedy' : sprintf('c2-greedy-%d', pg))
unset object; unset label; unset arrow
set multiplot title sprintf(tr("Greedy-Generierung Schritt für Schritt: wie knapp war jede Wahl? (Backend: %s%s)\n{/*0.75 oben die Wahrscheinlichkeit des gewählten Worts und des Zweitplatzierten (in Klammern), unten der Logit-Abstand der beiden}", \
                               "Greedy generation step by step: how close was each choice? (backend: %s%s)\n{/*0.75 above the probability of the chosen word and of the runner-up (in parentheses), below the logit gap between them}"), \
                            esc(ref_name), pages > 1 ? sprintf(tr('; Bild %d von %d', '; image %d of %d'), pg, pages) : '') font font(1.2)
set lmargin at screen x_l; set rmargin at screen x_r
set xrange [0.5 : S + 0.5]
set border 3 back ls 101
set style fill solid 1.0 noborder
unset key
f_tics = font(0.75 * k_txt); f_words = font(0.95 * k_txt); f_ylab = font(0.8 * k_txt)
do for [p = p_first:p_last] {
    top = y_t - (p - p_first) * band
    # The heading: the prompt (left) and its greedy text (right).
    set label 1 tr('„'.esc(PROMPT[p]).' …“', '“'.esc(PROMPT[p]).' …”') \
        at screen x_l, screen top - h_head / 2 left font bold(1.0 * k_txt) tc rgb c_text
    set label 2 'greedy: '.esc(PROMPT[p].TEXT[p]) \
        at screen x_r, screen top - h_head / 2 right font font(0.95 * k_txt) tc rgb c_text

    # Probabilities: the chosen word (left) beside the runner-up (right).
    set tmargin at screen top - h_head; set bmargin at screen top - h_head - h_prob
    unset logscale y
    set yrange [0 : 1]
    set ytics ('0' 0, '50 %%' 0.5, '100 %%' 1) nomirror font f_tics
    set ylabel 'p' font f_ylab offset 1, 0
    set grid noxtics ytics
    set xtics () scale 0 font f_words offset 0, 0.2
    do for [i = 1:N] { if (SP[i] == p) { set xtics add (tok(W1[i])."\n{/*0.8 (".tok(W2[i]).')}' ST[i]) } }
    set border 3 back ls 101
    set boxwidth 0.34 absolute
    plot f index ref - 1 using ($2 == p - 1 ? $3 - 0.18 : NaN):6 with boxes lc rgb c_p1, \
         '' index ref - 1 using ($2 == p - 1 ? $3 + 0.18 : NaN):8 with boxes lc rgb c_p2
    unset label 1; unset label 2

    # Gaps on a log scale, coloured by class, with the thresholds.
    set tmargin at screen top - h_head - h_prob - h_tics
    set bmargin at screen top - h_head - h_prob - h_tics - h_gap
    set logscale y
    set yrange [g_lo : g_hi]
    set ytics g_lo, g_step, g_hi nomirror format '%g' font f_tics
    set ylabel tr('Abstand', 'gap') font f_ylab offset 1, 0
    set grid noxtics noytics
    unset xtics
    set boxwidth 0.5 absolute
    set arrow 1 from graph 0, first stable_gap to graph 1, first stable_gap nohead dt 2 lw 1.5 lc rgb cls_rgb('stable') front
    if (unstable_gap > 0) {
        set arrow 2 from graph 0, first unstable_gap to graph 1, first unstable_gap nohead dt 2 lw 1.5 lc rgb cls_rgb('unstable') front
    }
    plot f index ref - 1 using ($2 == p - 1 ? $3 : NaN):9:(cls_rgb(strcol(10))) with boxes lc rgb variable
    unset arrow 1; unset arrow 2
}

# --- the key --------------------------------------------------------------------------
set tmargin at screen 0.05; set bmargin at screen 0.01
unset title; unset tics; unset border; unset grid; unset ylabel; unset logscale y
set xrange [0:1]; set yrange [0:1]
array KC[5] = [c_p1, c_p2, cls_rgb('stable'), cls_rgb('borderline'), cls_rgb('unstable')]
array KT[5]
KT[1] = tr('gewähltes Wort', 'chosen word')
KT[2] = tr('Zweitplatzierter', 'runner-up')
KT[3] = sprintf(tr('stabil: Abstand > %s', 'stable: gap > %s'), dec(sprintf('%g', stable_gap)))
KT[4] = sprintf(tr('grenzwertig: %s bis %s', 'borderline: %s to %s'), dec(sprintf('%g', unstable_gap)), dec(sprintf('%g', stable_gap)))
KT[5] = sprintf(tr('instabil: Abstand < %s', 'unstable: gap < %s'), dec(sprintf('%g', unstable_gap)))
array KX[5] = [0.0, 0.14, 0.30, 0.52, 0.77]
do for [k = 1:5] {
    set object k rect from graph KX[k], graph 0.15 to graph KX[k] + 0.02, graph 0.85 \
        fc rgb KC[k] fs solid 1.0 noborder
    set label k KT[k] at graph KX[k] + 0.027, graph 0.5 left font font(0.85) tc rgb c_text
}
plot blank notitle
unset multiplot
}
