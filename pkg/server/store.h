/* pouchd's package store in a data directory: DIR/pouchd.db (the SQLite index),
 * DIR/packages/NAME.pouch and NAME.pouch.pgp (stored files; NAME is the id, or SENDER.ID when
 * another sender's package had the id first), DIR/uploads/ (staged detached payloads),
 * DIR/tmp/ (request directories). A package is known by its sender and id together: two
 * agencies may use one id without touching each other's packages. Every function is safe to
 * call from several threads. */
#ifndef POUCH_STORE_H
#define POUCH_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto/digest.h"
#include "package/envelope.h"
#include "base/err.h"
#include "base/uuid.h"
#include "base/validate.h"

#define POUCH_STORE_UPLOAD_TTL (24 * 60 * 60) /* staged uploads untouched this long go */
#define POUCH_STORE_LIMIT_MAX 1000            /* the most items one list call returns */
#define POUCH_STORE_FULL_HOLD 60 /* seconds a write that found the disk full counts as recent */

struct pouch_store;
struct pouch_store_req;
struct pouch_store_append;

/* A stored package, as the protocol's package record describes it. */
struct pouch_store_record {
	char id[POUCH_UUID_LEN];
	char sender[POUCH_CODE_MAX + 1];
	char name[POUCH_CODE_MAX + 1 + POUCH_UUID_LEN]; /* the files' base name in packages/ */
	char recipients[POUCH_RECIPIENTS_MAX][POUCH_CODE_MAX + 1]; /* in the header's order */
	size_t nrecipients;
	char digest[POUCH_SHA256_HEX]; /* SHA-256 of the envelope bytes */
	uint64_t size;                 /* the envelope's length */
	int detached;                  /* a detached payload is stored */
	uint64_t payload_size;         /* the detached payload's length and SHA-256 */
	char payload_sha256[POUCH_SHA256_HEX];
	char header_sha256[POUCH_SHA256_HEX]; /* SHA-256 of the header's exact bytes */
	time_t received;
	int64_t seq; /* from 1, monotonic, never reused: the list cursor */
};

/* A page of a list: items[0..n-1] in increasing seq, has_more when more follow. */
struct pouch_store_page {
	struct pouch_store_record *items;
	size_t n;
	int has_more;
};

/* A receipt filed by a recipient for a package. */
struct pouch_store_receipt {
	char package[POUCH_UUID_LEN];
	char sender[POUCH_CODE_MAX + 1]; /* the package's sender */
	char from[POUCH_CODE_MAX + 1]; /* the recipient agency that filed it */
	char verdict[16];              /* "accepted" or "rejected" */
	char sha256[POUCH_SHA256_HEX]; /* of the receipt file bytes */
	time_t received;
	int64_t seq; /* from 1, monotonic, never reused: the list cursor */
	char *bytes; /* the receipt file, NUL-terminated; owned by a page, borrowed by a put */
	size_t len;
};

struct pouch_store_receipt_page {
	struct pouch_store_receipt *items;
	size_t n;
	int has_more;
};

/* Opens the store in dir, creating the layout when missing (directories 0700, files 0600), and
 * takes DIR/pouchd.lock: a store open elsewhere (another process or another open) is
 * POUCH_E_REFUSED. Then it tidies what a crash may have left: files in packages/ without an index
 * row, everything in tmp/, staged uploads older than POUCH_STORE_UPLOAD_TTL. An index written by
 * a newer program is POUCH_E_CORRUPT. Close *out with pouch_store_close. */
int pouch_store_open(const char *dir, struct pouch_store **out, struct pouch_err *err);

/* Closes s (NULL allowed). Requests and append sessions must have been freed or ended. */
void pouch_store_close(struct pouch_store *s);

/* What the store takes (0: no limit, the default). */
struct pouch_store_limits {
	uint64_t staged_bytes;   /* per caller: the bytes of its staged uploads, taken ones too */
	unsigned staged_uploads; /* per caller: how many staged uploads it may have */
	uint64_t reserve;        /* free bytes the file system keeps: no write starts below it */
};

void pouch_store_set_limits(struct pouch_store *s, const struct pouch_store_limits *l);

/* Whether a write of need more bytes may start: POUCH_E_NOSPACE (the disk noted full) when the
 * file system would keep less than the reserve free. */
int pouch_store_room(struct pouch_store *s, uint64_t need, struct pouch_err *err);

/* Whether the store takes writes at time now: the reserve is free, and no write found the disk
 * full in the last POUCH_STORE_FULL_HOLD seconds without one succeeding since. */
int pouch_store_writable(struct pouch_store *s, time_t now);

/* Sets err for a write, sync or create in the store (or a request directory) that failed with
 * errno e, "cannot WHAT: REASON": POUCH_E_NOSPACE, noted for pouch_store_writable, when e says
 * that the disk, a disk quota or the file size limit is full; else POUCH_E_IO. */
