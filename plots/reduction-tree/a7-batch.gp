# a7-batch.gp — figure A7: batch invariance. One row of A·B computed inside
# batches of M rows, on every job (backend, thread count, mode).
#
# Data: a7-batch.dat (one dataset per job: m differ max_ulps differ_gemv
# max_ulps_gemv — how many of the row's outputs differ bitwise from the
# same job's batch-1 gemm result and from its gemv result, and by how many
# ULPs at most), a7-row.dat (one dataset per job, one line per output:
# its length is the number of outputs), a7-jobs.dat (every ordered pair of
# jobs, one dataset per i: i j a b gemm_differ gemv_differ sum_equal
# dot_equal agree).
# The header's parameters line gives a7_k, row and reduce_n. The last
# columns mark backend faults (beyond the error bound of every correct
# kernel, or, for the sum and the dot product, a kernel that gets the
# exact probe of reduce_n values wrong): a7-batch.dat fault (the row in
# that batch), a7-row.dat
# fault_gemm and fault_gemv, a7-reductions.dat fault (one dataset per job:
# the sum, then the dot product).
# Image a7-batch: one strip over M per job that is not batch-invariant:
#          bars = outputs that differ from batch 1, with the number of M
#          where they do and the largest count and ULP distance; top right
#          of the strip: how many outputs differ between the job's gemm and
#          its gemv (a single row is often computed by gemv, in another
#          order); then one strip for all the batch-invariant jobs together
#          (a thick green line at 0 and their names), so that no flat
#          strip repeats.
# Image a7-pairs: the job-pair matrix: each cell split into the four kernels
#          (batch-1 gemm row, gemv row, the sum and the dot product of
#          a7-reductions), green where the two jobs agree bit for bit,
#          orange where not; the number on the disc is how many of the four
#          agree. One job: a note instead of the matrix.
# A backend fault is red and hatched, never a rounding difference: a
# batch size whose row is faulty, as a hatched bar over the whole strip;
# a kernel of a faulty job, as its hatched quadrant in every cell of the
# job's row and column; a red note under the title names them.
load common

fb = datadir.'/a7-batch.dat'
fr = datadir.'/a7-row.dat'
fj = datadir.'/a7-jobs.dat'
fx = datadir.'/a7-reductions.dat'
nb = n_backends

# --- backend faults, per job and kernel ----------------------------------------
# KF[(b - 1) * 4 + q]: job b's kernel q faulty (1 gemm row at batch 1,
# 2 gemv row, 3 sum, 4 dot); NBF[b]: batch sizes with a faulty row.
array KF[nb * 4]; array NBF[nb]
faulty = ''
kernel_word(q) = q == 1 ? 'gemm' : q == 2 ? 'gemv' : q == 3 ? tr('Summe', 'sum') : tr('Skalarprodukt', 'dot')
do for [b = 1:nb] {
    stats fr index b - 1 using (strcol(7) eq '1' ? 1 : 0) nooutput
    KF[(b - 1) * 4 + 1] = STATS_sum > 0
    stats fr index b - 1 using (strcol(8) eq '1' ? 1 : 0) nooutput
    KF[(b - 1) * 4 + 2] = STATS_sum > 0
    KF[(b - 1) * 4 + 3] = 0; KF[(b - 1) * 4 + 4] = 0
    stats fx index b - 1 using (KF[(b - 1) * 4 + 3 + int($0)] = (strcol(6) eq '1'), 0) nooutput
    stats fb index b - 1 using (strcol(6) eq '1' ? 1 : 0) nooutput
    NBF[b] = int(STATS_sum)
    what = ''
    do for [q = 1:4] { if (KF[(b - 1) * 4 + q]) { what = what.(what eq '' ? '' : ', ').kernel_word(q) } }
    if (NBF[b] > 0) {
        what = what.(what eq '' ? '' : ', ').sprintf(tr('gemm in %d Batches', 'gemm in %d batches'), NBF[b])
    }
    if (what ne '') { faulty = faulty.(faulty eq '' ? '' : '; ').esc(word(backends, b)).' ('.what.')' }
}

