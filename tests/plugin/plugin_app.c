/*
 * plugin_app.c - the application the event/wrapper plugins are loaded
 * into (tests/e2e/test-plugin-events.sh).  It forks a child that execs
 * /bin/true (fork and exec events), starts a worker thread (thread
 * events), calls sleep(0) at start and after every checkpoint or restart
 * (the wrapper plugins log around it), and checks the API calls of
 * include/dmtcp.h: generation, computation id, executable path,
 * running state, unique pid, image name and, after a restart, the
 * restart environment ($PLUGIN_RESTART_VAR must be "restart-<n>").
 */
#include "../progs/testprog.h"

#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>

static volatile long worker_count;

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		worker_count++;
		usleep(2000);
	}
	return NULL;
}

static void check_api(int restarts, const char *comp0, pid_t pid0)
{
	char val[64], want[64];
	const char *exe = dmtcp_get_executable_path();
	const char *img = dmtcp_get_ckpt_filename();
	const char *comp = dmtcp_get_computation_id_str();
	DmtcpUniqueProcessId u = dmtcp_get_uniquepid();
	int rc;
	struct stat st;

	TP_CHECK(dmtcp_is_running_state() == 1, "not in running state");
	TP_CHECK(exe && strstr(exe, "plugin_app"), "executable path %s",
		 exe ? exe : "(null)");
	TP_CHECK(comp && *comp && !strcmp(comp, comp0),
		 "computation id changed: %s -> %s", comp0, comp);
	TP_CHECK(u._pid == pid0, "unique pid %d, expected %d", (int)u._pid,
		 (int)pid0);
	TP_CHECK(dmtcp_get_tmpdir() && *dmtcp_get_tmpdir(), "no tmpdir");
	if (dmtcp_get_generation() > 0)
		TP_CHECK(img && stat(img, &st) == 0, "image %s missing",
			 img ? img : "(null)");
	rc = dmtcp_get_restart_env("PLUGIN_RESTART_VAR", val, sizeof(val));
	if (restarts == 0) {
		TP_CHECK(rc == RESTART_ENV_NOTFOUND,
			 "restart env found before any restart (%d)", rc);
		return;
	}
	snprintf(want, sizeof(want), "restart-%d", restarts);
	TP_CHECK(rc == RESTART_ENV_SUCCESS && !strcmp(val, want),
		 "restart env PLUGIN_RESTART_VAR: rc %d value '%s', "
		 "expected '%s'", rc, rc == 0 ? val : "", want);
	TP_CHECK(dmtcp_get_restart_env("PLUGIN_RESTART_VAR", val, 3) ==
		 RESTART_ENV_TOOLONG, "short buffer not reported");
	TP_CHECK(dmtcp_get_restart_env("NO_SUCH_VARIABLE_XYZ", val,
				       sizeof(val)) == RESTART_ENV_NOTFOUND,
		 "unknown restart variable found");
}

int main(void)
{
	char comp0[128];
	pthread_t th;
	pid_t child, pid0 = getpid();
	int st, ckpts = 0, restarts = 0, c, r;
	uint32_t gen = 0;
	long last;

	tp_init("plugin_app");
	TP_CHECK(dmtcp_is_enabled(), "not under dmtcp_launch");
	snprintf(comp0, sizeof(comp0), "%s", dmtcp_get_computation_id_str());
	child = fork();
	TP_CHECK(child >= 0, "fork: %s", strerror(errno));
	if (child == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	TP_CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 0, "child /bin/true failed");
	TP_CHECK(pthread_create(&th, NULL, worker, NULL) == 0,
		 "pthread_create");
	sleep(0);
	check_api(0, comp0, pid0);
	tp_ready();
	last = worker_count;
	while (!tp_should_stop()) {
		usleep(10000);
		TP_CHECK(dmtcp_get_local_status(&c, &r) == DMTCP_IS_PRESENT,
			 "local status");
		if (c != ckpts || r != restarts) {
			TP_CHECK(dmtcp_get_generation() > gen,
				 "generation did not grow: %u", gen);
			gen = dmtcp_get_generation();
			ckpts = c;
			restarts = r;
			sleep(0);
			check_api(restarts, comp0, pid0);
		}
		if (worker_count == last)
			usleep(20000);
		last = worker_count;
	}
	TP_CHECK(worker_count > 0, "worker thread never ran");
	(void)ckpts;
	tp_pass();
	return 0;
}
