/*
 * cmd-maps.c - `dmtcp_inspect maps IMG`: every memory area of the image
 * with its range, permissions, kind, backing file, offset, build-id,
 * load bias and the bytes stored for it.
 */
#include "session.h"

#include <string.h>

static const char *maps_flags(char *buf, size_t cap, uint32_t f)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ IMG_AF_HEAP, "heap" },
		{ IMG_AF_STACK, "stack" },
		{ IMG_AF_SHARED, "shared" },
		{ IMG_AF_NORESERVE, "noreserve" },
		{ IMG_AF_GROWSDOWN, "growsdown" },
		{ IMG_AF_DATA_ALL, "data-all" },
		{ IMG_AF_FILE_PAGES_OMITTED, "file-pages-omitted" },
		{ IMG_AF_DELTA, "delta" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit)
			n += snprintf(buf + n, n < cap ? cap - n : 0, "%s%s",
				      n ? "," : "", names[i].name);
	return buf;
}

static void maps_text(const struct img_meta *m)
{
	char perms[5], bid[41], size[32], fl[96];
	size_t i;

	printf("%-33s %-4s %-11s %-8s %9s  %s\n", "RANGE", "PERM", "KIND",
	       "OFFSET", "STORED", "NAME build-id= bias= flags=");
	for (i = 0; i < m->nareas; i++) {
		const struct img_meta_area *ma = &m->areas[i];
		const struct img_area *a = &ma->area;

		printf("%016llx-%016llx %s %-11s %08llx %9s  %s",
		       (unsigned long long)a->start,
		       (unsigned long long)a->end, insp_perms(perms, a),
		       insp_area_kind_name(a->kind),
		       (unsigned long long)a->offset,
		       a->stored_bytes ? insp_size(size, sizeof(size),
						   a->stored_bytes) : "-",
		       insp_area_name(ma));
		if ((a->flags & IMG_AF_HAS_BUILD_ID) && a->build_id_len &&
		    a->build_id_len <= sizeof(a->build_id))
			printf(" build-id=%s",
			       insp_hex(bid, a->build_id, a->build_id_len));
		if (a->load_bias)
			printf(" bias=%#llx", (unsigned long long)a->load_bias);
		if (a->flags & ~IMG_AF_HAS_BUILD_ID)
			printf(" flags=%s", maps_flags(fl, sizeof(fl),
							 a->flags));
		printf("\n");
	}
}

static void maps_json(struct insp_session *s)
{
	const struct img_meta *m = s->v[0].m;
	char perms[5], bid[41], fl[96];
	size_t i;

	for (i = 0; i < m->nareas; i++) {
		const struct img_meta_area *ma = &m->areas[i];
		const struct img_area *a = &ma->area;
		int has_bid = (a->flags & IMG_AF_HAS_BUILD_ID) &&
			      a->build_id_len &&
			      a->build_id_len <= sizeof(a->build_id);

		insp_json_next(s);
		printf("{\"start\": \"%#llx\", \"end\": \"%#llx\", "
		       "\"perms\": \"%s\", \"kind\": \"%s\", \"path\": ",
		       (unsigned long long)a->start,
		       (unsigned long long)a->end, insp_perms(perms, a),
		       insp_area_kind_name(a->kind));
		insp_json_str(stdout, ma->path);
		printf(", \"name\": ");
		insp_json_str(stdout, insp_area_name(ma));
		printf(", \"offset\": %llu, \"dev\": %llu, \"inode\": %llu, "
		       "\"file_size\": %llu, \"mtime\": %lld",
		       (unsigned long long)a->offset,
		       (unsigned long long)a->dev,
		       (unsigned long long)a->inode,
		       (unsigned long long)a->file_size,
		       (long long)a->mtime_sec);
		printf(", \"build_id\": ");
		if (has_bid)
			printf("\"%s\"",
			       insp_hex(bid, a->build_id, a->build_id_len));
		else
			printf("null");
		printf(", \"load_bias\": \"%#llx\", \"flags\": \"%s\", "
		       "\"stored_bytes\": %llu, \"file_bytes\": %llu, "
		       "\"pages_records\": %llu}",
		       (unsigned long long)a->load_bias,
		       maps_flags(fl, sizeof(fl), a->flags),
		       (unsigned long long)a->stored_bytes,
		       (unsigned long long)ma->file_bytes,
		       (unsigned long long)ma->npages);
	}
}

int insp_cmd_maps(struct insp_session *s)
{
	if (s->o->json)
		maps_json(s);
	else
		maps_text(s->v[0].m);
	return INSP_EXIT_OK;
}
