# lecture/lecture.mk — what numlab records of the lecture itself: the
# printed values it checks (errata.ini, read by tests/test-errata.c and
# explained in doc/errata.md), installed with the plots.
lecturedir = $(pkgdatadir)/lecture
dist_lecture_DATA = lecture/errata.ini
