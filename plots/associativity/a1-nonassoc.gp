# a1-nonassoc.gp — figure A1: floating-point addition is not associative.
#
# Two images:
#   a1-nonassoc  the classic cases of a1-cases.dat as a table: for each case
#                both orders with their value and bits; the bits in which the
#                two orders differ are red, each case is marked equal/differs.
#   a1-counter   a1-counter.dat: a float32 counter s += 1 against the true
#                count; it stalls where s + 1 rounds back to s (2^24).
load common

# ============================================================================
# a1-nonassoc: table of the cases
# ============================================================================
cases = datadir.'/a1-cases.dat'

# Read the whole table into arrays: the figure is laid out as text, row by
# row, and each row is compared with the other order of its case.
stats cases using 4 nooutput
N = int(STATS_records)
array CASE[N]; array TYPE[N]; array ORDER[N]; array VALUE[N]
array EXACT[N]; array HEX[N]; array BIN[N]
stats cases using (r = int($0) + 1, CASE[r] = strcol(1), TYPE[r] = strcol(2), \
    ORDER[r] = strcol(3), VALUE[r] = strcol(4), EXACT[r] = strcol(5), \
    HEX[r] = strcol(6), BIN[r] = strcol(7), 0) nooutput

# Partner of row r: the other row of the same case (type too: a case label
# could repeat across types). Rows of a case are adjacent in the file.
partner(r) = (r < N && CASE[r+1] eq CASE[r] && TYPE[r+1] eq TYPE[r]) ? r + 1 \
           : (r > 1 && CASE[r-1] eq CASE[r] && TYPE[r-1] eq TYPE[r]) ? r - 1 : r
first_of_case(r) = (r == 1) || !(CASE[r-1] eq CASE[r] && TYPE[r-1] eq TYPE[r])

# Split the binary string of row r against its partner into the bits that
# agree and the bits that differ; the other positions become spaces so the
# two strings, drawn over each other in a monospace font, line up. Plain
# spaces, not no-break ones: gnuplot's svg terminal then marks the text
# xml:space="preserve", and librsvg would drop leading U+00A0.
gap = ' '
array SAME[N]; array DIFF[N]; array EQUAL[N]
do for [r = 1:N] {
    p = partner(r)
    s = ''; d = ''
    do for [k = 1:strlen(BIN[r])] {
        c = BIN[r][k:k]
        if (c eq ' ') {
            s = s.gap; d = d.gap
        } else { if (p == r || BIN[p][k:k] eq c) {
            s = s.c; d = d.gap
        } else {
            s = s.gap; d = d.c
        }}
    }
    SAME[r] = s; DIFF[r] = d
    EQUAL[r] = (HEX[r] eq HEX[p])
}

# Layout: per case a header line, its rows and a line for the exact sum,
# below a column header; y counts lines from the top, x is a fraction of the
# width. The hex bits are left out: the binary string says the same and the
# float64 row would not fit twice.
n_cases = 0
do for [r = 1:N] { if (first_of_case(r)) { n_cases = n_cases + 1 } }
n_lines = 1 + N + 2 * n_cases
line_y(l) = n_lines - l + 0.5
x_order = 0.03; x_value = 0.175; x_bin = 0.37; x_verdict = 0.985

set output fig('a1-nonassoc')
set title tr('Nicht-Assoziativität: dieselben drei Summanden, zwei Reihenfolgen', \
             'Non-associativity: the same three terms, two orders')
unset border; unset tics; unset grid; unset key
set xrange [0:1]; set yrange [0:n_lines]
set lmargin 1; set rmargin 1; set tmargin 3; set bmargin 4.5

set label 1 tr('Reihenfolge', 'Order') at x_order, line_y(1) font bold(1.0) tc rgb c_text
set label 2 tr('Wert (dezimal)', 'Value (decimal)') at x_value, line_y(1) font bold(1.0) tc rgb c_text
set label 3 tr('Bits:  Vorzeichen | Exponent | Mantisse', 'Bits:  sign | exponent | mantissa') \
    at x_bin, line_y(1) font bold(1.0) tc rgb c_text
set arrow 1 from graph 0, first line_y(1) - 0.5 to graph 1, first line_y(1) - 0.5 nohead ls 101

