/* pouch forward: an opened package, checked again and against the handling rules, packed anew
 * for new recipients with its provenance (spec/forward.md). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/fs.h"
#include "base/json.h"
#include "crypto/digest.h"
#include "crypto/pgp.h"
#include "directory/agency.h"
#include "package/forward.h"
#include "package/archive.h"
#include "package/handling.h"
#include "package/open.h"
#include "package/permit.h"
#include "package/provenance.h"
#include "package/signed.h"
#include "package/verify.h"

#define ORIGIN_MAX (256 * 1024)
#define MANIFEST_MAX (POUCH_REPORT_MAX + 64 * 1024)
#define MAX_ATTACHMENTS 1024 /* as pouch open holds a package to */

/* What the opened package holds, checked. */
struct source {
	char *header, *sig, *manifest; /* the origin's header bytes and signature; pouch.json */
	size_t header_len, sig_len, manifest_len;
	struct pouch_header h;
	json_t *m;                     /* pouch.json parsed */
	char *permission;              /* the permission file's text, or NULL */
	size_t permission_len;
};

static void source_release(struct source *s)
{
	free(s->header);
	free(s->sig);
	free(s->manifest);
	free(s->permission);
	json_decref(s->m);
}

static int read_in(const char *dir, const char *name, size_t max, char **text, size_t *len,
		   struct pouch_err *err)
{
	char *path = pouch_path_join(dir, name);
	int ret = path ? pouch_fs_read(path, max, text, len, err)
		       : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");

	if (ret == POUCH_E_NOTFOUND)
		pouch_err_set(err, POUCH_E_REFUSED, "'%s' is not a package pouch opened: it holds no "
			      "%s", dir, name);
	free(path);
	return ret == POUCH_E_NOTFOUND ? POUCH_E_REFUSED : ret;
}

/* The origin's header is signed by its sender's pinned key, pouch.json binds it, and this home
 * opened that very package (its seen record holds the header's SHA-256). */
static int check_origin(const struct pouch_home *home, struct pouch_pgp *pgp, const char *dir,
			struct source *s, time_t now, struct pouch_err *err)
{
	char signer[POUCH_FPR_LEN + 1] = "", agency[POUCH_CODE_MAX + 1] = "";
	char digest[POUCH_SHA256_HEX], *text = NULL, *seen = NULL;
	size_t len = 0;
	int ret;

	ret = read_in(dir, "origin.json", ORIGIN_MAX, &text, &len, err);
	if (!ret)
		ret = pouch_signed_unwrap(text, len, POUCH_ORIGIN_FORMAT, "header", &s->header,
					  &s->header_len, &s->sig, &s->sig_len, err);
	if (!ret)
		ret = pouch_signature_check(home, pgp, "the original header's signature", s->header,
					    s->header_len, s->sig, s->sig_len, now, signer, agency,
					    err);
	if (!ret)
		ret = pouch_header_decode(s->header, s->header_len, &s->h, err);
	if (!ret && (strcmp(s->h.sender.agency, agency) != 0 ||
		     strcmp(s->h.sender.fpr, signer) != 0))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the original header names sender %s but "
				    "is signed by key %s of %s", s->h.sender.agency, signer, agency);
	if (!ret)
		ret = read_in(dir, "pouch.json", MANIFEST_MAX, &s->manifest, &s->manifest_len, err);
	if (!ret)
		ret = pouch_manifest_check(s->manifest, s->manifest_len, &s->h, err);
	if (!ret)
		ret = pouch_json_parse("pouch.json", s->manifest, s->manifest_len, &s->m, err);
	if (!ret)
		ret = pouch_sha256_buf(s->header, s->header_len, digest, err);
	free(text);
	text = NULL;
	if (!ret && asprintf(&seen, "%s/seen/%s.%s", home->dir, s->h.sender.agency, s->h.id) < 0)
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!ret && (pouch_fs_read(seen, 256, &text, &len, NULL) < 0 || len < 64 ||
		     strncmp(text, digest, 64) != 0))
		ret = pouch_err_set(err, POUCH_E_REFUSED, "package %s from %s was not opened in "
				    "this home", s->h.id, s->h.sender.agency);
	if (ret == POUCH_E_VERIFY || ret == POUCH_E_CORRUPT)
		pouch_err_prefix(err, "'%s' is refused", dir);
	free(seen);
	free(text);
	return ret == POUCH_E_VERIFY || ret == POUCH_E_CORRUPT ? POUCH_E_REFUSED : ret;
}

/* The originator and the original package: the first sender's, as the provenance the package
 * carries says (checked back to it), else this package's own. */
