/* The agency identity record (agency.json): load, validate, save, describe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "directory/agency.h"

#define AGENCY_FORMAT "pouch-agency/1"

void pouch_agency_release(struct pouch_agency *a)
{
	free(a->keys);
	memset(a, 0, sizeof(*a));
}

int pouch_agency_add_key(struct pouch_agency *a, const struct pouch_agency_key *k,
			 struct pouch_err *err)
{
	return pouch_array_push(&a->keys, &a->nkeys, sizeof(*k), k, err);
}

const struct pouch_agency_key *pouch_agency_current(const struct pouch_agency *a)
{
	size_t i;

	for (i = 0; i < a->nkeys; i++)
		if (!a->keys[i].retired)
			return &a->keys[i];
	return NULL;
}

static int load_key(const json_t *j, struct pouch_agency_key *k, struct pouch_err *err)
{
	static const char *const fields[] = { "fingerprint", "created", "expires", "retired",
					      "verify_until", NULL };
	const char *fpr;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = pouch_json_only_keys(j, fields, err);
	if (!ret)
		ret = pouch_json_str(j, "fingerprint", 0, &fpr, err);
	if (!ret && (pouch_fpr_normalize(fpr, k->fpr, NULL) < 0 || strcmp(fpr, k->fpr) != 0))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid key fingerprint");
	if (!ret)
		ret = pouch_json_time(j, "created", 0, &k->created, err);
	if (!ret)
		ret = pouch_json_time(j, "expires", 1, &k->expires, err);
	if (!ret)
		ret = pouch_json_time(j, "retired", 1, &k->retired, err);
	if (!ret)
		ret = pouch_json_time(j, "verify_until", 1, &k->verify_until, err);
	return ret;
}

static int load_fields(const json_t *j, struct pouch_agency *a, struct pouch_err *err)
{
	static const char *const fields[] = { "format", "code", "name", "created", "gateway",
					      "keys", NULL };
	const char *format, *code, *name;
	const json_t *keys, *kj, *gw = json_object_get(j, "gateway");
	size_t i, current = 0;
	int ret;

	ret = pouch_json_only_keys(j, fields, err);
	if (!ret)
		ret = pouch_json_str(j, "format", 0, &format, err);
	if (!ret && strcmp(format, AGENCY_FORMAT) != 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "unknown format '%.32s'", format);
	if (!ret)
		ret = pouch_json_str(j, "code", 0, &code, err);
	if (!ret && pouch_agency_code_check(code, NULL) < 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid agency code");
	if (!ret)
		ret = pouch_json_str(j, "name", 0, &name, err);
	if (!ret && pouch_name_check("name", name, NULL) < 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid agency name");
	if (!ret)
		ret = pouch_json_time(j, "created", 0, &a->created, err);
	/* Optional, for records older than gateways: absent means not a gateway. */
	if (!ret && gw && !json_is_boolean(gw))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "field 'gateway' is not true or false");
	if (ret)
		return ret;
	a->gateway = json_is_true(gw);
	snprintf(a->code, sizeof(a->code), "%s", code);
	snprintf(a->name, sizeof(a->name), "%s", name);
	keys = json_object_get(j, "keys");
	if (!json_is_array(keys) || json_array_size(keys) == 0)
		return pouch_err_set(err, POUCH_E_CORRUPT, "field 'keys' is not a non-empty list");
	json_array_foreach(keys, i, kj) {
		struct pouch_agency_key k;
		size_t n;
		ret = load_key(kj, &k, err);
		for (n = 0; !ret && n < a->nkeys; n++)
			if (strcmp(a->keys[n].fpr, k.fpr) == 0)
				ret = pouch_err_set(err, POUCH_E_CORRUPT, "key %s is listed twice",
						    k.fpr);
		if (!ret)
			ret = pouch_agency_add_key(a, &k, err);
		if (ret)
			return ret;
		current += !k.retired;
	}
	if (current != 1)
		return pouch_err_set(err, POUCH_E_CORRUPT, "%zu current keys instead of one",
				     current);
	return 0;
}

int pouch_agency_load(const char *path, struct pouch_agency *a, struct pouch_err *err)
{
	json_t *j = NULL;
	int ret;

	memset(a, 0, sizeof(*a));
	ret = pouch_json_load_record("agency file", path, &j, err);
	if (ret == POUCH_E_NOTFOUND)
		ret = pouch_err_set(err, POUCH_E_NOTINIT, "no agency identity at '%s': run 'pouch "
				    "init' first", path);
	if (ret < 0)
		goto out;
	ret = load_fields(j, a, err);
	if (ret < 0) {
		pouch_err_prefix(err, "agency file '%s' is corrupt", path);
		ret = err ? (err->code = POUCH_E_CORRUPT) : POUCH_E_CORRUPT;
		pouch_agency_release(a);
	}
out:
	json_decref(j);
	return ret;
}

static json_t *to_json(const struct pouch_agency *a, int describe)
{
	const struct pouch_agency_key *cur = pouch_agency_current(a);
	json_t *j = json_object(), *keys = json_array();
	size_t i;

	if (!j || !keys)
		goto fail;
	if (!describe)
		json_object_set_new(j, "format", json_string(AGENCY_FORMAT));
	/* The record's "code" is "agency" in what pouch prints (spec/cli/README.md). */
	json_object_set_new(j, describe ? "agency" : "code", json_string(a->code));
	json_object_set_new(j, "name", json_string(a->name));
	if (describe && cur) {
		json_object_set_new(j, "fingerprint", json_string(cur->fpr));
		json_object_set_new(j, "expires", pouch_json_time_new(cur->expires));
	}
	json_object_set_new(j, "created", pouch_json_time_new(a->created));
	/* Written only when set, so that other homes' records stay as they were. */
	if (describe || a->gateway)
		json_object_set_new(j, "gateway", json_boolean(a->gateway));
	for (i = 0; i < a->nkeys; i++) {
		const struct pouch_agency_key *k = &a->keys[i];
		json_t *kj = json_object();
		if (!kj || json_array_append_new(keys, kj) < 0)
			goto fail;
		json_object_set_new(kj, "fingerprint", json_string(k->fpr));
		json_object_set_new(kj, "created", pouch_json_time_new(k->created));
		json_object_set_new(kj, "expires", pouch_json_time_new(k->expires));
		json_object_set_new(kj, "retired", pouch_json_time_new(k->retired));
		json_object_set_new(kj, "verify_until", pouch_json_time_new(k->verify_until));
	}
	if (json_object_set_new(j, "keys", keys) < 0) {
		keys = NULL;
		goto fail;
	}
	return j;
fail:
	json_decref(keys);
	json_decref(j);
	return NULL;
}

int pouch_agency_save(const char *path, const struct pouch_agency *a, int exclusive,
		      struct pouch_err *err)
{
	json_t *j = to_json(a, 0);
	int ret;

	if (!j)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_json_save_record(path, j, exclusive, err);
	json_decref(j);
	return ret;
}

char *pouch_agency_json(const struct pouch_agency *a)
{
	json_t *j = to_json(a, 1);
	char *text = j ? pouch_json_text(j, 0) : NULL;

	json_decref(j);
	return text;
}