int pouch_store_write_failed(struct pouch_store *s, int e, const char *what,
			     struct pouch_err *err);

/* Removes staged uploads last written more than POUCH_STORE_UPLOAD_TTL seconds before now (and
 * anything in uploads/ that is not one), except those in use. For the daemon to call now and
 * then. */
int pouch_store_expire_uploads(struct pouch_store *s, time_t now, struct pouch_err *err);

/* Makes a private request directory DIR/tmp/req-XXXXXX for one incoming package: the daemon
 * writes the envelope there as ID.pouch (and pouch_store_upload_take puts a staged payload there
 * as ID.pouch.pgp), so that pouch_package_verify can check the pair before pouch_store_put.
 * Free *out with pouch_store_req_free. */
int pouch_store_req_new(struct pouch_store *s, struct pouch_store_req **out,
			struct pouch_err *err);

/* The request directory's path (borrowed, valid until the request is freed). */
const char *pouch_store_req_dir(const struct pouch_store_req *r);

/* Removes the request directory with what it still holds (NULL allowed). A staged upload taken
 * into it and not stored by a put goes back to uploads/, so the client can retry. */
void pouch_store_req_free(struct pouch_store_req *r);

/* What pouch_store_put stores: the files in the request directory plus these facts. */
struct pouch_store_put {
	const struct pouch_header *h; /* the verified header */
	const char *sender;           /* the authenticated agency: must be h->sender.agency */
	int detached;                 /* the request directory holds ID.pouch.pgp too */
	const char *digest;           /* SHA-256 hex of the envelope bytes */
	const char *header_sha256;    /* SHA-256 hex of the header's exact bytes */
	time_t received;
};

/* Stores the package whose envelope (and detached payload, of the header's size) is in r's
 * directory, idempotently. When the sender's id is stored already with the same digest, rec
 * receives the original record and *existing is set (the files stay in r); with another digest
 * it is POUCH_E_EXISTS. The same id from another sender is another package. Otherwise the files
 * are synced and renamed into packages/ and the index rows committed, and rec receives the
 * record with its new seq (*existing 0). A crash at any moment leaves the whole package or
 * nothing visible. After a put that succeeds, a staged upload taken into r is gone. Bad input is
 * POUCH_E_USAGE. */
int pouch_store_put(struct pouch_store *s, struct pouch_store_req *r,
		    const struct pouch_store_put *in, struct pouch_store_record *rec,
		    int *existing, struct pouch_err *err);

/* The record of package id from sender for caller: POUCH_E_NOTFOUND unless it is stored and
 * caller is its sender or one of its recipients. With sender NULL: the one package with that
 * id that caller may see; POUCH_E_USAGE when caller may see several (from several senders), so
 * that the sender must be named. */
int pouch_store_get(struct pouch_store *s, const char *caller, const char *sender,
		    const char *id, struct pouch_store_record *rec, struct pouch_err *err);

/* The paths of rec's envelope and (when detached, else NULL) payload files, newly allocated. */
int pouch_store_files(const struct pouch_store *s, const struct pouch_store_record *rec,
		      char **envelope, char **payload, struct pouch_err *err);

/* The packages addressed to caller (as a recipient) with seq greater than after, at most limit
 * (1 to POUCH_STORE_LIMIT_MAX, else POUCH_E_USAGE) of them. Release page with
 * pouch_store_page_release. */
int pouch_store_list(struct pouch_store *s, const char *caller, int64_t after, size_t limit,
		     struct pouch_store_page *page, struct pouch_err *err);

void pouch_store_page_release(struct pouch_store_page *page);

/* The two lists a caller pages through. */
enum pouch_store_list {
	POUCH_STORE_PACKAGES, /* pouch_store_list: the packages addressed to the caller */
	POUCH_STORE_RECEIPTS, /* pouch_store_receipt_list: the receipts for what the caller sent */
};

/* Whether seq is a cursor that list can have given caller: the seq of an item in caller's list
 * (a list gives out no other: next is an item's seq, or the after it was asked with). 0 or
 * POUCH_E_NOTFOUND. */
int pouch_store_cursor_check(struct pouch_store *s, enum pouch_store_list list,
			     const char *caller, int64_t seq, struct pouch_err *err);

/* Files receipt rc (package, sender, from, verdict, sha256, bytes and len, received set by the
 * caller; bytes borrowed) for the stored package (sender, package) of which rc->from is a
 * recipient (else POUCH_E_NOTFOUND). The same from with the same sha256 again sets *existing
 * and gives back the
 * original seq and received; with another sha256 it is POUCH_E_EXISTS. A new receipt gets its
 * seq in rc->seq. */
int pouch_store_receipt_put(struct pouch_store *s, struct pouch_store_receipt *rc,
			    int *existing, struct pouch_err *err);

/* The receipts for packages caller sent with seq greater than after, at most limit (1 to
 * POUCH_STORE_LIMIT_MAX) of them, each with its bytes. Release with
 * pouch_store_receipt_page_release. */
