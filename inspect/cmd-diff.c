/*
 * cmd-diff.c - `dmtcp_inspect diff IMG1 IMG2`: what changed between two
 * images (typically two checkpoints of the same process): areas added,
 * removed or resized (matched by start address), pages whose contents
 * differ (count and address ranges per area, read through the memory
 * reader so stored, file-backed and zero pages compare alike), and
 * threads added, removed or with a different pc.  Exit status 0 whether
 * or not they differ.
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_PAGE ((uint64_t)IMG_PAGE_SIZE)

enum diff_kind { DIFF_SAME, DIFF_ADDED, DIFF_REMOVED, DIFF_CHANGED };

struct diff_range {
	uint64_t start, end;
};

struct diff_area {
	long a1, a2;		/* area index in image 1 / 2, or -1 */
	enum diff_kind kind;
	int resized;		/* same start, different end */
	int attrs;		/* perms, kind or path differ */
	uint64_t npages;	/* pages that differ */
	struct diff_range *ranges;
	size_t nranges, cap;
};

static int diff_add_page(struct diff_area *da, uint64_t addr)
{
	da->npages++;
	if (da->nranges && da->ranges[da->nranges - 1].end == addr) {
		da->ranges[da->nranges - 1].end = addr + DIFF_PAGE;
		return 0;
	}
	if (da->nranges == da->cap) {
		size_t ncap = da->cap ? 2 * da->cap : 8;
		void *p = realloc(da->ranges, ncap * sizeof(*da->ranges));

		if (!p)
			return -1;
		da->ranges = p;
		da->cap = ncap;
	}
	da->ranges[da->nranges].start = addr;
	da->ranges[da->nranges].end = addr + DIFF_PAGE;
	da->nranges++;
	return 0;
}

/* Compares the pages two matched areas have in common.  -1: corrupt
 * image (message printed). */
static int diff_pages(const struct insp_view *v, struct diff_area *da)
{
	static unsigned char p1[IMG_PAGE_SIZE], p2[IMG_PAGE_SIZE];
	const struct img_area *x = &v[0].m->areas[da->a1].area;
	const struct img_area *y = &v[1].m->areas[da->a2].area;
	uint64_t end = x->end < y->end ? x->end : y->end, addr;

	if (x->kind == IMG_AREA_SPECIAL || y->kind == IMG_AREA_SPECIAL)
		return 0;	/* vdso/vvar: not the process's data */
	for (addr = x->start; addr < end; addr += DIFF_PAGE) {
		int r1, r2;

		r1 = insp_mem_read_page(v[0].mem, (size_t)da->a1, addr, p1,
					DIFF_PAGE);
		if (r1 < 0) {
			insp_err("%s", insp_mem_error(v[0].mem));
			return -1;
		}
		r2 = insp_mem_read_page(v[1].mem, (size_t)da->a2, addr, p2,
					DIFF_PAGE);
		if (r2 < 0) {
			insp_err("%s", insp_mem_error(v[1].mem));
			return -1;
		}
		if (memcmp(p1, p2, DIFF_PAGE) && diff_add_page(da, addr) < 0) {
			insp_err("out of memory");
			return -1;
		}
	}
	return 0;
}

/* Merges the two sorted area lists into das (caller frees). */
static int diff_areas(const struct insp_view *v, struct diff_area **out,
		      size_t *nout)
{
	size_t i = 0, j = 0, n = 0;
	const struct img_meta *m1 = v[0].m, *m2 = v[1].m;
	struct diff_area *das;

	das = calloc(m1->nareas + m2->nareas + 1, sizeof(*das));
	if (!das) {
		insp_err("out of memory");
		return -1;
	}
	while (i < m1->nareas || j < m2->nareas) {
		struct diff_area *da = &das[n++];
		uint64_t s1 = i < m1->nareas ? m1->areas[i].area.start :
			      UINT64_MAX;
		uint64_t s2 = j < m2->nareas ? m2->areas[j].area.start :
			      UINT64_MAX;

		da->a1 = da->a2 = -1;
		if (s1 < s2) {
			da->a1 = (long)i++;
			da->kind = DIFF_REMOVED;
			continue;
		}
		if (s2 < s1) {
			da->a2 = (long)j++;
			da->kind = DIFF_ADDED;
			continue;
		}
		da->a1 = (long)i++;
		da->a2 = (long)j++;
		da->resized = m1->areas[da->a1].area.end !=
			      m2->areas[da->a2].area.end;
		da->attrs = m1->areas[da->a1].area.prot !=
			    m2->areas[da->a2].area.prot ||
			    m1->areas[da->a1].area.kind !=
			    m2->areas[da->a2].area.kind ||
			    strcmp(m1->areas[da->a1].path,
				   m2->areas[da->a2].path);
		if (diff_pages(v, da) < 0) {
			*out = das;
			*nout = n;
			return -1;
		}
		da->kind = da->resized || da->attrs || da->npages ?
			   DIFF_CHANGED : DIFF_SAME;
	}
	*out = das;
	*nout = n;
	return 0;
}

