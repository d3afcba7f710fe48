/*
 * test_coord_flow.c - drives a real dmtcp_coordinator through the worker
 * protocol with fake workers: hello/welcome, secret check, checkpoint
 * barriers and images, a worker dying mid-checkpoint (before it was
 * suspended: left out; after: the checkpoint fails), a worker that does
 * not answer (--ckpt-timeout), restart barriers, kill, and junk that must
 * only drop the client sending it.  Every wait
 * is bounded; every coordinator started is killed by pid.
 */
#include "config.h"
#include "coord-client.h"
#include "dmtcp/protocol.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define WAIT_MS 5000

static char tmpdir[PATH_MAX], ckptdir[PATH_MAX + 8];
static pid_t coord_pid = -1;
static int coord_port;
static char secret[64];
static char payload[DMTCP_MSG_MAX_PAYLOAD + 1];

static void coordinator_path(char *buf, size_t cap)
{
	const char *b = getenv("DMTCP_BUILDDIR");
	char dir[PATH_MAX];

	if (b && *b) {
		snprintf(buf, cap, "%s/bin/dmtcp_coordinator", b);
		return;
	}
	if (util_exe_dir(dir, sizeof(dir)) < 0 ||
	    snprintf(buf, cap, "%s/../../bin/dmtcp_coordinator", dir) >=
	    (int)cap)
		snprintf(buf, cap, "dmtcp_coordinator");
}

static int start_coordinator(void **state)
{
	char bin[PATH_MAX], pf[PATH_MAX + 8], line[32] = "";
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_coord_flow.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(ckptdir, sizeof(ckptdir), "%s/ckpt", tmpdir);
	snprintf(pf, sizeof(pf), "%s/port", tmpdir);
	setenv("DMTCP_TMPDIR", tmpdir, 1);
	unsetenv("DMTCP_COORD_SECRET");
	coordinator_path(bin, sizeof(bin));
	coord_pid = fork();
	if (coord_pid < 0)
		return -1;
	if (coord_pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(nul, 0);
		execl(bin, bin, "-p", "0", "--port-file", pf, "--ckptdir",
		      ckptdir, "-q", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < WAIT_MS / 10; i++) {
		int fd = open(pf, O_RDONLY);

		if (fd >= 0) {
			ssize_t n = read(fd, line, sizeof(line) - 1);

			close(fd);
			if (n > 0) {
				line[n] = 0;
				break;
			}
		}
		nanosleep(&ts, NULL);
	}
	coord_port = atoi(line);
	if (coord_port <= 0)
		return -1;
	if (coord_get_secret(coord_port, secret, sizeof(secret)) < 0)
		return -1;
	return strlen(secret) == DMTCP_SECRET_LEN ? 0 : -1;
}

/* The same with a checkpoint timeout of 1 s (DMTCP_CKPT_TIMEOUT). */
static int start_coordinator_t1(void **state)
{
	int rc;

	setenv("DMTCP_CKPT_TIMEOUT", "1", 1);
	rc = start_coordinator(state);
	unsetenv("DMTCP_CKPT_TIMEOUT");
	return rc;
}

static int stop_coordinator(void **state)
{
	char cmd[PATH_MAX + 16];
	int status;

	(void)state;
	if (coord_pid > 0) {
		kill(coord_pid, SIGTERM);
		for (int i = 0; i < 500; i++) {
			if (waitpid(coord_pid, &status, WNOHANG) == coord_pid)
				break;
			usleep(10000);
			if (i == 499) {
				kill(coord_pid, SIGKILL);
				waitpid(coord_pid, &status, 0);
			}
		}
	}
	coord_pid = -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Receive one message within WAIT_MS; payload in the global buffer. */
static int recv_msg(int fd, struct dmtcp_msg *m)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, WAIT_MS) != 1)
		return -1;
	return dmtcp_msg_recv(fd, m, payload, sizeof(payload));
}

/* 1 if nothing arrives within ms. */
/* The next message on fd is of this type; it is left in *m. */
static void expect_msg(int fd, uint16_t type, struct dmtcp_msg *m)
{
	assert_int_equal(recv_msg(fd, m), 0);
	assert_int_equal(m->type, type);
}

