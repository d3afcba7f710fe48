/*
 * restart.c - dmtcp_restart: check the images, make sure a coordinator
 * is there, then bring every image back as a process with its old pid
 * (see restart-ns.c) running mtcp_restart, and wait for them.
 *
 * Gzip images are inflated by a decoder child (forked before the
 * namespace exists, so it never takes a pid an image needs) that feeds
 * mtcp_restart the equivalent raw stream through a pipe; raw images are
 * read by mtcp_restart straight from the file.  An incremental image is
 * read with its chain of parents (img-chain.h): the decoder child then
 * writes the merged full image into the pipe.
 */
#include "config.h"
#include "restart.h"
#include "restart-pty.h"
#include "coord-client.h"
#include "coord-start.h"
#include "img.h"
#include "img-chain.h"
#include "log.h"
#include "util.h"
#include "dmtcp/fds.h"
#include "dmtcp/restore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RST_IMAGE_FD 1000	/* where mtcp_restart reads its image */
#define STR_(x) #x
#define STR(x) STR_(x)

static int rst_host_proc = -1;	/* the host's /proc (before unshare) */

struct image {
	char path[PATH_MAX];
	struct img_meta *meta;
	int fd;			/* what mtcp_restart reads */
	pid_t decoder;		/* gzip: the child writing into fd */
	pid_t pid;		/* inside the namespace */
	struct img_chain *chain;	/* an incremental image's chain */
};

/*
 * The image's metadata; for an incremental image, its chain opened (a
 * missing, replaced or corrupt parent stops the restart here) and the
 * metadata of the merged image the decoder child will stream.
 */
static int load_image(struct image *im, char *err, size_t errcap)
{
	if (img_load_meta(im->path, &im->meta, err, errcap) < 0)
		return -1;
	if (!(im->meta->hdr.flags & IMG_F_DELTA))
		return 0;
	img_free_meta(im->meta);
	im->meta = NULL;
	im->chain = img_chain_open(im->path, err, errcap);
	if (!im->chain)
		return -1;
	im->meta = img_chain_take_meta(im->chain);
	return 0;
}

/* the decoder child's work: the raw stream of the image into fd */
static int decode_image(const struct image *im, int fd, char *err,
			size_t errcap)
{
	if (im->chain)
		return img_chain_write(im->chain, fd, 0, err, errcap);
	return img_decode_to_fd(im->path, fd, err, errcap);
}

