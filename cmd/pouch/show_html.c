/* pouch show --format html: the view of show_print.c as one self-contained HTML document for
 * the case file. The same walk writes the text (report text already escaped by show_text);
 * this emitter only HTML-escapes it and frames it, the banner first and again last. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "show_print.h"

/* Nothing in the document may load or run anything: no script, no fonts, images or styles from
 * elsewhere, and a policy that says so to the browser too. */
static const char head[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"style-src 'unsafe-inline'\">\n"
	"<meta name=\"referrer\" content=\"no-referrer\">\n"
	"<meta name=\"generator\" content=\"pouch show\">\n";

static const char style[] =
	"<style>\n"
	"body { margin: 1.5em; color: #000; background: #fff; }\n"
	"pre { font-family: monospace; font-size: 10pt; white-space: pre-wrap; margin: 0; }\n"
	"pre.banner { font-weight: bold; border: 2px solid #000; padding: 0.3em; }\n"
	"pre.view { margin: 1em 0; }\n"
	"pre.immediate { border-left: 6px solid #c00; padding-left: 0.5em; }\n"
	"@media print { pre.banner { break-inside: avoid; } }\n"
	"</style>\n"
	"</head>\n"
	"<body>\n";

/* The character reference for c, or NULL when c stands for itself. */
static const char *reference(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/* Writes the n bytes at s to f with & < > " ' as character references. */
static void escaped(FILE *f, const char *s, size_t n)
{
	const char *r;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((r = reference(s[i])))
			fputs(r, f);
		else
			fputc(s[i], f);
	}
}

/* What part(f, pk) writes, HTML-escaped, on f; -1 when it could not be rendered. */
static int render(FILE *f, int (*part)(FILE *, const struct pouch_opened_dir *),
		  const struct pouch_opened_dir *pk)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int ret = m ? part(m, pk) : -1;

	if (m && fclose(m) != 0)
		ret = -1;
	if (ret == 0)
		escaped(f, buf, len);
	free(buf);
	return ret;
}

static int banner(FILE *f, const struct pouch_opened_dir *pk)
{
	show_banner(f, json_object_get(pk->report, "handling"));
	return ferror(f) ? -1 : 0;
}

/* The title: the classification line and the report's reference. */
static int title(FILE *f, const struct pouch_opened_dir *pk)
{
	const json_t *ref = json_object_get(json_object_get(pk->report, "header"), "reference");

	show_classification(f, json_object_get(pk->report, "handling"));
	if (json_is_string(ref)) {
		fputs(" \xe2\x80\x94 ", f); /* an em dash */
		show_text(f, json_string_value(ref), NULL);
	}
	return ferror(f) ? -1 : 0;
}

/* An immediate report's view is marked in the margin too. */
static int immediate(const struct pouch_opened_dir *pk)
{
	const json_t *level = json_object_get(json_object_get(pk->report, "priority"), "level");

	return json_is_string(level) && strcmp(json_string_value(level), "immediate") == 0;
}

int show_html(FILE *f, const struct pouch_opened_dir *pk)
{
	fputs(head, f);
	fputs("<title>", f);
	if (render(f, title, pk) < 0)
		return -1;
	fputs("</title>\n", f);
	fputs(style, f);
	fputs("<pre class=\"banner\">", f);
	if (render(f, banner, pk) < 0)
		return -1;
	fprintf(f, "</pre>\n<pre class=\"view%s\">", immediate(pk) ? " immediate" : "");
	if (render(f, show_body, pk) < 0)
		return -1;
	fputs("</pre>\n<pre class=\"banner\">", f);
	if (render(f, banner, pk) < 0)
		return -1;
	fputs("</pre>\n</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}
