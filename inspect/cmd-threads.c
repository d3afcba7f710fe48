/*
 * cmd-threads.c - `dmtcp_inspect threads IMG`: each thread with its tid,
 * name, state, and where it was interrupted (pc symbolized, sp).
 */
#include "session.h"

int insp_cmd_threads(struct insp_session *s)
{
	const struct img_meta *m = s->v[0].m;
	char where[512];
	size_t i;

	if (!s->o->json)
		printf("%7s %-15s %-5s %-18s %-18s %s\n", "TID", "NAME",
		       "STATE", "PC", "SP", "WHERE");
	for (i = 0; i < m->nthreads; i++) {
		const struct img_thread *t = &m->threads[i];
		struct insp_sym sym = { 0 };

		if (!insp_thread_shown(s, t))
			continue;
		if (s->v[0].d)
			insp_dwfl_symbolize(s->v[0].d, t->regs.rip, 0, &sym);
		insp_sym_format(&sym, t->regs.rip, where, sizeof(where));
		if (s->o->json) {
			insp_json_next(s);
			insp_json_thread(m, t);
			printf(", \"pc\": \"%#llx\", \"sp\": \"%#llx\", ",
			       (unsigned long long)t->regs.rip,
			       (unsigned long long)t->regs.rsp);
			insp_json_sym(&sym);
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
	}
	return INSP_EXIT_OK;
}
