/*
 * ckpt/init.c - the preload library's constructor: read the configuration
 * dmtcp_launch put in the environment, keep the restart range free,
 * install the checkpoint signal handler, join the coordinator and start
 * the checkpoint thread.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "image/image.h"
#include "image/dirty.h"
#include "fd/fd.h"
#include "plugin/plugin.h"
#include "log.h"
#include "base/sys.h"
#include "util.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>


static int reserve_range(void)
{
	void *p = mmap((void *)DMTCP_RESERVE_ADDR, DMTCP_RESERVE_LEN,
		       PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		       MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	if (p != (void *)DMTCP_RESERVE_ADDR) {	/* old kernel: hint only */
		munmap(p, DMTCP_RESERVE_LEN);
		errno = EEXIST;
		return -1;
	}
	return 0;
}

static void env_str(const char *name, char *dst, size_t cap,
		    const char *dflt)
{
	const char *v = getenv(name);

	util_strlcpy(dst, v && *v ? v : dflt, cap);
}

static void make_unique_id(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(dmtcp_cfg.unique_id, sizeof(dmtcp_cfg.unique_id),
		 "%08lx-%d-%lx", (unsigned long)gethostid() & 0xffffffffUL,
		 (int)getpid(), (unsigned long)ts.tv_sec);
}

static void read_config(void)
{
	char buf[PATH_MAX];
	const char *v;
	ssize_t n;
	char *slash;

	util_strlcpy(dmtcp_cfg.coord_host, util_coord_host(NULL),
		     sizeof(dmtcp_cfg.coord_host));
	dmtcp_cfg.coord_port = util_coord_port(-1);
	if (dmtcp_cfg.coord_port < 0)
		dmtcp_cfg.coord_port = 7779;
	env_str("DMTCP_COORD_SECRET", dmtcp_cfg.secret,
		sizeof(dmtcp_cfg.secret), "");
	if (!getcwd(buf, sizeof(buf)))
		strcpy(buf, ".");
	env_str("DMTCP_CHECKPOINT_DIR", dmtcp_cfg.ckpt_dir,
		sizeof(dmtcp_cfg.ckpt_dir), buf);
	if (dmtcp_cfg.ckpt_dir[0] != '/') {
		char abs[PATH_MAX];

		if (util_abspath(dmtcp_cfg.ckpt_dir, abs, sizeof(abs)) == 0)
			util_strlcpy(dmtcp_cfg.ckpt_dir, abs,
				     sizeof(dmtcp_cfg.ckpt_dir));
	}
	v = getenv("DMTCP_CKPTDIR_EXPLICIT");
	dmtcp_cfg.ckpt_dir_explicit = v && atoi(v) > 0;
	env_str("DMTCP_TMPDIR", dmtcp_cfg.tmpdir, sizeof(dmtcp_cfg.tmpdir),
		util_tmpdir());
	v = getenv("DMTCP_GZIP");
	dmtcp_cfg.gzip = !(v && strcmp(v, "0") == 0);
	v = getenv("DMTCP_GZIP_THREADS");
	dmtcp_cfg.gzip_threads = v && atoi(v) > 0 ? atoi(v) : 0;
	v = getenv("DMTCP_SKIP_FILE_PAGES");
	dmtcp_cfg.skip_file_pages = v && atoi(v) > 0;
	v = getenv("DMTCP_FORKED_CHECKPOINT");
	dmtcp_cfg.forked = !(v && strcmp(v, "0") == 0);
	v = getenv("DMTCP_INCREMENTAL");
	dmtcp_cfg.incremental = v && atoi(v) > 0;
	v = getenv("DMTCP_FULL_EVERY");
	dmtcp_cfg.full_every = v && atoi(v) > 0 ? atoi(v) : DMTCP_FULL_EVERY_DEFAULT;
	v = getenv("DMTCP_SIGCKPT");
	dmtcp_cfg.ckpt_signal = v ? atoi(v) : SIGUSR2;
	if (dmtcp_cfg.ckpt_signal <= 0 || dmtcp_cfg.ckpt_signal >= 65 ||
	    dmtcp_cfg.ckpt_signal == SIGKILL ||
	    dmtcp_cfg.ckpt_signal == SIGSTOP) {
		pr_warn("DMTCP_SIGCKPT=%s is not a usable signal; using %d",
			v, SIGUSR2);
		dmtcp_cfg.ckpt_signal = SIGUSR2;
	}
	v = getenv("DMTCP_UNIQUE_CKPT");
	dmtcp_cfg.unique_names = v ? atoi(v) > 0 : DMTCP_UNIQUE_CKPT_DEFAULT;
	v = getenv("DMTCP_TIMELINE");
	dmtcp_cfg.timeline = v && atoi(v) > 0;
	v = getenv("DMTCP_TIMELINE_KEEP");
	dmtcp_cfg.timeline_keep = v ? (uint32_t)strtoul(v, NULL, 10) : 0;
	v = getenv("DMTCP_INTERVAL_MS");
	dmtcp_cfg.interval_ms = v ? (uint32_t)strtoul(v, NULL, 10) : 0;
	v = getenv("DMTCP_START_USEC");
	dmtcp_cfg.start_usec = v ? strtoull(v, NULL, 10) : 0;
	if (!dmtcp_cfg.start_usec)
		dmtcp_cfg.start_usec = dmtcp_now_ns() / 1000;
	dmtcp_debuginfo_launched();

	n = readlink("/proc/self/exe", dmtcp_cfg.exe, sizeof(dmtcp_cfg.exe) - 1);
	dmtcp_cfg.exe[n > 0 ? n : 0] = 0;
	slash = strrchr(dmtcp_cfg.exe, '/');
	util_strlcpy(dmtcp_cfg.progname, slash ? slash + 1 : dmtcp_cfg.exe,
		     sizeof(dmtcp_cfg.progname));
	gethostname(dmtcp_cfg.hostname, sizeof(dmtcp_cfg.hostname) - 1);
	make_unique_id();
}

