#!/bin/bash
# test-sec-secret-argv.sh - the coordinator secret must never be visible
# to another local user.  A hostile user (dmtcpspy) polls the command
# lines (and every environment it may read) of all processes in a tight
# loop while the victim (root) checkpoints, kills and restarts a program
# several times: the secret (read from the coordinator's secret file)
# must never show up, and the restarts must work.  dmtcp_inspect must not
# print the secret either: `env` (text and JSON) masks it, and the
# memory written by `core` has it overwritten.
. "$DMTCP_SRCDIR/tests/e2e/lib.sh"

MIN_CYCLES=${T_SECRET_MIN_CYCLES:-4}
MAX_CYCLES=${T_SECRET_MAX_CYCLES:-30}
WANT_SEEN=3	# restorers the spy must have caught to stop earlier

# The spy (a small C program, run as the hostile user): the command
# line and, when readable, the environment of every process, again and
# again until the stop file appears; every distinct string it read goes
# to its output file.  The restorer's command line is short-lived (its
# stack, where argv lives, is unmapped within a millisecond or so), so
# the spy follows the victim's restarts closely: every process whose
# command line names the victim's checkpoint directory, and all their
# descendants (/proc/PID/task/PID/children), are polled in a tight loop
# through descriptors held open (they show the new program after an
# exec).  OUT.count: how many of the victim's restorers ("mtcp_restart
# ... <victim's directory> ...") it has caught.
write_spy() {
	cat >"$1" <<'SPYEOF'
/* the hostile user's /proc poller (tests/e2e/test-sec-secret-argv.sh) */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXHOT 4096
#define MAXSEEN 65536
static struct { int pid, fd; uint64_t last; } hot[MAXHOT];
static int nhot;
static uint64_t seen[MAXSEEN];
static int nseen;
static int mtcp[MAXHOT], nmtcp;
static char known[4194305];
static const char *mine;
static FILE *out;
static char buf[1 << 17];

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ull;
	return h;
}

/* every distinct string, once, NULs as spaces */
static uint64_t record(char *b, ssize_t n)
{
	uint64_t h;
	int i;

	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!b[i] || b[i] == '\n')
			b[i] = ' ';
	h = hash(b, n);
	for (i = 0; i < nseen; i++)
		if (seen[i] == h)
			return h;
	if (nseen < MAXSEEN)
		seen[nseen++] = h;
	fprintf(out, "%.*s\n", (int)n, b);
	return h;
}

static ssize_t slurp(const char *path, char *b, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, b, cap - 1);
	close(fd);
	return n;
}

static void watch(int pid)
{
	char p[64];
	int i, fd;

	for (i = 0; i < nhot; i++)
		if (hot[i].pid == pid)
			return;
	if (nhot == MAXHOT)
		return;
	snprintf(p, sizeof(p), "/proc/%d/cmdline", pid);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return;
	hot[nhot].pid = pid;
	hot[nhot].fd = fd;
	hot[nhot++].last = 0;
}

static void poll_hot(void)
{
	char p[64];
	int i, k;

	for (i = 0; i < nhot; i++) {
		ssize_t n = pread(hot[i].fd, buf, sizeof(buf) - 1, 0);

		if (n <= 0) {
			snprintf(p, sizeof(p), "/proc/%d", hot[i].pid);
			if (access(p, F_OK) < 0) {
				close(hot[i].fd);
				hot[i--] = hot[--nhot];
			}
			continue;
		}
		buf[n] = 0;
		if (!strncmp(buf, "mtcp_restart", 13) &&
		    memmem(buf, n, mine, strlen(mine))) {
			for (k = 0; k < nmtcp && mtcp[k] != hot[i].pid; k++)
				;
			if (k == nmtcp && nmtcp < MAXHOT)
				mtcp[nmtcp++] = hot[i].pid;
		}
		if (hash(buf, n) != hot[i].last) {
			hot[i].last = hash(buf, n);
			record(buf, n);
		}
		/* its children, watched from the moment they exist */
		snprintf(p, sizeof(p), "/proc/%d/task/%d/children",
			 hot[i].pid, hot[i].pid);
		n = slurp(p, buf, sizeof(buf));
		if (n > 0) {
			char *s = buf, *e;

			buf[n] = 0;
			for (;;) {
				long c = strtol(s, &e, 10);

				if (e == s)
					break;
				watch((int)c);
				s = e;
			}
		}
	}
}

