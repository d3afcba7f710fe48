/*
 * test_restore_check.c - the restore checks (dmtcp/restore-check.h,
 * src/image/restore-check.c), which mtcp_restart runs before it unmaps
 * anything and dmtcp_restart before it starts a process:
 *  - a restorable synthetic image passes, on metadata (what
 *    dmtcp_restart does), on the raw file (what mtcp_restart does) and
 *    on the decoder's stream of its gzip twin (a pipe: no file size);
 *  - every field the restorer uses, made bad, is refused, with the
 *    field named; the range checks' edges; the helpers mtcp_restart
 *    shares (numbers as text, exact reads) and the rule that places
 *    data records and counts them (img-range.h);
 *  - fuzzing: thousands of random mutations of the metadata (and of the
 *    raw file's bytes) never crash the checks, and known-bad values are
 *    always refused (as is any change to a CRC-protected payload).
 * TEST_FUZZ_ITERS overrides the number of fuzz iterations.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "img.h"
#include "dmtcp/restore.h"
#include "dmtcp/restore-check.h"
#include "img-range.h"
#include "test_image_util.h"

#define NTHR	2
#define NAREA	6
#define PG	4096ull

/* A process image that could be restored. */
struct rimg {
	struct img_proc proc;
	struct img_thread thr[NTHR];
	uint64_t auxv[6];
	struct img_area area[NAREA];
	const char *path[NAREA];
	unsigned char *mem[NAREA];
};

static void set_area(struct rimg *r, int i, uint64_t start, uint64_t len,
		     uint32_t kind, uint32_t prot, const char *path,
		     uint64_t stored)
{
	struct img_area *a = &r->area[i];

	memset(a, 0, sizeof(*a));
	a->start = start;
	a->end = start + len;
	a->kind = kind;
	a->prot = prot;
	a->stored_bytes = stored;
	r->path[i] = path;
	r->mem[i] = calloc(1, len);
	for (uint64_t k = 0; k < stored; k += 8)
		memcpy(r->mem[i] + k, &k, 8);
}

static void build(struct rimg *r)
{
	struct img_proc *p = &r->proc;
	const uint64_t vv = 0x7ff100000000ull;

	memset(r, 0, sizeof(*r));
	set_area(r, 0, 0x400000, 2 * PG, IMG_AREA_FILE,
		 IMG_PROT_READ | IMG_PROT_EXEC, "/usr/bin/prog", 2 * PG);
	r->area[0].flags = IMG_AF_DATA_ALL;
	set_area(r, 1, 0x600000, 64 * PG, IMG_AREA_ANON,
		 IMG_PROT_READ | IMG_PROT_WRITE, "[heap]", 8 * PG);
	r->area[1].flags = IMG_AF_HEAP;
	set_area(r, 2, 0x7ff000000000ull, 16 * PG, IMG_AREA_ANON,
		 IMG_PROT_READ | IMG_PROT_WRITE, "[stack]", 2 * PG);
	r->area[2].flags = IMG_AF_STACK | IMG_AF_GROWSDOWN;
	set_area(r, 3, vv, 4 * PG, IMG_AREA_SPECIAL, IMG_PROT_READ, "[vvar]",
		 0);
	set_area(r, 4, vv + 4 * PG, 2 * PG, IMG_AREA_SPECIAL,
		 IMG_PROT_READ | IMG_PROT_EXEC, "[vdso]", 0);
	set_area(r, 5, 0xffffffffff600000ull, PG, IMG_AREA_SPECIAL,
		 IMG_PROT_EXEC, "[vsyscall]", 0);

	p->pid = 1234;
	p->ppid = 1000;
	p->pgid = 1000;
	p->sid = 999;
	p->nthreads = NTHR;
	p->nareas = NAREA;
	p->generation = 1;
	p->restore_entry = 0x400123;
	p->restore_stack = 0x600000 + 32 * PG - 64;
	p->reserve_addr = DMTCP_RESERVE_ADDR;
	p->reserve_len = DMTCP_RESERVE_LEN;
	p->vspecial_start = vv;
	p->vspecial_end = vv + 6 * PG;
	p->vdso_start = vv + 4 * PG;
	p->vdso_end = vv + 6 * PG;
	p->mm.start_code = 0x400000;
	p->mm.end_code = 0x402000;
	p->mm.start_data = 0x600000;
	p->mm.end_data = 0x600100;
	p->mm.start_brk = 0x600000;
	p->mm.brk = 0x640000;
	p->mm.start_stack = 0x7ff00000f000ull;
	p->mm.arg_start = 0x7ff00000f100ull;
	p->mm.arg_end = 0x7ff00000f200ull;
	p->mm.env_start = 0x7ff00000f200ull;
	p->mm.env_end = 0x7ff00000f800ull;
	strcpy(p->progname, "prog");
	strcpy(p->exe, "/usr/bin/prog");
	strcpy(p->kernel, "6.1.0");

	for (int i = 0; i < NTHR; i++) {
		struct img_thread *t = &r->thr[i];

		t->tid = 1234 + i;
		t->state = i ? IMG_THREAD_CKPT : IMG_THREAD_USER;
		snprintf(t->name, sizeof(t->name), "t%d", i);
		t->regs.rsp = i ? 0x600000 + 16 * PG : 0x7ff000010000ull;
		/* the second one was interrupted inside the vDSO */
		t->regs.rip = i ? p->vdso_start + 0x100 : 0x400500;
		t->regs.fs_base = 0x600000 + 0x100 * (i + 1);
	}
	r->auxv[0] = 6;		/* AT_PAGESZ */
	r->auxv[1] = 4096;
	r->auxv[2] = 33;	/* AT_SYSINFO_EHDR */
	r->auxv[3] = p->vdso_start;
}

