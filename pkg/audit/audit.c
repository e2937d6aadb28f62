/* The audit trail: hash-chained JSON lines in HOME/audit.log, appended under an exclusive lock,
 * checkpoints signed with our agency key, audit.head naming the last checkpoint. The verifier
 * and reader are in audit_verify.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/fault.h"
#include "directory/agency.h"
#include "audit/audit_internal.h"
#include "audit/audit.h"
#include "base/base64.h"
#include "crypto/digest.h"
#include "base/fs.h"
#include "crypto/pgp.h"
#include "base/timefmt.h"
#include "base/validate.h"

#define FILE_DIGEST_MAX (16ULL * 1024 * 1024) /* an envelope file is never larger */
#define ID_MAX 64
#define AGENCY_MAX (64 * (POUCH_CODE_MAX + 1))

static const char *const fields[] = { "seq", "time", "event", "prev", "id", "agency", "digest",
				      "verdict", "reason", "endpoint", "fingerprint", "head_seq", "head",
				      "signer", "signature", NULL };
static const char *const checkpoint_only[] = { "head_seq", "head", "signer", "signature", NULL };

/* The last entry of the log, as an append needs it. */
struct tail {
	unsigned long long seq; /* 0: the log is empty */
	char hash[POUCH_SHA256_HEX];
	int checkpoint;
};

