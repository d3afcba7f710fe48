/*
 * test_inspect_session.c - unit tests of dmtcp_inspect's session
 * (inspect/session.c) and the output helpers the commands share
 * (inspect/out.c, insp_json_sym): what each need implies, the order of
 * the checks and their exit codes and messages, what is open for the
 * command, the JSON document around its list (ended only on success),
 * the --all filter, JSON string escaping and the names of enum values.
 * Images are the synthetic ones of test_image_util.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../inspect/session.h"
#include "test_image_util.h"

/* --- capturing what a call prints on stdout and stderr ------------- */

struct capture {
	int saved[2];
	FILE *tmp[2];
};

static void capture_begin(struct capture *c)
{
	int i;

	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 2; i++) {
		c->tmp[i] = tmpfile();
		assert_non_null(c->tmp[i]);
		c->saved[i] = dup(i + 1);
		assert_true(c->saved[i] >= 0);
		assert_true(dup2(fileno(c->tmp[i]), i + 1) == i + 1);
	}
}

/* Restores stdout and stderr; out and err get what was printed. */
static void capture_end(struct capture *c, char *out, char *err,
			size_t cap)
{
	char *buf[2] = { out, err };
	size_t n;
	int i;

	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 2; i++) {
		assert_true(dup2(c->saved[i], i + 1) == i + 1);
		close(c->saved[i]);
		rewind(c->tmp[i]);
		n = fread(buf[i], 1, cap - 1, c->tmp[i]);
		buf[i][n] = '\0';
		fclose(c->tmp[i]);
	}
}

/* --- a synthetic image on disk -------------------------------------- */

