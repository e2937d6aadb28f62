/* pouch pack --batch (spec/batch.md): the batch file read and split into lines, the state of
 * an earlier run taken up, the lines to pack handed to the workers, each package kept (audit
 * entry, state record, moved into place) as it comes or, with --all-or-nothing, once all have
 * come; the outcomes printed in line order, then a summary. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "input.h"
#include "pack_batch_internal.h"
#include "packout.h"
#include "remind.h"
#include "audit/audit.h"
#include "base/fs.h"
#include "base/json.h"
#include "exchange/push.h"

#define BATCH_MAX ((size_t)256 * 1024 * 1024)

/* The run's counts, and where printing has got to (outcomes go out in line order). */
struct run {
	size_t next_print;
	size_t packed, done, failed, withdrawn, finished, todo;
	int operational, audited;
	int tty;                   /* a progress line on stderr */
	int drawn;
	struct timespec start, last;
};

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress_clear(struct run *r)
{
	if (r->drawn)
		fputs("\r\033[K", stderr);
	r->drawn = 0;
}

/* done/total, rate and time left on one line: drawn when the first line is done, then redrawn
 * at most ten times a second. */
static void progress_draw(struct run *r)
{
	double t = since(&r->start), rate = t > 0 ? (double)r->finished / t : 0;
	unsigned long left;

	if (!r->tty || since(&r->last) < 0.1 || r->finished >= r->todo)
		return;
	clock_gettime(CLOCK_MONOTONIC, &r->last);
	fprintf(stderr, "\r\033[Kpack --batch  %zu/%zu lines  %.1f/s", r->finished, r->todo,
		rate);
	if (rate > 0) {
		left = (unsigned long)((double)(r->todo - r->finished) / rate + 0.5);
		fprintf(stderr, "  %lu:%02lu left", left / 60, left % 60);
	}
	fflush(stderr);
	r->drawn = 1;
}

static void print_json(const struct batch *b, const struct batch_line *l, const char *reminder)
{
	static const char *const word[] = { [LINE_DONE] = "done", [LINE_PACKED] = "packed",
					    [LINE_FAILED] = "failed",
					    [LINE_WITHDRAWN] = "withdrawn" };
	json_t *o = json_pack("{s:s, s:I, s:s}", "type", "line", "line", (json_int_t)l->no,
			      "status", word[l->status]);
	int kept = l->status == LINE_DONE || l->status == LINE_PACKED;
	char path[4096], *text;

	snprintf(path, sizeof(path), "%s/%s.pouch", b->dir, l->id);
	if (o) {
		json_object_set_new(o, "id", kept ? json_string(l->id) : json_null());
		json_object_set_new(o, "path", kept ? json_string(path) : json_null());
		strcat(path, ".pgp");
		json_object_set_new(o, "detached", json_boolean(kept && pouch_fs_exists(path)));
		json_object_set_new(o, "reason", l->msg ? json_string(l->msg) : json_null());
		if (reminder)
			json_object_set_new(o, "reminder", json_string(reminder));
	}
	text = o ? pouch_json_text(o, 0) : NULL;
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(o);
}

static void print_line(const struct batch *b, struct run *r, const struct batch_line *l)
{
	const char *reminder = NULL;

	progress_clear(r);
	if (l->status == LINE_FAILED)
		pouch_error("line %zu: %s", l->no, l->msg);
	if (l->status == LINE_PACKED && remind_needed(l->priority))
		reminder = remind(l->id, l->codes, "recipient");
	if (cli.json)
		print_json(b, l, reminder);
	else if (l->status == LINE_DONE || l->status == LINE_PACKED)
		printf("%zu %s\n", l->no, l->id);
	fflush(stdout);
}

static void flush_ready(const struct batch *b, struct run *r)
{
	while (r->next_print < b->n && b->lines[r->next_print].status != LINE_PENDING &&
	       b->lines[r->next_print].status != LINE_STAGED)
		print_line(b, r, &b->lines[r->next_print++]);
}

static void fail(struct batch *b, struct run *r, struct batch_line *l, int code,
		 const char *msg)
{
	l->status = LINE_FAILED;
	l->code = code;
	free(l->msg);
	l->msg = strdup(msg);
	r->failed++;
	if (pouch_err_exit_status(code) == EXIT_OPERATIONAL) {
		r->operational = 1;
		if (b->o->all_or_nothing)
			b->stop = 1;
	}
}

/* Keeps the staged packages of lines idx[0..n): each recorded in the audit trail (without a
 * record there is no package), then all in the state file, then moved into place. */
