/* Where a new package goes and what follows once it is made: shared by pack and forward. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "packout.h"
#include "remind.h"
#include "base/fs.h"
#include "base/json.h"
#include "exchange/push.h"

int cli_pack_output(const char *out, struct pouch_pack_req *req)
{
	struct stat st;
	size_t len = strlen(out);
	char *dir;
	int ok;

	if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
		req->out_dir = out;
		return EXIT_OK;
	}
	if (len == 0 || out[len - 1] == '/') {
		pouch_error("cannot write in '%s': no such directory", out);
		return EXIT_OPERATIONAL;
	}
	if (pouch_fs_exists(out)) {
		pouch_error("cannot write '%s': it exists (a package file is never replaced)", out);
		return EXIT_REFUSED; /* as POUCH_E_EXISTS is everywhere */
	}
	dir = pouch_fs_dir_of(out);
	ok = dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	if (!ok)
		pouch_error("cannot write '%s': no directory '%s'", out, dir ? dir : "");
	free(dir);
	req->out_file = out;
	req->out_dir = NULL;
	return ok ? EXIT_OK : EXIT_OPERATIONAL;
}

char *cli_codes_join(const char *const *to, size_t n)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(to[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, to[i]);
	}
	return s;
}

static int detached_beside(const char *dir, const char *id)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.pouch.pgp", dir, id);
	return pouch_fs_exists(path);
}

/* Removes the package's files again: a package that could not be recorded is not made. */
static void unmake(const char *dir, const char *envelope, const char *id)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.pouch.pgp", dir, id);
	pouch_fs_remove(path, NULL);
	pouch_fs_remove(envelope, NULL);
}

static int print_result(const char *dir, const char *envelope, const char *id,
			const char *extra, const char *reminder)
{
	char *path, *json = NULL;
	int bad;

	if (!cli.json)
		return printf("%s\n", id) < 0 ? EXIT_OPERATIONAL : EXIT_OK;
	path = pouch_json_quote(envelope);
	/* The id is a UUID: nothing to escape. */
	if (path && asprintf(&json, "{\"id\":\"%s\",\"path\":%s,\"detached\":%s%s%s}", id, path,
			     detached_beside(dir, id) ? "true" : "false", extra ? "," : "",
			     extra ? extra : "") < 0)
		json = NULL;
	if (json && reminder)
		json = remind_json(json, reminder);
	bad = !json || printf("%s\n", json) < 0;
	free(json);
	free(path);
	if (bad) {
		pouch_error("cannot write the results");
		return EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}

int cli_pack_done(const struct pouch_pack_req *req, const char *id, struct pouch_audit_entry *e,
		  const char *pass, time_t now, const char *extra)
{
	struct pouch_err err = { 0 };
	char envelope[4096], *dir;
	const char *reminder;
	int ret;

	dir = req->out_file ? pouch_fs_dir_of(req->out_file) : strdup(req->out_dir);
	if (!dir)
		return EXIT_OPERATIONAL;
	if (req->out_file)
		snprintf(envelope, sizeof(envelope), "%s", req->out_file);
	else
		snprintf(envelope, sizeof(envelope), "%s/%s.pouch", dir, id);
	/* Push takes these exact bytes as ours without verifying them again; without the record
	 * it verifies them, so a failure to record costs time only. */
	if (req->envelope_sha256 && req->envelope_sha256[0]) {
		e->digest = req->envelope_sha256;
		if (pouch_push_packed_record(&cli.home, id, e->digest, now, &err) < 0)
			pouch_warn("%s (push will verify %s again)", err.msg, id);
	}
	/* Recorded before it is reported; without a record there is no package (exit 3). */
	e->id = id;
	if (pouch_audit_append_file(&cli.home, e, envelope, now, &err) < 0) {
		unmake(dir, envelope, id);
		free(dir);
		return pouch_fail(&err);
	}
	if (pouch_audit_checkpoint(&cli.home, pass, now, &err) < 0)
		pouch_warn("%s", err.msg);
	/* The priority pack took from the report. */
	reminder = remind_needed(req->priority_used) ? remind(id, e->agency, "recipient") : NULL;
	ret = print_result(dir, envelope, id, extra, reminder);
	if (ret == EXIT_OK)
		pouch_note("packed %s%s", envelope,
			   detached_beside(dir, id) ? " (its payload beside it, in ID.pouch.pgp)"
						    : "");
	free(dir);
	return ret == EXIT_OK && fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}

void cli_audit_refusal(const char *event, const char *id, const char *agency,
		       const struct pouch_err *err, time_t now)
{
	struct pouch_err aerr = { 0 };

	if (pouch_audit_append(&cli.home, &(struct pouch_audit_entry){ .event = event, .id = id,
		    .agency = agency, .verdict = "refused", .reason = err->msg }, now, &aerr) < 0)
		pouch_warn("%s", aerr.msg);
}
