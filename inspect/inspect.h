/*
 * inspect.h - what the files of dmtcp_inspect share: exit codes, the
 * command table entry, output helpers (out.c) and image loading.
 *
 * The memory reader is mem.h, the libdwfl session dwfl-session.h, what
 * a command opens (image, memory, libdwfl, JSON list) session.h.  Each
 * cmd-*.c file exports one insp_cmd_*() entry point, listed with its
 * needs in the command table of main.c.
 */
#ifndef DMTCP_INSPECT_H
#define DMTCP_INSPECT_H

#include <stdint.h>
#include <stdio.h>

#include "img.h"

/* Exit codes (documented in --help and doc/dmtcp_inspect.1) */
enum {
	INSP_EXIT_OK = 0,
	INSP_EXIT_USAGE = 1,
	INSP_EXIT_IMAGE = 2,	/* unreadable, bad or corrupt image */
	INSP_EXIT_NOTFOUND = 3,	/* address not mapped, no such thread */
	INSP_EXIT_OUTPUT = 4,	/* cannot write the output file (core) */
};

/* Options shared by every command */
struct insp_opts {
	int json;		/* --json */
	const char *output;	/* -o FILE (core, merge) */
	int all_threads;	/* --all: include the checkpoint thread */
	int raw;		/* --raw: merge writes a raw image */
	const char *thread;	/* --thread TID (print) */
	const char *frame;	/* --frame N (print) */
	int changes;		/* --changes (bisect) */
	int linear;		/* --linear (bisect) */
	const char *pid;	/* --pid N (bisect) */
	const char *prog;	/* --prog NAME (bisect) */
};

struct insp_session;

/*
 * A command: args are the positional arguments after the command name
 * (nargs between min_args and max_args, checked by main).  run gets the
 * session opened from needs (enum insp_need, session.h) and returns an
 * INSP_EXIT_* code; messages have been printed.
 */
struct insp_cmd {
	const char *name;
	const char *alias;
	const char *usage;	/* "IMG ADDR" */
	const char *summary;	/* one line for --help */
	int min_args, max_args;
	unsigned needs;		/* enum insp_need */
	const char *list;	/* --json: {"image": ..., "<list>": [...]} */
	int (*run)(struct insp_session *s);
};

int insp_cmd_info(struct insp_session *s);
int insp_cmd_threads(struct insp_session *s);
int insp_cmd_maps(struct insp_session *s);
int insp_cmd_fds(struct insp_session *s);
int insp_cmd_env(struct insp_session *s);
int insp_cmd_auxv(struct insp_session *s);
int insp_cmd_symbol(struct insp_session *s);
int insp_cmd_backtrace(struct insp_session *s);
int insp_cmd_core(struct insp_session *s);
int insp_cmd_diff(struct insp_session *s);
int insp_cmd_merge(struct insp_session *s);
int insp_cmd_print(struct insp_session *s);
int insp_cmd_timeline(struct insp_session *s);
int insp_cmd_bisect(struct insp_session *s);

/* --thread and --frame: tid 0 and frame -1 when not given.  An
 * INSP_EXIT_* code (message printed). */
int insp_parse_frame_opts(const struct insp_opts *o, uint32_t *tid,
			  int *frame);

/* --- chain.c: incremental images ----------------------------------- */

/* info's lines (text) or fields (JSON, after others: ", ..."): the
 * image id and, for a delta image, its parent and chain.  INSP_EXIT_OK,
 * or INSP_EXIT_IMAGE with the message printed when the chain is broken. */
int insp_chain_info(const struct img_meta *m, int json);
/* --- out.c: messages and output formatting ------------------------- */

/* "dmtcp_inspect: <message>\n" on stderr. */
void insp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "dmtcp_inspect: warning: <message>\n" on stderr. */
void insp_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Loads the metadata of an image (img_load_meta); on failure prints the
 * library's message and returns INSP_EXIT_IMAGE with *m NULL. */
int insp_load(const char *path, struct img_meta **m);

