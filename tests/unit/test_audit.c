/* The audit trail: the hash chain as appended, every kind of tampering the verifier must name
 * (an edited, deleted or reordered line, bad JSON, a missing field, a cut tail, a forged or
 * foreign checkpoint), checkpoints across a key rotation, and one chain from concurrent
 * writers. */
#include "fixture.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "pouch/audit.h"
#include "pouch/base64.h"
#include "pouch/digest.h"
#include "pouch/identity.h"

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

static void read_lines(struct fixture *f, struct lines *l)
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
static void write_lines(struct fixture *f, char *const *line, size_t n)
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

static void sha256_of(const char *s, char *hex)
{
	assert_int_equal(pouch_sha256_buf(s, strlen(s), hex, NULL), 0);
}

/* Replaces the 64 hex digits after "key":" in line (modified in place). */
static void set_hash(char *line, const char *key, const char *hex)
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
static void rechain(char **line, size_t n, size_t first)
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
static void edit(char *line, const char *from, const char *to)
{
	char *p = strstr(line, from);

	assert_non_null(p);
	assert_int_equal(strlen(from), strlen(to));
	memcpy(p, to, strlen(to));
}

static void append(struct fixture *f, const char *event, const char *verdict, const char *id)
{
	struct pouch_audit_entry e = { .event = event, .id = id, .agency = "GB-MET",
				       .verdict = verdict };
	struct pouch_err err = { 0 };

	if (pouch_audit_append(&f->h, &e, NOW, &err) < 0)
		fail_msg("append: %s", err.msg);
}

static void append_n(struct fixture *f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		append(f, i % 2 ? "verify" : "pack", i % 2 ? "good" : NULL, ID1);
}

/* The trail must be broken at entry seq, err and res naming want. */
static void assert_broken(struct fixture *f, unsigned long long seq, const char *want)
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

static void assert_intact(struct fixture *f, unsigned long long entries,
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

static void stop_agent(struct fixture *f)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "gpgconf --homedir '%s' --kill all", f->h.gnupg);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not stop the agent of %s\n", f->h.gnupg);
}

/* The home with an identity the tests start from, made once (its key generation is the slow
 * part) and copied into each test's own directory; removed when the tests are done. */
static struct fixture *identity;

static int make_identity(void)
{
	struct pouch_key_opts ko = { 365LL * 86400, 0, NULL };
	struct pouch_agency a;
	void *state = NULL;

	if (setup_home(&state) < 0)
		return -1;
	identity = state;
	if (pouch_identity_create(&identity->h, "GB-NCA-CEOP", "CEOP", &ko, 0, &a, NULL) < 0)
		return -1;
	pouch_agency_release(&a);
	stop_agent(identity);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return identity ? fixture_free(identity, 1) : 0;
}

/* cmocka setup: a home with an identity whose key has no passphrase. */
static int setup_identity(void **state)
{
	if (setup_home(state) < 0)
		return -1;
	if (!identity && make_identity() < 0)
		return -1;
	return fixture_copy(identity->dir, ((struct fixture *)*state)->dir);
}

static int teardown_identity(void **state)
{
	stop_agent(*state);
	return teardown(state);
}

static void checkpoint(struct fixture *f)
{
	struct pouch_err err = { 0 };

	if (pouch_audit_checkpoint(&f->h, NULL, NOW, &err) != 0)
		fail_msg("checkpoint: %s", err.msg);
}

static void test_audit__entries_chain_by_the_hash_of_the_line_before(void **state)
{
	struct fixture *f = *state;
	char hex[POUCH_SHA256_HEX], want[512];
	struct lines l;

	append_n(f, 3);
	read_lines(f, &l);
	assert_int_equal(l.n, 3);
	snprintf(want, sizeof(want), "{\"seq\":1,\"time\":\"2026-11-18T11:06:40Z\",\"event\":"
		 "\"pack\",\"prev\":\"%s\",\"id\":\"%s\",\"agency\":\"GB-MET\"}", ZEROS, ID1);
	assert_string_equal(l.line[0], want);
	sha256_of(l.line[0], hex);
	assert_non_null(strstr(l.line[1], hex));
	assert_non_null(strstr(l.line[1], "{\"seq\":2,"));
	sha256_of(l.line[1], hex);
	assert_non_null(strstr(l.line[2], hex));
	assert_int_equal(mode_of(at(f, "audit.log")), 0600);
	free(l.text);
	assert_intact(f, 3, 0, 3);
}

