# f4-runs.gp — figure F4, the demonstration: the same prompt run again and
# again on MiniGPT, greedy and sampled.
#
# Data: f4-runs.dat (one dataset per backend job: prompt mode run seed
# same_as_first text), f4-distinct.dat (prompt mode runs distinct). The
# figure shows the job `naive` (the reference order), or the first job
# where naive did not run.
# Images f4-runs-1, f4-runs-2, ...: one per prompt, three columns, one per
# mode (greedy; sampled with a new seed each run; sampled with one seed),
# a row per run with the words that followed the prompt; a run that ended
# otherwise than the first is in vermillion (orange). Each column's head says how
# many different continuations its runs gave.
load common

fr = datadir.'/f4-runs.dat'
ref = 1
do for [b = n_backends:1:-1] { if (word(backends, b) eq 'naive') { ref = b } }
stats fr index ref - 1 using 3 nooutput
NR = int(STATS_records); R = int(STATS_max)
array PR[NR]; array MO[NR]; array RU[NR]; array SE[NR]; array SA[NR]; array TX[NR]
stats fr index ref - 1 using (i = int($0) + 1, PR[i] = strcol(1), MO[i] = strcol(2), RU[i] = int($3), \
    SE[i] = int($4), SA[i] = int($5), TX[i] = strcol(6), 0) nooutput
P = NR / (3 * R)
mode_name(m) = m eq 'greedy' ? tr('greedy (Temperatur 0)', 'greedy (temperature 0)') \
             : m eq 'sampled-new-seed' ? tr('gesampelt, neuer Seed je Lauf', 'sampled, a new seed each run') \
             : tr('gesampelt, immer derselbe Seed', 'sampled, the same seed every run')
f_head = bold(1.05); f_run = font(1.0); f_note = font(0.95)

do for [p = 1:P] {
    prompt = PR[(p - 1) * 3 * R + 1]
    set output fig(sprintf('f4-runs-%d', p))
    unset border; unset tics; unset grid; set key off
    set xrange [0:1]; set yrange [0:1]
    set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
    unset label
    set label 1 sprintf(tr('„%s“ %d-mal ausgeführt: was folgt?', '“%s” run %d times: what follows?'), prompt, R) \
        at screen 0.5, 0.94 center font font(1.35) tc rgb '#000000'
    do for [m = 0:2] {
        i0 = (p - 1) * 3 * R + m * R
        distinct = 0
        do for [r = 1:R] {
            new = 1
            do for [q = 1:r - 1] { if (TX[i0 + q] eq TX[i0 + r]) { new = 0 } }
            distinct = distinct + new
        }
        x = 0.03 + m * 0.325
        verdict = distinct == 1 ? tr('→ immer dieselbe Fortsetzung', '→ always the same continuation') \
                : sprintf(tr('→ %d verschiedene Fortsetzungen', '→ %d different continuations'), distinct)
        set label 10 + m sprintf("%s\n%s", mode_name(MO[i0 + 1]), verdict) \
            at screen x, 0.85 left font f_head tc rgb (distinct == 1 ? c_good : c_bad)
        do for [r = 1:R] {
            seed = SE[i0 + r] < 0 ? '' : sprintf(' [%s %d]', tr('Seed', 'seed'), SE[i0 + r])
            set label 100 + m * 100 + r sprintf('%d.%s  %s', r, seed, TX[i0 + r]) \
                at screen x, 0.74 - (r - 1) * (0.62 / R) left font f_run noenhanced \
                tc rgb (SA[i0 + r] ? c_text : c_bad)
        }
    }
    set label 2 sprintf(tr('Orange: anders als Lauf 1. <EOS>: Satzende; ohne <EOS> endet ein Lauf bei der Höchstzahl an Wörtern. Backend %s.', \
                           'orange: unlike run 1. <EOS>: end of sentence; without it a run stops at the most words allowed. Backend %s.'), \
                        word(backends, ref)) at screen 0.5, 0.05 center font f_note tc rgb c_text noenhanced
    plot NaN
    set output
}
