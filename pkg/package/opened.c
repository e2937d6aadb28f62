/* Reading back a package directory pouch open made: found by its id through open's records,
 * pouch.json loaded and its report checked, and every attachment held to its size and SHA-256. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/uuid.h"
#include "base/validate.h"
#include "crypto/digest.h"
#include "package/archive.h"
#include "package/opened.h"
#include "report/report.h"

#define MANIFEST_MAX (POUCH_REPORT_MAX + 64 * 1024)
#define SHOW_MAX 160

static const char *shown(const char *s, char *buf)
{
	pouch_escape(s, buf, SHOW_MAX);
	return buf;
}

void pouch_opened_dir_release(struct pouch_opened_dir *out)
{
	free(out->dir);
	json_decref(out->manifest);
	memset(out, 0, sizeof(*out));
}

/* Whether the home records id as opened: from sender (NULL: anyone), or before records were per
 * sender. */
static int recorded(const struct pouch_home *home, const char *id, const char *sender)
{
	char *seen = pouch_path_join(home->dir, "seen"), *path = NULL;
	size_t idlen = strlen(id), len;
	struct dirent *e;
	DIR *d = seen ? opendir(seen) : NULL;
	int found = 0;

	if (seen && asprintf(&path, "%s/%s", seen, id) >= 0 && pouch_fs_exists(path))
		found = 1;
	while (d && !found && (e = readdir(d))) {
		len = strlen(e->d_name);
		if (len > idlen + 1 && strcmp(e->d_name + len - idlen, id) == 0 &&
		    e->d_name[len - idlen - 1] == '.' &&
		    (!sender || (strlen(sender) == len - idlen - 1 &&
				 strncmp(e->d_name, sender, len - idlen - 1) == 0)))
			found = 1;
	}
	if (d)
		closedir(d);
	free(path);
	free(seen);
	return found;
}

int pouch_opened_find(const struct pouch_home *home, const char *id, const char *sender,
		      char **dir, struct pouch_err *err)
{
	char buf[SHOW_MAX];
	struct stat st;

	*dir = NULL;
	if (pouch_uuid_check(id, NULL) < 0 || !recorded(home, id, sender))
		return pouch_err_set(err, POUCH_E_NOTFOUND, "no package '%s' was opened in this "
				     "home%s%s", shown(id, buf), sender ? " from " : "",
				     sender ? sender : "");
	if (stat(id, &st) < 0 || !S_ISDIR(st.st_mode))
		return pouch_err_set(err, POUCH_E_NOTFOUND, "package %s was opened, but not into "
				     "./%s: give the directory it was opened into", id, id);
	*dir = strdup(id);
	return *dir ? 0 : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
}

/* pouch.json as open writes it: its members, a package id, a sender's code, a report. */
static int manifest_form(const char *file, struct pouch_opened_dir *out, struct pouch_err *err)
{
	static const char *const fields[] = { "format", "id", "sender", "recipients", "created",
					      "expires", "priority", "classification", "tlp", "salt",
					      "report", "attachments", "provenance", NULL };
	const json_t *m = out->manifest, *format = json_object_get(m, "format");
	char buf[SHOW_MAX];

	if (!json_is_object(m) || pouch_json_only_keys(m, fields, NULL) < 0 ||
	    !json_is_string(format) || strcmp(json_string_value(format), "pouch-content/1") ||
	    pouch_json_str(m, "id", 0, &out->id, NULL) < 0 || pouch_uuid_check(out->id, NULL) < 0 ||
	    pouch_json_str(json_object_get(m, "sender"), "agency", 0, &out->sender, NULL) < 0 ||
	    pouch_agency_code_check(out->sender, NULL) < 0 ||
	    !json_is_object(out->report = json_object_get(m, "report")) ||
	    !json_is_array(json_object_get(m, "attachments")))
		return pouch_err_set(err, POUCH_E_REFUSED, "'%s' is not the pouch.json of an opened "
				     "package", shown(file, buf));
	return 0;
}

