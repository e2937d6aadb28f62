/* Verifying a package on arrival: header signature by a pinned key, header, payload, times. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "directory/agency.h"
#include "base/fs.h"
#include "directory/partner.h"
#include "crypto/pgp.h"
#include "base/timefmt.h"
#include "package/verify.h"

#define SKEW POUCH_CLOCK_SKEW
/* GnuPG stamps the payload's signature when the sealed stream ends: sealing is allowed this
 * many payload bytes a second, at the slowest. */
#define SEAL_RATE_MIN (1024 * 1024)

void pouch_verified_release(struct pouch_verified *v)
{
	pouch_envelope_release(&v->env);
	free(v->payload_path);
	memset(v, 0, sizeof(*v));
}

/* Our own keys count for our own code: a sender re-reads what it sent. */
static int own_key(const struct pouch_home *home, const char *signer, time_t now, char *agency,
		   struct pouch_err *err)
{
	struct pouch_agency a;
	size_t i;
	int found = 0;

	if (pouch_agency_load(home->agency, &a, err) < 0)
		return -1;
	for (i = 0; i < a.nkeys; i++)
		if (strcmp(a.keys[i].fpr, signer) == 0 &&
		    (!a.keys[i].retired || now < a.keys[i].verify_until))
			found = 1;
	if (found)
		snprintf(agency, POUCH_CODE_MAX + 1, "%s", a.code);
	pouch_agency_release(&a);
	return found;
}

int pouch_signer_agency(const struct pouch_home *home, struct pouch_pgp *pgp, const char *signer,
			time_t now, char *agency, char *state, struct pouch_err *err)
{
	char **codes = NULL;
	size_t i, k, n = 0;
	int ret, found = 1;

	ret = own_key(home, signer, now, agency, err);
	if (ret != 0)
		return ret > 0 ? 0 : (err && err->code ? err->code : POUCH_E_CORRUPT);
	ret = pouch_partner_codes(home, &codes, &n, err);
	for (i = 0; !ret && found == 1 && i < n; i++) {
		struct pouch_partner p;
		ret = pouch_partner_load(home, codes[i], &p, err);
		for (k = 0; !ret && k < p.nkeys; k++) {
			enum pouch_key_state st;
			if (strcmp(p.keys[k].fpr, signer) != 0)
				continue;
			ret = pouch_partner_key_state(pgp, &p.keys[k], now, &st, err);
			snprintf(agency, POUCH_CODE_MAX + 1, "%s", p.code);
			snprintf(state, 16, "%s", pouch_key_state_name(st));
			found = st == POUCH_KEY_VALID ? 0 : 2;
		}
		pouch_partner_release(&p);
	}
	pouch_partner_codes_free(codes, n);
	return ret < 0 ? ret : found;
}

int pouch_signature_check(const struct pouch_home *home, struct pouch_pgp *pgp, const char *what,
			  const void *buf, size_t len, const void *sig, size_t siglen, time_t now,
			  char *signer, char *agency, struct pouch_err *err)
{
	char state[16] = "";
	int ret;

	ret = pouch_pgp_verify_detached(pgp, buf, len, sig, siglen, signer, err);
	if (ret < 0)
		return pouch_err_prefix(err, "%s does not verify", what);
	ret = pouch_signer_agency(home, pgp, signer, now, agency, state, err);
	if (ret == 1)
		return pouch_err_set(err, POUCH_E_VERIFY, "signed by key %s, which no partner in "
				     "the directory pins", signer);
	if (ret == 2)
		return pouch_err_set(err, POUCH_E_VERIFY, "signed by key %s of %s, which is %s",
				     signer, agency, state);
	return ret;
}

/* Opens the detached payload: exactly ID.pouch.pgp, in the envelope's directory. */
static int detached_path(const char *path, const struct pouch_verified *v, char **out,
			 struct pouch_err *err)
{
	char want[POUCH_UUID_LEN + 16], *copy = strdup(path);

	*out = NULL;
	if (!copy)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	snprintf(want, sizeof(want), "%s.pouch.pgp", v->h.id);
	if (strcmp(v->env.detached, want) != 0) {
		free(copy);
		return pouch_err_set(err, POUCH_E_VERIFY, "the detached payload is not named '%s'",
				     want);
	}
	if (asprintf(out, "%s/%s", dirname(copy), want) < 0) {
		*out = NULL;
		free(copy);
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	free(copy);
	return 0;
}

static int check_payload(const char *path, struct pouch_verified *v, struct pouch_err *err)
{
	char hex[POUCH_SHA256_HEX];
	uint64_t size = 0;
	int fd, ret;

	if (v->env.payload) {
		ret = pouch_sha256_buf(v->env.payload, v->env.payload_len, hex, err);
		if (ret < 0)
			return ret;
		size = v->env.payload_len;
	} else {
		ret = detached_path(path, v, &v->payload_path, err);
		if (ret < 0)
			return ret;
		ret = pouch_fs_open_regular("the payload", v->payload_path, UINT64_MAX,
					    POUCH_FS_NOFOLLOW, &fd, &size, err);
		if (ret < 0)
			return err ? (err->code = POUCH_E_VERIFY) : POUCH_E_VERIFY;
		/* The size is compared before any hashing: a huge file costs nothing. */
		if (size == v->h.payload_size)
			ret = pouch_sha256_fd(fd, hex, &size, err);
		close(fd);
		if (ret < 0)
			return ret;
	}
	if (size != v->h.payload_size)
		return pouch_err_set(err, POUCH_E_VERIFY, "the payload is %llu bytes, the header "
				     "says %llu", (unsigned long long)size,
				     (unsigned long long)v->h.payload_size);
	if (strcmp(hex, v->h.payload_sha256) != 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "the payload's SHA-256 is not the one "
				     "the header signs");
	return 0;
}

static int check_times(const struct pouch_header *h, time_t now, struct pouch_err *err)
{
	char when[POUCH_TIME_LEN];

	if (h->created > now + SKEW)
		return pouch_err_set(err, POUCH_E_VERIFY, "created in the future (%s)",
				     pouch_time_format(h->created, when));
	if (now >= h->expires)
		return pouch_err_set(err, POUCH_E_EXPIRED, "expired on %s",
				     pouch_time_format(h->expires, when));
	return 0;
}

/* A package from the inbox must be the one verified on arrival: the same header bytes. */
static int check_arrival(const struct pouch_verified *v, const struct pouch_arrival *a,
			 struct pouch_err *err)
{
	char hex[POUCH_SHA256_HEX];
	int ret = pouch_sha256_buf(v->env.header, v->env.header_len, hex, err);

