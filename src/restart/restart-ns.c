/*
 * restart-ns.c - the pid namespace a restart runs in.
 *
 * A restarted process must see the same pid and tids as before, through
 * libc and through raw system calls.  dmtcp_restart creates a new user +
 * pid + mount namespace (allowed to ordinary users), maps the caller's
 * own uid/gid, becomes its init (pid 1), mounts a /proc that matches the
 * namespace, and creates each process with clone3's set_tid at its old
 * pid.  mtcp_restart and the restored library need CAP_CHECKPOINT_RESTORE
 * and CAP_SYS_ADMIN in that namespace to recreate threads with their old
 * tids and restore /proc/self/exe; they travel across execve as ambient
 * capabilities, and every thread puts back the capabilities it had at
 * checkpoint time before application code runs again.
 */
#include "config.h"
#include "restart.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

int rst_enter_namespace(char *err, size_t errcap)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	/* CLONE_NEWIPC: SysV objects and message queues get their old
	   ids and names there (restart-ipc.c) */
	if (unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS |
		    CLONE_NEWIPC) < 0) {
		snprintf(err, errcap,
			 "cannot create a user+pid+ipc namespace (%s): a "
			 "restarted process could not keep its pid. Check that "
			 "user "
			 "namespaces are enabled (sysctl "
			 "user.max_user_namespaces > 0, "
			 "kernel.apparmor_restrict_unprivileged_userns=0)",
			 strerror(errno));
		return -1;
	}
	if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		pr_debug("setgroups deny: %s", strerror(errno));
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) < 0) {
		snprintf(err, errcap, "cannot write uid_map: %s",
			 strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) < 0) {
		snprintf(err, errcap, "cannot write gid_map: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

void rst_mount_proc(void)
{
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		pr_debug("making / private: %s", strerror(errno));
		return;
	}
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		pr_debug("mounting /proc for the namespace: %s",
			 strerror(errno));
}

pid_t rst_clone_with_pid(pid_t pid)
{
	struct clone_args ca;

	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	ca.set_tid = (uint64_t)&pid;
	ca.set_tid_size = 1;
	return (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
}

int rst_keep_caps_across_exec(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	static const int caps[] = { CAP_SYS_ADMIN, CAP_CHECKPOINT_RESTORE,
				    CAP_SYS_RESOURCE };

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	d[0].inheritable = d[0].permitted;
	d[1].inheritable = d[1].permitted;
	if (syscall(SYS_capset, &h, d) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, caps[i], 0, 0)
		    < 0)
			pr_debug("ambient cap %d: %s", caps[i],
				 strerror(errno));
	return 0;
}
