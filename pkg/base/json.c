/* Strict JSON reading and writing of pouch's own records, on jansson. */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/fs.h"
#include "base/timefmt.h"

/* The structure of a JSON text seen so far, fed in pieces: nesting, and the number of `{ [ , :`
 * outside strings (a bound on the values, members and elements jansson allocates, each about
 * 100 bytes). Checked on the bytes before jansson sees them, so a document refused here has
 * cost no more than the tree of POUCH_JSON_ITEMS_MAX items. */
struct shape {
	size_t items, depth;
	int in_string, escaped;
};

static int shape_feed(struct shape *sh, const char *what, const char *text, size_t len,
		      struct pouch_err *err)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = text[i];
		if (sh->in_string) {
			if (sh->escaped)
				sh->escaped = 0;
			else if (c == '\\')
				sh->escaped = 1;
			else if (c == '"')
				sh->in_string = 0;
			continue;
		}
		if (c == '"')
			sh->in_string = 1;
		else if (c == '{' || c == '[')
			sh->depth++;
		else if ((c == '}' || c == ']') && sh->depth > 0)
			sh->depth--;
		if (sh->depth > POUCH_JSON_DEPTH)
			return pouch_err_set(err, POUCH_E_CORRUPT, "%s nests deeper than %d levels",
					     what, POUCH_JSON_DEPTH);
		if ((c == '{' || c == '[' || c == ',' || c == ':') &&
		    ++sh->items > POUCH_JSON_ITEMS_MAX)
			return pouch_err_set(err, POUCH_E_CORRUPT, "%s has more than %d members and "
					     "elements", what, POUCH_JSON_ITEMS_MAX);
	}
	return 0;
}

int pouch_json_parse(const char *what, const char *text, size_t len, json_t **out,
		     struct pouch_err *err)
{
	struct shape sh = { 0 };
	json_error_t jerr;
	json_t *j;
	int ret;

	*out = NULL;
	ret = shape_feed(&sh, what, text, len, err);
	if (ret < 0)
		return ret;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return pouch_err_set(err, POUCH_E_CORRUPT, "%s is not valid JSON: %s (line %d)", what,
				     jerr.text, jerr.line);
	*out = j;
	return 0;
}

/* Feeds jansson from a descriptor, each piece measured before jansson gets it. */
struct feed {
	int fd, failed;
	uint64_t left, max;
	struct shape sh;
	const char *what;
	struct pouch_err *err;
};

static size_t feed_read(void *buf, size_t buflen, void *data)
{
	struct feed *f = data;
	ssize_t n;

	if (f->failed)
		return (size_t)-1;
	if (buflen > f->left + 1)
		buflen = (size_t)f->left + 1;
	do
		n = read(f->fd, buf, buflen);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		f->failed = pouch_err_set(f->err, POUCH_E_IO, "cannot read %s: %s", f->what,
					  strerror(errno));
	else if ((uint64_t)n > f->left)
		f->failed = pouch_err_set(f->err, POUCH_E_REFUSED, "%s is larger than %llu bytes",
					  f->what, (unsigned long long)f->max);
	else if ((f->failed = shape_feed(&f->sh, f->what, buf, (size_t)n, f->err)) == 0)
		f->left -= (uint64_t)n;
	return f->failed ? (size_t)-1 : (size_t)n;
}

int pouch_json_parse_fd(const char *what, int fd, uint64_t max, json_t **out,
			struct pouch_err *err)
{
	struct feed f = { .fd = fd, .left = max, .max = max, .what = what, .err = err };
	json_error_t jerr;
	json_t *j;

	*out = NULL;
	j = json_load_callback(feed_read, &f, JSON_REJECT_DUPLICATES, &jerr);
	if (f.failed) {
		json_decref(j);
		return f.failed;
	}
	if (!j)
		return pouch_err_set(err, POUCH_E_CORRUPT, "%s is not valid JSON: %s (line %d)", what,
				     jerr.text, jerr.line);
	*out = j;
	return 0;
}

