# c5-precision.gp — figure C5: what precision does to reproducibility.
#
# Data: c5-cases.dat (one dataset per job; per precision a row "float32",
# the precision alone against the host's float32 logits, then a row per
# batch and padding case against the precision alone; columns precision
# case kind size reference positions differing max_abs_delta flips
# flip_gap prompts diverging first_step) and c5-example.dat (per
# precision, the first prompt whose greedy words change: precision case
# prompt float32 alone placed step).
# Image c5-precision: per precision (x), a bar per job:
#   left:  positions of the evaluation set whose most likely word differs
#          from float32's, with the greedy generations that leave float32's
#          written above;
#   right: positions whose logits change at all when the same sequences
#          run in a batch or padded, in the precision itself (the worst
#          case), with the flips that causes, if any.
# Image c5-example: the generations side by side, float32's first, each
#          precision's below, the words where they part in red.
load common

fc = datadir.'/c5-cases.dat'
fe = datadir.'/c5-example.dat'
nb = n_backends

# Precisions: the rows named "float32" in the case column; rows per
# precision: 1 + the batch and padding cases.
stats fc index 0 using (strcol(2) eq 'float32' ? 1 : 0) nooutput
M = int(STATS_sum)
n_rows = int(STATS_records)
R = n_rows / M
stats fc index 0 using 6 nooutput
n_pos = STATS_max
array NAME[M]
stats fc index 0 using (r = int($0), (r % R == 0 ? NAME[r / R + 1] = strcol(1) : 0), 0) nooutput
mode_label(s) = s eq 'float32' ? 'float32' : s eq 'layercast' ? 'LayerCast' \
    : s eq 'bfloat16' ? tr("bfloat16\n{/*0.8 (float32-Akk.)}", "bfloat16\n{/*0.8 (float32 acc.)}") \
    : s eq 'bfloat16-pure' ? tr("bfloat16\n{/*0.8 rein}", "bfloat16\n{/*0.8 pure}") : s

# Per job and precision: flips against float32, diverging generations,
# prompts; the worst batch/padding case: differing positions, its flips.
array FL[nb * M]; array DIV[nb * M]; array WORST[nb * M]; array WFL[nb * M]
do for [b = 1:nb] {
    stats fc index b - 1 using (r = int($0), m = r / R + 1, k = (b - 1) * M + m, \
        (r % R == 0 ? (FL[k] = $9, DIV[k] = $12, n_prompts = $11, WORST[k] = 0, WFL[k] = 0) \
                    : (WORST[k] = ($7 > WORST[k] ? $7 : WORST[k]), WFL[k] = WFL[k] + $9)), 0) nooutput
}
fl_max = 1; w_max = 1
do for [k = 1:nb * M] {
    fl_max = FL[k] > fl_max ? FL[k] : fl_max
    w_max = WORST[k] > w_max ? WORST[k] : w_max
}

set output fig('c5-precision')
set multiplot title tr( \
    "Was die Genauigkeit mit der Reproduzierbarkeit macht\n{/*0.8 MiniGPT der Vorlesung, ".thousands(n_pos)." Positionen, dieselben Prompts und Batches wie C4}", \
    "What precision does to reproducibility\n{/*0.8 the lecture's MiniGPT, ".thousands(n_pos)." positions, the same prompts and batches as C4}") \
    font font(1.2)

bw = 0.8 / nb             # bar width
xpos(m, b) = m - 1 - 0.4 + (b - 0.5) * bw
set style fill solid 0.85 border lc rgb '#444444'
set xrange [-0.6 : M - 0.4]
set xtics scale 0 nomirror ()
do for [m = 1:M] { set xtics add (mode_label(NAME[m]) m - 1) }
set ytics nomirror
set grid ytics
set border 3 back ls 101
unset key
lab_font = font(0.85)
# a label on one bar of a group: upright over few bars, turned upwards
# over many (each bar is then too narrow for a number beside the next)
bar_label = nb <= 4 ? 'center offset 0, 0.7' : 'rotate by 90 left offset 0, 0.4'

