/*
 * dwfl-session.c - libdwfl over a checkpoint image (see dwfl-session.h).
 *
 * Modules: every file-backed object among the areas is reported once
 * with dwfl_report_elf(path, base = load_bias, add_p_vaddr), so the
 * module's bias is exactly the recorded load bias.  The file is used
 * only if it is still the one that was mapped (same inode/size/mtime,
 * or same build-id); otherwise the separate debug file named by the
 * recorded build-id under /usr/lib/debug/.build-id is tried.  A stored
 * [vdso] is copied to a memfd and reported too, so unwinding through
 * it works.  Unwinding: dwfl_attach_state() with callbacks that take
 * registers from the thread records and memory from the image.
 */
#include "dwfl-session.h"
#include "inspect.h"

#include <elfutils/libdwfl.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DEBUG_BUILD_ID_DIR "/usr/lib/debug/.build-id"

struct insp_dwfl {
	Dwfl *dwfl;
	const struct img_meta *m;
	struct insp_mem *mem;
	char *debuginfo_path;	/* NULL: libdwfl's default */
	Dwfl_Callbacks cb;
	int attached;		/* 1 ok, -1 failed */
	char attach_err[256];
	Elf *arch_elf;		/* a bare EM_X86_64 header for attach */
	Elf64_Ehdr arch_ehdr;
	int vdso_fd;
	int quiet;
};

/* --- modules -------------------------------------------------------- */

/* The .debug file for a build-id, if installed: 0 with path in buf. */
static int dwfl_debug_file(const struct img_area *a, char *buf, size_t cap)
{
	char hex[41];

	if (!(a->flags & IMG_AF_HAS_BUILD_ID) || a->build_id_len < 2 ||
	    a->build_id_len > sizeof(a->build_id))
		return -1;
	insp_hex(hex, a->build_id, a->build_id_len);
	snprintf(buf, cap, "%s/%.2s/%s.debug", DEBUG_BUILD_ID_DIR, hex,
		 hex + 2);
	return access(buf, R_OK);
}

static void dwfl_report_object(struct insp_dwfl *d, size_t first,
			       size_t last)
{
	const struct img_meta_area *ma = &d->m->areas[first];
	const struct img_area *a = &ma->area;
	const char *file = ma->path;
	enum insp_file_state st = insp_mem_file_state(d->mem, first);
	char dbg[256];
	size_t i;

	/* the area holding the ELF header (offset 0) has the best record */
	for (i = first; i <= last; i++) {
		if (d->m->areas[i].area.offset == 0 ||
		    (d->m->areas[i].area.flags & IMG_AF_HAS_BUILD_ID)) {
			a = &d->m->areas[i].area;
			break;
		}
	}
	if (st != INSP_FILE_SAME) {
		if (dwfl_debug_file(a, dbg, sizeof(dbg)) == 0) {
			file = dbg;
		} else {
			if (!d->quiet)
				insp_warn("%s: %s since the checkpoint, no "
					  "debug file for its build-id: no "
					  "symbols for it", ma->path,
					  st == INSP_FILE_MISSING ?
					  "missing" : "changed");
			return;
		}
	}
	if (!dwfl_report_elf(d->dwfl, ma->path, file, -1, a->load_bias,
			     true)) {
		/* not an ELF object (a data file): nothing to symbolize */
		if (dwfl_errno() && !d->quiet &&
		    (a->flags & IMG_AF_HAS_BUILD_ID))
			insp_warn("%s: %s", file, dwfl_errmsg(-1));
	}
}

/* Copies the stored [vdso] into a memfd and reports it. */
static void dwfl_report_vdso(struct insp_dwfl *d, size_t ai)
{
	const struct img_area *a = &d->m->areas[ai].area;
	uint64_t len = a->end - a->start, off;
	char page[IMG_PAGE_SIZE];
	int fd;

	if (!a->stored_bytes || len > (64u << 20))
		return;
	fd = memfd_create("vdso", MFD_CLOEXEC);
	if (fd < 0)
		return;
	for (off = 0; off < len; off += sizeof(page)) {
		if (insp_mem_read_page(d->mem, ai, a->start + off, page,
				       sizeof(page)) != INSP_SRC_STORED ||
		    pwrite(fd, page, sizeof(page), (off_t)off) !=
		    (ssize_t)sizeof(page)) {
			close(fd);
			return;
		}
	}
	/* libdwfl owns the fd once the report succeeds */
	if (dwfl_report_elf(d->dwfl, "[vdso]", "[vdso]", fd, a->start, true))
		d->vdso_fd = fd;
	else
		close(fd);
}

static int dwfl_is_object(const struct img_meta_area *ma)
{
	return (ma->area.kind == IMG_AREA_FILE ||
		ma->area.kind == IMG_AREA_SHARED_FILE) &&
	       ma->path && ma->path[0] == '/';
}

static int dwfl_already(const struct img_meta *m, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (dwfl_is_object(&m->areas[j]) &&
		    !strcmp(m->areas[j].path, m->areas[i].path) &&
		    m->areas[j].area.inode == m->areas[i].area.inode)
			return 1;
	return 0;
}

