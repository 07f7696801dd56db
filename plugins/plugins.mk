# plugins/plugins.mk — the public plugin SDK: headers, pkg-config file and
# the copy-me template (shipped, not built here: tests build it out of tree).
numlabincludedir = $(includedir)/numlab
numlabinclude_HEADERS = \
	plugins/include/numlab/alloc.h \
	plugins/include/numlab/backend.h \
	plugins/include/numlab/bound.h \
	plugins/include/numlab/companion.h \
	plugins/include/numlab/error.h \
	plugins/include/numlab/exact.h \
	plugins/include/numlab/experiment.h \
	plugins/include/numlab/numlab.h \
	plugins/include/numlab/params.h \
	plugins/include/numlab/plugin.h \
	plugins/include/numlab/precision.h \
	plugins/include/numlab/probe.h \
	plugins/include/numlab/reference.h \
	plugins/include/numlab/rng.h \
	plugins/include/numlab/run.h \
	plugins/include/numlab/sample.h \
	plugins/include/numlab/table.h \
	plugins/include/numlab/timer.h \
	plugins/include/numlab/ulp.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = plugins/numlab-plugin.pc

templatedir = $(pkgdatadir)/template
dist_template_DATA = \
	plugins/template/Makefile \
	plugins/template/README.md \
	plugins/template/my-experiment.c
templateplotsdir = $(templatedir)/plots/my-experiment
dist_templateplots_DATA = plugins/template/plots/my-experiment/dot-error.gp

# configure reads NL_ABI_VERSION from plugin.h (libnumlab's soname follows
# it): a change there reruns configure.
CONFIG_STATUS_DEPENDENCIES = $(top_srcdir)/plugins/include/numlab/plugin.h
