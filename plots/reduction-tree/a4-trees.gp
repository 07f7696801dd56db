# a4-trees.gp — figure A4: the tree of additions of a tiled parallel sum.
#
# Data: a4-nodes.dat (one dataset per diagram_ctx: every node of the tree
# with num_ctx tile level x lo hi count value kind; kind is tile, rest,
# sum or root — a one-tile tree is a single root at level 0), a4-edges.dat
# (num_ctx x_child level_child x_parent level_parent, picked by num_ctx),
# a4-backends.dat (one dataset per backend, one row per diagram_ctx in the
# same order: num_ctx tile tiles rest tree bits model ulps_model sequential
# ulps_seq exact ulps_exact fault; ulps_* = tree − model/sequential/exact;
# fault = 1: the sum lies beyond the error bound of every correct order,
# or the same tiled_sum gets the exact probe of that num_ctx and tile
# wrong).
# "Model" is the tree with every tile summed left to right, the naive
# backend's order; the nodes' values are the model's.
# Image a4-trees: one tree per diagram_ctx, stacked, drawn to one common
# scale (x in tile widths: 2048 values are twice as wide as 1024):
#   bottom row: the tiles, each a box labelled with its element range and
#               its left-to-right sum; a shorter rest tile is orange, and
#               so are the additions it enters,
#   above:      each addition as a node holding its partial sum (level =
#               the pairwise step; the root, the result, on top),
#   beside:     num_ctx, tile and tile count, the root against the
#               sequential and the exact sum (in ULPs), and one line on the
#               backends' tiled_sum against the model (how many equal it,
#               the others' range; each backend in its own row is image
#               a4-backends, a4-backends.gp); a backend fault is counted in
#               red ("✗ Backend-Fehler"), never as ULPs, and a note under
#               the title says what it means.
# Where the nodes are too narrow for their numbers the values are left out
# (the root always keeps its own); range labels are staggered or thinned.
# Trees of few tiles beside one of many get wider tiles, so that their own
# numbers fit.
load common

fn = datadir.'/a4-nodes.dat'
fe = datadir.'/a4-edges.dat'
fb = datadir.'/a4-backends.dat'
nb = n_backends

# --- per diagram: size, depth, rest tile -----------------------------------
stats fn using 1 nooutput
D = int(STATS_blocks)
array NCTX[D]; array TILE[D]; array NT[D]; array LMAX[D]; array NNODES[D]
array REST[D]
do for [d = 1:D] {
    stats fn index d - 1 using 3 nooutput
    LMAX[d] = int(STATS_max)
    NNODES[d] = int(STATS_records)
    stats fn index d - 1 using ($3 == 0 ? 1 : 0) nooutput
    NT[d] = int(STATS_sum)
    REST[d] = 0
    stats fn index d - 1 using (NCTX[d] = $1, TILE[d] = $2, \
        REST[d] = (strcol(9) eq 'rest' ? $7 : REST[d]), 0) nooutput
}
# The model against the sequential and the exact sum; ULP distances are
# differences of ordered integers, so model − seq = (tree − seq) −
# (tree − model) in any backend's row.
array SEQ[D]; array EXACT[D]; array MSEQ[D]; array MEXACT[D]; array MODEL[D]
stats fb index 0 using (r = int($0) + 1, MODEL[r] = strcol(7), SEQ[r] = strcol(9), \
    EXACT[r] = strcol(11), MSEQ[r] = $10 - $8, MEXACT[r] = $12 - $8, 0) nooutput
# Per backend and diagram: tree − model, tree − exact, fault.
array BM[nb * D]; array BE[nb * D]; array BF[nb * D]
do for [b = 1:nb] {
    stats fb index b - 1 using (r = int($0) + 1, BM[(b - 1) * D + r] = $8, \
        BE[(b - 1) * D + r] = $12, BF[(b - 1) * D + r] = (strcol(13) eq '1'), 0) nooutput
}
n_fault = 0
do for [k = 1:nb * D] { n_fault = n_fault + BF[k] }

