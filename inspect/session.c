/*
 * session.c - opens and closes what a dmtcp_inspect command needs (see
 * session.h): the checks of its arguments, the image(s), the memory
 * reader, libdwfl and the JSON document around its list.
 */
#include "session.h"

#include <string.h>
#include <unistd.h>

unsigned insp_needs_resolve(unsigned needs)
{
	if (needs & (INSP_NEED_DWFL | INSP_NEED_SYMS))
		needs |= INSP_NEED_MEM;
	return needs;
}

/* The memory reader and libdwfl over a loaded image, as needs says */
static int view_open_rest(struct insp_view *v, unsigned needs, int quiet)
{
	char err[512];
	if (needs & INSP_NEED_MEM) {
		/* an incremental image's pages come through its chain */
		v->mem = insp_mem_open(v->m, err, sizeof(err));
		if (!v->mem) {
			insp_err("%s", err);
			return INSP_EXIT_IMAGE;
		}
	}
	if (needs & (INSP_NEED_DWFL | INSP_NEED_SYMS)) {
		v->d = insp_dwfl_open(v->m, v->mem, quiet ||
				      (needs & INSP_NEED_QUIET));
		if (!v->d && (needs & INSP_NEED_DWFL))
			return INSP_EXIT_IMAGE;
	}
	return INSP_EXIT_OK;
}

/* Loads image path into v with what s needs over it. */
static int insp_view_open(struct insp_session *s, struct insp_view *v,
			  const char *path)
{
	long ai;
	int rc;

	rc = insp_load(path, &v->m);
	if (rc)
		return rc;
	if ((s->needs & INSP_NEED_ADDR) && v == &s->v[0]) {
		ai = insp_find_area(v->m, s->addr);
		if (ai < 0) {
			insp_err("%#llx is not mapped in %s (see `dmtcp_inspect"
				 " maps`)", (unsigned long long)s->addr,
				 v->m->path);
			return INSP_EXIT_NOTFOUND;
		}
		s->area = &v->m->areas[ai];
	}
	return view_open_rest(v, s->needs, s->o->json);
}

int insp_view_load(struct insp_view *v, const char *path, unsigned needs,
		   int quiet)
{
	int rc;

	memset(v, 0, sizeof(*v));
	needs = insp_needs_resolve(needs);
	rc = insp_load(path, &v->m);
	if (!rc)
		rc = view_open_rest(v, needs, quiet);
	if (rc)
		insp_view_close(v);
	return rc;
}

void insp_view_close(struct insp_view *v)
{
	insp_dwfl_close(v->d);
	insp_mem_close(v->mem);
	img_free_meta(v->m);
	memset(v, 0, sizeof(*v));
}

int insp_session_open(struct insp_session *s, const struct insp_cmd *c,
		      char **args, int nargs, const struct insp_opts *o)
{
	int rc = INSP_EXIT_OK;

	memset(s, 0, sizeof(*s));
	s->cmd = c;
	s->o = o;
	s->args = args;
	s->nargs = nargs;
	s->needs = insp_needs_resolve(c->needs);
	if ((s->needs & INSP_NEED_OUTPUT) && !o->output) {
		insp_err("%s: no output file: use -o FILE", c->name);
		return INSP_EXIT_USAGE;
	}
	if ((s->needs & INSP_NEED_ADDR) &&
	    insp_parse_addr(args[1], &s->addr) < 0) {
		insp_err("%s: '%s' is not a hexadecimal address", c->name,
			 args[1]);
		return INSP_EXIT_USAGE;
	}
	if (s->needs & INSP_NEED_NOIMG)
		return INSP_EXIT_OK;
	rc = insp_view_open(s, &s->v[0], args[0]);
	if (!rc && (s->needs & INSP_NEED_TWO))
		rc = insp_view_open(s, &s->v[1], args[1]);
	if (rc)
		return insp_session_close(s, rc);
	if (o->json && c->list) {
		printf("{\"image\": ");
		insp_json_str(stdout, s->v[0].m->path);
		printf(", \"%s\": %c", c->list,
		       s->needs & INSP_NEED_OBJECT ? '{' : '[');
		s->json_open = 1;
	}
	return INSP_EXIT_OK;
}

int insp_session_close(struct insp_session *s, int rc)
{
	int i;

	if (s->json_open && rc == INSP_EXIT_OK)
		printf("\n%c}\n", s->needs & INSP_NEED_OBJECT ? '}' : ']');
	s->json_open = 0;
	for (i = 1; i >= 0; i--)
		insp_view_close(&s->v[i]);
	return rc;
}

int insp_session_run(const struct insp_cmd *c, char **args, int nargs,
		     const struct insp_opts *o)
{
	struct insp_session s;
	int rc;

	rc = insp_session_open(&s, c, args, nargs, o);
	if (rc)
		return rc;
	return insp_session_close(&s, c->run(&s));
}

void insp_json_next(struct insp_session *s)
{
	printf("%s\n  ", s->nitems++ ? "," : "");
}

int insp_thread_shown(const struct insp_session *s,
		      const struct img_thread *t)
{
	return t->state == IMG_THREAD_USER || s->o->all_threads;
}