static void free_rimg(struct rimg *r)
{
	for (int i = 0; i < NAREA; i++)
		free(r->mem[i]);
}

/* The metadata checks (dmtcp_restart's), field of the failure or NULL */
static const char *check_meta(struct rimg *r, char *msg, size_t cap)
{
	static struct rchk c;
	struct img_file_header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, IMG_MAGIC, 8);
	h.version = IMG_VERSION;
	h.header_size = sizeof(h);
	h.arch = IMG_ARCH_X86_64;
	h.page_size = IMG_PAGE_SIZE;
	h.hdr_crc = rchk_crc32(0, &h, sizeof(h));
	rchk_init(&c, 0, RCHK_META);
	if (rchk_header(&c, &h) < 0 || rchk_proc(&c, &r->proc) < 0)
		goto bad;
	for (int i = 0; i < NTHR; i++)
		if (rchk_thread(&c, &r->thr[i]) < 0)
			goto bad;
	if (rchk_auxv(&c, r->auxv, sizeof(r->auxv)) < 0)
		goto bad;
	for (int i = 0; i < NAREA; i++) {
		r->area[i].path_len = (uint32_t)strlen(r->path[i]);
		if (rchk_area(&c, &r->area[i], r->path[i]) < 0)
			goto bad;
	}
	if (rchk_end(&c, NULL) < 0)
		goto bad;
	return NULL;
bad:
	assert_int_not_equal(c.msg[0], 0);
	assert_non_null(c.field);
	assert_int_not_equal(c.field[0], 0);
	if (msg)
		snprintf(msg, cap, "%s", c.msg);
	return c.field;
}

