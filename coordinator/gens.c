/*
 * gens.c - the files of each checkpoint generation (doc/design.md,
 * "Checkpoint as a transaction").
 *
 * Every generation writes new names (ckpt_<prog>_<id>_<gen>.dmtcp and
 * its .ipc side file); the restart script names the committed one.
 * Here: what a checkpoint that did not commit leaves is removed (the
 * images and side files its processes announced with CKPT_WRITING, and
 * their temporaries), and once one commits, older generations beyond
 * --keep-generations are removed: the sets this coordinator committed
 * (or restarted from) that fell out, and, in the directories of the new
 * images, any other generation of the same processes (left by a
 * checkpoint the coordinator did not live to clean up).  Only regular
 * files of ours named like our images are ever removed, and never one
 * that the chain of a kept incremental image still needs (its parents,
 * read from the PARENT records through the image library).  Their
 * names go at once, their blocks are freed by reap.c's helper.
 */
#include "config.h"
#include "coord.h"
#include "img.h"
#include "log.h"
#include "safefile.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* One committed set of images. */
struct co_gen {
	char comp_id[64];	/* of the computation it belongs to */
	uint32_t gen;
	int from_restart;	/* the set a restart came from */
	size_t n;
	char **paths;
};

static struct co_gen *gens;	/* oldest first */
static size_t ngens;

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* dirname of path into dir; -1 if it has none or is too long. */
static int dir_of(const char *path, char *dir, size_t cap)
{
	const char *s = strrchr(path, '/');
	size_t n;

	if (!s)
		return -1;
	n = s == path ? 1 : (size_t)(s - path);
	if (n >= cap)
		return -1;
	memcpy(dir, path, n);
	dir[n] = 0;
	return 0;
}

/* A regular file of ours (never follow a symlink, never another user's). */
static int ours(int dfd, const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		S_ISREG(st.st_mode) && st.st_uid == geteuid();
}

/* Images the chains of the kept sets need (paths as dir/name). */
static char **needed;
static size_t nneeded;

static int is_needed(const char *dir, const char *name)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p))
		return 0;
	for (size_t i = 0; i < nneeded; i++)
		if (!strcmp(needed[i], p))
			return 1;
	return 0;
}

/* the parents of path, by name in its directory, down to a full image */
static void need_chain(const char *path)
{
	char cur[PATH_MAX], dir[PATH_MAX], err[512];
	struct img_ident id;

	util_strlcpy(cur, path, sizeof(cur));
	for (int k = 0; k < IMG_MAX_CHAIN; k++) {
		char **nv;

		if (img_read_ident(cur, &id, err, sizeof(err)) < 0 ||
		    !id.is_delta || dir_of(cur, dir, sizeof(dir)) < 0 ||
		    snprintf(cur, sizeof(cur), "%s/%s", dir,
			     id.parent_name) >= (int)sizeof(cur))
			return;
		if (is_needed(dir, id.parent_name))
			return;		/* and its parents already */
		nv = realloc(needed, (nneeded + 1) * sizeof(*nv));
		if (!nv || !(nv[nneeded] = strdup(cur))) {
			if (nv)
				needed = nv;
			return;
		}
		needed = nv;
		nneeded++;
	}
}

/* the needs of gens[from..]: what removing older sets must leave */
static void need_chains(size_t from)
{
	for (size_t i = 0; i < nneeded; i++)
		free(needed[i]);
	nneeded = 0;
	for (size_t i = from; i < ngens; i++)
		for (size_t j = 0; j < gens[i].n; j++)
			need_chain(gens[i].paths[j]);
}

static void remove_at(int dfd, const char *dir, const char *name)
{
	if (!ours(dfd, name))
		return;
	if (is_needed(dir, name)) {
		pr_debug("kept %s/%s: a kept image's chain needs it", dir,
			 name);
		return;
	}
	if (co_reap_unlinkat(dfd, name) == 0)
		pr_debug("removed %s/%s", dir, name);
	else if (errno != ENOENT)
		co_event(1, "cannot remove %s/%s: %s", ESC(dir), ESC(name),
			 strerror(errno));
}

/* An image path and its side file, if they are ours. */
static void remove_image(const char *path)
{
	char dir[PATH_MAX], side[NAME_MAX + 1];
	const char *base = base_of(path);
	int dfd;

	if (dir_of(path, dir, sizeof(dir)) < 0 ||
	    strncmp(base, "ckpt_", 5) != 0)
		return;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	remove_at(dfd, dir, base);
	if (snprintf(side, sizeof(side), "%s%s", base, CO_SIDE_SUFFIX) <
	    (int)sizeof(side))
		remove_at(dfd, dir, side);
	close(dfd);
}

