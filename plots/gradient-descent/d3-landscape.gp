# d3-landscape.gp — figure D3: the loss landscape over two weights.
#
# Data: d3-landscape.dat (w11 w22 loss), one dataset per grid row (the
# script squeezes the double blank lines with `cat -s` to make one grid);
# d3-path.dat (iteration w11 w22 loss), one dataset per learning rate.
# Image d3-landscape: the loss as colour (log scale) with contour lines,
# and the descent paths from the start; the minimum is a whole line, the
# valley w11 + 2·w22 = const.
load common

fg = '< cat -s '."'".datadir.'/d3-landscape.dat'."'"
fp = datadir.'/d3-path.dat'
lrs = system(sprintf("grep '^# dataset:' '%s' | sed 's/^# dataset: lr //' | tr '\\n' ' '", fp))

# contour lines into a table first, then everything in 2D
set table $contours
set contour base
unset surface
set cntrparam levels discrete 0.01, 0.05, 0.2, 0.5, 1, 2, 4, 8, 16
splot fg using 1:2:3 with lines notitle
unset table
unset contour
set surface

set output fig('d3-landscape')
set title tr('Verlustlandschaft über w_{11} und w_{22} mit dem Weg des Gradientenabstiegs', \
             'Loss landscape over w_{11} and w_{22} with the path of gradient descent')
set xlabel 'w_{11}'
set ylabel 'w_{22}'
set size ratio -1
set logscale cb
set format cb '10^{%L}'
set cblabel tr('Verlust (log)', 'loss (log)')
set palette defined (0 '#FFFFFF', 1 '#C6DBEF', 2 '#6BAED6', 3 '#08519C')
set autoscale xfix
set autoscale yfix
set key top right
plot fg using 1:2:($3 + 1e-6) with image notitle, \
     $contours using 1:2 with lines lc rgb '#555555' lw 0.8 notitle, \
     for [i = 1:words(lrs)] fp index i - 1 using 2:3 with linespoints lt i + 1 lw 2.5 \
        title sprintf(tr('Lernrate %s', 'learning rate %s'), dec(word(lrs, i))), \
     fp index 0 every ::0::0 using 2:3 with points pt 7 ps 2 lc rgb c_text title tr('Start', 'start')