/* The report is valid and shows pouch.json's markings. */
static int report_check(const char *file, const struct pouch_opened_dir *out,
			struct pouch_err *err)
{
	struct pouch_report_errors e = { 0 };
	struct pouch_report_marks marks;
	const char *mine[3] = { NULL, NULL, NULL };
	char buf[SHOW_MAX];
	int ret = pouch_report_validate(out->report, &e, err);

	if (ret == POUCH_E_REFUSED)
		ret = pouch_err_set(err, POUCH_E_REFUSED, "the report in '%s' is not valid: %s%s",
				    shown(file, buf), e.n ? e.msg[0] : "",
				    e.count > 1 ? " (and more)" : "");
	pouch_report_errors_release(&e);
	if (ret < 0)
		return ret;
	ret = pouch_report_marks(out->report, &marks, err);
	pouch_json_str(out->manifest, "priority", 0, &mine[0], NULL);
	pouch_json_str(out->manifest, "classification", 0, &mine[1], NULL);
	pouch_json_str(out->manifest, "tlp", 0, &mine[2], NULL);
	if (!ret && (!mine[0] || !mine[1] || !mine[2] || strcmp(mine[0], marks.priority) ||
		     strcmp(mine[1], marks.tier) || strcmp(mine[2], marks.tlp)))
		ret = pouch_err_set(err, POUCH_E_REFUSED, "the report in '%s' does not show the "
				    "priority, classification and TLP of its pouch.json (altered)",
				    shown(file, buf));
	return ret;
}

/* One attachment file: there, regular, with the size and SHA-256 listed. */
static int file_check(const char *dir, const struct pouch_report_file *f, struct pouch_err *err)
{
	char *path = NULL, hex[POUCH_SHA256_HEX], b1[SHOW_MAX], b2[SHOW_MAX];
	uint64_t size = 0;
	int fd = -1, ret;

	if (asprintf(&path, "%s/attachments/%s", dir, f->name) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_fs_open_regular(NULL, path, UINT64_MAX, POUCH_FS_NOFOLLOW, &fd, NULL, NULL);
	if (ret == POUCH_E_NOTFOUND)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "attachment '%s' is missing from '%s'",
				    shown(f->name, b1), shown(dir, b2));
	else if (ret < 0)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "attachment '%s' in '%s' cannot be read "
				    "as a regular file", shown(f->name, b1), shown(dir, b2));
	if (!ret)
		ret = pouch_sha256_fd(fd, hex, &size, err);
	if (!ret && size != f->size)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "attachment '%s' in '%s' does not match "
				    "the package: %llu bytes, the package lists %llu",
				    shown(f->name, b1), shown(dir, b2), (unsigned long long)size,
				    (unsigned long long)f->size);
	else if (!ret && strcmp(hex, f->sha256) != 0)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "attachment '%s' in '%s' does not match "
				    "the package: its SHA-256 differs", shown(f->name, b1),
				    shown(dir, b2));
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/* attachments/ holds nothing but the n files listed. */
static int no_extra(const char *dir, const struct pouch_report_file *files, size_t n,
		    struct pouch_err *err)
{
	char *att = pouch_path_join(dir, "attachments"), b1[SHOW_MAX], b2[SHOW_MAX];
	DIR *d = att ? opendir(att) : NULL;
	struct dirent *e;
	size_t i;
	int ret = 0;

	if (!att)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!d && (errno != ENOENT || n))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "cannot read '%s': %s",
				    shown(att, b1), strerror(errno));
	while (d && !ret && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		for (i = 0; i < n && strcmp(files[i].name, e->d_name); i++)
			;
		if (i == n)
			ret = pouch_err_set(err, POUCH_E_VERIFY, "'%s' holds '%s', which the package "
					    "does not list", shown(att, b1), shown(e->d_name, b2));
	}
	if (d)
		closedir(d);
	free(att);
	return ret;
}

