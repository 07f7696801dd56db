# c4-jobs.gp — figure C4, across jobs: which jobs compute the very same
# logits, bit for bit, and how far apart the others are.
#
# Data: c4-jobs.dat (one dataset, one row per pair a < b of jobs, a and
# b indices into `backends`: a b job_a job_b identical differing
# max_abs_delta flips flip_gap greedy_prompt greedy_step greedy_from
# greedy_to — every sequence of the evaluation set alone on both jobs;
# identical 1 if every logit is the same bit for bit; flips: positions
# whose most likely word differs; greedy_step: first step where the two
# jobs' greedy generations of a prompt part, -1: never). With one job the
# file holds a single row of NaN. model.dat: the number of positions.
# Image c4-jobs: the matrix of job pairs (symmetric; the diagonal grey):
# "=" on green where the two jobs are bit-identical, else a colour for
# log10 of the largest |Δ logit| (colour bar at the right) with the value
# and how many positions differ; a black frame and a line of text where
# an argmax flipped or a greedy generation parted. At the right, how to
# read a cell. One job: a note instead of the matrix.
load common

f = datadir.'/c4-jobs.dat'
nb = n_backends
stats f using (strlen(strcol(3)) > 0 ? 1 : 0) nooutput
n_pairs = int(STATS_sum)

set output fig('c4-jobs')
if (n_pairs == 0) {
    set title tr('Bitgleich zwischen Jobs?', 'Bitwise equal across jobs?') font font(1.25)
    unset border; unset tics; unset grid; unset key
    set xrange [0:1]; set yrange [0:1]
    set label 1 sprintf(tr("Nur ein Job gelaufen (%s): kein Paar zum Vergleichen", \
                           "Only one job ran (%s): no pair to compare"), word(backends, 1)) \
        at graph 0.5, graph 0.5 center font font(1.1) tc rgb '#555555' noenhanced
    plot blank notitle
    exit
}

# --- the numbers ----------------------------------------------------------------
stats datadir.'/model.dat' using (n_pos = int($12), 0) nooutput
# (One column per stats: with two, a single pair warns about a fit.)
stats f using 5 nooutput
n_same = int(STATS_sum)
stats f using 8 nooutput
n_flips = int(STATS_sum)
stats f using ($11 >= 0 ? 1 : 0) nooutput
n_parted = int(STATS_sum)
# The colour axis: whole decades around the deltas above 0.
if (n_same < n_pairs) {
    stats f using ($7 > 0 ? log10($7) : NaN) nooutput
    cb_lo = floor(STATS_min); cb_hi = ceil(STATS_max)
    cb_hi = cb_hi > cb_lo ? cb_hi : cb_lo + 1
} else {
    cb_lo = -7; cb_hi = -6   # unused: no colour bar when every pair is equal
}

# --- layout: square cells left of the colour bar ------------------------------------
m_h = 0.62
m_w = m_h / 1.6
m_l = 0.22; m_t = 0.82
set lmargin at screen m_l; set rmargin at screen m_l + m_w
set tmargin at screen m_t; set bmargin at screen m_t - m_h
set xrange [-0.5 : nb - 0.5]
set yrange [nb - 0.5 : -0.5]
unset grid; unset key
set border 0
k_names = nb <= 4 ? 0.95 : nb <= 6 ? 0.85 : 0.72
f_names = font(k_names)
set xtics () scale 0 nomirror rotate by 35 right font f_names noenhanced
set ytics () scale 0 nomirror font f_names noenhanced
do for [i = 1:nb] {
    set xtics add (word(backends, i) i - 1)
    set ytics add (word(backends, i) i - 1)
}
set cbrange [cb_lo : cb_hi]
f_cbtics = font(0.8)
set cbtics 1 font f_cbtics
set format cb '10^{%.0f}'
set cblabel tr('größte |Δ Logit|', 'largest |Δ logit|') font font(0.9)
set colorbox user origin screen m_l + m_w + 0.03, screen m_t - m_h size screen 0.018, screen m_h
if (n_same == n_pairs) { unset colorbox }
set palette defined (0 '#FBE3D3', 1 '#EE9A6A', 2 '#B8420A')
flip_text = n_flips == 0 ? tr('kein nächstes Wort gekippt', 'no next word flipped') \
          : sprintf(tr('%d nächste Wörter gekippt', '%d next words flipped'), n_flips)
parted_text = n_parted == 0 ? tr('jede greedy-Generierung gleich', 'every greedy generation alike') \
            : sprintf(tr('greedy-Generierung verschieden bei %d Paaren', 'greedy generation differs for %d pairs'), n_parted)
