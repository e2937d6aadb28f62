#!/bin/sh
# pouch forward and the handling rules: each rule refuses what it must, naming itself, with no
# package made and the refusal in the audit trail, and allows its permitted path; a forwarded
# package carries the originator's signed header, which the new recipient can check.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/t3200-forward.lib"

expect_success 'setup: the centre, the Met, Kent, NCMEC and another agency' '
	forward_setup
'

expect_success '3x5x2 P, TLP:GREEN: forwarded, and the new recipient opens it' '
	sent p uk-3x5x2 P TLP:GREEN && forwarded_to p US-NCMEC &&
	pouch --home ncmec open "pk/$(cat p.fwd).pouch" -o p-at-ncmec >/dev/null 2>msg &&
	grep -q "^pouch: forwarded from package $(cat p.id) of GB-NCA-CEOP; originator GB-NCA-CEOP (package $(cat p.id)), its signed header checked against the key pinned for it" msg &&
	test_cmp p.txt p-at-ncmec/attachments/p.txt &&
	"$SYSTEM_PYTHON" -S -c "import json
a, b = json.load(open(\"p/pouch.json\")), json.load(open(\"p-at-ncmec/pouch.json\"))
assert a[\"report\"] == b[\"report\"]
assert b[\"sender\"][\"agency\"] == \"GB-MET\"
p = b[\"provenance\"]
assert p[\"format\"] == \"pouch-provenance/1\" and p[\"permission\"] is None, p
assert p[\"origin\"][\"id\"] == a[\"id\"] and p[\"origin\"][\"agency\"] == \"GB-NCA-CEOP\", p"
'

expect_success 'the provenance holds the originator'\''s header, its signature checks' '
	b64_member p-at-ncmec/pouch.json provenance.header hdr &&
	b64_member p-at-ncmec/pouch.json provenance.signature hdr.sig &&
	b64_member p-at-ncmec/pouch.json provenance.content content.json &&
	test "$(json_field hdr id)" = "$(cat p.id)" && test_cmp p/pouch.json content.json &&
	mkdir -m 700 kr && pouch --home ceop key export -o ceop.asc 2>/dev/null &&
	gpg --homedir kr --batch --quiet --import ceop.asc 2>/dev/null &&
	gpg --homedir kr --batch --status-fd 1 --verify hdr.sig hdr 2>/dev/null >st &&
	grep -q "VALIDSIG $(fpr ceop)" st &&
	echo " " >>hdr && ! gpg --homedir kr --batch --verify hdr.sig hdr 2>/dev/null
'

expect_success 'the forwarded pouch.json and origin.json follow the spec' '
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-envelope-schema.py" \
		"$SRC_DIR/spec/envelope.schema.json" content p-at-ncmec/pouch.json p/pouch.json &&
	test "$(json_field p/origin.json pouch)" = origin/1 &&
	b64_member p/origin.json header p.hdr && test "$(json_field p.hdr id)" = "$(cat p.id)"
'

expect_success 'the audit trail records the forward, naming the original package' '
	pouch --home met audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json
e = [e for e in json.load(open(\"a.json\")) if e[\"event\"] == \"forward\"][-1]
assert e[\"verdict\"] == \"forwarded\" and e[\"id\"] == \"$(cat p.fwd)\", e
assert e[\"agency\"] == \"US-NCMEC\" and \"$(cat p.id)\" in e[\"reason\"], e"
'

expect_success 'a recipient that does not pin the originator is told, and still opens it' '
	pouch --home met forward p --to XX-OTHER -o pk >p.other 2>/dev/null &&
	pouch --home other open "pk/$(cat p.other).pouch" -o p-at-other >/dev/null 2>msg &&
	grep -q "^pouch: warning: forwarded package: its provenance does not check: .*signed by key $(fpr ceop), which is not in the keyring (no partner in the directory pins it)" msg &&
	test -d p-at-other/attachments
'

expect_success '3x5x2 C: refused without the originator'\''s permission' '
	sent c uk-3x5x2 C && refused_by 3x5x2-C c US-NCMEC &&
	grep -q "needs its permission" err
'

expect_success 'Europol H2: refused without permission; H0 and H1 go' '
	sent h2 europol-4x4 H0,H2 && refused_by europol-H2 h2 US-NCMEC &&
	sent h1 europol-4x4 H0,H1 && forwarded_to h1 US-NCMEC
'

expect_success '5x5x5 5: refused without permission; 5x5x5 1 goes' '
	sent five uk-5x5x5 5 && refused_by 5x5x5-5 five GB-KENT &&
	sent one uk-5x5x5 1 && forwarded_to one US-NCMEC
'

expect_success '5x5x5 4: never outside the originating agency, but back to it' '
	sent four uk-5x5x5 4 && refused_by 5x5x5-4 four GB-KENT &&
	grep -q "no permission changes that" err &&
	forwarded_to four GB-NCA-CEOP &&
	pouch --home ceop open "pk/$(cat four.fwd).pouch" -o four-back >/dev/null
'

expect_success 'TLP:RED: only its named recipients' '
	sent red uk-3x5x2 P TLP:RED && refused_by tlp-red red US-NCMEC &&
	forwarded_to red GB-KENT
'

expect_success 'TLP:AMBER+STRICT: stays in our organisation; TLP:AMBER goes' '
	sent strict uk-3x5x2 P TLP:AMBER+STRICT && refused_by tlp-amber-strict strict GB-KENT &&
	sent amber uk-3x5x2 P TLP:AMBER && forwarded_to amber GB-KENT
'

expect_success 'UK EYES ONLY: GB agencies only; another country or none is refused' '
	sent eyes uk-3x5x2 P TLP:GREEN "UK EYES ONLY" && forwarded_to eyes GB-KENT &&
	refused_by caveat eyes US-NCMEC && grep -q "is of another country" err &&
	refused_by caveat eyes XX-OTHER &&
	refused_by caveat eyes INT-EUROPOL && grep -q "names no country" err
'

expect_success 'the strictest rule is named; one refused recipient stops the forward' '
	sent worst uk-5x5x5 4 TLP:RED "UK EYES ONLY" && refused_by caveat worst US-NCMEC &&
	refused_by 5x5x5-4 worst GB-KENT &&
	must_fail 1 pouch --home met forward eyes --to GB-KENT,US-NCMEC -o pk &&
	error_is "forwarding to .US-NCMEC. is refused by rule caveat"
'

expect_success 'a report without handling markings is never packed, so never forwarded' '
	write_report bare.json && "$SYSTEM_PYTHON" -S -c "import json
r = json.load(open(\"bare.json\"))
del r[\"handling\"]
json.dump(r, open(\"bare.json\", \"w\"))" &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report bare.json -o pk &&
	grep -q "^pouch: handling: " err
'

expect_success 'only a package this home opened, unchanged, is forwarded' '
	cp -r p copied && write_report k.json &&
	pouch --home ceop pack --to GB-KENT --report k.json -o pk >k.id 2>/dev/null &&
	pouch --home kent open "pk/$(cat k.id).pouch" -o kent-k >/dev/null &&
	must_fail 1 pouch --home met forward kent-k --to US-NCMEC -o pk &&
	error_is "package $(cat k.id) from GB-NCA-CEOP was not opened in this home" &&
	echo tampered >>copied/attachments/p.txt &&
	must_fail 1 pouch --home met forward copied --to US-NCMEC -o pk &&
	error_is "attachment .* is not the file the package holds" &&
	cp c/origin.json copied/origin.json &&
	must_fail 1 pouch --home met forward copied --to US-NCMEC -o pk &&
	error_is ".copied. is refused: the signed content does not match the header" &&
	mkdir empty && must_fail 1 pouch --home met forward empty --to US-NCMEC -o pk &&
	error_is ".empty. is not a package pouch opened: it holds no origin.json"
'

expect_success 'a forwarded package forwards on, its originator still the first sender' '
	forwarded_to one GB-KENT &&
	pouch --home kent open "pk/$(cat one.fwd).pouch" -o kent-one >/dev/null &&
	pouch --home kent forward kent-one --to GB-MET -o pk --json >j 2>/dev/null &&
	test "$(json_field j originator)" = GB-NCA-CEOP &&
	"$SYSTEM_PYTHON" -S -c "import json
j = json.load(open(\"j\"))
assert j[\"original\"] == {\"id\": \"$(cat one.fwd)\", \"sender\": \"GB-MET\"}, j" &&
	pouch --home met open "pk/$(json_field j id).pouch" -o one-again >/dev/null 2>msg &&
	grep -q "forwarded from package $(cat one.fwd) of GB-MET; originator GB-NCA-CEOP (package $(cat one.id))" msg &&
	b64_member one-again/pouch.json provenance.content hop.json &&
	test "$(json_field hop.json id)" = "$(cat one.fwd)" &&
	"$SYSTEM_PYTHON" -S -c "import json
p = json.load(open(\"one-again/pouch.json\"))[\"provenance\"][\"origin\"]
assert p[\"id\"] == \"$(cat one.id)\" and p[\"agency\"] == \"GB-NCA-CEOP\", p"
'

expect_success 'a provenance or report edited after opening is not passed on' '
	cp -r kent-one bad-origin && cp -r kent-one bad-report &&
	"$SYSTEM_PYTHON" -S -c "import json
for d, f in ((\"bad-origin\", lambda m: m[\"provenance\"][\"origin\"].update(agency=\"GB-MET\")),
             (\"bad-report\", lambda m: m[\"report\"][\"header\"].update(title=\"altered\"))):
    m = json.load(open(d + \"/pouch.json\"))
    f(m)
    json.dump(m, open(d + \"/pouch.json\", \"w\"))" &&
	must_fail 1 pouch --home kent forward bad-origin --to GB-MET -o pk &&
	error_is ".bad-origin. is refused: pouch.json.s SHA-256 is not the one the header signs \(altered\)" &&
	must_fail 1 pouch --home kent forward bad-report --to GB-MET -o pk &&
	error_is ".bad-report. is refused: pouch.json.s SHA-256 is not the one the header signs \(altered\)"
'

expect_success 'usage errors exit 2 before the home is read' '
	must_fail 2 pouch --home nowhere forward --to GB-KENT &&
	must_fail 2 pouch --home nowhere forward p &&
	must_fail 2 pouch --home nowhere forward p --to GB-KENT -o - &&
	test ! -e nowhere
'

test_done