static int quiet_for(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

static void send_msg(int fd, uint16_t type, uint64_t a0, uint64_t a1,
		     const void *pl, size_t len)
{
	struct dmtcp_msg m;

	dmtcp_msg_init(&m, type);
	m.arg0 = a0;
	m.arg1 = a1;
	assert_int_equal(dmtcp_msg_send(fd, &m, pl, len), 0);
}

static int hello(int type, const char *sec, uint32_t pid, const char *prog,
		 uint32_t flags, const char *comp, uint32_t gen,
		 uint32_t npeers)
{
	struct dmtcp_hello h;
	int fd = coord_connect("127.0.0.1", coord_port, WAIT_MS);

	assert_true(fd >= 0);
	memset(&h, 0, sizeof(h));
	snprintf(h.secret, sizeof(h.secret), "%s", sec);
	h.pid = pid;
	h.flags = flags;
	h.generation = gen;
	h.num_peers = npeers;
	snprintf(h.hostname, sizeof(h.hostname), "testhost");
	snprintf(h.progname, sizeof(h.progname), "%s", prog);
	snprintf(h.comp_id, sizeof(h.comp_id), "%s", comp ? comp : "");
	send_msg(fd, type, 0, 0, &h, sizeof(h));
	return fd;
}

/* A welcomed worker; returns fd, fills *w. */
static int worker(uint32_t pid, const char *prog, uint32_t flags,
		  const char *comp, uint32_t gen, uint32_t npeers,
		  struct dmtcp_welcome *w)
{
	struct dmtcp_msg m;
	int fd = hello(DMTCP_MSG_HELLO_WORKER, secret, pid, prog, flags, comp,
		       gen, npeers);

	expect_msg(fd, DMTCP_MSG_WELCOME, &m);
	assert_true(m.arg0 > 0);
	assert_int_equal(m.payload_len, sizeof(*w));
	if (w)
		memcpy(w, payload, sizeof(*w));
	return fd;
}

/* Send a command, return the reply status; text in payload. */
static int command(int cmd, uint64_t arg)
{
	struct dmtcp_msg m;
	int fd = hello(DMTCP_MSG_HELLO_COMMAND, secret, getpid(), "cmd", 0,
		       NULL, 0, 0);

	send_msg(fd, DMTCP_MSG_COMMAND, cmd, arg, NULL, 0);
	assert_int_equal(recv_msg(fd, &m), 0);
	close(fd);
	assert_int_equal(m.type, DMTCP_MSG_REPLY);
	return (int)m.arg0;
}

/* STATUS is answered OK, its reply holding each string (NULL ends). */
static void status_has(const char *first, ...)
{
	va_list ap;

	assert_int_equal(command(DMTCP_CMD_STATUS, 0), DMTCP_REPLY_OK);
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		assert_non_null(strstr(payload, s));
	va_end(ap);
}

static void expect_release(int fd, int barrier)
{
	struct dmtcp_msg m;

	expect_msg(fd, DMTCP_MSG_BARRIER_RELEASE, &m);
	assert_int_equal(m.arg0, barrier);
}

/* Two workers of a new computation: "a" (pid) and "b" (pid + 1). */
static void two_workers(uint32_t pid, int *a, int *b)
{
	*a = worker(pid, "a", 0, NULL, 0, 0, NULL);
	*b = worker(pid + 1, "b", 0, NULL, 0, 0, NULL);
}

static void test_status_empty(void **state)
{
	(void)state;
	status_has("NUM_PEERS=0\n", "RUNNING=no\n", "COMPUTATION=none\n", NULL);
	assert_int_equal(command(DMTCP_CMD_CHECKPOINT, 0),
			 DMTCP_REPLY_NO_PEERS);
	assert_int_equal(command(DMTCP_CMD_INTERVAL, 7), DMTCP_REPLY_OK);
	status_has("INTERVAL=7\n", NULL);
}

static void test_wrong_secret(void **state)
{
	struct dmtcp_msg m;
	int fd;

	(void)state;
	fd = hello(DMTCP_MSG_HELLO_WORKER, "0123456789abcdef0123456789abcdef",
		   1, "intruder", 0, NULL, 0, 0);
	expect_msg(fd, DMTCP_MSG_REFUSE, &m);
	assert_non_null(strstr(payload, "secret"));
	close(fd);
	fd = hello(DMTCP_MSG_HELLO_COMMAND, "", 1, "cmd", 0, NULL, 0, 0);
	expect_msg(fd, DMTCP_MSG_REFUSE, &m);
	close(fd);
}

static void test_checkpoint(void **state)
{
	struct dmtcp_welcome w1, w2;
	struct dmtcp_msg m;
	char img[2][64], script[PATH_MAX + 64], target[256];
	struct stat st;
	int a, b, bc, fds[2];
	ssize_t n;

	(void)state;
	a = worker(100, "a.out", 0, NULL, 0, 0, &w1);
	b = worker(101, "b.out", 0, NULL, 0, 0, &w2);
	fds[0] = a;
	fds[1] = b;
	assert_string_not_equal(w1.comp_id, "");
	assert_string_equal(w1.comp_id, w2.comp_id);
	assert_string_equal(w1.ckpt_dir, ckptdir);
	status_has("NUM_PEERS=2\n", "RUNNING=yes\n", NULL);

	bc = hello(DMTCP_MSG_HELLO_COMMAND, secret, 1, "cmd", 0, NULL, 0, 0);
	send_msg(bc, DMTCP_MSG_COMMAND, DMTCP_CMD_BCHECKPOINT, 0, NULL, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(recv_msg(fds[i], &m), 0);
		assert_int_equal(m.type, DMTCP_MSG_DO_CHECKPOINT);
		assert_int_equal(m.arg0, 1);
		assert_string_equal(payload, ckptdir);
	}
	assert_int_equal(command(DMTCP_CMD_CHECKPOINT, 0), DMTCP_REPLY_BUSY);
	status_has("RUNNING=no\n", NULL);
	for (int bar = DMTCP_BAR_SUSPENDED; bar <= DMTCP_BAR_REFILLED; bar++) {
		send_msg(a, DMTCP_MSG_BARRIER, bar, 0, NULL, 0);
		/* not released until everybody is there */
		assert_true(quiet_for(a, 50));
		if (bar == DMTCP_BAR_CHECKPOINTED) {
			for (int i = 0; i < 2; i++) {
				snprintf(img[i], sizeof(img[i]),
					 "/ckpt/img'%d.dmtcp", i);
				send_msg(fds[i], DMTCP_MSG_CKPT_WRITTEN,
					 1000 * (i + 1), 10, img[i],
					 strlen(img[i]));
			}
		}
		send_msg(b, DMTCP_MSG_BARRIER, bar, 0, NULL, 0);
		expect_release(a, bar);
		expect_release(b, bar);
	}
	expect_msg(bc, DMTCP_MSG_REPLY, &m);
	assert_int_equal(m.arg0, DMTCP_REPLY_OK);
	assert_non_null(strstr(payload, "IMAGE=/ckpt/img'0.dmtcp\n"));
	assert_non_null(strstr(payload, "IMAGE=/ckpt/img'1.dmtcp\n"));
	assert_non_null(strstr(payload, "NUM_IMAGES=2\n"));
	assert_non_null(strstr(payload, "TOTAL_BYTES=3000\n"));
	assert_non_null(strstr(payload, "TIME_MS="));
	close(bc);

	/* restart script: per-computation file + relative symlink */
	snprintf(script, sizeof(script), "%s/dmtcp_restart_script.sh",
		 ckptdir);
	n = readlink(script, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = 0;
	assert_null(strchr(target, '/'));
	assert_non_null(strstr(target, "dmtcp_restart_script_"));
	assert_int_equal(stat(script, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	{
		char cmd[PATH_MAX * 2];
		FILE *p;
		char out[512] = "";

		/* the script runs dmtcp_restart: check what it would exec
		 * by pointing it at echo through a fake PATH-less copy */
		snprintf(cmd, sizeof(cmd),
			 "sed 's|^dmtcp_restart=.*|dmtcp_restart=echo|' '%s' "
			 "| bash -s -- -p 4242 --extra", script);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(out, sizeof(out), p));
		pclose(p);
		assert_non_null(strstr(out, "--coord-host localhost "
				       "--coord-port 4242 --extra "
				       "/ckpt/img'0.dmtcp /ckpt/img'1.dmtcp"));
	}
	status_has("GENERATION=1\n", "RUNNING=yes\n", NULL);
	assert_null(strstr(payload, "LAST_CKPT_TIME=\n"));
	assert_int_equal(command(DMTCP_CMD_LIST, 0), DMTCP_REPLY_OK);
	assert_non_null(strstr(payload, ", 100, testhost, a.out, RUNNING, "
			       "/ckpt/img'0.dmtcp\n"));
	close(a);
	close(b);
}


/* Temporaries of the restart script in ckptdir: how many, the last. */
static int script_tmps(char *last, size_t cap)
{
	struct dirent *de;
	DIR *d = opendir(ckptdir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (!strncmp(de->d_name, ".dmtcp_restart_script_", 22) &&
		    strstr(de->d_name, ".tmp.")) {
			snprintf(last, cap, "%s/%s", ckptdir, de->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/*
 * One checkpoint of workers a and b that announce ann[] and report
 * rep[] written; returns the restart script's text in text.
 * *prepared: the inode of the script prepared after the announcements
 * (0 if none was).
 */
static void ckpt_announced(int a, int b, const char *ann[2],
			   const char *rep[2], ino_t *prepared, char *text,
			   size_t cap)
{
	int fds[2] = { a, b }, bc, fd;
	char tmp[PATH_MAX + 300], script[PATH_MAX + 64];
	struct dmtcp_msg m;
	struct stat st;
	ssize_t n;

	bc = hello(DMTCP_MSG_HELLO_COMMAND, secret, 1, "cmd", 0, NULL, 0, 0);
	send_msg(bc, DMTCP_MSG_COMMAND, DMTCP_CMD_BCHECKPOINT, 0, NULL, 0);
	for (int i = 0; i < 2; i++)
		expect_msg(fds[i], DMTCP_MSG_DO_CHECKPOINT, &m);
	for (int bar = DMTCP_BAR_SUSPENDED; bar <= DMTCP_BAR_REFILLED; bar++) {
		if (bar == DMTCP_BAR_CHECKPOINTED) {
			for (int i = 0; i < 2; i++)
				send_msg(fds[i], DMTCP_MSG_CKPT_WRITING, 0, 0,
					 ann[i], strlen(ann[i]));
			/* a round trip: both announcements are in */
			assert_int_equal(command(DMTCP_CMD_STATUS, 0),
					 DMTCP_REPLY_OK);
			*prepared = 0;
			if (script_tmps(tmp, sizeof(tmp)) == 1 &&
			    stat(tmp, &st) == 0)
				*prepared = st.st_ino;
			for (int i = 0; i < 2; i++)
				send_msg(fds[i], DMTCP_MSG_CKPT_WRITTEN, 1000,
					 10, rep[i], strlen(rep[i]));
		}
		for (int i = 0; i < 2; i++)
			send_msg(fds[i], DMTCP_MSG_BARRIER, bar, 0, NULL, 0);
		for (int i = 0; i < 2; i++)
			expect_release(fds[i], bar);
	}
	expect_msg(bc, DMTCP_MSG_REPLY, &m);
	assert_int_equal(m.arg0, DMTCP_REPLY_OK);
	close(bc);
	/* committed: no temporary left, the script holds the images */
	assert_int_equal(script_tmps(tmp, sizeof(tmp)), 0);
	snprintf(script, sizeof(script), "%s/dmtcp_restart_script.sh",
		 ckptdir);
	fd = open(script, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, text, cap - 1);
	assert_true(n > 0);
	text[n] = 0;
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	/* the prepared file is the one renamed into place, or none was */
	if (*prepared && st.st_ino != *prepared)
		*prepared = 0;
}

/*
 * The restart script is written ahead once every process announced its
 * image (CKPT_WRITING), and renamed at the commit; when the images
 * written are not the ones announced, it is written anew and names
 * those written.
 */
static void test_prepared_script(void **state)
{
	struct dmtcp_welcome w1, w2;
	const char *ann[2] = { "/ckpt/p_00001.dmtcp", "/ckpt/q_00001.dmtcp" };
	const char *other[2] = { "/ckpt/p_00001.dmtcp", "/ckpt/r_00001.dmtcp" };
	const char *ann2[2] = { "/ckpt/p_00002.dmtcp", "/ckpt/q_00002.dmtcp" };
	char text[8192];
	ino_t prepared;
	int a, b;

	(void)state;
	a = worker(100, "a.out", 0, NULL, 0, 0, &w1);
	b = worker(101, "b.out", 0, NULL, 0, 0, &w2);

	/* b writes another image than it announced: written anew */
	ckpt_announced(a, b, ann, other, &prepared, text, sizeof(text));
	assert_int_equal(prepared, 0);
	assert_non_null(strstr(text, "\t'/ckpt/p_00001.dmtcp'\n"));
	assert_non_null(strstr(text, "\t'/ckpt/r_00001.dmtcp'\n"));
	assert_null(strstr(text, "q_00001"));
	assert_non_null(strstr(text, "generation=1\n"));

	/* as announced: the prepared script is the one committed */
	ckpt_announced(a, b, ann2, ann2, &prepared, text, sizeof(text));
	assert_true(prepared != 0);
	assert_non_null(strstr(text, "\t'/ckpt/p_00002.dmtcp'\n"));
	assert_non_null(strstr(text, "\t'/ckpt/q_00002.dmtcp'\n"));
	assert_non_null(strstr(text, "generation=2\n"));
	assert_non_null(strstr(text, "2 processes"));
	close(a);
	close(b);
}
static void test_worker_dies_mid_checkpoint(void **state)
{
	struct dmtcp_msg m;
	int a, b;

	(void)state;
	two_workers(200, &a, &b);
	assert_int_equal(command(DMTCP_CMD_CHECKPOINT, 0), DMTCP_REPLY_OK);
	expect_msg(a, DMTCP_MSG_DO_CHECKPOINT, &m);
	send_msg(a, DMTCP_MSG_BARRIER, DMTCP_BAR_SUSPENDED, 0, NULL, 0);
	assert_true(quiet_for(a, 50));
	close(b);	/* never reaches the barrier */
	expect_release(a, DMTCP_BAR_SUSPENDED);
	for (int bar = DMTCP_BAR_FD_LEADER_ELECTION;
	     bar <= DMTCP_BAR_REFILLED; bar++) {
		if (bar == DMTCP_BAR_CHECKPOINTED)
			send_msg(a, DMTCP_MSG_CKPT_WRITTEN, 1, 1, "/x", 2);
		send_msg(a, DMTCP_MSG_BARRIER, bar, 0, NULL, 0);
		expect_release(a, bar);
	}
	status_has("NUM_PEERS=1\n", "RUNNING=yes\n", NULL);
	close(a);
}

/* A release with its failure count (arg1). */
static void expect_release_failed(int fd, int barrier, uint64_t failed)
{
	struct dmtcp_msg m;

	expect_msg(fd, DMTCP_MSG_BARRIER_RELEASE, &m);
	assert_int_equal(m.arg0, barrier);
	assert_int_equal(m.arg1, failed);
}

/* Barriers from..REFILLED of fd, each released with `failed`. */
static void pass_barriers_failed(int fd, int from, uint64_t failed)
{
	for (int bar = from; bar <= DMTCP_BAR_REFILLED; bar++) {
		send_msg(fd, DMTCP_MSG_BARRIER, bar, 0, NULL, 0);
		expect_release_failed(fd, bar, failed);
	}
}

/* Workers a (pid) and b (pid + 1) and a blocking checkpoint asked for
 * by a command connection (returned); a has got DO_CHECKPOINT. */
static int bckpt_two(uint32_t pid, int *a, int *b)
{
	struct dmtcp_msg m;
	int bc;

	two_workers(pid, a, b);
	bc = hello(DMTCP_MSG_HELLO_COMMAND, secret, 1, "cmd", 0, NULL, 0, 0);
	send_msg(bc, DMTCP_MSG_COMMAND, DMTCP_CMD_BCHECKPOINT, 0, NULL, 0);
	assert_int_equal(recv_msg(*a, &m), 0);
	assert_int_equal(m.type, DMTCP_MSG_DO_CHECKPOINT);
	return bc;
}

/* The restart script of the checkpoint directory does not exist. */
static int no_script(void)
{
	char script[PATH_MAX + 64];
	struct stat st;

	snprintf(script, sizeof(script), "%s/dmtcp_restart_script.sh",
		 ckptdir);
	return lstat(script, &st) < 0 && errno == ENOENT;
}

/* Killed while frozen: the checkpoint fails, naming it; no script. */
static void test_worker_lost_after_suspend(void **state)
{
	struct dmtcp_msg m;
	int a, b, bc;

	(void)state;
	bc = bckpt_two(300, &a, &b);
	assert_int_equal(recv_msg(b, &m), 0);
	send_msg(a, DMTCP_MSG_BARRIER, DMTCP_BAR_SUSPENDED, 0, NULL, 0);
	send_msg(b, DMTCP_MSG_BARRIER, DMTCP_BAR_SUSPENDED, 0, NULL, 0);
	expect_release_failed(a, DMTCP_BAR_SUSPENDED, 0);
	close(b);
	pass_barriers_failed(a, DMTCP_BAR_FD_LEADER_ELECTION, 1);
	expect_msg(bc, DMTCP_MSG_REPLY, &m);
	assert_int_equal(m.arg0, DMTCP_REPLY_ERROR);
	assert_non_null(strstr(payload, "FAILED=2 b pid 301: the process was "
			       "lost during checkpoint 1"));
	assert_non_null(strstr(payload, "NUM_IMAGES=0\n"));
	assert_null(strstr(payload, "IMAGE=/"));
	close(bc);
	assert_true(no_script());
	status_has("RUNNING=yes\n", "LAST_CKPT_TIME=\n", NULL);
	close(a);
}

/*
 * One worker never answers: after 1 s the checkpoint fails naming it;
 * until it comes through that checkpoint (its barriers released at once,
 * failed) no checkpoint starts; then one does.
 */
static void test_worker_not_answering(void **state)
{
	struct dmtcp_msg m;
	int a, b, bc;

	(void)state;
	bc = bckpt_two(400, &a, &b);
	send_msg(a, DMTCP_MSG_BARRIER, DMTCP_BAR_SUSPENDED, 0, NULL, 0);
	assert_true(quiet_for(a, 300));
	expect_release_failed(a, DMTCP_BAR_SUSPENDED, 1);	/* after 1 s */
	pass_barriers_failed(a, DMTCP_BAR_FD_LEADER_ELECTION, 1);
	assert_int_equal(recv_msg(bc, &m), 0);
	assert_int_equal(m.arg0, DMTCP_REPLY_ERROR);
	assert_non_null(strstr(payload, "FAILED=2 b pid 401: did not answer "
			       "within 1 s (suspend barrier"));
	close(bc);
	assert_true(no_script());
	status_has("RUNNING=no\n", NULL);
	assert_int_equal(command(DMTCP_CMD_CHECKPOINT, 0), DMTCP_REPLY_BUSY);
	assert_non_null(strstr(payload, "(b pid 401) has not answered"));
	/* b wakes up: it goes through checkpoint 1 alone, told it failed */
	expect_msg(b, DMTCP_MSG_DO_CHECKPOINT, &m);
	pass_barriers_failed(b, DMTCP_BAR_SUSPENDED, 1);
	status_has("RUNNING=yes\n", NULL);
	assert_int_equal(command(DMTCP_CMD_CHECKPOINT, 0), DMTCP_REPLY_OK);
	assert_non_null(strstr(payload, "GENERATION=2\n"));
	close(a);
	close(b);
}

static void test_restart(void **state)
{
	struct dmtcp_welcome w;
	struct dmtcp_msg m;
	int a, b, c;

	(void)state;
	a = worker(300, "a", DMTCP_HELLO_RESTART, "comp-xyz", 4, 2, &w);
	assert_string_equal(w.comp_id, "comp-xyz");
	assert_int_equal(w.generation, 4);
	send_msg(a, DMTCP_MSG_BARRIER, DMTCP_BAR_RESTARTED, 0, NULL, 0);
	/* only one of two processes is back */
	assert_true(quiet_for(a, 100));
	assert_int_equal(command(DMTCP_CMD_CHECKPOINT, 0), DMTCP_REPLY_BUSY);
	/* another computation cannot join this restart */
	c = hello(DMTCP_MSG_HELLO_WORKER, secret, 302, "c",
		  DMTCP_HELLO_RESTART, "other-comp", 1, 1);
	expect_msg(c, DMTCP_MSG_REFUSE, &m);
	close(c);
	b = worker(301, "b", DMTCP_HELLO_RESTART, "comp-xyz", 4, 2, NULL);
	send_msg(b, DMTCP_MSG_BARRIER, DMTCP_BAR_RESTARTED, 0, NULL, 0);
	expect_release(a, DMTCP_BAR_RESTARTED);
	expect_release(b, DMTCP_BAR_RESTARTED);
	send_msg(a, DMTCP_MSG_BARRIER, DMTCP_BAR_RESTART_REFILLED, 0, NULL, 0);
	assert_true(quiet_for(a, 50));
	send_msg(b, DMTCP_MSG_BARRIER, DMTCP_BAR_RESTART_REFILLED, 0, NULL, 0);
	expect_release(a, DMTCP_BAR_RESTART_REFILLED);
	expect_release(b, DMTCP_BAR_RESTART_REFILLED);
	status_has("COMPUTATION=comp-xyz\n", "GENERATION=4\n", "RUNNING=yes\n",
		   NULL);

	/* live computation: restarting another one here is refused */
	c = hello(DMTCP_MSG_HELLO_WORKER, secret, 303, "c",
		  DMTCP_HELLO_RESTART, "other-comp", 1, 1);
	expect_msg(c, DMTCP_MSG_REFUSE, &m);
	assert_non_null(strstr(payload, "comp-xyz"));
	close(c);

	/* next checkpoint continues the generation count */
	assert_int_equal(command(DMTCP_CMD_CHECKPOINT, 0), DMTCP_REPLY_OK);
	expect_msg(a, DMTCP_MSG_DO_CHECKPOINT, &m);
	assert_int_equal(m.arg0, 5);
	close(a);
	close(b);
}

static void test_restart_late_joiner(void **state)
{
	int a, b;

	(void)state;
	/* num_peers says 1, but two processes come back */
	a = worker(310, "a", DMTCP_HELLO_RESTART, "comp-late", 2, 1, NULL);
	send_msg(a, DMTCP_MSG_BARRIER, DMTCP_BAR_RESTARTED, 0, NULL, 0);
	expect_release(a, DMTCP_BAR_RESTARTED);
	b = worker(311, "b", DMTCP_HELLO_RESTART, "comp-late", 2, 1, NULL);
	send_msg(a, DMTCP_MSG_BARRIER, DMTCP_BAR_RESTART_REFILLED, 0, NULL, 0);
	send_msg(b, DMTCP_MSG_BARRIER, DMTCP_BAR_RESTARTED, 0, NULL, 0);
	expect_release(b, DMTCP_BAR_RESTARTED);
	assert_true(quiet_for(a, 50));
	send_msg(b, DMTCP_MSG_BARRIER, DMTCP_BAR_RESTART_REFILLED, 0, NULL, 0);
	expect_release(a, DMTCP_BAR_RESTART_REFILLED);
	expect_release(b, DMTCP_BAR_RESTART_REFILLED);
	status_has("NUM_PEERS=2\n", "RUNNING=yes\n", NULL);
	close(a);
	close(b);
}

static void test_kill(void **state)
{
	struct dmtcp_msg m;
	int a, k;

	(void)state;
	a = worker(400, "a", 0, NULL, 0, 0, NULL);
	k = hello(DMTCP_MSG_HELLO_COMMAND, secret, 1, "cmd", 0, NULL, 0, 0);
	send_msg(k, DMTCP_MSG_COMMAND, DMTCP_CMD_KILL, 0, NULL, 0);
	expect_msg(a, DMTCP_MSG_KILL, &m);
	/* the reply waits until the worker is gone */
	assert_true(quiet_for(k, 100));
	close(a);
	expect_msg(k, DMTCP_MSG_REPLY, &m);
	assert_int_equal(m.arg0, DMTCP_REPLY_OK);
	close(k);
	status_has("NUM_PEERS=0\n", NULL);
}

/* --kill: every worker stops first (FREEZE, KILL_READY), then all die
   together (NOW); nobody gets NOW before the last one is stopped. */
static void test_kill_two_steps(void **state)
{
	struct dmtcp_msg m;
	int a, b, k;

	(void)state;
	two_workers(410, &a, &b);
	k = hello(DMTCP_MSG_HELLO_COMMAND, secret, 1, "cmd", 0, NULL, 0, 0);
	send_msg(k, DMTCP_MSG_COMMAND, DMTCP_CMD_KILL, 0, NULL, 0);
	expect_msg(a, DMTCP_MSG_KILL, &m);
	assert_int_equal(m.arg0, DMTCP_KILL_FREEZE);
	assert_int_equal(recv_msg(b, &m), 0);
	assert_int_equal(m.arg0, DMTCP_KILL_FREEZE);
	send_msg(a, DMTCP_MSG_KILL_READY, 0, 0, NULL, 0);
	assert_true(quiet_for(a, 100));		/* b has not stopped yet */
	send_msg(b, DMTCP_MSG_KILL_READY, 0, 0, NULL, 0);
	expect_msg(a, DMTCP_MSG_KILL, &m);
	assert_int_equal(m.arg0, DMTCP_KILL_NOW);
	assert_int_equal(recv_msg(b, &m), 0);
	assert_int_equal(m.arg0, DMTCP_KILL_NOW);
	close(a);
	close(b);
	expect_msg(k, DMTCP_MSG_REPLY, &m);
	assert_int_equal(m.arg0, DMTCP_REPLY_OK);
	close(k);
}

/* A connection made for a process about to be created counts from its
   hello on (a checkpoint waits for it), takes the name its WORKER_UPDATE
   gives, and is asked to retry while a checkpoint is in progress. */
static void test_prejoin(void **state)
{
	struct dmtcp_msg m;
	struct dmtcp_hello h;
	int a, p, late;

	(void)state;
	a = worker(420, "parent", 0, NULL, 0, 0, NULL);
	p = worker(420, "parent", DMTCP_HELLO_PREJOIN, NULL, 0, 0, NULL);
	status_has("NUM_PEERS=2\n", NULL);
	memset(&h, 0, sizeof(h));
	h.pid = 421;
	snprintf(h.progname, sizeof(h.progname), "child");
	snprintf(h.hostname, sizeof(h.hostname), "testhost");
	send_msg(p, DMTCP_MSG_WORKER_UPDATE, 0, 0, &h, sizeof(h));
	assert_int_equal(command(DMTCP_CMD_LIST, 0), DMTCP_REPLY_OK);
	assert_non_null(strstr(payload, "child"));
	assert_non_null(strstr(payload, "421"));
	/* a checkpoint includes it */
	assert_int_equal(command(DMTCP_CMD_CHECKPOINT, 0), DMTCP_REPLY_OK);
	expect_msg(a, DMTCP_MSG_DO_CHECKPOINT, &m);
	expect_msg(p, DMTCP_MSG_DO_CHECKPOINT, &m);
	/* while it is in progress, another creation waits */
	late = hello(DMTCP_MSG_HELLO_WORKER, secret, 420, "parent",
		     DMTCP_HELLO_PREJOIN, NULL, 0, 0);
	expect_msg(late, DMTCP_MSG_REFUSE, &m);
	assert_true(m.flags & DMTCP_REFUSE_RETRY);
	close(late);
	close(a);
	close(p);
}

static void test_junk_drops_only_sender(void **state)
{
	struct dmtcp_msg m;
	int a, j, v, big, silent;

	(void)state;
	a = worker(500, "a", 0, NULL, 0, 0, NULL);
	j = coord_connect("127.0.0.1", coord_port, WAIT_MS);
	assert_int_equal(util_write_all(j, "GET / HTTP/1.0\r\n\r\n", 18), 0);
	v = coord_connect("127.0.0.1", coord_port, WAIT_MS);
	dmtcp_msg_init(&m, DMTCP_MSG_BARRIER);
	m.version = 99;
	assert_int_equal(util_write_all(v, &m, sizeof(m)), 0);
	big = coord_connect("127.0.0.1", coord_port, WAIT_MS);
	dmtcp_msg_init(&m, DMTCP_MSG_HELLO_WORKER);
	m.payload_len = DMTCP_MSG_MAX_PAYLOAD + 1;
	assert_int_equal(util_write_all(big, &m, sizeof(m)), 0);
	silent = coord_connect("127.0.0.1", coord_port, WAIT_MS);
	/* each junk sender is disconnected */
	assert_int_equal(recv_msg(j, &m), -1);
	assert_int_equal(recv_msg(v, &m), -1);
	assert_int_equal(recv_msg(big, &m), -1);
	/* the coordinator still answers, and the worker is still there */
	status_has("NUM_PEERS=1\n", NULL);
	/* a worker sending garbage after its hello is dropped too */
	assert_int_equal(util_write_all(a, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
					"xxxxxxxxxxxxxxxxx", 48), 0);
	assert_int_equal(recv_msg(a, &m), -1);
	status_has("NUM_PEERS=0\n", NULL);
	close(j);
	close(v);
	close(big);
	close(silent);
	close(a);
}


/* A command connection that sent a plugin-service message. */
static int service(uint16_t type, uint64_t a0, uint64_t a1, const void *pl,
		   size_t len)
{
	int fd = hello(DMTCP_MSG_HELLO_COMMAND, secret, getpid(), "plugin", 0,
		       NULL, 0, 0);

	send_msg(fd, type, a0, a1, pl, len);
	return fd;
}

static void kv_put(const char *db, const char *key, const char *val)
{
	char buf[256];
	size_t n = strlen(db) + 1, k = strlen(key), v = strlen(val);
	struct dmtcp_msg m;
	int fd;

	memcpy(buf, db, n);
	memcpy(buf + n, key, k);
	memcpy(buf + n + k, val, v);
	fd = service(DMTCP_MSG_KV_PUT, k, v, buf, n + k + v);
	expect_msg(fd, DMTCP_MSG_REPLY, &m);
	assert_int_equal(m.arg0, DMTCP_REPLY_OK);
	close(fd);
}

/* 1 and the value in payload if found, 0 if not. */
static int kv_get(const char *db, const char *key)
{
	char buf[256];
	size_t n = strlen(db) + 1, k = strlen(key);
	struct dmtcp_msg m;
	int fd;

	memcpy(buf, db, n);
	memcpy(buf + n, key, k);
	fd = service(DMTCP_MSG_KV_GET, k, 0, buf, n + k);
	assert_int_equal(recv_msg(fd, &m), 0);
	close(fd);
	assert_int_equal(m.type, DMTCP_MSG_KV_VALUE);
	if (m.arg0)
		payload[m.payload_len] = 0;
	return (int)m.arg0;
}

static void test_plugin_services(void **state)
{
	struct dmtcp_msg m;
	int a, b, ba, bb, bad;

	(void)state;
	a = worker(200, "a.out", 0, NULL, 0, 0, NULL);
	b = worker(201, "b.out", 0, NULL, 0, 0, NULL);
	/* key-value: databases are separate, values are replaced */
	kv_put("db1", "k", "one");
	kv_put("db2", "k", "two");
	assert_int_equal(kv_get("db1", "k"), 1);
	assert_string_equal(payload, "one");
	kv_put("db1", "k", "uno");
	assert_int_equal(kv_get("db1", "k"), 1);
	assert_string_equal(payload, "uno");
	assert_int_equal(kv_get("db2", "k"), 1);
	assert_string_equal(payload, "two");
	assert_int_equal(kv_get("db1", "missing"), 0);

	/* a barrier waits for both processes, other names do not count */
	ba = service(DMTCP_MSG_USER_BARRIER, 0, 0, "sync", 5);
	assert_true(quiet_for(ba, 200));
	bad = service(DMTCP_MSG_USER_BARRIER, 0, 0, "other", 6);
	assert_true(quiet_for(ba, 200));
	bb = service(DMTCP_MSG_USER_BARRIER, 0, 0, "sync", 5);
	expect_msg(ba, DMTCP_MSG_REPLY, &m);
	expect_msg(bb, DMTCP_MSG_REPLY, &m);
	assert_true(quiet_for(bad, 100));
	/* one process left: the other one alone completes the barrier */
	close(b);
	expect_msg(bad, DMTCP_MSG_REPLY, &m);
	close(ba);
	close(bb);
	close(bad);
	/* junk: a value longer than the payload drops only that client */
	bad = service(DMTCP_MSG_KV_PUT, 100, 100, "db\0k", 4);
	assert_true(recv_msg(bad, &m) < 0 || m.type == DMTCP_MSG_REFUSE);
	close(bad);
	assert_int_equal(kv_get("db2", "k"), 1);
	/* the database ends with the computation */
	close(a);
	for (int i = 0; i < 100; i++) {
		if (command(DMTCP_CMD_STATUS, 0) == DMTCP_REPLY_OK &&
		    strstr(payload, "NUM_PEERS=0\n"))
			break;
		usleep(10000);
	}
	assert_int_equal(kv_get("db2", "k"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_empty,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_wrong_secret,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_checkpoint,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_prepared_script,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_worker_dies_mid_checkpoint,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_worker_lost_after_suspend,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_worker_not_answering,
						start_coordinator_t1,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_restart,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_restart_late_joiner,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_kill, start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_kill_two_steps,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_prejoin,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_plugin_services,
						start_coordinator,
						stop_coordinator),
		cmocka_unit_test_setup_teardown(test_junk_drops_only_sender,
						start_coordinator,
						stop_coordinator),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
