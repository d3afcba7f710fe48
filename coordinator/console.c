/*
 * console.c - the coordinator's console on stdin.
 *
 * On a terminal it uses readline's callback interface
 * (rl_callback_handler_install + rl_callback_read_char, as BlueZ's
 * src/shared/shell.c does) so the event loop keeps running while the user
 * types: a prompt, line editing, a history kept in a file across runs,
 * and tab completion of commands and their arguments.  One table,
 * co_console_cmds[], drives the parser, `help` and the completion.
 * Messages from the event loop are printed above the line being typed
 * (console-out.c saves and restores it; co_console_sync() tells it when
 * a prompt is shown).
 *
 * Otherwise (a pipe, a file, /dev/null) it reads one command per line
 * and answers each; EOF only stops reading, so a coordinator started
 * with </dev/null or from a script keeps running.
 */
#include "config.h"
#include "coord.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#define CO_PROMPT		"dmtcp> "
#define CO_HISTORY_MAX		1000
#define CO_HISTORY_FILE		"coordinator_history"

struct co_console_cmd {
	const char *word;		/* full name, completed */
	const char *alias;		/* the seed's short form */
	const char *args;		/* synopsis of the arguments, or NULL */
	int cmd;			/* DMTCP_CMD_*, 0 = console only */
	const char *help;
	/* words offered by tab completion for the first argument */
	const char *const *arg_words;
};

static const char *const co_interval_words[] = {
	"0", "10", "60", "300", "600", "3600", NULL
};

/* filled with the command names at init: `help <Tab>` */
static const char *co_help_words[16];

static const struct co_console_cmd co_console_cmds[] = {
	{ "help", "h", "[COMMAND]", 0, "print this help (or one command's)",
	  co_help_words },
	{ "checkpoint", "c", "[TAG]", DMTCP_CMD_CHECKPOINT,
	  "checkpoint all processes now (the snapshot tagged TAG)", NULL },
	{ "bcheckpoint", "bc", "[TAG]", DMTCP_CMD_BCHECKPOINT,
	  "checkpoint and print the images when it is complete", NULL },
	{ "list", "l", NULL, DMTCP_CMD_LIST,
	  "list the processes: id, pid, host, program, state, last image",
	  NULL },
	{ "status", "s", NULL, DMTCP_CMD_STATUS,
	  "print the computation, peers, state, interval, last checkpoint",
	  NULL },
	{ "interval", "i", "SECONDS", DMTCP_CMD_INTERVAL,
	  "checkpoint every SECONDS (0 = never); no argument: show it",
	  co_interval_words },
	{ "interval-ms", "im", "MS", DMTCP_CMD_INTERVAL_MS,
	  "checkpoint every MS milliseconds (0 = never)", NULL },
	{ "kill", "k", NULL, DMTCP_CMD_KILL, "kill all processes", NULL },
	{ "quit", "q", NULL, DMTCP_CMD_QUIT,
	  "kill all processes and stop the coordinator", NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL },
};

static int co_con_fd = -1;
static int co_con_tty;
static int co_con_in_handler;	/* inside the readline line handler */
static char co_con_line[4096];
static size_t co_con_len;
static char co_con_history[PATH_MAX];

/* Tell console-out.c whether a prompt is on the terminal (a tty
 * console still reading, outside the line handler). */
static void co_console_sync(void)
{
	co_console_prompt(co_con_tty && co_con_fd >= 0 && !co_con_in_handler);
}

static const struct co_console_cmd *co_console_find(const char *word)
{
	for (const struct co_console_cmd *k = co_console_cmds; k->word; k++)
		if (!strcmp(word, k->word) || !strcmp(word, k->alias))
			return k;
	if (!strcmp(word, "?"))
		return &co_console_cmds[0];
	return NULL;
}

static void co_console_help(const char *about)
{
	const struct co_console_cmd *k;
	struct co_buf b = { 0 };
	char syn[40];

	if (about) {
		k = co_console_find(about);
		if (!k) {
			co_buf_printf(&b, "unknown command '%.40s'; type help "
				      "for the list\n", about);
		} else {
			co_buf_printf(&b, "%s%s%s (or %s): %s\n", k->word,
				      k->args ? " " : "",
				      k->args ? k->args : "", k->alias,
				      k->help);
		}
		co_console_print(b.s);
		co_buf_free(&b);
		return;
	}
	co_buf_printf(&b, "Commands (full word or short form; Tab "
		      "completes):\n");
	for (k = co_console_cmds; k->word; k++) {
		snprintf(syn, sizeof(syn), "%s%s%s", k->word,
			 k->args ? " " : "", k->args ? k->args : "");
		co_buf_printf(&b, "  %-2s  %-22s %s\n", k->alias, syn,
			      k->help);
	}
	co_console_print(b.s);
	co_buf_free(&b);
}