static void dwfl_report_all(struct insp_dwfl *d)
{
	const struct img_meta *m = d->m;
	size_t i = 0;

	dwfl_report_begin(d->dwfl);
	while (i < m->nareas) {
		const struct img_meta_area *ma = &m->areas[i];
		size_t last = i;

		if (ma->area.kind == IMG_AREA_SPECIAL && ma->path &&
		    !strcmp(ma->path, "[vdso]")) {
			dwfl_report_vdso(d, i);
			i++;
			continue;
		}
		if (!dwfl_is_object(ma)) {
			i++;
			continue;
		}
		/* the object's mappings, and the holes between them */
		while (last + 1 < m->nareas &&
		       (!m->areas[last + 1].path[0] ||
			!strcmp(m->areas[last + 1].path, ma->path)))
			last++;
		while (last > i && strcmp(m->areas[last].path, ma->path))
			last--;
		if (!dwfl_already(m, i))
			dwfl_report_object(d, i, last);
		i = last + 1;
	}
	dwfl_report_end(d->dwfl, NULL, NULL);
}

struct insp_dwfl *insp_dwfl_open(const struct img_meta *m,
				 struct insp_mem *mem, int quiet)
{
	struct insp_dwfl *d;

	d = calloc(1, sizeof(*d));
	if (!d) {
		insp_err("out of memory");
		return NULL;
	}
	d->m = m;
	d->mem = mem;
	d->quiet = quiet;
	d->vdso_fd = -1;
	d->cb.find_elf = dwfl_build_id_find_elf;
	d->cb.find_debuginfo = dwfl_standard_find_debuginfo;
	d->cb.debuginfo_path = &d->debuginfo_path;
	elf_version(EV_CURRENT);
	d->dwfl = dwfl_begin(&d->cb);
	if (!d->dwfl) {
		insp_err("libdwfl: %s", dwfl_errmsg(-1));
		free(d);
		return NULL;
	}
	dwfl_report_all(d);
	return d;
}

void insp_dwfl_close(struct insp_dwfl *d)
{
	if (!d)
		return;
	dwfl_end(d->dwfl);	/* closes the vdso fd it owns */
	if (d->arch_elf)
		elf_end(d->arch_elf);
	free(d);
}

/* --- symbols -------------------------------------------------------- */

int insp_dwfl_symbolize(struct insp_dwfl *d, uint64_t addr, int call_site,
			struct insp_sym *s)
{
	uint64_t look = call_site && addr ? addr - 1 : addr;
	Dwfl_Module *mod;
	Dwfl_Line *line;
	GElf_Addr off, start;
	GElf_Sym sym;
	long ai;

	memset(s, 0, sizeof(*s));
	mod = dwfl_addrmodule(d->dwfl, look);
	if (!mod) {
		ai = insp_find_area(d->m, look);
		if (ai < 0)
			return -1;
		s->module = insp_area_name(&d->m->areas[ai]);
		/* offsets from the object's first mapping, like libdwfl's */
		while (ai > 0 && d->m->areas[ai].path[0] == '/' &&
		       !strcmp(d->m->areas[ai - 1].path,
			       d->m->areas[ai].path))
			ai--;
		s->module_start = d->m->areas[ai].area.start;
		return -1;
	}
	s->module = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL,
				     NULL, NULL);
	s->module_start = start;
	s->func = dwfl_module_addrinfo(mod, look, &off, &sym, NULL, NULL,
				       NULL);
	if (s->func) {
		/* "clock_nanosleep@GLIBC_2.2.5": the version is noise here */
		snprintf(s->func_buf, sizeof(s->func_buf), "%.*s",
			 (int)strcspn(s->func, "@"), s->func);
		s->func = s->func_buf;
		s->func_off = off + (addr - look);
	}
	line = dwfl_module_getsrc(mod, look);
	if (line)
		s->file = dwfl_lineinfo(line, NULL, &s->line, NULL, NULL,
					NULL);
	return s->func ? 0 : -1;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

char *insp_sym_format(const struct insp_sym *s, uint64_t addr, char *buf,
		      size_t cap)
{
	int n;

	if (!s->func) {
		if (s->module)
			snprintf(buf, cap, "?? (%s+0x%llx)",
				 base_name(s->module),
				 (unsigned long long)(addr - s->module_start));
		else
			snprintf(buf, cap, "?? (not mapped)");
		return buf;
	}
	n = snprintf(buf, cap, "%s+0x%llx", s->func,
		     (unsigned long long)s->func_off);
	if (n >= 0 && (size_t)n < cap && s->file && s->line > 0)
		snprintf(buf + n, cap - n, " (%s:%d)", base_name(s->file),
			 s->line);
	return buf;
}

void insp_json_sym(const struct insp_sym *s)
{
	printf("\"function\": ");
	insp_json_str(stdout, s->func);
	printf(", \"offset\": %llu, \"file\": ",
	       (unsigned long long)s->func_off);
	insp_json_str(stdout, s->file);
	printf(", \"line\": %d, \"module\": ", s->line);
	insp_json_str(stdout, s->module);
}