# --- per job over M ----------------------------------------------------------
stats fr index 0 using 1 nooutput
n_out = int(STATS_records)
stats fb using 1 nooutput
m_lo = STATS_min; m_hi = STATS_max
array MAXD[nb]; array MAXU[nb]; array NDIFF[nb]; array NM[nb]
array GLO[nb]; array GHI[nb]
do for [b = 1:nb] {
    stats fb index b - 1 using 2 nooutput
    MAXD[b] = int(STATS_max); NM[b] = int(STATS_records)
    stats fb index b - 1 using ($2 > 0 ? 1 : 0) nooutput
    NDIFF[b] = int(STATS_sum)
    stats fb index b - 1 using 3 nooutput
    MAXU[b] = int(STATS_max)
    stats fb index b - 1 using 4 nooutput
    GLO[b] = int(STATS_min); GHI[b] = int(STATS_max)
}
# Job names: a long one (over 24 characters) is split after its last ':'
# into two lines; the longest line sets the size of the names beside the
# strips and the matrix.
last_colon(t, i) = i < 1 ? 0 : t[i:i] eq ':' ? i : last_colon(t, i - 1)
wrap_at(t) = strlen(t) > 24 ? last_colon(t, strlen(t) - 1) : 0
job_name(b) = wrap_at(word(backends, b)) > 1 \
    ? word(backends, b)[1:wrap_at(word(backends, b))]."\n".word(backends, b)[wrap_at(word(backends, b)) + 1:] \
    : word(backends, b)
line_len(b) = wrap_at(word(backends, b)) > 1 \
    ? (wrap_at(word(backends, b)) > strlen(word(backends, b)) - wrap_at(word(backends, b)) \
       ? wrap_at(word(backends, b)) : strlen(word(backends, b)) - wrap_at(word(backends, b))) \
    : strlen(word(backends, b))
name_len = 1
do for [b = 1:nb] { name_len = line_len(b) > name_len ? line_len(b) : name_len }
name_k(w, k_max) = (w / (name_len * 0.0085) < k_max) ? w / (name_len * 0.0085) : k_max

# a7_k and the row's place from the header (numlab writes one parameters
# line per .dat file).
param_line = system(sprintf("grep -m1 '^# parameters:' '%s'", fb))
param(name) = (strstrt(param_line, ' '.name.'=') > 0) \
    ? word(param_line[strstrt(param_line, ' '.name.'=') + strlen(name) + 2:], 1) : '?'
row_pos = param('row')
row_text = row_pos eq 'first' ? tr('erste Zeile des Batches', "the batch's first row") \
         : row_pos eq 'last' ? tr('letzte Zeile des Batches', "the batch's last row") : ''

ulps_word(n) = n == 1 ? 'ULP' : 'ULPs'

set output fig('a7-batch')
set multiplot title sprintf(tr("Batch-Invarianz: dieselbe Zeile x·B, gerechnet in Batches von M Zeilen\n{/*0.8 %s Ausgaben (Spalten von B) der Länge k = %s, beobachtet als %s: wie viele ändern sich gegenüber Batch 1?}", \
                               "Batch invariance: the same row x·B, computed inside batches of M rows\n{/*0.8 %s outputs (columns of B) of length k = %s, observed as %s: how many change against batch 1?}"), \
                            thousands(n_out), param('a7_k'), row_text) font font(1.15)
if (faulty ne '') {
    set label 98 sprintf(tr("✗ Backend-Fehler: %s\n{/*0.9 %s; rot schraffiert}", \
                            "✗ backend fault: %s\n{/*0.9 %s; hatched in red}"), \
                         faulty, fault_why) at screen 0.5, screen 0.893 center font font(0.85) tc rgb c_fault
}

