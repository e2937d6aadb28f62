/* OpenPGP through GPGME, signatures and messages: detached signatures over exact bytes,
 * sealing (sign and encrypt) and opening (decrypt and verify) by ../shared/OPENPGP.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/fault.h"
#include "crypto/pgp_internal.h"

/* A key looked up by primary fingerprint, for signing (ours) or encrypting to. */
static int key_by_fpr(struct pouch_pgp *pgp, const char *fpr, int ours, gpgme_key_t *key,
		      struct pouch_err *err)
{
	int ret = pgp_get_key(pgp, fpr, 0, 1, key, err);

	if (ret < 0)
		pouch_err_prefix(err, ours ? "cannot use our signing key"
					   : "cannot use a recipient key");
	return ret;
}

/* The one signature policy (spec/envelope.md section 5), for every signature pouch makes or
 * checks: a digest of at least 256 bits, from the SHA-2 family. Refused with code. */
static int digest_policy(gpgme_hash_algo_t algo, int code, struct pouch_err *err)
{
	const char *name = gpgme_hash_algo_name(algo);

	if (algo == GPGME_MD_SHA256 || algo == GPGME_MD_SHA384 || algo == GPGME_MD_SHA512)
		return 0;
	return pouch_err_set(err, code, "signature over a %s digest: weaker than SHA-256",
			     name ? name : "unknown");
}

/* Our certificate, as the signer of the next operation (*key: the caller's to unref). Its
 * public listing is enough: gpg refuses to sign without the secret key, and the signature it
 * makes is checked to be by a key of this certificate. */
static int use_signer(struct pouch_pgp *pgp, const char *signer, gpgme_key_t *key,
		      struct pouch_err *err)
{
	gpgme_error_t e;
	int ret = key_by_fpr(pgp, signer, 1, key, err);

	if (ret < 0)
		return ret;
	gpgme_signers_clear(pgp->ctx);
	e = gpgme_signers_add(pgp->ctx, *key);
	return e ? pgp_fail(err, POUCH_E_GPG, "cannot use our signing key", e) : 0;
}

/* Exactly one new signature, by a key of our certificate, and no invalid signer. */
static int check_sign_result(gpgme_sign_result_t res, gpgme_key_t signer, struct pouch_err *err)
{
	gpgme_subkey_t sk;

	if (!res || res->invalid_signers || !res->signatures || res->signatures->next)
		return pouch_err_set(err, POUCH_E_GPG, "GnuPG did not make exactly one signature");
	for (sk = signer->subkeys; sk; sk = sk->next)
		if (sk->fpr && res->signatures->fpr && strcasecmp(sk->fpr, res->signatures->fpr) == 0)
			return digest_policy(res->signatures->hash_algo, POUCH_E_GPG, err);
	return pouch_err_set(err, POUCH_E_GPG, "GnuPG signed with key %s, not one of %s",
			     res->signatures->fpr ? res->signatures->fpr : "(unknown)",
			     signer->subkeys->fpr);
}

int pouch_pgp_sign_detached(struct pouch_pgp *pgp, const char *signer, const void *buf,
			    size_t len, char **sig, size_t *siglen, struct pouch_err *err)
{
	gpgme_data_t in = NULL, out = NULL;
	gpgme_key_t key = NULL;
	gpgme_error_t e;
	char *mem = NULL;
	size_t mlen = 0;
	int ret;

	*sig = NULL;
	ret = use_signer(pgp, signer, &key, err);
	if (ret < 0)
		goto out;
	gpgme_set_armor(pgp->ctx, 0);
	e = gpgme_data_new_from_mem(&in, buf, len, 0);
	if (!e)
		e = gpgme_data_new(&out);
	if (!e)
		e = gpgme_op_sign(pgp->ctx, in, out, GPGME_SIG_MODE_DETACH);
	if (e) {
		ret = pgp_fail(err, POUCH_E_GPG, "cannot sign", e);
		goto out;
	}
	ret = check_sign_result(gpgme_op_sign_result(pgp->ctx), key, err);
	if (ret < 0)
		goto out;
	mem = gpgme_data_release_and_get_mem(out, &mlen);
	out = NULL;
	*sig = mem ? malloc(mlen ? mlen : 1) : NULL;
	if (!*sig) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*sig, mem, mlen);
	*siglen = mlen;
out:
	gpgme_set_armor(pgp->ctx, 1);
	gpgme_signers_clear(pgp->ctx);
	gpgme_key_unref(key);
	gpgme_free(mem);
	gpgme_data_release(in);
	gpgme_data_release(out);
	return ret;
}

