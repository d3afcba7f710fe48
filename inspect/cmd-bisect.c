/*
 * cmd-bisect.c - `dmtcp_inspect bisect DIR EXPR`: the first snapshot
 * of the current branch of a timeline directory in which EXPR is true
 * (non-zero), or with --changes the first whose value of EXPR differs
 * from the first snapshot's (values compared as printed, so structs and
 * strings work too).  The branch: the newest snapshot and, back through
 * prev_generation, the ones it continues.  Binary search assumes the
 * condition stays true once true; --linear evaluates every snapshot in
 * order.  Each snapshot is evaluated offline in the image of one
 * process, the same in every snapshot (--pid N; else the lowest pid, of
 * program NAME with --prog, of the branch's first snapshot that has
 * one), frame as print's default.  A snapshot where EXPR cannot be evaluated (a NULL pointer on
 * the way, no such process) is "not evaluable": an error (exit 2) in a
 * binary search, reported and skipped by --linear.  Prints the first
 * bad snapshot and the one before it; exit 0 found, 1 not found, 2
 * error.
 */
#include "eval.h"
#include "session.h"
#include "snapdir.h"

#include <stdlib.h>
#include <string.h>

#define BISECT_FOUND	0
#define BISECT_NONE	1
#define BISECT_ERROR	2

/* What one snapshot gave */
struct outcome {
	int done;		/* evaluated (or tried) */
	int ok;			/* value and type valid */
	int truth;		/* EXPR non-zero (scalar values) */
	int scalar;
	char *value;		/* as printed, malloc'd */
	char type[256];
	const struct snap_img *img;	/* the image evaluated */
	char err[600];
};

struct bisect {
	struct insp_session *s;
	const char *expr;
	struct snapdir sd;
	int *branch;		/* snapshot indexes, oldest first */
	int n;
	struct outcome *out;	/* per branch entry */
	unsigned pid;		/* --pid, else the process chosen */
	char prog[64];		/* its program */
	int evaluated;
};

static const struct snap_img *pick_image(struct bisect *b,
					 const struct snapshot *sn)
{
	for (size_t k = 0; k < sn->nimgs; k++) {
		const struct img_meta *m = sn->imgs[k].m;

		if (b->pid && m->proc.pid != b->pid)
			continue;
		if (b->s->o->prog && strncmp(m->proc.progname, b->s->o->prog,
					     sizeof(m->proc.progname)))
			continue;
		return &sn->imgs[k];	/* sorted by pid: the lowest */
	}
	return NULL;
}

static void evaluate(struct bisect *b, int i)
{
	struct outcome *o = &b->out[i];
	const struct snapshot *sn = &b->sd.s[b->branch[i]];
	struct insp_view v;
	struct eval_ctx c;
	struct val val;
	char *buf = NULL;
	size_t len = 0;
	FILE *mf;

	if (o->done)
		return;
	o->done = 1;
	b->evaluated++;
	o->img = pick_image(b, sn);
	if (!o->img) {
		if (!b->pid)
			snprintf(o->err, sizeof(o->err), "snapshot #%d has no "
				 "process named '%s'", sn->number,
				 b->s->o->prog ? b->s->o->prog : "?");
		else
			snprintf(o->err, sizeof(o->err), "snapshot #%d has no "
				 "process with pid %u", sn->number, b->pid);
		return;
	}
	if (insp_view_load(&v, o->img->path, INSP_NEED_DWFL, 1)) {
		snprintf(o->err, sizeof(o->err), "%s: cannot be read (see "
			 "the message above)", o->img->path);
		return;
	}
	eval_ctx_init(&c, v.m, v.mem, v.d);
	if (eval_select_frame(&c, 0, -1) < 0) {	/* globals still work */
		c.code = EV_OK;
		c.err[0] = '\0';
	}
	mf = open_memstream(&buf, &len);
	if (mf && eval_string(&c, b->expr, &val) == 0 &&
	    eval_print_value(&c, &val, mf) == 0) {
		fclose(mf);
		mf = NULL;
		o->scalar = ety_is_scalar(val.t);
		if (!o->scalar || eval_truth(&c, &val, &o->truth) == 0) {
			struct insp_secrets sec;

			o->ok = 1;
			insp_secrets_init(&sec, v.m);
			o->value = insp_secrets_hide(&sec, buf);
			insp_secrets_free(&sec);
			if (!o->value)
				o->ok = 0;
			ety_name(val.t, o->type, sizeof(o->type));
		}
	}
	if (mf)
		fclose(mf);
	free(buf);
	if (!o->ok)
		snprintf(o->err, sizeof(o->err), "%s", c.code ? c.err :
			 "out of memory");
	eval_ctx_free(&c);
	insp_view_close(&v);
}

