/* OpenPGP through GPGME, what lies inside a message's encryption: the packets gpg unwraps
 * (decrypted, neither verified nor decompressed) are read, the literal data passed over, so that
 * a compressed payload is refused as such (spec/envelope.md section 3), wherever its compressed
 * packet lies: gpg decompresses one after the literal data too, and when it holds no second
 * literal data the signature is still good. GPGME itself reports nothing about compression, and
 * a compressed payload need not be larger than the cap. The pass runs in a thread of its own,
 * beside the decryption proper, each reading the message with its own offset. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/pgp_internal.h"

enum verdict { MORE, COMPRESSED, ODD };

/* The packet headers of the unwrapped stream (RFC 4880 section 4.2), read as it comes. */
struct scan {
	enum verdict verdict;
	int tag;        /* the packet being read */
	int in_len;     /* reading length octets (else expecting a packet's first octet) */
	int new_format; /* the packet has a new-format header */
	unsigned got;   /* length octets read */
	unsigned need;  /* length octets an old-format header or a 2- or 5-octet length has */
	uint64_t len;   /* the length being read */
	uint64_t skip;  /* body octets left to pass over */
	int partial;    /* the body goes on after skip with another length */
	int data;       /* the literal data has come (its body is passed over) */
	int to_end;     /* the last packet's body runs to the end of the stream */
};

/* What a packet of this tag says, before the literal data or after it. */
static enum verdict verdict_for(int tag, int data)
{
	switch (tag) {
	case 8: /* compressed data */
		return COMPRESSED;
	case 11: /* literal data: the plaintext itself, once */
	case 4:  /* one-pass signature */
		return data ? ODD : MORE;
	case 2:  /* signature */
	case 10: /* marker */
	case 21: /* padding */
		return MORE;
	default:
		return ODD;
	}
}

static void length_done(struct scan *s, uint64_t len, int partial)
{
	s->skip = len;
	s->partial = partial;
	s->in_len = partial; /* a partial body's next length follows it */
	s->got = 0;
	s->len = 0;
}

/* A packet's first octet. */
static void first_octet(struct scan *s, unsigned char b)
{
	if (!(b & 0x80)) {
		s->verdict = ODD;
		return;
	}
	s->new_format = (b & 0x40) != 0;
	s->tag = s->new_format ? b & 0x3f : (b >> 2) & 0x0f;
	s->verdict = verdict_for(s->tag, s->data);
	if (s->verdict != MORE)
		return;
	if (s->tag == 11)
		s->data = 1;
	if (!s->new_format && (b & 3) == 3) { /* old format, length up to the end */
		if (s->tag == 11)
			s->to_end = 1;
		else
			s->verdict = ODD;
		return;
	}
	s->need = s->new_format ? 0 : 1u << (b & 3);
	s->in_len = 1;
	s->got = 0;
	s->len = 0;
}

static void length_octet(struct scan *s, unsigned char b)
{
	s->got++;
	if (!s->new_format || s->got > 1) {
		s->len = s->len << 8 | b;
		if (s->got < s->need)
			return;
		/* A new-format two-octet length: ((first - 192) << 8) + second + 192. */
		if (s->new_format && s->need == 2)
			s->len = s->len - (192u << 8) + 192;
		length_done(s, s->len, 0);
		return;
	}
	if (b < 192) {
		length_done(s, b, 0);
	} else if (b < 224) {
		s->len = b;
		s->need = 2;
	} else if (b == 255) {
		s->need = 5;
	} else {
		length_done(s, (uint64_t)1 << (b & 0x1f), 1);
	}
}

static ssize_t scan_write(void *handle, const void *buf, size_t size)
{
	struct scan *s = handle;
	const unsigned char *p = buf;
	size_t i = 0;

	while (i < size && s->verdict == MORE && !s->to_end) {
		if (s->skip) {
			size_t k = size - i < s->skip ? size - i : (size_t)s->skip;
			s->skip -= k;
			i += k;
		} else if (s->in_len) {
			length_octet(s, p[i++]);
		} else {
			first_octet(s, p[i++]);
		}
	}
	/* Seen enough before the data: stop gpg. After it, gpg goes on to the end, so that a
	 * message whose integrity check fails is reported as such by the decryption proper. */
	if (s->verdict != MORE && !s->data) {
		errno = ECANCELED;
		return -1;
	}
	return (ssize_t)size;
}

