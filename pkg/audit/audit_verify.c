/* The audit trail's verifier and reader: walks HOME/audit.log line by line, checking each
 * entry's form, its place in the hash chain and every checkpoint's signature. */
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
#include "directory/agency.h"
#include "audit/audit_internal.h"
#include "audit/audit.h"
#include "base/base64.h"
#include "crypto/digest.h"
#include "base/fs.h"
#include "crypto/pgp.h"
#include "base/timefmt.h"
#include "base/validate.h"

#define READ_CHUNK (64 * 1024)

/* Reads the log line by line, each at most POUCH_AUDIT_LINE_MAX bytes. */
struct reader {
	int fd;
	off_t left; /* bytes still to read: the log as it was when the walk began */
	char buf[READ_CHUNK];
	size_t start, end;
};

/* The next line (without its newline) at *line, *len: 1, or 0 at the end of the log; < 0 with
 * why set for a line that is too long or has no newline, or a read error (POUCH_E_IO). */
static int next_line(struct reader *rd, char **line, size_t *len, struct pouch_err *why)
{
	for (;;) {
		char *nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
		size_t room;
		ssize_t n;
		if (nl) {
			*line = rd->buf + rd->start;
			*len = (size_t)(nl - *line);
			*nl = '\0';
			rd->start += *len + 1;
			if (*len > POUCH_AUDIT_LINE_MAX)
				return pouch_err_set(why, POUCH_E_VERIFY, "it is longer than %d bytes",
						     POUCH_AUDIT_LINE_MAX);
			return 1;
		}
		if (rd->end - rd->start > POUCH_AUDIT_LINE_MAX)
			return pouch_err_set(why, POUCH_E_VERIFY, "it is longer than %d bytes",
					     POUCH_AUDIT_LINE_MAX);
		memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
		rd->end -= rd->start;
		rd->start = 0;
		room = sizeof(rd->buf) - rd->end;
		if ((off_t)room > rd->left)
			room = (size_t)rd->left;
		n = room ? read(rd->fd, rd->buf + rd->end, room) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pouch_err_set(why, POUCH_E_IO, "%s", strerror(errno));
		rd->left -= n;
		if (n == 0)
			return rd->end ? pouch_err_set(why, POUCH_E_VERIFY, "it has no line end (an "
						       "incomplete write?)")
				       : 0;
		rd->end += (size_t)n;
	}
}

/* What a walk over the log keeps between lines. */
struct walk {
	const struct pouch_home *h;
	const char *path;
	int hashes;            /* check prev hashes and checkpoints (verify), or form only (read) */
	struct pouch_audit_result *res;
	char prev[POUCH_SHA256_HEX];
	unsigned long long head_seq;        /* from audit.head: the checkpoint it names */
	char head_hash[POUCH_SHA256_HEX];
	int head_found;
	struct pouch_agency agency;
	int agency_loaded;
	struct pouch_pgp *pgp;
};

static void walk_release(struct walk *w)
{
	if (w->agency_loaded)
		pouch_agency_release(&w->agency);
	pouch_pgp_free(w->pgp);
}

/* A checkpoint's signature: good, by one of our agency keys, the one it names. */
static int check_signature(struct walk *w, const struct pouch_audit_record *r, const json_t *obj,
			   struct pouch_err *why)
{
	const char *b64 = json_string_value(json_object_get(obj, "signature"));
	unsigned char sig[SIG_MAX];
	char text[160], signer[POUCH_FPR_LEN + 1];
	long siglen = pouch_base64_decode(b64, sig, sizeof(sig));
	struct pouch_err e = { 0 };
	size_t i;
	int ret;

	if (siglen <= 0)
		return pouch_err_set(why, POUCH_E_VERIFY, "field 'signature' is not base64");
	if (!w->agency_loaded) {
		ret = pouch_agency_load(w->h->agency, &w->agency, why);
		if (ret < 0)
			return ret;
		w->agency_loaded = 1;
	}
	if (!w->pgp && (ret = pouch_home_pgp(w->h, &w->pgp, why)) < 0)
		return ret;
	snprintf(text, sizeof(text), CHECKPOINT_TEXT, r->head_seq, r->head);
	ret = pouch_pgp_verify_detached(w->pgp, text, strlen(text), sig, (size_t)siglen, signer,
					&e);
	if (ret == POUCH_E_VERIFY)
		return pouch_err_set(why, POUCH_E_VERIFY, "bad checkpoint signature: %s", e.msg);
	if (ret < 0)
		return pouch_err_set(why, ret, "%s", e.msg);
	for (i = 0; i < w->agency.nkeys; i++)
		if (strcmp(w->agency.keys[i].fpr, signer) == 0)
			break;
	if (i == w->agency.nkeys)
		return pouch_err_set(why, POUCH_E_VERIFY, "checkpoint signed by key %s, which is not "
				     "one of our agency keys", signer);
	if (strcmp(signer, r->signer) != 0)
		return pouch_err_set(why, POUCH_E_VERIFY, "checkpoint names signer %s but is signed "
				     "by %s", r->signer, signer);
	return 0;
}

