/* The audit trail's tests share a log read and written back line by line, the edits an attacker
 * makes (rechaining the hashes after them), appends, and checks that the trail is intact or
 * broken at a named entry. */
#ifndef POUCH_TEST_AUDIT_FIXTURE_H
#define POUCH_TEST_AUDIT_FIXTURE_H

#include "fixture.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "audit/audit.h"
#include "base/base64.h"
#include "crypto/digest.h"
#include "directory/identity.h"

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"
#define ID1 "6717d936-a2d4-4a4d-a6d7-a07aadb96a02"
#define NOW 1795000000 /* 2026-11-18T11:06:40Z */
#define MAX_LINES 512

/* The log split into lines (each without its newline), owned by the struct. */
struct lines {
	char *text;
	char *line[MAX_LINES];
	size_t n;
};

FIXTURE_FN void read_lines(struct fixture *f, struct lines *l)
{
	size_t len = 0;
	char *p, *nl;

	memset(l, 0, sizeof(*l));
	assert_int_equal(pouch_fs_read(at(f, "audit.log"), 1 << 24, &l->text, &len, NULL), 0);
	for (p = l->text; (nl = strchr(p, '\n')); p = nl + 1) {
		assert_true(l->n < MAX_LINES);
		*nl = '\0';
		l->line[l->n++] = p;
	}
	assert_string_equal(p, ""); /* every line ends in a newline */
}

/* Writes the log back from the lines (n of them), replacing line i by repl[i] when set. */
FIXTURE_FN void write_lines(struct fixture *f, char *const *line, size_t n)
{
	size_t i, len = 0;
	char *buf;

	for (i = 0; i < n; i++)
		len += strlen(line[i]) + 1;
	buf = malloc(len + 1);
	assert_non_null(buf);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		strcat(buf, line[i]);
		strcat(buf, "\n");
	}
	put_text(at(f, "audit.log"), buf, 0600);
	free(buf);
}

FIXTURE_FN void sha256_of(const char *s, char *hex)
{
	assert_int_equal(pouch_sha256_buf(s, strlen(s), hex, NULL), 0);
}

/* Replaces the 64 hex digits after "key":" in line (modified in place). */
FIXTURE_FN void set_hash(char *line, const char *key, const char *hex)
{
	char pat[32];
	char *p;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(line, pat);
	if (!p)
		return;
	memcpy(p + strlen(pat), hex, 64);
}

/* What an attacker who edits a line does next: recompute every prev (and checkpoint head)
 * from line first on, so that the chain alone looks intact. */
FIXTURE_FN void rechain(char **line, size_t n, size_t first)
{
	char hex[POUCH_SHA256_HEX];
	size_t i;

	for (i = first; i < n; i++) {
		sha256_of(line[i - 1], hex);
		set_hash(line[i], "prev", hex);
		set_hash(line[i], "head", hex);
	}
}

/* Replaces the first occurrence of from in line by to (same length). */
FIXTURE_FN void edit(char *line, const char *from, const char *to)
{
	char *p = strstr(line, from);

	assert_non_null(p);
	assert_int_equal(strlen(from), strlen(to));
	memcpy(p, to, strlen(to));
}

FIXTURE_FN void append(struct fixture *f, const char *event, const char *verdict, const char *id)
{
	struct pouch_audit_entry e = { .event = event, .id = id, .agency = "GB-MET",
				       .verdict = verdict };
	struct pouch_err err = { 0 };

	if (pouch_audit_append(&f->h, &e, NOW, &err) < 0)
		fail_msg("append: %s", err.msg);
}

FIXTURE_FN void append_n(struct fixture *f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		append(f, i % 2 ? "verify" : "pack", i % 2 ? "good" : NULL, ID1);
}

/* The trail must be broken at entry seq, err and res naming want. */
FIXTURE_FN void assert_broken(struct fixture *f, unsigned long long seq, const char *want)
{
	struct pouch_audit_result res;
	struct pouch_err err = { 0 };
	char head[64];

	assert_int_equal(pouch_audit_verify(&f->h, &res, &err), POUCH_E_VERIFY);
	snprintf(head, sizeof(head), "audit trail broken at entry %llu: ", seq);
	if (res.broken != seq || strncmp(err.msg, head, strlen(head)) != 0 ||
	    !strstr(res.reason, want) || !strstr(err.msg, want))
		fail_msg("expected entry %llu '%s', got %llu: %s", seq, want, res.broken, err.msg);
}

FIXTURE_FN void assert_intact(struct fixture *f, unsigned long long entries,
			      unsigned long long checkpoints, unsigned long long uncovered)
{
	struct pouch_audit_result res;
	struct pouch_err err = { 0 };

	if (pouch_audit_verify(&f->h, &res, &err) != 0)
		fail_msg("not intact: %s", err.msg);
	assert_int_equal(res.broken, 0);
	assert_int_equal(res.entries, entries);
	assert_int_equal(res.checkpoints, checkpoints);
	assert_int_equal(res.uncovered, uncovered);
}

#endif
