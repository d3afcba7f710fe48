/* restart.h - internals of dmtcp_restart shared by its files. */
#ifndef DMTCP_RESTART_H
#define DMTCP_RESTART_H

#include "common-opts.h"

#include <stddef.h>
#include <stdio.h>
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
int rst_wait_ready(pid_t init, pid_t pid);
long rst_host_pid_of(int hostproc, pid_t init, pid_t pid);

/* restart-peers.c: the other processes of a computation restored for a
   debugger (--gdb / --stop-for-debugger with several images) */
int rst_write_pids_file(pid_t init, const pid_t *vpids, char *const *progs,
			int n, int hostproc, const char *path, long *hostpids);
void rst_release_peers_later(const pid_t *vpids,
			     const long *hostpids, int n, int target,
			     int hostproc);
void rst_peers_cleanup(const pid_t *vpids, int n, int target);
/* hostpid: the process's host pid if known, else 0 (looked up) */
int rst_wait_for_debugger(pid_t init, pid_t pid, long hostpid, int hostproc,
			  const char *pidfile);
int rst_run_gdb(pid_t init_pid, pid_t pid, const char *exe, char **args,
		int nargs);

/* restart-opts.c */
struct rst_opts {
	struct copt_common c;	/* -h, -p, --new/--join-coordinator, -i,
				   --ckptdir, --tmpdir, --help, --version */
	int debug;
	int gdb;		/* --gdb: stop the process, attach gdb */
	int stop;		/* --stop-for-debugger: park, report pid */
	const char *pidfile;	/* --pid-file */
	const char *pidsfile;	/* --pids-file: every process */
	const char *debug_pid;	/* --debug-pid VPID: gdb's process */
	char **gdb_args;	/* after "--" */
	int ngdb_args;
	int nimages;
	char **images;
};

/* 0 (or --help/--version given: o->c), -1 with a message in err */
int rst_parse_opts(int argc, char **argv, struct rst_opts *o, char *err,
		   size_t errcap);
void rst_usage(FILE *f);

#endif /* DMTCP_RESTART_H */
