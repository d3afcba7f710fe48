/*
 * cmd-json.h - dmtcp_command --json: one JSON object per command, built
 * from the coordinator's "KEY=VALUE" reply lines (unit-tested in
 * tests/unit/test_cmdjson.c; the mapping is in doc/dmtcp_command.1).
 */
#ifndef DMTCP_CMD_JSON_H
#define DMTCP_CMD_JSON_H

#include <stdio.h>

/*
 * Print {"command":NAME,"ok":...,"status":STATUS, ...} and a newline.
 * ok: the request succeeded; status: "OK", "ERROR", "NO_PEERS", "BUSY",
 * "REFUSED" or "UNREACHABLE".  On success the reply's KEY=VALUE lines
 * become members: digits-only values are numbers, empty values null,
 * others strings; IMAGE, FAILED and WARNING are always arrays (and any
 * key that repeats).  A "list" reply becomes "processes": [{"id", "pid",
 * "host", "program", "state", "image"}].  On failure the reply text is
 * "error".  Strings are escaped; bytes that are not UTF-8 become U+FFFD.
 */
void cmd_json_print(FILE *f, const char *name, int ok, const char *status,
		    const char *text);
/* Print s as a JSON string literal. */
void cmd_json_string(FILE *f, const char *s);

#endif /* DMTCP_CMD_JSON_H */
