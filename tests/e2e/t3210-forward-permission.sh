#!/bin/sh
# pouch permit and pouch forward --permission: the originator's signed permission lets the
# rules that need it pass for its grantee only; a forged, altered, expired, misdirected or
# other package's permission is refused (fail closed); caveats and 5x5x5 4 stay; every
# permission and forward is in the audit trails; a permission travels as an attachment too.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/t3200-forward.lib"

# signed_as HOME BODY OUT: the permission file for BODY (a JSON text) signed by HOME's key,
# as pouch permit wraps one; made with gpg itself, to forge what pouch permit never makes.
signed_as() {
	printf %s "$2" >.body &&
	gpg --homedir "$1/gnupg" --batch --pinentry-mode loopback --passphrase "" \
		--local-user "$(fpr "$1")" --detach-sign -o .sig .body 2>/dev/null &&
	"$SYSTEM_PYTHON" -S -c 'import base64, json, sys
b = base64.b64encode(open(".body", "rb").read()).decode()
s = base64.b64encode(open(".sig", "rb").read()).decode()
json.dump({"pouch": "permission/1", "permission": b, "signature": s}, open(sys.argv[1], "w"))' \
		"$3" && rm -f .body .sig
}

# body ID GRANTEE ISSUED EXPIRES: a permission body from the centre.
body() {
	printf '{"format":"pouch-permission/1","package":{"sender":"GB-NCA-CEOP","id":"%s"},' "$1"
	printf '"grantee":"%s","issued":"%s","expires":"%s",' "$2" "$3" "$4"
	printf '"originator":{"agency":"GB-NCA-CEOP","fingerprint":"%s"}}' "$(fpr ceop)"
}

expect_success 'setup: packages marked C, H2, 5, TLP:RED, AMBER+STRICT, 4, a caveat' '
	forward_setup && sent c uk-3x5x2 C && sent h2 europol-4x4 H2 && sent five uk-5x5x5 5 &&
	sent red uk-3x5x2 P TLP:RED && sent strict uk-3x5x2 P TLP:AMBER+STRICT &&
	sent four uk-5x5x5 4 && sent eyes uk-3x5x2 C "" "UK EYES ONLY"
'

expect_success 'permit writes a signed permission; its audit entry says granted' '
	pouch --home ceop permit "$(cat c.id)" --to us-ncmec --expires 2d -o c.perm 2>msg &&
	grep -q "permission for package $(cat c.id) to US-NCMEC, until 20" msg &&
	must_fail 1 pouch --home ceop permit "$(cat c.id)" --to US-NCMEC -o c.perm &&
	pouch --home ceop permit "$(cat c.id)" --to US-NCMEC >c.stdout.perm &&
	test "$(json_field c.perm pouch)" = permission/1 &&
	b64_member c.perm permission c.body &&
	test "$(json_field c.body grantee)" = US-NCMEC &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-envelope-schema.py" \
		"$SRC_DIR/spec/permission.schema.json" - c.perm c.stdout.perm &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-envelope-schema.py" \
		"$SRC_DIR/spec/permission.schema.json" body c.body &&
	pouch --home ceop audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json
