#!/bin/sh
# One pouchd, never restarted, whose key cache is filled by a first verified push: the keys it
# verifies with follow the partner directory at once after `partner add` (a new partner's push
# is taken), `key rotate` with `partner add-key` (the new key's push is refused until its key is
# added, then taken) and `partner revoke` (a push signed by the revoked key is refused).
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'

# push_as CLIENT ID: PUTs pk/ID.pouch as CLIENT; prints the status.
push_as() {
	req "$1" PUT "/v1/packages/$2" -H "$JSON" --data-binary "@pk/$2.pouch"
}

expect_success 'setup: GB-MET runs pouchd; a push from the centre fills its key cache' '
	exchange_setup && write_report report.json t && mkdir pk &&
	init_agency fr FR-OCRVP && partners met fr && make_cert clients fr FR-OCRVP client &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >c1 &&
	is_status 201 ceop PUT "/v1/packages/$(cat c1)" -H "$JSON" --data-binary "@pk/$(cat c1).pouch" &&
	cat "$TRASH/.pouchd.pid" >pid
'

expect_success 'partner add: the new partner'"'"'s push is verified and stored' '
	pouch --home fr pack --to GB-MET --report report.json -o pk >f1 &&
	pouch --home fr pack --to GB-MET --report report.json -o pk >f2 &&
	st=$(push_as fr "$(cat f1)") && test "$st" = 403 && error_code unknown_agency &&
	pouch --home fr key export -o fr.asc &&
	pouch --home metgw partner add FR-OCRVP --key fr.asc -q >/dev/null &&
	st=$(push_as fr "$(cat f1)") && test "$st" = 201 &&
	test "$(listed met "$(cat f1)")" = 1
'

expect_success 'key rotate: the new key is refused until added, then taken; the old still is' '
	pouch --home ceop key rotate --no-passphrase -o rotated.asc >/dev/null 2>&1 &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >c2 &&
	st=$(push_as ceop "$(cat c2)") && test "$st" = 422 && error_code not_genuine &&
	pouch --home metgw partner add-key GB-NCA-CEOP --key rotated.asc -q >/dev/null &&
	st=$(push_as ceop "$(cat c2)") && test "$st" = 201 &&
	test "$(listed met "$(cat c2)")" = 1 &&
	test "$(listed met "$(cat c1)")" = 1
'

expect_success 'partner revoke: a push signed by the revoked key is refused' '
	fpr=$(pouch --home fr whoami --json | "$SYSTEM_PYTHON" -S -c "import json, sys
print(json.load(sys.stdin)[\"fingerprint\"])") &&
	sed "s/^:-----BEGIN/-----BEGIN/" "fr/gnupg/openpgp-revocs.d/$fpr.rev" >fr.rev &&
	pouch --home metgw partner revoke FR-OCRVP --revocation fr.rev >/dev/null &&
	st=$(push_as fr "$(cat f2)") && test "$st" = 422 && error_code not_genuine &&
	logged "$(cat f2).* which is revoked" &&
	test "$(listed met "$(cat f2)")" = 0 &&
	test "$(cat "$TRASH/.pouchd.pid")" = "$(cat pid)" && ! ended "$(cat pid)"
'

test_done