/*
 * fork(): the child is a new process of the same computation.  The
 * connection, the checkpoint thread and its state belong to the parent:
 * drop them and join the coordinator as a new worker with a thread of
 * our own.
 */
static __thread int fork_conn = -1;	/* prejoin.c, for the child */

void dmtcp_atfork_child_conn(int conn)
{
	int was_enabled = dmtcp_enabled;

	dmtcp_ckpt_atfork_child();
	dmtcp_prejoin_forked();
	dmtcp_enabled = 0;
	if (!was_enabled) {
		if (conn >= 0)
			close(conn);
		return;
	}
	make_unique_id();
	dmtcp_cfg.image_path[0] = 0;
	dmtcp_crash_tid = 0;
	dmtcp_debuginfo_launched();	/* a new process: no image yet */
	if ((conn < 0 || dmtcp_coord_adopt(conn) < 0) &&
	    dmtcp_coord_join(0) < 0)
		return;
	if (dmtcp_start_ckpt_thread() < 0) {
		pr_err("forked child %d: cannot start the checkpoint thread: %s",
		       (int)getpid(), strerror(errno));
		return;
	}
	dmtcp_enabled = 1;
	if (dmtcp_n_user_plugins)
		dmtcp_plugins_event(DMTCP_EVENT_ATFORK_CHILD, NULL, PLUG_USER);
}

void dmtcp_atfork_child(void)
{
	int conn = fork_conn;

	fork_conn = -1;
	dmtcp_atfork_child_conn(conn);
}

/* Runs last of the prepare handlers, right before the fork. */
static void atfork_prepare(void)
{
	if (dmtcp_enabled && dmtcp_n_user_plugins)
		dmtcp_plugins_event(DMTCP_EVENT_ATFORK_PREPARE, NULL,
				    PLUG_USER);
	fork_conn = dmtcp_prejoin();
}

static void atfork_parent(void)
{
	dmtcp_prejoin_end(fork_conn);
	fork_conn = -1;
	if (dmtcp_enabled && dmtcp_n_user_plugins)
		dmtcp_plugins_event(DMTCP_EVENT_ATFORK_PARENT, NULL,
				    PLUG_USER);
}

/* exit() while a forked checkpoint is written: wait for its verdict */
static void bg_exit_wait(void)
{
	dmtcp_bg_wait_idle();
}

static void at_exit(void)
{
	if (dmtcp_enabled && dmtcp_n_user_plugins)
		dmtcp_plugins_event(DMTCP_EVENT_EXIT, NULL, PLUG_USER);
}

/* Deliver INIT, and POST_EXEC when an exec of ours started us. */
static void plugins_start(void)
{
	const char *mark = getenv(DMTCP_EXEC_MARK);
	int exec_d = mark && *mark;

	if (mark)
		unsetenv(DMTCP_EXEC_MARK);
	if (!dmtcp_n_user_plugins)
		return;
	dmtcp_plugins_event(DMTCP_EVENT_INIT, NULL, PLUG_USER);
	if (exec_d) {
		DmtcpEventData_t d;

		memset(&d, 0, sizeof(d));
		d.postExec.serializationFd = -1;
		dmtcp_plugins_event(DMTCP_EVENT_POST_EXEC, &d, PLUG_USER);
	}
	atexit(at_exit);
}

/* $DMTCP_TMPDIR/dmtcp-$USER@$HOST/coord-<computation>: where a restarted
   computation says which coordinator it is using now. */
