# examples/plugins/Makefile.mk - the example plugins for plugin authors,
# installed with their Makefile (pkg-config based) in
# $(docdir)/examples/plugins; tests/e2e/test-install.sh builds one against
# an installed tree and loads it.
pluginexamplesdir = $(docdir)/examples/plugins
dist_pluginexamples_DATA = examples/plugins/README \
	examples/plugins/Makefile \
	examples/plugins/hello_plugin.c \
	examples/plugins/count_sleeps.c