/* One line, number seq: its form, its place in the chain and, for a checkpoint, its head and
 * signature. */
static int walk_line(struct walk *w, unsigned long long seq, const char *line, size_t len,
		     struct pouch_audit_record *r, json_t **obj, struct pouch_err *why)
{
	char hash[POUCH_SHA256_HEX];
	int ret = pouch_audit_check_line(line, len, r, obj, why);

	if (ret < 0)
		return ret;
	if (r->seq != seq)
		return pouch_err_set(why, POUCH_E_VERIFY, "its seq is %llu, expected %llu (entries "
				     "missing or out of order)", r->seq, seq);
	if (!w->hashes)
		return 0;
	if (strcmp(r->prev, w->prev) != 0)
		return seq == 1 ? pouch_err_set(why, POUCH_E_VERIFY, "prev hash of the first entry "
						"is not 64 zeros")
				: pouch_err_set(why, POUCH_E_VERIFY, "prev hash does not match entry "
						"%llu", seq - 1);
	if (r->head_seq) {
		if (r->head_seq != seq - 1 || strcmp(r->head, r->prev) != 0)
			return pouch_err_set(why, POUCH_E_VERIFY, "checkpoint head does not match "
					     "entry %llu", seq - 1);
		ret = check_signature(w, r, *obj, why);
		if (ret < 0)
			return ret;
	}
	ret = pouch_sha256_buf(line, len, hash, why);
	if (ret < 0)
		return ret;
	if (seq == w->head_seq) {
		if (strcmp(hash, w->head_hash) != 0 || !r->head_seq)
			return pouch_err_set(why, POUCH_E_VERIFY, "it is not the checkpoint that "
					     "audit.head names");
		w->head_found = 1;
	}
	memcpy(w->prev, hash, sizeof(hash));
	return 0;
}

/* audit.head, when there is one: the checkpoint the log must still hold. */
static int load_head(struct walk *w, struct pouch_err *err)
{
	static const char *const keys[] = { "format", "seq", "sha256", NULL };
	char *path = pouch_path_join(w->h->dir, HEAD_NAME);
	const char *format = NULL, *sha = NULL;
	json_t *head = NULL;
	int ret;

	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_json_load_record("audit head", path, &head, err);
	if (ret == POUCH_E_NOTFOUND) {
		ret = 0;
		goto out;
	}
	if (ret == 0 && (pouch_json_only_keys(head, keys, err) < 0 ||
			 pouch_json_str(head, "format", 0, &format, err) < 0 ||
			 pouch_json_str(head, "sha256", 0, &sha, err) < 0 ||
			 !(w->head_seq = pouch_audit_positive(head, "seq")) || strcmp(format, HEAD_FORMAT) ||
			 !pouch_audit_is_hex64(sha)))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "audit head '%s' is corrupt", path);
	if (ret == 0)
		snprintf(w->head_hash, sizeof(w->head_hash), "%s", sha);
out:
	json_decref(head);
	free(path);
	return ret;
}

/* Records that the walk broke at entry seq for the reason in why (escaped, and short enough
 * to fit err's message with its prefix). */
static int broken(struct walk *w, unsigned long long seq, const struct pouch_err *why,
		  struct pouch_err *err)
{
	/* The reason may quote a tampered line: escape it for terminals and JSON. */
	w->res->broken = seq;
	pouch_escape(why->msg, w->res->reason, sizeof(w->res->reason) / 2);
	return pouch_err_set(err, POUCH_E_VERIFY, "audit trail broken at entry %llu: %s", seq,
			     w->res->reason);
}

/* Walks the log; fn (may be NULL) sees each good line. Returns 0 when every line passed,
 * POUCH_E_VERIFY with res->broken and res->reason set at the first bad one, the value fn
 * returned when it stopped the walk, or another code when the log cannot be read. */
