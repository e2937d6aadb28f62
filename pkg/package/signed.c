/* Signed documents outside an envelope (permissions, an opened package's origin): the signed
 * bytes and their signature, each as base64, in one small JSON object. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/fs.h"
#include "base/json.h"
#include "package/signed.h"

int pouch_signed_wrap(const char *format, const char *member, const char *body, size_t body_len,
		      const char *sig, size_t sig_len, char **out, size_t *len,
		      struct pouch_err *err)
{
	char *b = pouch_base64_encode((const unsigned char *)body, body_len);
	char *s = pouch_base64_encode((const unsigned char *)sig, sig_len);
	int n = -1;

	if (b && s)
		n = asprintf(out, "{\"pouch\":\"%s\",\"%s\":\"%s\",\"signature\":\"%s\"}\n", format,
			     member, b, s);
	free(b);
	free(s);
	if (n < 0) {
		*out = NULL;
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	*len = (size_t)n;
	return 0;
}

/* Member key of j, base64, decoded into a new NUL-terminated buffer. */
static int decoded(const json_t *j, const char *key, char **out, size_t *len,
		   struct pouch_err *err)
{
	const json_t *v = json_object_get(j, key);
	long n;

	if (!json_is_string(v))
		return pouch_err_set(err, POUCH_E_VERIFY, "'%s' is missing or not a string", key);
	*out = malloc(json_string_length(v) / 4 * 3 + 1);
	if (!*out)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	n = pouch_base64_decode(json_string_value(v), (unsigned char *)*out,
				json_string_length(v) / 4 * 3);
	if (n < 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "'%s' is not canonical base64", key);
	(*out)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

int pouch_signed_unwrap(const char *text, size_t len, const char *format, const char *member,
			char **body, size_t *body_len, char **sig, size_t *sig_len,
			struct pouch_err *err)
{
	const char *fields[] = { "pouch", member, "signature", NULL };
	const json_t *f;
	json_t *j = NULL;
	int ret;

	*body = *sig = NULL;
	ret = pouch_json_parse("it", text, len, &j, err);
	if (!ret && (!json_is_object(j) || pouch_json_only_keys(j, fields, NULL) < 0 ||
		     json_object_size(j) != 3))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "it is not a %s document", format);
	f = json_object_get(j, "pouch");
	if (!ret && (!json_is_string(f) || strcmp(json_string_value(f), format) != 0))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "it is not a %s document", format);
	if (!ret)
		ret = decoded(j, member, body, body_len, err);
	if (!ret)
		ret = decoded(j, "signature", sig, sig_len, err);
	if (ret == POUCH_E_CORRUPT)
		ret = err ? (err->code = POUCH_E_VERIFY) : POUCH_E_VERIFY;
	json_decref(j);
	return ret;
}

int pouch_origin_write(const char *dir, const char *header, size_t header_len, const char *sig,
		       size_t sig_len, struct pouch_err *err)
{
	char *path = pouch_path_join(dir, "origin.json"), *text = NULL;
	size_t len = 0;
	int ret = path ? pouch_signed_wrap(POUCH_ORIGIN_FORMAT, "header", header, header_len, sig,
					   sig_len, &text, &len, err)
		       : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");

	if (!ret)
		ret = pouch_fs_write_atomic(path, text, len, 0600, 1, err);
	free(text);
	free(path);
	return ret;
}