# --- left: one strip per job -------------------------------------------------------
# The job's name left of its strip; above the n_out line a band for the
# strip's verdict (left) and how its gemv compares (right).
# The strips: every job that changes (VAR), then one for all the
# batch-invariant jobs (INV), named together.
# Their names run on in lines of at most inv_wrap characters (the first
# after the verdict's words), so that a long list of jobs stays inside
# the figure.
array VAR[nb]; n_var = 0; inv_names = ''; n_inv = 0; first_inv = 0
inv_wrap = 100; inv_line = 14; inv_lines = 1
strip_name_len = strlen('batch-invariant')
do for [b = 1:nb] {
    if (MAXD[b] > 0 || NBF[b] > 0) {
        n_var = n_var + 1; VAR[n_var] = b
        strip_name_len = line_len(b) > strip_name_len ? line_len(b) : strip_name_len
    } else {
        n_inv = n_inv + 1
        if (n_inv > 1) {
            if (inv_line + 2 + strlen(word(backends, b)) > inv_wrap) {
                inv_names = inv_names.",\n"; inv_line = 0; inv_lines = inv_lines + 1
            } else {
                inv_names = inv_names.', '; inv_line = inv_line + 2
            }
        }
        inv_names = inv_names.esc(word(backends, b)); inv_line = inv_line + strlen(word(backends, b))
        first_inv = first_inv ? first_inv : b
    }
}
strip_k(w, k_max) = (w / (strip_name_len * 0.0085) < k_max) ? w / (strip_name_len * 0.0085) : k_max
ns = n_var + (n_inv > 0 ? 1 : 0)
x_l = 0.2; x_r = 0.97
y_t = 0.80; y_b = 0.12
gap = ns > 6 ? 0.012 : 0.025
strip_h = (y_t - y_b - (ns - 1) * gap) / ns
strip_h = strip_h > 0.22 ? 0.22 : strip_h
# Few strips: the capped strips stand in the middle of the space.
y_t = y_t - (y_t - y_b - ns * strip_h - (ns - 1) * gap) / 2
k_s = strip_h > 0.09 ? 1.0 : strip_h > 0.065 ? 0.9 : 0.8
set lmargin at screen x_l; set rmargin at screen x_r
set yrange [0 : n_out * 1.45]
f_tics = font(0.9)
set ytics nomirror font f_tics
set ytics (sprintf('%d', 0) 0, sprintf('%d', n_out) n_out)
set xtics nomirror font f_tics
# M's step in the data; ticks at every M where there are few, else at
# multiples of 4 or 8.
m_span = m_hi - m_lo
d_step = NM[1] > 1 ? m_span / (NM[1] - 1.0) : 1
m_step = NM[1] <= 16 ? d_step : m_span <= 40 ? 4 : 8
m_first = NM[1] <= 16 ? m_lo : m_step * ceil(m_lo / real(m_step))
set xtics m_first, m_step
set xrange [m_lo - d_step / 2.0 : m_hi + d_step / 2.0]
set grid xtics ytics back ls 100
set border 3 back ls 101
unset key
set boxwidth d_step absolute
set style fill solid 1.0 noborder
few = NM[1] <= 12
# The key above the strips.
set object 90 rect from screen x_l, screen y_t + 0.022 to screen x_l + 0.025, screen y_t + 0.042 \
    fc rgb '#F6CDB8' fs solid 1.0 border lc rgb c_bad
set label 90 sprintf(tr('Ausgaben, deren Bits sich gegenüber Batch 1 ändern (von %s)', \
                        'outputs whose bits change against batch 1 (of %s)'), thousands(n_out)) \
    at screen x_l + 0.032, screen y_t + 0.032 left font font(0.95) tc rgb c_text
