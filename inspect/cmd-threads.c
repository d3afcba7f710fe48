/*
 * cmd-threads.c - `dmtcp_inspect threads IMG`: each thread with its tid,
 * name, state, and where it was interrupted (pc symbolized, sp).
 */
#include "dwfl-session.h"
#include "inspect.h"

int insp_cmd_threads(char **args, int nargs, const struct insp_opts *o)
{
	struct insp_dwfl *d = NULL;
	struct insp_mem *mem;
	struct img_meta *m;
	char err[512], where[512];
	size_t i;
	int rc, first = 1;

	(void)nargs;
	rc = insp_load(args[0], &m);
	if (rc)
		return rc;
	mem = insp_mem_open(m, err, sizeof(err));
	if (!mem) {
		insp_err("%s", err);
		img_free_meta(m);
		return INSP_EXIT_IMAGE;
	}
	d = insp_dwfl_open(m, mem, o->json);
	if (o->json) {
		printf("{\"image\": ");
		insp_json_str(stdout, m->path);
		printf(", \"threads\": [");
	} else {
		printf("%7s %-15s %-5s %-18s %-18s %s\n", "TID", "NAME",
		       "STATE", "PC", "SP", "WHERE");
	}
	for (i = 0; i < m->nthreads; i++) {
		const struct img_thread *t = &m->threads[i];
		struct insp_sym s = { 0 };

		if (t->state != IMG_THREAD_USER && !o->all_threads)
			continue;
		if (d)
			insp_dwfl_symbolize(d, t->regs.rip, 0, &s);
		insp_sym_format(&s, t->regs.rip, where, sizeof(where));
		if (o->json) {
			printf("%s\n  {\"tid\": %u, \"name\": ",
			       first ? "" : ",", t->tid);
			insp_json_str(stdout, t->name);
			printf(", \"state\": \"%s\", \"main\": %s, "
			       "\"pc\": \"%#llx\", \"sp\": \"%#llx\", "
			       "\"function\": ",
			       insp_thread_state_name(t->state),
			       t->tid == m->proc.pid ? "true" : "false",
			       (unsigned long long)t->regs.rip,
			       (unsigned long long)t->regs.rsp);
			insp_json_str(stdout, s.func);
			printf(", \"offset\": %llu, \"file\": ",
			       (unsigned long long)s.func_off);
			insp_json_str(stdout, s.file);
			printf(", \"line\": %d, \"module\": ", s.line);
			insp_json_str(stdout, s.module);
			printf(", \"sigmask\": \"%#llx\", "
			       "\"sigpending\": \"%#llx\"}",
			       (unsigned long long)t->sigmask,
			       (unsigned long long)t->sigpending);
		} else {
			printf("%7u %-15s %-5s 0x%016llx 0x%016llx %s%s\n",
			       t->tid, t->name[0] ? t->name : "-",
			       insp_thread_state_name(t->state),
			       (unsigned long long)t->regs.rip,
			       (unsigned long long)t->regs.rsp, where,
			       t->tid == m->proc.pid ? " [main]" : "");
		}
		first = 0;
	}
	if (o->json)
		printf("\n]}\n");
	insp_dwfl_close(d);
	insp_mem_close(mem);
	img_free_meta(m);
	return INSP_EXIT_OK;
}