/* A lower-case word: a letter, then letters, digits and '-', at most POUCH_AUDIT_WORD_MAX. */
static int is_word(const char *s)
{
	size_t i;

	if (!s || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (i = 0; s[i]; i++)
		if (i >= POUCH_AUDIT_WORD_MAX ||
		    !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int pouch_audit_is_hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= 64 || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

/* Whether s is one or more fingerprints (40 upper-case hex digits) separated by commas. */
static int is_fingerprints(const char *s)
{
	size_t i, run = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] == ',' && run == 40)
			run = 0;
		else if (((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F')) && run < 40)
			run++;
		else
			return 0;
	}
	return run == 40 && i <= 64 * 41;
}

/* Whether a quote at s[i] closes a quoted subject: it ends the text or a word. */
static int closes_quote(const char *s, size_t i)
{
	return s[i] == '\'' && (s[i + 1] == '\0' || strchr(" :,.;)]", s[i + 1]));
}

/* The reason as recorded: every 'quoted' subject (pouch quotes paths and names from packages)
 * becomes '...', then control bytes and non-UTF-8 are escaped and the whole is capped. A quote
 * after a letter or digit is an apostrophe ("the payload's"), not an opening one. */
static int clean_reason(const char *s, char *out, size_t outmax, struct pouch_err *err)
{
	size_t i, j, o = 0, len = strlen(s);
	char *tmp = malloc(len * 2 + 8);

	if (!tmp)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	for (i = 0; i < len; i++) {
		int opens = s[i] == '\'' &&
			    (i == 0 || !((s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
					 (s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
					 (s[i - 1] >= '0' && s[i - 1] <= '9')));
		for (j = i + 1; opens && j < len && !closes_quote(s, j); j++)
			;
		if (opens && j < len) {
			memcpy(tmp + o, "'...'", 5);
			o += 5;
			i = j;
		} else
			tmp[o++] = s[i];
	}
	tmp[o] = '\0';
	pouch_escape(tmp, out, outmax);
	free(tmp);
	return 0;
}

/* Sets a member to the escaped, capped copy of value (when not NULL). */
static int set_escaped(json_t *obj, const char *key, const char *value, size_t max)
{
	char *buf;
	int ret;

	if (!value)
		return 0;
	buf = malloc(max + 1);
	if (!buf)
		return -1;
	pouch_escape(value, buf, max + 1);
	ret = json_object_set_new(obj, key, json_string(buf));
	free(buf);
	return ret;
}

/* The line for e (without its newline) in *out (caller frees). */
static int encode_entry(const struct pouch_audit_entry *e, unsigned long long seq, time_t now,
			const char *prev, char **out, struct pouch_err *err)
{
	char reason[POUCH_AUDIT_REASON_MAX + 1], when[POUCH_TIME_LEN];
	json_t *obj = NULL;
	int ret;

	*out = NULL;
	if (!is_word(e->event) || strcmp(e->event, "checkpoint") == 0)
		return pouch_err_set(err, POUCH_E_USAGE, "invalid event '%.64s'",
				     e->event ? e->event : "(none)");
	if (e->verdict && !is_word(e->verdict))
		return pouch_err_set(err, POUCH_E_USAGE, "invalid verdict '%.64s'", e->verdict);
	if (e->digest && !pouch_audit_is_hex64(e->digest))
		return pouch_err_set(err, POUCH_E_USAGE, "invalid digest '%.80s'", e->digest);
	if (e->fingerprint && !is_fingerprints(e->fingerprint))
		return pouch_err_set(err, POUCH_E_USAGE, "invalid fingerprint '%.80s'",
				     e->fingerprint);
	if (e->reason && (ret = clean_reason(e->reason, reason, sizeof(reason), err)) < 0)
		return ret;
	obj = json_pack("{s:I,s:s,s:s,s:s}", "seq", (json_int_t)seq, "time",
			pouch_time_format(now, when), "event", e->event, "prev", prev);
	if (!obj || set_escaped(obj, "id", e->id, ID_MAX) < 0 ||
	    set_escaped(obj, "agency", e->agency, AGENCY_MAX) < 0 ||
	    (e->digest && json_object_set_new(obj, "digest", json_string(e->digest)) < 0) ||
	    (e->verdict && json_object_set_new(obj, "verdict", json_string(e->verdict)) < 0) ||
	    (e->reason && json_object_set_new(obj, "reason", json_string(reason)) < 0) ||
	    set_escaped(obj, "endpoint", e->endpoint, POUCH_URL_MAX) < 0 ||
	    (e->fingerprint &&
	     json_object_set_new(obj, "fingerprint", json_string(e->fingerprint)) < 0))
		goto out;
	*out = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
out:
	json_decref(obj);
	return *out ? 0 : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
}

char *pouch_audit_log_path(const struct pouch_home *h)
{
	return pouch_path_join(h->dir, LOG_NAME);
}

static int lock(int fd, int how)
{
	while (flock(fd, how) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Opens the log at path for appending, created mode 0600, never through a link, and locks it
 * exclusively. *size gets its size under the lock. */
static int open_for_append(const char *path, int *fd, off_t *size, struct pouch_err *err)
{
	struct stat st;

	*fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return pouch_err_set(err, POUCH_E_IO, "%s", strerror(errno));
	if (lock(*fd, LOCK_EX) < 0 || fstat(*fd, &st) < 0)
		return pouch_err_set(err, POUCH_E_IO, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return pouch_err_set(err, POUCH_E_IO, "not a regular file");
	*size = st.st_size;
	return 0;
}

/* Opens the log for reading under a shared lock, its size at that moment in *size; a missing
 * log gives *fd = -1. */
int pouch_audit_open_for_read(const char *path, int *fd, off_t *size, struct pouch_err *err)
{
	struct stat st;

	int ret = pouch_fs_open_regular("the audit trail", path, UINT64_MAX, POUCH_FS_NOFOLLOW, fd,
					NULL, err);

	if (ret == POUCH_E_NOTFOUND)
		return 0;
	if (ret < 0)
		return ret;
	if (lock(*fd, LOCK_SH) < 0 || fstat(*fd, &st) < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot read the audit trail '%s': %s", path,
				     strerror(errno));
	*size = st.st_size;
	return 0;
}

/* Reads an unsigned integer member; 0 when it is not a positive integer. */
unsigned long long pouch_audit_positive(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) && json_integer_value(v) > 0
		       ? (unsigned long long)json_integer_value(v)
		       : 0;
}

/* Turns the failure in why into "the entry is broken". */
static int as_verify(struct pouch_err *why)
{
	why->code = POUCH_E_VERIFY;
	return POUCH_E_VERIFY;
}

/* A string member: absent (NULL) unless required; anything but a string is refused. */
static int member(const json_t *obj, const char *key, int required, const char **out,
		  struct pouch_err *why)
{
	*out = NULL;
	if (!json_object_get(obj, key) && !required)
		return 0;
	if (!json_object_get(obj, key))
		return pouch_err_set(why, POUCH_E_VERIFY, "missing field '%s'", key);
	return pouch_json_str(obj, key, 0, out, why) < 0 ? as_verify(why) : 0;
}

static int check_checkpoint(const json_t *obj, struct pouch_audit_record *r,
			    struct pouch_err *why)
{
	const char *sig;
	char fpr[POUCH_FPR_LEN + 1];

	if (!json_object_get(obj, "head_seq"))
		return pouch_err_set(why, POUCH_E_VERIFY, "missing field 'head_seq'");
	r->head_seq = pouch_audit_positive(obj, "head_seq");
	if (!r->head_seq)
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'head_seq' is not a positive "
				     "integer");
	if (member(obj, "head", 1, &r->head, why) < 0 ||
	    member(obj, "signer", 1, &r->signer, why) < 0 ||
	    member(obj, "signature", 1, &sig, why) < 0)
		return why->code;
	if (!pouch_audit_is_hex64(r->head))
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'head' is not a SHA-256");
	if (pouch_fpr_normalize(r->signer, fpr, NULL) < 0 || strcmp(fpr, r->signer) != 0)
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'signer' is not a fingerprint");
	return 0;
}

/* Checks the form of one line and fills r (pointing into *obj, which the caller releases).
 * Failures are POUCH_E_VERIFY in why, saying what is wrong with the entry. */
int pouch_audit_check_line(const char *line, size_t len, struct pouch_audit_record *r,
			   json_t **obj, struct pouch_err *why)
{
	static const char *const plain[] = { "id", "agency", "reason", "endpoint", "fingerprint" };
	const char **slot[] = { &r->id, &r->agency, &r->reason, &r->endpoint, &r->fingerprint };
	time_t t;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->line = line;
	r->len = len;
	if (pouch_json_parse("it", line, len, obj, why) < 0)
		return as_verify(why);
	if (!json_is_object(*obj))
		return pouch_err_set(why, POUCH_E_VERIFY, "it is not a JSON object");
	if (pouch_json_only_keys(*obj, fields, why) < 0)
		return as_verify(why);
	if (!json_object_get(*obj, "seq"))
		return pouch_err_set(why, POUCH_E_VERIFY, "missing field 'seq'");
	r->seq = pouch_audit_positive(*obj, "seq");
	if (!r->seq)
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'seq' is not a positive integer");
	if (member(*obj, "time", 1, &r->time, why) < 0 ||
	    member(*obj, "event", 1, &r->event, why) < 0 ||
	    member(*obj, "prev", 1, &r->prev, why) < 0 ||
	    member(*obj, "digest", 0, &r->digest, why) < 0 ||
	    member(*obj, "verdict", 0, &r->verdict, why) < 0)
		return why->code;
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (member(*obj, plain[i], 0, slot[i], why) < 0)
			return why->code;
	if (pouch_time_parse(r->time, &t, NULL) < 0)
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'time' is not a UTC time");
	if (!is_word(r->event))
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'event' is not an event name");
	if (!pouch_audit_is_hex64(r->prev))
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'prev' is not a SHA-256");
	if (r->digest && !pouch_audit_is_hex64(r->digest))
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'digest' is not a SHA-256");
	if (r->fingerprint && !is_fingerprints(r->fingerprint))
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'fingerprint' is not a list of "
				     "fingerprints");
	if (r->verdict && !is_word(r->verdict))
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'verdict' is not a verdict word");
	if (strcmp(r->event, "checkpoint") == 0)
		return check_checkpoint(*obj, r, why);
	for (i = 0; checkpoint_only[i]; i++)
		if (json_object_get(*obj, checkpoint_only[i]))
			return pouch_err_set(why, POUCH_E_VERIFY, "field '%s' outside a "
					     "checkpoint", checkpoint_only[i]);
	return 0;
}

/* Reads the last line of the log (fd, size bytes) into t. */
static int read_tail(int fd, off_t size, struct tail *t, struct pouch_err *err)
{
	struct pouch_err why = { 0 };
	struct pouch_audit_record r;
	json_t *obj = NULL;
	size_t n, start;
	char *buf = NULL;
	ssize_t got;
	int ret = POUCH_E_CORRUPT;

	memset(t, 0, sizeof(*t));
	snprintf(t->hash, sizeof(t->hash), "%s", ZERO_HASH);
	if (size == 0)
		return 0;
	n = (unsigned long long)size < POUCH_AUDIT_LINE_MAX + 2 ? (size_t)size
								: POUCH_AUDIT_LINE_MAX + 2;
	buf = malloc(n + 1);
	if (!buf)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	got = pread(fd, buf, n, size - (off_t)n);
	if (got != (ssize_t)n) {
		ret = pouch_err_set(err, POUCH_E_IO, "%s", got < 0 ? strerror(errno) : "short read");
		goto out;
	}
	if (buf[n - 1] != '\n') {
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "it ends in an incomplete line (run "
				    "'pouch audit verify')");
		goto out;
	}
	for (start = n - 1; start > 0 && buf[start - 1] != '\n'; start--)
		;
	if (start == 0 && n < (size_t)size) {
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "its last line is longer than %d bytes",
				    POUCH_AUDIT_LINE_MAX);
		goto out;
	}
	if (pouch_audit_check_line(buf + start, n - 1 - start, &r, &obj, &why) < 0) {
		char shown[256];
		pouch_escape(why.msg, shown, sizeof(shown));
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "its last line is not an audit entry (%s; "
				    "run 'pouch audit verify')", shown);
		goto out;
	}
	t->seq = r.seq;
	t->checkpoint = strcmp(r.event, "checkpoint") == 0;
	ret = pouch_sha256_buf(buf + start, n - 1 - start, t->hash, err);
out:
	json_decref(obj);
	free(buf);
	return ret;
}

/* Appends line and a newline to the locked log of size bytes, in one write, and syncs it; a
 * failed write is cut off again so that no partial line stays. A new log's directory entry is
 * synced too. */
static int write_line(int fd, off_t size, const char *dir, const char *line,
		      struct pouch_err *err)
{
	size_t len = strlen(line);
	char *buf = malloc(len + 1);
	int ret = 0, dfd;

	if (!buf)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	memcpy(buf, line, len);
	buf[len] = '\n';
	if (pouch_fault_hit("audit.append") || pouch_fs_write_all(fd, buf, len + 1) < 0 ||
	    fsync(fd) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "%s", strerror(errno));
		if (ftruncate(fd, size) == 0)
			(void)fsync(fd);
	}
	free(buf);
	if (ret == 0 && size == 0) {
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || fsync(dfd) < 0)
			ret = pouch_err_set(err, POUCH_E_IO, "cannot sync '%s': %s", dir,
					    strerror(errno));
		if (dfd >= 0)
			close(dfd);
	}
	return ret;
}