# --- layout -----------------------------------------------------------------
# All trees share one tile width u (screen fraction); each tree's text
# block stands right of it. The widest tree plus the text block fills the
# figure; u is capped so that a single small tree does not become huge.
Tmax = 1
do for [d = 1:D] { Tmax = NT[d] > Tmax ? NT[d] : Tmax }
x0 = 0.015              # left edge of every tree
text_w = 0.29           # the text block beside a tree
text_gap = 0.02
u = (0.985 - x0 - text_gap - text_w) / Tmax
u = u > 0.11 ? 0.11 : u
# A tree of few tiles next to one of many would be too narrow for its own
# numbers: it gets wider tiles (at least w_min in all, at most 0.11 each).
w_min = 0.3
tile_w(n) = (n * u >= w_min) ? u : (w_min / n > 0.11 ? 0.11 : w_min / n)
# Text: the height of a line of font(k) and the width of n characters of
# it, as screen fractions (the terminals give text the same share).
lh(k) = 0.025 * k
text_frac(n, k) = n * 0.0072 * k
# The text block: caption (2 lines) and the three sums, then the backend
# table — below them, or beside them where the tree leaves room ("wide").
k_cap = 1.1; k_sum = 0.95; k_tab = 0.95
h_sums = lh(k_cap) + lh(k_sum) + 0.01 + 4 * lh(k_sum)
h_table = 2 * lh(k_tab)
text_h(d) = h_sums + 0.012 + h_table
# Heights: levels above the tiles plus about two levels for the tile row
# and its labels; at least the text block.
top = 0.865; bottom = 0.012; panel_gap = 0.035
avail = top - bottom - (D - 1) * panel_gap
wsum = 0
do for [d = 1:D] { wsum = wsum + LMAX[d] + 2.2 }
lev_h = avail / wsum            # one level, screen fraction
lev_h = lev_h > 0.085 ? 0.085 : lev_h
array PH[D]
hsum = 0
do for [d = 1:D] {
    PH[d] = (LMAX[d] + 2.2) * lev_h
    PH[d] = PH[d] < text_h(d) ? text_h(d) : PH[d]
    hsum = hsum + PH[d]
}
# Shrink all panels together if the text blocks made them too tall; a
# panel then too short for its backend table gets a summary line instead.
if (hsum > avail) { do for [d = 1:D] { PH[d] = PH[d] * avail / hsum } }

fmt7(v) = dec(minus(sprintf('%.7g', v)))
# v with as many significant digits (7 at most) as fit in n characters.
fmt_fit(v, n) = fmt_fit_p(v, n, 7)
fmt_fit_p(v, n, p) = (p <= 2 || strlen(sprintf(sprintf('%%.%dg', p), v)) <= n) \
                   ? minus(sprintf(sprintf('%%.%dg', p), v)) : fmt_fit_p(v, n, p - 1)
range_text(lo, hi) = hi - lo == 1 ? sprintf('%d', lo) : sprintf('%d–%d', lo, hi - 1)
ulps_word(n) = abs(n) == 1 ? 'ULP' : 'ULPs'
tiles_word(n) = n == 1 ? tr('Kachel', 'tile') : tr('Kacheln', 'tiles')
ulps_text(n) = signed(n).' '.ulps_word(n)

# Fill colours: full tiles light blue, the rest tile orange, the root.
c_node = '#F2F2F2'
c_root = '#FFE8A3'
tile_rgb(k) = k eq 'rest' ? 0xF7C873 : 0xCFE3F3

