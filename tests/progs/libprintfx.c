/*
 * libprintfx.c - the shared library print_fixture dlopens: a file
 * static (lib_static_counter, 1000 + the calls) and a function static
 * that `dmtcp_inspect print` must find in the library's DWARF.
 */
int printlib_bump(void);

static int lib_static_counter = 1000;

int printlib_bump(void)
{
	static int bumps;

	bumps++;
	return ++lib_static_counter;
}
