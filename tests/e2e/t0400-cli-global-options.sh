#!/bin/sh
# Global options (--home DIR, --home=DIR, --json, -q/--quiet) anywhere on the line: before the
# command, between a group and its verb, and among the command's own options; '--' ends them.
. "$(dirname "$0")/lib.sh"

expect_success 'setup: one initialised home' '
	init_agency A GB-A
'

expect_success '--home is taken in every position, for one-word and group commands' '
	for args in "--home A whoami" "whoami --home A" "--home=A whoami" "whoami --home=A" \
		"whoami -q --home A" "key --home A export" "key export --home A" \
		"--home A key export" "partner --home A list" "partner list --home=A" \
		"audit verify --home A" "audit --home=A verify" "inbox --home A -q"; do
		pouch $args >out 2>err || { echo "failed: pouch $args"; cat err; exit 1; }
	done &&
	pouch whoami --home A >out && grep -q "^agency: *GB-A$" out &&
	pouch key export --home A >out && grep -q "BEGIN PGP PUBLIC KEY BLOCK" out &&
	test ! -e "$HOME/.local/share/pouch"
'

expect_success 'a --home after the command names that home, not the default' '
	must_fail 3 pouch whoami --home "$TRASH/none" &&
	error_is "no agency identity in .$TRASH/none.: run .pouch init. first" &&
	must_fail 3 pouch partner --home "$TRASH/none" list &&
	error_is "no agency identity in .$TRASH/none.: run .pouch init. first" &&
	test ! -e "$TRASH/none" && test ! -e "$HOME/.local/share/pouch"
'

expect_success '--json is taken in every position' '
	for args in "--json whoami --home A" "whoami --json --home A" "whoami --home A --json" \
		"--home A --json partner list" "partner --json list --home A" \
		"partner list --home A --json"; do
		pouch $args >out || { echo "failed: pouch $args"; exit 1; }
		"$SYSTEM_PYTHON" -c "import json, sys; json.load(open(\"out\"))" ||
			{ echo "not JSON: pouch $args"; cat out; exit 1; }
	done &&
	pouch whoami --home A --json >out && grep -q "\"GB-A\"" out
'

expect_success '-q and --quiet are taken in every position' '
	pouch --home A inbox 2>err && grep -q "^pouch: the inbox is empty" err &&
	for args in "-q --home A inbox" "--quiet --home A inbox" "--home A inbox -q" \
		"inbox --home A --quiet" "--home A -q inbox"; do
		pouch $args >out 2>err || { echo "failed: pouch $args"; exit 1; }
		test ! -s err || { echo "not quiet: pouch $args"; cat err; exit 1; }
	done &&
	pouch --home A partner -q list 2>err && test ! -s err
'

expect_success '--home given twice, in any two positions, is a usage error' '
	must_fail 2 pouch --home A whoami --home A &&
	grep -q "^pouch: option .--home. given twice" err &&
	must_fail 2 pouch partner --home A list --home=A &&
	grep -q "^pouch: option .--home. given twice" err &&
	must_fail 2 pouch --home A partner --home A list &&
	grep -q "^pouch: option .--home. given twice" err
'

expect_success 'after -- a word like --home is an operand, not an option' '
	must_fail 2 pouch whoami --home A -- --home B &&
	grep -q "^pouch: unexpected argument .--home." err &&
	printf "not a package\n" >--home &&
	must_fail 1 pouch verify --home A -- --home &&
	error_is ".--home. is not a valid package"
'

expect_success 'global options between the words do not hide the command' '
	pouch partner --home A --json -q list >out &&
	"$SYSTEM_PYTHON" -c "import json; json.load(open(\"out\"))" &&
	pouch partner --help >out && grep -q "^  partner add " out
'

test_done