static int write_rimg(const struct rimg *r, const char *path, uint32_t fl)
{
	struct img_writer w;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = -1;

	if (fd < 0)
		return -1;
	if (img_writer_open(&w, fd, fl, 1700000000) < 0 ||
	    img_write_rec(&w, IMG_REC_PROC, &r->proc, sizeof(r->proc)) < 0)
		goto out;
	for (int i = 0; i < NTHR; i++)
		if (img_write_rec(&w, IMG_REC_THREAD, &r->thr[i],
				  sizeof(r->thr[i])) < 0)
			goto out;
	if (img_write_rec(&w, IMG_REC_ENV, "A=1\0DMTCP_COORD_SECRET=s\0",
			  25) < 0 ||
	    img_write_rec(&w, IMG_REC_AUXV, r->auxv, sizeof(r->auxv)) < 0 ||
	    img_write_rec(&w, IMG_REC_CMDLINE, "prog\0", 5) < 0)
		goto out;
	for (int i = 0; i < NAREA; i++) {
		const struct img_area *a = &r->area[i];

		if (img_write_area(&w, a, r->path[i]) < 0)
			goto out;
		if (a->stored_bytes &&
		    img_write_pages(&w, a->start, r->mem[i], a->stored_bytes,
				    0) < 0)
			goto out;
	}
	rc = img_writer_finish(&w);
out:
	img_writer_close(&w);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------------ */

static void test_valid(void **state)
{
	struct rimg r;
	char msg[512] = "", err[1024];
	char *raw = ti_tmpname("rchk-raw"), *gz = ti_tmpname("rchk-gz");
	struct img_meta *m = NULL;
	const char *f;

	(void)state;
	build(&r);
	f = check_meta(&r, msg, sizeof(msg));
	if (f)
		fail_msg("valid image refused: %s", msg);
	/* as files: what dmtcp_restart and mtcp_restart do */
	assert_int_equal(write_rimg(&r, raw, 0), 0);
	assert_int_equal(write_rimg(&r, gz, IMG_F_GZIP), 0);
	if (img_check_restore_file(raw, err, sizeof(err)) < 0)
		fail_msg("raw file refused: %s", err);
	assert_int_equal(img_load_meta(raw, &m, err, sizeof(err)), 0);
	if (img_check_restore(m, err, sizeof(err)) < 0)
		fail_msg("raw metadata refused: %s", err);
	img_free_meta(m);
	assert_int_equal(img_load_meta(gz, &m, err, sizeof(err)), 0);
	if (img_check_restore(m, err, sizeof(err)) < 0)
		fail_msg("gzip metadata refused: %s", err);
	img_free_meta(m);
	/* mtcp_restart reads raw images only */
	assert_int_equal(img_check_restore_file(gz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "header.flags"));
	unlink(raw);
	unlink(gz);
	free(raw);
	free(gz);
	free_rimg(&r);
}

/* the stream dmtcp_restart's decoder gives mtcp_restart (no size) */
struct mem_in {
	const unsigned char *p;
	size_t len, pos;
};

static int mem_read(void *ctx, void *buf, uint64_t n)
{
	struct mem_in *m = ctx;

	if (n > m->len - m->pos)
		return -1;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return 0;
}

static int mem_skip(void *ctx, uint64_t n)
{
	struct mem_in *m = ctx;

	if (n > m->len - m->pos)
		return -1;
	m->pos += n;
	return 0;
}

static void test_decoded_stream(void **state)
{
	static struct rchk c;
	struct rimg r;
	char *gz = ti_tmpname("rchk-gz2"), *dec = ti_tmpname("rchk-dec");
	char err[1024];
	struct mem_in in;
	size_t len;
	unsigned char *b;
	int fd;

	(void)state;
	build(&r);
	assert_int_equal(write_rimg(&r, gz, IMG_F_GZIP), 0);
	fd = open(dec, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(img_decode_to_fd(gz, fd, err, sizeof(err)), 0);
	close(fd);
	b = ti_slurp(dec, &len);
	assert_non_null(b);
	in.p = b;
	in.len = len;
	in.pos = 0;
	rchk_init(&c, 0, RCHK_RAW_ONLY);	/* a pipe: size unknown */
	if (rchk_walk(&c, mem_read, mem_skip, &in) < 0)
		fail_msg("decoded stream refused: %s", c.msg);
	assert_int_equal(in.pos, len);
	/* truncated streams are refused, never read past */
	for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
		in.len = cut;
		in.pos = 0;
		rchk_init(&c, 0, RCHK_RAW_ONLY);
		assert_int_equal(rchk_walk(&c, mem_read, mem_skip, &in), -1);
	}
	free(b);
	unlink(gz);
	unlink(dec);
	free(gz);
	free(dec);
	free_rimg(&r);
}

/* ------------------------------------------------------------------ */
/* Known-bad values                                                   */

struct bad {
	const char *name;
	const char *field;	/* expected c->field (prefix) */
	void (*apply)(struct rimg *r);
};

#define P(r) (&(r)->proc)
static void b_stack0(struct rimg *r) { P(r)->restore_stack = 0; }
static void b_stack_odd(struct rimg *r) { P(r)->restore_stack += 8; }
static void b_stack_ro(struct rimg *r) { P(r)->restore_stack = 0x401000; }
static void b_stack_gap(struct rimg *r) { P(r)->restore_stack = 0x700000; }
static void b_stack_low(struct rimg *r) { P(r)->restore_stack = 0x600800; }
static void b_stack_top(struct rimg *r) { P(r)->restore_stack = ~0ull & ~15ull; }
static void b_entry0(struct rimg *r) { P(r)->restore_entry = 0; }
static void b_entry_rw(struct rimg *r) { P(r)->restore_entry = 0x600010; }
static void b_entry_vdso(struct rimg *r) { P(r)->restore_entry = P(r)->vdso_start; }
static void b_entry_high(struct rimg *r) { P(r)->restore_entry = 1ull << 63; }
static void b_vdso0(struct rimg *r) { P(r)->vdso_start = 0; }
static void b_vdso_odd(struct rimg *r) { P(r)->vdso_start += 1; }
static void b_vdso_out(struct rimg *r) { P(r)->vdso_end = P(r)->vspecial_end + PG; }
static void b_vdso_none(struct rimg *r)
{
	P(r)->vdso_start = P(r)->vdso_end = 0;
	P(r)->vspecial_start = P(r)->vspecial_end = 0;
}
static void b_vspecial_big(struct rimg *r) { P(r)->vspecial_start -= 1ull << 30; }
static void b_vspecial_reserve(struct rimg *r)
{
	P(r)->vspecial_start = DMTCP_RESERVE_ADDR;
	P(r)->vspecial_end = DMTCP_RESERVE_ADDR + 6 * PG;
	P(r)->vdso_start = DMTCP_RESERVE_ADDR + 4 * PG;
	P(r)->vdso_end = DMTCP_RESERVE_ADDR + 6 * PG;
}
static void b_vdso_area(struct rimg *r) { r->area[4].start -= PG; r->area[3].end -= PG; }
static void b_reserve(struct rimg *r) { P(r)->reserve_addr = 0x10000000; }
static void b_reserve_len(struct rimg *r) { P(r)->reserve_len = 1; }
static void b_nthreads0(struct rimg *r) { P(r)->nthreads = 0; }
static void b_nthreads_huge(struct rimg *r) { P(r)->nthreads = 100000; }
static void b_nthreads_more(struct rimg *r) { P(r)->nthreads = NTHR + 1; }
static void b_nareas_huge(struct rimg *r) { P(r)->nareas = 0xffffffffu; }
static void b_nareas_more(struct rimg *r) { P(r)->nareas = NAREA + 1; }
static void b_nareas_less(struct rimg *r) { P(r)->nareas = NAREA - 1; }
static void b_pid0(struct rimg *r) { P(r)->pid = 0; }
static void b_pid_huge(struct rimg *r) { P(r)->pid = 0x7fffffff; }
static void b_kernel(struct rimg *r) { memset(P(r)->kernel, 'k', sizeof(P(r)->kernel)); }
static void b_exe(struct rimg *r) { memset(P(r)->exe, 'e', sizeof(P(r)->exe)); }
static void b_brk(struct rimg *r) { P(r)->mm.brk = P(r)->mm.start_brk - 1; }
static void b_end_code(struct rimg *r) { P(r)->mm.end_code = P(r)->mm.start_code - 1; }
static void b_end_data(struct rimg *r) { P(r)->mm.end_data = RCHK_USER_TOP + 1; }
static void b_arg_end(struct rimg *r) { P(r)->mm.arg_end = P(r)->mm.arg_start - 1; }
static void b_env_end(struct rimg *r) { P(r)->mm.env_end = ~0ull; }
static void b_start_stack(struct rimg *r) { P(r)->mm.start_stack = RCHK_USER_TOP + PG; }
static void b_ppid(struct rimg *r) { P(r)->ppid = RCHK_PID_MAX + 1; }
static void b_pgid(struct rimg *r) { P(r)->pgid = RCHK_PID_MAX + 1; }
static void b_sid(struct rimg *r) { P(r)->sid = 0xffffffffu; }
static void b_nareas0(struct rimg *r) { P(r)->nareas = 0; }
static void b_entry_top(struct rimg *r) { P(r)->restore_entry = RCHK_USER_TOP; }
static void b_rsp0(struct rimg *r) { r->thr[0].regs.rsp = 0; }
static void b_rsp_gap(struct rimg *r) { r->thr[1].regs.rsp = 0x500000; }
static void b_rsp_ro(struct rimg *r) { r->thr[0].regs.rsp = 0x401000; }
static void b_rip_data(struct rimg *r) { r->thr[0].regs.rip = 0x600000; }
static void b_rip_gap(struct rimg *r) { r->thr[1].regs.rip = 0x800000; }
static void b_fs_gap(struct rimg *r) { r->thr[0].regs.fs_base = 0x1000; }
static void b_tid0(struct rimg *r) { r->thr[1].tid = 0; }
static void b_tstate(struct rimg *r) { r->thr[1].state = 7; }
static void b_tname(struct rimg *r) { memset(r->thr[0].name, 'n', 16); }
static void b_area_order(struct rimg *r) { r->area[1].start = 0x401000; }
static void b_area_empty(struct rimg *r) { r->area[2].end = r->area[2].start; }
static void b_area_odd(struct rimg *r) { r->area[1].end += 5; }
static void b_area_reserve(struct rimg *r)
{
	r->area[2].start = DMTCP_RESERVE_ADDR - PG;
	r->area[2].end = DMTCP_RESERVE_ADDR + PG;
}
static void b_area_kernel(struct rimg *r) { r->area[5].kind = IMG_AREA_ANON; }
static void b_area_vspecial(struct rimg *r) { r->area[3].kind = IMG_AREA_ANON; }
static void b_area_kind(struct rimg *r) { r->area[1].kind = 9; }
static void b_area_prot(struct rimg *r) { r->area[1].prot |= 0x10; }
static void b_area_stored(struct rimg *r) { r->area[0].stored_bytes = 3 * PG; }
static void b_area_offset(struct rimg *r) { r->area[0].offset = 7; }
static void b_area_shared_rel(struct rimg *r)
{
	r->area[0].kind = IMG_AREA_SHARED_FILE;
	r->path[0] = "relative/path";
}
static void b_auxv_vdso(struct rimg *r)
{
	b_vdso_none(r);
	r->area[4].kind = IMG_AREA_SPECIAL;
}

static const struct bad bads[] = {
	{ "restore_stack 0", "proc.restore_stack", b_stack0 },
	{ "restore_stack unaligned", "proc.restore_stack", b_stack_odd },
	{ "restore_stack read-only", "proc.restore_stack", b_stack_ro },
	{ "restore_stack unmapped", "proc.restore_stack", b_stack_gap },
	{ "restore_stack no room", "proc.restore_stack", b_stack_low },
	{ "restore_stack kernel", "proc.restore_stack", b_stack_top },
	{ "restore_entry 0", "proc.restore_entry", b_entry0 },
	{ "restore_entry writable", "proc.restore_entry", b_entry_rw },
	{ "restore_entry in vdso", "proc.restore_entry", b_entry_vdso },
	{ "restore_entry kernel", "proc.restore_entry", b_entry_high },
	{ "vdso_start 0", "proc.vdso_start", b_vdso0 },
	{ "vdso_start unaligned", "proc.vdso_start", b_vdso_odd },
	{ "vdso_end outside", "proc.vdso_end", b_vdso_out },
	{ "no vdso but auxv has one", "proc.vdso_start", b_vdso_none },
	{ "vspecial too big", "proc.vspecial_end", b_vspecial_big },
	{ "vspecial in reserve", "proc.vspecial_start", b_vspecial_reserve },
	{ "[vdso] area elsewhere", "proc.vdso_start", b_vdso_area },
	{ "reserve_addr", "proc.reserve_addr", b_reserve },
	{ "reserve_len", "proc.reserve_len", b_reserve_len },
	{ "nthreads 0", "proc.nthreads", b_nthreads0 },
	{ "nthreads huge", "proc.nthreads", b_nthreads_huge },
	{ "nthreads too many", "proc.nthreads", b_nthreads_more },
	{ "nareas huge", "proc.nareas", b_nareas_huge },
	{ "nareas too many", "proc.nareas", b_nareas_more },
	{ "nareas too few", "proc.nareas", b_nareas_less },
	{ "pid 0", "proc.pid", b_pid0 },
	{ "pid huge", "proc.pid", b_pid_huge },
	{ "kernel unterminated", "proc.kernel", b_kernel },
	{ "exe unterminated", "proc.exe", b_exe },
	{ "brk before start_brk", "proc.mm.brk", b_brk },
	{ "end_code before start_code", "proc.mm.end_code", b_end_code },
	{ "end_data in kernel space", "proc.mm.end_data", b_end_data },
	{ "arg_end before arg_start", "proc.mm.arg_end", b_arg_end },
	{ "env_end huge", "proc.mm.env_end", b_env_end },
	{ "start_stack in kernel space", "proc.mm.start_stack", b_start_stack },
	{ "ppid huge", "proc.ppid", b_ppid },
	{ "pgid huge", "proc.pgid", b_pgid },
	{ "sid huge", "proc.sid", b_sid },
	{ "nareas 0", "proc.nareas", b_nareas0 },
	{ "restore_entry at the user top", "proc.restore_entry", b_entry_top },
	{ "rsp 0", "regs.rsp", b_rsp0 },
	{ "rsp unmapped", "regs.rsp", b_rsp_gap },
	{ "rsp read-only", "regs.rsp", b_rsp_ro },
	{ "rip in data", "regs.rip", b_rip_data },
	{ "rip unmapped", "regs.rip", b_rip_gap },
	{ "fs_base unmapped", "regs.fs_base", b_fs_gap },
	{ "tid 0", "tid", b_tid0 },
	{ "thread state", "state", b_tstate },
	{ "thread name", "name", b_tname },
	{ "areas out of order", "start", b_area_order },
	{ "area empty", "start", b_area_empty },
	{ "area unaligned", "start", b_area_odd },
	{ "area in reserve", "start", b_area_reserve },
	{ "area in kernel space", "end", b_area_kernel },
	{ "area over vvar", "start", b_area_vspecial },
	{ "area kind", "kind", b_area_kind },
	{ "area prot", "prot", b_area_prot },
	{ "area stored_bytes", "stored_bytes", b_area_stored },
	{ "area offset", "offset", b_area_offset },
	{ "shared file without path", "path_len", b_area_shared_rel },
	{ "auxv vdso, none in proc", "proc.vdso_start", b_auxv_vdso },
};

#define NBADS (sizeof(bads) / sizeof(bads[0]))

static void test_known_bad(void **state)
{
	char msg[512];

	(void)state;
	for (size_t i = 0; i < NBADS; i++) {
		struct rimg r;
		const char *f;

		build(&r);
		bads[i].apply(&r);
		msg[0] = 0;
		f = check_meta(&r, msg, sizeof(msg));
		if (!f)
			fail_msg("%s: accepted", bads[i].name);
		if (strncmp(f, bads[i].field, strlen(bads[i].field)))
			fail_msg("%s: refused for %s (%s), expected %s",
				 bads[i].name, f, msg, bads[i].field);
		/* the message names the field */
		if (!strstr(msg, bads[i].field))
			fail_msg("%s: message \"%s\" does not name %s",
				 bads[i].name, msg, bads[i].field);
		free_rimg(&r);
	}
	print_message("%zu known-bad values refused\n", NBADS);
}

/* The same through files: dmtcp_restart's and mtcp_restart's paths. */
static void test_known_bad_files(void **state)
{
	char *raw = ti_tmpname("rchk-bad"), err[1024];
	unsigned n = 0;

	(void)state;
	for (size_t i = 0; i < NBADS; i++) {
		struct img_meta *m = NULL;
		struct rimg r;
		int meta_ok;

		build(&r);
		bads[i].apply(&r);
		if (write_rimg(&r, raw, 0) < 0) {	/* the writer refused */
			free_rimg(&r);
			continue;
		}
		n++;
		if (img_check_restore_file(raw, err, sizeof(err)) == 0)
			fail_msg("%s: accepted by the file walk", bads[i].name);
		if (strncmp(err, raw, strlen(raw)) ||
		    !strstr(err, "cannot restore") ||
		    !strstr(err, bads[i].field))
			fail_msg("%s: file walk: \"%s\"", bads[i].name, err);
		meta_ok = img_load_meta(raw, &m, err, sizeof(err)) == 0;
		if (meta_ok && img_check_restore(m, err, sizeof(err)) == 0)
			fail_msg("%s: accepted by the metadata checks",
				 bads[i].name);
		img_free_meta(m);
		free_rimg(&r);
	}
	print_message("%u of %zu known-bad images written and refused\n", n,
		      NBADS);
	assert_true(n > NBADS / 2);
	unlink(raw);
	free(raw);
}

/* ------------------------------------------------------------------ */
/* Fuzzing                                                            */

static uint64_t rs = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	return ti_xorshift(&rs);
}

