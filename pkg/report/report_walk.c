/* The generic checker: walks a JSON value along a table of member specs (report_internal.h),
 * naming every problem with its JSON path, the way spec/report.schema.json would refuse it. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/validate.h"
#include "report/report_internal.h"

#define SHOW_MAX 240

void walk_fail(struct walk *w, const char *fmt, ...)
{
	char msg[POUCH_ERR_MSG_MAX], *line;
	char **grown;
	va_list ap;
	int n;

	w->count++;
	if (w->nomem || (w->out->n >= POUCH_REPORT_ERRORS_MAX && !w->final))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The last line (how many more) names no path. */
	const char *where = w->final ? "" : w->plen ? w->path : "report";
	const char *sep = w->final ? "" : ": ";

	n = snprintf(NULL, 0, "%s%s%s", where, sep, msg);
	grown = realloc(w->out->msg, (w->out->n + 1) * sizeof(*grown));
	line = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!grown || !line) {
		if (grown)
			w->out->msg = grown;
		free(line);
		w->nomem = 1;
		return;
	}
	w->out->msg = grown;
	snprintf(line, (size_t)n + 1, "%s%s%s", where, sep, msg);
	w->out->msg[w->out->n++] = line;
}

/* Appends the text of n bytes to the path (cut where the path is full). */
static size_t push(struct walk *w, const char *text, int n)
{
	size_t old = w->plen;

	if (n > 0) {
		size_t room = sizeof(w->path) - 1 - old;
		size_t len = (size_t)n < room ? (size_t)n : room;
		memcpy(w->path + old, text, len);
		w->plen = old + len;
		w->path[w->plen] = '\0';
	}
	return old;
}

size_t walk_push_name(struct walk *w, const char *name)
{
	char shown[SHOW_MAX], text[SHOW_MAX + 1];

	pouch_escape(name, shown, sizeof(shown));
	return push(w, text, snprintf(text, sizeof(text), "%s%s", w->plen ? "." : "", shown));
}

size_t walk_push_index(struct walk *w, size_t i)
{
	char text[32];

	return push(w, text, snprintf(text, sizeof(text), "[%zu]", i));
}

void walk_pop(struct walk *w, size_t len)
{
	w->plen = len;
	w->path[len] = '\0';
}

