#!/bin/sh
# Our own endpoint: pouch endpoint set and show, endpoint.json and its files, and refusals that
# leave the home as it was.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/certs.sh"

schema() { pyrun "$SRC_DIR/tests/e2e/check-schema.py" \
	"$SRC_DIR/spec/endpoint.schema.json" "$@"; }

expect_success 'setup: an agency and certificates' '
	init_agency a GB-NCA-CEOP && certs_make
'

expect_success 'before any is set, show says so (exit 2)' '
	must_fail 2 pouch --home a endpoint show &&
	error_is "no endpoint of our own in .$TRASH/a. \(see .pouch endpoint set.\)"
'

expect_success 'endpoint set copies the files in, mode 0600, and shows the setting' '
	pouch --home a endpoint set --endpoint https://127.0.0.1:8443/pouch --ca ca.pem \
		--pin "$(printf "%064d" 0)" --client-cert chain.pem --client-key client.key \
		>out 2>msg &&
	grep -q "^pouch: set our endpoint\$" msg &&
	test_cmp ca.pem a/endpoint.ca.pem && test_cmp chain.pem a/endpoint.client.pem &&
	test_cmp client.key a/endpoint.client.key &&
	for f in endpoint.json endpoint.ca.pem endpoint.client.pem endpoint.client.key; do
		test "$(stat -c %a a/$f)" = 600 || exit 1
	done &&
	grep -q "^endpoint: *https://127.0.0.1:8443/pouch\$" out &&
	grep -q "^tls: *CA file $TRASH/a/endpoint.ca.pem and pinned public key sha256//A*=\$" out &&
	grep -q "^client: *certificate $TRASH/a/endpoint.client.pem, key $TRASH/a/endpoint.client.key\$" \
		out &&
	grep -Eq "^updated: *20[0-9-]{8}T[0-9:]{8}Z\$" out &&
	schema a/endpoint.json
'

expect_success 'endpoint show, for people and as JSON, never key material' '
	pouch --home a endpoint show >show.txt &&
	grep -q "^endpoint: *https://127.0.0.1:8443/pouch\$" show.txt &&
	pouch --home a endpoint show --json >show.json &&
	"$SYSTEM_PYTHON" -c "import json; e=json.load(open(\"show.json\")); \
		assert \"format\" not in e, e; \
		assert e[\"endpoint\"] == \"https://127.0.0.1:8443/pouch\", e; \
		assert e[\"tls\"] == {\"ca_file\": \"endpoint.ca.pem\", \
			\"pin\": \"sha256//\" + \"A\" * 43 + \"=\"}, e; \
		assert e[\"client\"] == {\"cert\": \"endpoint.client.pem\", \
			\"key\": \"endpoint.client.key\"}, e" &&
	pyrun "$SRC_DIR/tests/e2e/check-json-output.py" "$SRC_DIR/spec" endpoint-show \
		0 show.json &&
	! grep -q -- "$(key_line client.key)" show.txt show.json a/endpoint.json
'

expect_success 'the schema check can fail: it refuses a broken endpoint.json' '
	sed "s/endpoint.ca.pem/../" a/endpoint.json >broken.json &&
	! schema broken.json >out && grep -q "tls" out
'

expect_success 'set again replaces the whole setting; the files no longer named go' '
	pouch --home a endpoint set --endpoint https://pouch.ceop.example --pin \
		"$(printf "%064d" 1)" >out &&
	grep -q "^tls: *system CA store and pinned public key sha256//A*E=\$" out &&
	grep -q "^client: *-\$" out &&
	test ! -e a/endpoint.ca.pem && test ! -e a/endpoint.client.pem &&
	test ! -e a/endpoint.client.key && schema a/endpoint.json &&
	pouch --home a endpoint set --endpoint https://pouch.ceop.example >out &&
	grep -q "^tls: *system CA store\$" out &&
	"$SYSTEM_PYTHON" -c "import json; e=json.load(open(\"a/endpoint.json\")); \
		assert e[\"tls\"] is None and e[\"client\"] is None, e"
'

expect_success 'refusals leave the home as it was' '
	pouch --home a endpoint set --endpoint https://pouch.ceop.example --ca ca.pem >/dev/null &&
	refused 1 "client key .other.key. does not belong to the certificate in .client.pem." \
		endpoint set --endpoint https://h --client-cert client.pem --client-key other.key &&
	refused 1 "client key .enc.key. is encrypted" \
		endpoint set --endpoint https://h --client-cert client.pem --client-key enc.key &&
	refused 2 "invalid endpoint .http://h.: not https" endpoint set --endpoint http://h &&
	refused 2 "invalid pin" endpoint set --endpoint https://h --pin 1234 &&
	refused 2 "CA file .client.key. holds no PEM certificate" \
		endpoint set --endpoint https://h --ca client.key &&
	refused 2 "cannot open .nothere.pem.: No such file or directory" \
		endpoint set --endpoint https://h --ca nothere.pem &&
	test_cmp ca.pem a/endpoint.ca.pem
'

expect_success 'usage errors: no --endpoint, a certificate without its key, repeats' '
	must_fail 2 pouch --home a endpoint set --ca ca.pem &&
	head -1 err | grep -q "^pouch: missing --endpoint" &&
	must_fail 2 pouch --home a endpoint set --endpoint https://h --client-cert client.pem &&
	head -1 err | grep -q "^pouch: give --client-cert and --client-key together" &&
	must_fail 2 pouch --home a endpoint set --endpoint https://h --endpoint https://i &&
	head -1 err | grep -q "^pouch: option .--endpoint. given twice" &&
	must_fail 2 pouch --home a endpoint show extra &&
	head -1 err | grep -q "^pouch: unexpected argument .extra."
'

expect_success 'a corrupt endpoint.json is named (exit 3)' '
	cp a/endpoint.json good.json &&
	sed "s/pouch-endpoint.1/pouch-endpoint\/9/" good.json >a/endpoint.json &&
	must_fail 3 pouch --home a endpoint show &&
	error_is "endpoint file .$TRASH/a/endpoint.json. is corrupt: unknown format" &&
	cp good.json a/endpoint.json && pouch --home a endpoint show >/dev/null
'

expect_success 'endpoint commands need an initialised home' '
	must_fail 3 pouch --home fresh endpoint show &&
	error_is "no agency identity in .$TRASH/fresh.: run .pouch init. first" &&
	test ! -e fresh
'

test_done
