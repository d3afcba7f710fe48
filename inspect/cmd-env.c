/*
 * cmd-env.c - `dmtcp_inspect env IMG`: the environment of the process,
 * one VAR=VALUE per line (a JSON object with --json).  The coordinator
 * secret is not shown: DMTCP_COORD_SECRET=<hidden>, and its value
 * hidden wherever another variable holds it (secret.c).
 */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

int insp_cmd_env(char **args, int nargs, const struct insp_opts *o)
{
	struct insp_secrets sec;
	struct img_meta *m;
	size_t i;
	int rc;

	(void)nargs;
	rc = insp_load(args[0], &m);
	if (rc)
		return rc;
	insp_secrets_init(&sec, m);
	if (o->json) {
		printf("{\"image\": ");
		insp_json_str(stdout, m->path);
		printf(", \"env\": {");
	}
	for (i = 0; m->envv && m->envv[i]; i++) {
		const char *eq;
		char *e;

		if (insp_is_secret_var(m->envv[i]))
			e = strdup(INSP_SECRET_VAR "=" INSP_HIDDEN);
		else
			e = insp_secrets_hide(&sec, m->envv[i]);
		if (!e) {
			insp_err("out of memory");
			rc = INSP_EXIT_IMAGE;
			break;
		}
		eq = strchr(e, '=');
		if (!o->json) {
			printf("%s\n", e);
			free(e);
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
		free(e);
	}
	if (o->json && rc == INSP_EXIT_OK)
		printf("\n}}\n");
	insp_secrets_free(&sec);
	img_free_meta(m);
	return rc;
}
