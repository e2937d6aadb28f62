/* pouchd's configuration file and flags. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/fs.h"
#include "server/srvconf.h"

#define CONF_MAX (64 * 1024)

const char *const pouch_srvconf_names[] = { "listen",
					    "cert",
					    "key",
					    "client_ca",
					    "data",
					    "home",
					    "max_package",
					    "rate_limit",
					    "max_connections",
					    "max_connections_per_address",
					    "head_timeout",
					    "idle_timeout",
					    "upload_quota",
					    "max_uploads",
					    "min_free",
					    "max_listings",
					    NULL };
static const char *const path_names[] = { "cert", "key", "client_ca", "data", "home", NULL };
static const char *const number_names[] = { "max_package",  "rate_limit",   "max_connections",
					    "max_connections_per_address", "head_timeout",
					    "idle_timeout", "upload_quota", "max_uploads",
					    "min_free",     "max_listings", NULL };

static char **path_slot(struct pouch_srvconf *c, const char *name)
{
	if (strcmp(name, "listen") == 0)
		return &c->listen;
	if (strcmp(name, "cert") == 0)
		return &c->cert;
	if (strcmp(name, "key") == 0)
		return &c->key;
	if (strcmp(name, "client_ca") == 0)
		return &c->client_ca;
	if (strcmp(name, "data") == 0)
		return &c->data;
	if (strcmp(name, "home") == 0)
		return &c->home;
	return NULL;
}

int pouch_srvconf_defaults(struct pouch_srvconf *c, struct pouch_err *err)
{
	memset(c, 0, sizeof(*c));
	c->listen = strdup(POUCH_SRV_LISTEN_DEFAULT);
	if (!c->listen)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	c->max_package = POUCH_SRV_MAX_PACKAGE_DEFAULT;
	c->rate = POUCH_SRV_RATE_DEFAULT;
	c->connections = POUCH_SRV_CONNECTIONS_DEFAULT;
	c->per_address = POUCH_SRV_PER_ADDRESS_DEFAULT;
	c->head_timeout = POUCH_SRV_HEAD_TIMEOUT_DEFAULT;
	c->idle_timeout = POUCH_SRV_IDLE_TIMEOUT_DEFAULT;
	c->upload_quota = POUCH_SRV_UPLOAD_QUOTA_DEFAULT;
	c->max_uploads = POUCH_SRV_MAX_UPLOADS_DEFAULT;
	c->min_free = POUCH_SRV_MIN_FREE_DEFAULT;
	c->max_listings = POUCH_SRV_MAX_LISTINGS_DEFAULT;
	return 0;
}

void pouch_srvconf_release(struct pouch_srvconf *c)
{
	free(c->listen);
	free(c->cert);
	free(c->key);
	free(c->client_ca);
	free(c->data);
	free(c->home);
	memset(c, 0, sizeof(*c));
}

static int set_string(struct pouch_srvconf *c, const char *name, const char *value,
		      const char *base, struct pouch_err *err)
{
	char **slot = path_slot(c, name);
	char *v;
	size_t i;
	int is_path = 0;

	if (!slot)
		return pouch_err_set(err, POUCH_E_USAGE, "unknown setting '%s'", name);
	if (!*value || strlen(value) >= PATH_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "setting '%s' is empty or too long",
				     name);
	for (i = 0; path_names[i]; i++)
		is_path |= strcmp(path_names[i], name) == 0;
	if (is_path && base && value[0] != '/')
		v = pouch_path_join(base, value);
	else
		v = strdup(value);
	if (!v)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	free(*slot);
	*slot = v;
	return 0;
}

static int parse_size(const char *name, const char *value, uint64_t *out, struct pouch_err *err)
{
	char *end;
	unsigned long long n;
	unsigned shift = 0;

	errno = 0;
	n = strtoull(value, &end, 10);
	if (end == value || value[0] == '-' || errno)
		goto bad;
	if (*end == 'K' || *end == 'M' || *end == 'G') {
		shift = *end == 'K' ? 10 : *end == 'M' ? 20 : 30;
		end++;
	}
	if (*end || n == 0 || n > (UINT64_MAX >> shift))
		goto bad;
	*out = (uint64_t)n << shift;
	return 0;
bad:
	return pouch_err_set(err, POUCH_E_USAGE, "bad %s '%s': want a positive number, with K, M "
			     "or G", name, value);
}

static int parse_count(const char *name, const char *value, int zero_ok, unsigned *out,
		       struct pouch_err *err)
{
	uint64_t n = 0;

	if (zero_ok && strcmp(value, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (parse_size(name, value, &n, err) < 0 || n > 1000000)
		return pouch_err_set(err, POUCH_E_USAGE, "bad %s '%s': want a number up to "
				     "1000000", name, value);
	*out = (unsigned)n;
	return 0;
}

static int parse_seconds(const char *name, const char *value, unsigned *out,
			 struct pouch_err *err)
{
	unsigned n = 0;

	if (parse_count(name, value, 0, &n, err) < 0 || n > 3600)
		return pouch_err_set(err, POUCH_E_USAGE, "bad %s '%s': want seconds, 1 to 3600",
				     name, value);
	*out = n;
	return 0;
}

int pouch_srvconf_set(struct pouch_srvconf *c, const char *name, const char *value,
		      struct pouch_err *err)
{
	if (strcmp(name, "max_package") == 0)
		return parse_size(name, value, &c->max_package, err);
	if (strcmp(name, "rate_limit") == 0)
		return parse_count(name, value, 1, &c->rate, err);
	if (strcmp(name, "max_connections") == 0)
		return parse_count(name, value, 0, &c->connections, err);
	if (strcmp(name, "max_connections_per_address") == 0)
		return parse_count(name, value, 0, &c->per_address, err);
	if (strcmp(name, "head_timeout") == 0)
		return parse_seconds(name, value, &c->head_timeout, err);
	if (strcmp(name, "idle_timeout") == 0)
		return parse_seconds(name, value, &c->idle_timeout, err);
	if (strcmp(name, "upload_quota") == 0)
		return parse_size(name, value, &c->upload_quota, err);
	if (strcmp(name, "max_uploads") == 0)
		return parse_count(name, value, 0, &c->max_uploads, err);
	if (strcmp(name, "min_free") == 0) {
		c->min_free = 0;
		return strcmp(value, "0") == 0 ? 0 : parse_size(name, value, &c->min_free, err);
	}
	if (strcmp(name, "max_listings") == 0)
		return parse_count(name, value, 0, &c->max_listings, err);
	return set_string(c, name, value, NULL, err);
}

static int load_member(struct pouch_srvconf *c, const char *name, const json_t *v,
		       const char *base, struct pouch_err *err)
{
	char num[32];
	int number = 0;
	size_t i;

	for (i = 0; number_names[i]; i++)
		number |= strcmp(number_names[i], name) == 0;
	if (json_is_string(v))
		return number ? pouch_srvconf_set(c, name, json_string_value(v), err)
			      : set_string(c, name, json_string_value(v), base, err);
	if (json_is_integer(v) && !path_slot(c, name)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return pouch_srvconf_set(c, name, num, err);
	}
	return pouch_err_set(err, POUCH_E_USAGE, "setting '%s' has the wrong type", name);
}

int pouch_srvconf_load(struct pouch_srvconf *c, const char *path, struct pouch_err *err)
{
	json_t *j = NULL;
	const char *name;
	json_t *v;
	char *text = NULL, *copy = NULL, *base;
	size_t len;
	int ret;

	ret = pouch_fs_read(path, CONF_MAX, &text, &len, err);
	if (ret < 0)
		return ret == POUCH_E_NOTFOUND
			       ? pouch_err_set(err, POUCH_E_USAGE,
					       "configuration file '%s' does not exist", path)
			       : ret;
	ret = pouch_json_parse(path, text, len, &j, err);
	if (!ret && !json_is_object(j))
		ret = pouch_err_set(err, POUCH_E_USAGE, "not a JSON object");
	if (!ret)
		ret = pouch_json_only_keys(j, pouch_srvconf_names, err);
	copy = strdup(path);
	if (!ret && !copy)
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	base = copy ? dirname(copy) : NULL;
	if (!ret) {
		json_object_foreach(j, name, v) {
			ret = load_member(c, name, v, base, err);
			if (ret < 0)
				break;
		}
	}
	if (ret < 0 && ret != POUCH_E_NOMEM) {
		pouch_err_prefix(err, "bad configuration '%s'", path);
		if (err)
			err->code = POUCH_E_USAGE;
		ret = POUCH_E_USAGE;
	}
	json_decref(j);
	free(text);
	free(copy);
	return ret;
}

int pouch_srvconf_check(const struct pouch_srvconf *c, struct pouch_err *err)
{
	static const char *const flags[] = { "--cert", "--key", "--client-ca", "--data",
					     "--home" };
	const char *const values[] = { c->cert, c->key, c->client_ca, c->data, c->home };
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (!values[i])
			return pouch_err_set(err, POUCH_E_USAGE, "missing setting '%s' (%s or the "
					     "configuration file)", path_names[i], flags[i]);
	return 0;
}