const char *walk_show(const json_t *v, char *buf, size_t size)
{
	char esc[SHOW_MAX];

	switch (json_typeof(v)) {
	case JSON_STRING:
		pouch_escape(json_string_value(v), esc, sizeof(esc));
		snprintf(buf, size, "'%s'", esc);
		return buf;
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

const char *walk_list(const char *const *values, char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; values[i]; i++) {
		const char *sep = i == 0 ? "" : values[i + 1] ? ", " : " or ";
		int n = snprintf(buf + o, size - o, "%s%s", sep, values[i]);
		if (n < 0 || (size_t)n >= size - o)
			break;
		o += (size_t)n;
	}
	return buf;
}

int walk_in(const json_t *v, const char *const *values)
{
	size_t i;

	if (!json_is_string(v))
		return 0;
	for (i = 0; values[i]; i++)
		if (!strcmp(json_string_value(v), values[i]))
			return 1;
	return 0;
}

int walk_is_placeholder(const json_t *v)
{
	return json_is_string(v) && !strncmp(json_string_value(v), POUCH_REPORT_PLACEHOLDER,
					     strlen(POUCH_REPORT_PLACEHOLDER));
}

/* Whether s matches the POSIX ERE pattern (compiled once per walk). A pattern that does not
 * compile is a fault of the table, reported as a mismatch. */
static int matches(struct walk *w, const char *pattern, const char *s)
{
	size_t i;

	if (strchr(s, '\n'))
		return 0;
	for (i = 0; i < w->npatterns; i++)
		if (w->patterns[i] == pattern)
			return !regexec(&w->re[i], s, 0, NULL, 0);
	if (w->npatterns == PATTERNS_MAX ||
	    regcomp(&w->re[i], pattern, REG_EXTENDED | REG_NOSUB))
		return 0;
	w->patterns[w->npatterns++] = pattern;
	return !regexec(&w->re[i], s, 0, NULL, 0);
}

/* Characters (code points) in the UTF-8 string s. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int as_int(const json_t *v, double *out)
{
	if (json_is_integer(v)) {
		*out = (double)json_integer_value(v);
		return 1;
	}
	if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v)) {
		*out = json_real_value(v);
		return 1;
	}
	return 0;
}

static void check_object(struct walk *w, const json_t *v, const struct spec *spec)
{
	const struct member *m;
	const char *key;
	json_t *val;
	size_t old;

	for (m = spec->members; m->name; m++) {
		const json_t *mv = json_object_get(v, m->name);
		old = walk_push_name(w, m->name);
		if (mv)
			walk_check(w, mv, m->spec);
		else if (m->required)
			walk_fail(w, "missing (expected %s)", m->spec->what);
		walk_pop(w, old);
	}
	json_object_foreach((json_t *)v, key, val) {
		for (m = spec->members; m->name && strcmp(m->name, key); m++)
			;
		if (m->name)
			continue;
		old = walk_push_name(w, key);
		walk_fail(w, "unknown member");
		walk_pop(w, old);
	}
	if (json_object_size(v) < spec->min)
		walk_fail(w, "empty (expected %s)", spec->what);
}

static void check_array(struct walk *w, const json_t *v, const struct spec *spec)
{
	size_t i, j, old;
	char buf[SHOW_MAX + 2];

	if (json_array_size(v) < spec->min)
		walk_fail(w, "needs at least %u (%s)", spec->min, spec->what);
	for (i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);
		old = walk_push_index(w, i);
		walk_check(w, e, spec->elem);
		for (j = 0; spec->unique && j < i; j++)
			if (json_equal((json_t *)e, json_array_get(v, j))) {
				walk_fail(w, "%s appears twice (values are distinct)",
					  walk_show(e, buf, sizeof(buf)));
				break;
			}
		walk_pop(w, old);
	}
}

static int is_type(const json_t *v, enum spec_kind kind)
{
	double d;

	switch (kind) {
	case K_BOOL:
		return json_is_boolean(v);
	case K_TRUE:
		return json_is_true(v);
	case K_INT:
		return as_int(v, &d);
	case K_OBJECT:
	case K_ANYOBJ:
		return json_is_object(v);
	case K_ARRAY:
		return json_is_array(v);
	case K_ENUM:
		return 1; /* any value: not being in the list says enough */
	default:
		return json_is_string(v);
	}
}

void walk_check(struct walk *w, const json_t *v, const struct spec *spec)
{
	char buf[SHOW_MAX + 2], list[512];
	double d;

	if (walk_is_placeholder(v)) {
		walk_fail(w, "not filled in: %s", walk_show(v, buf, sizeof(buf)));
		return;
	}
	if (!is_type(v, spec->kind)) {
		walk_fail(w, "expected %s, got %s", spec->what, walk_show(v, buf, sizeof(buf)));
		return;
	}
	switch (spec->kind) {
	case K_TEXT:
		if (!json_string_length(v))
			walk_fail(w, "empty (expected %s)", spec->what);
		break;
	case K_NAME:
		if (!json_string_length(v) || chars(json_string_value(v)) > 255)
			walk_fail(w, "%s is not %s", walk_show(v, buf, sizeof(buf)), spec->what);
		break;
	case K_ENUM:
		if (!walk_in(v, spec->values))
			walk_fail(w, "%s is not %s (%s)", walk_show(v, buf, sizeof(buf)),
				  spec->what, walk_list(spec->values, list, sizeof(list)));
		break;
	case K_PATTERN:
		if (strlen(json_string_value(v)) != json_string_length(v) ||
		    !matches(w, spec->pattern, json_string_value(v)))
			walk_fail(w, "%s is not %s", walk_show(v, buf, sizeof(buf)), spec->what);
		break;
	case K_INT:
		as_int(v, &d);
		if (d < (double)spec->lo || d > (double)spec->hi)
			walk_fail(w, "%.0f is out of range (%s: %lld to %lld)", d, spec->what,
				  spec->lo, spec->hi);
		break;
	case K_OBJECT:
		check_object(w, v, spec);
		break;
	case K_ARRAY:
		check_array(w, v, spec);
		break;
	default:
		break;
	}
}

void walk_release(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->npatterns; i++)
		regfree(&w->re[i]);
	w->npatterns = 0;
}