static unsigned fuzz_iters(void)
{
	const char *s = getenv("TEST_FUZZ_ITERS");

	return s ? (unsigned)atoi(s) : 5000;
}

/* a random byte of the metadata the checks look at */
static void mutate(struct rimg *r)
{
	unsigned char *p;
	size_t len;

	switch (rnd() % 4) {
	case 0:
		p = (unsigned char *)&r->proc;
		len = offsetof(struct img_proc, comp_id);	/* numbers */
		break;
	case 1:
		p = (unsigned char *)&r->thr[rnd() % NTHR];
		len = sizeof(struct img_thread);
		break;
	case 2:
		p = (unsigned char *)&r->area[rnd() % NAREA];
		len = offsetof(struct img_area, dev);
		break;
	default:
		p = (unsigned char *)r->auxv;
		len = sizeof(r->auxv);
		break;
	}
	p += rnd() % len;
	if (rnd() % 3 == 0)
		*p = (unsigned char)rnd();
	else
		*p ^= (unsigned char)(1u << (rnd() % 8));
}

static void test_fuzz_meta(void **state)
{
	unsigned iters = fuzz_iters(), ok = 0, bad = 0, forced = 0;

	(void)state;
	for (unsigned it = 0; it < iters; it++) {
		struct rimg r;
		unsigned n = 1 + rnd() % 6;
		int force = rnd() % 3 == 0;
		const char *f;

		build(&r);
		for (unsigned k = 0; k < n; k++)
			mutate(&r);
		if (force)	/* a known-bad value on top: never accepted */
			bads[rnd() % NBADS].apply(&r);
		f = check_meta(&r, NULL, 0);
		if (f)
			bad++;
		else
			ok++;
		if (force) {
			forced++;
			if (!f)
				fail_msg("iteration %u: a known-bad value was "
					 "accepted", it);
		}
		free_rimg(&r);
	}
	print_message("%u mutated images: %u accepted, %u refused (%u with "
		      "a known-bad value)\n", iters, ok, bad, forced);
	assert_true(bad > 0);
}