static int in_committed(const char *path)
{
	if (!ngens)
		return 0;
	for (size_t i = 0; i < gens[ngens - 1].n; i++)
		if (!strcmp(gens[ngens - 1].paths[i], path))
			return 1;
	return 0;
}

void co_gens_discard(char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX], pre[NAME_MAX + 1], pre_side[NAME_MAX + 1];
		const char *base = base_of(paths[i]);
		struct dirent *de;
		DIR *d;

		/* never what the restart script names (a confused worker) */
		if (in_committed(paths[i]))
			continue;
		remove_image(paths[i]);
		/* temporaries of a process that died while writing */
		if (dir_of(paths[i], dir, sizeof(dir)) < 0 ||
		    strncmp(base, "ckpt_", 5) != 0 ||
		    snprintf(pre, sizeof(pre), ".%s%s", base, CO_TMP_INFIX) >=
		    (int)sizeof(pre) ||
		    snprintf(pre_side, sizeof(pre_side), ".%s%s%s", base,
			     CO_SIDE_SUFFIX, CO_TMP_INFIX) >=
		    (int)sizeof(pre_side))
			continue;
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d)) != NULL)
			if (!strncmp(de->d_name, pre, strlen(pre)) ||
			    !strncmp(de->d_name, pre_side, strlen(pre_side)))
				remove_at(dirfd(d), dir, de->d_name);
		closedir(d);
	}
	co_reap_start();
}

static void gen_free(struct co_gen *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->paths[i]);
	free(g->paths);
	memset(g, 0, sizeof(*g));
}

/* Append a set (copies of the paths); 0 or -1 (out of memory). */
static int gen_push(uint32_t gen, int from_restart, char *const *paths,
		    size_t n)
{
	struct co_gen *ng = realloc(gens, (ngens + 1) * sizeof(*ng)), *g;

	if (!ng)
		return -1;
	gens = ng;
	g = &gens[ngens];
	memset(g, 0, sizeof(*g));
	util_strlcpy(g->comp_id, co.comp_id, sizeof(g->comp_id));
	g->gen = gen;
	g->from_restart = from_restart;
	g->paths = calloc(n ? n : 1, sizeof(char *));
	if (!g->paths)
		return -1;
	for (size_t i = 0; i < n; i++) {
		g->paths[i] = strdup(paths[i]);
		if (!g->paths[i]) {
			gen_free(g);
			return -1;
		}
		g->n++;
	}
	ngens++;
	return 0;
}

static int dir_in_newest(const char *path)
{
	char d1[PATH_MAX], d2[PATH_MAX];

	if (!ngens || dir_of(path, d1, sizeof(d1)) < 0)
		return 0;
	for (size_t i = 0; i < gens[ngens - 1].n; i++)
		if (dir_of(gens[ngens - 1].paths[i], d2, sizeof(d2)) == 0 &&
		    !strcmp(d1, d2))
			return 1;
	return 0;
}

static int gen_kept(uint32_t gen)
{
	for (size_t i = 0; i < ngens; i++)
		if (gens[i].gen == gen)
			return 1;
	return 0;
}

/*
 * In every directory of the newest set: files of the same processes
 * (same unique id) of a generation not kept, and every temporary of
 * theirs (no checkpoint is being written now).
 */
static void sweep_dirs(void)
{
	struct co_gen *g = &gens[ngens - 1];
	char (*uids)[64] = calloc(g->n ? g->n : 1, sizeof(*uids));
	char dir[PATH_MAX], prev[PATH_MAX] = "", uid[64];
	uint32_t gen;
	int tmp;

	if (!uids)
		return;
	for (size_t i = 0; i < g->n; i++)
		if (co_image_name_parse(base_of(g->paths[i]), uids[i], sizeof(uids[i]),
			       &gen, &tmp) < 0)
			uids[i][0] = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct dirent *de;
		DIR *d;
		int seen = 0;

		if (!uids[i][0] || dir_of(g->paths[i], dir, sizeof(dir)) < 0)
			continue;
		/* each directory once */
		for (size_t j = 0; j < i && !seen; j++)
			seen = uids[j][0] && dir_of(g->paths[j], prev,
						    sizeof(prev)) == 0 &&
			       !strcmp(prev, dir);
		if (seen || !(d = opendir(dir)))
			continue;
		while ((de = readdir(d)) != NULL) {
			int mine = 0;

			if (co_image_name_parse(de->d_name, uid, sizeof(uid), &gen,
				       &tmp) < 0)
				continue;
			for (size_t j = 0; j < g->n && !mine; j++)
				mine = !strcmp(uid, uids[j]);
			if (mine && (tmp || !gen_kept(gen)))
				remove_at(dirfd(d), dir, de->d_name);
		}
		closedir(d);
	}
	free(uids);
}

