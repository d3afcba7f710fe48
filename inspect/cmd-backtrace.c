/*
 * cmd-backtrace.c - `dmtcp_inspect backtrace IMG` (alias bt): every
 * thread unwound offline from its saved registers, with memory read from
 * the image: "#N 0xPC function+off (file:line)" per frame.
 */
#include "session.h"

#define BT_MAX_FRAMES 256

static void bt_thread(struct insp_session *s, const struct img_thread *t,
		      int first)
{
	const struct img_meta *m = s->v[0].m;
	struct insp_frame frames[BT_MAX_FRAMES];
	char why[256], where[512];
	int n, i, rc;

	if (!t->regs.rip && !t->regs.rsp) {
		/* the checkpoint thread writes the image: no saved state */
		n = 0;
		rc = -1;
		snprintf(why, sizeof(why), "no registers recorded for this "
			 "thread");
	} else {
		rc = insp_dwfl_unwind(s->v[0].d, t, frames, BT_MAX_FRAMES, &n,
				      why, sizeof(why));
	}
	if (s->o->json) {
		insp_json_next(s);
		insp_json_thread(m, t);
		printf(", \"frames\": [");
	} else {
		printf("%sThread %u \"%s\"%s%s:\n", first ? "" : "\n", t->tid,
		       t->name, t->tid == m->proc.pid ? " (main)" : "",
		       t->state == IMG_THREAD_CKPT ? " (checkpoint thread)" :
		       "");
	}
	for (i = 0; i < n; i++) {
		struct insp_sym sym;

		insp_dwfl_symbolize(s->v[0].d, frames[i].pc,
				    !frames[i].activation, &sym);
		if (s->o->json) {
			printf("%s\n    {\"pc\": \"%#llx\", ", i ? "," : "",
			       (unsigned long long)frames[i].pc);
			insp_json_sym(&sym);
			printf("}");
		} else {
			printf("#%-2d 0x%016llx %s\n", i,
			       (unsigned long long)frames[i].pc,
			       insp_sym_format(&sym, frames[i].pc, where,
					       sizeof(where)));
		}
	}
	if (s->o->json) {
		printf("]%s", n ? "\n  " : "");
		printf(", \"complete\": %s, \"stopped\": ",
		       rc == 0 ? "true" : "false");
		insp_json_str(stdout, rc == 0 ? NULL : why);
		printf("}");
	} else if (rc != 0) {
		printf("    (unwinding stopped: %s)\n", why);
	}
}

int insp_cmd_backtrace(struct insp_session *s)
{
	const struct img_meta *m = s->v[0].m;
	size_t i;
	int first = 1;

	for (i = 0; i < m->nthreads; i++) {
		if (!insp_thread_shown(s, &m->threads[i]))
			continue;
		bt_thread(s, &m->threads[i], first);
		first = 0;
	}
	return INSP_EXIT_OK;
}
