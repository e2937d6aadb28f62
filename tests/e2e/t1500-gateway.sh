#!/bin/sh
# A gateway home for pouchd: pouch init --gateway holds the agency's public key only; it verifies
# what the agency and its partners sign, refuses what needs a secret key, and follows the
# agency's key rotation with pouch key add.
. "$(dirname "$0")/lib.sh"

fpr() { pouch --home "$1" whoami --json >.w.json && json_field .w.json fingerprint; }
# gw_state: home_state of the gateway home; it lists no secret key there, which home_state's
# last grep reports as a failure.
gw_state() { home_state gw; return 0; }

expect_success 'setup: a force, a national centre that pins it, and the force key exported' '
	init_agency met GB-MET "Metropolitan Police Service" &&
	init_agency ceop GB-NCA-CEOP && partners met ceop &&
	pouch --home met key export -o met.asc && MET=$(fpr met) && echo "$MET" >met.fpr &&
	write_report report.json t
'

expect_success 'init --gateway makes a home with the public key only' '
	pouch --home gw init --gateway --code GB-MET --name "Met gateway" --key met.asc \
		--fingerprint "$(cat met.fpr | sed "s/..../& /g")" >out 2>msg &&
	grep -q "^initialised a gateway for GB-MET (Met gateway) in $TRASH/gw\$" out &&
	grep -q "^fingerprint: *$(cat met.fpr)\$" out &&
	grep -q "it holds no secret key" msg &&
	test "$(json_field gw/agency.json gateway)" = True &&
	test "$(json_field gw/agency.json code)" = GB-MET &&
	test "$(stat -c %a gw/agency.json)" = 600 &&
	test "$(gpg --homedir gw/gnupg --with-colons --list-secret-keys | grep -c ^sec)" = 0 &&
	gpg --homedir gw/gnupg --with-colons --list-keys "$(cat met.fpr)" >/dev/null &&
	pouch --home gw whoami --json >w.json &&
	test "$(json_field w.json gateway)" = True && test "$(json_field w.json fingerprint)" = \
		"$(cat met.fpr)" &&
	pouch --home met whoami --json >m.json && test "$(json_field m.json gateway)" = False &&
	! grep -q gateway met/agency.json
'

expect_success 'a package the agency signed in its own home verifies at the gateway' '
	mkdir pk && pouch --home met pack --to GB-NCA-CEOP --report report.json -o pk >id &&
	pouch --home gw verify "pk/$(cat id).pouch" >out &&
	grep -q "^good package $(cat id) from GB-MET (fingerprint $(cat met.fpr)) to GB-NCA-CEOP" out
'

expect_success 'a partner package verifies once the partner is added, not before' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id2 &&
	must_fail 1 pouch --home gw verify "pk/$(cat id2).pouch" &&
	error_is ".* is not genuine: the header signature does not verify" &&
	pouch --home ceop key export -o ceop.asc &&
	pouch --home gw partner add GB-NCA-CEOP --key ceop.asc --fingerprint "$(fpr ceop)" \
		-q >/dev/null &&
	pouch --home gw verify "pk/$(cat id2).pouch" >out &&
	grep -q "^good package $(cat id2) from GB-NCA-CEOP " out
'

expect_success 'pack, open and key rotate fail cleanly: exit 3, one line, nothing changed' '
	gw_state >before &&
	must_fail 3 pouch --home gw pack --to GB-NCA-CEOP --report report.json -o pk &&
	error_is "this home is a gateway for GB-MET: it holds no secret key$" &&
	must_fail 3 pouch --home gw open "pk/$(cat id2).pouch" -o opened &&
	error_is "this home is a gateway for GB-MET: it holds no secret key$" &&
	test ! -e opened &&
	must_fail 3 pouch --home gw key rotate --no-passphrase &&
	error_is "this home is a gateway for GB-MET: it holds no secret key$" &&
	gw_state >after && test_cmp before after &&
	pouch --home gw pack --help >out && grep -q "^usage: pouch pack" out
'

expect_success 'key export still works: the agency key, public' '
	pouch --home gw key export >gw.asc &&
	gpg --batch --with-colons --show-keys gw.asc >keys &&
	test "$(grep -c ^pub keys)" = 1 && grep -q "^fpr:*$(cat met.fpr):" keys &&
	! grep -q "PRIVATE" gw.asc
