/* The TLS settings records keep for an endpoint: their JSON members ("tls", "client") and their
 * files beside the record (PREFIX.ca.pem, PREFIX.client.pem, PREFIX.client.key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/tls_conf.h"
#include "base/json.h"
#include "base/fs.h"

#define TLS_NAME_MAX (POUCH_CODE_MAX + 16)

/* The names of a record's TLS files: PREFIX.ca.pem, PREFIX.client.pem, PREFIX.client.key. */
struct tls_names {
	char ca[TLS_NAME_MAX], cert[TLS_NAME_MAX], key[TLS_NAME_MAX];
};

static void tls_names(const char *prefix, struct tls_names *n)
{
	snprintf(n->ca, sizeof(n->ca), "%s.ca.pem", prefix);
	snprintf(n->cert, sizeof(n->cert), "%s.client.pem", prefix);
	snprintf(n->key, sizeof(n->key), "%s.client.key", prefix);
}

int pouch_str_replace(char **slot, const char *s, struct pouch_err *err)
{
	char *copy = s ? strdup(s) : NULL;

	if (s && !copy)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

void pouch_tls_conf_release(struct pouch_tls_conf *t)
{
	free(t->ca_file);
	free(t->client_cert);
	free(t->client_key);
	memset(t, 0, sizeof(*t));
}

int pouch_tls_conf_copy(struct pouch_tls_conf *out, const struct pouch_tls_conf *t,
			struct pouch_err *err)
{
	int ret;

	pouch_tls_conf_release(out);
	memcpy(out->pin, t->pin, sizeof(out->pin));
	ret = pouch_str_replace(&out->ca_file, t->ca_file, err);
	if (!ret)
		ret = pouch_str_replace(&out->client_cert, t->client_cert, err);
	if (!ret)
		ret = pouch_str_replace(&out->client_key, t->client_key, err);
	if (ret)
		pouch_tls_conf_release(out);
	return ret;
}

static int load_tls(const json_t *tls, const struct tls_names *n, struct pouch_tls_conf *t,
		    struct pouch_err *err)
{
	static const char *const fields[] = { "ca_file", "pin", NULL };
	const char *ca = NULL, *pin = NULL;
	int ret;

	if (!tls)
		return pouch_err_set(err, POUCH_E_CORRUPT, "field 'tls' is missing");
	if (json_is_null(tls))
		return 0;
	ret = pouch_json_only_keys(tls, fields, err);
	if (!ret && json_object_size(tls) == 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT,
				    "field 'tls' needs one of ca_file and pin, or both");
	if (!ret && json_object_get(tls, "ca_file"))
		ret = pouch_json_str(tls, "ca_file", 0, &ca, err);
	if (!ret && json_object_get(tls, "pin"))
		ret = pouch_json_str(tls, "pin", 0, &pin, err);
	if (ret)
		return ret;
	/* Only the record's own name: removing the record deletes this file. */
	if (ca && strcmp(ca, n->ca) != 0)
		return pouch_err_set(err, POUCH_E_CORRUPT, "invalid 'ca_file': not '%s'", n->ca);
	if (pin && (pouch_pin_normalize(pin, t->pin, NULL) < 0 || strcmp(pin, t->pin) != 0))
		return pouch_err_set(err, POUCH_E_CORRUPT, "invalid 'pin'");
	return ca ? pouch_str_replace(&t->ca_file, ca, err) : 0;
}

static int load_client(const json_t *c, int optional, const struct tls_names *n,
		       struct pouch_tls_conf *t, struct pouch_err *err)
{
	static const char *const fields[] = { "cert", "key", NULL };
	const char *cert = NULL, *key = NULL;
	int ret;

	if (!c)
		return optional ? 0
				: pouch_err_set(err, POUCH_E_CORRUPT, "field 'client' is missing");
	if (json_is_null(c))
		return 0;
	ret = pouch_json_only_keys(c, fields, err);
	if (!ret)
		ret = pouch_json_str(c, "cert", 0, &cert, err);
	if (!ret)
		ret = pouch_json_str(c, "key", 0, &key, err);
	if (ret)
		return ret;
	if (strcmp(cert, n->cert) != 0 || strcmp(key, n->key) != 0)
		return pouch_err_set(err, POUCH_E_CORRUPT, "invalid 'client': not '%s' and '%s'",
				     n->cert, n->key);
	ret = pouch_str_replace(&t->client_cert, cert, err);
	if (!ret)
		ret = pouch_str_replace(&t->client_key, key, err);
	return ret;
}

int pouch_tls_conf_from_json(const json_t *j, const char *prefix, int client_optional,
			     struct pouch_tls_conf *t, struct pouch_err *err)
{
	struct tls_names n;
	int ret;

	memset(t, 0, sizeof(*t));
	tls_names(prefix, &n);
	ret = load_tls(json_object_get(j, "tls"), &n, t, err);
	if (!ret)
		ret = load_client(json_object_get(j, "client"), client_optional, &n, t, err);
	if (ret)
		pouch_tls_conf_release(t);
	return ret;
}

int pouch_tls_conf_to_json(json_t *j, const struct pouch_tls_conf *t)
{
	json_t *tls = json_null(), *client = json_null();

	if (t->ca_file || t->pin[0]) {
		tls = json_object();
		if (tls && t->ca_file)
			json_object_set_new(tls, "ca_file", json_string(t->ca_file));
		if (tls && t->pin[0])
			json_object_set_new(tls, "pin", json_string(t->pin));
	}
	if (t->client_cert && t->client_key)
		client = json_pack("{s:s,s:s}", "cert", t->client_cert, "key", t->client_key);
	if (!tls || !client) {
		json_decref(tls);
		json_decref(client);
		return -1;
	}
	if (json_object_set_new(j, "tls", tls) < 0) {
		json_decref(client);
		return -1;
	}
	return json_object_set_new(j, "client", client);
}

int pouch_tls_conf_check(const struct pouch_tls_conf *t, const char *prefix, const char *what,
			 struct pouch_err *err)
{
	char pin[POUCH_PIN_LEN + 1];
	struct tls_names n;

	tls_names(prefix, &n);
	if (t->ca_file && strcmp(t->ca_file, n.ca) != 0)
		return pouch_err_set(err, POUCH_E_USAGE, "%s: CA file is not '%s'", what, n.ca);
	if (t->pin[0] && (pouch_pin_normalize(t->pin, pin, err) < 0 || strcmp(pin, t->pin) != 0))
		return pouch_err_set(err, POUCH_E_USAGE, "%s: invalid pin", what);
	if (!t->client_cert != !t->client_key)
		return pouch_err_set(err, POUCH_E_USAGE, "%s: a client certificate goes with its "
				     "key", what);
	if (t->client_cert && (strcmp(t->client_cert, n.cert) || strcmp(t->client_key, n.key)))
		return pouch_err_set(err, POUCH_E_USAGE, "%s: client files are not '%s' and '%s'",
				     what, n.cert, n.key);
	return 0;
}

int pouch_tls_files_read(struct pouch_tls_files *f, const char *ca_file, const char *client_cert,
			 const char *client_key, struct pouch_err *err)
{
	int ret = 0;

	if (!client_cert != !client_key)
		return pouch_err_set(err, POUCH_E_USAGE, "give a client certificate together with "
				     "its key");
	if (ca_file)
		ret = pouch_x509_read_ca(ca_file, &f->ca, &f->ca_len, err);
	if (!ret && client_cert)
		ret = pouch_x509_read_client(client_cert, client_key, &f->client, err);
	return ret;
}

/* Writes data to dir/name, keeping what it replaces in the next slot of f. */
static int put_file(struct pouch_tls_files *f, const char *dir, const char *name,
		    const char *data, size_t len, struct pouch_err *err)
{
	char *path = pouch_path_join(dir, name), *old = NULL;
	size_t old_len = 0;
	int ret;

	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_fs_read(path, POUCH_X509_CERT_MAX, &old, &old_len, err);
	if (ret == POUCH_E_NOTFOUND)
		ret = 0;
	if (!ret)
		ret = pouch_fs_write_atomic(path, data, len, 0600, 0, err);
	if (ret < 0) {
		if (old)
			explicit_bzero(old, old_len);
		free(old);
		free(path);
		return ret;
	}
	f->put[f->nput].path = path;
	f->put[f->nput].old = old;
	f->put[f->nput].old_len = old_len;
	f->put[f->nput].had_old = old != NULL;
	f->nput++;
	return 0;
}

int pouch_tls_files_install(struct pouch_tls_files *f, const char *dir, const char *prefix,
			    struct pouch_tls_conf *t, struct pouch_err *err)
{
	struct tls_names n;
	int ret = 0;

	tls_names(prefix, &n);
	if (f->ca) {
		ret = put_file(f, dir, n.ca, f->ca, f->ca_len, err);
		if (!ret)
			ret = pouch_str_replace(&t->ca_file, n.ca, err);
	}
	if (!ret && f->client.cert) {
		ret = put_file(f, dir, n.cert, f->client.cert, f->client.cert_len, err);
		if (!ret)
			ret = put_file(f, dir, n.key, f->client.key, f->client.key_len, err);
		if (!ret)
			ret = pouch_str_replace(&t->client_cert, n.cert, err);
		if (!ret)
			ret = pouch_str_replace(&t->client_key, n.key, err);
	}
	if (ret < 0)
		pouch_tls_files_rollback(f);
	return ret;
}

static void forget_put(struct pouch_tls_files *f)
{
	size_t i;

	for (i = 0; i < f->nput; i++) {
		if (f->put[i].old)
			explicit_bzero(f->put[i].old, f->put[i].old_len);
		free(f->put[i].old);
		free(f->put[i].path);
	}
	memset(f->put, 0, sizeof(f->put));
	f->nput = 0;
}

void pouch_tls_files_rollback(struct pouch_tls_files *f)
{
	size_t i;

	for (i = f->nput; i-- > 0;) {
		if (f->put[i].had_old)
			pouch_fs_write_atomic(f->put[i].path, f->put[i].old, f->put[i].old_len,
					      0600, 0, NULL);
		else
			pouch_fs_remove(f->put[i].path, NULL);
	}
	forget_put(f);
}

void pouch_tls_files_release(struct pouch_tls_files *f)
{
	forget_put(f);
	free(f->ca);
	pouch_x509_client_release(&f->client);
	memset(f, 0, sizeof(*f));
}

static int remove_in(const char *dir, const char *name, struct pouch_err *err)
{
	char *path = pouch_path_join(dir, name);
	int ret;

	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_fs_remove(path, err);
	free(path);
	return ret;
}

int pouch_tls_files_prune(const char *dir, const char *prefix, const struct pouch_tls_conf *t,
			  struct pouch_err *err)
{
	struct tls_names n;
	int ret = 0;

	tls_names(prefix, &n);
	if (!t->ca_file)
		ret = remove_in(dir, n.ca, err);
	if (!ret && !t->client_cert)
		ret = remove_in(dir, n.cert, err);
	if (!ret && !t->client_key)
		ret = remove_in(dir, n.key, err);
	return ret;
}
