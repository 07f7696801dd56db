# c1-top.gp — figure C1: how sure the lecture's MiniGPT is of the next word
# after each prompt.
#
# Data: c1-top.dat (one dataset per job: prompt prompt_index rank word logit
# prob logprob — the top words after each prompt, prob the softmax at
# T = 1), c1-gap.dat (one dataset per job: prompt prompt_index top1 top2
# logit1 logit2 gap class), thresholds.dat (stable_gap unstable_gap).
# The figure shows the dataset of the job `naive` (the reference order),
# or of the first job where naive did not run.
# Image c1-top: one panel per prompt (up to three side by side, then a
# second row): the top words as bars of their probability, the percentage
# above each bar and its logit below the word; the two leading bars in the
# colour of the gap's class (stable green, borderline orange, unstable
# red, as in every C figure), the others grey; a bracket over the two
# with the top-1/top-2 logit gap and its class. Below the panels a key to
# the classes with the thresholds.
load common

ft = datadir.'/c1-top.dat'
fg = datadir.'/c1-gap.dat'

# The reference job: naive if it ran, else the first.
ref = 1
do for [b = n_backends:1:-1] { if (word(backends, b) eq 'naive') { ref = b } }
ref_name = word(backends, ref)

# The class thresholds and the class colours shared by the C figures.
stats datadir.'/thresholds.dat' using (stable_gap = $1, unstable_gap = $2, 0) nooutput
cls_rgb(c) = c eq 'stable' ? 0x009E73 : c eq 'unstable' ? 0xD55E00 : 0xE69F00
cls_name(c) = c eq 'stable' ? tr('stabil', 'stable') \
            : c eq 'unstable' ? tr('instabil', 'unstable') : tr('grenzwertig', 'borderline')
c_other = 0xA8A8A8   # the words after the first two

# A word of one punctuation character in quotes, as in the lecture;
# esc() keeps '<EOS>' and the like literal in enhanced text.
tok(s) = (strlen(s) == 1 && strstrt('.,;:!?-', s) > 0) ? '"'.s.'"' : esc(s)
gnum(x) = dec(minus(sprintf('%.2f', x)))

# --- the data of the reference job ------------------------------------------
stats fg index ref - 1 using 2 nooutput
P = int(STATS_records)
array PROMPT[P]; array GAP[P]; array CLS[P]
stats fg index ref - 1 using (p = int($2) + 1, PROMPT[p] = strcol(1), GAP[p] = $7, CLS[p] = strcol(8), 0) nooutput
stats ft index ref - 1 using 6 nooutput
N = int(STATS_records)
p_max = STATS_max
array WP[N]; array WR[N]; array WORD[N]; array LOGIT[N]; array PROB[N]
stats ft index ref - 1 using (i = int($0) + 1, WP[i] = int($2) + 1, WR[i] = int($3), \
    WORD[i] = strcol(4), LOGIT[i] = $5, PROB[i] = $6, 0) nooutput
stats ft index ref - 1 using 3 nooutput
K = int(STATS_max)   # words per prompt

# --- layout -------------------------------------------------------------------
# Up to three panels in a row; four as 2 x 2.
cols = P <= 3 ? P : P == 4 ? 2 : 3
rows = (P + cols - 1) / cols
x_l = 0.07; x_r = 0.985; y_t = 0.83; y_b = 0.17
h_gap = 0.06; v_gap = 0.11
pw = (x_r - x_l - (cols - 1) * h_gap) / cols
ph = (y_t - y_b - (rows - 1) * v_gap) / rows
k_txt = rows > 1 ? 0.8 : 1.0       # text size in the panels
# Many or long words: their labels shrink to fit the width of a bar's slot
# (a letter about 7.7 px wide at size 1, of 1280, a digit 10 px; strlen
# counts bytes, so an umlaut counts twice, which errs on the safe side).
slot_px = pw * 1280 / (K + 0.2)
w_len = 1
do for [i = 1:N] { w_len = strlen(tok(WORD[i])) > w_len ? strlen(tok(WORD[i])) : w_len }
min(a, b) = a < b ? a : b
k_word = min(1.05 * k_txt, 0.9 * slot_px / (w_len * 7.7))
k_pct = min(0.9 * k_txt, 0.9 * slot_px / (6 * 10))
# The probability axis, and one line of text at size k in its units (a
# line about 16 px of 800 at size 1).
y_top = p_max * 100 * 1.3
line_y(k) = y_top * 0.02 * k / ph

set output fig('c1-top')
set multiplot title sprintf(tr("Wie sicher ist sich MiniGPT beim nächsten Wort? (Backend: %s)\n{/*0.75 die %d wahrscheinlichsten Wörter nach jeder Eingabe: Wahrscheinlichkeit (Softmax bei T = 1), unter jedem Wort sein Logit}", \
                               "How sure is MiniGPT of the next word? (backend: %s)\n{/*0.75 the %d most likely words after each prompt: probability (softmax at T = 1), each word's logit below it}"), \
                            esc(ref_name), K) font font(1.25)

