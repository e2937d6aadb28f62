#!/bin/sh
# pouch ceiling: an installation's classification ceiling; pack, forward and open refuse what
# is classified above it (nothing made, nothing recorded as opened, the refusal audited) and
# take what is at or below it; a corrupt setting fails closed.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/t3200-forward.lib"

expect_success 'setup: the centre and the Met; reports classified OFFICIAL, SECRET, TOP SECRET' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met && mkdir pk &&
	marked official.json uk-3x5x2 P TLP:GREEN "" OFFICIAL &&
	marked secret.json uk-3x5x2 P TLP:GREEN "" SECRET &&
	marked ts.json uk-3x5x2 P TLP:GREEN "" "TOP SECRET"
'

expect_success 'no ceiling at first; set, shown, removed; each change audited' '
	test "$(pouch --home met ceiling)" = none &&
	pouch --home met ceiling top-secret >out 2>/dev/null && test "$(cat out)" = "TOP SECRET" &&
	pouch --home met ceiling Official >/dev/null 2>&1 &&
	test "$(pouch --home met ceiling)" = OFFICIAL &&
	pouch --home met ceiling --json >j && test "$(json_field j ceiling)" = OFFICIAL &&
	pouch --home met audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json
e = [e for e in json.load(open(\"a.json\")) if e[\"event\"] == \"ceiling\"]
assert [x[\"reason\"] for x in e] == [\"TOP SECRET\", \"OFFICIAL\"], e"
'

expect_success 'pack refuses a report above the ceiling, and audits it' '
	pouch --home ceop ceiling SECRET >/dev/null 2>&1 &&
	must_fail 1 pouch --home ceop pack --to GB-MET --report ts.json -o pk &&
	error_is "the report is refused: it is classified TOP SECRET, above this installation.s ceiling SECRET" &&
	test -z "$(ls pk)" &&
	pouch --home ceop audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json
e = [e for e in json.load(open(\"a.json\")) if e[\"event\"] == \"pack\"][-1]
assert e[\"verdict\"] == \"refused\" and \"TOP SECRET\" in e[\"reason\"], e" &&
	pouch --home ceop pack --to GB-MET --report secret.json -o pk >secret.id 2>/dev/null &&
	pouch --home ceop pack --to GB-MET --report official.json -o pk >official.id 2>/dev/null
'

expect_success 'open refuses a package above the ceiling: nothing left, nothing recorded' '
	must_fail 1 pouch --home met open "pk/$(cat secret.id).pouch" -o s &&
	error_is "package .* does not open: the package is refused: it is classified SECRET, above this installation.s ceiling OFFICIAL" &&
	test ! -e s && test -z "$(ls -A met/seen 2>/dev/null)" && ! ls -a | grep -q pouch-open &&
	pouch --home met audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json
e = [e for e in json.load(open(\"a.json\")) if e[\"event\"] == \"open\"][-1]
assert e[\"verdict\"] == \"refused\" and \"SECRET\" in e[\"reason\"], e"
'

expect_success 'open takes what is at or below the ceiling' '
	pouch --home met open "pk/$(cat official.id).pouch" -o o >/dev/null &&
	pouch --home met ceiling SECRET >/dev/null 2>&1 &&
	pouch --home met open "pk/$(cat secret.id).pouch" -o s >/dev/null &&
	pouch --home met ceiling none >/dev/null 2>&1 && test "$(pouch --home met ceiling)" = none
'

expect_success 'forward makes no package above our ceiling' '
	pouch --home met ceiling OFFICIAL >/dev/null 2>&1 &&
	must_fail 1 pouch --home met forward s --to GB-NCA-CEOP -o pk &&
	error_is "the report is refused: it is classified SECRET" &&
	pouch --home met forward o --to GB-NCA-CEOP -o pk >/dev/null
'

expect_success 'a corrupt setting fails closed' '
	echo "{\"ceiling\": \"secret\"}" >met/handling.json &&
	must_fail 3 pouch --home met open "pk/$(cat official.id).pouch" -o o2 &&
	grep -q "handling settings .* are corrupt" err && test ! -e o2 &&
	must_fail 3 pouch --home met ceiling &&
	pouch --home met ceiling none >/dev/null 2>&1 && test ! -e met/handling.json
'

expect_success 'usage errors exit 2 before the home is read' '
	must_fail 2 pouch --home nowhere ceiling COSMIC &&
	grep -q "^pouch: .COSMIC. is not a classification tier" err &&
	must_fail 2 pouch --home nowhere ceiling SECRET OFFICIAL && test ! -e nowhere
'

test_done