int dmtcp_coord_state_path(char *buf, size_t cap)
{
	char dir[512];
	const char *comp = dmtcp_cfg.comp_id[0] ? dmtcp_cfg.comp_id
						: getenv("DMTCP_COMP_ID");

	if (!comp || !*comp || strchr(comp, '/') ||
	    util_state_dir(dir, sizeof(dir)) < 0)
		return -1;
	return snprintf(buf, cap, "%s/coord-%s", dir, comp) < (int)cap ? 0 : -1;
}

/*
 * A process of a computation that was restarted with another
 * coordinator may have inherited the old address (shells keep their
 * own environment): prefer what the restarted computation published.
 */
static void coord_from_state_file(void)
{
	char path[PATH_MAX], line[512], host[256], secret[128] = "", why[160];
	int fd, port;
	ssize_t n;

	if (dmtcp_coord_state_path(path, sizeof(path)) < 0)
		return;
	/* it names a coordinator and its secret: only a file of ours */
	fd = safe_open_own(path, O_RDONLY, 0, why, sizeof(why));
	if (fd < 0) {
		if (errno == EPERM)
			pr_warn("ignoring %s: %s", path, why);
		return;
	}
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return;
	line[n] = 0;
	if (sscanf(line, "%255s %d %127s", host, &port, secret) < 2)
		return;
	util_strlcpy(dmtcp_cfg.coord_host, host, sizeof(dmtcp_cfg.coord_host));
	dmtcp_cfg.coord_port = port;
	if (secret[0])
		util_strlcpy(dmtcp_cfg.secret, secret, sizeof(dmtcp_cfg.secret));
	pr_debug("coordinator from %s: %s:%d", path, host, port);
}

__attribute__((constructor)) static void dmtcp_init(void)
{
	static int done;
	int conn;	/* made for us by the program that exec'd us */

	if (__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST))
		return;
	dmtcp_sentinel_inherited();	/* before we open anything */
	log_init("libdmtcp");
	dmtcp_my_pid = getpid();
	read_config();
	conn = dmtcp_prejoin_take_env();
	dmtcp_install_ckpt_handler();
	if (reserve_range() < 0) {
		pr_warn("address range %#lx-%#lx is in use in %s: this process "
			"cannot be checkpointed", DMTCP_RESERVE_ADDR,
			DMTCP_RESERVE_ADDR + DMTCP_RESERVE_LEN,
			dmtcp_cfg.progname);
		if (conn >= 0)
			close(conn);	/* the coordinator stops waiting */
		return;
	}
	pthread_atfork(atfork_prepare, atfork_parent, dmtcp_atfork_child);
	{
		struct dmtcp_config env_cfg = dmtcp_cfg;

		coord_from_state_file();
		if ((conn < 0 || dmtcp_coord_adopt(conn) < 0) &&
		    dmtcp_coord_join(0) < 0) {
			if (env_cfg.coord_port == dmtcp_cfg.coord_port &&
			    strcmp(env_cfg.coord_host, dmtcp_cfg.coord_host) == 0)
				return;
			/* stale file: try what the environment says */
			dmtcp_cfg = env_cfg;
			if (dmtcp_coord_join(0) < 0)
				return;
		}
	}
	/* children and exec'd programs know which computation they join */
	setenv("DMTCP_COMP_ID", dmtcp_cfg.comp_id, 1);
	/* before the checkpoint thread: a checkpoint may start at once (a
	   connection made for us before our exec is in it already), and
	   the internal plugins carry the fd barriers */
	dmtcp_internal_plugins_register();	/* ckpt/steps.c */
	dmtcp_plugins_load();
	if (dmtcp_start_ckpt_thread() < 0) {
		pr_err("cannot start the checkpoint thread: %s",
		       strerror(errno));
		return;
	}
	dmtcp_enabled = 1;
	atexit(bg_exit_wait);
	if (dmtcp_cfg.incremental) {
		/* not inside pr_debug: its arguments are not evaluated
		   without DMTCP_DEBUG */
		enum dirty_mech m = dirty_init();

		pr_debug("incremental images, dirty pages by %s",
			 dirty_mech_name(m));
	}
	dmtcp_install_crash_handlers();
	dmtcp_install_snapshot_signal();
	pr_debug("%s (pid %d) under checkpoint control, signal %d, dir %s",
		 dmtcp_cfg.progname, (int)getpid(), dmtcp_cfg.ckpt_signal,
		 dmtcp_cfg.ckpt_dir);
	plugins_start();
}

/* include/dmtcp.h: wrappers running before our constructor call this. */
__attribute__((visibility("default"))) void dmtcp_initialize(void)
{
	dmtcp_init();
}