static int open_stream(struct image *im, char *err, size_t errcap)
{
	int p[2];

	if (!(im->meta->hdr.flags & IMG_F_GZIP) && !im->chain) {
		im->fd = open(im->path, O_RDONLY | O_CLOEXEC);
		if (im->fd < 0) {
			snprintf(err, errcap, "%s: %s", im->path,
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errcap, "pipe: %s", strerror(errno));
		return -1;
	}
	im->decoder = fork();
	if (im->decoder < 0) {
		snprintf(err, errcap, "fork: %s", strerror(errno));
		return -1;
	}
	if (im->decoder == 0) {
		char derr[1024];

		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		if (decode_image(im, p[1], derr, sizeof(derr)) < 0) {
			if (errno != EPIPE)
				fprintf(stderr, "dmtcp_restart: %s\n", derr);
			_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	im->fd = p[0];
	return 0;
}

/*
 * Our environment, NUL-separated, in a memfd at RST_ENV_FD: what
 * dmtcp_get_restart_env() reads in the restored process.
 */
static void rst_pass_env(void)
{
	extern char **environ;
	int fd = (int)syscall(SYS_memfd_create, "dmtcp-restart-env", 0);

	if (fd < 0)
		return;
	for (char **e = environ; e && *e; e++)
		if (write(fd, *e, strlen(*e) + 1) < 0)
			break;
	/* a copy at RST_ENV_FD, or nothing (the message says why) */
	if (dmtcp_place_fd(fd, RST_ENV_FD, "the restart environment") < 0 ||
	    fd != RST_ENV_FD)
		close(fd);
}

/*
 * The coordinator secret goes to mtcp_restart through a pipe at
 * RST_SECRET_FD: a command line (or an environment other users could
 * read) would show it in /proc to every user of the machine.  It is
 * far smaller than a pipe's buffer, so it is all written before the
 * exec.  0 or -1.
 */
static int pass_secret(const char *secret)
{
	size_t len = strlen(secret);
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if (util_write_all(p[1], secret, len) < 0 ||
	    dmtcp_place_fd(p[0], RST_SECRET_FD, "the coordinator secret's "
			   "pipe") < 0) {	/* dup2: not close-on-exec */
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (p[0] != RST_SECRET_FD)
		close(p[0]);
	close(p[1]);
	return 0;
}

static int exec_mtcp(struct image *im, const struct rst_opts *o,
		     const char *host, int port, const char *secret)
{
	char mtcp[PATH_MAX], fdstr[16], portstr[16], flags[16], peers[16];
	char stdio[16];
	const char *argv[200];
	int n = 0;

	if (util_find_file(mtcp, sizeof(mtcp), "mtcp_restart", NULL,
			   DMTCP_BINDIR "/mtcp_restart") < 0) {
		fprintf(stderr, "dmtcp_restart: cannot find mtcp_restart next "
			"to dmtcp_restart or in %s\n", DMTCP_BINDIR);
		return -1;
	}
	if (dmtcp_place_fd(im->fd, RST_IMAGE_FD, im->path) < 0)
		return -1;
	/* debugger modes: the host's /proc, before everything else closes */
	if ((o->gdb || o->stop) && rst_host_proc >= 0 &&
	    dmtcp_place_fd(rst_host_proc, RST_HOST_PROC_FD,
			   "the host's /proc") < 0)
		return -1;
	rst_place_pipes(im->meta);
	rst_pass_env();
	if (secret[0] && pass_secret(secret) < 0) {
		fprintf(stderr, "dmtcp_restart: %s: cannot pass the coordinator "
			"secret to mtcp_restart: %s\n", im->path,
			strerror(errno));
		return -1;
	}
	snprintf(fdstr, sizeof(fdstr), "%d", RST_IMAGE_FD);
	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(flags, sizeof(flags), "%d", RST_F_PIDNS | RST_F_DROP_CAPS |
		 (o->gdb || o->stop ? RST_F_GDB_STOP : 0));
	argv[n++] = "mtcp_restart";
	if (secret[0]) {	/* first: read and closed before anything */
		argv[n++] = "--secret-fd";
		argv[n++] = STR(RST_SECRET_FD);
	}
	if (fcntl(RST_STATUS_FD, F_GETFD) >= 0) {
		argv[n++] = "--status-fd";
		argv[n++] = STR(RST_STATUS_FD);
	}
	argv[n++] = "--fd";
	argv[n++] = fdstr;
	argv[n++] = "--image";
	argv[n++] = im->path;
	argv[n++] = "--flags";
	argv[n++] = flags;
	argv[n++] = "--coord-host";
	argv[n++] = host;
	argv[n++] = "--coord-port";
	argv[n++] = portstr;
	if (o->c.ckptdir) {
		static char abs[PATH_MAX];

		if (util_abspath(o->c.ckptdir, abs, sizeof(abs)) < 0)
			util_strlcpy(abs, o->c.ckptdir, sizeof(abs));
		argv[n++] = "--ckptdir";
		argv[n++] = abs;
	}
	if (o->debug)
		argv[n++] = "--debug";
	snprintf(peers, sizeof(peers), "%d", o->nimages);
	argv[n++] = "--num-peers";
	argv[n++] = peers;
	snprintf(stdio, sizeof(stdio), "%u", rst_prepared_stdio);
	argv[n++] = "--prepared-stdio";
	argv[n++] = stdio;
	if (o->gdb || o->stop) {
		argv[n++] = "--gdb-done";
		argv[n++] = rst_gdb_done_path(im->meta->proc.pid);
		if (fcntl(RST_HOST_PROC_FD, F_GETFD) >= 0) {
			argv[n++] = "--host-proc-fd";
			argv[n++] = "829";	/* RST_HOST_PROC_FD */
		}
	}
	n = rst_shm_args(argv, n, 200);
	n = rst_ipc_args(argv, n, 200);
	argv[n] = NULL;
	execv(mtcp, (char **)argv);
	fprintf(stderr, "dmtcp_restart: cannot run %s: %s\n", mtcp,
		strerror(errno));
	return -1;
}

/*
 * The restored process connects to the coordinator while its threads
 * are frozen (maybe inside malloc): give it an address it can use
 * without a name lookup.
 */
static const char *numeric_host(const char *host)
{
	static char num[NI_MAXHOST];
	struct addrinfo hints, *res = NULL;

	if (strcmp(host, "localhost") == 0)
		return host;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return host;
	if (getnameinfo(res->ai_addr, res->ai_addrlen, num, sizeof(num), NULL,
			0, NI_NUMERICHOST) != 0)
		util_strlcpy(num, host, sizeof(num));
	freeaddrinfo(res);
	return num;
}

/*
 * An image written with --skip-file-pages lacks the pages its mapped
 * files held: each such file must be the very one (device, inode, size,
 * modification time) for the restart to work.  0, or -1 naming the
 * first that is not.
 */
static int check_omitted_files(const struct img_meta *m, char *err,
			       size_t cap)
{
	for (size_t k = 0; k < m->nareas; k++) {
		const struct img_area *a = &m->areas[k].area;
		const char *path = m->areas[k].path;
		struct stat st;
		int gone;

		if (a->kind != IMG_AREA_FILE ||
		    !(a->flags & IMG_AF_FILE_PAGES_OMITTED))
			continue;
		gone = stat(path, &st) < 0;
		if (!gone && st.st_ino == a->inode &&
		    st.st_dev == a->dev && (uint64_t)st.st_size == a->file_size &&
		    st.st_mtim.tv_sec == a->mtime_sec &&
		    st.st_mtim.tv_nsec == a->mtime_nsec)
			continue;
		snprintf(err, cap, "%s was checkpointed with --skip-file-pages "
			 "and %s %s since: its pages are not in the image, so "
			 "it cannot be restarted (restart where that file is "
			 "unchanged, or checkpoint without --skip-file-pages)",
			 m->path, path, gone ? "is gone" : "changed");
		return -1;
	}
	return 0;
}

/*
 * The image processes this process started itself (init and the
 * stand-ins reap them): the image and the read end of the process's
 * status pipe (RST_STATUS_FD), where mtcp_restart says it is about to
 * jump into the restored process.
 */
struct started {
	pid_t pid;
	int img;
	int status_fd;
};
static struct started *started;
static size_t nstarted, capstarted;

static void track_started(pid_t pid, int img, int status_fd)
{
	if (nstarted == capstarted) {
		size_t cap = capstarted ? 2 * capstarted : 16;
		struct started *p = realloc(started, cap * sizeof(*p));

		if (!p) {
			if (status_fd >= 0)
				close(status_fd);
			return;
		}
		started = p;
		capstarted = cap;
	}
	started[nstarted].pid = pid;
	started[nstarted].img = img;
	started[nstarted++].status_fd = status_fd;
}

/* a new process (stand-in, image process) has none of its own yet */
static void forget_started(void)
{
	for (size_t k = 0; k < nstarted; k++)
		if (started[k].status_fd >= 0)
			close(started[k].status_fd);
	nstarted = 0;
}

static const char *sig_name(int sig, char *buf, size_t cap)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, cap, "SIG%s", abbrev);
	else
		snprintf(buf, cap, "%d", sig);
	return buf;
}

/* The signals of a crash (their default action dumps core). */
static int is_crash_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
	       sig == SIGFPE || sig == SIGABRT || sig == SIGSYS ||
	       sig == SIGTRAP || sig == SIGXCPU || sig == SIGXFSZ;
}

/*
 * Process p, which we started for an image, ended with status: a
 * restorer killed by a signal says nothing itself, so say it here,
 * naming the image.  Three cases: mtcp_restart had not jumped into the
 * restored process yet (no RST_STATUS_JUMP on the status channel); it
 * had, but the process still had mtcp_restart's name (comm), which its
 * main thread replaces with its own when it is restored: the restored
 * process died before it reached the program; or the program crashed
 * later.  1 if the restore itself failed (the first two).
 */
static int report_end(const struct image *ims, pid_t p, int status,
		      const char *comm)
{
	char name[32], b = 0;
	int jumped = 0, failed = 0, sig;
	size_t k;

	for (k = 0; k < nstarted && started[k].pid != p; k++)
		;
	if (k == nstarted)
		return 0;
	if (started[k].status_fd >= 0) {
		jumped = read(started[k].status_fd, &b, 1) == 1 &&
			 b == RST_STATUS_JUMP;
		close(started[k].status_fd);
	}
	if (WIFSIGNALED(status)) {
		sig = WTERMSIG(status);
		sig_name(sig, name, sizeof(name));
		if (!jumped) {
			fprintf(stderr, "dmtcp_restart: restoring %s: "
				"mtcp_restart died of signal %s\n",
				ims[started[k].img].path, name);
			failed = 1;
		} else if (!is_crash_signal(sig)) {
			/* e.g. dmtcp_command --kill: not a failure */
		} else if (strcmp(comm, "mtcp_restart") == 0) {
			fprintf(stderr, "dmtcp_restart: restoring %s: the "
				"restored process %d died of signal %s before "
				"it reached the program\n",
				ims[started[k].img].path, (int)p, name);
			failed = 1;
		} else {
			fprintf(stderr, "dmtcp_restart: %s: the restored "
				"process %d died of signal %s\n",
				ims[started[k].img].path, (int)p, name);
		}
	}
	started[k] = started[--nstarted];
	return failed;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/*
 * Create process i with its old pid as a child of the calling process,
 * give it its session and process group, let it create its own children
 * the same way (so parent/child relations are as before), then turn it
 * into mtcp_restart for its image.  Returns the child's pid or -1.
 */
static pid_t start_tree(struct image *ims, int n, int i,
			const struct rst_opts *o, const char *host, int port,
			const char *secret)
{
	const struct img_proc *p = &ims[i].meta->proc;
	int sp[2] = { -1, -1 };
	pid_t c;

	/* its status channel (RST_STATUS_FD): we keep the reading end.
	   A socket, so that mtcp_restart's MSG_NOSIGNAL write can never
	   leave a SIGPIPE pending for the restored process */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       0, sp) < 0)
		sp[0] = sp[1] = -1;
	c = rst_clone_with_pid(p->pid);
	if (c < 0) {
		fprintf(stderr, "dmtcp_restart: cannot create process with pid "
			"%d for %s: %s\n", (int)p->pid, ims[i].path,
			strerror(errno));
		if (sp[0] >= 0) {
			close(sp[0]);
			close(sp[1]);
		}
		return -1;
	}
	if (c > 0) {
		if (sp[1] >= 0)
			close(sp[1]);
		track_started(c, i, sp[0]);
		return c;
	}
	forget_started();
	if (sp[0] >= 0) {
		close(sp[0]);
		if (sp[1] != RST_STATUS_FD) {	/* dup2: not close-on-exec */
			if (dmtcp_place_fd(sp[1], RST_STATUS_FD,
					   "the status pipe") < 0)
				_exit(1);
			close(sp[1]);
		} else {
			fcntl(RST_STATUS_FD, F_SETFD, 0);
		}
	} else {
		close(RST_STATUS_FD);	/* our parent's, if any */
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (p->sid == p->pid) {
		setsid();
		/* before its children exist, so they share it */
		rst_pty_ctty(ims[i].meta);	/* restart-pty.c */
	} else if (p->pgid == p->pid) {
		/* a job of its own: keep the terminal if our group had it */
		int fg = isatty(0) && tcgetpgrp(0) == getpgrp();

		setpgid(0, 0);
		if (fg) {
			sigset_t ttou, old;

			sigemptyset(&ttou);
			sigaddset(&ttou, SIGTTOU);
			sigprocmask(SIG_BLOCK, &ttou, &old);
			tcsetpgrp(0, getpid());
			sigprocmask(SIG_SETMASK, &old, NULL);
		}
	}
	else if (p->pgid && setpgid(0, p->pgid) < 0)
		pr_debug("process %d: group %d: %s", (int)p->pid,
			 (int)p->pgid, strerror(errno));
	for (int k = 0; k < n; k++)
		if (k != i && ims[k].meta->proc.ppid == p->pid &&
		    start_tree(ims, n, k, o, host, port, secret) < 0)
			_exit(1);
	rst_ipc_zombies(p->pid);	/* its unreaped children */
	rst_keep_caps_across_exec();
	exec_mtcp(&ims[i], o, host, port, secret);
	_exit(127);
}

static int has_parent_image(struct image *ims, int n, int i)
{
	for (int k = 0; k < n; k++)
		if (k != i && ims[k].meta->proc.pid == ims[i].meta->proc.ppid)
			return 1;
	return 0;
}

/*
 * Terminal signals (SIGINT, SIGQUIT) that reach the namespace's init: it
 * passes them on to the restored processes whose process group is led
 * by a stand-in (an outside leader reproduced, "dmtcp:*"): the terminal's
 * process group, which they were in before, no longer contains them.
 * Processes in init's own group got the signal with it; groups the
 * restored processes made themselves (their own jobs) did not get it
 * before the checkpoint either.  The stand-ins ignore these signals.
 * The group, not the session, decides: when the session's leader could
 * not be reproduced (outside our pid namespace, sid 0, or its pid taken)
 * a stand-in group lives in init's session.
 */
static volatile sig_atomic_t init_got_sig;

static void init_on_signal(int sig)
{
	init_got_sig = sig;
}

/* Is the process group pgid led by one of our stand-ins? */
static int led_by_stand_in(pid_t pgid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pgid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return strncmp(comm, "dmtcp:", 6) == 0;
}

static void init_forward_signal(void)
{
	enum { MAX = 8192 };
	static pid_t to[MAX];
	pid_t mine = getpgrp();
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if (!init_got_sig)
		return;
	/* all targets first: a stand-in ends (and its group loses its
	   leader) as soon as the process it waits for dies of the signal */
	d = opendir("/proc");	/* the namespace's own (rst_mount_proc) */
	while (d && (e = readdir(d)) && n < MAX) {
		pid_t pid = (pid_t)atoi(e->d_name), pgid;

		if (pid <= 1)
			continue;
		pgid = getpgid(pid);
		if (pgid > 1 && pgid != mine && led_by_stand_in(pgid))
			to[n++] = pid;
	}
	if (d)
		closedir(d);
	pr_debug("passing signal %d on to %zu processes in the stand-ins' "
		 "process groups", (int)init_got_sig, n);
	for (size_t i = 0; i < n; i++)
		kill(to[i], init_got_sig);
	init_got_sig = 0;
}

/*
 * Reap every child until none is left; the status of `first`.  SIGCHLD
 * and the terminal signals are blocked and taken with sigwaitinfo, so a
 * signal that comes between two waits is not lost (with a handler and a
 * blocking waitpid it could land just before the wait and sleep there).
 */
/*
 * waitpid(-1, status, WNOHANG), but the ended process's name (comm) is
 * read while it is still a zombie: a restored process takes back its
 * own name when its main thread is restored, so "mtcp_restart" means
 * it died before it got back to the program.
 */
static pid_t reap_one(int *status, char *comm, size_t cap)
{
	char path[64];
	siginfo_t si;
	ssize_t n;

	comm[0] = 0;
	memset(&si, 0, sizeof(si));
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return -1;
	if (si.si_pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)si.si_pid);
	n = util_read_small(AT_FDCWD, path, comm, cap);
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = 0;
	return waitpid(si.si_pid, status, 0);
}