static int originator_of(const struct pouch_home *home, const struct source *s, time_t now,
			 struct pouch_forwarded *res, struct pouch_party *orig, char *orig_id,
			 struct pouch_err *err)
{
	struct pouch_provenance p;
	int ret = pouch_provenance_check(home, s->m, now, &p, err);

	if (ret == POUCH_E_VERIFY) {
		/* Fail closed: what cannot be traced to its originator is not passed on. */
		if (err)
			err->code = POUCH_E_REFUSED;
		return pouch_err_prefix(err, "package %s from %s is refused", s->h.id,
					s->h.sender.agency);
	}
	if (ret < 0)
		return ret;
	snprintf(orig->agency, sizeof(orig->agency), "%s",
		 p.forwarded ? p.origin : s->h.sender.agency);
	snprintf(orig->fpr, sizeof(orig->fpr), "%s", p.forwarded ? p.origin_fpr : s->h.sender.fpr);
	snprintf(orig_id, POUCH_UUID_LEN, "%s", p.forwarded ? p.origin_id : s->h.id);
	snprintf(res->originator, sizeof(res->originator), "%s", orig->agency);
	return 0;
}

/* A permission, when given, for the original package, granting one of the new recipients. */
static int check_permission(const struct pouch_home *home, const struct pouch_forward_req *req,
			    struct source *s, const struct pouch_party *orig, const char *orig_id,
			    time_t now, struct pouch_forwarded *res, struct pouch_err *err)
{
	struct pouch_permission p;
	size_t i;
	int ret;

	if (!req->permission)
		return 0;
	ret = pouch_fs_read(req->permission, POUCH_PERMISSION_MAX, &s->permission,
			    &s->permission_len, err);
	if (ret == POUCH_E_REFUSED)
		pouch_err_set(err, POUCH_E_REFUSED, "permission '%s' is larger than %d bytes",
			      req->permission, POUCH_PERMISSION_MAX);
	if (!ret)
		ret = pouch_permission_check(home, s->permission, s->permission_len, orig->agency,
					     orig_id, NULL, now, &p, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < req->pack.nto; i++)
		if (strcmp(req->pack.to[i], p.grantee) == 0) {
			snprintf(res->grantee, sizeof(res->grantee), "%s", p.grantee);
			return 0;
		}
	return pouch_err_set(err, POUCH_E_REFUSED, "the permission is refused: it grants %s, "
			     "which is not among the new recipients", p.grantee);
}

/* The attachments pouch.json lists, as files of the opened directory, each still the file it
 * lists (size and SHA-256). paths[i] are allocated (caller frees). */
static int attachments(const char *dir, const json_t *m, char **paths, size_t *n,
		       struct pouch_err *err)
{
	const json_t *list = json_object_get(m, "attachments"), *a;
	char hex[POUCH_SHA256_HEX];
	uint64_t size;
	size_t i;
	int fd, ret = 0;

