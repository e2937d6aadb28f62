/* The audit trail's hash chain: entries as appended, every kind of tampering the verifier must
 * name (an edited, deleted or reordered line, bad JSON, a missing field, an incomplete line),
 * one chain from concurrent writers, reading and the result as JSON. Checkpoints:
 * test_audit_checkpoint.c. */
#include "audit_fixture.h"

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

static void test_audit__several_entries_in_one_append_chain_or_none_is_written(void **state)
{
	struct fixture *f = *state;
	struct pouch_audit_entry e[] = {
		{ .event = "pull", .id = "a" },
		{ .event = "verify", .id = "a", .verdict = "good" },
		{ .event = "pull", .id = "b" },
	};
	struct pouch_audit_entry bad[] = { { .event = "pull" }, { .event = "Pull" } };
	struct lines l;

	assert_int_equal(pouch_audit_append(&f->h, &e[0], NOW, NULL), 0);
	assert_int_equal(pouch_audit_append_many(&f->h, e, 3, NOW, NULL), 0);
	assert_int_equal(pouch_audit_append_many(&f->h, bad, 2, NOW, NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_audit_append_many(&f->h, e, 0, NOW, NULL), 0);
	read_lines(f, &l);
	assert_int_equal(l.n, 4);
	assert_non_null(strstr(l.line[3], "\"seq\":4,"));
	free(l.text);
	assert_intact(f, 4, 0, 4);
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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_home, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_audit__entries_chain_by_the_hash_of_the_line_before),
		T(test_audit__a_missing_log_is_an_empty_trail),
		T(test_audit__reasons_are_one_escaped_capped_line_without_quoted_names),
		T(test_audit__malformed_entries_are_refused_and_nothing_written),
		T(test_audit__several_entries_in_one_append_chain_or_none_is_written),
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
