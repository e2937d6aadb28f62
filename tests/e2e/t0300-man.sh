#!/bin/sh
# The manual: a page for every command in pouch's command table (cmd/pouch/main.c), `pouch help
# CMD` printing exactly that page, every long option of a command's usage named in its page,
# pouchd(8) and pouch-files(5), and mandoc -Tlint clean. The pages are built from docs/man/*.scd
# into $POUCH_BUILD/man; rendered here as the build renders them for `pouch help`.
. "$(dirname "$0")/lib.sh"

MAN=$POUCH_BUILD/man
POUCHD_BIN=$POUCH_BUILD/pouchd

# The commands of the table, one per line ("partner add"), from the source.
sed -n 's/^[[:space:]]*{ "\([a-z][a-z -]*\)", cmd_[a-z_]*,.*/\1/p' "$SRC_DIR/cmd/pouch/main.c" \
	>commands
# Its page's name: pouch-partner-add.
page() {
	echo "pouch-$1" | tr ' ' -
}
# A page as text, as pouch carries it.
render() {
	mandoc -Tascii "$1" | col -bx
}

expect_success 'the command table is read from the source (24 commands or more)' '
	test "$(wc -l <commands)" -ge 24 && grep -qx "partner add-key" commands &&
	grep -qx pack commands && grep -qx "audit verify" commands
'

expect_success 'every command has a page, and pouch help CMD prints exactly it' '
	while read -r c; do
		p=$(page "$c") &&
		test -f "$MAN/$p.1" || { echo "no page $p.1 for $c"; exit 1; }
		render "$MAN/$p.1" >expect &&
		pouch help $c >out || { echo "pouch help $c failed"; exit 1; }
		test_cmp expect out || { echo "pouch help $c"; exit 1; }
	done <commands
'

expect_success 'each page is named for its command, with the summary pouch --help gives' '
	pouch --help >usage &&
	while read -r c; do
		p=$(page "$c") &&
		name=$(sed -n "/^# NAME/{n;n;p;q}" "$SRC_DIR/docs/man/$p.1.scd") &&
		summary=$(sed -n "s/^  $c   *//p" usage) &&
		test -n "$summary" &&
		test "$name" = "$p - $summary" || { echo "$p: \"$name\" vs \"$summary\""; exit 1; }
		pouch help $c | sed -n "/^NAME/{n;p;q}" >line &&
		grep -q "^ *$p - " line || { echo "pouch help $c: NAME line"; cat line; exit 1; }
	done <commands
'

expect_success 'every long option of a command'\''s usage is in its page' '
	while read -r c; do
		p=$(page "$c") &&
		pouch --home "$TRASH/none" $c --help >usage &&
		render "$MAN/$p.1" >text &&
		for o in $(grep -o -- "--[a-z][a-z-]*" usage | sort -u); do
			grep -Eq -- "(^|[^a-z-])$o([^a-z-]|\$)" text ||
				{ echo "$p: $o missing"; exit 1; }
		done
	done <commands &&
	test ! -e "$TRASH/none"
'

expect_success 'the check finds a missing option (it is not vacuous)' '
	pouch pack --help | grep -q -- --no-self &&
	render "$MAN/pouch-pack.1" | sed "s/--no-self//g" >text &&
	! grep -Eq -- "(^|[^a-z-])--no-self([^a-z-]|\$)" text
'

expect_success 'every long option of pouchd is in pouchd(8)' '
	"$POUCHD_BIN" --help >usage &&
	render "$MAN/pouchd.8" >text &&
	for o in $(grep -o -- "--[a-z][a-z-]*" usage | sort -u) --version; do
		grep -Eq -- "(^|[^a-z-])$o([^a-z-]|\$)" text || { echo "pouchd: $o missing"; exit 1; }
	done
'

expect_success 'pouch(1) lists every command page, and help alone prints it' '
	render "$MAN/pouch.1" >expect &&
	pouch help >out && test_cmp expect out &&
	while read -r c; do
		grep -q "$(page "$c")(1)" out || { echo "pouch(1) lacks $(page "$c")"; exit 1; }
	done <commands
'

expect_success 'pouch help shows pouchd(8) and pouch-files(5) too' '
	render "$MAN/pouchd.8" >expect && pouch help pouchd >out && test_cmp expect out &&
	render "$MAN/pouch-files.5" >expect && pouch help files >out && test_cmp expect out &&
	pouch help partner-add >out && grep -q "^ *pouch-partner-add - " out
'

expect_success 'pouch help of no such command is a usage error (exit 2)' '
	must_fail 2 pouch help nosuch && ! test -s out && grep -q "nosuch" err &&
	must_fail 2 pouch help pack nosuch && ! test -s out
'

expect_success 'on a terminal, pouch help goes through $PAGER' '
	if command -v script >/dev/null 2>&1; then
		PAGER="sed s/^/paged:/" script -qec "\"$POUCH_BIN\" help whoami" /dev/null >out &&
		grep -q "^paged: *pouch-whoami - " out
	fi
'

expect_success 'pouch help works before init and writes nothing' '
	pouch --home "$TRASH/none" help init >out && grep -q "^ *pouch-init - " out &&
	test ! -e "$TRASH/none"
'

expect_success 'a help page that cannot be written is exit 3' '
	if test -w /dev/full; then
		must_fail 3 sh -c "\"$POUCH_BIN\" help pack >/dev/full"
	fi
'

expect_success 'every page has EXAMPLES and SEE ALSO, and each page it names exists' '
	for f in "$MAN"/*; do
		render "$f" >text &&
		grep -q "^EXAMPLES" text && grep -q "^SEE ALSO" text ||
			{ echo "$f: no EXAMPLES or SEE ALSO"; exit 1; }
	done &&
	for f in "$SRC_DIR"/docs/man/*.scd; do
		sed -n "/^# SEE ALSO/,\$p" "$f" | grep -o "[*]pouch[a-z-]*[*]([0-9])" | tr -d "*" \
			>refs && test -s refs || { echo "$f: no SEE ALSO"; exit 1; }
		while read -r ref; do
			n=${ref%(*} && s=${ref#*(} && s=${s%)} &&
			test -f "$MAN/$n.$s" || { echo "$f: $ref does not exist"; exit 1; }
		done <refs
	done
'

expect_success 'every page fits in 80 columns as pouch help prints it' '
	for f in "$MAN"/*; do
		render "$f" | awk -v f="${f##*/}" "length > 80 { print f \": \" \$0; n++ }
			END { exit n > 0 }" || exit 1
	done
'

expect_success 'every page is mandoc -Tlint clean at warning level' '
	mandoc -Tlint -W warning "$MAN"/* >lint 2>&1; rc=$? &&
	cat lint && test "$rc" -eq 0 && ! test -s lint
'

test_done
