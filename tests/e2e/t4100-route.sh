#!/bin/sh
# pouch route (spec/route.md): a referral naming persons in several areas splits into one
# report per partner agency: GB postcode prefixes (the longest wins, case and spaces ignored)
# to GB forces, a region, a US person by country; persons in no area, without a location or
# routed to an agency that is not a partner are listed with the reason, never dropped; shared
# context in every report, an item about persons in two areas in both, markings unchanged; the
# reports validate, pack and open; the batch file; bad tables and reports in one clear line.
. "$(dirname "$0")/lib.sh"

# py FILE EXPR: EXPR evaluated with r the JSON in FILE, printed (JSON for non-strings).
py() {
	"$SYSTEM_PYTHON" -S -c 'import json, sys
r = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

expect_success 'setup: the centre; GB-MET, GB-GMP and US-NCMEC its partners; a referral' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && init_agency ncmec US-NCMEC &&
	init_agency gmp GB-GMP &&
	partners ceop met && partners ceop ncmec && partners ceop gmp &&
	cat >routes.json <<-\EOF &&
	{"format": "pouch-routes/1", "routes": [
	 {"country": "GB", "postcode": "M", "agency": "GB-GMP"},
	 {"country": "GB", "postcode": "sw1", "agency": "GB-MET"},
	 {"country": "GB", "postcode": "SW1A 2", "agency": "GB-CITY"},
	 {"country": "GB", "region": "GB-LND", "agency": "GB-MET"},
	 {"country": "GB", "region": "GB-WYK", "agency": "GB-WYP"},
	 {"country": "US", "agency": "US-NCMEC"}]}
	EOF
	cat >referral.json <<-\EOF
	{"format": "pouch-report/1",
	 "header": {"reference": "NCA-2291", "title": "bulk referral", "created": "2026-11-23T10:21:00Z",
	  "originator": {"agency": "GB-NCA-CEOP", "unit": "referrals", "officer": "R7",
	                 "contact_24x7": "+441632960000"}, "referral_source": "ncmec-cybertip"},
	 "handling": {"classification": {"tier": "OFFICIAL", "sensitive": true, "caveats": []},
	  "tlp": "TLP:AMBER+STRICT", "scheme": "uk-3x5x2", "codes": ["C"],
	  "conditions": "MARKER-CONDITIONS: not for disclosure", "purpose": "safeguarding",
	  "legal_basis": "test"},
	 "priority": {"level": "urgent", "reason": "a meeting", "respond_by": "2026-11-24T10:00:00Z",
	              "contact_24x7": "+441632960000"},
	 "offences": [{"type": "online-enticement", "shared": true}],
	 "items": [
	  {"n": 1, "kind": "provenance", "text": "MARKER-SHARED from a CyberTip", "shared": true,
	   "grade": {"source": "1", "intelligence": "A"}},
	  {"n": 2, "text": "MARKER-BOTH p1 chatted with p3", "about": ["p1", "p3"],
	   "grade": {"source": "2", "intelligence": "B"}},
	  {"n": 3, "text": "MARKER-P2 uploads", "about": ["p2"],
	   "grade": {"source": "2", "intelligence": "B"}},
	  {"n": 4, "text": "MARKER-P4 in France", "about": ["p4"],
	   "grade": {"source": "2", "intelligence": "C"}},
	  {"n": 5, "text": "MARKER-P8 by region", "about": ["p8"],
	   "grade": {"source": "2", "intelligence": "C"}}],
	 "persons": [
	  {"role": "suspect", "id": "p1", "location": {"country": "GB", "postcode": "m1 4bt"}},
	  {"role": "suspect", "id": "p2", "location": {"country": "GB", "postcode": "SW1A1AA"}},
	  {"role": "victim", "id": "p3", "country": "US"},
	  {"role": "associate", "id": "p4", "location": {"country": "FR"}},
	  {"role": "suspect", "id": "p5", "location": {"country": "GB", "postcode": "SW1A 2AA"}},
	  {"role": "witness", "id": "p6"},
	  {"role": "suspect", "id": "p7", "location": {"country": "GB", "region": "gb-wyk"}},
	  {"role": "suspect", "id": "p8", "location": {"country": "GB", "region": "GB-LND",
	                                               "postcode": "M60 1"}}],
	 "media": [{"hashes": {"sha256": "2222222222222222222222222222222222222222222222222222222222222222"},
	            "viewed_by_provider": false, "about": ["p3"]}],
	 "actions": [{"action": "safeguarding-visit", "due": "2026-11-24T10:00:00Z", "about": ["p2"]}],
	 "attachments": [{"name": "note.txt", "shared": true}]}
	EOF
'

expect_success 'route: one report per partner agency; the unrouted listed; exit 1' '
	must_fail 1 pouch --home ceop route referral.json --table routes.json -o split &&
	cat >want <<-\EOF &&
	GB-GMP: 2 persons, 3 items: split/GB-GMP.json
	GB-MET: 1 person, 2 items: split/GB-MET.json
	US-NCMEC: 1 person, 2 items: split/US-NCMEC.json
	unrouted: persons[3] (id p4): no route matches its location
	unrouted: persons[4] (id p5): routed by postcode to '\''GB-CITY'\'', which is not a partner
	unrouted: persons[5] (id p6): no location or country
	unrouted: persons[6] (id p7): routed by region to '\''GB-WYP'\'', which is not a partner
	left out: items[3]: about unrouted persons only
	EOF
	test_cmp want out &&
	error_is "4 persons not routed and 1 element sent to no agency \(listed above; --allow-unrouted accepts that\)$" &&
	test "$(ls split)" = "$(printf "GB-GMP.json\nGB-MET.json\nUS-NCMEC.json")" &&
	test "$(stat -c %a split/GB-MET.json split/GB-GMP.json split/US-NCMEC.json | sort -u)" = 600 &&
	test "$(stat -c %a split)" = 700
'

expect_success 'the longest postcode prefix wins, then the region; case and spaces ignored' '
	test "$(py split/GB-GMP.json "[p[\"id\"] for p in r[\"persons\"]]")" = "[\"p1\", \"p8\"]" &&
	test "$(py split/GB-MET.json "[p[\"id\"] for p in r[\"persons\"]]")" = "[\"p2\"]" &&
	test "$(py split/US-NCMEC.json "[p[\"id\"] for p in r[\"persons\"]]")" = "[\"p3\"]"
'

expect_success 'shared context in every report; an item about two areas in both, cut to each' '
	for a in GB-GMP GB-MET US-NCMEC; do
		grep -q MARKER-SHARED split/$a.json &&
		test "$(py split/$a.json "r[\"offences\"][0][\"type\"]")" = online-enticement &&
		test "$(py split/$a.json "r[\"attachments\"]")" = "[{\"name\": \"note.txt\", \"shared\": true}]" ||
			return 1
	done &&
	grep -q MARKER-BOTH split/GB-GMP.json && grep -q MARKER-BOTH split/US-NCMEC.json &&
	! grep -q MARKER-BOTH split/GB-MET.json &&
	test "$(py split/GB-GMP.json "r[\"items\"][1][\"about\"]")" = "[\"p1\"]" &&
	test "$(py split/US-NCMEC.json "r[\"items\"][1][\"about\"]")" = "[\"p3\"]" &&
	test "$(py split/US-NCMEC.json "[i[\"n\"] for i in r[\"items\"]]")" = "[1, 2]" &&
	grep -q MARKER-P2 split/GB-MET.json && ! grep -q MARKER-P2 split/GB-GMP.json &&
	! grep -q MARKER-P4 split/* && grep -q MARKER-P8 split/GB-GMP.json &&
	test "$(py split/US-NCMEC.json "len(r[\"media\"])")" = 1 &&
	test "$(py split/GB-MET.json "\"media\" in r")" = false &&
	test "$(py split/GB-MET.json "r[\"actions\"][0][\"about\"]")" = "[\"p2\"]" &&
	! grep -q "\"p5\"\|\"p6\"\|\"p7\"" split/*
'

expect_success 'markings, handling and priority unchanged; the reference suffixed' '
	for a in GB-GMP GB-MET US-NCMEC; do
		for m in handling priority header.originator header.created; do
			test "$(py split/$a.json "r$(echo ".$m" | sed "s/\.\([a-z_]*\)/[\"\1\"]/g")")" = \
			     "$(py referral.json "r$(echo ".$m" | sed "s/\.\([a-z_]*\)/[\"\1\"]/g")")" ||
				{ echo "$a: $m differs"; return 1; }
		done &&
		test "$(py split/$a.json "r[\"header\"][\"reference\"]")" = "NCA-2291/$a" || return 1
	done
'

expect_success 'every report validates, packs for its agency and opens there' '
	echo "a note" >note.txt && mkdir pk &&
	for a in GB-GMP GB-MET US-NCMEC; do
		pouch report validate split/$a.json 2>/dev/null || return 1
	done &&
	for x in gmp:GB-GMP met:GB-MET ncmec:US-NCMEC; do
		h=${x%%:*} a=${x#*:} &&
		id=$(pouch --home ceop pack --to $a --report split/$a.json --attach note.txt -o pk \
			2>/dev/null) &&
		pouch --home $h open "pk/$id.pouch" -o "opened-$h" >/dev/null 2>&1 &&
		test "$(py "opened-$h/pouch.json" "r[\"report\"][\"header\"][\"reference\"]")" = \
			"NCA-2291/$a" &&
		cmp -s note.txt "opened-$h/attachments/note.txt" || { echo "$a"; return 1; }
	done &&
	test "$(py opened-gmp/pouch.json "r[\"report\"][\"attachments\"][0][\"shared\"]")" = true &&
	pouch --home gmp show opened-gmp >shown &&
	grep -q "^  5\. grade 2C .*; about p8$" shown && grep -q "postcode  *m1 4bt$" shown &&
	grep -q "region  *GB-LND$" shown && grep -q "id  *p8$" shown
'

expect_success 'existing reports are refused before any is written; --force replaces them' '
	rm split/GB-MET.json && cp split/US-NCMEC.json keep &&
	must_fail 1 pouch --home ceop route referral.json --table routes.json -o split &&
	error_is "cannot write .split/GB-GMP.json.: it exists \(--force replaces it\)$" &&
	test ! -e split/GB-MET.json &&
	must_fail 1 pouch --home ceop route referral.json --table routes.json -o split --force \
		--json &&
	test -e split/GB-MET.json && cmp -s keep split/US-NCMEC.json &&
	head -n 1 out >res.json && tail -n 1 out >error.json &&
	test "$(py res.json "r[\"unrouted\"][1][\"reason\"]")" = not-a-partner &&
	test "$(py res.json "r[\"unrouted\"][1][\"agency\"]")" = GB-CITY &&
	test "$(py res.json "r[\"left_out\"]")" = "[\"items[3]\"]" &&
	test "$(py error.json "r[\"error\"][\"code\"]")" = refused
'

if case $("$POUCH_BIN" --version) in *"fault injection"*) true ;; *) false ;; esac; then
expect_success 'a write failing midway leaves the directory as it was, --force or not' '
	POUCH_FAULT=route.write:2 must_fail 3 pouch --home ceop route referral.json \
		--table routes.json -o fx &&
	error_is "cannot write the report for .GB-MET.: cannot write .fx/\.route-[^/]*/GB-MET\.json.: Input/output error$" &&
	test -z "$(ls -A fx)" &&
	cp -Rp split before &&
	POUCH_FAULT=route.write:3 must_fail 3 pouch --home ceop route referral.json \
		--table routes.json -o split --force &&
	diff -r before split
'
else
skip_test 'a write failing midway leaves the directory as it was' 'not a fault-injection build'
fi

expect_success 'the same input makes the same files; --allow-unrouted exits 0; stdin' '
	pouch --home ceop route - --table routes.json -o again --allow-unrouted <referral.json \
		>out2 2>err2 &&
	for a in GB-GMP GB-MET US-NCMEC; do cmp split/$a.json again/$a.json || return 1; done &&
	grep -q "^unrouted: persons\[3\]" out2 && test ! -s err2
'

expect_success 'every person routed: exit 0; the batch file lists each report' '
	"$SYSTEM_PYTHON" -S -c "import json
r = json.load(open(\"referral.json\"))
keep = {\"p1\", \"p2\", \"p3\"}
r[\"persons\"] = [p for p in r[\"persons\"] if p[\"id\"] in keep]
r[\"items\"] = [i for i in r[\"items\"] if i.get(\"shared\") or set(i[\"about\"]) & keep]
json.dump(r, open(\"clean.json\", \"w\"))" &&
	pouch --home ceop route clean.json --table routes.json -o clean --batch-out clean.jsonl \
		>out 2>err &&
	test "$(wc -l <out)" = 3 && test ! -s err &&
	test "$(wc -l <clean.jsonl)" = 3 && test "$(stat -c %a clean.jsonl)" = 600 &&
	test "$(sed -n 2p clean.jsonl)" = "{\"to\":[\"GB-MET\"],\"report\":\"$TRASH/clean/GB-MET.json\"}"
'

expect_success 'a default route takes the persons no route matches, not the non-partners' '
	"$SYSTEM_PYTHON" -S -c "import json
t = json.load(open(\"routes.json\"))
t[\"default\"] = \"GB-MET\"
json.dump(t, open(\"default.json\", \"w\"))" &&
	pouch --home ceop route referral.json --table default.json -o dflt --json >out 2>err ||
		test $? = 1 &&
	test "$(py dflt/GB-MET.json "[p[\"id\"] for p in r[\"persons\"]]")" = \
		"[\"p2\", \"p4\", \"p6\"]" &&
	head -n 1 out >res.json &&
	test "$(py res.json "r[\"unrouted\"]")" = "[{\"person\": 4, \"id\": \"p5\", \"reason\": \"not-a-partner\", \"agency\": \"GB-CITY\"}, {\"person\": 6, \"id\": \"p7\", \"reason\": \"not-a-partner\", \"agency\": \"GB-WYP\"}]"
'

# bad_table NAME JSON PATTERN: route refuses the table JSON (in NAME.json) with exit 1 and one
# error line matching PATTERN, and writes nothing.
bad_table() {
	echo "$2" >"$1.json" &&
	must_fail 1 pouch --home ceop route referral.json --table "$1.json" -o bad &&
	error_is "routing table .$1.json.$3" && test ! -e bad
}

expect_success 'a bad table: schema errors, duplicate names and routes, one clear line each' '
	bad_table t1 "{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"gb\", \"agency\": \"GB-MET\"}]}" \
		": routes\[0\].country: .gb. is not an ISO 3166-1 alpha-2 country code \(GB\)$" &&
	bad_table t2 "{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"GB\", \"agency\": \"GB-MET\", \"agency\": \"GB-GMP\"}]}" \
		" is not valid JSON: duplicate object key near .\"agency\"." &&
	bad_table t3 "{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"GB\", \"postcode\": \"M1\", \"agency\": \"GB-MET\"}, {\"country\": \"GB\", \"postcode\": \"m 1\", \"agency\": \"GB-MET\"}]}" \
		": routes\[1\]: the same match as routes\[0\] \(GB postcode .M1.\)$" &&
	bad_table t4 "{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"GB\", \"region\": \"X\", \"postcode\": \"M\", \"agency\": \"GB-MET\"}]}" \
		": routes\[0\].postcode: not with region" &&
	bad_table t5 "{\"format\": \"pouch-routes/1\", \"routes\": []}" ": routes: needs at least 1" &&
	must_fail 2 pouch --home ceop route referral.json --table missing.json -o bad &&
	error_is "routing table .missing.json. does not exist$" && test ! -e bad
'

expect_success 'the table schema agrees: python3-jsonschema refuses the same tables' '
	for t in t1 t3 t4 t5; do
		"$SYSTEM_PYTHON" -c "import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
ok = jsonschema.Draft202012Validator(s).is_valid(json.load(open(sys.argv[2])))
sys.exit(0 if ok == (sys.argv[3] == \"t3\") else 1)" "$SRC_DIR/spec/route.schema.json" $t.json $t ||
			{ echo "schema verdict on $t"; return 1; }
	done &&
	"$SYSTEM_PYTHON" -c "import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))" \
		"$SRC_DIR/spec/route.schema.json" default.json
'

expect_success 'a bad report: invalid, unmarked elements, no persons; nothing written' '
	"$SYSTEM_PYTHON" -S -c "import json
r = json.load(open(\"referral.json\"))
r[\"items\"][2][\"about\"] = [\"p9\"]
json.dump(r, open(\"b1.json\", \"w\"))
r = json.load(open(\"referral.json\"))
del r[\"items\"][1][\"about\"]
del r[\"media\"][0][\"about\"]
json.dump(r, open(\"b2.json\", \"w\"))
r = json.load(open(\"referral.json\"))
del r[\"persons\"]
for l in (\"items\", \"media\", \"actions\"):
    r[l] = [dict(e, shared=True) for e in r[l] if e.pop(\"about\", 1)]
json.dump(r, open(\"b3.json\", \"w\"))" &&
	must_fail 1 pouch --home ceop route b1.json --table routes.json -o bad &&
	test "$(wc -l <err)" = 2 &&
	grep -qx "pouch: items\[2\].about\[0\]: .p9. is no person.s id in this report" err &&
	grep -qx "pouch: cannot route: report .b1.json. is not valid: 1 error" err &&
	must_fail 1 pouch --home ceop route b2.json --table routes.json -o bad &&
	error_is "cannot route .b2.json.: items\[1\] and 1 other elements are neither about persons nor shared" &&
	must_fail 1 pouch --home ceop route b3.json --table routes.json -o bad &&
	error_is "cannot route .b3.json.: the report names no persons to route$" &&
	test ! -e bad
'

expect_success 'usage errors exit 2 before anything; a home is needed' '
	must_fail 2 pouch --home ceop route referral.json &&
	grep -q "missing --table" err &&
	must_fail 2 pouch --home ceop route --table routes.json &&
	must_fail 2 pouch --home ceop route a.json b.json --table routes.json &&
	must_fail 2 pouch --home ceop route referral.json --table - &&
	must_fail 2 pouch --home ceop route referral.json --table routes.json --table routes.json &&
	must_fail 2 pouch --home nohome route referral.json --table routes.json --bogus &&
	must_fail 3 pouch --home nohome route referral.json --table routes.json
'

test_done
