/*
 * cmd-env.c - `dmtcp_inspect env IMG`: the environment of the process,
 * one VAR=VALUE per line (a JSON object with --json).
 */
#include "inspect.h"

#include <string.h>

int insp_cmd_env(char **args, int nargs, const struct insp_opts *o)
{
	struct img_meta *m;
	size_t i;
	int rc;

	(void)nargs;
	rc = insp_load(args[0], &m);
	if (rc)
		return rc;
	if (o->json) {
		printf("{\"image\": ");
		insp_json_str(stdout, m->path);
		printf(", \"env\": {");
	}
	for (i = 0; m->envv && m->envv[i]; i++) {
		const char *e = m->envv[i], *eq = strchr(e, '=');

		if (!o->json) {
			printf("%s\n", e);
			continue;
		}
		printf("%s\n  ", i ? "," : "");
		if (eq) {
			insp_json_strn(stdout, e, (size_t)(eq - e));
			printf(": ");
			insp_json_str(stdout, eq + 1);
		} else {
			insp_json_str(stdout, e);
			printf(": null");
		}
	}
	if (o->json)
		printf("\n}}\n");
	img_free_meta(m);
	return INSP_EXIT_OK;
}
