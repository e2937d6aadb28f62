/* The package container (spec/envelope.md section 3) through libarchive: the helpers the writer
 * (archive_write.c) and the extractor (archive_read.c) share; names are in archive_name.c. The
 * container module is the only one that includes libarchive. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "package/archive_internal.h"
#include "base/json.h"
#include "base/validate.h"

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

const char *pouch_archive_version(void)
{
	const char *v;

	if (archive_lib_load(NULL) < 0)
		return "(cannot be loaded)";
	v = archive_version_string();
	/* "libarchive 3.6.2": the number only, like the other libraries' versions. */
	return strncmp(v, "libarchive ", 11) == 0 ? v + 11 : v;
}