static void co_console_exec(char *line)
{
	const struct co_console_cmd *k;
	char *word, *arg, *extra, *save = NULL, *rest;
	long val = 0;

	word = strtok_r(line, " \t\r\n", &save);
	if (!word || word[0] == '#')
		return;
	/* a checkpoint's tag: the rest of the line */
	rest = save ? save + strspn(save, " \t") : NULL;
	if (rest)
		rest[strcspn(rest, "\r\n")] = 0;
	k = co_console_find(word);
	if (k && (k->cmd == DMTCP_CMD_CHECKPOINT ||
		  k->cmd == DMTCP_CMD_BCHECKPOINT)) {
		co_command(NULL, k->cmd, 0, rest && *rest ? rest : NULL,
			   rest ? strlen(rest) : 0);
		return;
	}
	arg = strtok_r(NULL, " \t\r\n", &save);
	extra = strtok_r(NULL, " \t\r\n", &save);
	k = co_console_find(word);
	if (!k) {
		char msg[160];

		snprintf(msg, sizeof(msg), "unknown command '%.40s'; type h "
			 "or help for the list", word);
		co_console_print(msg);
		return;
	}
	if (!k->cmd) {
		co_console_help(arg);
		return;
	}
	if (extra || (arg && k->cmd != DMTCP_CMD_INTERVAL &&
		      k->cmd != DMTCP_CMD_INTERVAL_MS)) {
		char msg[160];

		snprintf(msg, sizeof(msg), "usage: %s%s%s", k->word,
			 k->args ? " " : "", k->args ? k->args : "");
		co_console_print(msg);
		return;
	}
	if (k->cmd == DMTCP_CMD_INTERVAL_MS) {
		val = arg ? util_parse_ulong(arg) : -1;
		if (val < 0) {
			co_console_print("usage: interval-ms MS (a whole "
					 "number, 0 disables)");
			return;
		}
	}
	if (k->cmd == DMTCP_CMD_INTERVAL) {
		if (!arg) {
			char msg[80];

			snprintf(msg, sizeof(msg), "INTERVAL=%ld", co_interval_s());
			co_console_print(msg);
			return;
		}
		val = util_parse_ulong(arg);
		if (val < 0) {
			co_console_print("usage: interval SECONDS (a whole "
					 "number, 0 disables)");
			return;
		}
	}
	co_command(NULL, k->cmd, (uint64_t)val, NULL, 0);
}

/* ---- history ---- */

/*
 * The history file: $DMTCP_COORD_HISTORY; else, when DMTCP_TMPDIR is
 * set, the per-user state directory under it (tests and private setups
 * keep everything there); else ~/.local/state/dmtcp/ ($XDG_STATE_HOME),
 * which survives reboots where /tmp does not.
 */
static void co_console_history_path(void)
{
	const char *env = getenv("DMTCP_COORD_HISTORY");
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[PATH_MAX];
	int n;

	co_con_history[0] = 0;
	if (env && *env) {
		util_strlcpy(co_con_history, env, sizeof(co_con_history));
		return;
	}
	if ((getenv("DMTCP_TMPDIR") && *getenv("DMTCP_TMPDIR")) ||
	    ((!xdg || !*xdg) && (!home || !*home))) {
		if (util_state_dir(dir, sizeof(dir)) < 0)
			return;
	} else {
		if (xdg && *xdg)
			n = snprintf(dir, sizeof(dir), "%s/dmtcp", xdg);
		else
			n = snprintf(dir, sizeof(dir), "%s/.local/state/dmtcp",
				     home);
		if (n < 0 || (size_t)n >= sizeof(dir))
			return;
		/* mkdir -p for the two levels below $HOME */
		if (!xdg || !*xdg) {
			char parent[PATH_MAX];

			snprintf(parent, sizeof(parent), "%s/.local", home);
			mkdir(parent, 0700);
			snprintf(parent, sizeof(parent), "%s/.local/state",
				 home);
			mkdir(parent, 0700);
		}
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return;
	}
	n = snprintf(co_con_history, sizeof(co_con_history), "%s/%s", dir,
		     CO_HISTORY_FILE);
	if (n < 0 || (size_t)n >= sizeof(co_con_history))
		co_con_history[0] = 0;
}