# --- left: against float32 -------------------------------------------------
set lmargin at screen 0.08; set rmargin at screen 0.48
set tmargin at screen 0.80; set bmargin at screen 0.16
set title tr("Allein gerechnet: anderes wahrscheinlichstes\nWort als in float32", \
             "Computed alone: most likely word differs\nfrom float32's") font bold(1.0)
set ylabel tr('Positionen', 'Positions')
set yrange [0 : fl_max * 1.45]
# Where every job has the same value in group m, one label says it for
# the group: seven side by side would run together.
do for [m = 1:M] {
    same = 1
    do for [b = 2:nb] { if (FL[(b - 1) * M + m] != FL[m]) { same = 0 } }
    if (same) {
        set label 100 + m sprintf('%d', FL[m]) at m - 1, FL[m] center offset 0, 0.7 font lab_font tc rgb c_text
    } else {
        do for [b = 1:nb] {
            k = (b - 1) * M + m
            set label 100 + k sprintf('%d', FL[k]) at xpos(m, b), FL[k] \
                font lab_font tc rgb c_text @bar_label
        }
    }
    k1 = m   # the first job's generations
    set label 200 + m sprintf(tr("%d von %d\nTexten anders", "%d of %d\ntexts differ"), DIV[k1], n_prompts) \
        at m - 1, graph 0.95 center font font(0.8) tc rgb (DIV[k1] > 0 ? c_bad : c_good)
}
# one bar per job and precision: k = (b - 1) M + m
kb(k) = (k - 1) / M + 1
km(k) = (k - 1) % M + 1
plot for [k = 1:nb * M] '+' using (xpos(km(k), kb(k))):(FL[k] / 2.0):(xpos(km(k), kb(k)) - bw / 2):(xpos(km(k), kb(k)) + bw / 2):(0):(FL[k]) \
    every ::0::0 with boxxyerror lt kb(k) notitle
unset label

# --- right: against itself, in batches and padded ---------------------------
set lmargin at screen 0.58; set rmargin at screen 0.98
set title tr("Dieselbe Genauigkeit im Batch oder gepolstert:\nPositionen mit anderen Bits (schlimmster Fall)", \
             "The same precision in a batch or padded:\npositions with other bits (worst case)") font bold(1.0)
set ylabel tr('Positionen', 'Positions')
set yrange [0 : w_max * 1.3]
do for [m = 1:M] {
    same = 1
    do for [b = 2:nb] {
        k = (b - 1) * M + m
        if (WORST[k] != WORST[m] || WFL[k] != WFL[m]) { same = 0 }
    }
    if (same) {
        txt = WFL[m] > 0 ? sprintf(tr("%d\n{/*0.8 %d Wechsel}", "%d\n{/*0.8 %d flips}"), WORST[m], WFL[m]) \
                         : (WORST[m] == 0 ? '=' : sprintf('%d', WORST[m]))
        set label 100 + m txt at m - 1, WORST[m] center offset 0, 0.8 font lab_font \
            tc rgb (WFL[m] > 0 ? c_bad : WORST[m] == 0 ? c_good : c_text)
    } else {
        do for [b = 1:nb] {
            k = (b - 1) * M + m
            txt = WFL[k] > 0 ? sprintf(tr("%d (%d Wechsel)", "%d (%d flips)"), WORST[k], WFL[k]) \
                             : (WORST[k] == 0 ? '=' : sprintf('%d', WORST[k]))
            if (WORST[k] == 0) {   # "=" stays upright: turned it reads "||"
                set label 100 + k txt at xpos(m, b), 0 center offset 0, 0.8 \
                    font lab_font tc rgb c_good
            } else {
                set label 100 + k txt at xpos(m, b), WORST[k] font lab_font \
                    tc rgb (WFL[k] > 0 ? c_bad : c_text) @bar_label
            }
        }
    }
}
# The jobs' colours, under the panels: one row up to four jobs, two
# rows beyond, so that long names such as openmp:threads=1:batch_invariant=1
# keep their room.
leg_cols = nb <= 4 ? nb : int(ceil(nb / 2.0))
do for [b = 1:nb] {
    set label 300 + b '■ '.esc(word(backends, b)) \
        at screen 0.08 + ((b - 1) % leg_cols) * 0.9 / leg_cols, \
           screen (nb <= 4 ? 0.035 : 0.05 - ((b - 1) / leg_cols) * 0.03) \
        font font(nb <= 4 ? 0.9 : 0.8) tc lt b
}
plot for [k = 1:nb * M] '+' using (xpos(km(k), kb(k))):(WORST[k] / 2.0):(xpos(km(k), kb(k)) - bw / 2):(xpos(km(k), kb(k)) + bw / 2):(0):(WORST[k]) \
    every ::0::0 with boxxyerror lt kb(k) notitle