static int reap_all(pid_t first, const struct image *ims)
{
	int first_status = -1, first_failed = 0;
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, &old);
	signal(SIGCHLD, SIG_DFL);	/* an inherited SIG_IGN reaps for us */
	if (getpid() == 1)
		init_forward_signal();	/* one that came before */
	for (;;) {
		char comm[32];
		int status, sig;
		pid_t p;

		while ((p = reap_one(&status, comm, sizeof(comm))) > 0) {
			pr_debug("process %d ended: status %#x", (int)p,
				 status);
			if (report_end(ims, p, status, comm) && p == first)
				first_failed = 1;
			if (p == first)
				first_status = status;
		}
		if (p < 0 && errno == ECHILD)
			break;		/* everyone is gone */
		sig = sigwaitinfo(&set, NULL);
		if ((sig == SIGINT || sig == SIGQUIT) && getpid() == 1) {
			init_got_sig = sig;
			init_forward_signal();
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (first_failed)
		return 1;	/* the restore failed: said above */
	return first_status < 0 ? 1 : exit_code(first_status);
}

static int has_image_pid(struct image *ims, int n, pid_t pid)
{
	for (int k = 0; k < n; k++)
		if ((pid_t)ims[k].meta->proc.pid == pid)
			return 1;
	return 0;
}

/* Leaders outside the computation that stand-ins must reproduce. */
struct outside {
	pid_t ppid;	/* the parent */
	pid_t sid;	/* session leader, 0: none to make */
	pid_t pgid;	/* group leader (not the session's), 0: none */
};

/*
 * A stand-in for the parent a process had outside the computation (the
 * shell that started it), with that parent's pid, so the restored
 * process's getppid() is what it was.  It starts those processes and
 * reaps them, then ends with the first one's status.  When the session
 * or the process group of those processes was led from outside too, the
 * parent's stand-in runs under stand-ins for these leaders (same pids,
 * setsid/setpgid), so getsid() and getpgrp() read as before.
 */
static pid_t start_stand_in(struct image *ims, int n,
			    const struct outside *out, int level,
			    const struct rst_opts *o, const char *host,
			    int port, const char *secret)
{
	pid_t ppid = out->ppid, want, g, first = -1;

	if (level == 0 && out->sid && out->sid != ppid)
		want = out->sid;		/* the session's leader */
	else if (level <= 1 && out->pgid && out->pgid != ppid)
		want = out->pgid, level = 1;	/* the group's leader */
	else
		want = ppid, level = 2;		/* the parent */
	g = rst_clone_with_pid(want);
	if (g < 0 && level < 2) {
		pr_debug("stand-in for leader %d: %s", (int)want,
			 strerror(errno));
		return start_stand_in(ims, n, out, level + 1, o, host, port,
				      secret);
	}
	if (g != 0)
		return g;	/* parent (or -1: pid taken; caller copes) */
	forget_started();
	signal(SIGINT, SIG_IGN);	/* init's handler is not ours */
	signal(SIGQUIT, SIG_IGN);
	if (level == 0) {
		prctl(PR_SET_NAME, "dmtcp:session");
		setsid();
	} else if (level == 1) {
		prctl(PR_SET_NAME, "dmtcp:group");
		setpgid(0, 0);
	} else {
		prctl(PR_SET_NAME, "dmtcp:parent");
		if (out->sid == ppid)
			setsid();
		else if (out->pgid == ppid)
			setpgid(0, 0);
	}
	if (level < 2) {
		first = start_stand_in(ims, n, out, level + 1, o, host, port,
				       secret);
		if (first < 0)
			_exit(1);
	} else {
		for (int i = 0; i < n; i++) {
			pid_t c;

			if ((pid_t)ims[i].meta->proc.ppid != ppid ||
			    has_parent_image(ims, n, i))
				continue;
			c = start_tree(ims, n, i, o, host, port, secret);
			if (c < 0)
				_exit(1);
			if (first < 0)
				first = c;
		}
	}
	rst_close_pipes();
	for (int i = 0; i < n; i++)
		close(ims[i].fd);
	_exit(reap_all(first, ims));
}

/*
 * The outside leaders of the processes whose parent ppid is outside.  On
 * a terminal the restored processes stay in the terminal's session (job
 * control and Ctrl+C keep working there), so only the parent is made.
 */
static void outside_leaders(struct image *ims, int n, int root, pid_t ppid,
			    struct outside *out)
{
	const struct img_proc *p = &ims[root].meta->proc;

	memset(out, 0, sizeof(*out));
	out->ppid = ppid;
	if (isatty(0) || getenv("DMTCP_RESTART_TERMINAL_SESSION"))
		return;
	if (p->sid > 1 && (pid_t)p->sid != (pid_t)p->pid &&
	    !has_image_pid(ims, n, p->sid))
		out->sid = p->sid;
	if (p->pgid > 1 && (pid_t)p->pgid != (pid_t)p->pid &&
	    p->pgid != p->sid && !has_image_pid(ims, n, p->pgid))
		out->pgid = p->pgid;
}

/*
 * pid 1 of the namespace: start the process trees (under stand-ins for
 * parents outside the computation), reap everything (orphans come to
 * us), exit with the status of the first tree.
 */
static int run_init(struct image *ims, int n, const struct rst_opts *o,
		    const char *host, int port, const char *secret)
{
	pid_t first = -1;

	rst_mount_proc();
	/* the restored processes decide; those in other sessions get
	   what reaches us (reap_all) */
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = init_on_signal;	/* no SA_RESTART */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGQUIT, &sa, NULL);
	}
	for (int i = 0; i < n; i++) {
		pid_t ppid = ims[i].meta->proc.ppid, c = -1;
		int done = 0;

		if (has_parent_image(ims, n, i))
			continue;
		for (int k = 0; k < i; k++)	/* a sibling's stand-in */
			if (!has_parent_image(ims, n, k) &&
			    (pid_t)ims[k].meta->proc.ppid == ppid)
				done = 1;
		if (done)
			continue;
		if (ppid > 1) {
			struct outside out;

			outside_leaders(ims, n, i, ppid, &out);
			c = start_stand_in(ims, n, &out, 0, o, host, port,
					   secret);
		}
		if (c < 0) {
			/* no stand-in: the process becomes our child */
			if (ppid > 1)
				pr_warn("pid %d (parent of %s) is not "
					"available: getppid() will be 1",
					(int)ppid, ims[i].path);
			for (int k = i; k < n; k++) {
				if (has_parent_image(ims, n, k) ||
				    (pid_t)ims[k].meta->proc.ppid != ppid)
					continue;
				c = start_tree(ims, n, k, o, host, port, secret);
				if (c < 0)
					return 1;
				if (first < 0)
					first = c;
			}
			continue;
		}
		if (first < 0)
			first = c;
	}
	for (int i = 0; i < n; i++)
		close(ims[i].fd);
	rst_close_pipes();
	return reap_all(first, ims);
}

