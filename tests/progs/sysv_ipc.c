/*
 * sysv_ipc.c - System V IPC objects and zombie children across
 * checkpoint/restart (tests/e2e/test-sysv_ipc.sh).
 *
 * Parent and child (two processes of the computation) share:
 *  - segment A (with a key, attached in both): a 1 MiB pattern written by
 *    the parent, a counter the child increments, checked by the parent;
 *  - segment B (IPC_PRIVATE, IPC_RMID while attached in both): a counter
 *    the child increments;
 *  - segment C (with a key, attached by nobody): a pattern, checked at
 *    the end through a new attach;
 *  - segment D (64 MiB, two pages written, attached by nobody): the side
 *    file must stay small (the test checks), the pages come back;
 *  - a semaphore set of 3: sem 0 stays 5, sems 1 and 2 are a ping-pong
 *    (both processes block in semop, checkpoints interrupt them);
 *  - message queue Q1 (with a key, 12000 bytes): 20 messages of types 1..4 and
 *    varying sizes queued before READY and never read until the end,
 *    then received in order, every byte checked;
 *  - message queue Q2 (IPC_PRIVATE): the child sends numbered messages,
 *    the parent receives them blocking and checks the sequence.
 * The parent also has two zombie children: one that exited with status
 * 42 and one killed by SIGTERM; the child has one made with clone()
 * (exit signal SIGURG: only waitable with __WALL) that left its process
 * group and exited with 7.  Every loop checks (WNOWAIT) that they
 * are still there with that status; at the end they are reaped.
 * Ids and keys must be the same after every restart (shmget/semget/
 * msgget with the key return the saved id, IPC_STAT fields match).
 * Prints "IPC shm=A,C,D sem=S msg=Q1,Q2" so the test can remove the
 * objects the first run leaves in the host's namespace.
 */
#include "testprog.h"

#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define SZ_A (1u << 20)
#define SZ_B 8192
#define SZ_C (256u << 10)
#define SZ_D (64u << 20)
#define D_PAGE1 5000
#define NQ1 20

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

struct seg_a {
	volatile uint64_t counter, stop, child_ok;
	uint64_t pattern[(SZ_A - 64) / 8];
};

struct qmsg {
	long type;
	char data[1024];
};

static int shm_a, shm_b, shm_c, shm_d, sem, q1, q2, dummy[3];
static key_t key_a, key_c, key_s, key_q;

static void semop1(int num, int op)
{
	struct sembuf b = { (unsigned short)num, (short)op, 0 };

	if (semop(sem, &b, 1) < 0)
		tp_fail("semop(%d, %d): %s", num, op, strerror(errno));
}

static int q1_len(int i)
{
	return 1 + (i * 37) % 500;
}

static void q1_fill(struct qmsg *m, int i)
{
	uint64_t seed = 1000 + i;

	m->type = 1 + i % 4;
	for (int k = 0; k < q1_len(i); k++)
		m->data[k] = (char)tp_rand(&seed);
}

static void check_zombie(pid_t z, int code, int status);

/*
 * The child's own zombie: a clone child (exit signal SIGURG, only
 * waitable with __WALL) in its own process group, exit status 7.
 */
static pid_t clone_zombie(void)
{
	pid_t z = (pid_t)syscall(SYS_clone, SIGURG, 0, 0, 0, 0);

	if (z == 0) {
		setpgid(0, 0);
		syscall(SYS_exit, 7);
	}
	if (z < 0)
		tp_fail("child: clone: %s", strerror(errno));
	for (;;) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, z, &si, WEXITED | WNOWAIT | __WALL) == 0)
			break;
		if (errno != EINTR)
			tp_fail("child: waitid: %s", strerror(errno));
	}
	return z;
}

static void check_clone_zombie(pid_t z)
{
	siginfo_t si;
	int st;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, z, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 ||
	    si.si_pid != z || si.si_code != CLD_EXITED || si.si_status != 7)
		tp_fail("child: clone zombie %d: pid %d code %d status %d (%s)",
			(int)z, (int)si.si_pid, si.si_code, si.si_status,
			strerror(errno));
	if (waitpid(z, &st, WNOHANG) != -1 || errno != ECHILD)
		tp_fail("child: clone zombie %d is waitable without __WALL",
			(int)z);
	if (getpgid(z) != z)
		tp_fail("child: clone zombie %d: process group %d", (int)z,
			(int)getpgid(z));
}

