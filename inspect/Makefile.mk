# inspect/Makefile.mk: build fragment (owned by the inspect helper)
