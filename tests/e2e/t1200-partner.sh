#!/bin/sh
# The partner directory: add, list, show, add-key (rollover), remove, and the file format.
. "$(dirname "$0")/lib.sh"

schema() { "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-schema.py" \
	"$SRC_DIR/spec/partner.schema.json" "$@"; }

expect_success 'setup: a national centre and a local force export their keys' '
	init_agency ceop GB-NCA-CEOP "National Crime Agency CEOP" &&
	init_agency met GB-MET "Metropolitan Police Service" &&
	pouch --home ceop key export -o ceop.asc && pouch --home met key export -o met.asc &&
	pouch --home ceop whoami --json >ceop.json && pouch --home met whoami --json >met.json
'

expect_success 'two agencies add each other as partners' '
	pouch --home ceop partner add GB-MET --key met.asc \
		--fingerprint "$(json_field met.json fingerprint)" \
		--name "Metropolitan Police Service" --endpoint https://pouch.met.example:8443 \
		>out 2>msg &&
	grep -q "^partner: *GB-MET\$" out &&
	grep -q "^key: *$(json_field met.json fingerprint) valid " out &&
	! grep -q "confirm fingerprint" msg &&
	pouch --home met partner add GB-NCA-CEOP --key ceop.asc \
		--fingerprint "$(json_field ceop.json fingerprint | sed "s/..../& /g")" >/dev/null &&
	test "$(stat -c %a ceop/partners/GB-MET.json)" = 600
'

expect_success 'the partner key is in the keyring, public only' '
	gpg --homedir ceop/gnupg --with-colons --list-keys "$(json_field met.json fingerprint)" \
		>/dev/null &&
	test "$(gpg --homedir ceop/gnupg --with-colons --list-secret-keys | grep -c ^sec)" = 1
'

expect_success 'without --fingerprint pouch asks to confirm it out of band' '
	testkeys_make "$KEYS" US-NCMEC &&
	pouch --home ceop partner add US-NCMEC --key US-NCMEC.asc >out 2>msg &&
	grep -q "confirm fingerprint $(cat US-NCMEC.fpr) with US-NCMEC out of band" msg
'

expect_success 'partner list shows every partner, sorted' '
	pouch --home ceop partner list >out &&
	cut -d" " -f1 out >codes && printf "GB-MET\nUS-NCMEC\n" >expect && test_cmp expect codes &&
	grep -q "^GB-MET .* 1/1 keys valid  https://pouch.met.example:8443 .*Metropolitan" out
'

expect_success 'partner list --json is an array of entries with key states' '
	pouch --home ceop partner list --json >list.json &&
	"$SYSTEM_PYTHON" -c "import json; l=json.load(open(\"list.json\")); \
		assert [p[\"code\"] for p in l] == [\"GB-MET\", \"US-NCMEC\"], l; \
		assert l[0][\"keys\"][0][\"state\"] == \"valid\", l"
'

expect_success 'partner show, for people and as JSON' '
	pouch --home ceop partner show GB-MET >out &&
	grep -q "^endpoint: *https://pouch.met.example:8443\$" out &&
	grep -q "^tls: *system CA store\$" out &&
	pouch --home ceop partner show GB-MET --json >show.json &&
	test "$(json_field show.json code)" = GB-MET
'

