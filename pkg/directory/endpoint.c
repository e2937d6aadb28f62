/* Our own endpoint (endpoint.json), and any party's endpoint settings with absolute paths for
 * the HTTPS client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "directory/endpoint.h"
#include "directory/tls_conf.h"
#include "base/json.h"
#include "directory/agency.h"
#include "base/fs.h"
#include "directory/identity.h"
#include "directory/partner.h"

#define ENDPOINT_FORMAT "pouch-endpoint/1"

void pouch_endpoint_release(struct pouch_endpoint *e)
{
	free(e->url);
	pouch_tls_conf_release(&e->tls);
	memset(e, 0, sizeof(*e));
}

static int load_fields(const json_t *j, struct pouch_endpoint *e, struct pouch_err *err)
{
	static const char *const fields[] = { "format", "endpoint", "tls", "client", "updated",
					      NULL };
	const char *format, *url;
	int ret;

	ret = pouch_json_only_keys(j, fields, err);
	if (!ret)
		ret = pouch_json_str(j, "format", 0, &format, err);
	if (!ret && strcmp(format, ENDPOINT_FORMAT) != 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "unknown format '%.32s'", format);
	if (!ret)
		ret = pouch_json_str(j, "endpoint", 0, &url, err);
	if (!ret && pouch_endpoint_check(url, NULL) < 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "invalid 'endpoint'");
	if (!ret)
		ret = pouch_json_time(j, "updated", 0, &e->updated, err);
	if (!ret)
		ret = pouch_tls_conf_from_json(j, POUCH_ENDPOINT_PREFIX, 0, &e->tls, err);
	if (!ret)
		ret = pouch_str_replace(&e->url, url, err);
	return ret;
}

int pouch_endpoint_load(const struct pouch_home *h, struct pouch_endpoint *e,
			struct pouch_err *err)
{
	json_t *j = NULL;
	char *path = NULL;
	int ret;

	memset(e, 0, sizeof(*e));
	path = pouch_path_join(h->dir, POUCH_ENDPOINT_FILE);
	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_json_load_record("endpoint file", path, &j, err);
	if (ret == POUCH_E_NOTFOUND)
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "no endpoint of our own in '%s' (see "
				    "'pouch endpoint set')", h->dir);
	if (ret < 0)
		goto out;
	ret = load_fields(j, e, err);
	if (ret < 0) {
		pouch_err_prefix(err, "endpoint file '%s' is corrupt", path);
		ret = err ? (err->code = POUCH_E_CORRUPT) : POUCH_E_CORRUPT;
	}
out:
	if (ret < 0)
		pouch_endpoint_release(e);
	json_decref(j);
	free(path);
	return ret;
}

static json_t *to_json(const struct pouch_endpoint *e)
{
	json_t *j = json_object();

	if (!j)
		return NULL;
	json_object_set_new(j, "format", json_string(ENDPOINT_FORMAT));
	json_object_set_new(j, "endpoint", json_string(e->url));
	if (pouch_tls_conf_to_json(j, &e->tls) < 0 ||
	    json_object_set_new(j, "updated", pouch_json_time_new(e->updated)) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int pouch_endpoint_save(const struct pouch_home *h, const struct pouch_endpoint *e,
			struct pouch_err *err)
{
	json_t *j = NULL;
	char *path = NULL;
	int ret;

	if (!e->url)
		return pouch_err_set(err, POUCH_E_USAGE, "our endpoint: no URL");
	ret = pouch_endpoint_check(e->url, err);
	if (!ret)
		ret = pouch_tls_conf_check(&e->tls, POUCH_ENDPOINT_PREFIX, "our endpoint", err);
	if (ret < 0)
		return ret;
	j = to_json(e);
	path = pouch_path_join(h->dir, POUCH_ENDPOINT_FILE);
	if (!j || !path)
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	else
		ret = pouch_json_save_record(path, j, 0, err);
	json_decref(j);
	free(path);
	return ret;
}

char *pouch_endpoint_json(const struct pouch_endpoint *e, int pretty)
{
	json_t *j = to_json(e);
	char *text = NULL;

	/* What pouch prints is not the record: no "format" (spec/cli/README.md). */
	if (j && json_object_del(j, "format") == 0)
		text = pouch_json_text(j, pretty);

	json_decref(j);
	return text;
}