set output fig('a4-trees')
set multiplot title tr("Reduktionsbaum einer Kachel-Summe: jede Kachel von links nach rechts, dann die Teilsummen paarweise\n{/*0.75 Kacheln unten (Elementbereich, Summe), darüber jede Addition mit ihrer float32-Teilsumme; Modell = Reihenfolge des naive-Backends}", \
                       "Reduction tree of a tiled sum: each tile left to right, then the partials in pairs\n{/*0.75 tiles at the bottom (element range, sum), above them every addition with its float32 partial sum; model = the naive backend's order}") \
    font font(1.2)
if (n_fault > 0) {
    set label 99 '✗ '.fault_word.tr(' — kein Rundungsfehler: ', ' — no rounding error: ').fault_why \
        at screen 0.5, screen 0.89 center font font(0.85) tc rgb c_fault
}

unset border; unset tics; unset grid; unset key
set style fill solid 1.0 border lc rgb '#555555'

y_top = top
do for [d = 1:D] {
    nt = NT[d]; L = LMAX[d]
    p_top = y_top; p_bot = y_top - PH[d]
    y_top = p_bot - panel_gap
    ud = tile_w(nt)
    tree_w = nt * ud
    # Pixels (as screen fractions) per tile and per level in this panel.
    ylo = -1.25; yhi = L + 0.45
    lev = PH[d] / (yhi - ylo)
    set lmargin at screen x0; set rmargin at screen x0 + tree_w
    set tmargin at screen p_top; set bmargin at screen p_bot
    set xrange [-0.5 : nt - 0.5]
    set yrange [ylo : yhi]

    # Tile row: the element range below each box — in one row where they
    # fit, else staggered in two rows, else only every s-th tile (and the
    # last); the tile's sum inside the box with as many digits as fit at a
    # legible size, or none.
    range_w = text_frac(9.5, 0.9)
    stagger = ud < range_w
    s_lab = 1
    while (stagger && 2 * s_lab * ud < range_w) { s_lab = 2 * s_lab }
    k_range = stagger ? 2 * s_lab * ud / text_frac(10.5, 1) : ud / text_frac(10, 1)
    k_range = k_range > 1.0 ? 1.0 : k_range < 0.9 ? 0.9 : k_range
    k_val = ud * 0.88 / text_frac(9, 1)
    k_val = k_val > 1.0 ? 1.0 : k_val < 0.9 ? 0.9 : k_val
    val_chars = int(ud * 0.8 / text_frac(1, k_val))
    show_tile_values = val_chars >= 4 && PH[d] / (L + 2.2) >= 0.03
    bh = 0.38           # half the height of a box, in levels
    # --- labels: tiles ------------------------------------------------------
    array NX[NNODES[d]]; array NL[NNODES[d]]; array NLO[NNODES[d]]
    array NHI[NNODES[d]]; array NV[NNODES[d]]; array NK[NNODES[d]]; array NVS[NNODES[d]]
    stats fn index d - 1 using (r = int($0) + 1, NX[r] = $4, NL[r] = $3, NLO[r] = $5, \
        NHI[r] = $6, NV[r] = $8, NVS[r] = strcol(8), NK[r] = strcol(9), 0) nooutput
    tag = 100
    do for [i = 1:NNODES[d]] {
        t = int(NX[i])
        # labelled: every s-th tile, and the last in place of one too close
        labelled = NL[i] == 0 && ((t % s_lab == 0 && (t == nt - 1 || nt - 1 - t >= s_lab)) || t == nt - 1)
        if (NL[i] == 0 && labelled) {
            yr = -bh - 0.12 - ((stagger && int(ceil(t / real(s_lab))) % 2 == 1) ? 0.45 : 0)
            tag = tag + 1
            set label tag range_text(NLO[i], NHI[i]) at first NX[i], first yr center \
                offset 0, -0.45 font font(k_range) \
                tc rgb (NK[i] eq 'rest' ? '#A05A00' : c_text)
        }
        if (NL[i] == 0) {
            if (show_tile_values) {
                tag = tag + 1
                set label tag dec(fmt_fit(NV[i], val_chars)) at first NX[i], first 0 center front \
                    font font(k_val) tc rgb c_text
            }
        }
    }
    # --- labels: additions --------------------------------------------------
    # A node at level l sits between nodes 2^l tiles apart: its value fits
    # where that spacing holds it.
    do for [i = 1:NNODES[d]] {
        if (NL[i] > 0) {
            room = (2 ** NL[i]) * ud
            is_root = NK[i] eq 'root'
            k_node = room / text_frac(11, 1)
            k_node = k_node > 0.95 ? 0.95 : k_node
            tag = tag + 1
            # Each node a box (an object in front of the edges, sized to
            # its text: textboxes are not drawn by every terminal) with
            # its value on top.
            if (is_root) {
                kr = k_node < 0.7 ? 0.7 : k_node + 0.1
                txt = dec(minus(NVS[i]))
                set object (1000 + tag) rect center first NX[i], first NL[i] \
                    size first text_frac(strlen(txt) + 2.4, kr) * 1.12 / ud, first lh(kr) * 1.3 / lev \
                    front fc rgb c_root fs solid 1.0 border lc rgb '#333333' lw 1.5
                set label tag txt at first NX[i], first NL[i] center front font bold(kr) tc rgb '#000000'
            } else { if (k_node >= 0.62) {
                on_rest_path = REST[d] > 0 && NHI[i] == NCTX[d]
                txt = fmt7(NV[i])
                set object (1000 + tag) rect center first NX[i], first NL[i] \
                    size first text_frac(strlen(txt) + 2.2, k_node) / ud, first lh(k_node) * 1.2 / lev \
                    front fc rgb (on_rest_path ? '#FDF0DA' : c_node) fs solid 1.0 \
                    border lc rgb (on_rest_path ? '#C77C00' : '#777777') lw (on_rest_path ? 1.5 : 1)
                set label tag txt at first NX[i], first NL[i] center front font font(k_node) tc rgb c_text
            } else {
                set label tag '' at first NX[i], first NL[i] point pt 7 ps (fmt eq 'pdf' ? 0.4 : 0.7) lc rgb '#777777' front
            }}
        }
    }

    # --- text block beside the tree -----------------------------------------
    tx = x0 + tree_w + text_gap
    ty = p_top - lh(k_cap) / 2
    caption = sprintf("{/:Bold num\\_ctx = %d}", NCTX[d])
    set label 1 caption at screen tx, screen ty left front font font(k_cap) tc rgb c_text
    ty = ty - lh(k_cap) / 2 - lh(k_sum) / 2
    set label 2 (REST[d] > 0 ? sprintf(tr('%d %s à %d + 1 Rest-Kachel (%d, orange)', '%d %s of %d + 1 rest tile (%d, orange)'), \
                                       nt - 1, tiles_word(nt - 1), TILE[d], REST[d]) \
                 : nt == 1 ? sprintf(tr('1 Kachel à %d: ihre Summe ist das Ergebnis', '1 tile of %d: its sum is the result'), TILE[d]) \
                             : sprintf(tr('%d Kacheln à %d', '%d tiles of %d'), nt, TILE[d])) \
        at screen tx, screen ty left front font font(k_sum) tc rgb c_text
    # The three sums: name, value, model minus it.
    ty = ty - lh(k_sum) / 2 - 0.01 - lh(k_sum) / 2
    c2 = tx + text_frac(14.5, k_sum); c3 = tx + text_w
    set label 3 tr('{/:Bold Modell − … (ULPs)}', '{/:Bold model − … (ULPs)}') at screen c3, screen ty right front font font(k_sum) tc rgb c_text
    set label 4 tr('Modell (Wurzel)', 'model (root)') at screen tx, screen ty - lh(k_sum) left front font font(k_sum) tc rgb c_text
    set label 5 dec(minus(MODEL[d])) at screen c2, screen ty - lh(k_sum) left front font font(k_sum) tc rgb c_text
    set label 6 tr('sequentiell', 'sequential') at screen tx, screen ty - 2 * lh(k_sum) left front font font(k_sum) tc rgb c_text
    set label 7 dec(minus(SEQ[d])) at screen c2, screen ty - 2 * lh(k_sum) left front font font(k_sum) tc rgb c_text
    set label 8 ulps_text(MSEQ[d]) at screen c3, screen ty - 2 * lh(k_sum) right front font font(k_sum) tc rgb c_text
    set label 9 tr('exakt', 'exact') at screen tx, screen ty - 3 * lh(k_sum) left front font font(k_sum) tc rgb c_text
    set label 10 dec(minus(EXACT[d])) at screen c2, screen ty - 3 * lh(k_sum) left front font font(k_sum) tc rgb c_text
    set label 11 ulps_text(MEXACT[d]) at screen c3, screen ty - 3 * lh(k_sum) right front font font(k_sum) tc rgb c_text
    ty = ty - 3 * lh(k_sum) - lh(k_sum) / 2 - 0.012 - lh(k_tab) / 2
    # Backends: their tiled_sum minus the model, summarised (each one in
    # image a4-backends).
    if (1) {
        # Summary: how many equal the model, the range of the others; the
        # faulty ones apart, in red.
        n_same = 0; um_lo = 1e9; um_hi = -1e9; n_bad = 0
        do for [b = 1:nb] {
            um = BM[(b - 1) * D + d]
            if (BF[(b - 1) * D + d]) {
                n_bad = n_bad + 1
            } else {
                n_same = n_same + (um == 0)
                if (um != 0) { um_lo = um < um_lo ? um : um_lo; um_hi = um > um_hi ? um : um_hi }
            }
        }
        n_ok = nb - n_bad
        set label 12 sprintf(tr("Backends: %d von %d = Modell", "backends: %d of %d = model"), n_same, n_ok) \
            .(n_same == n_ok ? '' : um_lo == um_hi ? sprintf(tr(", sonst %s", ", others %s"), ulps_text(um_lo)) \
              : sprintf(tr(", sonst %s … %s ULPs", ", others %s … %s ULPs"), signed(um_lo), signed(um_hi))) \
            at screen tx, screen ty left front font font(k_tab) tc rgb c_text
        set label 14 tr('jedes Backend einzeln: Bild a4-backends', 'each backend: image a4-backends') \
            at screen tx, screen ty - lh(k_tab) * (n_bad > 0 ? 2 : 1) left front font font(0.85) tc rgb '#666666'
        if (n_bad > 0) {
            set label 13 sprintf(tr('✗ Backend-Fehler: %d von %d', '✗ backend fault: %d of %d'), n_bad, nb) \
                at screen tx, screen ty - lh(k_tab) left front \
                font bold(k_tab) tc rgb c_fault
        }
    }

    # Tiles as boxes, edges behind the nodes. The edges are picked by their
    # num_ctx, not by dataset: a one-tile tree has no edges, and its empty
    # dataset is missing from a4-edges.dat (the datasets after it shift).
    if (NNODES[d] > 1) {
        plot fe using ($1 == NCTX[d] ? $2 : NaN):($3 == 0 ? bh : $3):($4 - $2):($5 - ($3 == 0 ? bh : $3)) \
                 with vectors nohead lc rgb '#8A8A8A' lw 1.2, \
             fn index d - 1 using ($3 == 0 ? $4 : NaN):(0):($4 - 0.44):($4 + 0.44):(-bh):(bh):(tile_rgb(strcol(9))) \
                 with boxxyerror fc rgb variable lw 0.8
    } else {
        plot fn index d - 1 using ($3 == 0 ? $4 : NaN):(0):($4 - 0.44):($4 + 0.44):(-bh):(bh):(tile_rgb(strcol(9))) \
                 with boxxyerror fc rgb variable lw 0.8
    }
    unset label
    unset object
}
unset multiplot
