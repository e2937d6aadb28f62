/* Inside the OpenPGP module only (pgp.c: contexts and keys; pgp_message.c: signatures and
 * messages; pgp_unwrap.c: inside a message's encryption): the context structure and helpers
 * they share. Includes gpgme.h. */
#ifndef POUCH_PGP_INTERNAL_H
#define POUCH_PGP_INTERNAL_H

#include <gpgme.h>

#include "base/fs.h"
#include "crypto/digest.h"
#include "crypto/pgp.h"

struct pgp_keycache;

struct pouch_pgp {
	gpgme_ctx_t ctx;
	gpgme_ctx_t keys; /* for key listings, which would end ctx's results */
	struct pgp_keycache *cache; /* the keys of home, listed once (pgp_keycache.c) */
	int own_cache;              /* cache is this context's, not the process home's */
	const char *passphrase;
	char *home;     /* the GNUPGHOME, for messages */
	int decrypting; /* a passphrase asked for may be a message's */
	int asked_sym;  /* GnuPG asked for a passphrase to a message (refused) */
	int asked_key;  /* GnuPG asked for our key's passphrase, and we had none */
	struct pouch_progress progress; /* of pouch_pgp_open's plaintext, or none */
};

/* A context on gnupghome that lists keys with their keygrips, with network lookups and keys
 * taken from signatures off: only the pinned keyring counts. The first home a process opens with
 * pgp_set_process_home is GPGME's default, so that a context on it costs no gpg process;
 * another home is set on the context itself. Either way the context's home is checked to be
 * gnupghome before it is used. */
gpgme_error_t pgp_new_ctx(const char *gnupghome, gpgme_ctx_t *ctx);

/* Makes gnupghome GPGME's default home for the process, unless one was made so before: 1 when
 * gnupghome is (now or already) the process home, 0 when another home is. */
int pgp_set_process_home(const char *gnupghome);

/* The key cache of the process home (shared by every context on it, in every thread: kept
 * for the whole run) when process_home is set, else a new one for one context (freed with
 * pgp_keycache_free). NULL when out of memory. */
struct pgp_keycache *pgp_keycache_get(const char *gnupghome, int process_home);

void pgp_keycache_free(struct pgp_keycache *c);

/* Forgets every key cache holds: the keyring changed (an import, a key made or deleted). The
 * cache also forgets by itself what it listed when the keyring's files change on disk (another
 * process changed them) or when a key it holds reaches its expiry time. */
void pgp_keycache_invalidate(struct pgp_keycache *c);

/* The certificates in cache that hold the key fpr (primary or subkey), from one listing of the
 * whole keyring (secret: of the secret keyring) made with lister when the cache had none that
 * is current: *n of them (0, 1 or 2: two means at least two) in out, each the caller's to
 * unref. */
int pgp_keycache_find(struct pgp_keycache *c, gpgme_ctx_t lister, const char *fpr, int secret,
		      gpgme_key_t out[2], size_t *n, struct pouch_err *err);

/* Every certificate in the public keyring, as pgp_keycache_find lists them: *keys is an array
 * of *n (caller unrefs each and frees it). */
int pgp_keycache_all(struct pgp_keycache *c, gpgme_ctx_t lister, gpgme_key_t **keys, size_t *n,
		     struct pouch_err *err);

/* Makes GnuPG sign with SHA-512 in gnupghome (pouch's keys are ed25519, for which SHA-256 is
 * GnuPG's default today): writes its gpg.conf unless one exists. Best effort: without it the
 * signature policy still holds every signature to SHA-256 or stronger. */
void pgp_write_conf(const char *gnupghome);

/* GPGME's text for e, in buf. */
const char *pgp_strerror(gpgme_error_t e, char *buf, size_t len);

/* Sets err to "what: GPGME's text" with code; returns code. */
int pgp_fail(struct pouch_err *err, int code, const char *what, gpgme_error_t e);

/* Describes key in info: primary fingerprint, first user ID, capabilities of usable subkeys. */
void pgp_fill_info(gpgme_key_t key, struct pouch_key_info *info);

/* Starts, in a thread with a context of its own, the pass that refuses a message in in_fd
 * (seekable; read with pread from its offset, which is kept) with a compressed data packet
 * anywhere, or a packet other than signatures, markers or padding before or after its one
 * literal data: gpg unwraps the encryption (pgp_unwrap.c). *out is for pgp_unwrap_finish,
 * which must be called. */