struct fixture {
	struct ti_image t;
	char *path;
	char out[8192], err[4096];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	ti_build(&f->t, 1);
	f->path = ti_tmpname("insp-session");
	assert_int_equal(ti_write(&f->t, f->path, 0), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	free(f->path);
	ti_free(&f->t);
	free(f);
	return 0;
}

/* --- the commands the tests run ------------------------------------- */

static int ran;

/* Checks what the session holds for it, prints two list elements. */
static int run_list(struct insp_session *s)
{
	ran++;
	assert_non_null(s->v[0].m);
	insp_json_next(s);
	printf("1");
	insp_json_next(s);
	printf("2");
	return INSP_EXIT_OK;
}

static int run_fail(struct insp_session *s)
{
	(void)s;
	ran++;
	return INSP_EXIT_IMAGE;
}

static struct insp_cmd cmd(unsigned needs, const char *list,
			   int (*run)(struct insp_session *))
{
	struct insp_cmd c = { "cmd", NULL, "IMG", "a test", 1, 2, needs,
			      list, run };

	return c;
}

/* --- tests ---------------------------------------------------------- */

static void test_needs_resolve(void **state)
{
	(void)state;
	assert_int_equal(insp_needs_resolve(0), 0);
	assert_int_equal(insp_needs_resolve(INSP_NEED_DWFL),
			 INSP_NEED_DWFL | INSP_NEED_MEM);
	assert_int_equal(insp_needs_resolve(INSP_NEED_SYMS),
			 INSP_NEED_SYMS | INSP_NEED_MEM);
	assert_int_equal(insp_needs_resolve(INSP_NEED_OUTPUT |
					    INSP_NEED_ADDR | INSP_NEED_TWO |
					    INSP_NEED_QUIET |
					    INSP_NEED_OBJECT),
			 INSP_NEED_OUTPUT | INSP_NEED_ADDR | INSP_NEED_TWO |
			 INSP_NEED_QUIET | INSP_NEED_OBJECT);
	assert_int_equal(insp_needs_resolve(INSP_NEED_MEM), INSP_NEED_MEM);
}

/* The image only: nothing else open; the text output is the command's. */
static void test_open_image_only(void **state)
{
	struct fixture *f = *state;
	struct insp_opts o = { 0 };
	struct insp_session s;
	char *args[] = { f->path };
	struct insp_cmd c = cmd(0, "items", run_list);

	assert_int_equal(insp_session_open(&s, &c, args, 1, &o), 0);
	assert_non_null(s.v[0].m);
	assert_null(s.v[0].mem);
	assert_null(s.v[0].d);
	assert_null(s.v[1].m);
	assert_int_equal(s.v[0].m->nthreads, TI_NTHREADS);
	assert_int_equal(insp_session_close(&s, INSP_EXIT_OK), 0);
	assert_null(s.v[0].m);
}

/* --json with a list: {"image": PATH, "LIST": [ ... ]}, elements
 * separated by ",\n  "; an object list with NEED_OBJECT. */
static void check_json_list(struct fixture *f, unsigned needs, char open,
			    char close)
{
	struct insp_opts o = { .json = 1 };
	struct insp_cmd c = cmd(needs, "items", run_list);
	char *args[] = { f->path };
	struct capture cap;
	char want[1024];

	ran = 0;
	capture_begin(&cap);
	assert_int_equal(insp_session_run(&c, args, 1, &o), INSP_EXIT_OK);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	assert_int_equal(ran, 1);
	snprintf(want, sizeof(want),
		 "{\"image\": \"%s\", \"items\": %c\n  1,\n  2\n%c}\n",
		 f->path, open, close);
	assert_string_equal(f->out, want);
	assert_string_equal(f->err, "");
}

static void test_json_list(void **state)
{
	check_json_list(*state, 0, '[', ']');
	check_json_list(*state, INSP_NEED_OBJECT, '{', '}');
}

/* A failing command: its code, and the JSON document is not ended.
 * Without --json or without a list, no JSON at all. */
static void test_json_not_ended_on_failure(void **state)
{
	struct fixture *f = *state;
	struct insp_opts o = { .json = 1 }, text = { 0 };
	struct insp_cmd c = cmd(0, "items", run_fail);
	struct insp_cmd nolist = cmd(0, NULL, run_list);
	char *args[] = { f->path };
	struct capture cap;
	char want[1024];

	capture_begin(&cap);
	assert_int_equal(insp_session_run(&c, args, 1, &o), INSP_EXIT_IMAGE);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	snprintf(want, sizeof(want), "{\"image\": \"%s\", \"items\": [",
		 f->path);
	assert_string_equal(f->out, want);

	capture_begin(&cap);
	assert_int_equal(insp_session_run(&nolist, args, 1, &o), 0);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	assert_string_equal(f->out, "\n  1,\n  2");

	c.run = run_list;
	capture_begin(&cap);
	assert_int_equal(insp_session_run(&c, args, 1, &text), 0);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	assert_string_equal(f->out, "\n  1,\n  2");
}

/* -o FILE is checked first, then the address, before any image is
 * read (the image here does not even exist). */
static void test_checks_before_loading(void **state)
{
	struct fixture *f = *state;
	struct insp_opts o = { .json = 1 };
	struct insp_cmd c = cmd(INSP_NEED_OUTPUT | INSP_NEED_ADDR |
				INSP_NEED_MEM, "items", run_list);
	char *args[] = { "/nonexistent/img.dmtcp", "xyz" };
	struct insp_session s;
	struct capture cap;

	ran = 0;
	capture_begin(&cap);
	assert_int_equal(insp_session_run(&c, args, 2, &o), INSP_EXIT_USAGE);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	assert_string_equal(f->out, "");
	assert_string_equal(f->err, "dmtcp_inspect: cmd: no output file: "
			    "use -o FILE\n");

	o.output = "core.out";
	capture_begin(&cap);
	assert_int_equal(insp_session_open(&s, &c, args, 2, &o),
			 INSP_EXIT_USAGE);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	assert_string_equal(f->err, "dmtcp_inspect: cmd: 'xyz' is not a "
			    "hexadecimal address\n");

	args[1] = "0x1000";
	capture_begin(&cap);
	assert_int_equal(insp_session_open(&s, &c, args, 2, &o),
			 INSP_EXIT_IMAGE);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	assert_string_equal(f->out, "");
	assert_non_null(strstr(f->err, "/nonexistent/img.dmtcp"));
	assert_null(s.v[0].m);
	assert_int_equal(ran, 0);
}

/* NEED_ADDR: an unmapped address is exit 3 before the memory is read;
 * a mapped one gives the area holding it. */
static void test_addr(void **state)
{
	struct fixture *f = *state;
	struct insp_opts o = { 0 };
	struct insp_cmd c = cmd(INSP_NEED_ADDR | INSP_NEED_MEM, NULL,
				run_list);
	const struct img_area *a2 = &f->t.areas[2].a;
	char addr[32], *args[] = { f->path, "0x1000" };
	struct insp_session s;
	struct capture cap;
	char want[512];

	capture_begin(&cap);
	assert_int_equal(insp_session_open(&s, &c, args, 2, &o),
			 INSP_EXIT_NOTFOUND);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	snprintf(want, sizeof(want), "dmtcp_inspect: 0x1000 is not mapped "
		 "in %s (see `dmtcp_inspect maps`)\n", f->path);
	assert_string_equal(f->err, want);
	assert_null(s.v[0].m);

	snprintf(addr, sizeof(addr), "%llx",
		 (unsigned long long)a2->start + 5);
	args[1] = addr;
	assert_int_equal(insp_session_open(&s, &c, args, 2, &o), 0);
	assert_true(s.addr == a2->start + 5);
	assert_non_null(s.area);
	assert_true(s.area->area.start == a2->start);
	assert_non_null(s.v[0].mem);
	insp_session_close(&s, 0);
}

/* NEED_TWO: both images loaded, with memory over each. */
static void test_two_images(void **state)
{
	struct fixture *f = *state;
	struct insp_opts o = { 0 };
	struct insp_cmd c = cmd(INSP_NEED_TWO | INSP_NEED_MEM, NULL,
				run_list);
	char *args[] = { f->path, f->path };
	struct insp_session s;
	struct capture cap;

	assert_int_equal(insp_session_open(&s, &c, args, 2, &o), 0);
	assert_non_null(s.v[0].m);
	assert_non_null(s.v[1].m);
	assert_ptr_not_equal(s.v[0].m, s.v[1].m);
	assert_non_null(s.v[0].mem);
	assert_non_null(s.v[1].mem);
	insp_session_close(&s, 0);
	assert_null(s.v[1].m);

	args[1] = "/nonexistent/two.dmtcp";
	capture_begin(&cap);
	assert_int_equal(insp_session_open(&s, &c, args, 2, &o),
			 INSP_EXIT_IMAGE);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	assert_non_null(strstr(f->err, "/nonexistent/two.dmtcp"));
	assert_null(s.v[0].m);
}

/* --all shows the checkpoint thread too. */
static void test_thread_shown(void **state)
{
	struct insp_opts o = { 0 };
	struct insp_session s = { .o = &o };
	struct img_thread user = { .state = IMG_THREAD_USER };
	struct img_thread ckpt = { .state = IMG_THREAD_CKPT };

	(void)state;
	assert_true(insp_thread_shown(&s, &user));
	assert_false(insp_thread_shown(&s, &ckpt));
	o.all_threads = 1;
	assert_true(insp_thread_shown(&s, &ckpt));
}

static char *print_to_string(void (*fn)(FILE *, const void *),
			     const void *arg)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return s;
}

