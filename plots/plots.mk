# plots/plots.mk — gnuplot scripts, one per lecture figure.
plotsdir = $(pkgdatadir)/plots
dist_plots_DATA = plots/common.gp plots/figures.ini plots/key-numbers.ini
plotsassocdir = $(plotsdir)/associativity
dist_plotsassoc_DATA = \
	plots/associativity/a1-nonassoc.gp \
	plots/associativity/a2-blocked.gp \
	plots/associativity/a3-shuffles.gp \
	plots/associativity/a6-backends.gp \
	plots/associativity/a6-precision.gp
plotsdevicesdir = $(plotsdir)/devices
dist_plotsdevices_DATA = plots/devices/a8-ranks.gp \
	plots/devices/a8-precision.gp
plotsbenchdir = $(plotsdir)/bench
dist_plotsbench_DATA = plots/bench/bench.gp
plotstemperaturedir = $(plotsdir)/temperature
dist_plotstemperature_DATA = \
	plots/temperature/b1-softmax.gp \
	plots/temperature/b2-temperature.gp \
	plots/temperature/b3-draws.gp \
	plots/temperature/b4-true-vs-probable.gp \
	plots/temperature/b5-determinism.gp
plotsrtdir = $(plotsdir)/reduction-tree
dist_plotsrt_DATA = \
	plots/reduction-tree/a4-trees.gp \
	plots/reduction-tree/a4-backends.gp \
	plots/reduction-tree/a5-one-more.gp \
	plots/reduction-tree/a5-sweep.gp \
	plots/reduction-tree/a5-precision.gp \
	plots/reduction-tree/a7-batch.gp \
	plots/reduction-tree/a7-precision.gp
plotsgddir = $(plotsdir)/gradient-descent
dist_plotsgd_DATA = \
	plots/gradient-descent/d1-iterations.gp \
	plots/gradient-descent/d2-rates.gp \
	plots/gradient-descent/d3-landscape.gp \
	plots/gradient-descent/d4-softmax.gp \
	plots/gradient-descent/d5-regression.gp \
	plots/gradient-descent/d6-drift.gp \
	plots/gradient-descent/d6-precision.gp
plotsattentiondir = $(plotsdir)/attention
dist_plotsattention_DATA = \
	plots/attention/e-weights.gp \
	plots/attention/e-next-token.gp \
	plots/attention/e-output.gp
plotsminigptdir = $(plotsdir)/minigpt
dist_plotsminigpt_DATA = \
	plots/minigpt/loss.gp
plotslogprobdir = $(plotsdir)/logprob
dist_plotslogprob_DATA = \
	plots/logprob/c1-top.gp \
	plots/logprob/c2-greedy.gp \
	plots/logprob/c3-paths.gp \
	plots/logprob/c4-noise.gp \
	plots/logprob/c5-precision.gp \
	plots/logprob/c4-jobs.gp
plotsinsidedir = $(plotsdir)/inside
dist_plotsinside_DATA = \
	plots/inside/f1-vectors.gp \
	plots/inside/f1-next-word.gp \
	plots/inside/f2-attention.gp \
	plots/inside/f2-block-diagram.gp \
	plots/inside/f3-blocks.gp \
	plots/inside/f4-runs.gp \
	plots/inside/f4-recipe.gp
