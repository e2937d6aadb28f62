/* Inside the container module only: libarchive, loaded when first needed.
 * The functions of libarchive.so.13 this module calls, loaded when the module is first used
 * (base/dynlib.h): after archive_lib_load succeeds, each name below calls the library's
 * function of that name (a macro of the library's with that name is replaced). Include after
 * the library's own headers. */
#ifndef POUCH_ARCHIVE_LIB_H
#define POUCH_ARCHIVE_LIB_H

#include "base/dynlib.h"

#define ARCHIVE_LIB_FUNCTIONS(X) \
	X(archive_entry_filetype) \
	X(archive_entry_free) \
	X(archive_entry_hardlink) \
	X(archive_entry_new) \
	X(archive_entry_pathname) \
	X(archive_entry_set_filetype) \
	X(archive_entry_set_gid) \
	X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname_utf8) \
	X(archive_entry_set_perm) \
	X(archive_entry_set_size) \
	X(archive_entry_set_uid) \
	X(archive_entry_size) \
	X(archive_entry_size_is_set) \
	X(archive_entry_sparse_count) \
	X(archive_entry_symlink) \
	X(archive_error_string) \
	X(archive_filter_bytes) \
	X(archive_read_data_block) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open) \
	X(archive_read_support_format_tar) \
	X(archive_set_error) \
	X(archive_version_string) \
	X(archive_write_add_filter_none) \
	X(archive_write_close) \
	X(archive_write_data) \
	X(archive_write_finish_entry) \
	X(archive_write_free) \
	X(archive_write_header) \
	X(archive_write_new) \
	X(archive_write_open) \
	X(archive_write_set_bytes_in_last_block) \
	X(archive_write_set_bytes_per_block) \
	X(archive_write_set_format_pax)

enum archive_lib_index {
#define ARCHIVE_LIB_INDEX(name) ARCHIVE_LIB_##name,
	ARCHIVE_LIB_FUNCTIONS(ARCHIVE_LIB_INDEX) ARCHIVE_LIB_COUNT
#undef ARCHIVE_LIB_INDEX
};

extern void (*archive_lib_fns[ARCHIVE_LIB_COUNT])(void);

/* Loads libarchive.so.13 with every function above, once (pouch_dynlib_load). */
int archive_lib_load(struct pouch_err *err);

#define ARCHIVE_LIB_CALL(name) ((__typeof__(name) *)archive_lib_fns[ARCHIVE_LIB_##name])
#undef archive_entry_filetype
#define archive_entry_filetype ARCHIVE_LIB_CALL(archive_entry_filetype)
#undef archive_entry_free
#define archive_entry_free ARCHIVE_LIB_CALL(archive_entry_free)
#undef archive_entry_hardlink
#define archive_entry_hardlink ARCHIVE_LIB_CALL(archive_entry_hardlink)
#undef archive_entry_new
#define archive_entry_new ARCHIVE_LIB_CALL(archive_entry_new)
#undef archive_entry_pathname
#define archive_entry_pathname ARCHIVE_LIB_CALL(archive_entry_pathname)
#undef archive_entry_set_filetype
#define archive_entry_set_filetype ARCHIVE_LIB_CALL(archive_entry_set_filetype)
#undef archive_entry_set_gid
#define archive_entry_set_gid ARCHIVE_LIB_CALL(archive_entry_set_gid)
#undef archive_entry_set_mtime
#define archive_entry_set_mtime ARCHIVE_LIB_CALL(archive_entry_set_mtime)
#undef archive_entry_set_pathname_utf8
#define archive_entry_set_pathname_utf8 ARCHIVE_LIB_CALL(archive_entry_set_pathname_utf8)
#undef archive_entry_set_perm
#define archive_entry_set_perm ARCHIVE_LIB_CALL(archive_entry_set_perm)
#undef archive_entry_set_size
#define archive_entry_set_size ARCHIVE_LIB_CALL(archive_entry_set_size)
#undef archive_entry_set_uid
#define archive_entry_set_uid ARCHIVE_LIB_CALL(archive_entry_set_uid)
#undef archive_entry_size
#define archive_entry_size ARCHIVE_LIB_CALL(archive_entry_size)
#undef archive_entry_size_is_set
#define archive_entry_size_is_set ARCHIVE_LIB_CALL(archive_entry_size_is_set)
#undef archive_entry_sparse_count
#define archive_entry_sparse_count ARCHIVE_LIB_CALL(archive_entry_sparse_count)
#undef archive_entry_symlink
#define archive_entry_symlink ARCHIVE_LIB_CALL(archive_entry_symlink)
#undef archive_error_string
#define archive_error_string ARCHIVE_LIB_CALL(archive_error_string)
#undef archive_filter_bytes
#define archive_filter_bytes ARCHIVE_LIB_CALL(archive_filter_bytes)
#undef archive_read_data_block
#define archive_read_data_block ARCHIVE_LIB_CALL(archive_read_data_block)
#undef archive_read_free
#define archive_read_free ARCHIVE_LIB_CALL(archive_read_free)
#undef archive_read_new
#define archive_read_new ARCHIVE_LIB_CALL(archive_read_new)
#undef archive_read_next_header
#define archive_read_next_header ARCHIVE_LIB_CALL(archive_read_next_header)
#undef archive_read_open
#define archive_read_open ARCHIVE_LIB_CALL(archive_read_open)
#undef archive_read_support_format_tar
#define archive_read_support_format_tar ARCHIVE_LIB_CALL(archive_read_support_format_tar)
#undef archive_set_error
#define archive_set_error ARCHIVE_LIB_CALL(archive_set_error)
#undef archive_version_string
#define archive_version_string ARCHIVE_LIB_CALL(archive_version_string)
#undef archive_write_add_filter_none
#define archive_write_add_filter_none ARCHIVE_LIB_CALL(archive_write_add_filter_none)
#undef archive_write_close
#define archive_write_close ARCHIVE_LIB_CALL(archive_write_close)
#undef archive_write_data
#define archive_write_data ARCHIVE_LIB_CALL(archive_write_data)
#undef archive_write_finish_entry
#define archive_write_finish_entry ARCHIVE_LIB_CALL(archive_write_finish_entry)
#undef archive_write_free
#define archive_write_free ARCHIVE_LIB_CALL(archive_write_free)
#undef archive_write_header
#define archive_write_header ARCHIVE_LIB_CALL(archive_write_header)
#undef archive_write_new
#define archive_write_new ARCHIVE_LIB_CALL(archive_write_new)
#undef archive_write_open
#define archive_write_open ARCHIVE_LIB_CALL(archive_write_open)
#undef archive_write_set_bytes_in_last_block
#define archive_write_set_bytes_in_last_block ARCHIVE_LIB_CALL(archive_write_set_bytes_in_last_block)
#undef archive_write_set_bytes_per_block
#define archive_write_set_bytes_per_block ARCHIVE_LIB_CALL(archive_write_set_bytes_per_block)
#undef archive_write_set_format_pax
#define archive_write_set_format_pax ARCHIVE_LIB_CALL(archive_write_set_format_pax)

#endif
