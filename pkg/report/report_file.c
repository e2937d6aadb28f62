/* A report as a file, and its attachments list against the files packed with it
 * (spec/report.md section 11). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/validate.h"
#include "report/report.h"

#define SHOW_MAX 80

int pouch_report_load(const char *path, json_t **out, struct pouch_err *err)
{
	char what[POUCH_ERR_MSG_MAX / 2];
	int fd = -1, ret;

	*out = NULL;
	ret = pouch_fs_open_regular(NULL, path, POUCH_REPORT_MAX, 0, &fd, NULL, err);
	if (ret == POUCH_E_REFUSED)
		ret = pouch_err_set(err, POUCH_E_USAGE, "report '%s' is larger than %d bytes", path,
				    POUCH_REPORT_MAX);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "report '%s'", path);
	ret = pouch_json_parse_fd(what, fd, POUCH_REPORT_MAX, out, err);
	close(fd);
	if (!ret && !json_is_object(*out))
		ret = pouch_err_set(err, POUCH_E_USAGE, "report '%s' is not a JSON object", path);
	if (ret < 0) {
		if (err)
			err->code = POUCH_E_USAGE;
		ret = POUCH_E_USAGE;
		json_decref(*out);
		*out = NULL;
	}
	return ret;
}

const char *pouch_media_type_guess(const char *name)
{
	static const char *const types[][2] = {
		{ "txt", "text/plain" }, { "csv", "text/csv" }, { "json", "application/json" },
		{ "pdf", "application/pdf" }, { "xml", "application/xml" },
		{ "zip", "application/zip" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
		{ "png", "image/png" }, { "gif", "image/gif" }, { "webp", "image/webp" },
		{ "mp4", "video/mp4" }, { "mov", "video/quicktime" }, { "html", "text/html" },
		{ "eml", "message/rfc822" }, { "doc", "application/msword" },
		{ "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(dot + 1, types[i][0]))
			return types[i][1];
	return "application/octet-stream";
}

static const json_t *listed(const json_t *list, const char *name, size_t *at)
{
	const json_t *a;
	size_t i;

	json_array_foreach(list, i, a)
		if (json_is_string(json_object_get(a, "name")) &&
		    !strcmp(json_string_value(json_object_get(a, "name")), name)) {
			*at = i;
			return a;
		}
	return NULL;
}

/* The listed entry a for file f: stated values equal, the others filled in. */
static int complete(const json_t *a, size_t at, const struct pouch_report_file *f, json_t *out,
		    struct pouch_err *err)
{
	const json_t *size = json_object_get(a, "size"), *sha = json_object_get(a, "sha256");
	const json_t *type = json_object_get(a, "media_type");
	char shown[SHOW_MAX];

	pouch_escape(f->name, shown, sizeof(shown));
	if (size && (!json_is_integer(size) || (uint64_t)json_integer_value(size) != f->size))
		return pouch_err_set(err, POUCH_E_REFUSED, "attachments[%zu].size: the report "
				     "states another size than file '%s' has (%llu bytes)", at,
				     shown, (unsigned long long)f->size);
	if (sha && (!json_is_string(sha) || strcmp(json_string_value(sha), f->sha256)))
		return pouch_err_set(err, POUCH_E_REFUSED, "attachments[%zu].sha256: the report "
				     "states another SHA-256 than file '%s' has (%s)", at, shown,
				     f->sha256);
	if (json_object_set_new(out, "name", json_string(f->name)) ||
	    json_object_set_new(out, "size", json_integer((json_int_t)f->size)) ||
	    json_object_set_new(out, "sha256", json_string(f->sha256)) ||
	    json_object_set_new(out, "media_type",
				type ? json_deep_copy(type)
				     : json_string(pouch_media_type_guess(f->name))))
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	return 0;
}

int pouch_report_attach(json_t *report, const struct pouch_report_file *files, size_t n,
			struct pouch_err *err)
{
	const json_t *given = json_object_get(report, "attachments"), *a;
	json_t *list = json_array(), *entry;
	char shown[SHOW_MAX];
	size_t i, at = 0;
	int ret = 0;

	if (!list)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	for (i = 0; !ret && i < n; i++) {
		a = given ? listed(given, files[i].name, &at) : NULL;
		pouch_escape(files[i].name, shown, sizeof(shown));
		if (given && !a) {
			ret = pouch_err_set(err, POUCH_E_REFUSED, "attachments: the report does "
					    "not list the attached file '%s'", shown);
			break;
		}
		entry = a ? json_deep_copy(a) : json_object(); /* keeps about or shared */
		ret = entry ? complete(a, at, &files[i], entry, err)
			    : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		if (!ret && json_array_append_new(list, entry))
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		else if (ret)
			json_decref(entry);
	}
	/* Every file is listed once; a longer list names a file that is not attached. */
	for (i = 0; !ret && given && i < json_array_size(given); i++) {
		const json_t *name = json_object_get(json_array_get(given, i), "name");
		size_t j, seen = 0;
		for (j = 0; j < n; j++)
			seen += json_is_string(name) && !strcmp(json_string_value(name),
								 files[j].name);
		pouch_escape(json_is_string(name) ? json_string_value(name) : "", shown,
			     sizeof(shown));
		if (seen != 1)
			ret = pouch_err_set(err, POUCH_E_REFUSED, "attachments[%zu].name: '%s' is %s",
					    i, shown, seen ? "listed twice" : "not attached");
		for (j = 0; !ret && j < i; j++)
			if (json_equal(name, json_object_get(json_array_get(given, j), "name")))
				ret = pouch_err_set(err, POUCH_E_REFUSED, "attachments[%zu].name: "
						    "'%s' is listed twice", i, shown);
	}
	if (!ret && json_object_set_new(report, "attachments", list))
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (ret)
		json_decref(list);
	return ret;
}

int pouch_report_attached(const json_t *report, const struct pouch_report_file *files,
			  size_t n, struct pouch_err *err)
{
	const json_t *list = json_object_get(report, "attachments"), *a;
	size_t i;

	if (!json_is_array(list) || json_array_size(list) != n)
		return pouch_err_set(err, POUCH_E_VERIFY, "the report's attachments list does not "
				     "match the package's attachments");
	for (i = 0; i < n; i++) {
		a = json_array_get(list, i);
		if (!json_is_string(json_object_get(a, "name")) ||
		    strcmp(json_string_value(json_object_get(a, "name")), files[i].name) ||
		    !json_is_integer(json_object_get(a, "size")) ||
		    (uint64_t)json_integer_value(json_object_get(a, "size")) != files[i].size ||
		    !json_is_string(json_object_get(a, "sha256")) ||
		    strcmp(json_string_value(json_object_get(a, "sha256")), files[i].sha256) ||
		    !json_is_string(json_object_get(a, "media_type")))
			return pouch_err_set(err, POUCH_E_VERIFY, "the report's attachments[%zu] "
					     "does not match the package's attachment %zu", i, i + 1);
	}
	return 0;
}