'

expect_success 'init --gateway refuses a wrong fingerprint, a secret key, a partner key' '
	testkeys_make "$KEYS" OTHER && testkeys_secret "$KEYS" OTHER &&
	must_fail 1 pouch --home g2 init --gateway --code GB-MET --key met.asc \
		--fingerprint "$(cat OTHER.fpr)" &&
	error_is "fingerprint mismatch for key file .met.asc." && test ! -e g2 &&
	must_fail 1 pouch --home g2 init --gateway --code GB-MET --key OTHER.sec.asc \
		--fingerprint "$(cat OTHER.fpr)" &&
	error_is "key file .OTHER.sec.asc. holds a secret key" && test ! -e g2 &&
	gw_state >before &&
	must_fail 1 pouch --home gw init --gateway --code GB-MET --key ceop.asc --force \
		--fingerprint "$(fpr ceop)" &&
	error_is "key [0-9A-F]{40} is already pinned for partner .GB-NCA-CEOP." &&
	gw_state >after && test_cmp before after
'

expect_success 'init --gateway usage: --fingerprint required, no key options, no key without it' '
	must_fail 2 pouch --home g2 init --gateway --code GB-MET --key met.asc &&
	head -1 err | grep -q "^pouch: missing --fingerprint" &&
	must_fail 2 pouch --home g2 init --gateway --code GB-MET --key met.asc \
		--fingerprint "$(cat met.fpr)" --no-passphrase &&
	head -1 err | grep -q "^pouch: --gateway takes no key options" &&
	must_fail 2 pouch --home g2 init --agency GB-MET --name M --key met.asc --no-passphrase &&
	head -1 err | grep -q "^pouch: --key and --fingerprint go with --gateway" &&
	must_fail 2 pouch --home g2 init --gateway --code GB-MET --agency GB-MET --key met.asc \
		--fingerprint "$(cat met.fpr)" &&
	head -1 err | grep -q "^pouch: option .--agency. given twice" &&
	test ! -e g2 &&
	must_fail 1 pouch --home gw init --gateway --code GB-MET --key met.asc \
		--fingerprint "$(cat met.fpr)" &&
	error_is ".$TRASH/gw. already holds the identity of GB-MET: use --force"
'

expect_success 'key add follows the agency key rotation; the old key verifies in its overlap' '
	pouch --home met key rotate --no-passphrase --overlap 7d -o met2.asc >/dev/null 2>&1 &&
	NEW=$(fpr met) &&
	pouch --home met pack --to GB-NCA-CEOP --report report.json -o pk >id3 &&
	must_fail 1 pouch --home gw verify "pk/$(cat id3).pouch" &&
	pouch --home gw key add --key met2.asc --fingerprint "$NEW" --overlap 7d >out &&
	grep -q "^new key: *$NEW\$" out && grep -q "^old key: *$(cat met.fpr) (verifies until " out &&
	pouch --home gw verify "pk/$(cat id3).pouch" >/dev/null &&
	pouch --home gw verify "pk/$(cat id).pouch" >/dev/null &&
	pouch --home gw whoami --json >w.json && test "$(json_field w.json fingerprint)" = "$NEW" &&
	test "$(json_field w.json gateway)" = True &&
	test "$(gpg --homedir gw/gnupg --with-colons --list-secret-keys | grep -c ^sec)" = 0
'

expect_success 'key add refuses a key it holds, a wrong fingerprint, and a home that is not a gateway' '
	gw_state >before &&
	must_fail 1 pouch --home gw key add --key met2.asc --fingerprint "$(fpr met)" &&
	error_is "key [0-9A-F]{40} is our own agency key" &&
	must_fail 1 pouch --home gw key add --key met.asc --fingerprint "$(fpr ceop)" &&
	error_is "fingerprint mismatch for key file .met.asc." &&
	gw_state >after && test_cmp before after &&
	must_fail 2 pouch --home met key add --key ceop.asc --fingerprint "$(fpr ceop)" &&
	error_is "this home holds the secret key of GB-MET: make a new key with .pouch key rotate." &&
	must_fail 2 pouch --home gw key add --key met2.asc &&
	head -1 err | grep -q "^pouch: missing --fingerprint"
'

test_done
