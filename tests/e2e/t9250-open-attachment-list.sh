#!/bin/sh
# Hostile packages, issue 9 item 3: the archive holds exactly the attachments pouch.json lists,
# in its order, each once; names in the list are unique, also case-folded and under Unicode
# normalisation. A refusal leaves no output directory, no temporary directory, no seen record.
. "$(dirname "$0")/lib.sh"

. "$SRC_DIR/tests/e2e/lib-forge.sh"
# refused_open PKG PATTERN: open fails (exit 1) with the pattern, leaving nothing.
refused_open() {
	must_fail 1 pouch --home met open "$1" -o opened &&
	error_is "package '$1' does not open: $2" && nothing_left
}

expect_success 'setup: a centre and a force' 'setup_forge'

. ./fprs 2>/dev/null || true

expect_success 'a list naming a.txt twice lets no unlisted extra.exe through' '
	forged twice.pouch entries="[[\"a.txt\", \"hello\"], [\"extra.exe\", \"MZ\"]]" \
		list="[\"a.txt\", \"a.txt\"]" &&
	refused_open twice.pouch "pouch.json lists attachment .a.txt.: the name of attachment \
.a.txt. differs only in case or not at all from .a.txt." &&
	test -z "$(find . -name extra.exe)"
'

expect_success 'a list naming one file under two cases, or precomposed and decomposed' '
	forged case.pouch entries="[[\"a.txt\", \"1\"], [\"A.TXT\", \"2\"]]" &&
	refused_open case.pouch "pouch.json lists attachment .A.TXT.: the name of attachment \
.A.TXT. differs only in case or not at all from .a.txt." &&
	forged nfd.pouch entries="[[\"\\u00e9.txt\", \"1\"], [\"e\\u0301.txt\", \"2\"]]" &&
	refused_open nfd.pouch "pouch.json lists attachment .e.*\\.txt.: the name of \
attachment .e.*\\.txt. differs only in case or not at all from" &&
	forged cyr.pouch entries="[[\"\\u0416.txt\", \"1\"], [\"\\u0436.txt\", \"2\"]]" &&
	refused_open cyr.pouch "pouch.json lists attachment .*differs only in case or not at all"
'

expect_success 'an archive entry repeated, the list naming it once' '
	forged rep.pouch entries="[[\"a.txt\", \"hello\"], [\"a.txt\", \"hello\"]]" \
		list="[\"a.txt\"]" &&
	refused_open rep.pouch "cannot extract .attachments/a.txt.: the name of attachment \
.a.txt. differs only in case or not at all"
'

expect_success 'an archived file the list does not name' '
	forged extra.pouch entries="[[\"a.txt\", \"hello\"], [\"!extra.exe\", \"MZ\"]]" &&
	refused_open extra.pouch "cannot extract .attachments/extra.exe.: pouch.json does not \
list it"
'

expect_success 'a listed file the archive does not hold' '
	forged fewer.pouch entries="[[\"a.txt\", \"hello\"]]" list="[\"a.txt\", \"b.txt\"]" &&
	refused_open fewer.pouch "cannot read the archive: it lacks attachment .b.txt. that \
pouch.json lists"
'

expect_success 'attachments in another order than the list' '
	forged order.pouch entries="[[\"a.txt\", \"1\"], [\"b.txt\", \"2\"]]" \
		list="[\"b.txt\", \"a.txt\"]" &&
	refused_open order.pouch "cannot extract .attachments/a.txt.: out of order: pouch.json \
lists it as attachment 2, not 1"
'

expect_success 'the exact list opens (the helper is sound)' '
	forged ok.pouch entries="[[\"a.txt\", \"1\"], [\"b.txt\", \"2\"]]" \
		list="[\"a.txt\", \"b.txt\"]" &&
	pouch --home met open ok.pouch -o okdir >/dev/null &&
	test "$(ls okdir/attachments | tr "\n" " ")" = "a.txt b.txt " &&
	test "$(cat okdir/attachments/b.txt)" = 2
'

test_done
