/*
 * dwfl-session.h - a libdwfl view of the process an image holds: the
 * ELF modules reported from the area records (path, load bias, build-id
 * checked; /usr/lib/debug/.build-id fallback; the stored [vdso]),
 * addresses symbolized to module, function+offset and file:line, and
 * threads unwound offline with memory read from the image and registers
 * from the thread records.
 */
#ifndef DMTCP_INSPECT_DWFL_SESSION_H
#define DMTCP_INSPECT_DWFL_SESSION_H

#include <stdint.h>

#include "img.h"
#include "mem.h"

struct insp_dwfl;

/* An address, symbolized.  Strings point into the session (valid until
 * insp_dwfl_close) or are NULL when unknown. */
struct insp_sym {
	const char *module;	/* full name of the module or the area */
	uint64_t module_start;	/* where the module (or area) starts */
	const char *func;	/* symbol name, without @VERSION */
	uint64_t func_off;	/* addr - symbol value */
	const char *file;	/* source file (as in the DWARF) */
	int line;		/* 0 if unknown */
	char func_buf[256];
};

/* Opens a session over m and mem (both must outlive it); reports every
 * module it can, warning (once each) about files that cannot be used.
 * With quiet, no warnings.  NULL on failure (message printed). */
struct insp_dwfl *insp_dwfl_open(const struct img_meta *m,
				 struct insp_mem *mem, int quiet);
void insp_dwfl_close(struct insp_dwfl *d);

/*
 * Symbolizes addr.  A return address (call_site true) is looked up at
 * addr - 1 so that a call at the very end of a function is attributed
 * to it and to the line of the call; func_off stays relative to addr.
 * Returns 0 if a symbol was found, -1 otherwise (module may be set).
 */
int insp_dwfl_symbolize(struct insp_dwfl *d, uint64_t addr, int call_site,
			struct insp_sym *s);

/* "func+0xoff (file:line)", "func+0xoff" or "?? (module+0xoff)". */
char *insp_sym_format(const struct insp_sym *s, uint64_t addr, char *buf,
		      size_t cap);

/* "function": ..., "offset": N, "file": ..., "line": N, "module": ...
 * (JSON members, no braces) on stdout. */
void insp_json_sym(const struct insp_sym *s);

/* One frame of an unwound thread */
struct insp_frame {
	uint64_t pc;
	int activation;		/* pc is exact, not a return address */
	uint64_t regs[17];	/* DWARF registers 0..16 (rip last) */
	uint32_t regmask;	/* bit n: regs[n] known in this frame */
};

/*
 * Unwinds thread t (one of m->threads).  Fills up to max frames, sets
 * *nframes, and returns 0 when the unwinder reached the outermost frame
 * or -1 when it stopped early (why gets libdwfl's reason).
 */
int insp_dwfl_unwind(struct insp_dwfl *d, const struct img_thread *t,
		     struct insp_frame *frames, int max, int *nframes,
		     char *why, size_t whycap);

/* The libdwfl handle (Dwfl *) of the session, for the evaluator. */
struct Dwfl *insp_dwfl_handle(struct insp_dwfl *d);

/* The module holding the program's own code (the executable: the one
 * containing AT_ENTRY), or NULL. */
struct Dwfl_Module *insp_dwfl_main_module(struct insp_dwfl *d);

#endif /* DMTCP_INSPECT_DWFL_SESSION_H */