	*n = 0;
	json_array_foreach(list, i, a) {
		const char *name = json_string_value(json_object_get(a, "name"));
		/* pouch open checked the names; a pouch.json edited since must not name a path. */
		if (pouch_archive_name_check(name, NULL) < 0)
			return pouch_err_set(err, POUCH_E_REFUSED, "'%s' is refused: pouch.json lists "
					     "an attachment name no package may hold", dir);
		if (asprintf(&paths[i], "%s/attachments/%s", dir, name) < 0)
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		*n = i + 1;
		ret = pouch_fs_open_regular("attachment", paths[i], UINT64_MAX, POUCH_FS_NOFOLLOW,
					    &fd, NULL, err);
		if (ret < 0)
			return ret;
		ret = pouch_sha256_fd(fd, hex, &size, err);
		close(fd);
		if (!ret && (size != (uint64_t)json_integer_value(json_object_get(a, "size")) ||
			     strcmp(hex, json_string_value(json_object_get(a, "sha256"))) != 0))
			ret = pouch_err_set(err, POUCH_E_REFUSED, "attachment '%s' is not the file "
					    "the package holds: it changed after it was opened",
					    paths[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static json_t *b64(const char *buf, size_t len)
{
	char *s = pouch_base64_encode((const unsigned char *)buf, len);
	json_t *j = s ? json_string(s) : NULL;

	free(s);
	return j;
}

/* pouch.json's provenance member (spec/forward.md section 3), as text (caller frees). */
static char *provenance(const struct source *s, const struct pouch_party *orig,
			const char *orig_id)
{
	json_t *perm = NULL, *j;
	char *text = NULL;

	if (s->permission && pouch_json_parse("permission", s->permission, s->permission_len,
					      &perm, NULL) < 0)
		return NULL;
	j = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:o, s:o, s:o}", "format",
		      "pouch-provenance/1", "origin", "agency", orig->agency, "fingerprint",
		      orig->fpr, "id", orig_id, "header", b64(s->header, s->header_len),
		      "signature", b64(s->sig, s->sig_len), "content",
		      b64(s->manifest, s->manifest_len), "permission", perm ? perm : json_null());
	if (j)
		text = pouch_json_text(j, 0);
	json_decref(j);
	return text;
}

/* The report alone, in a private file of the home that pouch_pack reads: unnamed where the file
 * system allows (read through /proc/self/fd), so that nothing is left if forward is killed.
 * *fd stays open for as long as *path is used; a named file's *named is set (caller unlinks). */
static int report_file(const struct pouch_home *home, const json_t *m, int *fd, char **path,
		       char **named, struct pouch_err *err)
{
	char *text = pouch_json_text(json_object_get(m, "report"), 0);
	int ret = 0;

	*path = *named = NULL;
	*fd = text ? pouch_fs_tmpfile(home->dir, "forward-report", named, err)
		   : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (*fd < 0)
		ret = *fd;
	else if (pouch_fs_write_all(*fd, text, strlen(text)) < 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write the report in '%s'", home->dir);
	else if (*named ? !(*path = strdup(*named)) : asprintf(path, "/proc/self/fd/%d", *fd) < 0)
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (ret < 0 && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	free(text);
	return ret;
}

int pouch_forward(const struct pouch_home *home, const struct pouch_forward_req *req,
		  time_t now, struct pouch_forwarded *res, struct pouch_err *err)
{
	struct source s = { 0 };
	struct pouch_agency self = { 0 };
	struct pouch_pgp *pgp = NULL;
	struct pouch_party orig;
	struct pouch_pack_req pack = req->pack;
	const char *rcpts[POUCH_RECIPIENTS_MAX];
	char orig_id[POUCH_UUID_LEN], *paths[MAX_ATTACHMENTS] = { 0 }, *report = NULL, *prov = NULL;
	char *named = NULL;
	size_t i, npaths = 0;
	int report_fd = -1, ret;

	memset(res, 0, sizeof(*res));
	ret = pouch_agency_load(home->agency, &self, err);
	if (!ret)
		ret = pouch_home_pgp(home, &pgp, err);
	if (!ret)
		ret = check_origin(home, pgp, req->dir, &s, now, err);
	if (ret < 0)
		goto out;
	snprintf(res->original, sizeof(res->original), "%s", s.h.id);
	snprintf(res->sender, sizeof(res->sender), "%s", s.h.sender.agency);
	ret = originator_of(home, &s, now, res, &orig, orig_id, err);
	if (!ret)
		ret = check_permission(home, req, &s, &orig, orig_id, now, res, err);
	for (i = 0; i < s.h.nrecipients; i++)
		rcpts[i] = s.h.recipients[i].agency;
	if (!ret)
		ret = pouch_handling_forward_check_all(
			&(struct pouch_forward_ctx){ json_object_get(s.m, "report"), self.code,
						     orig.agency, rcpts, s.h.nrecipients,
						     res->grantee[0] ? res->grantee : NULL },
			req->pack.to, req->pack.nto, err);
	if (!ret && json_array_size(json_object_get(s.m, "attachments")) > MAX_ATTACHMENTS)
		ret = pouch_err_set(err, POUCH_E_REFUSED, "too many attachments");
	if (!ret)
		ret = attachments(req->dir, s.m, paths, &npaths, err);
	if (!ret && !(prov = provenance(&s, &orig, orig_id)))
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!ret)
		ret = report_file(home, s.m, &report_fd, &report, &named, err);
	if (ret < 0)
		goto out;
	pack.report = report;
	pack.attach = (const char *const *)paths;
	pack.nattach = npaths;
	pack.priority = s.h.priority;
	snprintf(res->priority, sizeof(res->priority), "%s", s.h.priority);
	pack.provenance = prov;
	ret = pouch_pack(home, &pack, now, res->id, err);
out:
	if (named)
		unlink(named);
	if (report_fd >= 0)
		close(report_fd);
	free(named);
	free(report);
	for (i = 0; i < npaths; i++)
		free(paths[i]);
	free(prov);
	source_release(&s);
	pouch_pgp_free(pgp);
	pouch_agency_release(&self);
	return ret;
}