static void test_audit__a_missing_log_is_an_empty_trail(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_result res;

	assert_int_equal(pouch_audit_verify(&f->h, &res, NULL), 0);
	assert_int_equal(res.entries, 0);
	assert_int_equal(res.broken, 0);
	assert_false(pouch_fs_exists(at(f, "audit.log")));
	/* Nothing to sign either, and no key was needed to find that out. */
	assert_int_equal(pouch_audit_checkpoint(&f->h, NULL, NOW, NULL), 0);
}

static void test_audit__reasons_are_one_escaped_capped_line_without_quoted_names(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_entry e = { .event = "open", .verdict = "refused" };
	char reason[2048];
	struct lines l;
	size_t i;

	e.reason = "package '/cases/2291 Smith/x.pouch' does not open: attachment 'it's "
		   "victim.jpg' is missing\n\x1b[31mred";
	assert_int_equal(pouch_audit_append(&f->h, &e, NOW, NULL), 0);
	for (i = 0; i < sizeof(reason) - 1; i++)
		reason[i] = (char)('a' + i % 26);
	reason[sizeof(reason) - 1] = '\0';
	e.reason = reason;
	assert_int_equal(pouch_audit_append(&f->h, &e, NOW, NULL), 0);
	read_lines(f, &l);
	assert_int_equal(l.n, 2);
	assert_non_null(strstr(l.line[0], "\"reason\":\"package '...' does not open: attachment "
					  "'...' is missing\\\\x0a\\\\x1b[31mred\""));
	assert_null(strstr(l.line[0], "Smith"));
	assert_null(strstr(l.line[0], "victim"));
	/* 512 bytes: 509 of the reason and "..." */
	assert_non_null(strstr(l.line[1], "mno...\"}"));
	assert_int_equal(strlen(strstr(l.line[1], "\"reason\":\"")), 10 + 512 + 2);
	free(l.text);
	assert_intact(f, 2, 0, 2);
}

static void test_audit__malformed_entries_are_refused_and_nothing_written(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_entry bad[] = {
		{ .event = NULL },
		{ .event = "checkpoint" },
		{ .event = "Pack" },
		{ .event = "pack", .verdict = "not good" },
		{ .event = "pack", .digest = "ABCDEF" },
		{ .event = "pack", .digest = ZEROS "0" },
	};
	struct pouch_err err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pouch_audit_append(&f->h, &bad[i], NOW, &err), POUCH_E_USAGE);
		assert_non_null(strstr(err.msg, "cannot append to the audit trail '"));
	}
	assert_intact(f, 0, 0, 0);
}

static void test_audit__the_digest_of_a_file_and_never_its_path(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_entry e = { .event = "verify", .verdict = "good" };
	char hex[POUCH_SHA256_HEX];
	struct lines l;

	put_text(at(f, "secret-case-name.pouch"), "envelope bytes", 0644);
	assert_int_equal(pouch_audit_append_file(&f->h, &e, f->path, NOW, NULL), 0);
	assert_int_equal(pouch_audit_append_file(&f->h, &e, at(f, "missing"), NOW, NULL), 0);
	read_lines(f, &l);
	sha256_of("envelope bytes", hex);
	assert_non_null(strstr(l.line[0], hex));
	assert_null(strstr(l.line[0], "secret-case-name"));
	assert_null(strstr(l.line[1], "digest"));
	free(l.text);
}

static void test_audit__an_edited_line_breaks_the_next_entry(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f, 5);
	read_lines(f, &l);
	edit(l.line[1], "\"good\"", "\"badd\"");
	write_lines(f, l.line, l.n);
	free(l.text);
	assert_broken(f, 3, "prev hash does not match entry 2");
}

static void test_audit__a_deleted_line_is_named(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f, 5);
	read_lines(f, &l);
	memmove(&l.line[2], &l.line[3], 2 * sizeof(l.line[0]));
	write_lines(f, l.line, 4);
	free(l.text);
	assert_broken(f, 3, "its seq is 4, expected 3");
}

static void test_audit__reordered_lines_are_named(void **state)
{
	struct fixture *f = *state;
	struct lines l;
	char *t;

	append_n(f, 5);
	read_lines(f, &l);
	t = l.line[1];
	l.line[1] = l.line[2];
	l.line[2] = t;
	write_lines(f, l.line, l.n);
	free(l.text);
	assert_broken(f, 2, "its seq is 3, expected 2");
}

