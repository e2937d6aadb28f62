#!/bin/sh
# The keys pouchd lists once for its run follow its keyring while it runs: a partner added after
# it started is accepted, a partner's key revoked meanwhile is refused, and a partner's new key
# after a key rotation is refused until pinned, then accepted. One pouchd throughout; its keyring
# changes only through other pouch processes, as it does in service.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'

# put CLIENT FILE: PUT of package FILE as CLIENT; prints the status.
put() {
	_id=$(basename "$2" .pouch)
	req "$1" PUT "/v1/packages/$_id" -H "$JSON" --data-binary "@$2"
}

# pack_to_met HOME: a new package from HOME to GB-MET in pk/; prints its path.
pack_to_met() {
	_id=$(pouch --home "$1" pack --to GB-MET --report report.json -o pk) && echo "pk/$_id.pouch"
}

# fpr_of HOME: the fingerprint of HOME's current agency key.
fpr_of() {
	pouch --home "$1" whoami --json >.w.json && jget .w.json fingerprint
}

expect_success 'setup: GB-MET runs pouchd; a first push makes it list its keys' '
	exchange_setup && write_report report.json KEY-CACHE-1 && mkdir pk &&
	echo "$(pouchd_port)" >port &&
	p=$(pack_to_met ceop) && test "$(put ceop "$p")" = 201
'

expect_success 'a partner added while pouchd runs is accepted' '
	init_agency fr FR-PN && partners fr met &&
	pouch --home fr key export -o fr.asc &&
	make_cert clients fr FR-PN client &&
	p=$(pack_to_met fr) &&
	test "$(put fr "$p")" = 403 && error_code unknown_agency &&
	pouch --home metgw partner add FR-PN --key fr.asc -q >/dev/null &&
	test "$(put fr "$p")" = 201 && test "$(jget body.out sender)" = FR-PN
'

expect_success 'a partner key revoked while pouchd runs is refused' '
	p=$(pack_to_met ncmec) &&
	rev=ncmec/gnupg/openpgp-revocs.d/$(fpr_of ncmec).rev &&
	sed "s/^:-----BEGIN/-----BEGIN/" "$rev" >ncmec.rev &&
	pouch --home metgw partner revoke US-NCMEC --revocation ncmec.rev >/dev/null &&
	test "$(put ncmec "$p")" = 422 && error_code not_genuine &&
	logged "revoked"
'

expect_success 'a partner key rotated while pouchd runs is refused until pinned, then accepted' '
	old=$(fpr_of ceop) &&
	pouch --home ceop key rotate --no-passphrase -o ceop2.asc >/dev/null 2>&1 &&
	new=$(fpr_of ceop) && test "$new" != "$old" &&
	p=$(pack_to_met ceop) &&
	test "$(put ceop "$p")" = 422 && error_code not_genuine &&
	pouch --home metgw partner add-key GB-NCA-CEOP --key ceop2.asc --fingerprint "$new" \
		-q >/dev/null &&
	test "$(put ceop "$p")" = 201 &&
	p=$(pack_to_met ceop) && test "$(put ceop "$p")" = 201
'

expect_success 'it was one pouchd all along' '
	test "$(pouchd_port)" = "$(cat port)" && kill -0 "$(cat "$TRASH/.pouchd.pid")" &&
	test "$(grep -c "pouchd: listening" pouchd.log)" = 1
'

test_done
