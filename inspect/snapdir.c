/*
 * snapdir.c - reads a timeline directory into snapshots (snapdir.h):
 * the metadata of every ckpt_*.dmtcp (no page data), grouped by
 * comp_id and generation (a crash image is a snapshot of its own: the
 * process died, it is no part of its generation), numbered, linked to
 * the snapshot each one
 * continues (prev_generation), timed from the computation's start.
 */
#include "snapdir.h"
#include "inspect.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const trigger_names[] = {
	"command", "interval", "api", "gdb", "signal", "crash",
};

const char *snap_trigger_name(uint32_t trigger)
{
	return INSP_NAME_OF(trigger_names, trigger, "?");
}

static int img_cmp(const void *a, const void *b)
{
	const struct snap_img *x = a, *y = b;

	if (x->m->proc.pid != y->m->proc.pid)
		return x->m->proc.pid < y->m->proc.pid ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int name_ok(const char *n)
{
	size_t l = strlen(n);

	return !strncmp(n, "ckpt_", 5) && l > 11 &&
	       !strcmp(n + l - 6, ".dmtcp");
}

/* time of an image since the epoch, in s */
static double img_time(const struct img_meta *m)
{
	if (m->has_snap && m->snap.ckpt_usec)
		return (double)m->snap.ckpt_usec / 1e6;
	return (double)m->hdr.ctime_sec;
}

static int load_images(const char *dir, struct snap_img **out, size_t *n)
{
	struct snap_img *v = NULL;
	size_t cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	*n = 0;
	if (!d) {
		insp_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char err[1024], *path;
		struct img_meta *m;
		struct stat st;

		if (!name_ok(de->d_name))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			break;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
		    img_load_meta(path, &m, err, sizeof(err)) < 0) {
			insp_warn("%s: skipped: %s", path, S_ISREG(st.st_mode) ?
				  err : "not a regular file");
			free(path);
			continue;
		}
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *p = realloc(v, ncap * sizeof(*v));

			if (!p) {
				img_free_meta(m);
				free(path);
				break;
			}
			v = p;
			cap = ncap;
		}
		v[*n].path = path;
		v[*n].m = m;
		v[*n].size = (uint64_t)st.st_size;
		(*n)++;
	}
	closedir(d);
	*out = v;
	return 0;
}

static int comp_index(struct snapdir *sd, const char *id)
{
	for (size_t i = 0; i < sd->ncomps; i++)
		if (!strncmp(sd->comps[i], id, 63))
			return (int)i;
	return -1;
}

static int snap_cmp(const void *a, const void *b)
{
	const struct snapshot *x = a, *y = b;

	if (x->comp != y->comp)
		return x->comp < y->comp ? -1 : 1;
	if (x->generation != y->generation)
		return x->generation < y->generation ? -1 : 1;
	return x->crash - y->crash;	/* the crash after its generation */
}

static int is_crash(const struct img_meta *m)
{
	return m->has_snap && m->snap.trigger == IMG_SNAP_CRASH;
}

