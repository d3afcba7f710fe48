/*
 * services.c - what the coordinator offers plugins: a publish/subscribe
 * key-value database and named barriers across the processes of the
 * computation (doc/plugins.md, doc/protocol.md).
 *
 * Both are served on command connections, so a plugin may use them from
 * any thread, during a checkpoint or a restart as well as while running.
 * The database lives as long as the computation: it is emptied when its
 * last process leaves (so a restart publishes into a fresh one).  A
 * barrier named N is released when as many requests for N arrived as
 * processes take part in the current phase: the processes in the
 * checkpoint, the processes being restarted (all of them, also those
 * not connected yet), or every process while running.
 */
#include "config.h"
#include "coord.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

#define CO_KV_MAX_BYTES	(64u << 20)	/* whole database */

struct co_kv {
	char *db;		/* database name */
	unsigned char *key, *val;
	size_t klen, vlen;
};

static struct co_kv *kv;
static size_t nkv, kv_cap, kv_bytes;

void co_kv_clear(void)
{
	for (size_t i = 0; i < nkv; i++) {
		free(kv[i].db);
		free(kv[i].key);
		free(kv[i].val);
	}
	nkv = 0;
	kv_bytes = 0;
}

static struct co_kv *co_kv_find(const char *db, const void *key, size_t klen)
{
	for (size_t i = 0; i < nkv; i++)
		if (kv[i].klen == klen && !strcmp(kv[i].db, db) &&
		    !memcmp(kv[i].key, key, klen))
			return &kv[i];
	return NULL;
}

/* Split a KV payload into name, key (klen bytes) and the rest. */
static int co_kv_parse(const struct dmtcp_msg *m, const char *payload,
		       size_t klen, size_t vlen, const char **db,
		       const unsigned char **key, const unsigned char **val)
{
	size_t nlen = strnlen(payload, m->payload_len);

	if (nlen == m->payload_len || nlen + 1 + klen + vlen !=
	    m->payload_len)
		return -1;
	*db = payload;
	*key = (const unsigned char *)payload + nlen + 1;
	*val = *key + klen;
	return 0;
}

static int co_kv_put(struct co_client *c, const struct dmtcp_msg *m,
		     const char *payload)
{
	size_t klen = m->arg0, vlen = m->arg1;
	const unsigned char *key, *val;
	const char *db;
	struct co_kv *e;
	unsigned char *nv;

	if (klen > m->payload_len || vlen > m->payload_len ||
	    co_kv_parse(m, payload, klen, vlen, &db, &key, &val) < 0) {
		co_event(1, "client %s sent a malformed key-value message; "
			 "dropping it", c->peer);
		return -1;
	}
	e = co_kv_find(db, key, klen);
	if (kv_bytes + klen + vlen > CO_KV_MAX_BYTES) {
		const char *why = "key-value database full";

		return co_send(c, DMTCP_MSG_REPLY, DMTCP_REPLY_ERROR, 0, why,
			       strlen(why) + 1);
	}
	nv = malloc(vlen ? vlen : 1);
	if (!nv)
		return -1;
	memcpy(nv, val, vlen);
	if (e) {
		kv_bytes -= e->vlen;
		free(e->val);
	} else {
		if (nkv == kv_cap) {
			size_t ncap = kv_cap ? kv_cap * 2 : 32;
			struct co_kv *n = realloc(kv, ncap * sizeof(*n));

			if (!n) {
				free(nv);
				return -1;
			}
			kv = n;
			kv_cap = ncap;
		}
		e = &kv[nkv];
		e->db = strdup(db);
		e->key = malloc(klen ? klen : 1);
		if (!e->db || !e->key) {
			free(e->db);
			free(e->key);
			free(nv);
			return -1;
		}
		memcpy(e->key, key, klen);
		e->klen = klen;
		kv_bytes += klen;
		nkv++;
	}
	e->val = nv;
	e->vlen = vlen;
	kv_bytes += vlen;
	pr_debug("kv put %s: %zu-byte key, %zu-byte value", ESC(db), klen,
		 vlen);
	return co_send(c, DMTCP_MSG_REPLY, DMTCP_REPLY_OK, 0, NULL, 0);
}

static int co_kv_get(struct co_client *c, const struct dmtcp_msg *m,
		     const char *payload)
{
	size_t klen = m->arg0;
	const unsigned char *key, *val;
	const char *db;
	struct co_kv *e;

	if (klen > m->payload_len ||
	    co_kv_parse(m, payload, klen, 0, &db, &key, &val) < 0) {
		co_event(1, "client %s sent a malformed key-value query; "
			 "dropping it", c->peer);
		return -1;
	}
	e = co_kv_find(db, key, klen);
	if (!e)
		return co_send(c, DMTCP_MSG_KV_VALUE, 0, 0, NULL, 0);
	return co_send(c, DMTCP_MSG_KV_VALUE, 1, 0, e->val, e->vlen);
}

/* Processes that must reach a barrier before it is released. */
static int co_barrier_participants(void)
{
	int n = 0;

	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *w = co_clients[i];

		if (w->kind != CO_WORKER || w->closing)
			continue;
		if (co.phase == CO_CKPT && !w->in_ckpt)
			continue;
		if (co.phase == CO_RESTART && !w->restarting)
			continue;
		n++;
	}
	if (co.phase == CO_RESTART && co.restart_expected > n)
		n = co.restart_expected;
	return n;
}

/* Release every user barrier whose waiters are all there. */
void co_user_barrier_recheck(void)
{
	int need = co_barrier_participants();

	for (size_t i = 0; i < co_nclients; i++) {
		struct co_client *c = co_clients[i];
		int at = 0;

		if (c->kind != CO_COMMAND || !c->ubar[0] || c->closing)
			continue;
		for (size_t j = 0; j < co_nclients; j++)
			if (co_clients[j]->kind == CO_COMMAND &&
			    !co_clients[j]->closing &&
			    !strcmp(co_clients[j]->ubar, c->ubar))
				at++;
		if (at < need)
			continue;
		pr_debug("user barrier '%s' released (%d processes)",
			 ESC(c->ubar), at);
		{
			char name[sizeof(c->ubar)];

			memcpy(name, c->ubar, sizeof(name));
			for (size_t j = 0; j < co_nclients; j++) {
				struct co_client *w = co_clients[j];

				if (w->kind != CO_COMMAND || w->closing ||
				    strcmp(w->ubar, name))
					continue;
				w->ubar[0] = 0;
				co_send(w, DMTCP_MSG_REPLY, DMTCP_REPLY_OK, 0,
					NULL, 0);
			}
		}
	}
}

static int co_user_barrier(struct co_client *c, const struct dmtcp_msg *m,
			   const char *payload)
{
	size_t len = strnlen(payload, m->payload_len);

	if (len == 0 || len >= sizeof(c->ubar)) {
		co_event(1, "client %s sent a barrier without a usable name; "
			 "dropping it", c->peer);
		return -1;
	}
	memcpy(c->ubar, payload, len + 1);
	pr_debug("user barrier '%s': %s arrived", ESC(c->ubar), c->peer);
	co_user_barrier_recheck();
	return 0;
}

int co_service(struct co_client *c, const struct dmtcp_msg *m,
	       const char *payload)
{
	switch (m->type) {
	case DMTCP_MSG_KV_PUT:
		return co_kv_put(c, m, payload) < 0 ? -1 : 0;
	case DMTCP_MSG_KV_GET:
		return co_kv_get(c, m, payload) < 0 ? -1 : 0;
	case DMTCP_MSG_USER_BARRIER:
		return co_user_barrier(c, m, payload);
	}
	return -1;
}