int pouch_endpoint_set(const struct pouch_home *h, const struct pouch_endpoint_req *req,
		       struct pouch_endpoint *out, struct pouch_err *err)
{
	struct pouch_tls_files f = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	if (!req->url)
		return pouch_err_set(err, POUCH_E_USAGE, "missing the endpoint URL");
	ret = pouch_endpoint_check(req->url, err);
	if (!ret && req->pin)
		ret = pouch_pin_normalize(req->pin, out->tls.pin, err);
	if (!ret)
		ret = pouch_str_replace(&out->url, req->url, err);
	if (!ret)
		ret = pouch_tls_files_read(&f, req->ca_file, req->client_cert, req->client_key,
					   err);
	if (ret < 0)
		goto out;
	out->updated = time(NULL);
	ret = pouch_tls_files_install(&f, h->dir, POUCH_ENDPOINT_PREFIX, &out->tls, err);
	if (ret < 0)
		goto out;
	ret = pouch_endpoint_save(h, out, err);
	if (ret < 0) {
		pouch_tls_files_rollback(&f);
		goto out;
	}
	/* The record names only the new files now: what it no longer names can go. */
	ret = pouch_tls_files_prune(h->dir, POUCH_ENDPOINT_PREFIX, &out->tls, err);
	if (ret < 0)
		pouch_err_prefix(err, "our endpoint is set, but a file it no longer uses stays");
out:
	if (ret < 0)
		pouch_endpoint_release(out);
	pouch_tls_files_release(&f);
	return ret;
}

void pouch_tls_paths_release(struct pouch_tls_paths *t)
{
	free(t->url);
	free(t->ca_file);
	free(t->pin);
	free(t->client_cert);
	free(t->client_key);
	memset(t, 0, sizeof(*t));
}

/* *out = dir/name when name is set, requiring the file to be there. what names the record. */
static int tls_path(const char *dir, const char *name, const char *what, char **out,
		    struct pouch_err *err)
{
	if (!name)
		return 0;
	*out = pouch_path_join(dir, name);
	if (!*out)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!pouch_fs_exists(*out))
		return pouch_err_set(err, POUCH_E_CORRUPT, "%s names '%s', which is missing", what,
				     *out);
	return 0;
}

static int fill_paths(const char *url, const struct pouch_tls_conf *t, const char *dir,
		      const char *what, struct pouch_tls_paths *out, struct pouch_err *err)
{
	int ret = pouch_str_replace(&out->url, url, err);

	if (!ret && t->pin[0])
		ret = pouch_str_replace(&out->pin, t->pin, err);
	if (!ret)
		ret = tls_path(dir, t->ca_file, what, &out->ca_file, err);
	if (!ret)
		ret = tls_path(dir, t->client_cert, what, &out->client_cert, err);
	if (!ret)
		ret = tls_path(dir, t->client_key, what, &out->client_key, err);
	return ret;
}

int pouch_endpoint_tls(const struct pouch_home *h, const char *code, struct pouch_tls_paths *out,
		       struct pouch_err *err)
{
	struct pouch_agency self = { 0 };
	struct pouch_endpoint e = { 0 };
	struct pouch_partner p = { 0 };
	char what[POUCH_CODE_MAX + 32];
	int ret = 0, own = !code;

	memset(out, 0, sizeof(*out));
	if (code) {
		ret = pouch_agency_code_check(code, err);
		if (!ret)
			ret = pouch_identity_load(h, &self, err);
		own = !ret && strcmp(code, self.code) == 0;
	}
	if (ret < 0)
		goto out;
	if (own) {
		ret = pouch_endpoint_load(h, &e, err);
		if (!ret)
			ret = fill_paths(e.url, &e.tls, h->dir, "our endpoint", out, err);
		goto out;
	}
	ret = pouch_partner_load(h, code, &p, err);
	if (!ret && !p.endpoint)
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "partner '%s' has no endpoint (see "
				    "'pouch partner set %s --endpoint URL')", code, code);
	snprintf(what, sizeof(what), "the record of partner '%s'", code);
	if (!ret)
		ret = fill_paths(p.endpoint, &p.tls, h->partners, what, out, err);
out:
	if (ret < 0)
		pouch_tls_paths_release(out);
	pouch_partner_release(&p);
	pouch_endpoint_release(&e);
	pouch_agency_release(&self);
	return ret;
}