static void keep(struct batch *b, struct run *r, const size_t *idx, size_t n)
{
	struct pouch_err err = { 0 };
	char path[4096];
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < n; i++) {
		struct batch_line *l = &b->lines[idx[i]];
		snprintf(path, sizeof(path), "%s/%s.pouch", b->stage, l->id);
		ret = pouch_audit_append_file(&cli.home, &(struct pouch_audit_entry){
			.event = "pack", .id = l->id, .agency = l->codes }, path, time(NULL), &err);
		r->audited = 1;
	}
	if (!ret)
		ret = batch_state_commit(b, idx, n, &err);
	for (i = 0; i < n; i++) {
		struct batch_line *l = &b->lines[idx[i]];
		if (!ret && batch_move(b, l->id, i + 1 == n, &err) < 0) {
			/* Recorded: the next run moves it. */
			pouch_err_prefix(&err, "packed as %s, kept in '%s' until the next run",
					 l->id, b->stage);
			fail(b, r, l, POUCH_E_IO, err.msg);
			continue;
		}
		if (ret) {
			batch_unstage(b, l->id);
			fail(b, r, l, ret, err.msg);
			b->stop = 1;
			continue;
		}
		l->status = LINE_PACKED;
		r->packed++;
	}
}

static void on_result(struct batch *b, const struct batch_msg *m, void *arg)
{
	struct run *r = arg;
	struct batch_line *l = &b->lines[m->idx];
	size_t idx = m->idx;

	r->finished++;
	free(l->codes);
	l->codes = strdup(m->codes);
	if (m->code < 0) {
		struct pouch_err err = { .code = m->code };
		snprintf(err.msg, sizeof(err.msg), "%s", m->msg);
		/* As pack: a refusal is a decision, recorded; a malformed line is none. */
		if (pouch_err_exit_status(m->code) == EXIT_REFUSED) {
			cli_audit_refusal("pack", NULL, m->codes, &err, time(NULL));
			r->audited = 1;
		}
		fail(b, r, l, m->code, m->msg);
	} else {
		snprintf(l->id, sizeof(l->id), "%s", m->id);
		snprintf(l->priority, sizeof(l->priority), "%s", m->priority);
		snprintf(l->envelope, sizeof(l->envelope), "%s", m->sha256);
		l->status = LINE_STAGED;
		if (!l->codes)
			fail(b, r, l, POUCH_E_NOMEM, "out of memory");
		else if (!b->o->all_or_nothing)
			keep(b, r, &idx, 1);
	}
	flush_ready(b, r);
	progress_draw(r);
}

/* As pack: push takes the packages kept in this run as ours, by their envelopes' digests, all
 * recorded in one transaction at the end. A failure (or a batch killed before) costs push a
 * verification of those packages, nothing more. */
static void record_packed(const struct batch *b)
{
	const char **ids = calloc(b->n + 1, sizeof(*ids));
	const char **digests = calloc(b->n + 1, sizeof(*digests));
	struct pouch_err err = { 0 };
	size_t i, n = 0;

	for (i = 0; ids && digests && i < b->n; i++)
		if (b->lines[i].status == LINE_PACKED && b->lines[i].envelope[0]) {
			ids[n] = b->lines[i].id;
			digests[n++] = b->lines[i].envelope;
		}
	if (ids && digests &&
	    pouch_push_packed_record_many(&cli.home, ids, digests, n, time(NULL), &err) < 0)
		pouch_warn("%s", err.msg);
	free(ids);
	free(digests);
}

/* With --all-or-nothing: every staged package kept, or (a line failed) every one removed. */
static void finish_all(struct batch *b, struct run *r, size_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++)
		if (b->lines[i].status == LINE_STAGED)
			idx[n++] = i;
	if (!r->failed) {
		keep(b, r, idx, n);
		return;
	}
	for (i = 0; i < n; i++) {
		batch_unstage(b, b->lines[idx[i]].id);
		b->lines[idx[i]].status = LINE_WITHDRAWN;
		r->withdrawn++;
	}
}

