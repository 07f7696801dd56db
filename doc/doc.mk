# doc/doc.mk — the man page and the guides.
dist_man1_MANS = doc/numlab.1
dist_doc_DATA += \
	doc/user-guide.md \
	doc/output-format.md \
	doc/figures.md \
	doc/writing-plugins.md \
	doc/performance.md \
	doc/performance-history.md
dist_doc_DATA += doc/checkpoint-format.md doc/self-check.md doc/architecture.md
dist_doc_DATA += doc/testing.md doc/errata.md doc/scaling.md
