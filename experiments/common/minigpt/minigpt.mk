# experiments/common/minigpt/minigpt.mk — libnumlab-minigpt: the lecture's
# MiniGPT (model, vocabulary, training, checkpoints, the corpus and its
# defaults) as a library of its own beside libnumlab, with its headers
# (<numlab-minigpt/*.h>), its pkg-config file and a copy-me template for
# experiments on the model. libnumlab holds none of it; only the
# experiments on the model link it.

NL_GPT_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/experiments/common/minigpt/include
NL_GPT_LIBADD = experiments/common/minigpt/libnumlab-minigpt.la

lib_LTLIBRARIES += experiments/common/minigpt/libnumlab-minigpt.la
experiments_common_minigpt_libnumlab_minigpt_la_SOURCES = \
	experiments/common/minigpt/private.h \
	experiments/common/minigpt/model.c \
	experiments/common/minigpt/generate.c \
	experiments/common/minigpt/resident.c \
	experiments/common/minigpt/train.c \
	experiments/common/minigpt/kernels.h \
	experiments/common/minigpt/kernels-impl.h \
	experiments/common/minigpt/kernels.c \
	experiments/common/minigpt/vocab.c \
	experiments/common/minigpt/checkpoint.c \
	experiments/common/minigpt/corpus.c \
	experiments/common/minigpt/lecture.c \
	experiments/common/minigpt/lecture-cache.c
experiments_common_minigpt_libnumlab_minigpt_la_CPPFLAGS = $(NL_GPT_CPPFLAGS)
# Host threads for the backward pass and AdamW (kernels.c): OpenMP where
# configure found it, one thread otherwise. kernels.c sets its own -O3 and
# target features (pragma and runtime dispatch), whatever CFLAGS say.
experiments_common_minigpt_libnumlab_minigpt_la_CFLAGS = $(AM_CFLAGS) \
	$(OPENMP_CFLAGS)
experiments_common_minigpt_libnumlab_minigpt_la_LIBADD = \
	framework/libnumlab.la $(GLIB_LIBS) -lm
# Versioned apart from numlab and libnumlab (configure.ac: NL_GPT_*).
experiments_common_minigpt_libnumlab_minigpt_la_LDFLAGS = \
	-version-info $(NL_GPT_LT_VERSION) -no-undefined \
	-export-symbols-regex '^nl_gpt_' $(OPENMP_CFLAGS)

nlgptincludedir = $(includedir)/numlab-minigpt
nlgptinclude_HEADERS = \
	experiments/common/minigpt/include/numlab-minigpt/minigpt.h \
	experiments/common/minigpt/include/numlab-minigpt/lecture.h

pkgconfig_DATA += experiments/common/minigpt/numlab-minigpt.pc

# An experiment on the lecture model that builds out of tree with
# `pkg-config numlab-minigpt` (tests/test-minigpt-template.sh builds it).
gpttemplatedir = $(pkgdatadir)/template-minigpt
dist_gpttemplate_DATA = \
	experiments/common/minigpt/template/Makefile \
	experiments/common/minigpt/template/README.md \
	experiments/common/minigpt/template/my-gpt.c
