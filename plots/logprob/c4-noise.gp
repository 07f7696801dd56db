# c4-noise.gp — figure C4: can float noise change the next word? The noise
# each job puts on the logits against the top-1/top-2 gap it would have to
# bridge, and which cases make noise at all.
#
# Data: c4-scatter.dat (one dataset per job, one row per position of the
# evaluation set: sequence position gap noise self_noise flip — gap the
# host's top-1 minus top-2 logit, noise the largest |logit − host logit|
# over the job's cases, 0 where every case is bit-identical to the host,
# flip 1 where some case's most likely word differs from the host's),
# c4-cases.dat (one dataset per job, one row per case: case kind size
# reference positions differing max_abs_delta flips flip_gap … — "backend":
# the job alone against the host, "batch=B" and "pad=P": in batches of B,
# or with P <EOS> appended, against the job alone), c4-jobs.dat (every
# pair of jobs: a b job_a job_b identical …), thresholds.dat (stable_gap
# unstable_gap).
# Image c4-noise: every position of every job as a point in the job's colour, gap
#          (x) against noise (y), both logarithmic; the diagonal noise =
#          gap, above it (shaded) the noise could flip the argmax; dashed
#          lines at the unstable and stable gaps (class colours as in C1
#          and C2); positions whose argmax flipped circled in black; noise
#          exactly 0 (bit-identical) on a floor line at the bottom. Jobs
#          whose points coincide with an earlier job's (bit-identical
#          logits, batch-invariant both) are named. The title counts the
#          flips and gives the smallest gap/noise ratio. At the right
#          the key: each job's colour, name and largest noise.
# Image c4-cases: the cases as a table, one row per job (its name and
#          point in its colour), one column per case:
#          "=" on green where no bit changed, else the largest |Δ logit| on
#          orange and how many positions changed; a black frame where a
#          case flipped an argmax.
load common

fs = datadir.'/c4-scatter.dat'
fc = datadir.'/c4-cases.dat'
fj = datadir.'/c4-jobs.dat'
nb = n_backends
stats datadir.'/thresholds.dat' using (stable_gap = $1, unstable_gap = $2, 0) nooutput
cls_rgb(c) = c eq 'stable' ? 0x009E73 : c eq 'unstable' ? 0xD55E00 : 0xE69F00
c_flip = 0x000000    # a flipped argmax (red is a job's colour here)

# --- the numbers --------------------------------------------------------------
# Per job: positions with noise > 0, flips; over all jobs: the range of the
# gaps and of the noise above 0, the smallest gap/noise ratio. (A stats
# over only undefined values warns: the filtered ones run only where a
# count says that there are values; and each reads one column, as a stats
# of two columns warns about a fit when it has a single point.)
array NZ[nb]; array FLIPS[nb]; array NMAX[nb]
n_nz = 0; n_flips = 0
gap_lo = 1e300; gap_hi = 0; noise_lo = 1e300; ratio = 1e300
do for [b = 1:nb] {
    stats fs index b - 1 using 3 nooutput
    n_pos = int(STATS_records)
    gap_hi = STATS_max > gap_hi ? STATS_max : gap_hi
    stats fs index b - 1 using ($3 > 0 ? $3 : 1e300) nooutput   # a log axis has no 0
    gap_lo = STATS_min < gap_lo ? STATS_min : gap_lo
    stats fs index b - 1 using ($4 > 0 ? 1 : 0) nooutput
    NZ[b] = int(STATS_sum)
    stats fs index b - 1 using 6 nooutput
    FLIPS[b] = int(STATS_sum)
    n_nz = n_nz + NZ[b]; n_flips = n_flips + FLIPS[b]
    NMAX[b] = 0
    if (NZ[b] > 0) {
        stats fs index b - 1 using ($4 > 0 ? $4 : NaN) nooutput
        noise_lo = STATS_min < noise_lo ? STATS_min : noise_lo
        NMAX[b] = STATS_max
        stats fs index b - 1 using ($4 > 0 ? $3 / $4 : NaN) nooutput
        ratio = STATS_min < ratio ? STATS_min : ratio
    }
}
# The cases, and which jobs are batch- and padding-invariant (every case
# but "backend" bit-identical).
stats fc index 0 using 7 nooutput
NC = int(STATS_records)
array CASE[NC]; array CKIND[NC]; array CSIZE[NC]
stats fc index 0 using (i = int($0) + 1, CASE[i] = strcol(1), CKIND[i] = strcol(2), CSIZE[i] = int($3), 0) nooutput
# The range of the deltas above 0 (they set the table's unit).
array INV[nb]
d_lo = 1e300; d_hi = 0
do for [b = 1:nb] {
    stats fc index b - 1 using (strcol(2) ne 'backend' && $7 > 0 ? 1 : 0) nooutput
    INV[b] = STATS_sum == 0
    stats fc index b - 1 using ($7 > 0 ? 1 : 0) nooutput
    if (STATS_sum > 0) {
        stats fc index b - 1 using ($7 > 0 ? $7 : NaN) nooutput
        d_lo = STATS_min < d_lo ? STATS_min : d_lo
        d_hi = STATS_max > d_hi ? STATS_max : d_hi
    }
}
# Jobs whose points are those of an earlier job: the same logits alone
# (c4-jobs) and both invariant, so every case gives the same noise.
array SAME[nb]
do for [b = 1:nb] { SAME[b] = 0 }
stats fj using (strlen(strcol(3)) > 0 ? 1 : 0) nooutput
if (STATS_sum > 0) {
    stats fj using (a = int($1) + 1, b = int($2) + 1, \
        ($5 == 1 && INV[a] && INV[b] && SAME[b] == 0) ? SAME[b] = a : 0, 0) nooutput
}
same_text = ''
do for [b = 1:nb] {
    if (SAME[b] > 0) {
        same_text = same_text.sprintf(tr("%s: dieselben Punkte wie %s\n", "%s: the same points as %s\n"), \
                                      word(backends, b), word(backends, SAME[b]))
    }
}