/* random bytes of the raw file through mtcp_restart's walk */
static void test_fuzz_file(void **state)
{
	static struct rchk c;
	struct rimg r;
	char *raw = ti_tmpname("rchk-fz");
	unsigned iters = fuzz_iters(), ok = 0, bad = 0, crc = 0;
	uint64_t crc_lo[64], crc_hi[64];
	unsigned ncrc = 0;
	unsigned char *b, *orig;
	struct mem_in in;
	size_t len, meta_end = 0;

	(void)state;
	build(&r);
	assert_int_equal(write_rimg(&r, raw, 0), 0);
	orig = ti_slurp(raw, &len);
	assert_non_null(orig);
	b = malloc(len);
	/* the CRC-protected payloads the walk reads (PROC, THREAD, AUXV,
	   AREA, END; ENV, CMDLINE and FDS are skipped) */
	for (uint64_t off = IMG_HEADER_SPACE; off + 48 <= len && ncrc < 64;) {
		struct img_rec h;

		memcpy(&h, orig + off, sizeof(h));
		if ((h.flags & IMG_RF_CRC) &&
		    (h.type == IMG_REC_PROC || h.type == IMG_REC_THREAD ||
		     h.type == IMG_REC_AUXV || h.type == IMG_REC_AREA ||
		     h.type == IMG_REC_END)) {
			crc_lo[ncrc] = off + 48;
			crc_hi[ncrc++] = off + 48 + h.size;
		}
		if (h.type == IMG_REC_AREA && !meta_end)
			meta_end = off + 48 + h.size;
		off += 48 + h.size;
	}
	for (unsigned it = 0; it < iters; it++) {
		unsigned n = 1 + rnd() % 4, prot = 0;
		int rc;

		memcpy(b, orig, len);
		for (unsigned k = 0; k < n; k++) {
			size_t pos = rnd() % 2 ? rnd() % meta_end :
				     rnd() % len;
			unsigned char v = b[pos] ^ (1u << (rnd() % 8));

			b[pos] = v;
			for (unsigned j = 0; j < ncrc; j++)
				if (pos >= crc_lo[j] && pos < crc_hi[j])
					prot = 1;
		}
		in.p = b;
		in.len = len;
		in.pos = 0;
		rchk_init(&c, rnd() % 4 ? len : 0, RCHK_RAW_ONLY);
		rc = rchk_walk(&c, mem_read, mem_skip, &in);
		assert_true(rc == 0 || rc == -1);
		if (rc < 0) {
			bad++;
			assert_int_not_equal(c.msg[0], 0);
		} else {
			ok++;
		}
		if (prot) {
			crc++;
			if (rc == 0)
				fail_msg("iteration %u: a changed CRC-protected "
					 "payload was accepted", it);
		}
	}
	print_message("%u mutated files: %u accepted, %u refused (%u with a "
		      "changed CRC-protected byte)\n", iters, ok, bad, crc);
	assert_true(bad > 0);
	free(b);
	free(orig);
	unlink(raw);
	free(raw);
	free_rimg(&r);
}

