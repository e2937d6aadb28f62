/* One line of a batch made into a package, in a worker: the line's JSON read into a pack
 * request (spec/batch.md), an inline report put in a private memory file, pouch_pack run. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "input.h"
#include "pack_batch_internal.h"
#include "base/fs.h"
#include "base/json.h"
#include "package/pack.h"

#define LINE_ATTACH_MAX 1024

/* A line read into a request; everything it holds is freed by line_release. */
struct line {
	json_t *json;
	const char *to[POUCH_RECIPIENTS_MAX];
	size_t nto;
	char *codes[POUCH_RECIPIENTS_MAX]; /* copies cli_codes_add split, one per "to" item */
	size_t ncodes;
	char *report;                      /* its path, resolved */
	char *attach[LINE_ATTACH_MAX];     /* paths, resolved */
	size_t nattach;
	char priority[16];
	int memfd;                         /* an inline report's file, or -1 */
	char inline_path[32];              /* "/proc/self/fd/N" */
};

static void line_release(struct line *l)
{
	size_t i;

	for (i = 0; i < l->ncodes; i++)
		free(l->codes[i]);
	for (i = 0; i < l->nattach; i++)
		free(l->attach[i]);
	free(l->report);
	if (l->memfd >= 0)
		close(l->memfd);
	json_decref(l->json);
}

/* A path as the line gives it, relative ones taken from the batch file's directory. */
static char *resolve(const struct batch *b, const char *path)
{
	if (path[0] == '/' || strcmp(b->base, ".") == 0)
		return strdup(path);
	return pouch_path_join(b->base, path);
}

static int add_codes(struct line *l, const char *s, struct pouch_err *err)
{
	char *copy;

	if (l->ncodes == POUCH_RECIPIENTS_MAX || !(copy = strdup(s)))
		return pouch_err_set(err, POUCH_E_USAGE, "give 1 to %d recipients in 'to'",
				     POUCH_RECIPIENTS_MAX);
	l->codes[l->ncodes++] = copy;
	if (cli_codes_add(copy, l->to, &l->nto, POUCH_RECIPIENTS_MAX) < 0)
		return pouch_err_set(err, POUCH_E_USAGE, "give 1 to %d recipients in 'to'",
				     POUCH_RECIPIENTS_MAX);
	return 0;
}

static int read_to(struct line *l, const json_t *to, struct pouch_err *err)
{
	size_t i;
	json_t *v;
	int ret = 0;

	if (json_is_string(to))
		return add_codes(l, json_string_value(to), err);
	if (!json_is_array(to) || json_array_size(to) == 0)
		return pouch_err_set(err, POUCH_E_USAGE, "'to' must be a non-empty array of agency "
				     "codes or a string \"CODE,CODE\"");
	json_array_foreach(to, i, v) {
		if (!json_is_string(v))
			return pouch_err_set(err, POUCH_E_USAGE, "'to' item %zu is not a string",
					     i + 1);
		if ((ret = add_codes(l, json_string_value(v), err)) < 0)
			return ret;
	}
	return 0;
}

/* An inline report goes into a memory file that only this process can name. */
static int read_report(const struct batch *b, struct line *l, const json_t *r,
		       struct pouch_err *err)
{
	char *text;
	int ret;

	if (json_is_string(r)) {
		if (json_string_length(r) == 0)
			return pouch_err_set(err, POUCH_E_USAGE, "'report' is an empty path");
		l->report = resolve(b, json_string_value(r));
		return l->report ? 0 : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	if (!json_is_object(r))
		return pouch_err_set(err, POUCH_E_USAGE, "'report' must be a file's path or a "
				     "report object");
	text = pouch_json_text(r, 0);
	if (!text)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	l->memfd = memfd_create("pouch-report", MFD_CLOEXEC);
	ret = l->memfd < 0 || pouch_fs_write_all(l->memfd, text, strlen(text)) < 0;
	explicit_bzero(text, strlen(text));
	free(text);
	if (ret)
		return pouch_err_set(err, POUCH_E_IO, "cannot hold the inline report");
	snprintf(l->inline_path, sizeof(l->inline_path), "/proc/self/fd/%d", l->memfd);
	l->report = strdup(l->inline_path);
	return l->report ? 0 : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
}

static int read_attachments(const struct batch *b, struct line *l, const json_t *a,
			    struct pouch_err *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a))
		return pouch_err_set(err, POUCH_E_USAGE, "'attachments' must be an array of paths");
	if (json_array_size(a) > LINE_ATTACH_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "more than %d attachments",
				     LINE_ATTACH_MAX);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0)
			return pouch_err_set(err, POUCH_E_USAGE, "'attachments' item %zu is not a "
					     "path", i + 1);
		if (!(l->attach[l->nattach] = resolve(b, json_string_value(v))))
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		l->nattach++;
	}
	return 0;
}

