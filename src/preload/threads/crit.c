/*
 * threads/crit.c - critical sections: code during which this process
 * must not be checkpointed (dmtcp_disable_ckpt, a wrapper in the middle
 * of handing bytes over, a fork being prepared).  A checkpoint waits
 * until none is open (dmtcp_crit_ckpt_begin) and a thread that wants to
 * open one while a checkpoint runs waits for its end.  Nested sections
 * of one thread count up.
 */
#include "config.h"
#include "threads/threads.h"
#include "base/sys.h"

#include <pthread.h>

static pthread_mutex_t crit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t crit_cond = PTHREAD_COND_INITIALIZER;
static int crit_depth;
static int crit_owner;

int dmtcp_crit_enter(void)
{
	int tid = rsys_gettid();

	pthread_mutex_lock(&crit_lock);
	while (dmtcp_ckpt_in_progress || (crit_depth && crit_owner != tid))
		pthread_cond_wait(&crit_cond, &crit_lock);
	crit_depth++;
	crit_owner = tid;
	pthread_mutex_unlock(&crit_lock);
	return 1;
}

int dmtcp_crit_leave(void)
{
	pthread_mutex_lock(&crit_lock);
	if (crit_depth > 0 && --crit_depth == 0) {
		crit_owner = 0;
		pthread_cond_broadcast(&crit_cond);
	}
	pthread_mutex_unlock(&crit_lock);
	return 1;
}

void dmtcp_crit_ckpt_begin(void)
{
	pthread_mutex_lock(&crit_lock);
	while (crit_depth > 0)
		pthread_cond_wait(&crit_cond, &crit_lock);
	dmtcp_ckpt_in_progress = 1;
	pthread_mutex_unlock(&crit_lock);
}

void dmtcp_crit_ckpt_end(void)
{
	pthread_mutex_lock(&crit_lock);
	dmtcp_ckpt_in_progress = 0;
	pthread_cond_broadcast(&crit_cond);
	pthread_mutex_unlock(&crit_lock);
}

/* In a forked child: only the forking thread exists; nothing is open. */
void dmtcp_crit_atfork_child(void)
{
	pthread_mutex_init(&crit_lock, NULL);
	pthread_cond_init(&crit_cond, NULL);
	crit_depth = 0;
	crit_owner = 0;
}
