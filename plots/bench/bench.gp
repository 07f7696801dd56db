# bench.gp — the benchmark figures: every backend's kernels against this
# machine's limits, measured in the same run (`numlab bench`).
#
# Data: bench-results.dat (one dataset per backend, in backends.gp order:
# kernel, n, threads, seconds, rate, reference, its rate, ratio, note,
# fault — 1 where the kernel's result was not the exact one every correct
# kernel returns on the bench's integer inputs) and
# bench-references.dat (the read probe at 1 and at all threads for every
# size; cblas_sgemm called directly).
# Two images:
#   bench-bandwidth  one panel per memory-bound kernel (sum, dot, gemv,
#                    copy; those that ran): GB/s against the element count,
#                    log-log, a line per backend, and the machine's read
#                    bandwidth over as many bytes (dashed): the steps of the
#                    curves are the cache levels, the right end is memory;
#   bench-gemm       grouped bars of GFLOP/s per matrix size, a colour per
#                    backend; a black mark is cblas_sgemm called directly
#                    with the backend's thread count, the number above the
#                    bar is the ratio backend / cblas_sgemm.
# A backend fault is marked, not hidden: a red cross over its point, a red
# hatched bar with "✗ Backend-Fehler" in place of its ratio, and a note
# below the figure; its speed is that of a wrong result.
load common

fr = datadir.'/bench-results.dat'
fref = datadir.'/bench-references.dat'
nb = n_backends
measured(x) = x == x            # false for NaN: a skipped measurement
backend_of(s) = sum [i = 1:nb] (word(backends, i) eq s ? i : 0)

# --- every result row in arrays ---------------------------------------------
# The labels and the checks for empty series need the rows one by one; the
# rows carry their backend's name, so the datasets need not be counted.
# Every line counts, also the placeholder of an empty dataset (all NaN and
# "", which matches no backend and no kernel).
stats fr using (1) nooutput
R = int(STATS_records)
array BK[R]; array KER[R]; array NN[R]; array THR[R]; array SEC[R]
array RATE[R]; array REFN[R]; array REFR[R]; array RATIO[R]; array NOTE[R]
array FAULT[R]
r = 0
stats fr using (r = r + 1, BK[r] = backend_of(strcol(1)), KER[r] = strcol(2), \
    NN[r] = $3, THR[r] = $4, SEC[r] = $5, RATE[r] = $6, REFN[r] = strcol(8), \
    REFR[r] = $9, RATIO[r] = $10, NOTE[r] = strcol(11), FAULT[r] = (strcol(12) eq '1'), 0) nooutput
# The note on faults below each figure (with its own faults only).
fault_foot = "\n".tr('✗ rot: Backend-Fehler — das Ergebnis ist nicht das exakte, das jeder korrekte Kernel auf diesen ganzzahligen Eingaben liefert (Fehlerschranke 0).', \
                     '✗ red: backend fault — the result is not the exact one every correct kernel returns on these integer inputs (error bound 0).')

# Threads of each backend, for the key (the same in all its rows).
array THREADS[nb]
do for [i = 1:nb] { THREADS[i] = 0 }
do for [r = 1:R] { if (BK[r] > 0) { THREADS[BK[r]] = THR[r] } }
thread_word(t) = t == 1 ? tr('1 Thread', '1 thread') : sprintf(tr('%d Threads', '%d threads'), t)
# Plain text (used noenhanced): gnuplot sizes the key's columns by the
# length of the title as written, markup included.
backend_title(i) = sprintf('%s (%s)', word(backends, i), \
    THREADS[i] > 0 ? thread_word(THREADS[i]) : tr('keine Messung', 'no measurement'))
# The key goes across the figure under its title, in rows of their own (an
# empty plot each, so that they span all panels): the backends, at most
# three to a row, then the references. In a strip one row high gnuplot puts
# the entries side by side, centred; given more entries than fit, it would
# stack them over the next row.
key_top = 0.935; key_h = 0.034
key_row(k) = sprintf('set lmargin at screen 0.02; set rmargin at screen 0.98; set tmargin at screen %g; set bmargin at screen %g', \
                     key_top - (k - 1) * key_h, key_top - k * key_h)
