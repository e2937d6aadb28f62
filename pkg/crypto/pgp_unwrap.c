/* OpenPGP through GPGME, what lies inside a message's encryption: the packets gpg unwraps
 * (decrypted, neither verified nor decompressed) are read, the literal data passed over, so that
 * a compressed payload is refused as such (spec/envelope.md section 3), wherever its compressed
 * packet lies: gpg decompresses one after the literal data too, and when it holds no second
 * literal data the signature is still good. GPGME itself reports nothing about compression, and
 * a compressed payload need not be larger than the cap. */
#include <errno.h>
#include <stdint.h>
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

int pgp_refuse_compressed(struct pouch_pgp *pgp, int in_fd, struct pouch_err *err)
{
	struct gpgme_data_cbs cbs = { NULL, scan_write, NULL, NULL };
	struct scan s = { .verdict = MORE };
	gpgme_data_t in = NULL, out = NULL;
	gpgme_error_t e, unwrapped = GPG_ERR_GENERAL;
	off_t start = lseek(in_fd, 0, SEEK_CUR);

	if (start < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot read the payload: %s",
				     strerror(errno));
	e = gpgme_data_new_from_fd(&in, in_fd);
	if (!e)
		e = gpgme_data_new_from_cbs(&out, &cbs, &s);
	/* Its error is not ours to report: a message that cannot be unwrapped fails the real
	 * decryption after this, with the reason. */
	if (!e)
		unwrapped = gpgme_op_decrypt_ext(pgp->ctx, GPGME_DECRYPT_UNWRAP, in, out);
	gpgme_data_release(in);
	gpgme_data_release(out);
	if (e)
		return pgp_fail(err, POUCH_E_GPG, "cannot set up decryption", e);
	if (lseek(in_fd, start, SEEK_SET) < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot reread the payload: %s",
				     strerror(errno));
	/* What follows the data counts only from a message that unwrapped whole. */
	if (s.data && unwrapped)
		return 0;
	if (s.verdict == COMPRESSED)
		return pouch_err_set(err, POUCH_E_VERIFY, "the payload is compressed: pouch "
				     "refuses compressed payloads");
	if (s.verdict == ODD)
		return pouch_err_set(err, POUCH_E_VERIFY, "the payload holds an unexpected "
				     "OpenPGP packet (tag %d) %s its data", s.tag,
				     s.data ? "after" : "before");
	return 0;
}
