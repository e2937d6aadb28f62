/* The package container (spec/envelope.md section 3) through libarchive: attachment names
 * and the helpers the writer (archive_write.c) and the extractor (archive_read.c) share. The
 * container module is the only one that includes libarchive. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "archive_internal.h"
#include "internal.h"
#include "pouch/validate.h"

/* libarchive converts names between UTF-8 (in pax headers) and the locale's character set. The C
 * locale pouch runs in cannot hold a non-ASCII name: reading gives no name at all, and
 * libarchive 3.6's pax writer crashes on one. So every libarchive call runs in C.UTF-8, set for
 * the calling thread only (uselocale) and restored before returning. */
locale_t archive_utf8_locale(struct pouch_err *err)
{
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);

	if (loc == (locale_t)0)
		pouch_err_set(err, POUCH_E_IO, "cannot load the C.UTF-8 locale: %s",
			      strerror(errno));
	return loc;
}

/* Escaped and shortened copy of s (outside input) for an error message. */
const char *archive_shown(const char *s, char *buf)
{
	pouch_escape(s ? s : "", buf, SHOW_MAX);
	return buf;
}

const char *archive_message(struct archive *a)
{
	const char *msg = archive_error_string(a);

	return msg ? msg : "unknown libarchive error";
}

int pouch_archive_name_check(const char *name, struct pouch_err *err)
{
	const unsigned char *p = (const unsigned char *)name;
	const char *why = NULL;
	char buf[SHOW_MAX];
	size_t n, len = strlen(name);

	if (len == 0)
		return pouch_err_set(err, POUCH_E_REFUSED, "invalid attachment name: empty");
	if (len > POUCH_ARCHIVE_NAME_MAX)
		return pouch_err_set(err, POUCH_E_REFUSED,
				     "invalid attachment name '%s': longer than %d bytes",
				     archive_shown(name, buf), POUCH_ARCHIVE_NAME_MAX);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		why = "'.' and '..' are not file names";
	else if (strpbrk(name, "/\\"))
		why = "'/' and '\\' are not allowed";
	for (; !why && *p; p += n) {
		n = pouch_utf8_seq(p);
		if (n == 0)
			why = "not valid UTF-8";
		else if (pouch_utf8_is_control(p, n))
			why = "control characters are not allowed";
	}
	if (why)
		return pouch_err_set(err, POUCH_E_REFUSED, "invalid attachment name '%s': %s",
				     archive_shown(name, buf), why);
	return 0;
}

/* Names are unique also when compared ASCII case-folded (a.txt and A.TXT are one file on a
 * case-insensitive file system). Returns the name in v[0..n) clashing with name, or NULL. */
const char *archive_name_clash(char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i], name) == 0)
			return v[i];
	return NULL;
}

/* Appends a copy of name to the heap array *v of *n names. Returns 0 or POUCH_E_NOMEM. */
int archive_name_push(char ***v, size_t *n, const char *name, struct pouch_err *err)
{
	char *copy = strdup(name);

	if (!copy)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (pouch_array_push(v, n, sizeof(copy), &copy, err) < 0) {
		free(copy);
		return POUCH_E_NOMEM;
	}
	return 0;
}

void archive_names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
