# f4-recipe.gp — figure F4, the recipe: temperature 0, a fixed seed and a
# fixed layout (the notebook's num_ctx), each link with what this run
# measured on MiniGPT and the figures that show it at length.
#
# Data: f4-runs.dat (the seed of the same-seed runs), f4-distinct.dat (one dataset per backend job: prompt mode runs
# distinct), f4-layout.dat (one dataset per job: prompt batch
# max_abs_delta top_alone top_batch gap). The counts are those of the
# first demo prompt on the reference job (naive, or the first job); the
# layout link lists every job's largest |logit difference|.
# Image f4-recipe: three columns (parameter, what it fixes, what was
# measured here), the result bar below, and a footnote on the notebook's
# "remaining risk".
load common

fd = datadir.'/f4-distinct.dat'
fl = datadir.'/f4-layout.dat'
ref = 1
do for [b = n_backends:1:-1] { if (word(backends, b) eq 'naive') { ref = b } }
array DI[3]; array MN[3]
stats fd index ref - 1 using (i = int($0) + 1, (i <= 3 ? (DI[i] = int($4), MN[i] = strcol(2)) : 0), R = int($3), 0) nooutput
prompt = ''
stats fd index ref - 1 every ::0::0 using (prompt = strcol(1), 0) nooutput
seed = 0
stats datadir.'/f4-runs.dat' index ref - 1 using (strcol(2) eq 'sampled-same-seed' ? seed = int($4) : 0, 0) nooutput
sci(x) = x == 0 ? '0' : dec(sprintf('%.1f', x / 10**floor(log10(x)))).'·10^{'.minus(sprintf('%d', floor(log10(x)))).'}'
layout = ''
batch = 0
do for [b = 1:n_backends] {
    stats fl index b - 1 using 3 nooutput
    d = STATS_max
    stats fl index b - 1 every ::0::0 using (batch = int($2), 0) nooutput
    layout = layout.(b > 1 ? "\n" : '').word(backends, b).': '.sci(d)
}
f_param = monobold(1.15); f_text = font(1.0); f_meas = font(1.0); f_res = bold(1.1)

set output fig('f4-recipe')
unset border; unset tics; unset grid; set key off
set xrange [0:15]; set yrange [0:10]
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set label 1 tr('Das Determinismus-Rezept, an MiniGPT nachgemessen', 'The determinism recipe, measured on MiniGPT') \
    at 7.5, 9.5 center font font(1.4)

array X[3]; array COL[3]; array PAR[3]; array FIX[3]; array MEAS[3]; array SEE[3]
X[1] = 2.6; X[2] = 7.5; X[3] = 12.4
COL[1] = '#D55E00'; COL[2] = '#0072B2'; COL[3] = '#009E73'
PAR[1] = 'temperature = 0'; PAR[2] = sprintf('seed = %d', seed); PAR[3] = tr('feste Batch-Form', 'fixed batch shape')
FIX[1] = tr("Greedy: immer das Wort\nmit dem höchsten Logit;\nes wird nichts gezogen", \
            "greedy: always the word\nwith the highest logit;\nnothing is drawn")
FIX[2] = tr("derselbe Zufallsstrom\nbei jedem Lauf:\ndieselben Ziehungen", \
            "the same random stream\nin every run:\nthe same draws")
FIX[3] = tr("dieselbe Reduktions-\nreihenfolge, dieselbe\nRundung (num\\_ctx im Notebook)", \
            "the same reduction\norder, the same rounding\n(num\\_ctx in the notebook)")
MEAS[1] = sprintf(tr("%d greedy Läufe:\n%d Fortsetzung", "%d greedy runs:\n%d continuation"), R, DI[1])
MEAS[2] = sprintf(tr("gleicher Seed: %d Fortsetzung\nneuer Seed je Lauf: %d", "same seed: %d continuation\na new seed each run: %d"), DI[3], DI[2])
MEAS[3] = sprintf(tr("Batch %d statt allein, max |ΔLogit|:\n%s", "batch %d instead of alone, max |Δlogit|:\n%s"), batch, layout)
SEE[1] = tr('mehr: B1, B2, C2', 'more: B1, B2, C2')
SEE[2] = tr('mehr: B4, B5, C3', 'more: B4, B5, C3')
SEE[3] = tr('mehr: A4, A5, A7, C4', 'more: A4, A5, A7, C4')
do for [k = 1:3] {
    set object k rect center X[k], 8.3 size 4.3, 0.9 fc rgb COL[k] fs solid 0.95 noborder
    set label 10 + k PAR[k] at X[k], 8.3 center font f_param tc rgb '#FFFFFF' front
    set object 10 + k rect center X[k], 6.55 size 4.3, 2.0 fc rgb COL[k] fs transparent solid 0.15 border lc rgb COL[k]
    set label 20 + k FIX[k] at X[k], 6.55 center font f_text tc rgb c_text
    set arrow k from X[k], 7.8 to X[k], 7.6 head size 0.12,25 lw 1.5 lc rgb '#333333'
    set label 30 + k tr('gemessen:', 'measured:') at X[k] - 2.05, 4.95 left font bold(0.95) tc rgb COL[k]
    set label 40 + k MEAS[k] at X[k] - 2.05, 4.45 left font f_meas tc rgb c_text
    set label 50 + k SEE[k] at X[k] - 2.05, 2.55 left font font(0.9) tc rgb '#666666'
}
set object 20 rect center 7.5, 1.7 size 14, 0.8 fc rgb '#E69F00' fs solid 0.9 noborder
set label 60 tr('alle drei → dieselben Logits → dieselbe Wortwahl → dieselbe Ausgabe', \
                'all three → the same logits → the same word → the same output') at 7.5, 1.7 center font f_res front
set label 61 sprintf(tr("Prompt „%s“, %d Läufe je Spalte, Backend %s. Das Notebook nennt als Restrisiko das Thread-Scheduling der GPU;\ngemessen bleibt die Batch-Form (A7, C4): fest gehalten, gibt jeder Lauf hier dieselben Bits (Errata E87).", \
                         "prompt “%s”, %d runs per column, backend %s. The notebook names GPU thread scheduling as the remaining risk;\nwhat measurably remains is the batch shape (A7, C4): held fixed, every run here gives the same bits (errata E87)."), \
                     prompt, R, word(backends, ref)) at 7.5, 0.65 center font font(0.85) tc rgb c_text
plot NaN
set output