/* Each case: a line 3 replacing the real one, and what verify must say about it (NULL: it is
 * a good line). */
static void check_bad_third_line(struct fixture *f, const char *fmt, const char *want)
{
	char line[1024], hex[POUCH_SHA256_HEX];
	struct lines l;

	append_n(f, 3);
	read_lines(f, &l);
	sha256_of(l.line[1], hex);
	/* fmt holds one "%s", where the right prev hash goes. */
	snprintf(line, sizeof(line), "%.*s%s%s", (int)(strstr(fmt, "%s") - fmt), fmt, hex,
		 strstr(fmt, "%s") + 2);
	l.line[2] = line;
	write_lines(f, l.line, l.n);
	free(l.text);
	if (want)
		assert_broken(f, 3, want);
	else
		assert_intact(f, 3, 0, 3);
	unlink(at(f, "audit.log"));
}

static void test_audit__malformed_lines_are_named(void **state)
{
	struct fixture *f = *state;

#define GOOD3 "{\"seq\":3,\"time\":\"2026-11-18T11:06:40Z\",\"event\":\"pack\",\"prev\":\"%s\""
	check_bad_third_line(f, GOOD3 "}", NULL);
	check_bad_third_line(f, GOOD3 ",\"id\":\"a\",\"id\":\"b\"}", "duplicate");
	check_bad_third_line(f, GOOD3 "} x", "not valid JSON");
	check_bad_third_line(f, GOOD3 ",\"id\":\"a\u00e9\x01\"}", "not valid JSON");
	check_bad_third_line(f, "[" GOOD3 "}]", "not a JSON object");
	check_bad_third_line(f, "{\"seq\":3,\"event\":\"pack\",\"prev\":\"%s\"}",
			     "missing field 'time'");
	check_bad_third_line(f, "{\"time\":\"2026-11-18T11:06:40Z\",\"event\":\"pack\",\"prev\":"
			     "\"%s\"}", "missing field 'seq'");
	check_bad_third_line(f, GOOD3 ",\"file\":\"x\"}", "unknown field 'file'");
	check_bad_third_line(f, GOOD3 ",\"id\":7}", "field 'id' is not a string");
	check_bad_third_line(f, GOOD3 ",\"digest\":\"xyz\"}", "field 'digest' is not a SHA-256");
	check_bad_third_line(f, GOOD3 ",\"head_seq\":2}", "field 'head_seq' outside a checkpoint");
	check_bad_third_line(f, "{\"seq\":3.0,\"time\":\"2026-11-18T11:06:40Z\",\"event\":\"pack\","
			     "\"prev\":\"%s\"}", "field 'seq' is not a positive integer");
	check_bad_third_line(f, "{\"seq\":3,\"time\":\"2026-13-18T08:26:40Z\",\"event\":\"pack\","
			     "\"prev\":\"%s\"}", "field 'time' is not a UTC time");
	check_bad_third_line(f, "{\"seq\":3,\"time\":\"2026-11-18T11:06:40Z\",\"event\":\"checkpoint"
			     "\",\"prev\":\"%s\"}", "missing field 'head_seq'");
#undef GOOD3
}

static void test_audit__an_incomplete_last_line_stops_appends(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_entry e = { .event = "pack" };
	struct pouch_err err = { 0 };
	int fd;

	append_n(f, 2);
	fd = open(at(f, "audit.log"), O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"seq\":3", 8), 8);
	close(fd);
	assert_broken(f, 3, "no line end");
	assert_int_equal(pouch_audit_append(&f->h, &e, NOW, &err), POUCH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "cannot append to the audit trail '"));
	assert_non_null(strstr(err.msg, "incomplete line"));
	/* A last line that is no entry stops them too. */
	put_text(at(f, "audit.log"), "junk\n", 0600);
	assert_int_equal(pouch_audit_append(&f->h, &e, NOW, &err), POUCH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "its last line is not an audit entry"));
	assert_content(at(f, "audit.log"), "junk\n");
}

