/* The envelope: header bytes (encoded and decoded strictly) and the envelope file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/base64.h"
#include "package/envelope.h"
#include "base/fs.h"
#include "base/timefmt.h"
#include "report/report.h"

#define ENVELOPE_FORMAT "envelope/1"
#define HEADER_FORMAT "pouch-header/1"
#define SIG_MAX (16 * 1024)
#define CHUNK (48 * 1024) /* a multiple of 3: base64 of chunks concatenates */

int pouch_is_hex256(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int pouch_priority_check(const char *p, struct pouch_err *err)
{
	static const char *const known[] = { "immediate", "urgent", "routine", "information" };
	char shown[40];
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(p, known[i]) == 0)
			return 0;
	pouch_escape(p, shown, sizeof(shown));
	return pouch_err_set(err, POUCH_E_USAGE, "invalid priority '%s': use immediate, urgent, "
			     "routine or information", shown);
}

static int party_check(const char *what, const struct pouch_party *p, struct pouch_err *err)
{
	char fpr[POUCH_FPR_LEN + 1];

	if (pouch_agency_code_check(p->agency, NULL) < 0 ||
	    pouch_fpr_normalize(p->fpr, fpr, NULL) < 0 || strcmp(fpr, p->fpr) != 0)
		return pouch_err_set(err, POUCH_E_USAGE, "invalid %s in the header", what);
	return 0;
}

static int header_check(const struct pouch_header *h, struct pouch_err *err)
{
	size_t i, j;
	int ret = pouch_uuid_check(h->id, err);

	if (!ret)
		ret = party_check("sender", &h->sender, err);
	if (!ret && (h->nrecipients == 0 || h->nrecipients > POUCH_RECIPIENTS_MAX))
		ret = pouch_err_set(err, POUCH_E_USAGE, "a package needs 1 to %d recipients",
				    POUCH_RECIPIENTS_MAX);
	for (i = 0; !ret && i < h->nrecipients; i++) {
		ret = party_check("recipient", &h->recipients[i], err);
		for (j = 0; !ret && j < i; j++)
			if (strcmp(h->recipients[i].agency, h->recipients[j].agency) == 0)
				ret = pouch_err_set(err, POUCH_E_USAGE, "recipient '%s' named twice",
						    h->recipients[i].agency);
	}
	if (!ret && h->expires <= h->created)
		ret = pouch_err_set(err, POUCH_E_USAGE, "a package must expire after it is made");
	if (!ret)
		ret = pouch_priority_check(h->priority, err);
	if (!ret)
		ret = pouch_marking_check("classification", pouch_report_tiers, h->classification,
					  err);
	if (!ret)
		ret = pouch_marking_check("TLP label", pouch_report_tlps, h->tlp, err);
	if (!ret && !pouch_is_hex256(h->content_sha256))
		ret = pouch_err_set(err, POUCH_E_USAGE, "invalid content digest");
	if (!ret && (h->payload_size >= (1ULL << 53) || !pouch_is_hex256(h->payload_sha256)))
		ret = pouch_err_set(err, POUCH_E_USAGE, "invalid payload size or digest");
	return ret;
}

int pouch_header_encode(const struct pouch_header *h, char **out, size_t *len,
			struct pouch_err *err)
{
	json_t *j = NULL, *recipients = NULL;
	size_t i;
	int ret;

	*out = NULL;
	ret = header_check(h, err);
	if (ret < 0)
		return ret;
	recipients = json_array();
	for (i = 0; recipients && i < h->nrecipients; i++)
		json_array_append_new(recipients,
				      json_pack("{s:s, s:s}", "agency", h->recipients[i].agency,
						"fingerprint", h->recipients[i].fpr));
	j = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:s, s:s, s:s, s:{s:s}, "
		      "s:{s:I, s:s}}",
		      "format", HEADER_FORMAT, "id", h->id, "sender", "agency", h->sender.agency,
		      "fingerprint", h->sender.fpr, "recipients", recipients, "created",
		      pouch_json_time_new(h->created), "expires", pouch_json_time_new(h->expires),
		      "priority", h->priority, "classification", h->classification, "tlp", h->tlp,
		      "content", "sha256", h->content_sha256, "payload", "size", (json_int_t)h->payload_size, "sha256", h->payload_sha256);
	*out = j ? pouch_json_text(j, 0) : NULL;
	json_decref(j);
	if (!*out)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	*len = strlen(*out);
	return 0;
}

