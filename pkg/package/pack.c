/* Packing: report and attachments -> tar (in a thread) -> sign and encrypt -> envelope. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "directory/agency.h"
#include "package/archive.h"
#include "package/envelope.h"
#include "base/fs.h"
#include "package/handling.h"
#include "package/pack.h"
#include "directory/partner.h"
#include "crypto/pgp.h"
#include "base/validate.h"
#include "report/report.h"

struct attachment {
	const char *path;
	char name[POUCH_ARCHIVE_NAME_MAX + 1];
	uint64_t size;
	char sha256[POUCH_SHA256_HEX];
};

/* What the archive thread needs, and what it reports. */
struct archiver {
	int fd; /* the pipe's write end, closed by the thread */
	const char *manifest;
	const struct attachment *att;
	size_t natt;
	struct pouch_sha256 *d;
	int ret;
	struct pouch_err err;
	const struct pouch_progress *progress;
	uint64_t done, total; /* bytes archived, of the manifest's and the attachments' */
};

static void moved(struct archiver *a, size_t len)
{
	a->done += len;
	if (a->progress->fn)
		a->progress->fn(a->progress->arg, a->done, a->total);
}

static void hash_chunk(void *ctx, const void *buf, size_t len)
{
	struct archiver *a = ctx;

	pouch_sha256_update(a->d, buf, len);
	moved(a, len);
}

/* Archives one attachment and checks it is the file that was hashed before. */
static int archive_one(struct archiver *a, struct pouch_archive_writer *w,
		       const struct attachment *t)
{
	char hex[POUCH_SHA256_HEX];
	uint64_t size = 0;
	int ret;

	pouch_sha256_free(a->d);
	a->d = NULL;
	ret = pouch_sha256_new(&a->d, &a->err);
	if (!ret)
		ret = pouch_archive_add_file(w, t->name, t->path, hash_chunk, a, &size, &a->err);
	if (ret)
		return ret;
	pouch_sha256_hex(a->d, hex);
	if (size != t->size || strcmp(hex, t->sha256) != 0)
		return pouch_err_set(&a->err, POUCH_E_IO, "attachment '%s' changed while being "
				     "packed", t->path);
	return 0;
}

static void *archive_thread(void *arg)
{
	struct archiver *a = arg;
	struct pouch_archive_writer *w = NULL;
	sigset_t pipe_only;
	size_t i;

	/* A reader that went away gives EPIPE here, not a signal. */
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_only, NULL);
	a->ret = pouch_archive_writer_new(a->fd, &w, &a->err);
	if (!a->ret)
		a->ret = pouch_archive_add_manifest(w, a->manifest, strlen(a->manifest), &a->err);
	if (!a->ret)
		moved(a, strlen(a->manifest));
	for (i = 0; !a->ret && i < a->natt; i++)
		a->ret = archive_one(a, w, &a->att[i]);
	if (!a->ret)
		a->ret = pouch_archive_writer_finish(w, &a->err);
	pouch_archive_writer_free(w);
	pouch_sha256_free(a->d);
	a->d = NULL;
	close(a->fd);
	return NULL;
}

/* The newest key of partner code that is valid now. */
static int recipient(const struct pouch_home *home, struct pouch_pgp *pgp, const char *code,
		     time_t now, struct pouch_party *to, struct pouch_err *err)
{
	struct pouch_partner p;
	size_t i;
	int ret = pouch_partner_load(home, code, &p, err);

	if (ret < 0)
		return ret;
	to->fpr[0] = '\0';
	for (i = 0; !ret && i < p.nkeys; i++) {
		enum pouch_key_state st;
		ret = pouch_partner_key_state(pgp, &p.keys[i], now, &st, err);
		if (!ret && st == POUCH_KEY_VALID)
			snprintf(to->fpr, sizeof(to->fpr), "%s", p.keys[i].fpr);
	}
	pouch_partner_release(&p);
	if (!ret && !to->fpr[0])
		ret = pouch_err_set(err, POUCH_E_REFUSED, "partner '%s' has no valid key", code);
	snprintf(to->agency, sizeof(to->agency), "%s", code);
	return ret;
}

