# plots/my-experiment/dot-error.gp — how far each backend's float32 dot
# product is from the exact one, against the vector length.
# Data: dot-error.dat, one dataset per backend (n trial dot exact ulps ...).
# numlab finds this script beside the plugin (MODULEDIR/plots/EXP/).
load common                  # terminal, fig(), tr(), esc(), colours, backends
set output fig('dot-error')

set logscale xy
set xlabel tr('Vektorlänge n', 'vector length n')
set ylabel tr('Abstand zum exakten Wert in ULPs, + 1', \
              'distance from the exact value in ULPs, + 1')
# Column 5 is ulps (signed); + 1 keeps exact results on the log axis.
plot for [i = 1:n_backends] datadir.'/dot-error.dat' index i - 1 \
     using 1:(abs($5) + 1) with points linetype i title esc(word(backends, i))