/* The log opened for appending: locked exclusively, with its size and last entry. */
struct appender {
	char *path;
	int fd;
	off_t size;
	struct tail t;
};

static void appender_close(struct appender *a)
{
	if (a->fd >= 0)
		close(a->fd);
	free(a->path);
}

/* Opens the home's log for appending and reads its last entry. Release a with appender_close,
 * also after a failure. */
static int appender_open(const struct pouch_home *h, struct appender *a, struct pouch_err *err)
{
	int ret;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->path = pouch_audit_log_path(h);
	if (!a->path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = open_for_append(a->path, &a->fd, &a->size, err);
	if (ret == 0)
		ret = read_tail(a->fd, a->size, &a->t, err);
	return ret;
}

int pouch_audit_append(const struct pouch_home *h, const struct pouch_audit_entry *e, time_t now,
		       struct pouch_err *err)
{
	return pouch_audit_append_n(h, e, 1, now, err);
}

int pouch_audit_append_n(const struct pouch_home *h, const struct pouch_audit_entry *e, size_t n,
			 time_t now, struct pouch_err *err)
{
	struct appender a;
	char *line = NULL, *all = NULL, *grown;
	size_t i, len = 0, k;
	int ret = appender_open(h, &a, err);

	for (i = 0; ret == 0 && i < n; i++, free(line), line = NULL) {
		if ((ret = encode_entry(&e[i], a.t.seq + 1 + i, now, a.t.hash, &line, err)) < 0)
			break;
		if ((k = strlen(line)) > POUCH_AUDIT_LINE_MAX)
			ret = pouch_err_set(err, POUCH_E_USAGE, "the entry is longer than %d bytes",
					    POUCH_AUDIT_LINE_MAX);
		else if (!(grown = realloc(all, len + k + 2)))
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		else {
			all = grown;
			len += (size_t)sprintf(all + len, "%s%s", len ? "\n" : "", line);
			ret = pouch_sha256_buf(line, k, a.t.hash, err);
		}
	}
	if (ret == 0 && n)
		ret = write_line(a.fd, a.size, h->dir, all, err);
	if (ret < 0 && a.path)
		pouch_err_prefix(err, "cannot append to the audit trail '%s'", a.path);
	appender_close(&a);
	free(line);
	free(all);
	return ret;
}

int pouch_audit_append_file(const struct pouch_home *h, const struct pouch_audit_entry *e,
			    const char *path, time_t now, struct pouch_err *err)
{
	struct pouch_audit_entry copy = *e;
	char hex[POUCH_SHA256_HEX];
	uint64_t size = 0;
	int fd = -1;

	if (!copy.digest && path &&
	    pouch_fs_open_regular(NULL, path, FILE_DIGEST_MAX, 0, &fd, NULL, NULL) == 0 &&
	    pouch_sha256_fd(fd, hex, &size, NULL) == 0 && size <= FILE_DIGEST_MAX)
		copy.digest = hex;
	if (fd >= 0)
		close(fd);
	return pouch_audit_append(h, &copy, now, err);
}

/* Writes audit.head: the seq and line SHA-256 of the checkpoint just appended. */
static int save_head(const struct pouch_home *h, unsigned long long seq, const char *hash,
		     struct pouch_err *err)
{
	char *path = pouch_path_join(h->dir, HEAD_NAME);
	json_t *head = json_pack("{s:s,s:I,s:s}", "format", HEAD_FORMAT, "seq", (json_int_t)seq,
				 "sha256", hash);
	int ret = !path || !head ? pouch_err_set(err, POUCH_E_NOMEM, "out of memory")
				 : pouch_json_save_record(path, head, 0, err);

	json_decref(head);
	free(path);
	return ret;
}

/* Our current key signs the head t; the checkpoint line goes to *line, its signer to fpr. */
static int sign_head(const struct pouch_home *h, const struct tail *t, const char *passphrase,
		     time_t now, char **line, struct pouch_err *err)
{
	const struct pouch_agency_key *cur;
	struct pouch_agency a = { 0 };
	struct pouch_pgp *pgp = NULL;
	char text[160], when[POUCH_TIME_LEN], *sig = NULL, *b64 = NULL;
	size_t siglen = 0;
	json_t *obj = NULL;
	int ret;

	*line = NULL;
	ret = pouch_agency_load(h->agency, &a, err);
	if (ret < 0)
		goto out;
	cur = pouch_agency_current(&a);
	if (!cur) {
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "agency.json names no current key");
		goto out;
	}
	ret = pouch_home_pgp(h, &pgp, err);
	if (ret < 0)
		goto out;
	/* Loopback with what we were given (or an empty answer) never brings up a pinentry. */
	pouch_pgp_set_passphrase(pgp, passphrase ? passphrase : "");
	snprintf(text, sizeof(text), CHECKPOINT_TEXT, t->seq, t->hash);
	ret = pouch_pgp_sign_detached(pgp, cur->fpr, text, strlen(text), &sig, &siglen, err);
	if (ret < 0)
		goto out;
	b64 = pouch_base64_encode((unsigned char *)sig, siglen);
	obj = b64 ? json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "seq", (json_int_t)(t->seq + 1),
			      "time", pouch_time_format(now, when), "event", "checkpoint", "prev",
			      t->hash, "head_seq", (json_int_t)t->seq, "head", t->hash, "signer",
			      cur->fpr, "signature", b64)
		  : NULL;
	*line = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)
		    : NULL;
	ret = *line ? 0 : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
