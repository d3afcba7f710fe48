/*
 * test_cmdjson.c - dmtcp_command --json: reply text to JSON, checked
 * against exact expected strings (escaping, numbers, null, arrays for
 * repeated keys, the list parser with ", " inside names, failures).
 */
#include "config.h"
#include "cmd-json.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char *json(const char *name, int ok, const char *st, const char *text)
{
	static char out[8192];
	FILE *f = fmemopen(out, sizeof(out), "w");

	assert_non_null(f);
	cmd_json_print(f, name, ok, st, text);
	fclose(f);
	return out;
}

/* dmtcp_command name, its success, status and reply text, and the JSON
 * it must print */
struct json_case {
	const char *name;
	int ok;
	const char *st, *text, *want;
};

static void check_cases(const struct json_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++, c++)
		assert_string_equal(json(c->name, c->ok, c->st, c->text),
				    c->want);
}

#define CHECK_CASES(t) check_cases(t, sizeof(t) / sizeof(t[0]))

static void test_status(void **state)
{
	static const struct json_case cases[] = {
		{ "status", 1, "OK",
		  "COORDINATOR=localhost:7779\nCOMPUTATION=none\nNUM_PEERS=0\n"
		  "RUNNING=no\nGENERATION=0\nLAST_CKPT_TIME=\nINTERVAL=007\n",
		  "{\"command\":\"status\",\"ok\":true,\"status\":\"OK\","
		  "\"COORDINATOR\":\"localhost:7779\",\"COMPUTATION\":\"none\","
		  "\"NUM_PEERS\":0,\"RUNNING\":\"no\",\"GENERATION\":0,"
		  "\"LAST_CKPT_TIME\":null,\"INTERVAL\":\"007\"}\n" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void test_bcheckpoint_arrays(void **state)
{
	static const struct json_case cases[] = {
		{ "bcheckpoint", 1, "OK",
		  "IMAGE=/a b/\"x\".dmtcp\nIMAGE=/c\\d\nGENERATION=2\n"
		  "NUM_IMAGES=2\nTOTAL_BYTES=1234567890123\n",
		  "{\"command\":\"bcheckpoint\",\"ok\":true,\"status\":\"OK\","
		  "\"IMAGE\":[\"/a b/\\\"x\\\".dmtcp\",\"/c\\\\d\"],"
		  "\"GENERATION\":2,\"NUM_IMAGES\":2,"
		  "\"TOTAL_BYTES\":1234567890123}\n" },
		/* one image is still an array; none is an empty one */
		{ "bcheckpoint", 1, "OK",
		  "IMAGE=/x\n",
		  "{\"command\":\"bcheckpoint\",\"ok\":true,\"status\":\"OK\","
		  "\"IMAGE\":[\"/x\"]}\n" },
		{ "bcheckpoint", 1, "OK",
		  "NUM_IMAGES=0\n",
		  "{\"command\":\"bcheckpoint\",\"ok\":true,\"status\":\"OK\","
		  "\"NUM_IMAGES\":0,\"IMAGE\":[]}\n" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void test_list(void **state)
{
	static const struct json_case cases[] = {
		{ "list", 1, "OK",
		  "1, 100, vm, counter, RUNNING, -\n"
		  "2, 200, vm, odd, name, SUSPENDED, /tmp/a, b.dmtcp\n",
		  "{\"command\":\"list\",\"ok\":true,\"status\":\"OK\","
		  "\"processes\":[{\"id\":1,\"pid\":100,\"host\":\"vm\","
		  "\"program\":\"counter\",\"state\":\"RUNNING\",\"image\":null},"
		  "{\"id\":2,\"pid\":200,\"host\":\"vm\",\"program\":\"odd, name\","
		  "\"state\":\"SUSPENDED\",\"image\":\"/tmp/a, b.dmtcp\"}],"
		  "\"NUM_PROCESSES\":2}\n" },
		{ "list", 1, "OK",
		  "",
		  "{\"command\":\"list\",\"ok\":true,\"status\":\"OK\","
		  "\"processes\":[],\"NUM_PROCESSES\":0}\n" },
		{ "list", 1, "OK",
		  "garbage\n",
		  "{\"command\":\"list\",\"ok\":true,\"status\":\"OK\","
		  "\"processes\":[{\"line\":\"garbage\"}],\"NUM_PROCESSES\":1}\n" },
	};

	(void)state;
	CHECK_CASES(cases);
}

static void test_errors_and_escapes(void **state)
{
	static const struct json_case cases[] = {
		{ "checkpoint", 0, "NO_PEERS",
		  "no processes\n",
		  "{\"command\":\"checkpoint\",\"ok\":false,"
		  "\"status\":\"NO_PEERS\",\"error\":\"no processes\"}\n" },
		/* control characters and bytes that are not UTF-8 */
		{ "status", 1, "OK",
		  "X=a\tb\x01\xff\xc3\xa9\n",
		  "{\"command\":\"status\",\"ok\":true,\"status\":\"OK\","
		  "\"X\":\"a\\tb\\u0001\\ufffd\xc3\xa9\"}\n" },
		/* repeated unknown keys become arrays too */
		{ "kill", 1, "OK",
		  "KILLED=yes\nZ=1\nZ=2\n",
		  "{\"command\":\"kill\",\"ok\":true,\"status\":\"OK\","
		  "\"KILLED\":\"yes\",\"Z\":[1,2]}\n" },
	};

	(void)state;
	CHECK_CASES(cases);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_bcheckpoint_arrays),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_errors_and_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
