# c3-paths.gp — figure C3: the butterfly effect. Generations of the same
# prompt at several temperatures and seeds, word by word, against the
# greedy one.
#
# Data: c3-paths.dat (one dataset per job: prompt prompt_index path
# temperature seed step word prob_t parted — path 0 is greedy (T = 0, seed
# -1), then every temperature > 0 with every seed; parted is 1 from the
# step where the path left the greedy one), c3-part.dat (one dataset per
# job: prompt prompt_index path temperature seed part_step text; part_step
# -1: the path never leaves greedy).
# The figure shows the dataset of the job `naive` (the reference order),
# or of the first job where naive did not run.
# Images c3-paths-1, c3-paths-2, …: one per prompt, one row per path
# (greedy on a grey band on top, then "T = 0.5, Seed 1" …), one column
# per step, each cell the word. Words a path shares with greedy before it parts are grey; from
# the parting step on they take the colour of the path's temperature, and
# the parting word is framed and bold. A path that never parts says so at
# the end of its row; the heading counts the paths that part.
load common

f = datadir.'/c3-paths.dat'
fp = datadir.'/c3-part.dat'

# The reference job: naive if it ran, else the first.
ref = 1
do for [b = n_backends:1:-1] { if (word(backends, b) eq 'naive') { ref = b } }
ref_name = word(backends, ref)

tok(s) = (strlen(s) == 1 && strstrt('.,;:!?-', s) > 0) ? '"'.s.'"' : esc(s)

# --- the data of the reference job ----------------------------------------------
stats f index ref - 1 using 6 nooutput
N = int(STATS_records)
S = int(STATS_max)                     # the longest path's steps
array WP[N]; array WPATH[N]; array WSTEP[N]; array WORD[N]; array WPART[N]
stats f index ref - 1 using (i = int($0) + 1, WP[i] = int($2) + 1, WPATH[i] = int($3), \
    WSTEP[i] = int($6), WORD[i] = strcol(7), WPART[i] = int($9), 0) nooutput
stats fp index ref - 1 using 3 nooutput
M = int(STATS_records)                 # paths of all prompts
R = int(STATS_max) + 1                 # paths per prompt, greedy included
P = M / R
array PROMPT[P]; array PT[M]; array PSEED[M]; array PSTEP[M]
stats fp index ref - 1 using (i = int($0) + 1, PROMPT[int($2) + 1] = strcol(1), PT[i] = $4, \
    PSEED[i] = int($5), PSTEP[i] = int($6), 0) nooutput
# The temperatures in their order, one colour each (none of the class
# colours of C1, C2 and C4, so that no one reads a class into them).
array TCOL[5] = [0x0072B2, 0xB0307A, 0x5B2C8C, 0x1F78B4, 0x000000]
array TLIST[R]
NT = 0
do for [i = 2:R] {
    seen = 0
    do for [t = 1:NT] { if (TLIST[t] == PT[i]) { seen = 1 } }
    if (!seen) { NT = NT + 1; TLIST[NT] = PT[i] }
}
t_rgb(T) = sum [t = 1:NT] (TLIST[t] == T ? TCOL[(t - 1) % 5 + 1] : 0)

# --- layout -------------------------------------------------------------------------
# y in lines from the top: the prompt's heading, then its R rows; x: the
# row labels, S step columns, a note column.
lines = R + 1
# Columns at most 0.1 wide: few steps leave the room at the right.
x_lab = 0.015; x_c0 = 0.19
cw = (0.885 - x_c0) / S
cw = cw > 0.1 ? 0.1 : cw
x_c1 = x_c0 + S * cw
cx(s) = x_c0 + (s - 0.5) * cw
y_top = 0.80; y_bot = 0.03
lh = (y_top - y_bot) / lines
lh = lh > 0.07 ? 0.07 : lh
ly(l) = y_top - (l - 0.5) * lh         # the middle of line l
k_txt = lh * 720 > 30 ? 1.1 : lh * 720 / 27.0
k_txt = k_txt < 0.85 ? 0.85 : k_txt
f_cell = font(k_txt); f_cellb = bold(k_txt); f_row = font(0.9 * k_txt)

