# f3-blocks.gp — figure F3: why the transformer blocks are needed. The
# same prompt predicted without the blocks (embedding + position straight
# into the final LayerNorm and the LM head) and with them.
#
# Data: f3-top.dat (one dataset per prompt and case, without blocks
# first: prompt blocks rank word prob), f3-entropy.dat (prompt blocks
# entropy_nats entropy_bits top_word top_prob), from the common phase on
# the host.
# Images f3-blocks-1, f3-blocks-2, ...: one per prompt, the most likely
# words without (left, vermillion) and with the blocks (right, green) as
# horizontal bars in percent with the value beside each; each panel's
# title gives the entropy of the whole distribution in nats (the
# notebook's unit) and bits.
load common

ft = datadir.'/f3-top.dat'
fh = datadir.'/f3-entropy.dat'
stats fh using 3 nooutput
P = int(STATS_records) / 2
array PROMPT[P]; array HN[2 * P]; array HB[2 * P]; array NB[2 * P]
stats fh using (i = int($0) + 1, HN[i] = $3, HB[i] = $4, NB[i] = $2, \
                PROMPT[(i + 1) / 2] = strcol(1), 0) nooutput
tok(s) = (strlen(s) == 1 && strstrt('.,;:!?-', s) > 0) ? tr('„'.s.'“', '“'.s.'”') : s
num(x, d) = dec(fixed(x, d))
f_tick = font(1.1); f_lab = font(1.0)

do for [p = 1:P] {
    set autoscale xy
    stats ft index 2 * p - 2 using 5 nooutput
    K = int(STATS_records); m1 = STATS_max
    stats ft index 2 * p - 1 using 5 nooutput
    m2 = STATS_max
    x_max = (m1 > m2 ? m1 : m2) * 100 * 1.25
    set output fig(sprintf('f3-blocks-%d', p))
    set multiplot title sprintf(tr('Warum es Transformer-Blöcke braucht: „%s“ → ?', \
                                   'Why the transformer blocks are needed: “%s” → ?'), PROMPT[p]) \
        font font(1.35) offset 0, -0.3
    set key off
    unset grid; set grid xtics
    set style fill solid 0.9 border -1
    set yrange [K + 0.6:0.4]
    set xrange [0:x_max]
    set xlabel tr('Wahrscheinlichkeit (%)', 'probability (%)') font font(1.05)
    do for [c = 0:1] {
        i = 2 * p - 1 + c
        array TOP[K]
        set autoscale xy
        stats ft index i - 1 using (TOP[int($3)] = strcol(4), 0) nooutput
        set ytics ('' 1) scale 0 font f_tick noenhanced
        do for [k = 1:K] { set ytics add (tok(TOP[k]) k) }
        set yrange [K + 0.6:0.4]
        set xrange [0:x_max]
        set lmargin at screen (c == 0 ? 0.11 : 0.60); set rmargin at screen (c == 0 ? 0.45 : 0.94)
        set tmargin at screen 0.78; set bmargin at screen 0.14
        if (c == 0) {
            set title sprintf(tr("OHNE Blöcke (Embedding → Projektion)\nEntropie %s nats = %s bit", \
                                 "WITHOUT blocks (embedding → projection)\nentropy %s nats = %s bits"), \
                              num(HN[i], 2), num(HB[i], 2)) font font(1.15)
        } else {
            set title sprintf(tr("MIT %d Blöcken (das ganze Modell)\nEntropie %s nats = %s bit", \
                                 "WITH %d blocks (the whole model)\nentropy %s nats = %s bits"), \
                              int(NB[i]), num(HN[i], 2), num(HB[i], 2)) font font(1.15)
        }
        if (c == 1) {
            set label 1 tr('Entropie über das ganze Vokabular: kleiner heißt sicherer. Auf dem Host gerechnet.', \
                           'entropy over the whole vocabulary: smaller means surer. Computed on the host.') \
                at screen 0.5, 0.04 center font font(0.95) tc rgb c_text
        }
        plot ft index i - 1 using (0):3:(0):($5 * 100):($3 - 0.35):($3 + 0.35):(c == 0 ? 0xD55E00 : 0x009E73) \
                with boxxyerror lc rgb variable, \
             '' index i - 1 using ($5 * 100):3:(num($5 * 100, 1).' %') with labels left offset 0.6, 0 font f_lab tc rgb c_text
        unset label 1
    }
    unset multiplot
    set output
}