do for [si = 1:ns] {
    inv = si > n_var
    b = inv ? 0 : VAR[si]
    s_top = y_t - (si - 1) * (strip_h + gap)
    set tmargin at screen s_top; set bmargin at screen s_top - strip_h
    if (si == ns) {
        set format x '%.0f'
        # M = 1 too, where the ticks step past it.
        if (NM[1] > 16 && m_lo < m_step && floor(m_lo) != 0) { set xtics add (sprintf('%d', m_lo) m_lo) }
        set xlabel tr('Batchgröße M', 'batch size M') font font(1.0) offset 0, 0.4
    } else {
        set format x ''
        unset xlabel
    }
    set label 1 (inv ? tr('batch-invariant', 'batch-invariant') : esc(job_name(b))) \
        at screen x_l - 0.035, screen s_top - strip_h * 0.5 right \
        font bold(strip_k(x_l - 0.05, k_s)) tc rgb (inv ? c_good : c_text)
    if (inv) {
        note = sprintf(tr('{/:Bold 0 für alle M}: %s', '{/:Bold 0 for every M}: %s'), inv_names)
        nc = c_good
    } else { if (NBF[b] > 0) {
        note = sprintf(tr('{/:Bold ✗ %s} bei %d von %d M', '{/:Bold ✗ %s} at %d of %d M'), fault_word, NBF[b], NM[b])
        nc = c_fault
    } else { if (MAXD[b] == 0) {
        note = tr('{/:Bold 0 für alle M}: batch-invariant', '{/:Bold 0 for every M}: batch-invariant')
        nc = c_good
    } else {
        note = sprintf(tr('≠ bei %d von %d M (bis %d, max. %s %s)', \
                          '≠ at %d of %d M (up to %d, max %s %s)'), \
                       NDIFF[b], NM[b], MAXD[b], thousands(MAXU[b]), ulps_word(MAXU[b]))
        nc = c_bad
    }}}
    # a note of several lines (the invariant jobs' names) starts higher,
    # its last line where a one-line note stands
    note_y = n_out * (1.23 + (inv ? 0.11 * (inv_lines - 1) : 0))
    set label 2 note at graph 0.01, first note_y left front font font(k_s * 0.92) tc rgb nc
    gnote = inv ? '' : GHI[b] == 0 ? tr('gemv = gemm', 'gemv = gemm') \
          : GLO[b] == GHI[b] ? sprintf(tr('gemv ≠ gemm: %d', 'gemv ≠ gemm: %d'), GHI[b]) \
          : sprintf(tr('gemv ≠ gemm: %d–%d', 'gemv ≠ gemm: %d–%d'), GLO[b], GHI[b])
    set label 3 gnote at graph 0.99, first n_out * 1.23 right front font font(k_s * 0.85) \
        tc rgb (inv || GHI[b] == 0 ? c_good : '#555555')
    # Bars and their outline: the count per M; a thick green line at 0
    # where the job never differs, so that it is seen.
    if (inv) {
        set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lw 4 lc rgb c_good front
    }
    # A faulty batch size: a red hatched bar over the whole strip. The
    # invariant strip plots its first job's (all zero) behind the line.
    b = inv ? first_inv : b
    plot fb index b - 1 using 1:2 with boxes lc rgb '#F6CDB8' fs solid 1.0 border lc rgb '#F6CDB8', \
         fb index b - 1 using 1:2 with histeps lw 1.5 lc rgb c_bad, \
         fb index b - 1 using 1:(few ? $2 : NaN) with points pt 7 ps (fmt eq 'pdf' ? 0.35 : 0.6) lc rgb c_bad, \
         for [k = 1:(!inv && NBF[b] > 0 ? 1 : 0)] fb index b - 1 using 1:(strcol(6) eq '1' ? n_out * 1.1 : NaN) \
             with boxes fs pattern fault_pattern border lc rgb c_fault lc rgb c_fault
    unset arrow 1
    unset label 1; unset label 2; unset label 3; unset label 90; unset label 98; unset object 90
}
unset xlabel
unset multiplot
set output

# --- a7-pairs: the job-pair matrix ------------------------------------------------
set output fig('a7-pairs')
set multiplot title sprintf(tr("Batch-Invarianz: welche Jobs rechnen bitgleich?\n{/*0.8 dieselbe Zeile bei Batch 1 (gemm, gemv) und Summe und Skalarprodukt über %s Werte}", \
                               "Batch invariance: which jobs compute the same bits?\n{/*0.8 the same row at batch 1 (gemm, gemv), and the sum and dot product over %s values}"), \
                            param('reduce_n') eq '?' ? '?' : thousands(real(param('reduce_n')))) font font(1.15)
