/* Attachment names (spec/envelope.md section 3), one set of rules for the writer, the
 * extractor, pack and open alike: which names are allowed, and when two names are one. */
#define _GNU_SOURCE /* towupper_l */
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "package/archive_internal.h"
#include "base/json.h"
#include "base/validate.h"

/* Space separators: shown as a gap, or as nothing at the end of a name. */
static int is_space(unsigned cp)
{
	return cp == 0x20 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	       cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* Why the characters of name are not allowed, or NULL. */
static const char *bad_chars(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	unsigned cp = 0, first = 0;
	size_t n;

	for (; *p; p += n) {
		n = pouch_utf8_seq(p);
		if (n == 0)
			return "not valid UTF-8";
		if (pouch_utf8_is_control(p, n))
			return "control characters are not allowed";
		cp = pouch_utf8_cp(p, n);
		if (pouch_unicode_is_hidden(cp))
			return "bidirectional, invisible and format characters are not allowed";
		if (p == (const unsigned char *)name)
			first = cp;
	}
	if (first == '-')
		return "it must not start with '-' (it would read as an option)";
	if (is_space(first))
		return "it must not start with a space";
	if (cp == '.' || is_space(cp))
		return "it must not end with a dot or a space";
	return NULL;
}

int pouch_archive_name_check(const char *name, struct pouch_err *err)
{
	const char *why = NULL;
	char buf[SHOW_MAX];
	size_t len = strlen(name);

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
	else
		why = bad_chars(name);
	if (why)
		return pouch_err_set(err, POUCH_E_REFUSED, "invalid attachment name '%s': %s",
				     archive_shown(name, buf), why);
	return 0;
}

/* Marks that only add to the letter before them, joiners and variation selectors: ignored. */
static int ignored(unsigned cp)
{
	return (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	       (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
	       (cp >= 0xfe20 && cp <= 0xfe2f) || cp == 0x34f || cp == 0x200c || cp == 0x200d ||
	       (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

/* The base character of cp when its canonical decomposition is one character and marks. */
static unsigned base_char(unsigned cp)
{
	size_t lo = 0, hi = archive_decomp_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (archive_decomp[mid][0] == cp)
			return archive_decomp[mid][1];
		if (archive_decomp[mid][0] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return cp;
}

static locale_t fold_loc;

static void fold_loc_init(void)
{
	fold_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* Appends the folded form of cp (not a Hangul syllable) to o. */
static char *put_folded(char *o, unsigned cp)
{
	if (ignored(cp))
		return o;
	if (cp >= 0xff01 && cp <= 0xff5e) /* fullwidth ASCII */
		cp -= 0xfee0;
	cp = base_char(cp);
	if (fold_loc != (locale_t)0)
		cp = (unsigned)towlower_l(towupper_l((wint_t)cp, fold_loc), fold_loc);
	else if (cp < 0x80)
		cp = (unsigned)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
	return put_utf8(o, cp);
}

char *pouch_archive_name_key(const char *name)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const unsigned char *p = (const unsigned char *)name;
	char *key, *o;
	size_t n;

	pthread_once(&once, fold_loc_init);
	/* A character gives at most three (a Hangul syllable), each of at most 4 bytes. */
	key = malloc(12 * strlen(name) + 1);
	if (!key)
		return NULL;
	for (o = key; *p; p += n) {
		unsigned cp;
		n = pouch_utf8_seq(p);
		if (n == 0) { /* not a checked name: bytes as they are */
			*o++ = (char)*p;
			n = 1;
			continue;
		}
		cp = pouch_utf8_cp(p, n);
		if (cp >= 0xac00 && cp <= 0xd7a3) { /* Hangul: the jamo it decomposes into */
			unsigned s = cp - 0xac00;
			o = put_folded(o, 0x1100 + s / 588);
			o = put_folded(o, 0x1161 + s % 588 / 28);
			if (s % 28)
				o = put_folded(o, 0x11a7 + s % 28);
		} else {
			o = put_folded(o, cp);
		}
	}
	*o = '\0';
	return key;
}

/* The index of the name in s whose key is key, or s->n. */
static size_t find_key(const struct pouch_archive_names *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n && strcmp(s->key[i], key) != 0; i++)
		;
	return i;
}

const char *pouch_archive_names_find(const struct pouch_archive_names *s, const char *name)
{
	char *key = pouch_archive_name_key(name);
	size_t i = key ? find_key(s, key) : s->n;

	free(key);
	return i < s->n ? s->name[i] : NULL;
}

int pouch_archive_names_add(struct pouch_archive_names *s, const char *name, const char **clash,
			    struct pouch_err *err)
{
	char *key = pouch_archive_name_key(name), *copy = strdup(name);
	char buf[SHOW_MAX], buf2[SHOW_MAX];
	size_t i;
	int ret = POUCH_E_NOMEM;

	if (clash)
		*clash = NULL;
	if (!key || !copy) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	i = find_key(s, key);
	if (i < s->n) {
		if (clash)
			*clash = s->name[i];
		ret = pouch_err_set(err, POUCH_E_REFUSED,
				    "the name of attachment '%s' differs only in case or not at all "
				    "from '%s' (accents and joiners aside)",
				    archive_shown(name, buf), archive_shown(s->name[i], buf2));
		goto out;
	}
	if (pouch_array_push(&s->key, &s->n, sizeof(key), &key, err) < 0)
		goto out;
	s->n--; /* both arrays grow together */
	if (pouch_array_push(&s->name, &s->n, sizeof(copy), &copy, err) < 0)
		goto out;
	return 0;
out:
	free(key);
	free(copy);
	return ret;
}

void pouch_archive_names_release(struct pouch_archive_names *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->key[i]);
	}
	free(s->name);
	free(s->key);
	memset(s, 0, sizeof(*s));
}
