/*
 * dmtcp.h - application API of the checkpoint/restart toolkit.
 *
 * Source-compatible with DMTCP's dmtcp.h (plugin API version 3) for the
 * calls below.  Every function is declared weak, and the calls an
 * application may make without the tool are wrapped in a macro that
 * tests whether the symbol is present, so a program using them links and
 * runs without the tool: then dmtcp_is_enabled() is 0 and the others
 * return DMTCP_NOT_PRESENT.  Build the program with -fPIC/-fPIE (the
 * default on Debian) so the weak references resolve at run time.
 *
 * The second half is the plugin interface: a plugin is a shared object
 * given to `dmtcp_launch --with-plugin`; it declares itself with
 * DMTCP_DECL_PLUGIN(descriptor), receives the events below in its event
 * hook, may wrap library calls (NEXT_FNC calls the next definition) and
 * may use barriers and the coordinator's key-value database.
 * doc/plugins.md is the tutorial.
 */
#ifndef DMTCP_H
#define DMTCP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <dlfcn.h>	/* dlsym() for NEXT_FNC() */

#ifndef RTLD_NEXT	/* <dlfcn.h> shows it only with _GNU_SOURCE */
# define RTLD_NEXT ((void *)-1l)
#endif

#ifdef __cplusplus
# define DMTCP_EXTERNC extern "C"
#else
# define DMTCP_EXTERNC
#endif

/* Return values of dmtcp_checkpoint() and the status calls. */
#ifndef DMTCP_AFTER_CHECKPOINT
# define DMTCP_AFTER_CHECKPOINT 1
# define DMTCP_AFTER_RESTART    2
#endif
#ifndef DMTCP_NOT_PRESENT
# define DMTCP_NOT_PRESENT 3
#endif
#ifndef DMTCP_IS_PRESENT
# define DMTCP_IS_PRESENT 4
#endif

/* 1 when running under dmtcp_launch/dmtcp_restart, 0 otherwise. */
DMTCP_EXTERNC int dmtcp_is_enabled(void) __attribute__((weak));
#define dmtcp_is_enabled() (dmtcp_is_enabled ? dmtcp_is_enabled() : 0)

/*
 * Checkpoint the whole computation and wait until this process's image is
 * written.  Returns DMTCP_AFTER_CHECKPOINT in the running process,
 * DMTCP_AFTER_RESTART when execution continues from the image after a
 * restart, <= 0 on error.
 */
DMTCP_EXTERNC int dmtcp_checkpoint(void) __attribute__((weak));
#define dmtcp_checkpoint() \
	(dmtcp_checkpoint ? dmtcp_checkpoint() : DMTCP_NOT_PRESENT)
/*
 * The same, and the snapshot carries TAG (at most 127 bytes, no control
 * characters): `dmtcp_inspect timeline DIR` lists it, `dmtcp goto TAG`
 * in gdb goes back to it.  For a timeline's "just before X" markers.
 */
DMTCP_EXTERNC int dmtcp_checkpoint_tagged(const char *tag)
	__attribute__((weak));
#define dmtcp_checkpoint_tagged(tag) \
	(dmtcp_checkpoint_tagged ? dmtcp_checkpoint_tagged(tag) : \
	 DMTCP_NOT_PRESENT)

/*
 * Delay checkpoints during a critical section.  Recursive; a checkpoint
 * requested meanwhile starts when the matching dmtcp_enable_ckpt() runs.
 * Return 1 on success.
 */
DMTCP_EXTERNC int dmtcp_disable_ckpt(void) __attribute__((weak));
#define dmtcp_disable_ckpt() \
	(dmtcp_disable_ckpt ? dmtcp_disable_ckpt() : DMTCP_NOT_PRESENT)
DMTCP_EXTERNC int dmtcp_enable_ckpt(void) __attribute__((weak));
#define dmtcp_enable_ckpt() \
	(dmtcp_enable_ckpt ? dmtcp_enable_ckpt() : DMTCP_NOT_PRESENT)

/*
 * Coordinator view: number of processes and whether all are running.
 * Local view: checkpoints and restarts this process went through.
 * Both return DMTCP_IS_PRESENT, or DMTCP_NOT_PRESENT without the tool.
 */