static int decode_party(const json_t *j, const char *what, struct pouch_party *p,
			struct pouch_err *err)
{
	static const char *const fields[] = { "agency", "fingerprint", NULL };
	const char *agency, *fpr;
	int ret = pouch_json_only_keys(j, fields, err);

	if (!ret)
		ret = pouch_json_str(j, "agency", 0, &agency, err);
	if (!ret)
		ret = pouch_json_str(j, "fingerprint", 0, &fpr, err);
	if (ret)
		return pouch_err_prefix(err, "%s", what);
	if (strlen(agency) > POUCH_CODE_MAX || strlen(fpr) > POUCH_FPR_LEN)
		return pouch_err_set(err, POUCH_E_CORRUPT, "invalid %s", what);
	snprintf(p->agency, sizeof(p->agency), "%s", agency);
	snprintf(p->fpr, sizeof(p->fpr), "%s", fpr);
	return 0;
}

static int decode_fields(const json_t *j, struct pouch_header *h, struct pouch_err *err)
{
	static const char *const fields[] = { "format", "id", "sender", "recipients", "created",
					      "expires", "priority", "classification", "tlp",
					      "content", "payload", NULL };
	static const char *const payload_fields[] = { "size", "sha256", NULL };
	static const char *const content_fields[] = { "sha256", NULL };
	const char *format, *id, *priority, *sha, *tier, *tlp;
	const json_t *list, *item, *payload, *size, *content;
	size_t i;
	int ret = pouch_json_only_keys(j, fields, err);

	if (!ret)
		ret = pouch_json_str(j, "format", 0, &format, err);
	if (!ret && strcmp(format, HEADER_FORMAT) != 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "unknown header format");
	if (!ret)
		ret = pouch_json_str(j, "id", 0, &id, err);
	if (!ret && strlen(id) >= sizeof(h->id))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid package id");
	if (!ret)
		ret = pouch_json_str(j, "priority", 0, &priority, err);
	if (!ret && strlen(priority) >= sizeof(h->priority))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid priority");
	if (!ret)
		ret = pouch_json_str(j, "classification", 0, &tier, err);
	if (!ret && strlen(tier) >= sizeof(h->classification))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid classification");
	if (!ret)
		ret = pouch_json_str(j, "tlp", 0, &tlp, err);
	if (!ret && strlen(tlp) >= sizeof(h->tlp))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid TLP label");
	if (!ret)
		ret = pouch_json_time(j, "created", 0, &h->created, err);
	if (!ret)
		ret = pouch_json_time(j, "expires", 0, &h->expires, err);
	if (!ret)
		ret = decode_party(json_object_get(j, "sender"), "sender", &h->sender, err);
	if (ret)
		return ret;
	snprintf(h->id, sizeof(h->id), "%s", id);
	snprintf(h->priority, sizeof(h->priority), "%s", priority);
	snprintf(h->classification, sizeof(h->classification), "%s", tier);
	snprintf(h->tlp, sizeof(h->tlp), "%s", tlp);
	list = json_object_get(j, "recipients");
	if (!json_is_array(list) || json_array_size(list) > POUCH_RECIPIENTS_MAX)
		return pouch_err_set(err, POUCH_E_CORRUPT, "invalid recipients");
	json_array_foreach(list, i, item) {
		ret = decode_party(item, "recipient", &h->recipients[i], err);
		if (ret)
			return ret;
	}
	h->nrecipients = json_array_size(list);
	content = json_object_get(j, "content");
	if (!content)
		return pouch_err_set(err, POUCH_E_CORRUPT, "field 'content' is missing");
	ret = pouch_json_only_keys(content, content_fields, err);
	if (!ret)
		ret = pouch_json_str(content, "sha256", 0, &sha, err);
	if (ret)
		return pouch_err_prefix(err, "content");
	if (strlen(sha) != 64)
		return pouch_err_set(err, POUCH_E_CORRUPT, "invalid content digest");
	snprintf(h->content_sha256, sizeof(h->content_sha256), "%s", sha);
	payload = json_object_get(j, "payload");
	ret = pouch_json_only_keys(payload, payload_fields, err);
	if (!ret)
		ret = pouch_json_str(payload, "sha256", 0, &sha, err);
	if (ret)
		return ret;
	size = json_object_get(payload, "size");
	if (!json_is_integer(size) || json_integer_value(size) < 0 || strlen(sha) != 64)
		return pouch_err_set(err, POUCH_E_CORRUPT, "invalid payload size or digest");
	h->payload_size = (uint64_t)json_integer_value(size);
	snprintf(h->payload_sha256, sizeof(h->payload_sha256), "%s", sha);
	return 0;
}

