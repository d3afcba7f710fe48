/*
 * list_corrupt.c - the time-travel story's program (doc/gdb.md,
 * tests/e2e/test-timetravel.sh): builds a linked list, one node every
 * 10 ms, and at iteration K (argv[1], which the test keeps from the
 * tools) a bug overwrites one node's `next` with a bad pointer.  Nothing
 * notices until the list is walked (every WALK_EVERY iterations): then
 * the walk follows the bad pointer and the program dies of SIGSEGV.
 *
 *   list_corrupt K            the main thread does everything
 *   list_corrupt K threads    a worker thread builds the list (and has
 *                             the bug); the main thread waits for it
 *   list_corrupt K fork       a child process does, the parent waits
 *
 * At iteration 2 the program takes a snapshot tagged "list started"
 * (dmtcp_checkpoint_tagged; nothing without the toolkit).
 *
 * Invariant the tools check offline: pool[VICTIM].next is 0 or
 * &pool[VICTIM + 1].  The corrupting write is the line marked BUG.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dmtcp.h"

#define NODES		1024
#define VICTIM		5
#define WALK_EVERY	64

struct node {
	long value;
	struct node *next;
};

struct node pool[NODES];
struct node *head, *tail;
int iteration;			/* the one being run */
static int bug_at;

static void pause_10ms(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void append(int i)
{
	struct node *n = &pool[i];

	n->value = i;
	n->next = NULL;
	if (tail)
		tail->next = n;
	else
		head = n;
	tail = n;
}

static long walk(void)
{
	long sum = 0;

	for (struct node *n = head; n; n = n->next)
		sum += n->value;
	return sum;
}

static void *build(void *arg)
{
	(void)arg;
	for (iteration = 0; iteration < NODES; iteration++) {
		append(iteration);
		if (iteration == 2)
			dmtcp_checkpoint_tagged("list started");
		if (iteration == bug_at)
			pool[VICTIM].next = (struct node *)0x10; /* BUG */
		if (iteration % WALK_EVERY == WALK_EVERY - 1)
			printf("iteration %d: sum %ld\n", iteration, walk());
		pause_10ms();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	pthread_t th;
	pid_t pid;
	int st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || atoi(argv[1]) <= VICTIM + 1 ||
	    atoi(argv[1]) >= NODES) {
		fprintf(stderr, "usage: list_corrupt K [threads|fork] "
			"(%d < K < %d)\n", VICTIM + 1, NODES);
		return 2;
	}
	bug_at = atoi(argv[1]);
	printf("READY\n");
	if (mode[0] == 't') {
		pthread_create(&th, NULL, build, NULL);
		pthread_join(th, NULL);
	} else if (mode[0] == 'f') {
		pid = fork();
		if (pid == 0) {
			build(NULL);
			_exit(0);
		}
		while (waitpid(pid, &st, 0) < 0)
			;
		printf("child %s\n", WIFSIGNALED(st) ? "crashed" : "exited");
		return WIFSIGNALED(st) ? 1 : 0;
	} else {
		build(NULL);
	}
	return 0;
}
