# a4-backends.gp — figure A4, second image: every backend's tiled sum
# against the model tree and against the exact sum, for each num_ctx the
# trees of a4-trees are drawn for.
#
# Data: a4-backends.dat (one dataset per backend, one row per diagram_ctx:
# num_ctx tile tiles rest tree bits model ulps_model sequential ulps_seq
# exact ulps_exact fault; ulps_* = tree − model/sequential/exact; fault =
# 1: beyond the error bound of every correct order).
# Image a4-backends: a table, one row per backend, for each num_ctx two
# columns: the backend's sum minus the model's (green "=" where the bits
# are the same, vermillion otherwise) and minus the exact sum; a backend
# fault is written as one in red, never as ULPs.
load common

fb = datadir.'/a4-backends.dat'
nb = n_backends
stats fb index 0 using 1 nooutput
D = int(STATS_records)
array NCTX[D]; array NT[D]; array TILE[D]
stats fb index 0 using (r = int($0) + 1, NCTX[r] = int($1), TILE[r] = int($2), NT[r] = int($3), 0) nooutput
array BM[nb * D]; array BE[nb * D]; array BF[nb * D]
do for [b = 1:nb] {
    stats fb index b - 1 using (r = int($0) + 1, BM[(b - 1) * D + r] = $8, \
        BE[(b - 1) * D + r] = $12, BF[(b - 1) * D + r] = (strcol(13) eq '1'), 0) nooutput
}

set output fig('a4-backends')
unset border; unset tics; unset grid; unset key
set xrange [0:1]; set yrange [0:1]
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set label 1 tr('Jedes Backend summiert dieselben Kacheln: Abstand zum Modellbaum und zum exakten Wert', \
               'Every backend sums the same tiles: distance from the model tree and from the exact sum') \
    at screen 0.5, 0.93 center font font(1.3)
set label 2 tr('in ULPs; „=“: dieselben Bits wie das Modell (jede Kachel von links nach rechts, die Reihenfolge des naive-Backends)', \
               'in ULPs; “=”: the same bits as the model (every tile left to right, the naive backend'."'".'s order)') \
    at screen 0.5, 0.87 center font font(0.95) tc rgb c_text
# Rows: as tall as fit, at most 0.075; the columns after the names.
row_h = 0.66 / (nb + 1); row_h = row_h > 0.075 ? 0.075 : row_h
k = row_h * 720 / 30.0; k = k > 1.15 ? 1.15 : k < 0.85 ? 0.85 : k
f_cell = font(k); f_head = bold(k); f_sub = font(0.9 * k)
x_name = 0.05; x_first = 0.40
col_w = (0.95 - x_first) / D
y0 = 0.76
do for [d = 1:D] {
    xc = x_first + (d - 0.5) * col_w
    set label (10 + d) sprintf('num\_ctx = %d', NCTX[d]) at screen xc, y0 + 0.02 center font f_head
    set label (20 + d) sprintf(tr('%d Kacheln à %d', '%d tiles of %d'), NT[d], TILE[d]) at screen xc, y0 - 0.025 center font f_sub tc rgb c_text
    set label (30 + d) tr('− Modell', '− model') at screen xc - col_w * 0.2, y0 - row_h center font f_sub tc rgb c_text
    set label (40 + d) tr('− exakt', '− exact') at screen xc + col_w * 0.2, y0 - row_h center font f_sub tc rgb c_text
}
set label 5 tr('Backend', 'backend') at screen x_name, y0 - row_h left font f_head
set arrow 1 from screen x_name, y0 - 1.5 * row_h to screen 0.95, y0 - 1.5 * row_h nohead lc rgb '#999999' lw 1
do for [b = 1:nb] {
    y = y0 - (b + 1) * row_h
    bad = 0
    do for [d = 1:D] { bad = bad + BF[(b - 1) * D + d] }
    set label (100 + b) word(backends, b) at screen x_name, y left font f_cell noenhanced tc rgb (bad ? c_fault : c_text)
    do for [d = 1:D] {
        i = (b - 1) * D + d
        xc = x_first + (d - 0.5) * col_w
        if (BF[i]) {
            set label (200 + i) '✗ '.fault_word at screen xc, y center font bold(0.9 * k) tc rgb c_fault
        } else {
            set label (200 + i) (BM[i] == 0 ? '=' : signed(BM[i])) at screen xc - col_w * 0.2, y center font f_cell \
                tc rgb (BM[i] == 0 ? c_good : c_bad)
            set label (400 + i) signed(BE[i]) at screen xc + col_w * 0.2, y center font f_cell tc rgb c_text
        }
    }
    if (b % 2 == 0) {
        set object b rect from screen x_name - 0.01, y - row_h / 2 to screen 0.96, y + row_h / 2 behind fc rgb '#F3F3F3' fs solid 1.0 noborder
    }
}
n_fault = 0
do for [i = 1:nb * D] { n_fault = n_fault + BF[i] }
if (n_fault > 0) {
    set label 3 '✗ '.fault_note at screen 0.5, 0.04 center font font(0.85) tc rgb c_fault
}
plot NaN
set output