/* Is snapshot i "bad"?  1, 0, or -1 not evaluable */
static int bad(struct bisect *b, int i)
{
	struct outcome *o = &b->out[i];

	evaluate(b, i);
	if (!o->ok)
		return -1;
	if (b->s->o->changes) {
		evaluate(b, 0);
		if (!b->out[0].ok)
			return -1;
		return strcmp(o->value, b->out[0].value) != 0;
	}
	if (!o->scalar) {
		snprintf(o->err, sizeof(o->err), "'%s' is a %s, not a "
			 "condition (use --changes to find where it changes)",
			 b->expr, o->type);
		o->ok = 0;
		return -1;
	}
	return o->truth;
}

/* The branch ending in the newest snapshot of the computation (with
   --pid/--prog: the newest that holds that process; a peer may have
   taken snapshots after it crashed) */
static int make_branch(struct bisect *b)
{
	int newest = -1, comp = -1;

	/* the computation: one holding the process asked for */
	for (size_t i = 0; i < b->sd.n && (b->pid || b->s->o->prog); i++)
		if (pick_image(b, &b->sd.s[i])) {
			comp = b->sd.s[i].comp;
			break;
		}
	if ((b->pid || b->s->o->prog) && comp < 0) {
		if (b->pid)
			insp_err("%s: no image of a process with pid %u",
				 b->sd.dir, b->pid);
		else
			insp_err("%s: no image of a program named '%s'",
				 b->sd.dir, b->s->o->prog);
		return -1;
	}
	for (size_t i = 0; i < b->sd.n; i++) {
		const struct snapshot *sn = &b->sd.s[i];

		if (comp >= 0 && (sn->comp != comp || !pick_image(b, sn)))
			continue;
		if (newest < 0 || sn->generation >
		    b->sd.s[newest].generation ||
		    (sn->generation == b->sd.s[newest].generation &&
		     sn->comp > b->sd.s[newest].comp))
			newest = (int)i;
	}
	b->branch = calloc(b->sd.n, sizeof(*b->branch));
	b->out = calloc(b->sd.n, sizeof(*b->out));
	if (!b->branch || !b->out) {
		insp_err("out of memory");
		return -1;
	}
	for (int i = newest; i >= 0 && b->n < (int)b->sd.n;
	     i = b->sd.s[i].prev)
		b->branch[b->n++] = i;
	for (int i = 0; i < b->n / 2; i++) {	/* oldest first */
		int t = b->branch[i];

		b->branch[i] = b->branch[b->n - 1 - i];
		b->branch[b->n - 1 - i] = t;
	}
	/* one process for the whole branch: the first (lowest pid, of that
	   name with --prog) of the first snapshot that has one */
	for (int i = 0; i < b->n && !b->prog[0]; i++) {
		const struct snap_img *si = pick_image(b,
						       &b->sd.s[b->branch[i]]);

		if (si) {
			b->pid = si->m->proc.pid;	/* the same if given */
			snprintf(b->prog, sizeof(b->prog), "%s",
				 si->m->proc.progname);
		}
	}
	return 0;
}

static void print_one(struct bisect *b, const char *label, int i)
{
	const struct snapshot *sn = &b->sd.s[b->branch[i]];
	const struct outcome *o = &b->out[i];

	if (b->s->o->json) {
		printf("{\"number\": %d, \"generation\": %u, \"tag\": ",
		       sn->number, sn->generation);
		insp_json_str(stdout, sn->has_snap ? sn->snap.tag : "");
		printf(", \"image\": ");
		insp_json_str(stdout, o->img ? o->img->path : NULL);
		printf(", \"type\": ");
		insp_json_str(stdout, o->ok ? o->type : NULL);
		printf(", \"value\": ");
		insp_json_str(stdout, o->ok ? o->value : NULL);
		printf("}");
		return;
	}
	printf("%-10s #%d  generation %u  tag %s  %s\n", label, sn->number,
	       sn->generation, sn->has_snap && sn->snap.tag[0] ?
	       sn->snap.tag : "-", o->img ? o->img->path : "?");
	printf("%-10s %s = (%s) %s\n", "", b->expr, o->type, o->value);
}

static void report_unevaluable(struct bisect *b, int i)
{
	const struct snapshot *sn = &b->sd.s[b->branch[i]];

	insp_warn("snapshot #%d (generation %u) not evaluable: %s",
		  sn->number, sn->generation, b->out[i].err);
}