expect_success 'the files pouch writes follow spec/partner.schema.json' '
	schema ceop/partners/*.json met/partners/*.json
'

expect_success 'the schema check can fail: it refuses a broken entry' '
	sed "s/\"format\": \"pouch-partner\/1\"/\"format\": \"x\"/" ceop/partners/GB-MET.json \
		>broken.json &&
	! schema broken.json >out && grep -q "format" out
'

expect_success 'the example partner entry in keys/ follows the schema' '
	schema "$SRC_DIR"/keys/*.example.json
'

expect_success '--ca copies the CA certificates into the home' '
	printf -- "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" >ca.pem &&
	testkeys_make "$KEYS" DE-BKA &&
	pouch --home ceop partner add DE-BKA --key DE-BKA.asc --endpoint https://[::1]:8443/in \
		--ca ca.pem >out &&
	test_cmp ca.pem ceop/partners/DE-BKA.ca.pem &&
	grep -q "^tls: *CA file $TRASH/ceop/partners/DE-BKA.ca.pem\$" out &&
	schema ceop/partners/DE-BKA.json
'

expect_success '--pin accepts sha256//base64, base64 or hex and stores one form' '
	testkeys_make "$KEYS" FR-OCRVP &&
	pouch --home ceop partner add FR-OCRVP --key FR-OCRVP.asc \
		--endpoint https://pouch.ocrvp.example --pin "$(printf "%064d" 0)" >out &&
	grep -q "^tls: *pinned public key sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\$" out &&
	schema ceop/partners/FR-OCRVP.json
'

expect_success 'add-key pins a new partner key beside the old one' '
	testkeys_make "$KEYS" US-NCMEC-2 &&
	pouch --home ceop partner add-key US-NCMEC --key US-NCMEC-2.asc \
		--fingerprint "$(cat US-NCMEC-2.fpr)" >out &&
	pouch --home ceop partner show US-NCMEC --json >p.json &&
	"$SYSTEM_PYTHON" -c "import json; p=json.load(open(\"p.json\")); k=p[\"keys\"]; \
		assert [x[\"fingerprint\"] for x in k] == [\"$(cat US-NCMEC.fpr)\", \
			\"$(cat US-NCMEC-2.fpr)\"], k; \
		assert [x[\"valid_until\"] for x in k] == [None, None], k" &&
	schema ceop/partners/US-NCMEC.json
'

expect_success 'add-key --overlap closes the window of the keys pinned so far' '
	testkeys_make "$KEYS" US-NCMEC-3 &&
	pouch --home ceop partner add-key US-NCMEC --key US-NCMEC-3.asc --overlap 2w >/dev/null \
		2>msg &&
	grep -q "confirm fingerprint $(cat US-NCMEC-3.fpr) with US-NCMEC out of band" msg &&
	pouch --home ceop partner show US-NCMEC --json >p.json &&
	"$SYSTEM_PYTHON" - p.json <<-\PY
	import json, sys, datetime
	k = json.load(open(sys.argv[1]))["keys"]
	t = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
	assert len(k) == 3, k
	for old in k[:2]:
	    assert (t(old["valid_until"]) - t(k[2]["added"])).days == 14, old
	assert k[2]["valid_until"] is None, k
	assert all(x["state"] == "valid" for x in k), k
	PY
'

expect_success 'a key whose window has ended shows as ended' '
	sed "0,/\"valid_until\": \"[^\"]*\"/s//\"valid_until\": \"2020-01-02T00:00:00Z\"/; \
		0,/\"valid_from\": \"[^\"]*\"/s//\"valid_from\": \"2020-01-01T00:00:00Z\"/" \
		ceop/partners/US-NCMEC.json >tmp && mv tmp ceop/partners/US-NCMEC.json &&
	pouch --home ceop partner show US-NCMEC >out &&
	grep -q "^key: *$(cat US-NCMEC.fpr) ended " out
'

expect_success 'add-key of a key already pinned is refused' '
	home_state ceop >before &&
	must_fail 1 pouch --home ceop partner add-key US-NCMEC --key US-NCMEC-2.asc &&
	error_is "key $(cat US-NCMEC-2.fpr) is already pinned for partner .US-NCMEC." &&
	must_fail 1 pouch --home ceop partner add-key GB-MET --key US-NCMEC-2.asc &&
	error_is "key $(cat US-NCMEC-2.fpr) is already pinned for partner .US-NCMEC." &&
	home_state ceop >after && test_cmp before after
'

expect_success 'add-key to an unknown partner is refused' '
	must_fail 2 pouch --home ceop partner add-key GB-NONE --key US-NCMEC-2.asc &&
	error_is "no partner .GB-NONE. in the directory"
'

expect_success 'partner remove drops the entry, its CA copy and its keys' '
	pouch --home ceop partner remove DE-BKA &&
	test ! -e ceop/partners/DE-BKA.json && test ! -e ceop/partners/DE-BKA.ca.pem &&
	! gpg --homedir ceop/gnupg --list-keys "$(cat DE-BKA.fpr)" >/dev/null 2>&1 &&
	pouch --home ceop partner list >out && ! grep -q DE-BKA out &&
	must_fail 2 pouch --home ceop partner remove DE-BKA &&
	error_is "no partner .DE-BKA. in the directory"
'

expect_success 'a removed partner can be added again' '
	pouch --home ceop partner add DE-BKA --key DE-BKA.asc >/dev/null
'

expect_success 'show and remove need exactly one partner code' '
	must_fail 2 pouch --home ceop partner show &&
	must_fail 2 pouch --home ceop partner show GB-MET US-NCMEC &&
	must_fail 2 pouch --home ceop partner remove &&
	must_fail 2 pouch --home ceop partner show gb-met &&
	error_is "invalid agency code .gb-met."
'

test_done