e = [e for e in json.load(open(\"a.json\")) if e[\"event\"] == \"permit\"][0]
assert e[\"verdict\"] == \"granted\" and e[\"agency\"] == \"US-NCMEC\", e
assert e[\"id\"] == \"$(cat c.id)\", e"
'

expect_success 'with the permission, 3x5x2 C goes to its grantee, and says so' '
	pouch --home met forward c --to US-NCMEC --permission c.perm -o pk --json >j &&
	test "$(json_field j permission)" = US-NCMEC &&
	pouch --home ncmec open "pk/$(json_field j id).pouch" -o c-ncmec >/dev/null &&
	"$SYSTEM_PYTHON" -S -c "import json
p = json.load(open(\"c-ncmec/pouch.json\"))[\"provenance\"][\"permission\"]
assert p == json.load(open(\"c.perm\")), p" &&
	pouch --home met forward c --to US-NCMEC --permission c.stdout.perm -o pk >/dev/null &&
	pouch --home met audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json
e = [e for e in json.load(open(\"a.json\")) if e[\"event\"] == \"forward\"][-1]
assert e[\"verdict\"] == \"forwarded\", e
assert \"permission for US-NCMEC\" in e[\"reason\"], e"
'

expect_success 'a permission for one grantee permits nobody else' '
	refused_by 3x5x2-C c GB-KENT &&
	ls pk >before && must_fail 1 pouch --home met forward c --to GB-KENT --permission c.perm \
		-o pk && error_is "the permission is refused: it grants US-NCMEC, which is not among the new recipients" &&
	ls pk >after && test_cmp before after
'

expect_success 'a permission for another package is refused' '
	must_fail 1 pouch --home met forward h2 --to US-NCMEC --permission c.perm -o pk &&
	error_is "the permission is refused: it is for package $(cat c.id) from GB-NCA-CEOP, not $(cat h2.id) from GB-NCA-CEOP"
'

expect_success 'an expired permission is refused' '
	signed_as ceop "$(body "$(cat c.id)" US-NCMEC 2026-01-01T00:00:00Z 2026-01-02T00:00:00Z)" \
		old.perm &&
	must_fail 1 pouch --home met forward c --to US-NCMEC --permission old.perm -o pk &&
	error_is "the permission is refused: it expired on 2026-01-02T00:00:00Z"
'

expect_success 'a forged permission is refused: another key, or an altered one' '
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ) &&
	signed_as met "$(body "$(cat c.id)" US-NCMEC "$now" 2099-01-01T00:00:00Z)" forged.perm &&
	must_fail 1 pouch --home met forward c --to US-NCMEC --permission forged.perm -o pk &&
	error_is "the permission is refused: it names originator key $(fpr ceop) of GB-NCA-CEOP but is signed by key $(fpr met) of GB-MET" &&
	signed_as ncmec "$(body "$(cat c.id)" US-NCMEC "$now" 2099-01-01T00:00:00Z)" n.perm &&
	must_fail 1 pouch --home met forward c --to US-NCMEC --permission n.perm -o pk &&
	error_is "the permission is refused: it names originator key" &&
	pouch --home ceop permit "$(cat c.id)" --to GB-KENT -o kent.perm 2>/dev/null &&
	sed "s/$(b64_member kent.perm permission /dev/stdout | base64 -w0)/$(b64_member kent.perm permission /dev/stdout | sed s/GB-KENT/US-NCMC/ | base64 -w0)/" \
		kent.perm >altered.perm && ! cmp -s kent.perm altered.perm &&
	must_fail 1 pouch --home met forward c --to US-NCMEC --permission altered.perm -o pk &&
	error_is "the permission is refused: its signature does not verify" &&
	echo "{}" >junk.perm &&
	must_fail 1 pouch --home met forward c --to US-NCMEC --permission junk.perm -o pk &&
	error_is "the permission is refused: it is not a permission/1 document"
'

expect_success 'a forged permission is in the audit trail as a refusal' '
	pouch --home met audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json
e = [e for e in json.load(open(\"a.json\")) if e[\"event\"] == \"forward\"][-1]
assert e[\"verdict\"] == \"refused\" and \"permission is refused\" in e[\"reason\"], e"
'

expect_success 'Europol H2, 5x5x5 5, TLP:RED and AMBER+STRICT go with a permission' '
	for n in h2 five red strict; do
		pouch --home ceop permit "$(cat $n.id)" --to US-NCMEC -o $n.perm 2>/dev/null &&
		pouch --home met forward $n --to US-NCMEC --permission $n.perm -o pk >/dev/null ||
			{ echo "$n"; return 1; }
	done
'

expect_success 'no permission lifts 5x5x5 4 or a nationality caveat' '
	pouch --home ceop permit "$(cat four.id)" --to GB-KENT -o four.perm 2>/dev/null &&
	refused_by 5x5x5-4 four GB-KENT --permission four.perm &&
	pouch --home ceop permit "$(cat eyes.id)" --to US-NCMEC -o eyes.perm 2>/dev/null &&
	refused_by caveat eyes US-NCMEC --permission eyes.perm
'

expect_success 'a permission sent as an attachment serves from the opened package' '
	pouch --home ceop permit "$(cat five.id)" --to XX-OTHER -o permission.json 2>/dev/null &&
	write_report cover.json &&
	pouch --home ceop pack --to GB-MET --report cover.json --attach permission.json -o pk \
		>cover.id 2>/dev/null &&
	pouch --home met open "pk/$(cat cover.id).pouch" -o cover >/dev/null &&
	pouch --home met forward five --to XX-OTHER --permission cover/attachments/permission.json \
		-o pk >/dev/null
'

expect_success 'permit: usage errors before the home is read' '
	must_fail 2 pouch --home nowhere permit "$(cat c.id)" &&
	must_fail 2 pouch --home nowhere permit not-an-id --to US-NCMEC &&
	must_fail 2 pouch --home nowhere permit "$(cat c.id)" --to "bad code" &&
	test ! -e nowhere &&
	must_fail 2 pouch --home ceop permit "$(cat c.id)" --to GB-NCA-CEOP &&
	error_is "a permission for our own agency GB-NCA-CEOP says nothing"
'

test_done