int pouch_header_decode(const char *bytes, size_t len, struct pouch_header *h,
			struct pouch_err *err)
{
	json_t *j = NULL;
	int ret;

	memset(h, 0, sizeof(*h));
	ret = pouch_json_parse("the header", bytes, len, &j, err);
	if (!ret && !json_is_object(j))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "the header is not a JSON object");
	if (!ret)
		ret = decode_fields(j, h, err);
	if (!ret)
		ret = header_check(h, err);
	json_decref(j);
	if (ret < 0) {
		if (err)
			err->code = POUCH_E_VERIFY;
		pouch_err_prefix(err, "malformed header");
		memset(h, 0, sizeof(*h));
		return POUCH_E_VERIFY;
	}
	return 0;
}

void pouch_envelope_release(struct pouch_envelope *e)
{
	free(e->header);
	free(e->sig);
	free(e->payload);
	free(e->detached);
	memset(e, 0, sizeof(*e));
}

/* Decodes the base64 string member key of j (at most max bytes once decoded) into *out. */
static int b64_member(const json_t *j, const char *key, size_t max, unsigned char **out,
		      size_t *len, struct pouch_err *err)
{
	const char *s;
	long n;
	int ret = pouch_json_str(j, key, 0, &s, err);

	if (ret)
		return ret;
	if (strlen(s) / 4 * 3 > max)
		return pouch_err_set(err, POUCH_E_VERIFY, "'%s' is larger than %zu bytes", key, max);
	*out = malloc(strlen(s) / 4 * 3 + 1);
	if (!*out)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	n = pouch_base64_decode(s, *out, strlen(s) / 4 * 3);
	if (n < 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "'%s' is not canonical base64", key);
	(*out)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

static int read_fields(const json_t *j, struct pouch_envelope *e, struct pouch_err *err)
{
	static const char *const fields[] = { "pouch", "header", "signature", "payload", NULL };
	static const char *const inline_field[] = { "inline", NULL };
	static const char *const detached_field[] = { "detached", NULL };
	const json_t *payload;
	const char *format, *name;
	int ret = pouch_json_only_keys(j, fields, err);

	if (!ret)
		ret = pouch_json_str(j, "pouch", 0, &format, err);
	if (!ret && strcmp(format, ENVELOPE_FORMAT) != 0)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "not a pouch envelope/1");
	if (!ret)
		ret = b64_member(j, "header", POUCH_HEADER_MAX, (unsigned char **)&e->header,
				 &e->header_len, err);
	if (!ret)
		ret = b64_member(j, "signature", SIG_MAX, (unsigned char **)&e->sig, &e->sig_len,
				 err);
	if (ret)
		return ret;
	payload = json_object_get(j, "payload");
	if (pouch_json_only_keys(payload, inline_field, NULL) == 0 && json_object_size(payload))
		return b64_member(payload, "inline", POUCH_INLINE_MAX, &e->payload,
				  &e->payload_len, err);
	if (pouch_json_only_keys(payload, detached_field, NULL) == 0 && json_object_size(payload)) {
		ret = pouch_json_str(payload, "detached", 0, &name, err);
		if (!ret && !(e->detached = strdup(name)))
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		return ret;
	}
	return pouch_err_set(err, POUCH_E_VERIFY, "'payload' needs one of inline, detached");
}

