/*
 * txn.c - the record of one checkpoint transaction and the barrier
 * rules, as pure logic: no clients, no sockets, no files (unit tests:
 * tests/unit/test_coord_txn.c).
 *
 * The names of the image files of a generation are parsed here too
 * (gens.c removes files by them).
 *
 * The record (struct co_txn) holds the images reported written, the
 * images announced before writing (removed if the checkpoint does not
 * commit) and the FAILED= lines; ckpt.c keeps one in co.txn and decides
 * with the rules below which barrier comes next, when every participant
 * is there, and what a worker's state is once a barrier is released.
 */
#include "config.h"
#include "coord.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a with room for one more element of `size` bytes (n used, *cap
 * allocated), or NULL (a is unchanged then). */
static void *co_grow(void *a, size_t n, size_t *cap, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return a;
	ncap = *cap ? *cap * 2 : 16;
	a = realloc(a, ncap * size);
	if (a)
		*cap = ncap;
	return a;
}

void co_txn_reset(struct co_txn *t)
{
	for (size_t i = 0; i < t->nimages; i++)
		free(t->images[i].path);
	t->nimages = 0;
	t->images_bytes = 0;
	for (size_t i = 0; i < t->nwriting; i++)
		free(t->writing[i]);
	t->nwriting = 0;
	co_buf_free(&t->failures);
	t->nfailed = 0;
	t->nbg = 0;
	t->nforked = 0;
	t->bg_used = 0;
}

void co_txn_free(struct co_txn *t)
{
	co_txn_reset(t);
	free(t->images);
	free(t->writing);
	memset(t, 0, sizeof(*t));
}

int co_txn_add_image(struct co_txn *t, const char *path, uint64_t bytes,
		     uint64_t client_id)
{
	struct co_image *im = co_grow(t->images, t->nimages, &t->images_cap,
				      sizeof(*t->images));

	if (!im)
		return -1;
	t->images = im;
	im = &t->images[t->nimages];
	im->path = strdup(path);
	if (!im->path)
		return -1;
	im->bytes = bytes;
	im->client_id = client_id;
	t->nimages++;
	t->images_bytes += bytes;
	return 0;
}

int co_txn_add_writing(struct co_txn *t, const char *path)
{
	char **w = co_grow(t->writing, t->nwriting, &t->writing_cap,
			   sizeof(*t->writing));
	char *p;

	if (!w)
		return -1;
	t->writing = w;
	p = strdup(path);
	if (!p)
		return -1;
	t->writing[t->nwriting++] = p;
	return 0;
}

int co_txn_has_image(const struct co_txn *t, uint64_t client_id)
{
	for (size_t i = 0; i < t->nimages; i++)
		if (t->images[i].client_id == client_id)
			return 1;
	return 0;
}

void co_txn_fail(struct co_txn *t, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	co_buf_printf(&t->failures, "FAILED=%s\n", line);
	t->nfailed++;
}

int co_bar_next(enum co_phase phase, int released)
{
	if (phase == CO_RESTART && released < DMTCP_BAR_RESTARTED)
		return DMTCP_BAR_RESTARTED;
	return released + 1;
}

int co_bar_expected(enum co_phase phase, int released, int barrier)
{
	if (barrier >= DMTCP_BAR_SUSPENDED && barrier <= DMTCP_BAR_REFILLED)
		return phase == CO_CKPT && barrier == released + 1;
	if (barrier == DMTCP_BAR_RESTARTED ||
	    barrier == DMTCP_BAR_RESTART_REFILLED)
		return phase == CO_RESTART &&
			barrier == co_bar_next(phase, released);
	return 0;
}

int co_bar_ready(int next, int total, int at, int restart_expected)
{
	if (total == 0 || at < total)
		return 0;
	return next != DMTCP_BAR_RESTARTED || at >= restart_expected;
}

int co_bar_timed(int next)
{
	return next != DMTCP_BAR_CHECKPOINTED && next <= DMTCP_BAR_REFILLED;
}

int co_bar_worker_state(int barrier)
{
	switch (barrier) {
	case DMTCP_BAR_SUSPENDED:
		return DMTCP_WS_SUSPENDED;
	case DMTCP_BAR_FD_LEADER_ELECTION:
		return DMTCP_WS_CHECKPOINTING;
	case DMTCP_BAR_REFILLED:
	case DMTCP_BAR_RESTART_REFILLED:
		return DMTCP_WS_RUNNING;
	}
	return 0;
}

int co_image_name_parse(const char *name, char *uid, size_t cap,
			uint32_t *gen, int *is_tmp)
{
	char buf[NAME_MAX + 1];
	char *p, *end, *u;
	size_t len;
	unsigned long g;

	*is_tmp = 0;
	if (name[0] == '.') {	/* a temporary */
		const char *t = strstr(name, CO_TMP_INFIX);

		if (!t)
			return -1;
		len = (size_t)(t - name - 1);
		if (len >= sizeof(buf))
			return -1;
		memcpy(buf, name + 1, len);
		buf[len] = 0;
		*is_tmp = 1;
	} else {
		if (util_strlcpy(buf, name, sizeof(buf)) < 0)
			return -1;
	}
	len = strlen(buf);
	if (len > strlen(CO_SIDE_SUFFIX) &&
	    !strcmp(buf + len - strlen(CO_SIDE_SUFFIX), CO_SIDE_SUFFIX))
		buf[len -= strlen(CO_SIDE_SUFFIX)] = 0;
	if (len <= 6 || strcmp(buf + len - 6, ".dmtcp") != 0 ||
	    strncmp(buf, "ckpt_", 5) != 0)
		return -1;
	buf[len - 6] = 0;
	p = strrchr(buf, '_');
	if (!p || !p[1] || p - buf < 5)
		return -1;
	errno = 0;
	g = strtoul(p + 1, &end, 10);
	if (*end || errno || g > UINT32_MAX || p[1] < '0' || p[1] > '9')
		return -1;
	*p = 0;
	u = strrchr(buf, '_');
	if (!u || u - buf < 4 || !u[1] || strlen(u + 1) >= cap)
		return -1;
	strcpy(uid, u + 1);
	*gen = (uint32_t)g;
	return 0;
}