nb_rows = int(ceil(nb / 3.0))
nb_per_row = int(ceil(nb / real(nb_rows)))     # 4 backends: 2 + 2, not 3 + 1
row_first(k) = (k - 1) * nb_per_row + 1
row_last(k) = k * nb_per_row < nb ? k * nb_per_row : nb
set_key_strip = 'unset border; unset tics; unset grid; unset xlabel; unset ylabel; unset title; set xrange [0:1]; set yrange [0:1]; set key center center horizontal Left reverse noopaque nobox samplen 3 width 2'

# The CPU from the file header, for the footnote (empty if absent).
cpu = system(sprintf("sed -n 's/^# cpu: //p' '%s' | head -n 1", fr))
cpu_note = cpu eq '' ? '' : '     CPU: '.esc(cpu)

# A count with a decimal prefix, as in GB/s: si(4000, 'B') = "4 kB".
si(v, u) = dec(v < 1e3 ? sprintf('%.3g %s', v, u) : v < 1e6 ? sprintf('%.3g k%s', v / 1e3, u) \
         : v < 1e9 ? sprintf('%.3g M%s', v / 1e6, u) : v < 1e12 ? sprintf('%.3g G%s', v / 1e9, u) \
         : sprintf('%.3g T%s', v / 1e12, u))
# v rounded down / up to 1, 2 or 5 times a power of ten: a log axis's ends.
nice_lo(v) = (m = 10**floor(log10(v)), v / m >= 5 ? 5 * m : v / m >= 2 ? 2 * m : m)
nice_hi(v) = (m = 10**floor(log10(v)), v / m <= 1 ? m : v / m <= 2 ? 2 * m : v / m <= 5 ? 5 * m : 10 * m)

# ============================================================================
# bench-bandwidth: the memory-bound kernels against the read bandwidth
# ============================================================================
# Panels: the kernels in this order that have at least one measurement.
all_kernels = 'sum dot gemv copy'
panels = ''
do for [k = 1:words(all_kernels)] {
    kn = word(all_kernels, k)
    c = sum [r = 1:R] ((KER[r] eq kn && measured(RATE[r])) ? 1 : 0)
    if (c > 0) { panels = panels.' '.kn }
}
K = words(panels)

# The read probe from bench-references: rows "read" at 1 and at all threads,
# each as (bytes, GB/s); bytes = rate * seconds, so the panels can place it
# at the element count of the kernel that moves as many bytes.
stats fref using (1) nooutput
RR = int(STATS_records)
array RKIND[RR]; array RTHR[RR]; array RBYTES[RR]; array RRATE[RR]
r = 0
stats fref using (r = r + 1, RKIND[r] = strcol(1), RTHR[r] = $3, \
    RBYTES[r] = $5 * $4 * 1e9, RRATE[r] = $5, 0) nooutput
t_one = 1e9; t_all = 0
do for [r = 1:RR] {
    if (RKIND[r] eq 'read') {
        t_one = RTHR[r] < t_one ? RTHR[r] : t_one
        t_all = RTHR[r] > t_all ? RTHR[r] : t_all
    }
}
n_read = sum [r = 1:RR] (RKIND[r] eq 'read' ? 1 : 0)
# A datablock per thread count, each one line (sorted by `smooth unique`).
set print $READ_ONE
do for [r = 1:RR] { if (RKIND[r] eq 'read' && RTHR[r] == t_one && measured(RRATE[r])) { print RBYTES[r], RRATE[r] } }
set print $READ_ALL
do for [r = 1:RR] { if (RKIND[r] eq 'read' && RTHR[r] == t_all && measured(RRATE[r])) { print RBYTES[r], RRATE[r] } }
unset print
read_curves = n_read == 0 ? 0 : t_all > t_one ? 2 : 1