/* A JSON string literal (with quotes) of s; NULL prints null. */
void insp_json_str(FILE *f, const char *s);
/* A JSON string literal of n bytes (not NUL-terminated). */
void insp_json_strn(FILE *f, const char *s, size_t n);
/* Lowercase hex of n bytes into buf (2n+1 bytes). */
char *insp_hex(char *buf, const uint8_t *p, size_t n);
/* "1.5 MiB" style size into buf (at least 32 bytes). */
const char *insp_size(char *buf, size_t cap, uint64_t n);

/* names[v] if v is inside the table and named there, else none. */
const char *insp_name_of(const char *const *names, size_t n, uint64_t v,
			 const char *none);
#define INSP_NAME_OF(names, v, none) \
	insp_name_of(names, sizeof(names) / sizeof(names[0]), v, none)
/* Names of enum values for output ("anon", "file", ..., "user"). */
const char *insp_area_kind_name(uint32_t kind);
const char *insp_fd_kind_name(uint32_t kind);
const char *insp_thread_state_name(uint32_t state);
/* "r-xp" style permissions of an area into buf (5 bytes). */
char *insp_perms(char *buf, const struct img_area *a);
/* A printable name of an area: its path, or "[heap]", "[stack]", "[anon]". */
const char *insp_area_name(const struct img_meta_area *ma);

/* {"tid": N, "name": "...", "state": "...", "main": true|false  (the
 * object left open for the command's own fields). */
void insp_json_thread(const struct img_meta *m, const struct img_thread *t);

/* Index of the area containing addr, or -1. */
long insp_find_area(const struct img_meta *m, uint64_t addr);
/* Parses an address: hexadecimal, with or without 0x.  0 or -1. */
int insp_parse_addr(const char *s, uint64_t *out);

/* --- buildid.c --------------------------------------------------- */

/* The NT_GNU_BUILD_ID of the ELF file at path into out: its length, or
 * -1 (no such file, not ELF, no build-id, longer than cap). */
int insp_file_build_id(const char *path, uint8_t *out, size_t cap);
/* True if the area records a build-id and the file at path has it. */
int insp_area_build_id_matches(const struct img_area *a, const char *path);

/* --- secret.c: secrets (the coordinator's, *SECRET*, *PASSWORD*,
 * *TOKEN*, *_KEY) are never shown ------------------------------------ */

#define INSP_SECRET_VAR	"DMTCP_COORD_SECRET"
#define INSP_HIDDEN	"<hidden>"
#define INSP_SECRET_MIN	8	/* shorter values are not masked */
#define INSP_SECRET_MAX	255

/* The secret values an image carries (malloc'd copies, v NULL-ended). */
struct insp_secrets {
	char **v;
	size_t n, cap;
};

/* Is the n-byte name a secret's: DMTCP_COORD_SECRET, or named like
 * *SECRET*, *PASSWORD*, *TOKEN*, *_KEY (any case)? */
int insp_is_secret_name(const char *name, size_t n);
/* Is kv "NAME=..." with such a NAME? */
int insp_is_secret_var(const char *kv);
/* The values of those variables in the image's environment. */
void insp_secrets_init(struct insp_secrets *s, const struct img_meta *m);
/* Adds a value (INSP_SECRET_MIN..MAX bytes): 1 if it is new. */
int insp_secrets_add(struct insp_secrets *s, const char *val, size_t len);
void insp_secrets_free(struct insp_secrets *s);
/* str with every secret replaced by <hidden> (malloc'd, NULL if out of
 * memory). */
char *insp_secrets_hide(const struct insp_secrets *s, const char *str);
/* Masks memory in place: the value after every NAME= with a secret
 * NAME and every copy of a known secret become 'x' (same length).
 * Values found after such names are added to s (*found_new set).  Bytes
 * changed. */
size_t insp_secrets_mask(struct insp_secrets *s, unsigned char *buf,
			 size_t len, int *found_new);

#endif /* DMTCP_INSPECT_H */