/* Names attachment i after its file and checks the name (pouch_archive_name_check, unique by
 * key in names); a refused name is POUCH_E_USAGE, the message naming the file. */
static int name_attachment(struct attachment *att, size_t i, const char *path,
			   struct pouch_archive_names *names, struct pouch_err *err)
{
	char shown[POUCH_ERR_MSG_MAX / 4], *copy = strdup(path);
	const char *clash = NULL;
	int ret;

	if (!copy)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	att[i].path = path;
	snprintf(att[i].name, sizeof(att[i].name), "%s", basename(copy));
	ret = strlen(basename(copy)) > POUCH_ARCHIVE_NAME_MAX
		      ? pouch_err_set(err, POUCH_E_REFUSED, "its name is longer than %d bytes",
				      POUCH_ARCHIVE_NAME_MAX)
		      : pouch_archive_name_check(att[i].name, err);
	free(copy);
	if (!ret)
		ret = pouch_archive_names_add(names, att[i].name, &clash, err);
	if (ret != POUCH_E_REFUSED)
		return ret;
	if (clash && strcmp(clash, att[i].name) == 0) {
		pouch_escape(clash, shown, sizeof(shown));
		return pouch_err_set(err, POUCH_E_USAGE, "two attachments are named '%s'", shown);
	}
	pouch_escape(path, shown, sizeof(shown));
	if (clash)
		pouch_err_prefix(err, "two attachments are named alike");
	else
		pouch_err_prefix(err, "attachment '%s'", shown);
	if (err)
		err->code = POUCH_E_USAGE;
	return POUCH_E_USAGE;
}

static int hash_attachments(const struct pouch_pack_req *req, struct attachment *att,
			    struct pouch_err *err)
{
	struct pouch_archive_names names = { 0 };
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < req->nattach; i++) {
		int fd;
		ret = name_attachment(att, i, req->attach[i], &names, err);
		if (ret)
			break;
		ret = pouch_fs_open_regular("attachment", att[i].path, UINT64_MAX, 0, &fd, NULL,
					    err);
		if (ret < 0)
			break;
		ret = pouch_sha256_fd(fd, att[i].sha256, &att[i].size, err);
		close(fd);
		if (ret)
			pouch_err_prefix(err, "attachment '%s'", att[i].path);
	}
	pouch_archive_names_release(&names);
	return ret;
}

/* The report must be valid (its errors go to req->report_errors), and the header shows its
 * priority (spec/report.md section 12); --priority, when given, must say the same. */
static int check_report(const struct pouch_pack_req *req, json_t *report, struct pouch_header *h,
			struct pouch_err *err)
{
	struct pouch_report_errors none = { 0 };
	struct pouch_report_errors *e = req->report_errors ? req->report_errors : &none;
	struct pouch_report_marks marks;
	int ret = pouch_report_validate(report, e, err);

	pouch_report_errors_release(&none);
	if (ret == POUCH_E_REFUSED)
		return pouch_err_set(err, ret, "report '%s' is not valid: %zu error%s", req->report,
				     e->count, e->count == 1 ? "" : "s");
	if (!ret)
		ret = pouch_report_marks(report, &marks, err);
	if (ret < 0)
		return ret;
	if (req->priority && strcmp(req->priority, marks.priority))
		return pouch_err_set(err, POUCH_E_USAGE, "--priority %s differs from the report's "
				     "priority.level '%s'", req->priority, marks.priority);
	snprintf(h->priority, sizeof(h->priority), "%s", marks.priority);
	snprintf(h->classification, sizeof(h->classification), "%s", marks.tier);
	snprintf(h->tlp, sizeof(h->tlp), "%s", marks.tlp);
	if (req->priority_used)
		snprintf(req->priority_used, sizeof(h->priority), "%s", marks.priority);
	return 0;
}

/* The report's attachments list, filled in from the files or checked against them. */
static int attach_report(const struct pouch_pack_req *req, json_t *report,
			 const struct attachment *att, struct pouch_err *err)
{
	struct pouch_report_file *files = calloc(req->nattach ? req->nattach : 1, sizeof(*files));
	size_t i, n = req->nattach;
	int ret;

	if (!files)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		files[i] = (struct pouch_report_file){ att[i].name, att[i].size, att[i].sha256 };
	ret = pouch_report_attach(report, files, n, err);
	free(files);
	if (ret == POUCH_E_REFUSED)
		pouch_err_prefix(err, "report '%s'", req->report);
	return ret;
}

