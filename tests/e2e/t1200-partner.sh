#!/bin/sh
# The partner directory: add, list, show, set, add-key (rollover), remove, and the file format.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/certs.sh"

schema() { pyrun "$SRC_DIR/tests/e2e/check-schema.py" \
	"$SRC_DIR/spec/partner.schema.json" "$@"; }

expect_success 'setup: a national centre and a local force export their keys' '
	certs_make &&
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
		assert [p[\"agency\"] for p in l] == [\"GB-MET\", \"US-NCMEC\"], l; \
		assert l[0][\"keys\"][0][\"state\"] == \"valid\", l"
'

expect_success 'partner show, for people and as JSON' '
	pouch --home ceop partner show GB-MET >out &&
	grep -q "^endpoint: *https://pouch.met.example:8443\$" out &&
	grep -q "^tls: *system CA store\$" out &&
	pouch --home ceop partner show GB-MET --json >show.json &&
	test "$(json_field show.json agency)" = GB-MET
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
	grep -q "^tls: *system CA store and pinned public key sha256//A\{43\}=\$" out &&
	schema ceop/partners/FR-OCRVP.json
'

expect_success '--ca and --pin together, a client certificate and a client common name' '
	testkeys_make "$KEYS" NL-POL &&
	pouch --home ceop partner add NL-POL --key NL-POL.asc --endpoint https://127.0.0.1:8443 \
		--ca chain.pem --pin "$(printf "%064d" 0)" --client-cert client.pem \
		--client-key client.key --client-cn "pouch.politie.example" >out &&
	p=ceop/partners &&
	test_cmp chain.pem $p/NL-POL.ca.pem && test_cmp client.pem $p/NL-POL.client.pem &&
	test_cmp client.key $p/NL-POL.client.key &&
	test "$(stat -c %a $p/NL-POL.client.key $p/NL-POL.client.pem $p/NL-POL.ca.pem)" = \
		"600
600
600" &&
	grep -q "^tls: *CA file $TRASH/$p/NL-POL.ca.pem and pinned public key sha256//A*=\$" out &&
	grep -q "^client: *certificate $TRASH/$p/NL-POL.client.pem, key $TRASH/$p/NL-POL.client.key\$" \
		out &&
	grep -q "^client cn: *pouch.politie.example\$" out &&
	schema $p/NL-POL.json
'

expect_success 'show and list give the new members, never key material' '
	pouch --home ceop partner show NL-POL --json >show.json &&
	"$SYSTEM_PYTHON" -c "import json; p=json.load(open(\"show.json\")); \
		assert p[\"tls\"] == {\"ca_file\": \"NL-POL.ca.pem\", \"pin\": \"sha256//\" + \"A\" * 43 + \"=\"}, p; \
		assert p[\"client\"] == {\"cert\": \"NL-POL.client.pem\", \
			\"key\": \"NL-POL.client.key\"}, p; \
		assert p[\"client_cn\"] == \"pouch.politie.example\", p" &&
	pouch --home ceop partner list --json >list.json &&
	grep -q "\"client_cn\":\"pouch.politie.example\"" list.json &&
	pouch --home ceop partner show NL-POL >show.txt && pouch --home ceop partner list >list.txt &&
	! grep -q -- "$(key_line client.key)" show.json list.json show.txt list.txt &&
	pouch --home ceop partner show GB-MET >out &&
	grep -q "^client: *-\$" out && grep -q "^client cn: *GB-MET (its code)\$" out
'

expect_success 'partner set replaces and removes settings, and the files follow' '
	p=ceop/partners &&
	pouch --home ceop partner set NL-POL --pin "$(printf "%064d" 1)" >out &&
	grep -q "^tls: *system CA store and pinned public key sha256//A*E=\$" out &&
	test ! -e $p/NL-POL.ca.pem && test -e $p/NL-POL.client.key && schema $p/NL-POL.json &&
	pouch --home ceop partner set NL-POL --client-cert chain.pem --client-key client.key \
		--ca ca.pem >out &&
	test_cmp chain.pem $p/NL-POL.client.pem && test_cmp ca.pem $p/NL-POL.ca.pem &&
	grep -q "^tls: *CA file $TRASH/$p/NL-POL.ca.pem\$" out &&
	pouch --home ceop partner set NL-POL --no-client --no-client-cn \
		--endpoint https://pouch.politie.example/v >out &&
	test ! -e $p/NL-POL.client.pem && test ! -e $p/NL-POL.client.key &&
	grep -q "^endpoint: *https://pouch.politie.example/v\$" out &&
	grep -q "^client cn: *NL-POL (its code)\$" out && schema $p/NL-POL.json &&
	pouch --home ceop partner set NL-POL --no-tls >out &&
	grep -q "^tls: *system CA store\$" out && test ! -e $p/NL-POL.ca.pem &&
	pouch --home ceop partner set NL-POL --client-cert client.pem --client-key client.key \
		--client-cn nl >/dev/null &&
	pouch --home ceop partner set NL-POL --no-endpoint >out &&
	grep -q "^endpoint: *-\$" out && grep -q "^client: *-\$" out &&
	grep -q "^client cn: *nl\$" out && test ! -e $p/NL-POL.client.key &&
	test "$(ls $p | grep -c NL-POL)" = 1 && schema $p/NL-POL.json &&
	pouch --home ceop partner show NL-POL --json >p.json &&
	test "$(json_field p.json keys | grep -c fingerprint)" = 1
'

expect_success 'a record written before client and client_cn loads, and set writes them' '
	"$SYSTEM_PYTHON" -c "import json; f=\"ceop/partners/GB-MET.json\"; p=json.load(open(f)); \
		del p[\"client\"], p[\"client_cn\"]; json.dump(p, open(f, \"w\"))" &&
	! grep -q client ceop/partners/GB-MET.json &&
	pouch --home ceop partner show GB-MET >out && grep -q "^client: *-\$" out &&
	pouch --home ceop partner set GB-MET --client-cn met >/dev/null &&
	grep -q "\"client\": null" ceop/partners/GB-MET.json &&
	grep -q "\"client_cn\": \"met\"" ceop/partners/GB-MET.json && schema ceop/partners/GB-MET.json
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
	pouch --home ceop partner set DE-BKA --client-cert client.pem --client-key client.key \
		>/dev/null &&
	pouch --home ceop partner remove DE-BKA &&
	test ! -e ceop/partners/DE-BKA.client.pem && test ! -e ceop/partners/DE-BKA.client.key &&
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
	must_fail 2 pouch --home ceop partner show gb.met &&
	error_is "invalid agency code .GB.MET."
'

test_done
