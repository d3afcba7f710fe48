/*
 * print_fixture.c - the program the dmtcp_inspect print / bisect /
 * timeline tests checkpoint (tests/e2e/test-inspect-{print,bisect,
 * timeline}.sh): globals and statics whose values the tests know (a
 * linked list, a struct with a char array, an enum and a bit-field, an
 * int array, a string, a static in a dlopen'ed library), locals and a
 * parameter in the frame it waits in, and a loop counter g_iter that
 * goes up every 20 ms.  With argument CORRUPT_AT=N the list's third node
 * gets value -1 when g_iter reaches N (what bisect must find).  Built
 * -O0 (print_fixture) and -O2 (print_fixture_o2: its wait_here local
 * `scratch` is optimized out).  Usage: print_fixture [LIB.so [N]].
 */
#ifdef PRINT_FIXTURE_O0
/* CFLAGS (-O2 by default) comes after the target's flags: -O0 here */
#pragma GCC optimize("O0")
#endif
#include <dlfcn.h>

#include "testprog.h"

struct node {
	int value;
	struct node *next;
};

enum color { RED, GREEN = 5, BLUE };

struct point {
	int x;
	long y;
	double ratio;
	char name[8];
	enum color color;
	unsigned flag : 3;
	struct node *first;
};

typedef struct node node_t;

struct node *list_head;
struct point g_point = { -3, 1234567890123L, 0.5, "pt", GREEN, 5, NULL };
int g_array[5] = { 10, 20, 30, 40, 50 };
const char *g_str = "hello \"world\"";
unsigned char g_uchar = 200;
volatile long g_iter;
long corrupt_at = -1;
static int file_static = 7;

static int (*lib_bump)(void);

static void build_list(int n)
{
	for (int i = n; i >= 1; i--) {
		node_t *nd = malloc(sizeof(*nd));

		TP_CHECK(nd != NULL, "malloc");
		nd->value = i * 100;
		nd->next = list_head;
		list_head = nd;
	}
	g_point.first = list_head;
}

static int step(void)
{
	static int calls;

	return ++calls;
}

/* Waits here between steps: the innermost frame of the program's own
 * code, with a parameter and locals the tests print. */
__attribute__((noinline)) static void wait_here(int depth_arg)
{
	int local_count = 42 + depth_arg;
	struct node *local_node = list_head;
	int scratch = step() * 3;	/* unused after this: -O2 drops it */

	(void)scratch;
	for (;;) {
		if (tp_should_stop())
			return;
		g_iter++;
		if (g_iter == corrupt_at)
			local_node->next->next->value = -1;
		if (lib_bump)
			lib_bump();
		tp_sleep_ms(20);
		local_count += 0;
	}
}

int main(int argc, char **argv)
{
	tp_init("print_fixture");
	build_list(5);
	if (argc > 1 && argv[1][0]) {
		void *h = dlopen(argv[1], RTLD_NOW);

		TP_CHECK(h != NULL, "dlopen %s: %s", argv[1], dlerror());
		lib_bump = (int (*)(void))dlsym(h, "printlib_bump");
		TP_CHECK(lib_bump != NULL, "dlsym printlib_bump");
	}
	if (argc > 2)
		corrupt_at = atol(argv[2]);
	TP_CHECK(file_static == 7, "file_static");
	tp_ready();
	wait_here(3);
	TP_CHECK(list_head->value == 100, "list");
	tp_pass();
}
