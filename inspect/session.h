/*
 * session.h - what a dmtcp_inspect command works on, opened in one call
 * from the needs its entry in main.c's command table declares: the
 * image(s) loaded, the memory reader, the libdwfl session, an address
 * argument checked against the areas, the -o FILE, and the JSON
 * document's opening around the command's list.  One close frees it all
 * (and ends that JSON document when the command succeeded), so a
 * cmd-*.c file holds only what its command prints.
 */
#ifndef DMTCP_INSPECT_SESSION_H
#define DMTCP_INSPECT_SESSION_H

#include <stdint.h>

#include "dwfl-session.h"
#include "inspect.h"
#include "mem.h"

/* What a command needs (struct insp_cmd.needs); the image args[0] is
 * always loaded.  The order, ended by the first failure: -o FILE, the
 * address parsed, then for each image: loaded, the address found in its
 * areas (the first image only), memory, libdwfl. */
enum insp_need {
	INSP_NEED_OUTPUT = 1u << 0,	/* -o FILE given (else exit 1) */
	INSP_NEED_ADDR = 1u << 1,	/* args[1] an address (else exit 1),
					 * mapped in the image (else exit 3) */
	INSP_NEED_TWO = 1u << 2,	/* args[1] is a second image */
	INSP_NEED_MEM = 1u << 3,	/* the memory reader */
	INSP_NEED_DWFL = 1u << 4,	/* libdwfl (else exit 2) */
	INSP_NEED_SYMS = 1u << 5,	/* libdwfl if it opens, else d NULL */
	INSP_NEED_QUIET = 1u << 6,	/* no libdwfl warnings, even in text */
	INSP_NEED_OBJECT = 1u << 7,	/* the JSON list is an object { } */
	INSP_NEED_NOIMG = 1u << 8,	/* args[0] is not an image (a
					   directory): nothing is opened */
};

/* One image and what is open over it */
struct insp_view {
	struct img_meta *m;
	struct insp_mem *mem;	/* NULL unless NEED_MEM (or libdwfl) */
	struct insp_dwfl *d;	/* NULL unless NEED_DWFL, NEED_SYMS */
};

struct insp_session {
	const struct insp_cmd *cmd;
	const struct insp_opts *o;
	char **args;
	int nargs;
	unsigned needs;		/* cmd->needs, resolved */
	struct insp_view v[2];	/* v[1] with NEED_TWO */
	uint64_t addr;		/* NEED_ADDR: the address, */
	const struct img_meta_area *area;	/* and the area holding it */
	int json_open;		/* the JSON list has been opened */
	size_t nitems;		/* elements printed by insp_json_next */
};

/* Opens path into v as a command with needs would (NEED_MEM, NEED_DWFL,
 * NEED_SYMS, NEED_QUIET): INSP_EXIT_OK or the code, message printed
 * (v is then closed already). */
int insp_view_load(struct insp_view *v, const char *path, unsigned needs,
		   int quiet);
void insp_view_close(struct insp_view *v);

/* needs with what they imply added: libdwfl reads the memory. */
unsigned insp_needs_resolve(unsigned needs);

/*
 * Opens what c needs for args (checked by main against min/max_args)
 * and, with --json and c->list, prints {"image": PATH, "LIST": [ (or {
 * with NEED_OBJECT).  Returns INSP_EXIT_OK, or the exit code with the
 * message printed; s is then closed already.
 */
int insp_session_open(struct insp_session *s, const struct insp_cmd *c,
		      char **args, int nargs, const struct insp_opts *o);
/* Ends the JSON list and document if rc is INSP_EXIT_OK, frees all;
 * returns rc. */
int insp_session_close(struct insp_session *s, int rc);

/* Opens c, runs it and closes: main's dispatch. */
int insp_session_run(const struct insp_cmd *c, char **args, int nargs,
		     const struct insp_opts *o);

/* ",\n  " before an element of the JSON list but the first, "\n  "
 * before the first. */
void insp_json_next(struct insp_session *s);

/* Is thread t shown: an application thread, or any with --all. */
int insp_thread_shown(const struct insp_session *s,
		      const struct img_thread *t);

#endif /* DMTCP_INSPECT_SESSION_H */