DMTCP_EXTERNC int dmtcp_get_coordinator_status(int *num_peers,
					       int *is_running)
	__attribute__((weak));
#define dmtcp_get_coordinator_status(p, r) \
	(dmtcp_get_coordinator_status ? dmtcp_get_coordinator_status(p, r) \
				      : DMTCP_NOT_PRESENT)
DMTCP_EXTERNC int dmtcp_get_local_status(int *num_checkpoints,
					 int *num_restarts)
	__attribute__((weak));
#define dmtcp_get_local_status(c, r) \
	(dmtcp_get_local_status ? dmtcp_get_local_status(c, r) \
				: DMTCP_NOT_PRESENT)

/* Checkpoint directory and this process's image name. */
DMTCP_EXTERNC const char *dmtcp_get_ckpt_dir(void) __attribute__((weak));
#define dmtcp_get_ckpt_dir() \
	(dmtcp_get_ckpt_dir ? dmtcp_get_ckpt_dir() : NULL)
DMTCP_EXTERNC int dmtcp_set_ckpt_dir(const char *dir) __attribute__((weak));
#define dmtcp_set_ckpt_dir(d) \
	(dmtcp_set_ckpt_dir ? dmtcp_set_ckpt_dir(d) : DMTCP_NOT_PRESENT)
DMTCP_EXTERNC const char *dmtcp_get_ckpt_filename(void)
	__attribute__((weak));
#define dmtcp_get_ckpt_filename() \
	(dmtcp_get_ckpt_filename ? dmtcp_get_ckpt_filename() : NULL)
DMTCP_EXTERNC const char *dmtcp_get_uniquepid_str(void)
	__attribute__((weak));
#define dmtcp_get_uniquepid_str() \
	(dmtcp_get_uniquepid_str ? dmtcp_get_uniquepid_str() : NULL)
/* Generation: 0 before the first checkpoint, then 1, 2, ... */
DMTCP_EXTERNC uint32_t dmtcp_get_generation(void) __attribute__((weak));
DMTCP_EXTERNC int dmtcp_get_ckpt_signal(void) __attribute__((weak));

/* The coordinator's --ckptdir ("" if it has none), DMTCP_TMPDIR. */
DMTCP_EXTERNC const char *dmtcp_get_coord_ckpt_dir(void)
	__attribute__((weak));
#define dmtcp_get_coord_ckpt_dir() \
	(dmtcp_get_coord_ckpt_dir ? dmtcp_get_coord_ckpt_dir() : NULL)
DMTCP_EXTERNC const char *dmtcp_get_tmpdir(void) __attribute__((weak));
/* The computation's id (same for all its processes). */
DMTCP_EXTERNC const char *dmtcp_get_computation_id_str(void)
	__attribute__((weak));
/* The program under checkpoint control (/proc/self/exe at launch). */
DMTCP_EXTERNC const char *dmtcp_get_executable_path(void)
	__attribute__((weak));
/* 1 while running, 0 between the start of a checkpoint (or restart) and
   the moment user threads run again. */
DMTCP_EXTERNC int dmtcp_is_running_state(void) __attribute__((weak));
/* 1 if fd belongs to the tool (the application must not touch it). */
DMTCP_EXTERNC int dmtcp_is_protected_fd(int fd) __attribute__((weak));
/* Block/unblock the checkpoint signal in the calling thread. */
DMTCP_EXTERNC void dmtcp_block_ckpt_signal(void) __attribute__((weak));
DMTCP_EXTERNC void dmtcp_unblock_ckpt_signal(void) __attribute__((weak));

typedef struct DmtcpUniqueProcessId {
	uint64_t _hostid;	/* gethostid() */
	uint64_t _time;		/* when the process joined (time()) */
	pid_t _pid;		/* getpid() then */
	uint32_t _computation_generation;
} DmtcpUniqueProcessId;

DMTCP_EXTERNC DmtcpUniqueProcessId dmtcp_get_uniquepid(void)
	__attribute__((weak));
DMTCP_EXTERNC int dmtcp_unique_pids_equal(DmtcpUniqueProcessId a,
					  DmtcpUniqueProcessId b)
	__attribute__((weak));

/*
 * The environment of dmtcp_restart (the restart's, not the one restored
 * from the image): value of name into value (at most maxvaluelen bytes
 * with the NUL).  Outside a restarted process: RESTART_ENV_NOTFOUND.
 */