tag = 10; l = 1
do for [r = 1:N] {
    if (first_of_case(r)) {
        l = l + 1
        # A tinted band behind the case: green when both orders agree.
        last = partner(r) > r ? partner(r) : r
        band = EQUAL[r] ? '#E6F4EC' : '#FBE9E1'
        set object tag rect from graph 0, first line_y(l) + 0.5 \
            to graph 1, first line_y(l + last - r + 2) - 0.42 \
            fc rgb band fs solid 1.0 noborder behind
        tag = tag + 1
        set label tag esc(sprintf('%s:   %s', TYPE[r], CASE[r])) at x_order - 0.015, line_y(l) \
            font bold(1.1) tc rgb c_text
        tag = tag + 1
        verdict = EQUAL[r] ? tr('beide Reihenfolgen gleich', 'both orders equal') \
                           : tr('Reihenfolgen verschieden', 'orders differ')
        set label tag verdict at x_verdict, line_y(l) right font bold(1.1) \
            tc rgb (EQUAL[r] ? c_good : c_bad)
        tag = tag + 1
    }
    l = l + 1
    set label tag ORDER[r] at x_order, line_y(l) font mono(1.1) noenhanced tc rgb c_text
    tag = tag + 1
    set label tag VALUE[r] at x_value, line_y(l) font mono(1.1) noenhanced \
        tc rgb (EQUAL[r] ? c_text : c_bad)
    tag = tag + 1
    set label tag SAME[r] at x_bin, line_y(l) font mono(1.1) noenhanced tc rgb c_text
    tag = tag + 1
    set label tag DIFF[r] at x_bin, line_y(l) font monobold(1.1) tc rgb c_bad   # only digits: enhanced is safe
    tag = tag + 1
    if (partner(r) <= r) {
        # The case's exact sum, under its rows.
        l = l + 1
        set label tag tr('exakt', 'exact') at x_order, line_y(l) font font(1.0) tc rgb '#666666'
        tag = tag + 1
        set label tag EXACT[r] at x_value, line_y(l) font mono(1.1) noenhanced tc rgb '#666666'
        tag = tag + 1
    }
}

# Footnote: what the colours mean and where 'exact' comes from.
set label tag tr( \
    "Orange: Bits, in denen sich die beiden Reihenfolgen unterscheiden.   exakt: reelle Summe der gespeicherten Summanden, einmal auf float64 gerundet (MPFR).\nulp(1) ist 2^{−23} ≈ 1,19·10^{−7} in float32, 2^{−7} in bfloat16, 2^{−10} in float16: ein Summand bis zu einem halben ulp geht bei 1 + b verloren.", \
    "Orange: bits in which the two orders differ.   exact: the real sum of the stored terms, rounded once to float64 (MPFR).\nulp(1) is 2^{−23} ≈ 1.19·10^{−7} in float32, 2^{−7} in bfloat16, 2^{−10} in float16: a term up to half an ulp is lost in 1 + b.") \
    at screen 0.02, screen 0.065 font font(0.95) tc rgb '#555555'
plot blank notitle

# ============================================================================
# a1-counter: the float32 counter that stalls
# ============================================================================
reset
load common
counter = datadir.'/a1-counter.dat'

# Where the counter stops: its largest value, and the first step reaching it.
stats counter using 2 nooutput
stall_value = STATS_max
stats counter using ($2 == stall_value ? $1 : NaN) nooutput
stall_step = STATS_min
stats counter using 3 nooutput
lost_end = STATS_max
stats counter using 1 nooutput
last_step = STATS_max

# Name the stall value as a power of two when it is one (2^24 for float32).
k2 = int(floor(log(stall_value) / log(2) + 0.5))
is_pow2 = (2.0**k2 == stall_value)
pow2 = is_pow2 ? sprintf(' = 2^{%d}', k2) : ''
stall_name = is_pow2 ? sprintf('2^{%d}', k2) : thousands(stall_value)

M = 1e6   # axes in millions
# The "lost" label sits inside the shaded gap, three quarters along it.
x_lost = stall_step + 0.75 * (last_step - stall_step)
set output fig('a1-counter')
set title sprintf(tr('float32-Zähler  s += 1.0f: bei %s bleibt er stehen', \
                     'float32 counter  s += 1.0f: it stalls at %s'), stall_name)
