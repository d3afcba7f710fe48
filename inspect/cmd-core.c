/*
 * cmd-core.c - `dmtcp_inspect core IMG -o FILE`: an ELF core file of the
 * checkpointed process, for `gdb PROG FILE` and `eu-stack --core FILE`.
 *
 * Layout, as the kernel writes it: ELF header, program headers (one
 * PT_NOTE, then a PT_LOAD per area), the notes, then the areas' bytes at
 * page-aligned offsets.  Notes: NT_PRSTATUS, NT_PRPSINFO, NT_AUXV,
 * NT_FILE, NT_FPREGSET for the main thread, then NT_PRSTATUS and
 * NT_FPREGSET for each other thread, the checkpoint thread included
 * (gdb takes the first NT_PRSTATUS as the current thread).  An image
 * whose SNAP record holds a crash (IMG_SNAPF_SIGINFO) gives the core of
 * that crash: the thread that got the signal first, every pr_cursig the
 * signal, and an NT_SIGINFO note after NT_PRPSINFO (gdb: "Program
 * terminated with signal SIGSEGV", $_siginfo).  Area bytes: stored pages, the backing file's
 * bytes for unstored pages of an unchanged file, zeros elsewhere; zero
 * pages are left as holes (the file is sparse).  [vvar] is left out;
 * [vdso] and other special areas without data get p_filesz 0, as do
 * PROT_NONE areas and reservations with nothing stored.  Secrets are
 * overwritten with 'x' wherever they appear (secret.c).
 */
#include "safefile.h"
#include "session.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/procfs.h>
#include <unistd.h>

/* the thread records are laid out so their registers copy as is */
_Static_assert(sizeof(struct img_regs) == sizeof(elf_gregset_t),
	       "img_regs must match elf_gregset_t");
_Static_assert(sizeof(((struct img_thread *)0)->fpregs) ==
	       sizeof(elf_fpregset_t), "fpregs must match elf_fpregset_t");

#define CORE_PAGE	((uint64_t)IMG_PAGE_SIZE)

