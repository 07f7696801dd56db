# a3-shuffles.gp — figure A3: the same values summed in many random orders.
#
# Data: a3-distinct.dat (per size n and method: shuffles, number of distinct
# sums, ULP range) and a3-histogram.dat (how often each sum occurs, one
# dataset per row of a3-distinct, in the same order).
# Image a3-shuffles: one histogram panel per size n, bars per method (plain
# left-to-right float32, compensated), on a log axis because compensated
# summation puts every order into one bar.
load common

fd = datadir.'/a3-distinct.dat'
fh = datadir.'/a3-histogram.dat'

# --- read a3-distinct into arrays: row r is histogram dataset r-1 ----------
stats fd using 1 nooutput
R = int(STATS_records)
array SIZE[R]; array METHOD[R]; array SHUF[R]; array DISTINCT[R]
array LO[R]; array HI[R]
stats fd using (r = int($0) + 1, SIZE[r] = $1, METHOD[r] = strcol(2), \
    SHUF[r] = $3, DISTINCT[r] = $4, LO[r] = $5, HI[r] = $6, 0) nooutput

# Sizes and methods in order of first appearance, so the figure follows the
# data whatever sizes or methods were run.
array NS[R]; K = 0
array MS[R]; NM = 0
do for [r = 1:R] {
    seen = 0
    do for [k = 1:K] { if (NS[k] == SIZE[r]) { seen = 1 } }
    if (!seen) { K = K + 1; NS[K] = SIZE[r] }
    seen = 0
    do for [m = 1:NM] { if (MS[m] eq METHOD[r]) { seen = 1 } }
    if (!seen) { NM = NM + 1; MS[NM] = METHOD[r] }
}
# Row (histogram dataset + 1) of size k and method m; 0 if not run.
row_of(k, m) = sum [r = 1:R] ((SIZE[r] == NS[k] && METHOD[r] eq MS[m]) ? r : 0)
shuffles = SHUF[1]

method_name(s) = s eq 'plain' ? tr('naiv', 'plain') \
               : s eq 'compensated' ? tr('kompensiert', 'compensated') : s
method_desc(s) = s eq 'plain' ? tr('naiv = float32-Summe von links nach rechts', \
                                   'plain = float32 sum left to right') \
               : s eq 'compensated' ? tr('kompensiert = Neumaier-Summation in float32', \
                                         'compensated = Neumaier summation in float32') : ''

# --- layout -----------------------------------------------------------------
cols = K <= 3 ? K : K == 4 ? 2 : 3
rows = int(ceil(K / real(cols)))
v_gap = 0.15                     # between rows: x label above, title below
panel_h = (0.86 - 0.16 - (rows - 1) * v_gap) / rows   # screen fraction
# The methods' bars on their ULP, one in front of the other: the first
# 0.8 wide, each later one narrower and outlined in white (a single
# outlined bar where both methods give the same count), so that every
# bar stands on its integer and none hides another.
hw(m) = 0.4 / (1.0 + 0.8 * (m - 1))
y_floor = 0.7        # bottom of the log axis: bars start here
# Tick step 1, 2, 5, 10, 20, … giving at most 6 intervals: the panels are narrow.
step_pow(span) = 10**floor(log10(span / 6.0))
nice_step(span) = span <= 6 ? 1 \
    : span / step_pow(span) <= 6 ? step_pow(span) \
    : span / (2 * step_pow(span)) <= 6 ? 2 * step_pow(span) \
    : span / (5 * step_pow(span)) <= 6 ? 5 * step_pow(span) : 10 * step_pow(span)
distinct_text(d) = d == 1 ? tr('1 einzige Summe', '1 single sum') \
                          : sprintf(tr('%d verschiedene Summen', '%d distinct sums'), d)
# Footnote naming what the methods are.
footnote = ''
do for [m = 1:NM] {
    if (method_desc(MS[m]) ne '') {
        footnote = footnote.(footnote eq '' ? '' : '     ').method_desc(MS[m])
    }
}

set output fig('a3-shuffles')
set multiplot layout rows, cols \
    title sprintf(tr('Dieselben float32-Werte in %s zufälligen Reihenfolgen summiert', \
                     'The same float32 values summed in %s random orders'), thousands(shuffles)) \
    font font(1.25) margins 0.095, 0.98, 0.16, 0.86 spacing 0.05, v_gap

# Log axis: compensated summation puts all orders into one bar, the plain
# histogram's tails hold single orders. Room on top for the panel's text.
# The top of the axis leaves the fraction f of the panel free for the text
# lines (each about 0.03 of the figure's height).
f_text = (NM * 1.5 + 1) * 0.03 / panel_h
f_text = f_text > 0.5 ? 0.5 : f_text
y_top = 10**((log10(shuffles) - f_text * log10(y_floor)) / (1 - f_text))
set logscale y
set yrange [y_floor : y_top]
set ytics nomirror ()
do for [e = 0:int(ceil(log10(shuffles)))] { set ytics add (thousands(10**e) 10**e) }
set mytics 10
set xtics nomirror
set grid noxtics ytics
set style fill solid 0.9 noborder   # borders would hide the narrow bars
set xlabel tr('ULPs vom exakten Wert', 'ULPs from the exact sum')
tick_font = font(1.0)

do for [k = 1:K] {
    # x range over all methods of this size, one bin of room each side.
    lo = 0; hi = 0
    do for [m = 1:NM] {
        r = row_of(k, m)
        if (r > 0) {
            lo = LO[r] < lo ? LO[r] : lo
            hi = HI[r] > hi ? HI[r] : hi
        }
    }
    set xrange [lo - 1 : hi + 1]
    set xtics nice_step(hi - lo + 2)
    set mxtics 1
    set title sprintf(tr('n = %d Werte', 'n = %d values'), NS[k])
    # How many distinct sums each method gave, in the method's colour.
    unset label
    do for [m = 1:NM] {
        r = row_of(k, m)
        if (r > 0) {
            set label m sprintf('%s: %s', method_name(MS[m]), distinct_text(DISTINCT[r])) \
                at graph 0.03, graph 1 offset 0, -1.5 * m + 0.3 tc lt m font font(1.05)
        }
    }
    set ylabel (k - 1) % cols == 0 ? tr('Anzahl Reihenfolgen', 'Number of orders') : ''
    # The coloured labels name the methods: no key needed.
    unset key
    if (k == 1) {
        set label 100 footnote at screen 0.02, screen 0.03 font font(0.95) tc rgb '#555555'
    }
    plot for [m = 1:NM] (row_of(k, m) > 0 ? fh : '') index (row_of(k, m) - 1) \
        using 1:3:($1 - hw(m)):($1 + hw(m)):(y_floor):3 \
        with boxxyerror lt m fs solid 0.9 border lc rgb (m == 1 ? '#0072B2' : '#FFFFFF') \
        title method_name(MS[m])
}
unset multiplot