ratio_fmt(r) = r >= 10 ? thousands(floor(r)) : dec(sprintf('%.2g', r))
ratio_text = n_nz == 0 ? tr('Rauschen überall 0', 'noise 0 everywhere') \
           : sprintf(tr('Abstand überall ≥ %s × Rauschen', 'gap ≥ %s × noise everywhere'), ratio_fmt(ratio))
flip_text = n_flips == 0 ? tr('kein Wort gekippt', 'no word flipped') \
          : n_flips == 1 ? tr('1 Wort gekippt', '1 word flipped') \
          : sprintf(tr('%d Wörter gekippt', '%d words flipped'), n_flips)

# The jobs that get a panel: those with noise whose points are their own
# (a job bit-identical to the host, or with an earlier job's points, is
# named below the panels instead).
array PANEL[nb]
n_panels = 0
do for [b = 1:nb] {
    if (NZ[b] > 0 && SAME[b] == 0) { n_panels = n_panels + 1; PANEL[n_panels] = b }
}
all_zero = n_panels == 0
if (all_zero) { n_panels = 1; PANEL[1] = 1 }   # all 0: one panel shows the floor
zero_jobs = ''; same_jobs = ''
do for [b = 1:nb] {
    if (NZ[b] == 0 && !(all_zero && b == 1)) { zero_jobs = zero_jobs.(strlen(zero_jobs) ? ', ' : '').word(backends, b) }
    if (SAME[b] > 0) {
        same_jobs = same_jobs.(strlen(same_jobs) ? '; ' : '') \
            .sprintf(tr('%s wie %s', '%s as %s'), word(backends, b), word(backends, SAME[b]))
    }
}
# The dashed thresholds are C1's classes.
foot = unstable_gap > 0 \
     ? sprintf(tr('gestrichelt: instabil unter Abstand %s, stabil über %s (wie C1)', 'dashed: unstable below gap %s, stable above %s (as in C1)'), \
               dec(sprintf('%g', unstable_gap)), dec(sprintf('%g', stable_gap))) \
     : sprintf(tr('gestrichelt: stabil über Abstand %s (wie C1)', 'dashed: stable above gap %s (as in C1)'), dec(sprintf('%g', stable_gap)))
if (strlen(zero_jobs) > 0) { foot = foot."\n".sprintf(tr('Rauschen 0, bitgleich zum Host: %s', 'noise 0, bitwise the host: %s'), zero_jobs) }
if (strlen(same_jobs) > 0) {
    foot = foot.(strlen(foot) ? "\n" : '').sprintf(tr('dieselben Punkte: %s', 'the same points: %s'), same_jobs)
}