struct core_buf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static void cb_put(struct core_buf *b, const void *data, size_t len)
{
	if (b->oom)
		return;
	if (b->len + len > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		void *p;

		while (ncap < b->len + len)
			ncap *= 2;
		p = realloc(b->p, ncap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void cb_align4(struct core_buf *b)
{
	static const char zero[4];

	cb_put(b, zero, (4 - b->len % 4) % 4);
}

/* An ELF note: header, "CORE\0" padded to 4, descriptor padded to 4. */
static void core_note(struct core_buf *b, uint32_t type, const void *desc,
		      size_t len)
{
	Elf64_Nhdr h = { .n_namesz = 5, .n_descsz = (Elf64_Word)len,
			 .n_type = type };

	cb_put(b, &h, sizeof(h));
	cb_put(b, "CORE", 5);
	cb_align4(b);
	cb_put(b, desc, len);
	cb_align4(b);
}

/* Does the image record a crash (SNAP record with the signal)? */
static int core_crash(const struct img_meta *m)
{
	return m->has_snap && (m->snap.flags & IMG_SNAPF_SIGINFO) &&
	       m->snap.sig_signo > 0 && m->snap.sig_signo < 65;
}

/* NT_SIGINFO: the recorded raw siginfo_t, or one made of its fields */
static void core_siginfo_note(struct core_buf *b, const struct img_meta *m)
{
	static const uint8_t zero[sizeof(m->snap.siginfo)];
	siginfo_t si;

	_Static_assert(sizeof(si) == sizeof(m->snap.siginfo),
		       "siginfo_t is 128 bytes");
	if (memcmp(m->snap.siginfo, zero, sizeof(zero))) {
		memcpy(&si, m->snap.siginfo, sizeof(si));
	} else {
		memset(&si, 0, sizeof(si));
		si.si_signo = m->snap.sig_signo;
		si.si_code = m->snap.sig_code;
		si.si_addr = (void *)(uintptr_t)m->snap.sig_addr;
	}
	core_note(b, NT_SIGINFO, &si, sizeof(si));
}

static void core_thread_notes(struct core_buf *b, const struct img_meta *m,
			      const struct img_thread *t, int first)
{
	struct elf_prstatus st;
	size_t i;

	memset(&st, 0, sizeof(st));
	if (core_crash(m)) {
		/* as the kernel's dump: every thread has the signal */
		st.pr_info.si_signo = m->snap.sig_signo;
		st.pr_info.si_code = m->snap.sig_code;
		st.pr_cursig = (short)m->snap.sig_signo;
	} else {
		st.pr_info.si_signo = (int)m->proc.ckpt_signal;
		st.pr_cursig = (short)m->proc.ckpt_signal;
	}
	st.pr_sigpend = t->sigpending;
	st.pr_sighold = t->sigmask;
	st.pr_pid = (int)t->tid;
	st.pr_ppid = (int)m->proc.ppid;
	st.pr_pgrp = (int)m->proc.pgid;
	st.pr_sid = (int)m->proc.sid;
	memcpy(&st.pr_reg, &t->regs, sizeof(st.pr_reg));
	st.pr_fpvalid = 1;
	core_note(b, NT_PRSTATUS, &st, sizeof(st));
	if (first) {
		struct elf_prpsinfo ps;
		size_t n = 0;

		memset(&ps, 0, sizeof(ps));
		ps.pr_state = 1;
		ps.pr_sname = 'S';
		ps.pr_uid = m->proc.uid;
		ps.pr_gid = m->proc.gid;
		ps.pr_pid = (int)m->proc.pid;
		ps.pr_ppid = (int)m->proc.ppid;
		ps.pr_pgrp = (int)m->proc.pgid;
		ps.pr_sid = (int)m->proc.sid;
		/* like the kernel's comm: cut to 15 bytes */
		memcpy(ps.pr_fname, m->proc.progname,
		       strnlen(m->proc.progname, sizeof(ps.pr_fname) - 1));
		for (i = 0; m->argv && m->argv[i] &&
			    n + 1 < sizeof(ps.pr_psargs); i++)
			n += snprintf(ps.pr_psargs + n,
				      sizeof(ps.pr_psargs) - n, "%s%s",
				      i ? " " : "", m->argv[i]);
		{	/* secrets in the arguments: 'x's */
			struct insp_secrets sec;

			insp_secrets_init(&sec, m);
			insp_secrets_mask(&sec, (unsigned char *)ps.pr_psargs,
					  strnlen(ps.pr_psargs,
						  sizeof(ps.pr_psargs)), NULL);
			insp_secrets_free(&sec);
		}
		core_note(b, NT_PRPSINFO, &ps, sizeof(ps));
		if (core_crash(m))
			core_siginfo_note(b, m);
		if (m->auxv_len)
			core_note(b, NT_AUXV, m->auxv,
				  m->auxv_len * sizeof(uint64_t));
	}
	/* NT_FILE goes between NT_AUXV and NT_FPREGSET: added by caller */
}

/* NT_FILE: count, page size, (start, end, page offset) each, names. */
static void core_file_note(struct core_buf *b, const struct img_meta *m)
{
	struct core_buf d = { 0 };
	uint64_t count = 0, psz = CORE_PAGE;
	size_t i;

	for (i = 0; i < m->nareas; i++)
		if (m->areas[i].path[0] == '/')
			count++;
	cb_put(&d, &count, sizeof(count));
	cb_put(&d, &psz, sizeof(psz));
	for (i = 0; i < m->nareas; i++) {
		const struct img_area *a = &m->areas[i].area;
		uint64_t e[3] = { a->start, a->end, a->offset / CORE_PAGE };

		if (m->areas[i].path[0] == '/')
			cb_put(&d, e, sizeof(e));
	}
	for (i = 0; i < m->nareas; i++)
		if (m->areas[i].path[0] == '/')
			cb_put(&d, m->areas[i].path,
			       strlen(m->areas[i].path) + 1);
	if (d.oom)
		b->oom = 1;
	else
		core_note(b, NT_FILE, d.p, d.len);
	free(d.p);
}

static int core_skip_area(const struct img_meta_area *ma)
{
	return ma->area.kind == IMG_AREA_SPECIAL &&
	       !strncmp(ma->path, "[vvar", 5);
}

/* Whether the core carries the bytes of an area (p_filesz != 0). */
static int core_has_data(const struct img_meta_area *ma)
{
	const struct img_area *a = &ma->area;

	if (a->stored_bytes)
		return 1;
	if (a->kind == IMG_AREA_SPECIAL || !(a->prot & IMG_PROT_READ))
		return 0;
	if ((a->flags & IMG_AF_NORESERVE) && a->kind == IMG_AREA_ANON)
		return 0;
	return 1;
}

static int page_is_zero(const unsigned char *p)
{
	size_t i;

	for (i = 0; i < CORE_PAGE; i += 8)
		if (*(const uint64_t *)(p + i))
			return 0;
	return 1;
}

static int core_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
				   (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Writes an area's pages at off.  0, -1 (image), -2 (output error). */
static int core_write_area(struct insp_mem *mem, const struct img_meta *m,
			   size_t ai, int fd, uint64_t off)
{
	const struct img_meta_area *ma = &m->areas[ai];
	static unsigned char page[IMG_PAGE_SIZE]
		__attribute__((aligned(8)));
	uint64_t addr, missing = 0;
	int src;

	for (addr = ma->area.start; addr < ma->area.end; addr += CORE_PAGE) {
		src = insp_mem_read_page(mem, ai, addr, page, CORE_PAGE);
		if (src < 0)
			return -1;
		if (src == INSP_SRC_NONE)
			missing++;
		if (src == INSP_SRC_ZERO || src == INSP_SRC_NONE ||
		    page_is_zero(page))
			continue;
		if (core_pwrite(fd, page, CORE_PAGE,
				off + (addr - ma->area.start)) < 0)
			return -2;
	}
	if (missing)
		insp_warn("%s %#llx-%#llx: %llu page%s not in the image and "
			  "the file is %s: zeros in the core",
			  insp_area_name(ma),
			  (unsigned long long)ma->area.start,
			  (unsigned long long)ma->area.end,
			  (unsigned long long)missing, missing == 1 ? "" : "s",
			  insp_file_state_name(insp_mem_file_state(mem, ai)));
	return 0;
}

/* One pass over the data (not the holes) of the core file fd. */
static int core_mask_pass(int fd, struct insp_secrets *sec, int *found_new)
{
	enum { CH = 1 << 20, OV = 2 * INSP_SECRET_MAX + 64 };
	unsigned char *buf = malloc(CH + OV), *orig = malloc(CH + OV);
	off_t size = lseek(fd, 0, SEEK_END), data = 0, hole;
	int rc = -1;

	if (!buf || !orig || size < 0)
		goto out;
	while (data < size) {
		data = lseek(fd, data, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break;		/* only holes left */
			goto out;
		}
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			hole = size;
		for (off_t pos = data; pos < hole; pos += CH) {
			size_t want = (size_t)(size - pos < CH + OV ?
					       size - pos : CH + OV), n = 0;

			while (n < want) {
				ssize_t k = pread(fd, buf + n, want - n,
						  pos + (off_t)n);

				if (k < 0 && errno == EINTR)
					continue;
				if (k <= 0)
					goto out;
				n += (size_t)k;
			}
			memcpy(orig, buf, n);
			if (!insp_secrets_mask(sec, buf, n, found_new))
				continue;
			/* write back only what changed (keep holes holes) */
			for (size_t i = 0; i < n;) {
				size_t j;

				if (buf[i] == orig[i]) {
					i++;
					continue;
				}
				for (j = i; j < n && buf[j] != orig[j]; j++)
					;
				if (core_pwrite(fd, buf + i, j - i,
						(uint64_t)pos + i) < 0)
					goto out;
				i = j;
			}
		}
		data = hole;
	}
	rc = 0;
out:
	free(buf);
	free(orig);
	return rc;
}

/*
 * The coordinator secret must not reach the core file (whoever gets the
 * file could command the computation): in everything written, the
 * value of every DMTCP_COORD_SECRET=... and every other copy of such a
 * value become 'x' (same length).  A second pass when the first found
 * a value the image's environment did not have.  0 or -1 (errno).
 */
static int core_hide_secrets(int fd, const struct img_meta *m)
{
	struct insp_secrets sec;
	int found_new = 0, rc;

	insp_secrets_init(&sec, m);
	rc = core_mask_pass(fd, &sec, &found_new);
	if (rc == 0 && found_new)
		rc = core_mask_pass(fd, &sec, NULL);
	insp_secrets_free(&sec);
	return rc;
}

static int core_write(const struct img_meta *m, struct insp_mem *mem,
		      const char *out, const struct insp_opts *o)
{
	struct core_buf notes = { 0 };
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	const struct img_thread *main_t = NULL;
	size_t i, nload = 0, k, nthr = 1;
	uint64_t off;
	int fd = -1, rc = INSP_EXIT_OK, r;

	for (i = 0; i < m->nthreads; i++)
		if (m->threads[i].tid == m->proc.pid)
			main_t = &m->threads[i];
	/* a crash: the thread that got the signal is gdb's current one */
	for (i = 0; core_crash(m) && i < m->nthreads; i++)
		if (m->threads[i].tid == m->snap.sig_tid)
			main_t = &m->threads[i];
	if (!main_t && m->nthreads)
		main_t = &m->threads[0];
	if (!main_t) {
		insp_err("%s: no threads in the image", m->path);
		return INSP_EXIT_IMAGE;
	}
	/* main thread first, with the process-wide notes */
	core_thread_notes(&notes, m, main_t, 1);
	core_file_note(&notes, m);
	core_note(&notes, NT_FPREGSET, main_t->fpregs, sizeof(main_t->fpregs));
	for (i = 0; i < m->nthreads; i++) {
		const struct img_thread *t = &m->threads[i];

		/* the checkpoint thread too: it is a pthread that gdb's
		 * libthread_db lists, and it needs registers */
		if (t == main_t)
			continue;
		core_thread_notes(&notes, m, t, 0);
		core_note(&notes, NT_FPREGSET, t->fpregs, sizeof(t->fpregs));
		nthr++;
	}
	for (i = 0; i < m->nareas; i++)
		if (!core_skip_area(&m->areas[i]))
			nload++;
	if (notes.oom || nload + 1 >= PN_XNUM) {
		insp_err("%s: %s", m->path, notes.oom ? "out of memory" :
			 "too many areas for a core file");
		free(notes.p);
		return INSP_EXIT_IMAGE;
	}
	ph = calloc(nload + 1, sizeof(*ph));
	if (!ph) {
		insp_err("out of memory");
		free(notes.p);
		return INSP_EXIT_IMAGE;
	}
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)(nload + 1);

	off = sizeof(eh) + (nload + 1) * sizeof(Elf64_Phdr);
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = off;
	ph[0].p_filesz = notes.len;
	ph[0].p_align = 4;
	off = (off + notes.len + CORE_PAGE - 1) & ~(CORE_PAGE - 1);
	for (i = 0, k = 1; i < m->nareas; i++) {
		const struct img_meta_area *ma = &m->areas[i];
		Elf64_Phdr *p = &ph[k];

		if (core_skip_area(ma))
			continue;
		p->p_type = PT_LOAD;
		p->p_vaddr = ma->area.start;
		p->p_memsz = ma->area.end - ma->area.start;
		p->p_offset = off;
		p->p_filesz = core_has_data(ma) ? p->p_memsz : 0;
		p->p_align = CORE_PAGE;
		p->p_flags = (ma->area.prot & IMG_PROT_READ ? PF_R : 0) |
			     (ma->area.prot & IMG_PROT_WRITE ? PF_W : 0) |
			     (ma->area.prot & IMG_PROT_EXEC ? PF_X : 0);
		off += p->p_filesz;
		k++;
	}

	/* the core holds the process's memory: never through a symlink or
	   into a file of somebody else (doc/security.md); truncated only
	   once it is known to be ours */
	{
		char why[160];

		fd = safe_open_own(out, O_RDWR | O_CREAT, 0600, why,
				   sizeof(why));
		if (fd < 0 || ftruncate(fd, 0) < 0) {
			insp_err("cannot create %s: %s", out,
				 fd < 0 ? why : strerror(errno));
			if (fd >= 0)
				close(fd);
			fd = -1;
			rc = INSP_EXIT_OUTPUT;
			goto out_free;
		}
	}
	if (core_pwrite(fd, &eh, sizeof(eh), 0) < 0 ||
	    core_pwrite(fd, ph, (nload + 1) * sizeof(*ph), sizeof(eh)) < 0 ||
	    core_pwrite(fd, notes.p, notes.len, ph[0].p_offset) < 0)
		goto out_write;
	for (i = 0, k = 1; i < m->nareas; i++) {
		if (core_skip_area(&m->areas[i]))
			continue;
		if (ph[k].p_filesz) {
			r = core_write_area(mem, m, i, fd, ph[k].p_offset);
			if (r == -1) {
				insp_err("%s", insp_mem_error(mem));
				rc = INSP_EXIT_IMAGE;
				goto out_unlink;
			}
			if (r == -2)
				goto out_write;
		}
		k++;
	}
	if (core_hide_secrets(fd, m) < 0)
		goto out_write;
	/* the last pages may be holes: give the file its full size */
	if (ftruncate(fd, (off_t)off) < 0 || fsync(fd) < 0)
		goto out_write;
	if (close(fd) < 0) {
		fd = -1;
		goto out_write;
	}
	fd = -1;
	if (o->json) {
		printf("{\"core\": ");
		insp_json_str(stdout, out);
		printf(", \"threads\": %zu, \"segments\": %zu, "
		       "\"size\": %llu}\n", nthr, nload,
		       (unsigned long long)off);
	} else {
		printf("wrote %s: %zu thread%s, %zu load segments\n", out,
		       nthr, nthr == 1 ? "" : "s", nload);
	}
	goto out_free;

out_write:
	insp_err("writing %s: %s", out, strerror(errno ? errno : EIO));
	rc = INSP_EXIT_OUTPUT;
out_unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(out);
out_free:
	free(ph);
	free(notes.p);
	return rc;
}

int insp_cmd_core(struct insp_session *s)
{
	return core_write(s->v[0].m, s->v[0].mem, s->o->output, s->o);
}
