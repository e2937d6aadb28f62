/* OpenPGP through GPGME, the key cache: the keyring is listed whole once per run (a gpg process
 * per listing, however many keys are looked up), and listed again when it changed, in this
 * process or on disk, or when a key in it reached its expiry time. A lookup is still by one
 * full fingerprint, against every key of every certificate, as gpg's own would be. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sys/stat.h>

#include "crypto/pgp_internal.h"

/* What stat says of one of the keyring's files: a change to the file changes one of these. */
struct file_stamp {
	int exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

/* The files a listing reads: the public keyring (either format), the trust database (a key's
 * disabled flag), the secret keys' directory. */
static const char *const stamped[] = { "pubring.kbx", "pubring.gpg", "trustdb.gpg",
				       "private-keys-v1.d" };
#define NSTAMPED (sizeof(stamped) / sizeof(stamped[0]))

/* One listing: its certificates, and when it stops being current. */
struct listing {
	int valid;
	gpgme_key_t *keys;
	size_t n;
	struct file_stamp stamp[NSTAMPED];
	time_t until; /* the first expiry time of a key in it, or 0 */
};

struct pgp_keycache {
	struct pgp_keycache *next;
	pthread_mutex_t lock;
	char *home;
	struct listing lists[2]; /* public, secret */
};

static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pgp_keycache *caches; /* the process home's, kept for the run */

static void stamp_now(const char *home, struct file_stamp *st)
{
	char path[4096];
	struct stat sb;
	size_t i;

	for (i = 0; i < NSTAMPED; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", home, stamped[i]) >= sizeof(path) ||
		    stat(path, &sb) != 0)
			continue;
		st[i].exists = 1;
		st[i].dev = sb.st_dev;
		st[i].ino = sb.st_ino;
		st[i].size = sb.st_size;
		st[i].mtime = sb.st_mtim;
		st[i].ctime = sb.st_ctim;
	}
}

static int same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static int same_stamp(const struct file_stamp *a, const struct file_stamp *b)
{
	size_t i;

	for (i = 0; i < NSTAMPED; i++)
		if (a[i].exists != b[i].exists || a[i].dev != b[i].dev || a[i].ino != b[i].ino ||
		    a[i].size != b[i].size || !same_time(a[i].mtime, b[i].mtime) ||
		    !same_time(a[i].ctime, b[i].ctime))
			return 0;
	return 1;
}

static void listing_clear(struct listing *l)
{
	while (l->n > 0)
		gpgme_key_unref(l->keys[--l->n]);
	free(l->keys);
	memset(l, 0, sizeof(*l));
}

/* The first time after now at which a key in the listing expires: gpg says "expired" only
 * of what had expired when it listed. */
static time_t first_expiry(gpgme_key_t *keys, size_t n, time_t now)
{
	gpgme_subkey_t sk;
	time_t until = 0;
	size_t i;

	for (i = 0; i < n; i++)
		for (sk = keys[i]->subkeys; sk; sk = sk->next)
			if (sk->expires > 0 && (time_t)sk->expires > now &&
			    (!until || (time_t)sk->expires < until))
				until = (time_t)sk->expires;
	return until;
}

static int list_all(struct listing *l, const char *home, gpgme_ctx_t lister, int secret,
		    struct pouch_err *err)
{
	gpgme_key_t key = NULL;
	gpgme_error_t e;
	time_t now = time(NULL);

	listing_clear(l);
	/* Stamped before listing: a change made while gpg lists is seen at the next lookup. */
	stamp_now(home, l->stamp);
	e = gpgme_op_keylist_start(lister, NULL, secret);
	while (!e) {
		gpgme_key_t *grown;

		e = gpgme_op_keylist_next(lister, &key);
		if (e)
			break;
		grown = realloc(l->keys, (l->n + 1) * sizeof(*l->keys));
		if (!grown) {
			gpgme_key_unref(key);
			e = gpg_error(GPG_ERR_ENOMEM);
			break;
		}
		l->keys = grown;
		l->keys[l->n++] = key;
	}
	gpgme_op_keylist_end(lister);
	if (gpgme_err_code(e) != GPG_ERR_EOF) {
		listing_clear(l);
		return pgp_fail(err, POUCH_E_GPG, "cannot list the keyring", e);
	}
	l->until = first_expiry(l->keys, l->n, now);
	l->valid = 1;
	return 0;
}

static int current(const struct listing *l, const char *home)
{
	struct file_stamp now[NSTAMPED];

	if (!l->valid || (l->until && time(NULL) >= l->until))
		return 0;
	stamp_now(home, now);
	return same_stamp(now, l->stamp);
}

static struct pgp_keycache *cache_new(const char *home)
{
	struct pgp_keycache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (!(c->home = strdup(home)) || pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->home);
		free(c);
		return NULL;
	}
	return c;
}

struct pgp_keycache *pgp_keycache_get(const char *gnupghome, int process_home)
{
	struct pgp_keycache *c;

	if (!process_home)
		return cache_new(gnupghome);
	pthread_mutex_lock(&caches_lock);
	for (c = caches; c && strcmp(c->home, gnupghome) != 0; c = c->next)
		;
	if (!c && (c = cache_new(gnupghome))) {
		c->next = caches;
		caches = c;
	}
	pthread_mutex_unlock(&caches_lock);
	return c;
}

void pgp_keycache_free(struct pgp_keycache *c)
{
	if (!c)
		return;
	listing_clear(&c->lists[0]);
	listing_clear(&c->lists[1]);
	pthread_mutex_destroy(&c->lock);
	free(c->home);
	free(c);
}

void pgp_keycache_invalidate(struct pgp_keycache *c)
{
	pthread_mutex_lock(&c->lock);
	listing_clear(&c->lists[0]);
	listing_clear(&c->lists[1]);
	pthread_mutex_unlock(&c->lock);
}

/* Whether key holds fpr as its primary key or one of its subkeys. */
static int holds(gpgme_key_t key, const char *fpr)
{
	gpgme_subkey_t sk;

	for (sk = key->subkeys; sk; sk = sk->next)
		if (sk->fpr && strcasecmp(sk->fpr, fpr) == 0)
			return 1;
	return 0;
}

int pgp_keycache_find(struct pgp_keycache *c, gpgme_ctx_t lister, const char *fpr, int secret,
		      gpgme_key_t out[2], size_t *n, struct pouch_err *err)
{
	struct listing *l = &c->lists[secret ? 1 : 0];
	size_t i;
	int ret = 0;

	*n = 0;
	out[0] = out[1] = NULL;
	pthread_mutex_lock(&c->lock);
	if (!current(l, c->home))
		ret = list_all(l, c->home, lister, secret, err);
	for (i = 0; !ret && i < l->n && *n < 2; i++)
		if (holds(l->keys[i], fpr)) {
			gpgme_key_ref(l->keys[i]);
			out[(*n)++] = l->keys[i];
		}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

int pgp_keycache_all(struct pgp_keycache *c, gpgme_ctx_t lister, gpgme_key_t **keys, size_t *n,
		     struct pouch_err *err)
{
	struct listing *l = &c->lists[0];
	size_t i;
	int ret = 0;

	*keys = NULL;
	*n = 0;
	pthread_mutex_lock(&c->lock);
	if (!current(l, c->home))
		ret = list_all(l, c->home, lister, 0, err);
	if (!ret && l->n > 0 && !(*keys = calloc(l->n, sizeof(**keys))))
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	for (i = 0; !ret && i < l->n; i++) {
		gpgme_key_ref(l->keys[i]);
		(*keys)[(*n)++] = l->keys[i];
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}
