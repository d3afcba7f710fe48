/*
 * cmd-info.c - `dmtcp_inspect [info] IMG`: the process the image holds
 * (program, ids, host, kernel, when) and the image itself (size,
 * compression, counts, stored bytes, id; an incremental image's
 * parent and chain: chain.c).
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct info_totals {
	uint64_t page_file_bytes;	/* page data as stored in the file */
	size_t user_threads;
};

static void info_totals(const struct img_meta *m, struct info_totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < m->nareas; i++)
		t->page_file_bytes += m->areas[i].file_bytes;
	for (i = 0; i < m->nthreads; i++)
		if (m->threads[i].state == IMG_THREAD_USER)
			t->user_threads++;
}

static void info_text(const struct img_meta *m, const struct info_totals *t,
		      const struct insp_secrets *sec)
{
	const struct img_proc *p = &m->proc;
	time_t when = (time_t)m->hdr.ctime_sec;
	char tbuf[64], s1[32], s2[32];
	struct tm tm;
	size_t i;

	if (localtime_r(&when, &tm))
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S %z", &tm);
	else
		snprintf(tbuf, sizeof(tbuf), "?");
	printf("image:        %s\n", m->path);
	printf("program:      %s\n", p->progname);
	printf("exe:          %s\n", p->exe);
	printf("cmdline:     ");
	for (i = 0; m->argv && m->argv[i]; i++) {
		char *h = insp_secrets_hide(sec, m->argv[i]);

		printf(" %s", h ? h : INSP_HIDDEN);
		free(h);
	}
	printf("\n");
	printf("cwd:          %s\n", p->cwd);
	printf("pid:          %u\n", p->pid);
	printf("ppid:         %u\n", p->ppid);
	printf("pgid/sid:     %u/%u\n", p->pgid, p->sid);
	printf("uid/gid:      %u/%u\n", p->uid, p->gid);
	printf("host:         %s\n", p->hostname);
	printf("kernel:       %s\n", p->kernel);
	printf("time:         %s (%llu)\n", tbuf,
	       (unsigned long long)m->hdr.ctime_sec);
	printf("generation:   %u\n", p->generation);
	printf("computation:  %s (%u process%s)\n", p->comp_id, p->num_peers,
	       p->num_peers == 1 ? "" : "es");
	printf("unique id:    %s\n", p->unique_id);
	printf("coordinator:  %s:%u\n", p->coord_host, p->coord_port);
	printf("ckpt signal:  %u\n", p->ckpt_signal);
	printf("format:       v%u, %s%s\n", m->hdr.version,
	       m->hdr.flags & IMG_F_GZIP ? "gzip" : "raw",
	       m->hdr.flags & IMG_F_DELTA ? ", incremental" : "");
	printf("image size:   %llu (%s)\n", (unsigned long long)m->file_size,
	       insp_size(s1, sizeof(s1), m->file_size));
	printf("threads:      %zu (%zu application)\n", m->nthreads,
	       t->user_threads);
	printf("areas:        %zu\n", m->nareas);
	printf("fds:          %zu\n", m->nfds);
	printf("stored bytes: %llu (%s in memory, %s in the file)\n",
	       (unsigned long long)m->end.page_bytes,
	       insp_size(s1, sizeof(s1), m->end.page_bytes),
	       insp_size(s2, sizeof(s2), t->page_file_bytes));
}

static void info_json(const struct img_meta *m, const struct info_totals *t,
		      const struct insp_secrets *sec)
{
	const struct img_proc *p = &m->proc;
	size_t i;

	printf("{\"image\": ");
	insp_json_str(stdout, m->path);
	printf(", \"program\": ");
	insp_json_str(stdout, p->progname);
	printf(", \"exe\": ");
	insp_json_str(stdout, p->exe);
	printf(", \"cmdline\": [");
	for (i = 0; m->argv && m->argv[i]; i++) {
		char *h = insp_secrets_hide(sec, m->argv[i]);

		printf("%s", i ? ", " : "");
		insp_json_str(stdout, h ? h : INSP_HIDDEN);
		free(h);
	}
	printf("], \"cwd\": ");
	insp_json_str(stdout, p->cwd);
	printf(", \"pid\": %u, \"ppid\": %u, \"pgid\": %u, \"sid\": %u, "
	       "\"uid\": %u, \"gid\": %u", p->pid, p->ppid, p->pgid, p->sid,
	       p->uid, p->gid);
	printf(", \"host\": ");
	insp_json_str(stdout, p->hostname);
	printf(", \"kernel\": ");
	insp_json_str(stdout, p->kernel);
	printf(", \"time\": %llu, \"generation\": %u",
	       (unsigned long long)m->hdr.ctime_sec, p->generation);
	printf(", \"computation\": ");
	insp_json_str(stdout, p->comp_id);
	printf(", \"num_peers\": %u, \"unique_id\": ", p->num_peers);
	insp_json_str(stdout, p->unique_id);
	printf(", \"coordinator\": ");
	insp_json_str(stdout, p->coord_host);
	printf(", \"coord_port\": %u, \"ckpt_signal\": %u", p->coord_port,
	       p->ckpt_signal);
	printf(", \"version\": %u, \"compression\": \"%s\"", m->hdr.version,
	       m->hdr.flags & IMG_F_GZIP ? "gzip" : "raw");
	printf(", \"image_size\": %llu, \"threads\": %zu, "
	       "\"user_threads\": %zu, \"areas\": %zu, \"fds\": %zu",
	       (unsigned long long)m->file_size, m->nthreads, t->user_threads,
	       m->nareas, m->nfds);
	printf(", \"stored_bytes\": %llu, \"stored_file_bytes\": %llu",
	       (unsigned long long)m->end.page_bytes,
	       (unsigned long long)t->page_file_bytes);
}

int insp_cmd_info(struct insp_session *s)
{
	struct info_totals t;
	struct insp_secrets sec;
	int rc;

	insp_secrets_init(&sec, s->v[0].m);
	info_totals(s->v[0].m, &t);
	if (s->o->json)
		info_json(s->v[0].m, &t, &sec);
	else
		info_text(s->v[0].m, &t, &sec);
	/* the image id, and a delta image's parent and chain */
	rc = insp_chain_info(s->v[0].m, s->o->json);
	if (s->o->json)
		printf("}\n");
	insp_secrets_free(&sec);
	return rc;
}
