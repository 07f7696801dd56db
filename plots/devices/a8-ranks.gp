# a8-ranks.gp — figure A8, "how many GPUs?": every job against the first
# (mpi:ranks=1 in ./quickstart.sh), job by job.
#
# Data: a8-jobs.dat (one dataset, one row per job: job label row_differ
# row_max_ulps sum_ulps logits_differ logits_max_ulps argmax_flips
# row_outputs logits_outputs same_as; differences from the first job's
# bits; same_as: the first earlier job with the very same bits, or -1).
# Image a8-ranks, two panels over the same jobs:
#   top: the share of the product's row and of the logits whose bits
#        differ from the first job (bars, %); a red "Top-1 ≠" above a job
#        where a most likely next word changed, a green "=" where nothing
#        differs at all (over a bar's place where only that output is the
#        same bits: invariant=1's logits), a green "= #k" where the job
#        has the very bits of job k (jobs are numbered under the axis);
#   bottom: the largest difference in float32 ULPs (row, logits) and the
#        sum's difference, on a log axis (a difference of 0 is not drawn).
load common

f_small = font(0.85)
f_note = font(0.8)
f_eq = bold(1.1)
f_flip = bold(0.8)
f_title = bold(1.05)

f = datadir.'/a8-jobs.dat'
if (system(sprintf("test -f '%s' && echo 1 || echo 0", f)) eq '0') {
    # a run whose `precision` left out float32: a8-precision has its modes
    set output fig('a8-ranks')
    unset border; unset tics; unset grid; unset key
    set xrange [0:1]; set yrange [0:1]
    f_msg = font(1.1)
    set label 1 tr("Diese Abbildung ist float32; dieser Lauf rechnete ohne float32\n(Parameter precision): siehe a8-precision", \
                   "This figure is float32's; this run left float32 out\n(parameter precision): see a8-precision") \
        at graph 0.5, graph 0.5 center font f_msg tc rgb '#555555'
    plot blank notitle
    exit
}
stats f using 1 nooutput
nj = int(STATS_records)
stats f using 9 nooutput
n_row = int(STATS_max)
stats f using 10 nooutput
n_logits = int(STATS_max)
stats f using ($4 > $7 ? ($4 > abs($5) ? $4 : abs($5)) : ($7 > abs($5) ? $7 : abs($5))) nooutput
max_ulps = STATS_max
array LABEL[nj]
stats f using (LABEL[int($1) + 1] = strcol(2), 0) nooutput
first = LABEL[1]

set output fig('a8-ranks')
set multiplot
set title tr('Wie viele GPUs? Dieselbe Zeile, Summe und Logits auf jedem Job', \
             'How many GPUs? The same row, sum and logits on every job') font f_title
set key top left horizontal samplen 1.5
set grid ytics lc rgb '#dddddd'
set border 3
set xrange [-0.6 : nj - 0.4]
f_names = font(nj <= 8 ? 0.85 : nj <= 16 ? 0.75 : 0.68)
set lmargin at screen 0.09; set rmargin at screen 0.98

# ---- top: which outputs change -------------------------------------------
set tmargin at screen 0.87; set bmargin at screen 0.57
set yrange [0 : 119]
set ytics nomirror font f_small
set ytics 0, 25, 100
set format y '%g %%'
set ylabel (tr('Bits anders als', 'bits differ from') . "\n" . first) font f_small noenhanced
set xtics () format '' scale 0
set style fill solid 0.85 border -1
w = 0.38
set label 10 sprintf(tr("Zeile: %d Ausgaben, Logits: %d (Prompts × Wortschatz)", \
                        "row: %d outputs, logits: %d (prompts × vocabulary)"), n_row, n_logits) \
    at screen 0.98, screen 0.03 right font f_note tc rgb '#555555'
plot f using ($1 - w/2):(100.0 * $3 / $9):(w) with boxes lc rgb '#1f77b4' \
         title tr('Zeile des Produkts', 'row of the product'), \
     f using ($1 + w/2):(100.0 * $6 / $10):(w) with boxes lc rgb '#ff7f0e' \
         title tr('Logits von MiniGPT', 'MiniGPT logits'), \
     f using 1:(($3 + $6 + abs($5)) == 0 ? 6 : NaN):('=') with labels \
         tc rgb '#2ca02c' font f_eq notitle, \
     f using ($1 - w/2):(($3 == 0 && $6 > 0) ? 6 : NaN):('=') with labels \
         tc rgb '#2ca02c' font f_eq notitle, \
     f using ($1 + w/2):(($6 == 0 && $3 > 0) ? 6 : NaN):('=') with labels \
         tc rgb '#2ca02c' font f_eq notitle, \
     f using 1:($11 > 0 ? 100.0 * ($3 / $9 > $6 / $10 ? $3 / $9 : $6 / $10) + 6 : NaN):(sprintf('= #%d', $11 + 1)) \
         with labels tc rgb '#2ca02c' font f_flip notitle, \
     f using 1:($8 > 0 ? 108 : NaN):(tr('Top-1 ≠', 'top-1 ≠')) with labels \
         tc rgb '#d62728' font f_flip notitle
unset title

# ---- bottom: by how much -----------------------------------------------
set tmargin at screen 0.54; set bmargin at screen 0.24
set logscale y
hi = max_ulps > 1 ? 10 ** ceil(log10(max_ulps) + 0.3) : 10
set yrange [0.7 : hi]
set format y '10^{%T}'
set ytics nomirror font f_small autofreq
set ylabel tr('größter Unterschied (ULP)', 'largest difference (ULP)') font f_small
set key top left horizontal samplen 1.5
set xtics () scale 0 nomirror rotate by 30 right font f_names noenhanced format '%g'
do for [i = 1 : nj] {
    # the backend's name is the same in every A8 job: the options tell
    name = LABEL[i][1:4] eq 'mpi:' ? LABEL[i][5:] : LABEL[i]
    p = strstrt(name, 'algorithm=')
    if (p > 0) { name = name[1:p - 1] . name[p + 10:] }
    set xtics add (sprintf('#%d %s', i, name) i - 1)
}
plot f using ($1 - 0.2):($4 > 0 ? $4 : NaN) with points pt 7 ps 1.3 lc rgb '#1f77b4' \
         title tr('Zeile', 'row'), \
     f using 1:(abs($5) > 0 ? abs($5) : NaN) with points pt 9 ps 1.5 lc rgb '#7f7f7f' \
         title tr('Summe', 'sum'), \
     f using ($1 + 0.2):($7 > 0 ? $7 : NaN) with points pt 5 ps 1.2 lc rgb '#ff7f0e' \
         title tr('Logits', 'logits')
unset multiplot
