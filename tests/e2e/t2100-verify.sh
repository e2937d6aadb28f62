#!/bin/sh
# pouch verify: genuine packages pass with no private key; every forgery, alteration and
# malformation is refused with its reason and exit 1.
. "$(dirname "$0")/lib.sh"

forge() { "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-envelope.py" "$@"; }
# edit_header IN OUT PYTHON-EXPR: rewrites the decoded header with h changed by the expression.
edit_json() {
	"$SYSTEM_PYTHON" -c "import json, sys
h = json.load(open(sys.argv[1]))
$3
open(sys.argv[2], 'w').write(json.dumps(h, separators=(',', ':')))" "$1" "$2"
}

expect_success 'setup: a centre, a force, and a third agency that the force does not know' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && init_agency ncmec US-NCMEC &&
	partners ceop met && partners ceop ncmec &&
	write_report report.json t &&
	mkdir pk && pouch --home ceop pack --to GB-MET --report report.json -o pk >id &&
	cp "pk/$(cat id).pouch" good.pouch &&
	b64_member good.pouch header header.json &&
	b64_member good.pouch payload.inline payload.pgp &&
	CEOP=$(json_field ceop/agency.json code) && test "$CEOP" = GB-NCA-CEOP
'

expect_success 'a genuine package verifies at the recipient, in one line' '
	pouch --home met verify good.pouch >out &&
	grep -Eq "^good package $(cat id) from GB-NCA-CEOP \(fingerprint [0-9A-F]{40}\) to \
GB-MET, priority routine, created [0-9T:-]+Z, expires [0-9T:-]+Z$" out
'

expect_success 'a gateway with public keys only verifies it too; --json gives the verdict' '
	pouch --home ncmec verify good.pouch --json >v.json &&
	test "$(json_field v.json verdict)" = good && test "$(json_field v.json id)" = "$(cat id)"
'

expect_success 'a byte changed in the header' '
	sed "s/\"routine\"/\"urgent\"/" header.json >h2.json &&
	"$SYSTEM_PYTHON" -c "import json,base64; e=json.load(open(\"good.pouch\")); \
		e[\"header\"]=base64.b64encode(open(\"h2.json\",\"rb\").read()).decode(); \
		json.dump(e, open(\"bad.pouch\",\"w\"))" &&
	must_fail 1 pouch --home met verify bad.pouch &&
	error_is "package .bad.pouch. is not genuine: the header signature does not verify: \
bad signature"
'

expect_success 'a byte changed in the signature values' '
	"$SYSTEM_PYTHON" -c "import json,base64; e=json.load(open(\"good.pouch\")); \
		s=bytearray(base64.b64decode(e[\"signature\"])); s[-10]^=1; \
		e[\"signature\"]=base64.b64encode(bytes(s)).decode(); \
		json.dump(e, open(\"bad.pouch\",\"w\"))" &&
	must_fail 1 pouch --home met verify bad.pouch &&
	error_is "package .bad.pouch. is not genuine: the header signature does not verify"
'

expect_success 'a byte changed in the payload' '
	"$SYSTEM_PYTHON" -c "import json,base64; e=json.load(open(\"good.pouch\")); \
		p=bytearray(base64.b64decode(e[\"payload\"][\"inline\"])); p[len(p)//2]^=1; \
		e[\"payload\"][\"inline\"]=base64.b64encode(bytes(p)).decode(); \
		json.dump(e, open(\"bad.pouch\",\"w\"))" &&
	must_fail 1 pouch --home met verify bad.pouch &&
	error_is "package .bad.pouch. is not genuine: the payload.s SHA-256 is not the one the \
header signs"
'

expect_success 'one package header with another package payload' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id2 &&
	"$SYSTEM_PYTHON" -c "import json; a=json.load(open(\"good.pouch\")); \
		b=json.load(open(\"pk/$(cat id2).pouch\")); a[\"payload\"]=b[\"payload\"]; \
		json.dump(a, open(\"bad.pouch\",\"w\"))" &&
	must_fail 1 pouch --home met verify bad.pouch &&
	error_is "package .bad.pouch. is not genuine: the payload"
'

