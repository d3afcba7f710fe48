/*
 * buildid.c - the GNU build-id of an ELF file on disk, to check that a
 * file is still the one that was mapped at checkpoint time.
 */
#include "inspect.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

int insp_file_build_id(const char *path, uint8_t *out, size_t cap)
{
	const void *id;
	ssize_t n = -1;
	Elf *elf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf) {
		n = dwelf_elf_gnu_build_id(elf, &id);
		if (n > 0 && (size_t)n <= cap)
			memcpy(out, id, (size_t)n);
		else
			n = -1;
		elf_end(elf);
	}
	close(fd);
	return (int)n;
}

int insp_area_build_id_matches(const struct img_area *a, const char *path)
{
	uint8_t id[64];
	int n;

	if (!(a->flags & IMG_AF_HAS_BUILD_ID) || !a->build_id_len ||
	    a->build_id_len > sizeof(a->build_id))
		return 0;
	n = insp_file_build_id(path, id, sizeof(id));
	return n == (int)a->build_id_len && !memcmp(id, a->build_id, n);
}
