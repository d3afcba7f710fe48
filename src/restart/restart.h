/* restart.h - internals of dmtcp_restart shared by its files. */
#ifndef DMTCP_RESTART_H
#define DMTCP_RESTART_H

#include <stddef.h>
#include <sys/types.h>

/* restart-fds.c */
struct img_meta;
int rst_prepare_pipes(struct img_meta **metas, int n, char *err,
		      size_t errcap);
void rst_place_pipes(const struct img_meta *m);
extern unsigned rst_prepared_stdio;
void rst_close_pipes(void);
int rst_prepare_shm(struct img_meta **metas, int n, char *err,
		    size_t errcap);
int rst_shm_args(const char **argv, int n, int max);

/* restart-ipc.c: SysV IPC objects and zombies (side files) */
int rst_ipc_load(struct img_meta **metas, int n, char *err, size_t errcap);
int rst_ipc_create(char *err, size_t errcap);
int rst_ipc_args(const char **argv, int n, int max);
void rst_ipc_zombies(pid_t parent);

/* restart-ns.c */
int rst_enter_namespace(char *err, size_t errcap);
void rst_mount_proc(void);
pid_t rst_clone_with_pid(pid_t pid);
int rst_keep_caps_across_exec(void);

/* restart-gdb.c */
const char *rst_gdb_done_path(pid_t pid);
int rst_wait_for_debugger(pid_t init, pid_t pid, int hostproc,
			  const char *pidfile);
int rst_run_gdb(pid_t init_pid, pid_t pid, const char *exe, char **args,
		int nargs);

/* restart-opts.c */
struct rst_opts {
	const char *coord_host;
	int coord_port;		/* -1: not given */
	int mode;		/* enum coord_mode */
	int interval;		/* -1: not given */
	const char *ckptdir;
	const char *tmpdir;
	int debug;
	int gdb;		/* --gdb: stop the process, attach gdb */
	int stop;		/* --stop-for-debugger: park, report pid */
	const char *pidfile;	/* --pid-file */
	char **gdb_args;	/* after "--" */
	int ngdb_args;
	int nimages;
	char **images;
};

/* 0 ok, 1 help/version printed (exit 0), -1 usage error (message out) */
int rst_parse_opts(int argc, char **argv, struct rst_opts *o);

#endif /* DMTCP_RESTART_H */