expect_success 'recipients edited and re-signed by a key that is in the keyring, not pinned' '
	testkeys_make "$KEYS" STRANGER &&
	gpg --homedir met/gnupg --batch --quiet --import STRANGER.asc &&
	edit_json header.json h3.json "h[\"recipients\"].append({\"agency\": \"XX-EVIL\", \
\"fingerprint\": \"$(cat STRANGER.fpr)\"})" &&
	forge "$KEYS" "$(cat STRANGER.fpr)" h3.json payload.pgp >bad.pouch &&
	must_fail 1 pouch --home met verify bad.pouch &&
	error_is "package .bad.pouch. is not genuine: signed by key $(cat STRANGER.fpr), which \
no partner in the directory pins"
'

expect_success 'a sender not in the directory' '
	pouch --home ncmec partner add GB-MET --key "$(pouch --home met key export -o m.asc &&
	echo m.asc)" -q >/dev/null &&
	pouch --home ncmec pack --to GB-MET --report report.json -o pk >id3 &&
	must_fail 1 pouch --home met verify "pk/$(cat id3).pouch" &&
	error_is ".* is not genuine: the header signature does not verify: signed by key \
[0-9A-F]{40}, which is not in the keyring \(no partner in the directory pins it\)"
'

expect_success 'a header naming one partner, signed by another partner' '
	pouch --home met partner add US-NCMEC --key "$(pouch --home ncmec key export -o n.asc &&
	echo n.asc)" -q >/dev/null &&
	pouch --home ncmec whoami --json >nw.json &&
	forge ncmec/gnupg "$(json_field nw.json fingerprint)" header.json payload.pgp >bad.pouch &&
	must_fail 1 pouch --home met verify bad.pouch &&
	error_is ".* is not genuine: the header names sender GB-NCA-CEOP \([0-9A-F]{40}\) but \
is signed by US-NCMEC"
'

expect_success 'an expired package: refused as expired, not as not genuine' '
	pouch --home ceop whoami --json >cw.json &&
	edit_json header.json h4.json "h[\"created\"] = \"2020-01-01T00:00:00Z\"; \
h[\"expires\"] = \"2020-01-02T00:00:00Z\"" &&
	forge ceop/gnupg "$(json_field cw.json fingerprint)" h4.json payload.pgp >bad.pouch &&
	must_fail 1 pouch --home met verify bad.pouch &&
	error_is "package .bad.pouch. expired on 2020-01-02T00:00:00Z$"
'

expect_success 'a package created in the future' '
	edit_json header.json h5.json "h[\"created\"] = \"2099-01-01T00:00:00Z\"; \
h[\"expires\"] = \"2099-01-02T00:00:00Z\"" &&
	forge ceop/gnupg "$(json_field cw.json fingerprint)" h5.json payload.pgp >bad.pouch &&
	must_fail 1 pouch --home met verify bad.pouch &&
	error_is ".* is not genuine: created in the future \(2099-01-01T00:00:00Z\)"
'

expect_success 'malformed headers, even when genuinely signed' '
	for expr in "h[\"extra\"] = 1" "del h[\"priority\"]" "h[\"priority\"] = \"high\"" \
		"h[\"id\"] = \"../../x\"" "h[\"payload\"][\"size\"] = -1" \
		"h[\"recipients\"] = h[\"recipients\"] * 2" "h[\"sender\"][\"agency\"] = 5" \
		"del h[\"tlp\"]" "h[\"tlp\"] = \"TLP:WHITE\"" "del h[\"classification\"]" \
		"h[\"classification\"] = \"OFFICIAL-SENSITIVE\""; do
		edit_json header.json h6.json "$expr" &&
		forge ceop/gnupg "$(json_field cw.json \
fingerprint)" h6.json payload.pgp >bad.pouch &&
		must_fail 1 pouch --home met verify bad.pouch &&
		grep -q "is not genuine" err || { echo "accepted: $expr"; exit 1; }
	done
'

expect_success 'a revoked sender key' '
	cp -r met met2 &&
	rev=ceop/gnupg/openpgp-revocs.d/$(json_field cw.json fingerprint).rev &&
	sed "s/^:-----BEGIN/-----BEGIN/" "$rev" >ceop.rev &&
	pouch --home met2 partner revoke GB-NCA-CEOP --revocation ceop.rev >/dev/null &&
	must_fail 1 pouch --home met2 verify good.pouch &&
	error_is ".* is not genuine: the header signature does not verify: signed by key \
[0-9A-F]{40}, which is revoked"
'