int snapdir_load(struct snapdir *sd, const char *dir)
{
	struct snap_img *imgs;
	size_t nimgs, i, j;
	double *first;

	memset(sd, 0, sizeof(*sd));
	sd->dir = strdup(dir);
	if (!sd->dir || load_images(dir, &imgs, &nimgs) < 0)
		return -1;
	if (!nimgs) {
		insp_err("%s: no checkpoint image (ckpt_*.dmtcp) in it", dir);
		free(imgs);
		return -1;
	}
	sd->comps = calloc(nimgs, sizeof(*sd->comps));
	sd->s = calloc(nimgs, sizeof(*sd->s));
	first = calloc(nimgs, sizeof(*first));
	if (!sd->comps || !sd->s || !first) {
		free(first);
		free(imgs);
		insp_err("out of memory");
		return -1;
	}
	/* computations, in order of their earliest image */
	for (i = 0; i < nimgs; i++) {
		const struct img_meta *m = imgs[i].m;
		int c = comp_index(sd, m->proc.comp_id);

		if (c < 0) {
			c = (int)sd->ncomps++;
			snprintf(sd->comps[c], sizeof(sd->comps[c]), "%.63s",
				 m->proc.comp_id);
			first[c] = img_time(m);
		} else if (img_time(m) < first[c]) {
			first[c] = img_time(m);
		}
	}
	for (i = 0; i < sd->ncomps; i++)	/* selection sort by time */
		for (j = i + 1; j < sd->ncomps; j++)
			if (first[j] < first[i]) {
				char t[64];
				double d = first[i];

				memcpy(t, sd->comps[i], 64);
				memcpy(sd->comps[i], sd->comps[j], 64);
				memcpy(sd->comps[j], t, 64);
				first[i] = first[j];
				first[j] = d;
			}
	/* snapshots: one per (comp, generation), and each crash image */
	for (i = 0; i < nimgs; i++) {
		const struct img_meta *m = imgs[i].m;
		int c = comp_index(sd, m->proc.comp_id);
		struct snapshot *s = NULL;

		for (j = 0; j < sd->n && !is_crash(m); j++)
			if (sd->s[j].comp == c && !sd->s[j].crash &&
			    sd->s[j].generation == m->proc.generation)
				s = &sd->s[j];
		if (!s) {
			s = &sd->s[sd->n++];
			s->comp = c;
			s->generation = m->proc.generation;
			s->crash = is_crash(m);
			s->imgs = calloc(nimgs, sizeof(*s->imgs));
			s->time_s = -1;
			if (!s->imgs) {
				insp_err("out of memory");
				free(first);
				return -1;
			}
		}
		s->imgs[s->nimgs++] = imgs[i];
		if (m->has_snap && !s->has_snap) {
			s->has_snap = 1;
			s->snap = m->snap;
		}
	}
	free(imgs);
	qsort(sd->s, sd->n, sizeof(*sd->s), snap_cmp);
	for (i = 0; i < sd->n; i++) {
		struct snapshot *s = &sd->s[i];

		qsort(s->imgs, s->nimgs, sizeof(*s->imgs), img_cmp);
		s->number = (int)i + 1;
		s->prev_generation = s->has_snap ? s->snap.prev_generation :
				     s->generation - 1;
		s->prev = -1;
		for (j = 0; j < i; j++)
			if (sd->s[j].comp == s->comp && !sd->s[j].crash &&
			    sd->s[j].generation == s->prev_generation)
				s->prev = (int)j;
		/* a branch: a snapshot between the one it continues and it
		   (a gap alone, a generation never committed, is not; nor a
		   crash, which nothing continues, nor for a crash its own
		   generation's snapshot) */
		s->branch = 0;
		for (j = s->prev >= 0 ? (size_t)s->prev + 1 : i; j < i; j++)
			if (sd->s[j].comp == s->comp && !sd->s[j].crash &&
			    !(s->crash && sd->s[j].generation == s->generation))
				s->branch = 1;
		if (s->has_snap && s->snap.start_usec &&
		    s->snap.ckpt_usec >= s->snap.start_usec)
			s->time_s = (double)(s->snap.ckpt_usec -
					     s->snap.start_usec) / 1e6;
		else	/* no SNAP record: from the first snapshot */
			s->time_s = img_time(s->imgs[0].m) - first[s->comp];
	}
	free(first);
	return 0;
}

void snapdir_free(struct snapdir *sd)
{
	for (size_t i = 0; i < sd->n; i++) {
		for (size_t k = 0; k < sd->s[i].nimgs; k++) {
			img_free_meta(sd->s[i].imgs[k].m);
			free(sd->s[i].imgs[k].path);
		}
		free(sd->s[i].imgs);
	}
	free(sd->s);
	free(sd->comps);
	free(sd->dir);
	memset(sd, 0, sizeof(*sd));
}
