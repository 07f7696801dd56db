# a6-precision.gp — figure A6 in 16 bits: the same values, rounded to
# bfloat16 (float16), summed by every backend in float32 and in the type.
#
# Data: a6-backends-bfloat16.dat and a6-backends-float16.dat (one dataset
# per backend, two rows: float32 accumulation, then the type's own;
# columns backend acc sum bits abs_error exact n fault), for the types the
# run's `precision` parameter named (a1-cases.dat lists them).
# Image a6-precision: a panel per type; a row per backend; on the axis of
# sums, the exact sum of the stored values (dashed), each backend's sum in
# float32 (blue circle, on the exact line at this scale) and in the type
# (red square, far off: the running sum's spacing outgrows the values).
load common

array T16[2] = ['bfloat16', 'float16']
array RAN[2] = [0, 0]
do for [i = 1:2] {
    stats datadir.'/a1-cases.dat' using (strcol(2) eq T16[i] ? 1 : 0) nooutput
    RAN[i] = STATS_sum > 0
}
n16 = RAN[1] + RAN[2]
nb = n_backends
if (n16 > 0) {
    set output fig('a6-precision')
    set multiplot layout 1, n16 title tr( \
        "Dieselben Werte in 16 Bit, von jedem Backend summiert: in float32 und im 16-Bit-Typ selbst", \
        "The same values in 16 bits, summed by every backend: in float32 and in the 16-bit type itself") \
        font bold(1.15)
    do for [i = 1:2] {
        if (RAN[i]) {
            file = datadir.'/a6-backends-'.T16[i].'.dat'
            set xrange [*:*]; set yrange [*:*]   # stats obeys the ranges
            stats file using 3 nooutput
            lo = STATS_min; hi = STATS_max
            stats file index 0 using (exact = $6, n_values = $7, 0) nooutput
            lo = exact < lo ? exact : lo; hi = exact > hi ? exact : hi
            pad = 0.18 * (hi - lo) + 1
            # Per backend, the two sums as written.
            array S32[nb]; array S16[nb]
            do for [b = 1:nb] {
                stats file index b - 1 every ::0::0 using (S32[b] = strcol(3), 0) nooutput
                stats file index b - 1 every ::1::1 using (S16[b] = strcol(3), 0) nooutput
            }
            set title sprintf(tr("%s: %s Werte, exakte Summe %s", "%s: %s values, exact sum %s"), \
                T16[i], thousands(n_values), dec(minus(sprintf('%.2f', exact)))) font bold(1.0)
            set xrange [lo - pad : hi + pad]
            set yrange [nb - 0.4 : -0.9]
            set xlabel tr('Summe', 'Sum')
            set ytics scale 0 nomirror ()
            do for [b = 1:nb] { set ytics add (esc(word(backends, b)) b - 1) }
            tick_font = bold(1.0)
            set ytics font tick_font
            set xtics nomirror
            set grid xtics noytics
            set border 1 back ls 101
            unset key
            unset label
            set arrow 1 from exact, graph 0 to exact, graph 1 nohead dt 2 lw 1.5 lc rgb '#555555' back
            # Labels lean into the panel: the float32 sums (6 decimals: the
            # backends differ in their last bits) beside the exact line.
            right_half = (exact - (lo - pad)) > 0.5 * (hi - lo + 2 * pad)
            if (right_half) {
                set label 1 tr('exakt', 'exact') at exact, graph 1 offset -0.8, -0.5 right font font(0.9) tc rgb '#555555'
            } else {
                set label 1 tr('exakt', 'exact') at exact, graph 1 offset 0.8, -0.5 left font font(0.9) tc rgb '#555555'
            }
            do for [b = 1:nb] {
                t32 = sprintf('float32: %s', dec(minus(sprintf('%.6f', real(S32[b])))))
                if (right_half) {
                    set label 10 + b t32 at first exact, first b - 1 offset -1.5, -1.3 right font mono(0.85) tc lt 1 noenhanced
                } else {
                    set label 10 + b t32 at first exact, first b - 1 offset 1.5, -1.3 left font mono(0.85) tc lt 1 noenhanced
                }
                set label 30 + b sprintf('%s: %s', T16[i], dec(minus(S16[b]))) at first (S16[b] + 0), first b - 1 \
                    offset 0, 1.3 center font mono(0.85) tc rgb c_bad noenhanced
            }
            key_font = font(0.9)
            set key bottom center horizontal samplen 1 font key_font
            plot for [b = 1:nb] file index b - 1 every ::0::0 using 3:(b - 1) with points pt 7 ps 1.8 lt 1 \
                     title (b == 1 ? tr('in float32 summiert', 'summed in float32') : ''), \
                 for [b = 1:nb] file index b - 1 every ::1::1 using 3:(b - 1) with points pt 5 ps 1.8 lc rgb c_bad \
                     title (b == 1 ? sprintf(tr('in %s summiert', 'summed in %s'), T16[i]) : '')
            unset arrow 1
        }
    }
    unset multiplot
}
