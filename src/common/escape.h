/*
 * escape.h - printing strings that come from other processes.
 *
 * A program or host name in a hello, an image path, an error message
 * sent by a worker: such strings may hold newlines that forge lines in a
 * log or a reply ("KEY=VALUE" lines), carriage returns, or terminal
 * escape sequences that take over the terminal of whoever reads them.
 * These functions write them as printable ASCII, on one line:
 *
 *   backslash          \\
 *   newline, CR, tab   \n  \r  \t
 *   any other byte outside 0x20..0x7e (control characters, DEL, and
 *   every byte >= 0x80, so a UTF-8 name shows as \xNN sequences)
 *                      \xNN (two lowercase hex digits)
 *
 * Printable ASCII other than the backslash is unchanged, so ordinary
 * names read as before, and the escaping can be undone (each output
 * sequence stands for exactly one input byte).  No allocation, no
 * locale: usable anywhere in the libc world.
 */
#ifndef DMTCP_ESCAPE_H
#define DMTCP_ESCAPE_H

#include <stddef.h>

/* esc_mem() flags */
#define ESC_KEEP_BACKSLASH	0x1	/* leave '\' alone: for text whose
					   untrusted parts were escaped
					   already (a last line of defence
					   must not escape them twice) */

/* Room for the escaped form of n bytes, terminator included. */
#define ESC_SIZE(n)		(4 * (n) + 1)

/*
 * Writes the escaped form of src[0..len) to dst (cap bytes), always
 * NUL-terminated when cap > 0; an escape sequence that does not fit is
 * left out whole, never cut.  Returns the length of the whole escaped
 * form (without the terminator), like snprintf: >= cap means dst holds
 * a truncated copy.  dst may be NULL when cap is 0 (to measure).
 */
size_t esc_mem(char *dst, size_t cap, const void *src, size_t len,
	       int flags);

/* esc_mem() of a NUL-terminated string (NULL prints as "(null)");
 * returns dst, for use as a printf argument. */
const char *esc_str(char *dst, size_t cap, const char *src);

/* 1 if s holds a byte esc_mem() would change (flags 0), else 0. */
int esc_needed(const char *s);

/*
 * ESC(s): the escaped form of s in a temporary buffer that lives until
 * the end of the enclosing block, for printf-style arguments:
 *     co_event(0, "worker %s joined", ESC(name));
 * At most ESC_INLINE_MAX - 1 characters (longer input is truncated).
 */
#define ESC_INLINE_MAX		1024
#define ESC(s)	esc_str((char[ESC_INLINE_MAX]){ 0 }, ESC_INLINE_MAX, (s))

#endif /* DMTCP_ESCAPE_H */
