/*
 * cmd-timeline.c - `dmtcp_inspect timeline DIR`: one line a snapshot of
 * a timeline directory (snapdir.h), by computation and generation:
 * number, time since the start, generation, trigger, tag, processes,
 * bytes written, pages changed and where each thread was (the innermost
 * frame of the program's own code, unwound offline: "func file:line",
 * "?" when unknown).  A snapshot that continues an older one than the
 * snapshot before it starts a branch: its parent's number is shown.
 * --json: an array of objects with the same fields and the images.
 */
#include "session.h"
#include "snapdir.h"

#include <elfutils/libdwfl.h>

#include <stdlib.h>
#include <string.h>

#define WHERE_MAX	4096

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* "func file:line" of the innermost frame of the program's code */
static void thread_where(struct insp_dwfl *d, const struct img_thread *t,
			 char *buf, size_t cap)
{
	struct insp_frame fr[64];
	struct Dwfl_Module *main_mod = insp_dwfl_main_module(d);
	struct insp_sym sym;
	char why[128];
	int n = 0, k;

	snprintf(buf, cap, "?");
	insp_dwfl_unwind(d, t, fr, 64, &n, why, sizeof(why));
	for (k = 0; k < n; k++) {
		uint64_t pc = fr[k].activation || !fr[k].pc ? fr[k].pc :
			      fr[k].pc - 1;

		if (main_mod &&
		    dwfl_addrmodule(insp_dwfl_handle(d), pc) == main_mod)
			break;
	}
	if (k == n)
		return;
	if (insp_dwfl_symbolize(d, fr[k].pc, !fr[k].activation, &sym) < 0 ||
	    !sym.func)
		return;
	if (sym.file && sym.line > 0)
		snprintf(buf, cap, "%s %s:%d", sym.func, base_name(sym.file),
			 sym.line);
	else
		snprintf(buf, cap, "%s", sym.func);
}

/* Appends the threads of image si to where (text) or prints them as
 * JSON objects */
static void image_where(const struct snap_img *si, int json, int *first,
			char *where, size_t cap)
{
	struct insp_view v;
	size_t n = where ? strlen(where) : 0;

	if (insp_view_load(&v, si->path, INSP_NEED_DWFL, 1) != INSP_EXIT_OK) {
		if (!json)
			snprintf(where + n, cap - n, "%s%s[%u]: ?",
				 n ? "; " : "", si->m->proc.progname,
				 si->m->proc.pid);
		return;
	}
	for (size_t i = 0; i < v.m->nthreads; i++) {
		const struct img_thread *t = &v.m->threads[i];
		char w[512];

		if (t->state != IMG_THREAD_USER)
			continue;
		thread_where(v.d, t, w, sizeof(w));
		if (json) {
			printf("%s{\"pid\": %u, \"program\": ", *first ? "" :
			       ", ", v.m->proc.pid);
			insp_json_str(stdout, v.m->proc.progname);
			printf(", \"tid\": %u, \"where\": ", t->tid);
			insp_json_str(stdout, w);
			printf("}");
			*first = 0;
			continue;
		}
		n = strlen(where);
		if (n + 1 < cap)
			snprintf(where + n, cap - n, "%s%s%s", n ? "; " : "",
				 w, "");
	}
	insp_view_close(&v);
}

static void pages_bytes(const struct snapshot *s, uint64_t *bytes,
			uint64_t *pages)
{
	*bytes = *pages = 0;
	for (size_t k = 0; k < s->nimgs; k++) {
		const struct img_meta *m = s->imgs[k].m;

		*bytes += s->imgs[k].size;
		if (m->has_snap && m->snap.pages_changed != UINT64_MAX) {
			*pages += m->snap.pages_changed;
			continue;
		}
		/* unknown: the pages stored in the image */
		for (size_t a = 0; a < m->nareas; a++)
			*pages += m->areas[a].area.stored_bytes /
				  IMG_PAGE_SIZE;
	}
}

