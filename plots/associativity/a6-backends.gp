# a6-backends.gp — figure A6: the same float32 array summed by every backend.
#
# Data: a6-backends.dat (one dataset of one row per backend: sum, bits,
# ULPs from the exact sum, threads, fault) and a6-pairs.dat (every ordered
# pair of backends: bitwise equal?, distance in ULPs; one dataset per row i).
# Image a6-backends:
#   left:  a bar per backend, its distance from the exact sum in ULPs; the
#          tick label gives the sum itself and the thread count; a backend
#          fault (a sum beyond the error bound of every correct order, or
#          by a sum kernel that gets the exact probe of the same n wrong)
#          is a red hatched bar to the edge of the panel, labelled, off
#          the scale of the others,
#   right: the pair matrix — green '=' where two backends agree bit for
#          bit, otherwise their distance in ULPs; a faulty backend's row
#          and column framed in red, its unequal pairs '✗' (no ULPs: its
#          sum is no rounding).
load common

fb = datadir.'/a6-backends.dat'
fp = datadir.'/a6-pairs.dat'
nb = n_backends

# Per backend: sum (as written), ULPs, threads; the exact sum is the same
# in every row.
array SUM[nb]; array ULPS[nb]; array THREADS[nb]; array FAULT[nb]
do for [i = 1:nb] {
    stats fb index i - 1 using (SUM[i] = strcol(2), ULPS[i] = $4, THREADS[i] = $7, \
        FAULT[i] = (strcol(9) eq '1'), 0) nooutput
}
stats fb index 0 using (exact_text = strcol(6), N_VALUES = $8, 0) nooutput   # as written, all digits
# The scale from the correct sums only: a faulty one is off it.
u_lo = 0; u_hi = 0; n_fault = 0
do for [i = 1:nb] {
    if (FAULT[i]) {
        n_fault = n_fault + 1
    } else {
        u_lo = ULPS[i] < u_lo ? ULPS[i] : u_lo
        u_hi = ULPS[i] > u_hi ? ULPS[i] : u_hi
    }
}
u_pad = 0.15 * (u_hi - u_lo > 0 ? u_hi - u_lo : 1) + 0.5

# How many pairs of different backends agree bit for bit (each unordered
# pair once: the matrix is symmetric and its diagonal trivially equal).
if (nb > 1) {
    stats fp using ($1 < $2 ? $5 : NaN) nooutput
    n_pairs = int(STATS_records)
    n_equal = int(STATS_sum)
}

set output fig('a6-backends')
set multiplot title sprintf(tr("Dasselbe float32-Array, von jedem Backend summiert\n{/*0.8 %s standardnormalverteilte Werte, exakte Summe (MPFR): %s}", \
                               "The same float32 array, summed by every backend\n{/*0.8 %s standard-normal values, exact sum (MPFR): %s}"), \
                            thousands(N_VALUES), dec(minus(exact_text))) font font(1.25)

# --- left: ULPs from the exact sum per backend ------------------------------
# Horizontal bars: the backend's name, sum and thread count fit as a tick
# label beside its bar for one backend as well as for eight.
# At least three bar heights of room, so that one backend is not one huge bar.
y_span = nb < 3 ? 3 : nb
set lmargin at screen 0.15; set rmargin at screen 0.56
set tmargin at screen 0.84; set bmargin at screen 0.14
set yrange [(nb - 1) / 2.0 + y_span / 2.0 : (nb - 1) / 2.0 - y_span / 2.0]   # first backend on top
set xrange [u_lo - u_pad : u_hi + u_pad]
set xlabel tr('ULPs vom exakten Wert', 'ULPs from the exact sum')
set yzeroaxis lt -1 lc rgb '#444444' lw 1
set grid xtics noytics
set border 1 back ls 101
set style fill solid 0.85 border lc rgb '#444444'
set ytics scale 0 nomirror ()
set xtics nomirror
thread_word(t) = t == 1 ? tr('1 Thread', '1 thread') : sprintf(tr('%d Threads', '%d threads'), t)
# A long backend label (options included) in lines of at most about 16
# characters, broken after a ':'; escaped for enhanced text, each line
# wrapped in `pre` … `post` (its markup).
name_lines(t, pre, post) = (strlen(t) <= 16 || strstrt(t, ':') == 0) ? pre.esc(t).post \
    : pre.esc(t[1:strstrt(t, ':')]).post."\n".name_lines(t[strstrt(t, ':') + 1:], pre, post)
# Tick label: name, the sum as written (all its digits), thread count.
do for [i = 1:nb] {
    set ytics add (sprintf("%s\n%s\n{/*0.9 %s}", name_lines(word(backends, i), '{/:Bold ', '}'), \
        dec(minus(SUM[i])), thread_word(THREADS[i])) i - 1)
}
tick_font = font(nb <= 4 ? 1.0 : 0.9)
set ytics font tick_font
unset key
bh = nb <= 4 ? 0.5 : 0.7   # bar height in rows
# The ULP count just beyond the end of the bar: left of a negative bar,
# right of the others. Set as labels, which can be justified one by one
# (and `with labels` on only undefined points crashes gnuplot 5.4).
lab_font = font(nb <= 4 ? 1.1 : 0.95)
# A fault: a red hatched bar from 0 to the panel's edge on the side of its
# error, and in its middle what it is, with its true distance.
set style textbox 2 opaque fillcolor rgb 'white' border lc rgb c_fault margins 1.5, 1.5
do for [i = 1:nb] {
    if (FAULT[i]) {
        edge = ULPS[i] < 0 ? u_lo - u_pad : u_hi + u_pad
        set object 20 + i rect from first 0, first i - 1 - bh / 2 to first edge, first i - 1 + bh / 2 \
            fc rgb c_fault fs pattern fault_pattern border lc rgb c_fault lw 2 front
        set label 10 + i sprintf("✗ %s\n{/*0.8 %s ULPs}", fault_word, thousands(ULPS[i])) \
            at first (edge / 2.0), first i - 1 center front boxed bs 2 \
            font bold(nb <= 4 ? 0.95 : 0.8) tc rgb c_fault
        continue
    }
    if (ULPS[i] < 0) {
        set label 10 + i signed(ULPS[i]) at first ULPS[i], first i - 1 right offset -0.7, 0 \
            font lab_font tc rgb c_text
    } else {
        set label 10 + i signed(ULPS[i]) at first ULPS[i], first i - 1 left offset 0.7, 0 \
            font lab_font tc rgb c_text
    }
}
set label 1 tr('exakt', 'exact') at first 0, graph 1 center offset 0, 0.8 \
    font font(0.95) tc rgb '#444444'
