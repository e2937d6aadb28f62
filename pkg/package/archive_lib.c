/* libarchive, loaded when first needed (archive_lib.h). */
#include "package/archive_internal.h"

void (*archive_lib_fns[ARCHIVE_LIB_COUNT])(void);

static const char *const names[] = {
#define ARCHIVE_LIB_NAME(name) #name,
	ARCHIVE_LIB_FUNCTIONS(ARCHIVE_LIB_NAME)
#undef ARCHIVE_LIB_NAME
};

static struct pouch_dynlib lib = { .soname = "libarchive.so.13",
				   .names = names,
				   .fns = archive_lib_fns,
				   .n = ARCHIVE_LIB_COUNT };

int archive_lib_load(struct pouch_err *err)
{
	return pouch_dynlib_load(&lib, err);
}