static int finish(struct bisect *b, int first_bad)
{
	if (first_bad < 0) {
		if (b->s->o->json)
			printf("{\"expr\": "), insp_json_str(stdout, b->expr),
			printf(", \"found\": false, \"snapshots\": %d, "
			       "\"evaluated\": %d}\n", b->n, b->evaluated);
		else
			printf("no snapshot of the %d on the current branch "
			       "%s (process %u, %s)\n", b->n, b->s->o->changes ?
			       "has a value of EXPR different from the first" :
			       "satisfies EXPR", b->pid, b->prog);
		return BISECT_NONE;
	}
	if (b->s->o->json) {
		printf("{\"expr\": ");
		insp_json_str(stdout, b->expr);
		printf(", \"found\": true, \"pid\": %u, \"snapshots\": %d, "
		       "\"evaluated\": %d, \"first_bad\": ", b->pid, b->n,
		       b->evaluated);
		print_one(b, "", first_bad);
		printf(", \"before\": ");
		if (first_bad > 0)
			print_one(b, "", first_bad - 1);
		else
			printf("null");
		printf("}\n");
		return BISECT_FOUND;
	}
	print_one(b, "first bad:", first_bad);
	if (first_bad > 0)
		print_one(b, "before:", first_bad - 1);
	else
		printf("before:    none (the first snapshot of the branch is "
		       "already bad)\n");
	printf("(process %u, %s; %d of the %d snapshots of the current branch "
	       "evaluated)\n", b->pid, b->prog, b->evaluated, b->n);
	return BISECT_FOUND;
}

static int run(struct bisect *b)
{
	int lo, hi, r, i;

	if (b->s->o->linear) {
		for (i = 0; i < b->n; i++) {
			r = bad(b, i);
			if (r < 0) {
				if (i == 0 && b->s->o->changes) {
					report_unevaluable(b, i);
					insp_err("--changes: the first snapshot "
						 "must be evaluable");
					return BISECT_ERROR;
				}
				report_unevaluable(b, i);
				continue;
			}
			if (r)
				return finish(b, i);
		}
		return finish(b, -1);
	}
	/* binary search for the first bad one, assuming monotonic */
	r = bad(b, b->n - 1);
	if (r < 0)
		goto error_at_last;
	if (!r)
		return finish(b, -1);
	lo = 0;			/* candidates [lo, hi]; hi is bad */
	hi = b->n - 1;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		r = bad(b, mid);
		if (r < 0) {
			report_unevaluable(b, mid);
			insp_err("snapshot #%d cannot be evaluated: a binary "
				 "search needs every snapshot it looks at "
				 "(try --linear)",
				 b->sd.s[b->branch[mid]].number);
			return BISECT_ERROR;
		}
		if (r)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (hi > 0)
		evaluate(b, hi - 1);	/* the one before, for the report */
	return finish(b, hi);
error_at_last:
	report_unevaluable(b, b->n - 1);
	insp_err("the newest snapshot #%d cannot be evaluated (try "
		 "--linear, or --pid for another process: see `dmtcp_inspect "
		 "timeline`)", b->sd.s[b->branch[b->n - 1]].number);
	return BISECT_ERROR;
}

int insp_cmd_bisect(struct insp_session *s)
{
	struct bisect b;
	char err[256], *end;
	struct expr *e;
	int rc;

	memset(&b, 0, sizeof(b));
	b.s = s;
	b.expr = s->args[1];
	if (s->o->pid) {
		unsigned long v = strtoul(s->o->pid, &end, 10);

		if (!*s->o->pid || *end || !v || v > UINT32_MAX) {
			insp_err("--pid: '%s' is not a pid", s->o->pid);
			return BISECT_ERROR;
		}
		b.pid = (unsigned)v;
	}
	/* a syntax error is the same in every snapshot: say it once */
	e = expr_parse(b.expr, NULL, NULL, err, sizeof(err));
	if (!e && !strstr(err, "expected an expression") &&
	    !strstr(err, "unexpected '")) {
		insp_err("bisect %s: syntax error: %s", b.expr, err);
		return BISECT_ERROR;
	}
	expr_free(e);
	if (snapdir_load(&b.sd, s->args[0]) < 0)
		return BISECT_ERROR;
	if (make_branch(&b) < 0) {
		rc = BISECT_ERROR;
	} else {
		rc = run(&b);
		if (rc == BISECT_NONE) {
			/* "satisfies nothing" must not hide "evaluates
			   nowhere" */
			int any = 0;

			for (int i = 0; i < b.n; i++)
				any |= b.out[i].ok;
			if (!any) {
				for (int i = 0; i < b.n; i++)
					if (b.out[i].done)
						report_unevaluable(&b, i);
				insp_err("'%s' cannot be evaluated in any "
					 "snapshot", b.expr);
				rc = BISECT_ERROR;
			}
		}
	}
	for (int i = 0; b.out && i < (int)b.sd.n; i++)
		free(b.out[i].value);
	free(b.out);
	free(b.branch);
	snapdir_free(&b.sd);
	return rc;
}