static void child(volatile uint64_t *b_counter, struct seg_a *a)
{
	long seq = 0;
	pid_t z3 = clone_zombie();
	int st;

	while (!a->stop) {
		struct qmsg m;

		check_clone_zombie(z3);

		semop1(1, -1);		/* wait for the parent's ping */
		if (a->stop)
			break;
		a->counter++;
		(*b_counter)++;
		m.type = 1 + seq % 5;
		memcpy(m.data, &seq, sizeof(seq));
		if (msgsnd(q2, &m, sizeof(seq), 0) < 0)
			tp_fail("child: msgsnd: %s", strerror(errno));
		seq++;
		semop1(2, +1);		/* pong */
	}
	if (waitpid(z3, &st, __WALL) != z3 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 7)
		tp_fail("child: clone zombie %d: status %#x", (int)z3, st);
	a->child_ok = 1;
	_exit(0);
}

static void check_zombie(pid_t z, int code, int status)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, z, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		tp_fail("zombie %d: waitid: %s", (int)z, strerror(errno));
	if (si.si_pid != z || si.si_code != code || si.si_status != status)
		tp_fail("zombie %d: waitid says pid %d code %d status %d, "
			"expected code %d status %d", (int)z, (int)si.si_pid,
			si.si_code, si.si_status, code, status);
}

static void check_ids(void)
{
	struct shmid_ds sd;
	struct semid_ds ss;
	struct msqid_ds md;
	union semun arg;

	if (shmget(key_a, 0, 0) != shm_a || shmget(key_c, 0, 0) != shm_c)
		tp_fail("shmget by key: %d %d, expected %d %d (%s)",
			shmget(key_a, 0, 0), shmget(key_c, 0, 0), shm_a, shm_c,
			strerror(errno));
	if (semget(key_s, 0, 0) != sem)
		tp_fail("semget by key: %d, expected %d", semget(key_s, 0, 0),
			sem);
	if (msgget(key_q, 0) != q1)
		tp_fail("msgget by key: %d, expected %d", msgget(key_q, 0), q1);
	if (shmctl(shm_a, IPC_STAT, &sd) < 0 || sd.shm_segsz != SZ_A ||
	    sd.shm_nattch != 2 || (sd.shm_perm.mode & 0777) != 0600 ||
	    sd.shm_perm.__key != key_a)
		tp_fail("segment A %d: size %zu nattch %lu mode %o key %#x "
			"(%s)", shm_a, (size_t)sd.shm_segsz,
			(unsigned long)sd.shm_nattch, sd.shm_perm.mode,
			sd.shm_perm.__key, strerror(errno));
	if (shmctl(shm_b, IPC_STAT, &sd) < 0 || sd.shm_segsz != SZ_B ||
	    sd.shm_nattch != 2 || !(sd.shm_perm.mode & SHM_DEST))
		tp_fail("segment B %d: size %zu nattch %lu mode %#o (%s)",
			shm_b, (size_t)sd.shm_segsz,
			(unsigned long)sd.shm_nattch, sd.shm_perm.mode,
			strerror(errno));
	if (shmctl(shm_c, IPC_STAT, &sd) < 0 || sd.shm_segsz != SZ_C ||
	    sd.shm_nattch != 0 || (sd.shm_perm.mode & 0777) != 0640)
		tp_fail("segment C %d: size %zu nattch %lu mode %o (%s)",
			shm_c, (size_t)sd.shm_segsz,
			(unsigned long)sd.shm_nattch, sd.shm_perm.mode,
			strerror(errno));
	arg.buf = &ss;
	if (semctl(sem, 0, IPC_STAT, arg) < 0 || ss.sem_nsems != 3 ||
	    (ss.sem_perm.mode & 0777) != 0600)
		tp_fail("semaphore set %d: IPC_STAT: nsems %lu (%s)", sem,
			(unsigned long)ss.sem_nsems, strerror(errno));
	if (semctl(sem, 0, GETVAL) != 5)
		tp_fail("semaphore 0 is %d, expected 5",
			semctl(sem, 0, GETVAL));
	if (msgctl(q1, IPC_STAT, &md) < 0 || md.msg_qnum != NQ1 ||
	    md.msg_qbytes != 12000 || (md.msg_perm.mode & 0777) != 0620)
		tp_fail("queue Q1 %d: qnum %lu qbytes %lu mode %o (%s)", q1,
			(unsigned long)md.msg_qnum,
			(unsigned long)md.msg_qbytes, md.msg_perm.mode,
			strerror(errno));
}

static key_t new_key(int salt)
{
	return (key_t)(0x5d000000 | ((getpid() & 0xfff) << 8) | salt);
}

