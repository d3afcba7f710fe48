/*
 * snap_inject.c - test helper (not a checkpointed program): copies a
 * full checkpoint image with a SNAP record of the caller's choosing,
 * as the producer side will write it, so the tests of dmtcp_inspect's
 * timeline, bisect and crash cores have images with tags, triggers,
 * branches and crashes today.  The copy is raw (gzip input is decoded
 * first); every record is copied through the image library's writer,
 * the SNAP record written after CMDLINE (an existing one replaced).
 *
 * Usage: snap_inject IN OUT [gen=N] [prev=N] [trigger=N] [tag=TEXT]
 *        [start_us=N] [ckpt_us=N] [pages=N] [crash=TID:SIGNO:CODE:ADDR]
 * (gen= also sets the PROC record's generation).  Exit 0, or 1 with a
 * message.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "img.h"

static void die(const char *what, const char *err)
{
	fprintf(stderr, "snap_inject: %s: %s\n", what, err);
	exit(1);
}

static void *payload(struct img_reader *r, size_t *len)
{
	void *p;

	if (img_reader_read_all(r, (size_t)1 << 30, &p, len) < 0)
		die("read", r->err);
	return p;
}

static void parse(int argc, char **argv, struct img_snap *s, long *gen)
{
	for (int i = 3; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (!v)
			die(argv[i], "expected NAME=VALUE");
		*v++ = '\0';
		if (!strcmp(argv[i], "gen"))
			*gen = atol(v);
		else if (!strcmp(argv[i], "prev"))
			s->prev_generation = (uint32_t)atol(v);
		else if (!strcmp(argv[i], "trigger"))
			s->trigger = (uint32_t)atol(v);
		else if (!strcmp(argv[i], "tag"))
			snprintf(s->tag, sizeof(s->tag), "%s", v);
		else if (!strcmp(argv[i], "start_us"))
			s->start_usec = strtoull(v, NULL, 0);
		else if (!strcmp(argv[i], "ckpt_us"))
			s->ckpt_usec = strtoull(v, NULL, 0);
		else if (!strcmp(argv[i], "pages"))
			s->pages_changed = strtoull(v, NULL, 0);
		else if (!strcmp(argv[i], "crash")) {
			siginfo_t si;
			unsigned long long addr;
			unsigned tid;
			int signo, code;

			if (sscanf(v, "%u:%d:%d:%llx", &tid, &signo, &code,
				   &addr) != 4)
				die(v, "expected TID:SIGNO:CODE:ADDR");
			s->flags |= IMG_SNAPF_SIGINFO;
			s->trigger = IMG_SNAP_CRASH;
			s->sig_tid = tid;
			s->sig_signo = signo;
			s->sig_code = code;
			s->sig_addr = addr;
			memset(&si, 0, sizeof(si));
			si.si_signo = signo;
			si.si_code = code;
			si.si_addr = (void *)(uintptr_t)addr;
			memcpy(s->siginfo, &si, sizeof(si));
		} else {
			die(argv[i], "unknown field");
		}
	}
}

int main(int argc, char **argv)
{
	struct img_snap snap;
	struct img_reader r;
	struct img_writer w;
	struct img_rec rec;
	char err[1024], tmp[] = "/tmp/snap_inject.XXXXXX";
	long gen = -1;
	int in, out, rc;

	if (argc < 3)
		die("usage", "snap_inject IN OUT [FIELD=VALUE...]");
	memset(&snap, 0, sizeof(snap));
	parse(argc, argv, &snap, &gen);
	in = mkstemp(tmp);
	if (in < 0)
		die(tmp, "cannot create");
	unlink(tmp);
	if (img_decode_to_fd(argv[1], in, err, sizeof(err)) < 0)
		die(argv[1], err);
	snprintf(tmp, sizeof(tmp), "/dev/fd/%d", in);
	if (img_reader_open(&r, tmp, err, sizeof(err)) < 0)
		die(argv[1], err);
	out = open(argv[2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0 || img_writer_open(&w, out, 0, r.hdr.ctime_sec) < 0)
		die(argv[2], "cannot create");
	while ((rc = img_reader_next(&r, &rec)) > 0) {
		size_t len;
		void *p;
		int wr = 0;

		switch (rec.type) {
		case IMG_REC_PROC:
			p = payload(&r, &len);
			if (gen >= 0)
				((struct img_proc *)p)->generation =
					(uint32_t)gen;
			wr = img_write_rec(&w, rec.type, p, len);
			free(p);
			break;
		case IMG_REC_THREAD: case IMG_REC_FDS: case IMG_REC_ENV:
		case IMG_REC_AUXV: case IMG_REC_CMDLINE:
			p = payload(&r, &len);
			wr = img_write_rec(&w, rec.type, p, len);
			free(p);
			if (!wr && rec.type == IMG_REC_CMDLINE)
				wr = img_write_rec(&w, IMG_REC_SNAP, &snap,
						   sizeof(snap));
			break;
		case IMG_REC_FILE: {
			struct img_file *f;

			p = payload(&r, &len);
			f = p;
			((char *)p)[sizeof(*f) + f->path_len] = '\0';
			wr = img_write_file(&w, f, (char *)p + sizeof(*f));
			free(p);
			break;
		}
		case IMG_REC_FILEDATA:
			p = payload(&r, &len);
			wr = img_write_filedata(&w, rec.arg0, p, len);
			free(p);
			break;
		case IMG_REC_AREA: {
			struct img_area *a;

			p = payload(&r, &len);
			a = p;
			((char *)p)[sizeof(*a) + a->path_len] = '\0';
			wr = img_write_area(&w, a, (char *)p + sizeof(*a));
			free(p);
			break;
		}
		case IMG_REC_PAGES:
			p = payload(&r, &len);
			wr = img_write_pages(&w, rec.arg0, p, len,
					     (uint32_t)rec.arg1);
			free(p);
			break;
		case IMG_REC_PARENT:
			die(argv[1], "an incremental image (merge it first)");
			break;
		default:	/* SNAP (replaced), PAD, END */
			break;
		}
		if (wr < 0)
			die(argv[2], "the writer refused a record");
	}
	if (rc < 0)
		die(argv[1], err);
	if (img_writer_finish(&w) < 0)
		die(argv[2], "cannot finish");
	img_writer_close(&w);
	img_reader_close(&r);
	if (close(out) < 0)
		die(argv[2], "close");
	return 0;
}
