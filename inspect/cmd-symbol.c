/*
 * cmd-symbol.c - `dmtcp_inspect symbol IMG ADDR`: which area and module
 * an address of the checkpointed process falls in, the function and
 * offset, and the source line.  Exit 3 if the address is not mapped.
 */
#include "dwfl-session.h"
#include "inspect.h"

int insp_cmd_symbol(char **args, int nargs, const struct insp_opts *o)
{
	const struct img_meta_area *ma;
	struct insp_dwfl *d;
	struct insp_mem *mem;
	struct img_meta *m;
	struct insp_sym s;
	char err[512], where[512], perms[5];
	uint64_t addr;
	long ai;
	int rc;

	(void)nargs;
	if (insp_parse_addr(args[1], &addr) < 0) {
		insp_err("symbol: '%s' is not a hexadecimal address", args[1]);
		return INSP_EXIT_USAGE;
	}
	rc = insp_load(args[0], &m);
	if (rc)
		return rc;
	ai = insp_find_area(m, addr);
	if (ai < 0) {
		insp_err("%#llx is not mapped in %s (see `dmtcp_inspect maps`)",
			 (unsigned long long)addr, m->path);
		img_free_meta(m);
		return INSP_EXIT_NOTFOUND;
	}
	ma = &m->areas[ai];
	mem = insp_mem_open(m, err, sizeof(err));
	if (!mem) {
		insp_err("%s", err);
		img_free_meta(m);
		return INSP_EXIT_IMAGE;
	}
	d = insp_dwfl_open(m, mem, o->json);
	if (!d) {
		insp_mem_close(mem);
		img_free_meta(m);
		return INSP_EXIT_IMAGE;
	}
	insp_dwfl_symbolize(d, addr, 0, &s);
	insp_sym_format(&s, addr, where, sizeof(where));
	if (o->json) {
		printf("{\"address\": \"%#llx\", \"area\": {\"start\": "
		       "\"%#llx\", \"end\": \"%#llx\", \"perms\": \"%s\", "
		       "\"kind\": \"%s\", \"name\": ",
		       (unsigned long long)addr,
		       (unsigned long long)ma->area.start,
		       (unsigned long long)ma->area.end,
		       insp_perms(perms, &ma->area),
		       insp_area_kind_name(ma->area.kind));
		insp_json_str(stdout, insp_area_name(ma));
		printf("}, \"module\": ");
		insp_json_str(stdout, s.module);
		printf(", \"module_offset\": %llu, \"function\": ",
		       (unsigned long long)(addr - s.module_start));
		insp_json_str(stdout, s.func);
		printf(", \"offset\": %llu, \"file\": ",
		       (unsigned long long)s.func_off);
		insp_json_str(stdout, s.file);
		printf(", \"line\": %d}\n", s.line);
	} else {
		printf("%#llx: %s", (unsigned long long)addr, where);
		if (s.module)
			printf(" in %s+%#llx", s.module,
			       (unsigned long long)(addr - s.module_start));
		printf("\n  area %#llx-%#llx %s %s %s\n",
		       (unsigned long long)ma->area.start,
		       (unsigned long long)ma->area.end,
		       insp_perms(perms, &ma->area),
		       insp_area_kind_name(ma->area.kind),
		       insp_area_name(ma));
		if (s.file)
			printf("  source %s:%d\n", s.file, s.line);
	}
	insp_dwfl_close(d);
	insp_mem_close(mem);
	img_free_meta(m);
	return INSP_EXIT_OK;
}
