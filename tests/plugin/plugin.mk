# tests/plugin: example plugins and the programs they are loaded into;
# doc/plugins.md walks through them, tests/e2e/test-plugin-*.sh run them.
PLUGIN_SO_FLAGS = -shared -fPIC
PLUGIN_CFLAGS = $(AM_CFLAGS) -fPIC
check_PROGRAMS += tests/plugin/libevent_logger.so tests/plugin/libsleep1.so \
	tests/plugin/libsleep2.so tests/plugin/libbad_version.so \
	tests/plugin/libkvexchange.so tests/plugin/libreconnect.so \
	tests/plugin/plugin_app tests/plugin/pubsub_app \
	tests/plugin/ext_app tests/plugin/echo_server \
	tests/plugin/applic_initiated tests/plugin/applic_delayed
EXTRA_DIST += tests/plugin/plugin-log.h

tests_plugin_libevent_logger_so_SOURCES = tests/plugin/event_logger.c
tests_plugin_libevent_logger_so_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugin_libevent_logger_so_LDFLAGS = $(PLUGIN_SO_FLAGS)
tests_plugin_libsleep1_so_SOURCES = tests/plugin/sleepwrap.c
tests_plugin_libsleep1_so_CFLAGS = $(PLUGIN_CFLAGS) -DSLEEP_PLUGIN=sleep1
tests_plugin_libsleep1_so_LDFLAGS = $(PLUGIN_SO_FLAGS)
tests_plugin_libsleep2_so_SOURCES = tests/plugin/sleepwrap.c
tests_plugin_libsleep2_so_CFLAGS = $(PLUGIN_CFLAGS) -DSLEEP_PLUGIN=sleep2
tests_plugin_libsleep2_so_LDFLAGS = $(PLUGIN_SO_FLAGS)
tests_plugin_libbad_version_so_SOURCES = tests/plugin/bad_version.c
tests_plugin_libbad_version_so_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugin_libbad_version_so_LDFLAGS = $(PLUGIN_SO_FLAGS)
tests_plugin_libkvexchange_so_SOURCES = tests/plugin/kvexchange.c
tests_plugin_libkvexchange_so_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugin_libkvexchange_so_LDFLAGS = $(PLUGIN_SO_FLAGS)
tests_plugin_libreconnect_so_SOURCES = tests/plugin/reconnect.c
tests_plugin_libreconnect_so_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugin_libreconnect_so_LDFLAGS = $(PLUGIN_SO_FLAGS)

tests_plugin_plugin_app_LDADD = -lpthread
