/* Inside the HTTPS client only: libcurl, loaded when first needed.
 * The functions of libcurl.so.4 this module calls, loaded when the module is first used
 * (base/dynlib.h): after https_lib_load succeeds, each name below calls the library's
 * function of that name (a macro of the library's with that name is replaced). Include after
 * the library's own headers. */
#ifndef POUCH_HTTPS_LIB_H
#define POUCH_HTTPS_LIB_H

#include "base/dynlib.h"

#define HTTPS_LIB_FUNCTIONS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_reset) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_global_init) \
	X(curl_slist_append) \
	X(curl_slist_free_all) \
	X(curl_version_info)

enum https_lib_index {
#define HTTPS_LIB_INDEX(name) HTTPS_LIB_##name,
	HTTPS_LIB_FUNCTIONS(HTTPS_LIB_INDEX) HTTPS_LIB_COUNT
#undef HTTPS_LIB_INDEX
};

extern void (*https_lib_fns[HTTPS_LIB_COUNT])(void);

/* Loads libcurl.so.4 with every function above, once (pouch_dynlib_load). */
int https_lib_load(struct pouch_err *err);

#define HTTPS_LIB_CALL(name) ((__typeof__(name) *)https_lib_fns[HTTPS_LIB_##name])
#undef curl_easy_cleanup
#define curl_easy_cleanup HTTPS_LIB_CALL(curl_easy_cleanup)
#undef curl_easy_getinfo
#define curl_easy_getinfo HTTPS_LIB_CALL(curl_easy_getinfo)
#undef curl_easy_init
#define curl_easy_init HTTPS_LIB_CALL(curl_easy_init)
#undef curl_easy_perform
#define curl_easy_perform HTTPS_LIB_CALL(curl_easy_perform)
#undef curl_easy_reset
#define curl_easy_reset HTTPS_LIB_CALL(curl_easy_reset)
#undef curl_easy_setopt
#define curl_easy_setopt HTTPS_LIB_CALL(curl_easy_setopt)
#undef curl_easy_strerror
#define curl_easy_strerror HTTPS_LIB_CALL(curl_easy_strerror)
#undef curl_global_init
#define curl_global_init HTTPS_LIB_CALL(curl_global_init)
#undef curl_slist_append
#define curl_slist_append HTTPS_LIB_CALL(curl_slist_append)
#undef curl_slist_free_all
#define curl_slist_free_all HTTPS_LIB_CALL(curl_slist_free_all)
#undef curl_version_info
#define curl_version_info HTTPS_LIB_CALL(curl_version_info)

#endif