int pouch_store_receipt_list(struct pouch_store *s, const char *caller, int64_t after,
			     size_t limit, struct pouch_store_receipt_page *page,
			     struct pouch_err *err);

void pouch_store_receipt_page_release(struct pouch_store_receipt_page *page);

/* How many packages and receipts are stored (either pointer may be NULL). */
int pouch_store_counts(struct pouch_store *s, uint64_t *packages, uint64_t *receipts,
		       struct pouch_err *err);

/* Outcomes of the staged-upload calls that are answers for the client, not failures: positive,
 * so they never mix with the negative POUCH_E_* codes. */
enum pouch_upload_status {
	POUCH_UPLOAD_OFFSET = 1,    /* the offset given is not the staged size (409) */
	POUCH_UPLOAD_TOO_LARGE = 2, /* the staged total would pass the maximum (413) */
	POUCH_UPLOAD_BUSY = 3,      /* another append or a push is using this upload (409) */
	POUCH_UPLOAD_QUOTA = 4,     /* the caller's staged bytes or uploads would pass its quota */
};

/* The staged size of caller's upload for package id in *offset (0 when there is none). */
int pouch_store_upload_offset(struct pouch_store *s, const char *caller, const char *id,
			      uint64_t *offset, struct pouch_err *err);

/* Starts appending to caller's staged upload for id, which must hold exactly offset bytes
 * (else POUCH_UPLOAD_OFFSET, the staged size in *actual) and is to stay within max bytes in all.
 * POUCH_UPLOAD_BUSY while another session or a request holds it; POUCH_UPLOAD_QUOTA when a new
 * upload would pass the caller's number of staged uploads. On 0, *out is a session: write
 * chunks, then end it (or abort it). */
int pouch_store_append_begin(struct pouch_store *s, const char *caller, const char *id,
			     uint64_t offset, uint64_t max, struct pouch_store_append **out,
			     uint64_t *actual, struct pouch_err *err);

/* Appends len bytes. POUCH_UPLOAD_TOO_LARGE when the total would pass the session's max,
 * POUCH_UPLOAD_QUOTA when the caller's staged bytes would pass its quota, POUCH_E_NOSPACE or
 * POUCH_E_IO when the write fails: then the whole session is undone (the upload is back at its
 * size before the session, or gone when the session made it) and every later write fails. */
int pouch_store_append_write(struct pouch_store_append *a, const void *buf, size_t len,
			     struct pouch_err *err);

/* Before writing: checks that len more bytes fit the session's max and the caller's quota
 * (POUCH_UPLOAD_TOO_LARGE, POUCH_UPLOAD_QUOTA, the session undone) and holds them against the
 * quota for the writes to come; what is not written is given back at the end. */
int pouch_store_append_reserve(struct pouch_store_append *a, uint64_t len,
			       struct pouch_err *err);

/* Syncs what was written, frees a, and gives the staged size in *offset (may be NULL). A sync
 * that fails undoes the session as a failed write does. A session that failed gives its
 * failure again. */
int pouch_store_append_end(struct pouch_store_append *a, uint64_t *offset,
			   struct pouch_err *err);

/* Frees a (NULL allowed) after a failure or a disconnect, keeping (and syncing) the bytes
 * written so far: the point the client resumes from. */
void pouch_store_append_abort(struct pouch_store_append *a);

/* A whole append from fd (read to its end) in one call: the outcomes of begin, write and end;
 * *offset receives the staged size afterwards (the actual one on POUCH_UPLOAD_OFFSET). */
int pouch_store_upload_append_fd(struct pouch_store *s, const char *caller, const char *id,
				 uint64_t offset, uint64_t max, int fd, uint64_t *offset_out,
				 struct pouch_err *err);

/* Moves caller's staged upload for id into r's directory as ID.pouch.pgp, its size in *size.
 * r holds it until freed (it goes back unless a put stored it). POUCH_E_NOTFOUND when nothing
 * is staged, POUCH_UPLOAD_BUSY while an append is running, POUCH_E_USAGE when r holds one
 * already. */
int pouch_store_upload_take(struct pouch_store *s, struct pouch_store_req *r,
			    const char *caller, const char *id, uint64_t *size,
			    struct pouch_err *err);

/* Removes caller's staged upload for id (none is not an error); POUCH_UPLOAD_BUSY while in use.
 * For a payload found bad, so that the client can start again from 0. */
int pouch_store_upload_discard(struct pouch_store *s, const char *caller, const char *id,
			       struct pouch_err *err);

/* For a refused push: removes caller's staged upload for id, whether r (which may be NULL) took
 * it (it then goes when r is freed, instead of back to uploads/) or it is still staged. */
int pouch_store_upload_drop(struct pouch_store *s, struct pouch_store_req *r, const char *caller,
			    const char *id, struct pouch_err *err);

#endif