out:
	json_decref(obj);
	free(b64);
	free(sig);
	pouch_pgp_free(pgp);
	pouch_agency_release(&a);
	return ret;
}

int pouch_audit_checkpoint(const struct pouch_home *h, const char *passphrase, time_t now,
			   struct pouch_err *err)
{
	char *line = NULL, hash[POUCH_SHA256_HEX];
	struct appender a;
	int ret = appender_open(h, &a, err);

	if (ret < 0) {
		if (a.path)
			pouch_err_prefix(err, "cannot append to the audit trail '%s'", a.path);
		goto out;
	}
	if (a.t.seq == 0 || a.t.checkpoint)
		goto out;
	ret = sign_head(h, &a.t, passphrase, now, &line, err);
	/* No usable secret key here (a gateway home) or one that would ask for a passphrase. */
	if (ret == POUCH_E_GPG || ret == POUCH_E_NOTFOUND) {
		ret = 1;
		goto out;
	}
	if (ret == 0)
		ret = write_line(a.fd, a.size, h->dir, line, err);
	if (ret == 0)
		ret = pouch_sha256_buf(line, strlen(line), hash, err);
	if (ret == 0)
		ret = save_head(h, a.t.seq + 1, hash, err);
	if (ret < 0)
		pouch_err_prefix(err, "cannot sign the audit trail '%s'", a.path);
out:
	appender_close(&a);
	free(line);
	return ret;
}
