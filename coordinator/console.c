/*
 * console.c - the coordinator's console on stdin.
 *
 * On a terminal it uses readline's callback interface (history, tab
 * completion from the command table) so the event loop keeps running
 * while the user types.  Otherwise it reads lines and answers each; EOF
 * on a non-terminal stdin only stops reading (a coordinator started with
 * </dev/null or from a script keeps running).
 */
#include "config.h"
#include "coord.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

struct co_console_cmd {
	const char *letter;
	const char *word;
	int cmd;		/* DMTCP_CMD_*, 0 = local */
	const char *help;
};

static const struct co_console_cmd co_console_cmds[] = {
	{ "h", "help", 0, "print this help" },
	{ "c", "checkpoint", DMTCP_CMD_CHECKPOINT,
	  "checkpoint all processes" },
	{ "l", "list", DMTCP_CMD_LIST, "list the connected processes" },
	{ "s", "status", DMTCP_CMD_STATUS, "print the coordinator status" },
	{ "i", "interval", DMTCP_CMD_INTERVAL,
	  "i N: checkpoint every N seconds (0 = never)" },
	{ "k", "kill", DMTCP_CMD_KILL, "kill all processes" },
	{ "q", "quit", DMTCP_CMD_QUIT, "kill all processes and quit" },
	{ NULL, NULL, 0, NULL },
};

static int co_con_fd = -1;
static int co_con_tty;
static int co_con_in_handler;	/* inside the readline line handler */
static char co_con_line[4096];
static size_t co_con_len;

void co_console_write(FILE *f, const char *text)
{
	int saved_point = 0;
	char *saved_line = NULL;

	if (!text || !*text)
		return;
	/* readline is idle inside its line handler: plain output then */
	if (co_con_tty && co_con_fd >= 0 && !co_con_in_handler) {
		saved_point = rl_point;
		saved_line = rl_copy_text(0, rl_end);
		rl_save_prompt();
		rl_replace_line("", 0);
		rl_redisplay();
	}
	fputs(text, f);
	if (text[strlen(text) - 1] != '\n')
		fputc('\n', f);
	fflush(f);
	if (saved_line) {
		rl_restore_prompt();
		rl_replace_line(saved_line, 0);
		rl_point = saved_point;
		rl_redisplay();
		free(saved_line);
	}
}

void co_console_print(const char *text)
{
	co_console_write(stdout, text);
}

static void co_console_help(void)
{
	struct co_buf b = { 0 };

	co_buf_printf(&b, "Commands:\n");
	for (const struct co_console_cmd *k = co_console_cmds; k->letter; k++)
		co_buf_printf(&b, "  %s, %-10s  %s\n", k->letter, k->word,
			      k->help);
	co_console_print(b.s);
	co_buf_free(&b);
}

static void co_console_exec(char *line)
{
	char *word, *arg, *save = NULL;
	long val = 0;

	word = strtok_r(line, " \t\r\n", &save);
	if (!word)
		return;
	arg = strtok_r(NULL, " \t\r\n", &save);
	if (!strcmp(word, "?") || !strcmp(word, "h") ||
	    !strcmp(word, "help")) {
		co_console_help();
		return;
	}
	for (const struct co_console_cmd *k = co_console_cmds; k->letter;
	     k++) {
		if (strcmp(word, k->letter) && strcmp(word, k->word))
			continue;
		if (k->cmd == DMTCP_CMD_INTERVAL) {
			val = arg ? util_parse_ulong(arg) : -1;
			if (val < 0) {
				co_console_print("usage: i SECONDS "
						 "(0 disables)");
				return;
			}
		}
		co_command(NULL, k->cmd, (uint64_t)val);
		return;
	}
	{
		char msg[160];

		snprintf(msg, sizeof(msg), "unknown command '%.40s'; type h "
			 "for help", word);
		co_console_print(msg);
	}
}

static void co_console_rl_line(char *line)
{
	if (!line) {
		/* ^D: never take the computation down by accident */
		rl_callback_handler_remove();
		co_con_fd = -1;
		co_console_print("console closed; the coordinator keeps "
				 "running (stop it with dmtcp_command -q)");
		return;
	}
	if (*line)
		add_history(line);
	co_con_in_handler = 1;
	co_console_exec(line);
	co_con_in_handler = 0;
	free(line);
}

static char *co_console_complete_gen(const char *text, int state)
{
	static int idx;
	size_t len = strlen(text);

	if (!state)
		idx = 0;
	while (co_console_cmds[idx].word) {
		const char *w = co_console_cmds[idx++].word;

		if (!strncmp(w, text, len))
			return strdup(w);
	}
	return NULL;
}

static char **co_console_complete(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;
	if (start != 0)
		return NULL;
	return rl_completion_matches(text, co_console_complete_gen);
}

int co_console_init(void)
{
	if (co.opts.daemon)
		return -1;
	co_con_fd = 0;
	co_con_tty = isatty(0);
	if (co_con_tty) {
		rl_catch_signals = 0;
		rl_catch_sigwinch = 0;
		rl_readline_name = "dmtcp_coordinator";
		rl_attempted_completion_function = co_console_complete;
		rl_callback_handler_install("", co_console_rl_line);
	}
	return 0;
}

int co_console_fd(void)
{
	return co_con_fd;
}

void co_console_readable(void)
{
	char buf[1024];
	ssize_t n;

	if (co_con_fd < 0)
		return;
	if (co_con_tty) {
		rl_callback_read_char();
		return;
	}
	n = read(co_con_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* EOF (or error) on a pipe/file: stop reading, keep running */
		co_con_fd = -1;
		if (co_con_len) {
			co_con_line[co_con_len] = 0;
			co_con_len = 0;
			co_console_exec(co_con_line);
		}
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || co_con_len + 1 >= sizeof(co_con_line)) {
			co_con_line[co_con_len] = 0;
			co_con_len = 0;
			co_console_exec(co_con_line);
			if (co_con_fd < 0)
				return;
			continue;
		}
		co_con_line[co_con_len++] = buf[i];
	}
}

void co_console_close(void)
{
	if (co_con_tty && co_con_fd >= 0)
		rl_callback_handler_remove();
	co_con_fd = -1;
}