static void print_json(const struct snapdir *sd, const struct snapshot *s)
{
	uint64_t bytes, pages;
	int first = 1;

	pages_bytes(s, &bytes, &pages);
	printf("{\"number\": %d, \"computation\": ", s->number);
	insp_json_str(stdout, sd->comps[s->comp]);
	if (s->time_s >= 0)
		printf(", \"time_s\": %.3f", s->time_s);
	else
		printf(", \"time_s\": null");
	printf(", \"generation\": %u, \"trigger\": \"%s\", \"tag\": ",
	       s->generation, snap_trigger_name(s->has_snap ?
						 s->snap.trigger :
						 IMG_SNAP_COMMAND));
	insp_json_str(stdout, s->has_snap ? s->snap.tag : "");
	printf(", \"prev_generation\": %u, \"branch_of\": ",
	       s->prev_generation);
	if (s->branch)
		printf("%d", sd->s[s->prev].number);
	else
		printf("null");
	printf(", \"processes\": %zu, \"programs\": [", s->nimgs);
	for (size_t k = 0; k < s->nimgs; k++) {
		printf("%s", k ? ", " : "");
		insp_json_str(stdout, s->imgs[k].m->proc.progname);
	}
	printf("], \"bytes\": %llu, \"pages_changed\": %llu, \"images\": [",
	       (unsigned long long)bytes, (unsigned long long)pages);
	for (size_t k = 0; k < s->nimgs; k++) {
		printf("%s", k ? ", " : "");
		insp_json_str(stdout, s->imgs[k].path);
	}
	printf("], \"threads\": [");
	for (size_t k = 0; k < s->nimgs; k++)
		image_where(&s->imgs[k], 1, &first, NULL, 0);
	printf("]}");
}

static void print_text(const struct snapdir *sd, const struct snapshot *s)
{
	char progs[256] = "", where[WHERE_MAX] = "", size[32], t[32];
	char tag[IMG_SNAP_TAG_MAX + 16];
	uint64_t bytes, pages;
	int first = 1;
	size_t n = 0;

	pages_bytes(s, &bytes, &pages);
	for (size_t k = 0; k < s->nimgs && n + 1 < sizeof(progs); k++) {
		snprintf(progs + n, sizeof(progs) - n, "%s%s", k ? "," : "",
			 s->imgs[k].m->proc.progname);
		n = strlen(progs);
	}
	for (size_t k = 0; k < s->nimgs; k++)
		image_where(&s->imgs[k], 0, &first, where, sizeof(where));
	if (s->time_s >= 0)
		snprintf(t, sizeof(t), "%.3fs", s->time_s);
	else
		snprintf(t, sizeof(t), "?");
	snprintf(tag, sizeof(tag), "%s", s->has_snap && s->snap.tag[0] ?
		 s->snap.tag : "-");
	if (s->branch) {
		size_t l = strlen(tag);

		snprintf(tag + l, sizeof(tag) - l, " (branch of #%d)",
			 sd->s[s->prev].number);
	}
	printf("%-4d %10s %5u  %-8s %-20s %zu %-18s %10s %8llu  %s\n",
	       s->number, t, s->generation,
	       snap_trigger_name(s->has_snap ? s->snap.trigger :
				 IMG_SNAP_COMMAND), tag, s->nimgs, progs,
	       insp_size(size, sizeof(size), bytes),
	       (unsigned long long)pages, where);
}

int insp_cmd_timeline(struct insp_session *s)
{
	struct snapdir sd;
	int comp = -1;

	if (snapdir_load(&sd, s->args[0]) < 0)
		return INSP_EXIT_IMAGE;
	if (s->o->json)
		printf("[");
	for (size_t i = 0; i < sd.n; i++) {
		if (s->o->json) {
			printf("%s\n  ", i ? "," : "");
			print_json(&sd, &sd.s[i]);
			continue;
		}
		if (sd.s[i].comp != comp) {
			comp = sd.s[i].comp;
			printf("%scomputation %s\n", i ? "\n" : "",
			       sd.comps[comp]);
			printf("%-4s %10s %5s  %-8s %-20s %s %-18s %10s %8s  %s\n",
			       "#", "time", "gen", "trigger", "tag", "n",
			       "processes", "written", "pages", "where");
		}
		print_text(&sd, &sd.s[i]);
	}
	if (s->o->json)
		printf("\n]\n");
	snapdir_free(&sd);
	return INSP_EXIT_OK;
}