/* OPENPGP.md steps 4 to 7, short of the pin: one good signature by a valid key; its primary
 * fingerprint to signer. */
static int check_signatures(struct pouch_pgp *pgp, gpgme_verify_result_t res, char *signer,
			    time_t *signed_at, struct pouch_err *err)
{
	gpgme_signature_t sig = res ? res->signatures : NULL;
	struct pouch_err why = { 0 };
	struct pouch_key_info info;
	gpgme_key_t key = NULL;
	char buf[128];

	signer[0] = '\0';
	if (!sig)
		return pouch_err_set(err, POUCH_E_VERIFY, "not signed");
	if (sig->next)
		return pouch_err_set(err, POUCH_E_VERIFY, "more than one signature");
	/* GnuPG says "good" for SHA-1 and RIPEMD-160 signatures too. A bad signature may not
	 * say its digest: it is refused below for what it is. */
	if ((sig->hash_algo != GPGME_MD_NONE || !sig->status) &&
	    digest_policy(sig->hash_algo, POUCH_E_VERIFY, err) < 0)
		return POUCH_E_VERIFY;
	switch (gpgme_err_code(sig->status)) {
	case GPG_ERR_NO_ERROR:
		break;
	case GPG_ERR_NO_PUBKEY:
		return pouch_err_set(err, POUCH_E_VERIFY, "signed by key %s, which is not in the "
				     "keyring (no partner in the directory pins it)",
				     sig->fpr ? sig->fpr : "(unknown)");
	case GPG_ERR_CERT_REVOKED:
		return pouch_err_set(err, POUCH_E_VERIFY, "signed by key %s, which is revoked",
				     sig->fpr ? sig->fpr : "(unknown)");
	case GPG_ERR_KEY_EXPIRED:
	case GPG_ERR_SIG_EXPIRED:
		return pouch_err_set(err, POUCH_E_VERIFY, "signed by key %s, which is expired",
				     sig->fpr ? sig->fpr : "(unknown)");
	default:
		return pouch_err_set(err, POUCH_E_VERIFY, "bad signature: %s",
				     pgp_strerror(sig->status, buf, sizeof(buf)));
	}
	if (sig->wrong_key_usage || sig->validity_reason || sig->validity == GPGME_VALIDITY_NEVER)
		return pouch_err_set(err, POUCH_E_VERIFY, "signature by a key not valid for it");
	if (!sig->fpr || strlen(sig->fpr) != POUCH_FPR_LEN)
		return pouch_err_set(err, POUCH_E_VERIFY, "signature by an unknown key");
	/* A signing subkey reports itself: the pin is on the primary key, which one lookup by
	 * either fingerprint gives, from the one certificate that may hold it. */
	if (pgp_get_key(pgp, sig->fpr, 0, 0, &key, &why) < 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "signature by an unknown key: %s",
				     why.msg);
	pgp_fill_info(key, &info);
	gpgme_key_unref(key);
	if (info.revoked || info.expired || info.disabled || info.invalid)
		return pouch_err_set(err, POUCH_E_VERIFY, "signature by key %s, which is %s",
				     info.fpr, info.revoked ? "revoked" : "expired or not valid");
	snprintf(signer, POUCH_FPR_LEN + 1, "%s", info.fpr);
	if (signed_at)
		*signed_at = (time_t)sig->timestamp;
	return 0;
}

int pouch_pgp_verify_detached(struct pouch_pgp *pgp, const void *buf, size_t len,
			      const void *sig, size_t siglen, char *signer, struct pouch_err *err)
{
	gpgme_data_t text = NULL, sigdata = NULL;
	gpgme_error_t e;
	int ret;

	signer[0] = '\0';
	e = gpgme_data_new_from_mem(&text, buf, len, 0);
	if (!e)
		e = gpgme_data_new_from_mem(&sigdata, sig, siglen, 0);
	if (!e)
		e = gpgme_op_verify(pgp->ctx, sigdata, text, NULL);
	/* A test build can hold (or stop) a verification here, in the middle of it. */
	(void)pouch_fault_hit("pgp.verify");
	if (e) {
		/* Malformed signature data is not genuine, not a GnuPG failure. */
		ret = pgp_fail(err, POUCH_E_VERIFY, "cannot verify", e);
		goto out;
	}
	ret = check_signatures(pgp, gpgme_op_verify_result(pgp->ctx), signer, NULL, err);
out:
	gpgme_data_release(text);
	gpgme_data_release(sigdata);
	return ret;
}

