/*
 * cmd-print.c - `dmtcp_inspect print IMG EXPR [--thread TID]
 * [--frame N]`: evaluates a C expression in the process an image holds,
 * offline, with the DWARF of the program and its libraries (eval.h):
 * "(TYPE) VALUE" like gdb, or {"expr", "type", "value"} with --json.
 * Locals and parameters are those of frame N of thread TID (default:
 * the first application thread's innermost frame in the program's own
 * code).  Errors (syntax with its column, unknown identifier, optimized
 * out, no debug info, address not in the image) exit non-zero.
 */
#include "eval.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

int insp_parse_frame_opts(const struct insp_opts *o, uint32_t *tid, int *frame)
{
	char *end;
	unsigned long v;

	*tid = 0;
	*frame = -1;
	if (o->thread) {
		v = strtoul(o->thread, &end, 10);
		if (!*o->thread || *end || !v || v > UINT32_MAX) {
			insp_err("--thread: '%s' is not a thread id", o->thread);
			return INSP_EXIT_USAGE;
		}
		*tid = (uint32_t)v;
	}
	if (o->frame) {
		v = strtoul(o->frame, &end, 10);
		if (!*o->frame || *end || v > 100000) {
			insp_err("--frame: '%s' is not a frame number",
				 o->frame);
			return INSP_EXIT_USAGE;
		}
		*frame = (int)v;
	}
	return INSP_EXIT_OK;
}

int insp_cmd_print(struct insp_session *s)
{
	struct insp_view *v = &s->v[0];
	struct eval_ctx c;
	struct val val;
	uint32_t tid;
	int frame, rc;
	char *buf = NULL, tn[256];
	size_t len = 0;
	FILE *mf;

	rc = insp_parse_frame_opts(s->o, &tid, &frame);
	if (rc)
		return rc;
	eval_ctx_init(&c, v->m, v->mem, v->d);
	/* locals need a frame; globals do without one if it fails */
	if (eval_select_frame(&c, tid, frame) < 0) {
		if (s->o->thread || s->o->frame) {
			insp_err("%s", c.err);
			eval_ctx_free(&c);
			return INSP_EXIT_NOTFOUND;
		}
		c.code = EV_OK;
		c.err[0] = '\0';
	}
	mf = open_memstream(&buf, &len);
	if (!mf) {
		eval_ctx_free(&c);
		insp_err("out of memory");
		return INSP_EXIT_IMAGE;
	}
	rc = eval_string(&c, s->args[1], &val);
	if (rc == 0 && s->o->json) {
		fputs("{\"expr\": ", mf);
		insp_json_str(mf, s->args[1]);
		fputs(", \"type\": ", mf);
		insp_json_str(mf, ety_name(val.t, tn, sizeof(tn)));
		fputs(", \"value\": ", mf);
		rc = eval_print_json(&c, &val, mf);
		fputs("}\n", mf);
	} else if (rc == 0) {
		rc = eval_print(&c, &val, mf);
	}
	fclose(mf);
	if (rc < 0) {
		insp_err("print %s: %s", s->args[1], c.err);
		rc = eval_exit_code(&c);
	} else {
		struct insp_secrets sec;
		char *h;

		insp_secrets_init(&sec, v->m);	/* never a secret's value */
		h = insp_secrets_hide(&sec, buf);
		fputs(h ? h : "<hidden>\n", stdout);
		free(h);
		insp_secrets_free(&sec);
	}
	free(buf);
	eval_ctx_free(&c);
	return rc;
}