static const struct img_thread *diff_find_thread(const struct img_meta *m,
						 uint32_t tid)
{
	size_t i;

	for (i = 0; i < m->nthreads; i++)
		if (m->threads[i].tid == tid)
			return &m->threads[i];
	return NULL;
}

static void diff_print_area(const struct insp_view *v,
			    const struct diff_area *da, int json, int first)
{
	const struct img_meta_area *x = da->a1 >= 0 ?
					&v[0].m->areas[da->a1] : NULL;
	const struct img_meta_area *y = da->a2 >= 0 ?
					&v[1].m->areas[da->a2] : NULL;
	const struct img_meta_area *a = y ? y : x;
	static const char *const what[] = { "same", "added", "removed",
					    "changed" };
	char perms[5];
	size_t k;

	if (json) {
		printf("%s\n  {\"change\": \"%s\", \"start\": \"%#llx\", "
		       "\"end\": \"%#llx\", \"perms\": \"%s\", \"name\": ",
		       first ? "" : ",", what[da->kind],
		       (unsigned long long)a->area.start,
		       (unsigned long long)a->area.end,
		       insp_perms(perms, &a->area));
		insp_json_str(stdout, insp_area_name(a));
		if (x && y)
			printf(", \"old_end\": \"%#llx\", \"resized\": %s, "
			       "\"attributes_changed\": %s, "
			       "\"pages_differ\": %llu, \"ranges\": [",
			       (unsigned long long)x->area.end,
			       da->resized ? "true" : "false",
			       da->attrs ? "true" : "false",
			       (unsigned long long)da->npages);
		for (k = 0; x && y && k < da->nranges; k++)
			printf("%s[\"%#llx\", \"%#llx\"]", k ? ", " : "",
			       (unsigned long long)da->ranges[k].start,
			       (unsigned long long)da->ranges[k].end);
		printf("%s}", x && y ? "]" : "");
		return;
	}
	printf("  %-8s %016llx-%016llx %s %s\n", what[da->kind],
	       (unsigned long long)a->area.start,
	       (unsigned long long)a->area.end, insp_perms(perms, &a->area),
	       insp_area_name(a));
	if (!x || !y)
		return;
	if (da->resized)
		printf("           resized: end %#llx -> %#llx\n",
		       (unsigned long long)x->area.end,
		       (unsigned long long)y->area.end);
	if (da->attrs)
		printf("           was %s %s %s\n", insp_perms(perms, &x->area),
		       insp_area_kind_name(x->area.kind), insp_area_name(x));
	if (da->npages) {
		printf("           %llu page%s:",
		       (unsigned long long)da->npages,
		       da->npages == 1 ? " differs" : "s differ");
		for (k = 0; k < da->nranges; k++)
			printf(" %#llx-%#llx",
			       (unsigned long long)da->ranges[k].start,
			       (unsigned long long)da->ranges[k].end);
		printf("\n");
	}
}

static void diff_print_pc(struct insp_dwfl *d, uint64_t pc, int json)
{
	struct insp_sym sym;
	char where[512];

	if (d)
		insp_dwfl_symbolize(d, pc, 0, &sym);
	else
		memset(&sym, 0, sizeof(sym));
	if (json) {
		printf("{\"pc\": \"%#llx\", \"function\": ",
		       (unsigned long long)pc);
		insp_json_str(stdout, sym.func);
		printf("}");
	} else {
		printf("%#llx %s", (unsigned long long)pc,
		       insp_sym_format(&sym, pc, where, sizeof(where)));
	}
}