int pouch_pgp_seal(struct pouch_pgp *pgp, const char *signer, const char *const *recipients,
		   size_t n, int in_fd, int out_fd, char *sha256, unsigned long long *size,
		   struct pouch_err *err)
{
	struct pgp_sink sink = { .fd = out_fd, .max = ~0ULL, .hash = sha256 != NULL };
	struct pgp_source src = { .fd = -1 };
	gpgme_key_t *keys = NULL, key = NULL;
	gpgme_data_t in = NULL, out = NULL;
	gpgme_encrypt_result_t enc;
	gpgme_error_t e;
	size_t i;
	int ret;

	keys = calloc(n + 1, sizeof(*keys));
	if (!keys)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = use_signer(pgp, signer, &key, err);
	for (i = 0; !ret && i < n; i++)
		ret = key_by_fpr(pgp, recipients[i], 0, &keys[i], err);
	if (!ret)
		ret = pgp_source_new(&src, in_fd, 0, &in, err);
	if (!ret)
		ret = pgp_sink_new(&sink, &out, err);
	if (ret < 0)
		goto out;
	gpgme_set_armor(pgp->ctx, 0);
	/* Trust is the partner directory's pin, not GnuPG's web of trust. No compression: the
	 * plaintext is then never larger than the message, which caps it on opening. */
	e = gpgme_op_encrypt_sign(pgp->ctx, keys,
				  GPGME_ENCRYPT_ALWAYS_TRUST | GPGME_ENCRYPT_NO_COMPRESS, in, out);
	if (e) {
		ret = sink.failed ? pgp_sink_finish(&sink, err)
				  : pgp_fail(err, POUCH_E_GPG, "cannot sign and encrypt", e);
		goto out;
	}
	enc = gpgme_op_encrypt_result(pgp->ctx);
	if (!enc || enc->invalid_recipients) {
		ret = pouch_err_set(err, POUCH_E_GPG, "cannot encrypt to %s",
				    enc && enc->invalid_recipients && enc->invalid_recipients->fpr
					    ? enc->invalid_recipients->fpr
					    : "a recipient");
		goto out;
	}
	ret = check_sign_result(gpgme_op_sign_result(pgp->ctx), key, err);
	if (!ret)
		ret = pgp_sink_finish(&sink, err);
	if (!ret && sha256)
		pouch_sha256_hex(sink.d, sha256);
	if (!ret && size)
		*size = sink.written;
out:
	gpgme_set_armor(pgp->ctx, 1);
	gpgme_signers_clear(pgp->ctx);
	gpgme_key_unref(key);
	gpgme_data_release(in);
	gpgme_data_release(out);
	pgp_source_release(&src);
	pgp_sink_release(&sink);
	for (i = 0; keys && i < n; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
	return ret;
}

/* Whether one of the message's session-key packets is for a secret key we hold. GnuPG reports
 * "no secret key" for a tampered message too, when another recipient's packet comes first. */
static int key_unusable(gpgme_error_t e)
{
	switch (gpgme_err_code(e)) {
	case GPG_ERR_BAD_PASSPHRASE:
	case GPG_ERR_CANCELED:
	case GPG_ERR_NO_PIN_ENTRY:
	case GPG_ERR_PIN_ENTRY:
	case GPG_ERR_NO_AGENT:
	case GPG_ERR_AGENT:
	case GPG_ERR_ENOTTY:
	case GPG_ERR_TIMEOUT:
		return 1;
	default:
		return 0;
	}
}

static int for_us(gpgme_decrypt_result_t dec)
{
	gpgme_recipient_t r;

	for (r = dec ? dec->recipients : NULL; r; r = r->next)
		if (gpgme_err_code(r->status) == GPG_ERR_NO_ERROR)
			return 1;
	return 0;
}

/* Where the plaintext goes: fn, or the file fd; nothing more once the pass that looks inside
 * the encryption refuses the message. */
struct plain_out {
	struct pgp_unwrap *unwrap;
	int (*fn)(void *arg, const void *buf, size_t len);
	void *arg;
};

static int plain_write(void *arg, const void *buf, size_t len)
{
	struct plain_out *o = arg;

	if (pgp_unwrap_refused(o->unwrap)) {
		errno = ECANCELED;
		return -1;
	}
	return o->fn(o->arg, buf, len);
}

static int fd_write(void *arg, const void *buf, size_t len)
{
	return pouch_fs_write_all(*(const int *)arg, buf, len);
}

/* The decryption's outcome, by ../shared/OPENPGP.md steps 2 and 3 (e: GPGME's error). */
static int check_decrypt(struct pouch_pgp *pgp, gpgme_error_t e, struct pouch_err *err)
{
	gpgme_decrypt_result_t dec = gpgme_op_decrypt_result(pgp->ctx);
	char buf[128];

	/* Every error counts, NO_DATA included: a tampered compressed message ends in it. A
	 * secret key we could not use is our trouble, not the package's. */
	if (e && pgp->asked_sym)
		return pouch_err_set(err, POUCH_E_REFUSED, "cannot decrypt: GnuPG asked for a "
				     "passphrase to the message, and pouch never gives one");
	if (e && pgp->asked_key)
		return pouch_err_set(err, POUCH_E_GPG, "cannot use our secret key: it is protected "
				     "by a passphrase, and none was given (nor cached by gpg-agent)");
	if (e && key_unusable(e))
		return pouch_err_set(err, POUCH_E_GPG, "cannot use our secret key: %s",
				     pgp_strerror(e, buf, sizeof(buf)));
	if (e)
		return pouch_err_set(err, for_us(dec) ? POUCH_E_VERIFY : POUCH_E_REFUSED,
				     "cannot decrypt: %s",
				     for_us(dec) ? pgp_strerror(e, buf, sizeof(buf))
						 : "not encrypted to our key");
	if (!dec || dec->legacy_cipher_nomdc || dec->unsupported_algorithm)
		return pouch_err_set(err, POUCH_E_VERIFY, "not an integrity-protected message");
	return 0;
}

int pouch_pgp_open_to(struct pouch_pgp *pgp, int in_fd,
		      int (*fn)(void *arg, const void *buf, size_t len), void *arg,
		      unsigned long long max_plain, char *signer, time_t *signed_at,
		      struct pouch_err *err)
{
	struct plain_out o = { NULL, fn, arg };
	struct pgp_sink k = { .fn = plain_write, .arg = &o, .max = max_plain };
	struct pgp_source src = { .fd = -1 };
	gpgme_data_t in = NULL, out = NULL;
	gpgme_error_t e;
	int ret, unwrapped;

