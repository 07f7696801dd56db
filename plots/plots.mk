# plots/plots.mk — gnuplot scripts, one per lecture figure.
plotsdir = $(pkgdatadir)/plots
dist_plots_DATA = plots/common.gp
plotsassocdir = $(plotsdir)/associativity
dist_plotsassoc_DATA = \
	plots/associativity/a1-nonassoc.gp \
	plots/associativity/a2-blocked.gp \
	plots/associativity/a3-shuffles.gp \
	plots/associativity/a6-backends.gp
plotsbenchdir = $(plotsdir)/bench
dist_plotsbench_DATA = plots/bench/bench.gp
