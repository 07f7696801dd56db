# b5-determinism.gp — figure B5: the determinism recipe made measurable.
#
# Data: b5-runs.dat (one dataset per setting: setting mode temperature
# filter seeds run seed tokens same_as_first), b5-summary.dat (setting
# mode temperature filter seeds runs distinct identical support kept).
# Image b5-determinism: one block per setting with its runs as text; runs
# that repeat the first one in green, the others in red; the verdict
# (identical / varies) beside each block.
load common
fs = datadir.'/b5-summary.dat'
fr = datadir.'/b5-runs.dat'
stats fs using 1 nooutput
S = int(STATS_records)
array MODE[S]; array TEMP[S]; array FILT[S]; array SEEDS[S]; array DIST[S]; array IDENT[S]; array RUNS[S]
stats fs using (r = int($0) + 1, MODE[r] = strcol(2), TEMP[r] = $3, FILT[r] = strcol(4), \
    SEEDS[r] = strcol(5), RUNS[r] = int($6), DIST[r] = int($7), IDENT[r] = int($8), 0) nooutput
R = RUNS[1]
# show at most 4 runs per setting
show = R < 4 ? R : 4
n_lines = S * (show + 1) + 1
line_y(l) = n_lines - l + 0.5

mode_de(m) = m eq 'greedy' ? 'greedy (T = 0)' : m eq 'sampling' ? 'Sampling' : m
filt(s) = s eq 'none' ? '' : ', '.s
seeds_de(s) = s eq 'fresh' ? 'neuer Seed je Lauf' : 'fester Seed'
seeds_en(s) = s eq 'fresh' ? 'fresh seed per run' : 'fixed seed'

set output fig('b5-determinism')
set title (show < R ? sprintf(tr('Determinismus-Rezept: je %d Läufe mit derselben Eingabe (die ersten %d gezeigt)', \
                                 'The determinism recipe: %d runs of the same input each (the first %d shown)'), R, show) \
                   : sprintf(tr('Determinismus-Rezept: je %d Läufe mit derselben Eingabe', \
                                'The determinism recipe: %d runs of the same input each'), R))
unset border; unset tics; unset grid; unset key
set xrange [0:1]; set yrange [0:n_lines]
set lmargin 1; set rmargin 1; set tmargin 3; set bmargin 1
tag = 10
l = 0
do for [s = 1:S] {
    l = l + 1
    head = sprintf('%s%s%s,  %s', tr(mode_de(MODE[s]), MODE[s] eq 'greedy' ? 'greedy (T = 0)' : MODE[s]), \
                   MODE[s] eq 'greedy' ? '' : ', T = '.dec(sprintf('%g', TEMP[s])), filt(FILT[s]), \
                   tr(seeds_de(SEEDS[s]), seeds_en(SEEDS[s])))
    set label tag head at 0.01, line_y(l) font bold(1.0) tc rgb c_text noenhanced
    tag = tag + 1
    verdict = IDENT[s] ? tr('identisch', 'identical') : sprintf(tr('%d verschiedene', '%d different'), DIST[s])
    set label tag verdict at 0.99, line_y(l) right font bold(1.0) tc rgb (IDENT[s] ? c_good : c_bad)
    tag = tag + 1
    do for [r = 1:show] {
        l = l + 1
        stats fr index s - 1 every ::(r-1)::(r-1) using (txt = strcol(8), same = int($9), 0) nooutput
        set label tag sprintf('%d', r) at 0.03, line_y(l) font mono(0.95) tc rgb '#777777'
        tag = tag + 1
        set label tag txt at 0.06, line_y(l) font mono(0.95) tc rgb (same ? c_text : c_bad) noenhanced
        tag = tag + 1
    }
}
plot blank notitle
