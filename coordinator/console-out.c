/*
 * console-out.c - the console's output side: printing a message
 * without garbling the readline prompt and the line being typed.
 *
 * The lowest layer of the coordinator (coord.h): every event
 * (co_event) and every answer for the console goes through here.
 * console.c, the input side above, says when a prompt is shown.
 */
#include "config.h"
#include "coord.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

/* a readline prompt (and maybe a partial line) is on the terminal */
static int co_prompt_shown;

void co_console_prompt(int shown)
{
	co_prompt_shown = shown;
}

void co_console_write(FILE *f, const char *text)
{
	int saved_point = 0;
	char *saved_line = NULL;

	if (!text || !*text)
		return;
	/*
	 * Inside the line handler readline has finished the line and will
	 * draw a fresh prompt afterwards: plain output then (the prompt is
	 * not shown).  Otherwise wipe the prompt and the partial line,
	 * print, and draw them again.
	 */
	if (co_prompt_shown) {
		saved_point = rl_point;
		saved_line = rl_copy_text(0, rl_end);
		rl_save_prompt();
		rl_replace_line("", 0);
		rl_redisplay();
	}
	fflush(stdout);
	fputs(text, f);
	if (text[strlen(text) - 1] != '\n')
		fputc('\n', f);
	fflush(f);
	if (saved_line) {
		rl_restore_prompt();
		rl_replace_line(saved_line, 0);
		rl_point = saved_point;
		rl_forced_update_display();
		free(saved_line);
	}
}

void co_console_print(const char *text)
{
	co_console_write(stdout, text);
}
