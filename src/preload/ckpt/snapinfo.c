/*
 * ckpt/snapinfo.c - what a snapshot says about itself and what a
 * debugger reads about this process.
 *
 * dmtcp_snap is the next image's SNAP record (include/dmtcp/image.h):
 * here its trigger, tag and crash fields are set before an image is
 * written (image/write.c fills in the times and counts).
 * dmtcp_debug_info (include/dmtcp/debuginfo.h) is kept true at launch,
 * after each committed checkpoint and after a restart, so gdb knows the
 * image this process came from and where its timeline is.
 */
#include "config.h"
#include "ckpt/ckpt.h"
#include "util.h"

#include <string.h>
#include <unistd.h>

void dmtcp_snap_prepare(uint32_t trigger, const char *tag)
{
	memset(&dmtcp_snap, 0, sizeof(dmtcp_snap));
	dmtcp_snap.trigger = trigger <= IMG_SNAP_TRIGGER_MAX ? trigger
							     : IMG_SNAP_COMMAND;
	if (tag)
		util_strlcpy(dmtcp_snap.tag, tag, sizeof(dmtcp_snap.tag));
}

void dmtcp_snap_prepare_crash(void)
{
	const siginfo_t *si = &dmtcp_crash_siginfo;

	dmtcp_snap_prepare(IMG_SNAP_CRASH, "");
	dmtcp_snap.flags |= IMG_SNAPF_SIGINFO;
	dmtcp_snap.sig_tid = (uint32_t)dmtcp_crash_tid;
	dmtcp_snap.sig_signo = dmtcp_crash_sig;
	dmtcp_snap.sig_code = si->si_code;
	dmtcp_snap.sig_addr = (uint64_t)(uintptr_t)si->si_addr;
	memcpy(dmtcp_snap.siginfo, si,
	       sizeof(*si) < sizeof(dmtcp_snap.siginfo) ? sizeof(*si)
						       : sizeof(dmtcp_snap.siginfo));
}

static void set_path(char *dst, const char *src)
{
	util_strlcpy(dst, src ? src : "", DMTCP_DEBUG_PATH_MAX);
}

void dmtcp_debuginfo_launched(void)
{
	struct dmtcp_debug_info *d = &dmtcp_debug_info;

	d->version = DMTCP_DEBUG_INFO_VERSION;
	d->flags = dmtcp_cfg.timeline ? DMTCP_DI_TIMELINE : 0;
	d->generation = 0;
	d->vpid = (uint32_t)getpid();
	d->hold = 0;
	d->ckpt_signal = (uint32_t)dmtcp_cfg.ckpt_signal;
	set_path(d->image, "");
	set_path(d->last_image, "");
	set_path(d->ckpt_dir, dmtcp_cfg.ckpt_dir);
}

void dmtcp_debuginfo_committed(const char *path, uint32_t gen)
{
	set_path(dmtcp_debug_info.last_image, path);
	dmtcp_debug_info.generation = gen;
}

void dmtcp_debuginfo_restored(const char *image, uint32_t gen)
{
	struct dmtcp_debug_info *d = &dmtcp_debug_info;

	d->flags |= DMTCP_DI_RESTORED;
	d->generation = gen;
	d->vpid = (uint32_t)getpid();
	d->hold = 0;
	set_path(d->image, image);
	set_path(d->last_image, image);
	set_path(d->ckpt_dir, dmtcp_cfg.ckpt_dir);
}