/* Threads: removed (in 1 only), added (in 2 only), pc changed. */
static size_t diff_threads(const struct insp_view *v, int json)
{
	const struct img_meta *m1 = v[0].m, *m2 = v[1].m;
	size_t i, n = 0;

	for (i = 0; i < m1->nthreads + m2->nthreads; i++) {
		int in1 = i < m1->nthreads;
		const struct img_thread *t = in1 ? &m1->threads[i] :
					     &m2->threads[i - m1->nthreads];
		const struct img_thread *o = diff_find_thread(in1 ? m2 : m1,
							      t->tid);
		const char *what;

		if (o && (!in1 || o->regs.rip == t->regs.rip))
			continue;
		what = !o ? (in1 ? "removed" : "added") : "changed";
		if (json) {
			printf("%s\n  {\"change\": \"%s\", \"tid\": %u, "
			       "\"name\": ", n ? "," : "", what, t->tid);
			insp_json_str(stdout, t->name);
			printf(", \"%s\": ", in1 && o ? "old" : "at");
			diff_print_pc(v[in1 ? 0 : 1].d, t->regs.rip, 1);
			if (o) {
				printf(", \"new\": ");
				diff_print_pc(v[1].d, o->regs.rip, 1);
			}
			printf("}");
		} else {
			printf("  %-8s tid %u \"%s\" pc ", what, t->tid,
			       t->name);
			diff_print_pc(v[in1 ? 0 : 1].d, t->regs.rip, 0);
			if (o) {
				printf("\n           now ");
				diff_print_pc(v[1].d, o->regs.rip, 0);
			}
			printf("\n");
		}
		n++;
	}
	return n;
}

int insp_cmd_diff(struct insp_session *s)
{
	const struct insp_view *v = s->v;
	struct diff_area *das = NULL;
	size_t nda = 0, i, cnt[4] = { 0 }, nthr;
	uint64_t pages = 0;
	int rc = INSP_EXIT_OK, first = 1;

	if (diff_areas(v, &das, &nda) < 0) {
		rc = INSP_EXIT_IMAGE;
		goto out;
	}
	if (v[0].m->proc.pid != v[1].m->proc.pid ||
	    strcmp(v[0].m->proc.exe, v[1].m->proc.exe))
		insp_warn("the images hold different processes (pid %u %s, "
			  "pid %u %s): expect every area to differ",
			  v[0].m->proc.pid, v[0].m->proc.exe,
			  v[1].m->proc.pid, v[1].m->proc.exe);
	for (i = 0; i < nda; i++) {
		cnt[das[i].kind]++;
		pages += das[i].npages;
	}
	if (s->o->json) {
		printf("{\"old\": ");
		insp_json_str(stdout, v[0].m->path);
		printf(", \"new\": ");
		insp_json_str(stdout, v[1].m->path);
		printf(", \"areas_added\": %zu, \"areas_removed\": %zu, "
		       "\"areas_changed\": %zu, \"pages_differ\": %llu, "
		       "\"areas\": [", cnt[DIFF_ADDED], cnt[DIFF_REMOVED],
		       cnt[DIFF_CHANGED], (unsigned long long)pages);
	} else {
		printf("--- %s\n+++ %s\n", v[0].m->path, v[1].m->path);
		printf("areas: %zu added, %zu removed, %zu changed; %llu "
		       "page%s\n", cnt[DIFF_ADDED], cnt[DIFF_REMOVED],
		       cnt[DIFF_CHANGED], (unsigned long long)pages,
		       pages == 1 ? " differs" : "s differ");
	}
	for (i = 0; i < nda; i++) {
		if (das[i].kind == DIFF_SAME)
			continue;
		diff_print_area(v, &das[i], s->o->json, first);
		first = 0;
	}
	if (s->o->json) {
		printf("\n], \"threads\": [");
		nthr = diff_threads(v, 1);
		printf("\n], \"threads_changed\": %zu}\n", nthr);
	} else {
		printf("threads:\n");
		nthr = diff_threads(v, 0);
		if (!nthr)
			printf("  (no thread added, removed or moved)\n");
	}
out:
	for (i = 0; i < nda; i++)
		free(das[i].ranges);
	free(das);
	return rc;
}
