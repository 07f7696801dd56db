# b2-temperature.gp — figure B2: the temperature sharpens or flattens the
# softmax.
#
# Data: b2-bars.dat (one dataset per temperature: index token temperature
# p), b2-table.dat (temperature p_max argmax entropy_bits perplexity
# entropy_nats), b2-sweep.dat (the same columns). The table image gives
# the entropy in nats first, the notebook's unit, then in bits.
# Images: b2-bars (grouped bars, one colour per temperature),
#         b2-table (the p_max / entropy table as text),
#         b2-curves (p_max and entropy over the temperature sweep).
load common
tok(s) = (strlen(s) == 1 && strstrt('.,;:!?-', s) > 0) ? '"'.s.'"' : s

# ---- b2-bars ---------------------------------------------------------------
f = datadir.'/b2-bars.dat'
stats f index 0 using 4 nooutput
N = int(STATS_records)
stats f using 4 nooutput
p_top = STATS_max
stats f using 4 nooutput
K = int(STATS_blocks)   # one dataset per temperature
array TT[K]
do for [k = 1:K] {
    stats f index k - 1 every ::0::0 using 3 nooutput
    TT[k] = STATS_min
}
bw = 0.8 / K
bx(g, k) = g + (k - (K + 1) / 2.0) * bw

set output fig('b2-bars')
set title tr('Dieselben Logits bei verschiedenen Temperaturen', 'The same logits at different temperatures')
set ylabel tr('Wahrscheinlichkeit (%)', 'Probability (%)')
set xrange [-0.6 : N - 0.4]
set yrange [0 : p_top * 100 * 1.15]
xtick_font = font(1.15)
set xtics scale 0 font xtick_font
set grid noxtics ytics
set boxwidth bw * 0.92 absolute
set key top right
plot f index 0 using 1:(NaN):xtic(tok(strcol(2))) with points notitle, \
     for [k = 1:K] f index k - 1 using (bx($1, k)):($4 * 100) \
        with boxes lt k title 'T = '.dec(sprintf('%g', TT[k])), \
     for [k = 1:K] f index k - 1 using (bx($1, k)):($4 * 100):(sprintf('%.0f', $4 * 100)) \
        with labels offset 0, 0.7 font font(0.85) tc rgb c_text notitle

# ---- b2-table --------------------------------------------------------------
# The notebook's table (cell 5): T, p_max and the entropy in nats, as
# np.log gives it, then the same in bits and 2^bits (the perplexity).
reset
load common
ft = datadir.'/b2-table.dat'
stats ft using 1 nooutput
R = int(STATS_records)
array T2[R]; array PM[R]; array AM[R]; array H[R]; array PP[R]; array HN[R]
stats ft using (r = int($0) + 1, T2[r] = $1, PM[r] = $2, AM[r] = strcol(3), H[r] = $4, PP[r] = $5, HN[r] = $6, 0) nooutput
hmax = real(system(sprintf("sed -n 's/^# entropy_max: \\([0-9.]*\\).*/\\1/p' '%s'", ft)))

set output fig('b2-table')
set title tr('Temperatur, größte Wahrscheinlichkeit und Entropie', 'Temperature, largest probability and entropy')
unset border; unset tics; unset grid; unset key
set xrange [0:1]; set yrange [-0.3 : R + 1.7]
cols = '0.07 0.22 0.38 0.56 0.74 0.90'
array HD[6] = ['T', 'p_{max}', tr('Token', 'token'), tr('Entropie (nats)', 'entropy (nats)'), \
               tr('Entropie (Bit)', 'entropy (bits)'), tr('2^{Entropie in Bit}', '2^{entropy in bits}')]
do for [c = 1:6] {
    set label 100 + c HD[c] at real(word(cols, c)), R + 1.1 center font bold(1.2) tc rgb c_text
}
set arrow 1 from graph 0.02, first R + 0.5 to graph 0.98, first R + 0.5 nohead ls 101
do for [r = 1:R] {
    y = R - r + 0.75
    set label 10 * r + 1 dec(sprintf('%g', T2[r])) at real(word(cols, 1)), y center font mono(1.3)
    set label 10 * r + 2 dec(sprintf('%.4f', PM[r])) at real(word(cols, 2)), y center font mono(1.3)
    set label 10 * r + 3 tok(AM[r]) at real(word(cols, 3)), y center font font(1.3) noenhanced
    set label 10 * r + 4 dec(sprintf('%.4f', HN[r])) at real(word(cols, 4)), y center font mono(1.3)
    set label 10 * r + 5 dec(sprintf('%.3f', H[r])) at real(word(cols, 5)), y center font mono(1.3)
    set label 10 * r + 6 dec(sprintf('%.2f', PP[r])) at real(word(cols, 6)), y center font mono(1.3)
}
set label 2 sprintf(tr('nats wie im Notebook (np.log); Bit = nats / ln 2. Höchstens, bei %d gleich wahrscheinlichen Tokens: ln %d = %s nats = %s Bit', \
                       'nats as in the notebook (np.log); bits = nats / ln 2. At most, with %d equally likely tokens: ln %d = %s nats = %s bits'), \
                    int(2**hmax + 0.5), int(2**hmax + 0.5), dec(sprintf('%.4f', hmax * log(2))), dec(sprintf('%.3f', hmax))) \
    at graph 0.5, graph 0.02 center font font(1.0) tc rgb '#555555'
plot blank notitle

# ---- b2-curves -------------------------------------------------------------
reset
load common
fs = datadir.'/b2-sweep.dat'
hmax = real(system(sprintf("sed -n 's/^# entropy_max: \\([0-9.]*\\).*/\\1/p' '%s'", fs)))
stats fs using 1 nooutput
t_lo = STATS_min; t_hi = STATS_max
set output fig('b2-curves')
set title tr('Temperatur: von fast deterministisch (T → 0) zu fast gleichverteilt (T groß)', \
             'Temperature: from nearly deterministic (T → 0) to nearly uniform (large T)')
set xlabel tr('Temperatur T', 'Temperature T')
set ylabel tr('größte Wahrscheinlichkeit p_{max}', 'largest probability p_{max}')
set y2label tr('Entropie (Bit)', 'Entropy (bits)')
set xrange [0 : t_hi]
set yrange [0 : 1.05]
set y2range [0 : hmax * 1.05]
set ytics nomirror
set y2tics nomirror
set border 11 back ls 101
set key center right
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb c_faint lw 1.5
set arrow 2 from first t_lo, second hmax to first t_hi, second hmax nohead dt 3 lc rgb '#E69F00' lw 1.5
set label 1 sprintf(tr('log_2 %d = %s Bit', 'log_2 %d = %s bits'), int(2**hmax + 0.5), dec(sprintf('%.2f', hmax))) \
    at first t_hi, second hmax right offset -1, 0.8 tc rgb '#E69F00'
set label 2 'T = 1' at 1, graph 0.04 offset 0.8, 0 tc rgb '#777777'
plot fs using 1:2 with lines lt 1 lw 3 title tr('p_{max}', 'p_{max}'), \
     fs using 1:4 axes x1y2 with lines lt 2 lw 3 title tr('Entropie', 'entropy')