static int read_batch(struct batch *b)
{
	struct cli_stdin in = { 0 };
	struct pouch_err err = { 0 };
	const char *path = b->o->file, *p, *end;
	size_t no = 0;
	int ret = cli_stdin_take(&in, &path, BATCH_MAX);

	if (ret != EXIT_OK)
		return ret;
	ret = pouch_fs_read(path, BATCH_MAX, &b->buf, &b->len, &err);
	if (ret < 0)
		ret = cli_stdin_fail(&in, &err);
	cli_stdin_release(&in);
	if (ret)
		return ret;
	b->lines = calloc(1, sizeof(*b->lines));
	for (p = b->buf; b->lines && p < b->buf + b->len; p = end + 1) {
		struct batch_line *l;
		end = memchr(p, '\n', (size_t)(b->buf + b->len - p));
		end = end ? end : b->buf + b->len;
		no++;
		if (strspn(p, " \t\r") >= (size_t)(end - p))
			continue; /* a blank line is no package */
		l = realloc(b->lines, (b->n + 1) * sizeof(*l));
		if (!l)
			break;
		b->lines = l;
		l = &b->lines[b->n++];
		*l = (struct batch_line){ .no = no, .text = p, .len = (size_t)(end - p) };
		pouch_sha256_buf(l->text, l->len, l->sha, NULL);
	}
	if (!b->lines || p < b->buf + b->len) {
		pouch_error("out of memory");
		return EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}

static int setup(struct batch *b)
{
	struct stat st;
	const char *out = b->o->out ? b->o->out : ".";
	int ret;

	if (stat(out, &st) < 0 || !S_ISDIR(st.st_mode)) {
		pouch_error("cannot write in '%s': no such directory", out);
		return EXIT_OPERATIONAL;
	}
	b->dir = strdup(out);
	b->base = strcmp(b->o->file, "-") == 0 ? strdup(".") : pouch_fs_dir_of(b->o->file);
	if (!b->dir || !b->base) {
		pouch_error("out of memory");
		return EXIT_OPERATIONAL;
	}
	ret = read_batch(b);
	return ret ? ret : batch_state_open(b);
}

static void summary(const struct batch *b, const struct run *r)
{
	char list[512] = "";
	size_t i, n = 0, shown = 0;

	for (i = 0; i < b->n; i++) {
		if (b->lines[i].status != LINE_FAILED)
			continue;
		if (++shown <= 20)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%zu", n ? ", " : "",
					      b->lines[i].no);
	}
	if (shown > 20)
		snprintf(list + n, sizeof(list) - n, " and %zu more", shown - 20);
	if (cli.json) {
		json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:[]}", "type", "summary",
				      "lines", (json_int_t)b->n, "packed", (json_int_t)r->packed,
				      "done", (json_int_t)r->done, "failed", (json_int_t)r->failed,
				      "withdrawn", (json_int_t)r->withdrawn, "failed_lines");
		char *text;
		for (i = 0; o && i < b->n; i++)
			if (b->lines[i].status == LINE_FAILED)
				json_array_append_new(json_object_get(o, "failed_lines"),
						      json_integer((json_int_t)b->lines[i].no));
		text = o ? pouch_json_text(o, 0) : NULL;
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(o);
	}
	if (r->failed && b->o->all_or_nothing)
		pouch_error("nothing packed (--all-or-nothing): %zu of %zu line%s failed (line%s %s)",
			    r->failed, b->n, b->n == 1 ? "" : "s", shown == 1 ? "" : "s", list);
	else if (r->failed)
		pouch_error("%zu of %zu line%s not packed (line%s %s); %zu packed now, %zu before",
			    r->failed, b->n, b->n == 1 ? "" : "s", shown == 1 ? "" : "s", list,
			    r->packed, r->done);
	else
		pouch_note("packed %zu line%s into '%s'%s", r->packed, r->packed == 1 ? "" : "s",
			   b->dir, r->done ? " (the others by an earlier run)" : "");
}

int pack_batch(const struct batch_opts *o)
{
	struct batch b = { .o = o, .state_fd = -1 };
	struct run r = { 0 };
	size_t i, *idx = NULL;
	int ret = setup(&b);

	if (ret)
		goto out;
	idx = calloc(b.n + 1, sizeof(*idx));
	if (!idx) {
		pouch_error("out of memory");
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	for (i = 0; i < b.n; i++) {
		if (b.lines[i].status == LINE_DONE)
			r.done++;
		else
			idx[r.todo++] = i;
		if (b.lines[i].msg)
			pouch_note("%s", b.lines[i].msg);
		free(b.lines[i].msg);
		b.lines[i].msg = NULL;
	}
	r.tty = !cli.quiet && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &r.start);
	r.last = (struct timespec){ 0 }; /* never drawn: the first line done draws */
	if (batch_work(&b, idx, r.todo, o->jobs, on_result, &r) < 0)
		r.operational = 1;
	for (i = 0; i < b.n; i++)
		if (b.lines[i].status == LINE_PENDING)
			fail(&b, &r, &b.lines[i], POUCH_E_IO, "not packed: the batch stopped");
	if (o->all_or_nothing)
		finish_all(&b, &r, idx);
	flush_ready(&b, &r);
	record_packed(&b);
	progress_clear(&r);
	if (r.audited) {
		struct pouch_err err = { 0 };
		if (pouch_audit_checkpoint(&cli.home, o->passphrase, time(NULL), &err) < 0)
			pouch_warn("%s", err.msg);
	}
	summary(&b, &r);
	ret = r.operational ? EXIT_OPERATIONAL : r.failed ? EXIT_REFUSED : EXIT_OK;
	if (fflush(stdout) != 0) {
		pouch_error("cannot write the results");
		ret = EXIT_OPERATIONAL;
	}
out:
	for (i = 0; i < b.n; i++) {
		free(b.lines[i].codes);
		free(b.lines[i].msg);
	}
	batch_state_close(&b);
	free(idx);
	free(b.lines);
	free(b.buf);
	free(b.base);
	free(b.dir);
	return ret;
}