/* pouch.json's salt: 32 fresh random bytes as 64 hex digits, so that the header's digest of
 * pouch.json reveals nothing about a report one could guess (spec/envelope.md section 3). */
static int new_salt(char *hex, struct pouch_err *err)
{
	unsigned char b[32];
	size_t i;
	int ret = pouch_random_bytes(b, sizeof(b), err);

	if (ret < 0)
		return ret;
	for (i = 0; i < sizeof(b); i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	explicit_bzero(b, sizeof(b));
	return 0;
}

static char *manifest_text(const struct pouch_header *h, const char *salt, json_t *report,
			   const struct attachment *att, size_t natt, json_t *provenance)
{
	json_t *m, *rcpt = json_array(), *list = json_array();
	char *text = NULL;
	size_t i;

	for (i = 0; rcpt && i < h->nrecipients; i++)
		json_array_append_new(rcpt, json_pack("{s:s, s:s}", "agency",
						      h->recipients[i].agency, "fingerprint",
						      h->recipients[i].fpr));
	for (i = 0; list && i < natt; i++)
		json_array_append_new(list, json_pack("{s:s, s:I, s:s}", "name", att[i].name,
						      "size", (json_int_t)att[i].size, "sha256",
						      att[i].sha256));
	m = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:O, s:o}",
		      "format", "pouch-content/1", "id", h->id, "sender", "agency",
		      h->sender.agency, "fingerprint", h->sender.fpr, "recipients", rcpt, "created",
		      pouch_json_time_new(h->created), "expires", pouch_json_time_new(h->expires),
		      "priority", h->priority, "classification", h->classification, "tlp", h->tlp,
		      "salt", salt, "report", report, "attachments", list);
	if (m && provenance && json_object_set(m, "provenance", provenance) < 0)
		json_decref(m), m = NULL;
	if (m)
		text = pouch_json_text(m, 0);
	json_decref(m);
	return text;
}

/* Streams the plaintext through a pipe from the archive thread into the seal, which hashes the
 * payload as it writes it: its digest and size go to h. */
static int seal_payload(struct pouch_pgp *pgp, struct pouch_header *h,
			const char *const *keys, size_t nkeys, const char *manifest,
			const struct attachment *att, size_t natt,
			const struct pouch_progress *progress, int out_fd, struct pouch_err *err)
{
	struct archiver a = { -1, manifest, att, natt, NULL, 0, { 0, "" }, progress, 0, 0 };
	unsigned long long payload_size = 0;
	pthread_t thread;
	size_t i;
	int fds[2], ret;

	a.total = strlen(manifest);
	for (i = 0; i < natt; i++)
		a.total += att[i].size;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot make a pipe: %s", strerror(errno));
	a.fd = fds[1];
	if (pthread_create(&thread, NULL, archive_thread, &a) != 0) {
		close(fds[0]);
		close(fds[1]);
		return pouch_err_set(err, POUCH_E_IO, "cannot start the archive thread");
	}
	/* A pipe as large as the seal's reads: the archive is handed over in a few big pieces. */
	fcntl(fds[1], F_SETPIPE_SZ, POUCH_ARCHIVE_BLOCK);
	ret = pouch_pgp_seal(pgp, h->sender.fpr, keys, nkeys, fds[0], out_fd, h->payload_sha256,
			     &payload_size, err);
	h->payload_size = payload_size;
	/* Closing the read end first frees a writer the seal no longer reads. */
	close(fds[0]);
	pthread_join(thread, NULL);
	if (a.ret < 0) {
		if (err)
			*err = a.err;
		return a.ret;
	}
	return ret;
}

struct outputs {
	char *dir;
	char *payload_tmp, *envelope_tmp;
	char *payload, *envelope;
	int linked_payload;
	char *envelope_sha256; /* where the envelope's digest goes, or NULL */
};