int main(void)
{
	struct seg_a *a;
	volatile uint64_t *b;
	unsigned char *c;
	union semun arg;
	unsigned short init[3] = { 5, 0, 0 };
	uint64_t seed = 7, last[2] = { 0, 0 };
	long expect_seq = 0;
	pid_t kid, z1, z2;
	int st, stalls = 0;

	tp_init("sysv_ipc");
	/* ids that are neither 0 nor in creation order: a new namespace
	   would not hand them out by itself */
	for (int i = 0; i < 3; i++) {
		int d[3];

		d[0] = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		d[1] = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
		d[2] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (i != 1) {
			shmctl(d[0], IPC_RMID, NULL);
			semctl(d[1], 0, IPC_RMID);
			msgctl(d[2], IPC_RMID, NULL);
		} else {
			dummy[0] = d[0];
			dummy[1] = d[1];
			dummy[2] = d[2];
		}
	}
	key_a = new_key(1);
	key_c = new_key(2);
	key_s = new_key(3);
	key_q = new_key(4);
	shm_a = shmget(key_a, SZ_A, IPC_CREAT | IPC_EXCL | 0600);
	shm_b = shmget(IPC_PRIVATE, SZ_B, IPC_CREAT | 0600);
	shm_c = shmget(key_c, SZ_C, IPC_CREAT | IPC_EXCL | 0640);
	shm_d = shmget(IPC_PRIVATE, SZ_D, IPC_CREAT | 0600);
	sem = semget(key_s, 3, IPC_CREAT | IPC_EXCL | 0600);
	q1 = msgget(key_q, IPC_CREAT | IPC_EXCL | 0620);
	q2 = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	printf("IPC shm=%d,%d,%d sem=%d msg=%d,%d\n", shm_a, shm_c, shm_d, sem,
	       q1, q2);
	shmctl(dummy[0], IPC_RMID, NULL);
	semctl(dummy[1], 0, IPC_RMID);
	msgctl(dummy[2], IPC_RMID, NULL);
	fflush(stdout);
	if (shm_a < 0 || shm_b < 0 || shm_c < 0 || shm_d < 0 || sem < 0 ||
	    q1 < 0 || q2 < 0)
		tp_fail("creating objects: %s", strerror(errno));
	a = shmat(shm_a, NULL, 0);
	b = shmat(shm_b, NULL, 0);
	c = shmat(shm_c, NULL, 0);
	if (a == (void *)-1 || b == (void *)-1 || c == (void *)-1)
		tp_fail("shmat: %s", strerror(errno));
	shmctl(shm_b, IPC_RMID, NULL);	/* goes away with the last detach */
	for (size_t i = 0; i < sizeof(a->pattern) / 8; i++)
		a->pattern[i] = tp_rand(&seed);
	seed = 99;
	for (size_t i = 0; i < SZ_C; i++)
		c[i] = (i / 4096) % 3 == 1 ? 0 : (unsigned char)tp_rand(&seed);
	shmdt(c);
	/* D: 64 MiB, two pages written, attached by nobody (sparse) */
	{
		unsigned char *d = shmat(shm_d, NULL, 0);

		if (d == (void *)-1)
			tp_fail("segment D: shmat: %s", strerror(errno));
		memset(d, 0xd1, 4096);
		memset(d + D_PAGE1 * 4096ul, 0xd2, 4096);
		shmdt(d);
	}
	arg.array = init;
	if (semctl(sem, 0, SETALL, arg) < 0)
		tp_fail("SETALL: %s", strerror(errno));
	{
		struct msqid_ds md;

		if (msgctl(q1, IPC_STAT, &md) < 0)
			tp_fail("Q1 IPC_STAT: %s", strerror(errno));
		md.msg_qbytes = 12000;	/* lower than the default */
		if (msgctl(q1, IPC_SET, &md) < 0)
			tp_fail("Q1 IPC_SET: %s", strerror(errno));
	}
	for (int i = 0; i < NQ1; i++) {
		struct qmsg m;

		q1_fill(&m, i);
		if (msgsnd(q1, &m, q1_len(i), IPC_NOWAIT) < 0)
			tp_fail("Q1 msgsnd %d: %s", i, strerror(errno));
	}
	z1 = fork();
	if (z1 == 0)
		_exit(42);
	z2 = fork();
	if (z2 == 0) {
		for (;;)
			pause();
	}
	if (z1 < 0 || z2 < 0)
		tp_fail("fork: %s", strerror(errno));
	kill(z2, SIGTERM);
	{
		siginfo_t si;

		waitid(P_PID, z1, &si, WEXITED | WNOWAIT);
		waitid(P_PID, z2, &si, WEXITED | WNOWAIT);
	}
	kid = fork();
	if (kid < 0)
		tp_fail("fork: %s", strerror(errno));
	if (kid == 0)
		child(b, a);
	check_ids();
	tp_ready();
	while (!tp_should_stop()) {
		struct qmsg m;
		ssize_t n;
		long got;

		semop1(1, +1);		/* ping */
		semop1(2, -1);		/* wait for the pong */
		{
			unsigned short v[3] = { 9, 9, 9 };
			union semun g;

			g.array = v;
			/* the child took the ping, we took the pong */
			if (semctl(sem, 0, GETALL, g) < 0 || v[0] != 5 ||
			    v[1] != 0 || v[2] != 0)
				tp_fail("semaphores are %u %u %u, expected "
					"5 0 0 (%s)", v[0], v[1], v[2],
					strerror(errno));
		}
		n = msgrcv(q2, &m, sizeof(m.data), 0, 0);
		if (n != sizeof(long))
			tp_fail("Q2 msgrcv: %zd (%s)", n, strerror(errno));
		memcpy(&got, m.data, sizeof(got));
		if (got != expect_seq || m.type != 1 + expect_seq % 5)
			tp_fail("Q2: message %ld of type %ld, expected %ld of "
				"type %ld", got, m.type, expect_seq,
				1 + expect_seq % 5);
		expect_seq++;
		tp_shared_counters(a->counter, *b, last, &stalls, 50,
				   "segments");
		check_zombie(z1, CLD_EXITED, 42);
		check_zombie(z2, CLD_KILLED, SIGTERM);
		check_ids();
		tp_sleep_ms(10);
	}
	/* every byte */
	seed = 7;
	for (size_t i = 0; i < sizeof(a->pattern) / 8; i++)
		if (a->pattern[i] != tp_rand(&seed))
			tp_fail("segment A: pattern word %zu changed", i);
	c = shmat(shm_c, NULL, SHM_RDONLY);
	if (c == (void *)-1)
		tp_fail("segment C: shmat: %s", strerror(errno));
	seed = 99;
	for (size_t i = 0; i < SZ_C; i++) {
		unsigned char want = (i / 4096) % 3 == 1 ? 0
				     : (unsigned char)tp_rand(&seed);

		if (c[i] != want)
			tp_fail("segment C: byte %zu is %#x, expected %#x", i,
				c[i], want);
	}
	shmdt(c);
	c = shmat(shm_d, NULL, SHM_RDONLY);
	if (c == (void *)-1)
		tp_fail("segment D: shmat: %s", strerror(errno));
	{
		static const unsigned long pages[] = { 0, 1, D_PAGE1 - 1,
						       D_PAGE1, D_PAGE1 + 1,
						       SZ_D / 4096 - 1 };

		for (int k = 0; k < 6; k++) {
			unsigned char want = pages[k] == 0 ? 0xd1 :
					     pages[k] == D_PAGE1 ? 0xd2 : 0;

			for (int i = 0; i < 4096; i++)
				if (c[pages[k] * 4096 + i] != want)
					tp_fail("segment D: page %lu byte %d "
						"is %#x, expected %#x",
						pages[k], i,
						c[pages[k] * 4096 + i], want);
		}
	}
	shmdt(c);
	for (int i = 0; i < NQ1; i++) {
		struct qmsg m, want;
		ssize_t n = msgrcv(q1, &m, sizeof(m.data), 0, IPC_NOWAIT);

		q1_fill(&want, i);
		if (n != q1_len(i) || m.type != want.type ||
		    memcmp(m.data, want.data, n) != 0)
			tp_fail("Q1 message %d: %zd bytes of type %ld, expected "
				"%d of type %ld (or other bytes)", i, n, m.type,
				q1_len(i), want.type);
	}
	a->stop = 1;
	semop1(1, +1);
	if (waitpid(kid, &st, 0) != kid || !WIFEXITED(st) || WEXITSTATUS(st))
		tp_fail("child ended with status %#x", st);
	if (!a->child_ok)
		tp_fail("child's final write not seen: not shared");
	/* B is a real SysV attachment, marked for removal: detaching the
	   last one removes it */
	if (shmdt((void *)b) < 0)
		tp_fail("segment B: shmdt: %s", strerror(errno));
	{
		struct shmid_ds sd;

		if (shmctl(shm_b, IPC_STAT, &sd) == 0 ||
		    (errno != EINVAL && errno != EIDRM))
			tp_fail("segment B %d still there after the last "
				"detach (%s)", shm_b, strerror(errno));
	}
	if (waitpid(z1, &st, 0) != z1 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 42)
		tp_fail("zombie %d: waitpid status %#x, expected exit 42",
			(int)z1, st);
	{
		struct rusage ru;

		if (wait4(z2, &st, 0, &ru) != z2 || !WIFSIGNALED(st) ||
		    WTERMSIG(st) != SIGTERM)
			tp_fail("zombie %d: wait4 status %#x, expected "
				"SIGTERM", (int)z2, st);
	}
	printf("seq %ld counter %llu\n", expect_seq,
	       (unsigned long long)a->counter);
	shmctl(shm_a, IPC_RMID, NULL);
	shmctl(shm_c, IPC_RMID, NULL);
	shmctl(shm_d, IPC_RMID, NULL);
	semctl(sem, 0, IPC_RMID);
	msgctl(q1, IPC_RMID, NULL);
	msgctl(q2, IPC_RMID, NULL);
	tp_pass();
}