# Below the panel: what the red bars are.
if (n_fault > 0) {
    set label 2 '✗ '.fault_word.': '.fault_bound.",\n   ".fault_probe.tr(' (nicht maßstäblich)', ' (not to scale)') \
        at screen 0.15, screen 0.03 left font font(0.85) tc rgb c_fault
}
plot for [i = 1:nb] fb index i - 1 \
         using (0):(i - 1):(0):($9 == 1 ? NaN : $4):(i - 1 - bh / 2):(i - 1 + bh / 2) with boxxyerror lt i

unset xlabel
unset yzeroaxis
unset label
unset object
# --- right: which pairs are bitwise equal -----------------------------------
if (nb == 1) {
    # Nothing to compare: say so instead of drawing a 1x1 matrix.
    set lmargin at screen 0.64; set rmargin at screen 0.97
    set tmargin at screen 0.78; set bmargin at screen 0.3
    unset border; unset tics; unset grid; unset xzeroaxis; unset ylabel
    set xrange [0:1]; set yrange [0:1]
    set label 1 tr("Bitweise gleich?\n\n{/*0.85 Nur ein Backend gelaufen (".esc(word(backends, 1)).")}\n{/*0.85 kein Paar zum Vergleichen}", \
                   "Bitwise equal?\n\n{/*0.85 Only one backend ran (".esc(word(backends, 1)).")}\n{/*0.85 no pair to compare}") \
        at graph 0.5, graph 0.6 center font font(1.1) tc rgb '#555555'
    plot blank notitle
} else {
    # Square cells: the figure is 16/9 times as wide as high in every format.
    m_h = 0.52
    m_w = m_h * 9 / 16.0
    m_right = 0.97
    set lmargin at screen m_right - m_w; set rmargin at screen m_right
    set tmargin at screen 0.78; set bmargin at screen 0.78 - m_h
    set xrange [-0.5 : nb - 0.5]
    set yrange [nb - 0.5 : -0.5]          # row 0 at the top, as in a matrix
    unset xzeroaxis
    unset grid
    set border 0
    set xtics scale 0 nomirror () offset 0, 0
    set ytics scale 0 nomirror ()
    names_font = font(nb <= 4 ? 1.0 : 0.9)
    set xtics font names_font
    set ytics font names_font
    do for [i = 1:nb] {
        set xtics add (name_lines(word(backends, i), '', '') i - 1)
        set ytics add (name_lines(word(backends, i), '', '') i - 1)
    }
    set xtics rotate by 30 right
    unset ylabel
    set title sprintf(tr("Bitweise gleich?\n{/*0.8 %d von %d Paaren gleich; Zahl: Abstand in ULPs%s}", \
                         "Bitwise equal?\n{/*0.8 %d of %d pairs equal; number: distance in ULPs%s}"), \
                      n_equal, n_pairs, n_fault > 0 ? tr("}\n{/*0.8 ✗: Backend-Fehler, kein ULP-Abstand", "}\n{/*0.8 ✗: backend fault, no ULP distance") : '') font font(1.1)
    # Light green / light vermillion; the trivial diagonal in grey.
    cell_rgb(i, j, eq) = i == j ? 0xE4E4E4 : eq != 0 ? 0xBFE6D4 : 0xF6CDB8
    # A pair with a faulty backend gets no ULPs: its sum is no rounding.
    cell_text(i, j, eq, u) = eq != 0 ? '=' : (FAULT[int(i) + 1] || FAULT[int(j) + 1]) ? '✗' : sprintf('%d', u)
    set style fill solid 1.0 border lc rgb 'white'
    # A faulty backend's row and column framed in red: the pairs compare
    # its bits as they are, but its sum is no rounding.
    do for [i = 1:nb] {
        if (FAULT[i]) {
            set object 40 + i rect from first -0.5, first i - 1.5 to first nb - 0.5, first i - 0.5 \
                front fs empty border lc rgb c_fault lw 3
            set object 60 + i rect from first i - 1.5, first -0.5 to first i - 0.5, first nb - 0.5 \
                front fs empty border lc rgb c_fault lw 3
        }
    }
    plot fp using 2:1:($2 - 0.5):($2 + 0.5):($1 - 0.5):($1 + 0.5):(cell_rgb($1, $2, $5)) \
             with boxxyerror lc rgb variable, \
         fp using 2:1:(cell_text($1, $2, $5, $6)) with labels font font(nb <= 4 ? 1.2 : 0.95) tc rgb c_text
}
unset multiplot