static void outputs_release(struct outputs *o, int failed)
{
	if (o->payload_tmp)
		unlink(o->payload_tmp);
	if (o->envelope_tmp)
		unlink(o->envelope_tmp);
	if (failed && o->linked_payload)
		unlink(o->payload);
	free(o->payload_tmp);
	free(o->envelope_tmp);
	free(o->payload);
	free(o->envelope);
	free(o->dir);
}

/* A temporary file in the output directory: unnamed where the file system allows, so that a
 * pack killed half way leaves nothing behind. */
static int temp_in(const char *dir, const char *id, const char *what, char **path,
		   struct pouch_err *err)
{
	char *hint = NULL;
	int fd;

	if (asprintf(&hint, "%s.%s", id, what) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	fd = pouch_fs_tmpfile(dir, hint, path, err);
	free(hint);
	return fd;
}

static int write_package(struct pouch_pgp *pgp, const struct pouch_header *h, int payload_fd,
			 struct outputs *o, struct pouch_err *err)
{
	char *bytes = NULL, *sig = NULL;
	size_t len = 0, siglen = 0;
	int fd = -1, detached = h->payload_size > POUCH_INLINE_MAX, ret;

	ret = pouch_header_encode(h, &bytes, &len, err);
	if (!ret)
		ret = pouch_pgp_sign_detached(pgp, h->sender.fpr, bytes, len, &sig, &siglen, err);
	if (ret < 0)
		goto out;
	if (detached) {
		ret = pouch_fs_tmpfile_link(payload_fd, o->payload_tmp, o->payload, err);
		if (ret < 0)
			goto out;
		o->linked_payload = 1;
	}
	fd = temp_in(o->dir, h->id, "envelope", &o->envelope_tmp, err);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	if (lseek(payload_fd, 0, SEEK_SET) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot reread the payload: %s",
				    strerror(errno));
		goto out;
	}
	ret = pouch_envelope_write(fd, bytes, len, sig, siglen, payload_fd,
				   detached ? strrchr(o->payload, '/') + 1 : NULL, err);
	if (!ret && (fsync(fd) < 0 || fchmod(fd, 0644) < 0 ||
		     (o->envelope_sha256 && lseek(fd, 0, SEEK_SET) < 0)))
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write the envelope: %s",
				    strerror(errno));
	/* The digest of the bytes written, hashed before the file has a name anyone can open. */
	if (!ret && o->envelope_sha256)
		ret = pouch_sha256_fd(fd, o->envelope_sha256, &(uint64_t){ 0 }, err);
	if (!ret)
		ret = pouch_fs_tmpfile_link(fd, o->envelope_tmp, o->envelope, err);
	if (!ret)
		ret = pouch_fs_sync_dir(o->dir, err);
out:
	if (fd >= 0)
		close(fd);
	free(bytes);
	free(sig);
	return ret;
}

static int pack(const struct pouch_home *home, const struct pouch_pack_req *req, time_t now,
		struct pouch_header *h, struct outputs *o, struct attachment *att,
		struct pouch_err *err)
{
	const char *keys[POUCH_RECIPIENTS_MAX + 1];
	struct pouch_agency self = { 0 };
	struct pouch_pgp *pgp = NULL;
	json_t *report = NULL, *prov = NULL;
	char *manifest = NULL, salt[POUCH_SHA256_HEX];
	size_t i, nkeys = 0;
	int payload_fd = -1, ret;

