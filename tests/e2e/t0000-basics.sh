#!/bin/sh
# pouch's skeleton: help, version, dispatch, global options, usage errors and exit codes.
. "$(dirname "$0")/lib.sh"

expect_success '--help lists every command and the exit codes' '
	pouch --help >out &&
	for c in init "key export" "key rotate" "partner add" "partner add-key" \
		"partner list" "partner remove" "partner revoke" "partner show" whoami; do
		grep -q "^  $c " out || { echo "missing $c"; exit 1; }
	done &&
	grep -q "2 usage error, 3 operational error" out
'

expect_success '--version prints the version from VERSION' '
	pouch --version | head -n 1 | sed "s/ (test build with fault injection)$//" >out &&
	echo "pouch $(cat "$SRC_DIR/VERSION")" >expect &&
	test_cmp expect out
'

expect_success 'help CMD prints the man page, CMD --help the usage, on stdout' '
	pouch help partner add >a &&
	pouch partner add --help >b &&
	grep -q "^ *pouch-partner-add - " a &&
	grep -q "^usage: pouch partner add CODE --key FILE" b
'

expect_success 'help works for every command and never runs it' '
	for c in init whoami "key export" "key rotate" "partner add" "partner add-key" \
		"partner list" "partner show" "partner remove" "partner revoke"; do
		pouch help $c >out && grep -q "^ *pouch-$(echo $c | tr " " -) - " out &&
		pouch --home "$TRASH/none" $c --help >out &&
		grep -q "^usage: pouch $c" out || { echo "help for $c"; exit 1; }
	done &&
	pouch --home "$TRASH/none" partner add-key GB-X --key k --help >out &&
	grep -q "^usage: pouch partner add-key" out &&
	pouch --home "$TRASH/none" partner revoke GB-X --revocation r --help >out &&
	grep -q "^usage: pouch partner revoke" out &&
	test ! -e "$TRASH/none"
'

expect_success 'help for a command group lists its commands on stdout' '
	pouch help partner >out &&
	grep -q "^  partner revoke " out && ! grep -q "^  whoami " out &&
	pouch help key >out && grep -q "^  key rotate " out
'

expect_success 'CMD --help works before init' '
	pouch --home "$TRASH/none" whoami --help >out &&
	grep -q "^usage: pouch whoami" out
'

expect_success 'no command is a usage error' '
	must_fail 2 pouch &&
	grep -q "^usage: pouch" err
'

expect_success 'an unknown command is a usage error naming it' '
	must_fail 2 pouch frobnicate &&
	grep -q "^pouch: unknown command .frobnicate." err
'

expect_success 'a command group alone lists its commands' '
	must_fail 2 pouch partner &&
	grep -q "partner add-key" err &&
	must_fail 2 pouch key rotat &&
	grep -q "^pouch: unknown command .key rotat. (did you mean .key rotate.?)" err
'

expect_success 'an unknown option is a usage error' '
	must_fail 2 pouch --home "$TRASH/x" init --bogus &&
	grep -q "unrecognized option" err &&
	must_fail 2 pouch --bogus &&
	grep -q "^pouch: unrecognized option .--bogus." err
'

expect_success 'a repeated option is refused' '
	must_fail 2 pouch --home "$TRASH/r" init --agency GB-A --agency GB-B --name A \
		--no-passphrase &&
	grep -q "^pouch: option .--agency. given twice" err &&
	must_fail 2 pouch --home "$TRASH/r" init --agency GB-A --name A --no-passphrase \
		--no-passphrase &&
	grep -q "^pouch: option .--no-passphrase. given twice" err &&
	must_fail 2 pouch --home "$TRASH/r" init --agency GB-A --name A --no-passphrase \
		--force --force &&
	grep -q "^pouch: option .--force. given twice" err &&
	test ! -e "$TRASH/r"
'

expect_success 'commands that need an identity say to run init first (exit 3)' '
	for c in whoami "key export" "partner list" "partner show GB-MET"; do
		must_fail 3 pouch --home "$TRASH/empty" $c &&
		error_is "no agency identity in .$TRASH/empty.: run .pouch init. first" || exit 1
	done &&
	test ! -e "$TRASH/empty"
'

expect_success 'POUCH_HOME and XDG_DATA_HOME choose the home; --home wins' '
	POUCH_HOME="$TRASH/ph" pouch init --agency GB-PH --name "Env" --no-passphrase >/dev/null &&
	test -f "$TRASH/ph/agency.json" &&
	XDG_DATA_HOME="$TRASH/xdg" pouch init --agency GB-XDG --name "Xdg" --no-passphrase \
		>/dev/null &&
	test -f "$TRASH/xdg/pouch/agency.json" &&
	pouch init --agency GB-DEF --name "Default" --no-passphrase >/dev/null &&
	test -f "$HOME/.local/share/pouch/agency.json" &&
	POUCH_HOME="$TRASH/ph" pouch --home "$TRASH/xdg/pouch" whoami >out &&
	grep -q "^agency: *GB-XDG$" out
'

expect_success 'a relative --home is taken from the current directory' '
	mkdir -p rel && (cd rel && pouch --home h init --agency GB-REL --name Rel \
		--no-passphrase >out) &&
	grep -q "in $TRASH/rel/h\$" rel/out
'

test_done