static void test_audit__a_linked_log_is_refused(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_entry e = { .event = "pack" };
	struct pouch_err err = { 0 };

	put_text(at(f, "elsewhere"), "", 0600);
	assert_int_equal(symlink(f->path, at(f, "audit.log")), 0);
	assert_int_equal(pouch_audit_append(&f->h, &e, NOW, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, "cannot append to the audit trail '"));
	assert_content(at(f, "elsewhere"), "");
	assert_int_equal(pouch_audit_verify(&f->h, &(struct pouch_audit_result){ 0 }, &err),
			 POUCH_E_IO);
}

/* A write that fails half way (here: over the file size limit) leaves no partial line. */
static void test_audit__a_failed_write_leaves_no_partial_line(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_entry e = { .event = "pack", .reason = "a long enough reason" };
	struct stat st;
	int status;
	pid_t pid;

	append_n(f, 2);
	assert_int_equal(stat(at(f, "audit.log"), &st), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit lim = { (rlim_t)st.st_size + 40, (rlim_t)st.st_size + 40 };
		struct pouch_err err = { 0 };
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
			_exit(2);
		_exit(pouch_audit_append(&f->h, &e, NOW, &err) == POUCH_E_IO &&
			      strstr(err.msg, "cannot append to the audit trail")
		      ? 0
		      : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_intact(f, 2, 0, 2);
	append_n(f, 1);
	assert_intact(f, 3, 0, 3);
}

/* Two processes appending at once still make one chain, every entry in it once. */
static void test_audit__concurrent_writers_keep_one_chain(void **state)
{
	struct fixture *f = *state;
	const int per = 60;
	pid_t pid[2];
	int i, k, status;
	struct lines l;
	size_t n0 = 0, n1 = 0;

	for (k = 0; k < 2; k++) {
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (pid[k] == 0) {
			struct pouch_audit_entry e = { .event = "pull", .agency = k ? "GB-B" : "GB-A" };
			for (i = 0; i < per; i++)
				if (pouch_audit_append(&f->h, &e, NOW, NULL) < 0)
					_exit(1);
			_exit(0);
		}
	}
	for (k = 0; k < 2; k++) {
		assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_intact(f, 2 * per, 0, 2 * per);
	read_lines(f, &l);
	for (i = 0; i < (int)l.n; i++) {
		n0 += strstr(l.line[i], "\"GB-A\"") != NULL;
		n1 += strstr(l.line[i], "\"GB-B\"") != NULL;
	}
	free(l.text);
	assert_int_equal(n0, per);
	assert_int_equal(n1, per);
}

/* A verify running while another process appends sees a consistent log, never half a line. */
static void test_audit__verify_while_appending_sees_an_intact_trail(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_result res;
	struct pouch_err err = { 0 };
	int i, status, runs = 0;
	pid_t pid;

	append_n(f, 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pouch_audit_entry e = { .event = "pull", .reason = "a reason of some length" };
		for (i = 0; i < 300; i++)
			if (pouch_audit_append(&f->h, &e, NOW, NULL) < 0)
				_exit(1);
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (pouch_audit_verify(&f->h, &res, &err) != 0)
			fail_msg("run %d: %s", runs, err.msg);
		runs++;
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_intact(f, 301, 0, 301);
}

static int count_entries(const struct pouch_audit_record *r, void *arg)
{
	size_t *n = arg;

	assert_int_equal(r->seq, *n + 1);
	assert_non_null(r->event);
	assert_int_equal(strlen(r->line), r->len);
	(*n)++;
	return 0;
}

static void test_audit__reading_stops_at_the_first_malformed_line(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	size_t n = 0;
	int fd;

	append_n(f, 3);
	assert_int_equal(pouch_audit_read(&f->h, count_entries, &n, NULL), 0);
	assert_int_equal(n, 3);
	fd = open(at(f, "audit.log"), O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "{}\n", 3), 3);
	close(fd);
	n = 0;
	assert_int_equal(pouch_audit_read(&f->h, count_entries, &n, &err), POUCH_E_VERIFY);
	assert_int_equal(n, 3);
	assert_string_equal(err.msg, "audit trail broken at entry 4: missing field 'seq'");
}

static void test_audit__result_as_json(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_result res;
	char *json;

	append_n(f, 2);
	assert_int_equal(pouch_audit_verify(&f->h, &res, NULL), 0);
	json = pouch_audit_result_json(&res);
	assert_string_equal(json, "{\"intact\":true,\"entries\":2,\"checkpoints\":0,"
			    "\"last_checkpoint\":null,\"uncovered\":2,\"head\":null,\"broken\":null}");
	free(json);
	res.broken = 3;
	snprintf(res.reason, sizeof(res.reason), "why");
	json = pouch_audit_result_json(&res);
	assert_non_null(strstr(json, "\"intact\":false,"));
	assert_non_null(strstr(json, "\"broken\":{\"entry\":3,\"reason\":\"why\"}}"));
	free(json);
}

static void test_audit__checkpoints_sign_the_head_once(void **state)
{
	struct fixture *f = *state;
	char hex[POUCH_SHA256_HEX], want[512];
	struct lines l;

	append_n(f, 2);
	checkpoint(f);
	checkpoint(f); /* the log ends in a checkpoint: nothing more to sign */
	read_lines(f, &l);
	assert_int_equal(l.n, 3);
	sha256_of(l.line[1], hex);
	snprintf(want, sizeof(want), "\"event\":\"checkpoint\",\"prev\":\"%s\",\"head_seq\":2,"
		 "\"head\":\"%s\",\"signer\":\"", hex, hex);
	assert_non_null(strstr(l.line[2], want));
	sha256_of(l.line[2], hex);
	snprintf(want, sizeof(want), "\"seq\": 3,\n  \"sha256\": \"%s\"", hex);
	free(l.text);
	assert_int_equal(mode_of(at(f, "audit.head")), 0600);
	assert_int_equal(pouch_fs_read(at(f, "audit.head"), 4096, &l.text, NULL, NULL), 0);
	assert_non_null(strstr(l.text, want));
	free(l.text);
	assert_intact(f, 3, 1, 0);
	append_n(f, 2);
	assert_intact(f, 5, 1, 2);
}

static void test_audit__a_forged_checkpoint_signature_is_named(void **state)
{
	struct fixture *f = *state;
	unsigned char sig[512];
	char *p, *end, *b64;
	struct lines l;
	long n;

	append_n(f, 2);
	checkpoint(f);
	read_lines(f, &l);
	p = strstr(l.line[2], "\"signature\":\"") + 13;
	end = strchr(p, '"');
	*end = '\0';
	n = pouch_base64_decode(p, sig, sizeof(sig));
	assert_true(n > 64);
	sig[n - 10] ^= 0x20; /* in the signature value itself */
	b64 = pouch_base64_encode(sig, (size_t)n);
	memcpy(p, b64, strlen(b64));
	*end = '"';
	free(b64);
	write_lines(f, l.line, l.n);
	free(l.text);
	assert_broken(f, 3, "bad checkpoint signature");
}

static void test_audit__a_checkpoint_head_that_does_not_match_is_named(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f, 2);
	checkpoint(f);
	read_lines(f, &l);
	set_hash(l.line[2], "head", ZEROS);
	write_lines(f, l.line, l.n);
	free(l.text);
	assert_broken(f, 3, "checkpoint head does not match entry 2");
}

/* Rewriting the whole chain after an edit gets past the hashes, not past the signature. */
static void test_audit__a_rechained_edit_fails_the_checkpoint_signature(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f, 3);
	checkpoint(f);
	append_n(f, 1);
	read_lines(f, &l);
	edit(l.line[1], "\"good\"", "\"badd\"");
	rechain(l.line, l.n, 2);
	write_lines(f, l.line, l.n);
	free(l.text);
	assert_broken(f, 4, "bad checkpoint signature");
}

static void test_audit__a_tail_cut_below_the_head_is_named(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f, 2);
	checkpoint(f);
	append_n(f, 2);
	read_lines(f, &l);
	/* Entries after the last checkpoint can go unnoticed (the README says so)... */
	write_lines(f, l.line, 4);
	assert_intact(f, 4, 1, 1);
	/* ...not the checkpoint audit.head names, nor anything before it. */
	write_lines(f, l.line, 2);
	assert_broken(f, 3, "the log ends at entry 2 but audit.head names checkpoint 3 "
			    "(entries removed)");
	/* Nor the checkpoint replaced by new entries written over the cut. */
	append_n(f, 3);
	assert_broken(f, 3, "it is not the checkpoint that audit.head names");
	free(l.text);
	unlink(at(f, "audit.log"));
	assert_broken(f, 1, "the log is missing or empty but audit.head names checkpoint 3");
}

