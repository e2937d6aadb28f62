/* libcurl, loaded when first needed (https_lib.h). */
#include "exchange/https_internal.h"

void (*https_lib_fns[HTTPS_LIB_COUNT])(void);

static const char *const names[] = {
#define HTTPS_LIB_NAME(name) #name,
	HTTPS_LIB_FUNCTIONS(HTTPS_LIB_NAME)
#undef HTTPS_LIB_NAME
};

static struct pouch_dynlib lib = { .soname = "libcurl.so.4",
				   .names = names,
				   .fns = https_lib_fns,
				   .n = HTTPS_LIB_COUNT };

int https_lib_load(struct pouch_err *err)
{
	return pouch_dynlib_load(&lib, err);
}