unset multiplot

# ============================================================================
# c5-example: the generations side by side
# ============================================================================
reset
load common
fe = datadir.'/c5-example.dat'
stats fe index 0 using 7 nooutput
NE = int(STATS_records)
if (NE > 0) {
    array EP[NE]; array EC[NE]; array EPR[NE]; array EF[NE]; array EA[NE]; array EX[NE]; array ES[NE]
    stats fe index 0 using (r = int($0) + 1, EP[r] = strcol(1), EC[r] = strcol(2), EPR[r] = strcol(3), \
        EF[r] = strcol(4), EA[r] = strcol(5), EX[r] = strcol(6), ES[r] = $7, 0) nooutput
    set output fig('c5-example')
    set title tr('Derselbe Prompt, dieselben Gewichte: was das Modell in jeder Genauigkeit sagt', \
                 'The same prompt, the same weights: what the model says in each precision') font bold(1.15)
    unset border; unset tics; unset grid; unset key
    set xrange [0:1]; set yrange [0:1]
    lines = 0
    do for [r = 1:NE] { lines = lines + (EX[r] eq '' ? 2 : 3) + 1.5 }
    dy = 0.8 / lines < 0.075 ? 0.8 / lines : 0.075
    y = 0.92; tag = 10
    # A generation as words, those from `from` on in red.
    do for [r = 1:NE] {
        set label tag sprintf(tr('%s — Prompt „%s“', '%s — prompt “%s”'), EP[r], EPR[r]) at 0.03, y font bold(1.05) tc rgb c_text noenhanced
        tag = tag + 1; y = y - dy
        array SEQ[3]; array WHO[3]
        SEQ[1] = EF[r]; WHO[1] = tr('float32, allein', 'float32, alone')
        SEQ[2] = EA[r]; WHO[2] = EP[r].tr(', allein', ', alone')
        SEQ[3] = EX[r]; WHO[3] = EP[r].', '.EC[r]
        n_seq = EX[r] eq '' ? 2 : 3
        do for [q = 1:n_seq] {
            set label tag WHO[q] at 0.06, y font font(0.95) tc rgb '#555555' noenhanced
            tag = tag + 1
            ref = q == 3 ? SEQ[2] : SEQ[1]
            set label tag EPR[r] at 0.3, y font mono(1.1) tc rgb '#999999' noenhanced
            tag = tag + 1
            x = 0.3 + (strlen(EPR[r]) + 1) * 0.0102
            do for [w = 1:words(SEQ[q])] {
                wd = word(SEQ[q], w)
                bad = q > 1 && (w > words(ref) || wd ne word(ref, w))
                set label tag wd at x, y font mono(1.1) tc rgb (bad ? c_bad : c_text) noenhanced
                tag = tag + 1
                x = x + (strlen(wd) + 1) * 0.0102
            }
            y = y - dy
        }
        y = y - dy / 2
    }
    set label tag tr('Grau: der Prompt.  Rot: Wörter, in denen die Generierung von ihrer Referenz abweicht (float32 allein, bzw. dieselbe Genauigkeit allein).', \
                     'Grey: the prompt.  Red: words where the generation leaves its reference (float32 alone, or the same precision alone).') \
        at 0.03, 0.03 font font(0.85) tc rgb '#555555'
    plot blank notitle
}