struct pgp_unwrap;
int pgp_unwrap_start(struct pouch_pgp *pgp, int in_fd, struct pgp_unwrap **out,
		     struct pouch_err *err);

/* Whether the pass has already found a reason to refuse the message (callable any time). */
int pgp_unwrap_refused(struct pgp_unwrap *u);

/* Waits for the pass and frees u (NULL: 0): 0 also when the message could not be unwrapped
 * (the decryption proper says why), POUCH_E_VERIFY, POUCH_E_GPG, POUCH_E_IO or
 * POUCH_E_NOMEM. */
int pgp_unwrap_finish(struct pgp_unwrap *u, struct pouch_err *err);

/* The one certificate in the keyring that holds the key fpr (a full 40-hex fingerprint, never a
 * key ID, user ID or pattern), as its primary key when primary is set, with its secret part
 * when secret is set; *out is the caller's to unref. None is POUCH_E_NOTFOUND (also a key held
 * only as a subkey when primary is set), more than one is POUCH_E_CORRUPT. */
int pgp_get_key(struct pouch_pgp *pgp, const char *fpr, int secret, int primary,
		gpgme_key_t *out, struct pouch_err *err);

/* Refuses (POUCH_E_REFUSED) the certificates in buf, before they are imported, when one holds a
 * key twice or a key (by fingerprint or keygrip) that another certificate in buf or in the
 * keyring holds. Unreadable data is POUCH_E_VERIFY. */
int pgp_check_import(struct pouch_pgp *pgp, const char *buf, size_t len, struct pouch_err *err);

/* Reads the session-key packets at the start of the message in fd (pread: the offset stays) and
 * refuses one that is encrypted with a passphrase (a symmetric-key packet, or no public-key
 * packet before the encrypted data) with POUCH_E_REFUSED, so that GnuPG never asks for one;
 * anything but session keys followed by integrity-protected data is POUCH_E_VERIFY. */
int pgp_check_esk(int fd, struct pouch_err *err);

/* The data objects of messages (pgp_data.c): bytes move PGP_BUF at a time. */
#define PGP_BUF (1024 * 1024)

/* Where GPGME reads a message or plaintext from: fd, PGP_BUF bytes at a time, with pread from
 * the offset fd had when the source was made when positional is set (fd's offset stays, and
 * another reader may share fd), else with read. */
struct pgp_source {
	int fd;
	int positional;
	off_t off;
	unsigned char *buf;
	size_t pos, len;
};

/* Makes s (its fields set here) and *out, a data object reading through it; release *out
 * first, then s with pgp_source_release. */
int pgp_source_new(struct pgp_source *s, int fd, int positional, gpgme_data_t *out,
		   struct pouch_err *err);
void pgp_source_release(struct pgp_source *s);

/* Where GPGME writes: PGP_BUF bytes at a time, to fn(arg, buf, len) when fn is set (a negative
 * return fails the write with errno), else to the file fd (its writeback started as it goes).
 * More than max bytes fail the write and set over. With hash set, the SHA-256 of everything
 * handed on is in d. progress (NULL: none) hears of every write, as written of max. The caller
 * sets fd or fn and arg, max, hash and progress, zeroes the rest, then calls pgp_sink_new, and
 * after the operation pgp_sink_finish, which hands on what is still buffered. */
struct pgp_sink {
	int fd;
	int (*fn)(void *arg, const void *buf, size_t len);
	void *arg;
	unsigned long long max;
	int hash;
	const struct pouch_progress *progress;
	unsigned long long written;
	int over;   /* a write went past max */
	int failed; /* the errno a hand-on failed with */
	struct pouch_sha256 *d;
	unsigned char *buf;
	size_t len;
	off_t flushed;
};

int pgp_sink_new(struct pgp_sink *k, gpgme_data_t *out, struct pouch_err *err);
int pgp_sink_finish(struct pgp_sink *k, struct pouch_err *err);
void pgp_sink_release(struct pgp_sink *k);

/* Makes every passphrase GnuPG asks for in the next operations come from pgp's callback (loopback
 * pinentry, never a prompt): our key's passphrase when one was set, and a refusal for anything
 * else (with decrypting set, for any passphrase but a secret key's), noted in asked_sym or
 * asked_key. */
void pgp_no_prompt(struct pouch_pgp *pgp);

#endif