int main(int argc, char **argv)
{
	const char *stop = argv[2];
	unsigned long scans = 0;
	char path[64], cnt[600];

	if (argc < 4)
		return 2;
	out = fopen(argv[1], "w");
	mine = argv[3];
	if (!out)
		return 1;
	snprintf(cnt, sizeof(cnt), "%s.count", argv[1]);
	while (access(stop, F_OK) < 0) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		int full = scans++ % 100 == 0;

		while (d && (e = readdir(d))) {
			int pid = atoi(e->d_name);
			ssize_t n;

			if (pid <= 0 || pid > 4194304 || (known[pid] && !full))
				continue;
			known[pid] = 1;
			snprintf(path, sizeof(path), "/proc/%d/environ", pid);
			record(buf, slurp(path, buf, sizeof(buf)));
			snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
			n = slurp(path, buf, sizeof(buf));
			if (n > 0 && memmem(buf, n, mine, strlen(mine)))
				watch(pid);
			record(buf, n);
			poll_hot();
		}
		if (d)
			closedir(d);
		for (int k = 0; k < 50; k++)
			poll_hot();
		if (scans % 50 == 0) {
			FILE *f = fopen(cnt, "w");

			if (f) {
				fprintf(f, "%d\n", nmtcp);
				fclose(f);
			}
		}
	}
	fclose(out);
	/* first line: the counts (the file is rewritten with it on top) */
	{
		FILE *f = fopen(cnt, "w");

		if (f) {
			fprintf(f, "%d\n", nmtcp);
			fclose(f);
		}
	}
	printf("scans %lu mtcp_restart_pids %d\n", scans, nmtcp);
	return 0;
}
SPYEOF
}

secret_of_coordinator() {
	local f
	f=$(ls "$DMTCP_TMPDIR"/dmtcp-*/coordinator-"$COORD_PORT".secret 2>/dev/null |
		head -n 1)
	[ -n "$f" ] && [ -s "$f" ] || t_fail "no secret file for port $COORD_PORT in $DMTCP_TMPDIR"
	tr -d ' \n' <"$f"
}