	ret = pouch_agency_load(home->agency, &self, err);
	if (!ret)
		ret = pouch_report_load(req->report, &report, err);
	if (!ret)
		ret = check_report(req, report, h, err);
	if (!ret)
		ret = pouch_ceiling_check_report(home, report, "the report", err);
	/* A forward (it carries provenance) has passed the stricter onward rules already. */
	if (!ret && !req->provenance)
		ret = pouch_handling_send_check(report, req->to, req->nto, err);
	if (!ret && req->provenance)
		ret = pouch_json_parse("provenance", req->provenance, strlen(req->provenance), &prov,
				       err);
	if (!ret)
		ret = hash_attachments(req, att, err);
	if (!ret)
		ret = attach_report(req, report, att, err);
	if (!ret)
		ret = pouch_home_pgp(home, &pgp, err);
	if (ret < 0)
		goto out;
	if (req->passphrase)
		pouch_pgp_set_passphrase(pgp, req->passphrase);
	snprintf(h->sender.agency, sizeof(h->sender.agency), "%s", self.code);
	snprintf(h->sender.fpr, sizeof(h->sender.fpr), "%s", pouch_agency_current(&self)->fpr);
	for (i = 0; !ret && i < req->nto; i++) {
		ret = recipient(home, pgp, req->to[i], now, &h->recipients[i], err);
		keys[nkeys++] = h->recipients[i].fpr;
	}
	if (ret < 0)
		goto out;
	h->nrecipients = req->nto;
	if (!req->no_self)
		keys[nkeys++] = h->sender.fpr;
	/* The header is complete but for the payload; the manifest binds the same values, and
	 * the header signs the manifest's exact bytes by their digest. */
	snprintf(h->payload_sha256, sizeof(h->payload_sha256), "%064d", 0);
	ret = new_salt(salt, err);
	if (!ret && !(manifest = manifest_text(h, salt, report, att, req->nattach, prov)))
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!ret)
		ret = pouch_sha256_buf(manifest, strlen(manifest), h->content_sha256, err);
	if (ret < 0)
		goto out;
	payload_fd = temp_in(o->dir, h->id, "payload", &o->payload_tmp, err);
	if (payload_fd < 0) {
		ret = payload_fd;
		goto out;
	}
	ret = seal_payload(pgp, h, keys, nkeys, manifest, att, req->nattach, &req->progress,
			   payload_fd, err);
	if (!ret && (fsync(payload_fd) < 0 || fchmod(payload_fd, 0644) < 0))
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write the payload: %s",
				    strerror(errno));
	if (!ret)
		ret = write_package(pgp, h, payload_fd, o, err);
out:
	if (payload_fd >= 0)
		close(payload_fd);
	free(manifest);
	json_decref(report);
	json_decref(prov);
	pouch_pgp_free(pgp);
	pouch_agency_release(&self);
	return ret;
}

int pouch_pack(const struct pouch_home *home, const struct pouch_pack_req *req, time_t now,
	       char *id, struct pouch_err *err)
{
	struct pouch_header h = { 0 };
	struct outputs o = { 0 };
	struct attachment *att = NULL;
	size_t i, j;
	int ret;

	id[0] = '\0';
	if (req->nto == 0 || req->nto > POUCH_RECIPIENTS_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "give 1 to %d recipients",
				     POUCH_RECIPIENTS_MAX);
	for (i = 0; i < req->nto; i++) {
		ret = pouch_agency_code_check(req->to[i], err);
		for (j = 0; !ret && j < i; j++)
			if (strcmp(req->to[i], req->to[j]) == 0)
				ret = pouch_err_set(err, POUCH_E_USAGE, "recipient '%s' given twice",
						    req->to[i]);
		if (ret)
			return ret;
	}
	ret = req->priority ? pouch_priority_check(req->priority, err) : 0;
	if (!ret && req->expires_in <= 0)
		ret = pouch_err_set(err, POUCH_E_USAGE, "a package must expire in the future");
	if (!ret)
		ret = pouch_uuid_new(h.id, err);
	if (ret < 0)
		return ret;
	h.created = now;
	h.expires = now + (time_t)req->expires_in;
	att = calloc(req->nattach ? req->nattach : 1, sizeof(*att));
	o.dir = req->out_file ? pouch_fs_dir_of(req->out_file) : strdup(req->out_dir);
	if (!o.dir)
		o.envelope = NULL;
	else if (req->out_file)
		o.envelope = strdup(req->out_file);
	else if (asprintf(&o.envelope, "%s/%s.pouch", o.dir, h.id) < 0)
		o.envelope = NULL;
	if (!o.dir || asprintf(&o.payload, "%s/%s.pouch.pgp", o.dir, h.id) < 0)
		o.payload = NULL;
	if (!att || !o.envelope || !o.payload) {
		outputs_release(&o, 0);
		free(att);
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	o.envelope_sha256 = req->envelope_sha256;
	ret = pack(home, req, now, &h, &o, att, err);
	if (!ret)
		snprintf(id, POUCH_UUID_LEN, "%s", h.id);
	outputs_release(&o, ret < 0);
	free(att);
	return ret;
}