typedef enum eDmtcpGetRestartEnvErr {
	RESTART_ENV_SUCCESS = 0,
	RESTART_ENV_NOTFOUND = -1,
	RESTART_ENV_TOOLONG = -2,
	RESTART_ENV_DMTCP_BUF_TOO_SMALL = -3,
	RESTART_ENV_INTERNAL_ERROR = -4,
	RESTART_ENV_NULL_PTR = -5,
} DmtcpGetRestartEnvErr_t;
#define RESTART_ENV_MAXSIZE (12288 * 10)
DMTCP_EXTERNC DmtcpGetRestartEnvErr_t dmtcp_get_restart_env(const char *name,
	char *value, size_t maxvaluelen) __attribute__((weak));

/* ------------------------------------------------------------------ */
/* Plugins                                                             */
/* ------------------------------------------------------------------ */

#define DMTCP_PLUGIN_API_VERSION "3"
#ifndef DMTCP_PACKAGE_VERSION
# define DMTCP_PACKAGE_VERSION "3.0.0"	/* the seed's interface level */
#endif

/*
 * Events, in the order of DMTCP's dmtcp.h.  Order of delivery across
 * plugins: events on the way out (PRESUSPEND, PRECHECKPOINT, PRE_EXEC,
 * ATFORK_PREPARE, PTHREAD_EXIT, PTHREAD_RETURN, EXIT) go to the plugins
 * in load order (the --with-plugin list), then to the tool's internal
 * plugins; events on the way back (INIT, POST_EXEC, ATFORK_PARENT,
 * ATFORK_CHILD, PTHREAD_START, RESUME, RESTART, RUNNING, THREAD_RESUME)
 * go to the internal plugins first, then to the plugins in reverse load
 * order.  doc/plugins.md says when each one is delivered.
 */
typedef enum eDmtcpEvent {
	DMTCP_EVENT_INIT,
	DMTCP_EVENT_EXIT,

	DMTCP_EVENT_PRE_EXEC,
	DMTCP_EVENT_POST_EXEC,

	DMTCP_EVENT_ATFORK_PREPARE,
	DMTCP_EVENT_ATFORK_PARENT,
	DMTCP_EVENT_ATFORK_CHILD,
	DMTCP_EVENT_ATFORK_FAILED,

	DMTCP_EVENT_VFORK_PREPARE,
	DMTCP_EVENT_VFORK_PARENT,
	DMTCP_EVENT_VFORK_CHILD,
	DMTCP_EVENT_VFORK_FAILED,

	DMTCP_EVENT_PTHREAD_START,
	DMTCP_EVENT_PTHREAD_EXIT,
	DMTCP_EVENT_PTHREAD_RETURN,

	DMTCP_EVENT_PRESUSPEND,
	DMTCP_EVENT_PRECHECKPOINT,
	DMTCP_EVENT_RESUME,
	DMTCP_EVENT_RESTART,
	DMTCP_EVENT_RUNNING,
	DMTCP_EVENT_THREAD_RESUME,

	DMTCP_EVENT_OPEN_FD,
	DMTCP_EVENT_REOPEN_FD,
	DMTCP_EVENT_CLOSE_FD,
	DMTCP_EVENT_DUP_FD,

	DMTCP_EVENT_VIRTUAL_TO_REAL_PATH,
	DMTCP_EVENT_REAL_TO_VIRTUAL_PATH,

	nDmtcpEvents
} DmtcpEvent_t;

typedef union _DmtcpEventData_t {
	struct {
		int serializationFd;	/* -1: not used here */
		char *filename;		/* program being exec'd */
		size_t maxArgs;
		const char **argv;
		size_t maxEnv;
		const char **envp;
	} preExec;

	struct {
		int serializationFd;	/* -1 */
	} postExec;

	/* RESUME, RESTART, RUNNING, THREAD_RESUME: 1 after a restart */
	struct {
		int isRestart;
	} resumeUserThreadInfo, nameserviceInfo;

	struct {
		int fd;
		const char *path;
		int flags;
		mode_t mode;
	} openFd;

	struct {
		int fd;
		const char *path;
		int flags;
	} reopenFd;

	struct {
		int fd;
	} closeFd;

	struct {
		int oldFd;
		int newFd;
	} dupFd;

	struct {
		char *path;
	} realToVirtualPath, virtualToRealPath;
} DmtcpEventData_t;