/* The synthetic image of the other image tests is not restorable (no
 * hand-off stack): refused, naming the field. */
static void test_synthetic_refused(void **state)
{
	struct ti_image t;
	char *p = ti_tmpname("rchk-ti"), err[1024];
	struct img_meta *m = NULL;

	(void)state;
	ti_build(&t, 1);
	assert_int_equal(ti_write(&t, p, 0), 0);
	assert_int_equal(img_check_restore_file(p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "proc.restore_stack"));
	assert_int_equal(img_load_meta(p, &m, err, sizeof(err)), 0);
	assert_int_equal(img_check_restore(m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "proc.restore_stack"));
	img_free_meta(m);
	ti_free(&t);
	unlink(p);
	free(p);
}

/* the range checks' edges: the last good values pass, the first bad
   ones fail with the field and the value in the message */
static void test_range_edges(void **state)
{
	struct rimg r;
	char msg[512];
	const char *f;

	(void)state;
	build(&r);
	P(&r)->ppid = P(&r)->pgid = P(&r)->sid = RCHK_PID_MAX;
	P(&r)->mm.end_code = P(&r)->mm.start_code;	/* empty is fine */
	P(&r)->mm.start_stack = RCHK_USER_TOP;
	f = check_meta(&r, msg, sizeof(msg));
	if (f)
		fail_msg("edges refused for %s: %s", f, msg);
	P(&r)->ppid = 0;			/* no parent (init) */
	assert_null(check_meta(&r, msg, sizeof(msg)));
	free_rimg(&r);

	build(&r);
	P(&r)->sid = RCHK_PID_MAX + 1;
	assert_string_equal(check_meta(&r, msg, sizeof(msg)), "proc.sid");
	assert_string_equal(msg, "proc.sid = 4194305: not a valid pid");
	free_rimg(&r);

	build(&r);
	P(&r)->mm.env_end = P(&r)->mm.env_start - 1;
	assert_string_equal(check_meta(&r, msg, sizeof(msg)),
			    "proc.mm.env_end");
	assert_string_equal(msg, "proc.mm.env_end = 0x7ff00000f1ff: not a "
			    "user-space address after env_start");
	free_rimg(&r);
}

