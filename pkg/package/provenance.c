/* A forwarded package's provenance (spec/forward.md section 3), checked: each hop's header
 * signed by the key the directory pins for its sender, its pouch.json the content that header
 * signs (binding it, its SHA-256 the header's) and holding the same report and attachments,
 * back to the originator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/pgp.h"
#include "base/fs.h"
#include "package/open.h"
#include "package/provenance.h"
#include "package/verify.h"

#define MAX_HOPS 8

/* Member key of j, base64, decoded (NUL-terminated; caller frees). */
static char *decoded(const json_t *j, const char *key, size_t *len)
{
	const json_t *v = json_object_get(j, key);
	char *out;
	long n;

	if (!json_is_string(v))
		return NULL;
	out = malloc(json_string_length(v) / 4 * 3 + 1);
	n = out ? pouch_base64_decode(json_string_value(v), (unsigned char *)out,
				      json_string_length(v) / 4 * 3)
		: -1;
	if (n < 0) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	*len = (size_t)n;
	return out;
}

static int same(const json_t *o, const char *key, const char *want)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

/* Checks the provenance of the pouch.json m (none: 0), hop by hop; info gets the first hop's
 * sender and the origin. */
static int check_hop(const struct pouch_home *home, struct pouch_pgp *pgp, const json_t *m,
		     time_t now, int depth, struct pouch_provenance *info, struct pouch_err *err)
{
	const json_t *p = json_object_get(m, "provenance"), *origin, *prev;
	char signer[POUCH_FPR_LEN + 1] = "", agency[POUCH_CODE_MAX + 1] = "";
	char *header = NULL, *sig = NULL, *content = NULL;
	size_t hlen = 0, slen = 0, clen = 0;
	struct pouch_header h;
	json_t *c = NULL;
	int ret;

	if (!p)
		return 0;
	origin = json_object_get(p, "origin");
	if (depth >= MAX_HOPS)
		return pouch_err_set(err, POUCH_E_VERIFY, "more than %d forwards", MAX_HOPS);
	if (!json_is_object(p) || !same(p, "format", "pouch-provenance/1") ||
	    !(header = decoded(p, "header", &hlen)) || !(sig = decoded(p, "signature", &slen)) ||
	    !(content = decoded(p, "content", &clen)) || !json_is_object(origin)) {
		ret = pouch_err_set(err, POUCH_E_VERIFY, "it is malformed");
		goto out;
	}
	ret = pouch_signature_check(home, pgp, "the forwarded package's header", header, hlen,
				    sig, slen, now, signer, agency, err);
	if (!ret)
		ret = pouch_header_decode(header, hlen, &h, err);
	if (!ret && (strcmp(h.sender.agency, agency) != 0 || strcmp(h.sender.fpr, signer) != 0))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the forwarded package's header names "
				    "sender %s but is signed by key %s of %s", h.sender.agency,
				    signer, agency);
	/* content's SHA-256 is the one the header signs: the report and the attachment list in
	 * it are the sender's, whoever forwarded them since. */
	if (!ret && (ret = pouch_manifest_check(content, clen, &h, err)) < 0)
		pouch_err_prefix(err, "the content of package %s", h.id);
	if (!ret)
		ret = pouch_json_parse("the forwarded pouch.json", content, clen, &c, err);
	if (!ret && !json_equal(json_object_get(c, "report"), json_object_get(m, "report")))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the report is not the one package %s "
				    "held", h.id);
	if (!ret &&
	    !json_equal(json_object_get(c, "attachments"), json_object_get(m, "attachments")))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the attachments are not the ones package "
				    "%s held", h.id);
	prev = json_object_get(json_object_get(c, "provenance"), "origin");
	if (!ret && (prev ? !json_equal(prev, origin)
			  : !same(origin, "agency", h.sender.agency) ||
				    !same(origin, "fingerprint", h.sender.fpr) ||
				    !same(origin, "id", h.id)))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "its origin is not the first sender's");
	if (!ret)
		ret = check_hop(home, pgp, c, now, depth + 1, info, err);
	if (!ret && depth == 0) {
		info->forwarded = 1;
		snprintf(info->sender, sizeof(info->sender), "%s", h.sender.agency);
		snprintf(info->id, sizeof(info->id), "%s", h.id);
		snprintf(info->origin, sizeof(info->origin), "%s",
			 json_string_value(json_object_get(origin, "agency")));
		snprintf(info->origin_fpr, sizeof(info->origin_fpr), "%s",
			 json_string_value(json_object_get(origin, "fingerprint")));
		snprintf(info->origin_id, sizeof(info->origin_id), "%s",
			 json_string_value(json_object_get(origin, "id")));
	}
out:
	json_decref(c);
	free(header);
	free(sig);
	free(content);
	return ret;
}

int pouch_provenance_check(const struct pouch_home *home, const json_t *m, time_t now,
			   struct pouch_provenance *info, struct pouch_err *err)
{
	struct pouch_pgp *pgp = NULL;
	int ret;

	memset(info, 0, sizeof(*info));
	if (!json_object_get(m, "provenance"))
		return 0;
	ret = pouch_home_pgp(home, &pgp, err);
	if (!ret)
		ret = check_hop(home, pgp, m, now, 0, info, err);
	if (ret == POUCH_E_VERIFY || ret == POUCH_E_CORRUPT) {
		if (err)
			err->code = POUCH_E_VERIFY;
		ret = POUCH_E_VERIFY;
		pouch_err_prefix(err, "its provenance does not check");
	}
	if (ret < 0)
		memset(info, 0, sizeof(*info));
	pouch_pgp_free(pgp);
	return ret;
}

int pouch_provenance_check_dir(const struct pouch_home *home, const char *dir, time_t now,
			       struct pouch_provenance *info, struct pouch_err *err)
{
	char *path = pouch_path_join(dir, "pouch.json"), *text = NULL;
	json_t *m = NULL;
	size_t len = 0;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = path ? pouch_fs_read(path, 16 * 1024 * 1024 + 64 * 1024, &text, &len, err)
		   : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!ret)
		ret = pouch_json_parse("pouch.json", text, len, &m, err);
	if (!ret)
		ret = pouch_provenance_check(home, m, now, info, err);
	json_decref(m);
	free(text);
	free(path);
	return ret;
}