set xrange [0.4 : K + 0.6]
set yrange [0 : y_top]
f_ytics = font(0.85 * k_txt); f_xtics = font(k_word)
set ytics font f_ytics format '%g %%'
set grid noxtics ytics
set xtics scale 0 font f_xtics offset 0, 0.3
set style fill solid 1.0 noborder
set boxwidth 0.7 absolute
unset key
do for [p = 1:P] {
    r = (p - 1) / cols; c = (p - 1) % cols
    set lmargin at screen x_l + c * (pw + h_gap); set rmargin at screen x_l + c * (pw + h_gap) + pw
    set tmargin at screen y_t - r * (ph + v_gap); set bmargin at screen y_t - r * (ph + v_gap) - ph
    set title tr('„'.esc(PROMPT[p]).' …“', '“'.esc(PROMPT[p]).' …”') font bold(1.1 * k_txt) offset 0, -0.3
    set xtics ()
    do for [i = 1:N] { if (WP[i] == p) { set xtics add (tok(WORD[i])."\n{/*0.75 ".gnum(LOGIT[i]).'}' WR[i]) } }
    # A bracket over the two leading bars with the gap, in the class colour.
    p12 = 0
    do for [i = 1:N] { if (WP[i] == p && WR[i] <= 2 && PROB[i] > p12) { p12 = PROB[i] } }
    y_br = p12 * 100 + 2.4 * line_y(k_pct)
    set arrow 1 from 1, y_br to 2, y_br nohead lw 1.5 lc rgb cls_rgb(CLS[p]) front
    set arrow 2 from 1, y_br to 1, y_br - 0.5 * line_y(k_pct) nohead lw 1.5 lc rgb cls_rgb(CLS[p]) front
    set arrow 3 from 2, y_br to 2, y_br - 0.5 * line_y(k_pct) nohead lw 1.5 lc rgb cls_rgb(CLS[p]) front
    set label 1 sprintf(tr('Abstand %s → %s', 'gap %s → %s'), gnum(GAP[p]), cls_name(CLS[p])) \
        at 0.65, y_br + 0.9 * line_y(0.9 * k_txt) left font bold(0.9 * k_txt) tc rgb cls_rgb(CLS[p]) front
    plot ft index ref - 1 using ($2 == p - 1 ? $3 : NaN):($6 * 100):($3 <= 2 ? cls_rgb(CLS[p]) : c_other) \
            with boxes lc rgb variable, \
         '' index ref - 1 using ($2 == p - 1 ? $3 : NaN):($6 * 100):(dec(sprintf('%.1f %%', $6 * 100))) \
            with labels offset 0, 0.8 font font(k_pct) tc rgb c_text
    unset arrow 1; unset arrow 2; unset arrow 3; unset label 1
}

# --- the key to the classes ---------------------------------------------------------
set lmargin at screen x_l; set rmargin at screen x_r
set tmargin at screen 0.07; set bmargin at screen 0.02
unset title; unset tics; unset border; unset grid
set xrange [0:1]; set yrange [0:1]
array KC[3] = ['stable', 'borderline', 'unstable']
array KT[3]
KT[1] = sprintf(tr('stabil: Abstand > %s', 'stable: gap > %s'), dec(sprintf('%g', stable_gap)))
KT[2] = sprintf(tr('grenzwertig: %s bis %s', 'borderline: %s to %s'), dec(sprintf('%g', unstable_gap)), dec(sprintf('%g', stable_gap)))
KT[3] = sprintf(tr('instabil: Abstand < %s', 'unstable: gap < %s'), dec(sprintf('%g', unstable_gap)))
set label 10 tr('Logit-Abstand Platz 1–2:', 'logit gap rank 1–2:') at graph 0, graph 0.5 left font font(0.9) tc rgb c_text
do for [k = 1:3] {
    kx = 0.22 + (k - 1) * 0.2
    set object k rect from graph kx, graph 0.15 to graph kx + 0.025, graph 0.85 \
        fc rgb cls_rgb(KC[k]) fs solid 1.0 noborder
    set label 10 + k KT[k] at graph kx + 0.033, graph 0.5 left font font(0.9) tc rgb c_text
}
set object 4 rect from graph 0.82, graph 0.15 to graph 0.845, graph 0.85 fc rgb c_other fs solid 1.0 noborder
set label 14 tr('weitere Wörter', 'further words') at graph 0.853, graph 0.5 left font font(0.9) tc rgb c_text
plot blank notitle
unset multiplot
