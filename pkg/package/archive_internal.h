/* Inside the container module only (archive.c: shared helpers; archive_name.c and its table;
 * archive_write.c; archive_read.c): the one place that includes libarchive's headers. */
#ifndef POUCH_ARCHIVE_INTERNAL_H
#define POUCH_ARCHIVE_INTERNAL_H

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <stdint.h>

#include "package/archive.h"
#include "package/archive_lib.h"

#define SHOW_MAX 120
#define TAR_BLOCK 512
#define ENTRY_MAX (sizeof(POUCH_ARCHIVE_DIR) + POUCH_ARCHIVE_NAME_MAX)

/* The C.UTF-8 locale for libarchive calls (see archive.c), or (locale_t)0 with err set. */
locale_t archive_utf8_locale(struct pouch_err *err);

/* Escaped and shortened copy of s (outside input) for an error message; buf holds SHOW_MAX. */
const char *archive_shown(const char *s, char *buf);

/* libarchive's last error text for a. */
const char *archive_message(struct archive *a);

/* Generated (archive_name_table.c): pairs of a character and its base character, by the
 * first. */
extern const uint32_t archive_decomp[][2];
extern const size_t archive_decomp_len;

#endif
