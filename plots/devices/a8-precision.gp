# a8-precision.gp — figure A8 in every precision: how many outputs a
# different rank count or allreduce algorithm changes, and by how much,
# when the same computation runs in float32 and in the modes of the run's
# `precision` parameter (default float32, bfloat16, bfloat16-pure).
#
# Data: a8-precision.dat (one dataset per mode, float32 first; one row per
# job: precision job label row_differ row_max_ulps sum_ulps logits_differ
# logits_max_ulps argmax_flips row_outputs logits_outputs same_as
# rel_change; every job against the first, ULPs of the mode's activation
# type, rel_change the summed |change| of the outputs that differ over
# their summed |value|).
# Image a8-precision: a group of bars per job, one bar per mode. Top: the
# share of the product's row and the logits whose bits differ from the
# first job (logarithmic; "0" where none does, a green "=#k" where the job
# has the very bits of job k, a red "≠" where a most likely word changes). Bottom: the relative size of those changes.
# bfloat16 storage with float32 accumulation changes few outputs, each by
# a whole bfloat16 step; bfloat16 throughout (bfloat16-pure) many, by
# percent.
load common

file = datadir.'/a8-precision.dat'
stats file using 2 nooutput
np = int(STATS_blocks)
array PREC[np]
do for [q = 1:np] {
    stats file index q - 1 every ::0::0 using (PREC[q] = strcol(1), 0) nooutput
}
stats file index 0 using 2 nooutput
nj = int(STATS_records)
array LABEL[nj]
stats file index 0 using (LABEL[int($2) + 1] = strcol(3), 0) nooutput
stats file index 0 every ::0::0 using (n_out = $10 + $11, 0) nooutput

prec_colour(s) = s eq 'float32' ? '#0072B2' : s eq 'bfloat16' ? '#D55E00' \
               : s eq 'float16' ? '#CC79A7' : s eq 'bfloat16-pure' ? '#E69F00' \
               : s eq 'layercast' ? '#009E73' : '#777777'
w = 0.8 / np
bx(j, q) = j + (q - (np + 1) / 2.0) * w
changed(r, l) = r + l
floor_share = 0.3 / n_out
f_same = font(0.6)
floor_change = 1e-8

left = 'plot'; right = 'plot'
do for [q = 1:np] {
    c = prec_colour(PREC[q])
    sep = q > 1 ? ', ' : ' '
    left = left.sep.sprintf("keyentry with boxes lc rgb '%s' title '%s'", c, PREC[q])
    right = right.sep.'keyentry notitle'
}
do for [q = 1:np] {
    c = prec_colour(PREC[q])
    stats file index q - 1 using (changed($4, $7) > 0 ? 1 : 0) nooutput
    any = STATS_sum > 0
    stats file index q - 1 using (changed($4, $7) == 0 ? 1 : 0) nooutput
    zero = STATS_sum > 0
    stats file index q - 1 using ($9 > 0 ? 1 : 0) nooutput
    flips = STATS_sum > 0
    if (any) {
        s = sprintf("file index %d using (bx($2, %d)):(changed($4, $7) > 0 ? ", q - 1, q)
        left = left.', '.s.sprintf("changed($4, $7) / ($10 + $11) : 1/0) with boxes lc rgb '%s' notitle", c)
        right = right.', '.s.sprintf("$13 : 1/0) with boxes lc rgb '%s' notitle", c)
    }
    if (zero) {
        z = sprintf("file index %d using (bx($2, %d)):(changed($4, $7) == 0 ? %%s : 1/0):('0') with labels font font(0.7) tc rgb '%s' notitle", q - 1, q, c)
        left = left.', '.sprintf(z, 'floor_share * 1.7')
        right = right.', '.sprintf(z, 'floor_change * 1.7')
    }
    # "=#k": the job has the very bits of job k in this mode
    stats file index q - 1 using ($12 > 0 ? 1 : 0) nooutput
    if (STATS_sum > 0) {
        left = left.', '.sprintf("file index %d using (bx($2, %d)):($12 > 0 ? 1.5 : 1/0):(sprintf('=#%%d', $12 + 1)) with labels rotate by 90 left font f_same tc rgb c_good notitle", q - 1, q)
    }
    if (flips) {
        left = left.', '.sprintf("file index %d using (bx($2, %d)):($9 > 0 ? 12 : 1/0):('≠') with labels font bold(0.9) tc rgb c_fault notitle", q - 1, q)
    }
}

f_title = bold(1.0)
set output fig('a8-precision')
set multiplot title sprintf(tr( \
    "Wie viele GPUs? In jeder Genauigkeit: wie viele Ausgaben ändert eine andere Rangzahl, und wie stark?\n{/*0.8 %d Ausgaben je Job (Zeile eines Produkts, Logits von MiniGPT) gegen #1 %s; =#k: dieselben Bits wie Job k; rot ≠: ein wahrscheinlichstes Wort ändert sich}", \
    "How many GPUs? In every precision: how many outputs does another rank count change, and by how much?\n{/*0.8 %d outputs a job (a product's row, MiniGPT's logits) against #1 %s; =#k: the bits of job k; red ≠: a most likely word changes}"), \
    n_out, esc(LABEL[1])) font f_title

f_names = font(nj <= 8 ? 0.8 : 0.68)
f_axis = font(0.85)
f_key = font(0.9)
f_title = bold(1.0)
set xrange [-0.6 : nj - 0.4]
# job names under the bottom panel only
set xtics () scale 0 nomirror rotate by 30 right font f_names noenhanced
do for [i = 1 : nj] { set xtics add ('' i - 1) }
set logscale y
set format y '10^{%T}'
set ytics nomirror font f_axis
set grid ytics lc rgb '#dddddd'
set border 3 back
set style fill solid 0.85 border -1
set boxwidth w * 0.92 absolute
set key at screen 0.5, screen 0.89 center horizontal samplen 1.5 font f_key
set lmargin at screen 0.09; set rmargin at screen 0.98

# ---- top: share of outputs that differ ------------------------------------
set tmargin at screen 0.85; set bmargin at screen 0.58
set yrange [floor_share : 30]
set ytics 1e-12, 10, 1
set ylabel tr('Anteil mit anderen Bits', 'share with other bits') font f_axis
eval left
unset key

# ---- bottom: how large the changes are --------------------------------------
set tmargin at screen 0.54; set bmargin at screen 0.2
set yrange [floor_change : 1]
set ytics autofreq
set xtics ()
do for [i = 1 : nj] {
    name = LABEL[i][1:4] eq 'mpi:' ? LABEL[i][5:] : LABEL[i]
    p = strstrt(name, 'algorithm=')
    if (p > 0) { name = name[1:p - 1] . name[p + 10:] }
    set xtics add (sprintf('#%d %s', i, name) i - 1)
}
set ylabel tr('|Änderung| / |Wert|', '|change| / |value|') font f_axis
eval right
unset multiplot
