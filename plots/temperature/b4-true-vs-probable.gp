# b4-true-vs-probable.gp — figure B4: "true vs probable". A wrong token is
# the most probable; the argmax picks it at every temperature, sampling
# sometimes picks the true one.
#
# Data: b4-probs.dat (one dataset per temperature: index token temperature
# p argmax true drawn), b4-draws.dat (one dataset per temperature: draw
# index token), b4-summary.dat.
# Image b4-true-vs-probable: grouped bars per token (one colour per
# temperature), the true token's name in green and the argmax marked;
# below, the first seeded draws at each temperature token by token (those
# unlike the first temperature's in orange), and beside them how often
# the argmax and the true token came in b4_tally draws.
load common
tok(s) = (strlen(s) == 1 && strstrt('.,;:!?-', s) > 0) ? '"'.s.'"' : s
f = datadir.'/b4-probs.dat'
fd = datadir.'/b4-draws.dat'
stats f using 4 nooutput
K = int(STATS_blocks)
p_top = STATS_max
stats f index 0 using 4 nooutput
N = int(STATS_records)
array TT[K]
do for [k = 1:K] {
    stats f index k - 1 every ::0::0 using 3 nooutput
    TT[k] = STATS_min
}
# the true token and the argmax (of the first temperature)
true_name = ''; top_name = ''
stats f index 0 using ($6 > 0 ? (true_name = strcol(2), 0) : 0) nooutput
stats f index 0 using ($5 > 0 ? (top_name = strcol(2), 0) : 0) nooutput
stats fd index 0 using 1 nooutput
D = int(STATS_records)
# The draws one by one (at most 9 shown), and the tally of many draws.
DS = D > 9 ? 9 : D
array DW[K * DS]
do for [k = 1:K] {
    stats fd index k - 1 using (int($1) <= DS ? DW[(k - 1) * DS + int($1)] = strcol(3) : 0, 0) nooutput
}
fs = datadir.'/b4-summary.dat'
array TALLY[K]; array TA[K]; array TT_TRUE[K]
stats fs using (r = int($0) + 1, TALLY[r] = $9, TA[r] = $10, TT_TRUE[r] = $11, 0) nooutput
pct(n, total) = dec(sprintf('%.1f', 100.0 * n / total)).' %'
bw = 0.8 / K
bx(g, k) = g + (k - (K + 1) / 2.0) * bw

set output fig('b4-true-vs-probable')
set multiplot title tr('Wahr gegen wahrscheinlich: '.top_name.' ist am wahrscheinlichsten, richtig wäre '.true_name, \
                       'True vs probable: '.top_name.' is the most probable, '.true_name.' would be right') font font(1.25)
set lmargin at screen 0.08; set rmargin at screen 0.97
set tmargin at screen 0.90; set bmargin at screen 0.36
set ylabel tr('Wahrscheinlichkeit (%)', 'Probability (%)')
set xrange [-0.6 : N - 0.4]
set yrange [0 : p_top * 100 * 1.2]
xtick_font = font(1.15)
set xtics scale 0 font xtick_font
set grid noxtics ytics
set boxwidth bw * 0.92 absolute
set key top right
lab(s) = (s eq true_name) ? tok(s).tr(' (wahr)', ' (true)') : (s eq top_name) ? tok(s).' (argmax)' : tok(s)
plot f index 0 using 1:(NaN):xtic(lab(strcol(2))) with points notitle, \
     for [k = 1:K] f index k - 1 using (bx($1, k)):($4 * 100) with boxes lt k title 'T = '.dec(sprintf('%g', TT[k])), \
     for [k = 1:K] f index k - 1 using (bx($1, k)):($4 * 100):(sprintf('%.0f', $4 * 100)) \
        with labels offset 0, 0.7 font font(0.95) tc rgb c_text notitle

# the draws, as text rows, in the same multiplot
set tmargin at screen 0.27; set bmargin at screen 0.02
unset border; unset tics; unset grid; unset key; unset xlabel; unset ylabel
set xrange [0:1]; set yrange [0 : K + 1]
set label 1 sprintf(tr('Die ersten %d Ziehungen, gleiche Zufallszahlen je T (orange: anders als bei T = %s)', \
                       'The first %d draws, the same random numbers at each T (orange: unlike at T = %s)'), \
                    DS, dec(sprintf('%g', TT[1]))) at 0.0, K + 0.6 font bold(0.95) tc rgb c_text
set label 2 sprintf(tr('in %s Ziehungen', 'in %s draws'), thousands(TALLY[1])) at 1.0, K + 0.6 right font bold(0.95) tc rgb c_text
col_x(d) = 0.12 + (d - 1) * 0.07
f_draw = font(0.85)
do for [k = 1:K] {
    set label 10 + k 'T = '.dec(sprintf('%g', TT[k])) at 0.0, K + 0.5 - k font bold(1.0) tc lt k
    do for [d = 1:DS] {
        w = DW[(k - 1) * DS + d]
        set label (100 + k * 20 + d) tok(w) at col_x(d), K + 0.5 - k center font f_draw noenhanced \
            tc rgb (k > 1 && w ne DW[d] ? c_bad : c_text)
    }
    set label 20 + k sprintf('%s %s, %s %s', top_name, pct(TA[k], TALLY[k]), true_name, pct(TT_TRUE[k], TALLY[k])) \
        at 1.0, K + 0.5 - k right font font(0.95) tc rgb c_text noenhanced
}
plot blank notitle
unset multiplot