do for [p = 1:P] {
set output fig(sprintf('c3-paths-%d', p))
unset label; unset object
set title sprintf(tr("Schmetterlingseffekt: „%s …“ bei Temperatur T > 0 mit verschiedenen Seeds (Backend: %s)\n{/*0.8 grau: wie greedy; farbig ab dem Schritt, an dem der Pfad die greedy-Generierung verlässt (eingerahmt)}", \
                     "Butterfly effect: “%s …” at temperature T > 0 with several seeds (backend: %s)\n{/*0.8 grey: as greedy; coloured from the step where the path leaves the greedy generation (framed)}"), \
                  esc(PROMPT[p]), esc(ref_name)) font font(1.2)
unset border; unset tics; unset grid; unset key
set lmargin at screen 0; set rmargin at screen 1
set tmargin at screen 0.9; set bmargin at screen 0
set xrange [0:1]; set yrange [0:1]

# The step numbers above the columns.
set label 1 tr('Schritt', 'step') at screen x_c0 - 0.005, screen y_top + 0.025 right font font(0.9) tc rgb '#777777'
do for [s = 1:S] {
    set label 1 + s sprintf('%d', s) at screen cx(s), screen y_top + 0.025 center font font(0.9) tc rgb '#777777'
}
tag = 100
obj = 1
l0 = 0
# How many of the other paths leave greedy, at the right of the heading.
n_part = sum [r = 2:R] (PSTEP[(p - 1) * R + r] > 0 ? 1 : 0)
set label tag sprintf(tr('%d von %d Pfaden verlassen greedy', '%d of %d paths leave greedy'), n_part, R - 1) \
    at screen x_c1, screen ly(1) right font bold(0.95 * k_txt) tc rgb '#555555'
tag = tag + 1
# The greedy row on a grey band.
set object obj rect from screen x_lab - 0.005, screen ly(l0 + 2) - lh / 2 to screen x_c1, screen ly(l0 + 2) + lh / 2 \
    fc rgb '#EEEEEE' fs solid 1.0 noborder behind
obj = obj + 1
do for [r = 1:R] {
    i = (p - 1) * R + r
    y = ly(l0 + 1 + r)
    col = r == 1 ? 0x333333 : t_rgb(PT[i])
    row = r == 1 ? 'greedy (T = 0)' \
        : sprintf(tr('T = %s, Seed %d', 'T = %s, seed %d'), dec(sprintf('%g', PT[i])), PSEED[i])
    set label tag row at screen x_lab + 0.01, screen y left font f_row tc rgb col
    tag = tag + 1
    if (r > 1 && PSTEP[i] < 0) {
        set label tag '= greedy' at screen x_c1 + 0.01, screen y left font f_row tc rgb '#777777'
        tag = tag + 1
    }
}
# The words.
do for [i = 1:N] {
    if (WP[i] == p) {
    l = 1 + WPATH[i] + 1
    k = (WP[i] - 1) * R + WPATH[i] + 1  # the path's row in c3-part
    parts_here = WPATH[i] > 0 && WSTEP[i] == PSTEP[k]
    col = WPATH[i] == 0 ? 0x333333 : WPART[i] ? t_rgb(PT[k]) : 0x9A9A9A
    if (parts_here) {
        set object obj rect from screen cx(WSTEP[i]) - cw * 0.47, screen ly(l) - lh * 0.46 \
            to screen cx(WSTEP[i]) + cw * 0.47, screen ly(l) + lh * 0.46 \
            fs empty border lc rgb col lw 1.5 front
        obj = obj + 1
    }
    set label tag tok(WORD[i]) at screen cx(WSTEP[i]), screen ly(l) center \
        font (parts_here ? f_cellb : f_cell) tc rgb col
    tag = tag + 1
    }
}
plot blank notitle
set output
}