static void test_audit__a_checkpoint_by_a_key_not_ours_is_named(void **state)
{
	struct fixture *f = *state;
	struct pouch_key_opts ko = { 365LL * 86400, 0, NULL };
	struct pouch_agency a;

	append_n(f, 2);
	checkpoint(f);
	/* A new identity: the old key stays in the keyring, valid, but is no agency key. */
	assert_int_equal(pouch_identity_create(&f->h, "GB-NCA-CEOP", "CEOP", &ko, 1, &a, NULL), 0);
	pouch_agency_release(&a);
	assert_broken(f, 3, "which is not one of our agency keys");
}

static void test_audit__checkpoints_of_a_rotated_key_still_verify(void **state)
{
	struct fixture *f = *state;
	struct pouch_key_opts ko = { 365LL * 86400, 0, NULL };
	char old[POUCH_FPR_LEN + 1], fpr[POUCH_FPR_LEN + 1];
	struct pouch_agency a;
	struct lines l;

	append_n(f, 2);
	checkpoint(f);
	assert_int_equal(pouch_identity_load(&f->h, &a, NULL), 0);
	snprintf(old, sizeof(old), "%s", a.keys[0].fpr);
	assert_int_equal(pouch_identity_rotate(&f->h, &a, &ko, 3600, fpr, NULL), 0);
	pouch_agency_release(&a);
	append_n(f, 2);
	checkpoint(f);
	read_lines(f, &l);
	assert_int_equal(l.n, 6);
	assert_non_null(strstr(l.line[2], old));
	assert_non_null(strstr(l.line[5], fpr));
	free(l.text);
	assert_intact(f, 6, 2, 0);
}