	if (ret == 0 && strcmp(hex, a->header_sha256) != 0)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "its header is not the one verified on "
				    "arrival");
	return ret;
}

int pouch_signed_in_time(const struct pouch_header *h, time_t signed_at, struct pouch_err *err)
{
	char when[POUCH_TIME_LEN], created[POUCH_TIME_LEN];
	long long late = SKEW + (long long)(h->payload_size / SEAL_RATE_MIN);

	if ((long long)signed_at < (long long)h->created - SKEW ||
	    (long long)signed_at > (long long)h->created + late)
		return pouch_err_set(err, POUCH_E_VERIFY, "the payload was signed on %s, not when "
				     "the header says the package was created (%s)",
				     pouch_time_format(signed_at, when),
				     pouch_time_format(h->created, created));
	return 0;
}

static int verify(const struct pouch_home *home, const char *path, time_t now,
		  const struct pouch_arrival *arrival, struct pouch_verified *v,
		  struct pouch_err *err)
{
	struct pouch_pgp *pgp = NULL;
	char signer[POUCH_FPR_LEN + 1], agency[POUCH_CODE_MAX + 1] = "", when[POUCH_TIME_LEN];
	int ret;

	ret = pouch_home_pgp(home, &pgp, err);
	if (ret < 0)
		return ret;
	ret = pouch_signature_check(home, pgp, "the header signature", v->env.header,
				    v->env.header_len, v->env.sig, v->env.sig_len, now, signer,
				    agency, err);
	if (ret)
		goto out;
	ret = pouch_header_decode(v->env.header, v->env.header_len, &v->h, err);
	if (ret < 0)
		goto out;
	if (strcmp(v->h.sender.agency, agency) != 0 || strcmp(v->h.sender.fpr, signer) != 0) {
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the header names sender %s (%s) but is "
				    "signed by %s (%s)", v->h.sender.agency, v->h.sender.fpr,
				    agency, signer);
		goto out;
	}
	ret = check_payload(path, v, err);
	if (!ret && arrival)
		ret = check_arrival(v, arrival, err);
	/* Expiry bounds delivery and replay, not reading: what was verified in time on arrival
	 * stays readable from the inbox. */
	if (!ret)
		ret = check_times(&v->h, arrival ? arrival->received : now, err);
out:
	pouch_pgp_free(pgp);
	if (ret == POUCH_E_VERIFY)
		pouch_err_prefix(err, "package '%s' is not genuine", path);
	else if (ret == POUCH_E_EXPIRED)
		pouch_err_set(err, ret, "package '%s' expired on %s", path,
			      pouch_time_format(v->h.expires, when));
	return ret;
}

int pouch_package_verify(const struct pouch_home *home, const char *path, time_t now,
			 struct pouch_verified *v, struct pouch_err *err)
{
	return pouch_package_verify_arrived(home, path, now, NULL, v, err);
}

int pouch_package_verify_arrived(const struct pouch_home *home, const char *path, time_t now,
				 const struct pouch_arrival *arrival, struct pouch_verified *v,
				 struct pouch_err *err)
{
	int ret;

	memset(v, 0, sizeof(*v));
	/* A malformed envelope says so itself; what follows is about genuineness. */
	ret = pouch_envelope_read(path, &v->env, err);
	if (!ret)
		ret = verify(home, path, now, arrival, v, err);
	if (ret < 0)
		pouch_verified_release(v);
	return ret;
}

char *pouch_verdict_json(const char *path, const struct pouch_verified *v)
{
	json_t *j, *rcpt = json_array(), *keys = json_array();
	char *text;
	size_t i;

	for (i = 0; rcpt && keys && i < v->h.nrecipients; i++) {
		json_array_append_new(rcpt, json_string(v->h.recipients[i].agency));
		json_array_append_new(keys, json_pack("{s:s, s:s}", "agency",
						      v->h.recipients[i].agency, "fingerprint",
						      v->h.recipients[i].fpr));
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:o, "
		      "s:{s:I, s:s, s:b}}",
		      "verdict", "good", "path", path, "id", v->h.id, "sender", v->h.sender.agency,
		      "fingerprint", v->h.sender.fpr, "recipients", rcpt, "keys", keys, "priority",
		      v->h.priority, "classification", v->h.classification, "tlp", v->h.tlp,
		      "created", pouch_json_time_new(v->h.created), "expires",
		      pouch_json_time_new(v->h.expires), "payload", "size",
		      (json_int_t)v->h.payload_size, "sha256", v->h.payload_sha256, "detached",
		      v->payload_path != NULL);
	text = j ? pouch_json_text(j, 0) : NULL;
	json_decref(j);
	return text;
}