static int walk(struct walk *w, int (*fn)(const struct pouch_audit_record *r, void *arg),
		void *arg, struct pouch_err *err)
{
	struct pouch_audit_record r;
	struct reader *rd = NULL;
	struct pouch_err why = { 0 };
	json_t *obj = NULL;
	char *line = NULL;
	size_t len = 0;
	off_t size = 0;
	int fd = -1, ret;

	memset(w->res, 0, sizeof(*w->res));
	snprintf(w->prev, sizeof(w->prev), "%s", ZERO_HASH);
	ret = pouch_audit_open_for_read(w->path, &fd, &size, err);
	if (ret == 0 && w->hashes)
		ret = load_head(w, err);
	/* The log only grows (a failed write is cut back to where it began), and audit.head
	 * changes only under the exclusive lock: what the lock showed stays a consistent view,
	 * and writers need not wait for the checkpoint signatures to be checked. */
	if (fd >= 0)
		flock(fd, LOCK_UN);
	if (ret == 0 && fd >= 0 && !(rd = calloc(1, sizeof(*rd))))
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (ret < 0)
		goto out;
	if (rd) {
		rd->fd = fd;
		rd->left = size;
	}
	while (rd && (ret = next_line(rd, &line, &len, &why)) > 0) {
		ret = walk_line(w, w->res->entries + 1, line, len, &r, &obj, &why);
		if (ret == 0) {
			w->res->entries++;
			if (r.head_seq) {
				w->res->checkpoints++;
				w->res->last_checkpoint = r.seq;
			}
			if (fn)
				ret = fn(&r, arg);
		}
		json_decref(obj);
		obj = NULL;
		if (ret != 0)
			break;
	}
	if (ret < 0 && why.code == POUCH_E_VERIFY)
		ret = broken(w, w->res->entries + 1, &why, err);
	else if (ret < 0 && why.code)
		ret = pouch_err_set(err, why.code, "cannot read the audit trail '%s': %s", w->path,
				    why.msg);
	else if (ret == 0 && w->head_seq && !w->head_found) {
		if (w->res->entries)
			pouch_err_set(&why, POUCH_E_VERIFY, "the log ends at entry %llu but "
				      "audit.head names checkpoint %llu (entries removed)",
				      w->res->entries, w->head_seq);
		else
			pouch_err_set(&why, POUCH_E_VERIFY, "the log is missing or empty but "
				      "audit.head names checkpoint %llu (entries removed)",
				      w->head_seq);
		ret = broken(w, w->res->entries + 1, &why, err);
	}
out:
	w->res->uncovered = w->res->entries - w->res->last_checkpoint;
	w->res->head_seq = w->head_seq;
	free(rd);
	if (fd >= 0)
		close(fd);
	return ret;
}

int pouch_audit_verify(const struct pouch_home *h, struct pouch_audit_result *res,
		       struct pouch_err *err)
{
	struct walk w = { .h = h, .hashes = 1, .res = res };
	char *path = pouch_audit_log_path(h);
	int ret;

	memset(res, 0, sizeof(*res));
	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	w.path = path;
	ret = walk(&w, NULL, NULL, err);
	walk_release(&w);
	free(path);
	return ret;
}

/* null for 0, else the number. */
static json_t *seq_or_null(unsigned long long seq)
{
	return seq ? json_integer((json_int_t)seq) : json_null();
}

char *pouch_audit_result_json(const struct pouch_audit_result *res)
{
	json_t *obj = json_pack("{s:b,s:I,s:I,s:o,s:I,s:o,s:o}", "intact", !res->broken,
				"entries", (json_int_t)res->entries, "checkpoints",
				(json_int_t)res->checkpoints, "last_checkpoint",
				seq_or_null(res->last_checkpoint), "uncovered",
				(json_int_t)res->uncovered, "head", seq_or_null(res->head_seq),
				"broken",
				res->broken ? json_pack("{s:I,s:s}", "entry", (json_int_t)res->broken,
							"reason", res->reason)
					    : json_null());
	char *text = obj ? pouch_json_text(obj, 0) : NULL;

	json_decref(obj);
	return text;
}

int pouch_audit_read(const struct pouch_home *h,
		     int (*fn)(const struct pouch_audit_record *r, void *arg), void *arg,
		     struct pouch_err *err)
{
	struct pouch_audit_result res;
	struct walk w = { .h = h, .hashes = 0, .res = &res };
	char *path = pouch_audit_log_path(h);
	int ret;

	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	w.path = path;
	ret = walk(&w, fn, arg, err);
	walk_release(&w);
	free(path);
	return ret;
}