	signer[0] = '\0';
	*signed_at = 0;
	k.progress = &pgp->progress;
	/* A message for a passphrase is refused before GnuPG could ask for one; whatever it
	 * asks for anyway comes to our callback, which answers only for our own key. */
	ret = pgp_check_esk(in_fd, err);
	if (ret < 0)
		return ret;
	pgp->decrypting = 1;
	pgp_no_prompt(pgp);
	ret = pgp_source_new(&src, in_fd, 1, &in, err);
	if (!ret)
		ret = pgp_sink_new(&k, &out, err);
	/* The pass that refuses compression runs beside this decryption, and stops its output
	 * as soon as it refuses. */
	if (!ret)
		ret = pgp_unwrap_start(pgp, in_fd, &o.unwrap, err);
	if (ret < 0)
		goto out;
	e = gpgme_op_decrypt_verify(pgp->ctx, in, out);
	unwrapped = pgp_unwrap_finish(o.unwrap, err);
	o.unwrap = NULL;
	if (unwrapped < 0)
		ret = unwrapped;
	else if (k.over)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "plaintext larger than %llu bytes",
				    max_plain);
	else if (k.failed) /* ours to write, and it failed */
		ret = pgp_sink_finish(&k, err);
	else
		ret = check_decrypt(pgp, e, err);
	if (!ret)
		ret = pgp_sink_finish(&k, err);
	if (!ret)
		ret = check_signatures(pgp, gpgme_op_verify_result(pgp->ctx), signer, signed_at,
				       err);
out:
	pgp_unwrap_finish(o.unwrap, NULL);
	pgp->decrypting = 0;
	gpgme_data_release(in);
	gpgme_data_release(out);
	pgp_source_release(&src);
	pgp_sink_release(&k);
	return ret;
}

int pouch_pgp_open(struct pouch_pgp *pgp, int in_fd, int out_fd, unsigned long long max_plain,
		   char *signer, time_t *signed_at, struct pouch_err *err)
{
	return pouch_pgp_open_to(pgp, in_fd, fd_write, &out_fd, max_plain, signer, signed_at,
				 err);
}
