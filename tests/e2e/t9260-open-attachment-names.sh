#!/bin/sh
# Hostile packages, issue 9 item 8: attachment names that lie on screen (bidirectional and
# invisible characters, a leading '-' or space, a trailing dot or space) are refused by open,
# with the name escaped in the message, leaving nothing behind.
. "$(dirname "$0")/lib.sh"

. "$SRC_DIR/tests/e2e/lib-forge.sh"

expect_success 'setup: a centre and a force' 'setup_forge'

. ./fprs 2>/dev/null || true

# open_refuses NAME(JSON string) REASON: a package holding one attachment so named (listed and
# archived) does not open, for REASON; no raw bidirectional or invisible bytes reach the error.
open_refuses() {
	forged n.pouch entries="[[\"$1\", \"x\"]]" &&
	must_fail 1 pouch --home met open n.pouch -o opened &&
	error_is "package .n.pouch. does not open: pouch.json lists attachment .*: invalid \
attachment name .*: $2" &&
	! grep -q "$(printf "\342\200\256\|\342\201\246\|\342\200\213")" err && nothing_left
}

BIDI="bidirectional, invisible and format characters are not allowed"

expect_success 'a right-to-left override (U+202E) that turns exe.txt into txt.exe' '
	open_refuses "invoice\\u202etxt.exe" "$BIDI" &&
	grep -q "invoice\\\\xe2\\\\x80\\\\xaetxt.exe" err
'

expect_success 'every bidirectional embedding, override, isolate and mark' '
	for c in 202a 202b 202c 202d 2066 2067 2068 2069 200e 200f 061c; do
		open_refuses "a\\u${c}b.txt" "$BIDI" || { echo "U+$c opened" >&2; exit 1; }
	done
'

expect_success 'invisible characters: zero width space, soft hyphen, word joiner, BOM' '
	for c in 200b 00ad 2060 feff; do
		open_refuses "a\\u${c}.txt" "$BIDI" || { echo "U+$c opened" >&2; exit 1; }
	done
'

expect_success 'a leading dash or space' '
	open_refuses "-rf" "it must not start with .-." &&
	open_refuses "--help.txt" "it must not start with .-." &&
	open_refuses " a.txt" "it must not start with a space"
'

expect_success 'a trailing dot or space, ASCII or not' '
	open_refuses "a.exe." "it must not end with a dot or a space" &&
	open_refuses "a.exe..." "it must not end with a dot or a space" &&
	open_refuses "a.exe " "it must not end with a dot or a space" &&
	open_refuses "a.exe\\u00a0" "it must not end with a dot or a space" &&
	open_refuses "a.exe\\u3000" "it must not end with a dot or a space"
'

expect_success 'names that only look unusual still open' '
	forged ok.pouch entries="[[\"a-b .txt\", \"1\"], [\"\\u05e9.txt\", \"2\"], \
[\".hidden\", \"3\"], [\"x\\u00a0y.txt\", \"4\"]]" &&
	pouch --home met open ok.pouch -o okdir >/dev/null &&
	test "$(ls -A okdir/attachments | wc -l)" = 4
'

test_done
