/*
 * wrap/api.c - the application API of include/dmtcp.h, as implemented by the
 * preload library (the header's weak references resolve to these).
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "plugin/plugin.h"
#include "log.h"
#include "base/sys.h"
#include "coord-client.h"
#include "dmtcp/protocol.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmtcp.h"
#undef dmtcp_is_enabled
#undef dmtcp_checkpoint
#undef dmtcp_checkpoint_tagged
#undef dmtcp_disable_ckpt
#undef dmtcp_enable_ckpt
#undef dmtcp_get_coordinator_status
#undef dmtcp_get_local_status
#undef dmtcp_get_ckpt_dir
#undef dmtcp_set_ckpt_dir
#undef dmtcp_get_ckpt_filename
#undef dmtcp_get_uniquepid_str
#undef dmtcp_get_coord_ckpt_dir

#define API __attribute__((visibility("default")))

extern volatile int dmtcp_ckpt_done_seq HIDDEN;

API int dmtcp_is_enabled(void)
{
	return dmtcp_enabled;
}

/* Send one command to our coordinator; fills reply text.  0 or -1. */
static int send_command(int cmd, uint64_t arg, char *reply, size_t cap,
			uint64_t *status)
{
	struct dmtcp_msg m;

	if (dmtcp_coord_call(DMTCP_MSG_COMMAND, cmd, arg, NULL, 0,
			     DMTCP_MSG_REPLY, &m, reply, cap, NULL) < 0)
		return -1;
	*status = m.type == DMTCP_MSG_REPLY ? m.arg0 : DMTCP_REPLY_ERROR;
	return 0;
}

/* A checkpoint of the computation asked by the program, with a tag. */
static int checkpoint_tagged(const char *tag)
{
	char reply[4096];
	uint64_t st;
	int seq = dmtcp_ckpt_done_seq;
	int restarts = dmtcp_num_restarts;
	struct dmtcp_msg m;
	size_t len = tag ? strlen(tag) : 0;

	if (!dmtcp_enabled)
		return DMTCP_NOT_PRESENT;
	if (len >= IMG_SNAP_TAG_MAX) {
		pr_warn("dmtcp_checkpoint_tagged: tag of %zu bytes, at most "
			"%d: no checkpoint", len, IMG_SNAP_TAG_MAX - 1);
		errno = EINVAL;
		return -1;
	}
	if (dmtcp_coord_call(DMTCP_MSG_COMMAND, DMTCP_CMD_CHECKPOINT,
			     IMG_SNAP_API, tag, len, DMTCP_MSG_REPLY, &m,
			     reply, sizeof(reply), NULL) < 0)
		st = DMTCP_REPLY_ERROR;
	else
		st = m.type == DMTCP_MSG_REPLY ? m.arg0 : DMTCP_REPLY_ERROR;
	if (st != DMTCP_REPLY_OK) {
		/*
		 * The checkpoint may have frozen us before the reply came:
		 * after a restart that connection is gone, yet the
		 * checkpoint we asked for happened.
		 */
		if (dmtcp_num_restarts != restarts)
			return DMTCP_AFTER_RESTART;
		if (dmtcp_ckpt_done_seq != seq)
			return DMTCP_AFTER_CHECKPOINT;
		pr_warn("dmtcp_checkpoint: the coordinator did not start a "
			"checkpoint");
		return -1;
	}
	while (dmtcp_ckpt_done_seq == seq)
		futex_wait(&dmtcp_ckpt_done_seq, seq);
	return dmtcp_num_restarts != restarts ? DMTCP_AFTER_RESTART
					      : DMTCP_AFTER_CHECKPOINT;
}

API int dmtcp_checkpoint(void)
{
	return checkpoint_tagged(NULL);
}

API int dmtcp_checkpoint_tagged(const char *tag)
{
	return checkpoint_tagged(tag);
}

API int dmtcp_disable_ckpt(void)
{
	if (!dmtcp_enabled)
		return DMTCP_NOT_PRESENT;
	return dmtcp_crit_enter();
}

API int dmtcp_enable_ckpt(void)
{
	if (!dmtcp_enabled)
		return DMTCP_NOT_PRESENT;
	return dmtcp_crit_leave();
}

API int dmtcp_get_coordinator_status(int *num_peers, int *is_running)
{
	char reply[4096];
	uint64_t st;
	char *p;

	if (!dmtcp_enabled)
		return DMTCP_NOT_PRESENT;
	*num_peers = 0;
	*is_running = 0;
	if (send_command(DMTCP_CMD_STATUS, 0, reply, sizeof(reply), &st) < 0)
		return -1;
	p = strstr(reply, "NUM_PEERS=");
	if (p)
		*num_peers = atoi(p + 10);
	p = strstr(reply, "RUNNING=");
	if (p)
		*is_running = strncmp(p + 8, "yes", 3) == 0;
	return DMTCP_IS_PRESENT;
}

API int dmtcp_get_local_status(int *num_checkpoints, int *num_restarts)
{
	if (!dmtcp_enabled)
		return DMTCP_NOT_PRESENT;
	*num_checkpoints = dmtcp_num_ckpts;
	*num_restarts = dmtcp_num_restarts;
	return DMTCP_IS_PRESENT;
}