typedef void (*HookFunctionPtr_t)(DmtcpEvent_t, DmtcpEventData_t *);

typedef struct {
	const char *pluginApiVersion;	/* DMTCP_PLUGIN_API_VERSION */
	const char *dmtcpVersion;	/* DMTCP_PACKAGE_VERSION */

	const char *pluginName;
	const char *authorName;
	const char *authorEmail;
	const char *description;

	void (*event_hook)(const DmtcpEvent_t event, DmtcpEventData_t *data);
} DmtcpPluginDescriptor_t;

DMTCP_EXTERNC void dmtcp_register_plugin(DmtcpPluginDescriptor_t)
	__attribute__((weak));
/* Internal: the chain DMTCP_DECL_PLUGIN builds; do not call. */
DMTCP_EXTERNC void dmtcp_initialize_plugin(void) __attribute__((weak));
/* Make sure the tool is initialized (wrappers called very early). */
DMTCP_EXTERNC void dmtcp_initialize(void) __attribute__((weak));

#define DMTCP_DECL_PLUGIN(descr)					\
	DMTCP_EXTERNC void dmtcp_initialize_plugin(void)		\
	{								\
		void (*fn)(void);					\
		dmtcp_register_plugin(descr);				\
		fn = NEXT_FNC(dmtcp_initialize_plugin);			\
		if (fn != NULL)						\
			(*fn)();					\
	}

/*
 * The next definition of func after the calling object in the lookup
 * order: in a wrapper, the function it wraps (another plugin's wrapper,
 * the tool's, or libc's).  Resolved once and cached.
 */
#define NEXT_FNC(func)							\
	({								\
		static __typeof__(&func) _real_##func =			\
			(__typeof__(&func))-1;				\
		if (_real_##func == (__typeof__(&func))-1) {		\
			if (dmtcp_initialize)				\
				dmtcp_initialize();			\
			_real_##func = (__typeof__(&func))		\
				dlsym(RTLD_NEXT, #func);		\
		}							\
		_real_##func;						\
	})

/*
 * Barriers, from an event hook (or any thread).  A global barrier
 * returns when every process taking part in the current phase (the
 * checkpoint, the restart, or all processes while running) called it
 * with the same name; put one between publishing and querying the
 * key-value database.  A local barrier orders the hooks of one process;
 * hooks already run one at a time, so it only marks the point in logs.
 */
DMTCP_EXTERNC void dmtcp_global_barrier(const char *barrier)
	__attribute__((weak));
DMTCP_EXTERNC void dmtcp_local_barrier(const char *barrier)
	__attribute__((weak));

/*
 * Publish/subscribe: a key-value database per name (id) in the
 * coordinator, shared by the processes of the computation, emptied when
 * the computation ends (a restart starts with an empty one).  Return 1
 * on success, 0 on failure.  A query copies at most *val_len bytes into
 * val and sets *val_len to the value's length; 0 if the key is unknown.
 */
DMTCP_EXTERNC int dmtcp_send_key_val_pair_to_coordinator(const char *id,
	const void *key, uint32_t key_len, const void *val, uint32_t val_len)
	__attribute__((weak));
DMTCP_EXTERNC int dmtcp_send_key_val_pair_to_coordinator_sync(const char *id,
	const void *key, uint32_t key_len, const void *val, uint32_t val_len)
	__attribute__((weak));
DMTCP_EXTERNC int dmtcp_send_query_to_coordinator(const char *id,
	const void *key, uint32_t key_len, void *val, uint32_t *val_len)
	__attribute__((weak));

/* Hold checkpoints off inside a wrapper (recursive). */
DMTCP_EXTERNC int dmtcp_plugin_disable_ckpt(void) __attribute__((weak));
DMTCP_EXTERNC void dmtcp_plugin_enable_ckpt(void) __attribute__((weak));
#define DMTCP_PLUGIN_DISABLE_CKPT() dmtcp_plugin_disable_ckpt()
#define DMTCP_PLUGIN_ENABLE_CKPT() dmtcp_plugin_enable_ckpt()

#endif /* DMTCP_H */
