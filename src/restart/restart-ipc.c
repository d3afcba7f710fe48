/*
 * restart-ipc.c - System V IPC objects and zombie children of a restart
 * (doc/ipc.md).
 *
 * Each process may have left a side file next to its image
 * (include/dmtcp/ipc-side.h): the segments, semaphore sets and message
 * queues it used, and its unreaped children.  dmtcp_restart reads them
 * all, keeps one copy of each object (processes sharing one all save
 * it), and once it is inside the restart's own IPC namespace (created
 * with the user, pid and mount namespaces) recreates every object with
 * its old id and key by writing /proc/sys/kernel/{shm,sem,msg}_next_id
 * before each creation (allowed: the namespace is ours).  Segments get
 * their contents when the side file has them; mtcp_restart attaches
 * each /SYSV area of an image at its old address and fills it from the
 * image.  A segment that was marked for removal (IPC_RMID while
 * attached) is marked again by the last process that attaches it
 * (mtcp_restart --sysv-rmid).
 *
 * Zombies are recreated by their parent before it becomes mtcp_restart:
 * a child with the old pid that exits at once with the saved status (or
 * kills itself with the saved signal), waited for with WNOWAIT so it is
 * a zombie before the parent's program runs again.
 */
#include "config.h"
#include "restart.h"
#include "img.h"
#include "log.h"
#include "util.h"
#include "dmtcp/ipc-side.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

union semun_ {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

struct obj {
	uint32_t type;		/* IPC_SIDE_SHM, _SEM, _MSG */
	int32_t id;
	const unsigned char *p;	/* payload */
	uint64_t len;
	const char *image;	/* whose side file */
	int want;		/* shm: areas of the images attaching it */
};

struct zombie {
	pid_t parent;
	const char *image;
	struct ipc_side_zombie z;
};

static struct obj *objs;
static int nobjs;
static struct zombie *zombies;
static int nzombies;

static int read_whole(const char *path, unsigned char **out, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !(*out = malloc(st.st_size + 1))) {
		close(fd);
		return -1;
	}
	got = util_read_all(fd, *out, st.st_size);
	close(fd);
	if (got < 0) {
		free(*out);
		return -1;
	}
	*len = got;
	return 0;
}

static struct obj *find_obj(uint32_t type, int32_t id)
{
	for (int i = 0; i < nobjs; i++)
		if (objs[i].type == type && objs[i].id == id)
			return &objs[i];
	return NULL;
}

static int add_obj(uint32_t type, const unsigned char *p, uint64_t len,
		   const char *image)
{
	int32_t id;
	struct obj *o, *no;

	memcpy(&id, p, sizeof(id));
	o = find_obj(type, id);
	if (o) {
		uint32_t fl_old, fl_new;

		/* a copy with the segment's contents beats one without */
		if (type != IPC_SIDE_SHM)
			return 0;
		memcpy(&fl_old, o->p + offsetof(struct ipc_side_shm, flags), 4);
		memcpy(&fl_new, p + offsetof(struct ipc_side_shm, flags), 4);
		if (!(fl_old & IPC_SHM_DATA) && (fl_new & IPC_SHM_DATA)) {
			o->p = p;
			o->len = len;
			o->image = image;
		}
		return 0;
	}
	no = realloc(objs, (nobjs + 1) * sizeof(*objs));
	if (!no)
		return -1;
	objs = no;
	o = &objs[nobjs++];
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->id = id;
	o->p = p;
	o->len = len;
	o->image = image;
	return 0;
}

