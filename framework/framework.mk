# framework/framework.mk — libnumlab (the helpers plugins link), the host
# library (registry, engine, writers, plots) and the numlab runner.

lib_LTLIBRARIES += framework/libnumlab.la
framework_libnumlab_la_SOURCES = \
	framework/lib/nl-private.h \
	framework/lib/alloc.c \
	framework/lib/backend.c \
	framework/lib/bound.c \
	framework/lib/companion.c \
	framework/lib/error.c \
	framework/lib/exact.c \
	framework/lib/memory.c \
	framework/lib/params.c \
	framework/lib/params-private.h \
	framework/lib/params-text.c \
	framework/lib/precision.c \
	framework/lib/probe.c \
	framework/lib/reference.c \
	framework/lib/reference-precision.c \
	framework/lib/rng.c \
	framework/lib/run.c \
	framework/lib/sample.c \
	framework/lib/table.c \
	framework/lib/timer.c \
	framework/lib/ulp.c
framework_libnumlab_la_LIBADD = $(GLIB_LIBS) -lm
framework_libnumlab_la_LDFLAGS = -version-info $(NL_LT_VERSION_INFO) -no-undefined \
	-export-symbols-regex '^nl_'

# Paths the runner needs to find its plugins and plot scripts.
NL_PATH_CPPFLAGS = \
	-DNL_BUILDDIR='"$(abs_top_builddir)"' \
	-DNL_SRCDIR='"$(abs_top_srcdir)"' \
	-DNL_PKGLIBDIR='"$(pkglibdir)"' \
	-DNL_PKGDATADIR='"$(pkgdatadir)"'

noinst_LTLIBRARIES += framework/libnumlab-host.la
framework_libnumlab_host_la_SOURCES = \
	framework/host/host.h \
	framework/host/aliases.c \
	framework/host/engine.h \
	framework/host/engine.c \
	framework/host/manifest.c \
	framework/host/open.c \
	framework/host/paths.c \
	framework/host/phases.c \
	framework/host/plan.c \
	framework/host/plot.c \
	framework/host/plugin-log.c \
	framework/host/registry.c \
	framework/host/rerun.c \
	framework/host/results.c \
	framework/host/resultset.c \
	framework/host/isolate.c \
	framework/host/budget.c \
	framework/host/child.c \
	framework/host/journal.c \
	framework/host/report.c \
	framework/host/scan.c \
	framework/host/selfcheck.c \
	framework/host/selfcheck-child.c \
	framework/host/selfcheck-cache.c \
	framework/host/selfcheck-cases.c \
	framework/host/selfcheck-precision.c \
	framework/host/selfcheck-cases.h
nodist_framework_libnumlab_host_la_SOURCES = framework/aliases-ini.h
framework_libnumlab_host_la_CPPFLAGS = $(AM_CPPFLAGS) $(NL_PATH_CPPFLAGS)
framework_libnumlab_host_la_LIBADD = framework/libnumlab.la $(GLIB_LIBS) $(MPFR_LIBS)

bin_PROGRAMS += framework/numlab
framework_numlab_SOURCES = framework/numlab.c
framework_numlab_LDADD = framework/libnumlab-host.la framework/libnumlab.la \
	$(GLIB_LIBS)

# framework/aliases.ini, the commands defined in data (numlab bench), is
# compiled into the host as one C string: numlab needs no file to find it.
EXTRA_DIST += framework/aliases.ini
BUILT_SOURCES += framework/aliases-ini.h
CLEANFILES += framework/aliases-ini.h
# also when make is asked for one target, where BUILT_SOURCES do not apply
$(framework_libnumlab_host_la_OBJECTS): framework/aliases-ini.h
framework/aliases-ini.h: framework/aliases.ini
	$(AM_V_GEN)$(MKDIR_P) framework && \
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/.*/"&\\n"/' \
	    $(srcdir)/framework/aliases.ini >$@-t && mv $@-t $@
