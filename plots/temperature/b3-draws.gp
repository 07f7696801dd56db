# b3-draws.gp — figure B3: seeded draws against the theoretical softmax.
#
# Data: b3-frequencies.dat (index token p count frequency expected, notes
# chi2, dof, p_value, tv, draws, temperature); b3-convergence.dat (draws
# tv_mean tv_min tv_max tv_expected tv_seed p_value_seed); b3-paths.dat
# (one dataset per stream: draws tv).
# Images: b3-frequencies (bars: empirical vs theory), b3-convergence
# (distance from theory against the number of draws, log-log).
load common
tok(s) = (strlen(s) == 1 && strstrt('.,;:!?-', s) > 0) ? '"'.s.'"' : s
note(file, key) = system(sprintf("sed -n 's/^# %s: //p' '%s'", key, file))

f = datadir.'/b3-frequencies.dat'
stats f using 3 nooutput
N = int(STATS_records)
p_top = STATS_max
stats f using 5 nooutput
p_top = STATS_max > p_top ? STATS_max : p_top
draws = int(real(note(f, 'draws')))
T = real(note(f, 'temperature'))
chi2 = real(note(f, 'chi2')); dof = int(real(note(f, 'dof')))
pv = real(note(f, 'p_value')); tv = real(note(f, 'tv'))

set output fig('b3-frequencies')
set title sprintf(tr('%s Ziehungen bei T = %s (fester Seed) gegen die Theorie', \
                     '%s draws at T = %s (fixed seed) against theory'), thousands(draws), dec(sprintf('%g', T)))
set ylabel tr('Anteil (%)', 'Share (%)')
set xrange [-0.6 : N - 0.4]
set yrange [0 : p_top * 100 * 1.2]
xtick_font = font(1.15)
set xtics scale 0 font xtick_font
set grid noxtics ytics
set boxwidth 0.38 absolute
set key top right
set label 1 sprintf(tr("Totalvariationsabstand %s\nChi-Quadrat %s bei %d Freiheitsgraden: p = %s", \
                       "total-variation distance %s\nchi-square %s with %d degrees of freedom: p = %s"), \
                    dec(sprintf('%.4f', tv)), dec(sprintf('%.2f', chi2)), dof, dec(sprintf('%.3f', pv))) at graph 0.98, graph 0.80 right font font(1.0) tc rgb '#555555'
plot f using 1:(NaN):xtic(tok(strcol(2))) with points notitle, \
     f using ($1 - 0.2):($3 * 100) with boxes lt 1 title tr('Theorie (Softmax)', 'theory (softmax)'), \
     f using ($1 + 0.2):($5 * 100) with boxes lt 2 title tr('gezogen', 'drawn'), \
     f using ($1 + 0.2):($5 * 100):(sprintf('%d', $4)) with labels offset 0, 0.7 font font(0.9) tc rgb c_text notitle

reset
load common
fc = datadir.'/b3-convergence.dat'
fp = datadir.'/b3-paths.dat'
stats fp using 2 nooutput
S = int(STATS_blocks)
set output fig('b3-convergence')
set title tr('Abstand zwischen gezogenen Häufigkeiten und Theorie, wenn die Zahl der Ziehungen wächst', \
             'Distance between drawn frequencies and theory as the number of draws grows')
set logscale xy
set format x '10^{%T}'
set format y '10^{%T}'
set xlabel tr('Zahl der Ziehungen N', 'number of draws N')
set ylabel tr('Totalvariationsabstand', 'total-variation distance')
set key bottom left
plot for [s = 1:S] fp index s - 1 using 1:2 with lines lc rgb '#D0D0D0' lw 1 notitle, \
     fc using 1:3:4 with filledcurves fc rgb '#0072B2' fs transparent solid 0.12 noborder \
        title sprintf(tr('Spanne über %d Ströme', 'range over %d streams'), S), \
     fc using 1:2 with linespoints lt 1 lw 3 title tr('Mittelwert', 'mean'), \
     fc using 1:5 with lines lt 2 lw 2 dt 2 title tr('erwartet: Σ √(p_i(1−p_i)/(2πN)) ∝ 1/√N', \
                                                     'expected: Σ √(p_i(1−p_i)/(2πN)) ∝ 1/√N'), \
     fc using 1:6 with points lt 3 pt 7 ps 1.0 title tr('Strom des festen Seeds', 'stream of the fixed seed')
