/* Partner records (partners/CODE.json): load, validate, save, list, describe. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/tls_conf.h"
#include "base/json.h"
#include "directory/agency.h"
#include "base/fs.h"
#include "directory/partner.h"
#include "crypto/pgp.h"

#define PARTNER_FORMAT "pouch-partner/1"

void pouch_partner_release(struct pouch_partner *p)
{
	free(p->endpoint);
	pouch_tls_conf_release(&p->tls);
	free(p->keys);
	memset(p, 0, sizeof(*p));
}

int pouch_partner_add_key(struct pouch_partner *p, const struct pouch_partner_key *k,
			  struct pouch_err *err)
{
	return pouch_array_push(&p->keys, &p->nkeys, sizeof(*k), k, err);
}

static int load_key(const json_t *j, struct pouch_partner_key *k, struct pouch_err *err)
{
	static const char *const fields[] = { "fingerprint", "added", "valid_from", "valid_until",
					      "expires", "revoked", NULL };
	const char *fpr;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = pouch_json_only_keys(j, fields, err);
	if (!ret)
		ret = pouch_json_str(j, "fingerprint", 0, &fpr, err);
	if (!ret && (pouch_fpr_normalize(fpr, k->fpr, NULL) < 0 || strcmp(fpr, k->fpr) != 0))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid key fingerprint");
	if (!ret)
		ret = pouch_json_time(j, "added", 0, &k->added, err);
	if (!ret)
		ret = pouch_json_time(j, "valid_from", 0, &k->valid_from, err);
	if (!ret)
		ret = pouch_json_time(j, "valid_until", 1, &k->valid_until, err);
	if (!ret)
		ret = pouch_json_time(j, "expires", 1, &k->expires, err);
	if (!ret)
		ret = pouch_json_time(j, "revoked", 1, &k->revoked, err);
	if (!ret && k->valid_until && k->valid_until < k->valid_from)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "key %s ends before it starts", k->fpr);
	return ret;
}

static int load_fields(const json_t *j, const char *code, struct pouch_partner *p,
		       struct pouch_err *err)
{
	static const char *const fields[] = { "format", "code", "name", "endpoint", "tls",
					      "client", "client_cn", "keys", "created", "updated",
					      NULL };
	const char *format, *jcode, *name, *endpoint, *cn = NULL;
	const json_t *keys, *kj;
	size_t i, n;
	int ret;

	ret = pouch_json_only_keys(j, fields, err);
	if (!ret)
		ret = pouch_json_str(j, "format", 0, &format, err);
	if (!ret && strcmp(format, PARTNER_FORMAT) != 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "unknown format '%.32s'", format);
	if (!ret)
		ret = pouch_json_str(j, "code", 0, &jcode, err);
	if (!ret && strcmp(jcode, code) != 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "code '%.40s' does not match the file name",
				    jcode);
	if (!ret)
		ret = pouch_json_str(j, "name", 1, &name, err);
	if (!ret && name && pouch_name_check("name", name, NULL) < 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid 'name'");
	if (!ret)
		ret = pouch_json_str(j, "endpoint", 1, &endpoint, err);
	if (!ret && endpoint && pouch_endpoint_check(endpoint, NULL) < 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid 'endpoint'");
	if (!ret)
		ret = pouch_json_time(j, "created", 0, &p->created, err);
	if (!ret)
		ret = pouch_json_time(j, "updated", 0, &p->updated, err);
	/* Records older than client_cn lack it: null. */
	if (!ret && json_object_get(j, "client_cn"))
		ret = pouch_json_str(j, "client_cn", 1, &cn, err);
	if (!ret && cn && pouch_client_cn_check(cn, NULL) < 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid 'client_cn'");
	if (!ret)
		ret = pouch_tls_conf_from_json(j, code, 1, &p->tls, err);
	if (ret)
		return ret;
	snprintf(p->code, sizeof(p->code), "%s", code);
	snprintf(p->client_cn, sizeof(p->client_cn), "%s", cn ? cn : "");
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
	if (endpoint && !(p->endpoint = strdup(endpoint)))
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	keys = json_object_get(j, "keys");
	if (!json_is_array(keys) || json_array_size(keys) == 0)
		return pouch_err_set(err, POUCH_E_CORRUPT, "field 'keys' is not a non-empty list");
	json_array_foreach(keys, i, kj) {
		struct pouch_partner_key k;
		ret = load_key(kj, &k, err);
		for (n = 0; !ret && n < p->nkeys; n++)
			if (strcmp(p->keys[n].fpr, k.fpr) == 0)
				ret = pouch_err_set(err, POUCH_E_CORRUPT, "key %s is listed twice",
						    k.fpr);
		if (!ret)
			ret = pouch_partner_add_key(p, &k, err);
		if (ret)
			return ret;
	}
	return 0;
}