/* pouch.json's attachments list: each well-formed, a valid name, the same as the report's, and
 * each file in attachments/ matching it. */
static int attachments_check(const char *file, const struct pouch_opened_dir *out,
			     struct pouch_err *err)
{
	const json_t *list = json_object_get(out->manifest, "attachments"), *a;
	struct pouch_report_file *files = calloc(json_array_size(list) + 1, sizeof(*files));
	char buf[SHOW_MAX];
	size_t i, n = json_array_size(list);
	int ret = files ? 0 : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");

	json_array_foreach(list, i, a) {
		const json_t *size = json_object_get(a, "size");
		if (ret)
			break;
		if (pouch_json_str(a, "name", 0, &files[i].name, NULL) < 0 ||
		    pouch_json_str(a, "sha256", 0, &files[i].sha256, NULL) < 0 ||
		    !json_is_integer(size) || json_integer_value(size) < 0 ||
		    pouch_archive_name_check(files[i].name, NULL) < 0)
			ret = pouch_err_set(err, POUCH_E_REFUSED, "'%s' lists a malformed attachment",
					    shown(file, buf));
		else
			files[i].size = (uint64_t)json_integer_value(size);
	}
	if (!ret && pouch_report_attached(out->report, files, n, err) < 0) {
		pouch_err_prefix(err, "the report in '%s' does not list its attachments",
				 shown(file, buf));
		ret = err ? (err->code = POUCH_E_REFUSED) : POUCH_E_REFUSED;
	}
	for (i = 0; !ret && i < n; i++)
		ret = file_check(out->dir, &files[i], err);
	if (!ret)
		ret = no_extra(out->dir, files, n, err);
	free(files);
	return ret;
}

int pouch_opened_dir_load(const char *path, struct pouch_opened_dir *out, struct pouch_err *err)
{
	char *file = NULL, *text = NULL, buf[SHOW_MAX];
	struct stat st;
	size_t len = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) < 0)
		return pouch_err_set(err, errno == ENOENT ? POUCH_E_NOTFOUND : POUCH_E_IO,
				     "cannot show '%s': %s", shown(path, buf), strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		out->dir = strdup(path);
		file = pouch_path_join(path, "pouch.json");
	} else {
		out->dir = pouch_fs_dir_of(path);
		file = strdup(path);
	}
	if (!out->dir || !file) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	/* Messages name the files escaped: their names come from outside. */
	ret = pouch_fs_read(file, MANIFEST_MAX, &text, &len, NULL);
	if (ret == POUCH_E_NOTFOUND)
		ret = pouch_err_set(err, POUCH_E_REFUSED, "'%s' is not an opened package: it holds "
				    "no pouch.json", shown(out->dir, buf));
	else if (ret == POUCH_E_REFUSED)
		ret = pouch_err_set(err, ret, "'%s' is not the pouch.json of an opened package: "
				    "larger than %d bytes", shown(file, buf), MANIFEST_MAX);
	else if (ret < 0)
		ret = pouch_err_set(err, ret, "cannot read '%s': %s", shown(file, buf),
				    strerror(errno));
	if (!ret)
		ret = pouch_json_parse(shown(file, buf), text, len, &out->manifest, err);
	if (ret == POUCH_E_CORRUPT) {
		pouch_err_prefix(err, "'%s' is not the pouch.json of an opened package",
				 shown(file, buf));
		ret = err ? (err->code = POUCH_E_REFUSED) : POUCH_E_REFUSED;
	}
	if (!ret)
		ret = manifest_form(file, out, err);
	if (!ret)
		ret = report_check(file, out, err);
	if (!ret)
		ret = attachments_check(file, out, err);
out:
	free(text);
	free(file);
	if (ret < 0)
		pouch_opened_dir_release(out);
	return ret;
}
