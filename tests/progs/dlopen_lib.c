/*
 * dlopen_lib.c - checkpoint test for a dlopen()ed library: loads
 * libdltest.so (next to this executable, or $TEST_DLLIB), calls it
 * through function pointers, checks its global and __thread counters, and
 * after restart calls the same pointers again, looks the symbols up again
 * (same addresses) and dlopen()s it again (same handle).
 */
#include <dlfcn.h>
#include <libgen.h>

#include "testprog.h"

typedef int (*add_fn)(int, int);
typedef uint64_t (*hash_fn)(const char *);
typedef long (*bump_fn)(void);

static void *handle;
static add_fn p_add;
static hash_fn p_hash;
static bump_fn p_bump, p_tls_bump;
static long *p_counter;
static long calls;
static uint64_t hash0;
static char libpath[4096];

static void *sym(const char *name)
{
	void *p;

	dlerror();
	p = dlsym(handle, name);
	if (!p)
		tp_fail("dlsym(%s): %s", name, dlerror());
	return p;
}

static void exercise(const char *when)
{
	long v, t;

	if (p_add(40, 2) != 42)
		tp_fail("%s: dlt_add(40, 2) = %d", when, p_add(40, 2));
	if (p_hash("checkpoint") != hash0)
		tp_fail("%s: dlt_hash changed", when);
	v = p_bump();
	t = p_tls_bump();
	calls++;
	if (v != calls || *p_counter != calls)
		tp_fail("%s: dlt_bump() = %ld, dlt_counter = %ld, expected %ld",
			when, v, *p_counter, calls);
	if (t != calls)
		tp_fail("%s: dlt_tls_bump() = %ld, expected %ld (dynamic TLS)",
			when, t, calls);
}

int main(int argc, char **argv)
{
	const char *env = getenv("TEST_DLLIB");
	void *h2;

	(void)argc;
	tp_init("dlopen_lib");
	if (env && *env) {
		snprintf(libpath, sizeof(libpath), "%s", env);
	} else {
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (n <= 0)
			tp_fail("readlink /proc/self/exe (%s): %s", argv[0],
				strerror(errno));
		exe[n] = 0;
		snprintf(libpath, sizeof(libpath), "%s/libdltest.so",
			 dirname(exe));
	}
	handle = dlopen(libpath, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		tp_fail("dlopen(%s): %s", libpath, dlerror());
	p_add = (add_fn)sym("dlt_add");
	p_hash = (hash_fn)sym("dlt_hash");
	p_bump = (bump_fn)sym("dlt_bump");
	p_tls_bump = (bump_fn)sym("dlt_tls_bump");
	p_counter = sym("dlt_counter");
	hash0 = p_hash("checkpoint");
	exercise("start");
	tp_ready();

	while (!tp_should_stop()) {
		exercise("loop");
		tp_sleep_ms(10);
	}
	exercise("final");
	if ((void *)p_add != sym("dlt_add") || (void *)p_bump != sym("dlt_bump")
	    || (void *)p_counter != sym("dlt_counter"))
		tp_fail("dlsym after restart gives other addresses");
	h2 = dlopen(libpath, RTLD_NOW | RTLD_NOLOAD);
	if (h2 != handle)
		tp_fail("dlopen(%s, RTLD_NOLOAD) = %p, expected %p (%s)",
			libpath, h2, handle, h2 ? "" : dlerror());
	dlclose(h2);
	tp_pass();
}
