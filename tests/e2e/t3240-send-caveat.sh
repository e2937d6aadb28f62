#!/bin/sh
# A nationality caveat holds for every sending, not only onward (spec/forward.md section 2):
# pack refuses a recipient of a country the caveat does not allow, writing nothing and
# auditing the refusal; a caveat pouch does not know refuses every recipient but the report's
# originator; pack --batch refuses that line only; route lists the refused agency's persons.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/t3200-forward.lib"

expect_success 'setup: the centre; the Met, NCMEC and another country as its partners' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && init_agency ncmec US-NCMEC &&
	init_agency other XX-OTHER && partners ceop met && partners ceop ncmec &&
	partners ceop other && mkdir pk &&
	marked uk.json uk-3x5x2 P "" "UK EYES ONLY" &&
	marked ukus.json uk-3x5x2 P "" "uk/us eyes only" &&
	marked noforn.json uk-3x5x2 P "" "NOFORN" &&
	marked both.json uk-3x5x2 P "" "UK/US EYES ONLY,UK EYES ONLY"
'

# refused_send REPORT CODES WHY: pack of REPORT to CODES exits 1 with WHY, writes nothing, and
# the audit trail records the refusal.
refused_send() {
	must_fail 1 pouch --home ceop pack --to "$2" --report "$1" -o pk &&
	error_is "sending to .$3" && test -z "$(ls pk)" &&
	pouch --home ceop audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json
e = [e for e in json.load(open(\"a.json\")) if e[\"event\"] == \"pack\"][-1]
assert e[\"verdict\"] == \"refused\" and \"caveat\" in e[\"reason\"], e"
}

expect_success 'UK EYES ONLY: pack refuses NCMEC, alone or among GB recipients' '
	refused_send uk.json US-NCMEC "US-NCMEC. is refused by rule caveat: caveat .UK EYES ONLY. allows agencies of GB only, and .US-NCMEC. is of another country$" &&
	refused_send uk.json GB-MET,US-NCMEC "US-NCMEC. is refused by rule caveat: " &&
	pouch --home ceop pack --to GB-MET --report uk.json -o pk >id 2>/dev/null &&
	pouch --home met open "pk/$(cat id).pouch" -o o1 >/dev/null && rm -f pk/*
'

expect_success 'UK/US EYES ONLY (any case) goes to NCMEC, not to another country' '
	pouch --home ceop pack --to GB-MET,US-NCMEC --report ukus.json -o pk >id 2>/dev/null &&
	pouch --home ncmec open "pk/$(cat id).pouch" -o o2 >/dev/null && rm -f pk/* &&
	refused_send ukus.json XX-OTHER "XX-OTHER. is refused by rule caveat: caveat .uk/us eyes only. allows agencies of GB US only"
'

expect_success 'the strictest caveat wins; an unknown one refuses all but the originator' '
	refused_send both.json US-NCMEC "US-NCMEC. is refused by rule caveat: caveat .UK EYES ONLY. " &&
	refused_send noforn.json GB-MET "GB-MET. is refused by rule caveat: caveat .NOFORN. is not one pouch knows" &&
	"$SYSTEM_PYTHON" -S -c "import json
r = json.load(open(\"noforn.json\"))
r[\"header\"][\"originator\"][\"agency\"] = \"GB-MET\"
json.dump(r, open(\"back.json\", \"w\"))" &&
	pouch --home ceop pack --to GB-MET --report back.json -o pk >/dev/null 2>&1 &&
	test "$(ls pk | wc -l)" = 1 && rm -f pk/*
'

expect_success 'pack --batch: the refused line fails, the others are packed' '
	printf "%s\n" "{\"to\": [\"US-NCMEC\"], \"report\": \"$TRASH/uk.json\"}" \
		"{\"to\": [\"GB-MET\"], \"report\": \"$TRASH/uk.json\"}" >b.jsonl &&
	mkdir bo && must_fail 1 pouch --home ceop pack --batch b.jsonl -j 1 -o bo &&
	grep -q "^pouch: line 1: sending to .US-NCMEC. is refused by rule caveat" err &&
	test "$(ls bo/*.pouch | wc -l)" = 1
'

expect_success 'route: an agency the caveat refuses is listed, its report not written' '
	cat >routes.json <<-\EOF &&
	{"format": "pouch-routes/1", "routes": [
	 {"country": "GB", "agency": "GB-MET"}, {"country": "US", "agency": "US-NCMEC"}]}
	EOF
	"$SYSTEM_PYTHON" -S -c "import json
r = json.load(open(\"uk.json\"))
r[\"items\"][0][\"shared\"] = True
r[\"persons\"] = [{\"role\": \"suspect\", \"id\": \"p1\", \"country\": \"GB\"},
                {\"role\": \"victim\", \"id\": \"p2\", \"country\": \"US\"}]
json.dump(r, open(\"ref.json\", \"w\"))" &&
	must_fail 1 pouch --home ceop route ref.json --table routes.json -o split &&
	cat >want <<-\EOF &&
	GB-MET: 1 person, 1 item: split/GB-MET.json
	unrouted: persons[1] (id p2): routed by country to '\''US-NCMEC'\'', refused: sending to '\''US-NCMEC'\'' is refused by rule caveat: caveat '\''UK EYES ONLY'\'' allows agencies of GB only, and '\''US-NCMEC'\'' is of another country
	EOF
	test_cmp want out && test "$(ls split)" = GB-MET.json &&
	pouch --home ceop route ref.json --table routes.json -o split2 --json >j 2>/dev/null ||
		test $? = 1 &&
	head -n 1 j >res.json &&
	test "$(json_field res.json unrouted)" = "[{'\''person'\'': 1, '\''id'\'': '\''p2'\'', '\''reason'\'': '\''refused'\'', '\''agency'\'': '\''US-NCMEC'\''}]"
'

test_done
