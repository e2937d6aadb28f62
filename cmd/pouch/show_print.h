/* pouch show's view for people: an opened package's report on a terminal, every piece of its
 * text escaped (show_print.c), and the same view as an HTML document (show_html.c). */
#ifndef POUCH_SHOW_PRINT_H
#define POUCH_SHOW_PRINT_H

#include <stdio.h>

#include "package/opened.h"

/* Writes the view of the opened package p to f: the markings banner, the conditions, the
 * priority (immediate boxed, with the reminder to phone), then the header, offences, graded
 * items, persons, media, requested actions and attachments. Report text goes through
 * show_text only. Returns 0, or -1 when writing failed. */
int show_print(FILE *f, const struct pouch_opened_dir *p);

/* The two parts of that view, for another rendering of the same walk (show_html.c): the
 * banner (classification, TLP and handling codes between two rules) of the report's handling
 * h, and everything after it (show_body returns as show_print). show_classification writes
 * the banner's first line without its newline: the tier, SENSITIVE and the caveats. */
void show_banner(FILE *f, const json_t *h);
int show_body(FILE *f, const struct pouch_opened_dir *p);
void show_classification(FILE *f, const json_t *h);

/* Writes the same view as one self-contained HTML document for the case file: the banner
 * first and again last, the view between, every character of it HTML-escaped; no script and
 * nothing loaded from elsewhere (a Content-Security-Policy forbids it). Returns as
 * show_print. */
int show_html(FILE *f, const struct pouch_opened_dir *p);

/* Writes s to f so that nothing in it acts on a terminal: control characters (C0, DEL, C1),
 * bidirectional, invisible and format characters (pouch_unicode_is_hidden) and backslashes are
 * written as escapes (\x1b, \u202e, \\), bytes that are not UTF-8 as \xNN. With cont set, a
 * newline is kept, the next line starting with cont (a continuation); without it, it is
 * escaped too. */
void show_text(FILE *f, const char *s, const char *cont);

#endif