/* Sets of another computation are not ours to trim: forget them. */
static void forget_other_comps(void)
{
	size_t j = 0;

	for (size_t i = 0; i < ngens; i++) {
		if (strcmp(gens[i].comp_id, co.comp_id) != 0)
			gen_free(&gens[i]);
		else
			gens[j++] = gens[i];
	}
	ngens = j;
}

void co_gens_committed_set(uint32_t gen, char *const *paths, size_t n)
{
	int keep = co.opts.keep_generations;

	if (keep <= 0)		/* keep every generation */
		return;
	forget_other_comps();
	if (gen_push(gen, 0, paths, n) < 0) {
		co_event(1, "out of memory: older checkpoint generations are "
			 "not removed");
		return;
	}
	need_chains(ngens > (size_t)keep ? ngens - (size_t)keep : 0);
	while (ngens > (size_t)keep) {
		struct co_gen *old = &gens[0];

		for (size_t i = 0; i < old->n; i++) {
			/* a restart may have come from copies elsewhere:
			   only what lies where this checkpoint wrote */
			if (old->from_restart && !dir_in_newest(old->paths[i]))
				continue;
			if (!in_committed(old->paths[i]))
				remove_image(old->paths[i]);
		}
		pr_debug("removed generation %u (%zu images)", old->gen,
			 old->n);
		gen_free(old);
		memmove(gens, gens + 1, (ngens - 1) * sizeof(*gens));
		ngens--;
	}
	sweep_dirs();
	co_reap_start();	/* blocks freed while the processes resume */
}

void co_gens_restarted(uint32_t gen, char *const *paths, size_t n)
{
	if (co.opts.keep_generations <= 0 || !n)
		return;
	forget_other_comps();
	if (ngens && gens[ngens - 1].gen == gen)
		return;		/* we committed it ourselves */
	if (gen_push(gen, 1, paths, n) < 0)
		pr_debug("out of memory remembering the restarted set");
}

/*
 * The generation in an image's name, ckpt_<prog>_<id>_<gen>.dmtcp or
 * ckpt_<prog>_<id>_<gen>_crash*.dmtcp; 0 if the name is not such.
 */
static uint32_t gen_of_name(const char *name)
{
	const char *dot, *p, *start;
	unsigned long v;

	if (strncmp(name, "ckpt_", 5) != 0)
		return 0;
	dot = strstr(name, ".dmtcp");
	if (!dot || dot[6])
		return 0;
	p = strstr(name, "_crash");
	if (!p || p > dot)
		p = dot;
	start = p;
	while (start > name && start[-1] >= '0' && start[-1] <= '9')
		start--;
	if (start == p || start[-1] != '_' || p - start > 9)
		return 0;
	v = strtoul(start, NULL, 10);
	return (uint32_t)v;
}

/* The highest generation named in the directory of path (the images a
   restart came from: a timeline keeps later ones there). */
static uint32_t newest_in_dir_of(const char *path)
{
	char dir[PATH_MAX];
	struct dirent *de;
	uint32_t g = 0, v;
	DIR *d;

	if (dir_of(path, dir, sizeof(dir)) < 0)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		v = gen_of_name(de->d_name);
		if (v > g)
			g = v;
	}
	closedir(d);
	return g;
}

uint32_t co_gens_newest_near(char *const *paths, size_t n)
{
	uint32_t g = co_gens_newest(), v;

	for (size_t i = 0; i < n; i++) {
		v = newest_in_dir_of(paths[i]);
		if (v > g)
			g = v;
	}
	return g;
}

uint32_t co_gens_newest(void)
{
	uint32_t g = 0;
	char comp[64], name[128], path[PATH_MAX], why[256], buf[8192];
	int fd;
	ssize_t len;

	for (size_t i = 0; i < ngens; i++)
		if (!strcmp(gens[i].comp_id, co.comp_id) && gens[i].gen > g)
			g = gens[i].gen;
	if (!co.comp_id[0])
		return g;
	/* the restart script in the checkpoint directory (script.c) */
	co_sanitize_name(comp, sizeof(comp), co.comp_id);
	snprintf(name, sizeof(name), "dmtcp_restart_script_%s.sh", comp);
	if (snprintf(path, sizeof(path), "%s/%s", co.ckpt_dir, name) >=
	    (int)sizeof(path))
		return g;
	fd = safe_open_own(path, O_RDONLY, 0, why, sizeof(why));
	if (fd < 0)
		return g;
	len = util_read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len > 0) {
		char *p;

		buf[len] = 0;
		p = strstr(buf, "\ngeneration=");
		if (p) {
			unsigned long v = strtoul(p + 12, NULL, 10);

			if (v > g && v <= UINT32_MAX)
				g = (uint32_t)v;
		}
	}
	return g;
}