static int load_one(const struct img_meta *m, char *err, size_t errcap)
{
	char path[PATH_MAX + 8];
	unsigned char *buf;
	size_t len, off;
	struct ipc_side_header h;
	int ended = 0;

	snprintf(path, sizeof(path), "%s%s", m->path, IPC_SIDE_SUFFIX);
	if (read_whole(path, &buf, &len) < 0) {
		if (errno == ENOENT && (m->proc.flags & IMG_PROC_IPC_SIDE)) {
			snprintf(err, errcap, "%s is missing: process %u had "
				 "SysV IPC objects or unreaped children to "
				 "restore (keep the .ipc file next to its "
				 "image)", path, m->proc.pid);
			return -1;
		}
		if (errno == ENOENT)
			return 0;
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (len < sizeof(h) || memcmp(buf, IPC_SIDE_MAGIC, 8) != 0) {
		snprintf(err, errcap, "%s: not a side file of a checkpoint "
			 "image (no %s magic)", path, IPC_SIDE_MAGIC);
		goto fail;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.version != IPC_SIDE_VERSION) {
		snprintf(err, errcap, "%s: side file format v%u, this build "
			 "reads v%u", path, h.version, IPC_SIDE_VERSION);
		goto fail;
	}
	if (h.pid != m->proc.pid || h.generation != m->proc.generation) {
		if (m->proc.flags & IMG_PROC_IPC_SIDE) {
			snprintf(err, errcap, "%s was written by process %u at "
				 "checkpoint %u, its image by process %u at "
				 "checkpoint %u: not the side file of this "
				 "image", path, h.pid, h.generation,
				 m->proc.pid, m->proc.generation);
			goto fail;
		}
		pr_warn("%s was written by process %u at checkpoint %u, the "
			"image by process %u at checkpoint %u: ignoring it",
			path, h.pid, h.generation, m->proc.pid,
			m->proc.generation);
		free(buf);
		return 0;
	}
	for (off = sizeof(h); off + sizeof(struct ipc_side_rec) <= len;) {
		struct ipc_side_rec r;
		const unsigned char *p;

		memcpy(&r, buf + off, sizeof(r));
		off += sizeof(r);
		if (r.len > len - off || (r.len & 7)) {
			snprintf(err, errcap, "%s: record at offset %zu runs "
				 "past the end (corrupt side file)", path,
				 off - sizeof(r));
			goto fail;
		}
		p = buf + off;
		off += r.len;
		switch (r.type) {
		case IPC_SIDE_SHM:
		case IPC_SIDE_SEM:
		case IPC_SIDE_MSG:
			if (r.len < 16)
				goto short_rec;
			if (add_obj(r.type, p, r.len, m->path) < 0)
				goto nomem;
			break;
		case IPC_SIDE_ZOMBIE: {
			struct zombie *nz;

			if (r.len < sizeof(struct ipc_side_zombie))
				goto short_rec;
			nz = realloc(zombies, (nzombies + 1) * sizeof(*nz));
			if (!nz)
				goto nomem;
			zombies = nz;
			zombies[nzombies].parent = m->proc.pid;
			zombies[nzombies].image = m->path;
			memcpy(&zombies[nzombies].z, p, sizeof(struct
							     ipc_side_zombie));
			nzombies++;
			break;
		}
		case IPC_SIDE_END:
			ended = 1;
			break;
		default:
			break;	/* unknown: ignored */
		}
		if (ended)
			break;
	}
	if (!ended) {
		snprintf(err, errcap, "%s: truncated (no END record)", path);
		goto fail;
	}
	return 0;	/* buf stays: objs point into it */
short_rec:
	snprintf(err, errcap, "%s: record too short (corrupt side file)", path);
	goto fail;
nomem:
	snprintf(err, errcap, "out of memory reading %s", path);
fail:
	free(buf);
	return -1;
}

int rst_ipc_load(struct img_meta **metas, int n, char *err, size_t errcap)
{
	for (int i = 0; i < n; i++)
		if (load_one(metas[i], err, errcap) < 0)
			return -1;
	/* segments to be removed: how many attachments will come */
	for (int k = 0; k < nobjs; k++) {
		struct obj *o = &objs[k];

		if (o->type != IPC_SIDE_SHM)
			continue;
		for (int i = 0; i < n; i++)
			for (size_t a = 0; a < metas[i]->nareas; a++) {
				const struct img_meta_area *ma =
					&metas[i]->areas[a];

				if (strncmp(ma->path, "/SYSV", 5) == 0 &&
				    (ma->area.flags & IMG_AF_SHARED) &&
				    ma->area.inode == (uint64_t)o->id &&
				    ma->area.offset == 0)
					o->want++;
			}
	}
	if (nobjs || nzombies)
		pr_debug("side files: %d IPC objects, %d zombies", nobjs,
			 nzombies);
	return 0;
}

static int set_next_id(const char *kind, int id)
{
	char path[64], val[32];
	int fd, len;
	ssize_t w;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s_next_id", kind);
	len = snprintf(val, sizeof(val), "%d", id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	w = write(fd, val, len);
	close(fd);
	return w == len ? 0 : -1;
}

/* Raise an IPC limit of our namespace (works where we are its root). */
static void raise_limit(const char *path, unsigned long want)
{
	char val[32];
	unsigned long cur = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lu", &cur) != 1)
			cur = 0;
		fclose(f);
	}
	if (cur >= want)
		return;
	f = fopen(path, "w");
	if (!f)
		return;
	snprintf(val, sizeof(val), "%lu", want);
	fputs(val, f);
	fclose(f);
}

static int create_shm(struct obj *o, char *err, size_t errcap)
{
	struct ipc_side_shm s;
	uint64_t off = sizeof(s);
	int id;
	unsigned char *mem = NULL;

	memcpy(&s, o->p, sizeof(s));
	if (set_next_id("shm", s.id) < 0)
		goto noid;
	id = shmget(s.key, s.size, IPC_CREAT | IPC_EXCL | (s.mode & 0777));
	if (id != s.id)
		goto bad;
	if (s.flags & IPC_SHM_DATA) {
		mem = shmat(id, NULL, 0);
		if (mem == (void *)-1) {
			snprintf(err, errcap, "cannot attach SysV shared memory"
				 " segment %d (key %#x) of %s to fill it: %s",
				 s.id, (unsigned)s.key, o->image,
				 strerror(errno));
			return -1;
		}
	}
	while ((s.flags & IPC_SHM_DATA) &&
	       off + sizeof(struct ipc_side_run) <= o->len) {
		struct ipc_side_run run;

		memcpy(&run, o->p + off, sizeof(run));
		off += sizeof(run);
		if (run.len > o->len - off || run.off > s.size ||
		    run.len > s.size - run.off) {
			snprintf(err, errcap, "%s%s: SysV shared memory segment"
				 " %d: bad contents (corrupt side file)",
				 o->image, IPC_SIDE_SUFFIX, s.id);
			return -1;
		}
		memcpy(mem + run.off, o->p + off, run.len);
		off += IPC_SIDE_PAD8(run.len);
	}
	if (mem)
		shmdt(mem);
	if ((s.flags & IPC_SHM_DEST) && o->want == 0)
		shmctl(id, IPC_RMID, NULL);	/* no process attaches it */
	pr_debug("SysV shm %d (key %#x, %llu bytes) recreated", s.id,
		 (unsigned)s.key, (unsigned long long)s.size);
	return 0;
noid:
	snprintf(err, errcap, "cannot choose the id of SysV shared memory "
		 "segment %d of %s (/proc/sys/kernel/shm_next_id: %s)", s.id,
		 o->image, strerror(errno));
	return -1;
bad:
	snprintf(err, errcap, "cannot recreate SysV shared memory segment %d "
		 "(key %#x, %llu bytes) of %s: %s", s.id, (unsigned)s.key,
		 (unsigned long long)s.size, o->image,
		 id < 0 ? strerror(errno) : "got another id");
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	return -1;
}

static int create_sem(struct obj *o, char *err, size_t errcap)
{
	struct ipc_side_sem s;
	unsigned short *vals;
	union semun_ arg;
	int id;

	memcpy(&s, o->p, sizeof(s));
	if (sizeof(s) + 2ull * s.nsems > o->len || s.nsems == 0) {
		snprintf(err, errcap, "%s%s: SysV semaphore set %d: bad record "
			 "(corrupt side file)", o->image, IPC_SIDE_SUFFIX,
			 s.id);
		return -1;
	}
	if (set_next_id("sem", s.id) < 0) {
		snprintf(err, errcap, "cannot choose the id of SysV semaphore "
			 "set %d of %s (/proc/sys/kernel/sem_next_id: %s)",
			 s.id, o->image, strerror(errno));
		return -1;
	}
	id = semget(s.key, s.nsems, IPC_CREAT | IPC_EXCL | (s.mode & 0777));
	if (id != s.id) {
		snprintf(err, errcap, "cannot recreate SysV semaphore set %d "
			 "(key %#x, %u semaphores) of %s: %s", s.id,
			 (unsigned)s.key, s.nsems, o->image,
			 id < 0 ? strerror(errno) : "got another id");
		if (id >= 0)
			semctl(id, 0, IPC_RMID);
		return -1;
	}
	vals = malloc(2ull * s.nsems);
	if (!vals)
		return -1;
	memcpy(vals, o->p + sizeof(s), 2ull * s.nsems);
	arg.array = vals;
	if (semctl(id, 0, SETALL, arg) < 0) {
		snprintf(err, errcap, "SysV semaphore set %d of %s: cannot set "
			 "its values: %s", s.id, o->image, strerror(errno));
		free(vals);
		return -1;
	}
	free(vals);
	pr_debug("SysV sem %d (key %#x, %u semaphores) recreated", s.id,
		 (unsigned)s.key, s.nsems);
	return 0;
}

static int create_msg(struct obj *o, char *err, size_t errcap)
{
	struct ipc_side_msgq q;
	struct msqid_ds ds;
	uint64_t off = sizeof(q);
	int id;

	memcpy(&q, o->p, sizeof(q));
	if (set_next_id("msg", q.id) < 0) {
		snprintf(err, errcap, "cannot choose the id of SysV message "
			 "queue %d of %s (/proc/sys/kernel/msg_next_id: %s)",
			 q.id, o->image, strerror(errno));
		return -1;
	}
	id = msgget(q.key, IPC_CREAT | IPC_EXCL | (q.mode & 0777));
	if (id != q.id) {
		snprintf(err, errcap, "cannot recreate SysV message queue %d "
			 "(key %#x) of %s: %s", q.id, (unsigned)q.key,
			 o->image, id < 0 ? strerror(errno) : "got another id");
		if (id >= 0)
			msgctl(id, IPC_RMID, NULL);
		return -1;
	}
	if (msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qbytes != q.qbytes) {
		if (q.qbytes > ds.msg_qbytes)
			raise_limit("/proc/sys/kernel/msgmnb", q.qbytes);
		ds.msg_qbytes = q.qbytes;
		if (msgctl(id, IPC_SET, &ds) < 0)
			pr_warn("SysV message queue %d of %s: cannot set its "
				"size to %llu bytes: %s", q.id, o->image,
				(unsigned long long)q.qbytes, strerror(errno));
	}
	for (uint32_t i = 0; i < q.nmsgs; i++) {
		struct ipc_side_msg m;
		long *buf;

		if (off + sizeof(m) > o->len)
			goto corrupt;
		memcpy(&m, o->p + off, sizeof(m));
		off += sizeof(m);
		if (m.len > o->len - off)
			goto corrupt;
		buf = malloc(sizeof(long) + m.len);
		if (!buf)
			return -1;
		buf[0] = m.type;
		memcpy(buf + 1, o->p + off, m.len);
		off += IPC_SIDE_PAD8(m.len);
		if (msgsnd(id, buf, m.len, IPC_NOWAIT) < 0 && errno == EINVAL) {
			raise_limit("/proc/sys/kernel/msgmax", m.len);
			if (msgsnd(id, buf, m.len, IPC_NOWAIT) == 0)
				errno = 0;
		} else {
			errno = 0;
		}
		free(buf);
		if (errno) {
			snprintf(err, errcap, "SysV message queue %d of %s: "
				 "cannot put back message %u of %llu bytes: %s",
				 q.id, o->image, i, (unsigned long long)m.len,
				 strerror(errno));
			return -1;
		}
	}
	pr_debug("SysV msg queue %d (key %#x, %u messages) recreated", q.id,
		 (unsigned)q.key, q.nmsgs);
	return 0;
corrupt:
	snprintf(err, errcap, "%s%s: SysV message queue %d: bad messages "
		 "(corrupt side file)", o->image, IPC_SIDE_SUFFIX, q.id);
	return -1;
}

int rst_ipc_create(char *err, size_t errcap)
{
	for (int i = 0; i < nobjs; i++) {
		int rc;

		switch (objs[i].type) {
		case IPC_SIDE_SHM:
			rc = create_shm(&objs[i], err, errcap);
			break;
		case IPC_SIDE_SEM:
			rc = create_sem(&objs[i], err, errcap);
			break;
		default:
			rc = create_msg(&objs[i], err, errcap);
			break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * Segments marked for removal: "--sysv-rmid ID:N" tells mtcp_restart
 * that N areas of the restored processes attach segment ID; the one that
 * finds N attachments after its own marks it for removal again (before
 * any program runs: they all wait for each other at the restart
 * barriers).  Returns the new argc.
 */
int rst_ipc_args(const char **argv, int n, int max)
{
	static char buf[64][32];
	int k = 0;

	for (int i = 0; i < nobjs && k < 64 && n + 2 < max; i++) {
		struct ipc_side_shm s;

		if (objs[i].type != IPC_SIDE_SHM)
			continue;
		memcpy(&s, objs[i].p, sizeof(s));
		if (!(s.flags & IPC_SHM_DEST) || objs[i].want <= 0)
			continue;
		snprintf(buf[k], sizeof(buf[k]), "%d:%d", s.id, objs[i].want);
		argv[n++] = "--sysv-rmid";
		argv[n++] = buf[k++];
	}
	return n;
}

/* The unreaped children of process `parent`, recreated as zombies. */
void rst_ipc_zombies(pid_t parent)
{
	for (int i = 0; i < nzombies; i++) {
		const struct ipc_side_zombie *z = &zombies[i].z;
		struct clone_args ca;
		pid_t pid = z->pid, c;
		siginfo_t si;

		if (zombies[i].parent != parent)
			continue;
		memset(&ca, 0, sizeof(ca));
		/* 0 or another signal: a clone child (waited with __WALL) */
		ca.exit_signal = z->exit_signal >= 0 && z->exit_signal < 65
				 ? z->exit_signal : SIGCHLD;
		ca.set_tid = (uint64_t)&pid;
		ca.set_tid_size = 1;
		c = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (c < 0) {
			pr_warn("process %d (%s): cannot recreate its unreaped "
				"child %d: %s", (int)parent, zombies[i].image,
				(int)pid, strerror(errno));
			continue;
		}
		if (c == 0) {
			sigset_t all;

			if (z->pgid > 0 && z->pgid != getpgrp())
				setpgid(0, z->pgid);
			if (z->code == CLD_EXITED)
				_exit(z->status);
			{
				struct rlimit no = { 0, 0 };

				/* no core file (WCOREDUMP is not kept) */
				setrlimit(RLIMIT_CORE, &no);
				prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
			}
			signal(z->status, SIG_DFL);
			sigemptyset(&all);
			sigprocmask(SIG_SETMASK, &all, NULL);
			kill(getpid(), z->status);
			_exit(128 + z->status);
		}
		/* a zombie before the parent's program runs again */
		memset(&si, 0, sizeof(si));
		while (waitid(P_PID, c, &si, WEXITED | WNOWAIT | __WALL) < 0 &&
		       errno == EINTR)
			;
		pr_debug("process %d: zombie child %d recreated (code %d, "
			 "status %d)", (int)parent, (int)c, si.si_code,
			 si.si_status);
	}
}