scenario() {
	local shared=$T/shared secret i cur n img
	t_shared_dir "$shared"
	t_coord_start
	secret=$(secret_of_coordinator)
	[ ${#secret} -ge 16 ] || t_fail "implausible secret '$secret'"
	t_log "coordinator secret has ${#secret} characters"

	write_spy "$shared/spy.c"
	cc -O2 -o "$shared/spy" "$shared/spy.c" 2>"$T/spy-cc.log" ||
		t_fail "cannot build the spy: $(head -c 300 "$T/spy-cc.log")"
	chmod 0755 "$shared/spy"
	T_TIMEOUT=600 t_spy "$shared/spy" "$shared/seen.txt" "$shared/stop" \
		"$T/ckpt" >"$T/spy.log" 2>&1 &
	t_track $!
	local spy=$!

	t_launch threads_tls
	t_wait_ready
	cur=$APP_PID
	# A restorer's command line is there for a fraction of a millisecond
	# (a busy machine makes it longer now and then).  With strace, every
	# exec in the victim's restarts is held 0.1 s, so that the spy sees
	# each restorer; without, the spy needs luck and more restarts.
	if command -v strace >/dev/null 2>&1; then
		T_RESTART_CMD=(strace -f -qq --seccomp-bpf -o /dev/null
			-e trace=execve -e inject=execve:delay_exit=100000
			"$COORD_CKPTDIR/dmtcp_restart_script.sh")
	else
		t_log "no strace: restorers are held by nothing, more restarts may be needed"
	fi
	# restarts until the spy has caught a few of the victim's restorers
	# (each one is visible for about a millisecond only)
	i=0
	while :; do
		i=$((i + 1))
		t_checkpoint
		t_kill "$cur"
		# the first one with every debug log on: none may print it
		if [ "$i" -eq 1 ]; then
			DMTCP_DEBUG=1 t_restart
		else
			t_restart
		fi
		cur=$RST_PID
		n=$(cat "$shared/seen.txt.count" 2>/dev/null)
		n=${n:-0}
		[ "$i" -ge "$MIN_CYCLES" ] && [ "$n" -ge "$WANT_SEEN" ] && break
		[ "$i" -ge "$MAX_CYCLES" ] && break
	done
	touch "$shared/stop"
	t_wait_exit "$spy" 60 "the spy"
	[ -s "$shared/seen.txt" ] || t_fail "the spy wrote nothing: $(cat "$T/spy.log")"
	t_log "spy after $i restarts: $(cat "$T/spy.log")"
	n=$(cat "$shared/seen.txt.count" 2>/dev/null)
	n=${n:-0}
	if grep -qF -- "$secret" "$shared/seen.txt"; then
		grep -F -- "$secret" "$shared/seen.txt" | sed "s/$secret/<SECRET>/g" |
			head -n 3 | cut -c1-300 | sed 's/^/    seen: /'
		t_fail "the hostile user saw the coordinator secret ($n of the victim's restorers seen in $i restarts)"
	fi
	if [ "$n" -ge 1 ]; then
		t_log "the spy caught $n of the victim's mtcp_restart command lines in $i restarts, none with the secret"
	else
		t_log "note: the spy caught none of the victim's mtcp_restart command lines in $i restarts (too short-lived on this machine now): the command line part is inconclusive"
	fi

	# the logs (restart output, DMTCP_DEBUG=1 logs of every component;
	# mtcp_restart writes to the program's stderr, app.err)
	grep -q '^\[mtcp_restart\]' "$T/restart.1.log" "$T/app.err" ||
		t_fail "no debug output of mtcp_restart in restart.1.log or app.err"
	for f in "$T"/*.log "$T"/*.err "$DMTCP_TMPDIR"/dmtcp-*/log.*; do
		[ -f "$f" ] || continue
		grep -qF -- "$secret" "$f" && t_fail "log ${f#$T/} prints the secret"
	done

	# dmtcp_inspect: env (text, JSON) and core
	img=${CKPT_IMAGES[0]}
	"$BIN/dmtcp_inspect" env "$img" >"$T/env.out" 2>"$T/env.err" ||
		t_fail "dmtcp_inspect env failed: $(cat "$T/env.err")"
	grep -q '^DMTCP_COORD_SECRET=<hidden>$' "$T/env.out" ||
		t_fail "dmtcp_inspect env does not show DMTCP_COORD_SECRET=<hidden>: $(grep SECRET "$T/env.out" | sed "s/$secret/<SECRET>/g")"
	grep -qF -- "$secret" "$T/env.out" "$T/env.err" &&
		t_fail "dmtcp_inspect env prints the secret"
	"$BIN/dmtcp_inspect" --json env "$img" >"$T/env.json" 2>"$T/env.err" ||
		t_fail "dmtcp_inspect --json env failed: $(cat "$T/env.err")"
	grep -qF -- "$secret" "$T/env.json" &&
		t_fail "dmtcp_inspect --json env prints the secret"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["env"]["DMTCP_COORD_SECRET"]=="<hidden>", d["env"].get("DMTCP_COORD_SECRET")' \
		"$T/env.json" || t_fail "env --json: DMTCP_COORD_SECRET is not \"<hidden>\""
	"$BIN/dmtcp_inspect" core "$img" -o "$T/core" >"$T/core.out" 2>&1 ||
		t_fail "dmtcp_inspect core failed: $(cat "$T/core.out")"
	n=$(grep -acF -- "$secret" "$T/core")
	[ "$n" -eq 0 ] || t_fail "the core file holds the secret ($n lines)"
	grep -aq 'DMTCP_COORD_SECRET=x\{'"${#secret}"'\}' "$T/core" ||
		t_fail "the core file has no DMTCP_COORD_SECRET=xxx... (masked with the same length)"
	t_log "dmtcp_inspect env and core hide the secret"

	t_finish "$cur" threads_tls "$i"
}

t_hostile_main t_modes scenario
