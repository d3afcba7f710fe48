/*
 * cmd-auxv.c - `dmtcp_inspect auxv IMG`: the auxiliary vector the kernel
 * gave the process, with AT_ names; the strings AT_EXECFN and
 * AT_PLATFORM point to are read from the image's memory.
 */
#include "session.h"

#include <elf.h>
#include <string.h>

static const char *const auxv_names[] = {
	[AT_NULL] = "AT_NULL",
	[AT_IGNORE] = "AT_IGNORE",
	[AT_EXECFD] = "AT_EXECFD",
	[AT_PHDR] = "AT_PHDR",
	[AT_PHENT] = "AT_PHENT",
	[AT_PHNUM] = "AT_PHNUM",
	[AT_PAGESZ] = "AT_PAGESZ",
	[AT_BASE] = "AT_BASE",
	[AT_FLAGS] = "AT_FLAGS",
	[AT_ENTRY] = "AT_ENTRY",
	[AT_NOTELF] = "AT_NOTELF",
	[AT_UID] = "AT_UID",
	[AT_EUID] = "AT_EUID",
	[AT_GID] = "AT_GID",
	[AT_EGID] = "AT_EGID",
	[AT_PLATFORM] = "AT_PLATFORM",
	[AT_HWCAP] = "AT_HWCAP",
	[AT_CLKTCK] = "AT_CLKTCK",
	[AT_FPUCW] = "AT_FPUCW",
	[AT_DCACHEBSIZE] = "AT_DCACHEBSIZE",
	[AT_ICACHEBSIZE] = "AT_ICACHEBSIZE",
	[AT_UCACHEBSIZE] = "AT_UCACHEBSIZE",
	[AT_IGNOREPPC] = "AT_IGNOREPPC",
	[AT_SECURE] = "AT_SECURE",
	[AT_BASE_PLATFORM] = "AT_BASE_PLATFORM",
	[AT_RANDOM] = "AT_RANDOM",
	[AT_HWCAP2] = "AT_HWCAP2",
	[AT_EXECFN] = "AT_EXECFN",
	[AT_SYSINFO] = "AT_SYSINFO",
	[AT_SYSINFO_EHDR] = "AT_SYSINFO_EHDR",
	[27] = "AT_RSEQ_FEATURE_SIZE",
	[28] = "AT_RSEQ_ALIGN",
	[51] = "AT_MINSIGSTKSZ",
};

static const char *auxv_name(char *buf, size_t cap, uint64_t type)
{
	const char *name = INSP_NAME_OF(auxv_names, type, NULL);

	if (name)
		return name;
	snprintf(buf, cap, "AT_%llu", (unsigned long long)type);
	return buf;
}

/* The NUL-terminated string at addr in the image, "" if unreadable. */
static const char *auxv_string(struct insp_mem *mem, uint64_t addr,
			       char *buf, size_t cap)
{
	size_t i;

	if (!mem)
		return NULL;
	for (i = 0; i + 1 < cap; i++) {
		if (insp_mem_read(mem, addr + i, &buf[i], 1) < 0)
			return NULL;
		if (!buf[i])
			return buf;
	}
	buf[i] = '\0';
	return buf;
}

int insp_cmd_auxv(struct insp_session *s)
{
	const struct img_meta *m = s->v[0].m;
	char nb[32], sb[512];
	size_t i;

	for (i = 0; i + 1 < m->auxv_len; i += 2) {
		uint64_t type = m->auxv[i], val = m->auxv[i + 1];
		const char *name = auxv_name(nb, sizeof(nb), type), *str = NULL;

		if (type == AT_EXECFN || type == AT_PLATFORM ||
		    type == AT_BASE_PLATFORM)
			str = auxv_string(s->v[0].mem, val, sb, sizeof(sb));
		if (s->o->json) {
			insp_json_next(s);
			printf("{\"type\": %llu, \"name\": \"%s\", "
			       "\"value\": \"%#llx\"", (unsigned long long)type,
			       name, (unsigned long long)val);
			if (str) {
				printf(", \"string\": ");
				insp_json_str(stdout, str);
			}
			printf("}");
		} else {
			printf("%-18s %#llx", name, (unsigned long long)val);
			if (str)
				printf(" \"%s\"", str);
			printf("\n");
		}
		if (type == AT_NULL)
			break;
	}
	return INSP_EXIT_OK;
}