static int read_priority(struct line *l, const json_t *p, struct pouch_err *err)
{
	char *s;

	if (!json_is_string(p) || json_string_length(p) >= sizeof(l->priority))
		return pouch_err_set(err, POUCH_E_USAGE, "'priority' must be immediate, urgent, "
				     "routine or information");
	snprintf(l->priority, sizeof(l->priority), "%s", json_string_value(p));
	for (s = l->priority; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	return 0;
}

static int read_line(const struct batch *b, const struct batch_line *bl, struct line *l,
		     struct pouch_err *err)
{
	static const char *const known[] = { "to", "report", "attachments", "priority", NULL };
	const char *k, *const *a;
	json_t *v;
	int ret = pouch_json_parse("the line", bl->text, bl->len, &l->json, err);
	char *tail;

	if (ret < 0) {
		/* One line: its own line number would only confuse. */
		if (err && (tail = strstr(err->msg, " (line 1)")) && !tail[9])
			*tail = '\0';
		return POUCH_E_USAGE;
	}
	if (!json_is_object(l->json))
		return pouch_err_set(err, POUCH_E_USAGE, "the line is not a JSON object");
	json_object_foreach(l->json, k, v) {
		for (a = known; *a && strcmp(*a, k); a++)
			;
		if (!*a)
			return pouch_err_set(err, POUCH_E_USAGE, "unknown member '%.64s' (known: to, "
					     "report, attachments, priority)", k);
	}
	if (!json_object_get(l->json, "to") || !json_object_get(l->json, "report"))
		return pouch_err_set(err, POUCH_E_USAGE, "missing member '%s'",
				     json_object_get(l->json, "to") ? "report" : "to");
	ret = read_to(l, json_object_get(l->json, "to"), err);
	if (!ret)
		ret = read_report(b, l, json_object_get(l->json, "report"), err);
	if (!ret && (v = json_object_get(l->json, "attachments")))
		ret = read_attachments(b, l, v, err);
	if (!ret && (v = json_object_get(l->json, "priority")))
		ret = read_priority(l, v, err);
	return ret;
}

/* The message on one line: an invalid report's errors follow its count. */
static void message(struct batch_msg *m, const struct pouch_err *err,
		    const struct pouch_report_errors *errors, const struct line *l)
{
	size_t i, n = 0;
	const char *at, *from = err->msg;

	/* pack's own wording names its option; here the line's member is meant. */
	if (strncmp(from, "--priority ", 11) == 0) {
		n = (size_t)snprintf(m->msg, sizeof(m->msg), "'priority' ");
		from += 11;
	}
	/* The inline report's private path means nothing to the user. */
	while (l->inline_path[0] && (at = strstr(from, l->inline_path)) && n < sizeof(m->msg)) {
		n += (size_t)snprintf(m->msg + n, sizeof(m->msg) - n, "%.*s(inline)",
				      (int)(at - from), from);
		from = at + strlen(l->inline_path);
	}
	if (n < sizeof(m->msg))
		n += (size_t)snprintf(m->msg + n, sizeof(m->msg) - n, "%s", from);
	for (i = 0; i < errors->n && n < sizeof(m->msg); i++)
		n += (size_t)snprintf(m->msg + n, sizeof(m->msg) - n, "%s%s", i ? "; " : ": ",
				      errors->msg[i]);
	for (i = 0; m->msg[i]; i++)
		if (m->msg[i] == '\n' || m->msg[i] == '\r')
			m->msg[i] = ' ';
}

void batch_line_pack(const struct batch *b, const struct batch_line *bl, struct batch_msg *m)
{
	struct line l = { .memfd = -1 };
	struct pouch_pack_req req = { 0 };
	struct pouch_report_errors errors = { 0 };
	struct pouch_err err = { 0 };
	size_t i, n = 0;
	int ret = read_line(b, bl, &l, &err);

	if (!ret) {
		req.to = l.to;
		req.nto = l.nto;
		req.report = l.report;
		req.attach = (const char *const *)l.attach;
		req.nattach = l.nattach;
		req.priority = l.priority[0] ? l.priority : NULL;
		req.expires_in = b->o->expires_in;
		req.no_self = b->o->no_self;
		req.out_dir = b->stage;
		req.passphrase = b->o->passphrase;
		req.report_errors = &errors;
		req.priority_used = m->priority;
		req.envelope_sha256 = m->sha256;
		ret = pouch_pack(&cli.home, &req, time(NULL), m->id, &err);
	}
	m->code = ret;
	for (i = 0; i < l.nto && n < sizeof(m->codes); i++)
		n += (size_t)snprintf(m->codes + n, sizeof(m->codes) - n, "%s%s", i ? "," : "",
				      l.to[i]);
	if (ret < 0)
		message(m, &err, &errors, &l);
	pouch_report_errors_release(&errors);
	line_release(&l);
}