int pouch_partner_load(const struct pouch_home *h, const char *code, struct pouch_partner *p,
		       struct pouch_err *err)
{
	json_t *j = NULL;
	char *path = NULL;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = pouch_agency_code_check(code, err);
	if (ret < 0)
		return ret;
	path = pouch_home_partner_file(h, code);
	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_json_load_record("partner file", path, &j, err);
	if (ret == POUCH_E_NOTFOUND)
		ret = pouch_err_set(err, POUCH_E_NOTFOUND,
				    "no partner '%s' in the directory (see 'pouch partner list')",
				    code);
	if (ret < 0)
		goto out;
	ret = load_fields(j, code, p, err);
	if (ret < 0) {
		pouch_err_prefix(err, "partner file '%s' is corrupt", path);
		if (err)
			err->code = POUCH_E_CORRUPT;
		ret = POUCH_E_CORRUPT;
	}
out:
	if (ret < 0)
		pouch_partner_release(p);
	json_decref(j);
	free(path);
	return ret;
}

/* The record, or with states set what pouch prints: no "format", and the code as "agency" as
 * everywhere in pouch's output (spec/cli/README.md). */
static json_t *to_json(const struct pouch_partner *p, const enum pouch_key_state *states)
{
	json_t *j = json_object(), *keys = json_array();
	size_t i;

	if (!j || !keys)
		goto fail;
	if (!states)
		json_object_set_new(j, "format", json_string(PARTNER_FORMAT));
	json_object_set_new(j, states ? "agency" : "code", json_string(p->code));
	json_object_set_new(j, "name", p->name[0] ? json_string(p->name) : json_null());
	json_object_set_new(j, "endpoint", p->endpoint ? json_string(p->endpoint) : json_null());
	if (pouch_tls_conf_to_json(j, &p->tls) < 0)
		goto fail;
	json_object_set_new(j, "client_cn",
			    p->client_cn[0] ? json_string(p->client_cn) : json_null());
	for (i = 0; i < p->nkeys; i++) {
		const struct pouch_partner_key *k = &p->keys[i];
		json_t *kj = json_object();
		if (!kj || json_array_append_new(keys, kj) < 0)
			goto fail;
		json_object_set_new(kj, "fingerprint", json_string(k->fpr));
		json_object_set_new(kj, "added", pouch_json_time_new(k->added));
		json_object_set_new(kj, "valid_from", pouch_json_time_new(k->valid_from));
		json_object_set_new(kj, "valid_until", pouch_json_time_new(k->valid_until));
		json_object_set_new(kj, "expires", pouch_json_time_new(k->expires));
		json_object_set_new(kj, "revoked", pouch_json_time_new(k->revoked));
		if (states)
			json_object_set_new(kj, "state",
					    json_string(pouch_key_state_name(states[i])));
	}
	if (json_object_set_new(j, "keys", keys) < 0) {
		keys = NULL;
		goto fail;
	}
	json_object_set_new(j, "created", pouch_json_time_new(p->created));
	json_object_set_new(j, "updated", pouch_json_time_new(p->updated));
	return j;
fail:
	json_decref(keys);
	json_decref(j);
	return NULL;
}