int pouch_json_load_record(const char *kind, const char *path, json_t **out,
			   struct pouch_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = pouch_fs_read(path, POUCH_RECORD_MAX, &text, &len, err);
	if (ret == POUCH_E_REFUSED)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "%s '%s' is corrupt: larger than %d bytes",
				    kind, path, POUCH_RECORD_MAX);
	if (ret < 0)
		goto out;
	ret = pouch_json_parse("it", text, len, out, err);
	if (ret == 0 && !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "it is not a JSON object");
	}
	if (ret < 0)
		pouch_err_prefix(err, "%s '%s' is corrupt", kind, path);
out:
	free(text);
	return ret;
}

char *pouch_json_text(const json_t *json, int pretty)
{
	size_t flags = pretty ? JSON_INDENT(2) | JSON_PRESERVE_ORDER
			      : JSON_COMPACT | JSON_PRESERVE_ORDER;
	size_t n = json_dumpb(json, NULL, 0, flags);
	char *text;

	/* Measured, then written at its exact size: json_dumps holds a doubling buffer and then a
	 * copy of it, three times a large report at its peak. */
	if (n == 0 || !(text = malloc(n + 1)))
		return NULL;
	if (json_dumpb(json, text, n, flags) != n) {
		free(text);
		return NULL;
	}
	text[n] = '\0';
	return text;
}

int pouch_json_save_record(const char *path, const json_t *json, int exclusive,
			   struct pouch_err *err)
{
	char *text = pouch_json_text(json, 1);
	char *line = NULL;
	size_t len;
	int ret;

	if (!text)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	len = strlen(text);
	line = realloc(text, len + 2);
	if (!line) {
		free(text);
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	ret = pouch_fs_write_atomic(path, line, len + 1, 0600, exclusive, err);
	free(line);
	return ret;
}

int pouch_json_only_keys(const json_t *obj, const char *const *allowed, struct pouch_err *err)
{
	const char *k;
	const json_t *v;

	if (!json_is_object(obj))
		return pouch_err_set(err, POUCH_E_CORRUPT, "expected an object");
	json_object_foreach((json_t *)obj, k, v) {
		const char *const *a;
		for (a = allowed; *a; a++)
			if (strcmp(*a, k) == 0)
				break;
		if (!*a)
			return pouch_err_set(err, POUCH_E_CORRUPT, "unknown field '%.64s'", k);
	}
	return 0;
}

int pouch_json_str(const json_t *obj, const char *key, int nullable, const char **out,
		   struct pouch_err *err)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v && json_is_null(v) && nullable)
		return 0;
	if (!json_is_string(v))
		return pouch_err_set(err, POUCH_E_CORRUPT, "field '%s' %s", key,
				     v ? "is not a string" : "is missing");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return pouch_err_set(err, POUCH_E_CORRUPT, "field '%s' holds a NUL byte", key);
	*out = json_string_value(v);
	return 0;
}

int pouch_json_time(const json_t *obj, const char *key, int nullable, time_t *out,
		    struct pouch_err *err)
{
	const char *s;
	int ret;

	*out = 0;
	ret = pouch_json_str(obj, key, nullable, &s, err);
	if (ret < 0 || !s)
		return ret;
	if (pouch_time_parse(s, out, NULL) < 0)
		return pouch_err_set(err, POUCH_E_CORRUPT, "field '%s' is not a UTC time", key);
	return 0;
}

json_t *pouch_json_time_new(time_t t)
{
	char buf[POUCH_TIME_LEN];

	return t ? json_string(pouch_time_format(t, buf)) : json_null();
}

int pouch_array_push(void *array, size_t *n, size_t size, const void *elem,
		     struct pouch_err *err)
{
	void **slot = array;
	char *grown = realloc(*slot, (*n + 1) * size);

	if (!grown)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	memcpy(grown + *n * size, elem, size);
	*slot = grown;
	(*n)++;
	return 0;
}

const char *pouch_json_version(void)
{
	return jansson_version_str();
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned long c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

char *pouch_json_quote(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), o = 0, n;
	/* Worst case: every byte a six-character escape or a three-byte U+FFFD. */
	char *out = malloc(len * 6 + 3);

	if (!out)
		return NULL;
	out[o++] = '"';
	while (*p) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			o += (size_t)sprintf(out + o, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		} else {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}