static void co_console_history_add(char *line)
{
	size_t n = strlen(line);
	HIST_ENTRY *last;

	/* completion leaves a space after the word: not part of it */
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = 0;
	/* like bash's ignorespace: a leading blank keeps it out */
	if (!*line || *line == ' ')
		return;
	last = history_get(history_base + history_length - 1);
	if (last && !strcmp(last->line, line))
		return;
	add_history(line);
	/* save at once: a coordinator killed by a signal keeps it too */
	if (co_con_history[0] && append_history(1, co_con_history) != 0 &&
	    write_history(co_con_history) != 0)
		co_con_history[0] = 0;	/* unwritable: stop trying */
}

/* ---- readline callbacks ---- */

static void co_console_rl_line(char *line)
{
	if (!line) {
		/* ^D: never take the computation down by accident */
		rl_callback_handler_remove();
		co_con_fd = -1;
		co_console_sync();
		fputc('\n', stdout);
		co_console_print("console closed; the coordinator keeps "
				 "running (stop it with dmtcp_command -q)");
		return;
	}
	co_console_history_add(line);
	co_con_in_handler = 1;
	co_console_sync();
	co_console_exec(line);
	co_con_in_handler = 0;
	co_console_sync();
	free(line);
}

static const char *const *co_compl_words;

static char *co_console_complete_gen(const char *text, int state)
{
	static size_t idx;
	size_t len = strlen(text);

	if (!state)
		idx = 0;
	while (co_compl_words && co_compl_words[idx]) {
		const char *w = co_compl_words[idx++];

		if (!strncmp(w, text, len))
			return strdup(w);
	}
	return NULL;
}

static char **co_console_complete(const char *text, int start, int end)
{
	const struct co_console_cmd *k;
	char first[64];
	int i = 0, nwords = 0;

	(void)end;
	rl_attempted_completion_over = 1;	/* never complete file names */
	/* which word is being completed, and what is the first one? */
	while (i < start) {
		while (i < start && (rl_line_buffer[i] == ' ' ||
				     rl_line_buffer[i] == '\t'))
			i++;
		if (i >= start)
			break;
		int j = 0;

		while (i < start && rl_line_buffer[i] != ' ' &&
		       rl_line_buffer[i] != '\t') {
			if (nwords == 0 && j < (int)sizeof(first) - 1)
				first[j++] = rl_line_buffer[i];
			i++;
		}
		if (nwords == 0)
			first[j] = 0;
		nwords++;
	}
	if (nwords == 0) {
		co_compl_words = co_help_words;
	} else if (nwords == 1) {
		k = co_console_find(first);
		if (!k || !k->arg_words)
			return NULL;
		co_compl_words = k->arg_words;
	} else {
		return NULL;
	}
	return rl_completion_matches(text, co_console_complete_gen);
}

int co_console_init(void)
{
	size_t n = 0;

	if (co.opts.daemon)
		return -1;
	for (const struct co_console_cmd *k = co_console_cmds; k->word; k++)
		if (n + 1 < sizeof(co_help_words) / sizeof(co_help_words[0]))
			co_help_words[n++] = k->word;
	co_help_words[n] = NULL;
	co_con_fd = 0;
	co_con_tty = isatty(0) && isatty(1);
	co_console_sync();
	if (co_con_tty) {
		rl_catch_signals = 0;
		rl_catch_sigwinch = 0;
		rl_readline_name = "dmtcp_coordinator";
		rl_attempted_completion_function = co_console_complete;
		rl_completer_word_break_characters = " \t";
		using_history();
		stifle_history(CO_HISTORY_MAX);
		co_console_history_path();
		if (co_con_history[0]) {
			if (read_history(co_con_history) != 0 &&
			    access(co_con_history, F_OK) == 0)
				co_event(1, "cannot read history file %s",
					 co_con_history);
			history_truncate_file(co_con_history, CO_HISTORY_MAX);
		}
		rl_callback_handler_install(CO_PROMPT, co_console_rl_line);
	}
	return 0;
}

int co_console_fd(void)
{
	return co_con_fd;
}

int co_console_interrupt(void)
{
	if (!co_con_tty || co_con_fd < 0 || rl_end == 0)
		return 0;
	/* ^C with something typed: drop the line, like a shell */
	rl_replace_line("", 0);
	rl_crlf();
	rl_on_new_line();
	rl_redisplay();
	return 1;
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
	if (co_con_tty && co_con_fd >= 0) {
		/* wipe the prompt: the last messages follow on that line */
		rl_save_prompt();
		rl_replace_line("", 0);
		rl_redisplay();
		rl_callback_handler_remove();
	}
	co_con_fd = -1;
	co_console_sync();
}