static void put_str(FILE *f, const void *arg)
{
	insp_json_str(f, arg);
}

static void put_strn(FILE *f, const void *arg)
{
	insp_json_strn(f, arg, 5);	/* "a\0b\t" and the \x7f */
}

/* JSON strings: quotes, backslash, newline and tab escaped; other
 * control bytes and DEL as \u00XX; bytes above 0x7f kept (UTF-8);
 * NULL is null; the n-byte form goes past a NUL. */
static void test_json_escape(void **state)
{
	char *s;

	(void)state;
	s = print_to_string(put_str, "q\"b\\n\nt\tc\x1f" "d\x7f" "\xc3\xa9");
	assert_string_equal(s, "\"q\\\"b\\\\n\\nt\\tc\\u001fd\\u007f"
			    "\xc3\xa9\"");
	free(s);
	s = print_to_string(put_str, NULL);
	assert_string_equal(s, "null");
	free(s);
	s = print_to_string(put_str, "");
	assert_string_equal(s, "\"\"");
	free(s);
	s = print_to_string(put_strn, "a\0b\t\x7fzz");
	assert_string_equal(s, "\"a\\u0000b\\t\\u007f\"");
	free(s);
}

/* The members threads and backtrace print for a thread and a symbol. */
static void test_json_thread_sym(void **state)
{
	struct fixture *f = *state;
	struct img_meta m = { .proc = { .pid = 42 } };
	struct img_thread t = { .tid = 42, .state = IMG_THREAD_USER };
	struct insp_sym sym = { .func = "main", .func_off = 16,
				.file = "a.c", .line = 7 };
	struct capture cap;

	snprintf(t.name, sizeof(t.name), "x\"y");
	capture_begin(&cap);
	insp_json_thread(&m, &t);
	t.tid = 43;
	t.state = IMG_THREAD_CKPT;
	insp_json_thread(&m, &t);
	insp_json_sym(&sym);
	capture_end(&cap, f->out, f->err, sizeof(f->out));
	assert_string_equal(f->out,
		"{\"tid\": 42, \"name\": \"x\\\"y\", \"state\": \"user\", "
		"\"main\": true"
		"{\"tid\": 43, \"name\": \"x\\\"y\", \"state\": \"ckpt\", "
		"\"main\": false"
		"\"function\": \"main\", \"offset\": 16, \"file\": \"a.c\", "
		"\"line\": 7, \"module\": null");
}