set label 90 sprintf(tr("Bitgleich zwischen Jobs? %d von %d Paaren rechnen jedes Logit Bit für Bit gleich\n{/*0.75 jede Sequenz des Auswertungssatzes allein auf beiden Jobs; %s, %s}", \
                     "Bitwise equal across jobs? %d of %d pairs compute every logit bit for bit alike\n{/*0.75 every sequence of the evaluation set alone on both jobs; %s, %s}"), \
                  n_same, n_pairs, flip_text, parted_text) \
    at screen 0.5, screen 0.94 center font font(1.2) tc rgb 'black'
# How to read a cell, right of the colour bar.
set label 91 sprintf(tr("= alle Logits bitgleich\n\nsonst: größte |Δ Logit|,\ndarunter die Positionen\nmit Abweichung (von %s)\n\ngrau: derselbe Job\n\nschwarzer Rahmen: ein\nnächstes Wort gekippt oder\ngreedy-Generierung verschieden\n(greedy ≠ ab n: ab Schritt n)", \
                         "= every logit bitwise equal\n\nelse: the largest |Δ logit|,\nbelow it the positions\nthat differ (of %s)\n\ngrey: the same job\n\nblack frame: a next word\nflipped or the greedy\ngeneration differs\n(greedy ≠ at n: from step n)"), \
                     thousands(n_pos)) \
    at screen m_l + m_w + 0.13, screen m_t left font font(0.85) tc rgb c_text
# The grey diagonal.
do for [i = 1:nb] {
    set object i rect from first i - 1.47, first i - 1.47 to first i - 0.53, first i - 0.53 \
        fc rgb '#E4E4E4' fs solid 1.0 noborder behind
}
# A cell's text: "=" or the delta as m·10^e over the positions that
# differ; a third line where an argmax flipped or greedy parted.
e10(x) = floor(log10(x) + 1e-9)
k_cell = nb <= 4 ? 0.95 : nb <= 6 ? 0.8 : 0.65
f_cell = font(k_cell)
pair_note(flips, step) = flips > 0 ? sprintf(tr("\n{/*0.75 %d gekippt}", "\n{/*0.75 %d flipped}"), flips) \
                       : step >= 0 ? sprintf(tr("\n{/*0.75 greedy ≠ ab %d}", "\n{/*0.75 greedy ≠ at %d}"), step) : ''
cell_text(same, d, n, flips, step) = same ? '{/*1.8 =}' \
    : sprintf("%s·10^{%s}\n{/*0.85 %s×}", dec(sprintf('%.1f', d / 10 ** e10(d))), minus(sprintf('%d', e10(d))), thousands(n)).pair_note(flips, step)
# White text on the darker half of the palette.
text_rgb(same, d) = same == 0 && (log10(d) - cb_lo) / (cb_hi - cb_lo) > 0.6 ? 0xFFFFFF : 0x333333
set style fill solid 1.0 noborder
# A cell with a third line of text (it moves up to stay inside) and a
# black frame: an argmax flipped or greedy parted.
noted(flips, step) = flips > 0 || step >= 0
# Each pair twice: (a, b) above the diagonal and (b, a) below it; the
# x of a cell that the plot leaves out is undefined.
array XS[2] = [2, 1]; array YS[2] = [1, 2]
cx(h, keep) = keep ? column(XS[h]) : NaN
plot for [h = 1:2] f using (cx(h, $5 == 0)):(column(YS[h])):(cx(h, $5 == 0) - 0.47):(cx(h, $5 == 0) + 0.47): \
        (column(YS[h]) - 0.47):(column(YS[h]) + 0.47):(log10($7)) with boxxyerror lc palette, \
     for [h = 1:2] f using (cx(h, $5 != 0)):(column(YS[h])):(cx(h, $5 != 0) - 0.47):(cx(h, $5 != 0) + 0.47): \
        (column(YS[h]) - 0.47):(column(YS[h]) + 0.47):(0xBFE6D5) with boxxyerror lc rgb variable, \
     for [h = 1:2] f using (column(XS[h])):(column(YS[h]) - (noted($8, $11) ? 0.1 : 0)): \
        (cell_text($5 != 0, $7, $6, $8, $11)):(text_rgb($5 != 0, $7)) with labels font f_cell tc rgb variable, \
     for [h = 1:2] f using (cx(h, noted($8, $11))):(column(YS[h])):(cx(h, noted($8, $11)) - 0.47): \
        (cx(h, noted($8, $11)) + 0.47):(column(YS[h]) - 0.47):(column(YS[h]) + 0.47) \
        with boxxyerror lc rgb '#000000' lw 2.5 fs empty
