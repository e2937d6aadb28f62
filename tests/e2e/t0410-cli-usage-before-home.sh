#!/bin/sh
# Usage errors are exit 2 before anything else is checked: every command parses and checks its
# whole command line, then looks at the home, then acts. So a bad option or a missing required
# one is a usage error in a home that does not exist, is not initialised or is a gateway's.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

# Every command in the table, one per line, from pouch --help.
pouch --help | sed -n "s/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)\?\)  .*/\1/p" >commands

expect_success 'the command table is read from --help' '
	test "$(wc -l <commands)" -ge 20 &&
	grep -qx "pack" commands && grep -qx "partner add-key" commands &&
	grep -qx "audit verify" commands && grep -qx "init" commands
'

expect_success 'an unknown option is exit 2 with the usage on every command, without a home' '
	while read -r c; do
		for where in before after; do
			if [ $where = before ]; then
				must_fail 2 pouch --home "$TRASH/none" $c --bogus
			else
				must_fail 2 pouch $c --bogus --home "$TRASH/none"
			fi || { echo "$c ($where)"; exit 1; }
			grep -q "^pouch: unrecognized option .--bogus." err &&
			grep -q "^usage: pouch $c" err &&
			! grep -q "run .pouch init." err || { echo "$c:"; cat err; exit 1; }
		done
	done <commands &&
	test ! -e "$TRASH/none"
'

expect_success 'an option without its value is exit 2 on every command taking one' '
	for c in "pack --to" "partner add GB-X --key" "key add --key" "endpoint set --endpoint" \
		"open x --output" "partner revoke GB-X --revocation" "pull --limit" \
		"push --retries" "key rotate --overlap" "init --agency"; do
		must_fail 2 pouch --home "$TRASH/none" $c &&
		grep -q "requires an argument" err || { echo "$c:"; cat err; exit 1; }
	done &&
	test ! -e "$TRASH/none"
'

expect_success 'a missing required option or operand is exit 2 before the home is looked at' '
	while IFS=: read -r c msg; do
		must_fail 2 pouch --home "$TRASH/none" $c &&
		grep -q "^pouch: $msg" err && grep -q "^usage: pouch" err ||
			{ echo "$c:"; cat err; exit 1; }
	done <<-\EOT &&
	pack --report r.json:missing --to
	pack --to GB-X:missing --report
	partner add GB-X:missing --key
	partner add --key k:missing the partner code
	partner add-key GB-X:missing --key
	partner remove:missing the partner code
	partner show:missing the partner code
	partner set:missing the partner code
	partner revoke GB-X:missing --revocation
	key add --key k:missing --fingerprint
	endpoint set:missing --endpoint
	verify:missing the package
	open:missing the package
	status:missing the package id
	init --name N:missing --agency
	init --agency GB-A:missing --name
	whoami extra:unexpected argument .extra.
	EOT
	test ! -e "$TRASH/none"
'

expect_success 'partner set: an empty or conflicting change is exit 2 before the home' '
	must_fail 2 pouch --home "$TRASH/none" partner set GB-X &&
	error_is "nothing to change" &&
	must_fail 2 pouch --home "$TRASH/none" partner set GB-X --endpoint https://x.example \
		--no-endpoint &&
	error_is "give --endpoint or --no-endpoint, not both" &&
	must_fail 2 pouch partner set GB-X --endpoint http://x.example --home "$TRASH/none" &&
	error_is "invalid endpoint" &&
	test ! -e "$TRASH/none"
'

expect_success 'in an empty (uninitialised) home the usage error still comes first' '
	mkdir empty &&
	must_fail 2 pouch --home empty pack --bogus &&
	grep -q "^pouch: unrecognized option .--bogus." err &&
	must_fail 2 pouch pack --to GB-X --home empty &&
	grep -q "^pouch: missing --report" err &&
	must_fail 3 pouch pack --to GB-X --report r.json --home empty &&
	error_is "no agency identity in .$TRASH/empty.: run .pouch init. first" &&
	test -z "$(ls empty)"
'

expect_success 'with --json the error object names the bad option as the text does' '
	for c in "pack --bogus" "pack --rep=x --bogus=1" "whoami --json=1" "pack --to" "whoami -x" \
		"pack -qz" "pack --to GB-X -o" "--bogus" "--home"; do
		must_fail 2 pouch $c &&
		want=$(head -n 1 err | sed "s/^pouch: //") &&
		must_fail 2 pouch --json $c && mv out json.out &&
		must_fail 2 pouch $c --json &&
		test "$(jget json.out error.message)" = "$want" ||
			{ echo "$c: want $want"; cat json.out err; exit 1; }
	done &&
	must_fail 2 pouch --json --bogus && test "$(jget out error.message)" = \
		"unrecognized option '"'"'--bogus'"'"'" &&
	must_fail 2 pouch --json pack -x && test "$(jget out error.message)" = \
		"invalid option -- '"'"'x'"'"'" &&
	must_fail 2 pouch --json && test "$(jget out error.message)" = "missing the command" &&
	must_fail 2 pouch partner --json &&
	test "$(jget out error.message)" = "missing the command after '"'"'pouch partner'"'"'"
'

expect_success 'in a gateway home (no secret key) a usage error comes before the refusal' '
	init_agency A GB-A &&
	pouch --home A key export >a.asc &&
	pouch --home gw init --gateway --agency GB-A --key a.asc \
		--fingerprint "$(pouch --home A whoami | sed -n "s/^fingerprint: *//p")" >/dev/null &&
	must_fail 2 pouch --home gw pack --bogus &&
	grep -q "^pouch: unrecognized option .--bogus." err &&
	must_fail 2 pouch --home gw open &&
	grep -q "^pouch: missing the package" err &&
	must_fail 2 pouch --home gw key rotate --overlap &&
	must_fail 3 pouch --home gw open x.pouch &&
	grep -q "gateway" err
'

test_done
