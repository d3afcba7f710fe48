/*
 * test_inspect_core.c - unit test of `dmtcp_inspect core` on a crash
 * image (inspect/cmd-core.c): the synthetic image of test_image_util
 * with a SNAP record holding a SIGSEGV (IMG_SNAPF_SIGINFO) gives a core
 * whose first NT_PRSTATUS is the crashing thread with pr_cursig SIGSEGV
 * and that has an NT_SIGINFO note with the recorded siginfo; without
 * the record, the main thread comes first and there is no NT_SIGINFO.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <signal.h>
#include <sys/procfs.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../inspect/session.h"
#include "test_image_util.h"

static struct img_snap snap;

static int write_snap(struct img_writer *w)
{
	return img_write_rec(w, IMG_REC_SNAP, &snap, sizeof(snap));
}

struct core_notes {
	int nprstatus;
	struct elf_prstatus first;
	int has_siginfo;
	siginfo_t si;
	int siginfo_after_prpsinfo;
};

static void read_notes(const char *path, struct core_notes *cn)
{
	size_t len, off;
	unsigned char *buf = ti_slurp(path, &len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph;
	uint32_t prev = 0;

	memset(cn, 0, sizeof(*cn));
	assert_non_null(buf);
	assert_true(len > sizeof(*eh));
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh->e_type, ET_CORE);
	ph = (Elf64_Phdr *)(buf + eh->e_phoff);
	assert_int_equal(ph[0].p_type, PT_NOTE);
	for (off = ph[0].p_offset; off < ph[0].p_offset + ph[0].p_filesz;) {
		Elf64_Nhdr *nh = (Elf64_Nhdr *)(buf + off);
		unsigned char *desc = buf + off + sizeof(*nh) +
				      ((nh->n_namesz + 3) & ~3u);

		if (nh->n_type == NT_PRSTATUS && cn->nprstatus++ == 0)
			memcpy(&cn->first, desc, sizeof(cn->first));
		if (nh->n_type == NT_SIGINFO) {
			cn->has_siginfo = 1;
			memcpy(&cn->si, desc, sizeof(cn->si));
			cn->siginfo_after_prpsinfo = prev == NT_PRPSINFO;
		}
		prev = nh->n_type;
		off += sizeof(*nh) + ((nh->n_namesz + 3) & ~3u) +
		       ((nh->n_descsz + 3) & ~3u);
	}
	free(buf);
}

static const struct insp_cmd core_cmd = {
	"core", NULL, "IMG -o FILE", "core", 1, 1,
	INSP_NEED_OUTPUT | INSP_NEED_MEM, NULL, insp_cmd_core,
};

static void make_core(int crash, struct core_notes *cn, struct ti_image *t)
{
	char *img = ti_tmpname("insp-core-img"), *core = ti_tmpname("core");
	struct insp_opts o = { 0 };
	char *args[1] = { img };

	memset(&snap, 0, sizeof(snap));
	ti_build(t, 1);
	if (crash) {
		siginfo_t si;

		snap.trigger = IMG_SNAP_CRASH;
		snap.flags = IMG_SNAPF_SIGINFO;
		snap.sig_tid = t->threads[1].tid;
		snap.sig_signo = SIGSEGV;
		snap.sig_code = SEGV_MAPERR;
		snap.sig_addr = 0xdead0;
		memset(&si, 0, sizeof(si));
		si.si_signo = SIGSEGV;
		si.si_code = SEGV_MAPERR;
		si.si_addr = (void *)0xdead0;
		memcpy(snap.siginfo, &si, sizeof(si));
		snprintf(snap.tag, sizeof(snap.tag), "crash");
	}
	ti_write_files = write_snap;
	assert_int_equal(ti_write(t, img, 0), 0);
	ti_write_files = NULL;
	unlink(core);
	o.output = core;
	assert_int_equal(insp_session_run(&core_cmd, args, 1, &o), 0);
	read_notes(core, cn);
	unlink(img);
	unlink(core);
	free(img);
	free(core);
}

static void test_crash_core(void **state)
{
	struct core_notes cn;
	struct ti_image t;

	(void)state;
	make_core(1, &cn, &t);
	assert_int_equal(cn.nprstatus, TI_NTHREADS);
	/* the thread that got the signal is gdb's current thread */
	assert_int_equal(cn.first.pr_pid, (int)t.threads[1].tid);
	assert_int_equal(cn.first.pr_cursig, SIGSEGV);
	assert_int_equal(cn.first.pr_info.si_signo, SIGSEGV);
	assert_true(cn.has_siginfo);
	assert_true(cn.siginfo_after_prpsinfo);
	assert_int_equal(cn.si.si_signo, SIGSEGV);
	assert_int_equal(cn.si.si_code, SEGV_MAPERR);
	assert_ptr_equal(cn.si.si_addr, (void *)0xdead0);
	ti_free(&t);
}

static void test_plain_core(void **state)
{
	struct core_notes cn;
	struct ti_image t;

	(void)state;
	make_core(0, &cn, &t);	/* a SNAP record without a crash */
	assert_int_equal(cn.first.pr_pid, (int)t.proc.pid);
	assert_false(cn.has_siginfo);
	ti_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_core),
		cmocka_unit_test(test_plain_core),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