/* the rule that places data records (img-range.h) */
static void test_data_inside(void **state)
{
	(void)state;
	assert_true(img_data_inside(0x1000, 0x1000, 0x1000, 0x2000));
	assert_true(img_data_inside(0x3000, 0x1000, 0x1000, 0x4000));
	assert_true(img_data_inside(0x4000, 0, 0x1000, 0x4000));
	assert_false(img_data_inside(0x0fff, 1, 0x1000, 0x4000)); /* order */
	assert_false(img_data_inside(0x3000, 0x1001, 0x1000, 0x4000));
	assert_false(img_data_inside(0x4001, 0, 0, 0x4000));
	/* no overflow of at + len */
	assert_false(img_data_inside(0x2000, ~0ull - 0xfff, 0, 0x4000));
	assert_false(img_data_inside(~0ull, 2, 0, ~0ull - 1));
}

/* the records of one area as the writer and the walker count them */
static void test_data_run(void **state)
{
	struct img_run r;

	(void)state;
	img_run_begin(&r, 0x1000, 0x5000, 0x2000);	/* 2 of 4 pages */
	assert_int_equal(img_run_check(&r, 0x1000, 0x1000), IMG_RUN_OK);
	img_run_add(&r, 0x1000, 0x1000);
	assert_int_equal(r.next, 0x2000);
	assert_int_equal(r.got, 0x1000);
	/* behind the last one, past the end, or more than is left */
	assert_int_equal(img_run_check(&r, 0x1000, 0x1000), IMG_RUN_OUTSIDE);
	assert_int_equal(img_run_check(&r, 0x4000, 0x2000), IMG_RUN_OUTSIDE);
	assert_int_equal(img_run_check(&r, 0x3000, 0x2000), IMG_RUN_TOO_MUCH);
	assert_int_equal(img_run_check(&r, 0x4000, 0x1000), IMG_RUN_OK);
	img_run_add(&r, 0x4000, 0x1000);
	assert_int_equal(r.got, r.want);
	assert_int_equal(img_run_check(&r, 0x5000, 0), IMG_RUN_OK);
	assert_int_equal(img_run_check(&r, 0x5000, 1), IMG_RUN_OUTSIDE);
}