/* The pass, on a context of its own: it runs in its own thread beside the decryption. */
struct pgp_unwrap {
	pthread_t thread;
	struct pouch_pgp twin; /* its context, and the passphrase answers for it */
	struct pgp_source src;
	struct scan s;
	gpgme_error_t unwrapped;
	int ret;
	struct pouch_err err;
	atomic_int refused; /* the verdict is in, and it refuses the message */
};

static ssize_t unwrap_write(void *handle, const void *buf, size_t size)
{
	struct pgp_unwrap *u = handle;
	ssize_t n = scan_write(&u->s, buf, size);

	if (u->s.verdict != MORE && !u->s.data)
		atomic_store(&u->refused, 1);
	return n;
}

static void *unwrap_thread(void *arg)
{
	struct gpgme_data_cbs cbs = { NULL, unwrap_write, NULL, NULL };
	struct pgp_unwrap *u = arg;
	gpgme_data_t in = NULL, out = NULL;
	gpgme_error_t e;

	u->unwrapped = GPG_ERR_GENERAL;
	u->ret = pgp_source_new(&u->src, u->src.fd, 1, &in, &u->err);
	if (u->ret < 0)
		return NULL;
	e = gpgme_data_new_from_cbs(&out, &cbs, u);
	/* Its error is not ours to report: a message that cannot be unwrapped fails the real
	 * decryption, with the reason. */
	if (!e)
		u->unwrapped = gpgme_op_decrypt_ext(u->twin.ctx, GPGME_DECRYPT_UNWRAP, in, out);
	else
		u->ret = pgp_fail(&u->err, POUCH_E_GPG, "cannot set up decryption", e);
	gpgme_data_release(in);
	gpgme_data_release(out);
	pgp_source_release(&u->src);
	return NULL;
}

int pgp_unwrap_start(struct pouch_pgp *pgp, int in_fd, struct pgp_unwrap **out,
		     struct pouch_err *err)
{
	struct pgp_unwrap *u = calloc(1, sizeof(*u));
	gpgme_error_t e;
	int rc;

	*out = NULL;
	if (!u)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	u->s.verdict = MORE;
	u->src.fd = in_fd;
	u->twin.passphrase = pgp->passphrase;
	u->twin.decrypting = 1;
	atomic_init(&u->refused, 0);
	e = pgp_new_ctx(pgp->home, &u->twin.ctx);
	if (e) {
		free(u);
		return pgp_fail(err, POUCH_E_GPG, "cannot set up decryption", e);
	}
	pgp_no_prompt(&u->twin);
	rc = pthread_create(&u->thread, NULL, unwrap_thread, u);
	if (rc != 0) {
		gpgme_release(u->twin.ctx);
		free(u);
		return pouch_err_set(err, POUCH_E_IO, "cannot start a thread: %s", strerror(rc));
	}
	*out = u;
	return 0;
}

int pgp_unwrap_refused(struct pgp_unwrap *u)
{
	return u && atomic_load(&u->refused);
}

int pgp_unwrap_finish(struct pgp_unwrap *u, struct pouch_err *err)
{
	const struct scan *s;
	int ret;

	if (!u)
		return 0;
	pthread_join(u->thread, NULL);
	gpgme_release(u->twin.ctx);
	s = &u->s;
	ret = u->ret;
	if (ret < 0) {
		if (err)
			*err = u->err;
	/* What follows the data counts only from a message that unwrapped whole. */
	} else if (s->data && u->unwrapped) {
		ret = 0;
	} else if (s->verdict == COMPRESSED) {
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the payload is compressed: pouch "
				    "refuses compressed payloads");
	} else if (s->verdict == ODD) {
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the payload holds an unexpected "
				    "OpenPGP packet (tag %d) %s its data", s->tag,
				    s->data ? "after" : "before");
	}
	free(u);
	return ret;
}