/* Names of enum values: "?" outside the table or in its holes. */
static void test_names(void **state)
{
	static const char *const names[] = { [1] = "one", [3] = "three" };

	(void)state;
	assert_string_equal(INSP_NAME_OF(names, 1, "?"), "one");
	assert_string_equal(INSP_NAME_OF(names, 3, "?"), "three");
	assert_string_equal(INSP_NAME_OF(names, 0, "?"), "?");
	assert_null(INSP_NAME_OF(names, 2, NULL));
	assert_null(INSP_NAME_OF(names, 4, NULL));
	assert_null(INSP_NAME_OF(names, 1ull << 40, NULL));
	assert_string_equal(insp_area_kind_name(IMG_AREA_ANON), "anon");
	assert_string_equal(insp_area_kind_name(IMG_AREA_SPECIAL),
			    "special");
	assert_string_equal(insp_area_kind_name(0), "?");
	assert_string_equal(insp_area_kind_name(99), "?");
	assert_string_equal(insp_fd_kind_name(IMG_FD_FILE), "file");
	assert_string_equal(insp_fd_kind_name(IMG_FD_PTY), "pty-master");
	assert_string_equal(insp_fd_kind_name(0), "?");
	assert_string_equal(insp_fd_kind_name(0xffffffffu), "?");
	assert_string_equal(insp_thread_state_name(IMG_THREAD_USER), "user");
	assert_string_equal(insp_thread_state_name(IMG_THREAD_CKPT), "ckpt");
	assert_string_equal(insp_thread_state_name(2), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_resolve),
		cmocka_unit_test_setup_teardown(test_open_image_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_not_ended_on_failure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks_before_loading,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_addr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_images, setup,
						teardown),
		cmocka_unit_test(test_thread_shown),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test_setup_teardown(test_json_thread_sym, setup,
						teardown),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
