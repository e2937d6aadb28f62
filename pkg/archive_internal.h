/* Inside the container module only (archive.c: names and shared helpers; archive_write.c;
 * archive_read.c): the one place that includes libarchive's headers. */
#ifndef POUCH_ARCHIVE_INTERNAL_H
#define POUCH_ARCHIVE_INTERNAL_H

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include "pouch/archive.h"

#define SHOW_MAX 120
#define TAR_BLOCK 512
#define ENTRY_MAX (sizeof(POUCH_ARCHIVE_DIR) + POUCH_ARCHIVE_NAME_MAX)

/* The C.UTF-8 locale for libarchive calls (see archive.c), or (locale_t)0 with err set. */
locale_t archive_utf8_locale(struct pouch_err *err);

/* Escaped and shortened copy of s (outside input) for an error message; buf holds SHOW_MAX. */
const char *archive_shown(const char *s, char *buf);

/* libarchive's last error text for a. */
const char *archive_message(struct archive *a);

/* The name in v[0..n) equal to name when compared ASCII case-folded (a.txt and A.TXT are one
 * file on a case-insensitive file system), or NULL. */
const char *archive_name_clash(char *const *v, size_t n, const char *name);

/* Appends a copy of name to the heap array *v of *n names. Returns 0 or POUCH_E_NOMEM. */
int archive_name_push(char ***v, size_t *n, const char *name, struct pouch_err *err);

/* Frees v and its n names. */
void archive_names_free(char **v, size_t n);

#endif
