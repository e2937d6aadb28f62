#!/bin/sh
# pouch key export and key rotate: our public key for partners, and replacing it.
. "$(dirname "$0")/lib.sh"

fpr_of() { json_field "$1" fingerprint; }

expect_success 'setup: two agencies' '
	init_agency a GB-NCA-CEOP "National Crime Agency CEOP" &&
	init_agency b GB-MET "Metropolitan Police Service" &&
	pouch --home a whoami --json >a.json
'

expect_success 'key export prints our armored public key and nothing secret' '
	pouch --home a key export >a.asc &&
	head -1 a.asc | grep -q "^-----BEGIN PGP PUBLIC KEY BLOCK-----\$" &&
	gpg --homedir "$KEYS" --with-colons --show-keys a.asc >show &&
	test "$(grep -c "^pub" show)" = 1 && ! grep -q "^sec" show &&
	grep "^fpr" show | head -1 | cut -d: -f10 >got &&
	fpr_of a.json >expect && test_cmp expect got
'

expect_success 'key export -o writes the file and never replaces one without --force' '
	pouch --home a key export -o out.asc && test_cmp a.asc out.asc &&
	echo keep >out.asc &&
	must_fail 1 pouch --home a key export -o out.asc &&
	error_is ".out.asc. exists: use --force to replace it" &&
	echo keep >expect && test_cmp expect out.asc &&
	pouch --home a key export -o out.asc --force && test_cmp a.asc out.asc &&
	must_fail 2 pouch --home a key export --force
'

expect_success 'a partner pins the exported key by its fingerprint' '
	pouch --home b partner add GB-NCA-CEOP --key a.asc --fingerprint "$(fpr_of a.json)" \
		>/dev/null
'

expect_success 'key rotate makes a new current key and keeps the old one for verifying' '
	old=$(fpr_of a.json) &&
	pouch --home a key rotate --no-passphrase --overlap 7d >out &&
	pouch --home a whoami --json >a2.json &&
	new=$(fpr_of a2.json) && test "$new" != "$old" &&
	grep -q "^new key: *$new\$" out &&
	grep -q "^old key: *$old (verifies until " out &&
	pouch --home a whoami >who &&
	grep -q "^fingerprint: *$new\$" who &&
	grep -q "^retired: *$old (verifies until " who
'

expect_success 'the retired key verifies for the overlap, then not' '
	"$SYSTEM_PYTHON" - a2.json <<-\PY
	import json, sys, datetime
	a = json.load(open(sys.argv[1]))
	old, new = a["keys"]
	assert old["retired"] and new["retired"] is None, a
	t = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
	assert (t(old["verify_until"]) - t(old["retired"])).days == 7, old
	assert new["fingerprint"] == a["fingerprint"]
	PY
'

expect_success 'both keys stay in our keyring; export gives the new one' '
	gpg --homedir a/gnupg --with-colons --list-secret-keys | grep -c "^sec" >n &&
	echo 2 >expect && test_cmp expect n &&
	pouch --home a key export >new.asc &&
	gpg --homedir "$KEYS" --with-colons --show-keys new.asc | grep "^fpr" | head -1 |
		cut -d: -f10 >got && fpr_of a2.json >expect && test_cmp expect got
'

expect_success 'key rotate prints what partners must do' '
	pouch --home a key rotate --no-passphrase -o rotated.asc >out 2>msg &&
	grep -q "partner add-key GB-NCA-CEOP --key FILE --fingerprint " msg &&
	grep -q "send them rotated.asc" msg &&
	gpg --homedir "$KEYS" --with-colons --show-keys rotated.asc | grep -q "^pub"
'

expect_success 'the partner pins the rotated key beside the old one' '
	pouch --home a whoami --json >a3.json &&
	pouch --home b partner add-key GB-NCA-CEOP --key rotated.asc \
		--fingerprint "$(fpr_of a3.json)" >/dev/null &&
	pouch --home b partner show GB-NCA-CEOP --json >p.json &&
	"$SYSTEM_PYTHON" -c "import json,sys; p=json.load(open(\"p.json\")); \
		assert [k[\"state\"] for k in p[\"keys\"]] == [\"valid\", \"valid\"], p"
'

expect_success 'key rotate -o refuses an existing file before changing anything' '
	home_state a >before &&
	must_fail 1 pouch --home a key rotate --no-passphrase -o rotated.asc &&
	error_is ".rotated.asc. exists: choose a new file for -o" &&
	home_state a >after && test_cmp before after
'

expect_success 'key rotate with an invalid --overlap changes nothing' '
	must_fail 2 pouch --home a key rotate --no-passphrase --overlap soon &&
	error_is "invalid --overlap .soon." &&
	home_state a >after && test_cmp before after
'

test_done