/* numbers as text without libc (messages, mtcp_restart's output) */
static void test_numbers(void **state)
{
	char b[RCHK_NUM_CAP];

	(void)state;
	assert_string_equal(rchk_hex(b, 0), "0x0");
	assert_string_equal(rchk_hex(b, 0x7ffffffff000ull), "0x7ffffffff000");
	assert_string_equal(rchk_hex(b, ~0ull), "0xffffffffffffffff");
	assert_string_equal(rchk_dec(b, 0), "0");
	assert_string_equal(rchk_dec(b, 4096), "4096");
	assert_string_equal(rchk_dec(b, ~0ull), "18446744073709551615");
	assert_true(rchk_dec(b, ~0ull) > b);	/* room for a sign */
}

/* rchk_read_all over a scripted read(2): short reads, EINTR, the end */
struct script {
	const long *steps;	/* what each call returns (> 0: bytes) */
	int n, calls;
	uint64_t asked_max;
};

static long scripted_read(void *ctx, void *buf, uint64_t len)
{
	struct script *s = ctx;
	long r;

	if (len > s->asked_max)
		s->asked_max = len;
	if (s->calls >= s->n)
		return 0;
	r = s->steps[s->calls++];
	if (r > 0) {
		if ((uint64_t)r > len)
			r = (long)len;
		memset(buf, 'a' + s->calls, (size_t)r);
	}
	return r;
}

static void test_read_all(void **state)
{
	static const long shorts[] = { 3, -EINTR, 4, 100 };
	static const long eof[] = { 5, 0 };
	static const long err[] = { 2, -EINTR, -EIO };
	struct script s = { shorts, 4, 0, 0 };
	char buf[10];

	(void)state;
	assert_int_equal(rchk_read_all(scripted_read, &s, buf, 10), 0);
	assert_int_equal(s.calls, 4);
	assert_int_equal(buf[0], 'b');
	assert_int_equal(buf[3], 'd');
	assert_int_equal(buf[7], 'e');
	assert_int_equal(s.asked_max, 10);
	s = (struct script){ eof, 2, 0, 0 };
	assert_int_equal(rchk_read_all(scripted_read, &s, buf, 10), 1);
	s = (struct script){ err, 3, 0, 0 };
	assert_int_equal(rchk_read_all(scripted_read, &s, buf, 10), -EIO);
	assert_int_equal(s.calls, 3);
	/* at most 1 GiB a call (nothing is written: the script ends) */
	s = (struct script){ NULL, 0, 0, 0 };
	assert_int_equal(rchk_read_all(scripted_read, &s, buf, 3ull << 30),
			 1);
	assert_int_equal(s.asked_max, 1ull << 30);
}

static void test_crc32(void **state)
{
	(void)state;
	/* the check value of CRC-32 (zlib's crc32) */
	assert_int_equal(rchk_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(rchk_crc32(rchk_crc32(0, "1234", 4), "56789", 5),
			 0xcbf43926u);
	assert_int_equal(rchk_crc32(0, "", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_read_all),
		cmocka_unit_test(test_data_inside),
		cmocka_unit_test(test_data_run),
		cmocka_unit_test(test_range_edges),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_decoded_stream),
		cmocka_unit_test(test_known_bad),
		cmocka_unit_test(test_known_bad_files),
		cmocka_unit_test(test_synthetic_refused),
		cmocka_unit_test(test_fuzz_meta),
		cmocka_unit_test(test_fuzz_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
