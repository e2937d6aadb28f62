#!/bin/sh
# The report in pack and open: pack refuses an invalid report with validate's messages, fills
# in or checks its attachments list, takes the header's priority, classification and TLP from
# it (--priority only checks); open refuses a package whose header, pouch.json and report
# disagree, whose report is invalid, or whose report lists other attachments.
. "$(dirname "$0")/lib.sh"

. "$SRC_DIR/tests/e2e/lib-forge.sh"

V=$SRC_DIR/spec/vectors/report

# edit_report IN OUT PYTHON: OUT is the report IN with r changed by PYTHON.
edit_report() {
	"$SYSTEM_PYTHON" -c "import json, sys
r = json.load(open(sys.argv[1]))
$3
json.dump(r, open(sys.argv[2], \"w\"))" "$1" "$2"
}
# header_of ENVELOPE: the decoded header into header.json.
header_of() {
	"$SYSTEM_PYTHON" -c "import base64, json, sys
sys.stdout.buffer.write(base64.b64decode(json.load(open(sys.argv[1]))[\"header\"]))" "$1" \
		>header.json
}

expect_success 'setup: a centre and a force; a report; two attachments' '
	setup_forge && write_report report.json MARKER-TITLE-3020 &&
	echo "a note" >note.txt && printf "\211PNG fake" >pic.png && mkdir pk empty
'

. ./fprs 2>/dev/null || true

expect_success 'pack refuses an invalid report with the messages of report validate' '
	cp "$V/invalid/three-errors.json" bad.json &&
	must_fail 1 pouch report validate bad.json && cp err validate.err &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report bad.json -o empty &&
	test_cmp validate.err err && test -z "$(ls -A empty)" &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report - -o empty <bad.json &&
	tail -n 1 err | grep -q "^pouch: report .-. is not valid: 3 errors$" &&
	pouch report new >skeleton.json &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report skeleton.json -o empty &&
	grep -q "^pouch: header.title: not filled in" err && test -z "$(ls -A empty)"
'

expect_success 'the header shows the report'\''s tier, TLP and priority, nothing else of it' '
	edit_report report.json secret.json "r[\"handling\"][\"classification\"][\"tier\"] = \"SECRET\"
r[\"handling\"][\"tlp\"] = \"TLP:RED\"
r[\"handling\"][\"classification\"][\"caveats\"] = [\"UK EYES ONLY\"]
r[\"priority\"] = {\"level\": \"urgent\", \"reason\": \"MARKER-REASON\",
                  \"respond_by\": \"2099-01-01T00:00:00Z\", \"contact_24x7\": \"+441632960000\"}" &&
	pouch --home ceop pack --to GB-MET --report secret.json -o pk >id &&
	header_of "pk/$(cat id).pouch" &&
	test "$(json_field header.json classification)" = SECRET &&
	test "$(json_field header.json tlp)" = TLP:RED &&
	test "$(json_field header.json priority)" = urgent &&
	! grep -q "MARKER\|EYES\|uk-3x5x2\|TEST-0001" header.json &&
	pouch --home met verify "pk/$(cat id).pouch" --json >v.json &&
	test "$(json_field v.json classification)" = SECRET &&
	test "$(json_field v.json tlp)" = TLP:RED &&
	pouch --home met open "pk/$(cat id).pouch" -o o1 >/dev/null &&
	test "$(json_field o1/pouch.json classification)" = SECRET &&
	test "$(json_field o1/pouch.json tlp)" = TLP:RED
'

expect_success '--priority checks the report'\''s priority, never overrides it' '
	must_fail 2 pouch --home ceop pack --to GB-MET --report report.json --priority urgent \
		-o empty &&
	error_is "--priority urgent differs from the report.s priority.level .routine." &&
	test -z "$(ls -A empty)" &&
	pouch --home ceop pack --to GB-MET --report report.json --priority Routine -o pk >/dev/null
'

expect_success 'pack fills in the attachments list from the files, in their order' '
	pouch --home ceop pack --to GB-MET --report report.json --attach pic.png \
		--attach note.txt -o pk >id2 &&
	pouch --home met open "pk/$(cat id2).pouch" -o o2 >/dev/null &&
	"$SYSTEM_PYTHON" - <<-\PY
	import hashlib, json
	m = json.load(open("o2/pouch.json"))
	want = [{"name": n, "size": len(open(n, "rb").read()),
	         "sha256": hashlib.sha256(open(n, "rb").read()).hexdigest(), "media_type": t}
	        for n, t in (("pic.png", "image/png"), ("note.txt", "text/plain"))]
	assert m["report"]["attachments"] == want, m["report"]["attachments"]
	assert [dict(a, media_type=None) for a in m["report"]["attachments"]] == \
	    [dict(a, media_type=None) for a in m["attachments"]], m
	assert m["report"]["header"]["title"] == "MARKER-TITLE-3020"
	PY
'

expect_success 'a stated attachments list must name exactly the files; stated values kept' '
	S=$(sha256sum note.txt | cut -d" " -f1) &&
	edit_report report.json l1.json "r[\"attachments\"] = [{\"name\": \"note.txt\",
\"size\": 7, \"sha256\": \"$S\", \"media_type\": \"text/x-note\"}, {\"name\": \"pic.png\"}]" &&
	pouch --home ceop pack --to GB-MET --report l1.json --attach pic.png --attach note.txt \
		-o pk >id3 &&
	pouch --home met open "pk/$(cat id3).pouch" -o o3 >/dev/null &&
	grep -q "text/x-note" o3/pouch.json && grep -q "image/png" o3/pouch.json &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report l1.json --attach note.txt -o empty &&
	error_is "report .l1.json.: attachments\[1\].name: .pic.png. is not attached" &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report l1.json --attach note.txt \
		--attach pic.png --attach secret.json -o empty &&
	error_is "report .l1.json.: attachments: the report does not list the attached file .secret.json." &&
	edit_report l1.json l2.json "r[\"attachments\"][0][\"size\"] = 8" &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report l2.json --attach note.txt \
		--attach pic.png -o empty &&
	error_is "report .l2.json.: attachments\[0\].size: the report states another size than file .note.txt. has \(7 bytes\)" &&
	edit_report l1.json l3.json "r[\"attachments\"][0][\"sha256\"] = \"0\" * 64" &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report l3.json --attach note.txt \
		--attach pic.png -o empty &&
	error_is "report .l3.json.: attachments\[0\].sha256: the report states another SHA-256" &&
	edit_report l1.json l4.json "r[\"attachments\"].append({\"name\": \"note.txt\"})" &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report l4.json --attach note.txt \
		--attach pic.png -o empty &&
	error_is "report .l4.json.: attachments\[2\].name: .note.txt. is listed twice" &&
	test -z "$(ls -A empty)"
'

expect_success 'open refuses a report whose markings differ from the header (and pouch.json)' '
	rm -rf met/seen &&
	forged t.pouch tlp=TLP:GREEN report="$(cat report.json)" &&
	must_fail 1 pouch --home met open t.pouch -o opened &&
	error_is "package .t.pouch. does not open: the report.s classification, TLP or priority does not match the header.s \(altered\)" &&
	nothing_left &&
	forged c.pouch classification=SECRET report="$(cat report.json)" &&
	must_fail 1 pouch --home met open c.pouch -o opened && grep -q "does not match the header" err &&
	forged p.pouch priority=information report="$(cat report.json)" &&
	must_fail 1 pouch --home met open p.pouch -o opened && grep -q "does not match the header" err &&
	nothing_left
'

expect_success 'open refuses an invalid report, and one listing other attachments' '
	forged i.pouch report="{\"title\": \"any JSON object\"}" &&
	must_fail 1 pouch --home met open i.pouch -o opened &&
	error_is "package .i.pouch. does not open: the package.s report is not valid: format: missing" &&
	nothing_left &&
	edit_report report.json al.json "r[\"attachments\"] = [{\"name\": \"b.txt\", \"size\": 5,
\"sha256\": \"0\" * 64, \"media_type\": \"text/plain\"}]" &&
	forged a.pouch entries="[[\"a.txt\", \"hello\"]]" report="$(cat al.json)" &&
	must_fail 1 pouch --home met open a.pouch -o opened &&
	error_is "package .a.pouch. does not open: the report.s attachments\[0\] does not match the package.s attachment 1" &&
	nothing_left &&
	forged ok.pouch entries="[[\"a.txt\", \"hello\"]]" &&
	pouch --home met open ok.pouch -o okdir >/dev/null
'

test_done