set xlabel tr('Schritte (Millionen)', 'Steps (millions)')
set ylabel tr('Zählerstand (Millionen)', 'Counter value (millions)')
set xrange [0:last_step / M * 1.02]
set yrange [0:last_step / M * 1.08]
set key top left
set format x '%g'; set format y '%g'

set arrow 1 from stall_step / M, graph 0 to stall_step / M, graph 1 nohead dt 2 lc rgb c_faint lw 1.5
set label 1 sprintf(tr("s = %s%s:\ns + 1 wird auf s gerundet", "s = %s%s:\ns + 1 rounds back to s"), \
    thousands(stall_value), pow2) at stall_step / M, stall_value / M \
    offset 1.5, -2.5 tc lt 1 font font(1.05)
set label 2 sprintf(tr('verloren: %s Additionen', 'lost: %s additions'), thousands(lost_end)) \
    at x_lost / M, (stall_value + x_lost) / 2 / M center tc rgb c_bad font font(1.05)

plot counter using ($1 / M):($2 / M):($1 / M) with filledcurves fc rgb c_bad fs transparent solid 0.15 noborder notitle, \
     '' using ($1 / M):($1 / M) with lines lc rgb '#7F7F7F' dt 2 lw 2 title tr('wahre Anzahl', 'true count'), \
     '' using ($1 / M):($2 / M) with lines lt 1 lw 3 title tr('float32-Zähler s', 'float32 counter s')

# ============================================================================
# a1-counter-16: the same counter in bfloat16 and float16, side by side
# ============================================================================
# a1-counter-bfloat16.dat and a1-counter-float16.dat: the panels of the
# types the run's `precision` parameter named, which a1-cases.dat lists.
# Each counter stalls at 2^(significand bits): 256 in bfloat16, 2048 in
# float16.
reset
load common
array T16[2] = ['bfloat16', 'float16']
array RAN[2] = [0, 0]
do for [i = 1:2] {
    stats datadir.'/a1-cases.dat' using (strcol(2) eq T16[i] ? 1 : 0) nooutput
    RAN[i] = STATS_sum > 0
}
n16 = RAN[1] + RAN[2]
if (n16 > 0) {
    set output fig('a1-counter-16')
    set multiplot layout 1, n16 title tr( \
        'Derselbe Zähler  s += 1  in 16 Bit: er bleibt viel früher stehen', \
        'The same counter  s += 1  in 16 bits: it stalls much earlier') font bold(1.2)
    do for [i = 1:2] {
        file = datadir.'/a1-counter-'.T16[i].'.dat'
        if (RAN[i]) {
            set xrange [*:*]; set yrange [*:*]   # stats obeys the ranges
            stats file using 2 nooutput
            stall_value = STATS_max
            stats file using 1 nooutput
            last_step = STATS_max
            stats file using 3 nooutput
            lost_end = STATS_max
            k2 = int(floor(log(stall_value) / log(2) + 0.5))
            set title sprintf(tr('%s: Stillstand bei 2^{%d} = %s', '%s: stalls at 2^{%d} = %s'), \
                T16[i], k2, thousands(stall_value)) font bold(1.05)
            set xlabel tr('Schritte', 'Steps')
            set ylabel tr('Zählerstand', 'Counter value')
            set xrange [0:last_step * 1.02]
            set yrange [0:last_step * 1.08]
            set key top left
            set format x '%.0f'; set format y '%.0f'
            unset label
            set label 2 sprintf(tr('verloren: %s', 'lost: %s'), thousands(lost_end)) \
                at 0.78 * last_step, (stall_value + 0.78 * last_step) / 2 center tc rgb c_bad font font(1.0)
            plot file using 1:2:1 with filledcurves fc rgb c_bad fs transparent solid 0.15 noborder notitle, \
                 '' using 1:1 with lines lc rgb '#7F7F7F' dt 2 lw 2 title tr('wahre Anzahl', 'true count'), \
                 '' using 1:2 with lines lt 1 lw 3 title sprintf(tr('%s-Zähler s', '%s counter s'), T16[i])
        }
    }
    unset multiplot
}
