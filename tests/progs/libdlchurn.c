/*
 * libdlchurn.c - the library dlopen_churn loads and unloads in a loop
 * from several threads (copies of it under other names, one set per
 * thread): a function over 8 KiB of .rodata, a .data counter that starts
 * at DLC_DATA0 on every fresh load, 512 KiB of .bss that must read as
 * zero on every fresh load, and a __thread counter (dynamic TLS).
 */
#include "dlchurn.h"

uint64_t dlc_sum(uint64_t seed);
long dlc_bump(void);
long dlc_bss_swap(unsigned idx, long val);
long dlc_tls_bump(void);
const char *dlc_table(void);

static const char table[] = DLC_TABLE;
long dlc_counter = DLC_DATA0;
static long bss[DLC_BSS_WORDS];
static __thread long tls;

uint64_t dlc_sum(uint64_t seed)
{
	return dlc_expected_sum(table, seed);
}

long dlc_bump(void)
{
	return ++dlc_counter;
}

/* stores val at bss[idx] and returns what was there */
long dlc_bss_swap(unsigned idx, long val)
{
	long old = bss[idx % DLC_BSS_WORDS];

	bss[idx % DLC_BSS_WORDS] = val;
	return old;
}

long dlc_tls_bump(void)
{
	return ++tls;
}

const char *dlc_table(void)
{
	return table;
}