expect_success 'a sender key that expired after it signed' '
	testkeys_make "$KEYS" GB-EXP encr 1y 20200101T000000 &&
	gpg --homedir met/gnupg --batch --quiet --import GB-EXP.asc &&
	cat >met/partners/GB-EXP.json <<-EOF &&
	{"format": "pouch-partner/1", "code": "GB-EXP", "name": null, "endpoint": null,
	 "tls": null, "keys": [{"fingerprint": "$(cat GB-EXP.fpr)",
	 "added": "2020-01-01T00:00:00Z", "valid_from": "2020-01-01T00:00:00Z",
	 "valid_until": null, "expires": null, "revoked": null}],
	 "created": "2020-01-01T00:00:00Z", "updated": "2020-01-01T00:00:00Z"}
	EOF
	edit_json header.json h7.json "h[\"sender\"] = {\"agency\": \"GB-EXP\", \
\"fingerprint\": \"$(cat GB-EXP.fpr)\"}; h[\"created\"] = \"2020-06-01T00:00:00Z\"; \
h[\"expires\"] = \"2099-01-01T00:00:00Z\"" &&
	FORGE_TIME=20200601T000000 forge "$KEYS" "$(cat GB-EXP.fpr)" h7.json payload.pgp \
		>bad.pouch &&
	must_fail 1 pouch --home met verify bad.pouch &&
	error_is ".* is not genuine: the header signature does not verify: signed by key \
$(cat GB-EXP.fpr), which is expired"
'

expect_success 'malformed envelopes' '
	: >empty.pouch &&
	must_fail 1 pouch --home met verify empty.pouch &&
	error_is ".empty.pouch. is not a valid package: it is empty" &&
	head -c 500 good.pouch >trunc.pouch &&
	must_fail 1 pouch --home met verify trunc.pouch &&
	error_is ".trunc.pouch. is not a valid package: it is not valid JSON" &&
	sed "s/^{/{\"pouch\": \"x\", /" good.pouch >dup.pouch &&
	must_fail 1 pouch --home met verify dup.pouch &&
	error_is ".dup.pouch. is not a valid package: it is not valid JSON: duplicate" &&
	printf "{\"pouch\": %s1%s}" "$(printf "[%.0s" $(seq 30))" "$(printf "]%.0s" $(seq \
30))" >deep.pouch &&
	must_fail 1 pouch --home met verify deep.pouch &&
	error_is ".deep.pouch. is not a valid package: it nests deeper than 16" &&
	printf "{\"pouch\": \"envelope/1\377\"}" >utf.pouch &&
	must_fail 1 pouch --home met verify utf.pouch &&
	error_is ".utf.pouch. is not a valid package: it is not valid JSON: unable to decode \
byte" &&
	head -c 17000000 /dev/zero >big.pouch &&
	must_fail 1 pouch --home met verify big.pouch &&
	error_is ".big.pouch. is not a package: larger than" &&
	sed "s/\"pouch\":\"envelope\/1\"/\"pouch\":\"envelope\/1\",\"x\":1/" good.pouch >extra.pouch &&
	must_fail 1 pouch --home met verify extra.pouch &&
	error_is ".extra.pouch. is not a valid package: unknown field .x."
'

expect_success 'a detached payload must be ID.pouch.pgp beside its envelope' '
	head -c 9000000 /dev/urandom >big.bin && mkdir bigp &&
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o bigp >idb &&
	id=$(cat idb) && pouch --home met verify "bigp/$id.pouch" >/dev/null &&
	mv "bigp/$id.pouch.pgp" bigp/other.pgp &&
	must_fail 1 pouch --home met verify "bigp/$id.pouch" &&
	error_is ".* is not genuine: cannot open the payload" &&
	mv bigp/other.pgp "bigp/$id.pouch.pgp" && printf x >>"bigp/$id.pouch.pgp" &&
	must_fail 1 pouch --home met verify "bigp/$id.pouch" &&
	error_is ".* is not genuine: the payload is [0-9]+ bytes, the header says"
'

test_done
