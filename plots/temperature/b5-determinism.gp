# b5-determinism.gp — figure B5: the determinism recipe made measurable.
#
# Data: b5-runs.dat (one dataset per setting: setting mode temperature
# filter seeds run seed tokens same_as_first; a run ends at its first
# <EOS>), b5-summary.dat (setting mode temperature filter seeds runs
# distinct identical support kept).
# Two images, one idea each, every run of every setting shown:
#   b5-determinism: the settings without a filter (greedy, sampling with a
#                   new seed per run, sampling with a fixed seed),
#   b5-filters:     the top-k and top-p settings, each with new and with
#                   fixed seeds.
# A block per setting: its head, the verdict beside it (identical in green
# / so many different in vermillion), its runs as text, a run unlike the
# first in vermillion; a key at the bottom says so.
load common
fs = datadir.'/b5-summary.dat'
fr = datadir.'/b5-runs.dat'
stats fs using 1 nooutput
S = int(STATS_records)
array MODE[S]; array TEMP[S]; array FILT[S]; array SEEDS[S]; array DIST[S]; array IDENT[S]; array RUNS[S]
stats fs using (r = int($0) + 1, MODE[r] = strcol(2), TEMP[r] = $3, FILT[r] = strcol(4), \
    SEEDS[r] = strcol(5), RUNS[r] = int($6), DIST[r] = int($7), IDENT[r] = int($8), 0) nooutput
R = RUNS[1]

mode_de(m) = m eq 'greedy' ? 'greedy (T = 0)' : m eq 'sampling' ? 'Sampling' : m
filt(s) = s eq 'none' ? '' : ', '.dec(s)
seeds_de(s) = s eq 'fresh' ? 'neuer Seed je Lauf' : 'fester Seed'
seeds_en(s) = s eq 'fresh' ? 'a new seed each run' : 'fixed seed'
filtered(s) = FILT[s] ne 'none'

# draw_block(first, last, name, title): the settings first..last that
# match `want_filter` as one image.
do for [img = 1:2] {
    want = img == 2
    n_s = 0
    do for [s = 1:S] { n_s = n_s + (filtered(s) == want) }
    if (n_s > 0) {
    n_lines = n_s * (R + 1.4) + 1.5
    line_y(l) = n_lines - l + 0.5
    f_run = mono(n_lines <= 20 ? 1.0 : n_lines <= 28 ? 0.95 : 0.85)
    f_head = bold(n_lines <= 28 ? 1.0 : 0.9)
    set output fig(img == 1 ? 'b5-determinism' : 'b5-filters')
    set title (img == 1 ? sprintf(tr('Determinismus-Rezept: %d Läufe derselben Eingabe je Einstellung', \
                                     'The determinism recipe: %d runs of the same input per setting'), R) \
                        : sprintf(tr('Top-k und Top-p filtern, der Seed entscheidet: %d Läufe je Einstellung', \
                                     'Top-k and top-p filter, the seed decides: %d runs per setting'), R)) font font(1.25)
    unset border; unset tics; unset grid; unset key
    set xrange [0:1]; set yrange [0:n_lines]
    set lmargin 1; set rmargin 1; set tmargin 3; set bmargin 0.5
    unset label
    tag = 10
    l = 0
    do for [s = 1:S] {
        if (filtered(s) == want) {
        l = l + 1
        head = sprintf('%s%s%s,  %s', tr(mode_de(MODE[s]), MODE[s] eq 'greedy' ? 'greedy (T = 0)' : MODE[s]), \
                       MODE[s] eq 'greedy' ? '' : ', T = '.dec(sprintf('%g', TEMP[s])), filt(FILT[s]), \
                       tr(seeds_de(SEEDS[s]), seeds_en(SEEDS[s])))
        set label tag head at 0.01, line_y(l) font f_head tc rgb c_text noenhanced
        tag = tag + 1
        verdict = IDENT[s] ? sprintf(tr('%d von %d identisch', 'all %d identical'), R, R) \
                : sprintf(tr('%d verschiedene von %d', '%d different of %d'), DIST[s], R)
        set label tag verdict at 0.99, line_y(l) right font f_head tc rgb (IDENT[s] ? c_good : c_bad)
        tag = tag + 1
        do for [r = 1:R] {
            l = l + 1
            stats fr index s - 1 every ::(r-1)::(r-1) using (txt = strcol(8), same = int($9), 0) nooutput
            set label tag sprintf('%d', r) at 0.03, line_y(l) font f_run tc rgb '#777777'
            tag = tag + 1
            set label tag txt at 0.06, line_y(l) font f_run tc rgb (same ? c_text : c_bad) noenhanced
            tag = tag + 1
        }
        l = l + 0.4
        }
    }
    set label tag tr('Schwarz: wie Lauf 1; orange: anders als Lauf 1. Ein Lauf endet beim ersten <EOS>.', \
                     'black: as run 1; orange: unlike run 1. A run ends at its first <EOS>.') \
        at 0.5, 0.45 center font font(0.95) tc rgb c_text noenhanced
    plot blank notitle
    set output
    }
}