set output fig('c4-noise')
set multiplot title sprintf(tr("Kann Float-Rauschen das nächste Wort ändern? %s, %s\n{/*0.75 %s Positionen je Job; Rauschen: größte Abweichung eines Logits vom Host über alle Fälle des Jobs (allein, in Batches, mit Padding)}", \
                               "Can float noise change the next word? %s, %s\n{/*0.75 %s positions per job; noise: the largest deviation of a logit from the host over the job's cases (alone, in batches, padded)}"), \
                            flip_text, ratio_text, thousands(n_pos)) font font(1.2)

# --- one panel per job: noise against gap -------------------------------------------------
# Small multiples on shared axes, up to four in a row, so that no job's
# points hide another's. Whole decades: x from a decade below the smallest
# noise (or far below the smallest gap when there is none) to a decade
# above the largest gap, so that the diagonal crosses the plot; y one
# decade lower still, for the floor line of noise 0.
lo = n_nz > 0 ? 10 ** floor(log10(noise_lo) - 1) : 10 ** (floor(log10(gap_lo)) - 4)
hi = 10 ** ceil(log10(gap_hi))
y_floor = lo / 5
per_row = n_panels <= 4 ? n_panels : int(ceil(n_panels / 2.0))
n_rows = n_panels <= 4 ? 1 : 2
area_l = 0.1; area_r = 0.98; area_t = 0.8; foot_lines = 1 + (strlen(zero_jobs) > 0) + (strlen(same_jobs) > 0)
area_b = 0.14 + 0.035 * foot_lines
gap_x = 0.025; gap_y = 0.1
pw = (area_r - area_l - (per_row - 1) * gap_x) / per_row
ph = (area_t - area_b - (n_rows - 1) * gap_y) / n_rows
decades_x = log10(hi) - log10(lo)
xstep = pw * 1280 / decades_x < 45 ? (pw * 1280 / decades_x < 25 ? 1000 : 100) : 10
set logscale xy
set xrange [lo : hi]
set yrange [lo / 10 : hi]
set format x '10^{%T}'
set format y '10^{%T}'
f_tics = font(n_panels == 1 ? 0.95 : 0.85)
set xtics lo, xstep, hi font f_tics
ystep = ph * 720 / (log10(hi) - log10(lo / 10)) < 30 ? 100 : 10
set ytics font f_tics
set grid xtics ytics back ls 100
unset key
unset xlabel; unset ylabel
set samples 2
k_lab = n_panels == 1 ? 1.0 : 0.9
# The shared axis titles, and the jobs without a panel below.
set label 90 tr('Logit-Abstand Platz 1–2 auf dem Host', 'logit gap rank 1–2 on the host') \
    at screen (area_l + area_r) / 2, screen area_b - (n_rows == 1 ? 0.075 : 0.07) center font font(1.0) tc rgb c_text
set label 91 tr('Rauschen: größte |Δ Logit|', 'noise: largest |Δ logit|') \
    at screen 0.02, screen (area_t + area_b) / 2 center rotate by 90 font font(1.0) tc rgb c_text