/* --- unwinding ------------------------------------------------------ */

static pid_t dwfl_next_thread(Dwfl *dwfl, void *dwfl_arg, void **thread_argp)
{
	struct insp_dwfl *d = dwfl_arg;
	const struct img_thread *t = *thread_argp;
	size_t i = t ? (size_t)(t - d->m->threads) + 1 : 0;

	(void)dwfl;
	if (i >= d->m->nthreads)
		return 0;
	*thread_argp = (void *)&d->m->threads[i];
	return (pid_t)d->m->threads[i].tid;
}

static bool dwfl_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result,
			     void *dwfl_arg)
{
	struct insp_dwfl *d = dwfl_arg;
	uint64_t v;

	(void)dwfl;
	if (insp_mem_read(d->mem, addr, &v, sizeof(v)) < 0)
		return false;
	*result = v;
	return true;
}

static bool dwfl_set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	const struct img_regs *r = &((const struct img_thread *)thread_arg)->regs;
	/* DWARF numbering of x86-64: rax rdx rcx rbx rsi rdi rbp rsp
	 * r8..r15, then the return address column (rip) */
	Dwarf_Word regs[17] = {
		r->rax, r->rdx, r->rcx, r->rbx, r->rsi, r->rdi, r->rbp, r->rsp,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
		r->rip,
	};

	return dwfl_thread_state_registers(thread, 0, 17, regs);
}

static const Dwfl_Thread_Callbacks dwfl_thread_cbs = {
	.next_thread = dwfl_next_thread,
	.memory_read = dwfl_memory_read,
	.set_initial_registers = dwfl_set_initial_registers,
};

static int dwfl_attach(struct insp_dwfl *d)
{
	Elf64_Ehdr *e = &d->arch_ehdr;

	if (d->attached)
		return d->attached > 0 ? 0 : -1;
	/* libdwfl picks the unwinder backend from an ELF header: give it a
	 * bare x86-64 one, so attach works even if no module was found */
	memset(e, 0, sizeof(*e));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_ident[EI_OSABI] = ELFOSABI_NONE;
	e->e_type = ET_CORE;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_ehsize = sizeof(*e);
	d->arch_elf = elf_memory((char *)e, sizeof(*e));
	if (!d->arch_elf ||
	    !dwfl_attach_state(d->dwfl, d->arch_elf, (pid_t)d->m->proc.pid,
			       &dwfl_thread_cbs, d)) {
		snprintf(d->attach_err, sizeof(d->attach_err),
			 "libdwfl cannot attach the image's threads: %s",
			 dwfl_errmsg(-1));
		d->attached = -1;
		return -1;
	}
	d->attached = 1;
	return 0;
}

struct unwind_ctx {
	struct insp_frame *frames;
	int max, n;
};

static int dwfl_frame_cb(Dwfl_Frame *state, void *arg)
{
	struct unwind_ctx *u = arg;
	Dwarf_Addr pc;
	bool act;

	if (!dwfl_frame_pc(state, &pc, &act))
		return -1;
	if (u->n >= u->max)
		return DWARF_CB_ABORT;
	u->frames[u->n].pc = pc;
	u->frames[u->n].activation = act;
	u->frames[u->n].regmask = 0;
	for (unsigned r = 0; r < 17; r++) {
		Dwarf_Word v;

		if (dwfl_frame_reg(state, r, &v) == 0) {
			u->frames[u->n].regs[r] = v;
			u->frames[u->n].regmask |= 1u << r;
		}
	}
	u->n++;
	return DWARF_CB_OK;
}

int insp_dwfl_unwind(struct insp_dwfl *d, const struct img_thread *t,
		     struct insp_frame *frames, int max, int *nframes,
		     char *why, size_t whycap)
{
	struct unwind_ctx u = { frames, max, 0 };
	int rc;

	*nframes = 0;
	why[0] = '\0';
	if (dwfl_attach(d) < 0) {
		snprintf(why, whycap, "%s", d->attach_err);
		return -1;
	}
	rc = dwfl_getthread_frames(d->dwfl, (pid_t)t->tid, dwfl_frame_cb, &u);
	*nframes = u.n;
	if (rc == DWARF_CB_ABORT) {
		snprintf(why, whycap, "more than %d frames", max);
		return -1;
	}
	if (rc != 0) {
		int e = dwfl_errno();

		/* the outermost frame ends the walk without an error */
		if (e == 0)
			return 0;
		snprintf(why, whycap, "%s", dwfl_errmsg(e));
		return -1;
	}
	return 0;
}

Dwfl *insp_dwfl_handle(struct insp_dwfl *d)
{
	return d->dwfl;
}

Dwfl_Module *insp_dwfl_main_module(struct insp_dwfl *d)
{
	for (size_t i = 0; i + 1 < d->m->auxv_len; i += 2)
		if (d->m->auxv[i] == AT_ENTRY)
			return dwfl_addrmodule(d->dwfl, d->m->auxv[i + 1]);
	return NULL;
}