/* What load_fields would refuse is never written. */
static int check_record(const struct pouch_partner *p, struct pouch_err *err)
{
	char fpr[POUCH_FPR_LEN + 1], what[POUCH_CODE_MAX + 16];
	size_t i, j;
	int ret = pouch_agency_code_check(p->code, err);

	if (!ret && p->name[0])
		ret = pouch_name_check("partner name", p->name, err);
	if (!ret && p->endpoint)
		ret = pouch_endpoint_check(p->endpoint, err);
	if (!ret && p->client_cn[0])
		ret = pouch_client_cn_check(p->client_cn, err);
	snprintf(what, sizeof(what), "partner '%s'", p->code);
	if (!ret)
		ret = pouch_tls_conf_check(&p->tls, p->code, what, err);
	if (ret)
		return ret;
	if (p->nkeys == 0)
		return pouch_err_set(err, POUCH_E_USAGE, "partner '%s' has no key", p->code);
	for (i = 0; i < p->nkeys; i++) {
		if (pouch_fpr_normalize(p->keys[i].fpr, fpr, err) < 0 ||
		    strcmp(fpr, p->keys[i].fpr) != 0)
			return pouch_err_set(err, POUCH_E_USAGE, "partner '%s': invalid fingerprint",
					     p->code);
		for (j = 0; j < i; j++)
			if (strcmp(p->keys[j].fpr, fpr) == 0)
				return pouch_err_set(err, POUCH_E_USAGE,
						     "partner '%s': key %s listed twice", p->code,
						     fpr);
	}
	return 0;
}

int pouch_partner_save(const struct pouch_home *h, const struct pouch_partner *p, int exclusive,
		       struct pouch_err *err)
{
	json_t *j = NULL;
	char *path = NULL;
	int ret;

	ret = check_record(p, err);
	if (ret < 0)
		return ret;
	j = to_json(p, NULL);
	path = pouch_home_partner_file(h, p->code);
	if (!j || !path) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	ret = pouch_json_save_record(path, j, exclusive, err);
	if (ret == POUCH_E_EXISTS)
		ret = pouch_err_set(err, POUCH_E_EXISTS,
				    "partner '%s' is already in the directory (for a new key use "
				    "'pouch partner add-key')", p->code);
out:
	json_decref(j);
	free(path);
	return ret;
}