set label 92 foot at screen area_l, screen 0.03 + 0.035 * (foot_lines - 1) left font font(0.9) tc rgb '#555555' noenhanced front
sci(x) = dec(sprintf('%.1f', x / 10**floor(log10(x)))).'·10^{'.minus(sprintf('%d', floor(log10(x)))).'}'
do for [k = 1:n_panels] {
    b = PANEL[k]
    row = int((k - 1) / per_row); col = (k - 1) % per_row
    pl = area_l + col * (pw + gap_x); pt_ = area_t - row * (ph + gap_y)
    set lmargin at screen pl; set rmargin at screen pl + pw
    set tmargin at screen pt_; set bmargin at screen pt_ - ph
    # The tick labels of y only left of a row; the floor's '0' with them.
    if (col > 0) { set format y ''; set ytics lo, ystep, hi } else { set format y '10^{%T}'; set ytics lo, ystep, hi; set ytics add ('0' y_floor) }
    # The job: its colour, name and largest noise above the panel.
    set label 1 sprintf("%s  {/*0.85 %s}", esc(word(backends, b)), \
        NZ[b] == 0 ? tr('Rauschen 0', 'noise 0') : sprintf(tr('Rauschen bis %s', 'noise up to %s'), sci(NMAX[b]))) \
        at graph 0.02, graph 1.06 left point pt 7 ps 1.3 lt b offset 1.2, 0 font font(k_lab) tc rgb c_text
    # The region above the diagonal, the thresholds, the floor of 0.
    if (k == 1) {
        set label 2 tr("Rauschen > Abstand:\ndas argmax kann kippen", "noise > gap:\nthe argmax may flip") \
            at graph 0.04, graph 0.92 left font font(k_lab) tc rgb c_bad front
        set label 6 tr('0: bitgleich', '0: bitwise equal') at graph 0.02, first y_floor \
            left offset 0, 0.75 font font(0.85) tc rgb '#555555'
    } else { unset label 2; unset label 6 }
    if (unstable_gap > 0) {
        set arrow 1 from first unstable_gap, graph 0 to first unstable_gap, graph 1 nohead dt 2 lw 1.5 lc rgb cls_rgb('unstable') back
        set label 3 dec(sprintf('%g', unstable_gap)) at first unstable_gap, graph 1 right offset -0.3, -0.8 font font(0.85) tc rgb cls_rgb('unstable')
    }
    set arrow 2 from first stable_gap, graph 0 to first stable_gap, graph 1 nohead dt 2 lw 1.5 lc rgb cls_rgb('stable') back
    set label 4 dec(sprintf('%g', stable_gap)) at first stable_gap, graph 1 left offset 0.3, -0.8 font font(0.85) tc rgb cls_rgb('stable')
    set arrow 3 from graph 0, first y_floor to graph 1, first y_floor nohead lw 1 lc rgb '#999999' back
    plot '+' using 1:1:(hi) with filledcurves fc rgb c_bad fs transparent solid 0.12 noborder, \
         '+' using 1:1 with lines lw 1.5 lc rgb c_bad, \
         fs index b - 1 using 3:($4 > 0 ? $4 : y_floor) with points pt 7 ps 0.8 lt b, \
         fs index b - 1 using 3:($6 > 0 ? ($4 > 0 ? $4 : y_floor) : NaN) with points pt 6 ps 3 lw 2.5 lc rgb c_flip
}
unset label; unset arrow
unset logscale xy
set format y '%g'
unset multiplot
set output

# --- c4-cases: the cases, job by job ------------------------------------------------------------
# Each job's name left of its row, with its point of c4-noise; a long
# name is split after its last ':' into two lines. Rows at most 0.09
# high: few jobs leave room below the table.
set output fig('c4-cases')
e10(x) = floor(log10(x) + 1e-9)
one_unit = d_hi > 0 && e10(d_lo) == e10(d_hi)
unit = d_hi > 0 ? e10(d_hi) : 0
pow10(e) = '10^{'.minus(sprintf('%d', e)).'}'
set multiplot title sprintf(tr("Welcher Fall macht Float-Rauschen? Größte |Δ Logit| je Job und Fall%s\n{/*0.75 Backend gegen Host; Batch und Padding gegen denselben Job allein; %s Positionen je Job}", \
                               "Which case makes float noise? The largest |Δ logit| per job and case%s\n{/*0.75 backend against host; batch and padding against the same job alone; %s positions per job}"), \
                            one_unit ? ' in '.pow10(unit) : '', thousands(n_pos)) font font(1.2)
