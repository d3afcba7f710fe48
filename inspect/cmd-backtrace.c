/*
 * cmd-backtrace.c - `dmtcp_inspect backtrace IMG` (alias bt): every
 * thread unwound offline from its saved registers, with memory read from
 * the image: "#N 0xPC function+off (file:line)" per frame.
 */
#include "dwfl-session.h"
#include "inspect.h"

#define BT_MAX_FRAMES 256

static void bt_thread(struct insp_dwfl *d, const struct img_meta *m,
		      const struct img_thread *t, const struct insp_opts *o,
		      int first)
{
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
		rc = insp_dwfl_unwind(d, t, frames, BT_MAX_FRAMES, &n, why,
				      sizeof(why));
	}
	if (o->json) {
		printf("%s\n  {\"tid\": %u, \"name\": ", first ? "" : ",",
		       t->tid);
		insp_json_str(stdout, t->name);
		printf(", \"state\": \"%s\", \"main\": %s, \"frames\": [",
		       insp_thread_state_name(t->state),
		       t->tid == m->proc.pid ? "true" : "false");
	} else {
		printf("%sThread %u \"%s\"%s%s:\n", first ? "" : "\n", t->tid,
		       t->name, t->tid == m->proc.pid ? " (main)" : "",
		       t->state == IMG_THREAD_CKPT ? " (checkpoint thread)" :
		       "");
	}
	for (i = 0; i < n; i++) {
		struct insp_sym s;

		insp_dwfl_symbolize(d, frames[i].pc, !frames[i].activation,
				    &s);
		if (o->json) {
			printf("%s\n    {\"pc\": \"%#llx\", \"function\": ",
			       i ? "," : "",
			       (unsigned long long)frames[i].pc);
			insp_json_str(stdout, s.func);
			printf(", \"offset\": %llu, \"file\": ",
			       (unsigned long long)s.func_off);
			insp_json_str(stdout, s.file);
			printf(", \"line\": %d, \"module\": ", s.line);
			insp_json_str(stdout, s.module);
			printf("}");
		} else {
			printf("#%-2d 0x%016llx %s\n", i,
			       (unsigned long long)frames[i].pc,
			       insp_sym_format(&s, frames[i].pc, where,
					       sizeof(where)));
		}
	}
	if (o->json) {
		printf("]%s", n ? "\n  " : "");
		printf(", \"complete\": %s, \"stopped\": ",
		       rc == 0 ? "true" : "false");
		insp_json_str(stdout, rc == 0 ? NULL : why);
		printf("}");
	} else if (rc != 0) {
		printf("    (unwinding stopped: %s)\n", why);
	}
}

int insp_cmd_backtrace(char **args, int nargs, const struct insp_opts *o)
{
	struct insp_dwfl *d;
	struct insp_mem *mem;
	struct img_meta *m;
	char err[512];
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
	if (!d) {
		insp_mem_close(mem);
		img_free_meta(m);
		return INSP_EXIT_IMAGE;
	}
	if (o->json) {
		printf("{\"image\": ");
		insp_json_str(stdout, m->path);
		printf(", \"threads\": [");
	}
	for (i = 0; i < m->nthreads; i++) {
		if (m->threads[i].state != IMG_THREAD_USER && !o->all_threads)
			continue;
		bt_thread(d, m, &m->threads[i], o, first);
		first = 0;
	}
	if (o->json)
		printf("\n]}\n");
	insp_dwfl_close(d);
	insp_mem_close(mem);
	img_free_meta(m);
	return INSP_EXIT_OK;
}