if (K > 0) {
    # Bytes per element of each panel's kernel, from its largest measured
    # call (rate * seconds): 4 for sum, 8 for dot and copy, about 4 for gemv.
    array BPE[K]
    do for [p = 1:K] {
        kn = word(panels, p); nmax = 0
        do for [r = 1:R] {
            if (KER[r] eq kn && measured(RATE[r]) && NN[r] > nmax) {
                nmax = NN[r]; BPE[p] = RATE[r] * SEC[r] * 1e9 / NN[r]
            }
        }
    }
    # Which panels compare with the read probe: those whose rows name it.
    # A device's rows name its own copy bandwidth instead, drawn dotted in
    # the backend's colour.
    array HASREAD[K]
    do for [p = 1:K] {
        HASREAD[p] = (sum [r = 1:R] ((KER[r] eq word(panels, p) && REFN[r] eq 'read_bw') ? 1 : 0)) > 0
    }
    n_dev = sum [r = 1:R] ((REFN[r] eq 'device_copy' && measured(REFR[r])) ? 1 : 0)
    # No read curves at all (and none in the key) when no panel uses them.
    if ((sum [p = 1:K] HASREAD[p]) == 0) { read_curves = 0 }

    # One x and one y range for all panels, so that they compare at a
    # glance: the element counts of all panels, the rates of the kernels
    # and of the read probe where it is drawn.
    x_lo = 1e300; x_hi = 0; y_lo = 1e300; y_hi = 0
    do for [r = 1:R] {
        if (strstrt(panels.' ', ' '.KER[r].' ') > 0 && measured(RATE[r]) && RATE[r] > 0) {
            x_lo = NN[r] < x_lo ? NN[r] : x_lo; x_hi = NN[r] > x_hi ? NN[r] : x_hi
            y_lo = RATE[r] < y_lo ? RATE[r] : y_lo; y_hi = RATE[r] > y_hi ? RATE[r] : y_hi
            if (REFN[r] eq 'device_copy' && measured(REFR[r]) && REFR[r] > 0) {
                y_lo = REFR[r] < y_lo ? REFR[r] : y_lo; y_hi = REFR[r] > y_hi ? REFR[r] : y_hi
            }
        }
    }
    if (read_curves > 0) {
        do for [r = 1:RR] {
            if (RKIND[r] eq 'read' && measured(RRATE[r]) && RRATE[r] > 0) {
                y_lo = RRATE[r] < y_lo ? RRATE[r] : y_lo; y_hi = RRATE[r] > y_hi ? RRATE[r] : y_hi
            }
        }
    }
    # A quarter decade of room at both ends of x, some above the top curve.
    x_min = x_lo / 10**0.25; x_max = x_hi * 10**0.25
    y_min = nice_lo(y_lo / 1.15); y_max = nice_hi(y_hi * 1.3)

    # Layout: a row of up to three panels, or two rows of two; the title,
    # then the key across the figure, then the panels, then the footnote.
    cols = K <= 3 ? K : 2
    rows = int(ceil(K / real(cols)))
    # The footnote says only what the figure shows: which references were
    # drawn, and why the curve of several threads starts low.
    threads_text = read_curves == 2 ? sprintf(tr('mit %s und mit %s', 'with %s and with %s'), \
                                              thread_word(t_one), thread_word(t_all)) \
                                    : sprintf(tr('mit %s', 'with %s'), thread_word(t_one))
    foot = ''
    if (read_curves > 0) {
        foot = sprintf(tr("Gestrichelt: Lesebandbreite dieser Maschine (eine Schleife, die nur lädt) über gleich viele Bytes, %s.\n", \
                          "Dashed: this machine's read bandwidth (a loop that only loads) over as many bytes, %s.\n"), threads_text)
    }
    if (n_dev > 0) {
        foot = foot.tr("Gepunktet in der Farbe eines Backends: die Kopierbandbreite seines Geräts, mit der es verglichen wird.\n", \
                       "Dotted in a backend's colour: the copy bandwidth of its device, which it is compared with.\n")
    }
    foot = foot.tr('Je Messung: Median abwechselnder Runden mit der Referenz. Stufen: Cache-Ebenen; Hauptspeicher erst jenseits der letzten (sweep=full: bis 10^8).', \
                   'Each measurement: the median of rounds alternating with the reference. Steps: cache levels; main memory only beyond the last (sweep=full: up to 10^8).').cpu_note
    n_fault_bw = sum [r = 1:R] ((strstrt(panels.' ', ' '.KER[r].' ') > 0 && FAULT[r]) ? 1 : 0)
    if (n_fault_bw > 0) { foot = foot.fault_foot }
    # The sentence on starting threads only where the data show it: at the
    # smallest size, all threads read at less than half the rate of one.
    n_small = 1e300
    do for [r = 1:RR] { if (RKIND[r] eq 'read' && RBYTES[r] < n_small) { n_small = RBYTES[r] } }
    rate_at(t) = sum [r = 1:RR] ((RKIND[r] eq 'read' && RBYTES[r] == n_small && RTHR[r] == t && measured(RRATE[r])) ? RRATE[r] : 0)
    if (read_curves == 2 && rate_at(t_all) < 0.5 * rate_at(t_one)) {
        foot = foot.tr("\nBei kleinen n kostet der Start mehrerer Threads mehr, als sie beim Lesen gewinnen.", \
                       "\nAt small n, starting several threads costs more than they gain in reading.")
    }
    # Lines of the footnote: count the line breaks.
    foot_lines = 1
    do for [c = 1:strlen(foot)] { if (foot[c:c] eq "\n") { foot_lines = foot_lines + 1 } }
    foot_y = 0.03 + 0.024 * (foot_lines - 1)

    key_rows = nb_rows + (read_curves > 0 || n_dev > 0 || n_fault_bw > 0 ? 1 : 0)
    L = 0.075; Rt = 0.985; B = foot_y + 0.13; T = key_top - key_rows * key_h - 0.067
    gx = 0.065; gy = 0.15
    pw = (Rt - L - (cols - 1) * gx) / cols
    ph = (T - B - (rows - 1) * gy) / rows

    kernel_title(s) = \
        s eq 'sum'  ? 'sum:  s = Σ x_i' : \
        s eq 'dot'  ? 'dot:  s = Σ x_i y_i' : \
        s eq 'gemv' ? tr('gemv:  y = A x   {/*0.8 (n: Elemente von A)}', 'gemv:  y = A x   {/*0.8 (n: elements of A)}') : \
        s eq 'copy' ? tr('copy:  y = x   {/*0.8 (Lesen + Schreiben)}', 'copy:  y = x   {/*0.8 (read + write)}') : s

    set output fig('bench-bandwidth')
    set multiplot title tr("Durchsatz der Kernel je Backend, gegen die Lesebandbreite dieser Maschine", \
                           "Kernel throughput per backend, against this machine's read bandwidth") font font(1.25)

    # --- the key: backends, then the read probe ----------------------------
    eval set_key_strip
    do for [k = 1:nb_rows] {
        eval key_row(k)
        plot for [i = row_first(k):row_last(k)] keyentry with linespoints lt i title backend_title(i) noenhanced, \
             blank notitle
    }
    read_title(t) = sprintf(tr('Lesebandbreite, %s', 'read bandwidth, %s'), thread_word(t))
    dev_title = tr('Kopierbandbreite des Geräts', "device's copy bandwidth")
    # Only the entries that apply: an empty iteration would still take a
    # column of the key.
    cmd = 'plot blank notitle'
    if (read_curves >= 1) {
        cmd = cmd.", keyentry with lines lc rgb '#555555' lw 2 dt (8, 5) title read_title(t_one)"
    }
    if (read_curves >= 2) {
        cmd = cmd.", keyentry with lines lc rgb '#999999' lw 2 dt (3, 4) title read_title(t_all)"
    }
    if (n_dev > 0) {
        cmd = cmd.", keyentry with lines lc rgb '#555555' lw 1.5 dt (2, 3) title dev_title"
    }
    if (n_fault_bw > 0) {
        cmd = cmd.", keyentry with points pt 2 ps 2 lw 3 lc rgb c_fault title fault_word"
    }
    if (read_curves > 0 || n_dev > 0 || n_fault_bw > 0) {
        eval key_row(nb_rows + 1)
        eval cmd
    }

    # --- the panels -----------------------------------------------------
    set border 3 back ls 101
    set grid xtics ytics mxtics mytics back ls 100, lc rgb '#EEEEEE' lw 0.6
    set logscale xy 10
    set xrange [x_min : x_max]; set yrange [y_min : y_max]
    set mxtics 10
    set mytics 10
    # y: 1-2-5 ticks, few enough for a small panel.
    set ytics nomirror out scale 0.6 ()
    do for [e = int(floor(log10(y_min))) : int(ceil(log10(y_max)))] {
        do for [m = 1:3] {
            v = (m == 1 ? 1 : m == 2 ? 2 : 5) * 10.0**e
            if (v >= y_min * 0.999 && v <= y_max * 1.001) { set ytics add (dec(sprintf('%g', v)) v) }
        }
    }
    unset key
    set title font font(1.1)
    do for [p = 1:K] {
        kn = word(panels, p)
        c = (p - 1) % cols; rw = (p - 1) / cols
        set lmargin at screen L + c * (pw + gx); set rmargin at screen L + c * (pw + gx) + pw
        set tmargin at screen T - rw * (ph + gy); set bmargin at screen T - rw * (ph + gy) - ph
        set title kernel_title(kn)
        # x: powers of ten, and under each the bytes one call of this
        # kernel moves at that size (the caches hold bytes, not elements).
        set xtics nomirror out scale 0.6 ()
        do for [e = int(ceil(log10(x_min))) : int(floor(log10(x_max)))] {
            set xtics add (sprintf("10^{%d}\n{/*0.8 %s}", e, si(10.0**e * BPE[p], 'B')) 10.0**e)
        }
        if (c == 0) {
            set ylabel tr('Durchsatz (GB/s)', 'Throughput (GB/s)')
        } else {
            unset ylabel
        }
        if (rw == rows - 1) {
            set xlabel tr('Elemente n   {/*0.8 (darunter: Bytes je Aufruf)}', \
                          'Elements n   {/*0.8 (below: bytes per call)}') offset 0, -0.3
        } else {
            unset xlabel
        }
        # Only series with a valid point: gnuplot warns about empty ones.
        # The rows of a kernel are adjacent in a dataset, so the filtered
        # rows of the others only bound the line; `smooth unique` sorts by n.
        cmd = 'plot blank notitle'
        if (HASREAD[p] && read_curves >= 1) {
            cmd = cmd.sprintf(", $READ_ONE using ($1 / BPE[%d]):2 smooth unique with lines lc rgb '#555555' lw 2 dt (8, 5) notitle", p)
        }
        if (HASREAD[p] && read_curves >= 2) {
            cmd = cmd.sprintf(", $READ_ALL using ($1 / BPE[%d]):2 smooth unique with lines lc rgb '#999999' lw 2 dt (3, 4) notitle", p)
        }
        do for [i = 1:nb] {
            nd = sum [r = 1:R] ((BK[r] == i && KER[r] eq kn && REFN[r] eq 'device_copy' && measured(REFR[r])) ? 1 : 0)
            if (nd > 0) {
                cmd = cmd.sprintf(", fr index %d using (strcol(2) eq '%s' && strcol(8) eq 'device_copy' ? $3 : NaN):9 smooth unique with lines lt %d lw 1.5 dt (2, 3) notitle", i - 1, kn, i)
            }
            nv = sum [r = 1:R] ((BK[r] == i && KER[r] eq kn && measured(RATE[r])) ? 1 : 0)
            if (nv > 0) {
                cmd = cmd.sprintf(", fr index %d using (strcol(2) eq '%s' ? $3 : NaN):6 smooth unique with linespoints lt %d notitle", i - 1, kn, i)
            }
            nf = sum [r = 1:R] ((BK[r] == i && KER[r] eq kn && measured(RATE[r]) && FAULT[r]) ? 1 : 0)
            if (nf > 0) {
                cmd = cmd.sprintf(", fr index %d using (strcol(2) eq '%s' && strcol(12) eq '1' ? $3 : NaN):6 with points pt 2 ps 3 lw 3 lc rgb c_fault notitle", i - 1, kn)
            }
        }
        eval cmd
        unset title
    }

    # --- footnote -------------------------------------------------------
    unset logscale xy; unset grid; unset border; unset tics; unset xlabel; unset ylabel
    set lmargin at screen 0; set rmargin at screen 1; set tmargin at screen 1; set bmargin at screen 0
    set xrange [0:1]; set yrange [0:1]
    set label 1 foot at screen 0.015, screen foot_y font font(0.85) tc rgb '#555555'
    plot blank notitle
    unset label 1
    unset multiplot
}