/* The envelope e from j, parsed with result ret (0, or the parse's error); j is released. */
static int from_json(json_t *j, int ret, struct pouch_envelope *e, struct pouch_err *err)
{
	if (!ret && !json_is_object(j))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "it is not a JSON object");
	if (!ret)
		ret = read_fields(j, e, err);
	if (ret < 0) {
		if (err && err->code != POUCH_E_NOMEM)
			err->code = POUCH_E_VERIFY;
		ret = err ? err->code : POUCH_E_VERIFY;
		pouch_envelope_release(e);
	}
	json_decref(j);
	return ret;
}

int pouch_envelope_parse(const char *text, size_t len, struct pouch_envelope *e,
			 struct pouch_err *err)
{
	json_t *j = NULL;
	int ret;

	memset(e, 0, sizeof(*e));
	ret = len ? pouch_json_parse("it", text, len, &j, err)
		  : pouch_err_set(err, POUCH_E_VERIFY, "it is empty");
	return from_json(j, ret, e, err);
}

int pouch_envelope_read(const char *path, struct pouch_envelope *e, struct pouch_err *err)
{
	json_t *j = NULL;
	uint64_t len = 0;
	int fd = -1, ret;

	memset(e, 0, sizeof(*e));
	ret = pouch_fs_open_regular(NULL, path, POUCH_ENVELOPE_MAX, 0, &fd, &len, err);
	if (ret == POUCH_E_REFUSED)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "'%s' is not a package: larger than %llu "
				    "bytes", path, POUCH_ENVELOPE_MAX);
	if (ret < 0)
		return ret;
	/* Streamed, so that the text of a large envelope is never in memory beside its tree. */
	ret = len ? pouch_json_parse_fd("it", fd, POUCH_ENVELOPE_MAX, &j, err)
		  : pouch_err_set(err, POUCH_E_VERIFY, "it is empty");
	close(fd);
	ret = from_json(j, ret, e, err);
	if (ret < 0)
		pouch_err_prefix(err, "'%s' is not a valid package", path);
	return ret;
}

static int put_b64(int fd, const void *buf, size_t len)
{
	char *b64 = pouch_base64_encode(buf, len);
	int ret = b64 ? pouch_fs_write_all(fd, b64, strlen(b64)) : -1;

	free(b64);
	return ret;
}

/* Base64 of everything readable from in, in chunks. */
static int stream_b64(int out, int in)
{
	unsigned char *buf = malloc(CHUNK);
	size_t have = 0;
	int ret = -1;

	if (!buf)
		return -1;
	for (;;) {
		ssize_t n = read(in, buf + have, CHUNK - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		have += (size_t)n;
		if (have == CHUNK || (n == 0 && have > 0)) {
			if (put_b64(out, buf, have) < 0)
				goto out;
			have = 0;
		}
		if (n == 0)
			break;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

int pouch_envelope_write(int out_fd, const char *header, size_t header_len, const char *sig,
			 size_t sig_len, int payload_fd, const char *detached,
			 struct pouch_err *err)
{
	static const char head[] = "{\"pouch\":\"" ENVELOPE_FORMAT "\",\"header\":\"";
	int bad = pouch_fs_write_all(out_fd, head, sizeof(head) - 1) < 0 ||
		  put_b64(out_fd, header, header_len) < 0 ||
		  pouch_fs_write_all(out_fd, "\",\"signature\":\"", 15) < 0 || put_b64(out_fd, sig, sig_len) < 0;

	if (!bad && detached) {
		json_t *name = json_string(detached);
		char *quoted = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
		bad = !quoted || pouch_fs_write_all(out_fd, "\",\"payload\":{\"detached\":", 24) < 0 ||
		      pouch_fs_write_all(out_fd, quoted, strlen(quoted)) < 0 || pouch_fs_write_all(out_fd, "}}\n", 3) < 0;
		free(quoted);
		json_decref(name);
	} else if (!bad) {
		bad = pouch_fs_write_all(out_fd, "\",\"payload\":{\"inline\":\"", 23) < 0 ||
		      stream_b64(out_fd, payload_fd) < 0 || pouch_fs_write_all(out_fd, "\"}}\n", 4) < 0;
	}
	if (bad)
		return pouch_err_set(err, POUCH_E_IO, "cannot write the envelope: %s",
				     strerror(errno));
	return 0;
}
