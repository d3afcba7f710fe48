/*
 * cmd-env.c - `dmtcp_inspect env IMG`: the environment of the process,
 * one VAR=VALUE per line (a JSON object with --json).  Secrets are not
 * shown: DMTCP_COORD_SECRET=<hidden>, API_TOKEN=<hidden> (any name
 * like *SECRET*, *PASSWORD*, *TOKEN*, *_KEY), and their values hidden
 * wherever another variable holds them (secret.c).
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

int insp_cmd_env(struct insp_session *s)
{
	const struct img_meta *m = s->v[0].m;
	struct insp_secrets sec;
	size_t i;
	int rc = INSP_EXIT_OK;

	insp_secrets_init(&sec, m);
	for (i = 0; m->envv && m->envv[i]; i++) {
		const char *eq;
		char *e;

		if (insp_is_secret_var(m->envv[i])) {
			size_t nl = (size_t)(strchr(m->envv[i], '=') -
					     m->envv[i]);

			e = malloc(nl + sizeof("=" INSP_HIDDEN));
			if (e)
				snprintf(e, nl + sizeof("=" INSP_HIDDEN),
					 "%.*s=" INSP_HIDDEN, (int)nl,
					 m->envv[i]);
		} else
			e = insp_secrets_hide(&sec, m->envv[i]);
		if (!e) {
			insp_err("out of memory");
			rc = INSP_EXIT_IMAGE;
			break;
		}
		eq = strchr(e, '=');
		if (!s->o->json) {
			printf("%s\n", e);
			free(e);
			continue;
		}
		insp_json_next(s);
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
	insp_secrets_free(&sec);
	return rc;
}