unset label; unset arrow; unset object
set grid noxtics noytics
if (nb == 1) {
    set lmargin at screen 0.2; set rmargin at screen 0.8
    set tmargin at screen 0.78; set bmargin at screen 0.3
    unset border; unset tics; unset grid
    set xrange [0:1]; set yrange [0:1]
    set label 1 tr("Bitgleich zwischen Jobs?\n\n{/*0.85 Nur ein Job gelaufen (".esc(word(backends, 1)).")}\n{/*0.85 kein Paar zum Vergleichen}", \
                   "Bitwise equal across jobs?\n\n{/*0.85 Only one job ran (".esc(word(backends, 1)).")}\n{/*0.85 no pair to compare}") \
        at graph 0.5, graph 0.6 center font font(1.0) tc rgb '#555555'
    plot blank notitle
} else {
    # Every pair: its cell and how many kernels agree.
    array PI[nb * nb]; array PJ[nb * nb]; array PAGREE[nb * nb]
    cnt = 0
    stats fj using (cnt = cnt + 1, PI[cnt] = $1, PJ[cnt] = $2, PAGREE[cnt] = $9, 0) nooutput
    # Pairs of different jobs that agree in all four kernels (each once).
    stats fj using ($1 < $2 ? ($9 == 4 ? 1 : 0) : NaN) nooutput
    n_pairs = int(STATS_records); n_all = int(STATS_sum)
    # Square cells: the figure is 16/9 times as wide as high.
    m_h = 0.62
    m_w = m_h * 9 / 16.0
    m_right = 0.62
    m_top = 0.80
    set lmargin at screen m_right - m_w; set rmargin at screen m_right
    set tmargin at screen m_top; set bmargin at screen m_top - m_h
    set xrange [-0.5 : nb - 0.5]
    set yrange [nb - 0.5 : -0.5]
    unset grid
    set border 0
    set xtics scale 0 nomirror () offset 0, 0
    set ytics scale 0 nomirror ()
    names_font = font(name_k(0.27, nb <= 4 ? 1.0 : nb <= 6 ? 0.95 : 0.9))
    set xtics font names_font
    set ytics font names_font
    do for [i = 1:nb] {
        set xtics add (esc(job_name(i)) i - 1)
        set ytics add (esc(job_name(i)) i - 1)
    }
    set xtics rotate by 35 right
    unset xlabel; unset ylabel; unset format
    set format x '%s'
    set label 9 sprintf(tr("%d von %d Paaren\nin allen vier Kerneln gleich", \
                           "%d of %d pairs\nequal in all four kernels"), \
                        n_all, n_pairs) at screen 0.67, screen 0.78 left font bold(1.0) tc rgb c_text
    # Quadrant q of a cell: 1 gemm row (top left), 2 gemv row (top
    # right), 3 sum (bottom left), 4 dot (bottom right).
    qx(q) = (q == 1 || q == 3) ? -0.25 : 0.25
    qy(q) = q <= 2 ? -0.25 : 0.25
    equal_q(q, gemm, gemv, s, d) = q == 1 ? gemm == 0 : q == 2 ? gemv == 0 : q == 3 ? s != 0 : d != 0
    q_rgb(i, j, eq) = i == j ? 0xE4E4E4 : eq ? 0x8FD1B4 : 0xF2A987
    set style fill solid 1.0 border lc rgb 'white'
    # The count on a white disc in the middle of each cell (objects and
    # labels: every terminal draws them).
    k_num = nb <= 4 ? 1.1 : nb <= 6 ? 1.0 : 0.9
    # The disc about two digits wide, in cell units (a cell is m_w / nb).
    r_disc = 0.016 * k_num / (m_w / nb)
    r_disc = r_disc > 0.17 ? 0.17 : r_disc
    do for [c = 1:cnt] {
        if (PI[c] != PJ[c]) {
            set object (100 + c) circle at first PJ[c], first PI[c] size first r_disc front \
                fc rgb 'white' fs solid 1.0 border lc rgb '#888888' lw 1
            set label (100 + c) sprintf('%d', PAGREE[c]) at first PJ[c], first PI[c] center front \
                font font(k_num) tc rgb c_text
        }
    }
    # Quadrant q of cell (i, j) with a faulty kernel in job i or j: white
    # under its red hatching, neither equal nor different.
    q_fault(q, i, j) = KF[int(i) * 4 + q] || KF[int(j) * 4 + q]
    n_kf = 0
    do for [k = 1:nb * 4] { n_kf = n_kf + KF[k] }
    plot for [q = 1:4] fj using ($2 + qx(q)):($1 + qy(q)):($2 + qx(q) - 0.25):($2 + qx(q) + 0.25):($1 + qy(q) - 0.25):($1 + qy(q) + 0.25):(q_fault(q, $1, $2) ? 0xFFFFFF : q_rgb($1, $2, equal_q(q, $5, $6, $7, $8))) \
             with boxxyerror lc rgb variable, \
         for [q = 1:(n_kf > 0 ? 4 : 0)] fj using (q_fault(q, $1, $2) ? $2 + qx(q) : NaN):($1 + qy(q)):($2 + qx(q) - 0.25):($2 + qx(q) + 0.25):($1 + qy(q) - 0.25):($1 + qy(q) + 0.25) \
             with boxxyerror fs pattern fault_pattern border lc rgb c_fault lw 1.5 lc rgb c_fault
    unset object; unset label
    unset title
    # The key: one cell drawn large with its four kernels named (neutral:
    # the colours are explained in the text beside it).
    set lmargin at screen 0.67; set rmargin at screen 0.98
    set tmargin at screen 0.62; set bmargin at screen 0.42
    unset tics; unset border
    set xrange [0 : 1]; set yrange [0 : 1]
    kx = 0.0; kw = 0.22
    set object 1 rect from graph kx, graph 0.5 to graph kx + kw, graph 1 fc rgb '#F4F4F4' fs solid 1.0 border lc rgb '#999999'
    set object 2 rect from graph kx + kw, graph 0.5 to graph kx + 2 * kw, graph 1 fc rgb '#F4F4F4' fs solid 1.0 border lc rgb '#999999'
    set object 3 rect from graph kx, graph 0 to graph kx + kw, graph 0.5 fc rgb '#F4F4F4' fs solid 1.0 border lc rgb '#999999'
    set object 4 rect from graph kx + kw, graph 0 to graph kx + 2 * kw, graph 0.5 fc rgb '#F4F4F4' fs solid 1.0 border lc rgb '#999999'
    set label 1 'gemm' at graph kx + kw / 2, graph 0.75 center font font(0.85) tc rgb c_text
    set label 2 'gemv' at graph kx + 1.5 * kw, graph 0.75 center font font(0.85) tc rgb c_text
    set label 3 tr('Summe', 'sum') at graph kx + kw / 2, graph 0.25 center font font(0.85) tc rgb c_text
    set label 4 tr("Skalar-\nprodukt", 'dot') at graph kx + 1.5 * kw, graph 0.25 center font font(0.85) tc rgb c_text
    reduce_n = param('reduce_n')
    reduce_text = reduce_n eq '?' ? '' : thousands(real(reduce_n))
    set label 5 sprintf(tr("{/:Bold grün}: bitgleich\n{/:Bold orange}: verschieden\ngemm, gemv: die Zeile bei Batch 1\nSumme, Skalarprodukt: %s Werte\nZahl: wie viele der vier gleich sind", \
                           "{/:Bold green}: bitwise equal\n{/:Bold orange}: differs\ngemm, gemv: the row at batch 1\nsum, dot product: of %s values\nnumber: how many of the four agree"), reduce_text) \
        at graph 0.0, graph -0.25 left font font(0.95) tc rgb c_text
    plot blank notitle
}
unset multiplot