# ============================================================================
# bench-gemm: GFLOP/s per matrix size, against cblas_sgemm called directly
# ============================================================================
reset
load common
fr = datadir.'/bench-results.dat'
nb = n_backends

# Matrix sizes in order of first appearance (the order of gemm_sizes).
G = 0
array GN[R]
do for [r = 1:R] {
    if (KER[r] eq 'gemm') {
        seen = sum [g = 1:(G > 0 ? G : 1)] ((G > 0 && GN[g] == NN[r]) ? 1 : 0)
        if (!seen) { G = G + 1; GN[G] = NN[r] }
    }
}

if (G > 0) {
    group_of(n) = sum [g = 1:G] (GN[g] == n ? g : 0)
    # Bar i of nb in group g (g from 1): narrow enough that all fit in 0.8.
    bw = 0.8 / (nb < 2 ? 2 : nb)   # one backend: a bar of half the group
    bx(g, i) = g - 1 + (i - (nb + 1) / 2.0) * bw

    # y range: the highest bar or reference mark, with room for the labels.
    y_hi = 0
    do for [r = 1:R] {
        if (KER[r] eq 'gemm') {
            if (measured(RATE[r])) { y_hi = RATE[r] > y_hi ? RATE[r] : y_hi }
            if (measured(REFR[r])) { y_hi = REFR[r] > y_hi ? REFR[r] : y_hi }
        }
    }
    y_top = y_hi > 0 ? y_hi * 1.2 : 1

    set output fig('bench-gemm')
    # The title names the reference only where it was measured (a device's
    # gemm has none).
    n_ref = sum [r = 1:R] ((KER[r] eq 'gemm' && measured(REFR[r])) ? 1 : 0)
    set multiplot title 'gemm: C = A B in float32, n × n'.(n_ref == 0 ? '' : \
        tr(' — jedes Backend gegen cblas\_sgemm direkt aufgerufen', \
           ' — each backend against cblas\_sgemm called directly')) font font(1.25)

    # --- the key: backends, then the reference mark --------------------
    eval set_key_strip
    do for [k = 1:nb_rows] {
        eval key_row(k)
        plot for [i = row_first(k):row_last(k)] keyentry with boxes lt i title backend_title(i) noenhanced, \
             blank notitle
    }
    if (n_ref > 0) {
        eval key_row(nb_rows + 1)
        plot keyentry with lines lc rgb '#000000' lw 3 \
                 title tr('cblas\_sgemm direkt aufgerufen, mit den Threads des Backends', \
                          "cblas\\_sgemm called directly, with the backend's threads"), \
             blank notitle
    }

    # --- the bars ---------------------------------------------------------
    unset key
    set border 3 back ls 101
    set ytics nomirror out scale 0.6 textcolor rgb c_text autofreq
    set lmargin at screen 0.085; set rmargin at screen 0.985
    key_rows = nb_rows + (n_ref > 0 ? 1 : 0)
    set tmargin at screen key_top - key_rows * key_h - 0.047; set bmargin at screen 0.17
    set xrange [-0.6 : G - 0.4]
    set yrange [0 : y_top]
    set ylabel tr('GFLOP/s', 'GFLOP/s')
    set xtics scale 0 nomirror ()
    do for [g = 1:G] {
        set xtics add (sprintf(tr("n = %s\n{/*0.8 %s je Aufruf}", "n = %s\n{/*0.8 %s per call}"), \
            thousands(GN[g]), si(2.0 * GN[g]**3, 'FLOP')) g - 1)
    }
    tick_font = font(1.05)
    set xtics font tick_font
    set grid noxtics ytics
    set style fill solid 0.85 border lc rgb '#444444'
    set boxwidth bw * 0.85 absolute

    # Per bar: the ratio over its top (the bar or the reference mark,
    # whichever is higher) and the rate below it; a skipped measurement
    # says so where its bar would be. Set as labels: `with labels` on only
    # undefined points crashes gnuplot 5.4.
    lab_font = font(nb <= 3 ? 1.0 : nb <= 4 ? 0.9 : 0.75)
    skip_text = tr('übersprungen', 'skipped')
    tag = 10
    do for [r = 1:R] {
        if (KER[r] eq 'gemm' && BK[r] > 0) {
            x = bx(group_of(NN[r]), BK[r])
            if (measured(RATE[r]) && FAULT[r]) {
                top = measured(REFR[r]) && REFR[r] > RATE[r] ? REFR[r] : RATE[r]
                set label tag sprintf("{/:Bold ✗}\n{/*0.85 %s}", fault_word) at first x, first top center offset 0, 1.6 \
                    font bold(nb <= 3 ? 1.0 : nb <= 4 ? 0.9 : 0.75) tc rgb c_fault
            } else { if (measured(RATE[r])) {
                top = measured(REFR[r]) && REFR[r] > RATE[r] ? REFR[r] : RATE[r]
                txt = measured(RATIO[r]) ? sprintf("{/:Bold %s×}\n{/*0.85 %s}", dec(sprintf('%.2f', RATIO[r])), dec(sprintf('%.3g', RATE[r]))) \
                                      : dec(sprintf('%.3g', RATE[r]))
                set label tag txt at first x, first top center offset 0, 1.6 font lab_font tc rgb c_text
            } else {
                why = strstrt(NOTE[r], 'max_call') > 0 ? tr(' (Aufruf > max\_call)', ' (call > max\_call)') : ''
                set label tag skip_text.why at first x, first 0 left rotate by 90 offset 0, 0.5 \
                    font font(0.85) tc rgb '#777777'
            }}
            tag = tag + 1
        }
    }

    # Footnote: the mark and the ratio only where some reference was measured.
    if (n_ref > 0) {
        foot = tr("Balken: Durchsatz des Backends (2n³ FLOP je Aufruf, Median der Runden). Schwarzer Strich: cblas\\_sgemm direkt aufgerufen, mit der Thread-Zahl des Backends,\nin Runden abwechselnd mit ihm gemessen. Fette Zahl: Backend / cblas\\_sgemm; darunter GFLOP/s.", \
                  "Bars: the backend's throughput (2n³ FLOP per call, median of the rounds). Black mark: cblas\\_sgemm called directly with the backend's thread count,\ntimed in rounds alternating with it. Bold number: backend / cblas\\_sgemm; below it GFLOP/s.")
    } else {
        foot = tr("Balken: Durchsatz des Backends (2n³ FLOP je Aufruf, bester Aufruf); Zahl: GFLOP/s.", \
                  "Bars: the backend's throughput (2n³ FLOP per call, best call); number: GFLOP/s.")
    }
    n_fault_gemm = sum [r = 1:R] ((KER[r] eq 'gemm' && FAULT[r]) ? 1 : 0)
    if (n_fault_gemm > 0) {
        set label 2 fault_foot[2:] at screen 0.015, screen 0.022 font font(0.85) tc rgb c_fault
    }
    set label 1 foot.cpu_note at screen 0.015, screen 0.06 font font(0.85) tc rgb '#555555'
    # Only series with a valid point: gnuplot warns about empty ones.
    cmd = 'plot blank notitle'
    do for [i = 1:nb] {
        nv = sum [r = 1:R] ((BK[r] == i && KER[r] eq 'gemm' && measured(RATE[r])) ? 1 : 0)
        if (nv > 0) {
            cmd = cmd.sprintf(", fr index %d using (strcol(2) eq 'gemm' && strcol(12) ne '1' ? bx(group_of($3), %d) : NaN):6 with boxes lt %d notitle", i - 1, i, i)
        }
        nf = sum [r = 1:R] ((BK[r] == i && KER[r] eq 'gemm' && measured(RATE[r]) && FAULT[r]) ? 1 : 0)
        if (nf > 0) {
            cmd = cmd.sprintf(", fr index %d using (strcol(2) eq 'gemm' && strcol(12) eq '1' ? bx(group_of($3), %d) : NaN):6 with boxes fs pattern fault_pattern border lc rgb c_fault lw 2 lc rgb c_fault notitle", i - 1, i)
        }
    }
    # The reference mark over the bar's width (also where the bar itself
    # was skipped, if its reference was measured).
    do for [i = 1:nb] {
        nr = sum [r = 1:R] ((BK[r] == i && KER[r] eq 'gemm' && measured(REFR[r])) ? 1 : 0)
        if (nr > 0) {
            cmd = cmd.sprintf(", fr index %d using (strcol(2) eq 'gemm' ? bx(group_of($3), %d) - bw * 0.46 : NaN):9:(bw * 0.92):(0) with vectors nohead lc rgb '#000000' lw 3 notitle", i - 1, i)
        }
    }
    eval cmd
    unset multiplot
}
