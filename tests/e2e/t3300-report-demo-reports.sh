#!/bin/sh
# The reports make demo sends (tests/demo/reports/): a dissemination to a local force, an
# international referral and an immediate-danger report. Each is valid for pouch report
# validate and for python3-jsonschema on spec/report.schema.json, has every member of the
# skeleton `pouch report new` prints for its template and scheme (so the reports follow the
# model as it changes), and uses only fictional values (tests/e2e/check-demo-report.py).
. "$(dirname "$0")/lib.sh"

R=$SRC_DIR/tests/demo/reports
CHECK="$SYSTEM_PYTHON $SRC_DIR/tests/e2e/check-demo-report.py $SRC_DIR/spec/report.schema.json"

# jpath FILE A.B.0: the member at that path of the JSON in FILE.
jpath() {
	"$SYSTEM_PYTHON" -S -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$1" "$2"
}

# check NAME [FILE]: FILE (default: the demo's NAME.json) against the skeleton of template NAME
# in the file's own scheme.
check() {
	_f=${2:-$R/$1.json}
	pouch report new --template "$1" --scheme "$(jpath "$_f" handling.scheme)" >sk-$1.json &&
	$CHECK sk-$1.json "$_f"
}

expect_success 'the three reports are there' '
	test -f "$R/dissemination.json" && test -f "$R/referral.json" &&
	test -f "$R/immediate.json"
'

for t in dissemination referral immediate; do
	expect_success "$t: pouch report validate finds it valid" "
		pouch report validate '$R/$t.json' 2>err && grep -q 'is valid' err
	"
	expect_success "$t: valid for python3-jsonschema, its template's members, fictional values" "
		check $t
	"
done

expect_success 'each is what its template is for' '
	test "$(jpath "$R/dissemination.json" header.originator.agency)" = GB-NCA-CEOP &&
	test "$(jpath "$R/dissemination.json" handling.codes.0)" = C &&
	test -n "$(jpath "$R/dissemination.json" handling.conditions)" &&
	test "$(jpath "$R/referral.json" header.referral_source)" = ncmec-cybertip &&
	test "$(jpath "$R/referral.json" priority.source_priority.scheme)" = ncmec-cybertip &&
	test "$(jpath "$R/referral.json" media.2.viewed_by_provider)" = False &&
	test "$(jpath "$R/immediate.json" priority.level)" = immediate &&
	test "$(jpath "$R/immediate.json" persons.1.victim.identified)" = False &&
	test "$(jpath "$R/immediate.json" actions.0.action)" = safeguarding-visit
'

expect_success 'the check is not vacuous: a template member left out, a real-looking value' '
	"$SYSTEM_PYTHON" -S -c "import json, sys
r = json.load(open(sys.argv[1]))
del r[\"persons\"][0][\"ip_events\"]
r[\"persons\"][0][\"phones\"] = [\"+447911123456\"]
r[\"media\"][0][\"hashes\"][\"md5\"] = 32 * \"0\"
r[\"actions\"][0][\"details\"] = \"see 8.8.8.8 and https://example.info/x\"
json.dump(r, open(sys.argv[2], \"w\"))" "$R/referral.json" bad.json &&
	pouch report validate bad.json 2>/dev/null &&
	! check referral bad.json >msg &&
	grep -q "^template member persons\[\]\.ip_events is missing$" msg &&
	grep -q "^phones .+447911123456. is not in a drama range$" msg &&
	grep -q "^md5 0* is not a hash of a harmless line$" msg &&
	grep -q "^IP address 8.8.8.8 is not in a documentation range$" msg &&
	grep -q "^URL host .example.info. is not an example domain$" msg
'

expect_success 'the check is not vacuous: a value the template fixes, the schema' '
	sed "s/\"level\": \"immediate\"/\"level\": \"urgent\"/" "$R/immediate.json" >urgent.json &&
	pouch report validate urgent.json 2>/dev/null &&
	! check immediate urgent.json >msg &&
	grep -q "^template value \"immediate\" at priority.level is missing$" msg &&
	sed "s/\"tlp\": \"TLP:AMBER\"/\"tlp\": \"AMBER\"/" "$R/dissemination.json" >tlp.json &&
	! check dissemination tlp.json >msg && grep -q "^schema: handling/tlp: " msg
'

expect_success 'report new --help prints the usage only' '
	pouch report new --help >out && head -n 1 out | grep -q "^usage: pouch report new" &&
	! grep -q FILL out
'

test_done