API const char *dmtcp_get_ckpt_dir(void)
{
	return dmtcp_cfg.coord_ckpt_dir[0] ? dmtcp_cfg.coord_ckpt_dir
					   : dmtcp_cfg.ckpt_dir;
}

API int dmtcp_set_ckpt_dir(const char *dir)
{
	if (!dir || util_abspath(dir, dmtcp_cfg.ckpt_dir,
				 sizeof(dmtcp_cfg.ckpt_dir)) < 0)
		return -1;
	dmtcp_cfg.coord_ckpt_dir[0] = 0;
	return DMTCP_IS_PRESENT;
}

/* The image of the last checkpoint: after a forked checkpoint the
   program runs again before the image is committed; asked then, wait
   for the verdict (not on the checkpoint thread: a plugin's RUNNING
   hook gets the previous image) */
API const char *dmtcp_get_ckpt_filename(void)
{
	dmtcp_bg_wait_idle();
	return dmtcp_cfg.image_path[0] ? dmtcp_cfg.image_path : NULL;
}

API const char *dmtcp_get_uniquepid_str(void)
{
	return dmtcp_cfg.unique_id;
}

API uint32_t dmtcp_get_generation(void)
{
	return dmtcp_generation;
}

API int dmtcp_get_ckpt_signal(void)
{
	return dmtcp_cfg.ckpt_signal;
}

API const char *dmtcp_get_coord_ckpt_dir(void)
{
	return dmtcp_cfg.coord_ckpt_dir;
}

API const char *dmtcp_get_tmpdir(void)
{
	return dmtcp_cfg.tmpdir;
}

API const char *dmtcp_get_computation_id_str(void)
{
	return dmtcp_cfg.comp_id;
}

API const char *dmtcp_get_executable_path(void)
{
	return dmtcp_cfg.exe;
}

API int dmtcp_is_running_state(void)
{
	return dmtcp_running_state;
}

API int dmtcp_is_protected_fd(int fd)
{
	return fd >= DMTCP_FD_PROTECTED;
}

API void dmtcp_block_ckpt_signal(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, dmtcp_cfg.ckpt_signal);
	REAL(sigprocmask)(SIG_BLOCK, &s, NULL);
}

API void dmtcp_unblock_ckpt_signal(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, dmtcp_cfg.ckpt_signal);
	REAL(sigprocmask)(SIG_UNBLOCK, &s, NULL);
}

/* unique_id is "%08lx-%d-%lx": host id, pid, time (init.c) */
API DmtcpUniqueProcessId dmtcp_get_uniquepid(void)
{
	DmtcpUniqueProcessId u;
	unsigned long host = 0, t = 0;
	int pid = 0;

	memset(&u, 0, sizeof(u));
	if (sscanf(dmtcp_cfg.unique_id, "%lx-%d-%lx", &host, &pid, &t) == 3) {
		u._hostid = host;
		u._pid = pid;
		u._time = t;
	}
	u._computation_generation = dmtcp_generation;
	return u;
}

API int dmtcp_unique_pids_equal(DmtcpUniqueProcessId a,
				DmtcpUniqueProcessId b)
{
	return a._hostid == b._hostid && a._time == b._time &&
		a._pid == b._pid;
}

API int dmtcp_plugin_disable_ckpt(void)
{
	return dmtcp_enabled ? dmtcp_crit_enter() : 0;
}

API void dmtcp_plugin_enable_ckpt(void)
{
	if (dmtcp_enabled)
		dmtcp_crit_leave();
}

/*
 * dmtcp_restart leaves its environment (NUL-separated) in a memfd at
 * RST_ENV_FD for the processes it restores.
 */
API DmtcpGetRestartEnvErr_t dmtcp_get_restart_env(const char *name,
						  char *value,
						  size_t maxvaluelen)
{
	static char buf[RESTART_ENV_MAXSIZE];
	size_t nlen, have = 0;
	ssize_t n;

	if (!name || !value)
		return RESTART_ENV_NULL_PTR;
	if (!dmtcp_num_restarts || fcntl(RST_ENV_FD, F_GETFD) < 0)
		return RESTART_ENV_NOTFOUND;
	while (have < sizeof(buf)) {
		n = pread(RST_ENV_FD, buf + have, sizeof(buf) - have, have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return RESTART_ENV_INTERNAL_ERROR;
		if (n == 0)
			break;
		have += n;
	}
	if (have == sizeof(buf))
		return RESTART_ENV_DMTCP_BUF_TOO_SMALL;
	nlen = strlen(name);
	for (size_t off = 0; off < have;) {
		const char *e = buf + off;
		size_t len = strnlen(e, have - off);

		if (len > nlen && !strncmp(e, name, nlen) && e[nlen] == '=') {
			if (len - nlen - 1 >= maxvaluelen)
				return RESTART_ENV_TOOLONG;
			memcpy(value, e + nlen + 1, len - nlen);
			return RESTART_ENV_SUCCESS;
		}
		off += len + 1;
	}
	return RESTART_ENV_NOTFOUND;
}
