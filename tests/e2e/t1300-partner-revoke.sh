#!/bin/sh
# pouch partner revoke: a partner's revocation certificate makes its key refuse to verify.
. "$(dirname "$0")/lib.sh"

state_of() { # state_of CODE FPR
	pouch --home a partner show "$1" --json >s.json &&
	"$SYSTEM_PYTHON" -c "import json,sys; p=json.load(open(\"s.json\")); \
		print([k[\"state\"] for k in p[\"keys\"] if k[\"fingerprint\"] == sys.argv[1]][0])" "$2"
}

expect_success 'setup: an agency with two partners' '
	init_agency a GB-NCA-CEOP &&
	testkeys_make "$KEYS" US-NCMEC && testkeys_make "$KEYS" GB-MET &&
	pouch --home a partner add US-NCMEC --key US-NCMEC.asc >/dev/null &&
	pouch --home a partner add GB-MET --key GB-MET.asc >/dev/null &&
	test "$(state_of US-NCMEC "$(cat US-NCMEC.fpr)")" = valid
'

expect_success 'a revocation certificate for another partner changes nothing' '
	home_state a >before &&
	must_fail 1 pouch --home a partner revoke GB-MET --revocation US-NCMEC.rev &&
	error_is "revocation file .US-NCMEC.rev. revokes no key of partner .GB-MET." &&
	home_state a >after && test_cmp before after &&
	test "$(state_of US-NCMEC "$(cat US-NCMEC.fpr)")" = valid &&
	! ls -a a | grep -q scratch
'

expect_success 'a revocation certificate for a key outside the directory changes nothing' '
	testkeys_make "$KEYS" XX-STRANGER &&
	must_fail 1 pouch --home a partner revoke GB-MET --revocation XX-STRANGER.rev &&
	home_state a >after && test_cmp before after
'

expect_success 'junk, a public key or an empty file is not a revocation' '
	echo junk >junk.rev && : >empty.rev &&
	must_fail 1 pouch --home a partner revoke GB-MET --revocation junk.rev &&
	must_fail 1 pouch --home a partner revoke GB-MET --revocation empty.rev &&
	error_is "revocation file .empty.rev. is empty" &&
	must_fail 1 pouch --home a partner revoke GB-MET --revocation GB-MET.asc &&
	testkeys_secret "$KEYS" GB-MET &&
	must_fail 1 pouch --home a partner revoke GB-MET --revocation GB-MET.sec.asc &&
	error_is ".GB-MET.sec.asc. holds a secret key: give the revocation certificate only" &&
	must_fail 2 pouch --home a partner revoke GB-MET --revocation missing.rev &&
	must_fail 2 pouch --home a partner revoke GB-MET &&
	home_state a >after && test_cmp before after
'

expect_success 'the partner revocation makes its key revoked' '
	pouch --home a partner revoke US-NCMEC --revocation US-NCMEC.rev >out &&
	grep -q "^revoked key $(cat US-NCMEC.fpr) of partner US-NCMEC: it no longer verifies" out &&
	test "$(state_of US-NCMEC "$(cat US-NCMEC.fpr)")" = revoked &&
	gpg --homedir a/gnupg --with-colons --list-keys "$(cat US-NCMEC.fpr)" | grep -q "^pub:r:" &&
	test "$(state_of GB-MET "$(cat GB-MET.fpr)")" = valid &&
	! ls -a a | grep -q scratch
'

expect_success 'the record says when the revocation was imported' '
	pouch --home a partner show US-NCMEC >out &&
	grep -Eq "^key: *$(cat US-NCMEC.fpr) revoked \(valid .*, revoked 20[0-9-]+T" out
'

expect_success 'the same revocation again is refused' '
	must_fail 1 pouch --home a partner revoke US-NCMEC --revocation US-NCMEC.rev &&
	error_is "revocation file .US-NCMEC.rev. revokes no key of partner .US-NCMEC. that was not"
'

expect_success 'a revoked key cannot be pinned again from an old copy' '
	pouch --home a partner remove US-NCMEC &&
	home_state a >before &&
	must_fail 1 pouch --home a partner add US-NCMEC --key US-NCMEC.asc &&
	error_is "key $(cat US-NCMEC.fpr) in .US-NCMEC.asc. is revoked or not valid in the keyring" &&
	home_state a >after && test_cmp before after
'

expect_success 'a key file that carries its revocation is refused' '
	testkeys_make "$KEYS" DE-BKA && testkeys_revoked "$KEYS" DE-BKA &&
	must_fail 1 pouch --home a partner add DE-BKA --key DE-BKA.revoked.asc &&
	error_is "key $(cat DE-BKA.fpr) in .DE-BKA.revoked.asc. is revoked"
'

expect_success 'a copy of the key carrying its revocation revokes it too' '
	testkeys_make "$KEYS" FR-OCRVP &&
	pouch --home a partner add FR-OCRVP --key FR-OCRVP.asc >/dev/null &&
	testkeys_revoked "$KEYS" FR-OCRVP &&
	pouch --home a partner revoke FR-OCRVP --revocation FR-OCRVP.revoked.asc >out &&
	grep -q "^revoked key $(cat FR-OCRVP.fpr) of partner FR-OCRVP" out &&
	test "$(state_of FR-OCRVP "$(cat FR-OCRVP.fpr)")" = revoked
'

test_done
