# experiments/devices/devices.mk — figure A8: the same row, sum and
# MiniGPT logits on every job (the mpi backend at several rank counts).
pkglib_LTLIBRARIES += experiments/devices/devices.la
experiments_devices_devices_la_SOURCES = experiments/devices/devices.c
experiments_devices_devices_la_CPPFLAGS = $(NL_GPT_CPPFLAGS)
experiments_devices_devices_la_LDFLAGS = $(NL_MODULE_LDFLAGS)
experiments_devices_devices_la_LIBADD = $(NL_GPT_LIBADD) $(NL_MODULE_LIBADD) -lm