t_l = 0.02; t_x = 0.27; t_r = 0.985; t_t = 0.74
t_b = t_t - (nb * 0.09 < 0.52 ? nb * 0.09 : 0.52)
set lmargin at screen t_x; set rmargin at screen t_r
set tmargin at screen t_t; set bmargin at screen t_b
set xrange [-0.5 : NC - 0.5]
set yrange [nb + 0.5 : 0.5]
unset tics; unset border; unset grid; unset xlabel; unset ylabel
# The cell's text: "=" or the delta and the positions that differ. Where
# every delta has the same power of ten it goes into the heading and the
# cells hold the mantissa alone.
e10(x) = floor(log10(x) + 1e-9)
one_unit = d_hi > 0 && e10(d_lo) == e10(d_hi)
unit = d_hi > 0 ? e10(d_hi) : 0
pow10(e) = '10^{'.minus(sprintf('%d', e)).'}'
delta_num(d) = one_unit ? dec(sprintf('%.1f', d / 10 ** unit)) : dec(sprintf('%.1f', d / 10 ** e10(d))).'·'.pow10(e10(d))
delta_text(d, n) = d > 0 ? sprintf("%s\n{/*0.9 %s×}", delta_num(d), thousands(n)) : '{/*1.6 =}'
last_colon(t, i) = i < 1 ? 0 : t[i:i] eq ':' ? i : last_colon(t, i - 1)
wrap_at(t) = strlen(t) > 16 ? last_colon(t, strlen(t) - 1) : 0
job_name(t) = wrap_at(t) > 1 ? t[1:wrap_at(t)]."\n".t[wrap_at(t) + 1:] : t
k_cell = (nb <= 6 ? 0.85 : 0.75) * (one_unit ? 1.25 : 1)
k_name = nb <= 6 ? 1.0 : 0.9
f_cell = font(k_cell)
do for [b = 1:nb] {
    set label b job_name(word(backends, b)) at screen t_l + 0.012, first b left point pt 7 ps 1.2 lt b offset 0.8, 0 \
        font font(k_name) tc rgb c_text noenhanced
}
# Column headers; a line between the kinds of case.
case_head(c) = CKIND[c] eq 'backend' ? tr("Backend\nvs. Host", "backend\nvs host") \
             : CKIND[c] eq 'batch' ? sprintf("Batch\n%d", CSIZE[c]) \
             : CKIND[c] eq 'pad' ? sprintf("Pad\n+%d", CSIZE[c]) : CASE[c]
do for [c = 1:NC] {
    set label 100 + c case_head(c) at first c - 1, graph 1 center offset 0, 1.5 font font(0.95) tc rgb c_text noenhanced
    if (c > 1 && CKIND[c] ne CKIND[c - 1]) {
        set arrow c from first c - 1.5, graph 0 to first c - 1.5, graph 1.13 nohead lw 1.5 lc rgb '#888888' front
    }
}
cell_rgb(d) = d > 0 ? 0xF6CDB8 : 0xBFE6D5
set style fill solid 1.0 noborder
plot for [b = 1:nb] fc index b - 1 using 0:(b):($0 - 0.47):($0 + 0.47):(b - 0.45):(b + 0.45):(cell_rgb($7)) \
        with boxxyerror lc rgb variable, \
     for [b = 1:nb] fc index b - 1 using 0:(b):(delta_text($7, $6)) with labels font f_cell tc rgb c_text, \
     for [b = 1:nb] fc index b - 1 using ($8 > 0 ? $0 : NaN):(b):($0 - 0.47):($0 + 0.47):(b - 0.45):(b + 0.45) \
        with boxxyerror lc rgb c_flip lw 2.5 fs empty
unset label; unset arrow

# The key to the cells below the table.
set tmargin at screen t_b - 0.03; set bmargin at screen t_b - 0.2
set lmargin at screen t_x; set rmargin at screen t_r
set xrange [0:1]; set yrange [0:1]
set object 1 rect from graph 0, graph 0.72 to graph 0.05, graph 0.92 fc rgb cell_rgb(0) fs solid 1.0 noborder
set label 1 tr('= bitgleich (keine Abweichung)', '= bitwise equal (no deviation)') at graph 0.07, graph 0.82 left font font(0.95) tc rgb c_text
set object 2 rect from graph 0, graph 0.42 to graph 0.05, graph 0.62 fc rgb cell_rgb(1) fs solid 1.0 noborder
set label 2 tr('größte |Δ Logit|; darunter: Positionen mit Abweichung', 'largest |Δ logit|; below: positions that differ') \
    at graph 0.07, graph 0.52 left font font(0.95) tc rgb c_text
set object 3 rect from graph 0, graph 0.12 to graph 0.05, graph 0.32 fs empty border lc rgb c_flip lw 2.5
set label 3 tr('ein nächstes Wort gekippt (c4-noise: eingekreist)', 'a next word flipped (c4-noise: circled)') at graph 0.07, graph 0.22 left font font(0.95) tc rgb c_text
plot blank notitle
unset multiplot
