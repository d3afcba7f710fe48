/*
 * libdltest.c - small shared library the dlopen_lib checkpoint test loads
 * with dlopen() and calls through function pointers before and after
 * restart: plain functions, a global counter (.data/.bss of a dlopen'ed
 * object) and a __thread counter (dynamic TLS).
 */
#include <stdint.h>

int dlt_add(int a, int b);
uint64_t dlt_hash(const char *s);
long dlt_bump(void);
long dlt_tls_bump(void);
extern long dlt_counter;

long dlt_counter;
static __thread long dlt_tls;
static const char dlt_table[] = "libdltest-rodata";

int dlt_add(int a, int b)
{
	return a + b;
}

uint64_t dlt_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *t = dlt_table; *t; t++)
		h = (h ^ (unsigned char)*t) * 1099511628211ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

long dlt_bump(void)
{
	return ++dlt_counter;
}

long dlt_tls_bump(void)
{
	return ++dlt_tls;
}