static void test_audit__a_key_that_needs_a_passphrase_is_never_asked(void **state)
{
	struct fixture *f = *state;
	struct pouch_key_opts ko = { 365LL * 86400, 1, "right" };
	struct pouch_agency a;

	assert_int_equal(pouch_identity_create(&f->h, "GB-LOCK", "L", &ko, 0, &a, NULL), 0);
	pouch_agency_release(&a);
	stop_agent(f); /* forget any cached passphrase */
	append_n(f, 1);
	assert_int_equal(pouch_audit_checkpoint(&f->h, NULL, NOW, NULL), 1);
	assert_int_equal(pouch_audit_checkpoint(&f->h, "wrong", NOW, NULL), 1);
	assert_false(pouch_fs_exists(at(f, "audit.head")));
	assert_intact(f, 1, 0, 1);
	assert_int_equal(pouch_audit_checkpoint(&f->h, "right", NOW, NULL), 0);
	assert_intact(f, 2, 1, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_home, teardown)
#define K(fn) cmocka_unit_test_setup_teardown(fn, setup_identity, teardown_identity)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_audit__entries_chain_by_the_hash_of_the_line_before),
		T(test_audit__a_missing_log_is_an_empty_trail),
		T(test_audit__reasons_are_one_escaped_capped_line_without_quoted_names),
		T(test_audit__malformed_entries_are_refused_and_nothing_written),
		T(test_audit__the_digest_of_a_file_and_never_its_path),
		T(test_audit__an_edited_line_breaks_the_next_entry),
		T(test_audit__a_deleted_line_is_named),
		T(test_audit__reordered_lines_are_named),
		T(test_audit__malformed_lines_are_named),
		T(test_audit__an_incomplete_last_line_stops_appends),
		T(test_audit__a_linked_log_is_refused),
		T(test_audit__a_failed_write_leaves_no_partial_line),
		T(test_audit__concurrent_writers_keep_one_chain),
		T(test_audit__verify_while_appending_sees_an_intact_trail),
		T(test_audit__reading_stops_at_the_first_malformed_line),
		T(test_audit__result_as_json),
		K(test_audit__checkpoints_sign_the_head_once),
		K(test_audit__a_forged_checkpoint_signature_is_named),
		K(test_audit__a_checkpoint_head_that_does_not_match_is_named),
		K(test_audit__a_rechained_edit_fails_the_checkpoint_signature),
		K(test_audit__a_tail_cut_below_the_head_is_named),
		K(test_audit__a_checkpoint_by_a_key_not_ours_is_named),
		K(test_audit__checkpoints_of_a_rotated_key_still_verify),
		cmocka_unit_test_setup_teardown(
			test_audit__a_key_that_needs_a_passphrase_is_never_asked, setup_home,
			teardown_identity),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
