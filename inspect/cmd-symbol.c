/*
 * cmd-symbol.c - `dmtcp_inspect symbol IMG ADDR`: which area and module
 * an address of the checkpointed process falls in, the function and
 * offset, and the source line.  Exit 3 if the address is not mapped.
 */
#include "session.h"

int insp_cmd_symbol(struct insp_session *s)
{
	const struct img_meta_area *ma = s->area;
	uint64_t addr = s->addr;
	struct insp_sym sym;
	char where[512], perms[5];

	insp_dwfl_symbolize(s->v[0].d, addr, 0, &sym);
	insp_sym_format(&sym, addr, where, sizeof(where));
	if (s->o->json) {
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
		insp_json_str(stdout, sym.module);
		printf(", \"module_offset\": %llu, \"function\": ",
		       (unsigned long long)(addr - sym.module_start));
		insp_json_str(stdout, sym.func);
		printf(", \"offset\": %llu, \"file\": ",
		       (unsigned long long)sym.func_off);
		insp_json_str(stdout, sym.file);
		printf(", \"line\": %d}\n", sym.line);
	} else {
		printf("%#llx: %s", (unsigned long long)addr, where);
		if (sym.module)
			printf(" in %s+%#llx", sym.module,
			       (unsigned long long)(addr - sym.module_start));
		printf("\n  area %#llx-%#llx %s %s %s\n",
		       (unsigned long long)ma->area.start,
		       (unsigned long long)ma->area.end,
		       insp_perms(perms, &ma->area),
		       insp_area_kind_name(ma->area.kind),
		       insp_area_name(ma));
		if (sym.file)
			printf("  source %s:%d\n", sym.file, sym.line);
	}
	return INSP_EXIT_OK;
}