char *pouch_partner_json(const struct pouch_partner *p, const enum pouch_key_state *states,
			 int pretty)
{
	json_t *j = to_json(p, states);
	char *text = j ? pouch_json_text(j, pretty) : NULL;

	json_decref(j);
	return text;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pouch_partner_codes(const struct pouch_home *h, char ***codes, size_t *n,
			struct pouch_err *err)
{
	DIR *d = NULL;
	struct dirent *de;
	char **list = NULL;
	size_t count = 0;
	int ret = POUCH_E_IO;

	*codes = NULL;
	*n = 0;
	d = opendir(h->partners);
	if (!d)
		return pouch_err_set(err, POUCH_E_IO, "cannot read '%s': %s", h->partners,
				     strerror(errno));
	while ((de = readdir(d))) {
		char code[POUCH_CODE_MAX + 6];
		size_t len = strlen(de->d_name);
		char **grown;

		/* Only CODE.json names a record; temporary and CA files sit beside them. */
		if (len < 6 || len > POUCH_CODE_MAX + 5 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		memcpy(code, de->d_name, len - 5);
		code[len - 5] = '\0';
		if (pouch_agency_code_check(code, NULL) < 0)
			continue;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (!grown || !(grown[count] = strdup(code))) {
			list = grown ? grown : list;
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
			goto out;
		}
		list = grown;
		count++;
	}
	if (count)
		qsort(list, count, sizeof(*list), cmp_str);
	*codes = list;
	*n = count;
	list = NULL;
	count = 0;
	ret = 0;
out:
	pouch_partner_codes_free(list, count);
	closedir(d);
	return ret;
}

void pouch_partner_codes_free(char **codes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(codes[i]);
	free(codes);
}

int pouch_partner_key_state(struct pouch_pgp *pgp, const struct pouch_partner_key *k,
			    time_t when, enum pouch_key_state *state, struct pouch_err *err)
{
	struct pouch_key_info info;
	int ret;

	ret = pouch_pgp_key(pgp, k->fpr, 0, &info, err);
	if (ret == POUCH_E_NOTFOUND) {
		*state = POUCH_KEY_MISSING;
		return 0;
	}
	if (ret < 0)
		return ret;
	if (info.revoked || k->revoked)
		*state = POUCH_KEY_REVOKED;
	else if (info.expired || info.invalid || info.disabled ||
		 (info.expires && when >= info.expires))
		*state = POUCH_KEY_EXPIRED;
	else if (when < k->valid_from)
		*state = POUCH_KEY_NOT_YET;
	else if (k->valid_until && when >= k->valid_until)
		*state = POUCH_KEY_ENDED;
	else
		*state = POUCH_KEY_VALID;
	return 0;
}

const char *pouch_key_state_name(enum pouch_key_state s)
{
	switch (s) {
	case POUCH_KEY_VALID:
		return "valid";
	case POUCH_KEY_NOT_YET:
		return "not-yet-valid";
	case POUCH_KEY_ENDED:
		return "ended";
	case POUCH_KEY_EXPIRED:
		return "expired";
	case POUCH_KEY_REVOKED:
		return "revoked";
	case POUCH_KEY_MISSING:
		return "missing";
	}
	return "unknown";
}

/* U+202A..U+202E and U+2066..U+2069: they reorder what a terminal shows. */
static int bidi_control(const unsigned char *p, size_t n)
{
	return n == 3 && p[0] == 0xe2 &&
	       ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
		(p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

int pouch_client_cn_check(const char *cn, struct pouch_err *err)
{
	const unsigned char *p = (const unsigned char *)cn;
	char shown[80];
	size_t n = 1, chars = 0;

	for (; *p && chars <= POUCH_CLIENT_CN_MAX; p += n, chars++) {
		n = pouch_utf8_seq(p);
		if (n == 0 || pouch_utf8_is_control(p, n) || bidi_control(p, n))
			break;
	}
	if (!*p && chars >= 1 && chars <= POUCH_CLIENT_CN_MAX)
		return 0;
	pouch_escape(cn, shown, sizeof(shown));
	return pouch_err_set(err, POUCH_E_USAGE, "invalid client common name '%s': use 1 to %d "
			     "characters of text (UTF-8, no control characters)", shown,
			     POUCH_CLIENT_CN_MAX);
}

const char *pouch_partner_client_cn(const struct pouch_partner *p)
{
	return p->client_cn[0] ? p->client_cn : p->code;
}

int pouch_partner_by_client_cn(const struct pouch_home *h, const char *cn, char *code,
			       struct pouch_err *err)
{
	struct pouch_agency self = { 0 };
	char **codes = NULL, shown[POUCH_CLIENT_CN_BYTES * 4 + 1];
	size_t i, n = 0, found = 0;
	int ret;

	code[0] = '\0';
	pouch_escape(cn, shown, sizeof(shown));
	ret = pouch_agency_load(h->agency, &self, err);
	if (!ret && strcmp(cn, self.code) == 0) {
		snprintf(code, POUCH_CODE_MAX + 1, "%s", self.code);
		found = 1;
	}
	if (!ret)
		ret = pouch_partner_codes(h, &codes, &n, err);
	for (i = 0; !ret && i < n; i++) {
		struct pouch_partner p;
		ret = pouch_partner_load(h, codes[i], &p, err);
		if (!ret && strcmp(pouch_partner_client_cn(&p), cn) == 0) {
			/* Two agencies behind one name would let one act as the other. */
			if (found++)
				ret = pouch_err_set(err, POUCH_E_CORRUPT,
						    "client common name '%s' names both '%s' "
						    "and '%s'", shown, code, p.code);
			else
				snprintf(code, POUCH_CODE_MAX + 1, "%s", p.code);
		}
		pouch_partner_release(&p);
	}
	if (!ret && !found)
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "no agency's client certificates carry "
				    "the common name '%s'", shown);
	if (ret < 0)
		code[0] = '\0';
	pouch_partner_codes_free(codes, n);
	pouch_agency_release(&self);
	return ret;
}