int main(int argc, char **argv)
{
	struct rst_opts o;
	struct image *ims;
	struct img_meta **metas;
	char err[2048], secret[128] = "";
	const char *host;
	int port, rc, status, hostproc, target = -1;
	pid_t init, *vpids;
	char **progs;
	long *hostpids;

	rc = rst_parse_opts(argc, argv, &o, err, sizeof(err));
	rc = copt_report("dmtcp_restart", rst_usage, rc, err, &o.c, 1);
	if (rc >= 0)
		return rc;
	if (copt_apply_tmpdir(&o.c, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmtcp_restart: %s\n", err);
		return 1;
	}
	if (o.debug)
		setenv("DMTCP_DEBUG", "1", 1);
	log_init("dmtcp_restart");

	ims = calloc(o.nimages, sizeof(*ims));
	if (!ims)
		return 1;
	for (int i = 0; i < o.nimages; i++) {
		if (util_abspath(o.images[i], ims[i].path,
				 sizeof(ims[i].path)) < 0 ||
		    load_image(&ims[i], err, sizeof(err)) < 0 ||
		    /* every field mtcp_restart will use, before anything
		       starts (mtcp_restart checks them again itself) */
		    img_check_restore(ims[i].meta, err, sizeof(err)) < 0 ||
		    check_omitted_files(ims[i].meta, err, sizeof(err)) < 0) {
			fprintf(stderr, "dmtcp_restart: %s\n", err);
			return 1;
		}
		for (int j = 0; j < i; j++)
			if (ims[j].meta->proc.pid == ims[i].meta->proc.pid) {
				fprintf(stderr, "dmtcp_restart: %s and %s are "
					"both process %d; restart one of them\n",
					ims[j].path, ims[i].path,
					(int)ims[i].meta->proc.pid);
				return 1;
			}
	}

	/* the options, the environment, then where the image was */
	host = copt_coord_host(&o.c, ims[0].meta->proc.coord_host);
	port = copt_coord_port(&o.c, ims[0].meta->proc.coord_port, err,
			       sizeof(err));
	if (port < 0) {
		fprintf(stderr, "dmtcp_restart: %s\n", err);
		return 1;
	}
	if (coord_ensure(host, &port, o.c.mode, (int)o.c.interval,
			 o.c.ckptdir, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmtcp_restart: %s\n", err);
		return 1;
	}
	host = numeric_host(host);
	coord_get_secret(port, secret, sizeof(secret));

	for (int i = 0; i < o.nimages; i++)
		if (open_stream(&ims[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "dmtcp_restart: %s\n", err);
			return 1;
		}
	/* fix the path now: all below use it */
	if ((o.gdb || o.stop) && !rst_gdb_done_path(ims[0].meta->proc.pid)) {
		fprintf(stderr, "dmtcp_restart: --gdb/--stop need the private "
			"state directory under %s\n", util_tmpdir());
		return 1;
	}
	/* the process the debugger gets (--debug-pid), and every pid */
	vpids = calloc(o.nimages, sizeof(*vpids));
	progs = calloc(o.nimages, sizeof(*progs));
	hostpids = calloc(o.nimages, sizeof(*hostpids));
	if (!vpids || !progs || !hostpids) {
		fprintf(stderr, "dmtcp_restart: out of memory\n");
		return 1;
	}
	for (int i = 0; i < o.nimages; i++) {
		vpids[i] = (pid_t)ims[i].meta->proc.pid;
		progs[i] = ims[i].meta->proc.progname;
		if (o.debug_pid && vpids[i] == atoi(o.debug_pid))
			target = i;
		if (o.gdb || o.stop)
			unlink(rst_gdb_done_path(vpids[i]));	/* stale */
	}
	if (o.debug_pid && target < 0) {
		fprintf(stderr, "dmtcp_restart: --debug-pid %s: no image of "
			"that process among the %d given\n", o.debug_pid,
			o.nimages);
		return 1;
	}
	if (target < 0)
		target = 0;
	/* the host's /proc, to find host pids once ours is the namespace's */
	hostproc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rst_host_proc = hostproc;
	metas = calloc(o.nimages, sizeof(*metas));
	for (int i = 0; metas && i < o.nimages; i++)
		metas[i] = ims[i].meta;
	if (!metas || rst_prepare_pipes(metas, o.nimages, err,
					sizeof(err)) < 0 ||
	    rst_prepare_shm(metas, o.nimages, err, sizeof(err)) < 0 ||
	    rst_ipc_load(metas, o.nimages, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmtcp_restart: %s\n", err);
		return 1;
	}
	if (rst_enter_namespace(err, sizeof(err)) < 0 ||
	    rst_ipc_create(err, sizeof(err)) < 0) {
		fprintf(stderr, "dmtcp_restart: %s\n", err);
		return 1;
	}
	init = fork();
	if (init < 0) {
		fprintf(stderr, "dmtcp_restart: fork: %s\n", strerror(errno));
		return 1;
	}
	if (init == 0)
		_exit(run_init(ims, o.nimages, &o, host, port, secret));
	for (int i = 0; i < o.nimages; i++)
		close(ims[i].fd);
	rst_close_pipes();
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (o.stop || o.gdb) {
		/* every process parked: their host pids, then a helper
		   that lets them go (restart-peers.c) */
		if (rst_write_pids_file(init, vpids, progs, o.nimages,
					hostproc, o.pidsfile, hostpids) == 0)
			rst_release_peers_later(vpids, hostpids,
						o.nimages, target, hostproc);
	}
	if (o.stop)
		rst_wait_for_debugger(init, vpids[target], hostpids[target],
				      hostproc, o.pidfile);
	if (o.gdb)
		rst_run_gdb(init, vpids[target],
			    ims[target].meta->proc.exe, o.gdb_args,
			    o.ngdb_args);
	/*
	 * Reap every child, not only init: the debugger modes' helper
	 * (restart-peers.c) lives in the computation's pid namespace, and
	 * init cannot finish leaving it while a zombie of ours is there.
	 */
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, 0);

		if (p == init) {
			status = st;
			break;
		}
		if (p < 0 && errno != EINTR)
			return 1;
	}
	if (o.stop || o.gdb)
		rst_peers_cleanup(vpids, o.nimages, target);
	for (int i = 0; i < o.nimages; i++)
		if (ims[i].decoder > 0)
			waitpid(ims[i].decoder, NULL, 0);
	for (int i = 0; i < o.nimages; i++) {
		img_free_meta(ims[i].meta);
		img_chain_close(ims[i].chain);
	}
	free(ims);
	free(vpids);
	free(progs);
	free(hostpids);
	return exit_code(status);
}
